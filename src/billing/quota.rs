//! The one quota guard. Every path that creates something limited by the plan calls
//! [`check`] inside its own write transaction, before it writes: the owner's row is locked
//! first, so two parallel creates of one reseller queue here and cannot both take the last
//! place (SQLite's write transaction already serialises them; PostgreSQL needs the row lock).
//! Counts are read from `usage_counts`, which triggers on the counted tables keep in the same
//! transaction as every insert and delete: one primary-key read, however big the account.

use std::collections::BTreeMap;

use crate::{
    domain::billing::{Plan, Resource, over_limit_message},
    error::AppError,
    server::{
        config::{PlanLimits, Settings},
        store::{Store, Tx, sql},
    },
};

/// Something about to be created: `adding` of `resource`, in the month of `on` (a local
/// `YYYY-MM-DD` date) for monthly limits.
#[derive(Debug, Clone)]
pub struct Claim {
    pub resource: Resource,
    pub adding: u64,
    month: Option<String>,
}

impl Claim {
    pub fn items(adding: u64) -> Claim {
        Claim {
            resource: Resource::Items,
            adding,
            month: None,
        }
    }

    pub fn wtb_lists(adding: u64) -> Claim {
        Claim {
            resource: Resource::WtbLists,
            adding,
            month: None,
        }
    }

    pub fn monitor_keywords(adding: u64) -> Claim {
        Claim {
            resource: Resource::MonitorKeywords,
            adding,
            month: None,
        }
    }

    /// Sales count in the month they were sold in.
    pub fn sales(sold_on: &str, adding: u64) -> Claim {
        Claim {
            resource: Resource::SalesPerMonth,
            adding,
            month: Some(month_of(sold_on)),
        }
    }

    /// Shipments count in the month they were shipped in.
    pub fn shipments(shipped_on: &str, adding: u64) -> Claim {
        Claim {
            resource: Resource::ShipmentsPerMonth,
            adding,
            month: Some(month_of(shipped_on)),
        }
    }
}

fn month_of(day: &str) -> String {
    day.get(..7).unwrap_or(day).to_string()
}

pub fn limit_of(limits: &PlanLimits, resource: Resource) -> u64 {
    match resource {
        Resource::Items => limits.items,
        Resource::SalesPerMonth => limits.sales_per_month,
        Resource::WtbLists => limits.wtb_lists,
        Resource::MonitorKeywords => limits.monitor_keywords,
        Resource::ShipmentsPerMonth => limits.shipments_per_month,
    }
}

/// The limits of a plan (beta has premium's).
pub fn limits(settings: &Settings, plan: Plan) -> &PlanLimits {
    // Both tables are required at start (config.rs).
    &settings.plans[plan.limits_key()]
}

/// Where a resource's count is kept in `usage_counts` (triggers on its table keep it): the
/// resource and the period, `''` for totals and `YYYY-MM` for monthly ones.
pub fn counter(resource: Resource, month: Option<&str>) -> (&'static str, String) {
    let period = match resource {
        Resource::SalesPerMonth | Resource::ShipmentsPerMonth => month.unwrap_or_default(),
        Resource::Items | Resource::WtbLists | Resource::MonitorKeywords => "",
    };
    (resource.as_str(), period.to_string())
}

pub const USED: &str = "SELECT COALESCE((SELECT used FROM usage_counts WHERE user_id = $1 AND resource = $2 AND period = $3), 0)";

async fn count<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    resource: Resource,
    month: Option<&str>,
) -> sqlx::Result<u64> {
    let (resource, period) = counter(resource, month);
    let n: i64 = sql(USED)
        .bind(owner)
        .bind(resource)
        .bind(period)
        .scalar(tx)
        .await?;
    Ok(n.max(0) as u64)
}

/// The benchmark's baseline: item creation and import commits timed without the guard, in
/// the same run (`flipdesk bench --quota`). Exists only in benchmark builds.
#[cfg(feature = "bench")]
pub static BENCH_SKIP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Checks that `claims` fit the owner's plan, in the creating transaction. `Ok(Err(refusal))`
/// names the first limit they would pass; the caller rolls back.
pub async fn check<DB: Store>(
    tx: &mut Tx<DB>,
    settings: &Settings,
    owner: &str,
    claims: &[Claim],
) -> sqlx::Result<Result<(), AppError>> {
    // One claim per resource and month.
    let mut wanted: BTreeMap<(&str, Option<&str>), (Resource, u64)> = BTreeMap::new();
    for c in claims.iter().filter(|c| c.adding > 0) {
        let entry = wanted
            .entry((c.resource.as_str(), c.month.as_deref()))
            .or_insert((c.resource, 0));
        entry.1 += c.adding;
    }
    if wanted.is_empty() {
        return Ok(Ok(()));
    }
    #[cfg(feature = "bench")]
    if BENCH_SKIP.load(std::sync::atomic::Ordering::Relaxed) {
        return Ok(Ok(()));
    }
    sql("UPDATE users SET updated_at = updated_at WHERE id = $1")
        .bind(owner)
        .execute(tx)
        .await?;
    let plan = super::standing::plan_in(tx, settings.billing.grace_days, owner).await?;
    let limits = limits(settings, plan);
    for ((_, month), (resource, adding)) in wanted {
        let allowed = limit_of(limits, resource);
        let used = count(tx, owner, resource, month).await?;
        if used.saturating_add(adding) > allowed {
            return Ok(Err(refusal(plan, resource, allowed, used)));
        }
    }
    Ok(Ok(()))
}

pub fn refusal(plan: Plan, resource: Resource, allowed: u64, used: u64) -> AppError {
    AppError::QuotaExceeded {
        limit: resource.as_str().to_string(),
        allowed,
        used,
        message: over_limit_message(plan, resource, allowed, used),
    }
}
