//! Data in and out: the stock export carries every field, sale and shipment, and importing it
//! into an empty account recreates the same items, sales, shipments and figures. The file is
//! read with the browser's own import code (decode, parse, map, check, group) and sent in
//! batches as the browser sends them.

use crate::{helpers::*, on_both_databases};
use flipdesk::domain::import::{
    ColumnMapping, FileOptions, ImportField, Session, decode, parse::read_all,
};
use flipdesk::server::db::Backend;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn create(app: &TestApp, c: &Client, status: &str, kind: &str, fields: Value) -> String {
    let (code, body) = app
        .rpc(
            c,
            "inventory/create",
            json!({"input": item_form(kind, fields), "status": status}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    body.as_str().unwrap().to_string()
}

async fn version(app: &TestApp, c: &Client, id: &str) -> i64 {
    let (_, item) = app.rpc(c, "inventory/get", json!({"id": id})).await;
    item["summary"]["version"].as_i64().unwrap()
}

/// Sells `[units, channel, unit price, shipping charged, fees, shipping paid, day]`.
async fn sell(app: &TestApp, c: &Client, id: &str, sale: [&str; 7]) {
    let [qty, channel, price, charged, fees, paid, day] = sale;
    let sale = json!({"quantity": qty, "channel": channel, "sale_price": price, "shipping_charged": charged,
        "fees": fees, "shipping_paid": paid, "sold_on": day});
    let v = version(app, c, id).await;
    let (code, body) = app
        .rpc(
            c,
            "inventory/sell",
            json!({"id": id, "version": v, "sale": sale}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
}

async fn download(c: &Client, app: &TestApp, path: &str) -> String {
    let res = c.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

/// The file without the columns that name rows by id (ids are new in another account).
fn without_ids(csv: &str) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let keep: Vec<bool> = headers
        .iter()
        .map(|h| h != "id" && h != "item_id")
        .collect();
    let mut rows = vec![headers.iter().map(str::to_string).collect::<Vec<_>>()];
    for record in reader.records() {
        let record = record.unwrap();
        rows.push(
            record
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(v, _)| v.to_string())
                .collect(),
        );
    }
    for row in rows.iter_mut().take(1) {
        *row = row
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(v, _)| v.clone())
            .collect();
    }
    rows
}

/// Imports a file as the browser does; answers how many rows the session left out.
async fn import_file(app: &TestApp, c: &Client, bytes: Vec<u8>) -> usize {
    let (text, _) = decode(bytes).unwrap();
    let sheet = read_all(text).unwrap();
    let mapping = ColumnMapping::guess(&sheet.headers);
    assert_eq!(
        mapping.ignored(),
        1,
        "only net profit, worked out from the sale"
    );
    let mut session = Session::new(sheet, mapping, &FileOptions::default());
    session.check_rows(0..session.len());
    session.mark_duplicates();
    let ready = session.ready();
    for i in 0..session.len() {
        assert!(
            session.row(i).is_valid(),
            "line {}: {:?}",
            session.line_no(i),
            session.row(i).errors
        );
    }
    let (code, id) = app
        .rpc(
            c,
            "import/start",
            json!({"file_name": "flipdesk-inventory.csv", "rows_total": session.len()}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{id}");
    let lines: Vec<Value> = ready
        .iter()
        .map(|&i| serde_json::to_value(session.line(i)).unwrap())
        .collect();
    let (code, body) = app
        .rpc(
            c,
            "import/batch",
            json!({"import_id": id, "batch": 0, "lines": lines}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let (code, body) = app
        .rpc(
            c,
            "import/finish",
            json!({"import_id": id, "skipped": 0, "failed": 0, "cancelled": false}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    session.len() - ready.len()
}

/// A storefront order of `units` from the listing, paid by hand, then refunded by `amount`
/// (blank: the rest) with `back` units returned.
async fn refunded_order(
    app: &TestApp,
    c: &Client,
    store: &str,
    listing: &str,
    units: i64,
    amount: &str,
    back: i64,
) {
    let order = app
        .manual_order(store, listing, units, &format!("rt-{listing}"))
        .await;

    let (code, body) = app
        .rpc(c, "orders/mark-paid", json!({"order_id": &order}))
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let (_, detail) = app.rpc(c, "orders/get", json!({"order_id": &order})).await;
    let line = detail["lines"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (code, body) = app
        .rpc(c, "orders/refund", json!({"order_id": order, "refund_id": format!("rt-{listing}"),
            "input": {"amount": amount, "returns": [{"line_id": line, "quantity": back.to_string()}]}}))
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
}

async fn an_export_imported_into_an_empty_account_is_the_same_stock(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.reseller("mover").await;
    // A shipped pair with every sneaker field (notes that a spreadsheet would run as a formula).
    let pair = create(&app, &a, "in_stock", "sneaker", json!({"name": "Jordan 1 Chicago", "sku": "J1-CHI",
        "quantity": "1", "purchase_price": "180.00", "currency": "USD", "purchase_date": "2026-01-05",
        "purchase_source": "SNKRS", "storage_location": "Shelf A", "tags": "grail, og", "notes": "-box lid dented\nsecond line",
        "image_urls": "https://img.example/j1.jpg", "brand": "Nike", "style_id": "DZ5485-612", "colorway": "Varsity Red",
        "size": "10.5", "size_system": "us_m", "sneaker_condition": "new", "box_condition": "damaged"})).await;
    sell(
        &app,
        &a,
        &pair,
        ["1", "stockx", "420", "0", "38.50", "0", "2026-02-10"],
    )
    .await;
    let v = version(&app, &a, &pair).await;
    let (code, body) = app.rpc(&a, "inventory/ship", json!({"id": pair, "version": v,
        "shipment": {"carrier": "UPS", "tracking_code": "1Z999AA10123456784", "shipped_on": "2026-02-11"}})).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    // A graded slab with a market price set by hand.
    let slab = create(&app, &a, "in_stock", "card", json!({"name": "Charizard Base Set", "quantity": "1",
        "purchase_price": "900", "currency": "USD", "purchase_date": "2026-01-20", "game": "Pokémon",
        "card_set": "Base Set", "card_number": "4/102", "language": "English", "finish": "Holo",
        "grading_company": "PSA", "grade": "10", "cert_number": "12345678"})).await;
    let v = version(&app, &a, &slab).await;
    let (code, body) = app
        .rpc(
            &a,
            "analytics/market-price",
            json!({"id": slab, "version": v, "price": "1250"}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    // Sealed product sold in parts: 12 bought, 2 then 1 sold, 9 held.
    let bundle = create(
        &app,
        &a,
        "in_stock",
        "sealed",
        json!({"name": "151 Booster Bundle", "quantity": "12",
        "purchase_price": "25", "currency": "EUR", "purchase_date": "2026-01-02",
        "attributes": "Language: EN\nEdition: first"}),
    )
    .await;
    sell(
        &app,
        &a,
        &bundle,
        ["2", "ebay", "40", "4.99", "6", "4.5", "2026-02-01"],
    )
    .await;
    sell(
        &app,
        &a,
        &bundle,
        ["1", "other", "38", "0", "0", "0", "2026-02-03"],
    )
    .await;
    // Bought, not yet received; and an item sold out in two sales.
    create(&app, &a, "purchased", "card", json!({"name": "Umbreon VMAX Alt Art", "quantity": "3",
        "purchase_price": "310", "currency": "USD", "purchase_date": "2026-02-20", "card_condition": "NM"})).await;
    let pins = create(
        &app,
        &a,
        "in_stock",
        "other",
        json!({"name": "Pin set", "quantity": "2",
        "purchase_price": "5", "currency": "USD"}),
    )
    .await;
    sell(
        &app,
        &a,
        &pins,
        ["1", "in_person", "12", "0", "0", "0", "2026-03-01"],
    )
    .await;
    sell(
        &app,
        &a,
        &pins,
        ["1", "cardmarket", "11", "0", "1", "0", "2026-03-02"],
    )
    .await;

    // Storefront sales given back: 2 of 3 pairs sold, 30 refunded and one pair sent back
    // (it is on sale again); a single pair sold, refunded whole, returned and sold again.
    let dunk = |name: &str, qty: &str, size: &str| {
        item_form(
            "sneaker",
            json!({"name": name, "quantity": qty, "purchase_price": "100", "currency": "USD",
                "purchase_date": "2026-01-10", "brand": "Nike", "style_id": "DD1391-100", "size": size, "size_system": "us_m",
                "sneaker_condition": "new"}),
        )
    };
    let (_, pandas) = app
        .list_in_store(&a, dunk("Dunk Low Panda", "3", "9"), "150")
        .await;
    refunded_order(&app, &a, "mover-store", &pandas, 2, "30", 1).await;
    let (resold, single) = app
        .list_in_store(&a, dunk("Dunk Low Grey Fog", "1", "10"), "140")
        .await;
    refunded_order(&app, &a, "mover-store", &single, 1, "", 1).await;
    let today = time::OffsetDateTime::now_utc().date().to_string();
    sell(
        &app,
        &a,
        &resold,
        ["1", "ebay", "135", "0", "12", "0", &today],
    )
    .await;

    let stock_a = download(&a, &app, "/app/inventory/export.csv?sort=name").await;
    // Every field is there: the formula-like note is defused, the sale and shipment are on the rows.
    assert!(stock_a.contains("'-box lid dented"), "{stock_a}");
    assert!(
        stock_a.contains("1Z999AA10123456784")
            && stock_a.contains("DZ5485-612")
            && stock_a.contains("12345678")
    );
    assert_eq!(
        stock_a
            .lines()
            .filter(|l| l.contains("151 Booster Bundle"))
            .count(),
        3,
        "{stock_a}"
    );

    assert!(
        stock_a
            .lines()
            .any(|l| l.contains("Dunk Low Panda") && l.contains(",30.00,1,")),
        "the refund and the returned pair are on the sale's row: {stock_a}"
    );

    let b = app.reseller("arrival").await;
    assert_eq!(import_file(&app, &b, stock_a.clone().into_bytes()).await, 0);
    let stock_b = download(&b, &app, "/app/inventory/export.csv?sort=name").await;
    // Listings are the store's, not the stock file's: a returned pair on sale in the first
    // account arrives in stock, ready to list.
    let unlisted = without_ids(&stock_a.replace(",listed,", ",in_stock,"));
    assert_eq!(without_ids(&stock_b), unlisted);
    for path in ["/app/sales/export.csv", "/app/shipments/export.csv"] {
        let (from, to) = (
            download(&a, &app, path).await,
            download(&b, &app, path).await,
        );
        // Sales of one day are listed by when they were recorded, which the file does
        // not carry (the import records an item's sales together): compare them as sets.
        let (mut to, mut from) = (without_ids(&to), without_ids(&from));
        to[1..].sort();
        from[1..].sort();
        assert_eq!(to, from, "{path}");
    }
    let sales = download(&a, &app, "/app/sales/export.csv").await;
    assert_eq!(sales.lines().count(), 1 + 8, "{sales}");
    // Same figures: profit, held stock and worth, in both currencies.
    for currency in ["USD", "EUR"] {
        let query = json!({"query": {"kind": "Custom", "from": "2026-01-01", "to": today, "currency": currency}});
        let (_, ka) = app.rpc(&a, "analytics/kpis", query.clone()).await;
        let (_, kb) = app.rpc(&b, "analytics/kpis", query).await;
        assert_eq!(ka, kb, "{currency}");
    }
    let (_, mut oa) = app.rpc(&a, "inventory/overview", json!({})).await;
    let (_, ob) = app.rpc(&b, "inventory/overview", json!({})).await;
    assert_eq!(oa["units_listed"], 2, "the returned pairs on sale again");
    assert_eq!(
        ob["units_listed"], 0,
        "nothing is listed before its owner lists it"
    );
    oa["units_listed"] = json!(0);
    assert_eq!(oa, ob);

    // Undo takes the sales and shipments with the items, and the figures back to nothing.
    let (_, history) = app.rpc(&b, "import/history", json!({})).await;
    let import_id = history[0]["id"].as_str().unwrap().to_string();
    let (code, body) = app
        .rpc(&b, "import/undo", json!({"import_id": import_id}))
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(
        download(&b, &app, "/app/sales/export.csv")
            .await
            .lines()
            .count(),
        1
    );
    assert_eq!(
        download(&b, &app, "/app/shipments/export.csv")
            .await
            .lines()
            .count(),
        1
    );
    let (_, mut kb) = app.rpc(&b, "analytics/kpis", json!({"query": {"kind": "Custom", "from": "2026-01-01", "to": "2026-03-31", "currency": "USD"}})).await;
    let c = app.reseller("empty").await;
    let (_, mut kc) = app.rpc(&c, "analytics/kpis", json!({"query": {"kind": "Custom", "from": "2026-01-01", "to": "2026-03-31", "currency": "USD"}})).await;
    // The currencies the reseller has used stay offered in the currency switch.
    kb["currencies"] = json!(null);
    kc["currencies"] = json!(null);
    assert_eq!(kb, kc, "undone: every figure back to nothing");
    app.assert_usage_counts_agree().await;
}

/// A sheet from another tool: a sold column set, a grade in the condition column, German
/// headers; bad sales are flagged on their cells and nothing is written for them.
async fn sales_history_from_a_spreadsheet(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("sheets").await;
    let file = "Bezeichnung,Menge,Einkaufspreis,Kaufdatum,Zustand,Verkaufspreis,Verkaufsdatum,Plattform,Gebühren,Versandkosten\n\
        Glurak ex,1,40,2026-02-01,PSA 10,95,2026-02-20,eBay,9.5,4\n\
        Pikachu Promo,2,10,2026-02-01,NM,18,2026-02-25,Whatnot,,\n\
        Mewtu,1,30,2026-03-01,NM,50,2026-02-01,eBay,,\n\
        Evoli,1,8,2026-03-01,NM,12,2026-03-05,eBay,-1,\n";
    let (text, _) = decode(file.as_bytes().to_vec()).unwrap();
    let sheet = read_all(text).unwrap();
    let mapping = ColumnMapping::guess(&sheet.headers);
    assert_eq!(mapping.ignored(), 0, "{mapping:?}");
    let mut session = Session::new(sheet, mapping, &FileOptions::default());
    session.check_rows(0..session.len());
    let slab = session.row(0);
    assert_eq!(slab.item.get(ImportField::GradingCompany), "PSA");
    assert_eq!(slab.item.get(ImportField::Grade), "10");
    assert!(
        session
            .row(2)
            .errors
            .get("sold_on")
            .unwrap()
            .contains("before it was bought")
    );
    assert!(session.row(3).errors.get("fees").is_some());
    // The server checks the same: a bad row refuses its batch whole.
    let (_, id) = app
        .rpc(
            &c,
            "import/start",
            json!({"file_name": "verkauf.csv", "rows_total": 4}),
        )
        .await;
    let id = id.as_str().unwrap().to_string();
    let all: Vec<Value> = (0..4)
        .map(|i| serde_json::to_value(session.line(i)).unwrap())
        .collect();
    let (code, body) = app
        .rpc(
            &c,
            "import/batch",
            json!({"import_id": id, "batch": 0, "lines": all}),
        )
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["fields"]["line 4 sold_on"]
            .as_str()
            .unwrap()
            .contains("before it was bought"),
        "{body}"
    );
    assert_eq!(
        download(&c, &app, "/app/sales/export.csv")
            .await
            .lines()
            .count(),
        1,
        "nothing written"
    );
    let good: Vec<Value> = session
        .ready()
        .iter()
        .map(|&i| serde_json::to_value(session.line(i)).unwrap())
        .collect();
    assert_eq!(good.len(), 2);
    let (code, body) = app
        .rpc(
            &c,
            "import/batch",
            json!({"import_id": id, "batch": 1, "lines": good}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let sales = download(&c, &app, "/app/sales/export.csv").await;
    assert!(
        sales.contains("Glurak ex") && sales.contains("eBay") && sales.contains("95.00"),
        "{sales}"
    );
    assert!(
        sales.contains("Whatnot") && sales.contains("36.00"),
        "an unknown channel keeps its name; 2 × 18: {sales}"
    );
    let (_, page) = app.rpc(&c, "inventory/list", json!({"query": {"search": "", "status": "sold", "kind": null, "sort": "Newest", "page": 1, "per_page": 0}})).await;
    assert_eq!(page["total"], 2, "imported as sold, not in stock");
    app.assert_usage_counts_agree().await;
}

on_both_databases!(
    an_export_imported_into_an_empty_account_is_the_same_stock,
    sales_history_from_a_spreadsheet
);
