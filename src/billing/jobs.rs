//! Billing's background jobs: applying Stripe Billing's events, and telling a reseller their
//! plan changed (the inbox notification; Discord role sync hooks in here).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::billing::Plan;
use crate::server::{
    db::new_id,
    jobs::{BackgroundJob, JobRegistry, Outcome},
    state::AppState,
    store::sql,
};

/// A received subscription or invoice event, applied once.
#[derive(Serialize, Deserialize)]
pub struct ApplyBillingEvent {
    pub event_id: String,
}

impl BackgroundJob for ApplyBillingEvent {
    const KIND: &'static str = "billing.stripe_event";
    const LABEL: &'static str = "Apply a subscription update from Stripe";
    const MAX_ATTEMPTS: i64 = 12;

    async fn run(self, state: &AppState) -> Outcome {
        super::stripe_events::apply(state, &self.event_id).await
    }
}

/// A reseller's plan changed to `plan` (`key` names the change, so a rerun notifies once).
#[derive(Serialize, Deserialize)]
pub struct PlanChanged {
    pub user_id: String,
    pub plan: Plan,
    pub key: String,
    pub why: String,
}

impl BackgroundJob for PlanChanged {
    const KIND: &'static str = "billing.plan_changed";
    const LABEL: &'static str = "Tell a reseller their plan changed";

    async fn run(self, state: &AppState) -> Outcome {
        let title = format!("You are on {} now", self.plan.label());
        let written = state
            .db
            .write(
                sql("INSERT INTO notifications (id, user_id, kind, title, body, link, data, dedupe_key, created_at) \
                     VALUES ($1, $2, 'plan_changed', $3, $4, '/app/billing', $5, $6, $7) \
                     ON CONFLICT (user_id, dedupe_key) DO NOTHING")
                .bind(new_id())
                .bind(&self.user_id)
                .bind(title)
                .bind(&self.why)
                .bind(serde_json::json!({ "plan": self.plan.as_str() }).to_string())
                .bind(format!("plan:{}", self.key))
                .bind(OffsetDateTime::now_utc()),
            )
            .await;
        match written {
            Ok(_) => Outcome::Done,
            Err(e) => Outcome::Failed(format!("cannot write the notification: {e}")),
        }
    }
}

pub fn register(jobs: &mut JobRegistry) {
    jobs.register::<ApplyBillingEvent>()
        .register::<PlanChanged>();
}
