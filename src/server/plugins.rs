//! What a capability plugs into the server: its kinds of background job, its own state (a
//! cache, a client), its REST routes with their OpenAPI description, and middleware. The
//! composition root (`crate::capabilities`) collects every capability's plug; the plumbing
//! only runs what it was handed.

use axum::{extract::Request, middleware::Next, response::Response};
use futures::future::BoxFuture;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;

use super::{jobs::JobRegistry, state::AppState};

/// Middleware a capability puts around every request (e.g. the buyer's signed order link).
pub type Middleware = fn(AppState, Request, Next) -> BoxFuture<'static, Response>;

/// The app's pages: its route list and the HTML shell around every page.
#[derive(Clone, Copy)]
pub struct Pages {
    pub routes: fn() -> Vec<leptos_axum::AxumRouteListing>,
    pub shell: fn(leptos::config::LeptosOptions) -> leptos::prelude::AnyView,
}

pub struct Plugins {
    pub pages: Pages,
    pub jobs: JobRegistry,
    /// Capability state, one value per type, reached with `AppState::part`.
    pub parts: axum::http::Extensions,
    /// REST routes (documented ones carry their OpenAPI paths).
    pub routes: Vec<fn() -> OpenApiRouter<AppState>>,
    pub middleware: Vec<Middleware>,
    /// Routes that take larger bodies than `server.body_limit_bytes` (photo uploads).
    pub body_limits: Vec<BodyLimit>,
}

/// A larger body limit for the paths that start with `prefix` and end with `suffix`.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit {
    pub prefix: &'static str,
    pub suffix: &'static str,
    pub bytes: usize,
}

impl BodyLimit {
    pub fn matches(&self, path: &str) -> bool {
        path.len() > self.prefix.len() + self.suffix.len()
            && path.starts_with(self.prefix)
            && path.ends_with(self.suffix)
    }
}

impl Plugins {
    /// A server for the app `pages`, with no capability plugged in yet.
    pub fn new(pages: Pages) -> Plugins {
        Plugins {
            pages,
            jobs: JobRegistry::default(),
            parts: Default::default(),
            routes: Vec::new(),
            middleware: Vec::new(),
            body_limits: Vec::new(),
        }
    }

    /// Adds a capability's own state (shared by every request; reached with `AppState::part`).
    pub fn part<T: Send + Sync + 'static>(&mut self, value: T) -> &mut Self {
        self.parts.insert(Arc::new(value));
        self
    }
}
