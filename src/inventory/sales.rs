//! `/app/sales`: every sale with its net profit, filtered by channel, sorted by date or profit.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{
    api,
    types::{SalePage, SaleQuery, SaleRow, SaleSort},
};
use crate::{
    domain::item::SaleChannel,
    ui::table::{Column, DataTable, PageInfo, TableRow, empty_state, table_loader},
};

#[component]
pub fn SalesPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let map = query_map.get();
        SaleQuery {
            channel: map.get("channel").and_then(|c| SaleChannel::parse(&c)),
            sort: SaleSort::parse(&map.get("sort").unwrap_or_default()),
            page: map.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        }
    });
    let page = Resource::new(move || query.get(), api::list_sales);
    let navigate = use_navigate();
    let go = Callback::new(move |q: SaleQuery| {
        let qs = q.to_query_string();
        navigate(
            &if qs.is_empty() {
                "/app/sales".to_string()
            } else {
                format!("/app/sales?{qs}")
            },
            Default::default(),
        );
    });
    view! {
        <Title text="Sales · Flipdesk"/>
        <div class="page-header page-header-row">
            <div>
                <h1>"Sales"</h1>
                <p class="muted">"What sold, where, and what you kept after fees, shipping and cost."</p>
            </div>
            <a class="button" href="/app/sales/export.csv" download="flipdesk-sales.csv" rel="external">"Export CSV"</a>
        </div>
        <div class="filter-bar">
            <label class="visually-hidden" for="sales-channel">"Channel"</label>
            <select id="sales-channel" on:change=move |ev| {
                go.run(SaleQuery { channel: SaleChannel::parse(&event_target_value(&ev)), page: 1, ..query.get_untracked() })
            }>
                <option value="" selected=move || query.get().channel.is_none()>"All channels"</option>
                {SaleChannel::ALL.iter().map(|c| {
                    let c = *c;
                    view! { <option value=c.as_str() selected=move || query.get().channel == Some(c)>{c.label()}</option> }
                }).collect_view()}
            </select>
        </div>
        {table_loader("Loading sales…", move || page.into_future(), move |p| view! { <SalesTable page=p query go/> })}
    }
}

impl TableRow for SaleRow {
    fn row_id(&self) -> String {
        format!("{}:{}", self.item_id, self.sold_on)
    }
    fn row_label(&self) -> String {
        self.item_name.clone()
    }
}

fn columns() -> Vec<Column<SaleRow, SaleSort>> {
    vec![
        Column::new("item", "Item", |r: &SaleRow| {
            view! { <a class="row-link" href=format!("/app/inventory/{}", r.item_id)>{r.item_name.clone()}</a> }
        }),
        Column::new("channel", "Channel", |r: &SaleRow| r.channel.label()),
        Column::new("sold_on", "Sold on", |r: &SaleRow| r.sold_on.clone())
            .sortable(SaleSort::OldestSold, SaleSort::NewestSold),
        Column::new("quantity", "Qty", |r: &SaleRow| r.quantity).numeric(),
        Column::new("sale_price", "Sale price", |r: &SaleRow| {
            r.sale_price.to_string()
        })
        .numeric(),
        Column::new("fees", "Fees", |r: &SaleRow| r.fees.to_string()).numeric(),
        Column::new("net_profit", "Net profit", |r: &SaleRow| {
            view! { <span class:loss=r.net_profit.amount < 0>{r.net_profit.to_string()}</span> }
        })
        .numeric()
        .sortable(SaleSort::ProfitAsc, SaleSort::ProfitDesc),
    ]
}

#[component]
fn SalesTable(page: SalePage, query: Memo<SaleQuery>, go: Callback<SaleQuery>) -> impl IntoView {
    let on_sort = Callback::new(move |sort| {
        go.run(SaleQuery {
            sort,
            page: 1,
            ..query.get_untracked()
        })
    });
    let on_page = Callback::new(move |page| {
        go.run(SaleQuery {
            page,
            ..query.get_untracked()
        })
    });
    let totals = (!page.rows.is_empty()).then(|| {
        let sums = page
            .net_profit
            .iter()
            .map(|m| m.to_string())
            .collect::<Vec<_>>()
            .join(" · ");
        view! { <p class="totals" data-testid="sales-total">{format!("Net profit: {sums} across {} sale(s)", page.total)}</p> }
    });
    let filtered = query.get_untracked().channel.is_some();
    let empty = ViewFn::from(move || {
        if filtered {
            empty_state(
                "No sales on this channel",
                "Nothing sold through this channel yet.",
                None,
            )
        } else {
            empty_state(
                "No sales yet",
                "Mark an item sold from its page and the sale shows up here with its net profit.",
                Some(
                    view! { <a class="button" href="/app/inventory">"Go to inventory"</a> }
                        .into_any(),
                ),
            )
        }
    });
    let info = PageInfo::new(page.page, page.total, page.per_page, "sales");
    view! {
        {totals}
        <DataTable rows=page.rows columns=columns() sort=query.get_untracked().sort on_sort page=info on_page
            empty caption="Sales"/>
    }
}
