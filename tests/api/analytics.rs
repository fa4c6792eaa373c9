//! KPIs and chart series against a fixture whose every figure is worked out by hand below.

use crate::{helpers::*, on_both_databases};
use flipdesk::{server::db::Backend, with_db};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

fn item(kind: &str, name: &str, price: &str, currency: &str, qty: &str, date: &str) -> Value {
    let kind_fields = if kind == "card" {
        json!({"game": "Pokémon", "card_set": "Base Set"})
    } else {
        json!({"brand": "Nike", "size": "10", "size_system": "us_m"})
    };
    let mut form = item_form(
        kind,
        json!({"name": name, "quantity": qty, "purchase_price": price, "currency": currency, "purchase_date": date}),
    );
    for (key, value) in kind_fields.as_object().unwrap() {
        form[key] = value.clone();
    }
    form
}

async fn create(app: &TestApp, c: &Client, input: &Value) -> String {
    let (status, body) = app
        .rpc(
            c,
            "inventory/create",
            json!({"input": input, "status": "in_stock"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_str().unwrap().to_string()
}

async fn version(app: &TestApp, c: &Client, id: &str) -> i64 {
    let (_, item) = app.rpc(c, "inventory/get", json!({"id": id})).await;
    item["summary"]["version"].as_i64().unwrap()
}

/// Sells `[quantity, channel, price, fees, shipping paid, day]` of an item.
async fn sell(app: &TestApp, c: &Client, id: &str, sale: [&str; 6]) {
    let [qty, channel, price, fees, shipping, day] = sale;
    let v = version(app, c, id).await;
    let sale = json!({"quantity": qty, "channel": channel, "sale_price": price, "shipping_charged": "0",
        "fees": fees, "shipping_paid": shipping, "sold_on": day});
    let (status, body) = app
        .rpc(
            c,
            "inventory/sell",
            json!({"id": id, "version": v, "sale": sale}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn march(currency: &str) -> Value {
    json!({"query": {"kind": "Custom", "from": "2026-03-01", "to": "2026-03-31", "currency": currency}})
}

fn pair(v: &Value) -> (i64, i64) {
    (v["now"].as_i64().unwrap(), v["before"].as_i64().unwrap())
}

/// The fixture (USD unless said, time zone UTC):
/// A sneaker 100.00, bought 10 Jan, sold 20 Mar on eBay for 180 (fees 18, shipping 10): +52
/// B sneaker 200.00, bought 15 Feb, sold 25 Feb on eBay for 250 (fees 25, shipping 5): +20
/// C 2 cards 50.00 each (Base Set), bought 5 Mar; 1 sold 25 Mar on StockX for 90 (fees 9): +31;
///   then a market price of 70.00 is set by hand
/// D sneaker €80.00, bought 10 Mar (another currency: never in the USD figures)
/// E sneaker 30.00, bought 10 Apr (after the period)
/// F sneaker 40.00, bought 15 Jan, sold 5 Apr for 60: +20 (after the period)
/// March (1–31) compares with the 31 days before it (29 Jan – 28 Feb).
async fn kpis_and_series_match_a_hand_computed_fixture(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("kim").await;
    let a = create(
        &app,
        &c,
        &item("sneaker", "A", "100", "USD", "1", "2026-01-10"),
    )
    .await;
    let b = create(
        &app,
        &c,
        &item("sneaker", "B", "200", "USD", "1", "2026-02-15"),
    )
    .await;
    let cc = create(&app, &c, &item("card", "C", "50", "USD", "2", "2026-03-05")).await;
    create(
        &app,
        &c,
        &item("sneaker", "D", "80", "EUR", "1", "2026-03-10"),
    )
    .await;
    let e = create(
        &app,
        &c,
        &item("sneaker", "E", "30", "USD", "1", "2026-04-10"),
    )
    .await;
    let f = create(
        &app,
        &c,
        &item("sneaker", "F", "40", "USD", "1", "2026-01-15"),
    )
    .await;
    sell(&app, &c, &a, ["", "ebay", "180", "18", "10", "2026-03-20"]).await;
    sell(&app, &c, &b, ["", "ebay", "250", "25", "5", "2026-02-25"]).await;
    sell(&app, &c, &cc, ["1", "stockx", "90", "9", "0", "2026-03-25"]).await;
    sell(&app, &c, &f, ["", "ebay", "60", "0", "0", "2026-04-05"]).await;
    let v = version(&app, &c, &cc).await;
    let (status, body) = app
        .rpc(
            &c,
            "analytics/market-price",
            json!({"id": cc, "version": v, "price": "70"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, k) = app.rpc(&c, "analytics/kpis", march("")).await;
    assert_eq!(status, StatusCode::OK, "{k}");
    assert_eq!(k["currency"], "USD");
    assert_eq!(k["currencies"], json!(["EUR", "USD"]));
    assert_eq!(
        k["period"],
        json!({"from": "2026-03-01", "to": "2026-03-31"})
    );
    assert_eq!(
        k["previous"],
        json!({"from": "2026-01-29", "to": "2026-02-28"})
    );
    // Held at the end of March: C's last card (50) and F (40); end of February: A and F.
    // The market price was set after March, so March is still at cost.
    assert_eq!(pair(&k["units_held"]), (2, 2));
    assert_eq!(pair(&k["cost_value"]), (9000, 14000));
    assert_eq!(pair(&k["market_value"]), (9000, 14000));
    assert_eq!(pair(&k["unrealised"]), (0, 0));
    // Held now without a market price: E only (C has one; D is in euros).
    assert_eq!(k["valued_at_cost"], 1);
    assert_eq!(pair(&k["revenue"]), (27000, 25000));
    assert_eq!(pair(&k["fees"]), (2700, 2500));
    assert_eq!(pair(&k["net_profit"]), (8300, 2000));
    assert_eq!(pair(&k["sales"]), (2, 1));
    assert_eq!(pair(&k["units_sold"]), (2, 1));
    // ROI: 83 / 150 and 20 / 200; sell-through: 2 / (2 + 2) and 1 / (1 + 2).
    assert_eq!(k["roi_bp"], json!({"now": 5533, "before": 1000}));
    assert_eq!(k["sell_through_bp"], json!({"now": 5000, "before": 3333}));
    // Days to sell: A 69 and C 20 (44.5 on average); B 10.
    assert_eq!(k["days_to_sell_tenths"], json!({"now": 445, "before": 100}));
    // Older than 30/60/90 days at the end of March: F (75 days); end of February: A (49), F (44).
    assert_eq!(pair(&k["aging"][0]), (1, 2));
    assert_eq!(pair(&k["aging"][1]), (1, 0));
    assert_eq!(pair(&k["aging"][2]), (0, 0));

    let (status, ch) = app.rpc(&c, "analytics/charts", march("")).await;
    assert_eq!(status, StatusCode::OK, "{ch}");
    let worth = ch["worth"].as_array().unwrap();
    assert_eq!(worth.len(), 31);
    let day = |d: &str| {
        let p = worth.iter().find(|p| p["day"] == d).unwrap();
        (
            p["cost"].as_i64().unwrap(),
            p["market"].as_i64().unwrap(),
            p["realised"].as_i64().unwrap(),
        )
    };
    assert_eq!(day("2026-03-01"), (14000, 14000, 2000));
    assert_eq!(day("2026-03-04"), (14000, 14000, 2000));
    assert_eq!(day("2026-03-05"), (24000, 24000, 2000));
    assert_eq!(day("2026-03-20"), (14000, 14000, 7200));
    assert_eq!(day("2026-03-31"), (9000, 9000, 10300));
    let monthly = ch["monthly"].as_array().unwrap();
    assert_eq!(monthly.len(), 12);
    let month = |s: &str| {
        monthly.iter().find(|m| m["start"] == s).unwrap()["profit"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(
        (
            month("2026-02-01"),
            month("2026-03-01"),
            month("2026-01-01")
        ),
        (2000, 8300, 0)
    );
    let weekly = ch["weekly"].as_array().unwrap();
    let week = |s: &str| {
        weekly.iter().find(|m| m["start"] == s).unwrap()["profit"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(
        (week("2026-03-16"), week("2026-03-23"), week("2026-02-23")),
        (5200, 3100, 2000)
    );
    assert_eq!(
        ch["channels"],
        json!([
            {"channel": "eBay", "sales": 1, "revenue": 18000, "profit": 5200},
            {"channel": "StockX", "sales": 1, "revenue": 9000, "profit": 3100}
        ])
    );
    // What is held now: C's card at its market price, E at cost.
    assert_eq!(
        ch["by_kind"],
        json!([
            {"label": "Card", "units": 1, "cost": 5000, "market": 7000},
            {"label": "Sneaker", "units": 1, "cost": 3000, "market": 3000}
        ])
    );
    assert_eq!(
        ch["by_set"],
        json!([{"label": "Base Set", "units": 1, "cost": 5000, "market": 7000}])
    );
    assert_eq!(
        ch["by_brand"],
        json!([{"label": "Nike", "units": 1, "cost": 3000, "market": 3000}])
    );

    // The portfolio headline: market value each day up to today, never past it.
    let today = k["today"].as_str().unwrap().to_string();
    let (status, p) = app
        .rpc(
            &c,
            "analytics/portfolio",
            json!({"range": "All", "currency": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let points = p["points"].as_array().unwrap();
    assert_eq!(points[0]["day"], "2026-01-10");
    assert_eq!(points.last().unwrap()["day"], today.as_str());
    // Today: C's card at its market price (70) and E at cost (30); A alone on its first day.
    assert_eq!(
        (p["value"].as_i64(), p["start"].as_i64()),
        (Some(10000), Some(10000))
    );
    assert_eq!(p["has_history"], true);
    let (_, p) = app
        .rpc(
            &c,
            "analytics/portfolio",
            json!({"range": "Year", "currency": "USD"}),
        )
        .await;
    assert_eq!(p["start"], 0, "a year ago nothing was held");
    assert_eq!(
        p["points"].as_array().unwrap().last().unwrap()["day"],
        today.as_str()
    );
    let (_, p) = app
        .rpc(
            &c,
            "analytics/portfolio",
            json!({"range": "Week", "currency": "EUR"}),
        )
        .await;
    assert_eq!(
        (p["currency"].as_str(), p["value"].as_i64()),
        (Some("EUR"), Some(8000))
    );
    assert_eq!(p["points"].as_array().unwrap().len(), 8);

    // Euros are their own figures.
    let (_, eur) = app.rpc(&c, "analytics/kpis", march("EUR")).await;
    assert_eq!(pair(&eur["cost_value"]), (8000, 0));
    assert_eq!(pair(&eur["net_profit"]), (0, 0));

    // Moving E's purchase into March restates it; deleting A takes its sale away too.
    let v = version(&app, &c, &e).await;
    let (status, body) = app
        .rpc(&c, "inventory/update", json!({"id": e, "version": v, "input": item("sneaker", "E", "30", "USD", "1", "2026-03-15")}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.rpc(&c, "inventory/delete", json!({"ids": [a]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, k) = app.rpc(&c, "analytics/kpis", march("")).await;
    assert_eq!(pair(&k["units_held"]), (3, 1));
    assert_eq!(pair(&k["cost_value"]), (12000, 4000));
    assert_eq!(pair(&k["net_profit"]), (3100, 2000));
    // Today the market price of C's card counts: 70 instead of 50.
    let today_range = json!({"query": {"kind": "Year", "from": "", "to": "", "currency": ""}});
    let (_, k) = app.rpc(&c, "analytics/kpis", today_range).await;
    assert_eq!(k["unrealised"]["now"], 2000);

    // The ledger kept change by change adds up to the one worked out from scratch.
    let before = ledger_totals(&app).await;
    let owner = with_db!(&app.db, pool => sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE email = 'kim@example.com'")
        .fetch_one(pool).await)
    .unwrap();
    flipdesk::analytics::ledger::rebuild(&app.db, &owner)
        .await
        .unwrap();
    assert_eq!(ledger_totals(&app).await, before);
    assert_eq!(before.len(), 2, "{before:?}");
}

/// Every column of the ledger summed per currency.
async fn ledger_totals(app: &TestApp) -> Vec<(String, Vec<i64>)> {
    let cols = [
        "cost",
        "market",
        "units",
        "realised",
        "revenue",
        "fees",
        "sold_cost",
        "sales",
        "units_sold",
        "held_days",
        "held_days_n",
        "items_in",
        "items_out",
    ];
    let sql = format!(
        "SELECT currency, {} FROM worth_days GROUP BY currency ORDER BY currency",
        cols.map(|c| format!("CAST(SUM({c}) AS BIGINT)")).join(", ")
    );
    let mut out = Vec::new();
    with_db!(&app.db, pool => {
        use sqlx::Row;
        for row in sqlx::query(&sql).fetch_all(pool).await.unwrap() {
            let currency: String = row.get(0);
            out.push((currency, (1..=cols.len()).map(|i| row.get::<i64, _>(i)).collect()));
        }
    });
    out
}

async fn empty_accounts_bad_periods_and_strangers(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("lee").await;
    let (status, k) = app
        .rpc(&c, "analytics/kpis", json!({"query": {"kind": "Month"}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{k}");
    assert_eq!(k["currencies"], json!([]));
    assert_eq!(pair(&k["cost_value"]), (0, 0));
    assert_eq!(k["roi_bp"], json!({"now": null, "before": null}));
    assert_eq!(
        k["days_to_sell_tenths"],
        json!({"now": null, "before": null})
    );
    let (status, ch) = app
        .rpc(&c, "analytics/charts", json!({"query": {"kind": "Week"}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{ch}");
    // The week so far: from Monday up to today, no flat line into days still to come.
    let worth = ch["worth"].as_array().unwrap();
    assert!((1..=7).contains(&worth.len()), "{ch}");
    assert_eq!(worth.last().unwrap()["day"], k["today"]);
    assert_eq!(ch["period"]["to"].as_str().unwrap().len(), 10);
    let (status, p) = app
        .rpc(
            &c,
            "analytics/portfolio",
            json!({"range": "Month", "currency": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(
        (p["has_history"].as_bool(), p["value"].as_i64()),
        (Some(false), Some(0))
    );
    assert!(
        ch["worth"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["cost"] == 0)
    );

    for (query, field) in [
        (
            json!({"kind": "Custom", "from": "2026-05-01", "to": "2026-04-01"}),
            "to",
        ),
        (
            json!({"kind": "Custom", "from": "yesterday", "to": "2026-04-01"}),
            "from",
        ),
        (
            json!({"kind": "Custom", "from": "2010-01-01", "to": "2026-04-01"}),
            "from",
        ),
        (json!({"kind": "Month", "currency": "DOGE"}), "currency"),
    ] {
        let (status, body) = app.rpc(&c, "analytics/kpis", json!({"query": query})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert!(body["fields"][field].is_string(), "{query}: {body}");
    }

    // Time zones: a real one is saved, a made-up one is refused.
    let (status, tz) = app
        .rpc(
            &c,
            "analytics/time-zone",
            json!({"time_zone": "America/New_York"}),
        )
        .await;
    assert_eq!((status, tz), (StatusCode::OK, json!("America/New_York")));
    let (_, k) = app
        .rpc(&c, "analytics/kpis", json!({"query": {"kind": "Month"}}))
        .await;
    assert_eq!(k["time_zone"], "America/New_York");
    let (status, _) = app
        .rpc(
            &c,
            "analytics/time-zone",
            json!({"time_zone": "Mars/Olympus"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, zones) = app.rpc(&c, "analytics/time-zones", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        zones
            .as_array()
            .unwrap()
            .iter()
            .any(|z| z == "Europe/Paris")
    );

    // Another reseller's item cannot be priced (404), and their numbers stay their own.
    let other = app.reseller("max").await;
    let id = create(
        &app,
        &other,
        &item("sneaker", "Theirs", "100", "USD", "1", "2026-03-01"),
    )
    .await;
    let (status, _) = app
        .rpc(
            &c,
            "analytics/market-price",
            json!({"id": id, "version": 1, "price": "120"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, k) = app.rpc(&c, "analytics/kpis", march("")).await;
    assert_eq!(pair(&k["cost_value"]), (0, 0));
    // Bad prices and stale versions change nothing.
    for (price, version, want) in [
        ("-5", 1, StatusCode::UNPROCESSABLE_ENTITY),
        ("abc", 1, StatusCode::UNPROCESSABLE_ENTITY),
        ("120", 7, StatusCode::CONFLICT),
    ] {
        let (status, body) = app
            .rpc(
                &other,
                "analytics/market-price",
                json!({"id": id, "version": version, "price": price}),
            )
            .await;
        assert_eq!(status, want, "{price}: {body}");
    }
    let (_, k) = app.rpc(&other, "analytics/kpis", march("")).await;
    assert_eq!(pair(&k["market_value"]), (10000, 0));
    assert_eq!(app.count("market_prices").await, 0);

    // Not signed in.
    let (status, _) = app.rpc(&client(), "analytics/kpis", march("")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .rpc(
            &client(),
            "analytics/portfolio",
            json!({"range": "All", "currency": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

on_both_databases!(
    kpis_and_series_match_a_hand_computed_fixture,
    empty_accounts_bad_periods_and_strangers,
);
