//! The market price refresh: the products resellers hold, list or want — each asked about
//! once however many resellers have it — get a price from the provider that knows them,
//! written to `market_prices` with its source and the run's time. Then every held item linked
//! to a product takes the newest price in its currency (Cardmarket's daily guide counts too)
//! through the ledger's own write path, so net worth moves. A repeated run writes nothing
//! twice: prices are keyed by product, source and run, and an item already at its price is
//! left alone.

use std::collections::HashMap;
use time::OffsetDateTime;

use super::providers::Providers;
use super::store;
use crate::analytics::service::HELD;
use crate::error::AppError;
use crate::server::{
    db::{Db, new_id},
    store::sql,
};
use crate::with_db;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Report {
    /// Products a provider quoted.
    pub quoted: usize,
    /// Items whose market price moved.
    pub repriced: usize,
    /// Why a provider could not quote (down, paused, over its limit), when none could.
    pub unavailable: Option<String>,
}

/// The products anyone holds (listed ones are held) or wants.
async fn wanted_products(db: &Db) -> sqlx::Result<Vec<String>> {
    let text = format!(
        "SELECT catalog_product_id FROM items WHERE catalog_product_id IS NOT NULL AND status IN {HELD} \
         UNION SELECT product_id FROM wtb_items WHERE product_id IS NOT NULL"
    );
    with_db!(db, pool => sqlx::query_scalar(&text).fetch_all(pool).await)
}

pub async fn refresh(
    db: &Db,
    providers: &Providers,
    at: OffsetDateTime,
) -> Result<Report, AppError> {
    let mut report = Report::default();
    let ids = wanted_products(db).await?;
    let products = store::products_by_ids(db, &ids).await?;
    let mut unavailable = None;
    for product in &products {
        for provider in &providers.list {
            match provider.quote(product).await {
                Ok(None) => continue,
                Ok(Some(q)) => {
                    let source = provider.endpoint().name;
                    db.write(
                        sql("INSERT INTO market_prices (id, catalog_product_id, currency, price, source, observed_at) \
                             SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS (SELECT 1 FROM market_prices \
                             WHERE catalog_product_id = $2 AND source = $5 AND observed_at = $6)")
                        .bind(new_id())
                        .bind(product.id.clone())
                        .bind(q.currency)
                        .bind(q.amount)
                        .bind(source)
                        .bind(at),
                    )
                    .await?;
                    report.quoted += 1;
                    break;
                }
                Err(e) => {
                    tracing::info!(provider = provider.endpoint().name, "no quote: {e}");
                    unavailable.get_or_insert(e);
                }
            }
        }
    }
    report.repriced = reprice_items(db).await?;
    // The items were repriced from what is known; when no provider could quote, the job
    // runs again later.
    if report.quoted == 0 {
        report.unavailable = unavailable.map(|e| e.to_string());
    }
    Ok(report)
}

/// Every held item linked to a product takes the newest catalog price in its currency —
/// unless the reseller set a price by hand: their price stands until the market moves, that
/// is until the newest catalog price differs from the one current when they set theirs.
async fn reprice_items(db: &Db) -> Result<usize, AppError> {
    type Row = (String, String, i64, String, OffsetDateTime);
    let text = format!(
        "SELECT i.id, i.owner_user_id, p.price, p.source, p.observed_at FROM items i \
         JOIN market_prices p ON p.catalog_product_id = i.catalog_product_id AND p.currency = i.currency \
         WHERE i.status IN {HELD} AND p.item_id IS NULL"
    );
    let rows: Vec<Row> = with_db!(db, pool => sqlx::query_as(&text).fetch_all(pool).await)?;
    let manual_text = format!(
        "SELECT m.item_id, m.observed_at FROM market_prices m JOIN items i ON i.id = m.item_id \
         WHERE m.source = 'manual' AND i.catalog_product_id IS NOT NULL AND i.status IN {HELD}"
    );
    let manual: Vec<(String, OffsetDateTime)> =
        with_db!(db, pool => sqlx::query_as(&manual_text).fetch_all(pool).await)?;
    let mut set_by_hand: HashMap<String, OffsetDateTime> = HashMap::new();
    for (item, at) in manual {
        let latest = set_by_hand.entry(item).or_insert(at);
        *latest = (*latest).max(at);
    }
    // Each item's catalog prices, newest first (times compared as times, not as stored text).
    let mut by_item: HashMap<String, Vec<Row>> = HashMap::new();
    for row in rows {
        by_item.entry(row.0.clone()).or_default().push(row);
    }
    let mut chosen = Vec::with_capacity(by_item.len());
    for (item, mut prices) in by_item {
        prices.sort_by(|a, b| b.4.cmp(&a.4).then_with(|| a.3.cmp(&b.3)));
        if let Some(by_hand) = set_by_hand.get(&item) {
            let newest = &prices[0];
            let current_then = prices.iter().find(|p| p.4 <= *by_hand);
            if newest.4 <= *by_hand || current_then.is_some_and(|p| p.2 == newest.2) {
                continue;
            }
        }
        chosen.push(prices.swap_remove(0));
    }
    let mut repriced = 0;
    for (item, owner, price, source, observed_at) in chosen {
        if crate::analytics::prices::reprice_from_catalog(
            db,
            &owner,
            &item,
            price,
            &source,
            observed_at,
        )
        .await?
        {
            repriced += 1;
        }
    }
    Ok(repriced)
}
