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

/// Sets an item's market price by hand, today; answers the item's new version.
pub async fn set_manual(
    db: &Db,
    owner: &str,
    id: &str,
    version: i64,
    price: &str,
) -> Result<i64, AppError> {
    let today = super::service::owner_today(db, owner).await?;
    record(
        db,
        owner,
        id,
        version,
        price,
        &today,
        OffsetDateTime::now_utc(),
    )
    .await
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
    let delta = if held {
        (price.amount - market_unit.unwrap_or(cost))
            .checked_mul(quantity)
            .ok_or_else(|| AppError::field("price", "That price is too large."))?
    } else {
        0
    };
    let mut changes = Changes::default();
    changes.add(currency.code(), day, Delta::held(0, delta, 0));
    let ledger = changes.write(db.backend(), owner);
    let now = OffsetDateTime::now_utc();
    let written = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let changed = sqlx::query("UPDATE items SET market_unit = $1, market_on = $2, repriced = repriced + $3, \
            version = version + 1, updated_at = $4 WHERE id = $5 AND owner_user_id = $6 AND version = $7")
            .bind(price.amount).bind(day).bind(delta).bind(now).bind(id).bind(owner).bind(version)
            .execute(&mut *tx).await?.rows_affected();
        if changed == 0 {
            return Ok::<_, sqlx::Error>(false);
        }
        sqlx::query("INSERT INTO market_prices (id, owner_user_id, item_id, catalog_product_id, currency, price, source, observed_at) \
            VALUES ($1, $2, $3, NULL, $4, $5, 'manual', $6)")
            .bind(new_id()).bind(owner).bind(id).bind(currency.code()).bind(price.amount).bind(observed_at)
            .execute(&mut *tx).await?;
        if let Some(w) = &ledger {
            w.sql().execute(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }.await)?;
    if !written {
        return Err(crate::inventory::service::changed_elsewhere());
    }
    Ok(version + 1)
}
