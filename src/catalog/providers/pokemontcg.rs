//! The Pokémon TCG API (`/v2/cards`, free; `X-Api-Key` raises its limits): English cards with
//! set codes, numbers, rarities and images.

use async_trait::async_trait;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::Deserialize;

use super::{Endpoint, MOST_LINES, Provider, ProviderError, Quote, Quotes, line, some};
use crate::catalog::product::{CatalogLine, Product};
use crate::domain::catalog::Query;
use crate::server::{
    clock::Clock,
    config::{CatalogSettings, Secret},
};
use std::collections::HashSet;

pub struct PokemonTcg {
    endpoint: Endpoint,
}

#[derive(Deserialize)]
struct Cards {
    data: Vec<Card>,
}

#[derive(Deserialize)]
struct OneCard {
    data: PricedCard,
}

/// A card's prices: TCGplayer's market price per finish (USD), Cardmarket's trend (EUR).
#[derive(Deserialize)]
struct PricedCard {
    tcgplayer: Option<Tcgplayer>,
    cardmarket: Option<CardmarketPrices>,
}

#[derive(Deserialize)]
struct Tcgplayer {
    #[serde(default)]
    prices: std::collections::BTreeMap<String, FinishPrices>,
}

#[derive(Deserialize)]
struct FinishPrices {
    market: Option<f64>,
}

#[derive(Deserialize)]
struct CardmarketPrices {
    prices: Option<Trend>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Trend {
    trend_price: Option<f64>,
}

#[derive(Deserialize)]
struct Card {
    id: String,
    name: String,
    number: String,
    rarity: Option<String>,
    set: Set,
    images: Option<Images>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Set {
    id: String,
    name: String,
    ptcgo_code: Option<String>,
    printed_total: Option<u32>,
    release_date: Option<String>,
}

#[derive(Deserialize)]
struct Images {
    large: Option<String>,
    small: Option<String>,
}

impl PokemonTcg {
    pub fn new(base: &str, key: Option<&Secret>, c: &CatalogSettings, clock: Clock) -> Self {
        let mut headers = HeaderMap::new();
        if let Some(v) = key.and_then(|k| HeaderValue::from_str(k.expose()).ok()) {
            headers.insert("x-api-key", v);
        }
        PokemonTcg {
            endpoint: Endpoint::new(
                "pokemontcg",
                base,
                headers,
                c.pokemontcg_per_minute,
                c,
                clock,
            ),
        }
    }

    async fn search(&self, q: String) -> Result<Vec<CatalogLine>, ProviderError> {
        let cards: Option<Cards> = self
            .endpoint
            .get_json(
                "/v2/cards",
                &[("q", q), ("pageSize", MOST_LINES.to_string())],
            )
            .await?;
        Ok(cards
            .map(|c| c.data.into_iter().map(into_line).collect())
            .unwrap_or_default())
    }
}

fn into_line(c: Card) -> CatalogLine {
    let mut l = line("card", c.name);
    l.game = Some("Pokémon".into());
    l.set_code = some(c.set.ptcgo_code).or_else(|| Some(c.set.id.to_ascii_uppercase()));
    l.set = Some(c.set.name);
    // `4/102`: the printed total tells reprints that share a number apart.
    l.number = Some(match c.set.printed_total {
        Some(total) if !c.number.contains('/') => format!("{}/{total}", c.number),
        _ => c.number,
    });
    l.rarity = some(c.rarity);
    l.language = Some("en".into());
    // "1999/01/09" → "1999-01-09"
    l.release_date = c.set.release_date.map(|d| d.replace('/', "-"));
    l.image_url = c.images.and_then(|i| i.large.or(i.small));
    l.external_ids
        .insert("pokemontcg".into(), serde_json::Value::String(c.id));
    l
}

/// A value for the API's query language: quoted, without quotes of its own.
fn quoted(v: &str) -> String {
    format!("\"{}\"", v.replace('"', ""))
}

#[async_trait]
impl Provider for PokemonTcg {
    fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    async fn by_identifier(&self, query: &Query) -> Result<Vec<CatalogLine>, ProviderError> {
        let Some((code, number)) = super::set_number(query) else {
            return Ok(Vec::new());
        };
        self.search(format!(
            "set.ptcgoCode:{} number:{}",
            quoted(code),
            quoted(number)
        ))
        .await
    }

    async fn by_name(&self, query: &Query) -> Result<Vec<CatalogLine>, ProviderError> {
        // The card's name leads a reseller's text ("charizard base 4/102"): the first word
        // narrows the search, the number pins the card, the local ranking does the rest.
        let Some(first) = query.words.first() else {
            return Ok(Vec::new());
        };
        if !query.style_ids.is_empty() || query.gtin.is_some() {
            return Ok(Vec::new());
        }
        let mut q = format!("name:{}*", first.replace(['"', '*', ':'], ""));
        if let Some((number, total)) = query.numbers.first() {
            q.push_str(&format!(" number:{}", quoted(number)));
            if let Some(total) = total {
                q.push_str(&format!(" set.printedTotal:{total}"));
            }
        }
        self.search(q).await
    }

    async fn quote(
        &self,
        product: &Product,
        _known: &HashSet<String>,
    ) -> Result<Quotes, ProviderError> {
        self.card_price(product).await.map(Quotes::whole)
    }
}

impl PokemonTcg {
    async fn card_price(&self, product: &Product) -> Result<Option<Quote>, ProviderError> {
        let Some(id) = product.external_ids.get("pokemontcg") else {
            return Ok(None);
        };
        let card: Option<OneCard> = self
            .endpoint
            .get_json(&format!("/v2/cards/{}", urlencode(id)), &[])
            .await?;
        let Some(card) = card.map(|c| c.data) else {
            return Ok(None);
        };
        // The finish the card is usually sold in: holo before normal before the rest.
        let tcg = card.tcgplayer.and_then(|t| {
            let order = [
                "holofoil",
                "normal",
                "reverseHolofoil",
                "1stEditionHolofoil",
            ];
            order
                .iter()
                .find_map(|f| t.prices.get(*f).and_then(|p| p.market))
                .or_else(|| t.prices.values().find_map(|p| p.market))
        });
        Ok(tcg.and_then(|usd| Quote::of(usd, "USD")).or_else(|| {
            card.cardmarket
                .and_then(|c| c.prices?.trend_price)
                .and_then(|eur| Quote::of(eur, "EUR"))
        }))
    }
}

/// An id as one path segment.
fn urlencode(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect()
}
