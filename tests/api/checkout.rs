//! Storefront checkout: reservations under a crowd, idempotency keys, Stripe webhooks in any
//! order and any number of times, expiry and late payments, refunds and privacy.

use crate::{
    fake_stripe::{self, FakeStripe, WEBHOOK_SECRET, signed_event, webhook},
    helpers::*,
    on_both_databases,
};
use flipdesk::{
    domain::{Currency, Money},
    server::db::Backend,
    with_db,
};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

fn sneaker(qty: &str) -> Value {
    sneaker_input(qty, "555088-101", "10")
}

/// An item of `qty` units listed at `price` in the reseller's store: (item id, listing id).
async fn listed(app: &TestApp, c: &Client, qty: &str, price: &str) -> (String, String) {
    app.list_in_store(c, sneaker(qty), price).await
}

async fn set_shipping(app: &TestApp, c: &Client, slug: &str, instructions: &str) {
    let input = json!({"name": slug, "tagline": "", "description": "Deadstock only.", "logo_url": "", "currency": "USD",
        "ships_from": "US", "shipping_rates": "US 10\n* 30", "free_shipping_over": "", "policies": "No returns.", "faq": "",
        "payment_instructions": instructions});
    let (status, body) = app
        .rpc(
            c,
            "store/settings/save",
            json!({"slug": slug, "input": input}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn cart(store: &str, listing: &str, qty: i64, email: &str) -> Value {
    json!({"store": store, "lines": [{"listing_id": listing, "quantity": qty}], "email": email,
           "shipping_address": {"name": "Sam Buyer", "line1": "1 Main St", "city": "Austin", "postal_code": "73301", "region": "TX", "country": "US"}})
}

async fn checkout(app: &TestApp, key: Option<&str>, body: &Value) -> (StatusCode, Value) {
    let mut req = app
        .client
        .post(app.url("/api/v1/checkout/session"))
        .json(body);
    if let Some(key) = key {
        req = req.header("Idempotency-Key", key);
    }
    json(req.send().await.unwrap()).await
}

async fn scalar(app: &TestApp, sql: &str, bind: &str) -> i64 {
    with_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(sql).bind(bind).fetch_one(pool).await)
        .unwrap()
}

async fn text(app: &TestApp, sql: &str, bind: &str) -> String {
    with_db!(&app.db, pool => sqlx::query_scalar::<_, String>(sql).bind(bind).fetch_one(pool).await)
        .unwrap()
}

async fn available(app: &TestApp, listing: &str) -> i64 {
    scalar(app, "SELECT available FROM listings WHERE id = $1", listing).await
}

async fn order_status(app: &TestApp, order: &str) -> String {
    text(app, "SELECT status FROM orders WHERE id = $1", order).await
}

async fn unapplied_events(app: &TestApp) -> i64 {
    with_db!(&app.db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM stripe_events WHERE applied_at IS NULL").fetch_one(pool).await).unwrap()
}

fn session_event(
    id: &str,
    kind: &str,
    session: &str,
    order: &str,
    payment_status: &str,
    amount: i64,
) -> Value {
    json!({"id": id, "object": "event", "type": kind, "data": {"object": {
        "id": session, "object": "checkout.session", "client_reference_id": order, "payment_status": payment_status,
        "amount_total": amount, "currency": "usd", "payment_intent": format!("pi_{order}"), "metadata": {"order_id": order}}}})
}

async fn stripe_app(backend: Backend, fake: &FakeStripe, extra: &[(&str, &str)]) -> TestApp {
    let env = fake.env();
    let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.extend_from_slice(extra);
    spawn_app_with(backend, &vars).await
}

on_both_databases!(
    shutdown_lets_in_flight_checkouts_finish,
    stripe_collects_the_address_where_shipping_was_charged,
    two_hundred_shoppers_race_for_ten_units,
    checkout_is_idempotent_and_checks_its_input,
    stripe_webhooks_in_any_order_and_number_give_one_paid_order,
    a_stripe_event_that_cannot_be_applied_waits_for_its_owner,
    expiry_releases_stock_and_a_late_payment_never_oversells,
    refunds_are_idempotent_and_restock,
    a_partial_refund_of_a_shipped_order_keeps_the_sale_and_the_stock,
    manual_payment_holds_stock_for_days_and_reminds_the_buyer,
    nobody_can_hold_a_stores_stock,
    order_mail_cannot_be_used_for_phishing,
    storefront_links_unfurl,
    orders_belong_to_their_store_and_buyer,
    a_delayed_payment_holds_stock_until_it_fails,
    a_session_stripe_will_not_expire_keeps_its_stock_for_the_payment,
    the_storefront_shows_settings_and_listing_changes_at_once,
);

/// The store face and filter values are cached; the owner's own changes show at once.
async fn the_storefront_shows_settings_and_listing_changes_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.reseller("fresh").await;
    let (_, listing) = listed(&app, &owner, "1", "150").await;
    let page = |path: &str| {
        let url = app.url(path);
        async move {
            let res = client().get(url).send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let (status, html) = page("/s/fresh-store").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Jordan 1 Chicago") && html.contains(r#"<option value="Nike""#));

    // A new name and address: the old address is gone, the new one shows the new name.
    let input = json!({"name": "Fresh Kicks", "tagline": "", "description": "", "logo_url": "", "currency": "USD",
        "ships_from": "US", "shipping_rates": "", "free_shipping_over": "", "policies": "", "faq": "",
        "payment_instructions": "Pay by bank transfer."});
    let (status, body) = app
        .rpc(
            &owner,
            "store/settings/save",
            json!({"slug": "fresh-kicks", "input": input}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(page("/s/fresh-store").await.0, StatusCode::NOT_FOUND);
    let (status, html) = page("/s/fresh-kicks").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Fresh Kicks"));

    // Withdrawn: off the catalog and out of the filters.
    let (status, body) = app
        .rpc(
            &owner,
            "store/listings/withdraw",
            json!({"listing_id": listing}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, html) = page("/s/fresh-kicks").await;
    assert!(
        !html.contains("Jordan 1 Chicago"),
        "withdrawn listing still shown"
    );
    assert!(
        !html.contains(r#"<option value="Nike""#),
        "stale brand filter"
    );
    assert!(html.contains("Nothing for sale right now"));
}

/// Stopping the server while shoppers are mid-checkout (their Stripe sessions being
/// created) lets every one of them finish, and nothing new is accepted afterwards.
async fn shutdown_lets_in_flight_checkouts_finish(backend: Backend) {
    let fake = fake_stripe::start().await;
    let mut app = stripe_app(backend, &fake, &[]).await;
    let owner = app.reseller("closing").await;
    let (_, listing) = listed(&app, &owner, "20", "30").await;
    fake.gate.close();
    let mut inflight = Vec::new();
    for n in 0..20 {
        let client = app.client.clone();
        let url = app.url("/api/v1/checkout/session");
        let body = cart("closing-store", &listing, 1, &format!("s{n}@example.com"));
        inflight.push(tokio::spawn(async move {
            let res = client
                .post(url)
                .header("Idempotency-Key", format!("c-{n}"))
                .json(&body)
                .send()
                .await;
            res.map(|r| r.status())
        }));
    }
    // Every request is inside the server, waiting on Stripe, when the server is told to stop.
    fake.gate.wait_for_arrivals(20).await;
    let server = app.server.take().unwrap();
    let stopping = tokio::spawn(server.shutdown(Duration::from_secs(10)));
    fake.gate.open();
    stopping.await.unwrap();
    for task in inflight {
        assert_eq!(task.await.unwrap().unwrap(), StatusCode::CREATED);
    }
    assert_eq!(available(&app, &listing).await, 0);
    // After shutdown nothing listens any more.
    assert!(app.client.get(app.url("/health")).send().await.is_err());
}

async fn a_session_stripe_will_not_expire_keeps_its_stock_for_the_payment(backend: Backend) {
    let fake = fake_stripe::start().await;
    fake.recorded.lock().unwrap().refuse_expire = true;
    let app = stripe_app(backend, &fake, &[]).await;
    let owner = app.reseller("justpaid").await;
    let (_, listing) = listed(&app, &owner, "1", "60").await;
    let (_, created) = checkout(
        &app,
        Some("j-1"),
        &cart("justpaid-store", &listing, 1, "quick@example.com"),
    )
    .await;
    let order = created["order_id"].as_str().unwrap().to_string();
    // The hold ends, but Stripe says the session is complete: the unit stays held.
    app.advance(hold(&app) + Duration::from_secs(1)).await;
    assert_eq!(order_status(&app, &order).await, "pending_payment");
    assert_eq!(available(&app, &listing).await, 0);
    let session = fake.session_of(&order).unwrap();
    let paid = session_event(
        "evt_jp",
        "checkout.session.completed",
        &session,
        &order,
        "paid",
        6_000,
    );
    assert_eq!(webhook(&app, &paid).await, StatusCode::OK);
    assert_eq!(order_status(&app, &order).await, "paid");
    assert_eq!(available(&app, &listing).await, 0);
}

async fn a_delayed_payment_holds_stock_until_it_fails(backend: Backend) {
    let fake = fake_stripe::start().await;
    let app = stripe_app(backend, &fake, &[]).await;
    let owner = app.reseller("delayed").await;
    let (_, listing) = listed(&app, &owner, "1", "40").await;
    let (_, created) = checkout(
        &app,
        Some("d-1"),
        &cart("delayed-store", &listing, 1, "bank@example.com"),
    )
    .await;
    let order = created["order_id"].as_str().unwrap().to_string();
    let session = fake.session_of(&order).unwrap();
    // Checkout completed with a bank debit still running: the units stay held past the TTL.
    let started = session_event(
        "evt_unpaid",
        "checkout.session.completed",
        &session,
        &order,
        "unpaid",
        4_000,
    );
    assert_eq!(webhook(&app, &started).await, StatusCode::OK);
    assert_eq!(order_status(&app, &order).await, "payment_processing");
    app.advance(hold(&app) + Duration::from_secs(60)).await;
    assert_eq!(order_status(&app, &order).await, "payment_processing");
    assert_eq!(available(&app, &listing).await, 0);
    // The debit fails: the order is cancelled and the unit is on sale again.
    let failed = session_event(
        "evt_failed",
        "checkout.session.async_payment_failed",
        &session,
        &order,
        "unpaid",
        4_000,
    );
    assert_eq!(webhook(&app, &failed).await, StatusCode::OK);
    assert_eq!(order_status(&app, &order).await, "cancelled");
    assert_eq!(available(&app, &listing).await, 1);
    // Replayed, nothing moves twice.
    assert_eq!(webhook(&app, &failed).await, StatusCode::OK);
    assert_eq!(available(&app, &listing).await, 1);
}

async fn two_hundred_shoppers_race_for_ten_units(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.reseller("racer").await;
    let (item, listing) = listed(&app, &owner, "10", "150").await;
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for n in 0..200 {
        let app = app.clone();
        let listing = listing.clone();
        tasks.push(tokio::spawn(async move {
            let body = cart(
                "racer-store",
                &listing,
                1,
                &format!("shopper{n}@example.com"),
            );
            let key = format!("race-{n}");
            let res = app
                .client
                .post(app.url("/api/v1/checkout/session"))
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = res.status();
            let body: Value = res.json().await.unwrap();
            (status, body)
        }));
    }
    let mut sold = 0;
    let mut refused = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::CREATED => sold += 1,
            StatusCode::CONFLICT => {
                assert_eq!(body["error"]["code"], "insufficient_stock", "{body}");
                refused += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((sold, refused), (10, 190));
    assert_eq!(available(&app, &listing).await, 0);
    assert_eq!(app.count("orders").await, 10);
    let reserved = scalar(
        &app,
        "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM order_lines WHERE listing_id = $1",
        &listing,
    )
    .await;
    assert_eq!(reserved, 10);
    // Reserved, not sold: the inventory still holds the ten units until payment.
    assert_eq!(
        scalar(&app, "SELECT quantity FROM items WHERE id = $1", &item).await,
        10
    );
}

async fn checkout_is_idempotent_and_checks_its_input(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.reseller("idem").await;
    set_shipping(
        &app,
        &owner,
        "idem-store",
        "Bank transfer to IBAN DE00 1234.",
    )
    .await;
    let (_, listing) = listed(&app, &owner, "1", "200").await;
    let body = cart("idem-store", &listing, 1, "first@example.com");

    // Without a key, with malformed JSON, with bad fields: refused and nothing reserved.
    let (status, e) = checkout(&app, None, &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    let res = app
        .client
        .post(app.url("/api/v1/checkout/session"))
        .header("Idempotency-Key", "k0")
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (status, e) = checkout(
        &app,
        Some("k0"),
        &json!({"store": "idem-store", "lines": [{"listing_id": listing, "quantity": 0}],
        "email": "nope", "shipping_address": {"country": "Germany"}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["error"]["fields"]["email"].is_string()
            && e["error"]["fields"]["lines[0].quantity"].is_string(),
        "{e}"
    );
    assert!(
        e["error"]["fields"]["shipping_address.country"].is_string(),
        "{e}"
    );
    // The walkthrough's order with only an email and a country: under manual payment
    // nobody else collects the address, so every missing part is named and nothing is held.
    let (status, e) = checkout(
        &app,
        Some("k-country"),
        &json!({"store": "idem-store", "lines": [{"listing_id": listing, "quantity": 1}],
        "email": "b@example.com", "shipping_address": {"country": "US"}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    for part in ["name", "line1", "city", "postal_code", "region"] {
        assert!(
            e["error"]["fields"][format!("shipping_address.{part}")].is_string(),
            "{part}: {e}"
        );
    }
    let (status, e) = checkout(
        &app,
        Some("k-none"),
        &json!({"store": "idem-store", "lines": [{"listing_id": listing, "quantity": 1}], "email": "b@example.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["error"]["fields"]["shipping_address"].is_string(), "{e}");
    let (status, _) = checkout(
        &app,
        Some("k-store"),
        &cart("no-such-store", &listing, 1, "a@example.com"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, e) = checkout(
        &app,
        Some("k-other"),
        &cart(
            "idem-store",
            "01890000-0000-7000-8000-000000000000",
            1,
            "a@example.com",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(available(&app, &listing).await, 1);
    assert_eq!(app.count("orders").await, 0);

    // Shipping is priced on the server: $200 + $10 domestic.
    let (status, first) = checkout(&app, Some("key-1"), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["status"], "pending_payment");
    let order = first["order_id"].as_str().unwrap();
    assert_eq!(
        scalar(&app, "SELECT total FROM orders WHERE id = $1", order).await,
        21_000
    );
    assert!(
        first["checkout_url"]
            .as_str()
            .unwrap()
            .contains(&format!("/orders/{order}?token=")),
        "{first}"
    );
    let expires = time::OffsetDateTime::parse(
        first["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    // Manual payment (no Stripe keys): the hold is three days, not ten minutes.
    let secs = (expires - time::OffsetDateTime::now_utc()).whole_seconds();
    assert!(
        (72 * 3600 - 10..=72 * 3600).contains(&secs),
        "reservation of {secs} s"
    );

    // The same key and body: the first answer again, even though the stock is now gone.
    let (status, again) = checkout(&app, Some("key-1"), &body).await;
    assert_eq!((status, &again), (StatusCode::CREATED, &first));
    // The same key and body from someone else: the same order, but not the buyer's link.
    let (status, stranger, _) = checkout_from(&app, [127, 0, 0, 9], "key-1", &body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(stranger["order_id"], first["order_id"]);
    assert!(
        !stranger["checkout_url"]
            .as_str()
            .unwrap()
            .contains("token="),
        "{stranger}"
    );
    // A new key for the same cart: sold out.
    let (status, e) = checkout(&app, Some("key-2"), &body).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "insufficient_stock");
    // …and that refusal is replayed too.
    assert_eq!(
        checkout(&app, Some("key-2"), &body).await,
        (StatusCode::CONFLICT, e)
    );
    // The same key with another body.
    let (status, e) = checkout(
        &app,
        Some("key-1"),
        &cart("idem-store", &listing, 1, "other@example.com"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["code"], "idempotency_mismatch");
    // A key whose first request is still running.
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(body.to_string().as_bytes()))
    };
    with_db!(&app.db, pool => sqlx::query("INSERT INTO idempotency_keys (key, request_hash, expires_at) VALUES ($2, $1, 99999999999999)")
        .bind(&hash).bind("idem-store\u{1f}busy").execute(pool).await.map(|r| r.rows_affected())).unwrap();
    let (status, e) = checkout(&app, Some("busy"), &body).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "idempotency_in_progress");
    assert_eq!(app.count("orders").await, 1);
    // A key whose day is over starts afresh, even with another body: key-2's refusal is
    // not replayed once it expired (the request runs again, and is refused again).
    with_db!(&app.db, pool => sqlx::query("UPDATE idempotency_keys SET expires_at = 1 WHERE key = $1")
        .bind("idem-store\u{1f}key-2").execute(pool).await.map(|r| r.rows_affected())).unwrap();
    let other = cart("idem-store", &listing, 1, "late@example.com");
    let (status, e) = checkout(&app, Some("key-2"), &other).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "insufficient_stock");
    let stored: (i64, i64) = with_db!(&app.db, pool => sqlx::query_as("SELECT expires_at, status_code FROM idempotency_keys WHERE key = $1")
        .bind("idem-store\u{1f}key-2").fetch_one(pool).await).unwrap();
    assert!(stored.0 > 1 && stored.1 == 409, "{stored:?}");

    // Manual payment: the buyer got the instructions by mail (kept in the outbox).
    let mail = text(
        &app,
        "SELECT body FROM outbox WHERE order_id = $1 AND kind = 'order_received'",
        order,
    )
    .await;
    assert!(
        mail.contains("IBAN DE00 1234") && mail.contains("$210.00"),
        "{mail}"
    );
    // The public JSON catalog no longer offers the reserved unit.
    let (status, page) = json(app.get("/api/v1/stores/idem-store/listings").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["items"].as_array().unwrap().len(), 0, "{page}");
}

async fn stripe_webhooks_in_any_order_and_number_give_one_paid_order(backend: Backend) {
    let fake = fake_stripe::start().await;
    let app = stripe_app(backend, &fake, &[]).await;
    let owner = app.reseller("stripey").await;
    let (item, listing) = listed(&app, &owner, "3", "120").await;
    let (status, created) = checkout(
        &app,
        Some("s-1"),
        &cart("stripey-store", &listing, 2, "buyer@example.com"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let order = created["order_id"].as_str().unwrap().to_string();
    let session = fake
        .session_of(&order)
        .expect("a Checkout Session was opened");
    assert_eq!(
        created["checkout_url"],
        format!("https://checkout.stripe.test/c/pay/{session}")
    );
    // No rates set: the store ships free within its own country.
    let total = scalar(&app, "SELECT total FROM orders WHERE id = $1", &order).await;
    assert_eq!(total, 2 * 12_000);

    // Bad and stale signatures: 400, nothing recorded.
    let event = session_event(
        "evt_paid",
        "checkout.session.completed",
        &session,
        &order,
        "paid",
        total,
    );
    let (body, _) = signed_event(
        &event,
        WEBHOOK_SECRET,
        time::OffsetDateTime::now_utc().unix_timestamp(),
    );
    let res = app
        .client
        .post(app.url("/api/v1/webhooks/stripe"))
        .header("Stripe-Signature", "t=1,v1=00")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (_, stale) = signed_event(
        &event,
        WEBHOOK_SECRET,
        time::OffsetDateTime::now_utc().unix_timestamp() - 600,
    );
    let res = app
        .client
        .post(app.url("/api/v1/webhooks/stripe"))
        .header("Stripe-Signature", stale)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (_, wrong) = signed_event(
        &event,
        "whsec_someone_else",
        time::OffsetDateTime::now_utc().unix_timestamp(),
    );
    let res = app
        .client
        .post(app.url("/api/v1/webhooks/stripe"))
        .header("Stripe-Signature", wrong)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.count("stripe_events").await, 0);
    assert_eq!(order_status(&app, &order).await, "pending_payment");

    // The same event ten times at once, and the async success shuffled in among them.
    let app = std::sync::Arc::new(app);
    let mut deliveries = Vec::new();
    for n in 0..12 {
        let app = app.clone();
        let event = if n == 5 {
            session_event(
                "evt_async_ok",
                "checkout.session.async_payment_succeeded",
                &session,
                &order,
                "paid",
                total,
            )
        } else if n == 9 {
            session_event(
                "evt_other",
                "payment_intent.succeeded",
                &session,
                &order,
                "paid",
                total,
            )
        } else {
            event.clone()
        };
        deliveries.push(tokio::spawn(async move { webhook(&app, &event).await }));
    }
    for d in deliveries {
        assert_eq!(d.await.unwrap(), StatusCode::OK);
    }
    // What one delivery's run left to another still running is done by now; nothing is left.
    app.run_pending_jobs().await;
    assert_eq!(unapplied_events(&app).await, 0);
    assert_eq!(order_status(&app, &order).await, "paid");
    assert_eq!(app.count("stripe_events").await, 3);
    sold_once(&app, &order, &item, &listing).await;
    assert_eq!(
        text(&app, "SELECT channel FROM sales WHERE item_id = $1", &item).await,
        "storefront"
    );
    // Only the two payment events needed work (each job is the order owner's, shown to them
    // if it fails for good), and the queue may run a job twice: running both again changes
    // nothing.
    let event_jobs = "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND owner_user_id IS NOT NULL";
    assert_eq!(scalar(&app, event_jobs, "stripe.event").await, 2);
    with_db!(&app.db, pool => sqlx::query("UPDATE jobs SET status = 'queued', run_at = 0 WHERE kind = 'stripe.event'").execute(pool).await.map(|r| r.rows_affected())).unwrap();
    app.run_pending_jobs().await;
    let done = "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND status = 'done' AND attempts = 2";
    assert_eq!(scalar(&app, done, "stripe.event").await, 2);
    sold_once(&app, &order, &item, &listing).await;
    // Applied events keep no copy of the buyer's details.
    let kept = with_db!(&app.db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM stripe_events WHERE payload IS NOT NULL").fetch_one(pool).await).unwrap();
    assert_eq!(kept, 0);
    // An expiry arriving after the payment changes nothing.
    assert_eq!(
        webhook(
            &app,
            &session_event(
                "evt_exp",
                "checkout.session.expired",
                &session,
                &order,
                "unpaid",
                total
            )
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(order_status(&app, &order).await, "paid");
    assert_eq!(available(&app, &listing).await, 1);
    // The confirmation mail goes out through the job queue (kept in the outbox without SMTP).
    assert!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND status = 'done'",
            "mail.send",
        )
        .await
            >= 1
    );

    // A refund reported by Stripe before we asked for it: recorded once, however often.
    let refund = json!({"id": "evt_ref", "type": "charge.refunded", "data": {"object": {"id": "ch_1", "object": "charge",
        "payment_intent": format!("pi_{order}"), "amount_refunded": 5_000, "metadata": {}}}});
    for _ in 0..3 {
        assert_eq!(webhook(&app, &refund).await, StatusCode::OK);
    }
    assert_eq!(
        scalar(&app, "SELECT refunded FROM orders WHERE id = $1", &order).await,
        5_000
    );
    // The owner refunds the rest through Stripe (the fake records it once per refund id).
    let (status, body) = app
        .rpc(
            &owner,
            "orders/refund",
            json!({"order_id": order, "refund_id": "r-1", "input": {"amount": "", "returns": []}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app
        .rpc(
            &owner,
            "orders/refund",
            json!({"order_id": order, "refund_id": "r-1", "input": {"amount": "", "returns": []}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        fake.recorded.lock().unwrap().refunds,
        vec![(format!("pi_{order}"), total - 5_000)]
    );
    assert_eq!(order_status(&app, &order).await, "refunded");
    // A dispute puts the order in front of the owner.
    let dispute = json!({"id": "evt_dp", "type": "charge.dispute.created", "data": {"object": {"id": "dp_1", "object": "dispute",
        "payment_intent": format!("pi_{order}"), "reason": "fraudulent"}}});
    assert_eq!(webhook(&app, &dispute).await, StatusCode::OK);
    assert_eq!(order_status(&app, &order).await, "paid_needs_attention");
    let (_, detail) = app
        .rpc(&owner, "orders/get", json!({"order_id": order}))
        .await;
    assert!(
        detail["attention"].as_str().unwrap().contains("dispute"),
        "{detail}"
    );
    let actions: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "order_created",
            "payment_received",
            "refund_reported",
            "refund",
            "dispute_opened"
        ],
        "{detail}"
    );
    assert!(
        detail["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["verified"] == true)
    );
    // An edited event no longer verifies.
    with_db!(&app.db, pool => sqlx::query("UPDATE order_events SET detail = 'edited' WHERE action = 'refund'").execute(pool).await.map(|r| r.rows_affected())).unwrap();
    let (_, detail) = app
        .rpc(&owner, "orders/get", json!({"order_id": order}))
        .await;
    let refund_event = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "refund")
        .unwrap()
        .clone();
    assert_eq!(refund_event["verified"], false);
}

/// A received event whose job fails for good is dead-lettered where its owner sees it, and
/// applies once the owner retries it after the cause is gone.
async fn a_stripe_event_that_cannot_be_applied_waits_for_its_owner(backend: Backend) {
    let fake = fake_stripe::start().await;
    let app = stripe_app(backend, &fake, &[]).await;
    let owner = app.reseller("stuck").await;
    let (item, listing) = listed(&app, &owner, "3", "50").await;
    let (status, created) = checkout(
        &app,
        Some("stuck-1"),
        &cart("stuck-store", &listing, 1, "buyer@example.com"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let order = created["order_id"].as_str().unwrap().to_string();
    let owner_id = text(
        &app,
        "SELECT id FROM users WHERE email = $1",
        "stuck@example.com",
    )
    .await;
    // A stored event that cannot be read (as if written by a broken release), one attempt.
    let now = time::OffsetDateTime::now_utc();
    with_db!(&app.db, pool => async {
        sqlx::query("INSERT INTO stripe_events (id, type, received_at, payload) VALUES ('evt_stuck', 'checkout.session.completed', $1, '{\"id\": ')")
            .bind(now).execute(pool).await?;
        sqlx::query("INSERT INTO jobs (id, kind, payload, owner_user_id, status, attempts, max_attempts, run_at, created_at, updated_at) \
                     VALUES ('job_stuck', 'stripe.event', '{\"event_id\": \"evt_stuck\"}', $1, 'queued', 0, 1, 0, $2, $2)")
            .bind(&owner_id).bind(now).execute(pool).await?;
        Ok::<_, sqlx::Error>(())
    }.await)
    .unwrap();
    app.run_pending_jobs().await;
    assert_eq!(
        text(&app, "SELECT status FROM jobs WHERE id = $1", "job_stuck").await,
        "dead"
    );
    assert_eq!(order_status(&app, &order).await, "pending_payment");
    let (status, tasks) = app.rpc(&owner, "orders/failed-tasks", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{tasks}");
    assert_eq!(
        tasks[0]["what"], "Apply a payment update from Stripe",
        "{tasks}"
    );
    assert!(
        tasks[0]["error"]
            .as_str()
            .unwrap()
            .contains("does not parse"),
        "{tasks}"
    );
    // Another reseller can neither see nor retry it.
    let stranger = app.reseller("stranger").await;
    let (_, theirs) = app.rpc(&stranger, "orders/failed-tasks", json!({})).await;
    assert_eq!(theirs, json!([]));
    let (status, _) = app
        .rpc(
            &stranger,
            "orders/retry-task",
            json!({"task_id": "job_stuck"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The cause is fixed; the owner retries and the payment lands once.
    let session = fake.session_of(&order).unwrap();
    let total = scalar(&app, "SELECT total FROM orders WHERE id = $1", &order).await;
    let event = session_event(
        "evt_stuck",
        "checkout.session.completed",
        &session,
        &order,
        "paid",
        total,
    );
    with_db!(&app.db, pool => sqlx::query("UPDATE stripe_events SET payload = $1 WHERE id = 'evt_stuck'")
        .bind(event.to_string()).execute(pool).await.map(|r| r.rows_affected()))
    .unwrap();
    let (status, body) = app
        .rpc(&owner, "orders/retry-task", json!({"task_id": "job_stuck"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.run_pending_jobs().await;
    assert_eq!(unapplied_events(&app).await, 0);
    assert_eq!(order_status(&app, &order).await, "paid");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM sales WHERE item_id = $1", &item).await,
        1
    );
    let (_, tasks) = app.rpc(&owner, "orders/failed-tasks", json!({})).await;
    assert_eq!(tasks, json!([]));
    // Stripe delivering the same event again changes nothing.
    assert_eq!(webhook(&app, &event).await, StatusCode::OK);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM sales WHERE item_id = $1", &item).await,
        1
    );
}

/// One of the item's three units was sold by the order: one sale, one confirmation mail.
async fn sold_once(app: &TestApp, order: &str, item: &str, listing: &str) {
    let confirmations = scalar(
        app,
        "SELECT COUNT(*) FROM outbox WHERE order_id = $1 AND kind = 'order_confirmation'",
        order,
    )
    .await;
    assert_eq!(confirmations, 1);
    let sales = "SELECT COUNT(*) FROM sales WHERE item_id = $1";
    assert_eq!(scalar(app, sales, item).await, 1);
    let quantity = "SELECT quantity FROM items WHERE id = $1";
    assert_eq!(scalar(app, quantity, item).await, 1);
    assert_eq!(available(app, listing).await, 1);
}

/// Manual payment (a bank transfer) holds the units for days, says how to pay with the
/// order number and amount, and reminds the buyer before the hold ends — once, and only
/// while the order still waits.
async fn manual_payment_holds_stock_for_days_and_reminds_the_buyer(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.reseller("banker").await;
    let (_, listing) = listed(&app, &owner, "2", "75").await;
    let placed_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let (status, created) = checkout(
        &app,
        Some("m-1"),
        &cart("banker-store", &listing, 1, "transfer@example.com"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let order = created["order_id"].as_str().unwrap().to_string();
    let expires = scalar(&app, "SELECT expires_at FROM orders WHERE id = $1", &order).await;
    let hold_hours = (expires - placed_at) as f64 / 3_600_000.0;
    assert!(
        (71.9..=72.1).contains(&hold_hours),
        "held {hold_hours} h, not 3 days"
    );
    let number = order.rsplit('-').next().unwrap()[..8].to_uppercase();
    let how = text(
        &app,
        "SELECT body FROM outbox WHERE kind = 'order_received' AND order_id = $1",
        &order,
    )
    .await;
    assert!(how.contains(&number) && how.contains("$75.00"), "{how}");
    let reminder_at = scalar(
        &app,
        "SELECT run_at FROM jobs WHERE kind = 'order.payment_reminder' AND payload LIKE '%' || $1 || '%'",
        &order,
    )
    .await;
    assert_eq!(
        expires - reminder_at,
        24 * 3_600_000,
        "a day before the hold ends"
    );

    // Two days on, the reminder is due: the buyer gets one mail with the number, amount and a
    // link.
    let reminders =
        "SELECT COUNT(*) FROM outbox WHERE kind = 'order_payment_reminder' AND order_id = $1";
    app.advance(Duration::from_secs(47 * 3600)).await;
    assert_eq!(scalar(&app, reminders, &order).await, 0, "not yet");
    app.advance(Duration::from_secs(3600)).await;
    assert_eq!(scalar(&app, reminders, &order).await, 1);
    let body = text(
        &app,
        "SELECT body FROM outbox WHERE kind = 'order_payment_reminder' AND order_id = $1",
        &order,
    )
    .await;
    assert!(
        body.contains(&number) && body.contains("$75.00") && body.contains("/orders/"),
        "{body}"
    );
    assert_eq!(order_status(&app, &order).await, "pending_payment");
    assert_eq!(available(&app, &listing).await, 1);

    // A paid order is not reminded.
    let (_, second) = checkout(
        &app,
        Some("m-2"),
        &cart("banker-store", &listing, 1, "transfer@example.com"),
    )
    .await;
    let paid = second["order_id"].as_str().unwrap().to_string();
    let (status, body) = app
        .rpc(&owner, "orders/mark-paid", json!({"order_id": paid}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.advance(Duration::from_secs(48 * 3600)).await;
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM jobs WHERE kind = 'order.payment_reminder' AND status <> 'done' AND payload LIKE '%' || $1 || '%'", &paid).await,
        0
    );
    assert_eq!(scalar(&app, reminders, &paid).await, 0);
}

/// A checkout from another loopback address (another "IP" as the server sees it).
async fn checkout_from(
    app: &TestApp,
    ip: [u8; 4],
    key: &str,
    body: &Value,
) -> (StatusCode, Value, Option<String>) {
    let from = Client::builder()
        .local_address(std::net::IpAddr::from(ip))
        .build()
        .unwrap();
    let res = from
        .post(app.url("/api/v1/checkout/session"))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null), retry)
}

/// The review's "sneaker-drop bot": one anonymous client could hold a store's stock again and
/// again. Checkouts are limited per address and store, one buyer (email or address) holds
/// only so many units at once, a listing can cap one order, and the owner sees who holds what.
async fn nobody_can_hold_a_stores_stock(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            ("FLIPDESK__CHECKOUT__SESSIONS_PER_IP_PER_MINUTE", "4"),
            ("FLIPDESK__CHECKOUT__MOST_UNITS_HELD_PER_BUYER", "3"),
        ],
    )
    .await;
    let owner = app.reseller("dropper").await;
    let (item, listing) = listed(&app, &owner, "20", "150").await;
    let one = |email: &str, qty: i64| cart("dropper-store", &listing, qty, email);

    // One buyer holds at most 3 units in the store: by email, and by address.
    let (status, body, _) =
        checkout_from(&app, [127, 0, 0, 3], "h-1", &one("bot@example.com", 2)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body, _) =
        checkout_from(&app, [127, 0, 0, 3], "h-2", &one("bot2@example.com", 2)).await;
    assert_eq!(status, StatusCode::CONFLICT, "same address: {body}");
    assert_eq!(body["error"]["code"], "too_many_held");
    let (status, body, _) =
        checkout_from(&app, [127, 0, 0, 4], "h-3", &one("bot@example.com", 2)).await;
    assert_eq!(status, StatusCode::CONFLICT, "same email elsewhere: {body}");
    let (status, body, _) =
        checkout_from(&app, [127, 0, 0, 4], "h-4", &one("shopper@example.com", 1)).await;
    assert_eq!(status, StatusCode::CREATED, "another buyer: {body}");
    assert_eq!(
        available(&app, &listing).await,
        17,
        "refused checkouts hold nothing"
    );

    // The owner sees what is held and by how many orders.
    let (status, rows) = app.rpc(&owner, "store/listings", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{rows}");
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["item_id"] == item.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (row["reserved"].as_i64(), row["holding_orders"].as_i64()),
        (Some(3), Some(2))
    );

    // A listing can cap one order.
    let (status, body) = app
        .rpc(&owner, "store/listings/save", json!({"item_id": item, "input": {"price": "150", "quantity": "", "max_per_order": "1"}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body, _) =
        checkout_from(&app, [127, 0, 0, 5], "h-5", &one("two@example.com", 2)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["fields"]["lines[0].quantity"]
            .as_str()
            .unwrap()
            .contains("at most 1"),
        "{body}"
    );

    // Past 4 checkouts a minute from one address: 429 with Retry-After, nothing reserved.
    for n in 0..4 {
        let (status, _, _) = checkout_from(
            &app,
            [127, 0, 0, 6],
            &format!("r-{n}"),
            &one(&format!("r{n}@example.com"), 1),
        )
        .await;
        assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "checkout {n}");
    }
    let before = available(&app, &listing).await;
    let (status, body, retry) =
        checkout_from(&app, [127, 0, 0, 6], "r-5", &one("r5@example.com", 1)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(retry.is_some_and(|s| s.parse::<u64>().is_ok_and(|s| (1..=60).contains(&s))));
    assert_eq!(available(&app, &listing).await, before);
}

/// The operator's mail is no phishing tool: a store named like a bank, checkouts with a
/// stranger's address. The first order mail frames the seller's words; more from that store
/// wait until the address opens its link.
async fn order_mail_cannot_be_used_for_phishing(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.reseller("phisher").await;
    let (status, body) = app.rpc(&owner, "store/settings", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut input = body["input"].clone();
    input["name"] = json!("PayPal Security Team");
    input["payment_instructions"] =
        json!("Your account is locked. Log in at https://evil.example to unlock it.");
    let (status, body) = app
        .rpc(
            &owner,
            "store/settings/save",
            json!({"slug": "phisher-store", "input": input}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, listing) = listed(&app, &owner, "10", "5").await;
    let victim = "victim@example.com";
    let mut links = Vec::new();
    for n in 0..3 {
        let (status, created) = checkout(
            &app,
            Some(&format!("p-{n}")),
            &cart("phisher-store", &listing, 1, victim),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        links.push(created["checkout_url"].as_str().unwrap().to_string());
    }
    let held = "SELECT COUNT(*) FROM outbox WHERE to_address = $1 AND kind = 'order_received' AND held_reason IS NOT NULL";
    let sent = "SELECT COUNT(*) FROM outbox WHERE to_address = $1 AND kind = 'order_received' AND held_reason IS NULL";
    assert_eq!(
        scalar(&app, sent, victim).await,
        1,
        "one mail a day from a store to an unconfirmed address"
    );
    assert_eq!(scalar(&app, held, victim).await, 2);
    let unsent_jobs = "SELECT COUNT(*) FROM jobs j JOIN outbox o ON j.payload LIKE '%' || o.id || '%' \
        WHERE j.kind = 'mail.send' AND o.to_address = $1 AND o.held_reason IS NOT NULL";
    assert_eq!(
        scalar(&app, unsent_jobs, victim).await,
        0,
        "a held mail is never sent"
    );
    let (subject, body): (String, String) = with_db!(&app.db, pool => sqlx::query_as(
        "SELECT subject, body FROM outbox WHERE to_address = $1 AND held_reason IS NULL").bind(victim).fetch_one(pool).await).unwrap();
    assert!(
        subject.contains("Flipdesk store “PayPal Security Team”"),
        "{subject}"
    );
    assert!(
        body.contains("the store's own words, written by the seller, not by Flipdesk"),
        "{body}"
    );
    assert!(
        body.contains("/s/phisher-store"),
        "the store's address: {body}"
    );
    assert!(body.contains("If that was not you"), "{body}");

    // Whoever placed the orders opening the links they were answered proves nothing about
    // the address: still held.
    for link in &links {
        let path = &link[link.find("/orders/").unwrap()..];
        let res = client().get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let (status, _) = checkout(
        &app,
        Some("p-still"),
        &cart("phisher-store", &listing, 1, victim),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(scalar(&app, sent, victim).await, 1);
    // The address's owner opens the link in the first mail: from now on it gets the store's mail.
    let at = body.find("/orders/").unwrap();
    let path = body[at..].split_whitespace().next().unwrap().to_string();
    let res = client().get(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, _) = checkout(
        &app,
        Some("p-after"),
        &cart("phisher-store", &listing, 1, victim),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(scalar(&app, sent, victim).await, 2);
}

/// A store link and an item link unfurl in Discord and Instagram: Open Graph and Twitter tags
/// with an absolute address, in the server-rendered page.
async fn storefront_links_unfurl(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.reseller("unfurl").await;
    let (_, listing) = listed(&app, &owner, "1", "180").await;
    let html = app.get("/s/unfurl-store").await.text().await.unwrap();
    for tag in [
        "property=\"og:title\"",
        "property=\"og:description\"",
        "name=\"twitter:card\"",
        "name=\"description\"",
    ] {
        assert!(html.contains(tag), "catalog lacks {tag}");
    }
    assert!(html.contains("/s/unfurl-store\""), "og:url");
    let html = app
        .get(&format!("/s/unfurl-store/items/{listing}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("property=\"og:title\" content=\""),
        "item lacks og:title"
    );
    assert!(html.contains("$180.00"), "the price is in the preview");
    assert!(
        html.contains(&format!(
            "http://127.0.0.1:0/s/unfurl-store/items/{listing}"
        )) || html.contains(&format!("/s/unfurl-store/items/{listing}\""))
    );
}

/// Places an order (manual payment): (order id, id of its first line).
async fn ordered(app: &TestApp, key: &str, body: &Value) -> (String, String) {
    let (status, created) = checkout(app, Some(key), body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let order = created["order_id"].as_str().unwrap().to_string();
    let line = text(
        app,
        "SELECT id FROM order_lines WHERE order_id = $1",
        &order,
    )
    .await;
    (order, line)
}

/// How long a card checkout holds its units.
fn hold(app: &TestApp) -> Duration {
    Duration::from_secs(app.state.settings.checkout.reservation_ttl_secs)
}

async fn expiry_releases_stock_and_a_late_payment_never_oversells(backend: Backend) {
    let fake = fake_stripe::start().await;
    let app = stripe_app(backend, &fake, &[]).await;
    let owner = app.reseller("expiring").await;
    let (item, listing) = listed(&app, &owner, "1", "99").await;
    let (_, first) = checkout(
        &app,
        Some("e-1"),
        &cart("expiring-store", &listing, 1, "slow@example.com"),
    )
    .await;
    let slow = first["order_id"].as_str().unwrap().to_string();
    assert_eq!(available(&app, &listing).await, 0);
    // Not a moment early: a second before the hold ends the unit is still held.
    app.advance(hold(&app) - Duration::from_secs(1)).await;
    assert_eq!(order_status(&app, &slow).await, "pending_payment");
    assert_eq!(available(&app, &listing).await, 0);
    // The expiry job releases the unit and expires the Stripe session.
    app.advance(Duration::from_secs(2)).await;
    assert_eq!(order_status(&app, &slow).await, "expired");
    assert_eq!(available(&app, &listing).await, 1);
    let session = fake.session_of(&slow).unwrap();
    assert!(fake.recorded.lock().unwrap().expired.contains(&session));

    // Someone else reserves the unit; then the slow buyer's payment arrives anyway.
    let (status, second) = checkout(
        &app,
        Some("e-2"),
        &cart("expiring-store", &listing, 1, "fast@example.com"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let total = scalar(&app, "SELECT total FROM orders WHERE id = $1", &slow).await;
    let late = session_event(
        "evt_late",
        "checkout.session.completed",
        &session,
        &slow,
        "paid",
        total,
    );
    assert_eq!(webhook(&app, &late).await, StatusCode::OK);
    assert_eq!(order_status(&app, &slow).await, "paid_needs_attention");
    assert_eq!(available(&app, &listing).await, 0);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM sales WHERE item_id = $1", &item).await,
        0,
        "never sold twice"
    );
    assert_eq!(
        scalar(&app, "SELECT quantity FROM items WHERE id = $1", &item).await,
        1
    );

    // The second buyer lets it expire too; a late payment now finds the unit free and takes it.
    let fast = second["order_id"].as_str().unwrap().to_string();
    app.advance(hold(&app) + Duration::from_secs(1)).await;
    assert_eq!(order_status(&app, &fast).await, "expired");
    let fast_session = fake.session_of(&fast).unwrap();
    let late = session_event(
        "evt_late2",
        "checkout.session.completed",
        &fast_session,
        &fast,
        "paid",
        total,
    );
    assert_eq!(webhook(&app, &late).await, StatusCode::OK);
    assert_eq!(order_status(&app, &fast).await, "paid");
    assert_eq!(available(&app, &listing).await, 0);
    assert_eq!(
        text(&app, "SELECT status FROM items WHERE id = $1", &item).await,
        "sold"
    );
    assert_eq!(
        text(&app, "SELECT status FROM listings WHERE id = $1", &listing).await,
        "sold_out"
    );
}

async fn refunds_are_idempotent_and_restock(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.reseller("refunder").await;
    let (item, listing) = listed(&app, &owner, "2", "50").await;
    let (order, line) = ordered(
        &app,
        "r-1",
        &cart("refunder-store", &listing, 2, "b@example.com"),
    )
    .await;
    let refund = |id: &str, amount: &str, back: i64| {
        json!({"order_id": order, "refund_id": id,
               "input": {"amount": amount, "returns": [{"line_id": line, "quantity": back.to_string()}]}})
    };
    // Not paid yet: nothing to refund, nothing to ship.
    let (status, _) = app.rpc(&owner, "orders/refund", refund("x", "", 2)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .rpc(
            &owner,
            "orders/ship",
            json!({"order_id": order, "carrier": "UPS", "tracking_code": "1Z999"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = app
        .rpc(&owner, "orders/mark-paid", json!({"order_id": order}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app
        .rpc(&owner, "orders/mark-paid", json!({"order_id": order}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        text(&app, "SELECT status FROM items WHERE id = $1", &item).await,
        "sold"
    );
    let worth_units = scalar(&app, "SELECT CAST(SUM(units) AS BIGINT) FROM worth_days WHERE owner_user_id = (SELECT owner_user_id FROM items WHERE id = $1)", &item).await;
    assert_eq!(worth_units, 0);
    let profit_sql = "SELECT net_profit FROM sales WHERE item_id = $1";
    let profit_paid = scalar(&app, profit_sql, &item).await;

    // A partial refund ("10,00": the decimal comma reads as ten) submitted twice counts once,
    // puts nothing back on sale, and keeps the sale with its profit lowered by the amount.
    for _ in 0..2 {
        let (status, body) = app
            .rpc(&owner, "orders/refund", refund("part", "10,00", 0))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(
        scalar(&app, "SELECT refunded FROM orders WHERE id = $1", &order).await,
        1_000
    );
    assert_eq!(scalar(&app, profit_sql, &item).await, profit_paid - 1_000);
    assert_eq!(available(&app, &listing).await, 0);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'order_refunded' AND order_id = $1",
            &order
        )
        .await,
        1,
        "one mail per refund, not per submission"
    );
    let (status, e) = app
        .rpc(&owner, "orders/refund", refund("big", "1000", 0))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (status, e) = app
        .rpc(&owner, "orders/refund", refund("three", "1", 3))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(order_status(&app, &order).await, "paid");
    // The rest, with both units back (not shipped): the sale stays with no units and no
    // money, so it earns nothing; the stock, the listing and the ledger have the units again.
    let (status, body) = app
        .rpc(&owner, "orders/refund", refund("rest", "", 2))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(order_status(&app, &order).await, "refunded");
    assert_eq!(
        scalar(&app, "SELECT refunded FROM orders WHERE id = $1", &order).await,
        10_000
    );
    assert_eq!(
        scalar(&app, "SELECT returned FROM sales WHERE item_id = $1", &item).await,
        2
    );
    assert_eq!(
        scalar(&app, profit_sql, &item).await,
        0,
        "no money, no cost: the sale earned nothing"
    );
    assert_eq!(
        text(&app, "SELECT status FROM items WHERE id = $1", &item).await,
        "listed"
    );
    assert_eq!(
        scalar(&app, "SELECT quantity FROM items WHERE id = $1", &item).await,
        2
    );
    assert_eq!(available(&app, &listing).await, 2);
    let worth_units = scalar(&app, "SELECT CAST(SUM(units) AS BIGINT) FROM worth_days WHERE owner_user_id = (SELECT owner_user_id FROM items WHERE id = $1)", &item).await;
    assert_eq!(worth_units, 2);
    let realised = scalar(&app, "SELECT CAST(SUM(realised) AS BIGINT) FROM worth_days WHERE owner_user_id = (SELECT owner_user_id FROM items WHERE id = $1)", &item).await;
    assert_eq!(realised, 0);
    let (status, _) = app
        .rpc(&owner, "orders/refund", refund("more", "1", 0))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("refunds").await, 2);
    // A refund id spent on this order cannot refund (or pretend to refund) another one.
    let (_, other_listing) = listed(&app, &owner, "1", "40").await;
    let (other, other_line) = ordered(
        &app,
        "r-2",
        &cart("refunder-store", &other_listing, 1, "c@example.com"),
    )
    .await;
    let (status, body) = app
        .rpc(&owner, "orders/mark-paid", json!({"order_id": other}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, e) = app
        .rpc(
            &owner,
            "orders/refund",
            json!({"order_id": other, "refund_id": "rest",
            "input": {"amount": "", "returns": [{"line_id": other_line, "quantity": "1"}]}}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "refund_id_taken", "{e}");
    assert_eq!(order_status(&app, &other).await, "paid");
    assert_eq!(app.count("refunds").await, 2);
    app.assert_usage_counts_agree().await;
}

/// The walkthrough's case: paid, shipped, then a small refund. The buyer has the goods, so
/// nothing goes back on sale; the sale stays with its profit lowered; only units the owner
/// records as returned come back.
async fn a_partial_refund_of_a_shipped_order_keeps_the_sale_and_the_stock(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.reseller("shipper").await;
    let (item, listing) = listed(&app, &owner, "3", "500").await;
    let (order, line) = ordered(
        &app,
        "s-1",
        &cart("shipper-store", &listing, 2, "buyer@example.com"),
    )
    .await;
    let (status, body) = app
        .rpc(&owner, "orders/mark-paid", json!({"order_id": order}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .rpc(
            &owner,
            "orders/ship",
            json!({"order_id": order, "carrier": "UPS", "tracking_code": "1Z999"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The storefront order's shipment shows under Shipments with the item.
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM shipments WHERE item_id = $1 AND tracking_code = '1Z999'",
            &item
        )
        .await,
        1
    );
    let total = scalar(&app, "SELECT total FROM orders WHERE id = $1", &order).await;
    let profit_paid = scalar(
        &app,
        "SELECT net_profit FROM sales WHERE item_id = $1",
        &item,
    )
    .await;
    let owner_id = text(&app, "SELECT owner_user_id FROM items WHERE id = $1", &item).await;
    let ledger = |col: &'static str| {
        let owner_id = owner_id.clone();
        let app = &app;
        async move {
            scalar(
                app,
                &format!(
                    "SELECT CAST(SUM({col}) AS BIGINT) FROM worth_days WHERE owner_user_id = $1"
                ),
                &owner_id,
            )
            .await
        }
    };
    let revenue_paid = ledger("revenue").await;

    let (status, body) = app
        .rpc(
            &owner,
            "orders/refund",
            json!({"order_id": order, "refund_id": "fifty",
        "input": {"amount": "$50", "returns": []}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        order_status(&app, &order).await,
        "shipped",
        "a partial refund keeps the status"
    );
    assert_eq!(
        available(&app, &listing).await,
        1,
        "the buyer has the units: none back on sale"
    );
    assert_eq!(
        scalar(&app, "SELECT quantity FROM items WHERE id = $1", &item).await,
        1
    );
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM sales WHERE item_id = $1", &item).await,
        1
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT net_profit FROM sales WHERE item_id = $1",
            &item
        )
        .await,
        profit_paid - 5_000
    );
    assert_eq!(ledger("realised").await, profit_paid - 5_000);
    assert_eq!(ledger("revenue").await, revenue_paid - 5_000);
    let mail = text(
        &app,
        "SELECT body FROM outbox WHERE kind = 'order_refunded' AND order_id = $1",
        &order,
    )
    .await;
    assert!(mail.contains("$50.00"), "{mail}");
    let number = order.rsplit('-').next().unwrap()[..8].to_uppercase();
    assert!(mail.contains(&number), "the mail names the order: {mail}");

    // One unit comes back with a second refund; two of the two are more than were sold.
    let (status, _) = app
        .rpc(
            &owner,
            "orders/refund",
            json!({"order_id": order, "refund_id": "too-many",
        "input": {"amount": "10", "returns": [{"line_id": line, "quantity": "3"}]}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = app
        .rpc(
            &owner,
            "orders/refund",
            json!({"order_id": order, "refund_id": "one-back",
        "input": {"amount": "500", "returns": [{"line_id": line, "quantity": "1"}]}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(available(&app, &listing).await, 2);
    assert_eq!(
        scalar(&app, "SELECT quantity FROM items WHERE id = $1", &item).await,
        2
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT returned FROM order_lines WHERE id = $1",
            &line
        )
        .await,
        1
    );
    assert_eq!(
        scalar(&app, "SELECT refunded FROM orders WHERE id = $1", &order).await,
        55_000
    );
    assert_eq!(ledger("units").await, 2, "two units held again");
    // The refunds never exceed what was paid, however they add up.
    let (status, _) = app.rpc(&owner, "orders/refund", json!({"order_id": order, "refund_id": "over",
        "input": {"amount": (Money::new(total - 55_000 + 1, Currency::Usd)).to_decimal_string(), "returns": []}})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'order_refunded' AND order_id = $1",
            &order
        )
        .await,
        2
    );
    app.assert_usage_counts_agree().await;
}

async fn orders_are_private_to(app: &TestApp, c: &Client, order: &str) {
    for (endpoint, body) in [
        ("orders/get", json!({"order_id": order})),
        ("orders/mark-paid", json!({"order_id": order})),
        (
            "orders/ship",
            json!({"order_id": order, "carrier": "UPS", "tracking_code": "1Z"}),
        ),
        (
            "orders/refund",
            json!({"order_id": order, "refund_id": "z", "input": {"amount": "", "returns": []}}),
        ),
    ] {
        let (status, e) = app.rpc(c, endpoint, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint}: {e}");
    }
}

async fn orders_belong_to_their_store_and_buyer(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.reseller("privy").await;
    let other = app.reseller("nosy").await;
    let (_, listing) = listed(&app, &owner, "1", "75").await;
    let (_, created) = checkout(
        &app,
        Some("p-1"),
        &cart("privy-store", &listing, 1, "buyer@example.com"),
    )
    .await;
    let order = created["order_id"].as_str().unwrap().to_string();
    orders_are_private_to(&app, &other, &order).await;
    let (_, list) = app.rpc(&other, "orders/list", json!({"status": ""})).await;
    assert_eq!(list.as_array().unwrap().len(), 0);
    let (status, _) = app
        .rpc(&client(), "orders/get", json!({"order_id": order}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, list) = app
        .rpc(&owner, "orders/list", json!({"status": "pending_payment"}))
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    // The buyer: no cookie, no order; a wrong token sets none; the signed link does.
    let buyer = client();
    let (status, _) = app
        .rpc(&buyer, "orders/buyer", json!({"order_id": order}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = buyer
        .get(app.url(&format!("/orders/{order}?token=wrong")))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("set-cookie").is_none());
    let link = created["checkout_url"].as_str().unwrap();
    let path = &link[link.find("/orders/").unwrap()..];
    let res = buyer.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], format!("/orders/{order}"));
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (status, seen) = app
        .rpc(&buyer, "orders/buyer", json!({"order_id": order}))
        .await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["status"], "pending_payment");
    assert_eq!(
        seen["events"].as_array().unwrap().len(),
        0,
        "the timeline is for the store"
    );
    assert!(seen["payment_instructions"].is_string());
    // The cookie opens that order only.
    let (_, other_created) = checkout(
        &app,
        Some("p-2"),
        &cart("privy-store", &listing, 1, "x@example.com"),
    )
    .await;
    assert_eq!(other_created["error"]["code"], "insufficient_stock");
    // Tokens are stored only as HMACs.
    let token = &link[link.find("token=").unwrap() + 6..];
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM order_links WHERE token_hash = $1",
            token
        )
        .await,
        0
    );
}

/// A JSON checkout without a full address: shipping is charged for the country given (or the
/// store's own), and Stripe's page collects the address in that country only. The address it
/// collected becomes the order's; one in another country puts the order before its owner.
async fn stripe_collects_the_address_where_shipping_was_charged(backend: Backend) {
    let fake = fake_stripe::start().await;
    let app = stripe_app(backend, &fake, &[]).await;
    let owner = app.reseller("faraway").await;
    set_shipping(&app, &owner, "faraway-store", "").await;
    let (_, listing) = listed(&app, &owner, "5", "100").await;
    let allowed = "shipping_address_collection[allowed_countries][0]";
    let total = |order: String| {
        let app = &app;
        async move { scalar(app, "SELECT total FROM orders WHERE id = $1", &order).await }
    };

    // No address: the store's own country (US, $10) is charged, and collected there.
    let body = json!({"store": "faraway-store", "lines": [{"listing_id": listing, "quantity": 1}], "email": "a@example.com"});
    let (status, a) = checkout(&app, Some("c-1"), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let a = a["order_id"].as_str().unwrap().to_string();
    assert_eq!(total(a.clone()).await, 10_000 + 1_000);
    assert_eq!(fake.field_of(&a, allowed).as_deref(), Some("US"));
    // A country alone: Germany pays the rest-of-the-world rate ($30), collected in Germany only.
    let body = json!({"store": "faraway-store", "lines": [{"listing_id": listing, "quantity": 1}], "email": "b@example.com",
        "shipping_address": {"country": "de"}});
    let (status, b) = checkout(&app, Some("c-2"), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let b = b["order_id"].as_str().unwrap().to_string();
    assert_eq!(total(b.clone()).await, 10_000 + 3_000);
    assert_eq!(fake.field_of(&b, allowed).as_deref(), Some("DE"));
    // A full address: Stripe has nothing to collect.
    let (_, c) = checkout(
        &app,
        Some("c-3"),
        &cart("faraway-store", &listing, 1, "c@example.com"),
    )
    .await;
    let c = c["order_id"].as_str().unwrap().to_string();
    assert_eq!(fake.field_of(&c, allowed), None);
    assert!(fake.field_of(&c, "client_reference_id").is_some());

    // Paid, with the address Stripe collected in Germany: the parcel goes there.
    let paid = |id: &str, order: &str, country: &str| {
        let mut event = session_event(
            id,
            "checkout.session.completed",
            &fake.session_of(order).unwrap(),
            order,
            "paid",
            0,
        );
        event["data"]["object"]["amount_total"] = json!(null);
        event["data"]["object"]["collected_information"] = json!({"shipping_details": {"name": "Lea Käufer",
            "address": {"line1": "Hauptstraße 1", "line2": null, "city": "Berlin", "postal_code": "10115", "state": null, "country": country}}});
        event
    };
    assert_eq!(
        webhook(&app, &paid("evt_b", &b, "DE")).await,
        StatusCode::OK
    );
    assert_eq!(order_status(&app, &b).await, "paid");
    let address = text(
        &app,
        "SELECT shipping_address FROM orders WHERE id = $1",
        &b,
    )
    .await;
    assert!(
        address.contains("Hauptstra") && address.contains("10115"),
        "{address}"
    );
    // An address in another country than the one charged for cannot ship as paid.
    assert_eq!(
        webhook(&app, &paid("evt_a", &a, "DE")).await,
        StatusCode::OK
    );
    assert_eq!(order_status(&app, &a).await, "paid_needs_attention");
    let attention = text(&app, "SELECT attention FROM orders WHERE id = $1", &a).await;
    assert!(
        attention.contains("charged for US") && attention.contains("in DE"),
        "{attention}"
    );
}
