//! The HTTP server: router, middleware stack and graceful shutdown.

use axum::{
    Json, Router,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use leptos::prelude::*;
use leptos_axum::LeptosRoutes;
use serde_json::json;
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    trace::TraceLayer,
};
use tower_sessions::{Expiry, Session, SessionManagerLayer, cookie::SameSite};

use super::{
    config::Settings, db::Db, errors, plugins::Pages, rate_limit::Limiters,
    sessions::SessionBackend, state::AppState,
};
use crate::error::AppError;

/// Content-Security-Policy for HTML pages; the nonce covers the hydration script.
fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: https:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

pub fn leptos_options(settings: &Settings) -> LeptosOptions {
    let var =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
    LeptosOptions::builder()
        .output_name(var("LEPTOS_OUTPUT_NAME", "flipdesk"))
        .site_root(var("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(var("LEPTOS_SITE_PKG_DIR", "pkg"))
        .site_addr(settings.site_addr)
        .env(if settings.is_production() {
            leptos::config::Env::PROD
        } else {
            leptos::config::Env::DEV
        })
        .hash_files(hash_files())
        .build()
}

/// Whether the site's file names carry content hashes: cargo-leptos lists them in `hash.txt`
/// next to the server binary it builds (`hash-files` in Cargo.toml), where Leptos reads them.
/// No list (a test binary, a site built without hashes) means plain names, which `/pkg` then
/// serves for revalidation instead of for a year.
fn hash_files() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("hash.txt")))
        .is_some_and(|list| list.is_file())
}

/// The state of a server with the capabilities `plugins` brings (the composition root,
/// `crate::capabilities`, hands every one of them).
pub fn build_state(
    settings: Settings,
    db: Db,
    plugins: super::plugins::Plugins,
) -> Result<AppState, super::config::ConfigError> {
    let mut settings = settings;
    let secret = settings.ensure_secret()?;
    let limits = Arc::new(Limiters::new(
        &settings.auth,
        &settings.api,
        &settings.checkout,
    ));
    let leptos_options = leptos_options(&settings);
    Ok(AppState::new(super::state::State {
        db,
        secret,
        limits,
        leptos_options,
        stripe: super::stripe::Stripe::from_settings(&settings),
        discord: settings.discord.as_ref().map(|d| {
            Arc::new(super::discord::Discord::new(
                d,
                &settings.providers.discord_api_base,
            ))
        }),
        settings: Arc::new(settings),
        openapi_json: super::openapi::document(&plugins.routes),
        jobs: Arc::new(plugins.jobs),
        parts: plugins.parts,
        routes: plugins.routes,
        middleware: plugins.middleware,
        body_limits: plugins.body_limits,
        pages: plugins.pages,
        jobs_ready: Default::default(),
        stopping: tokio::sync::watch::channel(false).0,
        clock: Default::default(),
    }))
}

/// The app's page routes, worked out once per process. Working them out runs the app with
/// resource loading suspended process-wide (a global flag in leptos_server): a page that starts
/// rendering meanwhile, in another server of the same process (the test suite builds many),
/// would wait forever on its resources.
fn page_routes(pages: &Pages) -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(pages.routes).clone()
}

pub fn router(state: AppState) -> Router {
    let settings = state.settings.clone();
    let routes = page_routes(&state.pages);
    let shell = state.pages.shell;
    let page_context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            if let (Some(nonce), Some(res)) = (
                leptos::nonce::use_nonce(),
                use_context::<leptos_axum::ResponseOptions>(),
            ) && let Ok(value) = HeaderValue::from_str(&page_csp(&nonce))
            {
                res.insert_header(header::CONTENT_SECURITY_POLICY, value);
            }
        }
    };
    let fn_context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };

    let sessions = SessionManagerLayer::new(SessionBackend::new(state.db.clone()))
        .with_name("flipdesk_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.is_production())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::days(
            settings.auth.session_days,
        )));

    let leptos_options = state.leptos_options.clone();
    // Every capability's REST routes (their OpenAPI paths went into `state.openapi_json`).
    let capabilities = state.routes.iter().fold(Router::new(), |router, routes| {
        router.merge(routes().split_for_parts().0)
    });
    let app = Router::new()
        .route("/health", get(health))
        .merge(super::assets::routes(&leptos_options))
        .merge(capabilities)
        .route("/api/v1/openapi.json", get(super::openapi::openapi_json))
        .route("/api/v1/{*rest}", axum::routing::any(api_not_found))
        .route(
            "/api/{*fn_name}",
            get({
                let ctx = fn_context.clone();
                move |req: Request| leptos_axum::handle_server_fns_with_context(ctx, req)
            })
            .post({
                let ctx = fn_context.clone();
                move |req: Request| leptos_axum::handle_server_fns_with_context(ctx, req)
            }),
        )
        .leptos_routes_with_context(&state, routes, page_context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(page_context, shell))
        .layer(middleware::from_fn(server_fn_error_status))
        .layer(middleware::from_fn(require_login_for_dashboard));
    // The capabilities' middleware, inside the session layer (it may read the session).
    let app = state.middleware.iter().fold(app, |app, &run| {
        app.layer(middleware::from_fn_with_state(
            state.clone(),
            move |State(state): State<AppState>, req: Request, next: Next| run(state, req, next),
        ))
    });
    let app = app
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            reject_cross_site,
        ))
        .with_state(state.clone());

    // Router::layer wraps from the inside out: the last layer added sees the request first.
    let request_id = header::HeaderName::from_static("x-request-id");
    app.layer(middleware::from_fn_with_state(state.clone(), limit_body))
        .layer(middleware::map_response(json_payload_too_large))
        .layer(middleware::map_response_with_state(state, security_headers))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req
                        .extensions()
                        .get::<RequestId>()
                        .and_then(|id| id.header_value().to_str().ok())
                        .unwrap_or("-")
                        .to_string();
                    // Only the path: query strings may carry tokens.
                    tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
                })
                .on_request(())
                .on_response(|res: &Response, latency: Duration, _span: &tracing::Span| {
                    tracing::info!(status = res.status().as_u16(), ms = latency.as_millis() as u64, "response");
                }),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(middleware::map_request(drop_unsafe_request_id))
        .layer(middleware::from_fn(redirect_to_normal_path))
}

/// A client's `X-Request-Id` is kept only when it is a short plain token: anything else
/// (spaces, quotes, newlines, long text) could forge fields in the logs, so a fresh id is
/// made instead.
async fn drop_unsafe_request_id(mut req: Request) -> Request {
    let safe = |v: &HeaderValue| {
        let b = v.as_bytes();
        (1..=64).contains(&b.len())
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    };
    if let Some(v) = req.headers().get("x-request-id")
        && !safe(v)
    {
        req.headers_mut().remove("x-request-id");
    }
    req
}

/// `/./app`, `/x/../app` and `//app` name `/app`: every decision below (log-in, routing)
/// sees only the normal form, so such paths are redirected to it first.
async fn redirect_to_normal_path(req: Request, next: Next) -> Response {
    match normal_path(req.uri().path()) {
        Some(clean) => {
            let target = match req.uri().query() {
                Some(q) => format!("{clean}?{q}"),
                None => clean,
            };
            Redirect::permanent(&target).into_response()
        }
        None => next.run(req).await,
    }
}

/// The path without empty, `.` and `..` segments, when it had any (a trailing slash stays).
fn normal_path(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    let odd = segments.iter().enumerate().any(|(i, s)| {
        let dots = matches!(*s, "." | "..")
            || s.eq_ignore_ascii_case("%2e")
            || s.eq_ignore_ascii_case("%2e%2e");
        dots || (s.is_empty() && i != last)
    });
    if !odd {
        return None;
    }
    let mut clean: Vec<&str> = Vec::new();
    for s in &segments {
        match *s {
            "" | "." => {}
            ".." => {
                clean.pop();
            }
            s if s.eq_ignore_ascii_case("%2e") => {}
            s if s.eq_ignore_ascii_case("%2e%2e") => {
                clean.pop();
            }
            s => clean.push(s),
        }
    }
    let trailing = path.ends_with('/') && !clean.is_empty();
    Some(format!(
        "/{}{}",
        clean.join("/"),
        if trailing { "/" } else { "" }
    ))
}

/// Unknown `/api/v1` paths answer with the JSON error shape, not a page.
async fn api_not_found() -> Response {
    AppError::NotFound.into_response()
}

async fn health(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (
            StatusCode::OK,
            Json(json!({"status": "ok", "database": "ok"})),
        )
            .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "degraded", "database": "unreachable"})),
        )
            .into_response()
    }
}

async fn security_headers(State(state): State<AppState>, mut res: Response) -> Response {
    let headers = res.headers_mut();
    // Pages carry the session's data and the latest asset names: never kept by a cache.
    let is_page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_page {
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    let mut set = |name: header::HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::CONTENT_SECURITY_POLICY, DEFAULT_CSP);
    set(
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
    if state.settings.is_production() {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    res
}

/// Bodies are capped at `server.body_limit_bytes`, or at the larger limit a capability set
/// for its route: refused at once from `Content-Length`, and cut off past the limit while read.
async fn limit_body(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let limit = state
        .body_limits
        .iter()
        .find(|l| l.matches(path))
        .map_or(state.settings.body_limit_bytes, |l| l.bytes);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return AppError::PayloadTooLarge.into_response();
    }
    let req = req.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)));
    next.run(req).await
}

/// Body-limit rejections answer with the JSON error shape like every other error.
async fn json_payload_too_large(res: Response) -> Response {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        return AppError::PayloadTooLarge.into_response();
    }
    res
}

/// CSRF defence for cookie-authenticated mutations: a browser always sends `Origin` on a
/// cross-site POST, so a foreign origin (or `Sec-Fetch-Site: cross-site`) is refused.
/// `/api/v1` is token-authenticated (API keys, Stripe signatures) and exempt.
async fn reject_cross_site(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe
        || req.uri().path().starts_with("/api/v1/")
        || is_same_site(req.headers(), &state.settings.public_url)
    {
        return next.run(req).await;
    }
    tracing::warn!("cross-site request refused");
    (
        StatusCode::FORBIDDEN,
        Json(json!({"error": {"code": "cross_site_request", "message": "This request came from another site and was refused."}})),
    )
        .into_response()
}

/// Same site: `Origin` is the public URL's origin, or this request's host under the public
/// URL's scheme (a local address); scheme, host and port all count.
fn is_same_site(headers: &HeaderMap, public_url: &str) -> bool {
    let header_text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    match header_text(header::ORIGIN) {
        Some(origin) => {
            let origin = origin.trim_end_matches('/');
            if origin.eq_ignore_ascii_case(public_url.trim_end_matches('/')) {
                return true;
            }
            let scheme = public_url.split_once("://").map(|(s, _)| s);
            let (Some(scheme), Some(host)) = (scheme, header_text(header::HOST)) else {
                return false;
            };
            origin.eq_ignore_ascii_case(&format!("{scheme}://{host}"))
        }
        None => {
            header_text(header::HeaderName::from_static("sec-fetch-site")) != Some("cross-site")
        }
    }
}

/// `/app` pages need a session; anonymous visitors go to the log-in page first.
async fn require_login_for_dashboard(session: Session, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path == "/app" || path.starts_with("/app/") {
        let signed_in = matches!(session.get::<String>("user_id").await, Ok(Some(_)));
        if !signed_in {
            let next_path: String = path
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "/-_".contains(*c))
                .collect();
            return Redirect::to(&format!("/login?next={next_path}")).into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_paths_have_one_normal_form() {
        assert_eq!(normal_path("/app"), None);
        assert_eq!(normal_path("/app/"), None);
        assert_eq!(normal_path("/"), None);
        assert_eq!(normal_path("/./app").as_deref(), Some("/app"));
        assert_eq!(normal_path("//app").as_deref(), Some("/app"));
        assert_eq!(
            normal_path("/s/../app/inventory").as_deref(),
            Some("/app/inventory")
        );
        assert_eq!(normal_path("/%2e/app").as_deref(), Some("/app"));
        assert_eq!(normal_path("/../..").as_deref(), Some("/"));
    }
}

/// A server that is running; dropping the handle does not stop it, `shutdown` does.
pub struct RunningServer {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    stop_worker: tokio::sync::watch::Sender<bool>,
    worker: Option<JoinHandle<()>>,
    state: AppState,
}

/// Whether a started server runs this process's job worker. Tests run due jobs themselves
/// (`jobs::run_due`, after moving the clock) so nothing happens behind their back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobWorker {
    Run,
    Off,
}

impl RunningServer {
    /// Stops accepting connections and lets in-flight requests finish (up to `grace`).
    pub async fn shutdown(mut self, grace: Duration) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.state.stopping.send_replace(true);
        // The worker finishes the job in hand; unfinished jobs are claimed again after a restart.
        let _ = self.stop_worker.send(true);
        if tokio::time::timeout(grace, &mut self.task).await.is_err() {
            tracing::warn!(
                "in-flight requests did not finish within {} s; stopping",
                grace.as_secs()
            );
            self.task.abort();
        }
        if let Some(worker) = self.worker.as_mut() {
            let _ = tokio::time::timeout(grace, worker).await;
        }
    }

    pub async fn wait(self) -> std::io::Result<()> {
        self.task
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {addr}: {reason}")]
pub struct BindError {
    pub addr: SocketAddr,
    pub reason: String,
}

/// Binds `addr` (port 0 = any free port) and serves the app and its job worker in background
/// tasks.
pub async fn start(state: AppState, addr: SocketAddr) -> Result<RunningServer, BindError> {
    start_with(state, addr, JobWorker::Run).await
}

pub async fn start_with(
    state: AppState,
    addr: SocketAddr,
    jobs: JobWorker,
) -> Result<RunningServer, BindError> {
    let listener = TcpListener::bind(addr).await.map_err(|e| BindError {
        addr,
        reason: if e.kind() == std::io::ErrorKind::AddrInUse {
            "the port is already in use (is another Flipdesk running?)".into()
        } else {
            e.to_string()
        },
    })?;
    let local = listener.local_addr().map_err(|e| BindError {
        addr,
        reason: e.to_string(),
    })?;
    let (stop_worker, stop) = tokio::sync::watch::channel(false);
    let worker = (jobs == JobWorker::Run).then(|| super::jobs::spawn_worker(state.clone(), stop));
    let timeouts = super::serve::Timeouts {
        header_read: Duration::from_secs(state.settings.header_read_timeout_secs),
        idle: Duration::from_secs(state.settings.idle_timeout_secs),
    };
    let app = router(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(super::serve::serve(listener, app, timeouts, rx));
    Ok(RunningServer {
        addr: local,
        shutdown: Some(tx),
        task,
        stop_worker,
        worker,
        state,
    })
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// Server functions (`/api/…` outside the public `/api/v1`) answer their errors with the
/// error's own status, also when the arguments did not even decode.
async fn server_fn_error_status(req: Request, next: middleware::Next) -> Response {
    let is_server_fn =
        req.uri().path().starts_with("/api/") && !req.uri().path().starts_with("/api/v1/");
    let res = next.run(req).await;
    if is_server_fn {
        errors::with_error_status(res).await
    } else {
        res
    }
}
