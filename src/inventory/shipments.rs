//! `/app/shipments`: what went out, with which carrier and tracking code.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{
    api,
    types::{ShipmentPage, ShipmentRow},
};
use crate::ui::table::{Column, DataTable, PageInfo, TableRow, empty_state, table_loader};

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
        <div class="page-header page-header-row">
            <div>
                <h1>"Shipments"</h1>
                <p class="muted">"Everything you sent out, newest first. Add tracking from a sold item's page."</p>
            </div>
            <a class="button" href="/app/shipments/export.csv" download="flipdesk-shipments.csv" rel="external">"Export CSV"</a>
        </div>
        {table_loader("Loading shipments…", move || page.into_future(), move |p| view! { <ShipmentsTable page=p on_page/> })}
    }
}

impl TableRow for ShipmentRow {
    fn row_id(&self) -> String {
        format!("{}:{}", self.item_id, self.tracking_code)
    }
    fn row_label(&self) -> String {
        self.item_name.clone()
    }
}

/// Shipments are listed newest first and have no other order.
fn columns() -> Vec<Column<ShipmentRow, ()>> {
    vec![
        Column::new("item", "Item", |r: &ShipmentRow| {
            view! { <a class="row-link" href=format!("/app/inventory/{}", r.item_id)>{r.item_name.clone()}</a> }
        }),
        Column::new("carrier", "Carrier", |r: &ShipmentRow| r.carrier.clone()),
        Column::new("tracking", "Tracking code", |r: &ShipmentRow| {
            view! { <code>{r.tracking_code.clone()}</code> }
        }),
        Column::new("shipped_on", "Shipped on", |r: &ShipmentRow| {
            r.shipped_on.clone()
        }),
        Column::new("status", "Status", |r: &ShipmentRow| {
            view! { <span class="status-pill" data-status=r.item_status.as_str()>{r.item_status.label()}</span> }
        }),
    ]
}

#[component]
fn ShipmentsTable(page: ShipmentPage, on_page: Callback<u32>) -> impl IntoView {
    let empty = ViewFn::from(|| {
        empty_state(
            "Nothing shipped yet",
            "When you add tracking to a sold item it appears here.",
            Some(view! { <a class="button" href="/app/inventory?status=sold">"Sold items waiting for tracking"</a> }.into_any()),
        )
    });
    let info = PageInfo::new(page.page, page.total, page.per_page, "shipments");
    view! {
        <DataTable rows=page.rows columns=columns() sort=() on_sort=Callback::new(|_| ()) page=info on_page
            empty caption="Shipments"/>
    }
}
