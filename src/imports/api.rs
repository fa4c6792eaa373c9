//! Server functions for imports: the signed-in owner only; the service re-validates rows.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::types::{BatchResult, ImportSummary, SavedMapping};
use crate::{domain::import::ImportLine, error::AppError};

#[server(endpoint = "import/start", input = Json, output = crate::wire::Json)]
pub async fn start_import(
    file_name: String,
    rows_total: i64,
    // Rows of one Flipdesk id make one item; without it, every row may be one.
    items_total: Option<i64>,
) -> Result<String, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::start(
            &state.db,
            &state.settings,
            &user.id,
            &file_name,
            rows_total,
            items_total.unwrap_or(rows_total),
        )
        .await
    })
    .await
}

#[server(endpoint = "import/batch", input = Json, output = crate::wire::Json)]
pub async fn commit_import_batch(
    import_id: String,
    batch: i64,
    lines: Vec<ImportLine>,
) -> Result<BatchResult, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let index = state
            .part::<crate::catalog::resolve::SharedIndex>()
            .current(&state.db)
            .await?;
        super::service::commit_batch(
            &state.db,
            &state.settings,
            &user.id,
            &import_id,
            batch,
            &lines,
            Some(&index),
        )
        .await
    })
    .await
}

#[server(endpoint = "import/finish", input = Json, output = crate::wire::Json)]
pub async fn finish_import(
    import_id: String,
    skipped: i64,
    failed: i64,
    cancelled: bool,
) -> Result<ImportSummary, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::finish(&state.db, &user.id, &import_id, skipped, failed, cancelled).await
    })
    .await
}

#[server(endpoint = "import/history", input = Json, output = crate::wire::Json)]
pub async fn import_history() -> Result<Vec<ImportSummary>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::history(&state.db, &user.id).await
    })
    .await
}

#[server(endpoint = "import/undo", input = Json, output = crate::wire::Json)]
pub async fn undo_import(import_id: String) -> Result<u64, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        use crate::photos::service::{ItemsOf, photos_of, remove_files};
        let (state, user) = crate::auth::service::require_user().await?;
        let photos = photos_of(&state.db, &user.id, ItemsOf::Import(&import_id)).await?;
        let undone = super::service::undo(&state.db, &user.id, &import_id).await?;
        remove_files(&state, &photos).await;
        Ok(undone)
    })
    .await
}

#[server(endpoint = "import/existing", input = Json, output = crate::wire::Json)]
pub async fn existing_duplicates(keys: Vec<String>) -> Result<Vec<String>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::existing_keys(&state.db, &user.id, &keys).await
    })
    .await
}

#[server(endpoint = "import/mapping", input = Json, output = crate::wire::Json)]
pub async fn load_saved_mapping(signature: String) -> Result<Option<SavedMapping>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::load_mapping(&state.db, &user.id, &signature).await
    })
    .await
}

#[server(endpoint = "import/mapping/save", input = Json, output = crate::wire::Json)]
pub async fn remember_mapping(signature: String, mapping: SavedMapping) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::save_mapping(&state.db, &user.id, &signature, &mapping).await
    })
    .await
}
