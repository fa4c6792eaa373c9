//! `/app/shipments`: what went out, with which carrier and tracking code.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{api, types::ShipmentPage};
use crate::ui::{LoadError, table::Pager};

#[component]
pub fn ShipmentsPage() -> impl IntoView {
    let query_map = use_query_map();
    let page_number = Memo::new(move |_| {
        query_map
            .get()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
    });
    let page = Resource::new(move || page_number.get(), api::list_shipments);
    let navigate = use_navigate();
    let on_page = Callback::new(move |p: u32| {
        navigate(
            &if p <= 1 {
                "/app/shipments".to_string()
            } else {
                format!("/app/shipments?page={p}")
            },
            Default::default(),
        )
    });
    view! {
        <Title text="Shipments · Flipdesk"/>
        <div class="page-header">
            <h1>"Shipments"</h1>
            <p class="muted">"Everything you sent out, newest first. Add tracking from a sold item's page."</p>
        </div>
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading shipments…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <ShipmentsTable page=p on_page/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ShipmentsTable(page: ShipmentPage, on_page: Callback<u32>) -> impl IntoView {
    if page.rows.is_empty() {
        return view! {
            <div class="empty-state">
                <h2>"Nothing shipped yet"</h2>
                <p>"When you add tracking to a sold item it appears here."</p>
                <a class="button" href="/app/inventory?status=sold">"Sold items waiting for tracking"</a>
            </div>
        }
        .into_any();
    }
    let pages = ((page.total.max(0) as u64).div_ceil(page.per_page as u64)).max(1) as u32;
    view! {
        <div class="table-wrap">
            <table class="data-table" on:keydown=crate::ui::table::table_keys>
                <thead>
                    <tr>
                        <th scope="col">"Item"</th>
                        <th scope="col">"Carrier"</th>
                        <th scope="col">"Tracking code"</th>
                        <th scope="col">"Shipped on"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().map(|r| view! {
                        <tr>
                            <td><a class="row-link" href=format!("/app/inventory/{}", r.item_id)>{r.item_name.clone()}</a></td>
                            <td>{r.carrier.clone()}</td>
                            <td><code>{r.tracking_code.clone()}</code></td>
                            <td>{r.shipped_on.clone()}</td>
                            <td><span class="status-pill" data-status=r.item_status.as_str()>{r.item_status.label()}</span></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager page=page.page pages_label=pages.to_string() total_label=format!("{} shipments", page.total)
            has_next={page.page < pages} on_page/>
    }
    .into_any()
}
