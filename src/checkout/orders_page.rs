//! The store view's order list, with a status filter and the background tasks that failed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{
    OrderSummary, api,
    order_page::{StatusPill, short_id},
};
use crate::{domain::store::OrderStatus, ui::LoadError};

#[component]
pub fn StoreOrdersPage() -> impl IntoView {
    let query = use_query_map();
    let status = move || query.read().get("status").unwrap_or_default();
    let orders = Resource::new(status, api::list_orders);
    let failed = Resource::new(|| (), |_| api::failed_tasks());
    let retry = ServerAction::<api::RetryTask>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = retry.value().get() {
            failed.refetch();
        }
    });
    view! {
        <Title text="Orders · Store · Flipdesk"/>
        <div class="page-header">
            <h1>"Orders"</h1>
            <p class="muted">"Everything shoppers ordered from your storefront."</p>
        </div>
        <nav class="segmented" aria-label="Order status">
            <a class="segment" href="/app/store/orders" aria-current=move || status().is_empty().then_some("page")>"All"</a>
            {[OrderStatus::PendingPayment, OrderStatus::Paid, OrderStatus::PaidNeedsAttention, OrderStatus::Shipped, OrderStatus::Refunded, OrderStatus::Expired]
                .into_iter()
                .map(|s| view! {
                    <a class="segment" href=format!("/app/store/orders?status={}", s.as_str())
                        aria-current=move || (status() == s.as_str()).then_some("page")>{s.label()}</a>
                })
                .collect_view()}
        </nav>
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading orders…"</p> }>
            {move || Suspend::new(async move {
                match orders.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="empty-state">
                            <h2>"No orders here yet"</h2>
                            <p>"Orders appear as soon as a shopper checks out. List items from their inventory page to sell them."</p>
                            <a class="button" href="/app/store/listings">"See your listings"</a>
                        </div>
                    }.into_any(),
                    Ok(list) => view! { <OrderTable list/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let tasks = failed.await.unwrap_or_default();
                (!tasks.is_empty()).then(|| view! {
                    <section class="card failed-tasks" aria-labelledby="failed-tasks">
                        <h2 id="failed-tasks">"Background tasks that failed"</h2>
                        <p class="muted">"These were retried several times. Fix the cause (for example the mail server), then retry."</p>
                        <ul class="plain-list">
                            {tasks.into_iter().map(|t| {
                                let id = t.id.clone();
                                view! {
                                    <li>
                                        <strong>{t.what}</strong>
                                        <span class="muted">{format!(" · {} attempts · {}", t.attempts, t.error)}</span>
                                        " "
                                        <button class="button button-small" type="button"
                                            on:click=move |_| { retry.dispatch(api::RetryTask { task_id: id.clone() }); }>"Retry"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}

#[component]
fn OrderTable(list: Vec<OrderSummary>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="simple-table">
                <thead><tr>
                    <th scope="col">"Order"</th><th scope="col">"Placed"</th><th scope="col">"Buyer"</th>
                    <th scope="col">"Units"</th><th scope="col">"Total"</th><th scope="col">"Status"</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|o| view! {
                        <tr>
                            <td><a href=format!("/app/store/orders/{}", o.id)>{short_id(&o.id)}</a></td>
                            <td>{o.created_at.replace('T', " ").chars().take(16).collect::<String>()}</td>
                            <td>{o.email.clone()}</td>
                            <td>{o.units}</td>
                            <td>{o.total.to_string()}</td>
                            <td><StatusPill status=o.status/></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
