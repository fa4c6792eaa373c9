//! A channel reports a sale. With a lock that still holds, its units are the sale's; without
//! one (or after it ran out) the sale takes units that are still free. Either way the item is
//! sold as a sale recorded by hand would be (net profit, worth ledger), and when it has no
//! units left it is withdrawn from every other channel at once. A sale that cannot be
//! honoured is kept as a conflict for the reseller, never dropped. Replays answer the same.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{events, locks, service::Channel};
use crate::{
    analytics::ledger::Changes,
    domain::{
        Currency,
        channels::{CheckedSale, SaleReport, validate_sale_report},
        inbox::Level,
    },
    error::AppError,
    inventory::selling::{SoldOn, Units, sell_units},
    server::{
        db::{BeginWrite, is_unique_violation, new_id},
        notify::Notice,
        state::AppState,
        store::{Store, Tx, sql},
    },
    with_db,
};

/// How a sale report was answered: `201` first, `200` for a replay; a conflict is `409`.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Recorded { body: Value, replay: bool },
    Conflict { body: Value },
}

fn digest(report: &SaleReport) -> String {
    let text = serde_json::to_string(report).unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))
}

pub async fn report_sale(
    state: &AppState,
    channel: &Channel,
    report: &SaleReport,
) -> Result<Answer, AppError> {
    let now_ms = state.clock.now_ms();
    let outcome = with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        let answer = report_in(&mut tx, channel, report, now_ms).await?;
        if answer.is_ok() {
            tx.commit().await?;
        }
        Ok::<_, sqlx::Error>(answer)
    }.await);
    let answer = match outcome {
        Ok(answer) => answer,
        Err(e) if is_unique_violation(&e) => Err(AppError::conflict(
            "idempotency_in_progress",
            "A sale with this idempotency key is being recorded; retry in a moment.",
        )),
        Err(e) => Err(e.into()),
    }?;
    state.jobs_ready.notify_one();
    Ok(answer)
}

async fn report_in<DB: Store>(
    tx: &mut Tx<DB>,
    channel: &Channel,
    report: &SaleReport,
    now_ms: i64,
) -> sqlx::Result<Result<Answer, AppError>> {
    let request_digest = digest(report);
    let before: Option<(String, String, String)> = sql(
        "SELECT request_digest, status, answer FROM channel_sales WHERE channel_id = $1 AND idempotency_key = $2",
    )
    .bind(&channel.id)
    .bind(&report.idempotency_key)
    .fetch_optional(tx)
    .await?;
    if let Some((was, status, answer)) = before {
        if was != request_digest {
            return Ok(Err(AppError::Unprocessable {
                code: "idempotency_mismatch".into(),
                message: "This idempotency key was used for another sale.".into(),
            }));
        }
        let body: Value = serde_json::from_str(&answer).unwrap_or_default();
        return Ok(Ok(if status == "conflict" {
            Answer::Conflict { body }
        } else {
            Answer::Recorded { body, replay: true }
        }));
    }
    // The item, offered on this channel (now or before it sold), and its store listing.
    let item: Option<(String, Option<String>)> = sql("SELECT i.currency, l.id FROM items i \
         JOIN channel_listings cl ON cl.item_id = i.id AND cl.channel_id = $1 \
         LEFT JOIN listings l ON l.item_id = i.id \
         WHERE i.id = $2 AND i.owner_user_id = $3")
    .bind(&channel.id)
    .bind(&report.item_id)
    .bind(&channel.owner_user_id)
    .fetch_optional(tx)
    .await?;
    let Some((currency, listing_id)) = item else {
        return Ok(Err(AppError::NotFound));
    };
    let currency = Currency::parse(&currency).unwrap_or(Currency::Usd);
    let sale = match validate_sale_report(report, currency) {
        Ok(sale) => sale,
        Err(fields) => return Ok(Err(AppError::validation(fields))),
    };
    let held = match (&report.lock_id, &listing_id) {
        (Some(lock), Some(_)) => {
            take_lock(tx, channel, lock, &report.item_id, sale.quantity, now_ms).await?
        }
        _ => false,
    };
    let taken = held
        || match &listing_id {
            Some(listing) => sql(
                "UPDATE listings SET available = available - $1 WHERE id = $2 AND status = 'active' AND available >= $1",
            )
            .bind(sale.quantity)
            .bind(listing)
            .execute(tx)
            .await?
                > 0,
            None => false,
        };
    let id = new_id();
    let mut changes = Changes::default();
    let sold = if taken {
        let unit_price = sale.price.amount / sale.quantity;
        sell_units(
            tx,
            &channel.owner_user_id,
            &report.item_id,
            &Units {
                quantity: sale.quantity,
                unit_price,
                // What does not divide evenly is counted once, like shipping.
                shipping: sale.price.amount - unit_price * sale.quantity,
                sold_on: &sale.sold_on,
                channel: SoldOn::Channel(&channel.name),
            },
            &mut changes,
        )
        .await?
    } else {
        None
    };
    let Some((sale_id, sold_out)) = sold else {
        if taken {
            // The item changed under the listing (sold or edited by hand): its units go
            // back and the sale waits for the reseller.
            locks::give_units(tx, listing_id.as_deref().unwrap_or(""), sale.quantity).await?;
        }
        return Ok(Ok(conflict(
            tx,
            channel,
            report,
            &sale,
            &id,
            &request_digest,
        )
        .await?));
    };
    if let Some(w) = changes.write(DB::BACKEND, &channel.owner_user_id) {
        w.sql().execute(tx).await?;
    }
    let listing_id = listing_id.unwrap_or_default();
    let available = locks::available_units(tx, &listing_id).await?;
    events::announce(
        tx,
        &report.item_id,
        Some(&channel.id),
        "unit.sold",
        &format!("sale:{id}"),
        json!({"item_id": report.item_id, "quantity": sale.quantity, "available": if sold_out { 0 } else { available }}),
    )
    .await?;
    if sold_out || available == 0 {
        withdraw_everywhere(tx, channel, &report.item_id, &listing_id, sold_out).await?;
    }
    let body = json!({
        "id": id, "item_id": report.item_id, "lock_id": report.lock_id, "quantity": sale.quantity,
        "price": sale.price, "sold_at": report.sold_at, "status": "recorded", "sale_id": sale_id,
    });
    record(
        tx,
        channel,
        report,
        &sale,
        &id,
        "recorded",
        Some(&sale_id),
        &request_digest,
        &body,
    )
    .await?;
    Ok(Ok(Answer::Recorded {
        body,
        replay: false,
    }))
}

/// Takes a held lock of this channel for the sale. `false` when it no longer holds (ran
/// out, released, sold, or not this item's): then the sale needs free units.
async fn take_lock<DB: Store>(
    tx: &mut Tx<DB>,
    channel: &Channel,
    lock_id: &str,
    item_id: &str,
    quantity: i64,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let row: Option<(i64, i64, String)> = sql(
        "SELECT quantity, expires_at, listing_id FROM sale_locks WHERE id = $1 AND channel_id = $2 AND item_id = $3 AND state = 'held'",
    )
    .bind(lock_id)
    .bind(&channel.id)
    .bind(item_id)
    .fetch_optional(tx)
    .await?;
    let Some((held, expires_at, listing_id)) = row else {
        return Ok(false);
    };
    if expires_at <= now_ms || held < quantity {
        // Its time is over (the expiry job has not run yet), or it holds too few: give its
        // units back first, so the sale competes for free units like anyone.
        locks::release_in(tx, lock_id, "expired").await?;
        return Ok(false);
    }
    sql("UPDATE sale_locks SET state = 'sold' WHERE id = $1 AND state = 'held'")
        .bind(lock_id)
        .execute(tx)
        .await?;
    if held > quantity {
        locks::give_units(tx, &listing_id, held - quantity).await?;
    }
    Ok(true)
}

/// No units left: the storefront listing is sold out, this channel's listing sold, every
/// other channel's withdrawn — connected ones are told, manual ones go on a checklist.
async fn withdraw_everywhere<DB: Store>(
    tx: &mut Tx<DB>,
    channel: &Channel,
    item_id: &str,
    listing_id: &str,
    sold_out: bool,
) -> sqlx::Result<()> {
    let now = OffsetDateTime::now_utc();
    if sold_out {
        sql(
            "UPDATE listings SET status = 'sold_out', available = 0, updated_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(listing_id)
        .execute(tx)
        .await?;
    }
    withdraw_from_channels(
        tx,
        &channel.owner_user_id,
        item_id,
        SoldAt::Channel {
            id: &channel.id,
            name: &channel.name,
        },
    )
    .await
}

/// The inbox's "delist on StockX, GOAT" reminder for channels Flipdesk cannot reach.
pub(super) async fn delist_checklist<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    item_id: &str,
    sold_on: &str,
    manual: &[String],
) -> sqlx::Result<()> {
    let name: String = sql("SELECT name FROM items WHERE id = $1")
        .bind(item_id)
        .scalar(tx)
        .await?;
    Notice::new(
        owner,
        "delist_needed",
        Level::Warning,
        format!("Delist “{name}” on {}", manual.join(", ")),
    )
    .body(format!(
        "It sold on {sold_on}. Flipdesk took it off your storefront and connected channels; take it down by hand on: {}.",
        manual.join(", ")
    ))
    .link(format!("/app/inventory/{item_id}"))
    .data(json!({"item_id": item_id, "channels": manual}))
    .once(format!("delist_needed:{item_id}"))
    .write_in(tx)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn record<DB: Store>(
    tx: &mut Tx<DB>,
    channel: &Channel,
    report: &SaleReport,
    sale: &CheckedSale,
    id: &str,
    status: &str,
    sale_id: Option<&str>,
    request_digest: &str,
    body: &Value,
) -> sqlx::Result<()> {
    sql("INSERT INTO channel_sales (id, channel_id, owner_user_id, item_id, lock_id, quantity, price, currency, sold_at, status, \
         sale_id, idempotency_key, request_digest, answer, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)")
        .bind(id)
        .bind(&channel.id)
        .bind(&channel.owner_user_id)
        .bind(&report.item_id)
        .bind(&report.lock_id)
        .bind(sale.quantity)
        .bind(sale.price.amount)
        .bind(sale.price.currency.code())
        .bind(&report.sold_at)
        .bind(status)
        .bind(sale_id)
        .bind(&report.idempotency_key)
        .bind(request_digest)
        .bind(body.to_string())
        .bind(OffsetDateTime::now_utc())
        .execute(tx)
        .await?;
    Ok(())
}

/// The sale could not be honoured (the units sold elsewhere, or the item changed): kept as a
/// conflict with an inbox notice for the reseller, answered `409`.
async fn conflict<DB: Store>(
    tx: &mut Tx<DB>,
    channel: &Channel,
    report: &SaleReport,
    sale: &CheckedSale,
    id: &str,
    request_digest: &str,
) -> sqlx::Result<Answer> {
    let message = format!(
        "{} reported a sale of units that are no longer free: they sold or are held elsewhere. Refund the buyer there, or sort it out by hand.",
        channel.name
    );
    let body = json!({"error": {"code": "conflict_needs_attention", "message": message,
        "details": {"id": id, "item_id": report.item_id, "lock_id": report.lock_id, "quantity": sale.quantity}}});
    record(
        tx,
        channel,
        report,
        sale,
        id,
        "conflict",
        None,
        request_digest,
        &body,
    )
    .await?;
    let name: Option<String> = sql("SELECT name FROM items WHERE id = $1")
        .bind(&report.item_id)
        .fetch_optional(tx)
        .await?
        .map(|(n,): (String,)| n);
    Notice::new(
        &channel.owner_user_id,
        "channel_sale_conflict",
        Level::Error,
        format!(
            "Sold twice? “{}” on {}",
            name.unwrap_or_default(),
            channel.name
        ),
    )
    .body(message)
    .link(format!("/app/inventory/{}", report.item_id))
    .data(json!({"channel_sale_id": id, "item_id": report.item_id, "channel_id": channel.id}))
    .once(format!("channel_sale_conflict:{id}"))
    .write_in(tx)
    .await?;
    Ok(Answer::Conflict { body })
}

/// An item sold by hand ("Mark sold on eBay"): when it has no units left, it is withdrawn from
/// every channel at once — connected ones are told, and the manual ones other than where it
/// sold go on a delist checklist in the inbox.
pub async fn sold_by_hand<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    item_id: &str,
    sold_on: &str,
) -> sqlx::Result<()> {
    withdraw_from_channels(tx, owner, item_id, SoldAt::Named(sold_on)).await
}

/// Where the last unit sold: on one of the channels, or somewhere named by hand ("eBay",
/// "Own storefront"), which marks a manual channel of that name sold.
#[derive(Clone, Copy)]
enum SoldAt<'a> {
    Channel { id: &'a str, name: &'a str },
    Named(&'a str),
}

/// Takes the item off every channel it is listed on: the one it sold on is marked sold,
/// connected ones are told (`listing.withdrawn`), and the manual ones go on the inbox's
/// delist checklist.
async fn withdraw_from_channels<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    item_id: &str,
    at: SoldAt<'_>,
) -> sqlx::Result<()> {
    let now = OffsetDateTime::now_utc();
    let listed: i64 = sql(
        "SELECT COUNT(*) FROM channel_listings WHERE item_id = $1 AND owner_user_id = $2 AND state = 'listed'",
    )
    .bind(item_id)
    .bind(owner)
    .scalar(tx)
    .await?;
    if listed == 0 {
        return Ok(());
    }
    // The channel it sold on, by id or by name (one of the two is empty and matches nothing).
    let (sold_id, sold_name, label) = match at {
        SoldAt::Channel { id, name } => (id, "", name),
        SoldAt::Named(name) => ("", name, name),
    };
    events::announce(
        tx,
        item_id,
        Some(sold_id).filter(|id| !id.is_empty()),
        "listing.withdrawn",
        &format!("withdrawn:{item_id}:{}", now.unix_timestamp_nanos()),
        json!({"item_id": item_id, "reason": "sold_elsewhere"}),
    )
    .await?;
    let manual: Vec<(String,)> = sql(
        "SELECT c.name FROM channels c JOIN channel_listings cl ON cl.channel_id = c.id \
         WHERE cl.item_id = $1 AND cl.state = 'listed' AND c.kind = 'manual' \
         AND c.id <> $2 AND LOWER(c.name) <> LOWER($3) ORDER BY c.name",
    )
    .bind(item_id)
    .bind(sold_id)
    .bind(sold_name)
    .fetch_all(tx)
    .await?;
    sql("UPDATE channel_listings SET state = CASE WHEN channel_id = $1 \
           OR LOWER((SELECT name FROM channels WHERE id = channel_id)) = LOWER($2) THEN 'sold' ELSE 'withdrawn' END, \
         updated_at = $3 WHERE item_id = $4 AND state = 'listed'")
        .bind(sold_id)
        .bind(sold_name)
        .bind(now)
        .bind(item_id)
        .execute(tx)
        .await?;
    if !manual.is_empty() {
        let names: Vec<String> = manual.into_iter().map(|(n,)| n).collect();
        delist_checklist(tx, owner, item_id, label, &names).await?;
    }
    Ok(())
}
