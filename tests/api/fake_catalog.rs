//! Small fakes of the catalog providers on loopback, one server with a prefix each: StockX's
//! catalog search (`/stockx`), the Pokémon TCG API (`/ptcg`), Scryfall (`/scryfall`) and
//! Cardmarket's daily files (`/cm`, with ETags and 304s). Each can be told to fail (5xx),
//! be slow, or answer garbage; every request is recorded with its path and query.

use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

/// How a fake provider behaves.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Mode {
    #[default]
    Normal,
    /// 503 to everything.
    Down,
    /// Answers after this many milliseconds.
    Slow(u64),
}

#[derive(Default)]
pub struct Recorded {
    pub modes: HashMap<&'static str, Mode>,
    /// Every request: provider prefix, path and query, and its If-None-Match.
    pub requests: Vec<(&'static str, String, Option<String>)>,
    /// Cardmarket files by name: (ETag, body).
    pub files: HashMap<String, (String, String)>,
    /// Market prices by provider id (Pokémon TCG card, StockX product), in dollars.
    pub prices: HashMap<String, f64>,
}

#[derive(Clone)]
pub struct FakeCatalog {
    pub base: String,
    pub recorded: Arc<Mutex<Recorded>>,
}

type Shared = Arc<Mutex<Recorded>>;

fn stockx_products() -> Vec<Value> {
    vec![
        json!({"productId": "sx-af1", "urlKey": "nike-air-force-1-low-white-07", "styleId": "CW2288-111",
               "productType": "sneakers", "title": "Nike Air Force 1 Low '07 White", "brand": "Nike",
               "productAttributes": {"gender": "men", "colorway": "White/White", "releaseDate": "2007-01-01", "retailPrice": 110}}),
        json!({"productId": "sx-samba", "urlKey": "adidas-samba-og-cloud-white", "styleId": "B75806",
               "productType": "sneakers", "title": "adidas Samba OG Cloud White Core Black", "brand": "adidas",
               "productAttributes": {"gender": "unisex", "colorway": "Cloud White/Core Black", "releaseDate": "2018-01-01", "retailPrice": 100}}),
        json!({"productId": "sx-bc4", "styleId": "FV5029-006", "productType": "sneakers",
               "title": "Jordan 4 Retro Black Cat (2025)", "brand": "Jordan",
               "productAttributes": {"gender": "men", "colorway": "Black/Black-Light Graphite", "releaseDate": "2025-11-28", "retailPrice": 215}}),
        json!({"productId": "sx-weird", "styleId": "ZZ0000-000", "productType": "sneakers",
               "title": "", "brand": "Nobody", "productAttributes": {}}),
    ]
}

fn pokemon_cards() -> Vec<Value> {
    vec![
        json!({"id": "base1-58", "name": "Pikachu", "number": "58", "rarity": "Common",
               "set": {"id": "base1", "name": "Base", "ptcgoCode": "BS", "printedTotal": 102, "releaseDate": "1999/01/09"},
               "images": {"small": "https://images.example/base1/58.png", "large": "https://images.example/base1/58_hires.png"}}),
        json!({"id": "sv3pt5-25", "name": "Pikachu", "number": "25", "rarity": "Common",
               "set": {"id": "sv3pt5", "name": "151", "ptcgoCode": "MEW", "printedTotal": 165, "releaseDate": "2023/09/22"},
               "images": {"large": "https://images.example/sv3pt5/25_hires.png"}}),
    ]
}

fn scryfall_cards() -> Vec<Value> {
    vec![
        json!({"object": "card", "id": "0d2a6f5b-ragavan", "name": "Ragavan, Nimble Pilferer", "lang": "en",
                "released_at": "2021-06-18", "set": "mh2", "set_name": "Modern Horizons 2",
                "collector_number": "138", "rarity": "mythic", "cardmarket_id": 555001,
                "image_uris": {"normal": "https://images.example/mh2/138.jpg"}}),
    ]
}

impl FakeCatalog {
    pub async fn start() -> FakeCatalog {
        let recorded: Shared = Default::default();
        let app = Router::new()
            .route("/stockx/v2/catalog/search", get(stockx_search))
            .route("/ptcg/v2/cards", get(pokemon_cards_search))
            .route("/ptcg/v2/cards/{id}", get(pokemon_card))
            .route(
                "/stockx/v2/catalog/products/{id}/market-data",
                get(stockx_market),
            )
            .route(
                "/stockx/v2/catalog/products/{id}/variants",
                get(stockx_variants),
            )
            .route("/scryfall/cards/search", get(scryfall_search))
            .route("/scryfall/cards/{set}/{number}", get(scryfall_card))
            .route("/cm/productCatalog/{folder}/{file}", get(cardmarket_file))
            .with_state(recorded.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeCatalog { base, recorded }
    }

    /// The settings that point every provider here (StockX with a key).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("STOCKX_API_BASE", format!("{}/stockx", self.base)),
            ("STOCKX_API_KEY", "stockx-test-key".into()),
            ("POKEMONTCG_API_BASE", format!("{}/ptcg", self.base)),
            ("SCRYFALL_API_BASE", format!("{}/scryfall", self.base)),
            ("CARDMARKET_API_BASE", format!("{}/cm", self.base)),
        ]
    }

    pub fn set_mode(&self, provider: &'static str, mode: Mode) {
        self.recorded.lock().unwrap().modes.insert(provider, mode);
    }

    /// Requests the provider was sent so far.
    pub fn requests(&self, provider: &str) -> Vec<String> {
        let r = self.recorded.lock().unwrap();
        r.requests
            .iter()
            .filter(|(p, _, _)| *p == provider)
            .map(|(_, path, _)| path.clone())
            .collect()
    }

    /// The If-None-Match headers Cardmarket's files were asked with.
    pub fn conditional_requests(&self) -> usize {
        let r = self.recorded.lock().unwrap();
        r.requests
            .iter()
            .filter(|(p, _, etag)| *p == "cm" && etag.is_some())
            .count()
    }

    pub fn set_price(&self, id: &str, dollars: f64) {
        self.recorded
            .lock()
            .unwrap()
            .prices
            .insert(id.into(), dollars);
    }

    pub fn put_file(&self, name: &str, etag: &str, body: &str) {
        self.recorded
            .lock()
            .unwrap()
            .files
            .insert(name.into(), (etag.into(), body.into()));
    }
}

/// Records the request and applies the provider's mode: `Some` is the answer to give instead.
async fn enter(
    shared: &Shared,
    provider: &'static str,
    uri: &Uri,
    headers: &HeaderMap,
) -> Option<Response> {
    let mode = {
        let mut r = shared.lock().unwrap();
        r.requests.push((
            provider,
            uri.path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            headers
                .get("if-none-match")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        ));
        r.modes.get(provider).copied().unwrap_or_default()
    };
    match mode {
        Mode::Normal => None,
        Mode::Down => {
            Some((StatusCode::SERVICE_UNAVAILABLE, "down for maintenance").into_response())
        }
        Mode::Slow(ms) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            None
        }
    }
}

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

async fn stockx_search(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = enter(&shared, "stockx", &uri, &headers).await {
        return r;
    }
    if headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some("stockx-test-key") {
        return (StatusCode::UNAUTHORIZED, "no key").into_response();
    }
    let query = q.get("query").cloned().unwrap_or_default();
    let wanted = words(&query);
    let products: Vec<Value> = stockx_products()
        .into_iter()
        .filter(|p| {
            let style = p["styleId"].as_str().unwrap_or_default();
            let title = words(p["title"].as_str().unwrap_or_default());
            let id = p["productId"].as_str().unwrap_or_default();
            style.eq_ignore_ascii_case(&query)
                || (0..4).any(|i| stockx_gtin(id, i) == query)
                || (!wanted.is_empty() && wanted.iter().all(|w| title.contains(w)))
        })
        .collect();
    Json(json!({"count": products.len(), "pageSize": 20, "pageNumber": 1, "hasNextPage": false, "products": products}))
        .into_response()
}

/// The parts of the Pokémon TCG query language the provider sends: `name:pika*`,
/// `number:"58"`, `set.ptcgoCode:"MEW"`, `set.printedTotal:102`.
async fn pokemon_cards_search(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = enter(&shared, "ptcg", &uri, &headers).await {
        return r;
    }
    let query = q.get("q").cloned().unwrap_or_default();
    let mut cards = pokemon_cards();
    for term in query.split_whitespace() {
        let Some((field, value)) = term.split_once(':') else {
            return (StatusCode::BAD_REQUEST, "bad query").into_response();
        };
        let value = value.trim_matches('"').to_lowercase();
        cards.retain(|c| match field {
            "name" => c["name"]
                .as_str()
                .unwrap_or_default()
                .to_lowercase()
                .starts_with(value.trim_end_matches('*')),
            "number" => c["number"].as_str() == Some(value.as_str()),
            "set.ptcgoCode" => {
                c["set"]["ptcgoCode"].as_str().map(str::to_lowercase) == Some(value.clone())
            }
            "set.printedTotal" => {
                c["set"]["printedTotal"].as_u64().map(|n| n.to_string()) == Some(value.clone())
            }
            _ => false,
        });
    }
    Json(json!({"data": cards, "page": 1, "pageSize": 20, "count": cards.len(), "totalCount": cards.len()}))
        .into_response()
}

async fn pokemon_card(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = enter(&shared, "ptcg", &uri, &headers).await {
        return r;
    }
    let price = shared.lock().unwrap().prices.get(&id).copied();
    match pokemon_cards().into_iter().find(|c| c["id"] == id.as_str()) {
        Some(mut card) => {
            card["tcgplayer"] = json!({"url": "https://prices.example", "updatedAt": "2026/12/05",
                "prices": {"normal": {"low": 1.0, "mid": 2.0, "market": price}}});
            Json(json!({"data": card})).into_response()
        }
        None => (StatusCode::NOT_FOUND, Json(json!({"error": "Not found"}))).into_response(),
    }
}

async fn stockx_market(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = enter(&shared, "stockx", &uri, &headers).await {
        return r;
    }
    let Some(price) = shared.lock().unwrap().prices.get(&id).copied() else {
        return (StatusCode::NOT_FOUND, "unknown product").into_response();
    };
    // Three sizes around the price: the median is the price.
    let sizes: Vec<Value> = [price - 20.0, price, price + 35.0]
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"productId": id, "variantId": format!("v{i}"), "currencyCode": "USD",
                             "lowestAskAmount": format!("{p:.2}"), "highestBidAmount": format!("{:.2}", p - 10.0)}))
        .collect();
    Json(sizes).into_response()
}

/// The barcode on the box of size `i` of a product (`190000000002`: the AF1's third size).
fn stockx_gtin(product: &str, i: usize) -> String {
    let at = ["sx-af1", "sx-samba", "sx-bc4", "sx-weird"]
        .iter()
        .position(|p| *p == product)
        .unwrap_or(99);
    format!("19{at:02}{i:08}")
}

/// The three sizes `stockx_market` prices (US M 9, 10 and 10.5), with their size charts; a
/// fourth the market has no ask for.
async fn stockx_variants(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = enter(&shared, "stockx", &uri, &headers).await {
        return r;
    }
    let sizes = [
        ("9", "8", "42.5"),
        ("10", "9", "44"),
        ("10.5", "9.5", "44.5"),
        ("14", "13", "49.5"),
    ];
    let variants: Vec<Value> = sizes
        .iter()
        .enumerate()
        .map(|(i, (us, uk, eu))| json!({"productId": id, "variantId": format!("v{i}"),
            "variantName": format!("{id}:{us}"), "variantValue": us,
            "sizeChart": {"defaultConversion": {"size": format!("US M {us}"), "type": "us m"},
                "availableConversions": [{"size": format!("US M {us}"), "type": "us m"},
                    {"size": format!("UK {uk}"), "type": "uk"}, {"size": format!("EU {eu}"), "type": "eu"},
                    {"size": format!("{} cm", 27 + i), "type": "cm"}]},
            "gtins": [{"identifier": stockx_gtin(&id, i), "type": "UPC"}]}))
        .collect();
    Json(variants).into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"object": "error", "code": "not_found", "status": 404})),
    )
        .into_response()
}

async fn scryfall_search(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = enter(&shared, "scryfall", &uri, &headers).await {
        return r;
    }
    let query = q.get("q").cloned().unwrap_or_default();
    let wanted: Vec<String> = words(&query)
        .into_iter()
        .filter(|w| !w.starts_with("cn"))
        .collect();
    let cards: Vec<Value> = scryfall_cards()
        .into_iter()
        .filter(|c| {
            let name = words(c["name"].as_str().unwrap_or_default());
            wanted.iter().any(|w| name.contains(w))
        })
        .collect();
    if cards.is_empty() {
        return not_found();
    }
    Json(json!({"object": "list", "total_cards": cards.len(), "has_more": false, "data": cards}))
        .into_response()
}

async fn scryfall_card(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    Path((set, number)): Path<(String, String)>,
) -> Response {
    if let Some(r) = enter(&shared, "scryfall", &uri, &headers).await {
        return r;
    }
    scryfall_cards()
        .into_iter()
        .find(|c| c["set"] == set.as_str() && c["collector_number"] == number.as_str())
        .map(|c| Json(c).into_response())
        .unwrap_or_else(not_found)
}

async fn cardmarket_file(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    Path((_folder, file)): Path<(String, String)>,
) -> Response {
    if let Some(r) = enter(&shared, "cm", &uri, &headers).await {
        return r;
    }
    let Some((etag, body)) = shared.lock().unwrap().files.get(&file).cloned() else {
        return (StatusCode::NOT_FOUND, "<Error>NoSuchKey</Error>").into_response();
    };
    if headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    ([("etag", etag)], body).into_response()
}
