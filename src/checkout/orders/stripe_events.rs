//! Stripe's events: stored once in the inbox, then applied once by their job.

use time::OffsetDateTime;

use super::{pay::take_payment_in, refund::refund_against_sales, release::release_in, *};
use crate::{
    checkout::{
        audit::{self, OrderEvent},
        ops::{EventEffect, EventSeen},
    },
    server::{
        config::Secret,
        db::BeginWrite,
        jobs::{self, NewJob},
        store::{Store, sql},
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
    let now = OffsetDateTime::now_utc();
    let mut tx = pool.begin_write().await?;
    let fresh = sql(
        "UPDATE stripe_events SET applied_at = $1, payload = NULL WHERE id = $2 AND applied_at IS NULL",
    )
    .bind(now)
    .bind(event_id)
    .execute(&mut tx)
    .await?;
    if fresh == 0 {
        return Ok(EventSeen::Duplicate);
    }
    match effect {
        EventEffect::Paid(payment) => {
            take_payment_in(&mut tx, secret, payment).await?;
        }
        EventEffect::Processing { order_id } => {
            let n = sql("UPDATE orders SET status = 'payment_processing', updated_at = $1 WHERE id = $2 AND status = 'pending_payment'")
                .bind(now)
                .bind(*order_id)
                .execute(&mut tx)
                .await?;
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
            let row: Option<(String, String, i64, crate::domain::Currency, String, i64)> = sql(
                "SELECT id, status, total, currency, owner_user_id, refunded FROM orders WHERE id = $1 OR (stripe_payment_intent IS NOT NULL AND stripe_payment_intent = $2)",
            )
            .bind(order_id.unwrap_or(""))
            .bind(payment_intent.unwrap_or(""))
            .fetch_optional(&mut tx)
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
                let n = sql(
                    "UPDATE orders SET refunded = CASE WHEN refunded > $1 THEN refunded ELSE $1 END, status = $2, updated_at = $3 WHERE id = $4 AND refunded < $1",
                )
                .bind(*amount_refunded)
                .bind(after)
                .bind(now)
                .bind(&id)
                .execute(&mut tx)
                .await?;
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
                        detail: format!("refunded in total: {}", money(*amount_refunded, currency)),
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
            let row: Option<(String, String)> = sql(
                "SELECT id, status FROM orders WHERE id = $1 OR (stripe_payment_intent IS NOT NULL AND stripe_payment_intent = $2)",
            )
            .bind(order_id.unwrap_or(""))
            .bind(payment_intent.unwrap_or(""))
            .fetch_optional(&mut tx)
            .await?;
            if let Some((id, status)) = row {
                let note =
                    format!("The buyer's bank opened a dispute ({reason}). Answer it in Stripe.");
                sql("UPDATE orders SET status = 'paid_needs_attention', attention = $1, updated_at = $2 WHERE id = $3")
                    .bind(&note)
                    .bind(now)
                    .bind(&id)
                    .execute(&mut tx)
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
