//! `POST /api/v1/webhooks/stripe`: the signature is checked on the raw bytes and the
//! verified event goes into an inbox (`stripe_events`) with a job, in one short transaction,
//! so Stripe gets its answer at once. The job reads the few fields we use and applies the
//! event, marking it applied in the same transaction as its effect: replays, second runs
//! and any delivery order leave one consistent order.

use serde::Deserialize;
use serde_json::Value;

use super::{
    ops::{EventEffect, EventSeen, Payment},
    service::{confirmation, order_head},
};
use crate::{
    error::AppError,
    server::{
        jobs::{BackgroundJob, Outcome},
        state::AppState,
        stripe::{unapplied_event, verify_signature},
    },
    with_db,
};

/// The event types we act on; anything else is stored (so a replay is known) and ignored.
const HANDLED: [&str; 6] = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "charge.refunded",
    "charge.dispute.created",
];

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: Value,
}

fn text<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The order a session or charge is about: our id travels as the session's
/// `client_reference_id` and in the metadata of the session and its payment.
fn order_id(object: &Value) -> Option<&str> {
    text(object, "client_reference_id")
        .or_else(|| object.get("metadata").and_then(|m| text(m, "order_id")))
}

/// A payment intent may arrive as an id or as an expanded object.
fn payment_intent(object: &Value) -> Option<&str> {
    match object.get("payment_intent") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// Verifies a delivery and stores it with the job that applies it. Answers `Duplicate` for
/// an event id seen before (nothing changes).
pub async fn handle(
    state: &AppState,
    signature: Option<&str>,
    body: &[u8],
) -> Result<EventSeen, AppError> {
    let Some(keys) = state.settings.stripe.as_ref() else {
        return Err(AppError::NotFound);
    };
    let now = state.clock.now().unix_timestamp();
    verify_signature(
        signature.unwrap_or_default(),
        body,
        keys.webhook_secret.expose(),
        now,
    )
    .map_err(|e| {
        tracing::warn!(reason = %e, "Stripe webhook refused");
        AppError::BadRequest {
            message: format!("invalid Stripe signature: {e}"),
        }
    })?;
    let not_an_event = || AppError::BadRequest {
        message: "the event is not a Stripe event object".into(),
    };
    let payload = std::str::from_utf8(body).map_err(|_| not_an_event())?;
    let event: Event = serde_json::from_str(payload).map_err(|_| not_an_event())?;
    // Stripe Billing's events (and a subscription's own Checkout Session) are billing's.
    let subscription_checkout =
        event.data.object.get("mode").and_then(Value::as_str) == Some("subscription");
    let for_billing = crate::billing::stripe_events::HANDLED.contains(&event.kind.as_str());
    let handled = !subscription_checkout && HANDLED.contains(&event.kind.as_str());
    // The job belongs to the order's (or subscriber's) owner, who sees it if it fails for good.
    let owner = if handled {
        order_owner(state, &event.data.object).await?
    } else if for_billing {
        crate::billing::stripe_events::owner_of(state, &event.data.object).await?
    } else {
        None
    };
    let job = if handled {
        Some(
            super::jobs::ApplyStripeEvent {
                event_id: event.id.clone(),
            }
            .queued(owner.as_deref()),
        )
    } else if for_billing {
        Some(
            crate::billing::jobs::ApplyBillingEvent {
                event_id: event.id.clone(),
            }
            .queued(owner.as_deref()),
        )
    } else {
        None
    };
    let handled = job.is_some();
    let received = with_db!(&state.db, pool => super::orders::receive_event(pool, &event.id, &event.kind, payload, job.as_ref()).await)?;
    if handled && received == EventSeen::First {
        state.jobs_ready.notify_one();
    }
    tracing::info!(event_type = %event.kind, duplicate = received == EventSeen::Duplicate, "Stripe event received");
    Ok(received)
}

async fn order_owner(state: &AppState, object: &Value) -> Result<Option<String>, AppError> {
    let (order, intent) = (order_id(object), payment_intent(object));
    if order.is_none() && intent.is_none() {
        return Ok(None);
    }
    let owner: Option<String> = with_db!(&state.db, pool => sqlx::query_scalar(
        "SELECT owner_user_id FROM orders WHERE id = $1 OR (stripe_payment_intent IS NOT NULL AND stripe_payment_intent = $2) LIMIT 1")
        .bind(order.unwrap_or("")).bind(intent.unwrap_or("")).fetch_optional(pool).await)?;
    Ok(owner)
}

/// The `stripe.event` job: applies a received event unless a run before this one did.
pub async fn apply(state: &AppState, event_id: &str) -> Outcome {
    match apply_received(state, event_id).await {
        Ok(()) => Outcome::Done,
        Err(e) => Outcome::Failed(format!("cannot apply Stripe event {event_id}: {e}")),
    }
}

async fn apply_received(state: &AppState, event_id: &str) -> Result<(), String> {
    let Some(event) = unapplied_event::<Event>(&state.db, event_id).await? else {
        return Ok(()); // applied by an earlier run
    };
    let object = &event.data.object;
    let order = order_id(object);
    // A payment needs the order's figures for its confirmation mail and the seller's day.
    let head = match (event.kind.as_str(), order) {
        ("checkout.session.completed" | "checkout.session.async_payment_succeeded", Some(id)) => {
            order_head(&state.db, id, None)
                .await
                .map_err(|e| e.to_string())?
        }
        _ => None,
    };
    let sold_on = match &head {
        Some(h) => h.owner_today(),
        None => String::new(),
    };
    let paid = |head: &super::service::OrderHead| {
        let (_, link, mail) = confirmation(state, head);
        let amount = object.get("amount_total").and_then(Value::as_i64);
        let currency = text(object, "currency").unwrap_or_default().to_string();
        EventEffect::Paid(Box::new(Payment {
            order_id: order.unwrap_or_default(),
            actor: super::audit::Actor::Stripe,
            amount: amount.map(|a| (a, currency)),
            payment_intent: payment_intent(object),
            collected_address: collected_address(object),
            sold_on: &sold_on,
            link,
            mail,
        }))
    };
    let effect = match (event.kind.as_str(), order, &head) {
        ("checkout.session.completed", Some(_), Some(h)) => match text(object, "payment_status") {
            Some("paid") | Some("no_payment_required") => paid(h),
            _ => EventEffect::Processing {
                order_id: order.unwrap_or_default(),
            },
        },
        ("checkout.session.async_payment_succeeded", Some(_), Some(h)) => paid(h),
        ("checkout.session.async_payment_failed", Some(id), _) => {
            EventEffect::PaymentFailed { order_id: id }
        }
        ("checkout.session.expired", Some(id), _) => EventEffect::SessionExpired { order_id: id },
        ("charge.refunded", _, _) => EventEffect::Refunded {
            order_id: order,
            payment_intent: payment_intent(object),
            amount_refunded: object
                .get("amount_refunded")
                .and_then(Value::as_i64)
                .unwrap_or(0),
        },
        ("charge.dispute.created", _, _) => EventEffect::Disputed {
            order_id: order,
            payment_intent: payment_intent(object),
            reason: text(object, "reason")
                .unwrap_or("no reason given")
                .to_string(),
        },
        _ => EventEffect::Ignored,
    };
    let applied = with_db!(&state.db, pool => super::orders::apply_event(pool, &state.secret, event_id, &effect).await)
        .map_err(|e| e.to_string())?;
    tracing::info!(event_type = %event.kind, rerun = applied == EventSeen::Duplicate, "Stripe event applied");
    Ok(())
}

/// The parcel's address Stripe's page collected, when it asked for one (newer API versions
/// answer it under `collected_information`, older ones as `shipping_details`).
fn collected_address(object: &Value) -> Option<crate::domain::store::ShippingAddress> {
    let details = object
        .pointer("/collected_information/shipping_details")
        .filter(|v| v.is_object())
        .or_else(|| object.get("shipping_details").filter(|v| v.is_object()))?;
    let address = details.get("address")?;
    let field = |v: &Value, key: &str| text(v, key).unwrap_or_default().trim().to_string();
    let country = field(address, "country").to_ascii_uppercase();
    (!country.is_empty()).then(|| crate::domain::store::ShippingAddress {
        name: field(details, "name"),
        line1: field(address, "line1"),
        line2: field(address, "line2"),
        city: field(address, "city"),
        postal_code: field(address, "postal_code"),
        region: field(address, "state"),
        country,
    })
}
