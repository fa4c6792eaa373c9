//! Plans on the server: a reseller's plan and usage, and an admin's grants (audited).

use time::OffsetDateTime;

use super::{
    jobs::PlanChanged,
    premium::{customer_of, for_sale},
    quota::{USED, counter, limit_of, limits},
    referrals,
    standing::standing,
    types::{AccountPlan, BillingOverview, InvoiceRow, Referral},
};
use crate::{
    domain::billing::{Plan, Resource, Usage},
    error::AppError,
    server::{
        config::Settings,
        db::{BeginWrite, Db, new_id},
        jobs::{self, BackgroundJob},
        store::sql,
    },
    with_db,
};

/// The limits shown on the billing page (monitor keywords join with the inbox).
const SHOWN: [Resource; 4] = [
    Resource::Items,
    Resource::SalesPerMonth,
    Resource::ShipmentsPerMonth,
    Resource::WtbLists,
];

async fn used(db: &Db, owner: &str, resource: Resource, month: &str) -> Result<u64, AppError> {
    let (resource, period) = counter(resource, Some(month));
    let n: i64 = with_db!(db, pool => sqlx::query_scalar(USED)
        .bind(owner).bind(resource).bind(&period).fetch_one(pool).await)?;
    Ok(n.max(0) as u64)
}

/// The reseller's plan, what it stands on, and usage this month (in their time zone).
pub async fn overview(
    db: &Db,
    settings: &Settings,
    owner: &str,
) -> Result<BillingOverview, AppError> {
    let standing = standing(db, settings.billing.grace_days, owner).await?;
    let plan = standing.plan;
    let today = crate::analytics::service::owner_today(db, owner).await?;
    let month = &today[..7.min(today.len())];
    let mine = limits(settings, plan);
    let premium_limits = limits(settings, Plan::Premium);
    let mut usage = Vec::new();
    let mut premium = Vec::new();
    for resource in SHOWN {
        let used = used(db, owner, resource, month).await?;
        usage.push(Usage {
            resource,
            used,
            allowed: limit_of(mine, resource),
        });
        premium.push(Usage {
            resource,
            used,
            allowed: limit_of(premium_limits, resource),
        });
    }
    Ok(BillingOverview {
        plan,
        standing,
        usage,
        premium,
        for_sale: for_sale(settings),
        can_manage: customer_of(db, owner).await?.is_some(),
        invoices: invoices(db, owner).await?,
        referral: None,
    })
}

/// The billing page: the overview with the reseller's own referral link.
pub async fn billing_page(
    db: &Db,
    settings: &Settings,
    owner: &str,
) -> Result<BillingOverview, AppError> {
    let mut overview = overview(db, settings, owner).await?;
    let code = referrals::code_of(db, owner).await?;
    let (signed_up, rewarded) = referrals::counts(db, owner).await?;
    overview.referral = Some(Referral {
        link: format!(
            "{}/signup?ref={code}",
            settings.public_url.trim_end_matches('/')
        ),
        trial_days: settings.billing.referral_trial_days,
        reward_days: settings.billing.referral_reward_days,
        signed_up,
        rewarded,
    });
    Ok(overview)
}

async fn invoices(db: &Db, owner: &str) -> Result<Vec<InvoiceRow>, AppError> {
    let rows: Vec<(String, i64, i64, String, String, Option<String>)> = with_db!(db, pool => sqlx::query_as(
        "SELECT id, created, amount, currency, status, hosted_url FROM invoices WHERE user_id = $1 ORDER BY created DESC LIMIT 24")
        .bind(owner).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, created, amount, currency, status, hosted_url)| InvoiceRow {
                id,
                created,
                amount,
                currency,
                status,
                hosted_url,
            },
        )
        .collect())
}

/// The account with this email, for an admin.
pub async fn account_plan(
    db: &Db,
    settings: &Settings,
    email: &str,
) -> Result<AccountPlan, AppError> {
    let found: Option<(String, String)> = with_db!(db, pool => sqlx::query_as(
        "SELECT id, email FROM users WHERE email = $1")
        .bind(email.trim().to_lowercase()).fetch_optional(pool).await)?;
    let (user_id, email) = found.ok_or(AppError::NotFound)?;
    let overview = overview(db, settings, &user_id).await?;
    Ok(AccountPlan {
        user_id,
        email,
        overview,
    })
}

/// An admin grants premium or beta (`Some`) or takes the grant back (`None`), with a reason;
/// audited in the same transaction. Takes effect at once: the next create is checked
/// against the new limits. Data over a lower limit stays (read-only over the limit).
pub async fn grant(
    db: &Db,
    settings: &Settings,
    admin: &str,
    user_id: &str,
    plan: Option<Plan>,
    reason: &str,
) -> Result<(), AppError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(AppError::field(
            "reason",
            "Say why, in up to 200 characters (it goes to the audit log).",
        ));
    }
    if plan == Some(Plan::Free) {
        return Err(AppError::field(
            "plan",
            "Grant premium or beta, or remove the grant.",
        ));
    }
    let now = OffsetDateTime::now_utc();
    let action = match plan {
        Some(p) => format!("plan.granted:{}", p.as_str()),
        None => "plan.grant_removed".to_string(),
    };
    let found = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let exists: Option<(String,)> = sql("SELECT id FROM users WHERE id = $1").bind(user_id).fetch_optional(&mut tx).await?;
        if exists.is_none() {
            return Ok::<_, sqlx::Error>(false);
        }
        match plan {
            Some(p) => {
                sql("INSERT INTO plan_grants (user_id, plan, reason, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (user_id) DO UPDATE SET plan = excluded.plan, reason = excluded.reason, \
                     granted_by = excluded.granted_by, granted_at = excluded.granted_at")
                    .bind(user_id).bind(p.as_str()).bind(reason).bind(admin).bind(now).execute(&mut tx).await?;
            }
            None => {
                sql("DELETE FROM plan_grants WHERE user_id = $1").bind(user_id).execute(&mut tx).await?;
            }
        }
        sql("INSERT INTO audit_log (id, actor_user_id, action, subject, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(new_id()).bind(admin).bind(action.as_str()).bind(format!("{user_id}: {reason}")).bind(now)
            .execute(&mut tx).await?;
        let now_on = super::standing::plan_in(&mut tx, settings.billing.grace_days, user_id).await?;
        let notify = PlanChanged { user_id: user_id.to_string(), plan: now_on, key: format!("grant:{}", new_id()), why: match plan {
            Some(p) => format!("An admin gave your account {}.", p.label()),
            None => "An admin ended the plan they had given your account.".to_string(),
        } };
        jobs::enqueue(&mut tx, &notify.queued(Some(user_id))).await?;
        tx.commit().await?;
        Ok(true)
    }.await)?;
    if !found {
        return Err(AppError::NotFound);
    }
    Ok(())
}
