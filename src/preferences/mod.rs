//! Per-user interface preferences, remembered on the server so they follow the reseller
//! from device to device: today the columns the stock table hides.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};

/// Stock-table columns a reseller may hide (the name column always shows).
pub const STOCK_COLUMNS: &[(&str, &str)] = &[
    ("kind", "Kind"),
    ("detail", "Size / grade"),
    ("status", "Status"),
    ("quantity", "Qty"),
    ("listed_on", "Listed on"),
    ("cost", "Cost"),
    ("purchased", "Purchased"),
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TablePreferences {
    pub hidden_columns: Vec<String>,
}

impl TablePreferences {
    /// Keeps only known columns, once each.
    pub fn validated(mut self) -> Result<Self, String> {
        self.hidden_columns.sort();
        self.hidden_columns.dedup();
        if let Some(bad) = self
            .hidden_columns
            .iter()
            .find(|c| !STOCK_COLUMNS.iter().any(|(id, _)| id == c))
        {
            return Err(format!("Unknown column \"{bad}\"."));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_columns_once() {
        let p = TablePreferences {
            hidden_columns: vec!["cost".into(), "kind".into(), "cost".into()],
        };
        assert_eq!(p.validated().unwrap().hidden_columns, vec!["cost", "kind"]);
        assert!(
            TablePreferences {
                hidden_columns: vec!["owner_user_id".into()]
            }
            .validated()
            .is_err()
        );
    }
}
