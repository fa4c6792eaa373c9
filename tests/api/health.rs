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

/// The built WebAssembly: brotli when the browser takes it, else gzip, else as it is; always
/// `Vary: Accept-Encoding`; revalidated unless the file names carry a content hash; pages are
/// never cached.
async fn assets_are_served_precompressed_with_cache_headers(backend: Backend) {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("flipdesk.wasm"), b"\0asm-plain").unwrap();
    std::fs::write(pkg.join("flipdesk.wasm.br"), b"brotli-bytes").unwrap();
    std::fs::write(pkg.join("flipdesk.wasm.gz"), b"gzip-bytes").unwrap();
    std::fs::write(pkg.join("flipdesk.js"), b"export {}").unwrap();
    let vendor = site.path().join("vendor");
    std::fs::create_dir_all(&vendor).unwrap();
    std::fs::write(vendor.join("echarts.min.js"), b"var echarts;").unwrap();
    std::fs::write(vendor.join("echarts.min.js.br"), b"brotli-echarts").unwrap();
    let root = site.path().to_str().unwrap().to_string();
    let hashed = |hash_files: bool| {
        let root = root.clone();
        move |state: &mut flipdesk::server::state::AppState| {
            let options = &mut state.unshared_mut().unwrap().leptos_options;
            options.site_root = root.as_str().into();
            options.hash_files = hash_files;
        }
    };
    let app = spawn_app_editing(backend, &[], hashed(false)).await;
    for (accept, encoding, body) in [
        ("br, gzip", Some("br"), "brotli-bytes"),
        ("gzip", Some("gzip"), "gzip-bytes"),
        ("identity", None, "\0asm-plain"),
    ] {
        let res = fetch(&app, "/pkg/flipdesk.wasm", accept).await;
        assert_eq!(res.status(), StatusCode::OK, "{accept}");
        let header = |name: &str| {
            res.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
        };
        assert_eq!(header("content-encoding").as_deref(), encoding, "{accept}");
        assert_eq!(header("content-type").as_deref(), Some("application/wasm"));
        assert_eq!(header("vary").as_deref(), Some("accept-encoding"));
        assert_eq!(header("cache-control").as_deref(), Some("no-cache"));
        assert_eq!(res.text().await.unwrap(), body, "{accept}");
    }
    // No compressed copy: the file as it is.
    let res = fetch(&app, "/pkg/flipdesk.js", "br, gzip").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("content-encoding").is_none());
    // The vendored chart library too (unhashed: revalidated).
    let res = fetch(&app, "/vendor/echarts.min.js", "gzip, deflate, br").await;
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert_eq!(res.text().await.unwrap(), "brotli-echarts");
    // A chunk that is not there (a deploy replaced the files) is not cached.
    let res = fetch(&app, "/pkg/flipdesk.gone.wasm", "br").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["cache-control"], "no-store");
    // Pages are never kept by a cache.
    let page = app.get("/login").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "no-store");

    // Hashed file names never change content: a year, immutable (the app's files only).
    let app = spawn_app_editing(backend, &[], hashed(true)).await;
    let res = fetch(&app, "/pkg/flipdesk.wasm", "br").await;
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let res = fetch(&app, "/vendor/echarts.min.js", "br").await;
    assert_eq!(res.headers()["cache-control"], "no-cache");
}

/// A GET with this Accept-Encoding, by a client that decompresses nothing: the response is
/// exactly what was sent.
async fn fetch(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", app.address))
        .header("accept-encoding", accept)
        .send()
        .await
        .unwrap()
}

on_both_databases!(assets_are_served_precompressed_with_cache_headers);
