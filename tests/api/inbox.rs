//! The inbox: notifications scoped per reseller (filters, pages, read/unread, bulk actions,
//! retention and its prune), the counters behind the live badge, the events stream (a
//! notice written by another request — or by a second server on the same database — reaches
//! an open stream), and the sources that write notices (a paid order, a finished import, a
//! job that failed for good).

use std::time::Duration;

use crate::{helpers::*, on_both_databases};
use flipdesk::{
    domain::inbox::{Level, Source},
    server::{db::Backend, jobs, notify::Notice},
    with_db,
};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

async fn user_id(app: &TestApp, email: &str) -> String {
    with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email).fetch_one(pool).await)
        .unwrap()
}

async fn notify(app: &TestApp, user: &str, n: usize, level: Level, source: Source) {
    for i in 0..n {
        let written = Notice::new(user, "test", level, format!("{} {i}", level.label()))
            .source(source)
            .body("<script>alert(1)</script>")
            .write(&app.db)
            .await
            .unwrap();
        assert!(written);
    }
}

async fn page(app: &TestApp, c: &Client, query: Value) -> Value {
    let (code, body) = app.rpc(c, "inbox/list", json!({ "query": query })).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    body
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect()
}

impl TestApp {
    /// The live badge's counters agree with counting the notifications themselves.
    async fn assert_inbox_counts_agree(&self) {
        let wrong: i64 = with_db!(&self.db, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM users u LEFT JOIN inbox_counts c ON c.user_id = u.id \
             WHERE COALESCE(c.unread, 0) <> (SELECT COUNT(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL)")
            .fetch_one(pool).await).unwrap();
        assert_eq!(
            wrong, 0,
            "an unread counter disagrees with the notifications"
        );
    }
}

async fn the_inbox_is_private_and_its_bulk_actions_all_or_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.reseller("inboxa").await;
    let b = app.reseller("inboxb").await;
    let (ua, ub) = (
        user_id(&app, "inboxa@example.com").await,
        user_id(&app, "inboxb@example.com").await,
    );
    notify(&app, &ua, 55, Level::Info, Source::System).await;
    notify(&app, &ua, 3, Level::Error, Source::Api).await;
    notify(&app, &ub, 2, Level::Success, Source::Web).await;
    // The same event told twice is one notification.
    let again = Notice::new(&ua, "order_paid", Level::Success, "Order paid").once("order_paid:o1");
    assert!(again.clone().write(&app.db).await.unwrap());
    assert!(!again.write(&app.db).await.unwrap());

    let first = page(&app, &a, json!({})).await;
    assert_eq!(first["total"], 59);
    assert_eq!(first["unread"], 59);
    assert_eq!(first["pages"], 2);
    assert_eq!(first["items"].as_array().unwrap().len(), 50);
    assert_eq!(first["retention_days"], 90);
    let second = page(&app, &a, json!({"page": 1})).await;
    assert_eq!(second["items"].as_array().unwrap().len(), 9);
    let errors = page(&app, &a, json!({"level": "error", "source": "api"})).await;
    assert_eq!(errors["total"], 3);
    assert!(
        errors["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["level"] == "error" && n["source"] == "api")
    );
    // The body is kept as text; the page shows it as text.
    assert_eq!(errors["items"][0]["body"], "<script>alert(1)</script>");

    // Read and unread; the badge's counter follows.
    let error_ids = ids(&errors);
    let (code, body) = app
        .rpc(&a, "inbox/mark", json!({"ids": error_ids, "read": true}))
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(app.rpc(&a, "inbox/unread", json!({})).await.1, 56);
    let unread_errors = page(&app, &a, json!({"level": "error", "unread_only": true})).await;
    assert_eq!(unread_errors["total"], 0);
    app.rpc(
        &a,
        "inbox/mark",
        json!({"ids": [error_ids[0]], "read": false}),
    )
    .await;
    assert_eq!(app.rpc(&a, "inbox/unread", json!({})).await.1, 57);

    // Another reseller's notification is not found — alone or among one's own — and
    // nothing changes, not even one's own.
    let theirs = ids(&page(&app, &b, json!({})).await);
    for bad in [
        json!([theirs[0]]),
        json!([error_ids[1], theirs[0]]),
        json!(["no-such-id"]),
    ] {
        let (code, _) = app
            .rpc(&a, "inbox/mark", json!({"ids": bad, "read": false}))
            .await;
        assert_eq!(code, StatusCode::NOT_FOUND, "{bad}");
        let (code, _) = app.rpc(&a, "inbox/delete", json!({"ids": bad})).await;
        assert_eq!(code, StatusCode::NOT_FOUND, "{bad}");
    }
    assert_eq!(app.rpc(&a, "inbox/unread", json!({})).await.1, 57);
    assert_eq!(page(&app, &b, json!({})).await["total"], 2);
    let (code, _) = app
        .rpc(&a, "inbox/mark", json!({"ids": [], "read": true}))
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    let too_many: Vec<String> = (0..501).map(|i| format!("id{i}")).collect();
    let (code, _) = app.rpc(&a, "inbox/delete", json!({"ids": too_many})).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);

    // Bulk delete, then mark all read.
    let (code, _) = app.rpc(&a, "inbox/delete", json!({"ids": error_ids})).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(page(&app, &a, json!({})).await["total"], 56);
    let (code, marked) = app.rpc(&a, "inbox/mark-all-read", json!({})).await;
    assert_eq!((code, marked), (StatusCode::OK, json!(56)));
    assert_eq!(app.rpc(&a, "inbox/unread", json!({})).await.1, 0);
    assert_eq!(
        page(&app, &b, json!({})).await["unread"],
        2,
        "only one's own"
    );
    app.assert_inbox_counts_agree().await;

    // Retention: a choice from the list; the prune keeps each reseller's own.
    let (code, e) = app.rpc(&a, "inbox/retention", json!({"days": 7})).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (code, _) = app.rpc(&a, "inbox/retention", json!({"days": 30})).await;
    assert_eq!(code, StatusCode::OK);
    let forty_days_ago = app.state.clock.now() - time::Duration::days(40);
    with_db!(&app.db, pool => sqlx::query("UPDATE notifications SET created_at = $1 WHERE title IN ('Info 0', 'Success 0')")
        .bind(forty_days_ago).execute(pool).await.map(|_| ())).unwrap();
    let pruned = flipdesk::inbox::service::prune(&app.db, app.state.clock.now())
        .await
        .unwrap();
    assert_eq!(pruned, 1, "a's 30 days are over; b keeps 90");
    assert_eq!(page(&app, &a, json!({})).await["total"], 55);
    assert_eq!(page(&app, &b, json!({})).await["total"], 2);
    app.assert_inbox_counts_agree().await;

    // Signed out: nothing.
    let (code, _) = app.rpc(&client(), "inbox/list", json!({"query": {}})).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
}

/// An open events stream: what arrived so far, split into events.
struct Stream {
    res: Response,
    buffer: String,
}

#[derive(Debug, PartialEq)]
struct Event {
    id: Option<String>,
    unread: i64,
}

impl Stream {
    async fn open(app: &TestApp, c: &Client, last_id: Option<&str>) -> Stream {
        let mut req = c.get(app.url("/api/v1/events"));
        if let Some(id) = last_id {
            req = req.header("Last-Event-ID", id);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        Stream {
            res,
            buffer: String::new(),
        }
    }

    /// The next `unread` event, or `None` if none comes within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut id = None;
                let mut data = None;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim().to_string());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data = Some(v.trim().to_string());
                    }
                }
                if let Some(data) = data {
                    let v: Value = serde_json::from_str(&data).unwrap();
                    return Some(Event {
                        id,
                        unread: v["unread"].as_i64().unwrap(),
                    });
                }
                continue; // a keep-alive comment
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .ok()?;
            let bytes = chunk.unwrap()?;
            self.buffer.push_str(std::str::from_utf8(&bytes).unwrap());
        }
    }
}

async fn the_badge_hears_of_new_notifications_live(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.reseller("livea").await;
    let ua = user_id(&app, "livea@example.com").await;
    notify(&app, &ua, 2, Level::Info, Source::System).await;

    let mut stream = Stream::open(&app, &a, None).await;
    let now = stream
        .next(Duration::from_secs(5))
        .await
        .expect("the count at once");
    assert_eq!(now.unread, 2);
    // Written by another request: the stream says so within two seconds.
    let started = std::time::Instant::now();
    notify(&app, &ua, 1, Level::Warning, Source::Web).await;
    let next = stream
        .next(Duration::from_secs(2))
        .await
        .expect("within 2 s");
    assert_eq!(next.unread, 3);
    assert!(started.elapsed() < Duration::from_secs(2));
    let ids = ids(&page(&app, &a, json!({})).await);
    app.rpc(&a, "inbox/mark", json!({"ids": [ids[0]], "read": true}))
        .await;
    assert_eq!(stream.next(Duration::from_secs(2)).await.unwrap().unread, 2);

    // A reconnect that has seen the current version is told nothing until something changes.
    let seen = next_id(&app, &a).await;
    let mut again = Stream::open(&app, &a, Some(&seen)).await;
    assert_eq!(again.next(Duration::from_millis(1_200)).await, None);
    notify(&app, &ua, 1, Level::Info, Source::System).await;
    assert_eq!(again.next(Duration::from_secs(2)).await.unwrap().unread, 3);

    // A second server on the same database (a second process): its stream hears of a
    // notification written through the first.
    let beside = spawn_beside(&app, &[]).await;
    let mut there = Stream::open(&beside, &a, None).await;
    assert_eq!(there.next(Duration::from_secs(5)).await.unwrap().unread, 3);
    notify(&app, &ua, 1, Level::Error, Source::System).await;
    assert_eq!(there.next(Duration::from_secs(2)).await.unwrap().unread, 4);

    // Logged out: an open stream says nothing more and ends.
    drop(stream);
    let mut last = Stream::open(&app, &a, None).await;
    assert_eq!(last.next(Duration::from_secs(5)).await.unwrap().unread, 4);
    assert_eq!(
        app.call(&a, "auth/logout", &[]).await.status(),
        StatusCode::OK
    );
    notify(&app, &ua, 1, Level::Info, Source::System).await;
    assert_eq!(last.next(Duration::from_secs(3)).await, None);
    assert!(
        last.res.chunk().await.map_or(true, |c| c.is_none()),
        "the stream ended"
    );

    // Signed out: 401. A reseller may hold a few streams, not any number; a closed one
    // frees its place.
    let res = client()
        .get(app.url("/api/v1/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let capped = app.reseller("capped").await;
    let mut held = Vec::new();
    for _ in 0..flipdesk::inbox::live::STREAMS_PER_USER {
        held.push(Stream::open(&app, &capped, None).await);
    }
    let res = capped.get(app.url("/api/v1/events")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let hub = app.state.part::<flipdesk::inbox::live::Hub>().clone();
    let before = hub.streams();
    held.pop();
    let freed = async {
        while hub.streams() >= before {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), freed)
        .await
        .expect("the closed stream's place is freed");
    Stream::open(&app, &capped, None).await;
    app.assert_inbox_counts_agree().await;
}

/// The version the stream would send now (as a browser that saw it keeps it).
async fn next_id(app: &TestApp, c: &Client) -> String {
    let mut s = Stream::open(app, c, None).await;
    s.next(Duration::from_secs(5)).await.unwrap().id.unwrap()
}

async fn orders_imports_and_failed_jobs_write_to_the_inbox(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.reseller("teller").await;
    let uid = user_id(&app, "teller@example.com").await;
    // A shopper orders with manual payment; the owner marks it paid.
    let (_, listing) = app
        .list_in_store(&owner, sneaker_input("2", "555088-101", "10"), "150")
        .await;
    let order = &app
        .manual_order("teller-store", &listing, 1, "inbox-1")
        .await;

    let (code, _) = app
        .rpc(&owner, "orders/mark-paid", json!({"order_id": order}))
        .await;
    assert_eq!(code, StatusCode::OK);
    let web = page(&app, &owner, json!({"source": "web"})).await;
    let titles: Vec<&str> = web["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(
        titles[0].starts_with("Order paid") && titles[1].starts_with("New order awaiting payment"),
        "{titles:?}"
    );
    assert_eq!(
        web["items"][0]["link"],
        format!("/app/store/orders/{order}")
    );
    assert_eq!(web["items"][0]["level"], "success");

    // A finished import.
    let (_, import) = app
        .rpc(
            &owner,
            "import/start",
            json!({"file_name": "stock.csv", "rows_total": 3}),
        )
        .await;
    let (code, _) = app
        .rpc(
            &owner,
            "import/finish",
            json!({"import_id": import, "skipped": 1, "failed": 0, "cancelled": false}),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    let finished = page(&app, &owner, json!({"level": "warning"})).await;
    assert_eq!(
        finished["items"][0]["title"],
        "Imported stock.csv, 1 row(s) left out"
    );

    // Work for the reseller that failed for good is an error in their inbox, once.
    with_db!(&app.db, pool => sqlx::query(
        "INSERT INTO jobs (id, kind, payload, status, attempts, max_attempts, run_at, owner_user_id, created_at, updated_at) \
         VALUES ('j1', 'mail.send', '{}', 'queued', 4, 5, 0, $1, $2, $2)")
        .bind(&uid).bind(app.state.clock.now()).execute(pool).await.map(|_| ())).unwrap();
    let claimed = jobs::claim(&app.db, &app.state.clock).await.unwrap();
    let job = claimed.iter().find(|j| j.id == "j1").expect("claimed");
    jobs::settle(
        &app.db,
        &app.state.clock,
        job,
        "Send a mail to a buyer",
        jobs::Outcome::Failed("smtp down".into()),
    )
    .await
    .unwrap();
    let errors = page(&app, &owner, json!({"level": "error"})).await;
    assert_eq!(errors["total"], 1);
    assert_eq!(
        errors["items"][0]["title"],
        "Failed: Send a mail to a buyer"
    );
    assert!(
        errors["items"][0]["body"]
            .as_str()
            .unwrap()
            .contains("smtp down")
    );
    app.assert_inbox_counts_agree().await;
}

on_both_databases!(
    the_inbox_is_private_and_its_bulk_actions_all_or_nothing,
    the_badge_hears_of_new_notifications_live,
    orders_imports_and_failed_jobs_write_to_the_inbox
);
