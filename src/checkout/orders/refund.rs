//! Refunds: the money put against the order's sales, the units named brought back on sale.

use time::OffsetDateTime;

use super::*;
use crate::{
    analytics::ledger::{self, Scope},
    checkout::{
        audit::{self, OrderEvent},
        ops::{RefundRequest, Refunded},
    },
    server::{
        config::Secret,
        db::BeginWrite,
        mail::{self, Mail},
        store::{Store, Tx, sql},
    },
};

/// Records a refund (its id makes a resubmission the same refund): the money is put against
/// the order's sales (their profit drops, they stay), and only the units the owner names
/// come back to stock and go on sale. The buyer is mailed.
pub async fn refund<DB: Store>(
    pool: &sqlx::Pool<DB>,
    secret: &Secret,
    order_id: &str,
    r: &RefundRequest<'_>,
) -> sqlx::Result<Refunded> {
    let now = OffsetDateTime::now_utc();
    let units: i64 = r.returns.iter().map(|(_, q)| q).sum();
    let mut tx = pool.begin_write().await?;
    let fresh = sql(
        "INSERT INTO refunds (id, order_id, amount, restock, stripe_refund, created_by, created_at, returned_units) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
    )
    .bind(r.refund_id)
    .bind(order_id)
    .bind(r.amount)
    .bind(units > 0)
    .bind(r.stripe_refund)
    .bind(r.actor.to_text().as_ref())
    .bind(now)
    .bind(units)
    .execute(&mut tx)
    .await?;
    if fresh == 0 {
        // The same refund again, unless its id was spent on another order: then this one
        // would silently not happen.
        let (of,): (String,) = sql("SELECT order_id FROM refunds WHERE id = $1")
            .bind(r.refund_id)
            .fetch_one(&mut tx)
            .await?;
        return Ok(if of == order_id {
            Refunded::Duplicate
        } else {
            Refunded::IdTaken
        });
    }
    let Some(order) = order_state(&mut tx, order_id).await? else {
        return Ok(Refunded::NotRefundable);
    };
    // The row is locked: its refunded total is the one this update adds to.
    let after = if order.refunded + r.amount >= order.total {
        OrderStatus::Refunded
    } else {
        order.status
    };
    if !order.status.is_paid() || !order.status.can_become(after) {
        return Ok(Refunded::NotRefundable);
    }
    let changed = sql(
        "UPDATE orders SET refunded = refunded + $1, status = $2, updated_at = $3 WHERE id = $4 AND refunded + $1 <= total",
    )
    .bind(r.amount)
    .bind(after)
    .bind(now)
    .bind(order_id)
    .execute(&mut tx)
    .await?;
    if changed == 0 {
        return Ok(Refunded::TooMuch);
    }
    let moved =
        refund_against_sales(&mut tx, &order.owner_user_id, order_id, r.amount, r.returns).await?;
    if moved.is_none() {
        return Ok(Refunded::TooManyReturned); // dropping the transaction undoes the refund
    }
    let e = OrderEvent {
        order_id,
        actor: r.actor,
        action: "refund",
        before: Some(order.status),
        after: Some(after),
        detail: format!(
            "{} refunded; {units} unit(s) back on sale",
            money(r.amount, order.currency)
        ),
    };
    audit::record(&mut tx, secret, &e).await?;
    mail::queue(
        &mut tx,
        &Mail {
            to: &order.email,
            subject: r.mail.0.clone(),
            body: r.mail.1.clone(),
            kind: "order_refunded",
            order_id: Some(order_id),
            owner: Some(&order.owner_user_id),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Refunded::Done)
}

/// (line id, listing id, item id, sale id, the sale's units left, cost, market, money left)
type SoldLine = (String, String, String, String, i64, i64, i64, i64);

/// Puts `amount` against the sales of an order's lines, shared out by what each still holds,
/// and brings back `returns` (units per order line) into stock and on sale: the sale keeps its
/// money but no longer the cost of those units. The worth ledger moves by the difference.
/// `None` when a line cannot take back that many units (nothing is written then).
pub(super) async fn refund_against_sales<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    order_id: &str,
    amount: i64,
    returns: &[(String, i64)],
) -> sqlx::Result<Option<()>> {
    let now = OffsetDateTime::now_utc();
    let lines: Vec<SoldLine> = sql(
        "SELECT l.id, l.listing_id, l.item_id, s.id, s.quantity - s.returned, s.purchase_cost, s.market_value, \
         s.sale_price + s.shipping_charged - s.refunded \
         FROM order_lines l JOIN sales s ON s.id = l.sale_id WHERE l.order_id = $1 ORDER BY l.position",
    )
    .bind(order_id)
    .fetch_all(tx)
    .await?;
    if lines.is_empty() {
        return Ok(if returns.is_empty() { Some(()) } else { None });
    }
    let items: Vec<String> = lines.iter().map(|l| l.2.clone()).collect();
    let scope = Scope::Items(&items);
    let mut before = ledger::held_contributions(tx, owner, &scope).await?;
    before.extend(ledger::sale_contributions(tx, owner, &scope).await?);
    let capacities: Vec<i64> = lines.iter().map(|l| l.7).collect();
    let shares = crate::domain::store::share_out(amount, &capacities);
    for (line, share) in lines.iter().zip(shares) {
        let (line_id, listing_id, item_id, sale_id, units_left, cost, market, _) = line;
        let back = returns
            .iter()
            .filter(|(id, _)| id == line_id)
            .map(|(_, q)| *q)
            .sum::<i64>();
        if back > 0 {
            let took = sql(
                "UPDATE order_lines SET returned = returned + $1 WHERE id = $2 AND returned + $1 <= quantity",
            )
            .bind(back)
            .bind(line_id)
            .execute(tx)
            .await?;
            if took == 0 || back > *units_left {
                return Ok(None);
            }
        }
        // The returned units' part of the sale's cost and market value, by units still sold.
        let part = |total: i64| {
            if *units_left == 0 {
                0
            } else {
                ((i128::from(total) * i128::from(back)) / i128::from(*units_left)) as i64
            }
        };
        let (cost_back, market_back) = (part(*cost), part(*market));
        sql(
            "UPDATE sales SET refunded = refunded + $1, returned = returned + $2, purchase_cost = purchase_cost - $3, \
             market_value = market_value - $4, net_profit = net_profit - $1 + $3 WHERE id = $5",
        )
        .bind(share)
        .bind(back)
        .bind(cost_back)
        .bind(market_back)
        .bind(sale_id)
        .execute(tx)
        .await?;
        if back > 0 {
            sql(
                "UPDATE items SET quantity = CASE WHEN status IN ('sold', 'shipped') THEN $1 ELSE quantity + $1 END, \
                 status = 'listed', sold_out_on = NULL, version = version + 1, updated_at = $2 WHERE id = $3",
            )
            .bind(back)
            .bind(now)
            .bind(item_id)
            .execute(tx)
            .await?;
            sql("UPDATE listings SET available = available + $1, status = 'active', updated_at = $2 WHERE id = $3")
                .bind(back)
                .bind(now)
                .bind(listing_id)
                .execute(tx)
                .await?;
        }
    }
    let mut changes = ledger::held_contributions(tx, owner, &scope).await?;
    changes.extend(ledger::sale_contributions(tx, owner, &scope).await?);
    changes.extend(-before);
    if let Some(w) = changes.write(DB::BACKEND, owner) {
        w.sql().execute(tx).await?;
    }
    Ok(Some(()))
}
