//! Server functions of the catalog.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::types::Suggestion;
use crate::error::AppError;

/// Catalog products for a text as it is typed (the last word may be unfinished), best first.
#[server(endpoint = "catalog/suggest", input = Json, output = crate::wire::Json)]
pub async fn suggest_products(text: String) -> Result<Vec<Suggestion>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, _user) = crate::auth::service::require_user().await?;
        // A product's text is short; a longer one is cut, not refused, as it is typed.
        let text: String = text.chars().take(200).collect();
        if text.trim().chars().count() < 2 {
            return Ok(Vec::new());
        }
        let index = state
            .part::<super::resolve::SharedIndex>()
            .current(&state.db)
            .await?;
        Ok(super::resolve::suggest(&index, &text))
    })
    .await
}
