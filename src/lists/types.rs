//! What the lists pages and the server exchange.

use serde::{Deserialize, Serialize};

use crate::domain::wtb::WtbItem;

/// One of a reseller's lists, as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WtbListSummary {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub is_public: bool,
    pub item_count: i64,
    /// The visible start of the current API key (`fd_AbCd…`); `None`: no key yet.
    pub key_prefix: Option<String>,
    /// "2026-12-02 14:05 UTC"
    pub key_created: Option<String>,
    pub key_last_used: Option<String>,
}

/// A list with its items and the currency new items default to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WtbListDetail {
    pub list: WtbListSummary,
    pub items: Vec<WtbItem>,
    pub currency: crate::domain::Currency,
    /// What the market asks now for the items linked to a catalog product, by item id (the
    /// owner's view only: the public page and the bot API do not show it).
    pub market: Vec<(String, WantedMarket)>,
}

/// The market's latest price for a wanted item: its size's lowest ask when the provider
/// prices sizes and the item names one, otherwise the product's price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WantedMarket {
    pub price: crate::domain::Money,
    /// The size the price is for; `None`: the product across sizes.
    pub size: Option<String>,
    /// Who quotes it (`stockx`, `cardmarket`…).
    pub source: String,
}

/// A new API key, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedKey {
    pub key: String,
    pub prefix: String,
}

/// The public page of a list: what it wants, who buys, and the link preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicList {
    pub slug: String,
    pub name: String,
    pub description: String,
    /// (slug, name) of the buyer's store.
    pub owner_store: Option<(String, String)>,
    /// This page of the items, oldest first.
    pub items: Vec<WtbItem>,
    /// All items of the list, and which page of `PUBLIC_PER_PAGE` this is.
    pub total: i64,
    pub page: u32,
    /// Absolute address of the page and of its preview image (Open Graph).
    pub page_url: String,
    pub image_url: String,
}

/// Wanted items per page of the public list.
pub const PUBLIC_PER_PAGE: u32 = 60;

/// "fd_AbCdE…": enough of a key to tell it apart, never enough to use it.
pub fn key_hint(prefix: &str) -> String {
    format!("{prefix}…")
}
