//! The catalog's SQL: products saved in batches (one write transaction each, upserted by
//! identity), Cardmarket prices as observations in `market_prices`, and the generation number
//! that tells a server its search index is behind.

use serde::Serialize;
use std::collections::HashMap;
use time::OffsetDateTime;

use super::product::{ExternalIds, Product};
use super::providers::Variant;
use crate::domain::catalog::ProductKind;
use crate::server::{
    db::{BeginWrite, Db, new_id},
    dialect::{self, Col},
    store::{Store, Tx, placeholders, sql},
};
use crate::with_db;

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.created += o.created;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct PriceCounts {
    pub written: usize,
    /// Already recorded for the same day's file.
    pub known: usize,
    pub unknown_product: usize,
}

impl std::ops::AddAssign for PriceCounts {
    fn add_assign(&mut self, o: PriceCounts) {
        self.written += o.written;
        self.known += o.known;
        self.unknown_product += o.unknown_product;
    }
}

/// A Cardmarket price guide row: the product's Cardmarket id and its trend in euro cents.
#[derive(Debug, Clone, Serialize)]
pub struct Price {
    pub cardmarket_id: String,
    pub cents: i64,
}

const COLUMNS: &str = "id, identity, kind, name, brand, model, colorway, style_id, gtin, game, set_name, set_code, \
    number, rarity, language, release_date, retail_price, retail_currency, image_url, external_ids";

#[derive(sqlx::FromRow)]
struct ProductRow {
    id: String,
    identity: String,
    kind: String,
    name: String,
    brand: Option<String>,
    model: Option<String>,
    colorway: Option<String>,
    style_id: Option<String>,
    gtin: Option<String>,
    game: Option<String>,
    set_name: Option<String>,
    set_code: Option<String>,
    number: Option<String>,
    rarity: Option<String>,
    language: Option<String>,
    release_date: Option<String>,
    retail_price: Option<i64>,
    retail_currency: Option<String>,
    image_url: Option<String>,
    external_ids: String,
}

impl ProductRow {
    fn product(self) -> Product {
        Product {
            id: self.id,
            identity: self.identity,
            kind: ProductKind::parse(&self.kind).unwrap_or(ProductKind::Other),
            name: self.name,
            brand: self.brand,
            model: self.model,
            colorway: self.colorway,
            style_id: self.style_id,
            gtin: self.gtin,
            game: self.game,
            set_name: self.set_name,
            set_code: self.set_code,
            number: self.number,
            rarity: self.rarity,
            language: self.language,
            release_date: self.release_date,
            retail_price: self.retail_price,
            retail_currency: self.retail_currency,
            image_url: self.image_url,
            external_ids: serde_json::from_str::<ExternalIds>(&self.external_ids)
                .unwrap_or_default(),
        }
    }
}

/// A product as a JSON row for `json_rows`.
#[derive(Serialize)]
struct JsonRow<'a> {
    #[serde(flatten)]
    product: &'a Product,
    kind_text: &'static str,
    external_text: String,
}

const JSON_COLUMNS: [(&str, Col); 20] = [
    ("id", Col::Text),
    ("identity", Col::Text),
    ("kind_text", Col::Text),
    ("name", Col::Text),
    ("brand", Col::Text),
    ("model", Col::Text),
    ("colorway", Col::Text),
    ("style_id", Col::Text),
    ("gtin", Col::Text),
    ("game", Col::Text),
    ("set_name", Col::Text),
    ("set_code", Col::Text),
    ("number", Col::Text),
    ("rarity", Col::Text),
    ("language", Col::Text),
    ("release_date", Col::Text),
    ("retail_price", Col::Int),
    ("retail_currency", Col::Text),
    ("image_url", Col::Text),
    ("external_text", Col::Text),
];

fn upsert_sql(backend: crate::server::db::Backend) -> &'static str {
    fn make(backend: crate::server::db::Backend) -> String {
        let updates: Vec<String> = COLUMNS
            .split(", ")
            .map(str::trim)
            .filter(|c| !matches!(*c, "id" | "identity"))
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        format!(
            "INSERT INTO catalog_products ({COLUMNS}, source, created_at, updated_at) {}\
             SELECT x.id, x.identity, x.kind_text, x.name, x.brand, x.model, x.colorway, x.style_id, x.gtin, x.game, \
             x.set_name, x.set_code, x.number, x.rarity, x.language, x.release_date, x.retail_price, x.retail_currency, \
             x.image_url, x.external_text, $2, $3, $3 FROM x WHERE true \
             ON CONFLICT (identity) DO UPDATE SET {}, updated_at = excluded.updated_at",
            dialect::json_rows(backend, 1, &JSON_COLUMNS),
            updates.join(", ")
        )
    }
    static SQL: dialect::PerBackend = dialect::PerBackend::new(make);
    SQL.sql(backend)
}

/// Saves products (a batch of at most a few thousand) in one write transaction: new
/// identities are created, known ones updated with what the newer record knows, and nothing
/// is written for a record that changes nothing.
pub async fn save_products(
    db: &Db,
    products: Vec<Product>,
    source: &str,
    now: OffsetDateTime,
) -> sqlx::Result<Counts> {
    // The same identity twice in a batch: the later record is laid over the earlier.
    let mut order: Vec<String> = Vec::new();
    let mut latest: HashMap<String, Product> = HashMap::new();
    let mut repeats = 0;
    for p in products {
        match latest.get_mut(&p.identity) {
            Some(earlier) => {
                *earlier = earlier.merged_with(&p);
                repeats += 1;
            }
            None => {
                order.push(p.identity.clone());
                latest.insert(p.identity.clone(), p);
            }
        }
    }
    if order.is_empty() {
        return Ok(Counts::default());
    }
    let backend = db.backend();
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let counts = save_in(&mut tx, backend, &order, latest, repeats, source, now).await?;
        tx.commit().await?;
        Ok(counts)
    })
}

async fn save_in<DB: Store>(
    tx: &mut Tx<DB>,
    backend: crate::server::db::Backend,
    order: &[String],
    mut latest: HashMap<String, Product>,
    repeats: usize,
    source: &str,
    now: OffsetDateTime,
) -> sqlx::Result<Counts> {
    let existing: Vec<ProductRow> = sql(format!(
        "SELECT {COLUMNS} FROM catalog_products WHERE identity IN ({})",
        placeholders(1, order.len())
    ))
    .bind_all(order.iter().map(String::as_str))
    .fetch_all(tx)
    .await?;
    let mut known: HashMap<String, Product> = existing
        .into_iter()
        .map(|r| {
            let p = r.product();
            (p.identity.clone(), p)
        })
        .collect();
    let mut counts = Counts::default();
    let mut changed = Vec::new();
    for identity in order {
        let Some(mut newer) = latest.remove(identity) else {
            continue;
        };
        match known.remove(identity) {
            Some(old) => {
                let merged = old.merged_with(&newer);
                if merged == old {
                    counts.unchanged += 1;
                } else {
                    counts.updated += 1;
                    changed.push(merged);
                }
            }
            None => {
                newer.id = new_id();
                counts.created += 1;
                changed.push(newer);
            }
        }
    }
    // A repeated identity in one batch counts as an update of the first.
    counts.updated += repeats;
    if changed.is_empty() {
        return Ok(counts);
    }
    let rows: Vec<JsonRow> = changed
        .iter()
        .map(|p| JsonRow {
            product: p,
            kind_text: p.kind.as_str(),
            external_text: serde_json::to_string(&p.external_ids).unwrap_or_else(|_| "{}".into()),
        })
        .collect();
    let json = serde_json::to_string(&rows).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sql(upsert_sql(backend))
        .bind(json.as_str())
        .bind(source)
        .bind(now)
        .execute(tx)
        .await?;
    bump_generation(tx).await?;
    Ok(counts)
}

/// A product's sizes as a provider sells them (one row per size system each converts to) and
/// their box barcodes, replacing what that provider listed before. New barcodes move the
/// catalog's generation so the index learns them.
pub(super) async fn save_variants<DB: Store>(
    tx: &mut Tx<DB>,
    product: &str,
    source: &str,
    variants: &[Variant],
) -> sqlx::Result<()> {
    sql("DELETE FROM catalog_variants WHERE catalog_product_id = $1 AND source = $2")
        .bind(product)
        .bind(source)
        .execute(&mut *tx)
        .await?;
    for v in variants {
        for (system, size) in &v.sizes {
            sql("INSERT INTO catalog_variants (catalog_product_id, source, variant_id, size_system, size) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
                    .bind(product)
                    .bind(source)
                    .bind(&v.id)
                    .bind(system.as_str())
                    .bind(size)
                    .execute(&mut *tx)
                    .await?;
        }
    }
    // A barcode names one size; the index learns the new ones at its next rebuild.
    sql("DELETE FROM catalog_gtins WHERE catalog_product_id = $1 AND source = $2")
        .bind(product)
        .bind(source)
        .execute(&mut *tx)
        .await?;
    for v in variants {
        for gtin in &v.gtins {
            sql("INSERT INTO catalog_gtins (gtin, catalog_product_id, source, variant_id) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (gtin) DO UPDATE SET catalog_product_id = excluded.catalog_product_id, \
                     source = excluded.source, variant_id = excluded.variant_id")
                    .bind(gtin)
                    .bind(product)
                    .bind(source)
                    .bind(&v.id)
                    .execute(&mut *tx)
                    .await?;
        }
    }
    if variants.iter().any(|v| !v.gtins.is_empty()) {
        bump_generation(tx).await?;
    }
    Ok(())
}

/// [`save_variants`] in a transaction of its own.
pub async fn save_sizes(
    db: &Db,
    product: &str,
    source: &str,
    variants: &[Variant],
) -> sqlx::Result<()> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        save_variants(&mut tx, product, source, variants).await?;
        tx.commit().await
    })
}

pub(super) async fn bump_generation<DB: Store>(tx: &mut Tx<DB>) -> sqlx::Result<()> {
    sql("UPDATE catalog_state SET generation = generation + 1 WHERE id = 1")
        .execute(tx)
        .await
        .map(|_| ())
}

fn prices_sql(backend: crate::server::db::Backend) -> &'static str {
    fn make(backend: crate::server::db::Backend) -> String {
        format!(
            "INSERT INTO market_prices (id, catalog_product_id, currency, price, source, observed_at) {}\
             SELECT x.id, c.id, 'EUR', x.cents, 'cardmarket', $2 FROM x \
             JOIN catalog_products c ON c.identity = 'x:cardmarket:' || x.cardmarket_id \
             WHERE NOT EXISTS (SELECT 1 FROM market_prices m WHERE m.catalog_product_id = c.id \
             AND m.source = 'cardmarket' AND m.observed_at = $2)",
            dialect::json_rows(
                backend,
                1,
                &[
                    ("id", Col::Text),
                    ("cardmarket_id", Col::Text),
                    ("cents", Col::Int)
                ]
            )
        )
    }
    static SQL: dialect::PerBackend = dialect::PerBackend::new(make);
    SQL.sql(backend)
}

/// Records Cardmarket's prices for the catalog products they are of, once per file day.
pub async fn save_cardmarket_prices(
    db: &Db,
    prices: &[Price],
    observed_at: OffsetDateTime,
) -> sqlx::Result<PriceCounts> {
    // A product listed twice in one file is priced once (its last row).
    let mut seen = std::collections::HashSet::new();
    let mut repeated = 0;
    let mut unique: Vec<&Price> = Vec::with_capacity(prices.len());
    for p in prices.iter().rev() {
        if seen.insert(p.cardmarket_id.as_str()) {
            unique.push(p);
        } else {
            repeated += 1;
        }
    }
    let prices = unique;
    if prices.is_empty() {
        return Ok(PriceCounts::default());
    }
    #[derive(Serialize)]
    struct Row<'a> {
        id: String,
        cardmarket_id: &'a str,
        cents: i64,
    }
    let rows: Vec<Row> = prices
        .iter()
        .map(|p| Row {
            id: new_id(),
            cardmarket_id: &p.cardmarket_id,
            cents: p.cents,
        })
        .collect();
    let json = serde_json::to_string(&rows).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let ids: Vec<String> = prices
        .iter()
        .map(|p| format!("x:cardmarket:{}", p.cardmarket_id))
        .collect();
    let backend = db.backend();
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let matched: i64 = sql(format!(
            "SELECT COUNT(*) FROM catalog_products WHERE identity IN ({})",
            placeholders(1, ids.len())
        ))
        .bind_all(ids.iter().map(String::as_str))
        .scalar(&mut tx)
        .await?;
        let written = sql(prices_sql(backend))
            .bind(json.as_str())
            .bind(observed_at)
            .execute(&mut tx)
            .await? as usize;
        tx.commit().await?;
        let matched = matched as usize;
        Ok(PriceCounts {
            written,
            known: matched.saturating_sub(written) + repeated,
            unknown_product: prices.len().saturating_sub(matched),
        })
    })
}

/// Every product, for the search index.
pub async fn all_products(db: &Db) -> sqlx::Result<Vec<Product>> {
    let text = format!("SELECT {COLUMNS} FROM catalog_products ORDER BY id");
    let rows: Vec<ProductRow> = with_db!(db, pool => sqlx::query_as(&text).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(ProductRow::product).collect())
}

/// Every size barcode with its product and the sizes it is in each system:
/// (gtin, product id, size system, size).
pub async fn all_gtins(db: &Db) -> sqlx::Result<Vec<(String, String, String, String)>> {
    with_db!(db, pool => sqlx::query_as(
        "SELECT g.gtin, g.catalog_product_id, v.size_system, v.size FROM catalog_gtins g \
         JOIN catalog_variants v ON v.catalog_product_id = g.catalog_product_id AND v.source = g.source \
         AND v.variant_id = g.variant_id ORDER BY g.gtin")
        .fetch_all(pool).await)
}

/// The id of the product with this identity, if the catalog has it.
pub async fn id_of(db: &Db, identity: &str) -> sqlx::Result<Option<String>> {
    with_db!(db, pool => sqlx::query_scalar("SELECT id FROM catalog_products WHERE identity = $1")
        .bind(identity).fetch_optional(pool).await)
}

/// The products with these ids (unknown ids are skipped).
pub async fn products_by_ids(db: &Db, ids: &[String]) -> sqlx::Result<Vec<Product>> {
    let mut products = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let text = format!(
            "SELECT {COLUMNS} FROM catalog_products WHERE id IN ({}) ORDER BY id",
            marks.join(", ")
        );
        let rows: Vec<ProductRow> = with_db!(db, pool => {
            let mut q = sqlx::query_as(&text);
            for id in chunk {
                q = q.bind(id);
            }
            q.fetch_all(pool).await
        })?;
        products.extend(rows.into_iter().map(ProductRow::product));
    }
    Ok(products)
}

/// The catalog's generation: it grows with every change.
pub async fn generation(db: &Db) -> sqlx::Result<i64> {
    with_db!(db, pool => sqlx::query_scalar("SELECT generation FROM catalog_state WHERE id = 1")
        .fetch_one(pool)
        .await)
}
