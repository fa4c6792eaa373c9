//! Flipdesk: inventory, storefront and Want-To-Buy lists for sneaker and card resellers.
//! The same crate builds the server (`ssr`) and the browser bundle (`hydrate`).
#![recursion_limit = "256"]

pub mod alerts;
pub mod analytics;
pub mod app;
pub mod auth;
pub mod billing;
pub mod catalog;
pub mod channels;
pub mod checkout;
pub mod dashboard;
pub mod discord;
pub mod domain;
pub mod error;
pub mod imports;
pub mod inbox;
pub mod inquiries;
pub mod inventory;
pub mod lists;
pub mod monitors;
pub mod photos;
pub mod preferences;
pub mod store;
pub mod storefront;
pub mod ui;
pub mod wire;

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
    // Hydrates asynchronously (what `leptos::mount::hydrate_lazy` does): a lazy page's module
    // is fetched before its server HTML is hydrated (`cargo leptos build --split`). Only then
    // is the page interactive, which the body says for tests and benchmarks (data-hydrated).
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document()
            .body()
            .expect("a page has a body");
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
