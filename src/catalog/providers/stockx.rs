//! StockX's v2 API (`x-api-key` plus the OAuth2 bearer token): catalog search by style id,
//! GTIN or name. Sneakers and collectibles come back with style ids, colourways, release
//! dates and retail prices; market data comes per size, with each size's chart.

use async_trait::async_trait;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde::Deserialize;

use std::collections::HashSet;

use super::{Endpoint, MOST_LINES, Provider, ProviderError, Quote, Quotes, Variant, line, some};
use crate::catalog::product::{Amount, CatalogLine, Product as CatalogProduct};
use crate::domain::catalog::Query;
use crate::domain::item::SizeSystem;
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
    variant_id: Option<String>,
    lowest_ask_amount: Option<String>,
}

/// One size of a product (`/variants`), with its size chart.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VariantInfo {
    variant_id: String,
    variant_value: Option<String>,
    size_chart: Option<SizeChart>,
    #[serde(default)]
    gtins: Vec<Gtin>,
}

#[derive(Deserialize)]
struct Gtin {
    identifier: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SizeChart {
    default_conversion: Option<Conversion>,
    #[serde(default)]
    available_conversions: Vec<Conversion>,
}

#[derive(Deserialize)]
struct Conversion {
    size: String,
    #[serde(rename = "type")]
    kind: String,
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

    /// The product's sizes, with their size charts and barcodes (`/variants`).
    async fn variants(&self, id: &str) -> Result<Vec<Variant>, ProviderError> {
        let listed: Option<Vec<VariantInfo>> = self
            .endpoint
            .get_json(&format!("/v2/catalog/products/{id}/variants"), &[])
            .await?;
        Ok(listed
            .unwrap_or_default()
            .into_iter()
            .filter_map(into_variant)
            .collect())
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

/// A product id as it may go into a path.
fn safe_id(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
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

    async fn sizes(&self, product: &CatalogProduct) -> Result<Option<Vec<Variant>>, ProviderError> {
        match product.external_ids.get("stockx") {
            Some(id) => Ok(Some(self.variants(&safe_id(id)).await?)),
            None => Ok(None),
        }
    }

    async fn by_name(&self, query: &Query) -> Result<Vec<CatalogLine>, ProviderError> {
        // Card numbers mean a single card: not what StockX lists.
        if query.words.is_empty() || !query.numbers.is_empty() || !query.set_numbers.is_empty() {
            return Ok(Vec::new());
        }
        self.search(query.words.join(" ")).await
    }

    async fn quote(
        &self,
        product: &CatalogProduct,
        known: &HashSet<String>,
    ) -> Result<Quotes, ProviderError> {
        let Some(id) = product.external_ids.get("stockx") else {
            return Ok(Quotes::default());
        };
        let id = safe_id(id);
        let market: Option<Vec<VariantMarket>> = self
            .endpoint
            .get_json(
                &format!("/v2/catalog/products/{id}/market-data"),
                &[("currencyCode", "USD".into())],
            )
            .await?;
        let variants: Vec<(String, Quote)> = market
            .unwrap_or_default()
            .into_iter()
            .filter_map(|v| {
                let ask = v.lowest_ask_amount?.parse::<f64>().ok()?;
                Some((v.variant_id?, Quote::of(ask, "USD")?))
            })
            .collect();
        // A size priced that is not stored yet: list the product's sizes once.
        let learned = if variants.iter().any(|(v, _)| !known.contains(v)) {
            Some(self.variants(&id).await?)
        } else {
            None
        };
        // The product as a whole: the median lowest ask across sizes.
        let mut asks: Vec<i64> = variants.iter().map(|(_, q)| q.amount).collect();
        asks.sort_unstable();
        Ok(Quotes {
            product: asks.get(asks.len() / 2).map(|&amount| Quote {
                amount,
                currency: "USD",
            }),
            variants,
            learned,
        })
    }
}

/// A StockX size with the size it is in each system StockX converts it to ("US M 10.5",
/// "US W 12", "UK 9.5", "EU 44.5"); the systems Flipdesk does not keep are left out.
fn into_variant(v: VariantInfo) -> Option<Variant> {
    let mut sizes: Vec<(SizeSystem, String)> = Vec::new();
    let chart = v.size_chart.unwrap_or_default();
    let conversions = chart
        .available_conversions
        .into_iter()
        .chain(chart.default_conversion);
    for c in conversions {
        if let Some(size) = size_in_system(&c.kind, &c.size)
            && !sizes.contains(&size)
        {
            sizes.push(size);
        }
    }
    // No chart: the bare value, read as US sizes ("10.5", "7W", "5.5Y").
    if sizes.is_empty()
        && let Some(value) = v.variant_value.as_deref().map(str::trim)
    {
        let kind = match value.chars().last() {
            Some('W' | 'w') => "us w",
            Some('Y' | 'y') => "us y",
            _ => "us m",
        };
        sizes.extend(size_in_system(kind, value.trim_end_matches(['W', 'w'])));
    }
    let mut gtins: Vec<String> = v
        .gtins
        .into_iter()
        .map(|g| g.identifier.trim().to_string())
        .filter(|g| g.chars().all(|c| c.is_ascii_digit()) && [8, 12, 13, 14].contains(&g.len()))
        .collect();
    gtins.dedup();
    (!sizes.is_empty()).then_some(Variant {
        id: v.variant_id,
        sizes,
        gtins,
    })
}

/// A size chart entry ("us m", "US M 10.5") as Flipdesk's size system and normalised size.
fn size_in_system(kind: &str, size: &str) -> Option<(SizeSystem, String)> {
    let number = size
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .trim();
    let youth = number.ends_with(['Y', 'y']);
    let system = match kind.trim().to_ascii_lowercase().as_str() {
        "us m" | "us" if youth => SizeSystem::UsGs,
        "us m" | "us" | "us men" => SizeSystem::UsM,
        "us w" | "us women" => SizeSystem::UsW,
        "us y" | "us gs" | "gs" => SizeSystem::UsGs,
        "uk" => SizeSystem::Uk,
        "eu" => SizeSystem::Eu,
        _ => return None,
    };
    let number = number.trim_end_matches(['W', 'w']).trim();
    system.check_size(number).ok().map(|s| (system, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_charts_read_into_flipdesks_systems() {
        assert_eq!(
            size_in_system("us m", "US M 10.5"),
            Some((SizeSystem::UsM, "10.5".into()))
        );
        assert_eq!(
            size_in_system("us w", "US W 12"),
            Some((SizeSystem::UsW, "12".into()))
        );
        assert_eq!(
            size_in_system("us m", "5.5Y"),
            Some((SizeSystem::UsGs, "5.5".into()))
        );
        assert_eq!(
            size_in_system("eu", "EU 44 2/3"),
            Some((SizeSystem::Eu, "44 2/3".into()))
        );
        assert_eq!(
            size_in_system("cm", "28.5"),
            None,
            "not a system Flipdesk keeps"
        );
        assert_eq!(size_in_system("us m", "US M 40"), None, "not a US size");
        let chartless = |value: &str| {
            into_variant(VariantInfo {
                variant_id: "v".into(),
                variant_value: Some(value.into()),
                size_chart: None,
                gtins: Vec::new(),
            })
            .map(|v| v.sizes)
        };
        assert_eq!(chartless("7W"), Some(vec![(SizeSystem::UsW, "7".into())]));
        assert_eq!(chartless("10"), Some(vec![(SizeSystem::UsM, "10".into())]));
        assert_eq!(chartless("OS"), None);
        // Barcodes: UPC and EAN kept once; anything not 8, 12, 13 or 14 digits is not one.
        let gtins: Vec<Gtin> = [
            "194953069427",
            "194953069427",
            "0194953069427",
            "n/a",
            "12345",
        ]
        .into_iter()
        .map(|g| Gtin {
            identifier: g.into(),
        })
        .collect();
        let v = into_variant(VariantInfo {
            variant_id: "v".into(),
            variant_value: Some("10".into()),
            size_chart: None,
            gtins,
        })
        .unwrap();
        assert_eq!(v.gtins, ["194953069427", "0194953069427"]);
    }
}
