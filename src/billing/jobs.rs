//! Billing's background jobs: applying Stripe Billing's events, and telling a reseller their
//! plan changed (the inbox notification; Discord role sync hooks in here).

use serde::{Deserialize, Serialize};

use futures::future::BoxFuture;

use crate::{
    domain::{billing::Plan, inbox::Level},
    server::{
        db::BeginWrite,
        jobs::{self, BackgroundJob, JobRegistry, Outcome},
        notify::Notice,
        state::AppState,
        store::sql,
    },
    with_db,
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
        // Moving up is good news; moving down (a failed payment, a cancellation) needs a look.
        let level = if self.plan == Plan::Free {
            Level::Warning
        } else {
            Level::Success
        };
        let written = Notice::new(
            &self.user_id,
            "plan_changed",
            level,
            format!("You are on {} now", self.plan.label()),
        )
        .body(self.why)
        .link("/app/billing")
        .data(serde_json::json!({ "plan": self.plan.as_str() }))
        .once(format!("plan:{}", self.key))
        .write(&state.db)
        .await;
        if let Err(e) = written {
            return Outcome::Failed(format!("cannot write the notification: {e}"));
        }
        // The Discord role follows the plan (a rerun queues a sync that changes nothing).
        if state.discord.is_some() {
            let queued = with_db!(&state.db, pool => async {
                let mut tx = pool.begin_write().await?;
                crate::discord::roles::queue_sync_in(&mut tx, &self.user_id).await?;
                tx.commit().await
            }.await);
            if let Err(e) = queued {
                return Outcome::Failed(format!("cannot queue the Discord role update: {e}"));
            }
        }
        Outcome::Done
    }
}

/// A failed renewal's grace period ends without an event from Stripe: each round looks for
/// subscriptions whose grace just ended and tells their resellers (once per unpaid period).
async fn grace_ended(state: &AppState) -> sqlx::Result<()> {
    let now = state.clock.now().unix_timestamp();
    let grace = i64::from(state.settings.billing.grace_days) * super::standing::DAY_SECS;
    let ended: Vec<(String, String, i64)> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT id, user_id, period_start FROM subscriptions \
         WHERE status IN ('past_due', 'unpaid') AND grace_ended_at IS NULL AND period_start <= $1 LIMIT 100")
        .bind(now - grace).fetch_all(pool).await)?;
    for (id, user_id, period_start) in ended {
        with_db!(&state.db, pool => async {
            let mut tx = pool.begin_write().await?;
            let claimed = sql("UPDATE subscriptions SET grace_ended_at = $1 WHERE id = $2 AND grace_ended_at IS NULL")
                .bind(now).bind(&id).execute(&mut tx).await?;
            let plan = super::standing::plan_at(&mut tx, state.settings.billing.grace_days, &user_id, now).await?;
            // A grant or premium days may still hold the plan up: then nothing changed.
            if claimed == 1 && plan == Plan::Free {
                let job = PlanChanged {
                    user_id: user_id.clone(),
                    plan,
                    key: format!("grace:{id}:{period_start}"),
                    why: "Your Premium payment is still unpaid and the grace period is over. Pay the open invoice to get Premium back.".into(),
                };
                jobs::enqueue(&mut tx, &job.queued(Some(&user_id))).await?;
            }
            tx.commit().await
        }.await)?;
    }
    Ok(())
}

fn sweep(state: AppState) -> BoxFuture<'static, ()> {
    Box::pin(async move {
        if let Err(e) = grace_ended(&state).await {
            tracing::warn!(error = %e, "cannot look for ended grace periods");
        }
    })
}

pub fn register(jobs: &mut JobRegistry) {
    jobs.register::<ApplyBillingEvent>()
        .register::<PlanChanged>()
        .every_round(sweep);
}
