//! Sales channels: the places besides the storefront where an item is offered — connected
//! apps speaking the channel protocol (locks, sales, signed events) and marketplaces listed
//! on by hand. A unit is held by one buyer at most across all of them: a channel's lock takes
//! units from the item's storefront listing exactly as a storefront reservation does.

pub mod api;
#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod handoff;
#[cfg(feature = "ssr")]
pub mod locks;
#[cfg(feature = "ssr")]
pub mod offers;
mod page;
#[cfg(feature = "ssr")]
pub mod reconcile;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod sales;
#[cfg(feature = "ssr")]
pub mod service;
pub mod types;

pub use page::{ChannelsPage, ItemChannels};

/// What channels plug into the server: the protocol's routes, lock expiry, event delivery
/// and the reconciler.
#[cfg(feature = "ssr")]
pub fn plug(p: &mut crate::server::plugins::Plugins) {
    p.routes.push(rest::routes);
    p.jobs
        .register::<locks::ExpireLock>()
        .register::<events::Deliver>()
        .register::<events::FanOut>()
        .register::<reconcile::Reconcile>()
        .every_round(reconcile::round);
    p.part(events::ChannelClient::default());
}
