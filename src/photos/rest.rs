//! The photo routes: uploading a file to an item (raw body, up to 15 MB, refused from its
//! length before it is read) and serving a photo's sizes, cached for a year.

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use tower_sessions::Session;

use super::{process::Variant, service};
use crate::{error::AppError, server::state::AppState};

/// `POST /app/items/{id}/photos` with the file as the body: 201 with the photo (processing).
pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    Path(item_id): Path<String>,
    body: Bytes,
) -> Response {
    let result = async {
        let user = crate::auth::service::current_user(&state.db, &session).await?;
        if body.is_empty() {
            return Err(AppError::field("photo", "Choose a photo to upload."));
        }
        service::upload(&state, &user.id, &item_id, body.to_vec()).await
    }
    .await;
    match result {
        Ok(photo) => (StatusCode::CREATED, axum::Json(photo)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /photos/{id}/{size}.jpg` (`thumb`, `card`, `full`).
pub async fn serve(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
) -> Response {
    let Some(variant) = file.strip_suffix(".jpg").and_then(Variant::parse) else {
        return AppError::NotFound.into_response();
    };
    let Ok(files) = service::store(&state) else {
        return AppError::Internal.into_response();
    };
    match files.get(&service::variant_key(&id, variant)).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => not_found(),
        // A bad id is just not found (ids are made by Flipdesk, never paths).
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => not_found(),
        Err(e) => crate::server::errors::internal("reading a photo", e).into_response(),
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")]).into_response()
}
