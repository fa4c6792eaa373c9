//! Plans and quotas: every creating path stops at the plan's limit (402 `quota_exceeded`
//! with the limit in the details) and not a step before; parallel creates at the last place
//! let exactly one through; an import that cannot fit writes nothing and says how many
//! fit; a shopper's order always goes through; an admin's grant changes the limits at once
//! and a downgrade keeps every item visible and exportable.

use crate::{helpers::*, on_both_databases};
use flipdesk::{server::db::Backend, with_db};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// Free: 3 items, 2 sales and 1 shipment a month, 1 WTB list.
const SMALL_FREE_PLAN: [(&str, &str); 3] = [
    ("FLIPDESK__PLANS__FREE__ITEMS", "3"),
    ("FLIPDESK__PLANS__FREE__SALES_PER_MONTH", "2"),
    ("FLIPDESK__PLANS__FREE__SHIPMENTS_PER_MONTH", "1"),
];

async fn create(app: &TestApp, c: &Client) -> (StatusCode, Value) {
    app.rpc(
        c,
        "inventory/create",
        json!({"input": sneaker_input("1", "DZ5485-612", "10"), "status": "in_stock"}),
    )
    .await
}

async fn version(app: &TestApp, c: &Client, id: &str) -> i64 {
    let (_, item) = app.rpc(c, "inventory/get", json!({"id": id})).await;
    item["summary"]["version"].as_i64().unwrap()
}

async fn sell(app: &TestApp, c: &Client, id: &str, sold_on: &str) -> (StatusCode, Value) {
    let v = version(app, c, id).await;
    let sale = json!({"quantity": "", "channel": "ebay", "sale_price": "100", "shipping_charged": "",
        "fees": "", "shipping_paid": "", "sold_on": sold_on});
    app.rpc(
        c,
        "inventory/sell",
        json!({"id": id, "version": v, "sale": sale}),
    )
    .await
}

async fn ship(app: &TestApp, c: &Client, id: &str, shipped_on: &str) -> (StatusCode, Value) {
    let v = version(app, c, id).await;
    let shipment =
        json!({"carrier": "UPS", "tracking_code": "1Z999AA10123456784", "shipped_on": shipped_on});
    app.rpc(
        c,
        "inventory/ship",
        json!({"id": id, "version": v, "shipment": shipment}),
    )
    .await
}

fn assert_quota(status: StatusCode, body: &Value, limit: &str, allowed: u64, used: u64) {
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{body}");
    assert_eq!(body["kind"], "quota_exceeded", "{body}");
    assert_eq!(body["limit"], limit, "{body}");
    assert_eq!(body["allowed"], allowed, "{body}");
    assert_eq!(body["used"], used, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("Upgrade to Premium"), "{message}");
}

async fn rows(app: &TestApp, table: &str) -> i64 {
    app.count(table).await
}

async fn every_creating_path_stops_at_the_limit(backend: Backend) {
    let app = spawn_app_with(backend, &SMALL_FREE_PLAN).await;
    let c = app.reseller("limited").await;
    // Items: n − 1 and n go through, n + 1 is refused with the limit named.
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (status, id) = create(&app, &c).await;
        assert_eq!(status, StatusCode::OK, "{id}");
        ids.push(id.as_str().unwrap().to_string());
    }
    let (status, body) = create(&app, &c).await;
    assert_quota(status, &body, "items", 3, 3);
    assert_eq!(rows(&app, "items").await, 3);

    // Sales count in the month they were sold in.
    assert_eq!(
        sell(&app, &c, &ids[0], "2026-11-20").await.0,
        StatusCode::OK
    );
    assert_eq!(
        sell(&app, &c, &ids[1], "2026-11-21").await.0,
        StatusCode::OK
    );
    let (status, body) = sell(&app, &c, &ids[2], "2026-11-22").await;
    assert_quota(status, &body, "sales_per_month", 2, 2);
    let (_, item) = app.rpc(&c, "inventory/get", json!({"id": ids[2]})).await;
    assert_eq!(item["summary"]["status"], "in_stock", "nothing written");
    // Another month has its own room; a bulk sale over the limit sells none of its items.
    let (status, body) = app
        .rpc(
            &c,
            "inventory/bulk-sell",
            json!({"lines": [{"id": ids[2], "sale_price": "90"}], "channel": "in_person", "sold_on": "2026-11-23"}),
        )
        .await;
    assert_quota(status, &body, "sales_per_month", 2, 2);
    assert_eq!(rows(&app, "sales").await, 2);
    assert_eq!(
        sell(&app, &c, &ids[2], "2026-10-30").await.0,
        StatusCode::OK
    );

    // Shipments: one a month.
    assert_eq!(
        ship(&app, &c, &ids[0], "2026-11-24").await.0,
        StatusCode::OK
    );
    let (status, body) = ship(&app, &c, &ids[1], "2026-11-25").await;
    assert_quota(status, &body, "shipments_per_month", 1, 1);
    assert_eq!(rows(&app, "shipments").await, 1);

    // WTB lists: one.
    let list = |name: &str| json!({"input": {"name": name, "slug": "", "description": "", "is_public": true}});
    assert_eq!(
        app.rpc(&c, "lists/create", list("Grails")).await.0,
        StatusCode::OK
    );
    let (status, body) = app.rpc(&c, "lists/create", list("More")).await;
    assert_quota(status, &body, "wtb_lists", 1, 1);

    // An import that cannot fit is refused when it starts, saying how many fit.
    let c2 = app.reseller("importer").await;
    assert_eq!(create(&app, &c2).await.0, StatusCode::OK);
    let (status, body) = app
        .rpc(
            &c2,
            "import/start",
            json!({"file_name": "stock.csv", "rows_total": 7, "items_total": 5}),
        )
        .await;
    assert_quota(status, &body, "items", 3, 1);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with("This file adds 5 items and 2 more fit."),
        "{message}"
    );
    assert_eq!(rows(&app, "imports").await, 0, "nothing written");
    // One that fits starts; a batch past the limit is refused whole.
    let (status, id) = app
        .rpc(
            &c2,
            "import/start",
            json!({"file_name": "stock.csv", "rows_total": 3, "items_total": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{id}");
    assert_eq!(create(&app, &c2).await.0, StatusCode::OK);
    let line = |n: u32| {
        json!({"line": n, "values": [["name", format!("Row {n}")], ["kind", "sneaker"], ["purchase_price", "5"],
            ["currency", "USD"], ["style_id", format!("DD1391-{n:03}")], ["size", "10"], ["size_system", "us_m"],
            ["purchase_date", "2026-02-03"]]})
    };
    let (status, body) = app
        .rpc(
            &c2,
            "import/batch",
            json!({"import_id": id, "batch": 0, "lines": [line(2), line(3)]}),
        )
        .await;
    assert_quota(status, &body, "items", 3, 2);
    let (status, _) = app
        .rpc(
            &c2,
            "import/batch",
            json!({"import_id": id, "batch": 1, "lines": [line(2)]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&app, "items").await, 6);
    app.assert_usage_counts_agree().await;
}

/// Ten creates race for the last place: exactly one wins, on both databases.
async fn parallel_creates_at_the_last_place_let_one_through(backend: Backend) {
    let app = spawn_app_with(backend, &SMALL_FREE_PLAN).await;
    let c = app.reseller("racer").await;
    for _ in 0..2 {
        assert_eq!(create(&app, &c).await.0, StatusCode::OK);
    }
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (c, url) = (c.clone(), app.url("/api/inventory/create"));
        tasks.push(tokio::spawn(async move {
            let body =
                json!({"input": sneaker_input("1", "DZ5485-612", "10"), "status": "in_stock"});
            c.post(url).json(&body).send().await.unwrap().status()
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::OK => won += 1,
            StatusCode::PAYMENT_REQUIRED => {}
            other => panic!("{other}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(rows(&app, "items").await, 3);
    app.assert_usage_counts_agree().await;
}

/// A shopper's order is never refused because of the seller's plan; the reseller sees that
/// they are over.
async fn a_shoppers_order_goes_through_over_the_sales_limit(backend: Backend) {
    let app = spawn_app_with(backend, &[("FLIPDESK__PLANS__FREE__SALES_PER_MONTH", "0")]).await;
    let seller = app.reseller("popular").await;
    let (_, listing) = app
        .list_in_store(&seller, sneaker_input("1", "DZ5485-612", "10"), "80")
        .await;
    let cart = json!({"store": "popular-store", "lines": [{"listing_id": listing, "quantity": 1}],
        "email": "fan@example.com", "shipping_address": {"name": "Sam Buyer", "line1": "1 Main St",
        "city": "Austin", "postal_code": "73301", "region": "TX", "country": "US"}});
    let res = app
        .client
        .post(app.url("/api/v1/checkout/session"))
        .header("Idempotency-Key", "fan-1")
        .json(&cart)
        .send()
        .await
        .unwrap();
    let (status, created) = json(res).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let order = created["order_id"].as_str().unwrap();
    let (status, body) = app
        .rpc(&seller, "orders/mark-paid", json!({"order_id": order}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(rows(&app, "sales").await, 1);
    let (_, plan) = app.rpc(&seller, "billing/overview", json!({})).await;
    let sales = plan["usage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["resource"] == "sales_per_month")
        .unwrap()
        .clone();
    assert_eq!(sales["used"], 1, "{plan}");
    assert_eq!(sales["allowed"], 0, "{plan}");
    // Every dashboard page warns them (the shell's account summary).
    let (_, me) = json(app.call(&seller, "auth/me", &[]).await).await;
    assert_eq!(me["over_limits"][0]["resource"], "sales_per_month", "{me}");
    app.assert_usage_counts_agree().await;
}

async fn make_admin(app: &TestApp, name: &str) -> Client {
    let c = app.reseller(name).await;
    with_db!(&app.db, pool => sqlx::query("UPDATE users SET role = 'admin' WHERE email = $1")
        .bind(format!("{name}@example.com")).execute(pool).await.map(|_| ()))
    .unwrap();
    // The role is read per request: the same session is now an admin's.
    c
}

/// An admin grants beta (premium's limits) at once, with a reason in the audit log; taking
/// it back keeps all the data: visible, exportable, nothing new until under the limit.
async fn grants_change_limits_at_once_and_a_downgrade_keeps_data(backend: Backend) {
    let app = spawn_app_with(backend, &SMALL_FREE_PLAN).await;
    let c = app.reseller("grower").await;
    let admin = make_admin(&app, "boss").await;
    for _ in 0..3 {
        assert_eq!(create(&app, &c).await.0, StatusCode::OK);
    }
    assert_eq!(create(&app, &c).await.0, StatusCode::PAYMENT_REQUIRED);

    // Resellers cannot look accounts up or grant plans: for them these do not exist.
    let (status, _) = app
        .rpc(
            &c,
            "billing/account",
            json!({"email": "grower@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, me) = app.rpc(&c, "billing/overview", json!({})).await;
    let user_id = with_db!(&app.db, pool => sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE email = 'grower@example.com'")
        .fetch_one(pool).await).unwrap();
    assert_eq!(me["plan"], "free");
    let grant =
        |plan: Value, reason: &str| json!({"user_id": user_id, "plan": plan, "reason": reason});
    let (status, _) = app
        .rpc(&c, "billing/grant", grant(json!("beta"), "please"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A grant needs a reason.
    let (status, body) = app
        .rpc(&admin, "billing/grant", grant(json!("beta"), " "))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .rpc(
            &admin,
            "billing/grant",
            grant(json!("beta"), "Early tester"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, looked) = app
        .rpc(
            &admin,
            "billing/account",
            json!({"email": "Grower@Example.com"}),
        )
        .await;
    assert_eq!(looked["overview"]["plan"], "beta", "{looked}");
    assert_eq!(
        looked["overview"]["standing"]["source"]["Grant"]["reason"], "Early tester",
        "{looked}"
    );
    for _ in 0..2 {
        assert_eq!(create(&app, &c).await.0, StatusCode::OK);
    }

    // Back to free with 5 items on a 3-item limit.
    let (status, _) = app
        .rpc(&admin, "billing/grant", grant(Value::Null, "Beta ended"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = create(&app, &c).await;
    assert_quota(status, &body, "items", 3, 5);
    let (_, page) = app
        .rpc(
            &c,
            "inventory/list",
            json!({"query": {"search": "", "status": null, "kind": null, "sort": "Newest", "page": 1, "per_page": 0}}),
        )
        .await;
    assert_eq!(page["total"], 5, "{page}");
    let csv = app.text(&c, "/app/inventory/export.csv").await;
    assert_eq!(csv.lines().count(), 6, "header and five items");
    let audit: Vec<String> = with_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'plan.%' ORDER BY created_at")
        .fetch_all(pool).await)
    .unwrap();
    assert_eq!(audit, ["plan.granted:beta", "plan.grant_removed"]);
    // The reseller hears of each change in their inbox, once.
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    // (Both jobs may run in the same round, in either order.)
    let told: Vec<String> = with_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT title FROM notifications WHERE kind = 'plan_changed' ORDER BY title")
        .fetch_all(pool).await)
    .unwrap();
    assert_eq!(told, ["You are on Beta now", "You are on Free now"]);
    app.assert_usage_counts_agree().await;
}

/// Premium's room filled with 300 items through an import, then the plan goes back to a
/// free plan of 250: all 300 stay visible, exportable and editable; nothing new until the
/// reseller is under the limit again.
async fn a_downgrade_keeps_300_items_on_a_250_limit(backend: Backend) {
    let app = spawn_app_with(backend, &[("FLIPDESK__PLANS__FREE__ITEMS", "250")]).await;
    let c = app.reseller("stacker").await;
    let admin = make_admin(&app, "chief").await;
    let user_id = with_db!(&app.db, pool => sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE email = 'stacker@example.com'")
        .fetch_one(pool).await).unwrap();
    let grant =
        |plan: Value, reason: &str| json!({"user_id": user_id, "plan": plan, "reason": reason});
    let (status, _) = app
        .rpc(
            &admin,
            "billing/grant",
            grant(json!("premium"), "Trade show"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, import) = app
        .rpc(
            &c,
            "import/start",
            json!({"file_name": "stock.csv", "rows_total": 300}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{import}");
    for batch in 0..3 {
        let lines: Vec<Value> = (0..100)
            .map(|i| {
                let n = batch * 100 + i + 2;
                json!({"line": n, "values": [["name", format!("Dunk Low #{n}")], ["kind", "sneaker"],
                    ["purchase_price", "80"], ["currency", "USD"], ["purchase_date", "2026-02-03"]]})
            })
            .collect();
        let (status, body) = app
            .rpc(
                &c,
                "import/batch",
                json!({"import_id": import, "batch": batch, "lines": lines}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, _) = app
        .rpc(&admin, "billing/grant", grant(Value::Null, "Show is over"))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = create(&app, &c).await;
    assert_quota(status, &body, "items", 250, 300);
    let list = |page: u32| json!({"query": {"search": "", "status": null, "kind": null, "sort": "Newest", "page": page, "per_page": 200}});
    let (_, first) = app.rpc(&c, "inventory/list", list(1)).await;
    assert_eq!(first["total"], 300, "all visible");
    let csv = app.text(&c, "/app/inventory/export.csv").await;
    assert_eq!(csv.lines().count(), 301, "header and 300 items");
    // Over the limit is still editable and sellable.
    let id = first["items"][0]["id"].as_str().unwrap().to_string();
    let (status, body) = sell(&app, &c, &id, "2026-02-10").await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Under the limit again (51 removed): room for one more.
    let ids: Vec<Value> = first["items"].as_array().unwrap()[1..52]
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    let (status, body) = app.rpc(&c, "inventory/delete", json!({"ids": ids})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(create(&app, &c).await.0, StatusCode::OK);
    assert_quota_of(&app, &c, 250).await;
    app.assert_usage_counts_agree().await;
}

async fn assert_quota_of(app: &TestApp, c: &Client, items: u64) {
    let (status, body) = create(app, c).await;
    assert_quota(status, &body, "items", 250, items);
}

on_both_databases!(
    a_downgrade_keeps_300_items_on_a_250_limit,
    every_creating_path_stops_at_the_limit,
    parallel_creates_at_the_last_place_let_one_through,
    a_shoppers_order_goes_through_over_the_sales_limit,
    grants_change_limits_at_once_and_a_downgrade_keeps_data,
);
