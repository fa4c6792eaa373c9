//! The one way to Stripe: outgoing calls through async-stripe against `STRIPE_API_BASE`, and
//! webhook signatures checked here on the raw body (DESIGN: async-stripe's parser keeps one
//! `v1` value and ties events to one API version, so payloads are parsed into small structs).

use std::collections::HashMap;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_checkout::checkout_session::CreateCheckoutSessionSubscriptionData;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    CreateCheckoutSessionPaymentIntentData, CreateCheckoutSessionShippingAddressCollection,
    ExpireCheckoutSession, ProductData,
};
use stripe_core::{customer::CreateCustomer, refund::CreateRefund};

use super::config::Settings;

/// Stripe's signature tolerance: an event signed more than this long ago (or ahead) is refused.
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;

#[derive(Clone)]
pub struct Stripe {
    client: Client,
}

impl std::fmt::Debug for Stripe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stripe(***)")
    }
}

/// Why a call failed: Stripe said no (4xx), or it could not be reached / broke (retry).
#[derive(Debug, thiserror::Error)]
pub enum StripeFailure {
    #[error("Stripe refused: {0}")]
    Refused(String),
    #[error("Stripe unavailable: {0}")]
    Unavailable(String),
}

impl From<StripeError> for StripeFailure {
    fn from(e: StripeError) -> Self {
        match e {
            StripeError::Stripe(err, status) if (400..500).contains(&status) && status != 429 => {
                StripeFailure::Refused(
                    err.message
                        .clone()
                        .unwrap_or_else(|| format!("status {status}")),
                )
            }
            other => StripeFailure::Unavailable(other.to_string()),
        }
    }
}

/// One line of a Checkout Session, in the currency's minor unit.
pub struct SessionLine {
    pub name: String,
    pub unit_amount: i64,
    pub quantity: u64,
}

pub struct SessionRequest<'a> {
    pub order_id: &'a str,
    pub email: &'a str,
    pub currency: &'a str,
    pub lines: Vec<SessionLine>,
    pub success_url: String,
    pub cancel_url: String,
    /// Stripe's page asks for the parcel's address, in this country only: the one whose
    /// shipping the order was charged.
    pub collect_address_in: Option<String>,
}

pub struct CreatedSession {
    pub id: String,
    pub url: String,
}

fn idempotent(key: &str) -> RequestStrategy {
    match IdempotencyKey::new(key) {
        Ok(key) => RequestStrategy::Idempotent(key),
        Err(_) => RequestStrategy::Once,
    }
}

impl Stripe {
    /// `None` when Stripe is not configured (manual payment only).
    pub fn from_settings(settings: &Settings) -> Option<Stripe> {
        let keys = settings.stripe.as_ref()?;
        let base = settings.providers.stripe_api_base.trim_end_matches('/');
        let client = ClientBuilder::new(keys.secret_key.expose())
            .url(format!("{base}/"))
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .map_err(|e| tracing::error!(error = %e, "cannot build the Stripe client"))
            .ok()?;
        Some(Stripe { client })
    }

    /// Creates the Checkout Session of an order. The order id is the idempotency key, so a
    /// retry never opens a second session.
    pub async fn create_session(
        &self,
        req: SessionRequest<'_>,
    ) -> Result<CreatedSession, StripeFailure> {
        let currency: stripe_types::Currency =
            req.currency.to_ascii_lowercase().parse().map_err(|_| {
                StripeFailure::Refused(format!("unsupported currency {}", req.currency))
            })?;
        let lines: Vec<CreateCheckoutSessionLineItems> = req
            .lines
            .into_iter()
            .map(|l| {
                let mut price = CreateCheckoutSessionLineItemsPriceData::new(currency.clone());
                price.unit_amount = Some(l.unit_amount);
                price.product_data = Some(ProductData::new(l.name));
                let mut item = CreateCheckoutSessionLineItems::new();
                item.price_data = Some(price);
                item.quantity = Some(l.quantity);
                item
            })
            .collect();
        let metadata: HashMap<String, String> =
            [("order_id".to_string(), req.order_id.to_string())].into();
        let mut intent = CreateCheckoutSessionPaymentIntentData::new();
        intent.metadata = Some(metadata.clone());
        let mut session = CreateCheckoutSession::new();
        if let Some(country) = req.collect_address_in.as_deref() {
            let Ok(country) = country.parse();
            session = session.shipping_address_collection(
                CreateCheckoutSessionShippingAddressCollection::new(vec![country]),
            );
        }
        let session = session
            .mode(stripe_checkout::CheckoutSessionMode::Payment)
            .client_reference_id(req.order_id)
            .customer_email(req.email)
            .line_items(lines)
            .metadata(metadata)
            .payment_intent_data(intent)
            .success_url(req.success_url)
            .cancel_url(req.cancel_url)
            .customize()
            .request_strategy(idempotent(&format!("checkout-{}", req.order_id)))
            .send(&self.client)
            .await?;
        Ok(CreatedSession {
            id: session.id.to_string(),
            url: session.url.unwrap_or_default(),
        })
    }

    /// Expires a session so it can no longer be paid. Stripe refuses when it is already
    /// complete or expired; that is reported as `Refused`.
    pub async fn expire_session(&self, session_id: &str) -> Result<(), StripeFailure> {
        ExpireCheckoutSession::new(session_id)
            .customize()
            .request_strategy(idempotent(&format!("expire-{session_id}")))
            .send(&self.client)
            .await?;
        Ok(())
    }

    /// Refunds `amount` of a payment; `key` makes a repeated refund the same refund.
    pub async fn refund(
        &self,
        payment_intent: &str,
        amount: i64,
        key: &str,
    ) -> Result<String, StripeFailure> {
        let refund = CreateRefund::new()
            .payment_intent(payment_intent)
            .amount(amount)
            .customize()
            .request_strategy(idempotent(&format!("refund-{key}")))
            .send(&self.client)
            .await?;
        Ok(refund.id.to_string())
    }
}

/// A Checkout Session that starts a subscription to `price` for an existing customer.
pub struct SubscriptionRequest<'a> {
    pub user_id: &'a str,
    pub customer: &'a str,
    pub price: &'a str,
    pub success_url: String,
    pub cancel_url: String,
    /// One key per click: a retry of the same request is the same session.
    pub attempt: &'a str,
}

impl Stripe {
    /// Creates the Stripe customer of a reseller; the user id is the idempotency key, so
    /// two first upgrades in parallel make one customer.
    pub async fn create_customer(
        &self,
        user_id: &str,
        email: &str,
    ) -> Result<String, StripeFailure> {
        let metadata: HashMap<String, String> =
            [("user_id".to_string(), user_id.to_string())].into();
        let customer = CreateCustomer::new()
            .email(email)
            .metadata(metadata)
            .customize()
            .request_strategy(idempotent(&format!("customer-{user_id}")))
            .send(&self.client)
            .await?;
        Ok(customer.id.to_string())
    }

    /// Opens Stripe Checkout in subscription mode. The user id travels in the subscription's
    /// metadata, so its events find the reseller even before the customer is linked.
    pub async fn create_subscription_session(
        &self,
        req: SubscriptionRequest<'_>,
    ) -> Result<CreatedSession, StripeFailure> {
        let metadata: HashMap<String, String> =
            [("user_id".to_string(), req.user_id.to_string())].into();
        let mut line = CreateCheckoutSessionLineItems::new();
        line.price = Some(req.price.to_string());
        line.quantity = Some(1);
        let mut subscription = CreateCheckoutSessionSubscriptionData::new();
        subscription.metadata = Some(metadata.clone());
        let session = CreateCheckoutSession::new()
            .mode(stripe_checkout::CheckoutSessionMode::Subscription)
            .customer(req.customer)
            .line_items(vec![line])
            .metadata(metadata)
            .subscription_data(subscription)
            .success_url(req.success_url)
            .cancel_url(req.cancel_url)
            .customize()
            .request_strategy(idempotent(&format!("premium-{}", req.attempt)))
            .send(&self.client)
            .await?;
        Ok(CreatedSession {
            id: session.id.to_string(),
            url: session.url.unwrap_or_default(),
        })
    }

    /// A Customer Portal session: the reseller changes card, interval or cancels there.
    pub async fn create_portal_session(
        &self,
        customer: &str,
        return_url: String,
    ) -> Result<String, StripeFailure> {
        let session = CreateBillingPortalSession::new()
            .customer(customer)
            .return_url(return_url)
            .send(&self.client)
            .await?;
        Ok(session.url)
    }
}

/// In the transaction that applies a stored event: marks it applied and answers whether
/// this is the first time (a second run of its job changes nothing).
pub async fn take_event<DB: super::store::Store>(
    tx: &mut super::store::Tx<DB>,
    event_id: &str,
) -> sqlx::Result<bool> {
    let fresh = super::store::sql(
        "UPDATE stripe_events SET applied_at = $1, payload = NULL WHERE id = $2 AND applied_at IS NULL",
    )
    .bind(time::OffsetDateTime::now_utc())
    .bind(event_id)
    .execute(tx)
    .await?;
    Ok(fresh > 0)
}

/// A stored event that no run has applied yet, parsed as `T`; `None` when an earlier run of
/// its job applied it.
pub async fn unapplied_event<T: serde::de::DeserializeOwned>(
    db: &super::db::Db,
    event_id: &str,
) -> Result<Option<T>, String> {
    let payload: Option<Option<String>> = crate::with_db!(db, pool => sqlx::query_scalar(
        "SELECT payload FROM stripe_events WHERE id = $1 AND applied_at IS NULL")
        .bind(event_id).fetch_optional(pool).await)
    .map_err(|e| e.to_string())?;
    let Some(Some(payload)) = payload else {
        return Ok(None);
    };
    serde_json::from_str(&payload)
        .map(Some)
        .map_err(|e| format!("the stored event does not parse: {e}"))
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing or malformed")]
    Malformed,
    #[error("the signature is older than the tolerance")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

/// Checks `Stripe-Signature: t=…,v1=…[,v1=…]` against the raw body: HMAC-SHA256 of
/// `"{t}.{body}"` under the endpoint secret, any `v1` may match (secrets being rolled),
/// and `t` within the tolerance of `now`.
pub fn verify_signature(
    header: &str,
    body: &[u8],
    secret: &str,
    now: i64,
) -> Result<(), SignatureError> {
    let mut timestamp: Option<i64> = None;
    let mut candidates: Vec<Vec<u8>> = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse().ok(),
            Some(("v1", sig)) => {
                if let Ok(bytes) = hex::decode(sig) {
                    candidates.push(bytes);
                }
            }
            _ => {}
        }
    }
    let t = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - t).abs() > SIGNATURE_TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    let mac = {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    };
    // verify_slice compares in constant time.
    if candidates
        .iter()
        .any(|c| mac.clone().verify_slice(c).is_ok())
    {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// A `Stripe-Signature` header for `body` (tests and the benchmark sign their fake events).
pub fn sign(body: &[u8], secret: &str, t: i64) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_checked_on_the_raw_body_with_tolerance() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(body, "whsec_test", 1_000);
        assert_eq!(verify_signature(&header, body, "whsec_test", 1_100), Ok(()));
        assert_eq!(
            verify_signature(&header, b"{\"id\":\"evt_2\"}", "whsec_test", 1_100),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(&header, body, "whsec_other", 1_100),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(&header, body, "whsec_test", 1_000 + 301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify_signature("v1=abc", body, "whsec_test", 1_000),
            Err(SignatureError::Malformed)
        );
        // A secret being rolled: one of several v1 values matches.
        let rolled = format!(
            "t=1000,v1={},{}",
            "00".repeat(32),
            header.split(',').nth(1).unwrap()
        );
        assert_eq!(verify_signature(&rolled, body, "whsec_test", 1_000), Ok(()));
    }
}
