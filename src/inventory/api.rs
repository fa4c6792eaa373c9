//! Server functions for inventory: authorise (the signed-in owner), validate with the shared
//! domain validators, call the service.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::types::{
    BulkSaleLine, InventoryOverview, ItemPage, ItemQuery, ItemView, SaleInput, SalePage, SaleQuery,
    ShipmentInput, ShipmentPage,
};
use crate::{domain::item::ItemInput, error::AppError};

#[server(endpoint = "inventory/list", input = Json, output = crate::wire::Json)]
pub async fn list_items(query: ItemQuery) -> Result<ItemPage, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::list_items(&state.db, &user.id, &query).await
    })
    .await
}

#[server(endpoint = "inventory/get", input = Json, output = crate::wire::Json)]
pub async fn get_item(id: String) -> Result<ItemView, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::get_item(&state.db, &user.id, &id).await
    })
    .await
}

/// The product the reseller picked for the item's text answers that text next time, when it
/// is not the catalog's own answer. A convenience: failing to keep it fails nothing.
#[cfg(feature = "ssr")]
async fn remember_product_choice(
    state: &crate::server::state::AppState,
    owner: &str,
    draft: &crate::domain::item::ItemDraft,
) {
    use crate::catalog::{choices, resolve::SharedIndex};
    let Some(product) = &draft.catalog_product_id else {
        return;
    };
    let text = crate::domain::catalog::item_text(draft);
    let kept = async {
        let index = state.part::<SharedIndex>().current(&state.db).await?;
        choices::remember(&state.db, &index, owner, &text, product, state.clock.now()).await
    }
    .await;
    if let Err(e) = kept {
        tracing::warn!(error = %e, "could not keep a product choice");
    }
}

#[server(endpoint = "inventory/create", input = Json, output = crate::wire::Json)]
pub async fn create_item(input: ItemInput, status: String) -> Result<String, AppError> {
    use crate::{
        domain::item::{ItemStatus, validate_item},
        server::errors::respond,
    };
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let draft = validate_item(&input).map_err(AppError::validation)?;
        let status = ItemStatus::parse(&status)
            .ok_or_else(|| AppError::field("status", "Choose a status."))?;
        let id = super::service::create_item(&state.db, &state.settings, &user.id, &draft, status)
            .await?;
        remember_product_choice(&state, &user.id, &draft).await;
        Ok(id)
    })
    .await
}

#[server(endpoint = "inventory/update", input = Json, output = crate::wire::Json)]
pub async fn update_item(id: String, version: i64, input: ItemInput) -> Result<(), AppError> {
    use crate::{domain::item::validate_item, server::errors::respond};
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let draft = validate_item(&input).map_err(AppError::validation)?;
        super::service::update_item(&state.db, &user.id, &id, version, &draft).await?;
        remember_product_choice(&state, &user.id, &draft).await;
        // A listed item's brand, set or size are storefront filters.
        crate::storefront::service::cache(&state).clear();
        Ok(())
    })
    .await
}

#[server(endpoint = "inventory/status", input = Json, output = crate::wire::Json)]
pub async fn change_status(id: String, version: i64, status: String) -> Result<(), AppError> {
    use crate::{domain::item::ItemStatus, server::errors::respond};
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let to = ItemStatus::parse(&status)
            .ok_or_else(|| AppError::field("status", "Unknown status."))?;
        super::service::change_status(&state.db, &user.id, &id, version, to).await
    })
    .await
}

#[server(endpoint = "inventory/sell", input = Json, output = crate::wire::Json)]
pub async fn mark_sold(id: String, version: i64, sale: SaleInput) -> Result<(), AppError> {
    use crate::{domain::item::validate_sale, server::errors::respond};
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let item = super::service::get_item(&state.db, &user.id, &id).await?;
        let draft = validate_sale(&sale, item.summary.purchase_price, item.summary.quantity)
            .map_err(AppError::validation)?;
        super::service::record_sale(
            &state.db,
            &state.settings,
            &user.id,
            &id,
            version,
            &draft,
            item.summary.quantity,
        )
        .await
    })
    .await
}

#[server(endpoint = "inventory/ship", input = Json, output = crate::wire::Json)]
pub async fn add_tracking(
    id: String,
    version: i64,
    shipment: ShipmentInput,
) -> Result<(), AppError> {
    use crate::{domain::item::validate_shipment, server::errors::respond};
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let draft = validate_shipment(&shipment).map_err(AppError::validation)?;
        super::service::record_shipment(&state.db, &state.settings, &user.id, &id, version, &draft)
            .await
    })
    .await
}

#[server(endpoint = "inventory/delete", input = Json, output = crate::wire::Json)]
pub async fn delete_items(ids: Vec<String>) -> Result<u64, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        use crate::photos::service::{ItemsOf, photos_of, remove_files};
        let photos = photos_of(&state.db, &user.id, ItemsOf::Ids(&ids)).await?;
        let deleted = super::service::delete_items(&state.db, &user.id, &ids).await?;
        remove_files(&state, &photos).await;
        crate::storefront::service::cache(&state).clear();
        Ok(deleted)
    })
    .await
}

/// Changes the status of the selected items; answers (changed, skipped).
#[server(endpoint = "inventory/bulk-status", input = Json, output = crate::wire::Json)]
pub async fn bulk_change_status(ids: Vec<String>, status: String) -> Result<(u64, u64), AppError> {
    use crate::{domain::item::ItemStatus, server::errors::respond};
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let to = ItemStatus::parse(&status)
            .ok_or_else(|| AppError::field("status", "Unknown status."))?;
        super::service::bulk_change_status(&state.db, &user.id, &ids, to).await
    })
    .await
}

#[server(endpoint = "inventory/bulk-tag", input = Json, output = crate::wire::Json)]
pub async fn bulk_add_tag(ids: Vec<String>, tag: String) -> Result<u64, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::bulk_add_tag(&state.db, &user.id, &ids, &tag).await
    })
    .await
}

/// Renames an item or changes its unit cost from the table (inline edit).
#[server(endpoint = "inventory/edit-cell", input = Json, output = crate::wire::Json)]
pub async fn edit_cell(
    id: String,
    version: i64,
    field: String,
    value: String,
) -> Result<i64, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::edit_cell(&state.db, &user.id, &id, version, &field, &value).await
    })
    .await
}

#[server(endpoint = "inventory/sales", input = Json, output = crate::wire::Json)]
pub async fn list_sales(query: SaleQuery) -> Result<SalePage, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::list_sales(&state.db, &user.id, &query).await
    })
    .await
}

#[server(endpoint = "inventory/shipments", input = Json, output = crate::wire::Json)]
pub async fn list_shipments(page: u32) -> Result<ShipmentPage, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::list_shipments(&state.db, &user.id, page).await
    })
    .await
}

/// Sells every listed line (all or nothing); answers how many items were sold.
#[server(endpoint = "inventory/bulk-sell", input = Json, output = crate::wire::Json)]
pub async fn bulk_mark_sold(
    lines: Vec<BulkSaleLine>,
    channel: String,
    sold_on: String,
) -> Result<u64, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::bulk_record_sales(
            &state.db,
            &state.settings,
            &user.id,
            &lines,
            &channel,
            &sold_on,
        )
        .await
    })
    .await
}

#[server(endpoint = "inventory/overview", input = Json, output = crate::wire::Json)]
pub async fn get_inventory_overview() -> Result<InventoryOverview, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::overview(&state.db, &user.id).await
    })
    .await
}
