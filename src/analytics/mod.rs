//! Analytics: KPIs, net worth over time and market prices, on the dashboard's home.

pub mod api;
mod charts;
#[cfg(feature = "hydrate")]
mod draw;
pub mod page;
pub mod types;

#[cfg(feature = "ssr")]
pub mod ledger;
#[cfg(feature = "ssr")]
pub mod periods;
#[cfg(feature = "ssr")]
pub mod prices;
#[cfg(feature = "ssr")]
pub mod service;
