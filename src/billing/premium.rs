//! Buying premium: Stripe Checkout in subscription mode to start, the Customer Portal to
//! change card or interval or cancel. What the subscription then is comes only from
//! Stripe's events (`stripe_events`), never from the return to the billing page.

use time::OffsetDateTime;

use super::types::{ForSale, Interval};
use crate::{
    domain::billing::Plan,
    error::AppError,
    server::{
        config::Settings,
        db::{Db, new_id},
        state::AppState,
        store::sql,
        stripe::{Stripe, StripeFailure, SubscriptionRequest},
    },
    with_db,
};

/// Which intervals this instance sells: Stripe keys and a price for the interval.
pub fn for_sale(settings: &Settings) -> ForSale {
    let sold = |price: &str| settings.stripe.is_some() && !price.is_empty();
    ForSale {
        monthly: sold(&settings.billing.premium_monthly_price),
        yearly: sold(&settings.billing.premium_yearly_price),
    }
}

fn price(settings: &Settings, interval: Interval) -> Option<&str> {
    let p = match interval {
        Interval::Monthly => &settings.billing.premium_monthly_price,
        Interval::Yearly => &settings.billing.premium_yearly_price,
    };
    (!p.is_empty()).then_some(p.as_str())
}

pub async fn customer_of(db: &Db, user_id: &str) -> Result<Option<String>, AppError> {
    Ok(with_db!(db, pool => sqlx::query_scalar(
        "SELECT stripe_customer_id FROM billing_customers WHERE user_id = $1")
        .bind(user_id).fetch_optional(pool).await)?)
}

fn unavailable(e: StripeFailure) -> AppError {
    tracing::error!(error = %e, "Stripe billing call failed");
    AppError::Unavailable {
        message: "Stripe could not be reached. Nothing was charged; try again in a minute.".into(),
    }
}

fn stripe(state: &AppState) -> Result<&Stripe, AppError> {
    state.stripe.as_ref().ok_or_else(|| AppError::Conflict {
        code: "premium_not_sold".into(),
        message: "Premium is not sold on this Flipdesk instance.".into(),
    })
}

/// The Stripe Checkout page that starts premium at `interval`'s price.
pub async fn start(
    state: &AppState,
    user_id: &str,
    email: &str,
    interval: Interval,
) -> Result<String, AppError> {
    let stripe = stripe(state)?;
    let Some(price) = price(&state.settings, interval) else {
        return Err(AppError::field(
            "interval",
            "That billing interval is not offered here.",
        ));
    };
    let standing =
        super::standing::standing(&state.db, state.settings.billing.grace_days, user_id).await?;
    let paying = standing
        .subscription
        .as_ref()
        .is_some_and(|s| !matches!(s.status.as_str(), "canceled" | "incomplete_expired"));
    if paying {
        return Err(AppError::Conflict {
            code: "already_subscribed".into(),
            message: "You already have a Premium subscription: manage it in the billing portal."
                .into(),
        });
    }
    if matches!(standing.plan, Plan::Beta) {
        return Err(AppError::Conflict {
            code: "already_premium".into(),
            message: "Your account is on Beta, which already has Premium's limits.".into(),
        });
    }
    let customer = match customer_of(&state.db, user_id).await? {
        Some(c) => c,
        None => {
            let made = stripe
                .create_customer(user_id, email)
                .await
                .map_err(unavailable)?;
            // The idempotency key made one customer however many first upgrades ran.
            state.db.write(sql("INSERT INTO billing_customers (user_id, stripe_customer_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(user_id).bind(&made).bind(OffsetDateTime::now_utc())).await?;
            customer_of(&state.db, user_id).await?.unwrap_or(made)
        }
    };
    let base = state.settings.public_url.trim_end_matches('/');
    let session = stripe
        .create_subscription_session(SubscriptionRequest {
            user_id,
            customer: &customer,
            price,
            success_url: format!("{base}/app/billing?upgraded=1"),
            cancel_url: format!("{base}/app/billing"),
            attempt: &new_id(),
        })
        .await
        .map_err(unavailable)?;
    tracing::info!(user_id, "premium checkout opened");
    Ok(session.url)
}

/// The Customer Portal for the reseller's Stripe customer.
pub async fn portal(state: &AppState, user_id: &str) -> Result<String, AppError> {
    let stripe = stripe(state)?;
    let Some(customer) = customer_of(&state.db, user_id).await? else {
        return Err(AppError::Conflict {
            code: "no_subscription".into(),
            message: "There is no subscription to manage yet.".into(),
        });
    };
    let base = state.settings.public_url.trim_end_matches('/');
    stripe
        .create_portal_session(&customer, format!("{base}/app/billing"))
        .await
        .map_err(unavailable)
}
