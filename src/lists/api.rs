//! Server functions of the lists pages: thin — authorise, validate, call the service.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::types::{IssuedKey, PublicList, WtbListDetail, WtbListSummary};
use crate::{
    domain::wtb::{WtbItemInput, WtbListInput},
    error::AppError,
};

/// A public WTB list by slug (or id) with its items. Private lists answer NotFound.
#[server(endpoint = "lists/public", input = Json, output = crate::wire::Json)]
pub async fn get_public_list(list: String, page: u32) -> Result<PublicList, AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let state = request::state()?;
        super::service::find_public_list(&state.db, &state.settings, &list, page)
            .await?
            .ok_or(AppError::NotFound)
    })
    .await
}

#[server(endpoint = "lists/mine", input = Json, output = crate::wire::Json)]
pub async fn my_lists() -> Result<Vec<WtbListSummary>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::my_lists(&state.db, &user.id).await
    })
    .await
}

#[server(endpoint = "lists/create", input = Json, output = crate::wire::Json)]
pub async fn create_list(input: WtbListInput) -> Result<WtbListSummary, AppError> {
    use crate::{domain::wtb::validate_wtb_list, server::errors::respond};
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let draft = validate_wtb_list(&input).map_err(AppError::validation)?;
        super::service::create_list(&state.db, &state.settings, &user.id, &draft).await
    })
    .await
}

#[server(endpoint = "lists/detail", input = Json, output = crate::wire::Json)]
pub async fn list_detail(list_id: String) -> Result<WtbListDetail, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::list_detail(&state.db, &user.id, &list_id).await
    })
    .await
}

#[server(endpoint = "lists/update", input = Json, output = crate::wire::Json)]
pub async fn update_list(list_id: String, input: WtbListInput) -> Result<WtbListSummary, AppError> {
    use crate::{domain::wtb::validate_wtb_list, server::errors::respond};
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let draft = validate_wtb_list(&input).map_err(AppError::validation)?;
        super::service::update_list(&state.db, &user.id, &list_id, &draft).await
    })
    .await
}

/// Moves a list up (`step` -1) or down (1) in the dashboard's order.
#[server(endpoint = "lists/move", input = Json, output = crate::wire::Json)]
pub async fn move_list(list_id: String, step: i64) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::move_list(&state.db, &user.id, &list_id, step.signum()).await
    })
    .await
}

#[server(endpoint = "lists/delete", input = Json, output = crate::wire::Json)]
pub async fn delete_list(list_id: String) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::delete_list(&state.db, &user.id, &list_id).await
    })
    .await
}

/// Issues a new API key (shown once); the old one stops working at once.
#[server(endpoint = "lists/key", input = Json, output = crate::wire::Json)]
pub async fn regenerate_key(list_id: String) -> Result<IssuedKey, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        // The id form only: a slug in another reseller's namespace must not be reachable.
        if !crate::domain::account::looks_like_id(&list_id) {
            return Err(AppError::NotFound);
        }
        state
            .limits
            .check_key_regeneration(&user.id, &list_id)
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
        super::service::regenerate_key(&state.db, &state.secret, &list_id, Some(&user.id)).await
    })
    .await
}

/// Adds (`item_id` None) or replaces a wanted item of one of the user's lists.
#[server(endpoint = "lists/items/save", input = Json, output = crate::wire::Json)]
pub async fn save_item(
    list_id: String,
    item_id: Option<String>,
    input: WtbItemInput,
) -> Result<(), AppError> {
    use crate::{
        domain::wtb::{expand_size_run, validate_wtb_item},
        server::errors::respond,
    };
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let list = super::service::owned_list(&state.db, &user.id, &list_id).await?;
        let currency = super::service::default_currency(&state.db, &user.id).await?;
        match item_id {
            // A new item may be a size run: one item per size, all or none.
            None => {
                let mut drafts = expand_size_run(&input, currency).map_err(AppError::validation)?;
                super::items::link_products(&state, &mut drafts).await?;
                super::items::create_items(&state.db, &list.id, &drafts).await?;
            }
            Some(id) => {
                let mut draft =
                    validate_wtb_item(&input, currency).map_err(AppError::validation)?;
                super::items::link_products(&state, std::slice::from_mut(&mut draft)).await?;
                super::items::update_item(&state.db, &list.id, &id, &draft, None).await?;
            }
        }
        Ok(())
    })
    .await
}

#[server(endpoint = "lists/items/delete", input = Json, output = crate::wire::Json)]
pub async fn delete_item(list_id: String, item_id: String) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let list = super::service::owned_list(&state.db, &user.id, &list_id).await?;
        super::items::delete_item(&state.db, &list.id, &item_id, None).await
    })
    .await
}
