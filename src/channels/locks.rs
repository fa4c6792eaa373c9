//! Sale locks: a channel's buyer checking out holds units of an item for the reservation TTL.
//! A lock takes its units from the item's storefront listing with the same conditional update
//! a storefront reservation uses, so across the storefront and every channel a unit is held
//! by one buyer at most. Released (cancelled or expired), the units go back and the other
//! channels hear it.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{events, service::Channel};
use crate::{
    error::AppError,
    server::{
        db::{BeginWrite, Db, is_unique_violation, new_id},
        jobs::{self, BackgroundJob, Outcome},
        state::AppState,
        store::{Store, Tx, sql},
    },
    with_db,
};

/// The answer to a lock request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Locked {
    pub lock_id: String,
    pub item_id: String,
    pub quantity: i64,
    /// RFC 3339.
    pub expires_at: String,
}

#[derive(sqlx::FromRow)]
struct LockRow {
    id: String,
    listing_id: String,
    item_id: String,
    quantity: i64,
    expires_at: i64,
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn locked(row: &LockRow) -> Locked {
    Locked {
        lock_id: row.id.clone(),
        item_id: row.item_id.clone(),
        quantity: row.quantity,
        expires_at: rfc3339(row.expires_at),
    }
}

/// What a channel asked to lock.
pub struct LockAsk<'a> {
    pub listing_id: Option<&'a str>,
    pub item_id: Option<&'a str>,
    pub quantity: i64,
    pub idempotency_key: &'a str,
}

/// Locks units for `channel`'s buyer: `409 locked_elsewhere` while another buyer (on any
/// channel or the storefront) holds them, `409 sold_out` when they are gone. A replay of the
/// same key answers the same lock.
pub async fn lock(
    state: &AppState,
    channel: &Channel,
    ask: &LockAsk<'_>,
) -> Result<Locked, AppError> {
    let now_ms = state.clock.now_ms();
    let expires_at = now_ms + state.settings.checkout.reservation_ttl_secs as i64 * 1000;
    let outcome = with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        let answer = lock_in(&mut tx, channel, ask, now_ms, expires_at).await?;
        if answer.is_ok() {
            tx.commit().await?;
        }
        Ok::<_, sqlx::Error>(answer)
    }.await);
    let answer = match outcome {
        Ok(answer) => answer,
        // The same key at the same moment: the first one wins, this one may retry.
        Err(e) if is_unique_violation(&e) => Err(AppError::conflict(
            "idempotency_in_progress",
            "A lock with this idempotency key is being made; retry in a moment.",
        )),
        Err(e) => Err(e.into()),
    }?;
    state.jobs_ready.notify_one();
    Ok(answer)
}

async fn lock_in<DB: Store>(
    tx: &mut Tx<DB>,
    channel: &Channel,
    ask: &LockAsk<'_>,
    now_ms: i64,
    expires_at: i64,
) -> sqlx::Result<Result<Locked, AppError>> {
    let before: Option<LockRow> = sql(
        "SELECT id, listing_id, item_id, quantity, expires_at FROM sale_locks WHERE channel_id = $1 AND idempotency_key = $2",
    )
    .bind(&channel.id)
    .bind(ask.idempotency_key)
    .fetch_optional(tx)
    .await?;
    if let Some(row) = before {
        let same = ask.item_id.is_none_or(|i| i == row.item_id)
            && ask.listing_id.is_none_or(|l| l == row.listing_id)
            && ask.quantity == row.quantity;
        return Ok(if same {
            Ok(locked(&row))
        } else {
            Err(AppError::Unprocessable {
                code: "idempotency_mismatch".into(),
                message: "This idempotency key was used for another lock.".into(),
            })
        });
    }
    // The item must be offered on this channel, and listed in the store (its units).
    let target: Option<(String, String)> = sql(
        "SELECT l.id, l.item_id FROM listings l \
         JOIN channel_listings cl ON cl.item_id = l.item_id AND cl.channel_id = $1 AND cl.state = 'listed' \
         WHERE l.owner_user_id = $2 AND (l.id = $3 OR l.item_id = $4)",
    )
    .bind(&channel.id)
    .bind(&channel.owner_user_id)
    .bind(ask.listing_id.unwrap_or(""))
    .bind(ask.item_id.unwrap_or(""))
    .fetch_optional(tx)
    .await?;
    let Some((listing_id, item_id)) = target else {
        return Ok(Err(AppError::NotFound));
    };
    let taken = sql(
        "UPDATE listings SET available = available - $1 WHERE id = $2 AND status = 'active' AND available >= $1",
    )
    .bind(ask.quantity)
    .bind(&listing_id)
    .execute(tx)
    .await?;
    if taken == 0 {
        return Ok(Err(refusal(tx, &listing_id).await?));
    }
    let id = new_id();
    sql("INSERT INTO sale_locks (id, channel_id, listing_id, item_id, quantity, state, idempotency_key, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'held', $6, $7, $8)")
        .bind(&id)
        .bind(&channel.id)
        .bind(&listing_id)
        .bind(&item_id)
        .bind(ask.quantity)
        .bind(ask.idempotency_key)
        .bind(expires_at)
        .bind(time::OffsetDateTime::now_utc())
        .execute(tx)
        .await?;
    let expire = ExpireLock {
        lock_id: id.clone(),
    };
    jobs::enqueue(
        tx,
        &expire.queued(Some(&channel.owner_user_id)).at(expires_at),
    )
    .await?;
    let available = available_units(tx, &listing_id).await?;
    events::announce(
        tx,
        &item_id,
        Some(&channel.id),
        "unit.locked",
        &format!("lock:{id}"),
        json!({"item_id": item_id, "lock_id": id, "quantity": ask.quantity, "available": available,
               "expires_at": rfc3339(expires_at), "locked_at": rfc3339(now_ms)}),
    )
    .await?;
    Ok(Ok(Locked {
        lock_id: id,
        item_id,
        quantity: ask.quantity,
        expires_at: rfc3339(expires_at),
    }))
}

/// Why units could not be locked: held by another buyer, or gone.
async fn refusal<DB: Store>(tx: &mut Tx<DB>, listing_id: &str) -> sqlx::Result<AppError> {
    let held: i64 = sql(
        "SELECT (SELECT CAST(COALESCE(SUM(ol.quantity), 0) AS BIGINT) FROM order_lines ol JOIN orders o ON o.id = ol.order_id \
           WHERE ol.listing_id = $1 AND o.stock = 'reserved') \
         + (SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM sale_locks WHERE listing_id = $1 AND state = 'held')",
    )
    .bind(listing_id)
    .scalar(tx)
    .await?;
    Ok(if held > 0 {
        AppError::conflict(
            "locked_elsewhere",
            "Another buyer is checking this item out; it may be free again when their hold ends.",
        )
    } else {
        AppError::conflict("sold_out", "This item has no units left to sell.")
    })
}

/// Units go back to the listing they were held from (a listing taken off meanwhile keeps none).
pub(super) async fn give_units<DB: Store>(
    tx: &mut Tx<DB>,
    listing_id: &str,
    units: i64,
) -> sqlx::Result<()> {
    sql("UPDATE listings SET available = available + $1 WHERE id = $2 AND status = 'active'")
        .bind(units)
        .bind(listing_id)
        .execute(tx)
        .await?;
    Ok(())
}

pub(super) async fn available_units<DB: Store>(
    tx: &mut Tx<DB>,
    listing_id: &str,
) -> sqlx::Result<i64> {
    sql("SELECT available FROM listings WHERE id = $1")
        .bind(listing_id)
        .scalar(tx)
        .await
}

/// Gives a held lock's units back and tells the other channels (`unit.unlocked`). `false`
/// when it was not held (released or sold already).
/// A cancel is not announced back to the channel that asked; an expiry is told to all.
pub(super) async fn release_in<DB: Store>(
    tx: &mut Tx<DB>,
    lock_id: &str,
    why: &str,
) -> sqlx::Result<bool> {
    let row: Option<(String, String, String, i64)> = sql(
        "UPDATE sale_locks SET state = 'released' WHERE id = $1 AND state = 'held' \
         RETURNING channel_id, listing_id, item_id, quantity",
    )
    .bind(lock_id)
    .fetch_optional(tx)
    .await?;
    let Some((channel_id, listing_id, item_id, quantity)) = row else {
        return Ok(false);
    };
    give_units(tx, &listing_id, quantity).await?;
    let available = available_units(tx, &listing_id).await?;
    let except = (why == "cancelled").then_some(channel_id.as_str());
    events::announce(
        tx,
        &item_id,
        except,
        "unit.unlocked",
        &format!("unlock:{lock_id}"),
        json!({"item_id": item_id, "lock_id": lock_id, "quantity": quantity, "available": available, "reason": why}),
    )
    .await?;
    Ok(true)
}

/// A channel's buyer cancelled: `DELETE …/locks/{lock}`. Releasing twice is fine; a lock of
/// another channel is not found.
pub async fn release(state: &AppState, channel: &Channel, lock_id: &str) -> Result<(), AppError> {
    let found = with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        let mine: i64 = sql("SELECT COUNT(*) FROM sale_locks WHERE id = $1 AND channel_id = $2")
            .bind(lock_id).bind(&channel.id).scalar(&mut tx).await?;
        if mine == 0 {
            return Ok::<_, sqlx::Error>(false);
        }
        release_in(&mut tx, lock_id, "cancelled").await?;
        tx.commit().await?;
        Ok(true)
    }.await)?;
    state.jobs_ready.notify_one();
    if found {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// At the end of a lock's hold: its units go back, everywhere.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExpireLock {
    pub lock_id: String,
}

impl BackgroundJob for ExpireLock {
    const KIND: &'static str = "channels.expire_lock";
    const LABEL: &'static str = "Release a sales channel's expired hold";
    const MAX_ATTEMPTS: i64 = 10;

    async fn run(self, state: &AppState) -> Outcome {
        let now_ms = state.clock.now_ms();
        let released = expire(&state.db, &self.lock_id, now_ms).await;
        match released {
            Ok(Some(at)) => Outcome::Later(at),
            Ok(None) => {
                state.jobs_ready.notify_one();
                Outcome::Done
            }
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}

/// Releases the lock if its hold is over; `Some(ms)` when it is not over yet (a job run
/// early, or a clock moved back).
async fn expire(db: &Db, lock_id: &str, now_ms: i64) -> sqlx::Result<Option<i64>> {
    with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let until: Option<i64> = sql("SELECT expires_at FROM sale_locks WHERE id = $1 AND state = 'held'")
            .bind(lock_id).fetch_optional(&mut tx).await?.map(|(at,): (i64,)| at);
        match until {
            Some(at) if at > now_ms => Ok(Some(at)),
            Some(_) => {
                release_in(&mut tx, lock_id, "expired").await?;
                tx.commit().await?;
                Ok(None)
            }
            None => Ok(None),
        }
    }.await)
}
