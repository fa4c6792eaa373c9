//! Server functions of the webhooks page.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::types::{AddedHook, HooksPage};
use crate::{domain::alert_hook::HookInput, error::AppError};

#[server(endpoint = "alerts/hooks", input = Json, output = crate::wire::Json)]
pub async fn list_hooks() -> Result<HooksPage, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::page(&state.db, &user.id).await
    })
    .await
}

#[server(endpoint = "alerts/add-hook", input = Json, output = crate::wire::Json)]
pub async fn add_hook(input: HookInput) -> Result<AddedHook, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::add(&state, &user.id, &input).await
    })
    .await
}

#[server(endpoint = "alerts/delete-hook", input = Json, output = crate::wire::Json)]
pub async fn delete_hook(id: String) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::delete(&state.db, &user.id, &id).await
    })
    .await
}

#[server(endpoint = "alerts/test-hook", input = Json, output = crate::wire::Json)]
pub async fn test_hook(id: String) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::send_test(&state, &user.id, &id).await
    })
    .await
}
