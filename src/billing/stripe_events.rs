//! Stripe Billing's events, from the same inbox as checkout's (`webhooks/stripe`): the
//! subscription lifecycle and its invoices. Each is applied once, in one transaction with
//! its effect, and decided by the subscription object's own state and the event's time —
//! never by arrival order: an event older than the one applied changes nothing, and a
//! cancelled subscription stays cancelled (Stripe never revives one).

use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

use super::{jobs::PlanChanged, referrals, standing::plan_in};
use crate::{
    domain::billing::Plan,
    error::AppError,
    server::{
        config::BillingSettings,
        db::BeginWrite,
        jobs::{self, BackgroundJob, Outcome},
        state::AppState,
        store::{Store, Tx, sql},
        stripe::{take_event, unapplied_event},
    },
    with_db,
};

/// The event types billing acts on.
pub const HANDLED: [&str; 5] = [
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
];

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    created: i64,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: Value,
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn number(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(Value::as_i64)
}

/// An id that may arrive as a string or as an expanded object.
fn id_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    match v.get(key) {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// Our user id travels in the subscription's metadata (and an invoice's copy of it); the
/// customer id finds the reseller otherwise.
fn user_hint(object: &Value) -> (Option<&str>, Option<&str>) {
    let user = text(object, "/metadata/user_id")
        .or_else(|| text(object, "/subscription_details/metadata/user_id"))
        .or_else(|| text(object, "/parent/subscription_details/metadata/user_id"));
    (user, id_of(object, "customer"))
}

const OWNER: &str = "SELECT id FROM users WHERE id = $1 \
     UNION SELECT user_id FROM billing_customers WHERE stripe_customer_id = $2";

/// The reseller an event is about (its job belongs to them), before it is stored.
pub async fn owner_of(state: &AppState, object: &Value) -> Result<Option<String>, AppError> {
    let (user, customer) = user_hint(object);
    let found: Option<String> = with_db!(&state.db, pool => sqlx::query_scalar(OWNER)
        .bind(user.unwrap_or("")).bind(customer.unwrap_or("")).fetch_optional(pool).await)?;
    Ok(found)
}

/// The job of a stored billing event.
pub async fn apply(state: &AppState, event_id: &str) -> Outcome {
    match apply_received(state, event_id).await {
        Ok(()) => Outcome::Done,
        Err(e) => Outcome::Failed(format!("cannot apply Stripe billing event {event_id}: {e}")),
    }
}

async fn apply_received(state: &AppState, event_id: &str) -> Result<(), String> {
    let Some(event) = unapplied_event::<Event>(&state.db, event_id).await? else {
        return Ok(()); // applied by an earlier run
    };
    let billing = &state.settings.billing;
    with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        if apply_in(&mut tx, billing, &event).await? {
            tx.commit().await?;
        }
        Ok::<_, sqlx::Error>(())
    }.await)
    .map_err(|e| e.to_string())?;
    state.jobs_ready.notify_one();
    tracing::info!(event_type = %event.kind, "Stripe billing event applied");
    Ok(())
}

/// Applies the event unless it was; `false` when there was nothing to do.
async fn apply_in<DB: Store>(
    tx: &mut Tx<DB>,
    billing: &BillingSettings,
    event: &Event,
) -> sqlx::Result<bool> {
    if !take_event(tx, &event.id).await? {
        return Ok(false);
    }
    let object = &event.data.object;
    let (user, customer) = user_hint(object);
    let owner: Option<(String,)> = sql(OWNER)
        .bind(user.unwrap_or(""))
        .bind(customer.unwrap_or(""))
        .fetch_optional(&mut *tx)
        .await?;
    let Some((owner,)) = owner else {
        // Not one of ours (another product on the same Stripe account): stored, ignored.
        tracing::warn!(event_type = %event.kind, "Stripe billing event for no known reseller");
        return Ok(true);
    };
    let before = plan_in(tx, billing.grace_days, &owner).await?;
    let now = OffsetDateTime::now_utc();
    match event.kind.as_str() {
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted" => {
            if let Some(customer) = customer {
                link_customer_in(tx, &owner, customer, now).await?;
            }
            subscription_in(tx, &owner, event, now).await?;
        }
        "invoice.paid" | "invoice.payment_failed" => {
            let paid = event.kind == "invoice.paid";
            invoice_in(tx, &owner, event, paid).await?;
            if !paid {
                crate::server::notify::Notice::new(
                    &owner,
                    "payment_failed",
                    crate::domain::inbox::Level::Warning,
                    "Your Premium payment failed",
                )
                .body(format!(
                    "Stripe could not take the payment. Premium stays on for {} days: update your card from the billing page before then.",
                    billing.grace_days
                ))
                .link("/app/billing")
                .once(format!("payment_failed:{}", event.id))
                .write_in(tx)
                .await?;
            }
            let amount_paid = number(object, "/amount_paid").unwrap_or(0);
            if paid
                && amount_paid > 0
                && let Some(referrer) =
                    referrals::reward_in(tx, &owner, billing.referral_reward_days, now).await?
            {
                let job = PlanChanged {
                    user_id: referrer.clone(),
                    plan: plan_in(tx, billing.grace_days, &referrer).await?,
                    key: format!("reward:{owner}"),
                    why: format!(
                        "A reseller you referred subscribed: {} more days of Premium.",
                        billing.referral_reward_days
                    ),
                };
                jobs::enqueue(tx, &job.queued(Some(&referrer))).await?;
            }
        }
        _ => {}
    }
    let after = plan_in(tx, billing.grace_days, &owner).await?;
    if before != after && after == Plan::Free {
        // This event ended a grace period: the sweep need not say so again.
        sql(
            "UPDATE subscriptions SET grace_ended_at = $1 WHERE user_id = $2 \
             AND status IN ('past_due', 'unpaid') AND grace_ended_at IS NULL",
        )
        .bind(now.unix_timestamp())
        .bind(&owner)
        .execute(&mut *tx)
        .await?;
    }
    if before != after {
        let job = PlanChanged {
            user_id: owner.clone(),
            plan: after,
            key: event.id.clone(),
            why: match event.kind.as_str() {
                "customer.subscription.deleted" => "Your Premium subscription ended.".into(),
                _ => "Your Stripe subscription changed.".into(),
            },
        };
        jobs::enqueue(tx, &job.queued(Some(&owner))).await?;
    }
    Ok(true)
}

/// The reseller's Stripe customer, when the subscription brought it first.
async fn link_customer_in<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    customer: &str,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sql("INSERT INTO billing_customers (user_id, stripe_customer_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING")
    .bind(owner)
    .bind(customer)
    .bind(now)
    .execute(tx)
    .await?;
    Ok(())
}

/// Statuses ordered by how far along a subscription is, for two events of the same second.
fn rank(column: &str) -> String {
    format!(
        "CASE {column} WHEN 'incomplete' THEN 0 WHEN 'trialing' THEN 1 WHEN 'active' THEN 2 \
         WHEN 'past_due' THEN 3 WHEN 'unpaid' THEN 4 WHEN 'paused' THEN 5 ELSE 9 END"
    )
}

const ENDED: &str = "('canceled', 'incomplete_expired')";

async fn subscription_in<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    event: &Event,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    let object = &event.data.object;
    let Some(id) = text(object, "/id") else {
        return Ok(());
    };
    let status = match (text(object, "/status"), event.kind.as_str()) {
        (Some(s), _) => s,
        (None, "customer.subscription.deleted") => "canceled",
        (None, _) => return Ok(()),
    };
    // Newer API versions keep the period on the subscription's items.
    let period = |key: &str| {
        number(object, &format!("/{key}"))
            .or_else(|| number(object, &format!("/items/data/0/{key}")))
    };
    let price = text(object, "/items/data/0/price/id").unwrap_or_default();
    let cancelling = object
        .get("cancel_at_period_end")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let text = format!(
        "INSERT INTO subscriptions (id, user_id, status, price_id, period_start, period_end, cancel_at_period_end, last_event_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, price_id = excluded.price_id, \
           period_start = excluded.period_start, period_end = excluded.period_end, \
           cancel_at_period_end = excluded.cancel_at_period_end, last_event_at = excluded.last_event_at, \
           grace_ended_at = NULL, updated_at = excluded.updated_at \
         WHERE subscriptions.status NOT IN {ENDED} AND (excluded.status IN {ENDED} \
           OR excluded.last_event_at > subscriptions.last_event_at \
           OR (excluded.last_event_at = subscriptions.last_event_at AND {} > {}))",
        rank("excluded.status"),
        rank("subscriptions.status"),
    );
    sql(text)
        .bind(id)
        .bind(owner)
        .bind(status)
        .bind(price)
        .bind(period("current_period_start"))
        .bind(period("current_period_end"))
        .bind(cancelling)
        .bind(event.created)
        .bind(now)
        .execute(tx)
        .await?;
    Ok(())
}

async fn invoice_in<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    event: &Event,
    paid: bool,
) -> sqlx::Result<()> {
    let object = &event.data.object;
    let Some(id) = text(object, "/id") else {
        return Ok(());
    };
    let subscription = id_of(object, "subscription")
        .or_else(|| text(object, "/parent/subscription_details/subscription"));
    let amount = if paid {
        number(object, "/amount_paid")
    } else {
        number(object, "/amount_due")
    };
    // A paid invoice stays paid; otherwise the newer event speaks.
    sql("INSERT INTO invoices (id, user_id, subscription_id, amount, currency, status, hosted_url, created, last_event_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (id) DO UPDATE SET amount = excluded.amount, status = excluded.status, \
           hosted_url = COALESCE(excluded.hosted_url, invoices.hosted_url), last_event_at = excluded.last_event_at \
         WHERE invoices.status <> 'paid' AND (excluded.status = 'paid' OR excluded.last_event_at >= invoices.last_event_at)")
    .bind(id)
    .bind(owner)
    .bind(subscription)
    .bind(amount.unwrap_or(0))
    .bind(text(object, "/currency").unwrap_or("usd").to_ascii_uppercase())
    .bind(if paid { "paid" } else { "payment_failed" })
    .bind(text(object, "/hosted_invoice_url"))
    .bind(number(object, "/created").unwrap_or(event.created))
    .bind(event.created)
    .execute(tx)
    .await?;
    Ok(())
}
