//! The catalog and product enrichment: products resellers' messy text resolves to (sneakers
//! by style id and name, cards by set and number, sealed product), imported from Flipdesk
//! catalog files and Cardmarket's daily files, searched by an in-memory index.

pub mod api;
#[cfg(feature = "ssr")]
pub mod choices;
#[cfg(feature = "ssr")]
mod conventions;
#[cfg(feature = "ssr")]
pub mod enrich;
mod enrich_ui;
#[cfg(feature = "ssr")]
pub mod import;
#[cfg(feature = "ssr")]
pub mod index;
mod picker;
#[cfg(feature = "ssr")]
pub mod prices;
#[cfg(feature = "ssr")]
pub mod product;
#[cfg(feature = "ssr")]
pub mod providers;
#[cfg(feature = "ssr")]
pub mod resolve;
#[cfg(feature = "ssr")]
pub mod schedule;
#[cfg(feature = "ssr")]
pub mod store;
pub mod types;

pub use enrich_ui::{EnrichButton, EnrichProgress, EnrichState};
pub use picker::ProductPicker;

/// What the catalog plugs into the server: the shared search index.
#[cfg(feature = "ssr")]
pub fn plug(p: &mut crate::server::plugins::Plugins) {
    p.part(resolve::SharedIndex::default())
        .part(resolve::Lookup::default());
    p.jobs
        .register::<schedule::RefreshCardmarket>()
        .register::<schedule::RefreshPrices>()
        .register::<enrich::EnrichAll>()
        .every_round(schedule::round);
}
