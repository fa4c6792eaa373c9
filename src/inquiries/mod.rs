//! Shoppers' questions to a store: the storefront's contact page and "Ask about this item",
//! the spam rules, the owner's inbox notice and mail, and the store view's inquiries page
//! where the owner answers (by mail) or archives.

pub mod api;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod types;

pub use pages::{ContactPage, InquiriesPage};

/// What inquiries plug into the server: the per-address limit.
#[cfg(feature = "ssr")]
pub fn plug(p: &mut crate::server::plugins::Plugins) {
    p.part(service::InquiryLimits::default());
}
