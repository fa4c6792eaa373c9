//! Checkout's background jobs: ending reservations, reminding buyers who pay by hand,
//! closing Stripe payment pages, and applying Stripe's events.

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::server::{
    jobs::{BackgroundJob, JobRegistry, Outcome},
    state::AppState,
};

/// At the end of a reservation: close the Stripe session and give the units back.
#[derive(Serialize, Deserialize)]
pub struct ExpireOrder {
    pub order_id: String,
}

impl BackgroundJob for ExpireOrder {
    const KIND: &'static str = "order.expire";
    const LABEL: &'static str = "Release an expired reservation";
    const MAX_ATTEMPTS: i64 = 10;

    async fn run(self, state: &AppState) -> Outcome {
        super::service::expire_order(state, &self.order_id).await
    }
}

/// A day before a manual-payment hold ends: one more mail with how to pay.
#[derive(Serialize, Deserialize)]
pub struct RemindPayment {
    pub order_id: String,
}

impl BackgroundJob for RemindPayment {
    const KIND: &'static str = "order.payment_reminder";
    const LABEL: &'static str = "Remind a buyer to pay";
    const MAX_ATTEMPTS: i64 = 5;

    async fn run(self, state: &AppState) -> Outcome {
        super::service::remind_payment(state, &self.order_id).await
    }
}

/// Closing a Stripe payment page again, when Stripe was unreachable at expiry.
#[derive(Serialize, Deserialize)]
pub struct ExpireStripeSession {
    pub session_id: String,
}

impl BackgroundJob for ExpireStripeSession {
    const KIND: &'static str = "stripe.expire_session";
    const LABEL: &'static str = "Close a Stripe payment page";

    async fn run(self, state: &AppState) -> Outcome {
        super::service::expire_stripe_session(state, &self.session_id).await
    }
}

/// A received Stripe event, applied once.
#[derive(Serialize, Deserialize)]
pub struct ApplyStripeEvent {
    pub event_id: String,
}

impl BackgroundJob for ApplyStripeEvent {
    const KIND: &'static str = "stripe.event";
    const LABEL: &'static str = "Apply a payment update from Stripe";
    /// Backoff doubles from 2 s: twelve attempts span about an hour (outages of Stripe or
    /// the database) before the owner is asked to look.
    const MAX_ATTEMPTS: i64 = 12;

    async fn run(self, state: &AppState) -> Outcome {
        super::webhook::apply(state, &self.event_id).await
    }
}

fn sweep(state: AppState) -> BoxFuture<'static, ()> {
    Box::pin(async move { super::service::sweep_expired(&state).await })
}

pub fn register(jobs: &mut JobRegistry) {
    jobs.register::<ExpireOrder>()
        .register::<RemindPayment>()
        .register::<ExpireStripeSession>()
        .register::<ApplyStripeEvent>()
        .every_round(sweep);
}
