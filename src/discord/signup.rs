//! A newcomer who came back from Discord: their account and store are made in one go from the
//! verified Discord email and the store they name, with no password (they can set one later
//! with a reset link), and linked at once. Nothing is made when anything fails.

use std::net::IpAddr;
use tower_sessions::Session;

use super::login::{PENDING_KEY, Pending};
use crate::{
    auth::service::CurrentUser,
    domain::{Role, account},
    error::AppError,
    server::{crypto, state::AppState, store::sql},
};

pub async fn finish(
    state: &AppState,
    session: &Session,
    ip: IpAddr,
    store_name: &str,
    store_slug: &str,
) -> Result<CurrentUser, AppError> {
    let pending: Option<Pending> = session.get(PENDING_KEY).await.ok().flatten();
    let Some(pending) = pending.filter(|p| p.signup) else {
        return Err(AppError::PreconditionFailed {
            message: "Your Discord sign-in ran out. Start again with “Log in with Discord”.".into(),
        });
    };
    if super::service::linked_user(&state.db, &pending.verified.discord_user_id)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "discord_linked_elsewhere",
            "This Discord account is already linked to a Flipdesk account: log in with Discord instead.",
        ));
    }
    let email = pending.verified.email.clone().unwrap_or_default();
    // A password nobody knows: the account logs in through Discord until its owner sets one.
    let unknown = format!("{}-Aa1!", crypto::random_token(48));
    let form = account::validate_signup(&email, &unknown, store_name, store_slug)
        .map_err(AppError::validation)?;
    state
        .limits
        .check_signup(ip, form.email.as_str())
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    let user_id = crate::auth::service::create_account(
        &state.db,
        &form,
        &unknown,
        Role::User,
        Some(ip),
        None,
    )
    .await?;
    let linked = async {
        state
            .db
            .write(
                sql("UPDATE users SET password_login = FALSE WHERE id = $1").bind(user_id.as_str()),
            )
            .await?;
        super::service::link(state, &user_id, &pending.verified).await
    }
    .await;
    if let Err(e) = linked {
        // Linked elsewhere in the meantime: undo the account and its store, not half of it.
        let _ = state
            .db
            .write(
                sql("DELETE FROM stores WHERE id IN (SELECT store_id FROM store_members WHERE user_id = $1)")
                    .bind(user_id.as_str()),
            )
            .await;
        let _ = state
            .db
            .write(sql("DELETE FROM users WHERE id = $1").bind(user_id.as_str()))
            .await;
        return Err(e);
    }
    let _ = session.remove::<Pending>(PENDING_KEY).await;
    crate::auth::service::log_in_as(&state.db, session, &user_id, "session.signup_discord").await
}
