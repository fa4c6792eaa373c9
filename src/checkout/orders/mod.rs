//! Order transactions, written once for both databases (generic over `DB: Store`). Every
//! public function runs in one write transaction; stock moves are conditional updates, never
//! read-then-write. One file per thing that happens to an order.

mod pay;
mod place;
mod refund;
mod release;
mod ship;
mod stripe_events;

pub use pay::take_payment;
pub use place::{attach_session, place_order, remind_payment};
pub use refund::refund;
pub use release::release;
pub use ship::ship;
pub use stripe_events::{apply_event, receive_event};

use time::OffsetDateTime;

use crate::{
    checkout::ops::GuestLink,
    domain::store::{OrderStatus, OrderStock},
    server::{
        dialect,
        store::{Store, Tx, sql},
    },
};

fn money(amount: i64, currency: crate::domain::Currency) -> crate::domain::Money {
    crate::domain::Money::new(amount, currency)
}

async fn add_link<DB: Store>(
    tx: &mut Tx<DB>,
    order_id: &str,
    link: &GuestLink,
) -> sqlx::Result<()> {
    sql("INSERT INTO order_links (token_hash, order_id, expires_at, mailed) VALUES ($1, $2, $3, $4)")
        .bind(&link.token_hash)
        .bind(order_id)
        .bind(link.expires_at_ms)
        .bind(i64::from(link.mailed))
        .execute(tx)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct OrderState {
    status: OrderStatus,
    stock: OrderStock,
    owner_user_id: String,
    email: String,
    currency: crate::domain::Currency,
    shipping: i64,
    total: i64,
    refunded: i64,
    shipping_address: String,
}

/// Reads the order and locks its row for this transaction: concurrent deliveries about one
/// order take turns.
async fn order_state<DB: Store>(
    tx: &mut Tx<DB>,
    order_id: &str,
) -> sqlx::Result<Option<OrderState>> {
    sql(format!(
        "SELECT status, stock, owner_user_id, email, currency, shipping, total, refunded, shipping_address FROM orders WHERE id = $1{}",
        dialect::for_update(DB::BACKEND)
    ))
    .bind(order_id)
    .fetch_optional(tx)
    .await
}

async fn order_lines<DB: Store>(
    tx: &mut Tx<DB>,
    order_id: &str,
) -> sqlx::Result<Vec<(String, String, i64, i64, Option<String>)>> {
    sql(
        "SELECT listing_id, item_id, quantity, unit_price, sale_id FROM order_lines WHERE order_id = $1 ORDER BY listing_id",
    )
    .bind(order_id)
    .fetch_all(tx)
    .await
}

async fn give_back<DB: Store>(tx: &mut Tx<DB>, order_id: &str) -> sqlx::Result<()> {
    let now = OffsetDateTime::now_utc();
    for (listing_id, item_id, quantity, _, _) in order_lines(tx, order_id).await? {
        sql("UPDATE listings SET available = available + $1, updated_at = $2 WHERE id = $3")
            .bind(quantity)
            .bind(now)
            .bind(&listing_id)
            .execute(tx)
            .await?;
        crate::channels::events::storefront_units(
            tx,
            "unit.unlocked",
            order_id,
            &listing_id,
            &item_id,
            quantity,
        )
        .await?;
    }
    Ok(())
}
