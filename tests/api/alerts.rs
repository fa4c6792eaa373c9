//! Alert webhooks against a local fake receiver: checked addresses (private networks refused),
//! notifications of the chosen types sent on signed, retried after failures, given up after
//! three attempts with an inbox error, rate limits honoured without spending attempts, a
//! notification sent once per hook even when its hand-off runs twice, and another reseller's
//! webhook a 404.

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode as AxumStatus},
    response::{IntoResponse, Response},
    routing::post,
};
use flipdesk::{
    domain::inbox::Level,
    server::{
        crypto::hmac_hex,
        db::{Backend, BeginWrite},
        jobs::{BackgroundJob, enqueue},
        notify::Notice,
    },
    with_db,
};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::{helpers::*, on_both_databases};

/// An answer: status, `Retry-After` and body.
type Answer = (u16, Option<&'static str>, &'static str);

/// What a receiver path answers next (then 204), and what it was sent.
#[derive(Default)]
struct Receiver {
    script: HashMap<String, VecDeque<Answer>>,
    got: Vec<(String, HeaderMap, String)>,
}

#[derive(Clone)]
struct Fake {
    url: String,
    state: Arc<Mutex<Receiver>>,
}

impl Fake {
    async fn start() -> Fake {
        let state = Arc::new(Mutex::new(Receiver::default()));
        let app = Router::new()
            .route("/{path}", post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Fake { url, state }
    }

    fn answer(&self, path: &str, answers: &[Answer]) {
        self.state
            .lock()
            .unwrap()
            .script
            .insert(path.into(), answers.iter().copied().collect());
    }

    /// What `path` was sent: headers, the raw body and the body read as JSON.
    fn got(&self, path: &str) -> Vec<(HeaderMap, String, Value)> {
        self.state
            .lock()
            .unwrap()
            .got
            .iter()
            .filter(|(p, _, _)| p == path)
            .map(|(_, h, b)| (h.clone(), b.clone(), serde_json::from_str(b).unwrap()))
            .collect()
    }
}

async fn receive(
    State(state): State<Arc<Mutex<Receiver>>>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut r = state.lock().unwrap();
    r.got.push((
        path.clone(),
        headers,
        String::from_utf8_lossy(&body).into_owned(),
    ));
    match r.script.get_mut(&path).and_then(VecDeque::pop_front) {
        Some((status, retry_after, body)) => {
            let mut res = (AxumStatus::from_u16(status).unwrap(), body).into_response();
            if let Some(secs) = retry_after {
                res.headers_mut()
                    .insert("retry-after", secs.parse().unwrap());
            }
            res
        }
        None => AxumStatus::NO_CONTENT.into_response(),
    }
}

fn hook(url: &str, levels: &[&str]) -> Value {
    json!({ "input": { "url": url, "levels": levels } })
}

async fn user_id(app: &TestApp, email: &str) -> String {
    with_db!(&app.db, pool => sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE email = $1")
        .bind(email).fetch_one(pool).await)
    .unwrap()
}

async fn tell(app: &TestApp, user: &str, level: Level, kind: &'static str, title: &str) -> String {
    let key = format!("{kind}:{title}");
    assert!(
        Notice::new(user, kind, level, title)
            .body("A body with <b>markup</b>")
            .link("/app/inbox")
            .once(key.as_str())
            .write(&app.db)
            .await
            .unwrap()
    );
    with_db!(&app.db, pool => sqlx::query_scalar::<_, String>("SELECT id FROM notifications WHERE dedupe_key = $1")
        .bind(key).fetch_one(pool).await)
    .unwrap()
}

async fn inbox_errors(app: &TestApp, c: &Client) -> Vec<Value> {
    let (_, page) = app.rpc(c, "inbox/list", json!({"query": {}})).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "webhook_failed")
        .cloned()
        .collect()
}

fn signature_holds(headers: &HeaderMap, secret: &str, raw: &str) -> bool {
    let header = headers["flipdesk-signature"].to_str().unwrap();
    let (t, v1) = header.split_once(",v1=").unwrap();
    let t: i64 = t.strip_prefix("t=").unwrap().parse().unwrap();
    let age = time::OffsetDateTime::now_utc().unix_timestamp() - t;
    (0..300).contains(&age) && hmac_hex(secret, &format!("{t}.{raw}")) == v1
}

async fn alert_webhooks_deliver_retry_and_give_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let fake = Fake::start().await;
    let seller = app.reseller("seller").await;
    let rival = app.reseller("rival").await;
    let owner = user_id(&app, "seller@example.com").await;

    // Bad input changes nothing.
    for (url, says) in [
        ("https://10.0.0.5/hook", "private network"),
        (
            "https://169.254.169.254/latest/meta-data",
            "private network",
        ),
        ("https://[::ffff:192.168.0.1]/x", "private network"),
        ("http://93.184.216.34/hook", "https://"),
        ("hooks.example.com/in", "https://"),
    ] {
        let (code, e) = app
            .rpc(&seller, "alerts/add-hook", hook(url, &["error"]))
            .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {e}");
        assert!(
            e["fields"]["url"].as_str().unwrap().contains(says),
            "{url}: {e}"
        );
    }
    let (code, e) = app
        .rpc(
            &seller,
            "alerts/add-hook",
            hook(&format!("{}/hook", fake.url), &[]),
        )
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["fields"]["levels"].is_string(), "{e}");
    assert_eq!(app.count("alert_hooks").await, 0);

    // Errors and warnings to /hook (signed JSON); successes to /other.
    let (code, added) = app
        .rpc(
            &seller,
            "alerts/add-hook",
            hook(&format!("{}/hook", fake.url), &["error", "warning"]),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{added}");
    let secret = added["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let hook_id = added["id"].as_str().unwrap().to_string();
    let (_, other) = app
        .rpc(
            &seller,
            "alerts/add-hook",
            hook(&format!("{}/other", fake.url), &["success"]),
        )
        .await;
    let other_id = other["id"].as_str().unwrap().to_string();
    // The address is sealed at rest; the page shows it without its path.
    let sealed: Vec<String> =
        with_db!(&app.db, pool => sqlx::query_scalar("SELECT sealed_url FROM alert_hooks")
        .fetch_all(pool).await)
        .unwrap();
    assert!(sealed.iter().all(|s| !s.contains("127.0.0.1")));
    let (_, page) = app.rpc(&seller, "alerts/hooks", json!({})).await;
    assert_eq!(page["hooks"][0]["shown_url"], format!("{}/…", fake.url));

    // Delivered once after two failures, signed.
    fake.answer("hook", &[(500, None, "down"), (502, None, "still down")]);
    let first = tell(
        &app,
        &owner,
        Level::Warning,
        "stock_low",
        "Only one pair left",
    )
    .await;
    app.run_pending_jobs().await;
    assert_eq!(fake.got("hook").len(), 1);
    app.advance(Duration::from_secs(5)).await;
    assert_eq!(fake.got("hook").len(), 2);
    app.advance(Duration::from_secs(30)).await;
    let got = fake.got("hook");
    assert_eq!(got.len(), 3);
    let (headers, raw, body) = &got[2];
    assert_eq!(body["id"], first.as_str());
    assert_eq!(body["type"], "stock_low");
    assert_eq!(body["level"], "warning");
    assert_eq!(body["body"], "A body with <b>markup</b>");
    assert!(body["link"].as_str().unwrap().ends_with("/app/inbox"));
    assert!(signature_holds(headers, &secret, raw));
    assert!(!signature_holds(headers, "whsec_wrong", raw));
    assert!(fake.got("other").is_empty(), "a warning is not a success");
    app.advance(Duration::from_secs(120)).await;
    assert_eq!(fake.got("hook").len(), 3, "delivered once");
    assert!(inbox_errors(&app, &seller).await.is_empty());

    // The hand-off run again (a retried job) sends nothing twice.
    with_db!(&app.db, pool => async {
        let mut tx = pool.begin_write().await?;
        let again = flipdesk::alerts::deliver::HandOff { notification_id: first.clone() };
        enqueue(&mut tx, &again.queued(None)).await?;
        tx.commit().await
    }.await)
    .unwrap();
    app.run_pending_jobs().await;
    assert_eq!(fake.got("hook").len(), 3);

    // Rate limits: Retry-After, then Discord's JSON retry_after; neither spends an attempt.
    fake.answer(
        "hook",
        &[
            (429, Some("7"), "slow down"),
            (429, None, r#"{"message": "You are being rate limited.", "retry_after": 2.5, "global": false}"#),
        ],
    );
    tell(
        &app,
        &owner,
        Level::Error,
        "order_attention",
        "Paid but sold out",
    )
    .await;
    app.run_pending_jobs().await;
    assert_eq!(fake.got("hook").len(), 4);
    app.advance(Duration::from_secs(5)).await;
    assert_eq!(fake.got("hook").len(), 4, "waits the 7 s it was asked");
    app.advance(Duration::from_secs(3)).await;
    assert_eq!(fake.got("hook").len(), 5);
    app.advance(Duration::from_secs(3)).await;
    assert_eq!(fake.got("hook").len(), 6);
    let (attempts, limited): (i64, i64) = with_db!(&app.db, pool => sqlx::query_as(
        "SELECT attempts, rate_limited FROM alert_deliveries WHERE status = 'delivered' ORDER BY created_at DESC LIMIT 1")
        .fetch_one(pool).await)
    .unwrap();
    assert_eq!((attempts, limited), (1, 2));

    // Three failures: given up, with an error in the inbox (not itself sent to the webhook).
    fake.answer("hook", &[(500, None, ""), (500, None, ""), (500, None, "")]);
    tell(&app, &owner, Level::Error, "job_failed", "Import failed").await;
    app.run_pending_jobs().await;
    app.advance(Duration::from_secs(5)).await;
    app.advance(Duration::from_secs(30)).await;
    app.advance(Duration::from_secs(300)).await;
    assert_eq!(fake.got("hook").len(), 9, "three attempts, then no more");
    let errors = inbox_errors(&app, &seller).await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["level"], "error");
    assert!(
        errors[0]["body"].as_str().unwrap().contains("3 times"),
        "{errors:?}"
    );
    assert_eq!(errors[0]["link"], "/app/inbox/webhooks");
    let (_, page) = app.rpc(&seller, "alerts/hooks", json!({})).await;
    assert_eq!(page["hooks"][0]["last_failed"], true, "{page}");
    assert!(fake.got("other").is_empty());

    // A success goes to /other only; a test alert is one at a time.
    tell(&app, &owner, Level::Success, "order_paid", "Order paid").await;
    app.run_pending_jobs().await;
    assert_eq!(fake.got("other").len(), 1);
    assert_eq!(fake.got("hook").len(), 9);
    let test = json!({ "id": other_id });
    assert_eq!(
        app.rpc(&seller, "alerts/test-hook", test.clone()).await.0,
        StatusCode::OK
    );
    let (code, e) = app.rpc(&seller, "alerts/test-hook", test.clone()).await;
    assert_eq!(code, StatusCode::CONFLICT, "{e}");
    app.run_pending_jobs().await;
    assert_eq!(fake.got("other")[1].2["test"], true);

    // Another reseller's webhook is a 404 and stays.
    let theirs = json!({ "id": hook_id });
    assert_eq!(
        app.rpc(&rival, "alerts/delete-hook", theirs.clone())
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.rpc(&rival, "alerts/test-hook", theirs.clone()).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, page) = app.rpc(&rival, "alerts/hooks", json!({})).await;
    assert_eq!(page["hooks"], json!([]));
    assert_eq!(app.count("alert_hooks").await, 2);

    // Deleted, a webhook gets nothing more.
    assert_eq!(
        app.rpc(&seller, "alerts/delete-hook", theirs).await.0,
        StatusCode::OK
    );
    tell(&app, &owner, Level::Error, "job_failed", "Another failure").await;
    app.run_pending_jobs().await;
    assert_eq!(fake.got("hook").len(), 9);
}

on_both_databases!(alert_webhooks_deliver_retry_and_give_up);

async fn at_most_five_webhooks(backend: Backend) {
    let app = spawn_app(backend).await;
    let fake = Fake::start().await;
    let seller = app.reseller("seller").await;
    for n in 0..5 {
        let (code, e) = app
            .rpc(
                &seller,
                "alerts/add-hook",
                hook(&format!("{}/h{n}", fake.url), &["info"]),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{e}");
    }
    let (code, e) = app
        .rpc(
            &seller,
            "alerts/add-hook",
            hook(&format!("{}/h6", fake.url), &["info"]),
        )
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "too_many_webhooks");
    assert_eq!(app.count("alert_hooks").await, 5);
}

on_both_databases!(at_most_five_webhooks);
