use serde::{Deserialize, Serialize};

use crate::domain::{Money, store::StoreSettingsInput};

/// The settings form as saved, with the store's address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSettingsView {
    pub slug: String,
    pub input: StoreSettingsInput,
}

/// A listing in the store view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingRow {
    pub id: String,
    pub item_id: String,
    pub title: String,
    pub price: Money,
    /// Units shoppers can still reserve.
    pub available: i64,
    /// Units held by unpaid orders right now, and by how many orders.
    pub reserved: i64,
    pub holding_orders: i64,
    /// The most units one order may take, when capped.
    pub max_per_order: Option<i64>,
    pub status: String,
}
