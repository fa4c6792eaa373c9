//! What the import pages and server functions exchange.

use serde::{Deserialize, Serialize};

use crate::domain::import::{ColumnMapping, FileOptions};

/// One import in the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub id: String,
    pub file_name: String,
    /// running, done, cancelled, undone
    pub status: String,
    pub rows_total: i64,
    pub created: i64,
    pub skipped: i64,
    pub failed: i64,
    /// ISO date and time (UTC).
    pub created_at: String,
}

impl ImportSummary {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "running" => "In progress",
            "done" => "Imported",
            "cancelled" => "Cancelled",
            "undone" => "Undone",
            _ => "Unknown",
        }
    }

    pub fn can_undo(&self) -> bool {
        matches!(self.status.as_str(), "done" | "cancelled") && self.created > 0
    }
}

/// The result of sending one batch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BatchResult {
    pub created: i64,
    /// The batch had been written before (a resend after a network error).
    pub replayed: bool,
}

/// A column mapping remembered for files with the same header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedMapping {
    pub mapping: ColumnMapping,
    pub options: FileOptions,
}
