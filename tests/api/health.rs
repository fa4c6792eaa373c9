use crate::{helpers::*, on_both_databases};
use flipdesk::server::db::Backend;
use reqwest::StatusCode;
use std::time::Duration;

async fn health_reports_the_database(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/health").await;
    assert!(res.headers().contains_key("x-request-id"));
    let (status, body) = json(res).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::json!({"status": "ok", "database": "ok"}));

    // The database goes away: health says so with 503.
    app.db.close().await;
    let (status, body) = json(app.get("/health").await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body,
        serde_json::json!({"status": "degraded", "database": "unreachable"})
    );
}

async fn shutdown_lets_in_flight_requests_finish(backend: Backend) {
    let mut app = spawn_app(backend).await;
    // Start many requests, then stop the server while they run: all of them complete.
    let mut inflight = Vec::new();
    for _ in 0..20 {
        let client = app.client.clone();
        let url = app.url("/");
        inflight.push(tokio::spawn(async move {
            client.get(url).send().await.map(|r| r.status())
        }));
    }
    // Long enough for the requests to reach the server (on a busy 2-core machine, 5 ms was
    // sometimes too short for any to connect), short enough that they are still running.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let server = app.server.take().unwrap();
    server.shutdown(Duration::from_secs(10)).await;
    let mut completed = 0;
    for task in inflight {
        if let Ok(Ok(status)) = task.await {
            assert_eq!(status, StatusCode::OK);
            completed += 1;
        }
    }
    assert!(completed > 0, "no request completed");
    // After shutdown nothing listens any more.
    assert!(app.client.get(app.url("/health")).send().await.is_err());
}

on_both_databases!(
    health_reports_the_database,
    shutdown_lets_in_flight_requests_finish
);
