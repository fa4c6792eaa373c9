use leptos::prelude::*;

use super::PublicList;
use crate::error::AppError;

/// A public WTB list by slug (or id). Private lists answer NotFound.
#[server(endpoint = "lists/public")]
pub async fn get_public_list(list: String) -> Result<PublicList, AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let state = request::state()?;
        super::service::find_public_list(&state.db, &list)
            .await?
            .ok_or(AppError::NotFound)
    })
    .await
}
