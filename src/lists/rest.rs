//! The bot API of a Want-To-Buy list: `/api/v1/lists/{list}/items[/{item}]`, authorised by
//! the list's API key (`Authorization: Bearer fd_…`), rate-limited per key, with ETags so two
//! bots never overwrite each other's edits.

use axum::{
    Json,
    body::Bytes,
    extract::{FromRequestParts, Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::{collections::HashMap, sync::Mutex};
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    items,
    service::{self, KeyHolder},
};
use crate::{
    domain::{
        Currency, FieldErrors, Money,
        wtb::{WtbItem, WtbItemInput, validate_wtb_item},
    },
    error::AppError,
    server::{paging, state::AppState},
};

#[derive(ToSchema)]
pub struct WtbItemPage {
    pub items: Vec<WtbItem>,
    pub next_cursor: Option<String>,
}

#[derive(ToSchema)]
pub struct WtbItemBody {
    pub name: Option<String>,
    pub product_id: Option<String>,
    pub style_id: Option<String>,
    pub size: Option<String>,
    pub condition: Option<String>,
    pub grade: Option<String>,
    pub quantity: Option<i64>,
    pub max_price: Option<Money>,
    pub notes: Option<String>,
}

struct ListKey;

impl Modify for ListKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
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
    }
}

#[derive(OpenApi)]
#[openapi(
    modifiers(&ListKey),
    tags((name = "Want-To-Buy lists", description = "Manage a list's items with its API key"))
)]
struct ListsApi;

/// The bot API's routes, with their OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ListsApi::openapi())
        .routes(routes!(list_items, create_item))
        .routes(routes!(get_item, patch_item, delete_item))
}

/// The list a request's API key opens. Takes `{list}` from the path: a missing or unknown
/// key is 401, a key of another list 403, a key over its rate 429.
pub struct ListAccess(pub KeyHolder);

impl FromRequestParts<AppState> for ListAccess {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let list = params.get("list").ok_or(AppError::NotFound)?;
        let presented =
            crate::server::request::bearer_token(&parts.headers).ok_or(AppError::InvalidApiKey)?;
        let holder = service::authenticate(&state.db, &state.secret, presented)
            .await?
            .ok_or(AppError::InvalidApiKey)?;
        if !holder.is_list(list) {
            return Err(AppError::KeyForAnotherList);
        }
        state
            .limits
            .check_list_key(&holder.id)
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
        service::touch_key(&state.db, &holder).await;
        Ok(ListAccess(holder))
    }
}

#[derive(Deserialize)]
pub struct PageParams {
    limit: Option<String>,
    cursor: Option<String>,
}

fn with_etag(mut res: Response, item: &WtbItem) -> Response {
    if let Ok(v) = HeaderValue::from_str(&items::etag(item)) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// Items of the list, oldest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/lists/{list}/items", tag = "Want-To-Buy lists",
    params(("list" = String, Path, description = "List slug or id"),
        ("limit" = Option<u32>, Query, description = "1–100, default 24"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    responses((status = 200, description = "OK", body = WtbItemPage),
        (status = 401, description = "Missing, malformed or replaced API key", body = crate::server::openapi::ErrorBody), (status = 403, description = "A valid key of another list", body = crate::server::openapi::ErrorBody),
        (status = 422, description = "Field errors in `error.fields`", body = crate::server::openapi::ErrorBody), (status = 429, description = "Too many requests with this key; see Retry-After", body = crate::server::openapi::ErrorBody)),
    security(("list_key" = [])))]
pub async fn list_items(
    State(state): State<AppState>,
    ListAccess(list): ListAccess,
    Query(params): Query<PageParams>,
) -> Result<Response, AppError> {
    let limit = paging::limit(params.limit.as_deref())?;
    let cursor = match params.cursor.as_deref().map(str::trim) {
        Some(c) => paging::read_cursor(&state.secret, &list.id, c)?,
        None => "",
    };
    let body = match state.part::<PageCache>().get(&list, limit, cursor) {
        Some(body) => body,
        None => {
            let (items, next) = items::items_page(&state.db, &list.id, limit, cursor).await?;
            let next = next.map(|id| paging::issue_cursor(&state.secret, &list.id, &id));
            let body = Bytes::from(json!({ "items": items, "next_cursor": next }).to_string());
            state
                .part::<PageCache>()
                .put(&list, limit, cursor, body.clone());
            body
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Answers of `GET …/items` by list, page and the list's items version. Every change to a
/// list's items bumps that version in its own transaction, and the version is read together
/// with the key, so a cached page is never older than the list — with any number of server
/// processes. Bots poll lists far more often than they change.
/// Only cursors the server issued get here, and the cache is capped by bytes as well as by
/// pages: whatever a client asks, it cannot grow a process's memory past the cap.
#[derive(Default)]
pub struct PageCache(Mutex<Pages>);

#[derive(Default)]
pub struct Pages {
    map: HashMap<PageKey, (i64, Bytes)>,
    bytes: usize,
}

/// (list id, limit, cursor)
type PageKey = (String, u32, String);

/// Pages kept at most, and their bytes at most; the cache starts over when either is reached.
const PAGE_CACHE_ENTRIES: usize = 10_000;
pub const PAGE_CACHE_BYTES: usize = 32 * 1024 * 1024;

impl PageCache {
    fn get(&self, list: &KeyHolder, limit: u32, cursor: &str) -> Option<Bytes> {
        let pages = self.0.lock().unwrap_or_else(|p| p.into_inner());
        pages
            .map
            .get(&(list.id.clone(), limit, cursor.to_string()))
            .filter(|(version, _)| *version == list.items_version)
            .map(|(_, body)| body.clone())
    }

    fn put(&self, list: &KeyHolder, limit: u32, cursor: &str, body: Bytes) {
        let mut pages = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let size = body.len() + list.id.len() + cursor.len() + 64;
        if pages.map.len() >= PAGE_CACHE_ENTRIES || pages.bytes + size > PAGE_CACHE_BYTES {
            pages.map.clear();
            pages.bytes = 0;
        }
        let key = (list.id.clone(), limit, cursor.to_string());
        if let Some((_, old)) = pages.map.insert(key, (list.items_version, body)) {
            pages.bytes = pages
                .bytes
                .saturating_sub(old.len() + list.id.len() + cursor.len() + 64);
        }
        pages.bytes += size;
    }

    /// Bytes the cached pages hold (for the benchmark's memory figure).
    pub fn bytes(&self) -> usize {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).bytes
    }
}

/// One item, with its `ETag` (send it back as `If-Match` when you change the item).
#[utoipa::path(get, path = "/api/v1/lists/{list}/items/{item}", tag = "Want-To-Buy lists",
    params(("list" = String, Path, description = "List slug or id"), ("item" = String, Path, description = "Item id")),
    responses((status = 200, description = "The item", body = crate::domain::wtb::WtbItem, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, description = "Missing, malformed or replaced API key", body = crate::server::openapi::ErrorBody), (status = 403, description = "A valid key of another list", body = crate::server::openapi::ErrorBody),
        (status = 404, description = "Not found (or not yours)", body = crate::server::openapi::ErrorBody), (status = 429, description = "Too many requests with this key; see Retry-After", body = crate::server::openapi::ErrorBody)),
    security(("list_key" = [])))]
pub async fn get_item(
    State(state): State<AppState>,
    ListAccess(list): ListAccess,
    Path((_, item_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let item = items::get_item(&state.db, &list.id, &item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tag = items::etag(&item);
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == tag)
        });
    if unchanged {
        return Ok(with_etag(StatusCode::NOT_MODIFIED.into_response(), &item));
    }
    Ok(with_etag(Json(&item).into_response(), &item))
}

/// Adds an item; `201` with the item, its `Location` and `ETag`.
#[utoipa::path(post, path = "/api/v1/lists/{list}/items", tag = "Want-To-Buy lists",
    params(("list" = String, Path, description = "List slug or id")),
    request_body = WtbItemBody,
    responses((status = 201, description = "Added", body = crate::domain::wtb::WtbItem, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed request (not JSON, or a missing header)", body = crate::server::openapi::ErrorBody), (status = 401, description = "Missing, malformed or replaced API key", body = crate::server::openapi::ErrorBody),
        (status = 403, description = "A valid key of another list", body = crate::server::openapi::ErrorBody), (status = 409, description = "Conflict", body = crate::server::openapi::ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = crate::server::openapi::ErrorBody), (status = 422, description = "Field errors in `error.fields`", body = crate::server::openapi::ErrorBody),
        (status = 429, description = "Too many requests with this key; see Retry-After", body = crate::server::openapi::ErrorBody)),
    security(("list_key" = [])))]
pub async fn create_item(
    State(state): State<AppState>,
    ListAccess(list): ListAccess,
    body: Bytes,
) -> Result<Response, AppError> {
    let fields = json_object(&body)?;
    let currency = owner_currency(&state, &list).await?;
    let input = apply_json(WtbItemInput::default(), &fields, currency)?;
    let mut draft = validate_wtb_item(&input, currency).map_err(AppError::validation)?;
    items::link_products(&state, std::slice::from_mut(&mut draft)).await?;
    let item = items::create_item(&state.db, &list.id, &draft).await?;
    let location = format!("/api/v1/lists/{}/items/{}", list.slug, item.id);
    let mut res = with_etag((StatusCode::CREATED, Json(&item)).into_response(), &item);
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// Changes the fields sent (others stay). With `If-Match` the edit applies only to that
/// version (`412` otherwise); without it the edit applies to the current item.
#[utoipa::path(patch, path = "/api/v1/lists/{list}/items/{item}", tag = "Want-To-Buy lists",
    params(("list" = String, Path, description = "List slug or id"), ("item" = String, Path, description = "Item id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = WtbItemBody,
    responses((status = 200, description = "The item", body = crate::domain::wtb::WtbItem, headers(("ETag" = String))),
        (status = 400, description = "Malformed request (not JSON, or a missing header)", body = crate::server::openapi::ErrorBody), (status = 401, description = "Missing, malformed or replaced API key", body = crate::server::openapi::ErrorBody),
        (status = 403, description = "A valid key of another list", body = crate::server::openapi::ErrorBody), (status = 404, description = "Not found (or not yours)", body = crate::server::openapi::ErrorBody),
        (status = 412, description = "The If-Match ETag is stale", body = crate::server::openapi::ErrorBody), (status = 422, description = "Field errors in `error.fields`", body = crate::server::openapi::ErrorBody),
        (status = 429, description = "Too many requests with this key; see Retry-After", body = crate::server::openapi::ErrorBody)),
    security(("list_key" = [])))]
pub async fn patch_item(
    State(state): State<AppState>,
    ListAccess(list): ListAccess,
    Path((_, item_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let fields = json_object(&body)?;
    let if_match = headers
        .get(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or_default().to_string());
    let currency = owner_currency(&state, &list).await?;
    // Read, merge, write only if still that version: parallel edits of different fields
    // without If-Match are retried on the newer version instead of lost.
    for _ in 0..8 {
        let current = items::get_item(&state.db, &list.id, &item_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some(wanted) = &if_match
            && !etag_matches(wanted, &current)
        {
            return Err(items::stale(&current));
        }
        let input = apply_json(current.to_input(currency), &fields, currency)?;
        let mut draft = validate_wtb_item(&input, currency).map_err(AppError::validation)?;
        items::link_products(&state, std::slice::from_mut(&mut draft)).await?;
        match items::update_item(&state.db, &list.id, &item_id, &draft, Some(current.version)).await
        {
            Ok(item) => return Ok(with_etag(Json(&item).into_response(), &item)),
            Err(AppError::PreconditionFailed { .. }) if if_match.is_none() => continue,
            Err(e) => return Err(e),
        }
    }
    Err(AppError::conflict(
        "edit_conflict",
        "This item is being changed by others right now; try again.",
    ))
}

/// Removes an item; `204`. With `If-Match` only the version you read is removed (`412`
/// when it changed since), as with `PATCH`.
#[utoipa::path(delete, path = "/api/v1/lists/{list}/items/{item}", tag = "Want-To-Buy lists",
    params(("list" = String, Path, description = "List slug or id"), ("item" = String, Path, description = "Item id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses((status = 204, description = "Removed"),
        (status = 412, description = "The If-Match ETag is stale", body = crate::server::openapi::ErrorBody),
        (status = 401, description = "Missing, malformed or replaced API key", body = crate::server::openapi::ErrorBody), (status = 403, description = "A valid key of another list", body = crate::server::openapi::ErrorBody),
        (status = 404, description = "Not found (or not yours)", body = crate::server::openapi::ErrorBody), (status = 429, description = "Too many requests with this key; see Retry-After", body = crate::server::openapi::ErrorBody)),
    security(("list_key" = [])))]
pub async fn delete_item(
    State(state): State<AppState>,
    ListAccess(list): ListAccess,
    Path((_, item_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let expected = match headers.get(header::IF_MATCH) {
        None => None,
        Some(wanted) => {
            let current = items::get_item(&state.db, &list.id, &item_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if !etag_matches(wanted.to_str().unwrap_or_default(), &current) {
                return Err(items::stale(&current));
            }
            Some(current.version)
        }
    };
    items::delete_item(&state.db, &list.id, &item_id, expected).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn owner_currency(state: &AppState, list: &KeyHolder) -> Result<Currency, AppError> {
    service::default_currency(&state.db, &list.owner_user_id).await
}

/// `If-Match`: `*`, or one of the listed strong ETags.
fn etag_matches(header_value: &str, item: &WtbItem) -> bool {
    let current = items::etag(item);
    header_value
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t == current)
}

fn json_object(body: &[u8]) -> Result<Map<String, Value>, AppError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(AppError::BadRequest {
            message: "the body must be a JSON object".into(),
        }),
        Err(_) => Err(AppError::BadRequest {
            message: "the body is not valid JSON".into(),
        }),
    }
}

/// Fields a client may send; `id`, `created_at` and `updated_at` are read-only and ignored
/// (so a bot can send back what it read).
const WRITABLE: [&str; 9] = [
    "name",
    "product_id",
    "style_id",
    "size",
    "condition",
    "grade",
    "quantity",
    "max_price",
    "notes",
];
const READ_ONLY: [&str; 3] = ["id", "created_at", "updated_at"];

/// Lays the JSON fields over `input`; every field of the wrong type is named.
fn apply_json(
    mut input: WtbItemInput,
    fields: &Map<String, Value>,
    default_currency: Currency,
) -> Result<WtbItemInput, AppError> {
    let mut errors = FieldErrors::default();
    for (name, value) in fields {
        let text = |value: &Value| match value {
            Value::String(s) => Ok(s.clone()),
            Value::Null => Ok(String::new()),
            _ => Err("Must be a string (or null to clear it).".to_string()),
        };
        let slot = match name.as_str() {
            "name" => &mut input.name,
            "product_id" => &mut input.product_id,
            "style_id" => &mut input.style_id,
            "size" => &mut input.size,
            "condition" => &mut input.condition,
            "grade" => &mut input.grade,
            "notes" => &mut input.notes,
            "quantity" => {
                match value {
                    Value::Number(n) if n.is_i64() => input.quantity = n.to_string(),
                    Value::Null => input.quantity = String::new(),
                    _ => errors.add(name, "Must be a whole number."),
                }
                continue;
            }
            "max_price" => {
                match money_field(value, default_currency) {
                    Ok(None) => input.max_price = String::new(),
                    Ok(Some(m)) => {
                        input.max_price = m.to_decimal_string();
                        input.currency = m.currency.code().to_string();
                    }
                    Err(message) => errors.add(name, message),
                }
                continue;
            }
            other if READ_ONLY.contains(&other) => continue,
            _ => {
                errors.add(name, format!("Unknown field; use {}.", WRITABLE.join(", ")));
                continue;
            }
        };
        match text(value) {
            Ok(s) => *slot = s,
            Err(message) => errors.add(name, message),
        }
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(AppError::validation(errors))
    }
}

/// `{"amount": <minor units>, "currency": "USD"}` or null.
fn money_field(value: &Value, default_currency: Currency) -> Result<Option<Money>, String> {
    const SHAPE: &str = "Use {\"amount\": <integer minor units>, \"currency\": \"USD\"} or null.";
    let obj = match value {
        Value::Null => return Ok(None),
        Value::Object(obj) => obj,
        _ => return Err(SHAPE.into()),
    };
    let amount = obj.get("amount").and_then(Value::as_i64).ok_or(SHAPE)?;
    let currency = match obj.get("currency") {
        None | Some(Value::Null) => default_currency,
        Some(Value::String(code)) => Currency::parse(code)
            .map_err(|_| format!("\"{code}\" is not a currency Flipdesk supports."))?,
        Some(_) => return Err(SHAPE.into()),
    };
    if amount <= 0 {
        return Err("The most you would pay is more than zero.".into());
    }
    Ok(Some(Money::new(amount, currency)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_fields_map_onto_the_form_input() {
        let fields = json_object(
            br#"{"name":"Chicago","quantity":2,"max_price":{"amount":25000,"currency":"EUR"},"id":"ignored"}"#,
        )
        .unwrap();
        let input = apply_json(WtbItemInput::default(), &fields, Currency::Usd).unwrap();
        assert_eq!(input.name, "Chicago");
        assert_eq!(input.quantity, "2");
        assert_eq!(
            (input.max_price.as_str(), input.currency.as_str()),
            ("250.00", "EUR")
        );
    }

    #[test]
    fn wrong_types_and_unknown_fields_are_named() {
        let fields =
            json_object(br#"{"name":5,"quantity":"two","max_price":12,"colour":"red"}"#).unwrap();
        let Err(AppError::Validation { fields, .. }) =
            apply_json(WtbItemInput::default(), &fields, Currency::Usd)
        else {
            panic!("expected field errors");
        };
        for f in ["name", "quantity", "max_price", "colour"] {
            assert!(fields.get(f).is_some(), "{f}");
        }
        assert!(matches!(
            json_object(b"[1]"),
            Err(AppError::BadRequest { .. })
        ));
        assert!(matches!(
            json_object(b"{"),
            Err(AppError::BadRequest { .. })
        ));
    }
}
