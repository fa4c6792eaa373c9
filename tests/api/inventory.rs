use crate::{helpers::*, on_both_databases};
use flipdesk::server::db::Backend;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

fn sneaker(name: &str, price: &str) -> Value {
    item_form(
        "sneaker",
        json!({"name": name, "quantity": "1", "purchase_price": price, "currency": "USD",
            "purchase_date": "2026-10-01", "purchase_source": "SNKRS", "storage_location": "Shelf A1", "tags": "grail, og",
            "brand": "Nike", "style_id": "555088-101", "colorway": "Chicago", "size": "10.5", "size_system": "us_m",
            "sneaker_condition": "new", "box_condition": "good"}),
    )
}

fn card(name: &str) -> Value {
    let mut v = sneaker(name, "50");
    for (k, val) in [
        ("kind", "card"),
        ("brand", ""),
        ("style_id", ""),
        ("colorway", ""),
        ("size", ""),
        ("size_system", ""),
        ("sneaker_condition", ""),
        ("box_condition", ""),
        ("game", "Pokémon"),
        ("card_set", "Base Set"),
        ("card_number", "4"),
        ("grading_company", "PSA"),
        ("grade", "9"),
        ("cert_number", "12345678"),
    ] {
        v[k] = json!(val);
    }
    v
}

async fn create(app: &TestApp, c: &Client, input: Value) -> String {
    let res = app
        .call_json(
            c,
            "inventory/create",
            json!({"input": input, "status": "in_stock"}),
        )
        .await;
    let (status, body) = json(res).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_str().unwrap().to_string()
}

async fn get(app: &TestApp, c: &Client, id: &str) -> (StatusCode, Value) {
    app.rpc(c, "inventory/get", json!({"id": id})).await
}

async fn version(app: &TestApp, c: &Client, id: &str) -> i64 {
    get(app, c, id).await.1["summary"]["version"]
        .as_i64()
        .unwrap()
}

async fn set_status(app: &TestApp, c: &Client, id: &str, status: &str) -> (StatusCode, Value) {
    let v = version(app, c, id).await;
    app.rpc(
        c,
        "inventory/status",
        json!({"id": id, "version": v, "status": status}),
    )
    .await
}

fn sale(price: &str) -> Value {
    json!({"quantity": "", "channel": "ebay", "sale_price": price, "shipping_charged": "15", "fees": "28.50", "shipping_paid": "12", "sold_on": "2026-11-20"})
}

async fn items_are_created_validated_and_read_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("ivy").await;
    let id = create(
        &app,
        &c,
        sneaker("Jordan 1 </title><script>alert(1)</script>", "180"),
    )
    .await;
    let (status, item) = get(&app, &c, &id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        item["summary"]["purchase_price"],
        json!({"amount": 18000, "currency": "USD"})
    );
    assert_eq!(item["summary"]["status"], "in_stock");
    assert_eq!(item["summary"]["size"], "10.5");
    assert_eq!(item["summary"]["tags"], json!(["grail", "og"]));
    assert_eq!(item["details"]["style_id"], "555088-101");
    create(&app, &c, card("Charizard Holo")).await;

    // The item page renders the name as text, never as markup.
    let html = app.text(&c, &format!("/app/inventory/{id}")).await;
    assert!(!html.contains("<script>alert(1)</script>"), "{html}");
    assert!(!html.contains("</title><script>"));
    assert!(html.contains("&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));

    let before = app.count("items").await;
    let bad = [
        ("purchase_price", "-5", "purchase_price"),
        ("purchase_price", "twelve", "purchase_price"),
        ("size", "25", "size"),
        ("quantity", "0", "quantity"),
    ];
    for (field, value, error_field) in bad {
        let mut input = sneaker("Dunk", "100");
        input[field] = json!(value);
        let (status, body) = app
            .rpc(
                &c,
                "inventory/create",
                json!({"input": input, "status": "in_stock"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}: {body}"
        );
        assert!(body["fields"][error_field].is_string(), "{body}");
    }
    let mut raw = card("Raw Pikachu");
    raw["grading_company"] = json!("");
    raw["grade"] = json!("");
    let (status, body) = app
        .rpc(
            &c,
            "inventory/create",
            json!({"input": raw, "status": "in_stock"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["fields"]["cert_number"]
            .as_str()
            .unwrap()
            .contains("raw card")
    );
    let (status, _) = app
        .rpc(
            &c,
            "inventory/create",
            json!({"input": sneaker("X", "1"), "status": "sold"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "new items cannot start sold"
    );
    assert_eq!(app.count("items").await, before, "nothing saved");
}

async fn lifecycle_follows_the_state_machine(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("jay").await;
    let id = create(&app, &c, sneaker("Yeezy 350 Zebra", "220")).await;

    assert_eq!(set_status(&app, &c, &id, "listed").await.0, StatusCode::OK);
    assert_eq!(
        set_status(&app, &c, &id, "reserved").await.0,
        StatusCode::OK
    );
    // Sold needs a sale record: the plain status change refuses it.
    let (status, body) = set_status(&app, &c, &id, "sold").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["fields"]["status"].is_string());

    let v = version(&app, &c, &id).await;
    let res = app
        .call_json(
            &c,
            "inventory/sell",
            json!({"id": id, "version": v, "sale": sale("300")}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, item) = get(&app, &c, &id).await;
    assert_eq!(item["summary"]["status"], "sold");
    // 300 + 15 − 28.50 − 12 − 220 = 54.50
    assert_eq!(
        item["sales"][0]["net_profit"],
        json!({"amount": 5450, "currency": "USD"})
    );

    // Sold → in stock without a return is refused and changes nothing.
    let (status, body) = set_status(&app, &c, &id, "in_stock").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["fields"]["status"]
            .as_str()
            .unwrap()
            .contains("cannot become in stock")
    );
    assert_eq!(get(&app, &c, &id).await.1["summary"]["status"], "sold");
    // Selling twice is refused.
    let v = version(&app, &c, &id).await;
    let (status, _) = app
        .rpc(
            &c,
            "inventory/sell",
            json!({"id": id, "version": v, "sale": sale("300")}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let v = version(&app, &c, &id).await;
    let ship = json!({"carrier": "UPS", "tracking_code": "1Z999AA10123456784", "shipped_on": "2026-11-21"});
    let res = app
        .call_json(
            &c,
            "inventory/ship",
            json!({"id": id, "version": v, "shipment": ship}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, item) = get(&app, &c, &id).await;
    assert_eq!(item["summary"]["status"], "shipped");
    assert_eq!(item["shipments"][0]["tracking_code"], "1Z999AA10123456784");

    assert_eq!(
        set_status(&app, &c, &id, "returned").await.0,
        StatusCode::OK
    );
    assert_eq!(
        set_status(&app, &c, &id, "in_stock").await.0,
        StatusCode::OK
    );
    assert_eq!(app.count("sales").await, 1);
    let (status, shipments) = app.rpc(&c, "inventory/shipments", json!({"page": 1})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shipments["total"], 1);
    assert_eq!(shipments["rows"][0]["carrier"], "UPS");
    assert_eq!(
        shipments["rows"][0]["item_status"], "in_stock",
        "the item came back"
    );
    let stranger = app.reseller("jay2").await;
    let (_, none) = app
        .rpc(&stranger, "inventory/shipments", json!({"page": 1}))
        .await;
    assert_eq!(none["total"], 0);
    app.assert_usage_counts_agree().await;
}

async fn partial_sales_of_bulk_items(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("kai").await;
    let mut boxes = sneaker("Evolving Skies booster box", "100");
    for (k, v) in [
        ("kind", "sealed"),
        ("quantity", "5"),
        ("size", ""),
        ("size_system", ""),
        ("style_id", ""),
        ("sneaker_condition", ""),
        ("box_condition", ""),
        ("attributes", "Language: English"),
    ] {
        boxes[k] = json!(v);
    }
    let id = create(&app, &c, boxes).await;
    let v = version(&app, &c, &id).await;
    let mut two = sale("260");
    two["quantity"] = json!("2");
    assert_eq!(
        app.call_json(
            &c,
            "inventory/sell",
            json!({"id": id, "version": v, "sale": two})
        )
        .await
        .status(),
        StatusCode::OK
    );
    let (_, item) = get(&app, &c, &id).await;
    assert_eq!(item["summary"]["quantity"], 3);
    assert_eq!(item["summary"]["status"], "in_stock");
    assert_eq!(item["sales"][0]["purchase_cost"]["amount"], 20000);
    let mut too_many = sale("1");
    too_many["quantity"] = json!("4");
    let v = version(&app, &c, &id).await;
    let (status, body) = app
        .rpc(
            &c,
            "inventory/sell",
            json!({"id": id, "version": v, "sale": too_many}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["fields"]["quantity"].is_string());
    app.assert_usage_counts_agree().await;
}

async fn another_users_items_are_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.reseller("lee").await;
    let other = app.reseller("max").await;
    let id = create(&app, &owner, sneaker("Travis Scott Jordan 1", "1500")).await;
    let v = version(&app, &owner, &id).await;

    assert_eq!(get(&app, &other, &id).await.0, StatusCode::NOT_FOUND);
    let calls = [
        (
            "inventory/update",
            json!({"id": id, "version": v, "input": sneaker("Stolen", "1")}),
        ),
        (
            "inventory/status",
            json!({"id": id, "version": v, "status": "listed"}),
        ),
        (
            "inventory/sell",
            json!({"id": id, "version": v, "sale": sale("1")}),
        ),
        (
            "inventory/ship",
            json!({"id": id, "version": v, "shipment": {"carrier": "UPS", "tracking_code": "1Z999AA1", "shipped_on": "2026-11-21"}}),
        ),
    ];
    for (endpoint, body) in calls {
        let (status, _) = app.rpc(&other, endpoint, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint}");
    }
    let (status, deleted) = app
        .rpc(&other, "inventory/delete", json!({"ids": [id]}))
        .await;
    assert_eq!((status, deleted), (StatusCode::OK, json!(0)));
    let (_, page) = app.rpc(&other, "inventory/list", json!({"query": {"search": "", "status": null, "kind": null, "sort": "Newest", "page": 1, "per_page": 0}})).await;
    assert_eq!(page["total"], 0);
    let csv = app.text(&other, "/app/inventory/export.csv").await;
    assert!(!csv.contains("Travis"));
    let res = other
        .get(app.url(&format!("/app/inventory/{id}")))
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("Item not found"));
    // Untouched for the owner; anonymous callers are 401.
    assert_eq!(
        get(&app, &owner, &id).await.1["summary"]["name"],
        "Travis Scott Jordan 1"
    );
    assert_eq!(get(&app, &client(), &id).await.0, StatusCode::UNAUTHORIZED);
    let res = client()
        .get(app.url("/app/inventory/export.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "anonymous downloads go to the log-in page"
    );
}

async fn stale_edits_are_conflicts_never_overwrites(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("nia").await;
    let id = create(&app, &c, sneaker("Dunk Low Panda", "110")).await;
    let v = version(&app, &c, &id).await;

    // Two tabs save from the same version at the same time: exactly one wins.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let c = c.clone();
        let url = app.url("/api/inventory/update");
        let body = json!({"id": id, "version": v, "input": sneaker(&format!("Dunk Low Panda tab {i}"), "110")});
        tasks.push(tokio::spawn(async move {
            c.post(url).json(&body).send().await.unwrap()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let res = t.await.unwrap();
        match res.status() {
            StatusCode::OK => ok += 1,
            StatusCode::CONFLICT => {
                let (_, body) = json(res).await;
                assert_eq!(body["kind"], "conflict");
                assert_eq!(body["code"], "changed_elsewhere");
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(version(&app, &c, &id).await, v + 1);

    // Racing sales of one item record one sale.
    let v = version(&app, &c, &id).await;
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let c = c.clone();
        let url = app.url("/api/inventory/sell");
        let body = json!({"id": id, "version": v, "sale": sale("150")});
        tasks.push(tokio::spawn(async move {
            c.post(url).json(&body).send().await.unwrap().status()
        }));
    }
    let mut sold = 0;
    for t in tasks {
        if t.await.unwrap() == StatusCode::OK {
            sold += 1;
        }
    }
    assert_eq!(sold, 1);
    assert_eq!(app.count("sales").await, 1);
}

async fn list_filters_sorts_pages_and_exports(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("oli").await;
    for i in 0..7 {
        create(
            &app,
            &c,
            sneaker(&format!("Air Max {i}"), &format!("{}", 100 + i)),
        )
        .await;
    }
    create(&app, &c, card("Blastoise Holo")).await;
    let evil = create(&app, &c, sneaker("=HYPERLINK(\"http://evil\")", "5")).await;
    let list = |query: Value| {
        let c = c.clone();
        let app = &app;
        async move {
            app.rpc(&c, "inventory/list", json!({"query": query}))
                .await
                .1
        }
    };
    let base = json!({"search": "", "status": null, "kind": null, "sort": "Newest", "page": 1, "per_page": 3});
    let page = list(base.clone()).await;
    assert_eq!(page["total"], 9);
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    let mut q = base.clone();
    q["page"] = json!(3);
    assert_eq!(list(q).await["items"].as_array().unwrap().len(), 3);

    let mut q = base.clone();
    q["search"] = json!("air max");
    q["sort"] = json!("CostDesc");
    q["per_page"] = json!(50);
    let page = list(q).await;
    assert_eq!(page["total"], 7);
    assert_eq!(page["items"][0]["name"], "Air Max 6");
    let mut q = base.clone();
    q["kind"] = json!("card");
    let page = list(q).await;
    assert_eq!(page["total"], 1);
    let mut q = base.clone();
    q["search"] = json!("base set");
    assert_eq!(list(q).await["total"], 1, "search covers the set");
    let mut q = base.clone();
    q["search"] = json!("grail");
    assert_eq!(list(q).await["total"], 9, "search covers tags");
    let mut q = base.clone();
    q["search"] = json!("grail blastoise");
    assert_eq!(list(q).await["total"], 1, "every word must match");
    let mut q = base.clone();
    q["search"] = json!("100%_");
    assert_eq!(list(q).await["total"], 0, "LIKE wildcards are literal");

    // Grades and sizes as resellers type them (the card is a PSA 9, the sneakers US M 10.5).
    for (search, total) in [
        ("PSA 9", 1),
        ("psa9", 1),
        ("grade 9", 1),
        ("blastoise psa 9", 1),
        ("PSA 10", 0),
        ("cert 12345678", 1),
        ("chicago 10.5", 8),
        ("US 10.5", 8),
        ("us10.5", 8),
        ("size 10.5", 8),
        ("EU 10.5", 0),
        ("US 11", 0),
    ] {
        let mut q = base.clone();
        q["search"] = json!(search);
        assert_eq!(list(q).await["total"], total, "search {search:?}");
    }
    let mut q = base.clone();
    q["kind"] = json!("card");
    assert_eq!(
        list(q).await["items"][0]["detail"],
        "PSA 9",
        "the table shows the grader with the grade"
    );
    let mut q = base.clone();
    q["search"] = json!("air max 6");
    assert_eq!(
        list(q).await["items"][0]["detail"],
        "US M 10.5",
        "sizes carry their system"
    );

    // Export follows the filters; formulas are defused.
    let res = c
        .get(app.url("/app/inventory/export.csv?q=air+max&sort=cost"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 8, "{csv}");
    assert!(lines[0].starts_with("id,name,kind,status"));
    assert!(lines[1].contains("Air Max 0") && lines[1].contains("100.00"));
    // Export of the selected rows only (another user's id in the list is ignored).
    let other = app.reseller("oli2").await;
    let foreign = create(&app, &other, sneaker("Foreign pair", "1")).await;
    let selected_csv = c
        .get(app.url(&format!("/app/inventory/export.csv?ids={evil},{foreign}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(selected_csv.lines().count(), 2, "{selected_csv}");
    assert!(selected_csv.contains("'=HYPERLINK") && !selected_csv.contains("Foreign pair"));
    let all = c
        .get(app.url("/app/inventory/export.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(all.contains("'=HYPERLINK"), "{all}");
    assert!(!all.contains(",=HYPERLINK") && !all.contains("\"=HYPERLINK"));
}

async fn bulk_actions_and_inline_edits(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("pat").await;
    let other = app.reseller("quinn").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(create(&app, &c, sneaker(&format!("Air Force 1 #{i}"), "90")).await);
    }
    let foreign = create(&app, &other, sneaker("Not yours", "90")).await;
    // Sell one so that it cannot be listed.
    let v = version(&app, &c, &ids[3]).await;
    assert_eq!(
        app.call_json(
            &c,
            "inventory/sell",
            json!({"id": ids[3], "version": v, "sale": sale("120")})
        )
        .await
        .status(),
        StatusCode::OK
    );

    let mut selection = ids.clone();
    selection.push(foreign.clone());
    let (status, body) = app
        .rpc(
            &c,
            "inventory/bulk-status",
            json!({"ids": selection, "status": "listed"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!([3, 2]),
        "three listed; the sold one and the other user's are skipped"
    );
    assert_eq!(
        get(&app, &c, &ids[0]).await.1["summary"]["status"],
        "listed"
    );
    assert_eq!(get(&app, &c, &ids[3]).await.1["summary"]["status"], "sold");
    assert_eq!(
        get(&app, &other, &foreign).await.1["summary"]["status"],
        "in_stock"
    );
    let (status, _) = app
        .rpc(
            &c,
            "inventory/bulk-status",
            json!({"ids": ids, "status": "sold"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "sold needs a sale record"
    );
    let (status, _) = app
        .rpc(
            &c,
            "inventory/bulk-status",
            json!({"ids": [], "status": "listed"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (_, tagged) = app
        .rpc(
            &c,
            "inventory/bulk-tag",
            json!({"ids": [ids[0], ids[1], foreign], "tag": "Consign"}),
        )
        .await;
    assert_eq!(tagged, json!(2));
    let (_, again) = app
        .rpc(
            &c,
            "inventory/bulk-tag",
            json!({"ids": [ids[0]], "tag": "consign"}),
        )
        .await;
    assert_eq!(again, json!(0), "a tag is added once");
    assert_eq!(
        get(&app, &c, &ids[0]).await.1["summary"]["tags"],
        json!(["grail", "og", "consign"])
    );
    assert_eq!(
        get(&app, &other, &foreign).await.1["summary"]["tags"],
        json!(["grail", "og"])
    );
    let (_, page) = app.rpc(&c, "inventory/list", json!({"query": {"search": "consign", "status": null, "kind": null, "sort": "Newest", "page": 1, "per_page": 0}})).await;
    assert_eq!(page["total"], 2, "new tags are searchable");

    // Inline edits re-validate the whole item and respect the version.
    let v = version(&app, &c, &ids[1]).await;
    let (status, new_version) = app
        .rpc(
            &c,
            "inventory/edit-cell",
            json!({"id": ids[1], "version": v, "field": "purchase_price", "value": "95.50"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(new_version, json!(v + 1));
    assert_eq!(
        get(&app, &c, &ids[1]).await.1["summary"]["purchase_price"]["amount"],
        9550
    );
    let (status, body) = app
        .rpc(
            &c,
            "inventory/edit-cell",
            json!({"id": ids[1], "version": v + 1, "field": "purchase_price", "value": "-3"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["fields"]["purchase_price"].is_string());
    let (status, _) = app
        .rpc(
            &c,
            "inventory/edit-cell",
            json!({"id": ids[1], "version": v, "field": "name", "value": "Stale"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .rpc(
            &c,
            "inventory/edit-cell",
            json!({"id": ids[1], "version": v + 1, "field": "owner_user_id", "value": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .rpc(
            &other,
            "inventory/edit-cell",
            json!({"id": ids[1], "version": v + 1, "field": "name", "value": "Mine now"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, deleted) = app
        .rpc(
            &c,
            "inventory/delete",
            json!({"ids": [ids[0], ids[1], foreign]}),
        )
        .await;
    assert_eq!(deleted, json!(2));
    assert_eq!(get(&app, &other, &foreign).await.0, StatusCode::OK);
    app.assert_usage_counts_agree().await;
}

async fn sales_table_lists_own_sales_with_totals(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("rae").await;
    let other = app.reseller("sam").await;
    let sell =
        |name: &'static str, price: &'static str, channel: &'static str, cur: &'static str| {
            let app = &app;
            let c = c.clone();
            async move {
                let mut input = sneaker(name, "100");
                input["currency"] = json!(cur);
                if cur == "JPY" {
                    input["purchase_price"] = json!("10000");
                }
                let id = create(app, &c, input).await;
                let v = version(app, &c, &id).await;
                let mut s = sale(price);
                s["channel"] = json!(channel);
                if cur == "JPY" {
                    for k in ["shipping_charged", "fees", "shipping_paid"] {
                        s[k] = json!("0");
                    }
                }
                let res = app
                    .call_json(
                        &c,
                        "inventory/sell",
                        json!({"id": id, "version": v, "sale": s}),
                    )
                    .await;
                assert_eq!(res.status(), StatusCode::OK);
            }
        };
    sell("Dunk A", "150", "ebay", "USD").await; // 150 + 15 − 28.50 − 12 − 100 = 24.50
    sell("Dunk B", "300", "stockx", "USD").await; // 174.50
    sell("Dunk C", "15000", "in_person", "JPY").await; // ¥5,000
    let id = create(&app, &other, sneaker("Other's", "1")).await;
    let v = version(&app, &other, &id).await;
    app.call_json(
        &other,
        "inventory/sell",
        json!({"id": id, "version": v, "sale": sale("999")}),
    )
    .await;

    let list = |query: Value| {
        let c = c.clone();
        let app = &app;
        async move {
            app.rpc(&c, "inventory/sales", json!({"query": query}))
                .await
        }
    };
    let (status, page) = list(json!({"channel": null, "sort": "ProfitDesc", "page": 1})).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 3);
    assert_eq!(page["rows"][0]["item_name"], "Dunk B", "sorted by profit");
    // ¥5,000 (JPY has no minor digits) and $24.50 + $174.50: each currency summed on its own.
    assert_eq!(
        page["net_profit"],
        json!([{"amount": 5000, "currency": "JPY"}, {"amount": 19900, "currency": "USD"}])
    );
    let (_, page) = list(json!({"channel": "stockx", "sort": "NewestSold", "page": 1})).await;
    assert_eq!(page["total"], 1);
    assert_eq!(
        page["rows"][0]["net_profit"],
        json!({"amount": 17450, "currency": "USD"})
    );
    let (status, _) = app
        .rpc(
            &client(),
            "inventory/sales",
            json!({"query": {"channel": null, "sort": "NewestSold", "page": 1}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn column_choice_is_remembered_per_user(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("tess").await;
    let other = app.reseller("uma").await;
    create(&app, &c, sneaker("Dunk High", "120")).await;
    let (_, prefs) = app.rpc(&c, "preferences/stock-table", json!({})).await;
    assert_eq!(prefs, json!({"hidden_columns": []}));
    let res = app
        .call_json(
            &c,
            "preferences/stock-table/save",
            json!({"preferences": {"hidden_columns": ["cost", "kind"]}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call_json(
            &c,
            "preferences/stock-table/save",
            json!({"preferences": {"hidden_columns": ["cost", "purchased"]}}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "saving again replaces the choice"
    );
    let (status, _) = app
        .rpc(
            &c,
            "preferences/stock-table/save",
            json!({"preferences": {"hidden_columns": ["password_hash"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, prefs) = app.rpc(&c, "preferences/stock-table", json!({})).await;
    assert_eq!(prefs, json!({"hidden_columns": ["cost", "purchased"]}));
    let (_, theirs) = app.rpc(&other, "preferences/stock-table", json!({})).await;
    assert_eq!(theirs, json!({"hidden_columns": []}));
    // The server renders the choice in the first byte.
    let html = c
        .get(app.url("/app/inventory"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        html.matches("col-hidden").count(),
        4,
        "cost and purchased: header + one row each"
    );
}

async fn bulk_sales_are_all_or_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("vic").await;
    let other = app.reseller("wes").await;
    let a = create(&app, &c, sneaker("Samba OG", "80")).await;
    let b = create(&app, &c, sneaker("Gazelle", "70")).await;
    let foreign = create(&app, &other, sneaker("Not yours", "1")).await;
    let sell = |lines: Value| {
        app.rpc(
            &c,
            "inventory/bulk-sell",
            json!({"lines": lines, "channel": "in_person", "sold_on": "2026-11-22"}),
        )
    };

    // One bad price: nothing is sold, and the message names the item.
    let (status, body) =
        sell(json!([{"id": a, "sale_price": "120"}, {"id": b, "sale_price": "-4"}])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["message"].as_str().unwrap().starts_with("Gazelle:"),
        "{body}"
    );
    assert_eq!(app.count("sales").await, 0);
    assert_eq!(get(&app, &c, &a).await.1["summary"]["status"], "in_stock");
    // Someone else's item: not found, nothing sold.
    let (status, _) =
        sell(json!([{"id": a, "sale_price": "120"}, {"id": foreign, "sale_price": "1"}])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("sales").await, 0);

    let (status, sold) =
        sell(json!([{"id": a, "sale_price": "120"}, {"id": b, "sale_price": "95.50"}])).await;
    assert_eq!((status, sold), (StatusCode::OK, json!(2)));
    assert_eq!(
        get(&app, &c, &b).await.1["sales"][0]["net_profit"],
        json!({"amount": 2550, "currency": "USD"})
    );
    // Selling them again is refused.
    let (status, body) = sell(json!([{"id": a, "sale_price": "120"}])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["message"].as_str().unwrap().contains("cannot be sold"));
    assert_eq!(app.count("sales").await, 2);
}

async fn overview_numbers(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("xia").await;
    let other = app.reseller("yan").await;
    let (_, empty) = app.rpc(&c, "inventory/overview", json!({})).await;
    assert_eq!(empty["units_held"], 0);
    assert_eq!(empty["held_cost"], json!([]));
    let mut boxes = sneaker("Booster box", "100");
    for (k, v) in [
        ("kind", "sealed"),
        ("quantity", "3"),
        ("size", ""),
        ("size_system", ""),
        ("style_id", ""),
        ("sneaker_condition", ""),
        ("box_condition", ""),
    ] {
        boxes[k] = json!(v);
    }
    create(&app, &c, boxes).await;
    let sold = create(&app, &c, sneaker("Sold pair", "100")).await;
    let v = version(&app, &c, &sold).await;
    app.rpc(
        &c,
        "inventory/sell",
        json!({"id": sold, "version": v, "sale": sale("150")}),
    )
    .await;
    let mut yen = sneaker("Tokyo pair", "20000");
    yen["currency"] = json!("JPY");
    create(&app, &c, yen).await;
    create(&app, &other, sneaker("Not counted", "999")).await;

    let (status, n) = app.rpc(&c, "inventory/overview", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(n["units_held"], 4);
    assert_eq!(
        n["held_cost"],
        json!([{"amount": 20000, "currency": "JPY"}, {"amount": 30000, "currency": "USD"}])
    );
    assert_eq!(n["sales"], 1);
    assert_eq!(
        n["net_profit"],
        json!([{"amount": 2450, "currency": "USD"}])
    );
    assert_eq!(n["awaiting_shipment"], 1);
}

on_both_databases!(
    overview_numbers,
    bulk_sales_are_all_or_nothing,
    column_choice_is_remembered_per_user,
    sales_table_lists_own_sales_with_totals,
    bulk_actions_and_inline_edits,
    items_are_created_validated_and_read_back,
    lifecycle_follows_the_state_machine,
    partial_sales_of_bulk_items,
    another_users_items_are_not_found,
    stale_edits_are_conflicts_never_overwrites,
    list_filters_sorts_pages_and_exports,
);
