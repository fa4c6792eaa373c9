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

/// Sends one raw request line (clients would clean up the path first) and answers the
/// status line and the `Location` header.
async fn raw_get(app: &TestApp, path: &str) -> (String, Option<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text.lines().next().unwrap_or_default().to_string();
    let location = text
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("location:"))
        .map(|l| l[9..].trim().to_string());
    (status, location)
}

/// The security review's info findings: paths, origins, request ids, huge searches.
async fn odd_paths_origins_request_ids_and_huge_searches(backend: Backend) {
    let app = spawn_app(backend).await;
    // `/./app` once reached the dashboard shell past the log-in redirect.
    for odd in ["/./app", "//app", "/s/../app", "/%2e/app"] {
        let (status, location) = raw_get(&app, odd).await;
        assert!(status.contains(" 308 "), "{odd}: {status}");
        assert_eq!(location.as_deref(), Some("/app"), "{odd}");
    }
    let res = client().get(app.url("/app")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login?next=/app");

    // Same host under another scheme is another origin.
    let host = app.address.trim_start_matches("http://").to_string();
    let res = client()
        .post(app.url("/api/auth/logout"))
        .header(header::ORIGIN, format!("https://{host}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A request id that could forge log fields is replaced; a plain one is kept.
    let res = client()
        .get(app.url("/health"))
        .header("x-request-id", "abc\" status=200 user=admin")
        .send()
        .await
        .unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(!id.contains(' ') && id.len() == 36, "{id}");
    let res = client()
        .get(app.url("/health"))
        .header("x-request-id", "bot-42.retry_1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "bot-42.retry_1");

    // A 50,000-character search is read up to its limit, not a server error.
    let owner = app.reseller("searcher").await;
    app.list_in_store(&owner, sneaker_input("1", "DZ5485-612", "10"), "100")
        .await;
    let huge = "a".repeat(50_000);
    for path in [
        format!("/s/searcher-store?q={huge}"),
        format!("/api/v1/stores/searcher-store/listings?q={huge}"),
        format!("/s/searcher-store?q={}", "%25_".repeat(5_000)),
    ] {
        let res = client().get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", &path[..40]);
    }
    let (status, page) = app
        .rpc(&owner, "inventory/list", json!({"query": {"search": huge, "status": null, "kind": null, "sort": "Newest", "page": 1, "per_page": 0}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
}

/// Slow-loris: a head that trickles in is cut off, and so is a connection that stays quiet.
async fn slow_and_idle_connections_are_closed(backend: Backend) {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(
        backend,
        &[
            ("FLIPDESK__SERVER__HEADER_READ_TIMEOUT_SECS", "1"),
            ("FLIPDESK__SERVER__IDLE_TIMEOUT_SECS", "2"),
        ],
    )
    .await;
    let host = app.address.trim_start_matches("http://").to_string();

    // A slow client (the one latency simulation left in the suite): one header line every
    // 300 ms, closed by the server's header timeout after about a second.
    let mut slow = tokio::net::TcpStream::connect(&host).await.unwrap();
    let started = Instant::now();
    slow.write_all(format!("GET /health HTTP/1.1\r\nHost: {host}\r\n").as_bytes())
        .await
        .unwrap();
    let mut closed_after = None;
    for i in 0..30 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        if slow
            .write_all(format!("X-Slow-{i}: a\r\n").as_bytes())
            .await
            .is_err()
        {
            closed_after = Some(started.elapsed());
            break;
        }
        let mut buf = [0u8; 512];
        if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(1), slow.read(&mut buf)).await
        {
            // A 408 answer or the end of the stream: either way the server gave up.
            let _ = n;
            closed_after = Some(started.elapsed());
            break;
        }
    }
    let closed_after = closed_after.expect("a trickling request head was never cut off");
    assert!(closed_after < Duration::from_secs(4), "{closed_after:?}");

    // A finished request on a kept-alive connection, then silence: closed within seconds.
    let mut idle = tokio::net::TcpStream::connect(&host).await.unwrap();
    idle.write_all(format!("GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let started = Instant::now();
    let mut buf = vec![0u8; 4096];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let end = tokio::time::timeout(Duration::from_secs(8), async {
        loop {
            match idle.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => continue,
            }
        }
    })
    .await;
    assert!(end.is_ok(), "an idle connection stayed open");
    assert!(started.elapsed() < Duration::from_secs(7));

    // Ordinary requests are unaffected.
    let res = client().get(app.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

on_both_databases!(
    slow_and_idle_connections_are_closed,
    odd_paths_origins_request_ids_and_huge_searches,
    malformed_server_function_arguments_are_400,
    cross_site_posts_are_refused,
    oversized_bodies_get_413_json,
    pages_carry_security_headers,
    production_cookies_are_secure,
);
