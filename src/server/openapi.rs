//! The OpenAPI 3.1 description of `/api/v1`, generated from the handlers' annotations and
//! the types they send, so it cannot drift from the code. Served at `/api/v1/openapi.json`.

use axum::{
    http::header,
    response::{IntoResponse, Response},
};
use std::{collections::BTreeMap, sync::LazyLock};
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use crate::{
    domain::{Money, wtb::WtbItem},
    storefront::types::PublicListing,
};

/// Every error: `{"error": {"code", "message", "fields"?}}`.
#[derive(ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(ToSchema)]
pub struct ErrorDetail {
    /// snake_case, stable (e.g. `validation_failed`, `insufficient_stock`).
    pub code: String,
    /// For people.
    pub message: String,
    /// Validation errors only: field → what is wrong.
    pub fields: Option<BTreeMap<String, String>>,
}

#[derive(ToSchema)]
pub struct WtbItemPage {
    pub items: Vec<WtbItem>,
    /// Pass as `?cursor=` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(ToSchema)]
pub struct ListingPage {
    pub items: Vec<PublicListing>,
    pub next_cursor: Option<String>,
}

/// The writable fields of a wanted item. `POST` needs `name`; `PATCH` changes only the
/// fields sent (null clears an optional field). Unknown fields are refused (422).
#[derive(ToSchema)]
pub struct WtbItemBody {
    /// What you want, as a person would say it ("Jordan 1 Chicago 2022").
    pub name: Option<String>,
    /// A catalog product id.
    pub product_id: Option<String>,
    /// Sneaker style id; compound ids keep each part ("315122-111/CW2288-111").
    pub style_id: Option<String>,
    /// "10.5", "44 2/3", "OS".
    pub size: Option<String>,
    /// `new`, `new_defects`, `used`, or a card condition `NM`, `LP`, `MP`, `HP`, `DMG`.
    pub condition: Option<String>,
    /// "10", "9.5", or with the company: "PSA 10", "BGS 9.5".
    pub grade: Option<String>,
    /// 1–1000 (default 1).
    pub quantity: Option<i64>,
    /// The most you would pay per unit; null: any price.
    pub max_price: Option<Money>,
    pub notes: Option<String>,
}

#[derive(ToSchema)]
pub struct WebhookAck {
    pub received: bool,
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "list_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The list's API key (`fd_` + 32 letters and digits), shown once in the dashboard.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "stripe_signature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("Stripe-Signature"))),
        );
    }
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
    paths(
        openapi_json,
        crate::checkout::rest::store_listings,
        crate::checkout::rest::create_session,
        crate::checkout::rest::stripe_webhook,
        crate::lists::rest::list_items,
        crate::lists::rest::create_item,
        crate::lists::rest::get_item,
        crate::lists::rest::patch_item,
        crate::lists::rest::delete_item,
    ),
    modifiers(&Security),
    tags(
        (name = "Storefronts", description = "What shoppers can buy, and checkout"),
        (name = "Stripe", description = "Payment events from Stripe"),
        (name = "Want-To-Buy lists", description = "Manage a list's items with its API key"),
        (name = "Meta", description = "This description"),
    )
)]
pub struct ApiDoc;

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_json()
        .expect("the OpenAPI document serialises")
});

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "Meta",
    responses((status = 200, description = "The OpenAPI 3.1 description of /api/v1", content_type = "application/json")))]
pub async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    )
        .into_response()
}
