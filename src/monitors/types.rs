//! What the monitors page shows.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorView {
    pub id: String,
    /// As typed again: `jordan 4 "bred reimagined" -kids`.
    pub keywords: String,
    /// The catalog product the words name, when they name one: its listings match however
    /// they are worded.
    #[serde(default)]
    pub product: Option<String>,
    /// "Sneaker · sizes 10, 10.5 · PSA 10 · up to $300.00 · only kicks, grails".
    pub filters: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorsPage {
    pub monitors: Vec<MonitorView>,
    /// How many the plan allows.
    pub allowed: u64,
}
