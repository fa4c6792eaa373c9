//! The OpenAPI 3.1 description of `/api/v1`, generated from the handlers' annotations and
//! the types they send, so it cannot drift from the code. Served at `/api/v1/openapi.json`.

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use std::collections::BTreeMap;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use super::state::AppState;

#[derive(ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    pub fields: Option<BTreeMap<String, String>>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Flipdesk API",
        version = "1",
        description = "Public storefront catalogs, checkout, the Stripe webhook, and Want-To-Buy lists for bots. \
            Money is `{\"amount\": <integer minor units>, \"currency\": \"USD\"}`; timestamps are RFC 3339 in UTC; \
            lists take `?limit=` (1–100, default 24) and `?cursor=`."
    ),
    paths(openapi_json),
    tags((name = "Meta", description = "This description"))
)]
pub struct ApiDoc;

/// The document: this crate's own part and every capability's routes, merged — the same
/// routes the router serves, so the two cannot drift apart.
pub fn document(routes: &[fn() -> OpenApiRouter<AppState>]) -> String {
    routes
        .iter()
        .fold(ApiDoc::openapi(), |doc, routes| {
            doc.merge_from(routes().into_openapi())
        })
        .to_json()
        .expect("the OpenAPI document serialises")
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "Meta",
    responses((status = 200, description = "The OpenAPI 3.1 description of /api/v1", content_type = "application/json")))]
pub async fn openapi_json(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi_json.clone(),
    )
        .into_response()
}
