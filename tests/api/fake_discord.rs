//! A small fake of Discord on loopback: the OAuth2 pages and token endpoint (with PKCE
//! checked), users/@me, guild members and their roles (with rate-limit headers, scripted
//! 429s and Discord's error codes), DM channels and messages, interaction follow-ups and
//! command registration — recording what it was asked.

use axum::{
    Form, Json, Router,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post, put},
};
use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

#[derive(Clone, Debug)]
pub struct FakeUser {
    pub id: String,
    pub username: String,
    pub email: String,
    pub verified: bool,
}

#[derive(Default)]
pub struct Recorded {
    /// Who the next approval on the authorize page is.
    pub next_user: Option<FakeUser>,
    /// Code → (user, PKCE challenge, redirect URI).
    codes: HashMap<String, (FakeUser, String, String)>,
    /// Access token → user.
    tokens: HashMap<String, FakeUser>,
    /// The token endpoint answers this status instead (Discord down).
    pub token_fails: Option<u16>,
    /// Guild members (Discord user id) and their roles.
    pub members: HashMap<String, HashSet<String>>,
    /// Role ids the guild has.
    pub roles: HashSet<String>,
    /// Role changes answer 429 this many times first.
    pub role_429s: usize,
    pub role_calls: usize,
    pub revoked: Vec<String>,
    /// (recipient, message) of DMs sent.
    pub dms: Vec<(String, Value)>,
    pub followups: Vec<Value>,
    pub commands: Option<Value>,
    /// Bot calls carried the bot token.
    pub bot_calls_ok: bool,
}

#[derive(Clone)]
pub struct FakeDiscord {
    /// `DISCORD_API_BASE`.
    pub base: String,
    pub recorded: Arc<Mutex<Recorded>>,
}

type Shared = Arc<Mutex<Recorded>>;

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        let recorded: Shared = Arc::new(Mutex::new(Recorded {
            roles: ["role-free", "role-premium", "role-beta"]
                .into_iter()
                .map(String::from)
                .collect(),
            bot_calls_ok: true,
            ..Default::default()
        }));
        let app = Router::new()
            .route("/oauth2/authorize", get(authorize))
            .route("/api/v10/oauth2/token", post(token))
            .route("/api/v10/oauth2/token/revoke", post(revoke))
            .route("/api/v10/users/@me", get(me))
            .route("/api/v10/users/@me/channels", post(open_dm))
            .route("/api/v10/channels/{channel}/messages", post(message))
            .route(
                "/api/v10/guilds/{guild}/members/{user}",
                put(add_member).get(member),
            )
            .route(
                "/api/v10/guilds/{guild}/members/{user}/roles/{role}",
                put(add_role).delete(remove_role),
            )
            .route(
                "/api/v10/webhooks/{app}/{token}/messages/@original",
                axum::routing::patch(followup),
            )
            .route("/api/v10/applications/{app}/commands", put(commands))
            .with_state(recorded.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/api/v10", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeDiscord { base, recorded }
    }

    pub fn settings(&self, public_key_hex: &str) -> Vec<(&'static str, String)> {
        vec![
            ("DISCORD_CLIENT_ID", "app-1".into()),
            ("DISCORD_CLIENT_SECRET", "client-secret".into()),
            ("DISCORD_BOT_TOKEN", "bot-token".into()),
            ("DISCORD_GUILD_ID", "guild-1".into()),
            ("DISCORD_PUBLIC_KEY", public_key_hex.into()),
            ("DISCORD_API_BASE", self.base.clone()),
            ("FLIPDESK__DISCORD__FREE_ROLE", "role-free".into()),
            ("FLIPDESK__DISCORD__PREMIUM_ROLE", "role-premium".into()),
            ("FLIPDESK__DISCORD__BETA_ROLE", "role-beta".into()),
        ]
    }

    pub fn will_approve(&self, user: &FakeUser) {
        self.recorded.lock().unwrap().next_user = Some(user.clone());
    }

    pub fn roles_of(&self, discord_id: &str) -> Option<Vec<String>> {
        self.recorded
            .lock()
            .unwrap()
            .members
            .get(discord_id)
            .map(|r| {
                let mut roles: Vec<String> = r.iter().cloned().collect();
                roles.sort();
                roles
            })
    }
}

fn is_bot(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some("Bot bot-token")
}

fn error(status: StatusCode, code: i64, message: &str) -> Response {
    (status, Json(json!({ "code": code, "message": message }))).into_response()
}

async fn authorize(State(r): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut r = r.lock().unwrap();
    let Some(user) = r.next_user.clone() else {
        return error(StatusCode::BAD_REQUEST, 0, "nobody to approve");
    };
    assert_eq!(
        q.get("code_challenge_method").map(String::as_str),
        Some("S256")
    );
    assert_eq!(q.get("client_id").map(String::as_str), Some("app-1"));
    assert!(q["scope"].contains("guilds.join"));
    let code = format!("code-{}", r.codes.len() + 1);
    let redirect = q["redirect_uri"].clone();
    r.codes.insert(
        code.clone(),
        (user, q["code_challenge"].clone(), redirect.clone()),
    );
    Redirect::to(&format!("{redirect}?code={code}&state={}", q["state"])).into_response()
}

async fn token(State(r): State<Shared>, Form(f): Form<HashMap<String, String>>) -> Response {
    let mut r = r.lock().unwrap();
    if let Some(status) = r.token_fails {
        return error(StatusCode::from_u16(status).unwrap(), 0, "down");
    }
    if f.get("client_secret").map(String::as_str) != Some("client-secret") {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let user = match f.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let Some((user, challenge, redirect)) = r.codes.remove(&f["code"]) else {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(json!({"error": "invalid_grant"})),
                )
                    .into_response();
            };
            let verifier = f.get("code_verifier").cloned().unwrap_or_default();
            let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(Sha256::digest(verifier.as_bytes()));
            if computed != challenge || f.get("redirect_uri") != Some(&redirect) {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(json!({"error": "invalid_grant"})),
                )
                    .into_response();
            }
            user
        }
        Some("refresh_token") => {
            let Some(user) = r.tokens.get(&f["refresh_token"]).cloned() else {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(json!({"error": "invalid_grant"})),
                )
                    .into_response();
            };
            user
        }
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "unsupported_grant_type"})),
            )
                .into_response();
        }
    };
    let n = r.tokens.len();
    let access = format!("access-{n}");
    let refresh = format!("refresh-{n}");
    r.tokens.insert(access.clone(), user.clone());
    r.tokens.insert(refresh.clone(), user);
    Json(json!({ "access_token": access, "refresh_token": refresh, "expires_in": 604800, "token_type": "Bearer", "scope": "identify email guilds.join" }))
        .into_response()
}

async fn revoke(State(r): State<Shared>, Form(f): Form<HashMap<String, String>>) -> Response {
    r.lock().unwrap().revoked.push(f["token"].clone());
    StatusCode::OK.into_response()
}

async fn me(State(r): State<Shared>, headers: HeaderMap) -> Response {
    let r = r.lock().unwrap();
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    match r.tokens.get(token) {
        Some(u) => Json(json!({ "id": u.id, "username": u.username, "global_name": null, "email": u.email, "verified": u.verified }))
            .into_response(),
        None => error(StatusCode::UNAUTHORIZED, 0, "401: Unauthorized"),
    }
}

async fn add_member(
    State(r): State<Shared>,
    headers: HeaderMap,
    Path((_guild, user)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    let mut r = r.lock().unwrap();
    r.bot_calls_ok &= is_bot(&headers);
    if !r
        .tokens
        .contains_key(body["access_token"].as_str().unwrap_or_default())
    {
        return error(StatusCode::FORBIDDEN, 50025, "Invalid OAuth2 access token");
    }
    if r.members.contains_key(&user) {
        return StatusCode::NO_CONTENT.into_response();
    }
    r.members.insert(user.clone(), HashSet::new());
    (
        StatusCode::CREATED,
        Json(json!({ "user": { "id": user }, "roles": [] })),
    )
        .into_response()
}

async fn member(State(r): State<Shared>, Path((_guild, user)): Path<(String, String)>) -> Response {
    let r = r.lock().unwrap();
    match r.members.get(&user) {
        Some(roles) => Json(json!({ "user": { "id": user }, "roles": roles })).into_response(),
        None => error(StatusCode::NOT_FOUND, 10007, "Unknown Member"),
    }
}

fn change_role(r: &Shared, headers: &HeaderMap, user: &str, role: &str, add: bool) -> Response {
    let mut r = r.lock().unwrap();
    r.bot_calls_ok &= is_bot(headers);
    r.role_calls += 1;
    let limit_headers = [
        ("x-ratelimit-bucket", "roles-bucket".to_string()),
        ("x-ratelimit-limit", "10".to_string()),
        ("x-ratelimit-remaining", "9".to_string()),
        ("x-ratelimit-reset-after", "1.0".to_string()),
    ];
    if r.role_429s > 0 {
        r.role_429s -= 1;
        let mut res = (
            StatusCode::TOO_MANY_REQUESTS,
            Json(json!({ "message": "You are being rate limited.", "retry_after": 3.0, "global": false })),
        )
            .into_response();
        res.headers_mut()
            .insert("x-ratelimit-bucket", "roles-bucket".parse().unwrap());
        return res;
    }
    if !r.roles.contains(role) {
        return error(StatusCode::NOT_FOUND, 10011, "Unknown Role");
    }
    let Some(roles) = r.members.get_mut(user) else {
        return error(StatusCode::NOT_FOUND, 10007, "Unknown Member");
    };
    if add {
        roles.insert(role.to_string());
    } else {
        roles.remove(role);
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    for (k, v) in limit_headers {
        res.headers_mut().insert(k, v.parse().unwrap());
    }
    res
}

async fn add_role(
    State(r): State<Shared>,
    headers: HeaderMap,
    Path((_g, user, role)): Path<(String, String, String)>,
) -> Response {
    change_role(&r, &headers, &user, &role, true)
}

async fn remove_role(
    State(r): State<Shared>,
    headers: HeaderMap,
    Path((_g, user, role)): Path<(String, String, String)>,
) -> Response {
    change_role(&r, &headers, &user, &role, false)
}

async fn open_dm(State(r): State<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    r.lock().unwrap().bot_calls_ok &= is_bot(&headers);
    Json(json!({ "id": format!("dm-{}", body["recipient_id"].as_str().unwrap_or_default()) }))
        .into_response()
}

async fn message(
    State(r): State<Shared>,
    headers: HeaderMap,
    Path(channel): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let mut r = r.lock().unwrap();
    r.bot_calls_ok &= is_bot(&headers);
    let recipient = channel.trim_start_matches("dm-").to_string();
    r.dms.push((recipient, body));
    Json(json!({ "id": "m1" })).into_response()
}

async fn followup(State(r): State<Shared>, Json(body): Json<Value>) -> Response {
    r.lock().unwrap().followups.push(body);
    Json(json!({ "id": "m2" })).into_response()
}

async fn commands(
    State(r): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut r = r.lock().unwrap();
    r.bot_calls_ok &= is_bot(&headers);
    r.commands = Some(body.clone());
    Json(body).into_response()
}
