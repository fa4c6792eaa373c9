//! Store monitors: a reseller says what they hunt (keywords with exclusions and phrases,
//! kind, sizes, condition or grade, a top price, some stores) and hears in their inbox when
//! any public storefront lists it, restocks it or drops its price under the top.

pub mod api;
mod page;
#[cfg(feature = "ssr")]
pub mod service;
pub mod types;

pub use page::MonitorsPage;

/// What monitors plug into the server: the matching job.
#[cfg(feature = "ssr")]
pub fn plug(p: &mut crate::server::plugins::Plugins) {
    p.jobs.register::<service::MatchMonitors>();
}
