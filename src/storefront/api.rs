use leptos::prelude::*;

use super::PublicStore;
use crate::error::AppError;

/// A store's public face, by slug (or id). Anyone may call it.
#[server(endpoint = "stores/public", output = crate::wire::Json)]
pub async fn get_public_store(store: String) -> Result<PublicStore, AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let state = request::state()?;
        let card = state.stripe.is_some();
        let front = super::service::cache(&state)
            .store(&state.db, &store, card, &state.settings.public_url)
            .await?;
        front.map(|f| f.store).ok_or(AppError::NotFound)
    })
    .await
}

/// A page of a store's catalog with the filters in `query`.
#[server(endpoint = "storefront/catalog", input = leptos::server_fn::codec::Json, output = crate::wire::Json)]
pub async fn catalog(
    store: String,
    query: super::types::CatalogQuery,
) -> Result<super::types::CatalogPage, AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let state = request::state()?;
        let front = super::service::cache(&state)
            .store(
                &state.db,
                &store,
                state.stripe.is_some(),
                &state.settings.public_url,
            )
            .await?
            .ok_or(AppError::NotFound)?;
        super::service::catalog(&state.db, front, &query).await
    })
    .await
}

#[server(endpoint = "storefront/listing", input = leptos::server_fn::codec::Json, output = crate::wire::Json)]
pub async fn listing(
    store: String,
    listing: String,
) -> Result<super::types::ListingDetail, AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let state = request::state()?;
        let front = super::service::cache(&state)
            .store(
                &state.db,
                &store,
                state.stripe.is_some(),
                &state.settings.public_url,
            )
            .await?
            .ok_or(AppError::NotFound)?;
        super::service::listing_detail(&state.db, front.store, &front.id, &listing).await
    })
    .await
}

/// Prices the browser's cart now: current prices, what is left, shipping to `country`.
#[server(endpoint = "storefront/cart", input = leptos::server_fn::codec::Json, output = crate::wire::Json)]
pub async fn price_cart(
    store: String,
    lines: Vec<crate::domain::store::CheckoutLine>,
    country: String,
) -> Result<super::types::PricedCart, AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let state = request::state()?;
        let row = crate::checkout::service::store_by_slug(&state.db, &store.to_lowercase())
            .await?
            .ok_or(AppError::NotFound)?;
        super::service::price_cart(&state.db, &row, &lines, &country).await
    })
    .await
}

/// The storefront's checkout button: the same idempotent checkout as
/// `POST /api/v1/checkout/session`, with the key the page made for this cart.
#[server(endpoint = "storefront/checkout", input = leptos::server_fn::codec::Json, output = crate::wire::Json)]
pub async fn checkout(
    request: crate::domain::store::CheckoutRequest,
    key: String,
) -> Result<super::types::CheckoutCreated, AppError> {
    use crate::server::{errors::respond, request as req};
    respond(async move {
        let state = req::state()?;
        let ip = req::client_ip().await;
        crate::checkout::service::checkout_limits(&state, ip, &request.store)?;
        let body = serde_json::to_value(&request).map_err(|_| AppError::Internal)?;
        crate::checkout::rest::checkout_flow(&state, Some(&key), ip, body).await
    })
    .await
}
