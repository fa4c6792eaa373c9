//! Server functions of Discord's pages: the log-in/sign-up entry, finishing a sign-up that
//! started on Discord, and the account page's link status and unlink.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::types::{DiscordEntry, DiscordStatus};
use crate::{auth::AccountSummary, error::AppError};

#[server(endpoint = "discord/entry", input = Json, output = crate::wire::Json)]
pub async fn get_entry() -> Result<DiscordEntry, AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let state = request::state()?;
        let session = request::session().await?;
        let pending: Option<super::login::Pending> =
            session.get(super::login::PENDING_KEY).await.ok().flatten();
        Ok(DiscordEntry {
            enabled: state.discord.is_some(),
            pending: pending.map(|p| super::types::PendingView {
                username: p.verified.username,
                email: p.verified.email.unwrap_or_default(),
                signup: p.signup,
            }),
        })
    })
    .await
}

/// Creates the account of a newcomer who came back from Discord, with their store.
#[server(endpoint = "discord/signup", output = crate::wire::Json)]
pub async fn discord_signup(
    store_name: String,
    store_slug: String,
) -> Result<AccountSummary, AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let state = request::state()?;
        let session = request::session().await?;
        let ip = request::client_ip().await;
        let user = super::signup::finish(&state, &session, ip, &store_name, &store_slug).await?;
        crate::auth::service::account_summary(&state.db, &state.settings, &user).await
    })
    .await
}

#[server(endpoint = "discord/status", input = Json, output = crate::wire::Json)]
pub async fn get_status() -> Result<DiscordStatus, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::status(&state, &user.id).await
    })
    .await
}

/// Which notification types also arrive as Discord DMs.
#[server(endpoint = "discord/dm-levels", input = Json, output = crate::wire::Json)]
pub async fn set_dm_levels(levels: Vec<crate::domain::inbox::Level>) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        crate::alerts::service::set_dm_levels(&state.db, &user.id, &levels).await
    })
    .await
}

#[server(endpoint = "discord/unlink", input = Json, output = crate::wire::Json)]
pub async fn unlink_discord() -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::unlink(&state, &user.id).await
    })
    .await
}
