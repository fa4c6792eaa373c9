//! Links between Flipdesk accounts and Discord accounts: made at login, sign-up or from the
//! account page, with the OAuth tokens sealed at rest, refreshed when they run out and revoked
//! when the link goes.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::types::DiscordStatus;
use crate::{
    error::AppError,
    server::{
        crypto,
        db::{BeginWrite, Db, is_unique_violation},
        discord::{Discord, DiscordError, DiscordUser, Tokens},
        jobs::{BackgroundJob, enqueue},
        state::AppState,
        store::sql,
    },
    with_db,
};

const SEAL_PURPOSE: &str = "discord_tokens";

#[derive(Serialize, Deserialize)]
struct TokenPair {
    access: String,
    refresh: String,
}

/// Tokens sealed for the database (or the session, while a link waits for a password).
pub fn seal_tokens(state: &AppState, tokens: &Tokens) -> (String, i64) {
    let pair = TokenPair {
        access: tokens.access_token.clone(),
        refresh: tokens.refresh_token.clone(),
    };
    let sealed = crypto::seal(
        state.secret.expose(),
        SEAL_PURPOSE,
        &serde_json::to_string(&pair).unwrap_or_default(),
    );
    (
        sealed,
        OffsetDateTime::now_utc().unix_timestamp() + tokens.expires_in.max(0),
    )
}

fn open_tokens(state: &AppState, sealed: &str) -> Option<TokenPair> {
    crypto::open(state.secret.expose(), SEAL_PURPOSE, sealed)
        .and_then(|text| serde_json::from_str(&text).ok())
}

/// A Discord account that just proved itself, waiting to be linked.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Verified {
    pub discord_user_id: String,
    pub username: String,
    pub email: Option<String>,
    pub sealed_tokens: String,
    pub expires_at: i64,
}

impl Verified {
    pub fn new(state: &AppState, user: &DiscordUser, tokens: &Tokens) -> Verified {
        let (sealed_tokens, expires_at) = seal_tokens(state, tokens);
        Verified {
            discord_user_id: user.id.clone(),
            username: user.display_name().to_string(),
            email: user.email.clone().filter(|_| user.verified),
            sealed_tokens,
            expires_at,
        }
    }
}

/// The account a Discord user is linked to.
pub async fn linked_user(db: &Db, discord_user_id: &str) -> Result<Option<String>, AppError> {
    Ok(with_db!(db, pool => sqlx::query_scalar::<_, String>(
        "SELECT user_id FROM discord_links WHERE discord_user_id = $1")
        .bind(discord_user_id).fetch_optional(pool).await)?)
}

/// Links the account to the Discord account and queues its guild membership and roles.
/// Another account holding that Discord account is a conflict.
pub async fn link(state: &AppState, user_id: &str, v: &Verified) -> Result<(), AppError> {
    let now = OffsetDateTime::now_utc();
    let result = with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        sql("INSERT INTO discord_links (user_id, discord_user_id, username, sealed_tokens, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (user_id) DO UPDATE SET discord_user_id = excluded.discord_user_id, username = excluded.username, \
             sealed_tokens = excluded.sealed_tokens, expires_at = excluded.expires_at, role_synced = ''")
            .bind(user_id).bind(v.discord_user_id.as_str()).bind(v.username.as_str())
            .bind(v.sealed_tokens.as_str()).bind(v.expires_at).bind(now)
            .execute(&mut tx).await?;
        enqueue(&mut tx, &super::roles::SyncMember { user_id: user_id.to_string(), join: true }.queued(None)).await?;
        crate::alerts::service::ensure_dm_in(&mut tx, user_id).await?;
        tx.commit().await
    }.await);
    match result {
        Ok(()) => {
            state.jobs_ready.notify_one();
            Ok(())
        }
        Err(e) if is_unique_violation(&e) => Err(AppError::conflict(
            "discord_linked_elsewhere",
            "This Discord account is already linked to another Flipdesk account.",
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    discord_user_id: String,
    username: String,
    sealed_tokens: String,
    expires_at: i64,
}

async fn link_of(db: &Db, user_id: &str) -> Result<Option<LinkRow>, AppError> {
    Ok(with_db!(db, pool => sqlx::query_as::<_, LinkRow>(
        "SELECT discord_user_id, username, sealed_tokens, expires_at FROM discord_links WHERE user_id = $1")
        .bind(user_id).fetch_optional(pool).await)?)
}

/// The linked Discord user id, if any.
pub async fn discord_id_of(db: &Db, user_id: &str) -> Result<Option<String>, AppError> {
    Ok(link_of(db, user_id).await?.map(|l| l.discord_user_id))
}

/// A usable access token for the linked account, refreshed (and stored) when it ran out.
/// `None` when there is no link or Discord no longer accepts its refresh token.
pub async fn access_token(
    state: &AppState,
    discord: &Discord,
    user_id: &str,
) -> Result<Option<String>, DiscordError> {
    let link = link_of(&state.db, user_id)
        .await
        .map_err(|e| DiscordError::Unavailable(e.to_string()))?;
    let Some(link) = link else { return Ok(None) };
    let Some(pair) = open_tokens(state, &link.sealed_tokens) else {
        return Ok(None);
    };
    if link.expires_at > OffsetDateTime::now_utc().unix_timestamp() + 60 {
        return Ok(Some(pair.access));
    }
    let tokens = match discord.refresh(&pair.refresh).await {
        Ok(tokens) => tokens,
        Err(DiscordError::Refused { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let (sealed, expires_at) = seal_tokens(state, &tokens);
    state
        .db
        .write(
            sql("UPDATE discord_links SET sealed_tokens = $1, expires_at = $2 WHERE user_id = $3")
                .bind(sealed)
                .bind(expires_at)
                .bind(user_id),
        )
        .await
        .map_err(|e| DiscordError::Unavailable(e.to_string()))?;
    Ok(Some(tokens.access_token))
}

pub async fn status(state: &AppState, user_id: &str) -> Result<DiscordStatus, AppError> {
    let link = link_of(&state.db, user_id).await?;
    let password_login: bool = with_db!(&state.db, pool => sqlx::query_scalar(
        "SELECT password_login FROM users WHERE id = $1")
        .bind(user_id).fetch_one(pool).await)?;
    Ok(DiscordStatus {
        enabled: state.discord.is_some(),
        linked_as: link.map(|l| l.username),
        can_unlink: password_login,
        dm_levels: crate::alerts::service::dm_levels(&state.db, user_id)
            .await?
            .unwrap_or_default(),
    })
}

/// Unlinks (refused while Discord is the only way into the account) and revokes the tokens.
pub async fn unlink(state: &AppState, user_id: &str) -> Result<(), AppError> {
    let status = status(state, user_id).await?;
    if status.linked_as.is_none() {
        return Err(AppError::NotFound);
    }
    if !status.can_unlink {
        return Err(AppError::conflict(
            "discord_only_login",
            "Discord is the only way into this account. Set a password first (Forgot your password? on the log-in page), then unlink.",
        ));
    }
    let link = link_of(&state.db, user_id).await?;
    // The link and its DM outlet go together.
    with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        sql("DELETE FROM discord_links WHERE user_id = $1").bind(user_id).execute(&mut tx).await?;
        crate::alerts::service::remove_dm_in(&mut tx, user_id).await?;
        tx.commit().await
    }.await)?;
    if let (Some(discord), Some(link)) = (&state.discord, link) {
        if let Some(pair) = open_tokens(state, &link.sealed_tokens) {
            // Best effort: the link is gone either way.
            if let Err(e) = discord.revoke(&pair.refresh).await {
                tracing::warn!(error = %e, "could not revoke a Discord token");
            }
        }
        super::roles::clear_roles(state, discord, &link.discord_user_id).await;
    }
    Ok(())
}
