//! Reading orders for the store view and for buyers.

use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::{FailedTask, OrderDetail, OrderEventView, OrderLineView, OrderSummary, audit};
use crate::{
    domain::{
        Currency, Money,
        store::{OrderStatus, OrderStock, PaymentMethod, ShippingAddress},
    },
    error::AppError,
    server::{db::Db, state::AppState},
    with_db,
};

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// The orders of the user's stores, newest first, optionally of one status.
pub async fn list_orders(
    db: &Db,
    user: &str,
    status: Option<OrderStatus>,
) -> Result<Vec<OrderSummary>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        status: OrderStatus,
        email: String,
        total: i64,
        currency: Currency,
        units: i64,
        created_at: OffsetDateTime,
    }
    let sql = "SELECT o.id, o.status, o.email, o.total, o.currency, \
               CAST((SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l WHERE l.order_id = o.id) AS BIGINT) AS units, o.created_at \
               FROM orders o WHERE o.store_id IN (SELECT store_id FROM store_members WHERE user_id = $1) \
               AND ($2 = '' OR o.status = $2) ORDER BY o.created_at DESC LIMIT 200";
    let status = status.map(|s| s.as_str()).unwrap_or("");
    let rows = with_db!(db, pool => sqlx::query_as::<_, Row>(sql).bind(user).bind(status).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|r| OrderSummary {
            status: r.status,
            total: Money::new(r.total, r.currency),
            id: r.id,
            email: r.email,
            units: r.units,
            created_at: rfc3339(r.created_at),
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: String,
    store_slug: String,
    store_name: String,
    status: OrderStatus,
    payment_method: PaymentMethod,
    email: String,
    shipping_address: String,
    currency: Currency,
    subtotal: i64,
    shipping: i64,
    total: i64,
    refunded: i64,
    carrier: Option<String>,
    tracking_code: Option<String>,
    attention: Option<String>,
    expires_at: i64,
    stock: OrderStock,
    checkout_url: Option<String>,
    payment_instructions: String,
    created_at: OffsetDateTime,
}

/// One order. `member`: only if that user works for its store (else `NotFound`); `None`
/// for a buyer whose link was checked. The timeline is for the store only.
pub async fn order_detail(
    state: &AppState,
    order_id: &str,
    member: Option<&str>,
) -> Result<OrderDetail, AppError> {
    if order_id.len() > 64 {
        return Err(AppError::NotFound);
    }
    let sql = "SELECT o.id, s.slug AS store_slug, s.name AS store_name, o.status, o.payment_method, o.email, o.shipping_address, o.currency, \
               o.subtotal, o.shipping, o.total, o.refunded, o.carrier, o.tracking_code, o.attention, o.expires_at, o.stock, o.checkout_url, \
               s.payment_instructions, o.created_at FROM orders o JOIN stores s ON s.id = o.store_id WHERE o.id = $1 \
               AND ($2 = '' OR EXISTS (SELECT 1 FROM store_members m WHERE m.store_id = o.store_id AND m.user_id = $2))";
    let db = &state.db;
    let r = with_db!(db, pool => sqlx::query_as::<_, OrderRow>(sql).bind(order_id).bind(member.unwrap_or("")).fetch_optional(pool).await)?
        .ok_or(AppError::NotFound)?;
    // (id, listing, item, title, unit price, quantity, returned, sold)
    type LineRow = (String, String, String, String, i64, i64, i64, bool);
    let lines: Vec<LineRow> = with_db!(db, pool => sqlx::query_as(
        "SELECT id, listing_id, item_id, title, unit_price, quantity, returned, sale_id IS NOT NULL FROM order_lines \
         WHERE order_id = $1 ORDER BY position")
        .bind(order_id).fetch_all(pool).await)?;
    let events = if member.is_some() {
        timeline(state, order_id).await?
    } else {
        Vec::new()
    };
    let status = r.status;
    let method = r.payment_method;
    let pending = status == OrderStatus::PendingPayment && r.stock == OrderStock::Reserved;
    let address: ShippingAddress = serde_json::from_str(&r.shipping_address).unwrap_or_default();
    Ok(OrderDetail {
        store_slug: r.store_slug,
        store_name: r.store_name,
        status,
        payment_method: method,
        email: r.email,
        shipping_address: (!address.country.is_empty()).then_some(address),
        lines: lines
            .into_iter()
            .map(
                |(id, listing_id, item_id, title, unit, quantity, returned, sold)| OrderLineView {
                    id,
                    listing_id,
                    item_id,
                    title,
                    unit_price: Money::new(unit, r.currency),
                    quantity,
                    returned,
                    returnable: if sold { quantity - returned } else { 0 },
                },
            )
            .collect(),
        subtotal: Money::new(r.subtotal, r.currency),
        shipping: Money::new(r.shipping, r.currency),
        total: Money::new(r.total, r.currency),
        refunded: Money::new(r.refunded, r.currency),
        carrier: r.carrier,
        tracking_code: r.tracking_code,
        attention: r.attention,
        expires_at: pending.then(|| {
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(r.expires_at) * 1_000_000)
                .map(rfc3339)
                .unwrap_or_default()
        }),
        payment_instructions: (method == PaymentMethod::Manual && pending).then(|| {
            if r.payment_instructions.is_empty() {
                "The store will contact you with payment details.".to_string()
            } else {
                r.payment_instructions.clone()
            }
        }),
        checkout_url: (method == PaymentMethod::Stripe && pending)
            .then_some(r.checkout_url)
            .flatten(),
        created_at: rfc3339(r.created_at),
        id: r.id,
        events,
    })
}

async fn timeline(state: &AppState, order_id: &str) -> Result<Vec<OrderEventView>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        actor: String,
        action: String,
        before: Option<String>,
        after: Option<String>,
        detail: String,
        created_at: OffsetDateTime,
        signature: String,
    }
    let rows = with_db!(&state.db, pool => sqlx::query_as::<_, Row>(
        "SELECT id, actor, action, before, after, detail, created_at, signature FROM order_events WHERE order_id = $1 ORDER BY created_at, id")
        .bind(order_id).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            // An actor no writer produces cannot carry a genuine signature.
            // Nor can a status no writer produces.
            let actor = audit::Actor::parse(&r.actor);
            let status = |text: &Option<String>| match text {
                None => Some(None),
                Some(text) => OrderStatus::parse(text).map(Some),
            };
            let statuses = status(&r.before).zip(status(&r.after));
            let verified = actor.zip(statuses).is_some_and(|(actor, (before, after))| {
                let event = audit::OrderEvent {
                    order_id,
                    actor,
                    action: &r.action,
                    before,
                    after,
                    detail: r.detail.clone(),
                };
                audit::verifies(&state.secret, &r.id, &event, r.created_at, &r.signature)
            });
            OrderEventView {
                at: rfc3339(r.created_at),
                actor: match actor {
                    Some(audit::Actor::User(_)) => "staff".to_string(),
                    _ => r.actor.clone(),
                },
                action: r.action,
                before: r.before,
                after: r.after,
                detail: r.detail,
                verified,
            }
        })
        .collect())
}

/// Background work that failed for good for this reseller.
pub async fn failed_tasks(state: &AppState, user: &str) -> Result<Vec<FailedTask>, AppError> {
    let jobs = crate::server::jobs::dead_jobs(&state.db, user).await?;
    Ok(jobs
        .into_iter()
        .map(|j| FailedTask {
            what: state.jobs.label(&j.kind).to_string(),
            id: j.id,
            attempts: j.attempts,
            error: j.last_error.unwrap_or_default(),
        })
        .collect())
}
