//! Password reset by mail (server only). A link with a random token, valid one hour and good
//! once (only its HMAC is stored); asking answers the same whether or not the address has an
//! account; resetting ends every session the account had and starts a fresh one here.

use std::net::IpAddr;
use time::OffsetDateTime;
use tower_sessions::Session;

use super::service::{find_user_by_email, hash_password, start_session};
use crate::{
    domain::{Email, account},
    error::AppError,
    server::{
        crypto,
        db::BeginWrite,
        jobs::now_ms,
        mail::{self, Mail},
        state::AppState,
    },
    with_db,
};

/// How long a reset link works.
pub const LINK_VALID_MS: i64 = 3_600_000;

fn token_hash(state: &AppState, token: &str) -> String {
    crypto::hmac_hex(state.secret.expose(), &format!("password-reset:{token}"))
}

/// Mails a reset link when `email` has an account; the answer is the same either way.
pub async fn request_reset(state: &AppState, ip: IpAddr, email: &str) -> Result<(), AppError> {
    let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
    state
        .limits
        .check_signup(ip, email.as_str())
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    let Some(user) = find_user_by_email(&state.db, &email).await? else {
        tracing::info!("password reset asked for an address without an account");
        return Ok(());
    };
    let token = crypto::random_token(32);
    let url = format!(
        "{}/reset-password?token={token}",
        state.settings.public_url.trim_end_matches('/')
    );
    let mail = Mail {
        to: &user.email,
        subject: "Reset your Flipdesk password".into(),
        body: format!(
            "Someone (we hope you) asked to reset the password of your Flipdesk account.\n\n\
             Choose a new password here; the link works once, for one hour:\n{url}\n\n\
             If you did not ask, ignore this mail: your password stays as it is.\n"
        ),
        kind: "password_reset",
        order_id: None,
        owner: None,
    };
    let hash = token_hash(state, &token);
    with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        sqlx::query("INSERT INTO password_resets (token_hash, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&hash).bind(&user.id).bind(now_ms() + LINK_VALID_MS).bind(OffsetDateTime::now_utc())
            .execute(&mut *tx).await?;
        mail::queue(&mut tx, &mail).await?;
        tx.commit().await
    }.await)?;
    tracing::info!(user_id = %user.id, "password reset mailed");
    Ok(())
}

fn bad_link() -> AppError {
    AppError::field(
        "token",
        "This link has expired or was used already. Ask for a new one.",
    )
}

/// Sets a new password with a reset link's token: once, within the hour. Every other session
/// of the account ends; this one is signed in. Answers the user's id.
pub async fn reset_password(
    state: &AppState,
    session: &Session,
    token: &str,
    password: &str,
) -> Result<String, AppError> {
    if token.is_empty() || token.len() > 128 {
        return Err(bad_link());
    }
    let hash = token_hash(state, token);
    let found: Option<(String, String)> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT r.user_id, u.email FROM password_resets r JOIN users u ON u.id = r.user_id \
         WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2")
        .bind(&hash).bind(now_ms()).fetch_optional(pool).await)?;
    let Some((user_id, email)) = found else {
        return Err(bad_link());
    };
    account::check_new_password(password, &email).map_err(|m| AppError::field("password", m))?;
    let new_hash = hash_password(password.to_string()).await?;
    let now = now_ms();
    let epoch: Option<i64> = with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        // Conditional: of two submissions of one link, one wins.
        let used = sqlx::query("UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1")
            .bind(now).bind(&hash).execute(&mut *tx).await?.rows_affected();
        if used == 0 {
            return Ok::<_, sqlx::Error>(None);
        }
        sqlx::query("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
            .bind(now).bind(&user_id).execute(&mut *tx).await?;
        let epoch: i64 = sqlx::query_scalar(
            "UPDATE users SET password_hash = $1, password_login = TRUE, session_epoch = session_epoch + 1, updated_at = $2 WHERE id = $3 RETURNING session_epoch")
            .bind(&new_hash).bind(OffsetDateTime::now_utc()).bind(&user_id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(Some(epoch))
    }.await)?;
    let Some(epoch) = epoch else {
        return Err(bad_link());
    };
    start_session(session, &user_id, epoch).await?;
    tracing::info!(user_id = %user_id, "password reset; other sessions ended");
    Ok(user_id)
}
