//! Giving reserved units back when an unpaid order expires or is cancelled.

use time::OffsetDateTime;

use super::*;
use crate::{
    checkout::audit::{self, Actor, OrderEvent},
    server::{
        config::Secret,
        db::BeginWrite,
        store::{Store, Tx, sql},
    },
};

/// Gives the reserved units back, if they still are reserved, and moves an unpaid order to
/// `to` (expired or cancelled; a paid order keeps its status). Returns whether anything changed.
pub(super) async fn release_in<DB: Store>(
    tx: &mut Tx<DB>,
    secret: &Secret,
    order_id: &str,
    to: OrderStatus,
    actor: Actor<'_>,
    detail: &str,
) -> sqlx::Result<bool> {
    let Some(order) = order_state(tx, order_id).await? else {
        return Ok(false);
    };
    if order.stock != OrderStock::Reserved {
        return Ok(false);
    }
    let after = if order.status.can_become(to) {
        to
    } else {
        order.status
    };
    let changed = sql(
        "UPDATE orders SET stock = $1, status = $2, updated_at = $3 WHERE id = $4 AND stock = $5 AND status = $6",
    )
    .bind(OrderStock::Released)
    .bind(after)
    .bind(OffsetDateTime::now_utc())
    .bind(order_id)
    .bind(OrderStock::Reserved)
    .bind(order.status)
    .execute(tx)
    .await?;
    if changed == 0 {
        return Ok(false);
    }
    give_back(tx, order_id).await?;
    audit::record(
        tx,
        secret,
        &OrderEvent {
            order_id,
            actor,
            action: "reservation_released",
            before: Some(order.status),
            after: Some(after),
            detail: detail.to_string(),
        },
    )
    .await?;
    Ok(true)
}

pub async fn release<DB: Store>(
    pool: &sqlx::Pool<DB>,
    secret: &Secret,
    order_id: &str,
    to: OrderStatus,
    actor: Actor<'_>,
    detail: &str,
) -> sqlx::Result<bool> {
    let mut tx = pool.begin_write().await?;
    let changed = release_in(&mut tx, secret, order_id, to, actor, detail).await?;
    tx.commit().await?;
    Ok(changed)
}
