//! Discord's REST route, described in the OpenAPI document: the bot's interactions.

use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::server::state::AppState;

struct DiscordSignature;

impl Modify for DiscordSignature {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "discord_signature",
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                    "X-Signature-Ed25519",
                    "Discord's Ed25519 signature of X-Signature-Timestamp + the raw body, under DISCORD_PUBLIC_KEY",
                ))),
            );
    }
}

#[derive(OpenApi)]
#[openapi(
    modifiers(&DiscordSignature),
    tags((name = "Discord", description = "The Flipdesk bot's slash commands, sent by Discord"))
)]
struct DiscordApi;

/// A Discord interaction: `PING` is answered with `PONG`; `/wtb`, `/stock` and `/sales` run as
/// the Flipdesk account linked to the invoking Discord user.
#[utoipa::path(post, path = "/api/v1/discord/interactions", tag = "Discord",
    params(("X-Signature-Timestamp" = String, Header, description = "Unix seconds; older than 5 minutes is refused")),
    request_body(content = Object, description = "A Discord interaction", content_type = "application/json"),
    responses((status = 200, description = "The interaction's answer (type 1 PONG, 4 a message, 5 deferred)", body = Object),
        (status = 401, description = "Bad or stale signature", body = crate::server::openapi::ErrorBody),
        (status = 404, description = "Discord is not configured", body = crate::server::openapi::ErrorBody)),
    security(("discord_signature" = [])))]
async fn interactions(
    state: axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> axum::response::Response {
    super::interactions::receive(state, headers, body).await
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(DiscordApi::openapi())
        .routes(routes!(interactions))
        .route(
            "/auth/discord/start",
            axum::routing::get(super::login::start),
        )
        .route(
            "/auth/discord/callback",
            axum::routing::get(super::login::callback),
        )
}
