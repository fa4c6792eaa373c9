//! `flipdesk bench --analytics`: one reseller with many items (two years of purchases), half
//! of them sold, a catalog of products with a long market-price history, and the worth
//! ledger built from them; then the dashboard's queries are timed in the server (no HTTP,
//! no load generator sharing the cores), one after another.

use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::{
    analytics::{
        periods,
        service::{charts, kpis, worth_series},
        types::{PeriodKind, PeriodQuery},
    },
    server::db::{Backend, BeginWrite, Db},
    with_db,
};

const ANALYST: &str = "bench-analyst@flipdesk.test";

/// Products in the synthetic catalog; price points are spread over them.
const PRODUCTS: usize = 5_000;

fn items_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $2) \
             INSERT INTO items (id, owner_user_id, kind, status, name, quantity, purchase_price, currency, purchase_date, \
             tags, search_text, version, created_at, updated_at, brand, card_set, catalog_product_id, acquired_on) \
             SELECT 'a' || i, $1, CASE i % 3 WHEN 0 THEN 'card' ELSE 'sneaker' END, \
             CASE WHEN i % 2 = 0 AND i < 2 * $3 THEN 'sold' ELSE 'in_stock' END, 'Item ' || i, 1, \
             1000 + (i * 7919) % 90000, 'USD', date('now', '-' || (i % 730) || ' days'), '', 'item ' || i, 1, $4, $4, \
             CASE i % 3 WHEN 0 THEN NULL ELSE 'Brand ' || (i % 7) END, CASE i % 3 WHEN 0 THEN 'Set ' || (i % 11) END, \
             'prod' || (i % $5), date('now', '-' || (i % 730) || ' days') FROM n"
        }
        Backend::Postgres => {
            "INSERT INTO items (id, owner_user_id, kind, status, name, quantity, purchase_price, currency, purchase_date, \
             tags, search_text, version, created_at, updated_at, brand, card_set, catalog_product_id, acquired_on) \
             SELECT 'a' || i, $1, CASE i % 3 WHEN 0 THEN 'card' ELSE 'sneaker' END, \
             CASE WHEN i % 2 = 0 AND i < 2 * $3 THEN 'sold' ELSE 'in_stock' END, 'Item ' || i, 1, \
             1000 + (i * 7919) % 90000, 'USD', to_char(current_date - (i % 730)::int, 'YYYY-MM-DD'), '', 'item ' || i, 1, $4, $4, \
             CASE i % 3 WHEN 0 THEN NULL ELSE 'Brand ' || (i % 7) END, CASE i % 3 WHEN 0 THEN 'Set ' || (i % 11) END, \
             'prod' || (i % $5), to_char(current_date - (i % 730)::int, 'YYYY-MM-DD') \
             FROM generate_series(0::bigint, $2 - 1) AS i"
        }
    }
}

fn sales_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "INSERT INTO sales (id, item_id, owner_user_id, quantity, channel, currency, sale_price, shipping_charged, fees, \
             shipping_paid, purchase_cost, net_profit, sold_on, created_at, market_value, days_held) \
             SELECT 's' || id, id, owner_user_id, 1, CASE purchase_price % 4 WHEN 0 THEN 'ebay' WHEN 1 THEN 'stockx' \
             WHEN 2 THEN 'storefront' ELSE 'in_person' END, currency, purchase_price * 13 / 10, 0, purchase_price * 13 / 100, 0, \
             purchase_price, purchase_price * 13 / 10 - purchase_price * 13 / 100 - purchase_price, \
             min(date(acquired_on, '+' || (purchase_price % 90) || ' days'), date('now')), $2, purchase_price, purchase_price % 90 \
             FROM items WHERE owner_user_id = $1 AND status = 'sold'"
        }
        Backend::Postgres => {
            "INSERT INTO sales (id, item_id, owner_user_id, quantity, channel, currency, sale_price, shipping_charged, fees, \
             shipping_paid, purchase_cost, net_profit, sold_on, created_at, market_value, days_held) \
             SELECT 's' || id, id, owner_user_id, 1, CASE purchase_price % 4 WHEN 0 THEN 'ebay' WHEN 1 THEN 'stockx' \
             WHEN 2 THEN 'storefront' ELSE 'in_person' END, currency, purchase_price * 13 / 10, 0, purchase_price * 13 / 100, 0, \
             purchase_price, purchase_price * 13 / 10 - purchase_price * 13 / 100 - purchase_price, \
             LEAST(to_char(acquired_on::date + (purchase_price % 90)::int, 'YYYY-MM-DD'), to_char(current_date, 'YYYY-MM-DD')), \
             $2, purchase_price, purchase_price % 90 \
             FROM items WHERE owner_user_id = $1 AND status = 'sold'"
        }
    }
}

fn prices_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1) \
             INSERT INTO market_prices (id, owner_user_id, item_id, catalog_product_id, currency, price, source, observed_at) \
             SELECT 'p' || i, NULL, NULL, 'prod' || (i % $2), 'USD', 1000 + (i * 31) % 90000, 'bench', \
             strftime('%Y-%m-%d %H:%M:%S', 'now', '-' || ((i / $2) * 730 / ($1 / $2)) || ' days') FROM n"
        }
        Backend::Postgres => {
            "INSERT INTO market_prices (id, owner_user_id, item_id, catalog_product_id, currency, price, source, observed_at) \
             SELECT 'p' || i, NULL, NULL, 'prod' || (i % $2), 'USD', 1000 + (i * 31) % 90000, 'bench', \
             now() - make_interval(days => ((i / $2) * 730 / ($1 / $2))::int) FROM generate_series(0::bigint, $1 - 1) AS i"
        }
    }
}

/// Seeds the analyst; answers their id.
pub async fn seed(db: &Db, items: usize, sales: usize, prices: usize) -> Result<String, String> {
    use crate::domain::{Email, Role, account::SignupForm};
    let form = SignupForm {
        email: Email::parse(ANALYST).map_err(|e| e.to_string())?,
        store_name: "Bench analyst".into(),
        store_slug: "bench-analyst".into(),
    };
    let owner =
        crate::auth::service::create_account(db, &form, "bench-password-1", Role::User, None, None)
            .await
            .map_err(|e| e.to_string())?;
    let backend = db.backend();
    let now = OffsetDateTime::now_utc();
    let (items, sales, prices, products) = (
        items as i64,
        sales.min(items / 2) as i64,
        prices as i64,
        PRODUCTS as i64,
    );
    let result: Result<(), sqlx::Error> = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        sqlx::query(items_sql(backend)).bind(&owner).bind(items).bind(sales).bind(now).bind(products)
            .execute(&mut *tx).await?;
        sqlx::query(sales_sql(backend)).bind(&owner).bind(now).execute(&mut *tx).await?;
        if prices > 0 {
            sqlx::query(prices_sql(backend)).bind(prices).bind(products).execute(&mut *tx).await?;
            // Each item's market price is its product's latest.
            sqlx::query("UPDATE items SET market_unit = (SELECT p.price FROM market_prices p \
                WHERE p.catalog_product_id = items.catalog_product_id ORDER BY p.observed_at DESC LIMIT 1), \
                market_on = acquired_on WHERE owner_user_id = $1")
                .bind(&owner).execute(&mut *tx).await?;
        }
        tx.commit().await
    }.await);
    result.map_err(|e| format!("seeding analytics failed: {e}"))?;
    crate::analytics::ledger::rebuild(db, &owner)
        .await
        .map_err(|e| format!("building the ledger failed: {e}"))?;
    Ok(owner)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn time<F, Fut, T, E>(runs: usize, mut f: F) -> Result<(f64, f64, f64), String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await.map_err(|e| e.to_string())?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok((
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 0.99),
    ))
}

pub async fn measure(db: &Db, owner: &str, runs: usize) -> Result<String, String> {
    let month = PeriodQuery::default();
    let today = periods::today(&periods::zone("UTC"));
    let two_years = PeriodQuery {
        kind: PeriodKind::Custom,
        from: periods::add_days(today, -729).to_string(),
        to: today.to_string(),
        currency: String::new(),
    };
    let (_, days) = {
        let (now, before) = periods::periods(&two_years, today).map_err(|e| e.to_string())?;
        (before, now)
    };
    let mut out = String::from(
        "\nAnalytics (server time, sequential calls in process; p50 / p95 / p99 ms):\n",
    );
    for (label, q) in [("this month", &month), ("two years", &two_years)] {
        let k = time(runs, || kpis(db, owner, q)).await?;
        out.push_str(&format!(
            "  all KPIs, {label:<10}          {:>7.2} / {:>7.2} / {:>7.2}\n",
            k.0, k.1, k.2
        ));
    }
    let w = time(runs, || worth_series(db, owner, "USD", days)).await?;
    out.push_str(&format!(
        "  net-worth series, 730 days     {:>7.2} / {:>7.2} / {:>7.2}\n",
        w.0, w.1, w.2
    ));
    let c = time(runs, || charts(db, owner, &two_years)).await?;
    out.push_str(&format!(
        "  every chart, two years         {:>7.2} / {:>7.2} / {:>7.2}\n",
        c.0, c.1, c.2
    ));
    Ok(out)
}
