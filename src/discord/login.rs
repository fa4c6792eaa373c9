//! "Log in with Discord": OAuth2 authorization code with PKCE. `/auth/discord/start` keeps a
//! single-use `state` and the PKCE verifier in the browser's session and sends the browser to
//! Discord; `/auth/discord/callback` checks and consumes them, exchanges the code, and then
//! logs in the linked account, links the signed-in one, asks for the password of the account
//! with the same email (never linking silently), or sends a newcomer to a short sign-up form.
//! Every failure lands on the log-in page with a message, and creates nothing.

use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tower_sessions::Session;

use super::service::{self, Verified};
use crate::server::{crypto, discord::DiscordError, state::AppState};

const OAUTH_KEY: &str = "discord_oauth";
/// A Discord account waiting for a password (`link`) or a store (`signup`).
pub const PENDING_KEY: &str = "discord_pending";
/// How long the trip to Discord and back may take.
const OAUTH_TTL_SECS: i64 = 600;

#[derive(Serialize, Deserialize)]
struct Started {
    state: String,
    verifier: String,
    link: bool,
    at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub verified: Verified,
    /// `link`: the account with this email logs in with its password once to link.
    pub signup: bool,
}

fn redirect_uri(state: &AppState) -> String {
    format!(
        "{}/auth/discord/callback",
        state.settings.public_url.trim_end_matches('/')
    )
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn to_login(problem: &str) -> Response {
    Redirect::to(&format!("/login?discord_error={problem}")).into_response()
}

#[derive(Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    intent: String,
}

pub async fn start(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<StartQuery>,
) -> Response {
    let Some(discord) = state.discord.clone() else {
        return to_login("off");
    };
    let started = Started {
        state: crypto::random_token(32),
        verifier: crypto::random_token(64),
        link: q.intent == "link",
        at: now(),
    };
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(started.verifier.as_bytes()));
    let url = discord.authorize_url(&redirect_uri(&state), &started.state, &challenge);
    if session.insert(OAUTH_KEY, &started).await.is_err() {
        return to_login("unavailable");
    }
    Redirect::to(&url).into_response()
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let Some(discord) = state.discord.clone() else {
        return to_login("off");
    };
    // Single use: whatever happens next, this trip's state is spent.
    let started: Option<Started> = session.remove(OAUTH_KEY).await.ok().flatten();
    let Some(started) = started else {
        return to_login("expired");
    };
    let state_matches = q.state.as_deref() == Some(started.state.as_str());
    if !state_matches || now() - started.at > OAUTH_TTL_SECS {
        return to_login("expired");
    }
    if q.error.is_some() {
        return to_login("denied");
    }
    let Some(code) = q.code.filter(|c| !c.is_empty() && c.len() < 512) else {
        return to_login("expired");
    };
    let tokens = match discord
        .exchange_code(&code, &redirect_uri(&state), &started.verifier)
        .await
    {
        Ok(tokens) => tokens,
        Err(DiscordError::Refused { .. }) => return to_login("expired"),
        Err(e) => {
            tracing::warn!(error = %e, "Discord login: code exchange failed");
            return to_login("unavailable");
        }
    };
    let user = match discord.me(&tokens.access_token).await {
        Ok(user) => user,
        Err(e) => {
            tracing::warn!(error = %e, "Discord login: users/@me failed");
            return to_login("unavailable");
        }
    };
    let verified = Verified::new(&state, &user, &tokens);
    finish(&state, &session, verified, started.link).await
}

async fn finish(state: &AppState, session: &Session, v: Verified, linking: bool) -> Response {
    let signed_in = crate::auth::service::current_user(&state.db, session)
        .await
        .ok();
    let linked = match service::linked_user(&state.db, &v.discord_user_id).await {
        Ok(linked) => linked,
        Err(_) => return to_login("unavailable"),
    };
    match (linked, signed_in) {
        // Linking from the account page.
        (None, Some(me)) if linking => match service::link(state, &me.id, &v).await {
            Ok(()) => Redirect::to("/app/account?discord=linked").into_response(),
            Err(_) => Redirect::to("/app/account?discord=taken").into_response(),
        },
        (Some(owner), Some(me)) if linking => {
            let to = if owner == me.id { "linked" } else { "taken" };
            Redirect::to(&format!("/app/account?discord={to}")).into_response()
        }
        // A linked Discord account logs its Flipdesk account in.
        (Some(owner), _) => {
            match crate::auth::service::log_in_as(
                &state.db,
                session,
                &owner,
                "session.login_discord",
            )
            .await
            {
                Ok(_) => Redirect::to("/app").into_response(),
                Err(_) => to_login("unavailable"),
            }
        }
        (None, _) => {
            let Some(email) = v.email.clone() else {
                return to_login("unverified");
            };
            let existing = match crate::domain::Email::parse(&email) {
                Ok(email) => crate::auth::service::find_user_by_email(&state.db, &email)
                    .await
                    .ok()
                    .flatten(),
                Err(_) => return to_login("unverified"),
            };
            let pending = Pending {
                verified: v,
                signup: existing.is_none(),
            };
            if session.insert(PENDING_KEY, &pending).await.is_err() {
                return to_login("unavailable");
            }
            if pending.signup {
                Redirect::to("/signup/discord").into_response()
            } else {
                Redirect::to("/login?link=discord").into_response()
            }
        }
    }
}

/// After a password log-in: links the Discord account waiting in the session when its email
/// is this account's (the password proved the owner).
pub async fn complete_pending_link(
    state: &AppState,
    session: &Session,
    user_id: &str,
    email: &str,
) {
    let pending: Option<Pending> = session.get(PENDING_KEY).await.ok().flatten();
    let Some(pending) = pending.filter(|p| !p.signup) else {
        return;
    };
    let _ = session.remove::<Pending>(PENDING_KEY).await;
    let same = pending
        .verified
        .email
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case(email));
    if same && let Err(e) = service::link(state, user_id, &pending.verified).await {
        tracing::info!(error = %e, "pending Discord link not made");
    }
}
