//! Plans and quotas: the billing page (plan, usage bars, what premium adds), the admin's
//! plans page (grant or remove premium and beta, audited), and the one quota guard every
//! creating path calls inside its transaction (`quota`).

pub mod api;
mod pages;
#[cfg(feature = "ssr")]
pub mod quota;
#[cfg(feature = "ssr")]
pub mod service;
pub mod types;

pub use pages::{BillingPage, PlansAdminPage};
