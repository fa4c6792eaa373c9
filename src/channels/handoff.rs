//! Sign-in handoff for connected apps, so a satellite app needs no passwords of its own:
//! `GET /auth/handoff?channel=…&return_to=…` sends a signed-in reseller's browser back to
//! the app with a token (signed, single-use, valid 60 s, for that channel only), and the app
//! exchanges it server-to-server (`POST /api/v1/channels/{channel}/handoff`, with its secret)
//! for who the reseller is. `return_to` must be on the channel's own origin (its webhook's).

use axum::{
    Json,
    extract::{Query, State},
    http::{HeaderValue, StatusCode, Uri, header},
    response::{IntoResponse, Redirect, Response},
};
use reqwest::Url;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::Session;
use utoipa::ToSchema;

use super::{rest::ChannelAccess, service::SEAL_PURPOSE};
use crate::{
    error::AppError,
    server::{crypto, db::new_id, state::AppState, store::sql},
    with_db,
};

/// How long a token may wait to be exchanged.
pub const TOKEN_TTL_MS: i64 = 60_000;
/// What the token is appended to `return_to` as.
pub const TOKEN_PARAM: &str = "flipdesk_handoff";

#[derive(Deserialize)]
pub struct Start {
    pub channel: String,
    pub return_to: String,
}

fn signature(instance: &str, jti: &str, expires_ms: i64, channel: &str, user: &str) -> String {
    let digest = crypto::hmac_hex(
        instance,
        &format!("handoff:{jti}:{expires_ms}:{channel}:{user}"),
    );
    digest[..40].to_string()
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        message.to_string(),
    )
        .into_response()
}

/// `GET /auth/handoff`: a reseller's browser arrives from a connected app.
pub async fn start(
    State(state): State<AppState>,
    session: Session,
    uri: Uri,
    Query(ask): Query<Start>,
) -> Response {
    let user = match crate::auth::service::current_user(&state.db, &session).await {
        Ok(user) => user,
        Err(_) => {
            // Back here after logging in (the log-in page only follows local paths).
            let here = uri.path_and_query().map_or("/auth/handoff", |p| p.as_str());
            let mut login = Url::parse("http://flipdesk/login").expect("a valid address");
            login.query_pairs_mut().append_pair("next", here);
            let to = format!("/login?{}", login.query().unwrap_or_default());
            return Redirect::to(&to).into_response();
        }
    };
    let sealed: Option<Option<String>> = match with_db!(&state.db, pool => sqlx::query_scalar(
        "SELECT sealed_webhook FROM channels WHERE id = $1 AND owner_user_id = $2 AND kind = 'connected'")
        .bind(&ask.channel).bind(&user.id).fetch_optional(pool).await)
    {
        Ok(found) => found,
        Err(e) => {
            tracing::error!("reading a channel for a handoff: {e}");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. Please try again.",
            );
        }
    };
    let Some(webhook) = sealed
        .flatten()
        .and_then(|s| crypto::open(state.secret.expose(), SEAL_PURPOSE, &s))
    else {
        return refuse(
            StatusCode::NOT_FOUND,
            "This app is not one of your connected sales channels. Connect it on Flipdesk's Channels page first.",
        );
    };
    let (Ok(registered), Ok(mut back)) = (Url::parse(&webhook), Url::parse(ask.return_to.trim()))
    else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "The app sent a return address that is not a web address.",
        );
    };
    if back.origin() != registered.origin() {
        return refuse(
            StatusCode::BAD_REQUEST,
            "The app asked to send you to an address that is not its own, so Flipdesk did not sign you in there.",
        );
    }
    let jti = new_id();
    let expires_ms = state.clock.now_ms() + TOKEN_TTL_MS;
    let stored = state
        .db
        .write(
            sql("INSERT INTO handoff_tokens (jti, channel_id, user_id, expires_at_ms, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(jti.as_str())
                .bind(ask.channel.as_str())
                .bind(user.id.as_str())
                .bind(expires_ms)
                .bind(OffsetDateTime::now_utc()),
        )
        .await;
    if let Err(e) = stored {
        tracing::error!("storing a handoff token: {e}");
        return refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side. Please try again.",
        );
    }
    let sig = signature(
        state.secret.expose(),
        &jti,
        expires_ms,
        &ask.channel,
        &user.id,
    );
    back.query_pairs_mut()
        .append_pair(TOKEN_PARAM, &format!("fdho_{jti}.{expires_ms}.{sig}"));
    let mut res = Redirect::to(back.as_str()).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The token must not leak to the app's own outgoing links.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

#[derive(Deserialize, ToSchema)]
pub struct ExchangeBody {
    /// The `flipdesk_handoff` value the browser brought back.
    pub token: String,
}

/// Who signed in through the handoff.
#[derive(Serialize, ToSchema)]
pub struct HandedOff {
    pub user_id: String,
    pub email: String,
    pub store_id: String,
    pub store_slug: String,
    pub store_name: String,
}

fn invalid() -> AppError {
    AppError::Unprocessable {
        code: "invalid_handoff".into(),
        message: "This sign-in token is unknown, expired, already used or meant for another app: send the reseller through /auth/handoff again.".into(),
    }
}

/// The connected app exchanges a handoff token for who the reseller is; each token works
/// once, within 60 s, for the channel it was made for.
#[utoipa::path(post, path = "/api/v1/channels/{channel}/handoff", tag = "Sales channels",
    params(("channel" = String, Path, description = "The channel's id")),
    request_body = ExchangeBody,
    responses((status = 200, description = "The reseller who signed in", body = HandedOff),
        (status = 401, description = "Missing or wrong channel secret", body = crate::server::openapi::ErrorBody),
        (status = 422, description = "`invalid_handoff`: unknown, expired, used, or for another channel", body = crate::server::openapi::ErrorBody)),
    security(("channel_secret" = [])))]
pub async fn exchange(
    State(state): State<AppState>,
    ChannelAccess(channel): ChannelAccess,
    raw: axum::body::Bytes,
) -> Result<Response, AppError> {
    let body: ExchangeBody = serde_json::from_slice(&raw).map_err(|e| AppError::BadRequest {
        message: format!("the body is not {{\"token\": \"…\"}}: {e}"),
    })?;
    let parts: Vec<&str> = body
        .token
        .strip_prefix("fdho_")
        .ok_or_else(invalid)?
        .split('.')
        .collect();
    let [jti, expires, sig] = parts[..] else {
        return Err(invalid());
    };
    let expires_ms: i64 = expires.parse().map_err(|_| invalid())?;
    let now = state.clock.now_ms();
    if expires_ms <= now {
        return Err(invalid());
    }
    let owner: Option<String> = with_db!(&state.db, pool => sqlx::query_scalar(
        "SELECT user_id FROM handoff_tokens WHERE jti = $1 AND channel_id = $2 AND expires_at_ms = $3 AND used_at_ms IS NULL")
        .bind(jti).bind(&channel.id).bind(expires_ms).fetch_optional(pool).await)?;
    let Some(owner) = owner else {
        return Err(invalid());
    };
    let expected = signature(state.secret.expose(), jti, expires_ms, &channel.id, &owner);
    if crypto::hmac_hex(state.secret.expose(), sig)
        != crypto::hmac_hex(state.secret.expose(), &expected)
    {
        return Err(invalid());
    }
    // Used once: of two exchanges at the same moment, one wins.
    let took = state
        .db
        .write(
            sql("UPDATE handoff_tokens SET used_at_ms = $1 WHERE jti = $2 AND used_at_ms IS NULL")
                .bind(now)
                .bind(jti),
        )
        .await?;
    if took != 1 {
        return Err(invalid());
    }
    let who: Option<HandedOffRow> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT u.id AS user_id, u.email, s.id AS store_id, s.slug AS store_slug, s.name AS store_name \
         FROM users u JOIN stores s ON s.id = $2 WHERE u.id = $1")
        .bind(&owner).bind(&channel.store_id).fetch_optional(pool).await)?;
    let who = who.ok_or_else(invalid)?;
    let mut res = Json(HandedOff {
        user_id: who.user_id,
        email: who.email,
        store_id: who.store_id,
        store_slug: who.store_slug,
        store_name: who.store_name,
    })
    .into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[derive(sqlx::FromRow)]
struct HandedOffRow {
    user_id: String,
    email: String,
    store_id: String,
    store_slug: String,
    store_name: String,
}
