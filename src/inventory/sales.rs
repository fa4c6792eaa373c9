//! `/app/sales`: every sale with its net profit, filtered by channel, sorted by date or profit.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{
    api,
    types::{SalePage, SaleQuery, SaleSort},
};
use crate::{
    domain::item::SaleChannel,
    ui::{
        LoadError,
        table::{Pager, SortHeader},
    },
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
        <div class="page-header">
            <h1>"Sales"</h1>
            <p class="muted">"What sold, where, and what you kept after fees, shipping and cost."</p>
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
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading sales…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <SalesTable page=p query go/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SalesTable(page: SalePage, query: Memo<SaleQuery>, go: Callback<SaleQuery>) -> impl IntoView {
    if page.rows.is_empty() {
        return view! {
            <div class="empty-state">
                <h2>"No sales yet"</h2>
                <p>"Mark an item sold from its page and the sale shows up here with its net profit."</p>
                <a class="button" href="/app/inventory">"Go to inventory"</a>
            </div>
        }
        .into_any();
    }
    let current = query.get_untracked().sort;
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
    let pages = ((page.total.max(0) as u64).div_ceil(page.per_page as u64)).max(1) as u32;
    let totals = page
        .net_profit
        .iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <p class="totals" data-testid="sales-total">{format!("Net profit: {totals} across {} sale(s)", page.total)}</p>
        <div class="table-wrap">
            <table class="data-table" on:keydown=crate::ui::table::table_keys>
                <thead>
                    <tr>
                        <th scope="col">"Item"</th>
                        <th scope="col">"Channel"</th>
                        <SortHeader label="Sold on" asc=SaleSort::OldestSold desc=SaleSort::NewestSold current on_sort/>
                        <th scope="col" class="num">"Qty"</th>
                        <th scope="col" class="num">"Sale price"</th>
                        <th scope="col" class="num">"Fees"</th>
                        <SortHeader label="Net profit" asc=SaleSort::ProfitAsc desc=SaleSort::ProfitDesc current on_sort/>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().map(|r| view! {
                        <tr>
                            <td><a class="row-link" href=format!("/app/inventory/{}", r.item_id)>{r.item_name.clone()}</a></td>
                            <td>{r.channel.label()}</td>
                            <td>{r.sold_on.clone()}</td>
                            <td class="num">{r.quantity}</td>
                            <td class="num">{r.sale_price.to_string()}</td>
                            <td class="num">{r.fees.to_string()}</td>
                            <td class="num" class:loss=r.net_profit.amount < 0>{r.net_profit.to_string()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager page=page.page pages_label=pages.to_string() total_label=format!("{} sales", page.total)
            has_next={page.page < pages} on_page/>
    }
    .into_any()
}
