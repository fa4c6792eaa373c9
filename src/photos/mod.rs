//! Item photos: upload (drag and drop, or the phone's camera), reorder, pick the cover,
//! delete; the server checks each file by content, strips its metadata and makes resized
//! copies in a background job (see `service`), served with a year-long cache lifetime.

pub mod api;
mod manager;
#[cfg(feature = "ssr")]
pub mod process;
#[cfg(feature = "ssr")]
mod rest;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod storage;
pub mod types;

pub use manager::PhotoManager;

/// Largest photo the browser sends (the server refuses larger ones from their length).
pub const MAX_PHOTO_BYTES: f64 = 15.0 * 1024.0 * 1024.0;

/// What photos plug into the server: the upload and file routes, the processing job and
/// the files' store.
#[cfg(feature = "ssr")]
pub fn plug(p: &mut crate::server::plugins::Plugins) {
    p.routes.push(|| {
        utoipa_axum::router::OpenApiRouter::new()
            .route("/app/items/{id}/photos", axum::routing::post(rest::upload))
            .route("/photos/{id}/{file}", axum::routing::get(rest::serve))
    });
    p.body_limits.push(crate::server::plugins::BodyLimit {
        prefix: "/app/items/",
        suffix: "/photos",
        bytes: process::MAX_UPLOAD_BYTES as usize,
    });
    p.jobs.register::<service::ProcessPhoto>();
    p.part(service::Photos::default());
}
