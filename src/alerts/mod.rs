//! Alert webhooks: a reseller's notifications of the chosen types sent on to their own tool
//! (signed JSON) or a Discord channel. Each new notification is handed off by a job queued in
//! the notice's own transaction; each delivery is its own job with three attempts, waits as
//! long as a rate-limited receiver asks, and leaves an inbox error when it fails for good.
//! Addresses are sealed at rest and fenced away from private networks (`server::outbound`).

pub mod api;
#[cfg(feature = "ssr")]
pub mod deliver;
mod page;
#[cfg(feature = "ssr")]
pub mod service;
pub mod types;

pub use page::WebhooksPage;

/// What alert webhooks plug into the server: the hand-off and delivery jobs.
#[cfg(feature = "ssr")]
pub fn plug(p: &mut crate::server::plugins::Plugins) {
    p.jobs
        .register::<deliver::HandOff>()
        .register::<deliver::Deliver>();
    p.part(deliver::AlertClient::default());
}
