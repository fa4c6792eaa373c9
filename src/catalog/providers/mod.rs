//! The external catalog providers behind one trait: StockX (sneakers and collectibles), the
//! Pokémon TCG API and Scryfall (cards), each reached through its own client module and an
//! [`Endpoint`] that owns timeouts, retries, rate limit, circuit breaker and call counts.
//! Cardmarket publishes files instead of answering queries: `cardmarket` downloads them on a
//! schedule into the local catalog.
//!
//! A provider answers with catalog lines; the cascade (`resolve`) saves them into the local
//! catalog and ranks them there, so the next lookup of the same product is local.

pub mod cardmarket;
pub mod endpoint;
mod pokemontcg;
mod scryfall;
mod stockx;

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;

pub use endpoint::{Endpoint, ProviderError};

use super::product::{CatalogLine, Product};
use crate::domain::catalog::Query;
use crate::domain::item::SizeSystem;
use crate::server::{clock::Clock, config::Settings};

/// Most products taken from one provider answer (the rest are not what the text meant).
pub const MOST_LINES: usize = 20;

#[async_trait]
pub trait Provider: Send + Sync {
    fn endpoint(&self) -> &Endpoint;

    /// Products with the identifiers in `query` (style id, GTIN, set code + number); empty
    /// when the provider does not know them or does not deal in that kind of identifier.
    async fn by_identifier(&self, query: &Query) -> Result<Vec<CatalogLine>, ProviderError>;

    /// Products whose names match the words (and card number) in `query`.
    async fn by_name(&self, query: &Query) -> Result<Vec<CatalogLine>, ProviderError>;

    /// The product's market price now, when this provider knows it (by its external id), and
    /// per size where it sells sizes. `known` holds the variant ids already stored for the
    /// product: a provider lists its variants (one more call) only when it prices one not there.
    async fn quote(
        &self,
        product: &Product,
        known: &HashSet<String>,
    ) -> Result<Quotes, ProviderError>;

    /// The product's sizes with their box barcodes, where this provider sells sizes (one
    /// call): a barcode looked up online then names the size too.
    async fn sizes(&self, _product: &Product) -> Result<Option<Vec<Variant>>, ProviderError> {
        Ok(None)
    }
}

/// What a provider quotes for one product.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Quotes {
    /// The product as a whole (for sneakers, the median across sizes).
    pub product: Option<Quote>,
    /// Each size's price, by the provider's variant id.
    pub variants: Vec<(String, Quote)>,
    /// The product's sizes, when they had to be listed (see `known`).
    pub learned: Option<Vec<Variant>>,
}

impl Quotes {
    /// A product priced whole (cards, sealed product).
    pub fn whole(quote: Option<Quote>) -> Quotes {
        Quotes {
            product: quote,
            ..Quotes::default()
        }
    }
}

/// One size of a product as a provider sells it, with the size it is in each size system.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub id: String,
    pub sizes: Vec<(SizeSystem, String)>,
    /// The barcodes (UPC/EAN) printed on this size's box.
    pub gtins: Vec<String>,
}

/// A market price a provider quotes: minor units of `currency`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quote {
    pub amount: i64,
    pub currency: &'static str,
}

impl Quote {
    /// A decimal price (`310.5` dollars) in minor units; `None` for nothing, zero or nonsense.
    pub fn of(decimal: f64, currency: &'static str) -> Option<Quote> {
        (decimal.is_finite() && decimal > 0.0 && decimal < 1e9).then(|| Quote {
            amount: (decimal * 100.0).round() as i64,
            currency,
        })
    }
}

/// The providers this server may call, in the order the cascade asks them.
#[derive(Default)]
pub struct Providers {
    pub list: Vec<Arc<dyn Provider>>,
    /// Cardmarket's file downloads (not a query provider); `None` when off.
    pub cardmarket: Option<Arc<cardmarket::Cardmarket>>,
}

impl Providers {
    /// The providers `settings` turn on: a base URL that is not `off`, and StockX's key.
    pub fn from_settings(settings: &Settings, clock: &Clock) -> Providers {
        let p = &settings.providers;
        let c = &settings.catalog;
        let mut list: Vec<Arc<dyn Provider>> = Vec::new();
        if !p.stockx_api_base.is_empty()
            && let Some(key) = &p.stockx_api_key
        {
            list.push(Arc::new(stockx::StockX::new(
                &p.stockx_api_base,
                key,
                p.stockx_access_token.as_ref(),
                c,
                clock.clone(),
            )));
        }
        if !p.pokemontcg_api_base.is_empty() {
            list.push(Arc::new(pokemontcg::PokemonTcg::new(
                &p.pokemontcg_api_base,
                p.pokemontcg_api_key.as_ref(),
                c,
                clock.clone(),
            )));
        }
        if !p.scryfall_api_base.is_empty() {
            list.push(Arc::new(scryfall::Scryfall::new(
                &p.scryfall_api_base,
                c,
                clock.clone(),
            )));
        }
        let cardmarket = (!p.cardmarket_api_base.is_empty()).then(|| {
            Arc::new(cardmarket::Cardmarket::new(
                &p.cardmarket_api_base,
                c,
                clock.clone(),
            ))
        });
        Providers { list, cardmarket }
    }

    /// Requests sent to each provider so far, by name.
    pub fn calls(&self) -> Vec<(&'static str, u64)> {
        let mut calls: Vec<_> = self
            .list
            .iter()
            .map(|p| (p.endpoint().name, p.endpoint().calls()))
            .collect();
        if let Some(c) = &self.cardmarket {
            calls.push((c.endpoint.name, c.endpoint.calls()));
        }
        calls
    }

    pub fn total_calls(&self) -> u64 {
        self.calls().iter().map(|(_, n)| n).sum()
    }
}

/// The first set code + card number in the text (`MEW-151` → `MEW`, `151`).
fn set_number(query: &Query) -> Option<(&str, &str)> {
    query.set_numbers.first().and_then(|k| k.rsplit_once('-'))
}

/// Text that is a field or nothing.
fn some(v: Option<String>) -> Option<String> {
    v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// An empty catalog line of `kind` named `name`, for a provider to fill in.
fn line(kind: &str, name: String) -> CatalogLine {
    CatalogLine {
        kind: kind.to_string(),
        name,
        brand: None,
        model: None,
        colorway: None,
        style_id: None,
        gtin: None,
        game: None,
        set: None,
        set_code: None,
        number: None,
        rarity: None,
        language: None,
        release_date: None,
        retail_price: None,
        image_url: None,
        external_ids: Default::default(),
    }
}
