//! The inbox's REST route: the live events stream, described in the OpenAPI document.

use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::server::state::AppState;

struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "session",
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                    "id",
                    "The session cookie of a signed-in reseller (set by logging in).",
                ))),
            );
    }
}

#[derive(OpenApi)]
#[openapi(
    modifiers(&SessionCookie),
    tags((name = "Inbox", description = "The signed-in reseller's notifications, live"))
)]
struct InboxApi;

/// Server-Sent Events: `event: unread`, `data: {"unread": N}`, `id:` the inbox's version.
#[utoipa::path(get, path = "/api/v1/events", tag = "Inbox",
    params(("Last-Event-ID" = Option<i64>, Header, description = "The last `id` received: the current count is sent only if it changed since")),
    responses((status = 200, description = "An event stream (text/event-stream) of the unread count, now and at every change; a comment every 15 s keeps it open", content_type = "text/event-stream", body = String),
        (status = 401, description = "Not signed in", body = crate::server::openapi::ErrorBody),
        (status = 429, description = "Too many open streams for this account; see Retry-After", body = crate::server::openapi::ErrorBody)),
    security(("session" = [])))]
async fn events(
    state: axum::extract::State<AppState>,
    session: tower_sessions::Session,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    super::live::events(state, session, headers).await
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(InboxApi::openapi()).routes(routes!(events))
}
