//! StockX's v2 API (`x-api-key` plus the OAuth2 bearer token): catalog search by style id,
//! GTIN or name. Sneakers and collectibles come back with style ids, colourways, release
//! dates and retail prices.

use async_trait::async_trait;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde::Deserialize;

use super::{Endpoint, MOST_LINES, Provider, ProviderError, Quote, line, some};
use crate::catalog::product::{Amount, CatalogLine, Product as CatalogProduct};
use crate::domain::catalog::Query;
use crate::server::{
    clock::Clock,
    config::{CatalogSettings, Secret},
};

pub struct StockX {
    endpoint: Endpoint,
}

#[derive(Deserialize)]
struct Search {
    products: Vec<Product>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Product {
    product_id: String,
    style_id: Option<String>,
    product_type: Option<String>,
    title: String,
    brand: Option<String>,
    product_attributes: Option<Attributes>,
}

/// One size's market: amounts are decimal strings in the asked currency.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VariantMarket {
    lowest_ask_amount: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attributes {
    colorway: Option<String>,
    release_date: Option<String>,
    /// Whole US dollars.
    retail_price: Option<f64>,
}

impl StockX {
    pub fn new(
        base: &str,
        key: &Secret,
        token: Option<&Secret>,
        c: &CatalogSettings,
        clock: Clock,
    ) -> Self {
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(key.expose()) {
            headers.insert("x-api-key", v);
        }
        if let Some(v) =
            token.and_then(|t| HeaderValue::from_str(&format!("Bearer {}", t.expose())).ok())
        {
            headers.insert(AUTHORIZATION, v);
        }
        StockX {
            endpoint: Endpoint::new("stockx", base, headers, c.stockx_per_minute, c, clock),
        }
    }

    async fn search(&self, text: String) -> Result<Vec<CatalogLine>, ProviderError> {
        let found: Option<Search> = self
            .endpoint
            .get_json(
                "/v2/catalog/search",
                &[
                    ("query", text),
                    ("pageNumber", "1".into()),
                    ("pageSize", MOST_LINES.to_string()),
                ],
            )
            .await?;
        Ok(found
            .map(|s| s.products.into_iter().map(into_line).collect())
            .unwrap_or_default())
    }
}

fn into_line(p: Product) -> CatalogLine {
    let kind = match p.product_type.as_deref() {
        Some("sneakers") => "sneaker",
        Some("trading-cards") => "sealed",
        _ => "other",
    };
    let mut l = line(kind, p.title);
    l.brand = some(p.brand);
    l.style_id = some(p.style_id);
    if let Some(a) = p.product_attributes {
        l.colorway = some(a.colorway);
        l.release_date = some(a.release_date).map(|d| d.chars().take(10).collect());
        l.retail_price = a.retail_price.filter(|p| *p > 0.0).map(|dollars| Amount {
            amount: (dollars * 100.0).round() as i64,
            currency: "USD".into(),
        });
    }
    l.external_ids
        .insert("stockx".into(), serde_json::Value::String(p.product_id));
    l
}

#[async_trait]
impl Provider for StockX {
    fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    async fn by_identifier(&self, query: &Query) -> Result<Vec<CatalogLine>, ProviderError> {
        match query.style_ids.first().or(query.gtin.as_ref()) {
            Some(id) => self.search(id.clone()).await,
            None => Ok(Vec::new()),
        }
    }

    async fn by_name(&self, query: &Query) -> Result<Vec<CatalogLine>, ProviderError> {
        // Card numbers mean a single card: not what StockX lists.
        if query.words.is_empty() || !query.numbers.is_empty() || !query.set_numbers.is_empty() {
            return Ok(Vec::new());
        }
        self.search(query.words.join(" ")).await
    }

    async fn quote(&self, product: &CatalogProduct) -> Result<Option<Quote>, ProviderError> {
        let Some(id) = product.external_ids.get("stockx") else {
            return Ok(None);
        };
        let id: String = id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let sizes: Option<Vec<VariantMarket>> = self
            .endpoint
            .get_json(
                &format!("/v2/catalog/products/{id}/market-data"),
                &[("currencyCode", "USD".into())],
            )
            .await?;
        // Flipdesk prices a product, not a size yet: the median lowest ask across sizes.
        let mut asks: Vec<f64> = sizes
            .unwrap_or_default()
            .into_iter()
            .filter_map(|v| v.lowest_ask_amount?.parse::<f64>().ok())
            .filter(|a| *a > 0.0)
            .collect();
        if asks.is_empty() {
            return Ok(None);
        }
        asks.sort_by(f64::total_cmp);
        Ok(Quote::of(asks[asks.len() / 2], "USD"))
    }
}
