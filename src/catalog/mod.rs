//! The catalog and product enrichment: products resellers' messy text resolves to (sneakers
//! by style id and name, cards by set and number, sealed product), imported from Flipdesk
//! catalog files and Cardmarket's daily files, searched by an in-memory index.

#[cfg(feature = "ssr")]
pub mod import;
#[cfg(feature = "ssr")]
pub mod index;
#[cfg(feature = "ssr")]
pub mod product;
#[cfg(feature = "ssr")]
pub mod resolve;
#[cfg(feature = "ssr")]
pub mod store;
