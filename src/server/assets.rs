//! The built WebAssembly, JavaScript and CSS under `/pkg`, and the vendored ECharts under
//! `/vendor`. A release build made with `--precompress` has a brotli (`.br`) and a gzip
//! (`.gz`) copy next to each file: a browser that accepts one gets it with `Content-Encoding`
//! (about a third of the bytes), any other gets the file as it is. With hashed file names
//! (`hash-files`) a file never changes under its name, so it is cached for a year; otherwise
//! the browser revalidates (`Last-Modified`, a 304 when nothing changed). Pages themselves are
//! never cached (`security_headers`).

use axum::{
    Router,
    http::{HeaderValue, StatusCode, header},
    response::Response,
};
use leptos::config::LeptosOptions;
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer};

use super::state::AppState;

/// A year, the longest lifetime browsers keep.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// `/pkg/*` (the app) and `/vendor/*` (ECharts, loaded with the first chart) from the site
/// root, preferring the precompressed copies.
pub fn routes(options: &LeptosOptions) -> Router<AppState> {
    let root = std::path::Path::new(options.site_root.as_ref());
    let pkg = options.site_pkg_dir.to_string();
    // cargo-leptos puts hashes in the names of the app's files only.
    let pkg_lifetime = if options.hash_files {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    Router::new()
        .nest(&format!("/{pkg}"), files(&root.join(&pkg), pkg_lifetime))
        .nest("/vendor", files(&root.join("vendor"), REVALIDATE))
}

/// A folder's files, preferring brotli, then gzip, with `Vary` and `lifetime`.
fn files(dir: &std::path::Path, lifetime: &'static str) -> Router<AppState> {
    Router::new().fallback_service(
        tower::ServiceBuilder::new()
            // The answer depends on Accept-Encoding: shared caches must keep one per encoding.
            .layer(SetResponseHeaderLayer::overriding(
                header::VARY,
                HeaderValue::from_static("accept-encoding"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                move |res: &Response<_>| cache_control(res.status(), lifetime),
            ))
            .service(ServeDir::new(dir).precompressed_br().precompressed_gzip()),
    )
}

/// Only a file that was found is cached: a missing chunk (a deploy replaced the files) must
/// be asked for again.
fn cache_control(status: StatusCode, lifetime: &'static str) -> Option<HeaderValue> {
    Some(HeaderValue::from_static(if status.is_success() {
        lifetime
    } else {
        "no-store"
    }))
}
