//! Order events: who did what to an order and when, with the state before and after,
//! signed with HMAC-SHA256 under FLIPDESK_SECRET so that an edited row no longer verifies.

use serde_json::json;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use crate::{
    domain::store::OrderStatus,
    server::{
        config::Secret,
        crypto,
        db::new_id,
        store::{Store, Tx, sql},
    },
};

/// Who moved an order: stored (and signed) as `shopper`, `stripe`, `system` or `user:<id>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor<'a> {
    Shopper,
    Stripe,
    /// Flipdesk itself: a hold that ran out, a payment page that could not open.
    System,
    /// A member of the store's team, by user id.
    User(&'a str),
}

impl<'a> Actor<'a> {
    pub fn to_text(self) -> std::borrow::Cow<'a, str> {
        match self {
            Actor::Shopper => "shopper".into(),
            Actor::Stripe => "stripe".into(),
            Actor::System => "system".into(),
            Actor::User(id) => format!("user:{id}").into(),
        }
    }

    /// A stored actor; `None` for text no writer produces.
    pub fn parse(text: &'a str) -> Option<Self> {
        match text {
            "shopper" => Some(Actor::Shopper),
            "stripe" => Some(Actor::Stripe),
            "system" => Some(Actor::System),
            _ => text.strip_prefix("user:").map(Actor::User),
        }
    }
}

pub struct OrderEvent<'a> {
    pub order_id: &'a str,
    pub actor: Actor<'a>,
    pub action: &'a str,
    pub before: Option<OrderStatus>,
    pub after: Option<OrderStatus>,
    pub detail: String,
}

/// The text the signature covers: every field, in a fixed order.
pub fn signed_payload(id: &str, e: &OrderEvent<'_>, at: OffsetDateTime) -> String {
    json!([
        id,
        e.order_id,
        e.actor.to_text(),
        e.action,
        e.before,
        e.after,
        e.detail,
        at.format(&Rfc3339).unwrap_or_default()
    ])
    .to_string()
}

pub async fn record<DB: Store>(
    tx: &mut Tx<DB>,
    secret: &Secret,
    event: &OrderEvent<'_>,
) -> sqlx::Result<()> {
    let id = new_id();
    // Stored and signed at microsecond precision, which both databases keep exactly.
    let at = OffsetDateTime::now_utc();
    let at = at
        .replace_nanosecond(at.nanosecond() / 1000 * 1000)
        .unwrap_or(at);
    let signature = crypto::hmac_hex(secret.expose(), &signed_payload(&id, event, at));
    sql(
        "INSERT INTO order_events (id, order_id, actor, action, before, after, detail, created_at, signature) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.as_str())
    .bind(event.order_id)
    .bind(event.actor.to_text().as_ref())
    .bind(event.action)
    .bind(event.before)
    .bind(event.after)
    .bind(event.detail.as_str())
    .bind(at)
    .bind(signature.as_str())
    .execute(tx)
    .await?;
    Ok(())
}

/// Does a stored event still carry the signature it was written with?
pub fn verifies(
    secret: &Secret,
    id: &str,
    event: &OrderEvent<'_>,
    at: OffsetDateTime,
    signature: &str,
) -> bool {
    crypto::hmac_matches(secret.expose(), &signed_payload(id, event, at), signature)
}

#[cfg(test)]
mod tests {
    use super::Actor;

    #[test]
    fn actors_read_back_as_they_were_written() {
        for actor in [
            Actor::Shopper,
            Actor::Stripe,
            Actor::System,
            Actor::User("u-1"),
        ] {
            let text = actor.to_text();
            assert_eq!(Actor::parse(&text), Some(actor));
        }
        assert_eq!(Actor::User("u-1").to_text(), "user:u-1");
        assert_eq!(Actor::parse("somebody"), None);
    }
}
