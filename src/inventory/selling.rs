//! Selling units of an item from another capability's transaction (a paid storefront order,
//! a sale a connected channel reports): the same bookkeeping as a sale recorded by hand.

use time::OffsetDateTime;

use crate::{
    analytics::ledger::{Changes, Delta},
    server::{
        db::new_id,
        store::{Store, Tx, sql},
    },
};

/// Where units sold.
#[derive(Debug, Clone, Copy)]
pub enum SoldOn<'a> {
    Storefront,
    /// A sales channel, by its name ("Whatnot shop").
    Channel(&'a str),
}

impl SoldOn<'_> {
    fn code(self) -> &'static str {
        match self {
            SoldOn::Storefront => "storefront",
            SoldOn::Channel(_) => "other",
        }
    }

    fn name(self) -> Option<String> {
        match self {
            SoldOn::Storefront => None,
            SoldOn::Channel(name) => Some(name.to_string()),
        }
    }
}

/// Units sold at `unit_price` each, with `shipping` charged on top, on `sold_on` (a day).
#[derive(Debug, Clone, Copy)]
pub struct Units<'a> {
    pub quantity: i64,
    pub unit_price: i64,
    pub shipping: i64,
    pub sold_on: &'a str,
    pub channel: SoldOn<'a>,
}

/// Sells units of an item, as a sale recorded in the inventory would: the item's quantity
/// (or status, when these were its last units), the sale with its net profit, and the worth
/// ledger's change in `changes`. `None` when the item no longer holds those units. Answers the
/// sale's id and whether the item is now sold out.
pub async fn sell_units<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    item_id: &str,
    units: &Units<'_>,
    changes: &mut Changes,
) -> sqlx::Result<Option<(String, bool)>> {
    let Units {
        quantity,
        unit_price,
        shipping,
        sold_on,
        channel,
    } = *units;
    let now = OffsetDateTime::now_utc();
    // One statement takes the units (or marks the item sold when these were its last) and
    // answers what the sale needs: every statement is a trip to the database's thread, taken
    // while holding SQLite's write turn.
    let item: Option<(String, i64, i64, String, String)> = sql(
        "UPDATE items SET \
           status = CASE WHEN quantity = $1 THEN 'sold' ELSE status END, \
           sold_out_on = CASE WHEN quantity = $1 THEN $2 ELSE sold_out_on END, \
           quantity = CASE WHEN quantity = $1 THEN quantity ELSE quantity - $1 END, \
           version = version + 1, updated_at = $3 \
         WHERE id = $4 AND owner_user_id = $5 AND status IN ('in_stock', 'listed', 'reserved') AND quantity >= $1 \
         RETURNING status, purchase_price, COALESCE(market_unit, purchase_price), acquired_on, currency",
    )
    .bind(quantity)
    .bind(sold_on)
    .bind(now)
    .bind(item_id)
    .bind(owner)
    .fetch_optional(tx)
    .await?;
    let Some((status, unit_cost, unit_value, acquired_on, currency)) = item else {
        return Ok(None);
    };
    let sold_out = status == "sold";
    let price = unit_price.saturating_mul(quantity);
    let cost = unit_cost.saturating_mul(quantity);
    let market_value = unit_value.saturating_mul(quantity);
    let net = price + shipping - cost;
    let days_held = crate::analytics::periods::days_from(&acquired_on, sold_on);
    let sale_id = new_id();
    sql(
        "INSERT INTO sales (id, item_id, owner_user_id, quantity, currency, sale_price, shipping_charged, fees, \
         shipping_paid, purchase_cost, net_profit, sold_on, created_at, market_value, days_held, channel, channel_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&sale_id)
    .bind(item_id)
    .bind(owner)
    .bind(quantity)
    .bind(&currency)
    .bind(price)
    .bind(shipping)
    .bind(cost)
    .bind(net)
    .bind(sold_on)
    .bind(now)
    .bind(market_value)
    .bind(days_held)
    .bind(channel.code())
    .bind(channel.name())
    .execute(tx)
    .await?;
    changes.add(
        &currency,
        sold_on,
        Delta {
            cost: -cost,
            market: -market_value,
            units: -quantity,
            realised: net,
            revenue: price + shipping,
            fees: 0,
            sold_cost: cost,
            sales: 1,
            units_sold: quantity,
            held_days: days_held.unwrap_or(0),
            held_days_n: i64::from(days_held.is_some()),
            items_in: 0,
            items_out: i64::from(sold_out),
        },
    );
    Ok(Some((sale_id, sold_out)))
}
