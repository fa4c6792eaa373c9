//! The composition root: every capability's plug, in one list, and the server state built
//! with them. A new capability adds its folder and one line here.

use leptos::{config::LeptosOptions, prelude::*};

use crate::server::{
    config::{ConfigError, Settings},
    db::Db,
    http,
    plugins::{Pages, Plugins},
    state::AppState,
};

fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    leptos_axum::generate_route_list(crate::app::App)
}

fn shell(options: LeptosOptions) -> AnyView {
    crate::app::shell(options).into_any()
}

/// The app's pages and what every capability brings to the server: jobs, routes, state,
/// middleware.
pub fn plugins() -> Plugins {
    let mut p = Plugins::new(Pages {
        routes: page_routes,
        shell,
    });
    crate::server::mail::plug(&mut p);
    crate::checkout::plug(&mut p);
    crate::storefront::plug(&mut p);
    crate::lists::plug(&mut p);
    crate::inventory::plug(&mut p);
    crate::photos::plug(&mut p);
    crate::billing::plug(&mut p);
    crate::inbox::plug(&mut p);
    crate::inquiries::plug(&mut p);
    crate::monitors::plug(&mut p);
    crate::alerts::plug(&mut p);
    crate::discord::plug(&mut p);
    crate::catalog::plug(&mut p);
    crate::channels::plug(&mut p);
    p
}

/// The state of a Flipdesk server with every capability plugged in.
pub fn build_state(settings: Settings, db: Db) -> Result<AppState, ConfigError> {
    http::build_state(settings, db, plugins())
}
