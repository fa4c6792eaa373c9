//! The inbox's words: how a notification reads (its type) and where it came from (its
//! source), the filters of the inbox page and how long notifications are kept.

use serde::{Deserialize, Serialize};
use std::fmt;

string_enum!(
    /// How a notification reads: something failed, went well, needs a look, or is news.
    Level {
        Error => "error" / "Error",
        Success => "success" / "Success",
        Warning => "warning" / "Warning",
        Info => "info" / "Info",
    }
);

string_enum!(
    /// Where a notification came from: a bot or tool through the API, something done on the
    /// web (a shopper's order, an import), Discord, or Flipdesk itself (jobs, plans, monitors).
    Source {
        Api => "api" / "API",
        Web => "web" / "Web",
        Discord => "discord" / "Discord",
        System => "system" / "Flipdesk",
    }
);

/// The inbox page's filters (all optional) and page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InboxQuery {
    pub level: Option<Level>,
    pub source: Option<Source>,
    #[serde(default)]
    pub unread_only: bool,
    #[serde(default)]
    pub page: u32,
}

pub const PAGE_SIZE: u32 = 50;
/// Most notifications one bulk action may name.
pub const MAX_BULK: usize = 500;

/// How long a reseller may keep notifications, in days.
pub const RETENTION_CHOICES: [i64; 4] = [30, 90, 180, 365];
pub const DEFAULT_RETENTION_DAYS: i64 = 90;

pub fn check_retention(days: i64) -> Result<i64, String> {
    if RETENTION_CHOICES.contains(&days) {
        Ok(days)
    } else {
        Err("Keep notifications for 30, 90, 180 or 365 days.".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_retention() {
        assert_eq!(Level::parse("warning"), Some(Level::Warning));
        assert_eq!(Source::parse("Flipdesk"), Some(Source::System));
        assert_eq!(Source::parse("email"), None);
        assert_eq!(check_retention(90), Ok(90));
        assert!(check_retention(0).is_err());
        assert!(check_retention(3650).is_err());
    }
}
