//! `POST /api/v1/webhooks/stripe`: the signature is checked on the raw bytes, the payload is
//! read into the few fields we use, and the event id is stored in the same transaction as
//! its effect, so replays and any delivery order leave one consistent order.

use serde::Deserialize;
use serde_json::Value;

use super::{
    ops::{EventApplied, EventEffect, Payment},
    service::{confirmation, order_head},
};
use crate::{
    error::AppError,
    order_tx,
    server::{state::AppState, stripe::verify_signature},
};

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

pub async fn handle(
    state: &AppState,
    signature: Option<&str>,
    body: &[u8],
) -> Result<EventApplied, AppError> {
    let Some(keys) = state.settings.stripe.as_ref() else {
        return Err(AppError::NotFound);
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
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
    let event: Event = serde_json::from_slice(body).map_err(|_| AppError::BadRequest {
        message: "the event is not a Stripe event object".into(),
    })?;
    let object = &event.data.object;
    let order = order_id(object);
    // A payment needs the order's figures for its confirmation mail and the seller's day.
    let head = match (event.kind.as_str(), order) {
        ("checkout.session.completed" | "checkout.session.async_payment_succeeded", Some(id)) => {
            order_head(&state.db, id, None).await?
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
        EventEffect::Paid(Payment {
            order_id: order.unwrap_or_default(),
            actor: "stripe",
            amount: amount.map(|a| (a, currency)),
            payment_intent: payment_intent(object),
            sold_on: &sold_on,
            link,
            mail,
        })
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
    let applied = order_tx!(
        &state.db,
        apply_event(&state.secret, &event.id, &event.kind, &effect)
    )?;
    tracing::info!(event_type = %event.kind, duplicate = applied == EventApplied::Duplicate, "Stripe event");
    Ok(applied)
}
