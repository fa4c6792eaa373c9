use leptos::prelude::*;

use super::PublicStore;
use crate::error::AppError;

/// A store's public face, by slug (or id). Anyone may call it.
#[server(endpoint = "stores/public")]
pub async fn get_public_store(store: String) -> Result<PublicStore, AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let state = request::state()?;
        let card = state.settings.stripe.is_some();
        super::service::find_public_store(&state.db, &store, card)
            .await?
            .map(|(_, store)| store)
            .ok_or(AppError::NotFound)
    })
    .await
}
