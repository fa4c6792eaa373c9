//! Sales channels against a local fake channel app: one unit is held by one buyer across the
//! storefront and every channel (also with two servers on one PostgreSQL), holds run out and
//! give units back everywhere, a sale withdraws the item everywhere and tells each channel
//! once, late sales become conflicts, replays change nothing, and wrong secrets change nothing.

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode as AxumStatus},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use flipdesk::{
    server::{crypto::hmac_hex, db::Backend},
    with_db,
};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::{helpers::*, on_both_databases};

/// A channel app: records every event it is sent, per path; answers 204, or 503 while down.
/// Asked for its state, it answers what the test set for that channel (`{"listings": []}`
/// when nothing was set), and records whether the request was signed.
#[derive(Clone)]
struct FakeChannel {
    url: String,
    got: Arc<Mutex<Vec<(String, HeaderMap, String)>>>,
    down: Arc<Mutex<bool>>,
    states: States,
}

type States = Arc<Mutex<HashMap<String, (String, Value)>>>;

type Shared = (
    Arc<Mutex<Vec<(String, HeaderMap, String)>>>,
    Arc<Mutex<bool>>,
);

/// `GET /flipdesk/state?channel=…`: the state set for that channel, when the request carries
/// a valid signature with its secret (`states` holds the secret too); 401 otherwise.
async fn answer_state(
    State((states, down)): State<(States, Arc<Mutex<bool>>)>,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if *down.lock().unwrap() {
        return AxumStatus::SERVICE_UNAVAILABLE.into_response();
    }
    let channel = q.get("channel").cloned().unwrap_or_default();
    let Some((secret, state)) = states.lock().unwrap().get(&channel).cloned() else {
        return AxumStatus::NOT_FOUND.into_response();
    };
    if !signature_holds(&headers, &secret, "") {
        return AxumStatus::UNAUTHORIZED.into_response();
    }
    axum::Json(state).into_response()
}

async fn receive(
    State((got, down)): State<Shared>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    got.lock()
        .unwrap()
        .push((path, headers, String::from_utf8_lossy(&body).into_owned()));
    if *down.lock().unwrap() {
        AxumStatus::SERVICE_UNAVAILABLE.into_response()
    } else {
        AxumStatus::NO_CONTENT.into_response()
    }
}

impl FakeChannel {
    async fn start() -> FakeChannel {
        let got = Arc::new(Mutex::new(Vec::new()));
        let down = Arc::new(Mutex::new(false));
        let states: States = Default::default();
        let app = Router::new()
            .route(
                "/flipdesk/state",
                get(answer_state).with_state((states.clone(), down.clone())),
            )
            .route("/{path}", post(receive))
            .with_state((got.clone(), down.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeChannel {
            url,
            got,
            down,
            states,
        }
    }

    /// What the channel answers when asked for its state: `(item, state)` pairs.
    fn shows(&self, channel: &(String, String), listings: &[(&str, &str)]) {
        let listings: Vec<Value> = listings
            .iter()
            .map(|(item, state)| json!({"item_id": item, "state": state}))
            .collect();
        self.states.lock().unwrap().insert(
            channel.0.clone(),
            (channel.1.clone(), json!({ "listings": listings })),
        );
    }

    /// Events of `kind` about `item` sent to `path`.
    fn count(&self, path: &str, secret: &str, kind: &str, item: &str) -> usize {
        self.events(path, secret)
            .iter()
            .filter(|e| e["type"] == kind && e["data"]["item_id"] == item)
            .count()
    }

    /// Event types `path` was sent, in order, each with its signature checked.
    fn events(&self, path: &str, secret: &str) -> Vec<Value> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _, _)| p == path)
            .map(|(_, headers, raw)| {
                assert!(signature_holds(headers, secret, raw), "unsigned: {raw}");
                serde_json::from_str(raw).unwrap()
            })
            .collect()
    }

    /// Event types `path` was sent, sorted: each event is its own job, so two events
    /// queued at once may arrive in either order (each carries its `created_at`).
    fn kinds(&self, path: &str, secret: &str) -> Vec<String> {
        let mut kinds: Vec<String> = self
            .events(path, secret)
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_string())
            .collect();
        kinds.sort();
        kinds
    }
}

fn signature_holds(headers: &HeaderMap, secret: &str, raw: &str) -> bool {
    let header = headers["flipdesk-signature"].to_str().unwrap();
    let (t, v1) = header.split_once(",v1=").unwrap();
    let t: i64 = t.strip_prefix("t=").unwrap().parse().unwrap();
    let age = time::OffsetDateTime::now_utc().unix_timestamp() - t;
    (0..300).contains(&age) && hmac_hex(secret, &format!("{t}.{raw}")) == v1
}

/// A connected channel of the reseller `c`: (id, secret).
async fn connect(app: &TestApp, c: &Client, name: &str, url: &str) -> (String, String) {
    let (status, added) = app
        .rpc(
            c,
            "channels/add",
            json!({"input": {"name": name, "kind": "connected", "webhook_url": url}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{added}");
    (
        added["id"].as_str().unwrap().to_string(),
        added["secret"].as_str().unwrap().to_string(),
    )
}

async fn offer(app: &TestApp, c: &Client, channel: &str, item: &str, price: &str) {
    let (status, body) = app
        .rpc(
            c,
            "channels/offer",
            json!({"channel_id": channel, "item_id": item, "price": price, "url": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    secret: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .request(method, app.url(path))
        .header("Authorization", format!("Bearer {secret}"));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn lock(
    app: &TestApp,
    channel: &str,
    secret: &str,
    item: &str,
    key: &str,
) -> (StatusCode, Value) {
    call(
        app,
        reqwest::Method::POST,
        &format!("/api/v1/channels/{channel}/locks"),
        secret,
        Some(json!({"item_id": item, "quantity": 1, "idempotency_key": key})),
    )
    .await
}

fn sale(item: &str, lock: Option<&str>, key: &str) -> Value {
    json!({"lock_id": lock, "item_id": item, "quantity": 1, "price": {"amount": 18_000, "currency": "USD"},
           "idempotency_key": key, "sold_at": "2026-12-06T12:00:00Z"})
}

async fn report(app: &TestApp, channel: &str, secret: &str, body: Value) -> (StatusCode, Value) {
    call(
        app,
        reqwest::Method::POST,
        &format!("/api/v1/channels/{channel}/sales"),
        secret,
        Some(body),
    )
    .await
}

async fn scalar(app: &TestApp, sql: &str, bind: &str) -> i64 {
    with_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(sql).bind(bind).fetch_one(pool).await)
        .unwrap()
}

async fn available(app: &TestApp, listing: &str) -> i64 {
    scalar(app, "SELECT available FROM listings WHERE id = $1", listing).await
}

fn cart(store: &str, listing: &str, email: &str) -> Value {
    json!({"store": store, "lines": [{"listing_id": listing, "quantity": 1}], "email": email,
           "shipping_address": {"name": "Sam Buyer", "line1": "1 Main St", "city": "Austin", "postal_code": "73301", "region": "TX", "country": "US"}})
}

/// A unique pair listed in the store and on two connected channels.
struct Rig {
    app: Arc<TestApp>,
    owner: Client,
    fake: FakeChannel,
    item: String,
    listing: String,
    a: (String, String),
    b: (String, String),
}

async fn rig(backend: Backend, name: &str) -> Rig {
    let app = spawn_app(backend).await;
    let fake = FakeChannel::start().await;
    let owner = app.reseller(name).await;
    let (item, listing) = app
        .list_in_store(&owner, sneaker_input("1", "555088-101", "10"), "150")
        .await;
    let a = connect(&app, &owner, "Live shop", &format!("{}/a", fake.url)).await;
    let b = connect(&app, &owner, "Auction site", &format!("{}/b", fake.url)).await;
    offer(&app, &owner, &a.0, &item, "160").await;
    offer(&app, &owner, &b.0, &item, "170").await;
    app.run_pending_jobs().await;
    Rig {
        app: Arc::new(app),
        owner,
        fake,
        item,
        listing,
        a,
        b,
    }
}

on_both_databases!(
    a_storefront_order_holds_and_sells_like_a_lock,
    a_sale_by_hand_withdraws_from_every_channel,
    fifty_buyers_across_the_storefront_and_two_channels_get_one_lock,
    holds_run_out_and_a_sale_withdraws_everywhere_once,
    the_reconciler_repairs_what_a_channel_missed_and_flags_double_sales,
    a_handoff_signs_the_reseller_in_once_and_only_for_that_channel,
    the_stock_table_shows_and_filters_where_items_are_listed,
    two_servers_check_each_channel_once_per_round,
    wrong_secrets_and_bad_requests_change_nothing,
);

async fn fifty_buyers_across_the_storefront_and_two_channels_get_one_lock(backend: Backend) {
    let r = rig(backend, "racer").await;
    // A second server on the same PostgreSQL takes a share of the requests, as a second
    // process would.
    let beside = if backend == Backend::Postgres {
        Some(Arc::new(spawn_beside(&r.app, &[]).await))
    } else {
        None
    };
    let mut tasks = Vec::new();
    for n in 0..50 {
        let app = match (&beside, n % 2) {
            (Some(second), 1) => second.clone(),
            _ => r.app.clone(),
        };
        let (item, listing, a, b) = (r.item.clone(), r.listing.clone(), r.a.clone(), r.b.clone());
        tasks.push(tokio::spawn(async move {
            match n % 3 {
                0 => {
                    let res = app
                        .client
                        .post(app.url("/api/v1/checkout/session"))
                        .header("Idempotency-Key", format!("race-{n}"))
                        .json(&cart("racer-store", &listing, &format!("b{n}@example.com")))
                        .send()
                        .await
                        .unwrap();
                    let status = res.status();
                    let body: Value = res.json().await.unwrap();
                    ("storefront", status, body)
                }
                1 => {
                    let (s, body) = lock(&app, &a.0, &a.1, &item, &format!("a-{n}")).await;
                    ("a", s, body)
                }
                _ => {
                    let (s, body) = lock(&app, &b.0, &b.1, &item, &format!("b-{n}")).await;
                    ("b", s, body)
                }
            }
        }));
    }
    let mut won = Vec::new();
    for t in tasks {
        let (who, status, body) = t.await.unwrap();
        match status {
            StatusCode::CREATED => won.push(who),
            StatusCode::CONFLICT => {
                let code = body["error"]["code"].as_str().unwrap_or_default();
                assert!(
                    ["insufficient_stock", "locked_elsewhere"].contains(&code),
                    "{who}: {body}"
                );
            }
            other => panic!("{who}: unexpected {other}: {body}"),
        }
    }
    assert_eq!(won.len(), 1, "exactly one buyer holds the pair: {won:?}");
    assert_eq!(available(&r.app, &r.listing).await, 0);
    let held = scalar(
        &r.app,
        "SELECT (SELECT COUNT(*) FROM sale_locks WHERE item_id = $1 AND state = 'held') + (SELECT COUNT(*) FROM orders)",
        &r.item,
    )
    .await;
    assert_eq!(held, 1);
}

async fn holds_run_out_and_a_sale_withdraws_everywhere_once(backend: Backend) {
    let r = rig(backend, "seller").await;
    let app = &r.app;
    let ((a, a_secret), (b, b_secret)) = (r.a.clone(), r.b.clone());
    // A manual channel too: it gets a delist checklist, not events.
    let (status, ebay) = app
        .rpc(
            &r.owner,
            "channels/add",
            json!({"input": {"name": "eBay", "kind": "manual", "webhook_url": ""}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ebay}");
    assert!(ebay["secret"].is_null());
    offer(app, &r.owner, ebay["id"].as_str().unwrap(), &r.item, "175").await;
    assert_eq!(r.fake.kinds("a", &a_secret), ["listing.published"]);

    // A's buyer holds the pair: B hears it, the storefront and B cannot have it.
    let (status, held) = lock(app, &a, &a_secret, &r.item, "hold-1").await;
    assert_eq!(status, StatusCode::CREATED, "{held}");
    let (status, again) = lock(app, &a, &a_secret, &r.item, "hold-1").await;
    assert_eq!(
        (status, &again),
        (StatusCode::CREATED, &held),
        "a replay is the same lock"
    );
    let (status, refused) = lock(app, &b, &b_secret, &r.item, "b-1").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(refused["error"]["code"], "locked_elsewhere");
    app.run_pending_jobs().await;
    assert_eq!(
        r.fake.kinds("b", &b_secret),
        ["listing.published", "unit.locked"]
    );
    assert_eq!(
        r.fake.kinds("a", &a_secret),
        ["listing.published"],
        "A caused it"
    );

    // The hold runs out: the pair is free everywhere again, and B hears it.
    app.advance(Duration::from_secs(601)).await;
    assert_eq!(available(app, &r.listing).await, 1);
    assert_eq!(
        r.fake.kinds("b", &b_secret),
        ["listing.published", "unit.locked", "unit.unlocked"]
    );
    assert_eq!(
        r.fake.kinds("a", &a_secret),
        ["listing.published", "unit.unlocked"],
        "the channel whose hold ran out hears it too"
    );

    // B's buyer holds it and pays: sold once, withdrawn everywhere, each told once.
    let (status, held) = lock(app, &b, &b_secret, &r.item, "b-2").await;
    assert_eq!(status, StatusCode::CREATED, "{held}");
    let lock_id = held["lock_id"].as_str().unwrap();
    let (status, sold) = report(app, &b, &b_secret, sale(&r.item, Some(lock_id), "sale-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{sold}");
    let (status, replay) = report(app, &b, &b_secret, sale(&r.item, Some(lock_id), "sale-1")).await;
    assert_eq!((status, &replay), (StatusCode::OK, &sold));
    let mut other = sale(&r.item, Some(lock_id), "sale-1");
    other["price"]["amount"] = json!(1);
    let (status, mismatch) = report(app, &b, &b_secret, other).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(mismatch["error"]["code"], "idempotency_mismatch");
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    assert_eq!(
        r.fake.kinds("a", &a_secret),
        [
            "listing.published",
            "listing.withdrawn",
            "unit.locked",
            "unit.sold",
            "unit.unlocked"
        ]
    );
    assert_eq!(
        scalar(app, "SELECT COUNT(*) FROM sales WHERE item_id = $1 AND channel = 'other' AND channel_name = 'Auction site' AND sale_price = 18000", &r.item).await,
        1
    );
    assert_eq!(
        scalar(
            app,
            "SELECT COUNT(*) FROM listings WHERE id = $1 AND status = 'sold_out'",
            &r.listing
        )
        .await,
        1
    );
    assert_eq!(
        scalar(
            app,
            "SELECT COUNT(*) FROM channel_listings WHERE item_id = $1 AND state = 'listed'",
            &r.item
        )
        .await,
        0
    );
    let (_, inbox) = app.rpc(&r.owner, "inbox/list", json!({"query": {}})).await;
    let delist: Vec<&Value> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "delist_needed")
        .collect();
    assert_eq!(delist.len(), 1, "{inbox}");
    assert!(
        delist[0]["title"].as_str().unwrap().contains("eBay"),
        "{inbox}"
    );

    // A's late buyer reports a sale without a hold: a conflict for the reseller, kept.
    let (status, late) = report(app, &a, &a_secret, sale(&r.item, None, "late-1")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{late}");
    assert_eq!(late["error"]["code"], "conflict_needs_attention");
    let (status, late_again) = report(app, &a, &a_secret, sale(&r.item, None, "late-1")).await;
    assert_eq!((status, &late_again), (StatusCode::CONFLICT, &late));
    assert_eq!(
        scalar(
            app,
            "SELECT COUNT(*) FROM channel_sales WHERE item_id = $1 AND status = 'conflict'",
            &r.item
        )
        .await,
        1
    );
    assert_eq!(
        scalar(
            app,
            "SELECT COUNT(*) FROM sales WHERE item_id = $1",
            &r.item
        )
        .await,
        1
    );
    let (_, rows) = app.rpc(&r.owner, "channels/list", json!({})).await;
    let live = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Live shop")
        .unwrap();
    assert_eq!(live["conflicts"], 1, "{rows}");
    assert!(live["last_contact_at"].is_string(), "{rows}");
}

async fn wrong_secrets_and_bad_requests_change_nothing(backend: Backend) {
    let r = rig(backend, "guard").await;
    let app = &r.app;
    let ((a, a_secret), (b, b_secret)) = (r.a.clone(), r.b.clone());
    for secret in ["", "fdch_wrong", b_secret.as_str()] {
        let (status, _) = lock(app, &a, secret, &r.item, "x").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{secret}");
        let (status, _) = report(app, &a, secret, sale(&r.item, None, "x")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{secret}");
    }
    let (status, _) = lock(app, "no-such-channel", &a_secret, &r.item, "x").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(available(app, &r.listing).await, 1);
    assert_eq!(app.count("sale_locks").await, 0);
    assert_eq!(app.count("channel_sales").await, 0);

    // Another reseller's item through this channel does not exist.
    let other = app.reseller("other").await;
    let (their_item, _) = app
        .list_in_store(&other, sneaker_input("1", "DZ5485-612", "9"), "200")
        .await;
    let (status, _) = lock(app, &a, &a_secret, &their_item, "x").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = report(app, &a, &a_secret, sale(&their_item, None, "x")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nor can a reseller offer on someone else's channel.
    let (status, _) = app
        .rpc(
            &other,
            "channels/offer",
            json!({"channel_id": a, "item_id": their_item, "price": "10", "url": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Bad bodies: clear errors, nothing held or sold.
    let (status, body) = call(
        app,
        reqwest::Method::POST,
        &format!("/api/v1/channels/{a}/locks"),
        &a_secret,
        Some(json!({"item_id": r.item, "quantity": 0, "idempotency_key": ""})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["quantity"].is_string(), "{body}");
    let mut euros = sale(&r.item, None, "eur");
    euros["price"]["currency"] = json!("EUR");
    euros["sold_at"] = json!("last tuesday");
    let (status, body) = report(app, &a, &a_secret, euros).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["sold_at"].is_string(), "{body}");
    let res = app
        .client
        .post(app.url(&format!("/api/v1/channels/{a}/sales")))
        .header("Authorization", format!("Bearer {a_secret}"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(available(app, &r.listing).await, 1);
    assert_eq!(app.count("sale_locks").await, 0);
    assert_eq!(app.count("channel_sales").await, 0);

    // A lock released by its channel is free again; releasing twice is fine, another
    // channel's lock is not found.
    let (status, held) = lock(app, &a, &a_secret, &r.item, "h").await;
    assert_eq!(status, StatusCode::CREATED, "{held}");
    let path = format!(
        "/api/v1/channels/{a}/locks/{}",
        held["lock_id"].as_str().unwrap()
    );
    let other_path = format!(
        "/api/v1/channels/{b}/locks/{}",
        held["lock_id"].as_str().unwrap()
    );
    let (status, _) = call(app, reqwest::Method::DELETE, &other_path, &b_secret, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(available(app, &r.listing).await, 0);
    for _ in 0..2 {
        let (status, _) = call(app, reqwest::Method::DELETE, &path, &a_secret, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    assert_eq!(available(app, &r.listing).await, 1);

    // A channel that is down delays only its own events, and is retried.
    *r.fake.down.lock().unwrap() = true;
    let (status, _) = lock(app, &a, &a_secret, &r.item, "h2").await;
    assert_eq!(status, StatusCode::CREATED);
    app.run_pending_jobs().await;
    let pending = scalar(
        app,
        "SELECT COUNT(*) FROM channel_events WHERE channel_id = $1 AND status = 'pending'",
        &b,
    )
    .await;
    assert!(pending >= 1);
    *r.fake.down.lock().unwrap() = false;
    app.advance(Duration::from_secs(120)).await;
    assert_eq!(
        scalar(
            app,
            "SELECT COUNT(*) FROM channel_events WHERE channel_id = $1 AND status = 'pending'",
            &b
        )
        .await,
        0
    );
}

/// "Mark sold on eBay": connected channels are told it is withdrawn, the manual channels other
/// than eBay go on a delist checklist, and nothing can hold it any more.
async fn a_sale_by_hand_withdraws_from_every_channel(backend: Backend) {
    let r = rig(backend, "byhand").await;
    let app = &r.app;
    let ((a, a_secret), (_, b_secret)) = (r.a.clone(), r.b.clone());
    for name in ["eBay", "StockX", "GOAT"] {
        let (status, added) = app
            .rpc(
                &r.owner,
                "channels/add",
                json!({"input": {"name": name, "kind": "manual", "webhook_url": ""}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{added}");
        offer(app, &r.owner, added["id"].as_str().unwrap(), &r.item, "175").await;
    }
    let (_, item) = app
        .rpc(&r.owner, "inventory/get", json!({"id": r.item}))
        .await;
    let version = item["summary"]["version"].as_i64().unwrap();
    let sale = json!({"quantity": "", "channel": "ebay", "sale_price": "175", "shipping_charged": "",
        "fees": "", "shipping_paid": "", "sold_on": "2026-12-06"});
    let (status, body) = app
        .rpc(
            &r.owner,
            "inventory/sell",
            json!({"id": r.item, "version": version, "sale": sale}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.run_pending_jobs().await;
    for (path, secret) in [("a", &a_secret), ("b", &b_secret)] {
        assert_eq!(
            r.fake.kinds(path, secret),
            ["listing.published", "listing.withdrawn"]
        );
    }
    let (_, offers) = app
        .rpc(&r.owner, "channels/offers", json!({"item_id": r.item}))
        .await;
    let states: Vec<(String, String)> = offers
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["channel_name"].as_str().unwrap().into(),
                o["state"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(states.contains(&("eBay".into(), "sold".into())), "{offers}");
    assert!(
        states.contains(&("GOAT".into(), "withdrawn".into())),
        "{offers}"
    );
    let (_, inbox) = app.rpc(&r.owner, "inbox/list", json!({"query": {}})).await;
    let titles: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "delist_needed")
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Delist “Jordan 1 Chicago” on GOAT, StockX"],
        "{inbox}"
    );
    let (status, refused) = lock(app, &a, &a_secret, &r.item, "after").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "no longer offered there: {refused}"
    );
}

/// A shopper's reservation is a lock too: channels hear it held, and when the order is paid,
/// sold and withdrawn; no channel can lock it meanwhile.
async fn a_storefront_order_holds_and_sells_like_a_lock(backend: Backend) {
    let r = rig(backend, "shopfront").await;
    let app = &r.app;
    let ((a, a_secret), (_, b_secret)) = (r.a.clone(), r.b.clone());
    let order = app
        .manual_order("shopfront-store", &r.listing, 1, "order-1")
        .await;
    app.run_pending_jobs().await;
    for (path, secret) in [("a", &a_secret), ("b", &b_secret)] {
        assert_eq!(
            r.fake.kinds(path, secret),
            ["listing.published", "unit.locked"]
        );
    }
    let (status, refused) = lock(app, &a, &a_secret, &r.item, "a-1").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(refused["error"]["code"], "locked_elsewhere");
    let (status, body) = app
        .rpc(&r.owner, "orders/mark-paid", json!({"order_id": order}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    for (path, secret) in [("a", &a_secret), ("b", &b_secret)] {
        assert_eq!(
            r.fake.kinds(path, secret),
            [
                "listing.published",
                "listing.withdrawn",
                "unit.locked",
                "unit.sold"
            ]
        );
    }
    let (status, refused) = lock(app, &a, &a_secret, &r.item, "a-2").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "withdrawn there: {refused}");
}

async fn findings(app: &TestApp, c: &Client) -> Vec<(String, String, String)> {
    let (status, list) = app.rpc(c, "channels/findings", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let mut out: Vec<(String, String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["item_id"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

async fn the_reconciler_repairs_what_a_channel_missed_and_flags_double_sales(backend: Backend) {
    let r = rig(backend, "reconciled").await;
    let app = &r.app;
    let (a, b) = (r.a.clone(), r.b.clone());
    // Three more pairs: one sold on A and B, one B sold without telling, one B lost.
    let mut items = Vec::new();
    for (n, style) in [(2, "DD1391-100"), (3, "DZ5485-612"), (4, "FQ8138-002")] {
        let (item, _) = app
            .list_in_store(&r.owner, sneaker_input("1", style, "9"), "150")
            .await;
        if n == 2 {
            offer(app, &r.owner, &a.0, &item, "160").await;
        }
        offer(app, &r.owner, &b.0, &item, "170").await;
        items.push(item);
    }
    let (two, three, four) = (items[0].clone(), items[1].clone(), items[2].clone());
    // A sells the first pair and the second: Flipdesk withdraws both from B…
    for (item, key) in [(&r.item, "s-1"), (&two, "s-2")] {
        let (status, body) = report(app, &a.0, &a.1, sale(item, None, key)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    app.run_pending_jobs().await;
    assert_eq!(r.fake.count("b", &b.1, "listing.withdrawn", &r.item), 1);
    // …but B missed the first withdrawal, shows the second pair sold too (never reported),
    // shows the third sold without a word, and lost the fourth.
    r.fake
        .shows(&b, &[(&r.item, "listed"), (&two, "sold"), (&three, "sold")]);
    r.fake.shows(&a, &[(&r.item, "sold"), (&two, "sold")]);

    // The next round asks both channels, signed; A agrees, B is repaired and flagged.
    app.advance(Duration::from_secs(16 * 60)).await;
    app.run_pending_jobs().await;
    assert_eq!(
        r.fake.count("b", &b.1, "listing.withdrawn", &r.item),
        2,
        "the missed withdrawal is sent again"
    );
    assert_eq!(r.fake.count("b", &b.1, "listing.published", &four), 2);
    assert_eq!(r.fake.count("b", &b.1, "listing.published", &three), 1);
    assert_eq!(r.fake.count("a", &a.1, "listing.withdrawn", &r.item), 0);
    let mut expected = vec![
        (
            "listing_resent".to_string(),
            four.clone(),
            "repaired".to_string(),
        ),
        ("sold_twice".to_string(), two.clone(), "open".to_string()),
        (
            "unreported_sale".to_string(),
            three.clone(),
            "open".to_string(),
        ),
        (
            "withdrawal_resent".to_string(),
            r.item.clone(),
            "repaired".to_string(),
        ),
    ];
    expected.sort();
    assert_eq!(findings(app, &r.owner).await, expected);
    let notices = |inbox: &Value| -> Vec<String> {
        let mut kinds: Vec<String> = inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "channel_finding")
            .map(|n| n["level"].as_str().unwrap_or("").to_string())
            .collect();
        kinds.sort();
        kinds
    };
    let (_, inbox) = app.rpc(&r.owner, "inbox/list", json!({"query": {}})).await;
    assert_eq!(notices(&inbox).len(), 2, "{inbox}");
    let (_, rows) = app.rpc(&r.owner, "channels/list", json!({})).await;
    for row in rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["connected"] == true)
    {
        assert!(row["last_check_at"].is_string(), "{rows}");
        assert!(row["check_error"].is_null(), "{rows}");
    }

    // "Check now" finds the same: no second notice, nothing new flagged.
    let (status, checked) = app
        .rpc(&r.owner, "channels/check", json!({"channel_id": b.0}))
        .await;
    assert_eq!(status, StatusCode::OK, "{checked}");
    assert_eq!(
        checked,
        json!({"repaired": 2, "needs_attention": 2, "unreachable": null})
    );
    let (_, inbox) = app.rpc(&r.owner, "inbox/list", json!({"query": {}})).await;
    assert_eq!(notices(&inbox).len(), 2, "each finding is told once");
    assert_eq!(findings(app, &r.owner).await, expected);

    // The reseller sorts the double sale out; it leaves the page and stays sorted.
    let (_, list) = app.rpc(&r.owner, "channels/findings", json!({})).await;
    let twice = list
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "sold_twice")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let stranger = app.reseller("stranger").await;
    for (who, id, want) in [
        (&stranger, twice.as_str(), StatusCode::NOT_FOUND),
        (&r.owner, "no-such-finding", StatusCode::NOT_FOUND),
        (&r.owner, twice.as_str(), StatusCode::OK),
        (&r.owner, twice.as_str(), StatusCode::NOT_FOUND),
    ] {
        let (status, body) = app
            .rpc(who, "channels/resolve_finding", json!({"id": id}))
            .await;
        assert_eq!(status, want, "{body}");
    }
    let (status, _) = app
        .rpc(&stranger, "channels/check", json!({"channel_id": b.0}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another reseller's channel");
    assert!(findings(app, &stranger).await.is_empty());
    app.advance(Duration::from_secs(16 * 60)).await;
    assert!(
        !findings(app, &r.owner)
            .await
            .iter()
            .any(|(kind, _, _)| kind == "sold_twice")
    );

    // A channel that cannot be reached: the check says why, the card shows it, nothing changes.
    *r.fake.down.lock().unwrap() = true;
    let (status, down) = app
        .rpc(&r.owner, "channels/check", json!({"channel_id": b.0}))
        .await;
    assert_eq!(status, StatusCode::OK, "{down}");
    assert_eq!(down["repaired"], 0, "{down}");
    assert!(
        down["unreachable"].as_str().unwrap().contains("503"),
        "{down}"
    );
    let (_, rows) = app.rpc(&r.owner, "channels/list", json!({})).await;
    let auction = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Auction site")
        .unwrap();
    assert!(
        auction["check_error"].as_str().unwrap().contains("503"),
        "{rows}"
    );
}

async fn handoff(app: &TestApp, c: &Client, channel: &str, return_to: &str) -> reqwest::Response {
    c.get(app.url("/auth/handoff"))
        .query(&[("channel", channel), ("return_to", return_to)])
        .send()
        .await
        .unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_string()
}

async fn exchange(app: &TestApp, channel: &(String, String), token: &str) -> (StatusCode, Value) {
    call(
        app,
        reqwest::Method::POST,
        &format!("/api/v1/channels/{}/handoff", channel.0),
        &channel.1,
        Some(json!({ "token": token })),
    )
    .await
}

async fn a_handoff_signs_the_reseller_in_once_and_only_for_that_channel(backend: Backend) {
    let r = rig(backend, "handoff").await;
    let app = &r.app;
    let (a, b) = (r.a.clone(), r.b.clone());
    let welcome = format!("{}/welcome?from=flipdesk", r.fake.url);

    // Not signed in: the log-in page first, which comes back here.
    let res = handoff(app, &client(), &a.0, &welcome).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&res).starts_with("/login?next=%2Fauth%2Fhandoff%3Fchannel%3D"),
        "{}",
        location(&res)
    );
    // Somewhere that is not the app's own origin, or not a channel of this reseller.
    for (channel, to, want) in [
        (
            a.0.as_str(),
            "https://evil.example/welcome",
            StatusCode::BAD_REQUEST,
        ),
        (a.0.as_str(), "not an address", StatusCode::BAD_REQUEST),
        ("no-such-channel", welcome.as_str(), StatusCode::NOT_FOUND),
    ] {
        let res = handoff(app, &r.owner, channel, to).await;
        assert_eq!(res.status(), want, "{to}");
        assert!(res.headers().get(reqwest::header::LOCATION).is_none());
    }
    let stranger = app.reseller("stranger").await;
    let res = handoff(app, &stranger, &a.0, &welcome).await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "another reseller's channel"
    );

    // Signed in: back to the app with a token, which only A can exchange, once.
    let res = handoff(app, &r.owner, &a.0, &welcome).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    let back = reqwest::Url::parse(&location(&res)).unwrap();
    assert_eq!(
        back.origin(),
        reqwest::Url::parse(&welcome).unwrap().origin()
    );
    assert!(
        back.query_pairs()
            .any(|(k, v)| k == "from" && v == "flipdesk")
    );
    let token = back
        .query_pairs()
        .find(|(k, _)| k == "flipdesk_handoff")
        .unwrap()
        .1
        .to_string();
    let (status, refused) = exchange(app, &b, &token).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another channel: {refused}"
    );
    assert_eq!(refused["error"]["code"], "invalid_handoff");
    let (status, _) = exchange(app, &(a.0.clone(), b.1.clone()), &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "A's id with B's secret");
    let mut forged = token.clone();
    forged.pop();
    forged.push(if token.ends_with('0') { '1' } else { '0' });
    let (status, _) = exchange(app, &a, &forged).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a changed signature"
    );
    // Ten exchanges at once: one learns who signed in, the rest are refused.
    let tries: Vec<_> = (0..10)
        .map(|_| {
            let (app, a, token) = (r.app.clone(), a.clone(), token.clone());
            tokio::spawn(async move { exchange(&app, &a, &token).await })
        })
        .collect();
    let mut who = Vec::new();
    for t in tries {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::OK => who.push(body),
            StatusCode::UNPROCESSABLE_ENTITY => {
                assert_eq!(body["error"]["code"], "invalid_handoff")
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(who.len(), 1, "{who:?}");
    assert!(who[0]["email"].as_str().unwrap().contains('@'), "{who:?}");
    assert!(
        !who[0]["store_slug"].as_str().unwrap().is_empty(),
        "{who:?}"
    );
    let (status, _) = exchange(app, &a, &token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "used once");

    // A token not exchanged within a minute is spent.
    let res = handoff(app, &r.owner, &a.0, &welcome).await;
    let back = reqwest::Url::parse(&location(&res)).unwrap();
    let late = back
        .query_pairs()
        .find(|(k, _)| k == "flipdesk_handoff")
        .unwrap()
        .1
        .to_string();
    app.advance(Duration::from_secs(61)).await;
    let (status, _) = exchange(app, &a, &late).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "expired");
}

/// Item ids and "Listed on" of the stock table filtered by `place`.
async fn stock(app: &TestApp, c: &Client, place: Option<&str>) -> Vec<(String, Vec<String>)> {
    let (status, page) = app
        .rpc(
            c,
            "inventory/list",
            json!({"query": {"search": "", "status": null, "kind": null, "listed_on": place,
                             "sort": "NameAsc", "page": 1, "per_page": 0}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let places = i["listed_on"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_string())
                .collect();
            (i["id"].as_str().unwrap().to_string(), places)
        })
        .collect()
}

async fn the_stock_table_shows_and_filters_where_items_are_listed(backend: Backend) {
    let r = rig(backend, "places").await;
    let app = &r.app;
    let (status, loose) = app
        .rpc(
            &r.owner,
            "inventory/create",
            json!({"input": sneaker_input("1", "DD1391-100", "9"), "status": "in_stock"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{loose}");
    let loose = loose.as_str().unwrap().to_string();
    let listed = vec![
        "Storefront".to_string(),
        "Auction site".to_string(),
        "Live shop".to_string(),
    ];
    let mut all = stock(app, &r.owner, None).await;
    all.sort();
    let mut want = vec![(r.item.clone(), listed.clone()), (loose.clone(), vec![])];
    want.sort();
    assert_eq!(all, want);
    assert_eq!(
        stock(app, &r.owner, Some("store")).await,
        [(r.item.clone(), listed.clone())]
    );
    assert_eq!(
        stock(app, &r.owner, Some(&r.a.0)).await,
        [(r.item.clone(), listed.clone())]
    );
    assert_eq!(
        stock(app, &r.owner, Some("nowhere")).await,
        [(loose.clone(), vec![])]
    );
    // Taken off one channel: gone from its filter and its chip.
    let (status, body) = app
        .rpc(
            &r.owner,
            "channels/withdraw",
            json!({"channel_id": r.a.0, "item_id": r.item}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(stock(app, &r.owner, Some(&r.a.0)).await.is_empty());
    assert_eq!(
        stock(app, &r.owner, Some(&r.b.0)).await,
        [(
            r.item.clone(),
            vec!["Storefront".to_string(), "Auction site".to_string()]
        )]
    );
    // The page names the reseller's channels for the filter; another reseller sees none of it.
    let (_, page) = app
        .rpc(
            &r.owner,
            "inventory/list",
            json!({"query": {"search": "", "status": null, "kind": null,
            "sort": "Newest", "page": 1, "per_page": 0}}),
        )
        .await;
    assert_eq!(
        page["channels"],
        json!([[r.b.0, "Auction site"], [r.a.0, "Live shop"]])
    );
    let stranger = app.reseller("stranger").await;
    assert!(stock(app, &stranger, Some(&r.b.0)).await.is_empty());
}

/// Two servers on one database run their housekeeping at the same moment: each channel's
/// check is queued once, and not again until its next round is due.
async fn two_servers_check_each_channel_once_per_round(backend: Backend) {
    let r = rig(backend, "twice").await;
    let beside = spawn_beside(&r.app, &[]).await;
    let queued = || async {
        scalar(
            &r.app,
            "SELECT COUNT(*) FROM jobs WHERE kind = $1",
            "channels.reconcile",
        )
        .await
    };
    for round in 1..=2 {
        r.app.state.clock.advance(Duration::from_secs(16 * 60));
        beside.state.clock.advance(Duration::from_secs(16 * 60));
        let mut rounds = Vec::new();
        for _ in 0..4 {
            let (one, two) = (r.app.state.clone(), beside.state.clone());
            rounds.push(tokio::spawn(async move {
                tokio::join!(
                    flipdesk::server::jobs::housekeeping(&one),
                    flipdesk::server::jobs::housekeeping(&two)
                );
            }));
        }
        for round in rounds {
            round.await.unwrap();
        }
        assert_eq!(queued().await, 2 * round, "one check per channel and round");
    }
}
