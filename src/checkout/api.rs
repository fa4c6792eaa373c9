//! Server functions for orders: the store view (members of the order's store only; anyone
//! else gets 404) and the buyer's page (the order's cookie from the signed link).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{FailedTask, OrderDetail, OrderSummary};
use crate::{domain::store::RefundInput, error::AppError};

#[server(endpoint = "orders/list", input = Json, output = crate::wire::Json)]
pub async fn list_orders(status: String) -> Result<Vec<OrderSummary>, AppError> {
    use crate::{domain::store::OrderStatus, server::errors::respond};
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let status = if status.is_empty() {
            None
        } else {
            Some(
                OrderStatus::parse(&status)
                    .ok_or_else(|| AppError::field("status", "Unknown order status."))?,
            )
        };
        super::read::list_orders(&state.db, &user.id, status).await
    })
    .await
}

#[server(endpoint = "orders/get", input = Json, output = crate::wire::Json)]
pub async fn get_order(order_id: String) -> Result<OrderDetail, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::read::order_detail(&state, &order_id, Some(&user.id)).await
    })
    .await
}

#[server(endpoint = "orders/mark-paid", input = Json, output = crate::wire::Json)]
pub async fn mark_paid(order_id: String) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::mark_paid(&state, &user.id, &order_id).await
    })
    .await
}

#[server(endpoint = "orders/ship", input = Json, output = crate::wire::Json)]
pub async fn ship_order(
    order_id: String,
    carrier: String,
    tracking_code: String,
) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::ship(&state, &user.id, &order_id, &carrier, &tracking_code).await
    })
    .await
}

/// `refund_id` comes from the page, so that submitting the same form twice refunds once.
#[server(endpoint = "orders/refund", input = Json, output = crate::wire::Json)]
pub async fn refund_order(
    order_id: String,
    refund_id: String,
    input: RefundInput,
) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::refund(&state, &user.id, &order_id, &refund_id, &input).await?;
        crate::storefront::service::cache(&state).clear();
        Ok(())
    })
    .await
}

#[server(endpoint = "orders/failed-tasks", input = Json, output = crate::wire::Json)]
pub async fn failed_tasks() -> Result<Vec<FailedTask>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::read::failed_tasks(&state, &user.id).await
    })
    .await
}

#[server(endpoint = "orders/retry-task", input = Json, output = crate::wire::Json)]
pub async fn retry_task(task_id: String) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        if crate::server::jobs::retry_dead(&state.db, &user.id, &task_id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    })
    .await
}

/// The buyer's view of an order: allowed by the order's own cookie, set by the signed link.
#[server(endpoint = "orders/buyer", input = Json, output = crate::wire::Json)]
pub async fn buyer_order(order_id: String) -> Result<OrderDetail, AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let state = request::state()?;
        let headers: axum::http::HeaderMap = leptos_axum::extract()
            .await
            .map_err(|_| AppError::Internal)?;
        let name = super::rest::buyer_cookie_name(&order_id);
        let granted = headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .any(|(k, v)| k == name && super::rest::grant_valid(&state, &order_id, v));
        if !granted {
            return Err(AppError::NotFound);
        }
        super::read::order_detail(&state, &order_id, None).await
    })
    .await
}
