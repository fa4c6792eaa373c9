//! Server functions for the dashboard: the signed-in reseller's own numbers only.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::types::{Charts, Kpis, PeriodQuery};
use crate::error::AppError;

#[server(endpoint = "analytics/kpis", input = Json, output = crate::wire::Json)]
pub async fn get_kpis(query: PeriodQuery) -> Result<Kpis, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::kpis(&state.db, &user.id, &query).await
    })
    .await
}

#[server(endpoint = "analytics/charts", input = Json, output = crate::wire::Json)]
pub async fn get_charts(query: PeriodQuery) -> Result<Charts, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::charts(&state.db, &user.id, &query).await
    })
    .await
}

/// The time zones a reseller can pick (their days and periods follow it).
#[server(endpoint = "analytics/time-zones", input = Json, output = crate::wire::Json)]
pub async fn list_time_zones() -> Result<Vec<String>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        crate::auth::service::require_user().await?;
        Ok(super::periods::zone_names())
    })
    .await
}

#[server(endpoint = "analytics/time-zone", input = Json, output = crate::wire::Json)]
pub async fn set_time_zone(time_zone: String) -> Result<String, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::set_time_zone(&state.db, &user.id, &time_zone).await
    })
    .await
}

/// Records a market price for an item by hand (until catalog prices fill it in).
#[server(endpoint = "analytics/market-price", input = Json, output = crate::wire::Json)]
pub async fn set_market_price(id: String, version: i64, price: String) -> Result<i64, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let now = state.clock.now();
        super::prices::set_manual(&state.db, &user.id, &id, version, &price, now).await
    })
    .await
}

/// The portfolio headline: market value today and over a range (1W … All).
#[server(endpoint = "analytics/portfolio", input = Json, output = crate::wire::Json)]
pub async fn get_portfolio(
    range: super::types::WorthRange,
    currency: String,
) -> Result<super::types::Portfolio, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::portfolio(&state.db, &user.id, range, &currency).await
    })
    .await
}
