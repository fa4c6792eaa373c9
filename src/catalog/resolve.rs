//! The enrichment cascade as callers see it: a text in, a product (with its confidence and
//! the step that found it) or candidates out. The local steps run on the shared search index,
//! rebuilt when the catalog's generation moves.

use serde::Serialize;
use std::sync::Arc;
use tokio::sync::Mutex;

use super::index::{Found, Index};
use super::store;
use crate::server::db::Db;

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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Candidate>,
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
                candidates: Vec::new(),
            }
        }
        None => Resolution {
            query: query.to_string(),
            product_id: None,
            name: None,
            confidence: rounded(found.hits.first().map_or(0.0, |h| h.confidence)),
            step: None,
            identifiers: serde_json::Value::Object(Default::default()),
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
        },
    }
}

/// Products for a text as it is typed, best first (the item form's type-ahead).
pub fn suggest(index: &Index, text: &str) -> Vec<super::types::Suggestion> {
    index
        .find(text, true)
        .hits
        .iter()
        .map(|h| {
            let p = index.product(h.product);
            super::types::Suggestion {
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
                confidence: rounded(h.confidence),
            }
        })
        .collect()
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
        let index = Arc::new(
            tokio::task::spawn_blocking(move || Index::build(products))
                .await
                .map_err(|e| sqlx::Error::Protocol(format!("building the catalog index: {e}")))?,
        );
        *slot = Some((generation, index.clone()));
        Ok(index)
    }
}
