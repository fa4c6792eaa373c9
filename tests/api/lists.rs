//! Want-To-Buy lists: the dashboard's server functions, API keys (lifecycle, other lists,
//! private lists), the bot API (validation, pages, ETags, rate limit), matching storefront
//! listings to wanted items, and the OpenAPI description.

use crate::{helpers::*, on_both_databases};
use flipdesk::{server::db::Backend, with_db};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// A list of `c` (name → slug from the name), returning its summary.
async fn new_list(app: &TestApp, c: &Client, name: &str, public: bool) -> Value {
    let (status, list) = app
        .rpc(
            c,
            "lists/create",
            json!({"input": {"name": name, "slug": "", "description": "", "is_public": public}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list
}

async fn issue_key(app: &TestApp, c: &Client, list_id: &str) -> String {
    let (status, key) = app.rpc(c, "lists/key", json!({"list_id": list_id})).await;
    assert_eq!(status, StatusCode::OK, "{key}");
    key["key"].as_str().unwrap().to_string()
}

fn items_url(app: &TestApp, list: &str) -> String {
    app.url(&format!("/api/v1/lists/{list}/items"))
}

async fn bot_post(app: &TestApp, key: &str, list: &str, body: Value) -> reqwest::Response {
    app.client
        .post(items_url(app, list))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The id of the first item of the size-run list.
async fn seen_ids_first_page(app: &TestApp, key: &str) -> String {
    let (_, page) = json(bot_get(app, Some(key), &items_url(app, "size-run")).await).await;
    page["items"][0]["id"].as_str().unwrap().to_string()
}

async fn bot_get(app: &TestApp, key: Option<&str>, url: &str) -> reqwest::Response {
    let mut req = app.client.get(url);
    if let Some(key) = key {
        req = req.bearer_auth(key);
    }
    req.send().await.unwrap()
}

/// Upgrades a reseller so the plan's list limit does not get in the way.
async fn make_premium(app: &TestApp, email: &str) {
    with_db!(&app.db, pool => sqlx::query("INSERT INTO plan_grants (user_id, plan, reason, granted_at) SELECT id, 'premium', 'test', created_at FROM users WHERE email = $1").bind(email).execute(pool).await.map(|_| ())).unwrap();
}

async fn key_lifecycle(backend: Backend) {
    let app = spawn_app(backend).await;
    let ana = app.reseller("ana").await;
    make_premium(&app, "ana@example.com").await;
    let grails = new_list(&app, &ana, "Grails 2026", true).await;
    assert_eq!(grails["slug"], "grails-2026");
    assert_eq!(grails["key_prefix"], Value::Null);
    let list_id = grails["id"].as_str().unwrap();

    // No key, a malformed key, an unknown key: 401 with the JSON error and a challenge.
    let res = bot_get(&app, None, &items_url(&app, "grails-2026")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers().contains_key("www-authenticate"));
    let (_, body) = json(res).await;
    assert_eq!(body["error"]["code"], "invalid_api_key");
    for bad in ["nope", "fd_0123456789abcdefghijklmnopqrstuv"] {
        let res = bot_get(&app, Some(bad), &items_url(&app, "grails-2026")).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{bad}");
    }

    let key = issue_key(&app, &ana, list_id).await;
    assert!(key.starts_with("fd_") && key.len() == 35, "{key}");
    // Only the HMAC and a prefix are stored.
    let (prefix, hash): (String, String) = with_db!(&app.db, pool => sqlx::query_as("SELECT api_key_prefix, api_key_hash FROM wtb_lists WHERE id = $1").bind(list_id).fetch_one(pool).await).unwrap();
    assert!(key.starts_with(&prefix) && prefix.len() < 12);
    assert!(!hash.contains(&key[3..]));

    // The key works by slug and by id.
    let res = bot_post(
        &app,
        &key,
        "grails-2026",
        json!({"name": "Jordan 1 Chicago", "size": "10.5"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/api/v1/lists/grails-2026/items/")
    );
    let (_, item) = json(res).await;
    assert_eq!(item["size"], "10.5");
    assert_eq!(item["quantity"], 1);
    assert_eq!(item["max_price"], Value::Null);
    let (status, page) = json(bot_get(&app, Some(&key), &items_url(&app, list_id)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["next_cursor"], Value::Null);

    // The dashboard shows when the key was last used.
    let (_, lists) = app.rpc(&ana, "lists/mine", json!({})).await;
    assert!(
        lists[0]["key_last_used"]
            .as_str()
            .is_some_and(|t| t.ends_with("UTC")),
        "{lists}"
    );

    // Regenerating invalidates the old key at once.
    let new_key = issue_key(&app, &ana, list_id).await;
    assert_ne!(new_key, key);
    let res = bot_get(&app, Some(&key), &items_url(&app, "grails-2026")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = bot_get(&app, Some(&new_key), &items_url(&app, "grails-2026")).await;
    assert_eq!(res.status(), StatusCode::OK);

    // A valid key of another list is 403, whoever owns that list.
    let singles = new_list(&app, &ana, "Singles", true).await;
    let other_key = issue_key(&app, &ana, singles["id"].as_str().unwrap()).await;
    let res = bot_get(&app, Some(&other_key), &items_url(&app, "grails-2026")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(json(res).await.1["error"]["code"], "key_for_another_list");
    let res = bot_post(&app, &other_key, "grails-2026", json!({"name": "x"})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A private list's key still works for its API; its page is gone for the public.
    let (status, _) = app
        .rpc(&ana, "lists/update", json!({"list_id": list_id, "input": {"name": "Grails 2026", "slug": "grails-2026", "description": "", "is_public": false}}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let res = bot_get(&app, Some(&new_key), &items_url(&app, "grails-2026")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = app.get("/lists/grails-2026").await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);

    // Another reseller cannot see, change or take a key for the list: it does not exist.
    let ben = app.reseller("ben").await;
    for (endpoint, body) in [
        ("lists/detail", json!({"list_id": list_id})),
        ("lists/key", json!({"list_id": list_id})),
        ("lists/delete", json!({"list_id": list_id})),
        ("lists/move", json!({"list_id": list_id, "step": 1})),
        (
            "lists/update",
            json!({"list_id": list_id, "input": {"name": "Mine", "slug": "", "description": "", "is_public": true}}),
        ),
        (
            "lists/items/save",
            json!({"list_id": list_id, "item_id": null, "input": {"name": "x", "product_id": "", "style_id": "", "size": "", "condition": "", "grade": "", "quantity": "", "max_price": "", "currency": "", "notes": ""}}),
        ),
    ] {
        let (status, body) = app.rpc(&ben, endpoint, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint}: {body}");
    }
    let res = bot_get(&app, Some(&new_key), &items_url(&app, "grails-2026")).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the key survived the stranger"
    );
    // Anonymous dashboard calls are refused.
    let (status, _) = app.rpc(&client(), "lists/mine", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn api_validates_pages_and_versions(backend: Backend) {
    let app = spawn_app(backend).await;
    let ana = app.reseller("ana").await;
    let list = new_list(&app, &ana, "Size run", true).await;
    let key = issue_key(&app, &ana, list["id"].as_str().unwrap()).await;

    // Every wrong field is named; nothing is stored.
    let res = bot_post(
        &app,
        &key,
        "size-run",
        json!({
            "name": "", "size": "99", "condition": "mint-ish", "grade": "XYZ 10", "quantity": 0,
            "max_price": {"amount": -5, "currency": "USD"}, "colour": "red"
        }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, body) = json(res).await;
    assert_eq!(body["error"]["code"], "validation_failed");
    for field in ["colour", "max_price"] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    let res = bot_post(
        &app,
        &key,
        "size-run",
        json!({
            "name": "", "size": "99", "condition": "mint-ish", "grade": "XYZ 10", "quantity": 0
        }),
    )
    .await;
    let (_, body) = json(res).await;
    for field in ["name", "size", "condition", "grade", "quantity"] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    let res = app
        .client
        .post(items_url(&app, "size-run"))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(res).await.1["error"]["code"], "bad_request");
    let res = app
        .client
        .post(items_url(&app, "size-run"))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("wtb_items").await, 0);

    // Pages of 2 walk all 5 items once, in the order they were added.
    for size in ["8", "8.5", "9", "9.5", "10"] {
        let res = bot_post(
            &app,
            &key,
            "size-run",
            json!({
                "name": "Dunk Low Panda", "style_id": "dd1391-100", "size": size, "quantity": 2,
                "max_price": {"amount": 11000, "currency": "USD"}, "condition": "new"
            }),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let mut seen = Vec::new();
    let mut url = format!("{}?limit=2", items_url(&app, "size-run"));
    loop {
        let (status, page) = json(bot_get(&app, Some(&key), &url).await).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for item in page["items"].as_array().unwrap() {
            assert_eq!(item["style_id"], "DD1391-100");
            assert_eq!(
                item["max_price"],
                json!({"amount": 11000, "currency": "USD"})
            );
            seen.push(item["size"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                url = format!("{}?limit=2&cursor={cursor}", items_url(&app, "size-run"))
            }
            None => break,
        }
    }
    assert_eq!(seen, ["8", "8.5", "9", "9.5", "10"]);
    // Only cursors the server gave out are taken: digits, ids and forged tags are refused.
    let first_id = seen_ids_first_page(&app, &key).await;
    let forged = [
        "?cursor=0".to_string(),
        "?cursor=00".to_string(),
        format!("?cursor={first_id}"),
        format!("?cursor={first_id}.0123456789abcdef0123"),
    ];
    for bad in ["?limit=0", "?limit=101", "?cursor=not-ours"]
        .into_iter()
        .map(String::from)
        .chain(forged)
    {
        let res = bot_get(
            &app,
            Some(&key),
            &format!("{}{bad}", items_url(&app, "size-run")),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }

    // ETags: read, change with If-Match, a stale ETag is 412 and changes nothing.
    let (_, page) = json(bot_get(&app, Some(&key), &items_url(&app, "size-run")).await).await;
    let id = page["items"][0]["id"].as_str().unwrap().to_string();
    let item_url = app.url(&format!("/api/v1/lists/size-run/items/{id}"));
    let res = bot_get(&app, Some(&key), &item_url).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let res = app
        .client
        .get(&item_url)
        .bearer_auth(&key)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let patch = |body: Value, if_match: Option<&str>| {
        let mut req = app.client.patch(&item_url).bearer_auth(&key).json(&body);
        if let Some(tag) = if_match {
            req = req.header("if-match", tag);
        }
        req.send()
    };
    let res = patch(json!({"quantity": 3, "notes": "DS only"}), Some(&etag))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let new_etag = res.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(new_etag, etag);
    let (_, item) = json(res).await;
    assert_eq!(
        (
            item["quantity"].as_i64(),
            item["notes"].as_str(),
            item["size"].as_str()
        ),
        (Some(3), Some("DS only"), Some("8"))
    );
    let res = patch(json!({"quantity": 9}), Some(&etag)).await.unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(json(res).await.1["error"]["code"], "precondition_failed");
    let (_, item) = json(bot_get(&app, Some(&key), &item_url).await).await;
    assert_eq!(item["quantity"], 3, "a stale edit changes nothing");
    // Bad input in a patch is named and changes nothing; null clears an optional field.
    let res = patch(json!({"size": "99"}), None).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = patch(json!({"notes": null, "max_price": null}), None)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (_, item) = json(res).await;
    assert_eq!(
        (item["notes"].as_str(), &item["max_price"]),
        (Some(""), &Value::Null)
    );

    // Pages are cached per list version: a read after any change sees the change.
    let first_page = || async {
        json(bot_get(&app, Some(&key), &items_url(&app, "size-run")).await)
            .await
            .1
    };
    assert_eq!(first_page().await["items"][0]["notes"], "");
    assert_eq!(first_page().await["items"][0]["notes"], "", "served again");

    // Two bots editing different fields at once without If-Match: both edits land.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (client, url, key) = (app.client.clone(), item_url.clone(), key.clone());
        let body = if i % 2 == 0 {
            json!({"quantity": 7})
        } else {
            json!({"notes": "either box"})
        };
        tasks.push(tokio::spawn(async move {
            client
                .patch(url)
                .bearer_auth(key)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let (_, item) = json(bot_get(&app, Some(&key), &item_url).await).await;
    assert_eq!(
        (item["quantity"].as_i64(), item["notes"].as_str()),
        (Some(7), Some("either box"))
    );
    assert_eq!(first_page().await["items"][0]["notes"], "either box");

    // Delete with a stale ETag: 412 and the item stays; with the current one: 204, then 404.
    let res = app
        .client
        .delete(&item_url)
        .bearer_auth(&key)
        .header("If-Match", "\"v1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(json(res).await.1["error"]["code"], "precondition_failed");
    assert_eq!(app.count("wtb_items").await, 5);
    let current = bot_get(&app, Some(&key), &item_url).await;
    let etag = current.headers()["etag"].to_str().unwrap().to_string();
    let res = app
        .client
        .delete(&item_url)
        .bearer_auth(&key)
        .header("If-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .client
        .delete(&item_url)
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(json(res).await.1["error"]["code"], "not_found");
    assert_eq!(app.count("wtb_items").await, 4);
    let page = first_page().await;
    assert_eq!(page["items"].as_array().unwrap().len(), 4);
    assert_ne!(page["items"][0]["id"], id.as_str());
    assert_eq!(
        app.count("wtb_item_keys").await,
        4,
        "keys go with their item"
    );
}

async fn rate_limit_per_key(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[("FLIPDESK__API__LIST_KEY_REQUESTS_PER_MINUTE", "5")],
    )
    .await;
    let ana = app.reseller("ana").await;
    make_premium(&app, "ana@example.com").await;
    let a = new_list(&app, &ana, "List one", true).await;
    let b = new_list(&app, &ana, "List two", true).await;
    let key_a = issue_key(&app, &ana, a["id"].as_str().unwrap()).await;
    let key_b = issue_key(&app, &ana, b["id"].as_str().unwrap()).await;
    for _ in 0..5 {
        let res = bot_get(&app, Some(&key_a), &items_url(&app, "list-one")).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = bot_get(&app, Some(&key_a), &items_url(&app, "list-one")).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(json(res).await.1["error"]["code"], "rate_limited");
    // Another list's key has its own budget.
    let res = bot_get(&app, Some(&key_b), &items_url(&app, "list-two")).await;
    assert_eq!(res.status(), StatusCode::OK);
    // A new key of the same list does not start with a fresh budget.
    let key_a2 = issue_key(&app, &ana, a["id"].as_str().unwrap()).await;
    let res = bot_get(&app, Some(&key_a2), &items_url(&app, "list-one")).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Regenerating keys is limited per list and per account, so nobody mints keys without end.
async fn key_regeneration_is_limited(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            ("FLIPDESK__API__KEY_REGENERATIONS_PER_LIST_PER_HOUR", "3"),
            ("FLIPDESK__API__KEY_REGENERATIONS_PER_ACCOUNT_PER_HOUR", "5"),
        ],
    )
    .await;
    let ana = app.reseller("ana").await;
    make_premium(&app, "ana@example.com").await;
    let a = new_list(&app, &ana, "List one", true).await;
    let b = new_list(&app, &ana, "List two", true).await;
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let regenerate = |list: &str| app.rpc(&ana, "lists/key", json!({"list_id": list}));
    for _ in 0..3 {
        issue_key(&app, &ana, a).await;
    }
    let (status, body) = regenerate(a).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // The last key issued still works; the refused call changed nothing.
    issue_key(&app, &ana, b).await;
    issue_key(&app, &ana, b).await;
    let (status, _) = regenerate(b).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "five per account");
}

async fn dashboard_lists(backend: Backend) {
    let app = spawn_app(backend).await;
    let ana = app.reseller("ana").await;
    // The free plan has room for one list, also when ten requests race for it.
    let mut tasks = Vec::new();
    for i in 0..10 {
        let (client, url) = (ana.clone(), app.url("/api/lists/create"));
        tasks.push(tokio::spawn(async move {
            let body = json!({"input": {"name": format!("Race {i}"), "slug": "", "description": "", "is_public": true}});
            let res = client.post(url).json(&body).send().await.unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap())
        }));
    }
    let mut created = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::OK => created += 1,
            StatusCode::PAYMENT_REQUIRED => assert_eq!(body["kind"], "quota_exceeded", "{body}"),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(created, 1);
    make_premium(&app, "ana@example.com").await;

    // Validation: the field is named; a taken address is refused.
    let (status, body) = app
        .rpc(
            &ana,
            "lists/create",
            json!({"input": {"name": "", "slug": "x", "description": "", "is_public": true}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["fields"]["name"].is_string() && body["fields"]["slug"].is_string(),
        "{body}"
    );
    let ben = app.reseller("ben").await;
    new_list(&app, &ben, "Taken name", true).await;
    let (status, body) = app
        .rpc(&ana, "lists/create", json!({"input": {"name": "Taken name", "slug": "", "description": "", "is_public": true}}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["fields"]["slug"].as_str().unwrap().contains("taken"),
        "{body}"
    );

    // Order: new lists go last; moving swaps neighbours.
    let second = new_list(&app, &ana, "Second", false).await;
    let third = new_list(&app, &ana, "Third", true).await;
    let names = |lists: &Value| -> Vec<String> {
        lists
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, lists) = app.rpc(&ana, "lists/mine", json!({})).await;
    assert_eq!(names(&lists)[1..], ["Second", "Third"]);
    let (status, _) = app
        .rpc(
            &ana,
            "lists/move",
            json!({"list_id": third["id"], "step": -1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, lists) = app.rpc(&ana, "lists/mine", json!({})).await;
    assert_eq!(names(&lists)[1..], ["Third", "Second"]);

    // Items from the dashboard form; the detail shows them with the store's currency.
    let form = |name: &str, max: &str| {
        json!({"name": name, "product_id": "", "style_id": "", "size": "", "condition": "NM",
        "grade": "", "quantity": "2", "max_price": max, "currency": "", "notes": "Binder copies"})
    };
    let (status, body) = app
        .rpc(&ana, "lists/items/save", json!({"list_id": second["id"], "item_id": null, "input": form("Umbreon VMAX Alt Art", "abc")}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["fields"]["max_price"].is_string(), "{body}");
    let (status, _) = app
        .rpc(&ana, "lists/items/save", json!({"list_id": second["id"], "item_id": null, "input": form("Umbreon VMAX Alt Art", "420.50")}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, detail) = app
        .rpc(&ana, "lists/detail", json!({"list_id": second["id"]}))
        .await;
    assert_eq!(detail["currency"], "USD");
    let item = &detail["items"][0];
    assert_eq!(
        (
            item["condition"].as_str(),
            item["max_price"]["amount"].as_i64()
        ),
        (Some("NM"), Some(42050))
    );
    let (status, _) = app
        .rpc(&ana, "lists/items/save", json!({"list_id": second["id"], "item_id": item["id"], "input": form("Umbreon VMAX", "400")}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, detail) = app
        .rpc(&ana, "lists/detail", json!({"list_id": second["id"]}))
        .await;
    assert_eq!(detail["items"][0]["name"], "Umbreon VMAX");
    assert_eq!(detail["list"]["item_count"], 1);

    // A size run from the form is one item per size, all or none.
    let run = |sizes: &str| {
        json!({"list_id": second["id"], "item_id": null, "input": {"name": "Dunk Low Panda", "product_id": "",
        "style_id": "DD1391-100", "size": sizes, "condition": "new", "grade": "", "quantity": "1", "max_price": "120", "currency": "", "notes": ""}})
    };
    let (status, body) = app.rpc(&ana, "lists/items/save", run("9, 9.5, 99")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = app.rpc(&ana, "lists/items/save", run("9-10")).await;
    assert_eq!(status, StatusCode::OK);
    let (_, detail) = app
        .rpc(&ana, "lists/detail", json!({"list_id": second["id"]}))
        .await;
    let sizes: Vec<&str> = detail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["size"].as_str())
        .collect();
    assert_eq!(sizes, ["9", "9.5", "10"]);

    // The public page shows a public list's items with a link preview; private lists 404.
    let (status, _) = app.rpc(&ana, "lists/items/save", json!({"list_id": third["id"], "item_id": null, "input": form("Lugia V Alt Art", "300")})).await;
    assert_eq!(status, StatusCode::OK);
    let page = app.get("/lists/third").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Lugia V Alt Art") && html.contains("$300.00"),
        "{html}"
    );
    assert!(html.contains("property=\"og:title\"") && html.contains("property=\"og:image\""));
    assert!(html.contains("/og-wtb.png"));
    assert_eq!(
        app.get("/lists/second").await.status(),
        StatusCode::NOT_FOUND
    );

    // Deleting a list takes its items along.
    let (status, _) = app
        .rpc(&ana, "lists/delete", json!({"list_id": second["id"]}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .rpc(&ana, "lists/detail", json!({"list_id": second["id"]}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("wtb_items").await, 1);

    // Long lists are shown 60 items a page.
    for sizes in ["4-18", "4-18", "OS, XL"] {
        let mut body = run(sizes);
        body["list_id"] = third["id"].clone();
        let (status, body) = app.rpc(&ana, "lists/items/save", body).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let html = app.get("/lists/third").await.text().await.unwrap();
    assert!(html.contains("61 wanted items · showing 1–60"), "{html}");
    assert!(html.contains("href=\"/lists/third?page=2\""));
    let html = app.get("/lists/third?page=2").await.text().await.unwrap();
    assert!(html.contains("showing 61–61"), "{html}");
    assert!(html.contains("href=\"/lists/third\""));
}

async fn notifications_for(app: &TestApp, email: &str) -> Vec<(String, String)> {
    with_db!(&app.db, pool => sqlx::query_as::<_, (String, String)>(
        "SELECT n.title, n.link FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = $1 ORDER BY n.created_at")
        .bind(email).fetch_all(pool).await).unwrap()
}

/// A wanted item added after the pair went on sale finds it at once.
async fn new_wanted_items_find_listings_already_on_sale(backend: Backend) {
    let app = spawn_app(backend).await;
    let seller = app.reseller("early").await;
    let (_, listing) = app
        .list_in_store(
            &seller,
            sneaker_input("1", "555088-101/CW2288-111", "10.5"),
            "240",
        )
        .await;
    app.list_in_store(&seller, sneaker_input("1", "555088-101", "9"), "200")
        .await;
    app.run_pending_jobs().await;
    let buyer = app.reseller("latecomer").await;
    make_premium(&app, "latecomer@example.com").await;
    let wants = new_list(&app, &buyer, "Late run", true).await;
    let key = issue_key(&app, &buyer, wants["id"].as_str().unwrap()).await;
    let wanted = json!({"name": "Chicago", "style_id": "CW2288-111", "size": "10.5",
        "max_price": {"amount": 25000, "currency": "USD"}});
    assert_eq!(
        bot_post(&app, &key, "late-run", wanted).await.status(),
        StatusCode::CREATED
    );
    app.run_pending_jobs().await;
    let notes = notifications_for(&app, "latecomer@example.com").await;
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].1, format!("/s/early-store/items/{listing}"));
    // Running it again tells nothing new.
    with_db!(&app.db, pool => sqlx::query("UPDATE jobs SET status = 'queued', run_at = 0 WHERE kind = 'wtb.match_existing'")
        .execute(pool).await.map(|_| ())).unwrap();
    app.run_pending_jobs().await;
    assert_eq!(
        notifications_for(&app, "latecomer@example.com").await.len(),
        1
    );
}

async fn listings_match_wanted_items(backend: Backend) {
    let app = spawn_app(backend).await;
    let buyer = app.reseller("buyer").await;
    make_premium(&app, "buyer@example.com").await;
    let wants = new_list(&app, &buyer, "Chicago run", true).await;
    let hidden = new_list(&app, &buyer, "Secret wants", false).await;
    let key = issue_key(&app, &buyer, wants["id"].as_str().unwrap()).await;
    let hidden_key = issue_key(&app, &buyer, hidden["id"].as_str().unwrap()).await;
    let wanted = json!({"name": "Jordan 1 Chicago", "style_id": "555088-101", "size": "10.5", "condition": "new",
        "max_price": {"amount": 25000, "currency": "USD"}});
    assert_eq!(
        bot_post(&app, &key, "chicago-run", wanted.clone())
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(
        bot_post(
            &app,
            &hidden_key,
            "secret-wants",
            json!({"name": "Chicago 11", "style_id": "555088-101", "size": "11"})
        )
        .await
        .status(),
        StatusCode::CREATED
    );

    let seller = app.reseller("seller").await;
    // Matches: same style id (one part of a compound id), size, condition, under the price.
    let (_, listing) = app
        .list_in_store(
            &seller,
            sneaker_input("1", "555088-101/CW2288-111", "10.5"),
            "240",
        )
        .await;
    // No match: too dear, another size, only on a private list, or the buyer's own listing.
    app.list_in_store(&seller, sneaker_input("1", "555088-101", "10.5"), "260")
        .await;
    app.list_in_store(&seller, sneaker_input("1", "555088-101", "9"), "200")
        .await;
    app.list_in_store(&seller, sneaker_input("1", "555088-101", "11"), "200")
        .await;
    app.list_in_store(&buyer, sneaker_input("1", "555088-101", "10.5"), "100")
        .await;
    app.run_pending_jobs().await;
    let notes = notifications_for(&app, "buyer@example.com").await;
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].0.contains("Chicago run"), "{notes:?}");
    assert_eq!(notes[0].1, format!("/s/seller-store/items/{listing}"));
    assert!(
        notifications_for(&app, "seller@example.com")
            .await
            .is_empty()
    );

    // Saving the same listing again does not notify twice.
    let (status, _) = app
        .rpc(&seller, "store/listings/save", json!({"item_id": with_db!(&app.db, pool => sqlx::query_scalar::<_, String>("SELECT item_id FROM listings WHERE id = $1").bind(&listing).fetch_one(pool).await).unwrap(), "input": {"price": "230", "quantity": ""}}))
        .await;
    assert_eq!(status, StatusCode::OK);
    app.run_pending_jobs().await;
    assert_eq!(notifications_for(&app, "buyer@example.com").await.len(), 1);
}

async fn openapi_describes_every_route(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/api/v1/openapi.json").await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, doc) = json(res).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let expected = [
        ("/api/v1/openapi.json", &["get"][..]),
        ("/api/v1/stores/{store}/listings", &["get"]),
        ("/api/v1/checkout/session", &["post"]),
        ("/api/v1/webhooks/stripe", &["post"]),
        ("/api/v1/lists/{list}/items", &["get", "post"]),
        (
            "/api/v1/lists/{list}/items/{item}",
            &["get", "patch", "delete"],
        ),
        ("/api/v1/events", &["get"]),
        ("/api/v1/discord/interactions", &["post"]),
        ("/api/v1/channels/{channel}/locks", &["post"]),
        ("/api/v1/channels/{channel}/locks/{lock}", &["delete"]),
        ("/api/v1/channels/{channel}/sales", &["post"]),
        ("/api/v1/channels/{channel}/handoff", &["post"]),
    ];
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(
        paths.len(),
        expected.len(),
        "{:?}",
        paths.keys().collect::<Vec<_>>()
    );
    for (path, methods) in expected {
        for m in methods {
            assert!(paths[path][*m].is_object(), "{m} {path}");
        }
    }
    assert!(doc["components"]["schemas"]["WtbItem"].is_object());
    assert!(doc["components"]["securitySchemes"]["list_key"].is_object());
    assert!(doc["components"]["securitySchemes"]["channel_secret"].is_object());
    assert!(doc["components"]["securitySchemes"]["session"].is_object());
    // Unknown API paths answer in JSON too.
    let (status, body) = json(app.get("/api/v1/no-such-thing").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
}

async fn wanted_items_link_to_catalog_products(backend: Backend) {
    let app = spawn_app(backend).await;
    seed_catalog(&app.db, &[
        r#"{"kind":"sneaker","name":"Nike Dunk Low Retro White Black Panda","brand":"Nike","style_id":"DD1391-100"}"#,
        r#"{"kind":"sneaker","name":"Nike Dunk Low Reverse Panda","brand":"Nike","style_id":"FD9064-011"}"#,
    ]).await;
    let panda: String = with_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT id FROM catalog_products WHERE style_id = 'DD1391-100'").fetch_one(pool).await)
    .unwrap();
    let c = app.reseller("wanda").await;
    let list = new_list(&app, &c, "Grails", true).await;
    let key = issue_key(&app, &c, list["id"].as_str().unwrap()).await;
    let slug = list["slug"].as_str().unwrap();

    // The bot sends a style id: the item is linked to its product.
    let (status, item) = json(
        bot_post(
            &app,
            &key,
            slug,
            json!({"name": "dunks", "style_id": "dd1391-100", "size": "10"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    assert_eq!(item["product_id"], panda.as_str(), "{item}");
    // A name alone, confidently the Reverse Panda (not the Panda).
    let (_, item) = json(
        bot_post(
            &app,
            &key,
            slug,
            json!({"name": "nike dunk low reverse panda"}),
        )
        .await,
    )
    .await;
    assert_ne!(item["product_id"], panda.as_str(), "{item}");
    assert!(item["product_id"].is_string(), "{item}");
    // Nothing confident: left empty. A product id the bot sends is kept as sent.
    let (_, item) =
        json(bot_post(&app, &key, slug, json!({"name": "some random thing"})).await).await;
    assert!(item["product_id"].is_null(), "{item}");
    let (_, item) = json(
        bot_post(
            &app,
            &key,
            slug,
            json!({"name": "dunks", "product_id": "stockx:abc"}),
        )
        .await,
    )
    .await;
    assert_eq!(item["product_id"], "stockx:abc", "{item}");
}

on_both_databases!(
    wanted_items_link_to_catalog_products,
    new_wanted_items_find_listings_already_on_sale,
    key_lifecycle,
    api_validates_pages_and_versions,
    rate_limit_per_key,
    key_regeneration_is_limited,
    dashboard_lists,
    listings_match_wanted_items,
    openapi_describes_every_route,
);
