//! What shoppers see, shared by the server-rendered pages, the hydrated browser and the
//! public JSON API.

use serde::{Deserialize, Serialize};

use crate::domain::{Money, item::ItemKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicStore {
    pub slug: String,
    pub name: String,
    pub tagline: String,
    pub currency: crate::domain::Currency,
    pub description: String,
    pub logo_url: Option<String>,
    pub policies: String,
    pub faq: String,
    /// "US $8.00", "Everywhere else $30.00", "Free over $200.00".
    pub shipping: Vec<String>,
    /// Card payments through Stripe; otherwise the store's own instructions after ordering.
    pub pays_by_card: bool,
    /// The catalog's absolute address (for link previews).
    #[serde(default)]
    pub page_url: String,
}

/// Filters, sort and page of a catalog, as they appear in the address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CatalogQuery {
    pub q: String,
    pub kind: String,
    /// A sneaker brand or a card set.
    pub line: String,
    pub size: String,
    pub condition: String,
    pub min_price: String,
    pub max_price: String,
    /// `newest` (default), `price` or `-price`.
    pub sort: String,
    pub page: u32,
}

impl CatalogQuery {
    /// The query string of this query at another page (for pager links).
    pub fn to_query_string(&self, page: u32) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut add = |k: &str, v: &str| {
            if !v.is_empty() {
                parts.push(format!("{k}={}", encode(v)));
            }
        };
        add("q", &self.q);
        add("kind", &self.kind);
        add("line", &self.line);
        add("size", &self.size);
        add("condition", &self.condition);
        add("min_price", &self.min_price);
        add("max_price", &self.max_price);
        add("sort", &self.sort);
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A listing as shoppers (and the JSON API) see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PublicListing {
    pub id: String,
    pub title: String,
    pub kind: ItemKind,
    pub price: Money,
    /// Units a shopper can buy now.
    pub available: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// The size with its system, as shoppers read it ("US M 10.5").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_set: Option<String>,
    pub images: Vec<String>,
    pub url: String,
}

/// Values shoppers can filter by, from what is on sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Facets {
    pub kinds: Vec<String>,
    pub lines: Vec<String>,
    pub sizes: Vec<String>,
    pub conditions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogPage {
    pub store: PublicStore,
    pub listings: Vec<PublicListing>,
    pub page: u32,
    pub per_page: u32,
    pub has_next: bool,
    pub facets: Facets,
}

/// An item page: the listing and its details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingDetail {
    pub store: PublicStore,
    pub listing: PublicListing,
    pub details: Vec<(String, String)>,
}

/// A cart line as the server prices it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricedLine {
    pub listing_id: String,
    pub title: String,
    pub unit_price: Money,
    pub quantity: i64,
    pub available: i64,
    pub image: Option<String>,
    /// Why the line cannot be bought as it is (sold out, fewer left).
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricedCart {
    pub lines: Vec<PricedLine>,
    pub subtotal: Money,
    /// `None` when the store does not ship to the chosen country.
    pub shipping: Option<Money>,
    pub total: Option<Money>,
}

/// What a checkout answers (the body of `POST /api/v1/checkout/session`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CheckoutCreated {
    pub order_id: String,
    pub status: String,
    pub checkout_url: String,
    pub expires_at: String,
}
