// Order transactions, written once against `DB` and compiled for each backend by `ops.rs`
// (`include!`d there: this file is not a module of its own). Every function runs in one
// write transaction; stock moves are conditional updates, never read-then-write.

use time::OffsetDateTime;

use super::{
    EventEffect, EventSeen, GuestLink, NewLine, NewOrder, Payment, PaymentOutcome, RefundRequest,
    Refunded, Unplaced,
};
use crate::{
    analytics::ledger::{self, Changes, Delta, Scope},
    checkout::audit::{self, OrderEvent},
    server::{
        config::Secret,
        db::{BeginWrite, new_id},
        jobs::{self, BackgroundJob, NewJob},
        mail::{self, Mail},
    },
};

type Tx = crate::server::store::Tx<DB>;

fn money(amount: i64, currency: &str) -> crate::domain::Money {
    let currency = crate::domain::Currency::parse(currency).unwrap_or(crate::domain::Currency::Usd);
    crate::domain::Money::new(amount, currency)
}

async fn add_link(tx: &mut Tx, order_id: &str, link: &GuestLink) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO order_links (token_hash, order_id, expires_at, mailed) VALUES ($1, $2, $3, $4)")
        .bind(&link.token_hash)
        .bind(order_id)
        .bind(link.expires_at_ms)
        .bind(i64::from(link.mailed))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Reserves every line (all or none) and writes the order `pending_payment` with its
/// expiry job; refused when a line cannot be reserved or the buyer (same email or address)
/// would hold more units in the store than one buyer may.
pub async fn place_order(
    pool: &sqlx::Pool<DB>,
    secret: &Secret,
    order: &NewOrder,
) -> sqlx::Result<Result<(), Unplaced>> {
    let now = OffsetDateTime::now_utc();
    let mut tx = pool.begin_write().await?;
    let held: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) FROM orders o JOIN order_lines l ON l.order_id = o.id \
         WHERE o.store_id = $1 AND o.stock = 'reserved' AND (o.email = $2 OR o.buyer_key = $3)",
    )
    .bind(&order.store_id)
    .bind(&order.email)
    .bind(&order.buyer_key)
    .fetch_one(&mut *tx)
    .await?;
    let adding: i64 = order.lines.iter().map(|l| l.quantity).sum();
    if held + adding > order.most_units_held {
        return Ok(Err(Unplaced::BuyerHolds(held)));
    }
    // A fixed order of row locks, so two carts never wait on each other (PostgreSQL).
    let mut lines: Vec<&NewLine> = order.lines.iter().collect();
    lines.sort_by(|a, b| a.listing_id.cmp(&b.listing_id));
    for line in &lines {
        let taken = sqlx::query(
            "UPDATE listings SET available = available - $1, updated_at = $2 \
             WHERE id = $3 AND store_id = $4 AND status = 'active' AND available >= $1",
        )
        .bind(line.quantity)
        .bind(now)
        .bind(&line.listing_id)
        .bind(&order.store_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if taken == 0 {
            return Ok(Err(Unplaced::Short(line.listing_id.clone()))); // rolled back on drop
        }
    }
    sqlx::query(
        "INSERT INTO orders (id, store_id, owner_user_id, status, stock, payment_method, email, shipping_address, currency, \
         subtotal, shipping, total, expires_at, created_at, updated_at, buyer_key) \
         VALUES ($1, $2, $3, 'pending_payment', 'reserved', $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)",
    )
    .bind(&order.id)
    .bind(&order.store_id)
    .bind(&order.owner)
    .bind(order.payment_method)
    .bind(&order.email)
    .bind(&order.address_json)
    .bind(&order.currency)
    .bind(order.subtotal)
    .bind(order.shipping)
    .bind(order.total)
    .bind(order.expires_at_ms)
    .bind(now)
    .bind(&order.buyer_key)
    .execute(&mut *tx)
    .await?;
    for (position, line) in order.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO order_lines (id, order_id, listing_id, item_id, title, unit_price, quantity, position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(&order.id)
        .bind(&line.listing_id)
        .bind(&line.item_id)
        .bind(&line.title)
        .bind(line.unit_price)
        .bind(line.quantity)
        .bind(position as i64)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        secret,
        &OrderEvent {
            order_id: &order.id,
            actor: "shopper",
            action: "order_created",
            before: None,
            after: Some("pending_payment"),
            detail: format!(
                "{} unit(s) reserved, total {}",
                order.lines.iter().map(|l| l.quantity).sum::<i64>(),
                money(order.total, &order.currency)
            ),
        },
    )
    .await?;
    let expire = crate::checkout::jobs::ExpireOrder {
        order_id: order.id.clone(),
    };
    jobs::enqueue(
        &mut tx,
        &expire.queued(Some(&order.owner)).at(order.expires_at_ms),
    )
    .await?;
    if let Some(run_at_ms) = order.reminder_at_ms {
        let remind = crate::checkout::jobs::RemindPayment {
            order_id: order.id.clone(),
        };
        jobs::enqueue(&mut tx, &remind.queued(Some(&order.owner)).at(run_at_ms)).await?;
    }
    add_link(&mut tx, &order.id, &order.link).await?;
    if let Some(link) = &order.mail_link {
        add_link(&mut tx, &order.id, link).await?;
    }
    if let Some((subject, body)) = &order.mail {
        mail::queue(
            &mut tx,
            &Mail {
                to: &order.email,
                subject: subject.clone(),
                body: body.clone(),
                kind: "order_received",
                order_id: Some(&order.id),
                owner: Some(&order.owner),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// Stores the Stripe session of a placed order.
pub async fn attach_session(
    pool: &sqlx::Pool<DB>,
    order_id: &str,
    session_id: &str,
    url: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE orders SET stripe_session_id = $1, checkout_url = $2, updated_at = $3 WHERE id = $4")
        .bind(session_id)
        .bind(url)
        .bind(OffsetDateTime::now_utc())
        .bind(order_id)
        .execute(pool)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct OrderState {
    status: String,
    stock: String,
    owner_user_id: String,
    email: String,
    currency: String,
    shipping: i64,
    total: i64,
    refunded: i64,
    shipping_address: String,
}

/// Locks the order's row for this transaction (PostgreSQL; SQLite holds its write lock
/// already), then reads it: concurrent deliveries about one order take turns.
async fn order_state(tx: &mut Tx, order_id: &str) -> sqlx::Result<Option<OrderState>> {
    if BACKEND == super::Backend::Postgres {
        sqlx::query("UPDATE orders SET stock = stock WHERE id = $1")
            .bind(order_id)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query_as::<_, OrderState>(
        "SELECT status, stock, owner_user_id, email, currency, shipping, total, refunded, shipping_address FROM orders WHERE id = $1",
    )
    .bind(order_id)
    .fetch_optional(&mut **tx)
    .await
}

/// Gives the reserved units back, if they still are reserved, and moves an unpaid order to
/// `to` (`expired` or `cancelled`). Returns whether anything changed.
async fn release_in(
    tx: &mut Tx,
    secret: &Secret,
    order_id: &str,
    to: &str,
    actor: &str,
    detail: &str,
) -> sqlx::Result<bool> {
    let Some(order) = order_state(tx, order_id).await? else {
        return Ok(false);
    };
    if order.stock != "reserved" {
        return Ok(false);
    }
    let unpaid = matches!(
        order.status.as_str(),
        "pending_payment" | "payment_processing"
    );
    let after = if unpaid { to } else { order.status.as_str() };
    let changed = sqlx::query(
        "UPDATE orders SET stock = 'released', status = $1, updated_at = $2 WHERE id = $3 AND stock = 'reserved' AND status = $4",
    )
    .bind(after)
    .bind(OffsetDateTime::now_utc())
    .bind(order_id)
    .bind(&order.status)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    give_back(tx, order_id).await?;
    audit::record(
        tx,
        secret,
        &OrderEvent {
            order_id,
            actor,
            action: "reservation_released",
            before: Some(&order.status),
            after: Some(after),
            detail: detail.to_string(),
        },
    )
    .await?;
    Ok(true)
}

async fn order_lines(
    tx: &mut Tx,
    order_id: &str,
) -> sqlx::Result<Vec<(String, String, i64, i64, Option<String>)>> {
    sqlx::query_as(
        "SELECT listing_id, item_id, quantity, unit_price, sale_id FROM order_lines WHERE order_id = $1 ORDER BY listing_id",
    )
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await
}

async fn give_back(tx: &mut Tx, order_id: &str) -> sqlx::Result<()> {
    let now = OffsetDateTime::now_utc();
    for (listing_id, _, quantity, _, _) in order_lines(tx, order_id).await? {
        sqlx::query(
            "UPDATE listings SET available = available + $1, updated_at = $2 WHERE id = $3",
        )
        .bind(quantity)
        .bind(now)
        .bind(&listing_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub async fn release(
    pool: &sqlx::Pool<DB>,
    secret: &Secret,
    order_id: &str,
    to: &str,
    actor: &str,
    detail: &str,
) -> sqlx::Result<bool> {
    let mut tx = pool.begin_write().await?;
    let changed = release_in(&mut tx, secret, order_id, to, actor, detail).await?;
    tx.commit().await?;
    Ok(changed)
}

/// Takes the reserved units (or, after a release, whatever is still free) and records the
/// sales; an order whose stock is gone, or whose amount differs, needs the owner.
async fn take_payment_in(
    tx: &mut Tx,
    secret: &Secret,
    p: &Payment<'_>,
) -> sqlx::Result<PaymentOutcome> {
    let Some(order) = order_state(tx, p.order_id).await? else {
        return Ok(PaymentOutcome::NotFound);
    };
    if matches!(
        order.status.as_str(),
        "paid" | "paid_needs_attention" | "shipped" | "refunded"
    ) {
        if let Some(pi) = p.payment_intent {
            sqlx::query("UPDATE orders SET stripe_payment_intent = $1 WHERE id = $2 AND stripe_payment_intent IS NULL")
                .bind(pi)
                .bind(p.order_id)
                .execute(&mut **tx)
                .await?;
        }
        return Ok(PaymentOutcome::AlreadyPaid);
    }
    let now = OffsetDateTime::now_utc();
    let lines = order_lines(tx, p.order_id).await?;
    let mut attention: Vec<String> = Vec::new();
    let mut stock_taken = order.stock != "released";
    if order.stock == "released" {
        // Paid after the reservation ended: take the units if nobody else has.
        let mut got: Vec<(&str, i64)> = Vec::new();
        for (listing_id, _, quantity, _, _) in &lines {
            let n = sqlx::query(
                "UPDATE listings SET available = available - $1, updated_at = $2 WHERE id = $3 AND status = 'active' AND available >= $1",
            )
            .bind(*quantity)
            .bind(now)
            .bind(listing_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if n == 0 {
                break;
            }
            got.push((listing_id, *quantity));
        }
        if got.len() == lines.len() {
            stock_taken = true;
        } else {
            for (listing_id, quantity) in got {
                sqlx::query("UPDATE listings SET available = available + $1 WHERE id = $2")
                    .bind(quantity)
                    .bind(listing_id)
                    .execute(&mut **tx)
                    .await?;
            }
            attention.push("Paid after the reservation ran out, and the items sold to someone else meanwhile. Refund the buyer.".into());
        }
    }
    if let Some((amount, currency)) = &p.amount
        && (*amount != order.total || !currency.eq_ignore_ascii_case(&order.currency))
    {
        attention.push(format!(
            "The payment ({amount} {}) differs from the order total ({} {}).",
            currency.to_uppercase(),
            order.total,
            order.currency
        ));
    }
    if let Some(collected) = &p.collected_address {
        let priced: crate::domain::store::ShippingAddress =
            serde_json::from_str(&order.shipping_address).unwrap_or_default();
        if !priced.country.is_empty() && !priced.country.eq_ignore_ascii_case(&collected.country) {
            attention.push(format!(
                "Shipping was charged for {}, but the buyer gave an address in {} at payment: charge the difference or refund before shipping.",
                priced.country, collected.country
            ));
        }
        // The order had a country at most: the parcel goes where the buyer said at payment.
        if priced.line1.trim().is_empty() {
            sqlx::query("UPDATE orders SET shipping_address = $1 WHERE id = $2")
                .bind(serde_json::json!(collected).to_string())
                .bind(p.order_id)
                .execute(&mut **tx)
                .await?;
        }
    }
    if stock_taken {
        let mut ledger_changes = Changes::default();
        for (n, (listing_id, item_id, quantity, unit_price, _)) in lines.iter().enumerate() {
            let shipping = if n == 0 { order.shipping } else { 0 };
            match sell_line(
                tx,
                &order.owner_user_id,
                item_id,
                *quantity,
                *unit_price,
                shipping,
                p.sold_on,
                &mut ledger_changes,
            )
            .await?
            {
                Some((sale_id, sold_out)) => {
                    sqlx::query("UPDATE order_lines SET sale_id = $1 WHERE order_id = $2 AND listing_id = $3")
                        .bind(&sale_id)
                        .bind(p.order_id)
                        .bind(listing_id)
                        .execute(&mut **tx)
                        .await?;
                    if sold_out {
                        sqlx::query("UPDATE listings SET status = 'sold_out', available = 0, updated_at = $1 WHERE id = $2")
                            .bind(now)
                            .bind(listing_id)
                            .execute(&mut **tx)
                            .await?;
                    }
                }
                None => attention.push(format!(
                    "The item of “{listing_id}” changed in the inventory; check it by hand."
                )),
            }
        }
        if let Some(w) = ledger_changes.write(BACKEND, &order.owner_user_id) {
            w.sql().execute(tx).await?;
        }
    }
    let mut status = if attention.is_empty() {
        "paid"
    } else {
        "paid_needs_attention"
    };
    if order.refunded >= order.total && order.total > 0 {
        status = "refunded"; // the refund's event came first
    }
    let attention_text = (!attention.is_empty()).then(|| attention.join(" "));
    let changed = sqlx::query(
        "UPDATE orders SET status = $1, stock = $2, attention = COALESCE($3, attention), \
         stripe_payment_intent = COALESCE(stripe_payment_intent, $4), updated_at = $5 WHERE id = $6 AND status = $7",
    )
    .bind(status)
    .bind(if stock_taken { "taken" } else { "released" })
    .bind(attention_text.as_deref())
    .bind(p.payment_intent)
    .bind(now)
    .bind(p.order_id)
    .bind(&order.status)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(PaymentOutcome::AlreadyPaid);
    }
    audit::record(
        tx,
        secret,
        &OrderEvent {
            order_id: p.order_id,
            actor: p.actor,
            action: "payment_received",
            before: Some(&order.status),
            after: Some(status),
            detail: attention_text
                .clone()
                .unwrap_or_else(|| "stock taken, sales recorded".into()),
        },
    )
    .await?;
    add_link(tx, p.order_id, &p.link).await?;
    mail::queue(
        tx,
        &Mail {
            to: &order.email,
            subject: p.mail.0.clone(),
            body: p.mail.1.clone(),
            kind: "order_confirmation",
            order_id: Some(p.order_id),
            owner: Some(&order.owner_user_id),
        },
    )
    .await?;
    Ok(if attention.is_empty() {
        PaymentOutcome::Paid
    } else {
        PaymentOutcome::NeedsAttention
    })
}

/// Sells `quantity` units of an item at `unit_price` through the storefront, as a sale
/// recorded in the inventory would. `None` when the item no longer holds those units.
#[allow(clippy::too_many_arguments)]
async fn sell_line(
    tx: &mut Tx,
    owner: &str,
    item_id: &str,
    quantity: i64,
    unit_price: i64,
    shipping: i64,
    sold_on: &str,
    changes: &mut Changes,
) -> sqlx::Result<Option<(String, bool)>> {
    let now = OffsetDateTime::now_utc();
    // One statement takes the units (or marks the item sold when these were its last) and
    // answers what the sale needs: every statement is a trip to the database's thread, taken
    // while holding SQLite's write turn.
    let item: Option<(String, i64, i64, String, String)> = sqlx::query_as(
        "UPDATE items SET \
           status = CASE WHEN quantity = $1 THEN 'sold' ELSE status END, \
           sold_out_on = CASE WHEN quantity = $1 THEN $2 ELSE sold_out_on END, \
           quantity = CASE WHEN quantity = $1 THEN quantity ELSE quantity - $1 END, \
           version = version + 1, updated_at = $3 \
         WHERE id = $4 AND owner_user_id = $5 AND status IN ('in_stock', 'listed', 'reserved') AND quantity >= $1 \
         RETURNING status, purchase_price, COALESCE(market_unit, purchase_price), acquired_on, currency",
    )
    .bind(quantity)
    .bind(sold_on)
    .bind(now)
    .bind(item_id)
    .bind(owner)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((status, unit_cost, unit_value, acquired_on, currency)) = item else {
        return Ok(None);
    };
    let sold_out = status == "sold";
    let price = unit_price.saturating_mul(quantity);
    let cost = unit_cost.saturating_mul(quantity);
    let market_value = unit_value.saturating_mul(quantity);
    let net = price + shipping - cost;
    let days_held = crate::analytics::periods::days_from(&acquired_on, sold_on);
    let sale_id = new_id();
    sqlx::query(
        "INSERT INTO sales (id, item_id, owner_user_id, quantity, channel, currency, sale_price, shipping_charged, fees, \
         shipping_paid, purchase_cost, net_profit, sold_on, created_at, market_value, days_held) \
         VALUES ($1, $2, $3, $4, 'storefront', $5, $6, $7, 0, 0, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&sale_id)
    .bind(item_id)
    .bind(owner)
    .bind(quantity)
    .bind(&currency)
    .bind(price)
    .bind(shipping)
    .bind(cost)
    .bind(net)
    .bind(sold_on)
    .bind(now)
    .bind(market_value)
    .bind(days_held)
    .execute(&mut **tx)
    .await?;
    changes.add(
        &currency,
        sold_on,
        Delta {
            cost: -cost,
            market: -market_value,
            units: -quantity,
            realised: net,
            revenue: price + shipping,
            fees: 0,
            sold_cost: cost,
            sales: 1,
            units_sold: quantity,
            held_days: days_held.unwrap_or(0),
            held_days_n: i64::from(days_held.is_some()),
            items_in: 0,
            items_out: i64::from(sold_out),
        },
    );
    Ok(Some((sale_id, sold_out)))
}

pub async fn take_payment(
    pool: &sqlx::Pool<DB>,
    secret: &Secret,
    p: &Payment<'_>,
) -> sqlx::Result<PaymentOutcome> {
    let mut tx = pool.begin_write().await?;
    let paid = take_payment_in(&mut tx, secret, p).await?;
    tx.commit().await?;
    Ok(paid)
}

/// Stores a verified event in the inbox, with the job that applies it (`job`: `None` for an
/// event we do not act on, stored as applied). A replay finds the id and changes nothing.
pub async fn receive_event(
    pool: &sqlx::Pool<DB>,
    event_id: &str,
    event_type: &str,
    payload: &str,
    job: Option<&NewJob<'_>>,
) -> sqlx::Result<EventSeen> {
    let now = OffsetDateTime::now_utc();
    let mut tx = pool.begin_write().await?;
    let fresh = sqlx::query("INSERT INTO stripe_events (id, type, received_at, payload, applied_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING")
        .bind(event_id)
        .bind(event_type)
        .bind(now)
        .bind(job.map(|_| payload))
        .bind(job.is_none().then_some(now))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if fresh == 0 {
        return Ok(EventSeen::Duplicate);
    }
    if let Some(job) = job {
        jobs::enqueue(&mut tx, job).await?;
    }
    tx.commit().await?;
    Ok(EventSeen::First)
}

/// Applies a received event and marks it applied in one transaction: a second run of its
/// job (at-least-once) finds it applied and changes nothing.
pub async fn apply_event(
    pool: &sqlx::Pool<DB>,
    secret: &Secret,
    event_id: &str,
    effect: &EventEffect<'_>,
) -> sqlx::Result<EventSeen> {
    let now = OffsetDateTime::now_utc();
    let mut tx = pool.begin_write().await?;
    let fresh = sqlx::query(
        "UPDATE stripe_events SET applied_at = $1, payload = NULL WHERE id = $2 AND applied_at IS NULL",
    )
    .bind(now)
    .bind(event_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if fresh == 0 {
        return Ok(EventSeen::Duplicate);
    }
    match effect {
        EventEffect::Paid(payment) => {
            take_payment_in(&mut tx, secret, payment).await?;
        }
        EventEffect::Processing { order_id } => {
            let n = sqlx::query("UPDATE orders SET status = 'payment_processing', updated_at = $1 WHERE id = $2 AND status = 'pending_payment'")
                .bind(now)
                .bind(*order_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n > 0 {
                let e = OrderEvent {
                    order_id,
                    actor: "stripe",
                    action: "payment_processing",
                    before: Some("pending_payment"),
                    after: Some("payment_processing"),
                    detail: "delayed payment method; stock stays reserved".into(),
                };
                audit::record(&mut tx, secret, &e).await?;
            }
        }
        EventEffect::PaymentFailed { order_id } => {
            release_in(
                &mut tx,
                secret,
                order_id,
                "cancelled",
                "stripe",
                "the delayed payment failed",
            )
            .await?;
        }
        EventEffect::SessionExpired { order_id } => {
            release_in(
                &mut tx,
                secret,
                order_id,
                "expired",
                "stripe",
                "the Checkout Session expired unpaid",
            )
            .await?;
        }
        EventEffect::Refunded {
            order_id,
            payment_intent,
            amount_refunded,
        } => {
            // Stripe reports the charge's refunded total: keep the larger of the two.
            let row: Option<(String, String, i64, String, String, i64)> = sqlx::query_as(
                "SELECT id, status, total, currency, owner_user_id, refunded FROM orders WHERE id = $1 OR (stripe_payment_intent IS NOT NULL AND stripe_payment_intent = $2)",
            )
            .bind(order_id.unwrap_or(""))
            .bind(payment_intent.unwrap_or(""))
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((id, status, total, currency, owner, refunded_before)) = row {
                let full = *amount_refunded >= total;
                let after = if full
                    && matches!(status.as_str(), "paid" | "paid_needs_attention" | "shipped")
                {
                    "refunded"
                } else {
                    status.as_str()
                };
                let n = sqlx::query(
                    "UPDATE orders SET refunded = CASE WHEN refunded > $1 THEN refunded ELSE $1 END, status = $2, updated_at = $3 WHERE id = $4 AND refunded < $1",
                )
                .bind(*amount_refunded)
                .bind(after)
                .bind(now)
                .bind(&id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n > 0 {
                    // A refund made in Stripe's dashboard lowers the sales like one made here.
                    let more = (*amount_refunded).min(total) - refunded_before;
                    refund_against_sales(&mut tx, &owner, &id, more.max(0), &[]).await?;
                    let e = OrderEvent {
                        order_id: &id,
                        actor: "stripe",
                        action: "refund_reported",
                        before: Some(&status),
                        after: Some(after),
                        detail: format!(
                            "refunded in total: {}",
                            money(*amount_refunded, &currency)
                        ),
                    };
                    audit::record(&mut tx, secret, &e).await?;
                }
            }
        }
        EventEffect::Disputed {
            order_id,
            payment_intent,
            reason,
        } => {
            let row: Option<(String, String)> = sqlx::query_as(
                "SELECT id, status FROM orders WHERE id = $1 OR (stripe_payment_intent IS NOT NULL AND stripe_payment_intent = $2)",
            )
            .bind(order_id.unwrap_or(""))
            .bind(payment_intent.unwrap_or(""))
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((id, status)) = row {
                let note =
                    format!("The buyer's bank opened a dispute ({reason}). Answer it in Stripe.");
                sqlx::query("UPDATE orders SET status = 'paid_needs_attention', attention = $1, updated_at = $2 WHERE id = $3")
                    .bind(&note)
                    .bind(now)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                let e = OrderEvent {
                    order_id: &id,
                    actor: "stripe",
                    action: "dispute_opened",
                    before: Some(&status),
                    after: Some("paid_needs_attention"),
                    detail: note.clone(),
                };
                audit::record(&mut tx, secret, &e).await?;
            }
        }
        EventEffect::Ignored => {}
    }
    tx.commit().await?;
    Ok(EventSeen::First)
}

/// Records a refund (its id makes a resubmission the same refund): the money is put against
/// the order's sales (their profit drops, they stay), and only the units the owner names
/// come back to stock and go on sale. The buyer is mailed.
pub async fn refund(
    pool: &sqlx::Pool<DB>,
    secret: &Secret,
    order_id: &str,
    r: &RefundRequest<'_>,
) -> sqlx::Result<Refunded> {
    let now = OffsetDateTime::now_utc();
    let units: i64 = r.returns.iter().map(|(_, q)| q).sum();
    let mut tx = pool.begin_write().await?;
    let fresh = sqlx::query(
        "INSERT INTO refunds (id, order_id, amount, restock, stripe_refund, created_by, created_at, returned_units) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
    )
    .bind(r.refund_id)
    .bind(order_id)
    .bind(r.amount)
    .bind(units > 0)
    .bind(r.stripe_refund)
    .bind(r.actor)
    .bind(now)
    .bind(units)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if fresh == 0 {
        return Ok(Refunded::Duplicate);
    }
    let Some(order) = order_state(&mut tx, order_id).await? else {
        return Ok(Refunded::NotRefundable);
    };
    if !matches!(
        order.status.as_str(),
        "paid" | "paid_needs_attention" | "shipped" | "refunded"
    ) {
        return Ok(Refunded::NotRefundable);
    }
    let changed = sqlx::query(
        "UPDATE orders SET refunded = refunded + $1, status = CASE WHEN refunded + $1 >= total THEN 'refunded' ELSE status END, \
         updated_at = $2 WHERE id = $3 AND refunded + $1 <= total",
    )
    .bind(r.amount)
    .bind(now)
    .bind(order_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(Refunded::TooMuch);
    }
    let moved = refund_against_sales(&mut tx, &order.owner_user_id, order_id, r.amount, r.returns)
        .await?;
    if moved.is_none() {
        return Ok(Refunded::TooManyReturned); // dropping the transaction undoes the refund
    }
    let after = if order.refunded + r.amount >= order.total {
        "refunded"
    } else {
        order.status.as_str()
    };
    let e = OrderEvent {
        order_id,
        actor: r.actor,
        action: "refund",
        before: Some(&order.status),
        after: Some(after),
        detail: format!(
            "{} refunded; {units} unit(s) back on sale",
            money(r.amount, &order.currency)
        ),
    };
    audit::record(&mut tx, secret, &e).await?;
    mail::queue(
        &mut tx,
        &Mail {
            to: &order.email,
            subject: r.mail.0.clone(),
            body: r.mail.1.clone(),
            kind: "order_refunded",
            order_id: Some(order_id),
            owner: Some(&order.owner_user_id),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Refunded::Done)
}

/// (line id, listing id, item id, sale id, the sale's units left, cost, market, money left)
type SoldLine = (String, String, String, String, i64, i64, i64, i64);

/// Puts `amount` against the sales of an order's lines, shared out by what each still holds,
/// and brings back `returns` (units per order line) into stock and on sale: the sale keeps its
/// money but no longer the cost of those units. The worth ledger moves by the difference.
/// `None` when a line cannot take back that many units (nothing is written then).
async fn refund_against_sales(
    tx: &mut Tx,
    owner: &str,
    order_id: &str,
    amount: i64,
    returns: &[(String, i64)],
) -> sqlx::Result<Option<()>> {
    let now = OffsetDateTime::now_utc();
    let lines: Vec<SoldLine> = sqlx::query_as(
        "SELECT l.id, l.listing_id, l.item_id, s.id, s.quantity - s.returned, s.purchase_cost, s.market_value, \
         s.sale_price + s.shipping_charged - s.refunded \
         FROM order_lines l JOIN sales s ON s.id = l.sale_id WHERE l.order_id = $1 ORDER BY l.position",
    )
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await?;
    if lines.is_empty() {
        return Ok(if returns.is_empty() { Some(()) } else { None });
    }
    let items: Vec<String> = lines.iter().map(|l| l.2.clone()).collect();
    let scope = Scope::Items(&items);
    let mut before = ledger::held_contributions(tx, owner, &scope).await?;
    before.extend(ledger::sale_contributions(tx, owner, &scope).await?);
    let capacities: Vec<i64> = lines.iter().map(|l| l.7).collect();
    let shares = crate::domain::store::share_out(amount, &capacities);
    for (line, share) in lines.iter().zip(shares) {
        let (line_id, listing_id, item_id, sale_id, units_left, cost, market, _) = line;
        let back = returns
            .iter()
            .filter(|(id, _)| id == line_id)
            .map(|(_, q)| *q)
            .sum::<i64>();
        if back > 0 {
            let took = sqlx::query(
                "UPDATE order_lines SET returned = returned + $1 WHERE id = $2 AND returned + $1 <= quantity",
            )
            .bind(back)
            .bind(line_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if took == 0 || back > *units_left {
                return Ok(None);
            }
        }
        // The returned units' part of the sale's cost and market value, by units still sold.
        let part = |total: i64| {
            if *units_left == 0 {
                0
            } else {
                ((i128::from(total) * i128::from(back)) / i128::from(*units_left)) as i64
            }
        };
        let (cost_back, market_back) = (part(*cost), part(*market));
        sqlx::query(
            "UPDATE sales SET refunded = refunded + $1, returned = returned + $2, purchase_cost = purchase_cost - $3, \
             market_value = market_value - $4, net_profit = net_profit - $1 + $3 WHERE id = $5",
        )
        .bind(share)
        .bind(back)
        .bind(cost_back)
        .bind(market_back)
        .bind(sale_id)
        .execute(&mut **tx)
        .await?;
        if back > 0 {
            sqlx::query(
                "UPDATE items SET quantity = CASE WHEN status IN ('sold', 'shipped') THEN $1 ELSE quantity + $1 END, \
                 status = 'listed', sold_out_on = NULL, version = version + 1, updated_at = $2 WHERE id = $3",
            )
            .bind(back)
            .bind(now)
            .bind(item_id)
            .execute(&mut **tx)
            .await?;
            sqlx::query("UPDATE listings SET available = available + $1, status = 'active', updated_at = $2 WHERE id = $3")
                .bind(back)
                .bind(now)
                .bind(listing_id)
                .execute(&mut **tx)
                .await?;
        }
    }
    let mut changes = ledger::held_contributions(tx, owner, &scope).await?;
    changes.extend(ledger::sale_contributions(tx, owner, &scope).await?);
    changes.extend(-before);
    if let Some(w) = changes.write(BACKEND, owner) {
        w.sql().execute(tx).await?;
    }
    Ok(Some(()))
}

/// Mails the buyer of a manual-payment order that still waits for its payment (with a fresh
/// link to the order); `false` when it no longer waits and nothing was sent.
pub async fn remind_payment(
    pool: &sqlx::Pool<DB>,
    order_id: &str,
    link: &GuestLink,
    mail: (String, String),
) -> sqlx::Result<bool> {
    let mut tx = pool.begin_write().await?;
    let Some(order) = order_state(&mut tx, order_id).await? else {
        return Ok(false);
    };
    if order.status != "pending_payment" || order.stock != "reserved" {
        return Ok(false);
    }
    add_link(&mut tx, order_id, link).await?;
    mail::queue(
        &mut tx,
        &Mail {
            to: &order.email,
            subject: mail.0,
            body: mail.1,
            kind: "order_payment_reminder",
            order_id: Some(order_id),
            owner: Some(&order.owner_user_id),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Paid → shipped with the tracking code (carrier, code, the owner's day), and the buyer's
/// mail. Each item of the order gets the shipment in the inventory too (Shipments page); an
/// item whose every unit went is marked shipped.
pub async fn ship(
    pool: &sqlx::Pool<DB>,
    secret: &Secret,
    order_id: &str,
    (carrier, tracking, shipped_on): (&str, &str, &str),
    actor: &str,
    mail: (String, String),
) -> sqlx::Result<bool> {
    let now = OffsetDateTime::now_utc();
    let mut tx = pool.begin_write().await?;
    let Some(order) = order_state(&mut tx, order_id).await? else {
        return Ok(false);
    };
    let changed = sqlx::query(
        "UPDATE orders SET status = 'shipped', carrier = $1, tracking_code = $2, updated_at = $3 \
         WHERE id = $4 AND status IN ('paid', 'paid_needs_attention') AND stock = 'taken'",
    )
    .bind(carrier)
    .bind(tracking)
    .bind(now)
    .bind(order_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    let items: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT item_id FROM order_lines WHERE order_id = $1 AND sale_id IS NOT NULL",
    )
    .bind(order_id)
    .fetch_all(&mut *tx)
    .await?;
    for item in &items {
        sqlx::query(
            "INSERT INTO shipments (id, item_id, owner_user_id, carrier, tracking_code, shipped_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(item)
        .bind(&order.owner_user_id)
        .bind(carrier)
        .bind(tracking)
        .bind(shipped_on)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE items SET status = 'shipped', version = version + 1, updated_at = $1 WHERE id = $2 AND status = 'sold'",
        )
        .bind(now)
        .bind(item)
        .execute(&mut *tx)
        .await?;
    }
    let e = OrderEvent {
        order_id,
        actor,
        action: "shipped",
        before: Some(&order.status),
        after: Some("shipped"),
        detail: format!("{carrier} {tracking}"),
    };
    audit::record(&mut tx, secret, &e).await?;
    mail::queue(
        &mut tx,
        &Mail {
            to: &order.email,
            subject: mail.0,
            body: mail.1,
            kind: "order_shipped",
            order_id: Some(order_id),
            owner: Some(&order.owner_user_id),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
