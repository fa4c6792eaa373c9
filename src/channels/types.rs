//! What the browser gets about channels.

use serde::{Deserialize, Serialize};

use crate::domain::Money;

/// An item offered on a channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelOffer {
    pub channel_id: String,
    pub channel_name: String,
    pub connected: bool,
    pub price: Money,
    /// Manual channels: the listing's address there.
    pub url: Option<String>,
    /// `listed`, `withdrawn` or `sold`.
    pub state: String,
}

/// A channel as the channels page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelRow {
    pub id: String,
    pub name: String,
    pub connected: bool,
    /// Scheme and host of a connected channel's webhook.
    pub webhook: Option<String>,
    /// Items offered there now.
    pub listed: i64,
    /// RFC 3339; none before the first contact.
    pub last_contact_at: Option<String>,
    /// Events not delivered yet, and given up.
    pub pending_events: i64,
    pub failed_events: i64,
    /// Sales the channel reported that could not be honoured.
    pub conflicts: i64,
}
