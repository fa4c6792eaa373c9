//! Flipdesk: inventory, storefront and Want-To-Buy lists for sneaker and card resellers.
//! The same crate builds the server (`ssr`) and the browser bundle (`hydrate`).
#![recursion_limit = "256"]

pub mod analytics;
pub mod app;
pub mod auth;
pub mod checkout;
pub mod dashboard;
pub mod domain;
pub mod error;
pub mod imports;
pub mod inventory;
pub mod lists;
pub mod preferences;
pub mod store;
pub mod storefront;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod admin;
#[cfg(feature = "ssr")]
pub mod capabilities;
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy routes' chunks load when their page is first shown (`cargo leptos build --split`).
    leptos::mount::hydrate_lazy(app::App);
}
