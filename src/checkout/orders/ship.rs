//! Shipping a paid order with its tracking code.

use time::OffsetDateTime;

use super::*;
use crate::{
    checkout::audit::{self, Actor, OrderEvent},
    server::{
        config::Secret,
        db::{BeginWrite, new_id},
        mail::{self, Mail},
        store::{Store, sql},
    },
};

/// Paid → shipped with the tracking code (carrier, code, the owner's day), and the buyer's
/// mail. Each item of the order gets the shipment in the inventory too (Shipments page); an
/// item whose every unit went is marked shipped.
pub async fn ship<DB: Store>(
    pool: &sqlx::Pool<DB>,
    secret: &Secret,
    order_id: &str,
    (carrier, tracking, shipped_on): (&str, &str, &str),
    actor: Actor<'_>,
    mail: (String, String),
) -> sqlx::Result<bool> {
    let now = OffsetDateTime::now_utc();
    let mut tx = pool.begin_write().await?;
    let Some(order) = order_state(&mut tx, order_id).await? else {
        return Ok(false);
    };
    // Only paid orders whose units were taken have something to send.
    let shipped = OrderStatus::Shipped;
    if order.status == shipped
        || !order.status.can_become(shipped)
        || order.stock != OrderStock::Taken
    {
        return Ok(false);
    }
    let changed = sql(
        "UPDATE orders SET status = $1, carrier = $2, tracking_code = $3, updated_at = $4 WHERE id = $5 AND status = $6",
    )
    .bind(shipped)
    .bind(carrier)
    .bind(tracking)
    .bind(now)
    .bind(order_id)
    .bind(order.status)
    .execute(&mut tx)
    .await?;
    if changed == 0 {
        return Ok(false);
    }
    let items: Vec<String> =
        sql("SELECT DISTINCT item_id FROM order_lines WHERE order_id = $1 AND sale_id IS NOT NULL")
            .bind(order_id)
            .scalars(&mut tx)
            .await?;
    for item in &items {
        sql(
            "INSERT INTO shipments (id, item_id, owner_user_id, carrier, tracking_code, shipped_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(item)
        .bind(&order.owner_user_id)
        .bind(carrier)
        .bind(tracking)
        .bind(shipped_on)
        .bind(now)
        .execute(&mut tx)
        .await?;
        sql(
            "UPDATE items SET status = 'shipped', version = version + 1, updated_at = $1 WHERE id = $2 AND status = 'sold'",
        )
        .bind(now)
        .bind(item)
        .execute(&mut tx)
        .await?;
    }
    let e = OrderEvent {
        order_id,
        actor,
        action: "shipped",
        before: Some(order.status),
        after: Some(shipped),
        detail: format!("{carrier} {tracking}"),
    };
    audit::record(&mut tx, secret, &e).await?;
    mail::queue(
        &mut tx,
        &Mail {
            to: &order.email,
            subject: mail.0,
            body: mail.1,
            kind: "order_shipped",
            order_id: Some(order_id),
            owner: Some(&order.owner_user_id),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
