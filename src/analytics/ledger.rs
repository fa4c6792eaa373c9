//! The worth ledger: per owner, currency and local day, how much the cost basis, the market
//! value, the units held and the realised profit changed. A running sum over the days gives
//! what was held and what it was worth on any day, so the two-year series reads a few hundred
//! small rows instead of every item.
//!
//! Every write that changes what a reseller holds adds its change in the same transaction:
//! - an item joins the stock on `acquired_on` (what it added is kept on the item, `acq_*`);
//! - a market price moves the market value of the units held that day (summed on the item
//!   as `repriced`, on the day of its latest price, `market_on`);
//! - a sale takes its units out on `sold_on` at their cost and market value (kept on the
//!   sale) and adds its net profit.
//!
//! Editing an item's cost, quantity or dates reverses what the item added and adds it again
//! from its current state ("restate"); deleting reverses everything, sales included.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{server::db::Backend, with_db};

/// A change to the ledger, in minor units of one currency: what is held (cost, market value,
/// units) and what sold that day (net profit, revenue, fees, cost of what sold, sales, units,
/// days held).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Delta {
    pub cost: i64,
    pub market: i64,
    pub units: i64,
    pub realised: i64,
    pub revenue: i64,
    pub fees: i64,
    pub sold_cost: i64,
    pub sales: i64,
    pub units_sold: i64,
    pub held_days: i64,
    pub held_days_n: i64,
    pub items_in: i64,
    pub items_out: i64,
}

impl Delta {
    pub fn held(cost: i64, market: i64, units: i64) -> Delta {
        Delta {
            cost,
            market,
            units,
            ..Default::default()
        }
    }

    fn fields(&mut self) -> [&mut i64; 13] {
        [
            &mut self.cost,
            &mut self.market,
            &mut self.units,
            &mut self.realised,
            &mut self.revenue,
            &mut self.fees,
            &mut self.sold_cost,
            &mut self.sales,
            &mut self.units_sold,
            &mut self.held_days,
            &mut self.held_days_n,
            &mut self.items_in,
            &mut self.items_out,
        ]
    }

    pub fn negated(mut self) -> Delta {
        for f in self.fields() {
            *f = -*f;
        }
        self
    }

    fn is_zero(&self) -> bool {
        *self == Delta::default()
    }
}

impl std::ops::AddAssign for Delta {
    fn add_assign(&mut self, mut other: Delta) {
        for (a, b) in self.fields().into_iter().zip(other.fields()) {
            *a += *b;
        }
    }
}

/// Changes to write, summed per (currency, day) so one statement writes each day once.
#[derive(Debug, Default)]
pub struct Changes(BTreeMap<(String, String), Delta>);

impl Changes {
    pub fn add(&mut self, currency: &str, day: &str, d: Delta) {
        *self
            .0
            .entry((currency.to_string(), day.to_string()))
            .or_default() += d;
    }

    pub fn extend(&mut self, other: Changes) {
        for ((currency, day), d) in other.0 {
            self.add(&currency, &day, d);
        }
    }

    /// The statement that adds these changes to the owner's ledger (None when nothing changes).
    pub fn write(&self, backend: Backend, owner: &str) -> Option<LedgerWrite> {
        #[derive(Serialize)]
        struct Row<'a> {
            currency: &'a str,
            day: &'a str,
            #[serde(flatten)]
            delta: Delta,
        }
        let rows: Vec<Row> = self
            .0
            .iter()
            .filter(|(_, d)| !d.is_zero())
            .map(|((currency, day), delta)| Row {
                currency,
                day,
                delta: *delta,
            })
            .collect();
        if rows.is_empty() {
            return None;
        }
        Some(LedgerWrite {
            sql: match backend {
                Backend::Sqlite => SQLITE_ADD,
                Backend::Postgres => POSTGRES_ADD,
            },
            owner: owner.to_string(),
            json: serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into()),
        })
    }
}

macro_rules! upsert {
    () => {
        "ON CONFLICT (owner_user_id, currency, day) DO UPDATE SET \
    cost = worth_days.cost + excluded.cost, market = worth_days.market + excluded.market, \
    units = worth_days.units + excluded.units, realised = worth_days.realised + excluded.realised, \
    revenue = worth_days.revenue + excluded.revenue, fees = worth_days.fees + excluded.fees, \
    sold_cost = worth_days.sold_cost + excluded.sold_cost, sales = worth_days.sales + excluded.sales, \
    units_sold = worth_days.units_sold + excluded.units_sold, held_days = worth_days.held_days + excluded.held_days, \
    held_days_n = worth_days.held_days_n + excluded.held_days_n, \
    items_in = worth_days.items_in + excluded.items_in, items_out = worth_days.items_out + excluded.items_out"
    };
}

macro_rules! ledger_columns {
    () => {
        "INSERT INTO worth_days (owner_user_id, currency, day, cost, market, units, realised, revenue, fees, \
         sold_cost, sales, units_sold, held_days, held_days_n, items_in, items_out) "
    };
}

const SQLITE_ADD: &str = concat!(
    ledger_columns!(),
    "SELECT $1, v ->> 'currency', v ->> 'day', v ->> 'cost', v ->> 'market', v ->> 'units', v ->> 'realised', \
     v ->> 'revenue', v ->> 'fees', v ->> 'sold_cost', v ->> 'sales', v ->> 'units_sold', v ->> 'held_days', \
     v ->> 'held_days_n', v ->> 'items_in', v ->> 'items_out' FROM (SELECT jsonb(value) AS v FROM json_each($2)) WHERE true ",
    upsert!()
);

const POSTGRES_ADD: &str = concat!(
    ledger_columns!(),
    "SELECT $1, x.currency, x.day, x.cost, x.market, x.units, x.realised, x.revenue, x.fees, x.sold_cost, x.sales, \
     x.units_sold, x.held_days, x.held_days_n, x.items_in, x.items_out FROM json_to_recordset($2::json) AS x(currency text, \
     day text, cost bigint, market bigint, units bigint, realised bigint, revenue bigint, fees bigint, sold_cost bigint, \
     sales bigint, units_sold bigint, held_days bigint, held_days_n bigint, items_in bigint, items_out bigint) ",
    upsert!()
);

pub struct LedgerWrite {
    sql: &'static str,
    owner: String,
    json: String,
}

impl LedgerWrite {
    pub fn query<DB>(&self) -> sqlx::query::Query<'_, DB, <DB as sqlx::Database>::Arguments<'_>>
    where
        DB: sqlx::Database,
        for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        sqlx::query(self.sql)
            .bind(self.owner.as_str())
            .bind(self.json.as_str())
    }
}

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

fn placeholders(first: usize, count: usize) -> String {
    (0..count)
        .map(|i| format!("${}", first + i))
        .collect::<Vec<_>>()
        .join(", ")
}

type DayRow = (String, String, i64, i64, i64, i64);
/// Per currency and day: cost, market value, units, net profit, revenue, fees, sales, days
/// held and how many sales know them.
pub type SaleDayRow = (String, String, i64, i64, i64, i64, i64, i64, i64, i64, i64);

async fn day_rows<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    sql: &str,
    owner: &str,
    binds: &[&str],
) -> sqlx::Result<Vec<DayRow>>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> DayRow: sqlx::FromRow<'r, DB::Row>,
{
    let mut q = sqlx::query_as::<DB, DayRow>(sql).bind(owner);
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_all(&mut **tx).await
}

/// What the items in `scope` added when they joined the stock, through their market prices,
/// and when their last unit sold (not their sales' money).
pub async fn held_contributions<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    owner: &str,
    scope: &Scope<'_>,
) -> sqlx::Result<Changes>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> DayRow: sqlx::FromRow<'r, DB::Row>,
{
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
pub async fn sale_contributions<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    owner: &str,
    scope: &Scope<'_>,
) -> sqlx::Result<Changes>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> SaleDayRow: sqlx::FromRow<'r, DB::Row>,
{
    let sum = |e: &str| format!("CAST(SUM({e}) AS BIGINT)");
    let sql = format!(
        "SELECT currency, sold_on, {}, {}, {}, {}, {}, {}, {}, {}, {} FROM sales WHERE owner_user_id = $1 {} \
         GROUP BY currency, sold_on",
        sum("purchase_cost"),
        sum("market_value"),
        sum("quantity"),
        sum("net_profit"),
        sum("sale_price + shipping_charged"),
        sum("fees"),
        sum("1"),
        sum("COALESCE(days_held, 0)"),
        sum("CASE WHEN days_held IS NULL THEN 0 ELSE 1 END"),
        scope.sales_filter()
    );
    let mut q = sqlx::query_as::<DB, SaleDayRow>(&sql).bind(owner);
    for b in scope.binds() {
        q = q.bind(b);
    }
    let mut changes = Changes::default();
    for (currency, day, cost, market, units, realised, revenue, fees, sales, days, days_n) in
        q.fetch_all(&mut **tx).await?
    {
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

/// Works out again what the items add on the day they joined the stock, from their current
/// cost, quantity, status, market price and sales, and changes the ledger by the difference
/// with `before` (what `held_contributions` read before the items changed). Their earlier
/// price moves are folded into the new amount (their history shows today's market price).
pub async fn restate<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    backend: Backend,
    owner: &str,
    ids: &[String],
    before: Changes,
) -> sqlx::Result<()>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> DayRow: sqlx::FromRow<'r, DB::Row>,
{
    if ids.is_empty() {
        return Ok(());
    }
    let scope = Scope::Items(ids);
    let mut changes = -before;
    let held = crate::analytics::service::HELD;
    let sold = |col: &str| {
        format!("COALESCE((SELECT SUM(s.{col}) FROM sales s WHERE s.item_id = items.id), 0)")
    };
    let sql = format!(
        "UPDATE items SET \
         acq_units = (CASE WHEN status IN {held} THEN quantity ELSE 0 END) + {}, \
         acq_cost = (CASE WHEN status IN {held} THEN quantity * purchase_price ELSE 0 END) + {}, \
         acq_market = (CASE WHEN status IN {held} THEN quantity * COALESCE(market_unit, purchase_price) ELSE 0 END) + {}, \
         repriced = 0, sold_out_on = CASE WHEN status IN {held} THEN NULL ELSE sold_out_on END \
         WHERE owner_user_id = $1 {}",
        sold("quantity"),
        sold("purchase_cost"),
        sold("market_value"),
        scope.items_filter()
    );
    let mut q = sqlx::query::<DB>(&sql).bind(owner);
    for id in ids {
        q = q.bind(id.as_str());
    }
    q.execute(&mut **tx).await?;
    changes.extend(held_contributions(tx, owner, &scope).await?);
    if let Some(w) = changes.write(backend, owner) {
        w.query::<DB>().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Removes everything the items in `scope` ever added (their arrival, prices and sales),
/// before they are deleted.
pub async fn forget<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    backend: Backend,
    owner: &str,
    scope: &Scope<'_>,
) -> sqlx::Result<()>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> DayRow: sqlx::FromRow<'r, DB::Row>,
    for<'r> SaleDayRow: sqlx::FromRow<'r, DB::Row>,
{
    let mut added = held_contributions(tx, owner, scope).await?;
    added.extend(sale_contributions(tx, owner, scope).await?);
    if let Some(w) = (-added).write(backend, owner) {
        w.query::<DB>().execute(&mut **tx).await?;
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
    let held = crate::analytics::service::HELD;
    let sold = |col: &str| {
        format!("COALESCE((SELECT SUM(s.{col}) FROM sales s WHERE s.item_id = items.id), 0)")
    };
    let restate = format!(
        "UPDATE items SET \
         acq_units = (CASE WHEN status IN {held} THEN quantity ELSE 0 END) + {}, \
         acq_cost = (CASE WHEN status IN {held} THEN quantity * purchase_price ELSE 0 END) + {}, \
         acq_market = (CASE WHEN status IN {held} THEN quantity * COALESCE(market_unit, purchase_price) ELSE 0 END) + {}, \
         repriced = 0, sold_out_on = CASE WHEN status IN {held} THEN NULL ELSE \
         (SELECT MAX(s.sold_on) FROM sales s WHERE s.item_id = items.id) END WHERE owner_user_id = $1",
        sold("quantity"),
        sold("purchase_cost"),
        sold("market_value"),
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
        UNION ALL SELECT currency, sold_on, -purchase_cost, -market_value, -quantity, net_profit, \
        sale_price + shipping_charged, fees, purchase_cost, 1, quantity, COALESCE(days_held, 0), \
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

impl std::ops::Neg for Changes {
    type Output = Changes;
    fn neg(self) -> Changes {
        Changes(self.0.into_iter().map(|(k, d)| (k, d.negated())).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_sum_per_currency_and_day_and_skip_zeroes() {
        let mut c = Changes::default();
        c.add("USD", "2026-01-02", Delta::held(100, 150, 1));
        c.add("USD", "2026-01-02", Delta::held(50, 50, 1));
        c.add("EUR", "2026-01-02", Delta::held(10, 10, 1));
        c.add("USD", "2026-01-03", Delta::held(5, 5, 1));
        c.add("USD", "2026-01-03", Delta::held(-5, -5, -1));
        assert_eq!(
            c.0[&("USD".into(), "2026-01-02".into())],
            Delta::held(150, 200, 2)
        );
        let w = c.write(Backend::Sqlite, "u").expect("something to write");
        assert!(!w.json.contains("2026-01-03"), "{}", w.json);
        assert!(w.json.contains("\"currency\":\"EUR\""), "{}", w.json);
        let empty = -Changes::default();
        assert!(empty.write(Backend::Postgres, "u").is_none());
    }
}
