use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::TablePreferences;
use crate::error::AppError;

#[server(endpoint = "preferences/stock-table", input = Json, output = crate::wire::Json)]
pub async fn stock_table_preferences() -> Result<TablePreferences, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::load(&state.db, &user.id, super::service::STOCK_TABLE_KEY).await
    })
    .await
}

#[server(endpoint = "preferences/stock-table/save", input = Json, output = crate::wire::Json)]
pub async fn save_stock_table_preferences(preferences: TablePreferences) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let preferences = preferences
            .validated()
            .map_err(|m| AppError::field("hidden_columns", m))?;
        super::service::save(
            &state.db,
            &user.id,
            super::service::STOCK_TABLE_KEY,
            &preferences,
        )
        .await
    })
    .await
}
