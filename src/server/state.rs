//! Shared server state, handed to axum handlers as state and to server functions as context.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

use super::{
    config::{Secret, Settings},
    db::Db,
    rate_limit::Limiters,
};

/// A cheap handle (one `Arc`): every middleware, extractor and server function takes its own
/// copy of the state, and copying the fields one by one showed up in request profiles.
#[derive(Clone)]
pub struct AppState(Arc<State>);

impl std::ops::Deref for AppState {
    type Target = State;
    fn deref(&self) -> &State {
        &self.0
    }
}

impl AppState {
    pub fn new(state: State) -> AppState {
        AppState(Arc::new(state))
    }

    /// The state while nothing else holds it yet (at start-up: e.g. a test pointing the
    /// server at its own built files); `None` once it is shared.
    pub fn unshared_mut(&mut self) -> Option<&mut State> {
        Arc::get_mut(&mut self.0)
    }
}

pub struct State {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub secret: Secret,
    pub limits: Arc<Limiters>,
    pub leptos_options: LeptosOptions,
    /// Every kind of background job and the periodic work the capabilities registered.
    pub jobs: Arc<super::jobs::JobRegistry>,
    /// The capabilities' own state (caches), one value per type: see `part`.
    pub parts: axum::http::Extensions,
    /// The app's pages, and the capabilities' REST routes and middleware (see `plugins`).
    pub pages: super::plugins::Pages,
    pub routes: Vec<fn() -> utoipa_axum::router::OpenApiRouter<AppState>>,
    pub middleware: Vec<super::plugins::Middleware>,
    pub body_limits: Vec<super::plugins::BodyLimit>,
    /// The OpenAPI document of `/api/v1`, made from the same routes the router serves.
    pub openapi_json: String,
    /// The Stripe client (one connection pool for the process); `None`: manual payment only.
    pub stripe: Option<super::stripe::Stripe>,
    /// The Discord client (login, roles, DMs, the bot); `None`: Discord is off.
    pub discord: Option<Arc<super::discord::Discord>>,
    /// Wakes this process's job worker when work was queued that should not wait for the
    /// next poll (a Stripe event to apply).
    pub jobs_ready: tokio::sync::Notify,
    /// The time that holds, expiries and due jobs are measured against.
    pub clock: super::clock::Clock,
    /// Becomes true when the server stops: long-lived responses (the events stream) end
    /// then, so a shutdown does not wait for them.
    pub stopping: tokio::sync::watch::Sender<bool>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// A capability's own state, registered by its plug (`Plugins::part`). Every capability
    /// is plugged in at start-up, so a missing one is a wiring mistake caught by any test.
    pub fn part<T: Send + Sync + 'static>(&self) -> &Arc<T> {
        self.parts
            .get::<Arc<T>>()
            .unwrap_or_else(|| panic!("{} is not plugged in", std::any::type_name::<T>()))
    }

    /// The state inside a server function (provided by `leptos_routes_with_context`).
    pub fn get() -> Result<AppState, crate::error::AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from server function context");
            crate::error::AppError::Internal
        })
    }
}
