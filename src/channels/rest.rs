//! The channel protocol's calls into Flipdesk: `/api/v1/channels/{channel}/locks` and
//! `/sales`, authorised by the channel's secret (`Authorization: Bearer fdch_…`).

use axum::{
    Json,
    extract::{FromRequestParts, Path, State},
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use serde_json::Value;
use std::collections::HashMap;
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    locks::{self, LockAsk, Locked},
    sales::{self, Answer},
    service::{self, Channel},
};
use crate::{
    domain::{
        Money,
        channels::{LockRequest, SaleReport, validate_lock},
    },
    error::AppError,
    server::state::AppState,
};

#[derive(ToSchema)]
pub struct LockBody {
    /// The item's storefront listing (or name the item).
    pub listing_id: Option<String>,
    pub item_id: Option<String>,
    /// Units to hold, default 1.
    pub quantity: Option<i64>,
    /// 1–255 characters; the same key answers the same lock.
    pub idempotency_key: String,
}

#[derive(ToSchema)]
pub struct LockAnswer {
    pub lock_id: String,
    pub item_id: String,
    pub quantity: i64,
    /// RFC 3339: the hold ends then unless the sale is reported.
    pub expires_at: String,
}

#[derive(ToSchema)]
pub struct SaleBody {
    /// The lock the buyer checked out under, if any.
    pub lock_id: Option<String>,
    pub item_id: String,
    /// Units sold, default 1.
    pub quantity: Option<i64>,
    /// The total the buyer paid for these units.
    pub price: Money,
    pub idempotency_key: String,
    /// RFC 3339.
    pub sold_at: String,
}

#[derive(ToSchema)]
pub struct SaleAnswer {
    pub id: String,
    pub item_id: String,
    pub lock_id: Option<String>,
    pub quantity: i64,
    pub price: Money,
    pub sold_at: String,
    /// `recorded`.
    pub status: String,
    /// The sale as recorded in the reseller's books.
    pub sale_id: String,
}

struct ChannelSecret;

impl Modify for ChannelSecret {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "channel_secret",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(
                            "The channel's secret (`fdch_…`), shown once when the channel was connected.",
                        ))
                        .build(),
                ),
            );
    }
}

#[derive(OpenApi)]
#[openapi(
    modifiers(&ChannelSecret),
    tags((name = "Sales channels", description = "The channel protocol: hold units while a buyer checks out, report sales. Flipdesk sends signed events (`Flipdesk-Signature`) to the channel's webhook."))
)]
struct ChannelsApi;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ChannelsApi::openapi())
        .routes(routes!(create_lock))
        .routes(routes!(delete_lock))
        .routes(routes!(create_sale))
        .routes(routes!(super::handoff::exchange))
        .route("/auth/handoff", axum::routing::get(super::handoff::start))
}

/// The connected channel a request's secret opens; a missing or wrong secret is 401.
pub struct ChannelAccess(pub Channel);

impl FromRequestParts<AppState> for ChannelAccess {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let id = params.get("channel").ok_or(AppError::NotFound)?;
        let presented =
            crate::server::request::bearer_token(&parts.headers).ok_or(AppError::Unauthorized)?;
        let channel = service::authenticate(&state.db, &state.secret, id, presented)
            .await?
            .ok_or(AppError::Unauthorized)?;
        service::touch(&state.db, &channel.id, state.clock.now()).await;
        Ok(ChannelAccess(channel))
    }
}

fn body<T: serde::de::DeserializeOwned>(raw: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(raw).map_err(|e| AppError::BadRequest {
        message: format!("the body is not the JSON this call takes: {e}"),
    })
}

/// A buyer on the channel started checking out: hold the units for the reservation time.
#[utoipa::path(post, path = "/api/v1/channels/{channel}/locks", tag = "Sales channels",
    params(("channel" = String, Path, description = "The channel's id")),
    request_body = LockBody,
    responses((status = 201, description = "Held", body = LockAnswer),
        (status = 401, description = "Missing or wrong channel secret", body = crate::server::openapi::ErrorBody),
        (status = 404, description = "No such item offered on this channel", body = crate::server::openapi::ErrorBody),
        (status = 409, description = "`locked_elsewhere` (another buyer holds it) or `sold_out`", body = crate::server::openapi::ErrorBody),
        (status = 422, description = "Field errors, or `idempotency_mismatch`", body = crate::server::openapi::ErrorBody)),
    security(("channel_secret" = [])))]
async fn create_lock(
    State(state): State<AppState>,
    ChannelAccess(channel): ChannelAccess,
    raw: axum::body::Bytes,
) -> Result<Response, AppError> {
    let request: LockRequest = body(&raw)?;
    let (listing_id, item_id, quantity) = validate_lock(&request).map_err(AppError::validation)?;
    let ask = LockAsk {
        listing_id: listing_id.as_deref(),
        item_id: item_id.as_deref(),
        quantity,
        idempotency_key: request.idempotency_key.trim(),
    };
    let held: Locked = locks::lock(&state, &channel, &ask).await?;
    Ok((StatusCode::CREATED, Json(held)).into_response())
}

/// The buyer cancelled: the units go back to every channel. Releasing twice is fine.
#[utoipa::path(delete, path = "/api/v1/channels/{channel}/locks/{lock}", tag = "Sales channels",
    params(("channel" = String, Path, description = "The channel's id"), ("lock" = String, Path, description = "The lock's id")),
    responses((status = 204, description = "Released (or already released or sold)"),
        (status = 401, description = "Missing or wrong channel secret", body = crate::server::openapi::ErrorBody),
        (status = 404, description = "No such lock of this channel", body = crate::server::openapi::ErrorBody)),
    security(("channel_secret" = [])))]
async fn delete_lock(
    State(state): State<AppState>,
    ChannelAccess(channel): ChannelAccess,
    Path((_, lock)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    locks::release(&state, &channel, &lock).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The item sold on the channel. With a lock that still holds, its units are the sale's;
/// otherwise units still free are taken. Replays answer the same.
#[utoipa::path(post, path = "/api/v1/channels/{channel}/sales", tag = "Sales channels",
    params(("channel" = String, Path, description = "The channel's id")),
    request_body = SaleBody,
    responses((status = 201, description = "Recorded", body = SaleAnswer),
        (status = 200, description = "A replay: the first answer again", body = SaleAnswer),
        (status = 401, description = "Missing or wrong channel secret", body = crate::server::openapi::ErrorBody),
        (status = 404, description = "No such item offered on this channel", body = crate::server::openapi::ErrorBody),
        (status = 409, description = "`conflict_needs_attention`: the units were gone; the sale is recorded as a conflict for the reseller", body = crate::server::openapi::ErrorBody),
        (status = 422, description = "Field errors, or `idempotency_mismatch`", body = crate::server::openapi::ErrorBody)),
    security(("channel_secret" = [])))]
async fn create_sale(
    State(state): State<AppState>,
    ChannelAccess(channel): ChannelAccess,
    raw: axum::body::Bytes,
) -> Result<Response, AppError> {
    let report: SaleReport = body(&raw)?;
    Ok(match sales::report_sale(&state, &channel, &report).await? {
        Answer::Recorded { body, replay } => {
            let status = if replay {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            (status, Json(body)).into_response()
        }
        Answer::Conflict { body } => (StatusCode::CONFLICT, Json::<Value>(body)).into_response(),
    })
}
