//! Stripe's events: stored once in the inbox, then applied once by their job.

use time::OffsetDateTime;

use crate::domain::store::OrderStatus;

use super::{pay::take_payment_in, refund::refund_against_sales, release::release_in, *};
use crate::domain::inbox::Level;
use crate::{
    checkout::{
        audit::{self, Actor, OrderEvent},
        ops::{EventEffect, EventSeen},
    },
    server::{
        config::Secret,
        db::BeginWrite,
        jobs::{self, NewJob},
        notify::Notice,
        store::{Store, sql},
        stripe::take_event,
    },
};

/// Stores a verified event in the inbox, with the job that applies it (`job`: `None` for an
/// event we do not act on, stored as applied). A replay finds the id and changes nothing.
pub async fn receive_event<DB: Store>(
    pool: &sqlx::Pool<DB>,
    event_id: &str,
    event_type: &str,
    payload: &str,
    job: Option<&NewJob<'_>>,
) -> sqlx::Result<EventSeen> {
    let now = OffsetDateTime::now_utc();
    let mut tx = pool.begin_write().await?;
    let fresh = sql("INSERT INTO stripe_events (id, type, received_at, payload, applied_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING")
        .bind(event_id)
        .bind(event_type)
        .bind(now)
        .bind(job.map(|_| payload))
        .bind(job.is_none().then_some(now))
        .execute(&mut tx)
        .await?;
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
pub async fn apply_event<DB: Store>(
    pool: &sqlx::Pool<DB>,
    secret: &Secret,
    event_id: &str,
    effect: &EventEffect<'_>,
) -> sqlx::Result<EventSeen> {
    let mut tx = pool.begin_write().await?;
    if !take_event(&mut tx, event_id).await? {
        return Ok(EventSeen::Duplicate);
    }
    match effect {
        EventEffect::Paid(payment) => {
            take_payment_in(&mut tx, secret, payment).await?;
        }
        EventEffect::Processing { order_id } => processing_in(&mut tx, secret, order_id).await?,
        EventEffect::PaymentFailed { order_id } => {
            let why = "the delayed payment failed";
            release_in(
                &mut tx,
                secret,
                order_id,
                OrderStatus::Cancelled,
                Actor::Stripe,
                why,
            )
            .await?;
        }
        EventEffect::SessionExpired { order_id } => {
            let why = "the Checkout Session expired unpaid";
            release_in(
                &mut tx,
                secret,
                order_id,
                OrderStatus::Expired,
                Actor::Stripe,
                why,
            )
            .await?;
        }
        EventEffect::Refunded {
            order_id,
            payment_intent,
            amount_refunded,
        } => {
            let order = paid_order(&mut tx, *order_id, *payment_intent).await?;
            if let Some(order) = order {
                refund_reported_in(&mut tx, secret, &order, *amount_refunded).await?;
            }
        }
        EventEffect::Disputed {
            order_id,
            payment_intent,
            reason,
        } => {
            let order = paid_order(&mut tx, *order_id, *payment_intent).await?;
            if let Some(order) = order {
                dispute_opened_in(&mut tx, secret, &order, reason).await?;
            }
        }
        EventEffect::Ignored => {}
    }
    tx.commit().await?;
    Ok(EventSeen::First)
}

/// A delayed payment method (a bank debit) started: the order waits, its units stay held.
async fn processing_in<DB: Store>(
    tx: &mut Tx<DB>,
    secret: &Secret,
    order_id: &str,
) -> sqlx::Result<()> {
    let (from, to) = (OrderStatus::PendingPayment, OrderStatus::PaymentProcessing);
    let n = sql("UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
        .bind(to)
        .bind(OffsetDateTime::now_utc())
        .bind(order_id)
        .bind(from)
        .execute(tx)
        .await?;
    if n > 0 {
        let e = OrderEvent {
            order_id,
            actor: Actor::Stripe,
            action: "payment_processing",
            before: Some(from),
            after: Some(to),
            detail: "delayed payment method; stock stays reserved".into(),
        };
        audit::record(tx, secret, &e).await?;
    }
    Ok(())
}

/// The order a charge event is about, found by its id or its payment intent.
#[derive(sqlx::FromRow)]
struct PaidOrder {
    id: String,
    status: OrderStatus,
    total: i64,
    currency: crate::domain::Currency,
    owner_user_id: String,
    refunded: i64,
}

async fn paid_order<DB: Store>(
    tx: &mut Tx<DB>,
    order_id: Option<&str>,
    payment_intent: Option<&str>,
) -> sqlx::Result<Option<PaidOrder>> {
    sql(
        "SELECT id, status, total, currency, owner_user_id, refunded FROM orders \
         WHERE id = $1 OR (stripe_payment_intent IS NOT NULL AND stripe_payment_intent = $2)",
    )
    .bind(order_id.unwrap_or(""))
    .bind(payment_intent.unwrap_or(""))
    .fetch_optional(tx)
    .await
}

/// Stripe reports the charge's refunded total (a refund made in its dashboard, or ours coming
/// back): keep the larger of the two, and lower the sales like a refund made here.
async fn refund_reported_in<DB: Store>(
    tx: &mut Tx<DB>,
    secret: &Secret,
    order: &PaidOrder,
    amount_refunded: i64,
) -> sqlx::Result<()> {
    let full = amount_refunded >= order.total;
    let after = if full && order.status.is_paid() {
        OrderStatus::Refunded
    } else {
        order.status
    };
    let n = sql(
        "UPDATE orders SET refunded = CASE WHEN refunded > $1 THEN refunded ELSE $1 END, status = $2, updated_at = $3 WHERE id = $4 AND refunded < $1",
    )
    .bind(amount_refunded)
    .bind(after)
    .bind(OffsetDateTime::now_utc())
    .bind(&order.id)
    .execute(&mut *tx)
    .await?;
    if n == 0 {
        return Ok(());
    }
    let more = amount_refunded.min(order.total) - order.refunded;
    refund_against_sales(tx, &order.owner_user_id, &order.id, more.max(0), &[]).await?;
    let e = OrderEvent {
        order_id: &order.id,
        actor: Actor::Stripe,
        action: "refund_reported",
        before: Some(order.status),
        after: Some(after),
        detail: format!(
            "refunded in total: {}",
            money(amount_refunded, order.currency)
        ),
    };
    audit::record(tx, secret, &e).await?;
    // Ours coming back moved nothing above; only a refund made elsewhere gets here.
    Notice::new(
        &order.owner_user_id,
        "order_refunded",
        Level::Warning,
        format!("Refunded in Stripe: {}", money(more.max(0), order.currency)),
    )
    .body(format!(
        "Stripe reports {} refunded in total for this order; its sales were lowered to match.",
        money(amount_refunded, order.currency)
    ))
    .link(format!("/app/store/orders/{}", order.id))
    .once(format!("order_refunded:{}:{amount_refunded}", order.id))
    .write_in(tx)
    .await?;
    Ok(())
}

/// The buyer's bank disputes the charge: the seller must answer it in Stripe.
async fn dispute_opened_in<DB: Store>(
    tx: &mut Tx<DB>,
    secret: &Secret,
    order: &PaidOrder,
    reason: &str,
) -> sqlx::Result<()> {
    let note = format!("The buyer's bank opened a dispute ({reason}). Answer it in Stripe.");
    let after = OrderStatus::PaidNeedsAttention;
    sql("UPDATE orders SET status = $1, attention = $2, updated_at = $3 WHERE id = $4")
        .bind(after)
        .bind(&note)
        .bind(OffsetDateTime::now_utc())
        .bind(&order.id)
        .execute(&mut *tx)
        .await?;
    let e = OrderEvent {
        order_id: &order.id,
        actor: Actor::Stripe,
        action: "dispute_opened",
        before: Some(order.status),
        after: Some(after),
        detail: note.clone(),
    };
    audit::record(tx, secret, &e).await?;
    Notice::new(
        &order.owner_user_id,
        "order_disputed",
        Level::Error,
        format!(
            "A buyer's bank disputes {}",
            money(order.total, order.currency)
        ),
    )
    .body(note)
    .link(format!("/app/store/orders/{}", order.id))
    .once(format!("order_disputed:{}", order.id))
    .write_in(tx)
    .await?;
    Ok(())
}
