//! The stock table: sortable columns, selectable rows, cells edited in place, bulk actions.

use leptos::prelude::*;

/// Selected rows: id → name (names label the bulk-sale lines).
pub(super) type Selection = RwSignal<std::collections::BTreeMap<String, String>>;

use super::{
    api, size_or_grade,
    types::{ItemPage, ItemQuery, ItemSort, ItemSummary},
};
use crate::{
    domain::item::ItemStatus,
    error::AppError,
    ui::table::{Pager, SortHeader},
};

#[component]
pub(super) fn StockTable(
    page: ItemPage,
    query: Memo<ItemQuery>,
    go: impl Fn(ItemQuery) + Clone + Send + Sync + 'static,
    selected: Selection,
    notice: RwSignal<Option<String>>,
    hidden: Signal<std::collections::BTreeSet<String>>,
) -> impl IntoView {
    let filtered = {
        let q = query.get_untracked();
        !q.search.trim().is_empty() || q.status.is_some() || q.kind.is_some()
    };
    if page.items.is_empty() {
        let go = go.clone();
        return if filtered {
            view! {
                <div class="empty-state">
                    <h2>"No items match"</h2>
                    <p>"Nothing in your inventory matches this search and these filters."</p>
                    <button class="button" type="button" on:click=move |_| go(ItemQuery::default())>"Clear filters"</button>
                </div>
            }
            .into_any()
        } else {
            view! {
                <div class="empty-state">
                    <h2>"Your inventory is empty"</h2>
                    <p>"Add the first pair, card or box you are holding to start tracking cost and profit."</p>
                    <a class="button button-primary" href="/app/inventory/new">"Add your first item"</a>
                </div>
            }
            .into_any()
        };
    }
    let current_sort = query.get_untracked().sort;
    let on_sort = {
        let go = go.clone();
        Callback::new(move |sort: ItemSort| {
            go(ItemQuery {
                sort,
                page: 1,
                ..query.get_untracked()
            })
        })
    };
    let on_page = {
        let go = go.clone();
        Callback::new(move |page: u32| {
            go(ItemQuery {
                page,
                ..query.get_untracked()
            })
        })
    };
    let sort_header =
        move |label: &'static str, asc: ItemSort, desc: ItemSort, column: &'static str| {
            let hidden = Signal::derive(move || hidden.with(|h| h.contains(column)));
            view! { <SortHeader label asc desc current=current_sort on_sort hidden/> }
        };
    let is_hidden = move |column: &'static str| move || hidden.with(|h| h.contains(column));
    let page_ids: Vec<(String, String)> = page
        .items
        .iter()
        .map(|i| (i.id.clone(), i.name.clone()))
        .collect();
    let all_selected = {
        let ids = page_ids.clone();
        move || !ids.is_empty() && selected.with(|s| ids.iter().all(|(id, _)| s.contains_key(id)))
    };
    let toggle_all = {
        let ids = page_ids.clone();
        let all_selected = all_selected.clone();
        move |_| {
            let select = !all_selected();
            selected.update(|s| {
                for (id, name) in &ids {
                    if select {
                        s.insert(id.clone(), name.clone());
                    } else {
                        s.remove(id);
                    }
                }
            });
        }
    };
    let total = page.total_label();
    let capped = page.total_is_capped;
    let current_page = page.page;
    let pages = page.page_count();
    let pages_label = if capped {
        format!("{pages}+")
    } else {
        pages.to_string()
    };
    view! {
        <div class="table-wrap">
            <table class="data-table" on:keydown=crate::ui::table::table_keys>
                <thead>
                    <tr>
                        <th scope="col" class="select-col">
                            <input type="checkbox" aria-label="Select all items on this page"
                                prop:checked=all_selected on:change=toggle_all/>
                        </th>
                        {sort_header("Name", ItemSort::NameAsc, ItemSort::NameDesc, "name")}
                        <th scope="col" class:col-hidden=is_hidden("kind")>"Kind"</th>
                        <th scope="col" class:col-hidden=is_hidden("detail")>"Size / grade"</th>
                        {sort_header("Status", ItemSort::Status, ItemSort::Status, "status")}
                        <th scope="col" class="num" class:col-hidden=is_hidden("quantity")>"Qty"</th>
                        {sort_header("Cost", ItemSort::CostAsc, ItemSort::CostDesc, "cost")}
                        {sort_header("Purchased", ItemSort::PurchasedAsc, ItemSort::PurchasedDesc, "purchased")}
                    </tr>
                </thead>
                <tbody>
                    {page.items.into_iter().map(|item| view! { <StockRow item selected notice hidden/> }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager page=current_page pages_label total_label=total has_next={current_page < pages || capped} on_page/>
    }
    .into_any()
}

/// One row of the stock table: selectable, with the name and cost editable in place.
#[component]
fn StockRow(
    item: ItemSummary,
    selected: Selection,
    notice: RwSignal<Option<String>>,
    hidden: Signal<std::collections::BTreeSet<String>>,
) -> impl IntoView {
    let is_hidden = move |column: &'static str| move || hidden.with(|h| h.contains(column));
    let detail = size_or_grade(&item);
    let sub = item
        .style_id
        .clone()
        .or(item.card_set.clone())
        .or(item.sku.clone())
        .unwrap_or_default();
    let id = item.id.clone();
    let version = RwSignal::new(item.version);
    let name = RwSignal::new(item.name.clone());
    let cost = RwSignal::new(item.purchase_price);
    let is_selected = {
        let id = id.clone();
        Memo::new(move |_| selected.with(|s| s.contains_key(&id)))
    };
    let toggle = {
        let id = id.clone();
        let name = item.name.clone();
        move |_| {
            selected.update(|s| {
                if s.remove(&id).is_none() {
                    s.insert(id.clone(), name.clone());
                }
            })
        }
    };
    let save_cell = {
        let id = id.clone();
        Callback::new(
            move |(field, value, undo): (String, String, Callback<()>)| {
                let id = id.clone();
                let v = version.get_untracked();
                leptos::task::spawn_local(async move {
                    match api::edit_cell(id, v, field, value).await {
                        Ok(new_version) => {
                            version.set(new_version);
                            notice.set(Some("Saved.".into()));
                        }
                        Err(e) => {
                            // Roll the optimistic change back and say why.
                            undo.run(());
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
            },
        )
    };
    let label = format!("Select {}", item.name);
    view! {
        <tr class:row-selected=is_selected>
            <td class="select-col"><input type="checkbox" aria-label=label prop:checked=is_selected on:change=toggle/></td>
            <td>
                <EditableCell
                    display=Signal::derive(move || name.get())
                    href=format!("/app/inventory/{id}")
                    field="name"
                    on_commit=Callback::new(move |text: String| {
                        let before = name.get_untracked();
                        if text.trim().is_empty() || text == before { return; }
                        name.set(text.clone());
                        save_cell.run(("name".into(), text, Callback::new(move |_| name.set(before.clone()))));
                    })/>
                <span class="row-sub">{sub}</span>
            </td>
            <td class:col-hidden=is_hidden("kind")>{item.kind.label()}</td>
            <td class:col-hidden=is_hidden("detail")>{detail}</td>
            <td class:col-hidden=is_hidden("status")><span class="status-pill" data-status=item.status.as_str()>{item.status.label()}</span></td>
            <td class="num" class:col-hidden=is_hidden("quantity")>{item.quantity}</td>
            <td class="num" class:col-hidden=is_hidden("cost")>
                <EditableCell
                    display=Signal::derive(move || cost.get().to_string())
                    edit_value=Signal::derive(move || cost.get().to_decimal_string())
                    field="purchase_price"
                    on_commit=Callback::new(move |text: String| {
                        let before = cost.get_untracked();
                        let Ok(parsed) = crate::domain::item::check_price(&text, before.currency) else {
                            notice.set(Some(format!("Not saved: \"{}\" is not a price.", text.trim())));
                            return;
                        };
                        if parsed == before { return; }
                        cost.set(parsed);
                        save_cell.run(("purchase_price".into(), text, Callback::new(move |_| cost.set(before))));
                    })/>
            </td>
            <td class:col-hidden=is_hidden("purchased")>{item.purchase_date.clone().unwrap_or_default()}</td>
        </tr>
    }
}

/// A cell that shows a value and turns into an input on “Edit” (Enter saves, Escape cancels).
#[component]
fn EditableCell(
    display: Signal<String>,
    #[prop(optional, into)] edit_value: Option<Signal<String>>,
    #[prop(optional, into)] href: Option<String>,
    field: &'static str,
    on_commit: Callback<String>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let start = move |_| {
        draft.set(
            edit_value
                .map(|v| v.get_untracked())
                .unwrap_or_else(|| display.get_untracked()),
        );
        editing.set(true);
    };
    Effect::new(move |_| {
        if editing.get()
            && let Some(input) = input_ref.get()
        {
            let _ = input.focus();
            input.select();
        }
    });
    let commit = move || {
        if editing.get_untracked() {
            editing.set(false);
            on_commit.run(draft.get_untracked());
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            commit();
        }
        "Escape" => editing.set(false),
        _ => {}
    };
    view! {
        <span class="editable" data-field=field>
            <Show when=move || editing.get() fallback={
                let href = href.clone();
                move || match href.clone() {
                    Some(h) => view! { <a class="row-link" href=h>{move || display.get()}</a> }.into_any(),
                    None => view! { <span>{move || display.get()}</span> }.into_any(),
                }
            }>
                <input class="cell-input" node_ref=input_ref aria-label=format!("New {}", field.replace('_', " "))
                    prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))
                    on:keydown=on_key on:blur=move |_| commit()/>
            </Show>
            <Show when=move || !editing.get()>
                <button type="button" class="cell-edit" aria-label=format!("Edit {}", field.replace('_', " ")) on:click=start>"✎"</button>
            </Show>
        </span>
    }
}

/// Actions on the selected rows: change status, add a tag, delete (after a confirmation).
#[component]
pub(super) fn BulkBar(selected: Selection, changed: Callback<String>) -> impl IntoView {
    let status = RwSignal::new("listed".to_string());
    let tag = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let selling = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let count = move || selected.with(|s| s.len());
    let ids = move || selected.get_untracked().into_keys().collect::<Vec<_>>();
    let describe = |e: AppError| match e {
        AppError::Validation { fields, .. } => {
            fields.0.values().next().cloned().unwrap_or_default()
        }
        other => other.to_string(),
    };
    let apply_status = move |_| {
        busy.set(true);
        let ids = ids();
        let to = status.get_untracked();
        leptos::task::spawn_local(async move {
            match api::bulk_change_status(ids, to.clone()).await {
                Ok((done, skipped)) => {
                    let label = ItemStatus::parse(&to)
                        .map(|s| s.label().to_lowercase())
                        .unwrap_or(to);
                    let mut msg = format!("Marked {done} item(s) {label}.");
                    if skipped > 0 {
                        msg.push_str(&format!(" {skipped} could not move there from their status and were left as they were."));
                    }
                    error.set(None);
                    changed.run(msg);
                }
                Err(e) => error.set(Some(describe(e))),
            }
            busy.set(false);
        });
    };
    let apply_tag = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let ids = ids();
        let t = tag.get_untracked();
        leptos::task::spawn_local(async move {
            match api::bulk_add_tag(ids, t.clone()).await {
                Ok(done) => {
                    tag.set(String::new());
                    error.set(None);
                    changed.run(format!(
                        "Tagged {done} item(s) “{}”.",
                        t.trim().to_lowercase()
                    ));
                }
                Err(e) => error.set(Some(describe(e))),
            }
            busy.set(false);
        });
    };
    let delete = move |_| {
        busy.set(true);
        let ids = ids();
        leptos::task::spawn_local(async move {
            match api::delete_items(ids).await {
                Ok(done) => {
                    confirming.set(false);
                    error.set(None);
                    changed.run(format!("Deleted {done} item(s)."));
                }
                Err(e) => error.set(Some(describe(e))),
            }
            busy.set(false);
        });
    };
    let statuses: Vec<ItemStatus> = ItemStatus::ALL
        .iter()
        .copied()
        .filter(|s| !matches!(s, ItemStatus::Sold | ItemStatus::Shipped))
        .collect();
    view! {
        <Show when=move || count() != 0>
            <div class="bulk-bar" role="region" aria-label="Actions on selected items">
                <strong>{move || format!("{} selected", count())}</strong>
                <label class="visually-hidden" for="bulk-status">"New status"</label>
                <select id="bulk-status" on:change=move |ev| status.set(event_target_value(&ev))>
                    {statuses.iter().map(|s| {
                        let s = *s;
                        view! { <option value=s.as_str() selected=move || status.get() == s.as_str()>{s.label()}</option> }
                    }).collect_view()}
                </select>
                <button class="button" type="button" disabled=move || busy.get() on:click=apply_status>"Change status"</button>
                <form class="bulk-tag" on:submit=apply_tag>
                    <label class="visually-hidden" for="bulk-tag">"Tag"</label>
                    <input id="bulk-tag" placeholder="tag" maxlength="40" prop:value=move || tag.get() on:input=move |ev| tag.set(event_target_value(&ev))/>
                    <button class="button" type="submit" disabled=move || busy.get()>"Add tag"</button>
                </form>
                <Show when=move || confirming.get() fallback=move || view! {
                    <button class="button button-danger" type="button" on:click=move |_| confirming.set(true)>"Delete…"</button>
                }>
                    <span class="confirm" role="alert">{move || format!("Delete {} item(s) for good?", count())}</span>
                    <button class="button button-danger" type="button" disabled=move || busy.get() on:click=delete>"Yes, delete"</button>
                    <button class="button button-ghost" type="button" on:click=move |_| confirming.set(false)>"Keep them"</button>
                </Show>
                <a class="button" rel="external" download="flipdesk-selected.csv"
                    href=move || format!("/app/inventory/export.csv?ids={}", selected.with(|s| s.keys().cloned().collect::<Vec<_>>().join(",")))>
                    "Export selected"
                </a>
                <button class="button" type="button" aria-expanded=move || if selling.get() { "true" } else { "false" }
                    on:click=move |_| selling.update(|v| *v = !*v)>"Mark sold…"</button>
                <button class="button button-ghost" type="button" on:click=move |_| selected.set(Default::default())>"Clear selection"</button>
                <Show when=move || selling.get()>
                    <BulkSellForm selected changed done=Callback::new(move |_| selling.set(false))/>
                </Show>
                <Show when=move || error.get().is_some()>
                    <p class="field-error bulk-error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </Show>
            </div>
        </Show>
    }
}

/// Sells the selected items in one go: a price per item, one channel and date for all.
/// All or nothing: one bad line keeps every item as it was.
#[component]
fn BulkSellForm(
    selected: Selection,
    changed: Callback<String>,
    done: Callback<()>,
) -> impl IntoView {
    let lines: Vec<(String, String)> = selected.get_untracked().into_iter().collect();
    let prices = RwSignal::new(std::collections::BTreeMap::<String, String>::new());
    let channel = RwSignal::new("ebay".to_string());
    let sold_on = RwSignal::new(crate::ui::platform::today());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lines: Vec<super::types::BulkSaleLine> = selected
            .get_untracked()
            .into_keys()
            .map(|id| super::types::BulkSaleLine {
                sale_price: prices.with_untracked(|p| p.get(&id).cloned().unwrap_or_default()),
                id,
            })
            .collect();
        busy.set(true);
        let (c, d) = (channel.get_untracked(), sold_on.get_untracked());
        leptos::task::spawn_local(async move {
            match api::bulk_mark_sold(lines, c, d).await {
                Ok(n) => {
                    error.set(None);
                    done.run(());
                    changed.run(format!("Marked {n} item(s) sold."));
                }
                Err(AppError::Validation { fields, message }) => error.set(Some(
                    fields
                        .0
                        .into_iter()
                        .next()
                        .map(|(_, m)| m)
                        .unwrap_or(message),
                )),
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="bulk-sell" on:submit=submit novalidate aria-label="Mark the selected items sold">
            <div class="bulk-sell-common">
                <div class="field">
                    <label for="bulk-channel">"Channel"</label>
                    <select id="bulk-channel" on:change=move |ev| channel.set(event_target_value(&ev))>
                        {crate::domain::item::SaleChannel::ALL.iter().map(|c| view! {
                            <option value=c.as_str() selected=*c == crate::domain::item::SaleChannel::Ebay>{c.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="bulk-sold-on">"Sold on"</label>
                    <input id="bulk-sold-on" type="date" prop:value=move || sold_on.get() on:input=move |ev| sold_on.set(event_target_value(&ev))/>
                </div>
            </div>
            {lines.into_iter().map(|(id, name)| {
                let input_id = format!("bulk-price-{id}");
                view! {
                    <div class="field bulk-sell-line">
                        <label for=input_id.clone()>{format!("Sale price of {name}")}</label>
                        <input id=input_id inputmode="decimal" on:input=move |ev| {
                            let v = event_target_value(&ev);
                            prices.update(|p| { p.insert(id.clone(), v); });
                        }/>
                    </div>
                }
            }).collect_view()}
            <Show when=move || error.get().is_some()>
                <p class="field-error bulk-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <button class="button button-primary" type="submit" disabled=move || busy.get()>"Record sales"</button>
        </form>
    }
}

/// “Columns” menu: which stock-table columns show; the choice is saved for the reseller.
#[component]
pub(super) fn ColumnChooser(
    hidden: Signal<std::collections::BTreeSet<String>>,
    on_change: Callback<std::collections::BTreeSet<String>>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <div class="column-chooser">
            <button class="button" type="button" aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls="column-chooser-panel" on:click=move |_| open.update(|o| *o = !*o)>"Columns"</button>
            <Show when=move || open.get()>
                <fieldset class="column-chooser-panel" id="column-chooser-panel">
                    <legend>"Show columns"</legend>
                    {crate::preferences::STOCK_COLUMNS.iter().map(|(id, label)| {
                        let id = *id;
                        view! {
                            <label class="check">
                                <input type="checkbox" prop:checked=move || !hidden.with(|h| h.contains(id))
                                    on:change=move |ev| {
                                        let show = event_target_checked(&ev);
                                        let mut next = hidden.get_untracked();
                                        if show { next.remove(id); } else { next.insert(id.to_string()); }
                                        on_change.run(next);
                                    }/>
                                {*label}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
            </Show>
        </div>
    }
}
