//! Inventory types shared by the browser and the server.

use serde::{Deserialize, Serialize};

pub use crate::domain::item::{SaleInput, ShipmentInput};
use crate::domain::{
    Money,
    item::{ItemDetails, ItemInput, ItemKind, ItemStatus, SaleChannel},
};

/// One row of the stock table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemSummary {
    pub id: String,
    pub kind: ItemKind,
    pub status: ItemStatus,
    pub name: String,
    pub sku: Option<String>,
    pub quantity: i64,
    pub purchase_price: Money,
    pub purchase_date: Option<String>,
    pub style_id: Option<String>,
    pub size: Option<String>,
    pub card_set: Option<String>,
    pub grade: Option<String>,
    /// The size with its system or the grade with its grader, as the table shows it.
    pub detail: String,
    pub tags: Vec<String>,
    pub version: i64,
    /// Its cover photo (the first ready one), for the table's thumbnail.
    #[serde(default)]
    pub cover_photo: Option<String>,
    /// Where it is offered now: "Storefront", then the sales channels by name (stock table).
    #[serde(default)]
    pub listed_on: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleView {
    pub quantity: i64,
    pub channel: SaleChannel,
    pub sale_price: Money,
    pub shipping_charged: Money,
    pub fees: Money,
    pub shipping_paid: Money,
    pub purchase_cost: Money,
    pub net_profit: Money,
    pub sold_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipmentView {
    pub carrier: String,
    pub tracking_code: String,
    pub shipped_on: String,
}

/// Everything about one item, for its page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemView {
    pub summary: ItemSummary,
    pub purchase_source: Option<String>,
    pub storage_location: Option<String>,
    pub notes: Option<String>,
    pub image_urls: Vec<String>,
    pub details: ItemDetails,
    pub created_at: String,
    pub updated_at: String,
    pub sales: Vec<SaleView>,
    pub shipments: Vec<ShipmentView>,
    /// Latest known market price per unit (None: the item counts at cost).
    pub market_price: Option<Money>,
    /// Market prices as recorded, newest first.
    pub price_history: Vec<PricePoint>,
    /// Its listing in the reseller's store, if any.
    pub listing: Option<crate::store::types::ListingRow>,
    /// Its photos, cover first.
    #[serde(default)]
    pub photos: Vec<crate::photos::types::PhotoView>,
    /// The catalog product it is linked to: (id, name).
    #[serde(default)]
    pub catalog_product: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricePoint {
    pub price: Money,
    /// "manual", or the catalog it came from.
    pub source: String,
    pub observed_at: String,
}

impl ItemView {
    /// The item as the edit form shows it.
    pub fn to_input(&self) -> ItemInput {
        let v = self;
        let s = &v.summary;
        let d = &v.details;
        let o = |x: &Option<String>| x.clone().unwrap_or_default();
        ItemInput {
            kind: s.kind.as_str().into(),
            name: s.name.clone(),
            sku: o(&s.sku),
            quantity: s.quantity.to_string(),
            purchase_price: s.purchase_price.to_decimal_string(),
            currency: s.purchase_price.currency.code().into(),
            purchase_date: o(&s.purchase_date),
            purchase_source: o(&v.purchase_source),
            storage_location: o(&v.storage_location),
            tags: s.tags.join(", "),
            notes: o(&v.notes),
            image_urls: v.image_urls.join("\n"),
            catalog_product_id: v
                .catalog_product
                .as_ref()
                .map(|(id, _)| id.clone())
                .unwrap_or_default(),
            brand: o(&d.brand),
            style_id: o(&d.style_id),
            colorway: o(&d.colorway),
            size: o(&d.size),
            size_system: d
                .size_system
                .map(|x| x.as_str().to_string())
                .unwrap_or_default(),
            sneaker_condition: d
                .sneaker_condition
                .map(|x| x.as_str().to_string())
                .unwrap_or_default(),
            box_condition: d
                .box_condition
                .map(|x| x.as_str().to_string())
                .unwrap_or_default(),
            game: o(&d.game),
            card_set: o(&d.card_set),
            card_number: o(&d.card_number),
            language: o(&d.language),
            finish: o(&d.finish),
            card_condition: d
                .card_condition
                .map(|x| x.as_str().to_string())
                .unwrap_or_default(),
            grading_company: d
                .grading_company
                .map(|x| x.as_str().to_string())
                .unwrap_or_default(),
            grade: o(&d.grade),
            cert_number: o(&d.cert_number),
            attributes: d
                .attributes
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// Sort orders the stock table offers (whitelisted: never raw SQL from the browser).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ItemSort {
    #[default]
    Newest,
    Oldest,
    NameAsc,
    NameDesc,
    CostAsc,
    CostDesc,
    PurchasedAsc,
    PurchasedDesc,
    Status,
}

impl ItemSort {
    pub const ALL: &'static [ItemSort] = &[
        ItemSort::Newest,
        ItemSort::Oldest,
        ItemSort::NameAsc,
        ItemSort::NameDesc,
        ItemSort::CostAsc,
        ItemSort::CostDesc,
        ItemSort::PurchasedAsc,
        ItemSort::PurchasedDesc,
        ItemSort::Status,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemSort::Newest => "newest",
            ItemSort::Oldest => "oldest",
            ItemSort::NameAsc => "name",
            ItemSort::NameDesc => "-name",
            ItemSort::CostAsc => "cost",
            ItemSort::CostDesc => "-cost",
            ItemSort::PurchasedAsc => "purchased",
            ItemSort::PurchasedDesc => "-purchased",
            ItemSort::Status => "status",
        }
    }

    pub fn parse(s: &str) -> ItemSort {
        ItemSort::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s)
            .unwrap_or_default()
    }
}

/// Filters, search and page of the stock table; travels in the URL query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ItemQuery {
    pub search: String,
    pub status: Option<ItemStatus>,
    pub kind: Option<ItemKind>,
    /// Where it is offered: a sales channel's id, `store` (the storefront) or `nowhere`.
    #[serde(default)]
    pub listed_on: Option<String>,
    pub sort: ItemSort,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl ItemQuery {
    pub const DEFAULT_PER_PAGE: u32 = 50;
    pub const MAX_PER_PAGE: u32 = 200;

    pub fn page(&self) -> u32 {
        self.page.max(1)
    }

    pub fn per_page(&self) -> u32 {
        match self.per_page {
            0 => Self::DEFAULT_PER_PAGE,
            n => n.min(Self::MAX_PER_PAGE),
        }
    }

    /// From URL query pairs (`q`, `status`, `kind`, `sort`, `page`, `per_page`).
    pub fn from_pairs<'a>(get: impl Fn(&str) -> Option<String> + 'a) -> ItemQuery {
        ItemQuery {
            search: get("q").unwrap_or_default().chars().take(100).collect(),
            status: get("status").and_then(|s| ItemStatus::parse(&s)),
            kind: get("kind").and_then(|s| ItemKind::parse(&s)),
            listed_on: get("listed_on").filter(|p| {
                !p.is_empty()
                    && p.len() <= 64
                    && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            }),
            sort: ItemSort::parse(&get("sort").unwrap_or_default()),
            page: get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
            per_page: get("per_page").and_then(|p| p.parse().ok()).unwrap_or(0),
        }
    }

    /// Back to a URL query string (without the page when it is 1).
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        let enc = |s: &str| {
            s.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    b' ' => "+".to_string(),
                    other => format!("%{other:02X}"),
                })
                .collect::<String>()
        };
        if !self.search.trim().is_empty() {
            parts.push(format!("q={}", enc(self.search.trim())));
        }
        if let Some(s) = self.status {
            parts.push(format!("status={}", s.as_str()));
        }
        if let Some(k) = self.kind {
            parts.push(format!("kind={}", k.as_str()));
        }
        if let Some(place) = &self.listed_on {
            parts.push(format!("listed_on={}", enc(place)));
        }
        if self.sort != ItemSort::Newest {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if self.page() > 1 {
            parts.push(format!("page={}", self.page()));
        }
        if self.per_page != 0 && self.per_page() != Self::DEFAULT_PER_PAGE {
            parts.push(format!("per_page={}", self.per_page()));
        }
        parts.join("&")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemPage {
    pub items: Vec<ItemSummary>,
    /// The reseller's sales channels (id, name), for the "Listed on" filter.
    #[serde(default)]
    pub channels: Vec<(String, String)>,
    /// Matching items, counted up to a cap (see `total_is_capped`).
    pub total: i64,
    /// More items match than were counted: show "10,000+".
    pub total_is_capped: bool,
    pub page: u32,
    pub per_page: u32,
}

impl ItemPage {
    /// "7 items", "10,000+ items".
    pub fn total_label(&self) -> String {
        let n = crate::ui::format_count(self.total);
        if self.total_is_capped {
            format!("{n}+ items")
        } else if self.total == 1 {
            "1 item".into()
        } else {
            format!("{n} items")
        }
    }

    pub fn page_count(&self) -> u32 {
        ((self.total.max(0) as u64).div_ceil(self.per_page.max(1) as u64)).max(1) as u32
    }
}

/// Headline numbers for the dashboard overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct InventoryOverview {
    /// Units still held (purchased, in stock, listed, reserved, returned).
    pub units_held: i64,
    pub units_listed: i64,
    /// Purchase cost of what is held, one amount per currency.
    pub held_cost: Vec<Money>,
    pub sales: i64,
    pub net_profit: Vec<Money>,
    /// Sold but not shipped yet.
    pub awaiting_shipment: i64,
}

/// One line of a bulk sale, as typed: which item, the price of one unit (every unit the item
/// holds is sold), and the sale's fees and shipping like the single "Mark sold" form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BulkSaleLine {
    pub id: String,
    pub sale_price: String,
    #[serde(default)]
    pub fees: String,
    #[serde(default)]
    pub shipping_charged: String,
    #[serde(default)]
    pub shipping_paid: String,
}

/// One row of the sales table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleRow {
    pub item_id: String,
    pub item_name: String,
    pub channel: SaleChannel,
    pub quantity: i64,
    pub sale_price: Money,
    pub fees: Money,
    pub net_profit: Money,
    pub sold_on: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SaleSort {
    #[default]
    NewestSold,
    OldestSold,
    ProfitDesc,
    ProfitAsc,
}

impl SaleSort {
    pub const ALL: &'static [SaleSort] = &[
        SaleSort::NewestSold,
        SaleSort::OldestSold,
        SaleSort::ProfitDesc,
        SaleSort::ProfitAsc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SaleSort::NewestSold => "newest",
            SaleSort::OldestSold => "oldest",
            SaleSort::ProfitDesc => "-profit",
            SaleSort::ProfitAsc => "profit",
        }
    }

    pub fn parse(s: &str) -> SaleSort {
        SaleSort::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s)
            .unwrap_or_default()
    }
}

/// Filters and page of the sales table; travels in the URL query (`channel`, `sort`, `page`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SaleQuery {
    pub channel: Option<SaleChannel>,
    pub sort: SaleSort,
    pub page: u32,
}

impl SaleQuery {
    pub const PER_PAGE: u32 = 50;

    pub fn page(&self) -> u32 {
        self.page.max(1)
    }

    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(c) = self.channel {
            parts.push(format!("channel={}", c.as_str()));
        }
        if self.sort != SaleSort::NewestSold {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if self.page() > 1 {
            parts.push(format!("page={}", self.page()));
        }
        parts.join("&")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalePage {
    pub rows: Vec<SaleRow>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    /// Net profit of every matching sale, one amount per currency (never added across).
    pub net_profit: Vec<Money>,
}

/// One row of the shipments table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipmentRow {
    pub item_id: String,
    pub item_name: String,
    pub carrier: String,
    pub tracking_code: String,
    pub shipped_on: String,
    pub item_status: ItemStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipmentPage {
    pub rows: Vec<ShipmentRow>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trips_through_the_url() {
        let q = ItemQuery {
            search: "jordan 1 & co".into(),
            status: Some(ItemStatus::Listed),
            kind: Some(ItemKind::Sneaker),
            listed_on: Some("store".into()),
            sort: ItemSort::CostDesc,
            page: 3,
            per_page: 0,
        };
        let s = q.to_query_string();
        assert_eq!(
            s,
            "q=jordan+1+%26+co&status=listed&kind=sneaker&listed_on=store&sort=-cost&page=3"
        );
        assert_eq!(
            ItemQuery::from_pairs(|k| if k == "sort" {
                Some("bogus".into())
            } else {
                None
            })
            .sort,
            ItemSort::Newest
        );
        // A place that could not be a channel id is no filter at all.
        for bad in ["a'b", "", "x y"] {
            assert_eq!(
                ItemQuery::from_pairs(|k| (k == "listed_on").then(|| bad.to_string())).listed_on,
                None
            );
        }
        assert_eq!(
            ItemQuery {
                per_page: 5000,
                ..Default::default()
            }
            .per_page(),
            200
        );
    }
}
