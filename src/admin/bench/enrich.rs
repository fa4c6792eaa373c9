//! `flipdesk bench --enrich-rows N`: what product enrichment costs in provider calls. A local
//! catalog knows half the products of an N-row import (2.5 rows per product, sizes apart); a
//! StockX stand-in on loopback knows the other half. The import links what the local catalog
//! knows (no call), then "Enrich all" asks about the rest, and the provider calls are counted
//! by Flipdesk and by the stand-in.

use axum::{Json, Router, extract::Query, routing::get};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use crate::server::db::Db;
use crate::with_db;

/// Import rows per product (two or three sizes of each).
const ROWS_PER_PRODUCT: f64 = 2.5;

fn products_for(rows: usize) -> usize {
    ((rows as f64 / ROWS_PER_PRODUCT) as usize).max(2)
}

/// Product `p`'s style id: even products are in the local catalog, odd ones are new.
fn style(p: usize) -> String {
    let prefix = if p.is_multiple_of(2) { "EK" } else { "EN" };
    format!("{prefix}{p:06}-{:03}", p % 1000)
}

fn name(p: usize) -> String {
    format!("Bench Runner {p}")
}

fn line(i: usize) -> Value {
    // Rows of one product sit apart, as sizes of one model do in a real file.
    let p = i % products_for(BENCH_ROWS.load(Ordering::Relaxed) as usize);
    json!({"line": i + 2, "values": [
        ["name", name(p)], ["kind", "sneaker"], ["purchase_price", "80.00"], ["currency", "USD"],
        ["style_id", style(p)], ["size", format!("{}", 7 + i % 8)], ["size_system", "us_m"],
        ["purchase_date", "2026-03-01"], ["sneaker_condition", "new"]
    ]})
}

/// The row count `line` builds for (it is a plain function, as the import bench takes it).
static BENCH_ROWS: AtomicU64 = AtomicU64::new(0);

/// A StockX catalog search that knows the new (odd) products of an import of `rows` rows:
/// its base address and the count of searches it answered.
pub async fn fake_stockx(rows: usize) -> Result<(String, Arc<AtomicU64>), String> {
    let searches = Arc::new(AtomicU64::new(0));
    let counted = searches.clone();
    let known = products_for(rows);
    let app = Router::new().route(
        "/v2/catalog/search",
        get(move |Query(q): Query<HashMap<String, String>>| {
            counted.fetch_add(1, Ordering::Relaxed);
            let query = q.get("query").cloned().unwrap_or_default();
            let products: Vec<Value> = (1..known)
                .step_by(2)
                .filter(|p| style(*p).eq_ignore_ascii_case(&query))
                .map(|p| {
                    json!({"productId": format!("sx-bench-{p}"), "styleId": style(p), "productType": "sneakers",
                        "title": name(p), "brand": "Nike",
                        "productAttributes": {"gender": "men", "colorway": "White/Black", "releaseDate": "2025-01-01", "retailPrice": 120}})
                })
                .collect();
            async move {
                Json(json!({"count": products.len(), "pageSize": 20, "pageNumber": 1, "hasNextPage": false, "products": products}))
            }
        }),
    );
    Ok((super::serve_loopback(app).await?, searches))
}

/// The local catalog: the even products.
pub async fn seed_catalog(db: &Db, rows: usize) -> Result<(), String> {
    let products = (0..products_for(rows))
        .step_by(2)
        .map(|p| {
            let line =
                json!({"kind": "sneaker", "name": name(p), "brand": "Nike", "style_id": style(p)});
            serde_json::from_value::<crate::catalog::product::CatalogLine>(line)
                .map_err(|e| e.to_string())?
                .into_product()
        })
        .collect::<Result<Vec<_>, _>>()?;
    crate::catalog::store::save_products(db, products, "import", time::OffsetDateTime::now_utc())
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

pub async fn measure(
    client: &reqwest::Client,
    base: &str,
    db: &Db,
    rows: usize,
    searches: &AtomicU64,
) -> Result<String, String> {
    BENCH_ROWS.store(rows as u64, Ordering::Relaxed);
    let products = products_for(rows);
    super::import::commit_lines(client, base, rows, line).await?;
    let linked = || async {
        with_db!(db, pool => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM items WHERE name LIKE 'Bench Runner %' AND catalog_product_id IS NOT NULL")
            .fetch_one(pool).await)
        .map_err(|e| e.to_string())
    };
    let at_import = linked().await?;
    let calls_before = searches.load(Ordering::Relaxed);
    let started = Instant::now();
    let res = client
        .post(format!("{base}/api/catalog/enrich_start"))
        .json(&json!({}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !res.status().is_success() {
        return Err(format!("Enrich all answered {}", res.status()));
    }
    let run = loop {
        let run: Value = client
            .post(format!("{base}/api/catalog/enrich_status"))
            .json(&json!({}))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        if run["status"] != "running" || started.elapsed() > Duration::from_secs(600) {
            break run;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let took = started.elapsed().as_secs_f64();
    let after = linked().await?;
    // A link is right when the product carries the item's own style id.
    let wrong: i64 = with_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM items i JOIN catalog_products p ON p.id = i.catalog_product_id \
         WHERE i.name LIKE 'Bench Runner %' AND (p.style_id IS NULL OR p.style_id <> i.style_id)")
        .fetch_one(pool).await)
    .map_err(|e| e.to_string())?;
    Ok(format!(
        "\nEnrichment of a {rows}-row import ({products} products, half new to the local catalog):\n\
         \x20 the import linked {at_import} rows from the local catalog with no provider call;\n\
         \x20 Enrich all ({}) asked about {} distinct texts and made {} provider calls (the StockX stand-in answered {}), \
         linking {} more rows in {took:.2} s; {} rows unlinked; {wrong} rows linked to a product that is not theirs",
        run["status"].as_str().unwrap_or("?"),
        run["texts_total"],
        run["calls"],
        searches.load(Ordering::Relaxed) - calls_before,
        after - at_import,
        rows as i64 - after,
    ))
}
