//! Server functions of the billing page and the admin's plans page: authorise, validate,
//! call the service.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::types::{AccountPlan, BillingOverview, Interval};
use crate::{domain::billing::Plan, error::AppError};

#[server(endpoint = "billing/overview", input = Json, output = crate::wire::Json)]
pub async fn my_plan() -> Result<BillingOverview, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::billing_page(&state.db, &state.settings, &user.id).await
    })
    .await
}

/// Opens Stripe Checkout for premium at `interval`'s price; answers the page to go to.
#[server(endpoint = "billing/upgrade", input = Json, output = crate::wire::Json)]
pub async fn start_premium(interval: Interval) -> Result<String, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::premium::start(&state, &user.id, &user.email, interval).await
    })
    .await
}

/// Opens the Stripe Customer Portal (card, interval, cancel); answers the page to go to.
#[server(endpoint = "billing/portal", input = Json, output = crate::wire::Json)]
pub async fn manage_premium() -> Result<String, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::premium::portal(&state, &user.id).await
    })
    .await
}

#[cfg(feature = "ssr")]
async fn require_admin() -> Result<(crate::server::state::AppState, String), AppError> {
    let (state, user) = crate::auth::service::require_user().await?;
    if user.role != crate::domain::Role::Admin {
        // Not a page a reseller has: as if it did not exist.
        return Err(AppError::NotFound);
    }
    Ok((state, user.id))
}

/// An admin looks a reseller up by email: plan, usage, grant.
#[server(endpoint = "billing/account", input = Json, output = crate::wire::Json)]
pub async fn look_up_plan(email: String) -> Result<AccountPlan, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, _) = require_admin().await?;
        super::service::account_plan(&state.db, &state.settings, &email).await
    })
    .await
}

/// An admin grants premium or beta (`plan`), or removes the grant (`plan: null`).
#[server(endpoint = "billing/grant", input = Json, output = crate::wire::Json)]
pub async fn grant_plan(
    user_id: String,
    plan: Option<Plan>,
    reason: String,
) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, admin) = require_admin().await?;
        super::service::grant(&state.db, &state.settings, &admin, &user_id, plan, &reason).await
    })
    .await
}
