//! Server functions of the monitors page.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::types::MonitorsPage;
use crate::{domain::monitor::MonitorInput, error::AppError};

#[server(endpoint = "monitors/list", input = Json, output = crate::wire::Json)]
pub async fn list_monitors() -> Result<MonitorsPage, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::page(&state.db, &state.settings, &user.id).await
    })
    .await
}

#[server(endpoint = "monitors/create", input = Json, output = crate::wire::Json)]
pub async fn create_monitor(input: MonitorInput) -> Result<String, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let index = state
            .part::<crate::catalog::resolve::SharedIndex>()
            .current(&state.db)
            .await?;
        super::service::create(&state.db, &state.settings, &user.id, &input, |text| {
            crate::catalog::resolve::local(&index, text).product_id
        })
        .await
    })
    .await
}

#[server(endpoint = "monitors/delete", input = Json, output = crate::wire::Json)]
pub async fn delete_monitor(id: String) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::delete(&state.db, &user.id, &id).await
    })
    .await
}
