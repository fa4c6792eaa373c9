//! A payment arriving: the units taken (or taken back after a release), sales recorded, the buyer mailed.

use time::OffsetDateTime;

use super::*;
use crate::domain::inbox::{Level, Source};
use crate::{
    analytics::ledger::Changes,
    checkout::{
        audit::{self, OrderEvent},
        ops::{Payment, PaymentOutcome},
    },
    inventory::selling::{SoldOn, Units, sell_units},
    server::{
        config::Secret,
        db::BeginWrite,
        mail::{self, Mail},
        notify::Notice,
        store::{Store, Tx, sql},
    },
};

/// Takes the reserved units (or, after a release, whatever is still free) and records the
/// sales; an order whose stock is gone, or whose amount differs, needs the owner.
pub(super) async fn take_payment_in<DB: Store>(
    tx: &mut Tx<DB>,
    secret: &Secret,
    p: &Payment<'_>,
) -> sqlx::Result<PaymentOutcome> {
    let Some(order) = order_state(tx, p.order_id).await? else {
        return Ok(PaymentOutcome::NotFound);
    };
    if order.status.is_paid() {
        if let Some(pi) = p.payment_intent {
            sql("UPDATE orders SET stripe_payment_intent = $1 WHERE id = $2 AND stripe_payment_intent IS NULL")
                .bind(pi)
                .bind(p.order_id)
                .execute(tx)
                .await?;
        }
        return Ok(PaymentOutcome::AlreadyPaid);
    }
    let now = OffsetDateTime::now_utc();
    let lines = order_lines(tx, p.order_id).await?;
    let mut attention: Vec<String> = Vec::new();
    let mut stock_taken = order.stock != OrderStock::Released;
    if order.stock == OrderStock::Released {
        // Paid after the reservation ended: take the units if nobody else has.
        let mut got: Vec<(&str, i64)> = Vec::new();
        for (listing_id, _, quantity, _, _) in &lines {
            let n = sql(
                "UPDATE listings SET available = available - $1, updated_at = $2 WHERE id = $3 AND status = 'active' AND available >= $1",
            )
            .bind(*quantity)
            .bind(now)
            .bind(listing_id)
            .execute(tx)
            .await?;
            if n == 0 {
                break;
            }
            got.push((listing_id, *quantity));
        }
        if got.len() == lines.len() {
            stock_taken = true;
        } else {
            for (listing_id, quantity) in got {
                sql("UPDATE listings SET available = available + $1 WHERE id = $2")
                    .bind(quantity)
                    .bind(listing_id)
                    .execute(tx)
                    .await?;
            }
            attention.push("Paid after the reservation ran out, and the items sold to someone else meanwhile. Refund the buyer.".into());
        }
    }
    if let Some((amount, currency)) = &p.amount
        && (*amount != order.total || !currency.eq_ignore_ascii_case(order.currency.code()))
    {
        attention.push(format!(
            "The payment ({amount} {}) differs from the order total ({} {}).",
            currency.to_uppercase(),
            order.total,
            order.currency
        ));
    }
    if let Some(collected) = &p.collected_address {
        let priced: crate::domain::store::ShippingAddress =
            serde_json::from_str(&order.shipping_address).unwrap_or_default();
        if !priced.country.is_empty() && !priced.country.eq_ignore_ascii_case(&collected.country) {
            attention.push(format!(
                "Shipping was charged for {}, but the buyer gave an address in {} at payment: charge the difference or refund before shipping.",
                priced.country, collected.country
            ));
        }
        // The order had a country at most: the parcel goes where the buyer said at payment.
        if priced.line1.trim().is_empty() {
            sql("UPDATE orders SET shipping_address = $1 WHERE id = $2")
                .bind(serde_json::json!(collected).to_string())
                .bind(p.order_id)
                .execute(tx)
                .await?;
        }
    }
    if stock_taken {
        let mut ledger_changes = Changes::default();
        for (n, (listing_id, item_id, quantity, unit_price, _)) in lines.iter().enumerate() {
            let shipping = if n == 0 { order.shipping } else { 0 };
            match sell_units(
                tx,
                &order.owner_user_id,
                item_id,
                &Units {
                    quantity: *quantity,
                    unit_price: *unit_price,
                    shipping,
                    sold_on: p.sold_on,
                    channel: SoldOn::Storefront,
                },
                &mut ledger_changes,
            )
            .await?
            {
                Some((sale_id, sold_out)) => {
                    sql("UPDATE order_lines SET sale_id = $1 WHERE order_id = $2 AND listing_id = $3")
                        .bind(&sale_id)
                        .bind(p.order_id)
                        .bind(listing_id)
                        .execute(tx)
                        .await?;
                    crate::channels::events::storefront_units(
                        tx,
                        "unit.sold",
                        p.order_id,
                        listing_id,
                        item_id,
                        *quantity,
                    )
                    .await?;
                    if sold_out {
                        sql("UPDATE listings SET status = 'sold_out', available = 0, updated_at = $1 WHERE id = $2")
                            .bind(now)
                            .bind(listing_id)
                            .execute(tx)
                            .await?;
                        // Off every sales channel, with a delist checklist for manual ones.
                        crate::channels::sales::sold_by_hand(
                            tx,
                            &order.owner_user_id,
                            item_id,
                            "Own storefront",
                        )
                        .await?;
                    }
                }
                None => attention.push(format!(
                    "The item of “{listing_id}” changed in the inventory; check it by hand."
                )),
            }
        }
        if let Some(w) = ledger_changes.write(DB::BACKEND, &order.owner_user_id) {
            w.sql().execute(tx).await?;
        }
    }
    let mut status = if attention.is_empty() {
        OrderStatus::Paid
    } else {
        OrderStatus::PaidNeedsAttention
    };
    if order.refunded >= order.total && order.total > 0 {
        status = OrderStatus::Refunded; // the refund's event came first
    }
    if !order.status.can_become(status) {
        // Units and sales were written above: fail the transaction so that none of it stays.
        return Err(sqlx::Error::Protocol(format!(
            "order {}: a payment cannot move it from {} to {}",
            p.order_id,
            order.status.as_str(),
            status.as_str()
        )));
    }
    let attention_text = (!attention.is_empty()).then(|| attention.join(" "));
    let changed = sql(
        "UPDATE orders SET status = $1, stock = $2, attention = COALESCE($3, attention), \
         stripe_payment_intent = COALESCE(stripe_payment_intent, $4), updated_at = $5 WHERE id = $6 AND status = $7",
    )
    .bind(status)
    .bind(if stock_taken {
        OrderStock::Taken
    } else {
        OrderStock::Released
    })
    .bind(attention_text.as_deref())
    .bind(p.payment_intent)
    .bind(now)
    .bind(p.order_id)
    .bind(order.status)
    .execute(tx)
    .await?;
    if changed == 0 {
        return Ok(PaymentOutcome::AlreadyPaid);
    }
    audit::record(
        tx,
        secret,
        &OrderEvent {
            order_id: p.order_id,
            actor: p.actor,
            action: "payment_received",
            before: Some(order.status),
            after: Some(status),
            detail: attention_text
                .clone()
                .unwrap_or_else(|| "stock taken, sales recorded".into()),
        },
    )
    .await?;
    add_link(tx, p.order_id, &p.link).await?;
    mail::queue(
        tx,
        &Mail {
            to: &order.email,
            subject: p.mail.0.clone(),
            body: p.mail.1.clone(),
            kind: "order_confirmation",
            order_id: Some(p.order_id),
            owner: Some(&order.owner_user_id),
        },
    )
    .await?;
    let total = money(order.total, order.currency);
    let notice = match &attention_text {
        Some(why) => Notice::new(
            &order.owner_user_id,
            "order_needs_attention",
            Level::Error,
            format!("A paid order needs you: {total}"),
        )
        .body(why.clone()),
        None => Notice::new(
            &order.owner_user_id,
            "order_paid",
            Level::Success,
            format!("Order paid: {total}"),
        )
        .body(format!(
            "{} paid. Ship it from the order page.",
            order.email
        )),
    };
    notice
        .source(Source::Web)
        .link(format!("/app/store/orders/{}", p.order_id))
        .once(format!("order_paid:{}", p.order_id))
        .write_in(tx)
        .await?;
    Ok(if attention.is_empty() {
        PaymentOutcome::Paid
    } else {
        PaymentOutcome::NeedsAttention
    })
}

pub async fn take_payment<DB: Store>(
    pool: &sqlx::Pool<DB>,
    secret: &Secret,
    p: &Payment<'_>,
) -> sqlx::Result<PaymentOutcome> {
    let mut tx = pool.begin_write().await?;
    let paid = take_payment_in(&mut tx, secret, p).await?;
    tx.commit().await?;
    Ok(paid)
}
