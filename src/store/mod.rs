//! The store view: store settings and listings (orders live in `checkout`).

pub mod api;
mod listings_page;
#[cfg(feature = "ssr")]
pub mod service;
mod settings_page;
pub mod types;

pub use listings_page::{ListOnStore, ListingsPage};
pub use settings_page::StoreSettingsPage;
