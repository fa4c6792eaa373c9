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
    /// The reconciler's last look at the channel (RFC 3339), and why it failed if it did.
    pub last_check_at: Option<String>,
    pub check_error: Option<String>,
}

/// What one check found.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    /// Withdrawals and listings sent again.
    pub repaired: usize,
    /// Findings that need the reseller (new or still there).
    pub needs_attention: usize,
    /// Why the channel could not be asked (nothing was compared then).
    #[serde(default)]
    pub unreachable: Option<String>,
}

/// A finding as the channels page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub channel_name: String,
    pub item_id: String,
    pub item_name: String,
    pub kind: String,
    pub status: String,
    pub times: i64,
    /// RFC 3339.
    pub last_seen_at: String,
}
