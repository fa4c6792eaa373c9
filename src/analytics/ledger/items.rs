//! Reading what items and their sales added to the ledger, and changing it when items are
//! edited, returned or deleted (or the whole ledger is worked out again).

use super::{Changes, Delta};
use crate::{
    server::store::{Store, Tx, placeholders, sql},
    with_db,
};

/// Which items a reversal reads.
pub enum Scope<'a> {
    Items(&'a [String]),
    Import(&'a str),
}

impl Scope<'_> {
    /// `AND …` on a table with `owner_user_id = $1`, items' own columns (alias-free).
    fn items_filter(&self) -> String {
        match self {
            Scope::Items(ids) => format!("AND id IN ({})", placeholders(2, ids.len())),
            Scope::Import(_) => "AND import_id = $2".to_string(),
        }
    }

    fn sales_filter(&self) -> String {
        match self {
            Scope::Items(ids) => format!("AND item_id IN ({})", placeholders(2, ids.len())),
            Scope::Import(_) => {
                "AND item_id IN (SELECT id FROM items WHERE owner_user_id = $1 AND import_id = $2)"
                    .to_string()
            }
        }
    }

    fn binds(&self) -> Vec<&str> {
        match self {
            Scope::Items(ids) => ids.iter().map(String::as_str).collect(),
            Scope::Import(id) => vec![id],
        }
    }
}

type DayRow = (String, String, i64, i64, i64, i64);
/// Per currency and day: cost, market value, units, net profit, revenue, fees, sales, days
/// held and how many sales know them.
pub type SaleDayRow = (String, String, i64, i64, i64, i64, i64, i64, i64, i64, i64);

async fn day_rows<DB: Store>(
    tx: &mut Tx<DB>,
    text: &str,
    owner: &str,
    binds: &[&str],
) -> sqlx::Result<Vec<DayRow>> {
    sql(text)
        .bind(owner)
        .bind_all(binds.iter().copied())
        .fetch_all(tx)
        .await
}

/// What the items in `scope` added when they joined the stock, through their market prices,
/// and when their last unit sold (not their sales' money).
pub async fn held_contributions<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    scope: &Scope<'_>,
) -> sqlx::Result<Changes> {
    let filter = scope.items_filter();
    let binds = scope.binds();
    let mut changes = Changes::default();
    let acquired = format!(
        "SELECT currency, acquired_on, CAST(SUM(acq_cost) AS BIGINT), CAST(SUM(acq_market) AS BIGINT), \
         CAST(SUM(acq_units) AS BIGINT), CAST(COUNT(*) AS BIGINT) FROM items WHERE owner_user_id = $1 {filter} \
         GROUP BY currency, acquired_on"
    );
    for (currency, day, cost, market, units, items) in
        day_rows::<DB>(tx, &acquired, owner, &binds).await?
    {
        let mut d = Delta::held(cost, market, units);
        d.items_in = items;
        changes.add(&currency, &day, d);
    }
    let sold_out = format!(
        "SELECT currency, sold_out_on, CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(COUNT(*) AS BIGINT) \
         FROM items WHERE owner_user_id = $1 AND sold_out_on IS NOT NULL {filter} GROUP BY currency, sold_out_on"
    );
    for (currency, day, _, _, _, items) in day_rows::<DB>(tx, &sold_out, owner, &binds).await? {
        let d = Delta {
            items_out: items,
            ..Default::default()
        };
        changes.add(&currency, &day, d);
    }
    let repriced = format!(
        "SELECT currency, market_on, CAST(0 AS BIGINT), CAST(SUM(repriced) AS BIGINT), CAST(0 AS BIGINT), \
         CAST(0 AS BIGINT) FROM items WHERE owner_user_id = $1 AND market_on IS NOT NULL AND repriced <> 0 {filter} \
         GROUP BY currency, market_on"
    );
    for (currency, day, _, market, _, _) in day_rows::<DB>(tx, &repriced, owner, &binds).await? {
        changes.add(&currency, &day, Delta::held(0, market, 0));
    }
    Ok(changes)
}

/// What the sales of the items in `scope` took out and earned.
pub async fn sale_contributions<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    scope: &Scope<'_>,
) -> sqlx::Result<Changes> {
    let sum = |e: &str| format!("CAST(SUM({e}) AS BIGINT)");
    let text = format!(
        "SELECT currency, sold_on, {}, {}, {}, {}, {}, {}, {}, {}, {} FROM sales WHERE owner_user_id = $1 {} \
         GROUP BY currency, sold_on",
        sum("purchase_cost"),
        sum("market_value"),
        sum("quantity - returned"),
        sum("net_profit"),
        sum("sale_price + shipping_charged - refunded"),
        sum("fees"),
        sum("1"),
        sum("COALESCE(days_held, 0)"),
        sum("CASE WHEN days_held IS NULL THEN 0 ELSE 1 END"),
        scope.sales_filter()
    );
    let rows: Vec<SaleDayRow> = sql(text)
        .bind(owner)
        .bind_all(scope.binds())
        .fetch_all(tx)
        .await?;
    let mut changes = Changes::default();
    for (currency, day, cost, market, units, realised, revenue, fees, sales, days, days_n) in rows {
        changes.add(
            &currency,
            &day,
            Delta {
                cost: -cost,
                market: -market,
                units: -units,
                realised,
                revenue,
                fees,
                sold_cost: cost,
                sales,
                units_sold: units,
                held_days: days,
                held_days_n: days_n,
                ..Default::default()
            },
        );
    }
    Ok(changes)
}

/// The UPDATE that works out what items add on the day they joined the stock: held units at
/// their cost and market price, plus what their sales took out; no price moves left over.
/// A held item has not sold out; otherwise `sold_out_on` becomes `sold_out`.
fn restate_sql(sold_out: &str, filter: &str) -> String {
    let held = crate::analytics::service::HELD;
    let sold = |col: &str| {
        format!("COALESCE((SELECT SUM(s.{col}) FROM sales s WHERE s.item_id = items.id), 0)")
    };
    format!(
        "UPDATE items SET \
         acq_units = (CASE WHEN status IN {held} THEN quantity ELSE 0 END) + {}, \
         acq_cost = (CASE WHEN status IN {held} THEN quantity * purchase_price ELSE 0 END) + {}, \
         acq_market = (CASE WHEN status IN {held} THEN quantity * COALESCE(market_unit, purchase_price) ELSE 0 END) + {}, \
         repriced = 0, sold_out_on = CASE WHEN status IN {held} THEN NULL ELSE {sold_out} END \
         WHERE owner_user_id = $1 {filter}",
        sold("quantity - s.returned"),
        sold("purchase_cost"),
        sold("market_value"),
    )
}

/// Works out again what the items add on the day they joined the stock, from their current
/// cost, quantity, status, market price and sales, and changes the ledger by the difference
/// with `before` (what `held_contributions` read before the items changed). Their earlier
/// price moves are folded into the new amount (their history shows today's market price).
pub async fn restate<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    ids: &[String],
    before: Changes,
) -> sqlx::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let scope = Scope::Items(ids);
    let mut changes = -before;
    let text = restate_sql("sold_out_on", &scope.items_filter());
    sql(&text)
        .bind(owner)
        .bind_all(ids.iter().map(String::as_str))
        .execute(tx)
        .await?;
    changes.extend(held_contributions(tx, owner, &scope).await?);
    if let Some(w) = changes.write(DB::BACKEND, owner) {
        w.sql().execute(tx).await?;
    }
    Ok(())
}

/// Removes everything the items in `scope` ever added (their arrival, prices and sales),
/// before they are deleted.
pub async fn forget<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    scope: &Scope<'_>,
) -> sqlx::Result<()> {
    let mut added = held_contributions(tx, owner, scope).await?;
    added.extend(sale_contributions(tx, owner, scope).await?);
    if let Some(w) = (-added).write(DB::BACKEND, owner) {
        w.sql().execute(tx).await?;
    }
    Ok(())
}

/// Works out a reseller's whole ledger again from their items and sales (each item valued
/// at its current market price from the day it joined). For repairs and seeded data; every
/// day-to-day change keeps the ledger up to date on its own.
pub async fn rebuild(
    db: &crate::server::db::Db,
    owner: &str,
) -> Result<(), crate::error::AppError> {
    use crate::server::db::BeginWrite;
    let restate = restate_sql(
        "(SELECT MAX(s.sold_on) FROM sales s WHERE s.item_id = items.id)",
        "",
    );
    let fill = concat!(
        ledger_columns!(),
        "SELECT $1, currency, day, SUM(cost), SUM(market), SUM(units), SUM(realised), SUM(revenue), SUM(fees), \
        SUM(sold_cost), SUM(sales), SUM(units_sold), SUM(held_days), SUM(held_days_n), SUM(items_in), SUM(items_out) FROM ( \
        SELECT currency, acquired_on AS day, acq_cost AS cost, acq_market AS market, acq_units AS units, 0 AS realised, \
        0 AS revenue, 0 AS fees, 0 AS sold_cost, 0 AS sales, 0 AS units_sold, 0 AS held_days, 0 AS held_days_n, \
        1 AS items_in, 0 AS items_out FROM items WHERE owner_user_id = $1 \
        UNION ALL SELECT currency, sold_out_on, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 \
        FROM items WHERE owner_user_id = $1 AND sold_out_on IS NOT NULL \
        UNION ALL SELECT currency, sold_on, -purchase_cost, -market_value, -(quantity - returned), net_profit, \
        sale_price + shipping_charged - refunded, fees, purchase_cost, 1, quantity - returned, COALESCE(days_held, 0), \
        CASE WHEN days_held IS NULL THEN 0 ELSE 1 END, 0, 0 FROM sales WHERE owner_user_id = $1) AS ledger \
        GROUP BY currency, day"
    );
    with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        sqlx::query(&restate).bind(owner).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM worth_days WHERE owner_user_id = $1").bind(owner).execute(&mut *tx).await?;
        sqlx::query(fill).bind(owner).execute(&mut *tx).await?;
        tx.commit().await
    }.await)?;
    Ok(())
}
