//! The enrichment cascade as callers see it: a text in, a product (with its confidence and
//! the step that found it) or candidates out. The local steps run on the shared search index,
//! rebuilt when the catalog's generation moves; the provider steps (`resolve`) follow when the
//! local ones are not confident.

use serde::Serialize;
use std::{collections::HashMap, sync::Arc};
use tokio::sync::Mutex;

use super::index::{Found, Index};
use super::providers::Providers;
use super::store;
use super::types::Suggestion;
use crate::domain::catalog::Query;
use crate::server::{clock::Clock, config::Settings, db::Db};

/// A product offered for a text.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub product_id: String,
    pub name: String,
    pub confidence: f32,
    pub identifiers: serde_json::Value,
}

/// The answer for one text (CONTRACT `catalog resolve`): `product_id` when confident,
/// otherwise `candidates` to choose from.
#[derive(Debug, Clone, Serialize)]
pub struct Resolution {
    pub query: String,
    pub product_id: Option<String>,
    pub name: Option<String>,
    pub confidence: f32,
    pub step: Option<&'static str>,
    pub identifiers: serde_json::Value,
    /// The size a scanned barcode names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<BoxSize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Candidate>,
    /// A provider could not be asked (over its rate limit, paused or down): asking again
    /// later may find it.
    #[serde(skip)]
    pub unavailable: bool,
}

/// The size in a box, as its barcode names it: `{"system": "us_m", "size": "10.5"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoxSize {
    pub system: &'static str,
    pub size: String,
}

fn rounded(c: f32) -> f32 {
    (c * 1000.0).round() / 1000.0
}

/// The local steps' answer for `query`.
pub fn local(index: &Index, query: &str) -> Resolution {
    let found: Found = index.find(query, false);
    let step = found.step.map(|s| s.as_str());
    match found.answer() {
        Some(hit) => {
            let p = index.product(hit.product);
            Resolution {
                query: query.to_string(),
                product_id: Some(p.id.clone()),
                name: Some(p.name.clone()),
                confidence: rounded(hit.confidence),
                step,
                identifiers: p.identifiers(),
                size: found.size.as_ref().map(|(system, size)| BoxSize {
                    system: system.as_str(),
                    size: size.clone(),
                }),
                candidates: Vec::new(),
                unavailable: false,
            }
        }
        None => Resolution {
            query: query.to_string(),
            product_id: None,
            name: None,
            confidence: rounded(found.hits.first().map_or(0.0, |h| h.confidence)),
            step: None,
            identifiers: serde_json::Value::Object(Default::default()),
            size: None,
            candidates: found
                .hits
                .iter()
                .map(|h| {
                    let p = index.product(h.product);
                    Candidate {
                        product_id: p.id.clone(),
                        name: p.name.clone(),
                        confidence: rounded(h.confidence),
                        identifiers: p.identifiers(),
                    }
                })
                .collect(),
            unavailable: false,
        },
    }
}

/// Links the items that name no catalog product yet to the one their fields name
/// confidently (local catalog only; the same text is resolved once per call).
pub fn link_items(index: &Index, drafts: &mut [&mut crate::domain::item::ItemDraft]) {
    let mut known: HashMap<String, Option<String>> = HashMap::new();
    for d in drafts.iter_mut().filter(|d| d.catalog_product_id.is_none()) {
        let text = crate::domain::catalog::item_text(d);
        d.catalog_product_id = known
            .entry(text)
            .or_insert_with_key(|text| local(index, text).product_id)
            .clone();
    }
}

/// Products for a text as it is typed, best first (the item form's type-ahead).
pub fn suggest(index: &Index, text: &str) -> Vec<Suggestion> {
    let found = index.find(text, true);
    let mut offered: Vec<Suggestion> = found
        .hits
        .iter()
        .map(|h| suggestion(index.product(h.product), h.confidence))
        .collect();
    if let (Some(first), Some((system, size))) = (offered.first_mut(), found.size) {
        first.size = Some((system.as_str().to_string(), size));
    }
    offered
}

/// A product as the item form offers it.
pub fn suggestion(p: &super::product::Product, confidence: f32) -> Suggestion {
    Suggestion {
        product_id: p.id.clone(),
        kind: p.kind.as_str().to_string(),
        name: p.name.clone(),
        brand: p.brand.clone(),
        style_id: p.style_id.clone(),
        colorway: p.colorway.clone(),
        game: p.game.clone(),
        set_name: p.set_name.clone(),
        set_code: p.set_code.clone(),
        number: p.number.clone(),
        language: p
            .language
            .as_deref()
            .filter(|l| *l != "en")
            .map(|l| crate::domain::catalog::language_name(l).to_string()),
        image_url: p.image_url.clone(),
        confidence: rounded(confidence),
        size: None,
    }
}

/// The whole cascade's answer as the item form offers it: the product when confident,
/// otherwise the candidates.
pub async fn lookup_suggestions(
    db: &Db,
    index: &SharedIndex,
    lookup: &Lookup,
    providers: &Providers,
    now: time::OffsetDateTime,
    text: &str,
) -> sqlx::Result<Vec<Suggestion>> {
    let answer = resolve(db, index, lookup, providers, now, text).await?;
    let size = answer.size.map(|s| (s.system.to_string(), s.size));
    let mut ids: Vec<(String, f32)> = match answer.product_id {
        Some(id) => vec![(id, answer.confidence)],
        None => answer
            .candidates
            .into_iter()
            .map(|c| (c.product_id, c.confidence))
            .collect(),
    };
    ids.truncate(5);
    let found = store::products_by_ids(
        db,
        &ids.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
    )
    .await?;
    let mut offered: Vec<Suggestion> = ids
        .iter()
        .filter_map(|(id, c)| {
            found
                .iter()
                .find(|p| &p.id == id)
                .map(|p| suggestion(p, *c))
        })
        .collect();
    if let Some(first) = offered.first_mut() {
        first.size = size;
    }
    Ok(offered)
}

/// The search index a server shares between requests, rebuilt (once, by whichever caller
/// notices first) when the catalog's generation moves.
#[derive(Clone, Default)]
pub struct SharedIndex {
    inner: Arc<Mutex<Option<Built>>>,
}

/// An index and the catalog generation it was built at.
type Built = (i64, Arc<Index>);

impl SharedIndex {
    pub async fn current(&self, db: &Db) -> sqlx::Result<Arc<Index>> {
        let generation = store::generation(db).await?;
        let mut slot = self.inner.lock().await;
        if let Some((built_at, index)) = slot.as_ref()
            && *built_at == generation
        {
            return Ok(index.clone());
        }
        let products = store::all_products(db).await?;
        let gtins = store::all_gtins(db).await?;
        let index = Arc::new(
            tokio::task::spawn_blocking(move || Index::build(products).with_gtins(gtins))
                .await
                .map_err(|e| sqlx::Error::Protocol(format!("building the catalog index: {e}")))?,
        );
        *slot = Some((generation, index.clone()));
        Ok(index)
    }
}

/// A barcode a provider found the product for: its sizes (one call each, at most two
/// products) are stored with their barcodes, so the scanned one names product and size.
/// Whether it was among them.
async fn learn_barcode(
    db: &Db,
    provider: &dyn super::providers::Provider,
    products: &[super::product::Product],
    gtin: &str,
) -> sqlx::Result<bool> {
    for p in products {
        let variants = match provider.sizes(p).await {
            Ok(Some(variants)) => variants,
            Ok(None) => continue,
            Err(e) => {
                tracing::info!(provider = provider.endpoint().name, "sizes: {e}");
                continue;
            }
        };
        if variants.iter().any(|v| v.gtins.iter().any(|g| g == gtin))
            && let Some(id) = store::id_of(db, &p.identity).await?
        {
            store::save_sizes(db, &id, provider.endpoint().name, &variants).await?;
            return Ok(true);
        }
    }
    Ok(false)
}

/// How long a text no provider knew is not asked about again (calls cost money).
const MISS_REMEMBERED_MS: i64 = 6 * 3600 * 1000;

/// The providers a server calls, made from its settings on first use, and the texts they
/// recently did not know.
pub struct Lookup {
    providers: std::sync::OnceLock<Arc<Providers>>,
    misses: std::sync::Mutex<HashMap<String, i64>>,
    /// Lookups that may reach the providers, per reseller (they cost money).
    pub per_user: governor::DefaultKeyedRateLimiter<String>,
}

/// Provider lookups a reseller may start a minute from the item form.
const LOOKUPS_PER_USER_PER_MINUTE: u32 = 10;

impl Default for Lookup {
    fn default() -> Self {
        let quota = std::num::NonZeroU32::new(LOOKUPS_PER_USER_PER_MINUTE).expect("non-zero");
        Lookup {
            providers: Default::default(),
            misses: Default::default(),
            per_user: governor::RateLimiter::keyed(governor::Quota::per_minute(quota)),
        }
    }
}

impl Lookup {
    pub fn providers(&self, settings: &Settings, clock: &Clock) -> &Arc<Providers> {
        self.providers
            .get_or_init(|| Arc::new(Providers::from_settings(settings, clock)))
    }

    fn missed_recently(&self, key: &str, now_ms: i64) -> bool {
        let misses = self.misses.lock().expect("misses lock");
        misses.get(key).is_some_and(|until| *until > now_ms)
    }

    fn remember_miss(&self, key: String, now_ms: i64) {
        let mut misses = self.misses.lock().expect("misses lock");
        misses.retain(|_, until| *until > now_ms);
        misses.insert(key, now_ms + MISS_REMEMBERED_MS);
    }
}

/// The text as the resolver reads it: two texts that read the same share one remembered
/// miss, and one reseller's pick (`choices`).
pub fn query_key(q: &Query) -> String {
    format!(
        "{}|{}|{:?}|{}|{:?}|{:?}|{:?}",
        q.words.join(" "),
        q.style_ids.join(","),
        q.numbers,
        q.set_numbers.join(","),
        q.gtin,
        q.size_run,
        q.language
    )
}

/// The whole cascade for `text`, stopping at the first confident answer: local catalog by
/// identifier, local by name, then each provider by identifier, then each by name. What a
/// provider answers is saved into the local catalog and ranked there, so the next lookup of
/// that product is local and costs no call.
pub async fn resolve(
    db: &Db,
    index: &SharedIndex,
    lookup: &Lookup,
    providers: &Providers,
    now: time::OffsetDateTime,
    text: &str,
) -> sqlx::Result<Resolution> {
    let mut best = local(&*index.current(db).await?, text);
    if best.product_id.is_some() || providers.list.is_empty() {
        return Ok(best);
    }
    let query = Query::parse(text);
    let key = query_key(&query);
    let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
    if lookup.missed_recently(&key, now_ms) {
        return Ok(best);
    }
    let has_identifier =
        !query.style_ids.is_empty() || query.gtin.is_some() || !query.set_numbers.is_empty();
    let mut unavailable = false;
    for (step, by_identifier) in [("provider_identifier", true), ("provider_name", false)] {
        if by_identifier && !has_identifier {
            continue;
        }
        for provider in &providers.list {
            let name = provider.endpoint().name;
            let asked = if by_identifier {
                provider.by_identifier(&query).await
            } else {
                provider.by_name(&query).await
            };
            let lines = match asked {
                Ok(lines) => lines,
                Err(e) => {
                    // Down, paused or over its limit: the next provider (or the local
                    // candidates) answer instead.
                    tracing::info!(provider = name, step, "{e}");
                    unavailable = true;
                    continue;
                }
            };
            if lines.is_empty() {
                continue;
            }
            let mut products = Vec::with_capacity(lines.len());
            for line in lines {
                match line.into_product() {
                    Ok(p) => products.push(p),
                    Err(why) => tracing::warn!(provider = name, "a product was refused: {why}"),
                }
            }
            // A barcode names one size: keep the products to ask for their sizes.
            let scanned: Vec<_> = match &query.gtin {
                Some(_) => products.iter().take(2).cloned().collect(),
                None => Vec::new(),
            };
            store::save_products(db, products, name, now).await?;
            let mut found = local(&*index.current(db).await?, text);
            if found.product_id.is_none()
                && let Some(gtin) = &query.gtin
                && learn_barcode(db, provider.as_ref(), &scanned, gtin).await?
            {
                found = local(&*index.current(db).await?, text);
            }
            if found.product_id.is_some() {
                return Ok(Resolution {
                    step: Some(step),
                    ..found
                });
            }
            if found.confidence > best.confidence || best.candidates.is_empty() {
                best = found;
            }
        }
    }
    // A provider that could not be asked may know it next time.
    if !unavailable {
        lookup.remember_miss(key, now_ms);
    }
    Ok(Resolution {
        unavailable,
        ..best
    })
}
