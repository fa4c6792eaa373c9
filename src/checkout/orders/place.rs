//! Placing an order: every line reserved or none, the buyer's limit, its expiry and reminder jobs, its links and mail.

use time::OffsetDateTime;

use super::*;
use crate::domain::inbox::{Level, Source};
use crate::{
    checkout::{
        audit::{self, Actor, OrderEvent},
        ops::{GuestLink, NewLine, NewOrder, Unplaced},
    },
    server::{
        config::Secret,
        db::{BeginWrite, new_id},
        jobs::{self, BackgroundJob},
        mail::{self, Mail},
        notify::Notice,
        store::{Store, sql},
    },
};

/// Reserves every line (all or none) and writes the order `pending_payment` with its
/// expiry job; refused when a line cannot be reserved or the buyer (same email or address)
/// would hold more units in the store than one buyer may.
pub async fn place_order<DB: Store>(
    pool: &sqlx::Pool<DB>,
    secret: &Secret,
    order: &NewOrder,
) -> sqlx::Result<Result<(), Unplaced>> {
    let now = OffsetDateTime::now_utc();
    let mut tx = pool.begin_write().await?;
    let held: i64 = sql(
        "SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) FROM orders o JOIN order_lines l ON l.order_id = o.id \
         WHERE o.store_id = $1 AND o.stock = $4 AND (o.email = $2 OR o.buyer_key = $3)",
    )
    .bind(&order.store_id)
    .bind(&order.email)
    .bind(&order.buyer_key)
    .bind(OrderStock::Reserved)
    .scalar(&mut tx)
    .await?;
    let adding: i64 = order.lines.iter().map(|l| l.quantity).sum();
    if held + adding > order.most_units_held {
        return Ok(Err(Unplaced::BuyerHolds(held)));
    }
    // A fixed order of row locks, so two carts never wait on each other (PostgreSQL).
    let mut lines: Vec<&NewLine> = order.lines.iter().collect();
    lines.sort_by(|a, b| a.listing_id.cmp(&b.listing_id));
    for line in &lines {
        let taken = sql(
            "UPDATE listings SET available = available - $1, updated_at = $2 \
             WHERE id = $3 AND store_id = $4 AND status = 'active' AND available >= $1",
        )
        .bind(line.quantity)
        .bind(now)
        .bind(&line.listing_id)
        .bind(&order.store_id)
        .execute(&mut tx)
        .await?;
        if taken == 0 {
            return Ok(Err(Unplaced::Short(line.listing_id.clone()))); // rolled back on drop
        }
        crate::channels::events::storefront_units(
            &mut tx,
            "unit.locked",
            &order.id,
            &line.listing_id,
            &line.item_id,
            line.quantity,
        )
        .await?;
    }
    sql(
        "INSERT INTO orders (id, store_id, owner_user_id, status, stock, payment_method, email, shipping_address, currency, \
         subtotal, shipping, total, expires_at, created_at, updated_at, buyer_key) \
         VALUES ($1, $2, $3, $14, $15, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)",
    )
    .bind(&order.id)
    .bind(&order.store_id)
    .bind(&order.owner)
    .bind(order.payment_method)
    .bind(&order.email)
    .bind(&order.address_json)
    .bind(order.currency.code())
    .bind(order.subtotal)
    .bind(order.shipping)
    .bind(order.total)
    .bind(order.expires_at_ms)
    .bind(now)
    .bind(&order.buyer_key)
    .bind(OrderStatus::PendingPayment)
    .bind(OrderStock::Reserved)
    .execute(&mut tx)
    .await?;
    for (position, line) in order.lines.iter().enumerate() {
        sql(
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
        .execute(&mut tx)
        .await?;
    }
    audit::record(
        &mut tx,
        secret,
        &OrderEvent {
            order_id: &order.id,
            actor: Actor::Shopper,
            action: "order_created",
            before: None,
            after: Some(OrderStatus::PendingPayment),
            detail: format!(
                "{} unit(s) reserved, total {}",
                order.lines.iter().map(|l| l.quantity).sum::<i64>(),
                money(order.total, order.currency)
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
    // A buyer paying by the store's instructions has committed: the owner hears of it now.
    // (A card checkout is told when Stripe reports the payment; many are never paid.)
    if order.payment_method == crate::domain::store::PaymentMethod::Manual {
        Notice::new(
            &order.owner,
            "order_placed",
            Level::Info,
            format!("New order awaiting payment: {}", money(order.total, order.currency)),
        )
        .body(format!(
            "{} ordered {} unit(s) and will pay by your instructions. The units are held until the payment arrives.",
            order.email,
            order.lines.iter().map(|l| l.quantity).sum::<i64>()
        ))
        .source(Source::Web)
        .link(format!("/app/store/orders/{}", order.id))
        .once(format!("order_placed:{}", order.id))
        .write_in(&mut tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// Stores the Stripe session of a placed order.
pub async fn attach_session<DB: Store>(
    pool: &sqlx::Pool<DB>,
    order_id: &str,
    session_id: &str,
    url: &str,
) -> sqlx::Result<()> {
    let mut tx = pool.begin_write().await?;
    sql("UPDATE orders SET stripe_session_id = $1, checkout_url = $2, updated_at = $3 WHERE id = $4")
        .bind(session_id)
        .bind(url)
        .bind(OffsetDateTime::now_utc())
        .bind(order_id)
        .execute(&mut tx)
        .await?;
    tx.commit().await
}

/// Mails the buyer of a manual-payment order that still waits for its payment (with a fresh
/// link to the order); `false` when it no longer waits and nothing was sent.
pub async fn remind_payment<DB: Store>(
    pool: &sqlx::Pool<DB>,
    order_id: &str,
    link: &GuestLink,
    mail: (String, String),
) -> sqlx::Result<bool> {
    let mut tx = pool.begin_write().await?;
    let Some(order) = order_state(&mut tx, order_id).await? else {
        return Ok(false);
    };
    if order.status != OrderStatus::PendingPayment || order.stock != OrderStock::Reserved {
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
