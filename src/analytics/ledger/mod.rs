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

use crate::server::{
    db::Backend,
    dialect::{self, Col},
};

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
            sql: add_sql(backend),
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

/// Adds the JSON rows at `$2` to owner `$1`'s ledger, made once per backend.
fn add_sql(backend: Backend) -> &'static str {
    fn make(backend: Backend) -> String {
        const INT: Col = Col::Int;
        let columns = [
            ("currency", Col::Text),
            ("day", Col::Text),
            ("cost", INT),
            ("market", INT),
            ("units", INT),
            ("realised", INT),
            ("revenue", INT),
            ("fees", INT),
            ("sold_cost", INT),
            ("sales", INT),
            ("units_sold", INT),
            ("held_days", INT),
            ("held_days_n", INT),
            ("items_in", INT),
            ("items_out", INT),
        ];
        // `WHERE true` tells SQLite's parser that ON CONFLICT belongs to the INSERT.
        format!(
            concat!(
                ledger_columns!(),
                "{}SELECT $1, x.currency, x.day, x.cost, x.market, x.units, x.realised, \
             x.revenue, x.fees, x.sold_cost, x.sales, x.units_sold, x.held_days, x.held_days_n, x.items_in, \
             x.items_out FROM x WHERE true ",
                upsert!()
            ),
            dialect::json_rows(backend, 2, &columns)
        )
    }
    static SQL: dialect::PerBackend = dialect::PerBackend::new(make);
    SQL.sql(backend)
}

// After the macros above, which it uses too.
mod items;
pub use items::{Scope, forget, held_contributions, rebuild, restate, sale_contributions};

pub struct LedgerWrite {
    sql: &'static str,
    owner: String,
    json: String,
}

impl LedgerWrite {
    pub fn sql(&self) -> crate::server::store::Sql<'_> {
        crate::server::store::sql(self.sql)
            .bind(self.owner.as_str())
            .bind(self.json.as_str())
    }
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
