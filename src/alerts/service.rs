//! Alert webhooks kept per reseller: added after their address is checked (syntax in
//! `domain::alert_hook`, where it leads in `server::outbound`), sealed at rest, listed with how
//! their latest delivery went, deleted, and tried with a test alert.

use time::OffsetDateTime;

use super::{
    deliver::{self, Deliver},
    types::{AddedHook, HookView, HooksPage},
};
use crate::{
    domain::{
        alert_hook::{HookInput, MAX_HOOKS, shown_url, validate_hook},
        inbox::Level,
    },
    error::AppError,
    server::{
        crypto,
        db::{BeginWrite, Db, new_id},
        jobs::{BackgroundJob, enqueue},
        outbound,
        state::AppState,
        store::{Store, Tx, sql},
    },
    with_db,
};

/// The purpose sealed addresses are bound to (`crypto::seal`).
pub const SEAL_PURPOSE: &str = "alert_hook_url";

/// A generic receiver's signing secret: derived from the instance secret and the hook, so it
/// is never stored, and shown once when the hook is added.
pub fn signing_secret(instance_secret: &str, hook_id: &str) -> String {
    let digest = crypto::hmac_hex(instance_secret, &format!("alert_hook_signing:{hook_id}"));
    format!("whsec_{}", &digest[..48])
}

pub fn levels_text(levels: &[Level]) -> String {
    levels
        .iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn levels_of(text: &str) -> Vec<Level> {
    text.split(',').filter_map(Level::parse).collect()
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    shown_url: String,
    discord: bool,
    levels: String,
}

#[derive(sqlx::FromRow)]
struct Last {
    status: String,
    last_error: Option<String>,
    attempts: i64,
}

pub async fn page(db: &Db, owner: &str) -> Result<HooksPage, AppError> {
    let rows: Vec<Row> = with_db!(db, pool => sqlx::query_as(
        "SELECT id, shown_url, discord, levels FROM alert_hooks WHERE owner_user_id = $1 AND NOT dm ORDER BY created_at, id")
        .bind(owner).fetch_all(pool).await)?;
    let mut hooks = Vec::with_capacity(rows.len());
    for row in rows {
        let last: Option<Last> = with_db!(db, pool => sqlx::query_as(
            "SELECT status, last_error, attempts FROM alert_deliveries WHERE hook_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1")
            .bind(row.id.as_str()).fetch_optional(pool).await)?;
        let last_failed = last.as_ref().is_some_and(|l| l.status == "failed");
        hooks.push(HookView {
            id: row.id,
            shown_url: row.shown_url,
            discord: row.discord,
            levels: levels_of(&row.levels),
            last_delivery: last.map(|l| match l.status.as_str() {
                "delivered" => "Last alert delivered".to_string(),
                "failed" => format!(
                    "Last alert failed after {} attempts: {}",
                    l.attempts,
                    l.last_error.unwrap_or_default()
                ),
                _ => match l.last_error {
                    Some(e) => format!("Last alert not delivered yet, trying again ({e})"),
                    None => "Last alert on its way".to_string(),
                },
            }),
            last_failed,
        });
    }
    Ok(HooksPage {
        hooks,
        max: MAX_HOOKS,
    })
}

pub async fn add(state: &AppState, owner: &str, input: &HookInput) -> Result<AddedHook, AppError> {
    let draft = validate_hook(input).map_err(AppError::validation)?;
    outbound::check(&draft.url, outbound::Policy::for_settings(&state.settings))
        .await
        .map_err(|refused| AppError::field("url", refused.to_string()))?;
    let id = new_id();
    let sealed = crypto::seal(state.secret.expose(), SEAL_PURPOSE, &draft.url);
    let now = OffsetDateTime::now_utc();
    let full = with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        let count: i64 = sql("SELECT COUNT(*) FROM alert_hooks WHERE owner_user_id = $1 AND NOT dm")
            .bind(owner).scalar(&mut tx).await?;
        if count >= MAX_HOOKS as i64 {
            return Ok::<_, sqlx::Error>(true);
        }
        sql("INSERT INTO alert_hooks (id, owner_user_id, sealed_url, shown_url, discord, levels, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(id.as_str()).bind(owner).bind(sealed).bind(shown_url(&draft.url))
            .bind(draft.discord).bind(levels_text(&draft.levels)).bind(now)
            .execute(&mut tx).await?;
        tx.commit().await?;
        Ok(false)
    }.await)?;
    if full {
        return Err(AppError::conflict(
            "too_many_webhooks",
            format!("You can keep {MAX_HOOKS} alert webhooks: delete one first."),
        ));
    }
    Ok(AddedHook {
        secret: (!draft.discord).then(|| signing_secret(state.secret.expose(), &id)),
        id,
    })
}

pub async fn delete(db: &Db, owner: &str, id: &str) -> Result<(), AppError> {
    let n = db
        .write(
            sql("DELETE FROM alert_hooks WHERE id = $1 AND owner_user_id = $2 AND NOT dm")
                .bind(id)
                .bind(owner),
        )
        .await?;
    if n == 1 {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Queues a test alert to one hook (one at a time: a test still on its way is a conflict).
pub async fn send_test(state: &AppState, owner: &str, id: &str) -> Result<(), AppError> {
    let hook: Option<(bool,)> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT discord FROM alert_hooks WHERE id = $1 AND owner_user_id = $2 AND NOT dm")
        .bind(id).bind(owner).fetch_optional(pool).await)?;
    let Some((discord,)) = hook else {
        return Err(AppError::NotFound);
    };
    let alert = deliver::Alert::test(&state.settings.public_url);
    let payload = alert.render(discord);
    let delivery = new_id();
    let now = OffsetDateTime::now_utc();
    let busy = with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        let pending: Option<(String,)> = sql(
            "SELECT id FROM alert_deliveries WHERE hook_id = $1 AND notification_id IS NULL AND status = 'pending'")
            .bind(id).fetch_optional(&mut tx).await?;
        if pending.is_some() {
            return Ok::<_, sqlx::Error>(true);
        }
        sql("INSERT INTO alert_deliveries (id, hook_id, notification_id, payload, created_at, updated_at) VALUES ($1, $2, NULL, $3, $4, $4)")
            .bind(delivery.as_str()).bind(id).bind(payload).bind(now)
            .execute(&mut tx).await?;
        enqueue(&mut tx, &Deliver { delivery_id: delivery.clone() }.queued(None)).await?;
        tx.commit().await?;
        Ok(false)
    }.await)?;
    if busy {
        return Err(AppError::conflict(
            "test_pending",
            "A test alert is already on its way to this webhook.",
        ));
    }
    state.jobs_ready.notify_one();
    Ok(())
}

/// The Discord DM outlet of a linked reseller: made with the link (no levels chosen yet:
/// subscription news only), inside the link's transaction.
pub async fn ensure_dm_in<DB: Store>(tx: &mut Tx<DB>, owner: &str) -> sqlx::Result<()> {
    let has: Option<(String,)> = sql("SELECT id FROM alert_hooks WHERE owner_user_id = $1 AND dm")
        .bind(owner)
        .fetch_optional(tx)
        .await?;
    if has.is_none() {
        sql("INSERT INTO alert_hooks (id, owner_user_id, sealed_url, shown_url, discord, levels, dm, created_at) \
             VALUES ($1, $2, '', 'Discord DM', TRUE, '', TRUE, $3)")
            .bind(new_id())
            .bind(owner)
            .bind(OffsetDateTime::now_utc())
            .execute(tx)
            .await?;
    }
    Ok(())
}

/// Removes the DM outlet, inside the unlink's transaction.
pub async fn remove_dm_in<DB: Store>(tx: &mut Tx<DB>, owner: &str) -> sqlx::Result<()> {
    sql("DELETE FROM alert_hooks WHERE owner_user_id = $1 AND dm")
        .bind(owner)
        .execute(tx)
        .await?;
    Ok(())
}

/// The notification types also sent as DMs; `None` without a DM outlet.
pub async fn dm_levels(db: &Db, owner: &str) -> Result<Option<Vec<Level>>, AppError> {
    let levels: Option<String> = with_db!(db, pool => sqlx::query_scalar(
        "SELECT levels FROM alert_hooks WHERE owner_user_id = $1 AND dm")
        .bind(owner).fetch_optional(pool).await)?;
    Ok(levels.map(|l| levels_of(&l)))
}

pub async fn set_dm_levels(db: &Db, owner: &str, levels: &[Level]) -> Result<(), AppError> {
    let n = db
        .write(
            sql("UPDATE alert_hooks SET levels = $1 WHERE owner_user_id = $2 AND dm")
                .bind(levels_text(levels))
                .bind(owner),
        )
        .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_per_hook_and_levels_round_trip() {
        let a = signing_secret("instance", "hook-a");
        assert!(a.starts_with("whsec_") && a.len() == 54);
        assert_ne!(a, signing_secret("instance", "hook-b"));
        assert_ne!(a, signing_secret("other", "hook-a"));
        let levels = [Level::Error, Level::Warning];
        assert_eq!(levels_of(&levels_text(&levels)), levels);
    }
}
