//! Server functions of the store view: settings and listings (the owner only).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::types::{ListingRow, StoreSettingsView};
use crate::{
    domain::store::{ListingInput, StoreSettingsInput},
    error::AppError,
};

#[server(endpoint = "store/settings", input = Json, output = crate::wire::Json)]
pub async fn get_settings() -> Result<StoreSettingsView, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::settings(&state.db, &user.id).await
    })
    .await
}

#[server(endpoint = "store/settings/save", input = Json, output = crate::wire::Json)]
pub async fn save_settings(slug: String, input: StoreSettingsInput) -> Result<String, AppError> {
    use crate::{
        domain::{FieldErrors, account::check_slug, store::validate_store_settings},
        server::errors::respond,
    };
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let mut errors = FieldErrors::default();
        let slug = errors.check("slug", check_slug(&slug));
        let settings = match validate_store_settings(&input) {
            Ok(s) => Some(s),
            Err(e) => {
                errors.0.extend(e.0);
                None
            }
        };
        let (Some(slug), Some(settings)) = (slug, settings) else {
            return Err(AppError::validation(errors));
        };
        super::service::save_settings(&state.db, &user.id, &slug, &settings).await?;
        crate::storefront::service::cache(&state).clear();
        Ok(slug)
    })
    .await
}

#[server(endpoint = "store/listings", input = Json, output = crate::wire::Json)]
pub async fn list_listings() -> Result<Vec<ListingRow>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::listings(&state.db, &user.id).await
    })
    .await
}

/// Lists an inventory item in the store, or changes its price and units.
#[server(endpoint = "store/listings/save", input = Json, output = crate::wire::Json)]
pub async fn list_item(item_id: String, input: ListingInput) -> Result<String, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let id = super::service::list_item(&state.db, &user.id, &item_id, &input).await?;
        crate::storefront::service::cache(&state).clear();
        Ok(id)
    })
    .await
}

#[server(endpoint = "store/listings/withdraw", input = Json, output = crate::wire::Json)]
pub async fn withdraw_listing(listing_id: String) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::withdraw(&state.db, &user.id, &listing_id).await?;
        crate::storefront::service::cache(&state).clear();
        Ok(())
    })
    .await
}
