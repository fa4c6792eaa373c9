//! The public JSON routes of checkout and the storefront (`/api/v1`), and the guest link
//! that opens an order page.

use axum::{
    Json,
    body::Bytes,
    extract::{ConnectInfo, Path, Query, Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::security::{ApiKey, ApiKeyValue, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::service::{self, KeyState};
use crate::{
    domain::store::{CheckoutRequest, validate_checkout},
    error::AppError,
    server::{paging, state::AppState},
    storefront::types::{CatalogQuery, CheckoutCreated},
};

/// One page of a store's catalog.
#[derive(ToSchema)]
pub struct ListingPage {
    pub items: Vec<crate::storefront::types::PublicListing>,
    pub next_cursor: Option<String>,
}

#[derive(ToSchema)]
pub struct WebhookAck {
    pub received: bool,
}

struct StripeSignature;

impl Modify for StripeSignature {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "stripe_signature",
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("Stripe-Signature"))),
            );
    }
}

#[derive(OpenApi)]
#[openapi(
    modifiers(&StripeSignature),
    tags(
        (name = "Storefronts", description = "What shoppers can buy, and checkout"),
        (name = "Stripe", description = "Payment events from Stripe"),
    )
)]
struct CheckoutApi;

/// Checkout's public routes, with their OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(CheckoutApi::openapi())
        .routes(routes!(store_listings))
        .routes(routes!(create_session))
        .routes(routes!(stripe_webhook))
}

/// `guest_link` as the plumbing runs capability middleware.
pub fn guest_link_middleware(
    state: AppState,
    req: Request,
    next: Next,
) -> BoxFuture<'static, Response> {
    Box::pin(guest_link(State(state), req, next))
}

/// The whole checkout, shared by the JSON route and the storefront's server function:
/// key checks, validation, the idempotent run and its stored answer. A replay gives the
/// first answer again — the order it placed, or the error it was refused with.
pub async fn checkout_flow(
    state: &AppState,
    key: Option<&str>,
    buyer_ip: std::net::IpAddr,
    request: Value,
) -> Result<CheckoutCreated, AppError> {
    let key = key.map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > 255 {
        return Err(AppError::BadRequest {
            message: "the Idempotency-Key header is required (1–255 characters)".into(),
        });
    }
    // serde names Rust types and variant lists; say what is wrong in the API's terms.
    let req: CheckoutRequest =
        serde_json::from_value(request.clone()).map_err(|_| AppError::BadRequest {
            message: "the checkout body must be an object with \"store\", \"lines\" \
                      ([{\"listing_id\", \"quantity\"}]), \"email\" and optionally \"shipping_address\""
                .into(),
        })?;
    // Stripe's page collects the address when a JSON client sends none; manual payment
    // has nobody to collect it, so the parcel's address must come with the order.
    let checked = validate_checkout(&req, state.stripe.is_some()).map_err(AppError::validation)?;
    // serde_json keeps object keys sorted, so the same body always hashes the same.
    let hash = hex::encode(Sha256::digest(request.to_string().as_bytes()));
    let scoped = service::scoped_key(&checked.store, key);
    let key = scoped.as_str();
    let client = service::client_key(state, buyer_ip);
    match service::begin_key(state, key, &hash, &client).await? {
        KeyState::Replay(answer) => answer,
        KeyState::InProgress => Err(AppError::conflict(
            "idempotency_in_progress",
            "A request with this Idempotency-Key is still running.",
        )),
        KeyState::Mismatch => Err(AppError::Unprocessable {
            code: "idempotency_mismatch".into(),
            message: "This Idempotency-Key was used with a different request body.".into(),
        }),
        KeyState::Fresh => {
            let answer = service::place(state, &checked, buyer_ip).await;
            // Our own failure is not an answer: the shopper may retry with the same key.
            if answer.as_ref().is_err_and(|e| e.status() >= 500) {
                service::abandon_key(state, key).await;
            } else if let Err(e) = service::finish_key(state, key, &answer).await {
                tracing::error!(error = %e, "cannot store the idempotent answer");
            }
            answer
        }
    }
}

/// Prices the cart on the server, reserves every line for 10 minutes and opens the payment:
/// Stripe Checkout, or the order page with payment instructions under manual payment.
#[utoipa::path(post, path = "/api/v1/checkout/session", tag = "Storefronts",
    params(("Idempotency-Key" = String, Header, description = "1–255 characters; a replay with the same key and body answers the first answer again (24 hours)")),
    request_body = crate::domain::store::CheckoutRequest,
    responses((status = 201, description = "Created", body = crate::storefront::types::CheckoutCreated),
        (status = 400, description = "Missing Idempotency-Key or malformed JSON", body = crate::server::openapi::ErrorBody),
        (status = 404, description = "No such store", body = crate::server::openapi::ErrorBody),
        (status = 409, description = "`insufficient_stock`, `too_many_held` (this buyer already holds the most units a buyer may hold in this store), or `idempotency_in_progress`", body = crate::server::openapi::ErrorBody),
        (status = 429, description = "Too many checkouts from this address or for this store; see Retry-After", body = crate::server::openapi::ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = crate::server::openapi::ErrorBody),
        (status = 422, description = "Field errors, or `idempotency_mismatch`", body = crate::server::openapi::ErrorBody),
        (status = 503, description = "The payment provider is unreachable; nothing was reserved", body = crate::server::openapi::ErrorBody)))]
pub async fn create_session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => {
            return AppError::BadRequest {
                message: "the body is not valid JSON".into(),
            }
            .into_response();
        }
    };
    let store = request["store"].as_str().unwrap_or_default();
    if let Err(e) = service::checkout_limits(&state, peer.ip(), store) {
        return e.into_response();
    }
    match checkout_flow(&state, key, peer.ip(), request).await {
        Ok(created) => (StatusCode::CREATED, Json(created)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Stripe's events, verified on the raw body (`t=…,v1=…`, 300 s tolerance). An event id seen
/// before answers 200 and changes nothing.
#[utoipa::path(post, path = "/api/v1/webhooks/stripe", tag = "Stripe",
    request_body(content = Object, description = "A Stripe event", content_type = "application/json"),
    responses((status = 200, description = "OK", body = WebhookAck),
        (status = 400, description = "Bad or stale signature; nothing changed", body = crate::server::openapi::ErrorBody)),
    security(("stripe_signature" = [])))]
pub async fn stripe_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    match super::webhook::handle(&state, signature, &body).await {
        Ok(_) => Json(json!({ "received": true })).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct ListingsParams {
    limit: Option<String>,
    cursor: Option<String>,
    #[serde(flatten)]
    query: CatalogQuery,
}

/// A store's public catalog: what a shopper can buy now.
#[utoipa::path(get, path = "/api/v1/stores/{store}/listings", tag = "Storefronts",
    params(("store" = String, Path, description = "Store slug"),
        ("q" = Option<String>, Query, description = "Search words"),
        ("kind" = Option<String>, Query, description = "sneaker, card, sealed or other"),
        ("line" = Option<String>, Query, description = "A sneaker brand or a card set"),
        ("size" = Option<String>, Query), ("condition" = Option<String>, Query),
        ("min_price" = Option<String>, Query, description = "Decimal, in the store's currency"),
        ("max_price" = Option<String>, Query, description = "Decimal, in the store's currency"),
        ("sort" = Option<String>, Query, description = "newest (default), price or -price"),
        ("limit" = Option<u32>, Query, description = "1–100, default 24"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    responses((status = 200, description = "OK", body = ListingPage),
        (status = 404, description = "No such store", body = crate::server::openapi::ErrorBody),
        (status = 422, description = "Field errors in `error.fields`", body = crate::server::openapi::ErrorBody)))]
pub async fn store_listings(
    State(state): State<AppState>,
    Path(store): Path<String>,
    Query(params): Query<ListingsParams>,
) -> Response {
    let limit = match paging::limit(params.limit.as_deref()) {
        Ok(n) => n,
        Err(e) => return e.into_response(),
    };
    let offset = match params.cursor.as_deref().map(str::parse::<u32>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return paging::bad_cursor().into_response(),
    };
    let (id, face) = match state
        .part::<crate::storefront::service::StorefrontCache>()
        .store(&state.db, &store, false, &state.settings.public_url)
        .await
    {
        Ok(Some(front)) => (front.id, front.store),
        Ok(None) => return AppError::NotFound.into_response(),
        Err(e) => return e.into_response(),
    };
    match crate::storefront::service::listings(
        &state.db,
        &id,
        &face.slug,
        face.currency,
        &params.query,
        limit,
        offset,
    )
    .await
    {
        Ok((mut items, has_next)) => {
            let site = state.settings.public_url.trim_end_matches('/');
            for item in &mut items {
                item.url = format!("{site}{}", item.url);
            }
            let next = has_next.then(|| (offset + limit).to_string());
            Json(json!({ "items": items, "next_cursor": next })).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// The cookie that lets a buyer see one order (its name carries the order id).
pub fn buyer_cookie_name(order_id: &str) -> String {
    format!("fd_order_{}", order_id.replace('-', ""))
}

/// The cookie's value: an expiry and an HMAC over the order id and that expiry.
pub fn buyer_grant(state: &AppState, order_id: &str, expires_ms: i64) -> String {
    let mac = crate::server::crypto::hmac_hex(
        state.secret.expose(),
        &format!("order-view:{order_id}:{expires_ms}"),
    );
    format!("{expires_ms}.{mac}")
}

pub fn grant_valid(state: &AppState, order_id: &str, value: &str) -> bool {
    let Some((expires, mac)) = value.split_once('.') else {
        return false;
    };
    let Ok(expires_ms) = expires.parse::<i64>() else {
        return false;
    };
    expires_ms > state.clock.now_ms()
        && crate::server::crypto::hmac_matches(
            state.secret.expose(),
            &format!("order-view:{order_id}:{expires_ms}"),
            mac,
        )
}

/// `/orders/{order}?token=…`: checks the signed link, sets the order's HttpOnly cookie and
/// sends the buyer to the clean address (the token leaves the address bar and history).
pub async fn guest_link(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let token = req.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("token="))
            .map(str::to_string)
    });
    let (Some(order_id), Some(token)) = (
        path.strip_prefix("/orders/")
            .filter(|id| !id.contains('/') && id.len() <= 64),
        token,
    ) else {
        return next.run(req).await;
    };
    let hash = service::link_hash(&state, &token);
    let found: Result<Option<(i64, i64)>, sqlx::Error> = crate::with_db!(&state.db, pool => sqlx::query_as(
        "SELECT expires_at, mailed FROM order_links WHERE token_hash = $1 AND order_id = $2").bind(&hash).bind(order_id).fetch_optional(pool).await);
    match found {
        Ok(Some((expires_ms, mailed))) if expires_ms > state.clock.now_ms() => {
            // A link that came by mail reached the address's owner: it now wants this
            // store's mail. (The link a checkout answers with proves nothing about the address.)
            if mailed == 1 {
                let buyer: Result<Option<(String, String)>, sqlx::Error> = crate::with_db!(&state.db, pool => sqlx::query_as(
                    "SELECT owner_user_id, email FROM orders WHERE id = $1").bind(order_id).fetch_optional(pool).await);
                if let Ok(Some((owner, email))) = buyer
                    && let Err(e) =
                        crate::server::mail::confirm_address(&state.db, &owner, &email).await
                {
                    tracing::warn!(error = %e, "cannot record the mail confirmation");
                }
            }
            let max_age = (expires_ms - state.clock.now_ms()) / 1000;
            let cookie = format!(
                "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
                buyer_cookie_name(order_id),
                buyer_grant(&state, order_id, expires_ms),
                if state.settings.is_production() {
                    "; Secure"
                } else {
                    ""
                }
            );
            let mut res = Redirect::to(&format!("/orders/{order_id}")).into_response();
            if let Ok(v) = header::HeaderValue::from_str(&cookie) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            res
        }
        Ok(_) => {
            tracing::info!("expired or unknown order link");
            next.run(req).await
        }
        Err(e) => AppError::from(e).into_response(),
    }
}
