//! Server functions for an item's photos (the upload itself is a plain POST: see `rest`).

use leptos::{prelude::*, server_fn::codec::Json};

use super::types::PhotoView;
use crate::error::AppError;

#[server(endpoint = "photos/list", input = Json, output = crate::wire::Json)]
pub async fn list_photos(item_id: String) -> Result<Vec<PhotoView>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::list(&state.db, &user.id, &item_id).await
    })
    .await
}

/// Puts the photos in this order; the first is the cover.
#[server(endpoint = "photos/arrange", input = Json, output = crate::wire::Json)]
pub async fn arrange_photos(item_id: String, ids: Vec<String>) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        if ids.len() > 20 {
            return Err(AppError::field("ids", "Too many photos."));
        }
        super::service::arrange(&state.db, &user.id, &item_id, &ids).await
    })
    .await
}

#[server(endpoint = "photos/delete", input = Json, output = crate::wire::Json)]
pub async fn delete_photo(item_id: String, photo_id: String) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::delete(&state, &user.id, &item_id, &photo_id).await
    })
    .await
}
