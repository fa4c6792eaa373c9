//! The market price refresh: the products resellers hold, list or want — each asked about
//! once however many resellers have it — get a price from the provider that knows them,
//! written to `market_prices` with its source and the run's time. Then every held item linked
//! to a product takes the newest price in its currency (Cardmarket's daily guide counts too)
//! through the ledger's own write path, so net worth moves. A repeated run writes nothing
//! twice: prices are keyed by product, source and run, and an item already at its price is
//! left alone.

use std::collections::{HashMap, HashSet};
use time::OffsetDateTime;

use super::providers::{Providers, Quote, Quotes};
use super::store;
use crate::analytics::service::HELD;
use crate::domain::item::SizeSystem;
use crate::error::AppError;
use crate::server::{
    db::{BeginWrite, Db, new_id},
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
            let source = provider.endpoint().name;
            let known = known_variants(db, &product.id, source).await?;
            match provider.quote(product, &known).await {
                Ok(q) if q.product.is_none() && q.variants.is_empty() => continue,
                Ok(q) => {
                    save_quotes(db, &product.id, source, &q, at).await?;
                    report.quoted += 1;
                    break;
                }
                Err(e) => {
                    tracing::info!(provider = source, "no quote: {e}");
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

/// The variant ids `source` sells the product in, as stored.
async fn known_variants(db: &Db, product: &str, source: &str) -> sqlx::Result<HashSet<String>> {
    let ids: Vec<String> = with_db!(db, pool => sqlx::query_scalar(
        "SELECT DISTINCT variant_id FROM catalog_variants WHERE catalog_product_id = $1 AND source = $2")
        .bind(product).bind(source).fetch_all(pool).await)?;
    Ok(ids.into_iter().collect())
}

/// Writes one product's quotes (and its sizes, when the provider listed them) at once.
async fn save_quotes(
    db: &Db,
    product: &str,
    source: &str,
    quotes: &Quotes,
    at: OffsetDateTime,
) -> sqlx::Result<()> {
    // Keyed by product, source, run and size: a repeated run writes nothing twice.
    let insert = |variant: Option<&str>, q: &Quote| {
        sql("INSERT INTO market_prices (id, catalog_product_id, currency, price, source, observed_at, variant_id) \
             SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS (SELECT 1 FROM market_prices \
             WHERE catalog_product_id = $2 AND source = $5 AND observed_at = $6 AND COALESCE(variant_id, '') = COALESCE($7, ''))")
        .bind(new_id())
        .bind(product.to_string())
        .bind(q.currency)
        .bind(q.amount)
        .bind(source.to_string())
        .bind(at)
        .bind(variant.map(str::to_string))
    };
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        if let Some(variants) = &quotes.learned {
            store::save_variants(&mut tx, product, source, variants).await?;
        }
        if let Some(q) = &quotes.product {
            insert(None, q).execute(&mut tx).await?;
        }
        for (variant, q) in &quotes.variants {
            insert(Some(variant), q).execute(&mut tx).await?;
        }
        tx.commit().await
    })
}

/// (item id, owner, price, source, observed at).
type Row = (String, String, i64, String, OffsetDateTime);

/// (product, source, variant id, size system, size) of the sizes held items are in.
type SizeKey = (String, String, String, String, String);

async fn held_sizes(db: &Db) -> sqlx::Result<HashSet<SizeKey>> {
    let text = format!(
        "SELECT catalog_product_id, source, variant_id, size_system, size FROM catalog_variants WHERE catalog_product_id IN \
         (SELECT catalog_product_id FROM items WHERE catalog_product_id IS NOT NULL AND size IS NOT NULL AND status IN {HELD})"
    );
    let rows: Vec<SizeKey> = with_db!(db, pool => sqlx::query_as(&text).fetch_all(pool).await)?;
    Ok(rows.into_iter().collect())
}

/// The size system an item's details name (`us_m`, `eu`, …); empty when none.
fn size_system(details: &str) -> String {
    serde_json::from_str::<serde_json::Value>(details)
        .ok()
        .and_then(|d| d.get("size_system")?.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Every held item linked to a product takes the newest catalog price in its currency —
/// unless the reseller set a price by hand: their price stands until the market moves, that
/// is until the newest catalog price differs from the one current when they set theirs.
async fn reprice_items(db: &Db) -> Result<usize, AppError> {
    // Catalog prices for the product whole, and for the item's own size.
    type Price = (
        String,
        String,
        i64,
        String,
        OffsetDateTime,
        String,
        Option<String>,
        Option<String>,
        String,
    );
    let text = format!(
        "SELECT i.id, i.owner_user_id, p.price, p.source, p.observed_at, i.catalog_product_id, p.variant_id, i.size, i.details \
         FROM items i JOIN market_prices p ON p.catalog_product_id = i.catalog_product_id AND p.currency = i.currency \
         WHERE i.status IN {HELD} AND p.item_id IS NULL AND (p.variant_id IS NULL OR EXISTS (SELECT 1 FROM catalog_variants v \
         WHERE v.catalog_product_id = i.catalog_product_id AND v.source = p.source AND v.variant_id = p.variant_id AND v.size = i.size))"
    );
    let prices: Vec<Price> = with_db!(db, pool => sqlx::query_as(&text).fetch_all(pool).await)?;
    let sizes = held_sizes(db).await?;
    let mut whole: HashMap<String, Vec<Row>> = HashMap::new();
    let mut sized: HashMap<String, Vec<Row>> = HashMap::new();
    for (item, owner, price, source, at, product, variant, size, details) in prices {
        let row = (item.clone(), owner, price, source, at);
        match variant {
            None => whole.entry(item).or_default().push(row),
            Some(variant) => {
                // The variant is the item's size in the item's own size system.
                let system = size_system(&details);
                let key = (
                    product,
                    row.3.clone(),
                    variant,
                    system,
                    size.unwrap_or_default(),
                );
                if sizes.contains(&key) {
                    // The item's price history says which size was priced: "stockx · US M 10.5".
                    let label = SizeSystem::parse(&key.3).map_or("", SizeSystem::label);
                    let source = format!("{} · {label} {}", row.3, key.4);
                    sized
                        .entry(item)
                        .or_default()
                        .push((row.0, row.1, row.2, source, row.4));
                }
            }
        }
    }
    // An item takes its size's prices when the market quotes its size, the product's otherwise.
    for (item, rows) in sized {
        whole.insert(item, rows);
    }
    let rows = whole;
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
    let mut chosen = Vec::with_capacity(rows.len());
    for (item, mut prices) in rows {
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
