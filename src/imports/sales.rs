//! What imported rows say beyond the item — sold (and how), shipped, still on its way, its
//! market price — written in the batch's transaction right after its items. The worth ledger
//! is then worked out again for those items from what was written (`ledger::restate` and
//! `ledger::sale_contributions`), the same sums a sale through the form adds; a market price
//! moves the worth on the day it was seen, as one set by hand does.

use time::OffsetDateTime;

use crate::{
    analytics::{
        ledger::{Delta, Scope, held_contributions, restate, sale_contributions},
        periods::days_from,
    },
    domain::import::sale::ItemPlan,
    server::{
        db::new_id,
        store::{Store, Tx, sql},
    },
};

/// An imported item that needs more than its row: its id, the day it joined, its plan.
pub struct Settle<'a> {
    pub id: &'a str,
    pub acquired_on: &'a str,
    pub plan: &'a ItemPlan,
}

impl Settle<'_> {
    pub fn needed(plan: &ItemPlan) -> bool {
        !plan.sales.is_empty()
            || !plan.shipments.is_empty()
            || plan.market.is_some()
            || plan.purchased
    }
}

pub async fn settle<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    items: &[Settle<'_>],
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = items.iter().map(|s| s.id.to_string()).collect();
    let before = held_contributions(tx, owner, &Scope::Items(&ids)).await?;
    for s in items {
        let plan = s.plan;
        let sold_out_on = (plan.remaining == 0)
            .then(|| plan.sales.iter().map(|x| x.sale.sold_on.as_str()).max())
            .flatten();
        sql("UPDATE items SET status = $1, quantity = $2, sold_out_on = $3 WHERE id = $4 AND owner_user_id = $5")
            .bind(plan.status().as_str()).bind(plan.stored_quantity()).bind(sold_out_on)
            .bind(s.id).bind(owner)
            .execute(tx).await?;
        for (n, row) in plan.sales.iter().enumerate() {
            let sale = &row.sale;
            let f = &sale.figures;
            // What the units were worth when they sold: the market price if it was known by
            // then, their cost otherwise.
            let unit_value = match &plan.market {
                Some((price, Some(on))) if *on <= sale.sold_on => price.amount,
                _ => plan.item.purchase_price.amount,
            };
            // Sales keep the file's order: they are read back by when they were written.
            let written = now + time::Duration::microseconds(n as i64);
            sql("INSERT INTO sales (id, item_id, owner_user_id, quantity, channel, channel_name, currency, sale_price, \
                 shipping_charged, fees, shipping_paid, purchase_cost, net_profit, sold_on, created_at, market_value, days_held, \
                 refunded, returned) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)")
                .bind(new_id()).bind(s.id).bind(owner).bind(sale.quantity).bind(sale.channel.as_str())
                .bind(&row.channel_name).bind(f.sale_price.currency.code()).bind(f.sale_price.amount)
                .bind(f.shipping_charged.amount).bind(f.fees.amount).bind(f.shipping_paid.amount)
                .bind(f.purchase_cost.amount).bind(sale.net_profit.amount).bind(sale.sold_on.as_str())
                .bind(written).bind(unit_value.saturating_mul(sale.quantity - row.returned))
                .bind(days_from(s.acquired_on, &sale.sold_on))
                .bind(row.refunded.amount).bind(row.returned)
                .execute(tx).await?;
        }
        for (n, shipment) in plan.shipments.iter().enumerate() {
            sql("INSERT INTO shipments (id, item_id, owner_user_id, carrier, tracking_code, shipped_on, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(new_id()).bind(s.id).bind(owner).bind(shipment.carrier.as_str())
                .bind(shipment.tracking_code.as_str()).bind(shipment.shipped_on.as_str())
                .bind(now + time::Duration::microseconds(n as i64))
                .execute(tx).await?;
        }
    }
    restate(tx, owner, &ids, before).await?;
    let mut changes = sale_contributions(tx, owner, &Scope::Items(&ids)).await?;
    // A market price moves the held units' worth on the day it was seen, as a price set by
    // hand does (not back to the day they were bought).
    for s in items {
        let Some((price, on)) = &s.plan.market else {
            continue;
        };
        let on = on.as_deref().unwrap_or(s.acquired_on);
        let held = if s.plan.status().is_held() {
            s.plan.stored_quantity()
        } else {
            0
        };
        let delta = (price.amount - s.plan.item.purchase_price.amount).saturating_mul(held);
        sql("UPDATE items SET market_unit = $1, market_on = $2, repriced = $3 WHERE id = $4 AND owner_user_id = $5")
            .bind(price.amount).bind(on).bind(delta).bind(s.id).bind(owner)
            .execute(tx).await?;
        let observed_at =
            time::Date::parse(on, &time::format_description::well_known::Iso8601::DATE)
                .map_or(now, |d| d.midnight().assume_utc());
        sql("INSERT INTO market_prices (id, owner_user_id, item_id, catalog_product_id, currency, price, source, observed_at) \
             VALUES ($1, $2, $3, NULL, $4, $5, 'import', $6)")
            .bind(new_id()).bind(owner).bind(s.id).bind(price.currency.code()).bind(price.amount).bind(observed_at)
            .execute(tx).await?;
        changes.add(price.currency.code(), on, Delta::held(0, delta, 0));
    }
    if let Some(w) = changes.write(DB::BACKEND, owner) {
        w.sql().execute(tx).await?;
    }
    Ok(())
}
