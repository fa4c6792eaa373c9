use crate::{helpers::*, on_both_databases};
use flipdesk::server::db::Backend;
use reqwest::StatusCode;

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

on_both_databases!(health_reports_the_database);
