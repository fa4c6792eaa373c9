//! Market prices over time. Every price is kept with its source and time (so a day's worth
//! can be worked out again); the newest one is the item's market price, and the change it
//! makes to the value of the units held goes to the worth ledger on the reseller's day.

use time::OffsetDateTime;

use super::ledger::{Changes, Delta};
use crate::{
    domain::{Currency, Money, item::ItemStatus},
    error::AppError,
    server::db::{BeginWrite, Db, new_id},
    with_db,
};

/// Sets an item's market price by hand, today (`now` on the app's clock, which the catalog's
/// price refresh compares it with); answers the item's new version.
pub async fn set_manual(
    db: &Db,
    owner: &str,
    id: &str,
    version: i64,
    price: &str,
    now: OffsetDateTime,
) -> Result<i64, AppError> {
    let today = super::service::owner_today(db, owner).await?;
    record(db, owner, id, version, price, &today, now).await
}

/// Records a market price seen on the reseller's `day` (at `observed_at`): the item's market
/// price from then on, its change to the held units' value on that day of the ledger.
pub async fn record(
    db: &Db,
    owner: &str,
    id: &str,
    version: i64,
    price: &str,
    day: &str,
    observed_at: OffsetDateTime,
) -> Result<i64, AppError> {
    type ItemRow = (String, String, i64, i64, Option<i64>, i64);
    let item: Option<ItemRow> = with_db!(db, pool => sqlx::query_as(
        "SELECT status, currency, quantity, purchase_price, market_unit, version FROM items WHERE id = $1 AND owner_user_id = $2")
        .bind(id).bind(owner).fetch_optional(pool).await)?;
    let (status, currency, quantity, cost, market_unit, current) =
        item.ok_or(AppError::NotFound)?;
    if current != version {
        return Err(crate::inventory::service::changed_elsewhere());
    }
    let currency =
        Currency::parse(&currency).map_err(|e| AppError::field("price", e.to_string()))?;
    let price =
        Money::parse(price, currency).map_err(|e| AppError::field("price", e.to_string()))?;
    if price.amount < 0 {
        return Err(AppError::field(
            "price",
            "A market price cannot be negative.",
        ));
    }
    let held = ItemStatus::parse(&status).is_some_and(ItemStatus::is_held);
    let change = PriceChange {
        owner,
        id,
        held,
        quantity,
        before: market_unit.unwrap_or(cost),
        currency,
        amount: price.amount,
        source: "manual",
        day,
        observed_at,
    };
    if !write(db, &change, Some(version)).await? {
        return Err(crate::inventory::service::changed_elsewhere());
    }
    Ok(version + 1)
}

/// A new market price for one item, and what it changes in the worth ledger.
struct PriceChange<'a> {
    owner: &'a str,
    id: &'a str,
    held: bool,
    quantity: i64,
    /// What one unit counted at until now (the last market price, else the cost).
    before: i64,
    currency: Currency,
    amount: i64,
    source: &'a str,
    day: &'a str,
    observed_at: OffsetDateTime,
}

/// Writes the price, its history row and the ledger change in one transaction; `false` when
/// the item changed meanwhile (its version, or for a catalog price its market price moved).
async fn write(db: &Db, c: &PriceChange<'_>, version: Option<i64>) -> Result<bool, AppError> {
    let delta = if c.held {
        (c.amount - c.before)
            .checked_mul(c.quantity)
            .ok_or_else(|| AppError::field("price", "That price is too large."))?
    } else {
        0
    };
    let mut changes = Changes::default();
    changes.add(c.currency.code(), c.day, Delta::held(0, delta, 0));
    let ledger = changes.write(db.backend(), c.owner);
    let now = OffsetDateTime::now_utc();
    // A catalog price holds the item by what it counted at instead of its version: the
    // reseller may be editing other fields meanwhile.
    let (guard, expected) = match version {
        Some(v) => ("version = $7", v),
        None => ("COALESCE(market_unit, purchase_price) = $7", c.before),
    };
    let update = format!(
        "UPDATE items SET market_unit = $1, market_on = $2, repriced = repriced + $3, \
         version = version + 1, updated_at = $4 WHERE id = $5 AND owner_user_id = $6 AND {guard}"
    );
    Ok(with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let changed = sqlx::query(&update)
            .bind(c.amount).bind(c.day).bind(delta).bind(now).bind(c.id).bind(c.owner).bind(expected)
            .execute(&mut *tx).await?.rows_affected();
        if changed == 0 {
            return Ok::<_, sqlx::Error>(false);
        }
        sqlx::query("INSERT INTO market_prices (id, owner_user_id, item_id, catalog_product_id, currency, price, source, observed_at) \
            VALUES ($1, $2, $3, NULL, $4, $5, $6, $7)")
            .bind(new_id()).bind(c.owner).bind(c.id).bind(c.currency.code()).bind(c.amount)
            .bind(c.source).bind(c.observed_at)
            .execute(&mut *tx).await?;
        if let Some(w) = &ledger {
            w.sql().execute(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }.await)?)
}

/// A held item of `owner` takes its catalog product's market price (`source`, seen at
/// `observed_at`), through the same write path as a price set by hand; nothing happens when
/// it already counts at that price. `true` when it moved.
pub async fn reprice_from_catalog(
    db: &Db,
    owner: &str,
    id: &str,
    amount: i64,
    source: &str,
    observed_at: OffsetDateTime,
) -> Result<bool, AppError> {
    type Row = (String, String, i64, i64, Option<i64>);
    let item: Option<Row> = with_db!(db, pool => sqlx::query_as(
        "SELECT status, currency, quantity, purchase_price, market_unit FROM items WHERE id = $1 AND owner_user_id = $2")
        .bind(id).bind(owner).fetch_optional(pool).await)?;
    let Some((status, currency, quantity, cost, market_unit)) = item else {
        return Ok(false);
    };
    if market_unit == Some(amount) || amount < 0 {
        return Ok(false);
    }
    let currency =
        Currency::parse(&currency).map_err(|e| AppError::field("price", e.to_string()))?;
    let day = super::service::owner_today(db, owner).await?;
    let change = PriceChange {
        owner,
        id,
        held: ItemStatus::parse(&status).is_some_and(ItemStatus::is_held),
        quantity,
        before: market_unit.unwrap_or(cost),
        currency,
        amount,
        source,
        day: &day,
        observed_at,
    };
    write(db, &change, None).await
}
