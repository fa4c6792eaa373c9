use crate::{helpers::*, on_both_databases};
use flipdesk::server::db::Backend;
use reqwest::{StatusCode, header};
use serde_json::json;

async fn cross_site_posts_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let form = [
        ("email", "mallory@example.com"),
        ("password", PASSWORD),
        ("store_name", "Mallory"),
        ("store_slug", "mallory-store"),
    ];
    let res = client()
        .post(app.url("/api/auth/signup"))
        .header(header::ORIGIN, "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    let (status, body) = json(res).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "cross_site_request");

    let res = client()
        .post(app.url("/api/auth/signup"))
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("users").await, 0, "nothing was written");

    // Same-origin requests go through.
    let res = client()
        .post(app.url("/api/auth/signup"))
        .header(header::ORIGIN, &app.address)
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn oversized_bodies_get_413_json(backend: Backend) {
    let app = spawn_app(backend).await;
    let big = "x".repeat(1024 * 1024 + 1);
    let res = client()
        .post(app.url("/api/auth/login"))
        .form(&[("email", "a@example.com"), ("password", big.as_str())])
        .send()
        .await
        .unwrap();
    let (status, body) = json(res).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"]["code"], "payload_too_large");
}

async fn pages_carry_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let headers = res.headers().clone();
    let csp = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("'unsafe-inline'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("nonce in CSP");
    let html = res.text().await.unwrap();
    // Every inline script carries the nonce of this response.
    let scripts = html.matches("<script").count();
    let with_nonce = html.matches(&format!("nonce=\"{nonce}\"")).count();
    assert!(
        scripts > 0 && with_nonce >= scripts,
        "{scripts} scripts, {with_nonce} with nonce"
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(
        headers[header::REFERRER_POLICY],
        "strict-origin-when-cross-origin"
    );
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");

    // A second page load gets a different nonce.
    let csp2 = app.get("/").await.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(csp, csp2);
}

async fn production_cookies_are_secure(backend: Backend) {
    let app = spawn_app_with(backend, &[("FLIPDESK_ENV", "production")]).await;
    let res = app.signup("gina").await;
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("flipdesk_session="))
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    assert!(
        res.headers()
            .contains_key(header::STRICT_TRANSPORT_SECURITY)
    );
}

/// Arguments of the wrong shape are a 400 with the JSON error, never a dropped connection.
async fn malformed_server_function_arguments_are_400(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("shapeless").await;
    for body in [json!({"query": {}}), json!({"nope": 1}), json!([1, 2])] {
        let (status, body) = app.rpc(&c, "inventory/list", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["kind"], "bad_request", "{body}");
    }
}

on_both_databases!(
    malformed_server_function_arguments_are_400,
    cross_site_posts_are_refused,
    oversized_bodies_get_413_json,
    pages_carry_security_headers,
    production_cookies_are_secure,
);
