//! Scryfall (free, no key; it asks for at most 10 requests a second and a User-Agent): Magic
//! cards by set code and collector number, or by name.

use async_trait::async_trait;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use serde::Deserialize;

use super::{Endpoint, MOST_LINES, Provider, ProviderError, Quote, Quotes, line, some};
use crate::catalog::product::{CatalogLine, Product};
use crate::domain::catalog::Query;
use crate::server::{clock::Clock, config::CatalogSettings};
use std::collections::HashSet;

pub struct Scryfall {
    endpoint: Endpoint,
}

#[derive(Deserialize)]
struct List {
    data: Vec<Card>,
}

#[derive(Deserialize)]
struct Card {
    id: String,
    name: String,
    lang: Option<String>,
    released_at: Option<String>,
    set: String,
    set_name: Option<String>,
    collector_number: String,
    rarity: Option<String>,
    image_uris: Option<ImageUris>,
    cardmarket_id: Option<u64>,
    prices: Option<Prices>,
}

/// Scryfall's prices are decimal strings or null.
#[derive(Deserialize)]
struct Prices {
    usd: Option<String>,
    eur: Option<String>,
}

#[derive(Deserialize)]
struct ImageUris {
    normal: Option<String>,
    large: Option<String>,
}

impl Scryfall {
    pub fn new(base: &str, c: &CatalogSettings, clock: Clock) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        Scryfall {
            endpoint: Endpoint::new("scryfall", base, headers, c.scryfall_per_minute, c, clock),
        }
    }
}

fn into_line(c: Card) -> CatalogLine {
    let mut l = line("card", c.name);
    l.game = Some("Magic: The Gathering".into());
    l.set_code = Some(c.set.to_ascii_uppercase());
    l.set = some(c.set_name);
    l.number = Some(c.collector_number);
    l.rarity = some(c.rarity);
    l.language = some(c.lang);
    l.release_date = some(c.released_at);
    l.image_url = c.image_uris.and_then(|i| i.normal.or(i.large));
    l.external_ids
        .insert("scryfall".into(), serde_json::Value::String(c.id));
    if let Some(id) = c.cardmarket_id {
        l.external_ids.insert("cardmarket".into(), id.into());
    }
    l
}

#[async_trait]
impl Provider for Scryfall {
    fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    async fn by_identifier(&self, query: &Query) -> Result<Vec<CatalogLine>, ProviderError> {
        let Some((code, number)) = super::set_number(query) else {
            return Ok(Vec::new());
        };
        // Magic set codes are letters and digits, 3 to 5 of them; a 404 is "not a Magic card".
        let code = code.to_ascii_lowercase();
        let card: Option<Card> = self
            .endpoint
            .get_json(
                &format!("/cards/{code}/{}", number.to_ascii_lowercase()),
                &[],
            )
            .await?;
        Ok(card.into_iter().map(into_line).collect())
    }

    async fn by_name(&self, query: &Query) -> Result<Vec<CatalogLine>, ProviderError> {
        if query.words.is_empty() || !query.style_ids.is_empty() || query.gtin.is_some() {
            return Ok(Vec::new());
        }
        let mut q = query.words.join(" ");
        if let Some((number, _)) = query.numbers.first() {
            q.push_str(&format!(" cn:{number}"));
        }
        let list: Option<List> = self.endpoint.get_json("/cards/search", &[("q", q)]).await?;
        Ok(list
            .map(|l| l.data.into_iter().take(MOST_LINES).map(into_line).collect())
            .unwrap_or_default())
    }

    async fn quote(
        &self,
        product: &Product,
        _known: &HashSet<String>,
    ) -> Result<Quotes, ProviderError> {
        self.card_price(product).await.map(Quotes::whole)
    }
}

impl Scryfall {
    async fn card_price(&self, product: &Product) -> Result<Option<Quote>, ProviderError> {
        let Some(id) = product.external_ids.get("scryfall") else {
            return Ok(None);
        };
        let id: String = id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let card: Option<Card> = self.endpoint.get_json(&format!("/cards/{id}"), &[]).await?;
        let Some(prices) = card.and_then(|c| c.prices) else {
            return Ok(None);
        };
        let read = |v: Option<String>| v.and_then(|p| p.parse::<f64>().ok());
        Ok(read(prices.usd)
            .and_then(|usd| Quote::of(usd, "USD"))
            .or_else(|| read(prices.eur).and_then(|eur| Quote::of(eur, "EUR"))))
    }
}
