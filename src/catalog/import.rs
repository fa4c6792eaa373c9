//! `flipdesk catalog import`: Flipdesk catalog files (JSON lines) and Cardmarket's daily
//! product-list and price-guide files, read as a stream (a 20 MB file is never held whole:
//! a reader thread hands batches of 1,000 records to the writer) and written in one
//! transaction per batch, so a rerun after a crash finishes the job and a repeated import
//! changes nothing. A bad record is skipped and reported with its line (or position).

use serde::{Deserialize, de::DeserializeSeed};
use std::{
    fmt,
    io::{BufRead, BufReader, Read},
    path::Path,
};
use tokio::sync::mpsc;

use super::product::{CatalogLine, Product};
use super::store::{self, Counts};
use crate::domain::catalog::ProductKind;
use crate::server::db::Db;

const BATCH: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    File(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// What one file did.
#[derive(Debug, Default)]
pub struct FileReport {
    pub format: &'static str,
    pub counts: Counts,
    pub prices: store::PriceCounts,
    /// Line (or record position) and reason, in file order.
    pub rejected: Vec<(usize, String)>,
}

impl fmt::Display for FileReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        if self.format == "cardmarket price guide" {
            let p = &self.prices;
            write!(
                f,
                "{}: {} prices written, {} already known, {} for products not in the catalog, {} rejected",
                self.format,
                p.written,
                p.known,
                p.unknown_product,
                self.rejected.len()
            )?;
        } else {
            write!(
                f,
                "{}: created {}, updated {}, unchanged {}, rejected {}",
                self.format,
                c.created,
                c.updated,
                c.unchanged,
                self.rejected.len()
            )?;
        }
        let unit = if self.format == "flipdesk catalog" {
            "line"
        } else {
            "record"
        };
        for (at, reason) in self.rejected.iter().take(50) {
            write!(f, "\n  {unit} {at}: {reason}")?;
        }
        if self.rejected.len() > 50 {
            write!(f, "\n  … and {} more", self.rejected.len() - 50)?;
        }
        Ok(())
    }
}

/// A batch the reader hands to the writer.
enum Batch {
    Products(Vec<(usize, Result<Product, String>)>),
    Prices {
        created_at: Option<String>,
        rows: Vec<(usize, Result<store::Price, String>)>,
    },
}

/// Imports one file (format told by its content).
pub async fn import_file(db: &Db, path: &Path, source: &str) -> Result<FileReport, ImportError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ImportError::File(format!("{}: {e}", path.display())))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let format =
        sniff(&mut reader).map_err(|e| ImportError::File(format!("{}: {e}", path.display())))?;
    let (tx, mut rx) = mpsc::channel::<Batch>(2);
    let name = path.display().to_string();
    let reading = tokio::task::spawn_blocking(move || match format {
        Format::Lines => read_lines(reader, &tx),
        Format::Cardmarket => read_cardmarket(reader, &tx),
    });
    let mut report = FileReport {
        format: match format {
            Format::Lines => "flipdesk catalog",
            Format::Cardmarket => "cardmarket product list",
        },
        ..FileReport::default()
    };
    let now = time::OffsetDateTime::now_utc();
    while let Some(batch) = rx.recv().await {
        match batch {
            Batch::Products(rows) => {
                let mut good = Vec::with_capacity(rows.len());
                for (at, row) in rows {
                    match row {
                        Ok(p) => good.push(p),
                        Err(reason) => report.rejected.push((at, reason)),
                    }
                }
                report.counts += store::save_products(db, good, source, now).await?;
            }
            Batch::Prices { created_at, rows } => {
                report.format = "cardmarket price guide";
                let mut good = Vec::with_capacity(rows.len());
                for (at, row) in rows {
                    match row {
                        Ok(p) => good.push(p),
                        Err(reason) => report.rejected.push((at, reason)),
                    }
                }
                let observed = created_at
                    .as_deref()
                    .and_then(parse_created_at)
                    .unwrap_or(now);
                report.prices += store::save_cardmarket_prices(db, &good, observed).await?;
            }
        }
    }
    reading
        .await
        .map_err(|e| ImportError::File(format!("{name}: reader stopped: {e}")))?
        .map_err(|e| ImportError::File(format!("{name}: {e}")))?;
    report.rejected.sort_by_key(|(at, _)| *at);
    Ok(report)
}

#[derive(Clone, Copy)]
enum Format {
    Lines,
    Cardmarket,
}

/// JSON lines start every line with a whole object; Cardmarket's files are one object with a
/// `products` or `priceGuides` array.
fn sniff(reader: &mut BufReader<std::fs::File>) -> Result<Format, String> {
    let head = reader.fill_buf().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&head[..head.len().min(4096)]);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.trim().is_empty() {
        return Err("the file is empty".into());
    }
    if serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(first.trim())
        .is_ok_and(|o| o.contains_key("kind") || o.contains_key("name"))
    {
        return Ok(Format::Lines);
    }
    if text.contains("\"products\"") || text.contains("\"priceGuides\"") {
        return Ok(Format::Cardmarket);
    }
    if first.trim_start().starts_with('{') {
        // A first line that is an object of neither kind: read as lines, each reports.
        return Ok(Format::Lines);
    }
    Err(
        "neither a Flipdesk catalog (JSON lines) nor a Cardmarket product list or price guide"
            .into(),
    )
}

fn read_lines(reader: impl BufRead, tx: &mpsc::Sender<Batch>) -> Result<(), String> {
    let mut rows = Vec::with_capacity(BATCH);
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| format!("line {}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let row = serde_json::from_str::<CatalogLine>(&line)
            .map_err(|e| short_json_error(&e))
            .and_then(CatalogLine::into_product);
        rows.push((i + 1, row));
        if rows.len() == BATCH {
            send(tx, Batch::Products(std::mem::take(&mut rows)))?;
        }
    }
    if !rows.is_empty() {
        send(tx, Batch::Products(rows))?;
    }
    Ok(())
}

fn send(tx: &mpsc::Sender<Batch>, batch: Batch) -> Result<(), String> {
    tx.blocking_send(batch)
        .map_err(|_| "the import stopped".to_string())
}

fn short_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // serde's "at line 1 column 9" is about the line itself; the line number is given apart.
    let text = match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    };
    match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("not a JSON object ({text})")
        }
        _ => text,
    }
}

/// A product of Cardmarket's product list.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CardmarketProduct {
    id_product: u64,
    name: String,
    category_name: Option<String>,
    id_expansion: Option<u64>,
}

impl CardmarketProduct {
    fn into_product(self) -> Result<Product, String> {
        let name = self.name.trim().to_string();
        if name.is_empty() {
            return Err(format!("product {} has no name", self.id_product));
        }
        let category = self.category_name.unwrap_or_default();
        // "Pokémon Single", "Magic Single", "Yu-Gi-Oh! Single"; anything else is sealed.
        let (kind, game) = match category.strip_suffix(" Single") {
            Some(game) => (ProductKind::Card, game.trim().to_string()),
            None => (
                ProductKind::Sealed,
                category.split_whitespace().next().unwrap_or("").to_string(),
            ),
        };
        let game = match game.as_str() {
            "Magic" => "Magic: The Gathering".to_string(),
            "" => return Err(format!("product {} has no category", self.id_product)),
            other => other.to_string(),
        };
        let mut external_ids = super::product::ExternalIds::new();
        external_ids.insert("cardmarket".into(), self.id_product.to_string());
        if let Some(expansion) = self.id_expansion {
            external_ids.insert("cardmarket_expansion".into(), expansion.to_string());
        }
        let mut p = Product {
            id: String::new(),
            identity: String::new(),
            kind,
            name,
            brand: None,
            model: None,
            colorway: None,
            style_id: None,
            gtin: None,
            game: Some(game),
            set_name: None,
            set_code: None,
            number: None,
            rarity: None,
            language: None,
            release_date: None,
            retail_price: None,
            retail_currency: None,
            image_url: None,
            external_ids,
        };
        p.identity = format!("x:cardmarket:{}", self.id_product);
        Ok(p)
    }
}

/// A row of Cardmarket's price guide (euros as decimals, null when unknown).
#[derive(Deserialize)]
struct CardmarketPrice {
    #[serde(rename = "idProduct")]
    id_product: u64,
    trend: Option<f64>,
    avg: Option<f64>,
    low: Option<f64>,
}

impl CardmarketPrice {
    fn into_price(self) -> Result<store::Price, String> {
        let euros = self
            .trend
            .or(self.avg)
            .or(self.low)
            .ok_or_else(|| format!("product {} has no price", self.id_product))?;
        if !euros.is_finite() || !(0.0..=10_000_000.0).contains(&euros) {
            return Err(format!(
                "product {} has a bad price {euros}",
                self.id_product
            ));
        }
        Ok(store::Price {
            cardmarket_id: self.id_product.to_string(),
            cents: (euros * 100.0).round() as i64,
        })
    }
}

fn parse_created_at(text: &str) -> Option<time::OffsetDateTime> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    // In UTC, as every other price time is stored: SQLite compares the stored text.
    time::OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| time::OffsetDateTime::parse(text, &Iso8601::DEFAULT))
        .ok()
        .map(|t| t.to_offset(time::UtcOffset::UTC))
}

/// Reads a Cardmarket file's top-level object, handing each record of its array on as it is
/// read.
fn read_cardmarket(reader: impl Read, tx: &mpsc::Sender<Batch>) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    let seen = FileSeed { tx }
        .deserialize(&mut de)
        .map_err(|e| format!("not a readable Cardmarket file: {e}"))?;
    if !seen {
        return Err("a Cardmarket file without \"products\" or \"priceGuides\"".into());
    }
    Ok(())
}

struct FileSeed<'a> {
    tx: &'a mpsc::Sender<Batch>,
}

impl<'de> DeserializeSeed<'de> for FileSeed<'_> {
    type Value = bool;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for FileSeed<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Cardmarket product list or price guide object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut created_at: Option<String> = None;
        let mut seen = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "createdAt" => created_at = map.next_value::<Option<String>>()?,
                "products" => {
                    seen = true;
                    map.next_value_seed(Records {
                        tx: self.tx,
                        prices: None,
                    })?;
                }
                "priceGuides" => {
                    seen = true;
                    map.next_value_seed(Records {
                        tx: self.tx,
                        prices: Some(created_at.clone()),
                    })?;
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(seen)
    }
}

/// The records array: products, or prices observed at the file's `createdAt`.
struct Records<'a> {
    tx: &'a mpsc::Sender<Batch>,
    prices: Option<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Records<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Records<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        use serde::de::Error;
        let mut products = Vec::new();
        let mut prices = Vec::new();
        let mut at = 0;
        // Each record is read as JSON first: a record of the wrong shape is skipped and
        // reported; only broken JSON stops the file.
        while let Some(value) = seq.next_element::<serde_json::Value>()? {
            at += 1;
            let wrong = |e: serde_json::Error| short_json_error(&e);
            match &self.prices {
                None => {
                    let row = serde_json::from_value::<CardmarketProduct>(value)
                        .map_err(wrong)
                        .and_then(CardmarketProduct::into_product);
                    products.push((at, row));
                    if products.len() == BATCH {
                        send(self.tx, Batch::Products(std::mem::take(&mut products)))
                            .map_err(A::Error::custom)?;
                    }
                }
                Some(created_at) => {
                    let row = serde_json::from_value::<CardmarketPrice>(value)
                        .map_err(wrong)
                        .and_then(CardmarketPrice::into_price);
                    prices.push((at, row));
                    if prices.len() == BATCH {
                        let rows = std::mem::take(&mut prices);
                        send(
                            self.tx,
                            Batch::Prices {
                                created_at: created_at.clone(),
                                rows,
                            },
                        )
                        .map_err(A::Error::custom)?;
                    }
                }
            }
        }
        if !products.is_empty() {
            send(self.tx, Batch::Products(products)).map_err(A::Error::custom)?;
        }
        if let Some(created_at) = self.prices
            && !prices.is_empty()
        {
            send(
                self.tx,
                Batch::Prices {
                    created_at,
                    rows: prices,
                },
            )
            .map_err(A::Error::custom)?;
        }
        Ok(())
    }
}
