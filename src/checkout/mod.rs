//! Checkout and orders: reservations that can never oversell, Stripe Checkout or manual
//! payment, idempotent webhooks, refunds, fulfilment and each order's signed timeline.

pub mod api;
#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub(crate) mod ops;
pub mod order_page;
#[cfg(feature = "ssr")]
mod orders;
pub mod orders_page;
#[cfg(feature = "ssr")]
pub mod read;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod webhook;

/// What checkout plugs into the server: its jobs, its public routes and the buyer's link.
#[cfg(feature = "ssr")]
pub fn plug(p: &mut crate::server::plugins::Plugins) {
    jobs::register(&mut p.jobs);
    p.routes.push(rest::routes);
    p.middleware.push(rest::guest_link_middleware);
}

use serde::{Deserialize, Serialize};

use crate::domain::{
    Money,
    store::{OrderStatus, PaymentMethod, ShippingAddress},
};

/// A row of the store view's order list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub id: String,
    pub status: OrderStatus,
    pub email: String,
    pub total: Money,
    pub units: i64,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderLineView {
    pub id: String,
    pub listing_id: String,
    pub item_id: String,
    pub title: String,
    pub unit_price: Money,
    pub quantity: i64,
    /// Units the owner took back into stock with a refund.
    pub returned: i64,
    /// Units that were sold and could still come back.
    pub returnable: i64,
}

/// One entry of an order's timeline, from the signed order events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderEventView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub detail: String,
    /// The HMAC still matches (the row was not edited).
    pub verified: bool,
}

/// An order as its owner (all of it) or its buyer (no timeline) sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDetail {
    pub id: String,
    pub store_slug: String,
    pub store_name: String,
    pub status: OrderStatus,
    pub payment_method: PaymentMethod,
    pub email: String,
    pub shipping_address: Option<ShippingAddress>,
    pub lines: Vec<OrderLineView>,
    pub subtotal: Money,
    pub shipping: Money,
    pub total: Money,
    pub refunded: Money,
    pub carrier: Option<String>,
    pub tracking_code: Option<String>,
    /// Why the order needs the owner (late payment without stock, amount mismatch, dispute).
    pub attention: Option<String>,
    /// While payment is pending: when the reservation ends (RFC 3339).
    pub expires_at: Option<String>,
    /// Manual payment: what the store asks the buyer to do.
    pub payment_instructions: Option<String>,
    /// Stripe: where the buyer pays while the reservation holds.
    pub checkout_url: Option<String>,
    pub created_at: String,
    pub events: Vec<OrderEventView>,
}

/// A background task that failed for good, shown to the reseller with a retry button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedTask {
    pub id: String,
    pub what: String,
    pub attempts: i64,
    pub error: String,
}
