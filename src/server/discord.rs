//! The one way to Discord: OAuth2 (code exchange with PKCE, refresh, revoke), the signed-in
//! user, guild members and roles, DMs, interaction follow-ups and command registration, all
//! against `DISCORD_API_BASE`. Discord's rate limits are kept per bucket (`X-RateLimit-*`
//! headers) and globally: a call that would exceed them waits when the wait is short and
//! otherwise answers [`DiscordError::RateLimited`] at once — callers in jobs run again later —
//! so Flipdesk never hammers. Every call is logged with its route and status, never a token.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::config::DiscordSettings;

/// Waits at most this long for a rate limit inside one call; longer waits go back to the caller.
const LONGEST_INLINE_WAIT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DiscordError {
    #[error("Discord asks to wait {retry_after_ms} ms")]
    RateLimited { retry_after_ms: i64 },
    /// Discord said no (4xx): retrying the same call will not help.
    #[error("Discord refused ({status}): {message}")]
    Refused {
        status: u16,
        code: Option<i64>,
        message: String,
    },
    /// Discord could not be reached, timed out or failed (5xx): try again later.
    #[error("Discord is unavailable: {0}")]
    Unavailable(String),
}

impl DiscordError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, DiscordError::Refused { status: 404, .. })
    }
}

/// Who a call is made as.
#[derive(Clone, Copy)]
enum As<'a> {
    Bot,
    User(&'a str),
    /// The OAuth2 endpoints: client id and secret in the form.
    App,
    /// Interaction follow-ups are authorised by their token in the path.
    Nobody,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DiscordUser {
    pub id: String,
    pub username: String,
    pub global_name: Option<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub verified: bool,
}

impl DiscordUser {
    pub fn display_name(&self) -> &str {
        self.global_name.as_deref().unwrap_or(&self.username)
    }
}

#[derive(Default)]
struct Limits {
    /// Route → Discord's bucket id for it.
    bucket_of: HashMap<String, String>,
    /// Bucket → (requests left, when it refills).
    buckets: HashMap<String, (i64, Instant)>,
    global_until: Option<Instant>,
}

impl Limits {
    /// How long `route` must wait before its next call.
    fn wait_for(&self, route: &str, now: Instant) -> Duration {
        let global = self
            .global_until
            .map(|until| until.saturating_duration_since(now))
            .unwrap_or_default();
        let bucket = self
            .bucket_of
            .get(route)
            .and_then(|b| self.buckets.get(b))
            .filter(|(left, _)| *left <= 0)
            .map(|(_, reset)| reset.saturating_duration_since(now))
            .unwrap_or_default();
        global.max(bucket)
    }
}

pub struct Discord {
    http: reqwest::Client,
    base: String,
    client_id: String,
    client_secret: String,
    bot_token: String,
    limits: Mutex<Limits>,
}

impl std::fmt::Debug for Discord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Discord(***)")
    }
}

fn header_f64(res: &reqwest::Response, name: &str) -> Option<f64> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

impl Discord {
    pub fn new(settings: &DiscordSettings, api_base: &str) -> Discord {
        Discord {
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(10))
                .user_agent("DiscordBot (https://flipdesk.app, 1)")
                .build()
                .expect("a reqwest client with rustls builds"),
            base: api_base.trim_end_matches('/').to_string(),
            client_id: settings.client_id.clone(),
            client_secret: settings.client_secret.expose().to_string(),
            bot_token: settings.bot_token.expose().to_string(),
            limits: Mutex::default(),
        }
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Where the browser is sent to approve Flipdesk: Discord's own page (outside `/api`).
    pub fn authorize_url(&self, redirect_uri: &str, state: &str, challenge: &str) -> String {
        let site = match self.base.find("/api") {
            Some(at) => &self.base[..at],
            None => self.base.as_str(),
        };
        let mut url = reqwest::Url::parse(&format!("{site}/oauth2/authorize"))
            .expect("the Discord base URL was checked at start");
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("scope", "identify email guilds.join")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("prompt", "consent");
        url.to_string()
    }

    /// One call: waits out (or reports) rate limits, records what the answer says about them.
    async fn call(
        &self,
        method: Method,
        path: &str,
        route: &str,
        who: As<'_>,
        body: Option<Value>,
        form: Option<Vec<(&str, &str)>>,
    ) -> Result<Value, DiscordError> {
        let wait = self.limits.lock().unwrap().wait_for(route, Instant::now());
        if wait > LONGEST_INLINE_WAIT {
            return Err(DiscordError::RateLimited {
                retry_after_ms: wait.as_millis() as i64,
            });
        }
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        req = match who {
            As::Bot => req.header("Authorization", format!("Bot {}", self.bot_token)),
            As::User(token) => req.bearer_auth(token),
            As::App | As::Nobody => req,
        };
        if let Some(body) = body {
            req = req.json(&body);
        }
        if let Some(mut form) = form {
            if matches!(who, As::App) {
                form.push(("client_id", &self.client_id));
                form.push(("client_secret", &self.client_secret));
            }
            req = req.form(&form);
        }
        let res = match req.send().await {
            Ok(res) => res,
            Err(e) => {
                tracing::warn!(route, timeout = e.is_timeout(), "discord call failed");
                return Err(DiscordError::Unavailable(if e.is_timeout() {
                    "no answer within 10 s".into()
                } else {
                    "could not connect".into()
                }));
            }
        };
        let status = res.status();
        tracing::info!(route, status = status.as_u16(), "discord call");
        self.note_limits(route, &res);
        let global = res
            .headers()
            .get("x-ratelimit-global")
            .is_some_and(|v| v.as_bytes() == b"true");
        let text = res.text().await.unwrap_or_default();
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status == StatusCode::TOO_MANY_REQUESTS {
            let secs = json["retry_after"].as_f64().unwrap_or(1.0);
            let until = Instant::now() + Duration::from_secs_f64(secs.max(0.0));
            let mut limits = self.limits.lock().unwrap();
            if global || json["global"].as_bool() == Some(true) {
                limits.global_until = Some(until);
            } else if let Some(bucket) = limits.bucket_of.get(route).cloned() {
                limits.buckets.insert(bucket, (0, until));
            } else {
                limits.bucket_of.insert(route.into(), route.into());
                limits.buckets.insert(route.into(), (0, until));
            }
            return Err(DiscordError::RateLimited {
                retry_after_ms: (secs * 1000.0).ceil() as i64,
            });
        }
        if status.is_server_error() {
            return Err(DiscordError::Unavailable(format!("status {status}")));
        }
        if status.is_client_error() {
            return Err(DiscordError::Refused {
                status: status.as_u16(),
                code: json["code"].as_i64(),
                message: json["message"]
                    .as_str()
                    .or(json["error_description"].as_str())
                    .or(json["error"].as_str())
                    .unwrap_or("no reason given")
                    .to_string(),
            });
        }
        Ok(json)
    }

    fn note_limits(&self, route: &str, res: &reqwest::Response) {
        let bucket = res
            .headers()
            .get("x-ratelimit-bucket")
            .and_then(|v| v.to_str().ok());
        let (Some(bucket), Some(left), Some(reset_after)) = (
            bucket,
            header_f64(res, "x-ratelimit-remaining"),
            header_f64(res, "x-ratelimit-reset-after"),
        ) else {
            return;
        };
        let mut limits = self.limits.lock().unwrap();
        limits.bucket_of.insert(route.into(), bucket.into());
        limits.buckets.insert(
            bucket.into(),
            (
                left as i64,
                Instant::now() + Duration::from_secs_f64(reset_after.max(0.0)),
            ),
        );
    }

    /// The token endpoint, for a code exchange or a refresh.
    async fn tokens(&self, form: Vec<(&str, &str)>) -> Result<Tokens, DiscordError> {
        let json = self
            .call(
                Method::POST,
                "/oauth2/token",
                "token",
                As::App,
                None,
                Some(form),
            )
            .await?;
        serde_json::from_value(json)
            .map_err(|_| DiscordError::Unavailable("an unreadable token answer".into()))
    }

    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<Tokens, DiscordError> {
        self.tokens(vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ])
        .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens, DiscordError> {
        self.tokens(vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .await
    }

    pub async fn revoke(&self, token: &str) -> Result<(), DiscordError> {
        let form = vec![("token", token), ("token_type_hint", "refresh_token")];
        self.call(
            Method::POST,
            "/oauth2/token/revoke",
            "revoke",
            As::App,
            None,
            Some(form),
        )
        .await
        .map(|_| ())
    }

    pub async fn me(&self, access_token: &str) -> Result<DiscordUser, DiscordError> {
        let json = self
            .call(
                Method::GET,
                "/users/@me",
                "me",
                As::User(access_token),
                None,
                None,
            )
            .await?;
        serde_json::from_value(json)
            .map_err(|_| DiscordError::Unavailable("an unreadable user answer".into()))
    }

    /// Adds the user to the guild (a member already is left as they are).
    pub async fn add_member(
        &self,
        guild: &str,
        user: &str,
        access_token: &str,
    ) -> Result<(), DiscordError> {
        self.call(
            Method::PUT,
            &format!("/guilds/{guild}/members/{user}"),
            &format!("members:{guild}"),
            As::Bot,
            Some(json!({ "access_token": access_token })),
            None,
        )
        .await
        .map(|_| ())
    }

    /// The member's role ids, or `None` when they are not in the guild.
    pub async fn member_roles(
        &self,
        guild: &str,
        user: &str,
    ) -> Result<Option<Vec<String>>, DiscordError> {
        match self
            .call(
                Method::GET,
                &format!("/guilds/{guild}/members/{user}"),
                &format!("members:{guild}"),
                As::Bot,
                None,
                None,
            )
            .await
        {
            Ok(json) => Ok(Some(
                json["roles"]
                    .as_array()
                    .map(|roles| {
                        roles
                            .iter()
                            .filter_map(|r| r.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
            )),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn set_role(
        &self,
        guild: &str,
        user: &str,
        role: &str,
        on: bool,
    ) -> Result<(), DiscordError> {
        let method = if on { Method::PUT } else { Method::DELETE };
        self.call(
            method,
            &format!("/guilds/{guild}/members/{user}/roles/{role}"),
            &format!("roles:{guild}"),
            As::Bot,
            None,
            None,
        )
        .await
        .map(|_| ())
    }

    /// Sends a direct message (opening the DM channel first).
    pub async fn direct_message(&self, user: &str, message: &Value) -> Result<(), DiscordError> {
        let channel = self
            .call(
                Method::POST,
                "/users/@me/channels",
                "dm_open",
                As::Bot,
                Some(json!({ "recipient_id": user })),
                None,
            )
            .await?;
        let id = channel["id"]
            .as_str()
            .ok_or_else(|| DiscordError::Unavailable("no DM channel id".into()))?;
        self.call(
            Method::POST,
            &format!("/channels/{id}/messages"),
            &format!("messages:{id}"),
            As::Bot,
            Some(message.clone()),
            None,
        )
        .await
        .map(|_| ())
    }

    /// Replaces a deferred interaction's "thinking…" with the answer.
    pub async fn edit_original(&self, token: &str, message: &Value) -> Result<(), DiscordError> {
        self.call(
            Method::PATCH,
            &format!("/webhooks/{}/{token}/messages/@original", self.client_id),
            "interaction_followup",
            As::Nobody,
            Some(message.clone()),
            None,
        )
        .await
        .map(|_| ())
    }

    /// Replaces the application's global slash commands with `commands`.
    pub async fn register_commands(&self, commands: &Value) -> Result<Value, DiscordError> {
        self.call(
            Method::PUT,
            &format!("/applications/{}/commands", self.client_id),
            "commands",
            As::Bot,
            Some(commands.clone()),
            None,
        )
        .await
    }
}

/// Checks an interaction's Ed25519 signature over `timestamp + body` (Discord's scheme), and
/// that the timestamp is within five minutes of `now` (a replayed request is refused).
pub fn verify_interaction(
    public_key: &[u8; 32],
    signature_hex: &str,
    timestamp: &str,
    body: &[u8],
    now: i64,
) -> bool {
    let Ok(at) = timestamp.parse::<i64>() else {
        return false;
    };
    if (now - at).abs() > 300 {
        return false;
    }
    let Ok(signature) = hex::decode(signature_hex) else {
        return false;
    };
    let mut message = timestamp.as_bytes().to_vec();
    message.extend_from_slice(body);
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public_key)
        .verify(&message, &signature)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    #[test]
    fn interactions_are_verified_with_ed25519_and_fresh_timestamps() {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let public: [u8; 32] = pair.public_key().as_ref().try_into().unwrap();
        let body = br#"{"type":1}"#;
        let sign = |ts: &str| {
            let mut m = ts.as_bytes().to_vec();
            m.extend_from_slice(body);
            hex::encode(pair.sign(&m).as_ref())
        };
        let now = 1_800_000_000;
        let ts = now.to_string();
        assert!(verify_interaction(&public, &sign(&ts), &ts, body, now));
        assert!(!verify_interaction(
            &public,
            &sign(&ts),
            &ts,
            br#"{"type":2}"#,
            now
        ));
        assert!(!verify_interaction(&public, "zz", &ts, body, now));
        let old = (now - 301).to_string();
        assert!(!verify_interaction(&public, &sign(&old), &old, body, now));
        assert!(!verify_interaction(&[0; 32], &sign(&ts), &ts, body, now));
    }

    #[test]
    fn exhausted_buckets_and_global_limits_make_calls_wait() {
        let now = Instant::now();
        let mut limits = Limits::default();
        assert_eq!(limits.wait_for("roles:g", now), Duration::ZERO);
        limits.bucket_of.insert("roles:g".into(), "abc".into());
        limits
            .buckets
            .insert("abc".into(), (1, now + Duration::from_secs(3)));
        assert_eq!(limits.wait_for("roles:g", now), Duration::ZERO);
        limits
            .buckets
            .insert("abc".into(), (0, now + Duration::from_secs(3)));
        assert_eq!(limits.wait_for("roles:g", now), Duration::from_secs(3));
        limits.global_until = Some(now + Duration::from_secs(5));
        assert_eq!(limits.wait_for("me", now), Duration::from_secs(5));
    }
}
