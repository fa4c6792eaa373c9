//! Guild membership and plan roles: a linked reseller joins the configured guild and wears the
//! role of their plan (free, premium or beta role ids from `[discord]`), through the job queue
//! — queued when an account is linked and when its plan changes — and a reconciler that
//! repairs roles changed by hand in Discord, logging what it changed for ops.

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicI64, Ordering};

use crate::{
    domain::billing::Plan,
    server::{
        config::DiscordOptions,
        discord::{Discord, DiscordError},
        jobs::{BackgroundJob, Outcome, enqueue},
        state::AppState,
        store::{Store, Tx, sql},
    },
    with_db,
};

/// Discord's "Unknown Role" error code: a configured id that is not a role of the guild.
const UNKNOWN_ROLE: i64 = 10011;

/// Puts a linked reseller in the guild (when `join`) and gives them their plan's role.
#[derive(Debug, Serialize, Deserialize)]
pub struct SyncMember {
    pub user_id: String,
    pub join: bool,
}

impl BackgroundJob for SyncMember {
    const KIND: &'static str = "discord.sync_member";
    const LABEL: &'static str = "Update your Discord server roles";

    async fn run(self, state: &AppState) -> Outcome {
        let (Some(discord), Some(settings)) = (&state.discord, &state.settings.discord) else {
            return Outcome::Done;
        };
        match sync(state, discord, &settings.guild_id, &settings.options, &self).await {
            Ok(()) => Outcome::Done,
            Err(DiscordError::RateLimited { retry_after_ms }) => {
                Outcome::Later(state.clock.now_ms() + retry_after_ms)
            }
            Err(DiscordError::Refused {
                code: Some(UNKNOWN_ROLE),
                message,
                ..
            }) => {
                // Configuration, not weather: reported to ops, not retried.
                tracing::error!(target: "ops", %message, "a [discord] role id is not a role of the guild");
                Outcome::Dead(format!(
                    "a role id in [discord] does not exist in the guild: {message}"
                ))
            }
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}

/// Queues the role sync of `user_id` inside the caller's transaction, when they are linked.
pub async fn queue_sync_in<DB: Store>(tx: &mut Tx<DB>, user_id: &str) -> sqlx::Result<()> {
    let linked: Option<String> = sql("SELECT user_id FROM discord_links WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional::<(String,), DB>(tx)
        .await?
        .map(|r| r.0);
    if linked.is_some() {
        let job = SyncMember {
            user_id: user_id.to_string(),
            join: false,
        };
        enqueue(tx, &job.queued(None)).await?;
    }
    Ok(())
}

fn role_of(roles: &DiscordOptions, plan: Plan) -> &str {
    match plan {
        Plan::Free => &roles.free_role,
        Plan::Premium => &roles.premium_role,
        Plan::Beta => &roles.beta_role,
    }
}

fn plan_roles(roles: &DiscordOptions) -> impl Iterator<Item = &str> {
    [
        roles.free_role.as_str(),
        roles.premium_role.as_str(),
        roles.beta_role.as_str(),
    ]
    .into_iter()
    .filter(|r| !r.is_empty())
}

/// What a member's roles need: (role, add?) for each plan role that is wrong.
pub fn changes(roles: &DiscordOptions, plan: Plan, has: &[String]) -> Vec<(String, bool)> {
    let wanted = role_of(roles, plan);
    plan_roles(roles)
        .filter_map(|role| {
            let should = role == wanted;
            let wears = has.iter().any(|h| h == role);
            (should != wears).then(|| (role.to_string(), should))
        })
        .collect()
}

async fn sync(
    state: &AppState,
    discord: &Discord,
    guild: &str,
    roles: &DiscordOptions,
    job: &SyncMember,
) -> Result<(), DiscordError> {
    let unavailable = |e: crate::error::AppError| DiscordError::Unavailable(e.to_string());
    let Some(discord_id) = super::service::discord_id_of(&state.db, &job.user_id)
        .await
        .map_err(unavailable)?
    else {
        return Ok(());
    };
    if job.join
        && let Some(token) = super::service::access_token(state, discord, &job.user_id).await?
    {
        discord.add_member(guild, &discord_id, &token).await?;
    }
    let plan = crate::billing::standing::standing(
        &state.db,
        state.settings.billing.grace_days,
        &job.user_id,
    )
    .await
    .map_err(unavailable)?
    .plan;
    apply(discord, guild, roles, &discord_id, plan, "sync").await?;
    state
        .db
        .write(
            sql("UPDATE discord_links SET role_synced = $1 WHERE user_id = $2")
                .bind(plan.as_str())
                .bind(job.user_id.as_str()),
        )
        .await
        .map_err(|e| DiscordError::Unavailable(e.to_string()))?;
    Ok(())
}

/// Makes the member's plan roles right; answers how many it changed (0: not in the guild).
async fn apply(
    discord: &Discord,
    guild: &str,
    roles: &DiscordOptions,
    discord_id: &str,
    plan: Plan,
    by: &str,
) -> Result<usize, DiscordError> {
    let Some(has) = discord.member_roles(guild, discord_id).await? else {
        return Ok(0);
    };
    let todo = changes(roles, plan, &has);
    for (role, add) in &todo {
        discord.set_role(guild, discord_id, role, *add).await?;
        tracing::info!(target: "ops", by, discord_user = %discord_id, %role, added = *add, plan = plan.as_str(), "Discord role changed");
    }
    Ok(todo.len())
}

/// Takes every plan role off a member (an unlinked account).
pub async fn clear_roles(state: &AppState, discord: &Discord, discord_id: &str) {
    let Some(settings) = &state.settings.discord else {
        return;
    };
    for role in plan_roles(&settings.options) {
        if let Err(e) = discord
            .set_role(&settings.guild_id, discord_id, role, false)
            .await
        {
            tracing::warn!(error = %e, "could not take a plan role off an unlinked member");
        }
    }
}

/// Unix seconds of this process's last reconciliation.
static LAST_RECONCILED: AtomicI64 = AtomicI64::new(0);

/// Repairs drift: every linked member's plan roles compared with their plan, changed where
/// they differ (a role added or removed by hand in Discord). Runs from the housekeeping round
/// every `reconcile_minutes`; answers how many roles it changed.
pub async fn reconcile(state: &AppState) -> Result<usize, DiscordError> {
    let (Some(discord), Some(settings)) = (&state.discord, &state.settings.discord) else {
        return Ok(0);
    };
    let links: Vec<(String, String)> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT user_id, discord_user_id FROM discord_links ORDER BY created_at LIMIT 5000")
        .fetch_all(pool).await)
    .map_err(|e| DiscordError::Unavailable(e.to_string()))?;
    let mut changed = 0;
    for (user_id, discord_id) in links {
        let plan = crate::billing::standing::standing(
            &state.db,
            state.settings.billing.grace_days,
            &user_id,
        )
        .await
        .map_err(|e| DiscordError::Unavailable(e.to_string()))?
        .plan;
        changed += apply(
            discord,
            &settings.guild_id,
            &settings.options,
            &discord_id,
            plan,
            "reconciler",
        )
        .await?;
    }
    if changed > 0 {
        tracing::info!(target: "ops", changed, "Discord role reconciler repaired drift");
    }
    Ok(changed)
}

pub fn reconcile_round(state: AppState) -> BoxFuture<'static, ()> {
    Box::pin(async move {
        let Some(settings) = &state.settings.discord else {
            return;
        };
        let now = state.clock.now().unix_timestamp();
        let every = settings.options.reconcile_minutes.max(1) as i64 * 60;
        let last = LAST_RECONCILED.load(Ordering::Relaxed);
        if now - last < every
            || LAST_RECONCILED
                .compare_exchange(last, now, Ordering::SeqCst, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        if let Err(e) = reconcile(&state).await {
            tracing::warn!(error = %e, "Discord role reconciler stopped early; it runs again next time");
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_wrong_plan_roles_change() {
        let roles = DiscordOptions {
            free_role: "f".into(),
            premium_role: "p".into(),
            beta_role: String::new(),
            reconcile_minutes: 60,
            answer_within_ms: 2_200,
        };
        let has = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            changes(&roles, Plan::Premium, &has(&["f", "other"])),
            vec![("f".to_string(), false), ("p".to_string(), true)]
        );
        assert!(changes(&roles, Plan::Premium, &has(&["p", "other"])).is_empty());
        // No beta role configured: a beta reseller wears no plan role.
        assert_eq!(
            changes(&roles, Plan::Beta, &has(&["p"])),
            vec![("p".to_string(), false)]
        );
    }
}
