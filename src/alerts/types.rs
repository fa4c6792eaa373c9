//! What the webhooks page shows.

use serde::{Deserialize, Serialize};

use crate::domain::inbox::Level;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HookView {
    pub id: String,
    /// The address without its tokens: `https://discord.com/api/webhooks/…`.
    pub shown_url: String,
    pub discord: bool,
    pub levels: Vec<Level>,
    /// How the latest delivery went, in words ("Delivered", "Failed: …", "On its way"), if any.
    pub last_delivery: Option<String>,
    pub last_failed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HooksPage {
    pub hooks: Vec<HookView>,
    pub max: usize,
}

/// A webhook just added: its signing secret is shown this once (none for Discord).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddedHook {
    pub id: String,
    pub secret: Option<String>,
}
