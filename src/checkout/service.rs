//! Checkout and order business logic: pricing on the server, idempotent session creation,
//! reservation expiry, payments, refunds and fulfilment. Transactions live in `ops`.

use serde_json::{Value, json};
use sqlx::types::time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::ops::{
    GuestLink, NewLine, NewOrder, Payment, PaymentOutcome, RefundRequest, Refunded, Unplaced,
};
use crate::{
    domain::{
        Currency, Money,
        store::{
            CheckedCheckout, OrderStatus, OrderStock, PaymentMethod, ReturnableLine,
            ShippingPolicy, ShippingRate, price_order, validate_refund,
        },
    },
    error::AppError,
    server::{
        crypto,
        db::Db,
        jobs::{self, BackgroundJob, Outcome},
        state::AppState,
        store::{push_list, sql},
        stripe::{SessionLine, SessionRequest, StripeFailure},
    },
    storefront::types::CheckoutCreated,
    with_db,
};

/// A store as checkout needs it.
#[derive(sqlx::FromRow)]
pub struct StoreRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub currency: Currency,
    pub ships_from: String,
    pub shipping_rates: String,
    pub free_shipping_over: Option<i64>,
    pub payment_instructions: String,
    pub owner_user_id: String,
}

impl StoreRow {
    pub fn shipping(&self) -> ShippingPolicy {
        ShippingPolicy {
            ships_from: self.ships_from.clone(),
            rates: serde_json::from_str::<Vec<ShippingRate>>(&self.shipping_rates)
                .unwrap_or_default(),
            free_over: self.free_shipping_over,
        }
    }
}

pub async fn store_by_slug(db: &Db, slug: &str) -> Result<Option<StoreRow>, AppError> {
    let column = if crate::domain::account::looks_like_id(slug) {
        "s.id"
    } else {
        "s.slug"
    };
    let sql = format!(
        "SELECT s.id, s.slug, s.name, s.currency, s.ships_from, s.shipping_rates, s.free_shipping_over, s.payment_instructions, \
         m.user_id AS owner_user_id FROM stores s JOIN store_members m ON m.store_id = s.id AND m.role = 'owner' WHERE {column} = $1"
    );
    Ok(
        with_db!(db, pool => sqlx::query_as::<_, StoreRow>(&sql).bind(slug).fetch_optional(pool).await)?,
    )
}

fn rfc3339_ms(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// A guest link: the token travels in the URL, only its HMAC is stored.
fn guest_link(state: &AppState, order_id: &str, mailed: bool) -> (String, GuestLink) {
    let token = crypto::random_token(32);
    let days = state.settings.checkout.guest_order_link_days as i64;
    let url = format!(
        "{}/orders/{order_id}?token={token}",
        state.settings.public_url.trim_end_matches('/')
    );
    (
        url,
        GuestLink {
            token_hash: crypto::hmac_hex(state.secret.expose(), &format!("order-link:{token}")),
            expires_at_ms: state.clock.now_ms() + days * 24 * 3600 * 1000,
            mailed,
        },
    )
}

pub fn link_hash(state: &AppState, token: &str) -> String {
    crypto::hmac_hex(state.secret.expose(), &format!("order-link:{token}"))
}

#[derive(sqlx::FromRow)]
struct ListingForCheckout {
    id: String,
    item_id: String,
    price: i64,
    currency: Currency,
    available: i64,
    status: String,
    max_per_order: Option<i64>,
    name: String,
}

fn insufficient(title: &str) -> AppError {
    AppError::conflict(
        "insufficient_stock",
        format!(
            "Not enough stock left for “{title}”. Lower the quantity or remove it from the cart."
        ),
    )
}

/// Prices the cart, reserves it and opens the payment: the answer of
/// `POST /api/v1/checkout/session` (201 and its body), or the error to answer with.
/// Checkouts per IP address and per store per minute (a reservation holds real stock).
pub fn checkout_limits(
    state: &AppState,
    ip: std::net::IpAddr,
    store: &str,
) -> Result<(), AppError> {
    let store = store.trim().to_lowercase();
    state
        .limits
        .check_checkout(ip, &store)
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })
}

pub async fn place(
    state: &AppState,
    req: &CheckedCheckout,
    buyer_ip: std::net::IpAddr,
) -> Result<CheckoutCreated, AppError> {
    let store = store_by_slug(&state.db, &req.store)
        .await?
        .ok_or(AppError::NotFound)?;
    let found = with_db!(&state.db, pool => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT l.id, l.item_id, l.price, l.currency, l.available, l.status, l.max_per_order, i.name \
             FROM listings l JOIN items i ON i.id = l.item_id WHERE l.store_id = ");
        q.push_bind(&store.id).push(" AND l.id IN ");
        push_list(&mut q, req.lines.iter().map(|l| l.listing_id.as_str()));
        q.build_query_as::<ListingForCheckout>().fetch_all(pool).await
    })?;
    let cur = store.currency;
    let mut lines = Vec::with_capacity(req.lines.len());
    for (n, line) in req.lines.iter().enumerate() {
        let Some(listing) = found.iter().find(|l| l.id == line.listing_id) else {
            return Err(AppError::field(
                &format!("lines[{n}].listing_id"),
                "This item is not for sale in this store.",
            ));
        };
        if let Some(most) = listing.max_per_order
            && line.quantity > most
        {
            return Err(AppError::field(
                &format!("lines[{n}].quantity"),
                format!("“{}” sells at most {most} per order.", listing.name),
            ));
        }
        // Cheap early answer; the conditional update below is what guarantees it.
        if listing.status != "active"
            || listing.available < line.quantity
            || listing.currency != store.currency
        {
            return Err(insufficient(&listing.name));
        }
        lines.push(NewLine {
            listing_id: listing.id.clone(),
            item_id: listing.item_id.clone(),
            title: listing.name.clone(),
            unit_price: listing.price,
            quantity: line.quantity,
        });
    }
    // Shipping is priced for the buyer's country, or the store's own when none was given.
    // Without a full address Stripe's page collects it, in that country only, so what was
    // charged is what the parcel costs.
    let policy = store.shipping();
    let country = req
        .shipping_address
        .as_ref()
        .map(|a| a.country.clone())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| policy.ships_from.clone());
    let address_complete = req
        .shipping_address
        .as_ref()
        .is_some_and(|a| !a.line1.trim().is_empty());
    let priced = price_order(
        lines.iter().map(|l| (l.unit_price, l.quantity)),
        &policy,
        Some(&country),
    )
    .map_err(|e| AppError::field("lines", e.to_string()))?;
    let (Some(shipping), Some(total)) = (priced.shipping, priced.total) else {
        return Err(AppError::field(
            "shipping_address.country",
            format!("{} does not ship to {country}.", store.name),
        ));
    };
    let subtotal = priced.subtotal;
    let stripe = state.stripe.clone();
    let order_id = crate::server::db::new_id();
    let (link_url, link) = guest_link(state, &order_id, false);
    let (mail_url, mail_link) = guest_link(state, &order_id, true);
    let hold = hold_for(state, stripe.is_some());
    let expires_at_ms = state.clock.now_ms() + hold.as_millis() as i64;
    let reminder_at_ms = stripe.is_none().then(|| {
        let before = state.settings.checkout.manual_payment_reminder_hours as i64 * 3_600_000;
        expires_at_ms - before
    });
    let reminder_at_ms = reminder_at_ms.filter(|at| *at > state.clock.now_ms());
    let money = |amount: i64| Money::new(amount, cur).to_string();
    let mail = stripe.is_none().then(|| {
        (
            format!(
                "Order {} at the Flipdesk store “{}”: how to pay {}",
                super::order_page::short_id(&order_id),
                store.name,
                money(total)
            ),
            how_to_pay(
                &Seller {
                    name: &store.name,
                    url: &store_url(state, &store.slug),
                },
                &order_id,
                &money(total),
                &store.payment_instructions,
                expires_at_ms,
                &mail_url,
            ),
        )
    });
    let order = NewOrder {
        id: order_id.clone(),
        store_id: store.id.clone(),
        owner: store.owner_user_id.clone(),
        payment_method: if stripe.is_some() {
            PaymentMethod::Stripe
        } else {
            PaymentMethod::Manual
        },
        email: req.email.as_str().to_string(),
        address_json: match &req.shipping_address {
            Some(a) if address_complete => json!(a).to_string(),
            _ => json!({ "country": country }).to_string(),
        },
        currency: store.currency,
        subtotal,
        shipping,
        total,
        expires_at_ms,
        reminder_at_ms,
        buyer_key: client_key(state, buyer_ip),
        most_units_held: state.settings.checkout.most_units_held_per_buyer,
        lines,
        link,
        mail_link: mail.is_some().then_some(mail_link),
        mail,
    };
    match with_db!(&state.db, pool => super::orders::place_order(pool, &state.secret, &order).await)?
    {
        Ok(()) => {}
        Err(Unplaced::Short(listing_id)) => {
            let title = order
                .lines
                .iter()
                .find(|l| l.listing_id == listing_id)
                .map(|l| l.title.as_str())
                .unwrap_or("an item");
            return Err(insufficient(title));
        }
        Err(Unplaced::BuyerHolds(held)) => {
            return Err(AppError::conflict(
                "too_many_held",
                format!(
                    "You already hold {held} unit(s) in this store in unpaid orders; a buyer may hold at most {} at once. Pay or wait for those orders first.",
                    order.most_units_held
                ),
            ));
        }
    }
    let checkout_url = match stripe {
        None => link_url,
        Some(stripe) => {
            let mut session_lines: Vec<SessionLine> = order
                .lines
                .iter()
                .map(|l| SessionLine {
                    name: l.title.clone(),
                    unit_amount: l.unit_price,
                    quantity: l.quantity as u64,
                })
                .collect();
            if shipping > 0 {
                session_lines.push(SessionLine {
                    name: "Shipping".into(),
                    unit_amount: shipping,
                    quantity: 1,
                });
            }
            let created = stripe
                .create_session(SessionRequest {
                    order_id: &order_id,
                    email: req.email.as_str(),
                    currency: store.currency.code(),
                    lines: session_lines,
                    success_url: link_url,
                    cancel_url: format!(
                        "{}/s/{}/cart",
                        state.settings.public_url.trim_end_matches('/'),
                        store.slug
                    ),
                    collect_address_in: (!address_complete).then(|| country.clone()),
                })
                .await;
            match created {
                Ok(session) => {
                    with_db!(&state.db, pool => super::orders::attach_session(pool, &order_id, &session.id, &session.url).await)?;
                    session.url
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot open a Stripe Checkout Session; order cancelled");
                    with_db!(&state.db, pool => super::orders::release(pool, &state.secret,
                            &order_id,
                            OrderStatus::Cancelled,
                            super::audit::Actor::System,
                            "Stripe could not open the payment page").await)?;
                    return Err(AppError::Unavailable { message: "payments are not available right now; nothing was charged, please try again".into() });
                }
            }
        }
    };
    Ok(CheckoutCreated {
        order_id,
        status: OrderStatus::PendingPayment.as_str().to_string(),
        checkout_url,
        expires_at: rfc3339_ms(expires_at_ms),
    })
}

/// How an `Idempotency-Key` stands.
pub enum KeyState {
    Fresh,
    /// The key's first answer, to be given again.
    Replay(Result<CheckoutCreated, AppError>),
    InProgress,
    Mismatch,
}

/// Claims an idempotency key (already scoped to its store, see `scoped_key`) for `client`
/// (an HMAC of the caller's address). A replay to another client leaves out the buyer's
/// private order link: the same key and body from a stranger must not open the order.
pub async fn begin_key(
    state: &AppState,
    key: &str,
    hash: &str,
    client: &str,
) -> Result<KeyState, AppError> {
    let now = state.clock.now_ms();
    let ttl = state.settings.checkout.idempotency_key_hours as i64 * 3600 * 1000;
    // One statement: a new key, or a fresh start for one whose day is over; a key still
    // current is left as it is (0 rows) and read below.
    let claim = sql(
        "INSERT INTO idempotency_keys (key, request_hash, expires_at, client_key) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET request_hash = excluded.request_hash, expires_at = excluded.expires_at, \
         client_key = excluded.client_key, status_code = NULL, body = NULL WHERE idempotency_keys.expires_at < $5",
    )
    .bind(key)
    .bind(hash)
    .bind(now + ttl)
    .bind(client)
    .bind(now);
    let inserted = state.db.write(claim).await?;
    if inserted == 1 {
        return Ok(KeyState::Fresh);
    }
    // (request hash, status, body, client)
    type KeyRow = (String, Option<i64>, Option<String>, Option<String>);
    let row: Option<KeyRow> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT request_hash, status_code, body, client_key FROM idempotency_keys WHERE key = $1").bind(key).fetch_optional(pool).await)?;
    Ok(match row {
        None => KeyState::InProgress, // removed between the two statements: a retry is running
        Some((stored, ..)) if stored != hash => KeyState::Mismatch,
        Some((_, Some(status), Some(body), first)) => {
            let mut answer = stored_answer(status, &body)?;
            if first.as_deref() != Some(client)
                && let Ok(created) = &mut answer
            {
                without_guest_token(state, created);
            }
            KeyState::Replay(answer)
        }
        Some(_) => KeyState::InProgress,
    })
}

/// A key's first answer as stored (the HTTP status and body it was given with).
fn stored_answer(status: i64, body: &str) -> Result<Result<CheckoutCreated, AppError>, AppError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        crate::server::errors::internal("a stored checkout answer cannot be read", e)
    };
    if status == 201 {
        return Ok(Ok(serde_json::from_str(body).map_err(|e| unreadable(&e))?));
    }
    let body: Value = serde_json::from_str(body).map_err(|e| unreadable(&e))?;
    let status = u16::try_from(status).unwrap_or_default();
    match AppError::from_body(status, &body) {
        Some(e) => Ok(Err(e)),
        None => Err(unreadable(&format!("status {status}"))),
    }
}

/// Idempotency keys are a store's: the same key sent to two stores is two keys.
pub fn scoped_key(store: &str, key: &str) -> String {
    format!("{store}\u{1f}{key}")
}

/// Who is calling, as an idempotency key remembers it (an HMAC of the address).
pub fn client_key(state: &AppState, ip: std::net::IpAddr) -> String {
    crypto::hmac_hex(state.secret.expose(), &format!("buyer-ip:{ip}"))[..32].to_string()
}

/// A manual-payment order page link (which carries the buyer's token) replaced by the
/// order page without it.
fn without_guest_token(state: &AppState, answer: &mut CheckoutCreated) {
    if answer.checkout_url.contains("token=") {
        let public = state.settings.public_url.trim_end_matches('/');
        answer.checkout_url = format!("{public}/orders/{}", answer.order_id);
    }
}

/// Stores a key's first answer as the HTTP status and body it is given with.
pub async fn finish_key(
    state: &AppState,
    key: &str,
    answer: &Result<CheckoutCreated, AppError>,
) -> Result<(), AppError> {
    let (status, body) = match answer {
        Ok(created) => (201, json!(created)),
        Err(e) => (e.status(), e.body()),
    };
    let answer = sql("UPDATE idempotency_keys SET status_code = $1, body = $2 WHERE key = $3")
        .bind(i64::from(status))
        .bind(body.to_string())
        .bind(key);
    state.db.write(answer).await?;
    Ok(())
}

/// Forgets a key whose request failed on our side, so that the shopper can retry it.
pub async fn abandon_key(state: &AppState, key: &str) {
    let forget = sql("DELETE FROM idempotency_keys WHERE key = $1").bind(key);
    let _ = state.db.write(forget).await;
}

#[derive(sqlx::FromRow)]
struct ExpiryRow {
    status: OrderStatus,
    stock: OrderStock,
    payment_method: PaymentMethod,
    expires_at: i64,
    stripe_session_id: Option<String>,
}

/// How long a reservation whose session Stripe will not expire (it was completed) waits for
/// the payment's webhook before the units go back anyway.
const PAYMENT_GRACE_MS: i64 = 2 * 60 * 1000;

/// The `order.expire` job: at the end of the reservation, expire the Stripe session (it
/// cannot be made shorter than 30 minutes) and give the units back.
pub async fn expire_order(state: &AppState, order_id: &str) -> Outcome {
    let row = with_db!(&state.db, pool => sqlx::query_as::<_, ExpiryRow>(
        "SELECT status, stock, payment_method, expires_at, stripe_session_id FROM orders WHERE id = $1").bind(order_id).fetch_optional(pool).await);
    let row = match row {
        Ok(Some(row)) => row,
        Ok(None) => return Outcome::Done,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    // Paid, or a delayed payment method still running: the reservation holds.
    if row.stock != OrderStock::Reserved || row.status != OrderStatus::PendingPayment {
        return Outcome::Done;
    }
    if state.clock.now_ms() < row.expires_at {
        return Outcome::Later(row.expires_at);
    }
    if let (Some(session), Some(stripe)) = (row.stripe_session_id.as_deref(), state.stripe.clone())
    {
        match stripe.expire_session(session).await {
            Ok(()) => {}
            // Stripe refuses to expire a session that was just completed: its payment's
            // webhook is on the way, so give it a little while before giving the units back.
            Err(StripeFailure::Refused(_))
                if state.clock.now_ms() < row.expires_at + PAYMENT_GRACE_MS =>
            {
                return Outcome::Later(state.clock.now_ms() + PAYMENT_GRACE_MS / 4);
            }
            Err(StripeFailure::Refused(_)) => {}
            Err(StripeFailure::Unavailable(e)) => {
                tracing::warn!(error = %e, "cannot expire the Checkout Session now; retrying in the background");
                let queued = with_db!(&state.db, pool => async {
                    use crate::server::db::BeginWrite;
                    let mut tx = pool.begin_write().await?;
                    jobs::enqueue(&mut tx, &super::jobs::ExpireStripeSession { session_id: session.to_string() }.queued(None)).await?;
                    tx.commit().await
                }.await);
                if let Err(e) = queued {
                    return Outcome::Failed(e.to_string());
                }
            }
        }
    }
    let by_card = row.payment_method == PaymentMethod::Stripe;
    let detail = format!(
        "unpaid after the {} reservation",
        crate::domain::store::describe_duration(hold_for(state, by_card).as_secs())
    );
    match with_db!(&state.db, pool => super::orders::release(pool, &state.secret, order_id, OrderStatus::Expired, super::audit::Actor::System, &detail).await)
    {
        Ok(_) => Outcome::Done,
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// How long a new order holds its units: minutes while a card payment page is open, days
/// under manual payment (a bank transfer takes that long).
fn hold_for(state: &AppState, card: bool) -> std::time::Duration {
    let c = &state.settings.checkout;
    std::time::Duration::from_secs(if card {
        c.reservation_ttl_secs
    } else {
        c.manual_payment_hold_hours * 3600
    })
}

/// A store as its mails name it: the seller's own name and its storefront's address.
struct Seller<'a> {
    name: &'a str,
    url: &'a str,
}

fn store_url(state: &AppState, slug: &str) -> String {
    format!(
        "{}/s/{slug}",
        state.settings.public_url.trim_end_matches('/')
    )
}

/// The "how to pay" text of a manual-payment order: its number, amount, instructions and
/// the time its hold ends (UTC, written out), with the buyer's link. Everything the seller
/// wrote is framed as the store's message, with who sent the mail and why, so a store named
/// like a bank cannot pass its text off as Flipdesk's or anyone else's.
fn how_to_pay(
    seller: &Seller<'_>,
    order_id: &str,
    total: &str,
    instructions: &str,
    expires_at_ms: i64,
    link_url: &str,
) -> String {
    let instructions = if instructions.is_empty() {
        "(The store did not write instructions; it will contact you.)"
    } else {
        instructions
    };
    format!(
        "You placed order {number} at “{store}”, a store on Flipdesk ({url}).\n\nOrder number: {number}\nAmount to pay: {total}\n\n\
         ----- How to pay: the store's own words, written by the seller, not by Flipdesk -----\n{instructions}\n\
         ----- End of the store's words -----\n\nPut the order number {number} in the payment reference.\n\n\
         Your items are held for you until {until}. The store confirms the order once your payment arrives.\n\n\
         Follow your order: {link_url}\n\n\
         Flipdesk sent this mail because an order was placed at this store with your address. If that was not you, \
         ignore it: nothing is due, and the items are released when the hold ends. Flipdesk never asks for passwords \
         or card numbers by mail.\n",
        store = seller.name,
        url = seller.url,
        number = super::order_page::short_id(order_id),
        until = human_utc(expires_at_ms),
    )
}

/// "3 December 2026, 14:05 UTC".
fn human_utc(ms: i64) -> String {
    let Ok(at) = OffsetDateTime::from_unix_timestamp(ms / 1000) else {
        return String::new();
    };
    let format = time::macros::format_description!(
        "[day padding:none] [month repr:long] [year], [hour]:[minute] UTC"
    );
    at.format(&format).unwrap_or_default()
}

/// The `order.payment_reminder` job: a manual-payment order still unpaid a day before its
/// hold ends gets one more mail, with how to pay and a fresh link.
pub async fn remind_payment(state: &AppState, order_id: &str) -> Outcome {
    // (store name, slug, total, currency, instructions, hold end)
    type Waiting = (String, String, i64, Currency, String, i64);
    let row: Result<Option<Waiting>, sqlx::Error> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT s.name, s.slug, o.total, o.currency, s.payment_instructions, o.expires_at FROM orders o JOIN stores s ON s.id = o.store_id \
         WHERE o.id = $1 AND o.status = $2 AND o.stock = $3")
        .bind(order_id).bind(OrderStatus::PendingPayment.as_str()).bind(OrderStock::Reserved.as_str()).fetch_optional(pool).await);
    let (store, slug, total, code, instructions, expires_at) = match row {
        Ok(Some(r)) => r,
        Ok(None) => return Outcome::Done,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let (url, link) = guest_link(state, order_id, true);
    let total = Money::new(total, code).to_string();
    let mail = (
        format!(
            "Reminder: order {} at the Flipdesk store “{store}” is held until {}",
            super::order_page::short_id(order_id),
            human_utc(expires_at)
        ),
        how_to_pay(
            &Seller {
                name: &store,
                url: &store_url(state, &slug),
            },
            order_id,
            &total,
            &instructions,
            expires_at,
            &url,
        ),
    );
    match with_db!(&state.db, pool => super::orders::remind_payment(pool, order_id, &link, mail).await)
    {
        Ok(_) => Outcome::Done,
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// The `stripe.expire_session` job (a retry when Stripe was unreachable at expiry).
pub async fn expire_stripe_session(state: &AppState, session_id: &str) -> Outcome {
    let Some(stripe) = state.stripe.clone() else {
        return Outcome::Done;
    };
    match stripe.expire_session(session_id).await {
        Ok(()) | Err(StripeFailure::Refused(_)) => Outcome::Done,
        Err(StripeFailure::Unavailable(e)) => Outcome::Failed(e),
    }
}

/// The reservation sweeper: releases any reservation past its end whose job was lost.
pub async fn sweep_expired(state: &AppState) {
    let due: Result<Vec<String>, sqlx::Error> = with_db!(&state.db, pool => sqlx::query_scalar(
        "SELECT id FROM orders WHERE stock = $1 AND status = $2 AND expires_at <= $3 LIMIT 200")
        .bind(OrderStock::Reserved.as_str()).bind(OrderStatus::PendingPayment.as_str()).bind(state.clock.now_ms()).fetch_all(pool).await);
    for id in due.unwrap_or_default() {
        if let Outcome::Failed(e) = expire_order(state, &id).await {
            tracing::warn!(error = %e, "sweeper could not release a reservation");
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct OrderHead {
    pub id: String,
    pub store_name: String,
    pub owner_user_id: String,
    pub payment_method: PaymentMethod,
    pub status: OrderStatus,
    pub currency: Currency,
    pub total: i64,
    pub refunded: i64,
    pub stripe_payment_intent: Option<String>,
    /// The owner's time zone: a payment's sale falls on the owner's day.
    pub owner_time_zone: Option<String>,
}

impl OrderHead {
    /// Today in the owner's time zone, the day a payment now is booked on.
    pub fn owner_today(&self) -> String {
        crate::analytics::periods::user_today(self.owner_time_zone.as_deref())
    }
}

/// An order of a store the user works for; anyone else's is `NotFound`.
pub async fn order_for_member(db: &Db, user: &str, order_id: &str) -> Result<OrderHead, AppError> {
    order_head(db, order_id, Some(user))
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn order_head(
    db: &Db,
    order_id: &str,
    member: Option<&str>,
) -> Result<Option<OrderHead>, AppError> {
    let sql = "SELECT o.id, s.name AS store_name, o.owner_user_id, o.payment_method, o.status, o.currency, o.total, o.refunded, \
               o.stripe_payment_intent, u.time_zone AS owner_time_zone FROM orders o JOIN stores s ON s.id = o.store_id \
               LEFT JOIN users u ON u.id = o.owner_user_id WHERE o.id = $1 \
               AND ($2 = '' OR EXISTS (SELECT 1 FROM store_members m WHERE m.store_id = o.store_id AND m.user_id = $2))";
    if order_id.len() > 64 {
        return Ok(None);
    }
    Ok(
        with_db!(db, pool => sqlx::query_as::<_, OrderHead>(sql).bind(order_id).bind(member.unwrap_or("")).fetch_optional(pool).await)?,
    )
}

/// The confirmation mail sent when payment arrives, with a fresh guest link.
pub fn confirmation(state: &AppState, head: &OrderHead) -> (String, GuestLink, (String, String)) {
    let (url, link) = guest_link(state, &head.id, true);
    let total = Money::new(head.total, head.currency);
    let mail = (
        format!("Order confirmed at {}", head.store_name),
        format!(
            "Thank you! {store} has received your payment of {total}.\n\nFollow your order (this link is yours; keep it private): {url}\n",
            store = head.store_name
        ),
    );
    (url, link, mail)
}

/// The owner confirms a manual payment.
pub async fn mark_paid(state: &AppState, user: &str, order_id: &str) -> Result<(), AppError> {
    let head = order_for_member(&state.db, user, order_id).await?;
    if head.payment_method != PaymentMethod::Manual {
        return Err(AppError::conflict(
            "stripe_order",
            "Card payments are confirmed by Stripe, not by hand.",
        ));
    }
    let (_, link, mail) = confirmation(state, &head);
    let sold_on = head.owner_today();
    let actor = super::audit::Actor::User(user);
    let payment = Payment {
        order_id,
        actor,
        amount: None,
        payment_intent: None,
        collected_address: None,
        sold_on: &sold_on,
        link,
        mail,
    };
    match with_db!(&state.db, pool => super::orders::take_payment(pool, &state.secret, &payment).await)?
    {
        PaymentOutcome::Paid | PaymentOutcome::NeedsAttention => Ok(()),
        PaymentOutcome::AlreadyPaid => Err(AppError::conflict(
            "already_paid",
            "This order is already paid.",
        )),
        PaymentOutcome::NotFound => Err(AppError::NotFound),
    }
}

/// A refund by the owner: through Stripe for card payments (idempotent by the refund id),
/// recorded once whatever the number of submissions.
pub async fn refund(
    state: &AppState,
    user: &str,
    order_id: &str,
    refund_id: &str,
    input: &crate::domain::store::RefundInput,
) -> Result<(), AppError> {
    let head = order_for_member(&state.db, user, order_id).await?;
    if refund_id.is_empty() || refund_id.len() > 64 {
        return Err(AppError::field(
            "refund_id",
            "Missing refund id; reload the page.",
        ));
    }
    let already: Option<i64> = with_db!(&state.db, pool => sqlx::query_scalar("SELECT amount FROM refunds WHERE id = $1 AND order_id = $2")
        .bind(refund_id).bind(order_id).fetch_optional(pool).await)?;
    if already.is_some() {
        return Ok(()); // the same refund submitted again
    }
    if !head.status.is_paid() {
        return Err(AppError::conflict(
            "not_refundable",
            "Only paid orders can be refunded.",
        ));
    }
    let lines: Vec<(String, String, i64)> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT id, title, CASE WHEN sale_id IS NULL THEN 0 ELSE quantity - returned END FROM order_lines \
         WHERE order_id = $1 ORDER BY position")
        .bind(order_id).fetch_all(pool).await)?;
    let lines: Vec<ReturnableLine> = lines
        .into_iter()
        .map(|(id, title, returnable)| ReturnableLine {
            id,
            title,
            returnable,
        })
        .collect();
    let cur = head.currency;
    let draft = validate_refund(input, cur, head.total - head.refunded, &lines)
        .map_err(AppError::validation)?;
    let mut stripe_refund = None;
    if head.payment_method == PaymentMethod::Stripe {
        let (Some(stripe), Some(pi)) =
            (state.stripe.clone(), head.stripe_payment_intent.as_deref())
        else {
            return Err(AppError::conflict(
                "not_refundable",
                "This card payment cannot be refunded from here; refund it in Stripe.",
            ));
        };
        stripe_refund = Some(stripe.refund(pi, draft.amount, refund_id).await.map_err(
            |e| match e {
                StripeFailure::Refused(m) => {
                    AppError::conflict("stripe_refused", format!("Stripe refused the refund: {m}"))
                }
                StripeFailure::Unavailable(_) => AppError::Unavailable {
                    message: "Stripe is not reachable; nothing was refunded, try again".into(),
                },
            },
        )?);
    }
    let actor = super::audit::Actor::User(user);
    let request = RefundRequest {
        refund_id,
        amount: draft.amount,
        returns: &draft.returns,
        actor,
        stripe_refund: stripe_refund.as_deref(),
        mail: refund_mail(&head, Money::new(draft.amount, cur)),
    };
    match with_db!(&state.db, pool => super::orders::refund(pool, &state.secret, order_id, &request).await)?
    {
        Refunded::Done | Refunded::Duplicate => Ok(()),
        Refunded::TooMuch => Err(AppError::field(
            "amount",
            "That is more than is left to refund.",
        )),
        Refunded::TooManyReturned => Err(AppError::field(
            "returns",
            "Some of those units are back already; reload the page.",
        )),
        Refunded::NotRefundable => Err(AppError::conflict(
            "not_refundable",
            "Only paid orders can be refunded.",
        )),
        Refunded::IdTaken => Err(AppError::conflict(
            "refund_id_taken",
            "That refund id belongs to another order; reload the page and refund again.",
        )),
    }
}

/// The buyer's refund mail: what came back, of which order, and what is left paid.
fn refund_mail(head: &OrderHead, amount: Money) -> (String, String) {
    let total = Money::new(head.total, amount.currency);
    let refunded = Money::new(head.refunded + amount.amount, amount.currency);
    let how = if head.payment_method == PaymentMethod::Stripe {
        "It goes back to the card you paid with; banks take 5–10 working days to show it."
    } else {
        "The store sends it back the way you paid."
    };
    (
        format!("Refund of {amount} from {}", head.store_name),
        format!(
            "{store} has refunded {amount} of your order {order} (total {total}; refunded so far {refunded}).\n\n{how}\n",
            store = head.store_name,
            order = super::order_page::short_id(&head.id),
        ),
    )
}

pub async fn ship(
    state: &AppState,
    user: &str,
    order_id: &str,
    carrier: &str,
    tracking: &str,
) -> Result<(), AppError> {
    let head = order_for_member(&state.db, user, order_id).await?;
    let mut e = crate::domain::FieldErrors::default();
    let carrier = carrier.trim();
    let tracking = tracking.trim();
    if carrier.is_empty() || carrier.chars().count() > 60 {
        e.add("carrier", "Name the carrier (up to 60 characters).");
    }
    if tracking.is_empty()
        || tracking.chars().count() > 80
        || tracking.chars().any(char::is_control)
    {
        e.add(
            "tracking_code",
            "Enter the tracking code (up to 80 characters).",
        );
    }
    if !e.is_empty() {
        return Err(AppError::validation(e));
    }
    let mail = (
        format!("Your order from {} has shipped", head.store_name),
        format!(
            "Good news: {} shipped your order with {carrier}.\nTracking code: {tracking}\n",
            head.store_name
        ),
    );
    let actor = super::audit::Actor::User(user);
    if with_db!(&state.db, pool => super::orders::ship(pool, &state.secret,
            order_id,
            (carrier, tracking, &head.owner_today()),
            actor,
            mail).await)?
    {
        Ok(())
    } else {
        Err(AppError::conflict(
            "not_shippable",
            "Only paid orders can be marked shipped.",
        ))
    }
}
