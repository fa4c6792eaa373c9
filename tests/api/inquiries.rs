//! Shoppers' questions: the contact form's checks and spam rules (a hidden field, a form
//! sent too fast, a flood from one address, a store's daily cap), the owner's notice and
//! mail, answering by mail, archiving, and privacy between stores.

use std::time::Duration;

use crate::{helpers::*, on_both_databases};
use flipdesk::{server::db::Backend, with_db};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn form(app: &TestApp, store: &str, listing: Option<&str>) -> Value {
    let (code, body) = app
        .rpc(
            &client(),
            "storefront/contact-form",
            json!({"store": store, "listing": listing}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    body
}

fn input(started: &Value, message: &str) -> Value {
    json!({"name": "Sam <b>Buyer</b>", "contact": "Sam@Example.com", "message": message,
           "listing_id": null, "website": "", "started": started})
}

async fn send(app: &TestApp, c: &Client, store: &str, input: Value) -> (StatusCode, Value) {
    app.rpc(
        c,
        "storefront/inquiry",
        json!({"store": store, "input": input}),
    )
    .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    with_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await).unwrap()
}

async fn shoppers_ask_and_owners_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.reseller("asked").await;
    let other = app.reseller("nosy").await;
    let (_, listing) = app
        .list_in_store(&owner, sneaker_input("1", "555088-101", "10"), "300")
        .await;
    let shopper = client();
    let blank = form(&app, "asked-store", None).await;
    let started = blank["started"].clone();
    assert_eq!(blank["store"]["name"], "asked");
    let about = form(&app, "asked-store", Some(&listing)).await;
    assert_eq!(about["listing"][1], "Jordan 1 Chicago");
    let (code, _) = app
        .rpc(
            &shopper,
            "storefront/contact-form",
            json!({"store": "no-such-store", "listing": null}),
        )
        .await;
    assert_eq!(code, StatusCode::NOT_FOUND);

    // Sent the moment the page opened: a bot, or a person asked to take a moment.
    let (code, e) = send(&app, &shopper, "asked-store", input(&started, "Is it DS?")).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(
        e["fields"]["message"]
            .as_str()
            .unwrap()
            .contains("take a moment"),
        "{e}"
    );
    // A made-up start time is refused too.
    let (code, _) = send(
        &app,
        &shopper,
        "asked-store",
        input(&json!("1.deadbeef"), "Is it DS?"),
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    app.advance(Duration::from_secs(5)).await;

    // Bad input: nothing kept.
    let (code, e) = send(
        &app,
        &shopper,
        "asked-store",
        input(&started, &"x".repeat(10_000)),
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["fields"]["message"].as_str().unwrap().contains("2000"),
        "{e}"
    );
    let mut bad = input(&started, "Hi");
    bad["contact"] = json!("my phone");
    let (code, e) = send(&app, &shopper, "asked-store", bad).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["fields"]["contact"].is_string(), "{e}");
    // The hidden field filled in: answered like a success, kept nowhere.
    let mut bot = input(&started, "Buy followers");
    bot["website"] = json!("http://spam.example");
    let (code, _) = send(&app, &shopper, "asked-store", bot).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(app.count("inquiries").await, 0);

    // A real question about the item, with markup that stays text.
    let mut q = input(&started, "<script>alert('hi')</script> Is the box OK?");
    q["listing_id"] = json!(listing);
    let (code, body) = send(&app, &shopper, "asked-store", q).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let (code, list) = app
        .rpc(&owner, "inquiries/list", json!({"status": "new"}))
        .await;
    assert_eq!(code, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().unwrap().len(), 1);
    let asked = &list[0];
    assert_eq!(
        asked["message"],
        "<script>alert('hi')</script> Is the box OK?"
    );
    assert_eq!(asked["contact"], "sam@example.com");
    assert_eq!(asked["listing"][1], "Jordan 1 Chicago");
    let id = asked["id"].as_str().unwrap().to_string();
    let page = app.text(&owner, "/app/store/inquiries").await;
    assert!(
        page.contains("&lt;script&gt;alert") && !page.contains("<script>alert"),
        "shown as text"
    );
    // The owner hears of it: in the inbox and by mail.
    let (_, inbox) = app.rpc(&owner, "inbox/list", json!({"query": {}})).await;
    assert!(
        inbox["items"][0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Question from Sam <b>Buyer</b> about Jordan 1 Chicago")
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE kind = 'inquiry_received' AND to_address = 'asked@example.com'").await, 1);

    // Another reseller sees none of it and cannot answer or archive it.
    let (_, theirs) = app
        .rpc(&other, "inquiries/list", json!({"status": "new"}))
        .await;
    assert_eq!(theirs, json!([]));
    let (code, _) = app
        .rpc(
            &other,
            "inquiries/answer",
            json!({"id": id, "reply": "Mine now"}),
        )
        .await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    let (code, _) = app
        .rpc(
            &other,
            "inquiries/status",
            json!({"id": id, "status": "archived"}),
        )
        .await;
    assert_eq!(code, StatusCode::NOT_FOUND);

    // The owner answers: mailed to the shopper, kept, moved to answered.
    let (code, e) = app
        .rpc(
            &owner,
            "inquiries/answer",
            json!({"id": id, "reply": "   "}),
        )
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (code, body) = app
        .rpc(
            &owner,
            "inquiries/answer",
            json!({"id": id, "reply": "Yes, perfect box."}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE kind = 'inquiry_answer' AND to_address = 'sam@example.com'").await, 1);
    let (_, answered) = app
        .rpc(&owner, "inquiries/list", json!({"status": "answered"}))
        .await;
    assert_eq!(answered[0]["reply"], "Yes, perfect box.");
    let (code, _) = app
        .rpc(
            &owner,
            "inquiries/status",
            json!({"id": id, "status": "archived"}),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    let (_, archived) = app
        .rpc(&owner, "inquiries/list", json!({"status": "archived"}))
        .await;
    assert_eq!(archived.as_array().unwrap().len(), 1);

    // A store takes so many questions a day.
    with_db!(&app.db, pool => sqlx::query(
        "INSERT INTO inquiries (id, store_id, name, contact, message, status, ip_key, created_at) \
         SELECT 'seed' || n, store_id, 'x', '@x', 'x', 'new', 'k', created_at FROM inquiries, \
         (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7) AS ns")
        .execute(pool).await.map(|_| ())).unwrap();
    let seven = app.count("inquiries").await;
    let more = (flipdesk::domain::inquiry::PER_STORE_PER_DAY - seven) as usize;
    with_db!(&app.db, pool => async {
        for n in 0..more {
            sqlx::query("INSERT INTO inquiries (id, store_id, name, contact, message, status, ip_key, created_at) \
                SELECT $1, store_id, 'x', '@x', 'x', 'new', 'k', created_at FROM inquiries WHERE id = 'seed1'")
                .bind(format!("fill{n}")).execute(pool).await?;
        }
        Ok::<_, sqlx::Error>(())
    }.await).unwrap();
    let (code, e) = send(&app, &shopper, "asked-store", input(&started, "One more?")).await;
    assert_eq!(code, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "store_busy");
    with_db!(&app.db, pool => sqlx::query("DELETE FROM inquiries WHERE ip_key = 'k'").execute(pool).await.map(|_| ())).unwrap();

    // A flood from one address: 429 past the limit, nothing kept beyond it.
    let mut accepted = 1; // the question above
    let mut refused = 0;
    for n in 0..6 {
        let (code, _) = send(
            &app,
            &shopper,
            "asked-store",
            input(&started, &format!("Question {n}")),
        )
        .await;
        match code {
            StatusCode::OK => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("{other}"),
        }
    }
    // The store-cap attempt above took one place of the address's five.
    assert_eq!((accepted, refused), (4, 3), "five per address per hour");
    assert_eq!(app.count("inquiries").await, 4);
}

on_both_databases!(shoppers_ask_and_owners_answer);
