//! The one quota guard. Every path that creates something limited by the plan calls
//! [`check`] inside its own write transaction, before it writes: the owner's row is locked
//! first, so two parallel creates of one reseller queue here and cannot both take the last
//! place (SQLite's write transaction already serialises them; PostgreSQL needs the row lock).
//! Counts use the owner indexes and stop one past the limit.

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

/// The statement counting `resource` of owner `$1` (in `month` for monthly ones, as `$2` and
/// `$3`), counting at most `cap` (`None`: all). `None` when there is nothing to count.
pub fn count_sql(
    resource: Resource,
    month: Option<&str>,
    cap: Option<u64>,
) -> Option<(String, Option<(String, String)>)> {
    let (rows, dated) = match resource {
        Resource::Items => ("SELECT 1 FROM items WHERE owner_user_id = $1", None),
        Resource::WtbLists => ("SELECT 1 FROM wtb_lists WHERE owner_user_id = $1", None),
        Resource::SalesPerMonth => (
            "SELECT 1 FROM sales WHERE owner_user_id = $1",
            Some("sold_on"),
        ),
        Resource::ShipmentsPerMonth => (
            "SELECT 1 FROM shipments WHERE owner_user_id = $1",
            Some("shipped_on"),
        ),
        // Monitor keywords arrive with the inbox; until then there are none.
        Resource::MonitorKeywords => return None,
    };
    let mut text = rows.to_string();
    let mut range = None;
    if let (Some(column), Some(month)) = (dated, month) {
        // Local dates are `YYYY-MM-DD` text: the month is a range of them.
        text.push_str(&format!(" AND {column} >= $2 AND {column} <= $3"));
        range = Some((format!("{month}-01"), format!("{month}-31")));
    }
    if let Some(cap) = cap {
        text.push_str(&format!(" LIMIT {cap}"));
    }
    Some((format!("SELECT COUNT(*) FROM ({text}) counted"), range))
}

async fn count<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    resource: Resource,
    month: Option<&str>,
    cap: Option<u64>,
) -> sqlx::Result<u64> {
    let Some((text, range)) = count_sql(resource, month, cap) else {
        return Ok(0);
    };
    let mut q = sql(text).bind(owner);
    if let Some((first, last)) = range {
        q = q.bind(first).bind(last);
    }
    let n: i64 = q.scalar(tx).await?;
    Ok(n.max(0) as u64)
}

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
    sql("UPDATE users SET updated_at = updated_at WHERE id = $1")
        .bind(owner)
        .execute(tx)
        .await?;
    let plan = super::standing::plan_in(tx, settings.billing.grace_days, owner).await?;
    let limits = limits(settings, plan);
    for ((_, month), (resource, adding)) in wanted {
        let allowed = limit_of(limits, resource);
        let used = count(tx, owner, resource, month, Some(allowed.saturating_add(1))).await?;
        if used.saturating_add(adding) > allowed {
            let used = count(tx, owner, resource, month, None).await?;
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
