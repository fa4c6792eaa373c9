//! Plans and quotas: the billing page (plan, usage bars, what premium adds, upgrade through
//! Stripe Checkout, the Customer Portal, invoices, the referral link), the admin's plans page
//! (grant or remove premium and beta, audited), the one quota guard every creating path
//! calls inside its transaction (`quota`), the plan a reseller stands on (`standing`), and
//! Stripe Billing's events (`stripe_events`).

mod admin_page;
pub mod api;
#[cfg(feature = "ssr")]
pub mod jobs;
mod pages;
#[cfg(feature = "ssr")]
pub mod premium;
#[cfg(feature = "ssr")]
pub mod quota;
#[cfg(feature = "ssr")]
pub mod referrals;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod standing;
#[cfg(feature = "ssr")]
pub mod stripe_events;
pub mod types;

pub use admin_page::PlansAdminPage;
pub use pages::BillingPage;

/// What billing plugs into the server: its jobs.
#[cfg(feature = "ssr")]
pub fn plug(p: &mut crate::server::plugins::Plugins) {
    jobs::register(&mut p.jobs);
}
