//! The inbox: everything Flipdesk tells a reseller (orders, refunds, failed jobs, imports,
//! Want-To-Buy matches, plan changes), written by any capability through
//! `server::notify::Notice`. This folder owns the page at `/app/inbox` (filters, pages, read
//! and unread, bulk actions, retention), the live unread badge of the dashboard's top bar and
//! its events stream (`live`), and the prune of old notifications.

pub mod api;
mod badge;
mod levels;
#[cfg(feature = "ssr")]
pub mod live;
mod page;
#[cfg(feature = "ssr")]
mod rest;
#[cfg(feature = "ssr")]
pub mod service;
pub mod types;

pub use badge::InboxBadge;
pub use levels::LevelChoices;
pub use page::InboxPage;

/// What the inbox plugs into the server: the events stream, its hub, the prune.
#[cfg(feature = "ssr")]
pub fn plug(p: &mut crate::server::plugins::Plugins) {
    p.part(live::Hub::default());
    p.routes.push(rest::routes);
    p.jobs.every_round(prune);
}

#[cfg(feature = "ssr")]
fn prune(state: crate::server::state::AppState) -> futures::future::BoxFuture<'static, ()> {
    Box::pin(async move {
        if let Err(e) = service::prune(&state.db, state.clock.now()).await {
            tracing::warn!(error = %e, "cannot prune old notifications");
        }
    })
}
