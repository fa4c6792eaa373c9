//! Which plan a reseller is on, worked out from what they have: an admin's grant, a Stripe
//! subscription (with a grace period when a renewal fails), premium days from a referral;
//! without any of them, free. Read the same way by the quota guard (in its transaction)
//! and by the pages.

use crate::{
    billing::types::{PlanSource, Standing, SubscriptionView},
    domain::billing::Plan,
    error::AppError,
    server::{
        db::Db,
        store::{Store, Tx, sql},
    },
    with_db,
};

/// Everything the plan is made from, in one statement (the quota guard runs it in every
/// creating transaction): the admin's grant; the subscription that speaks for the account
/// (a live one first, else the newest); premium days covering `$2` (epoch seconds) and where
/// their run ends.
const FACTS: &str = "SELECT g.plan AS grant_plan, g.reason AS grant_reason, \
       s.status, s.price_id, s.period_start, s.period_end, s.cancel_at_period_end, \
       (SELECT reason FROM premium_periods WHERE user_id = $1 AND starts_at <= $2 AND ends_at > $2 ORDER BY ends_at DESC LIMIT 1) AS days_reason, \
       (SELECT MAX(ends_at) FROM premium_periods WHERE user_id = $1 AND ends_at > $2) AS days_until \
     FROM (SELECT 1 AS one) o \
     LEFT JOIN plan_grants g ON g.user_id = $1 \
     LEFT JOIN (SELECT status, price_id, period_start, period_end, cancel_at_period_end FROM subscriptions \
         WHERE user_id = $1 \
         ORDER BY CASE WHEN status IN ('active', 'trialing', 'past_due', 'unpaid') THEN 0 ELSE 1 END, last_event_at DESC \
         LIMIT 1) s ON 1 = 1";

#[derive(sqlx::FromRow)]
struct FactsRow {
    grant_plan: Option<String>,
    grant_reason: Option<String>,
    status: Option<String>,
    price_id: Option<String>,
    period_start: Option<i64>,
    period_end: Option<i64>,
    cancel_at_period_end: Option<bool>,
    days_reason: Option<String>,
    days_until: Option<i64>,
}

impl From<FactsRow> for Facts {
    fn from(r: FactsRow) -> Facts {
        Facts {
            grant: r.grant_plan.zip(r.grant_reason),
            subscription: r.status.map(|status| SubscriptionRow {
                status,
                price_id: r.price_id.unwrap_or_default(),
                period_start: r.period_start,
                period_end: r.period_end,
                cancel_at_period_end: r.cancel_at_period_end.unwrap_or(false),
            }),
            days: (r.days_reason, r.days_until),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SubscriptionRow {
    pub status: String,
    pub price_id: String,
    pub period_start: Option<i64>,
    pub period_end: Option<i64>,
    pub cancel_at_period_end: bool,
}

/// What the plan is made from.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub grant: Option<(String, String)>,
    pub subscription: Option<SubscriptionRow>,
    /// Premium days covering now (their reason) and the end of the run.
    pub days: (Option<String>, Option<i64>),
}

pub async fn facts_in<DB: Store>(tx: &mut Tx<DB>, owner: &str, now: i64) -> sqlx::Result<Facts> {
    let row: FactsRow = sql(FACTS).bind(owner).bind(now).fetch_one(tx).await?;
    Ok(row.into())
}

pub async fn facts(db: &Db, owner: &str, now: i64) -> Result<Facts, AppError> {
    let row: FactsRow =
        with_db!(db, pool => sqlx::query_as(FACTS).bind(owner).bind(now).fetch_one(pool).await)?;
    Ok(row.into())
}

pub const DAY_SECS: i64 = 24 * 60 * 60;

/// Whether a subscription in `status` pays for premium at `now`: active and trialing do; a
/// failed renewal (`past_due`, `unpaid`) does for `grace_days` from the start of the unpaid
/// period, then no longer; anything else (cancelled, incomplete, paused) does not.
/// Returns the end of the grace period when premium runs on it.
pub fn subscription_premium(
    sub: &SubscriptionRow,
    now: i64,
    grace_days: u32,
) -> (bool, Option<i64>) {
    match sub.status.as_str() {
        "active" | "trialing" => (true, None),
        "past_due" | "unpaid" => {
            let from = sub.period_start.unwrap_or(now);
            let until = from + i64::from(grace_days) * DAY_SECS;
            (now < until, Some(until))
        }
        _ => (false, None),
    }
}

/// The plan `facts` make at `now`: a grant wins, then a subscription, then premium days.
pub fn resolve(facts: &Facts, now: i64, grace_days: u32) -> Standing {
    let subscription = facts.subscription.as_ref().map(|s| {
        let (_, grace_until) = subscription_premium(s, now, grace_days);
        SubscriptionView {
            status: s.status.clone(),
            price_id: s.price_id.clone(),
            renews_at: s.period_end,
            cancel_at_period_end: s.cancel_at_period_end,
            grace_until,
        }
    });
    let paying = facts
        .subscription
        .as_ref()
        .is_some_and(|s| subscription_premium(s, now, grace_days).0);
    let granted = facts
        .grant
        .as_ref()
        .and_then(|(p, reason)| Plan::parse(p).map(|p| (p, reason.clone())));
    let (plan, source) = match (granted, paying, &facts.days.0) {
        (Some((plan, reason)), _, _) => (plan, PlanSource::Grant { reason }),
        (None, true, _) => (Plan::Premium, PlanSource::Subscription),
        (None, false, Some(reason)) => (
            Plan::Premium,
            PlanSource::Days {
                reason: reason.clone(),
                until: facts.days.1.unwrap_or(now),
            },
        ),
        (None, false, None) => (Plan::Free, PlanSource::Free),
    };
    Standing {
        plan,
        source,
        subscription,
    }
}

pub fn now_secs() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The reseller's plan now, inside a write transaction (the quota guard).
pub async fn plan_in<DB: Store>(
    tx: &mut Tx<DB>,
    grace_days: u32,
    owner: &str,
) -> sqlx::Result<Plan> {
    plan_at(tx, grace_days, owner, now_secs()).await
}

/// The reseller's plan at `now` (epoch seconds), inside a transaction.
pub async fn plan_at<DB: Store>(
    tx: &mut Tx<DB>,
    grace_days: u32,
    owner: &str,
    now: i64,
) -> sqlx::Result<Plan> {
    Ok(resolve(&facts_in(tx, owner, now).await?, now, grace_days).plan)
}

pub async fn standing(db: &Db, grace_days: u32, owner: &str) -> Result<Standing, AppError> {
    let now = now_secs();
    Ok(resolve(&facts(db, owner, now).await?, now, grace_days))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(status: &str, period_start: i64) -> SubscriptionRow {
        SubscriptionRow {
            status: status.into(),
            price_id: "price_m".into(),
            period_start: Some(period_start),
            period_end: Some(period_start + 30 * DAY_SECS),
            cancel_at_period_end: false,
        }
    }

    #[test]
    fn a_failed_renewal_keeps_premium_for_the_grace_period_then_drops_to_free() {
        let start = 1_000_000;
        let facts = |status: &str| Facts {
            subscription: Some(sub(status, start)),
            ..Facts::default()
        };
        assert_eq!(resolve(&facts("active"), start, 7).plan, Plan::Premium);
        let during = resolve(&facts("past_due"), start + 6 * DAY_SECS, 7);
        assert_eq!(during.plan, Plan::Premium);
        assert_eq!(
            during.subscription.unwrap().grace_until,
            Some(start + 7 * DAY_SECS)
        );
        assert_eq!(
            resolve(&facts("past_due"), start + 7 * DAY_SECS, 7).plan,
            Plan::Free
        );
        assert_eq!(resolve(&facts("canceled"), start, 7).plan, Plan::Free);
        assert_eq!(resolve(&facts("incomplete"), start, 7).plan, Plan::Free);
    }

    #[test]
    fn a_grant_wins_over_a_subscription_and_premium_days_count_while_they_last() {
        let facts = Facts {
            grant: Some(("beta".into(), "tester".into())),
            subscription: Some(sub("active", 0)),
            days: (None, None),
        };
        assert_eq!(resolve(&facts, 10, 7).plan, Plan::Beta);
        let days = Facts {
            days: (Some("referral_trial".into()), Some(99)),
            ..Facts::default()
        };
        let standing = resolve(&days, 10, 7);
        assert_eq!(standing.plan, Plan::Premium);
        assert!(matches!(
            standing.source,
            PlanSource::Days { until: 99, .. }
        ));
        assert_eq!(resolve(&Facts::default(), 10, 7).plan, Plan::Free);
    }
}
