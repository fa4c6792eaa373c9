//! Spreadsheet import on the server: re-validation, idempotent batches (also when sent in
//! parallel), all-or-nothing batches, history, undo, duplicates and saved mappings.

use crate::{helpers::*, on_both_databases};
use flipdesk::server::db::Backend;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

fn line(n: u32, name: &str, price: &str) -> Value {
    json!({"line": n, "values": [
        ["name", name], ["kind", "sneaker"], ["purchase_price", price], ["currency", "USD"],
        ["style_id", format!("DD1391-{:03}", n % 1000)], ["size", "10"], ["size_system", "us_m"],
        ["purchase_date", "2026-02-03"]
    ]})
}

fn full_input(name: &str) -> Value {
    let mut v = json!({});
    for f in [
        "kind",
        "name",
        "sku",
        "quantity",
        "purchase_price",
        "currency",
        "purchase_date",
        "purchase_source",
        "storage_location",
        "tags",
        "notes",
        "image_urls",
        "brand",
        "style_id",
        "colorway",
        "size",
        "size_system",
        "sneaker_condition",
        "box_condition",
        "game",
        "card_set",
        "card_number",
        "language",
        "finish",
        "card_condition",
        "grading_company",
        "grade",
        "cert_number",
        "attributes",
    ] {
        v[f] = json!("");
    }
    v["kind"] = json!("sneaker");
    v["name"] = json!(name);
    v["purchase_price"] = json!("20");
    v
}

fn query(search: &str) -> Value {
    json!({"search": search, "status": null, "kind": null, "sort": "Newest", "page": 1, "per_page": 0})
}

async fn start(app: &TestApp, c: &Client, rows: i64) -> String {
    let (status, body) = app
        .rpc(
            c,
            "import/start",
            json!({"file_name": "stock.csv", "rows_total": rows}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_str().unwrap().to_string()
}

async fn batch(
    app: &TestApp,
    c: &Client,
    id: &str,
    no: i64,
    lines: Vec<Value>,
) -> (StatusCode, Value) {
    app.rpc(
        c,
        "import/batch",
        json!({"import_id": id, "batch": no, "lines": lines}),
    )
    .await
}

async fn items_of(app: &TestApp, c: &Client) -> i64 {
    let (_, page) = app
        .rpc(c, "inventory/list", json!({"query": query(""), }))
        .await;
    page["total"].as_i64().unwrap()
}

async fn import_batches_are_idempotent_and_all_or_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("importer").await;
    let id = start(&app, &c, 6).await;

    // A batch with one bad row writes nothing and names the line and field.
    let (status, body) = batch(
        &app,
        &c,
        &id,
        0,
        vec![line(2, "Dunk Low", "110"), line(3, "", "x")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields = body["fields"].as_object().unwrap();
    assert!(fields.contains_key("line 3 name"), "{body}");
    assert!(
        fields["line 3 purchase_price"]
            .as_str()
            .unwrap()
            .starts_with("Line 3:")
    );
    assert_eq!(items_of(&app, &c).await, 0, "nothing written");

    // The same batch sent 8 times at once is written once.
    let lines = vec![line(2, "Dunk Low", "110"), line(3, "Jordan 1", "180")];
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (c, url) = (c.clone(), app.url("/api/import/batch"));
        let body = json!({"import_id": id, "batch": 1, "lines": lines});
        tasks.push(tokio::spawn(async move {
            json(c.post(url).json(&body).send().await.unwrap()).await
        }));
    }
    let mut replays = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["created"], 2);
        replays += body["replayed"].as_bool().unwrap() as i32;
    }
    assert_eq!(replays, 7);
    assert_eq!(items_of(&app, &c).await, 2);

    let (_, list) = app
        .rpc(&c, "inventory/list", json!({"query": query("jordan")}))
        .await;
    assert_eq!(list["items"][0]["purchase_price"]["amount"], 18000);

    let (status, _) = batch(&app, &c, &id, 2, vec![line(4, "AF1", "90")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, summary) = app
        .rpc(
            &c,
            "import/finish",
            json!({"import_id": id, "skipped": 2, "failed": 1, "cancelled": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(
        (
            summary["created"].as_i64(),
            summary["skipped"].as_i64(),
            summary["failed"].as_i64()
        ),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(summary["status"], "done");

    // After the end a resend still gets its answer, a new batch is refused.
    let (status, body) = batch(&app, &c, &id, 2, vec![line(4, "AF1", "90")]).await;
    assert_eq!(
        (status, body["replayed"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let (status, body) = batch(&app, &c, &id, 3, vec![line(5, "AF1", "90")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(items_of(&app, &c).await, 3);

    // Another reseller cannot see or use this import.
    let other = app.reseller("other-importer").await;
    let (status, _) = batch(&app, &other, &id, 9, vec![line(6, "X", "1")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .rpc(&other, "import/undo", json!({"import_id": id}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, history) = app.rpc(&other, "import/history", json!({})).await;
    assert_eq!(history.as_array().unwrap().len(), 0);
    app.assert_usage_counts_agree().await;
}

async fn undo_removes_an_untouched_import_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("undoer").await;
    let keep = start(&app, &c, 1).await;
    batch(&app, &c, &keep, 0, vec![line(2, "Keep me", "10")]).await;
    app.rpc(
        &c,
        "import/finish",
        json!({"import_id": keep, "skipped": 0, "failed": 0, "cancelled": false}),
    )
    .await;

    let id = start(&app, &c, 3).await;
    let (status, _) = batch(
        &app,
        &c,
        &id,
        0,
        vec![line(2, "A", "10"), line(3, "B", "20"), line(4, "C", "30")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.rpc(&c, "import/undo", json!({"import_id": id})).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a running import is cancelled first"
    );
    app.rpc(
        &c,
        "import/finish",
        json!({"import_id": id, "skipped": 0, "failed": 0, "cancelled": true}),
    )
    .await;

    // Edit one item of the import: undo refuses and removes nothing.
    let (_, list) = app
        .rpc(&c, "inventory/list", json!({"query": query("B")}))
        .await;
    let b = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "B")
        .unwrap()
        .clone();
    let (status, body) = app
        .rpc(
            &c,
            "inventory/update",
            json!({"id": b["id"], "version": b["version"], "input": full_input("B renamed")}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.rpc(&c, "import/undo", json!({"import_id": id})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().starts_with("1 item(s)"));
    assert_eq!(items_of(&app, &c).await, 4);

    // The untouched import undoes as a whole; the history says so; twice is refused.
    let (status, body) = app.rpc(&c, "import/undo", json!({"import_id": keep})).await;
    assert_eq!((status, body.as_i64()), (StatusCode::OK, Some(1)));
    assert_eq!(items_of(&app, &c).await, 3);
    let (_, history) = app.rpc(&c, "import/history", json!({})).await;
    let statuses: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["cancelled", "undone"]);
    let (status, _) = app.rpc(&c, "import/undo", json!({"import_id": keep})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    app.assert_usage_counts_agree().await;
}

async fn duplicates_and_saved_mappings(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("dupes").await;
    let id = start(&app, &c, 1).await;
    batch(&app, &c, &id, 0, vec![line(7, "Dunk", "110")]).await;
    let keys = json!([
        "DD1391-007|10|2026-02-03|11000USD",
        "DD1391-007|11|2026-02-03|11000USD",
        "NOPE|10||100USD"
    ]);
    let (status, found) = app.rpc(&c, "import/existing", json!({"keys": keys})).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found, json!(["DD1391-007|10|2026-02-03|11000USD"]));
    let other = app.reseller("dupes-other").await;
    let (_, found) = app
        .rpc(&other, "import/existing", json!({"keys": keys}))
        .await;
    assert_eq!(
        found,
        json!([]),
        "another reseller's items are not duplicates"
    );

    let saved = json!({"mapping": [{"to": "field", "field": "name"}, {"to": "notes"}, {"to": "ignore"}],
        "options": {"currency": "EUR", "kind": "card", "date_order": "day_first"}});
    let (status, none) = app
        .rpc(
            &c,
            "import/mapping",
            json!({"signature": "00112233aabbccdd"}),
        )
        .await;
    assert_eq!((status, none), (StatusCode::OK, Value::Null));
    let (status, body) = app
        .rpc(
            &c,
            "import/mapping/save",
            json!({"signature": "00112233aabbccdd", "mapping": saved}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, back) = app
        .rpc(
            &c,
            "import/mapping",
            json!({"signature": "00112233aabbccdd"}),
        )
        .await;
    assert_eq!(back, saved);
    let (_, theirs) = app
        .rpc(
            &other,
            "import/mapping",
            json!({"signature": "00112233aabbccdd"}),
        )
        .await;
    assert_eq!(theirs, Value::Null);
    let (status, _) = app
        .rpc(
            &c,
            "import/mapping/save",
            json!({"signature": "../../etc", "mapping": saved}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn bad_import_requests_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("careful").await;
    let (status, _) = app
        .rpc(
            &c,
            "import/start",
            json!({"file_name": "", "rows_total": 3}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .rpc(
            &c,
            "import/start",
            json!({"file_name": "a.csv", "rows_total": 0}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let id = start(&app, &c, 1200).await;
    let too_many: Vec<Value> = (0..1001).map(|i| line(i + 2, "X", "1")).collect();
    let (status, _) = batch(&app, &c, &id, 0, too_many).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = batch(&app, &c, &id, 0, vec![]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = batch(&app, &c, "no-such-import", 0, vec![line(2, "X", "1")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // An import sends at most the rows it declared: the security review's one-row import
    // took 3,000. A batch past it is refused whole; a later batch too.
    let id = start(&app, &c, 1).await;
    let three: Vec<Value> = (0..3).map(|i| line(i + 2, "Extra", "1")).collect();
    let (status, body) = batch(&app, &c, &id, 0, three).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(items_of(&app, &c).await, 0);
    let (status, body) = batch(&app, &c, &id, 0, vec![line(2, "First", "1")]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a refused batch number can be sent again: {body}"
    );
    let (status, _) = batch(&app, &c, &id, 1, vec![line(3, "Second", "1")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The quota is asked when the import starts: nothing is written past it.
    let (status, body) = app
        .rpc(
            &c,
            "import/start",
            json!({"file_name": "huge.csv", "rows_total": 1_000_000}),
        )
        .await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{body}");
    assert_eq!(body["kind"], "quota_exceeded", "{body}");
    // Not signed in.
    let (status, _) = app.rpc(&client(), "import/history", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(items_of(&app, &c).await, 1);
}

async fn imported_rows_link_to_catalog_products(backend: Backend) {
    let app = spawn_app(backend).await;
    seed_catalog(&app.db, &[
        r#"{"kind":"sneaker","name":"Nike Dunk Low Retro White Black Panda","brand":"Nike","style_id":"DD1391-100"}"#,
        r#"{"kind":"card","name":"Charizard","game":"Pokémon","set":"Base","set_code":"BS","number":"4/102"}"#,
    ]).await;
    let c = app.reseller("imogen").await;
    let id = start(&app, &c, 3).await;
    let card = json!({"line": 4, "values": [
        ["name", "charizard holo"], ["kind", "card"], ["purchase_price", "300"], ["currency", "USD"],
        ["game", "Pokémon"], ["card_set", "Base"], ["card_number", "4/102"]
    ]});
    // Line 2 is the Panda by style id (DD1391-100), line 3 an unknown style id, line 4 a card.
    let (status, body) = batch(
        &app,
        &c,
        &id,
        0,
        vec![
            line(100, "dunk panda", "90"),
            line(7, "some shoe", "50"),
            card,
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let linked: Vec<(String, Option<String>)> = flipdesk::with_db!(&app.db, pool => sqlx::query_as(
        "SELECT i.name, c.name FROM items i LEFT JOIN catalog_products c ON c.id = i.catalog_product_id ORDER BY i.name")
        .fetch_all(pool).await)
    .unwrap();
    assert_eq!(
        linked,
        vec![
            ("charizard holo".to_string(), Some("Charizard".to_string())),
            (
                "dunk panda".to_string(),
                Some("Nike Dunk Low Retro White Black Panda".to_string())
            ),
            ("some shoe".to_string(), None),
        ]
    );
}

/// A product picked by hand in the grid links its row whatever the catalog says, is
/// remembered for the row's text (the next import of that text links it without a pick, for
/// that reseller only), and a pick that is not a product id refuses the whole batch.
async fn rows_link_to_the_products_picked_in_the_grid(backend: Backend) {
    let app = spawn_app(backend).await;
    seed_catalog(&app.db, &[
        r#"{"kind":"sneaker","name":"Nike Dunk Low Retro White Black Panda","brand":"Nike","style_id":"DD1391-100"}"#,
        r#"{"kind":"sneaker","name":"Nike Dunk Low Grey Fog","brand":"Nike","style_id":"DD1391-103"}"#,
    ]).await;
    let ivy = app.reseller("ivy").await;
    let jon = app.reseller("jon").await;
    let (_, offered) = app
        .rpc(
            &ivy,
            "catalog/suggest",
            json!({"text": "dunk low grey fog"}),
        )
        .await;
    let grey_fog = offered[0]["product_id"].as_str().unwrap().to_string();
    let linked = |owner: &'static str| {
        let app = &app;
        async move {
            let rows: Vec<(String, Option<String>)> = flipdesk::with_db!(&app.db, pool => sqlx::query_as(
                "SELECT i.name, c.name FROM items i JOIN users u ON u.id = i.owner_user_id \
                 LEFT JOIN catalog_products c ON c.id = i.catalog_product_id WHERE u.email LIKE $1 ORDER BY i.created_at, i.name")
                .bind(format!("{owner}%"))
                .fetch_all(pool).await)
            .unwrap();
            rows
        }
    };

    // A pick that is not a product id: the batch is refused and nothing is written.
    let id = start(&app, &ivy, 2).await;
    let mut bad = line(7, "mystery dunk", "50");
    bad["product"] = json!("not a product!");
    let (status, body) = batch(&app, &ivy, &id, 0, vec![line(100, "dunk panda", "90"), bad]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains("line 7 catalog_product_id"),
        "{body}"
    );
    assert!(linked("ivy").await.is_empty());

    // Line 7 names no product the catalog knows; Ivy picks the Grey Fog for it. Line 100 is the
    // Panda by style id, and she picks nothing there.
    let mut picked = line(7, "mystery dunk", "50");
    picked["product"] = json!(grey_fog);
    let (status, body) = batch(
        &app,
        &ivy,
        &id,
        1,
        vec![line(100, "dunk panda", "90"), picked],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let grey = Some("Nike Dunk Low Grey Fog".to_string());
    let panda = Some("Nike Dunk Low Retro White Black Panda".to_string());
    assert_eq!(
        linked("ivy").await,
        vec![
            ("dunk panda".into(), panda.clone()),
            ("mystery dunk".into(), grey.clone())
        ]
    );

    // Her next import of that row links it to her pick without one; Jon's does not.
    let again = start(&app, &ivy, 1).await;
    let (status, body) = batch(&app, &ivy, &again, 0, vec![line(7, "mystery dunk", "50")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(linked("ivy").await.last().unwrap().1, grey);
    let (_, matched) = app
        .rpc(
            &ivy,
            "catalog/match",
            json!({"texts": ["mystery dunk DD1391-007"]}),
        )
        .await;
    assert_eq!(matched[0][0], grey_fog.as_str(), "{matched}");
    let theirs = start(&app, &jon, 1).await;
    let (status, body) = batch(&app, &jon, &theirs, 0, vec![line(7, "mystery dunk", "50")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(linked("jon").await, vec![("mystery dunk".into(), None)]);
}

on_both_databases!(
    rows_link_to_the_products_picked_in_the_grid,
    imported_rows_link_to_catalog_products,
    import_batches_are_idempotent_and_all_or_nothing,
    undo_removes_an_untouched_import_only,
    duplicates_and_saved_mappings,
    bad_import_requests_are_refused,
);
