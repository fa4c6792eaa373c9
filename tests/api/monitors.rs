//! Store monitors: checked input, the plan's limit, and alerts when any storefront lists,
//! restocks or cheapens what a monitor hunts — words, phrases, exclusions, sizes, grades, top
//! prices and stores — once per event even when the job runs twice.

use crate::{helpers::*, on_both_databases};
use flipdesk::server::db::Backend;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

fn monitor(keywords: &str, extra: Value) -> Value {
    let mut input = json!({"keywords": keywords, "kind": "", "sizes": "", "condition": "", "max_price": "",
        "currency": "USD", "stores": ""});
    for (k, v) in extra.as_object().unwrap() {
        input[k] = v.clone();
    }
    json!({ "input": input })
}

async fn alerts(app: &TestApp, c: &Client) -> Vec<String> {
    let (_, page) = app.rpc(c, "inbox/list", json!({"query": {}})).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "monitor_alert")
        .map(|n| {
            format!(
                "{} | {}",
                n["title"].as_str().unwrap(),
                n["body"].as_str().unwrap()
            )
        })
        .collect()
}

fn pair(name: &str, size: &str) -> Value {
    item_form(
        "sneaker",
        json!({"name": name, "quantity": "2", "purchase_price": "150", "currency": "USD", "purchase_date": "2026-01-05",
            "brand": "Nike", "style_id": "FV5029-006", "size": size, "size_system": "us_m", "sneaker_condition": "new"}),
    )
}

async fn monitors_alert_once_per_event(backend: Backend) {
    let app = spawn_app(backend).await;
    let hunter = app.reseller("hunter").await;
    let seller = app.reseller("seller").await;

    // Bad input changes nothing.
    let (code, e) = app
        .rpc(&hunter, "monitors/create", monitor("  -kids ", json!({})))
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["fields"]["keywords"].is_string(), "{e}");
    let (code, _) = app
        .rpc(
            &hunter,
            "monitors/create",
            monitor("jordan", json!({"max_price": "cheap"})),
        )
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);

    let (code, bred) = app
        .rpc(
            &hunter,
            "monitors/create",
            monitor(
                r#"jordan 4 "bred reimagined" -kids"#,
                json!({"sizes": "10, 10.5", "max_price": "300"}),
            ),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{bred}");
    let (code, _) = app
        .rpc(
            &hunter,
            "monitors/create",
            monitor("jordan 4", json!({"stores": "elsewhere-store"})),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    let (_, page) = app.rpc(&hunter, "monitors/list", json!({})).await;
    assert_eq!(page["monitors"].as_array().unwrap().len(), 2);
    assert_eq!(page["allowed"], 5);
    assert_eq!(
        page["monitors"][1]["filters"],
        "sizes 10, 10.5 · up to $300.00"
    );

    // Listed in size 10 at 320: too dear. Size 9 at 250: another size. A kids' pair: excluded.
    let (item, listing) = app
        .list_in_store(
            &seller,
            pair("Air Jordan 4 Retro Bred Reimagined", "10"),
            "320",
        )
        .await;
    app.list_in_store(
        &seller,
        pair("Air Jordan 4 Retro Bred Reimagined", "9"),
        "250",
    )
    .await;
    app.list_in_store(
        &seller,
        pair("Air Jordan 4 Bred Reimagined (Kids)", "10"),
        "100",
    )
    .await;
    // The hunter's own listing never alerts them.
    app.list_in_store(
        &hunter,
        pair("Air Jordan 4 Retro Bred Reimagined", "10"),
        "200",
    )
    .await;
    app.run_pending_jobs().await;
    assert_eq!(alerts(&app, &hunter).await, Vec::<String>::new());

    // The price drops under the top: one alert, even when its job runs again.
    let (code, _) = app
        .rpc(
            &seller,
            "store/listings/save",
            json!({"item_id": item, "input": {"price": "290", "quantity": ""}}),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    let payload: String = flipdesk::with_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT payload FROM jobs WHERE kind = 'monitors.match' ORDER BY created_at DESC LIMIT 1").fetch_one(pool).await).unwrap();
    app.run_pending_jobs().await;
    let job: flipdesk::monitors::service::MatchMonitors = serde_json::from_str(&payload).unwrap();
    flipdesk::monitors::service::notify_monitors(&app.db, &job)
        .await
        .unwrap();
    let got = alerts(&app, &hunter).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].contains("Air Jordan 4 Retro Bred Reimagined for $290.00")
            && got[0].contains("price dropped"),
        "{got:?}"
    );
    let (_, inbox) = app.rpc(&hunter, "inbox/list", json!({"query": {}})).await;
    assert_eq!(
        inbox["items"][0]["link"],
        format!("/s/seller-store/items/{listing}")
    );
    // Saving it again at the same price is no event.
    app.rpc(
        &seller,
        "store/listings/save",
        json!({"item_id": item, "input": {"price": "290", "quantity": ""}}),
    )
    .await;
    app.run_pending_jobs().await;
    assert_eq!(alerts(&app, &hunter).await.len(), 1);

    // A grade hunt across stores, and a new listing that matches.
    let (code, _) = app
        .rpc(
            &hunter,
            "monitors/create",
            monitor(
                "charizard base",
                json!({"kind": "card", "condition": "PSA 10"}),
            ),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    let slab = |grade: &str| {
        item_form(
            "card",
            json!({"name": "Charizard Base Set", "quantity": "1", "purchase_price": "900",
        "currency": "USD", "purchase_date": "2026-01-20", "game": "Pokémon", "card_set": "Base Set", "card_number": "4/102",
        "grading_company": "PSA", "grade": grade, "cert_number": "12345678"}),
        )
    };
    app.list_in_store(&seller, slab("9"), "1500").await;
    app.list_in_store(&seller, slab("10"), "5000").await;
    app.run_pending_jobs().await;
    let got = alerts(&app, &hunter).await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0].contains("“charizard base”") && got[0].contains("Just listed at seller"),
        "{got:?}"
    );

    // The plan's limit: five monitors on free.
    for n in 0..2 {
        let (code, _) = app
            .rpc(
                &hunter,
                "monitors/create",
                monitor(&format!("dunk {n}"), json!({})),
            )
            .await;
        assert_eq!(code, StatusCode::OK);
    }
    let (code, e) = app
        .rpc(
            &hunter,
            "monitors/create",
            monitor("one too many", json!({})),
        )
        .await;
    assert_eq!(code, StatusCode::PAYMENT_REQUIRED, "{e}");
    assert_eq!(e["kind"], "quota_exceeded", "{e}");
    assert_eq!(e["limit"], "monitor_keywords", "{e}");

    // Another reseller's monitor is not found; one's own goes.
    let id = bred.as_str().unwrap();
    let (code, _) = app.rpc(&seller, "monitors/delete", json!({"id": id})).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    let (code, _) = app.rpc(&hunter, "monitors/delete", json!({"id": id})).await;
    assert_eq!(code, StatusCode::OK);
    let (code, _) = app
        .rpc(&hunter, "monitors/create", monitor("room again", json!({})))
        .await;
    assert_eq!(code, StatusCode::OK);
    app.assert_usage_counts_agree().await;
}

on_both_databases!(
    monitors_alert_once_per_event,
    a_monitor_naming_a_product_finds_its_listings_however_worded
);

/// A monitor whose words name a catalog product (here by its style id) also alerts on a
/// listing of an item linked to that product whose words say nothing of it; the words it
/// excludes and its other filters still count, and an unlinked listing worded the same way
/// does not match.
async fn a_monitor_naming_a_product_finds_its_listings_however_worded(backend: Backend) {
    let app = spawn_app(backend).await;
    seed_catalog(&app.db, &[
        r#"{"kind":"sneaker","name":"Nike Dunk Low Retro White Black Panda","brand":"Nike","style_id":"DD1391-100"}"#,
    ])
    .await;
    let hunter = app.reseller("hunter").await;
    let seller = app.reseller("seller").await;
    let (_, found) = app
        .rpc(&seller, "catalog/suggest", json!({"text": "DD1391-100"}))
        .await;
    let product = found[0]["product_id"].as_str().unwrap().to_string();

    for keywords in ["dd1391-100 -gs", "mystery grail"] {
        let (code, body) = app
            .rpc(
                &hunter,
                "monitors/create",
                monitor(keywords, json!({"max_price": "200"})),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{body}");
    }
    let (_, page) = app.rpc(&hunter, "monitors/list", json!({})).await;
    let products: Vec<&Value> = page["monitors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["product"])
        .collect();
    assert_eq!(
        products,
        [
            &json!(null),
            &json!("Nike Dunk Low Retro White Black Panda")
        ],
        "{page}"
    );

    let panda = |name: &str, linked: bool| {
        item_form(
            "sneaker",
            json!({"name": name, "quantity": "1", "purchase_price": "90", "currency": "USD",
                "purchase_date": "2026-02-01", "size": "10", "size_system": "us_m",
                "catalog_product_id": if linked { product.as_str() } else { "" }}),
        )
    };
    // Linked, worded its own way: an alert. Unlinked, worded the same: none. Linked but
    // GS (excluded), or over the top price: none.
    app.list_in_store(&seller, panda("Pandas, barely worn box", true), "150")
        .await;
    app.list_in_store(&seller, panda("Pandas, barely worn box", false), "150")
        .await;
    app.list_in_store(&seller, panda("Pandas GS", true), "120")
        .await;
    app.list_in_store(&seller, panda("Pandas deadstock", true), "250")
        .await;
    app.run_pending_jobs().await;
    let got = alerts(&app, &hunter).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with("“dd1391 100 -gs”: Pandas, barely worn box for $150.00"),
        "{got:?}"
    );
}
