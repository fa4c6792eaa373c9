//! Server functions of the inbox page and the shell's badge: authorise, validate, call the
//! service.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::types::InboxPage;
use crate::{domain::inbox::InboxQuery, error::AppError};

#[server(endpoint = "inbox/list", input = Json, output = crate::wire::Json)]
pub async fn list_inbox(query: InboxQuery) -> Result<InboxPage, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::page(&state.db, &user.id, &query).await
    })
    .await
}

/// The unread count (the badge asks when the window gets focus again).
#[server(endpoint = "inbox/unread", input = Json, output = crate::wire::Json)]
pub async fn unread_count() -> Result<i64, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::unread(&state.db, &user.id).await
    })
    .await
}

/// Marks the named notifications read (`read: true`) or unread; 404 (and nothing changes)
/// when one of them is not the reseller's.
#[server(endpoint = "inbox/mark", input = Json, output = crate::wire::Json)]
pub async fn mark_notifications(ids: Vec<String>, read: bool) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let now = state.clock.now().unix_timestamp();
        super::service::mark(&state.db, &user.id, &ids, read, now).await
    })
    .await
}

#[server(endpoint = "inbox/mark-all-read", input = Json, output = crate::wire::Json)]
pub async fn mark_all_read() -> Result<u64, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let now = state.clock.now().unix_timestamp();
        super::service::mark_all_read(&state.db, &user.id, now).await
    })
    .await
}

#[server(endpoint = "inbox/delete", input = Json, output = crate::wire::Json)]
pub async fn delete_notifications(ids: Vec<String>) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::delete(&state.db, &user.id, &ids).await
    })
    .await
}

#[server(endpoint = "inbox/retention", input = Json, output = crate::wire::Json)]
pub async fn set_retention(days: i64) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::set_retention(&state.db, &user.id, days).await
    })
    .await
}
