//! CSV export of the stock table: the current filters and order, safe to open in a
//! spreadsheet (cells that a spreadsheet would run as a formula are defused).

use axum::{
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
};
use std::collections::HashMap;
use tower_sessions::Session;

use super::{
    service,
    types::{ItemQuery, ItemSummary},
};
use crate::server::state::AppState;

/// A leading `=`, `+`, `-`, `@`, tab or carriage return makes spreadsheets evaluate the cell.
pub fn defuse_formula(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

pub fn items_to_csv(items: &[ItemSummary]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(crate::domain::item::EXPORT_HEADER)?;
    for item in items {
        let record = [
            item.id.clone(),
            item.name.clone(),
            item.kind.as_str().to_string(),
            item.status.as_str().to_string(),
            item.sku.clone().unwrap_or_default(),
            item.style_id.clone().unwrap_or_default(),
            item.size.clone().unwrap_or_default(),
            item.card_set.clone().unwrap_or_default(),
            item.grade.clone().unwrap_or_default(),
            item.quantity.to_string(),
            item.purchase_price.to_decimal_string(),
            item.purchase_price.currency.code().to_string(),
            item.purchase_date.clone().unwrap_or_default(),
            item.tags.join(", "),
        ];
        w.write_record(record.iter().map(|c| defuse_formula(c)))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// `GET /app/inventory/export.csv?q=&status=&kind=&sort=` (or `?ids=`) for the signed-in reseller.
pub async fn export_csv(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        let user = crate::auth::service::current_user(&state.db, &session).await?;
        // `ids=a,b,c` exports the selected rows; otherwise the filtered table.
        let items = match params.get("ids") {
            Some(ids) => {
                let ids: Vec<String> = ids
                    .split(',')
                    .filter(|id| !id.is_empty())
                    .map(str::to_string)
                    .collect();
                service::export_selected(&state.db, &user.id, &ids).await?
            }
            None => {
                let query = ItemQuery::from_pairs(|k| params.get(k).cloned());
                service::export_items(&state.db, &user.id, &query).await?
            }
        };
        items_to_csv(&items).map_err(|e| crate::server::errors::internal("writing CSV", e))
    }
    .await;
    match result {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"flipdesk-inventory.csv\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(defuse_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse_formula("+1"), "'+1");
        assert_eq!(defuse_formula("Jordan 1"), "Jordan 1");
    }
}
