//! What the inbox page shows.

use serde::{Deserialize, Serialize};

use crate::domain::inbox::{Level, Source};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationView {
    pub id: String,
    pub kind: String,
    pub level: Level,
    pub source: Source,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub read: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxPage {
    pub items: Vec<NotificationView>,
    /// Notifications matching the filters.
    pub total: i64,
    pub unread: i64,
    pub page: u32,
    pub pages: u32,
    pub retention_days: i64,
}
