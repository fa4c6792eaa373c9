//! The stock table: a configuration of the shared data table. Name and cost are edited in
//! place with an optimistic update that rolls back (and says why) when the server refuses.

use leptos::prelude::*;

use super::{
    api,
    types::{ItemPage, ItemQuery, ItemSort, ItemSummary},
};
use crate::{
    domain::{item::check_price, money::Money},
    error::AppError,
    ui::table::{Column, DataTable, EditableCell, PageInfo, Selection, TableRow, empty_state},
};

/// A stock row as shown: the item plus what can change in place without reloading the page.
#[derive(Clone)]
struct StockLine {
    item: ItemSummary,
    name: RwSignal<String>,
    cost: RwSignal<Money>,
    version: RwSignal<i64>,
}

impl TableRow for StockLine {
    fn row_id(&self) -> String {
        self.item.id.clone()
    }
    fn row_label(&self) -> String {
        self.name.get_untracked()
    }
}

impl StockLine {
    /// Saves one cell; on refusal `undo` puts the old value back and the notice says why.
    fn save(
        &self,
        notice: RwSignal<Option<String>>,
        field: &str,
        value: String,
        undo: impl FnOnce() + 'static,
    ) {
        let (id, version, field) = (self.item.id.clone(), self.version, field.to_string());
        let v = version.get_untracked();
        leptos::task::spawn_local(async move {
            match api::edit_cell(id, v, field, value).await {
                Ok(new_version) => {
                    version.set(new_version);
                    notice.set(Some("Saved.".into()));
                }
                Err(e) => {
                    undo();
                    let why = match &e {
                        AppError::Validation { fields, .. } => fields
                            .0
                            .values()
                            .next()
                            .cloned()
                            .unwrap_or_else(|| e.to_string()),
                        other => other.to_string(),
                    };
                    notice.set(Some(format!("Not saved: {why}")));
                }
            }
        });
    }
}

fn columns(notice: RwSignal<Option<String>>) -> Vec<Column<StockLine, ItemSort>> {
    vec![
        Column::new("name", "Name", move |l: &StockLine| {
            let line = l.clone();
            let name = l.name;
            let sub = l
                .item
                .style_id
                .clone()
                .or(l.item.card_set.clone())
                .or(l.item.sku.clone())
                .unwrap_or_default();
            let thumb = l.item.cover_photo.as_ref().map(|id| view! {
                <img class="row-thumb" src=crate::photos::types::photo_url(id, "thumb") alt="" width="40" height="40" loading="lazy"/>
            });
            view! {
                {thumb}
                <EditableCell
                    display=Signal::derive(move || name.get())
                    href=format!("/app/inventory/{}", l.item.id)
                    field="name"
                    on_commit=Callback::new(move |text: String| {
                        let before = name.get_untracked();
                        if text.trim().is_empty() || text == before { return; }
                        name.set(text.clone());
                        line.save(notice, "name", text, move || name.set(before));
                    })/>
                <span class="row-sub">{sub}</span>
            }
        })
        .sortable(ItemSort::NameAsc, ItemSort::NameDesc),
        Column::new("kind", "Kind", |l: &StockLine| l.item.kind.label()),
        Column::new("detail", "Size / grade", |l: &StockLine| l.item.detail.clone()),
        Column::new("status", "Status", |l: &StockLine| {
            view! { <span class="status-pill" data-status=l.item.status.as_str()>{l.item.status.label()}</span> }
        })
        .sortable(ItemSort::Status, ItemSort::Status),
        Column::new("quantity", "Qty", |l: &StockLine| l.item.quantity).numeric(),
        Column::new("listed_on", "Listed on", |l: &StockLine| {
            let places = l.item.listed_on.clone();
            if places.is_empty() {
                return view! { <span class="muted">"—"</span> }.into_any();
            }
            view! {
                <span class="place-chips">
                    {places.into_iter().map(|p| view! { <span class="chip">{p}</span> }).collect_view()}
                </span>
            }
            .into_any()
        }),
        Column::new("cost", "Cost", move |l: &StockLine| {
            let line = l.clone();
            let cost = l.cost;
            view! {
                <EditableCell
                    display=Signal::derive(move || cost.get().to_string())
                    edit_value=Signal::derive(move || cost.get().to_decimal_string())
                    field="purchase_price"
                    on_commit=Callback::new(move |text: String| {
                        let before = cost.get_untracked();
                        let Ok(parsed) = check_price(&text, before.currency) else {
                            notice.set(Some(format!("Not saved: \"{}\" is not a price.", text.trim())));
                            return;
                        };
                        if parsed == before { return; }
                        cost.set(parsed);
                        line.save(notice, "purchase_price", text, move || cost.set(before));
                    })/>
            }
        })
        .numeric()
        .sortable(ItemSort::CostAsc, ItemSort::CostDesc),
        Column::new("purchased", "Purchased", |l: &StockLine| {
            l.item.purchase_date.clone().unwrap_or_default()
        })
        .sortable(ItemSort::PurchasedAsc, ItemSort::PurchasedDesc),
    ]
}

#[component]
pub(super) fn StockTable(
    page: ItemPage,
    query: Memo<ItemQuery>,
    go: Callback<ItemQuery>,
    selected: Selection,
    notice: RwSignal<Option<String>>,
    hidden: Signal<std::collections::BTreeSet<String>>,
) -> impl IntoView {
    let filtered = {
        let q = query.get_untracked();
        !q.search.trim().is_empty()
            || q.status.is_some()
            || q.kind.is_some()
            || q.listed_on.is_some()
    };
    let empty = ViewFn::from(move || {
        if filtered {
            empty_state(
                "No items match",
                "Nothing in your inventory matches this search and these filters.",
                Some(view! {
                    <button class="button" type="button" on:click=move |_| go.run(ItemQuery::default())>"Clear filters"</button>
                }.into_any()),
            )
        } else {
            empty_state(
                "Your inventory is empty",
                "Add the first pair, card or box you are holding to start tracking cost and profit.",
                Some(view! { <a class="button button-primary" href="/app/inventory/new">"Add your first item"</a> }.into_any()),
            )
        }
    });
    let on_sort = Callback::new(move |sort| {
        go.run(ItemQuery {
            sort,
            page: 1,
            ..query.get_untracked()
        })
    });
    let on_page = Callback::new(move |page| {
        go.run(ItemQuery {
            page,
            ..query.get_untracked()
        })
    });
    let info = PageInfo {
        page: page.page,
        pages: page.page_count(),
        capped: page.total_is_capped,
        total_label: page.total_label(),
    };
    let rows = page
        .items
        .into_iter()
        .map(|item| StockLine {
            name: RwSignal::new(item.name.clone()),
            cost: RwSignal::new(item.purchase_price),
            version: RwSignal::new(item.version),
            item,
        })
        .collect::<Vec<_>>();
    view! {
        <DataTable rows columns=columns(notice) sort=query.get_untracked().sort on_sort page=info on_page
            empty selection=selected hidden caption="Stock"/>
    }
}
