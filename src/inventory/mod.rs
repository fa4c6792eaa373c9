//! Inventory: the stock table, the add form and the item page (user view of the dashboard).

pub mod api;
#[cfg(feature = "ssr")]
pub mod export;
mod form;
#[cfg(feature = "ssr")]
pub mod service;
pub mod types;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::{
    domain::item::{ItemInput, ItemKind, ItemStatus, SaleChannel},
    error::AppError,
    ui::{ErrorBanner, LoadError, platform::today, safe_title},
};
use form::ItemFields;
use types::{ItemPage, ItemQuery, ItemSort, ItemSummary, ItemView, SaleInput, ShipmentInput};

fn inventory_url(q: &ItemQuery) -> String {
    let qs = q.to_query_string();
    if qs.is_empty() {
        "/app/inventory".to_string()
    } else {
        format!("/app/inventory?{qs}")
    }
}

fn size_or_grade(item: &ItemSummary) -> String {
    match item.kind {
        ItemKind::Sneaker => item.size.clone().unwrap_or_default(),
        ItemKind::Card => item
            .grade
            .clone()
            .map(|g| format!("Grade {g}"))
            .unwrap_or_else(|| "Raw".into()),
        _ => String::new(),
    }
}

/// `/app/inventory`: the stock table with search, filters, sorting and pages in the URL.
#[component]
pub fn InventoryPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let map = query_map.get();
        ItemQuery::from_pairs(|k| map.get(k))
    });
    let page = Resource::new(move || query.get(), api::list_items);
    let selected = RwSignal::new(std::collections::BTreeSet::<String>::new());
    let notice = RwSignal::new(None::<String>);
    // A new search, filter or page starts with nothing selected.
    Effect::new(move |_| {
        query.track();
        selected.set(Default::default());
    });
    let changed = Callback::new(move |message: String| {
        selected.set(Default::default());
        notice.set(Some(message));
        page.refetch();
    });
    let navigate = use_navigate();
    let go = move |q: ItemQuery| navigate(&inventory_url(&q), Default::default());
    let search = RwSignal::new(query.get_untracked().search.clone());

    let on_search = {
        let go = go.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            go(ItemQuery {
                search: search.get_untracked(),
                page: 1,
                ..query.get_untracked()
            });
        }
    };
    let on_status = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            go(ItemQuery {
                status: ItemStatus::parse(&event_target_value(&ev)),
                page: 1,
                ..query.get_untracked()
            });
        }
    };
    let on_kind = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            go(ItemQuery {
                kind: ItemKind::parse(&event_target_value(&ev)),
                page: 1,
                ..query.get_untracked()
            });
        }
    };
    let export_href = move || {
        let qs = ItemQuery {
            page: 1,
            ..query.get()
        }
        .to_query_string();
        if qs.is_empty() {
            "/app/inventory/export.csv".to_string()
        } else {
            format!("/app/inventory/export.csv?{qs}")
        }
    };

    view! {
        <Title text="Inventory · Flipdesk"/>
        <div class="page-header page-header-row">
            <div>
                <h1>"Inventory"</h1>
                <p class="muted">"Every pair, card and box you hold or have sold."</p>
            </div>
            <div class="page-actions">
                <a class="button" href=export_href download="flipdesk-inventory.csv" rel="external">"Export CSV"</a>
                <a class="button button-primary" href="/app/inventory/new">"Add item"</a>
            </div>
        </div>
        <form class="filter-bar" role="search" on:submit=on_search>
            <label class="visually-hidden" for="inventory-search">"Search inventory"</label>
            <input id="inventory-search" type="search" placeholder="Search name, SKU, style id, set, tags…"
                prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            <button class="button" type="submit">"Search"</button>
            <label class="visually-hidden" for="inventory-status">"Status"</label>
            <select id="inventory-status" on:change=on_status>
                <option value="" selected=move || query.get().status.is_none()>"All statuses"</option>
                {ItemStatus::ALL.iter().map(|s| {
                    let s = *s;
                    view! { <option value=s.as_str() selected=move || query.get().status == Some(s)>{s.label()}</option> }
                }).collect_view()}
            </select>
            <label class="visually-hidden" for="inventory-kind">"Kind"</label>
            <select id="inventory-kind" on:change=on_kind>
                <option value="" selected=move || query.get().kind.is_none()>"All kinds"</option>
                {ItemKind::ALL.iter().map(|k| {
                    let k = *k;
                    view! { <option value=k.as_str() selected=move || query.get().kind == Some(k)>{k.label()}</option> }
                }).collect_view()}
            </select>
        </form>
        <p class="notice" role="status" aria-live="polite">{move || notice.get().unwrap_or_default()}</p>
        <BulkBar selected changed/>
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading inventory…"</p> }>
            {move || {
                let go = go.clone();
                Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <StockTable page=p query go selected notice/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}}
        </Transition>
    }
}

#[component]
fn StockTable(
    page: ItemPage,
    query: Memo<ItemQuery>,
    go: impl Fn(ItemQuery) + Clone + Send + Sync + 'static,
    selected: RwSignal<std::collections::BTreeSet<String>>,
    notice: RwSignal<Option<String>>,
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
    let sort_header = {
        let go = go.clone();
        move |label: &'static str, asc: ItemSort, desc: ItemSort| {
            let go = go.clone();
            let current = query.get_untracked().sort;
            let aria = if current == asc {
                "ascending"
            } else if current == desc {
                "descending"
            } else {
                "none"
            };
            let next = if current == asc { desc } else { asc };
            let arrow = if current == asc {
                " ↑"
            } else if current == desc {
                " ↓"
            } else {
                ""
            };
            view! {
                <th scope="col" aria-sort=aria>
                    <button type="button" class="sort-button" on:click=move |_| go(ItemQuery { sort: next, page: 1, ..query.get_untracked() })>
                        {label}{arrow}
                    </button>
                </th>
            }
        }
    };
    let page_ids: Vec<String> = page.items.iter().map(|i| i.id.clone()).collect();
    let all_selected = {
        let ids = page_ids.clone();
        move || !ids.is_empty() && selected.with(|s| ids.iter().all(|id| s.contains(id)))
    };
    let toggle_all = {
        let ids = page_ids.clone();
        let all_selected = all_selected.clone();
        move |_| {
            let select = !all_selected();
            selected.update(|s| {
                for id in &ids {
                    if select {
                        s.insert(id.clone());
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
    let prev = {
        let go = go.clone();
        move |_: leptos::ev::MouseEvent| {
            go(ItemQuery {
                page: current_page.saturating_sub(1).max(1),
                ..query.get_untracked()
            })
        }
    };
    let next = {
        let go = go.clone();
        move |_: leptos::ev::MouseEvent| {
            go(ItemQuery {
                page: current_page + 1,
                ..query.get_untracked()
            })
        }
    };
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <thead>
                    <tr>
                        <th scope="col" class="select-col">
                            <input type="checkbox" aria-label="Select all items on this page"
                                prop:checked=all_selected on:change=toggle_all/>
                        </th>
                        {sort_header("Name", ItemSort::NameAsc, ItemSort::NameDesc)}
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Size / grade"</th>
                        {sort_header("Status", ItemSort::Status, ItemSort::Status)}
                        <th scope="col" class="num">"Qty"</th>
                        {sort_header("Cost", ItemSort::CostAsc, ItemSort::CostDesc)}
                        {sort_header("Purchased", ItemSort::PurchasedAsc, ItemSort::PurchasedDesc)}
                    </tr>
                </thead>
                <tbody>
                    {page.items.into_iter().map(|item| view! { <StockRow item selected notice/> }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            <button class="button" type="button" disabled={current_page <= 1} on:click=prev>"Previous"</button>
            <span aria-live="polite">{format!("Page {current_page} of {pages_label} · {total}")}</span>
            <button class="button" type="button" disabled={current_page >= pages && !capped} on:click=next>"Next"</button>
        </nav>
    }
    .into_any()
}

/// One row of the stock table: selectable, with the name and cost editable in place.
#[component]
fn StockRow(
    item: ItemSummary,
    selected: RwSignal<std::collections::BTreeSet<String>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
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
        Memo::new(move |_| selected.with(|s| s.contains(&id)))
    };
    let toggle = {
        let id = id.clone();
        move |_| {
            selected.update(|s| {
                if !s.remove(&id) {
                    s.insert(id.clone());
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
            <td>{item.kind.label()}</td>
            <td>{detail}</td>
            <td><span class="status-pill" data-status=item.status.as_str()>{item.status.label()}</span></td>
            <td class="num">{item.quantity}</td>
            <td class="num">
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
            <td>{item.purchase_date.clone().unwrap_or_default()}</td>
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
fn BulkBar(
    selected: RwSignal<std::collections::BTreeSet<String>>,
    changed: Callback<String>,
) -> impl IntoView {
    let status = RwSignal::new("listed".to_string());
    let tag = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let count = move || selected.with(|s| s.len());
    let ids = move || selected.get_untracked().into_iter().collect::<Vec<_>>();
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
                <button class="button button-ghost" type="button" on:click=move |_| selected.set(Default::default())>"Clear selection"</button>
                <p class="field-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </div>
        </Show>
    }
}

fn general_error(errors: Memo<Option<AppError>>) -> Signal<Option<String>> {
    Signal::derive(move || match errors.get() {
        Some(AppError::Validation { fields, .. })
            if fields.0.keys().any(|k| k == "status" || k == "ids") =>
        {
            fields.0.values().next().cloned()
        }
        Some(AppError::Validation { .. }) => {
            Some("Some fields need fixing; see the messages below them.".into())
        }
        Some(other) => Some(other.to_string()),
        None => None,
    })
}

/// `/app/inventory/new`
#[component]
pub fn NewItemPage() -> impl IntoView {
    let form = RwSignal::new(ItemInput {
        kind: "sneaker".into(),
        quantity: "1".into(),
        currency: "USD".into(),
        purchase_date: today(),
        ..Default::default()
    });
    let status = RwSignal::new("in_stock".to_string());
    let local = RwSignal::new(None::<AppError>);
    let action = ServerAction::<api::CreateItem>::new();
    let errors = Memo::new(move |_| {
        local
            .get()
            .or_else(|| action.value().get().and_then(|r| r.err()))
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = action.value().get() {
            navigate(&format!("/app/inventory/{id}"), Default::default());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = form.get_untracked();
        if let Err(fields) = crate::domain::item::validate_item(&input) {
            local.set(Some(AppError::validation(fields)));
            return;
        }
        local.set(None);
        action.dispatch(api::CreateItem {
            input,
            status: status.get_untracked(),
        });
    };
    view! {
        <Title text="Add item · Flipdesk"/>
        <div class="page-header">
            <p><a href="/app/inventory">"← Inventory"</a></p>
            <h1>"Add an item"</h1>
        </div>
        <form class="form item-form" on:submit=submit novalidate>
            <ErrorBanner message=general_error(errors)/>
            <ItemFields form errors/>
            <div class="field">
                <label for="item-status">"Status"</label>
                <select id="item-status" on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="in_stock" selected=true>"In stock"</option>
                    <option value="purchased">"Purchased (not received yet)"</option>
                    <option value="listed">"Listed"</option>
                </select>
            </div>
            <div class="form-actions">
                <button class="button button-primary" type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Saving…" } else { "Save item" }}
                </button>
                <a class="button button-ghost" href="/app/inventory">"Cancel"</a>
            </div>
        </form>
    }
}

/// `/app/inventory/{id}`: details, lifecycle actions, edit.
#[component]
pub fn ItemPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").unwrap_or_default());
    let item = Resource::new(move || id.get(), api::get_item);
    // Lives outside the detail view, which is rebuilt when the item reloads after a save.
    let saved = RwSignal::new(false);
    view! {
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading item…"</p> }>
            {move || Suspend::new(async move {
                match item.await {
                    Ok(view) => view! { <ItemDetail view saved reload=move || item.refetch()/> }.into_any(),
                    Err(AppError::NotFound) => view! {
                        <div class="empty-state">
                            <h1>"Item not found"</h1>
                            <p>"This item does not exist in your inventory."</p>
                            <a class="button" href="/app/inventory">"Back to inventory"</a>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ItemDetail(
    view: ItemView,
    saved: RwSignal<bool>,
    reload: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let reload = Callback::new(move |_: ()| reload());
    let s = view.summary.clone();
    let id = s.id.clone();
    let version = s.version;
    let status = s.status;
    let form = RwSignal::new(view.to_input());
    let local = RwSignal::new(None::<AppError>);
    let save = ServerAction::<api::UpdateItem>::new();
    let move_status = ServerAction::<api::ChangeStatus>::new();
    let errors = Memo::new(move |_| {
        local
            .get()
            .or_else(|| save.value().get().and_then(|r| r.err()))
            .or_else(|| move_status.value().get().and_then(|r| r.err()))
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            saved.set(true);
            reload.run(());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = move_status.value().get() {
            reload.run(());
        }
    });
    let submit = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let input = form.get_untracked();
            if let Err(fields) = crate::domain::item::validate_item(&input) {
                local.set(Some(AppError::validation(fields)));
                return;
            }
            local.set(None);
            save.dispatch(api::UpdateItem {
                id: id.clone(),
                version,
                input,
            });
        }
    };
    let conflict = Memo::new(
        move |_| matches!(errors.get(), Some(AppError::Conflict { ref code, .. }) if code == "changed_elsewhere"),
    );
    let transitions: Vec<ItemStatus> = status
        .next()
        .iter()
        .copied()
        .filter(|t| !matches!(t, ItemStatus::Sold | ItemStatus::Shipped))
        .collect();
    let sellable = matches!(
        status,
        ItemStatus::InStock | ItemStatus::Listed | ItemStatus::Reserved
    );
    let shippable = status == ItemStatus::Sold;
    view! {
        <Title text=safe_title(&format!("{} · Inventory · Flipdesk", s.name))/>
        <div class="page-header">
            <p><a href="/app/inventory">"← Inventory"</a></p>
            <h1>{s.name.clone()}</h1>
            <p class="muted">
                <span class="status-pill" data-status=status.as_str()>{status.label()}</span>
                " · " {s.kind.label()} " · " {format!("{} × {}", s.quantity, s.purchase_price)}
            </p>
        </div>
        <Show when=move || conflict.get()>
            <div class="banner banner-error" role="alert">
                "This item was changed elsewhere. "
                <button class="button" type="button" on:click=move |_| reload.run(())>"Reload the latest version"</button>
            </div>
        </Show>
        <section class="card item-actions" aria-labelledby="lifecycle-heading">
            <h2 id="lifecycle-heading">"Lifecycle"</h2>
            <div class="button-row">
                {transitions.into_iter().map(|to| {
                    let id = id.clone();
                    view! {
                        <button class="button" type="button" disabled=move || move_status.pending().get()
                            on:click=move |_| { move_status.dispatch(api::ChangeStatus { id: id.clone(), version, status: to.as_str().into() }); }>
                            {format!("Mark {}", to.label().to_lowercase())}
                        </button>
                    }
                }).collect_view()}
            </div>
            {sellable.then(|| view! { <SellForm id=id.clone() version quantity=s.quantity reload=move || reload.run(())/> })}
            {shippable.then(|| view! { <TrackingForm id=id.clone() version reload=move || reload.run(())/> })}
            <SaleHistory view=view.clone()/>
        </section>
        <form class="form item-form" on:submit=submit novalidate>
            <h2>"Edit"</h2>
            <ErrorBanner message=Signal::derive(move || if conflict.get() { None } else { general_error(errors).get() })/>
            <Show when=move || saved.get()>
                <div class="banner banner-success" role="status">"Saved."</div>
            </Show>
            <ItemFields form errors/>
            <div class="form-actions">
                <button class="button button-primary" type="submit" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save changes" }}
                </button>
            </div>
        </form>
    }
}

#[component]
fn SaleHistory(view: ItemView) -> impl IntoView {
    if view.sales.is_empty() && view.shipments.is_empty() {
        return ().into_any();
    }
    view! {
        <div class="history">
            {view.sales.into_iter().map(|sale| view! {
                <dl class="facts">
                    <dt>"Sold"</dt><dd>{format!("{} × on {} via {}", sale.quantity, sale.sold_on, sale.channel.label())}</dd>
                    <dt>"Sale price"</dt><dd>{sale.sale_price.to_string()}</dd>
                    <dt>"Fees"</dt><dd>{sale.fees.to_string()}</dd>
                    <dt>"Shipping charged / paid"</dt><dd>{format!("{} / {}", sale.shipping_charged, sale.shipping_paid)}</dd>
                    <dt>"Net profit"</dt><dd class="profit" data-testid="net-profit">{sale.net_profit.to_string()}</dd>
                </dl>
            }).collect_view()}
            {view.shipments.into_iter().map(|s| view! {
                <p>{format!("Shipped {} with {} · tracking {}", s.shipped_on, s.carrier, s.tracking_code)}</p>
            }).collect_view()}
        </div>
    }
    .into_any()
}

#[component]
fn SellForm(
    id: String,
    version: i64,
    quantity: i64,
    reload: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let sale = RwSignal::new(SaleInput {
        channel: "ebay".into(),
        sold_on: today(),
        quantity: quantity.to_string(),
        ..Default::default()
    });
    let action = ServerAction::<api::MarkSold>::new();
    let errors = Memo::new(move |_| action.value().get().and_then(|r| r.err()));
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            reload();
        }
    });
    let field = move |name: &'static str,
                      label: &'static str,
                      lens: fn(&mut SaleInput) -> &mut String| {
        let error = Memo::new(move |_| errors.get().and_then(|e| e.field_error(name)));
        view! {
            <div class="field" class:field-invalid=move || error.get().is_some()>
                <label for=format!("sale-{name}")>{label}</label>
                <input id=format!("sale-{name}") type=if name == "sold_on" { "date" } else { "text" }
                    prop:value=move || lens(&mut sale.get()).clone()
                    on:input=move |ev| sale.update(|s| *lens(s) = event_target_value(&ev))/>
                <p class="field-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </div>
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(api::MarkSold {
            id: id.clone(),
            version,
            sale: sale.get_untracked(),
        });
    };
    view! {
        <form class="form sub-form" on:submit=submit novalidate aria-labelledby="sell-heading">
            <h3 id="sell-heading">"Mark sold"</h3>
            <ErrorBanner message=general_error(errors)/>
            <div class="form-grid">
                {field("sale_price", "Sale price", |s| &mut s.sale_price)}
                <div class="field">
                    <label for="sale-channel">"Channel"</label>
                    <select id="sale-channel" on:change=move |ev| sale.update(|s| s.channel = event_target_value(&ev))>
                        {SaleChannel::ALL.iter().map(|c| view! {
                            <option value=c.as_str() selected=*c == SaleChannel::Ebay>{c.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                {field("fees", "Fees", |s| &mut s.fees)}
                {field("shipping_charged", "Shipping charged", |s| &mut s.shipping_charged)}
                {field("shipping_paid", "Shipping paid", |s| &mut s.shipping_paid)}
                {field("sold_on", "Sold on", |s| &mut s.sold_on)}
                {(quantity > 1).then(|| field("quantity", "Units sold", |s| &mut s.quantity))}
            </div>
            <button class="button button-primary" type="submit" disabled=move || action.pending().get()>"Record sale"</button>
        </form>
    }
}

#[component]
fn TrackingForm(
    id: String,
    version: i64,
    reload: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let shipment = RwSignal::new(ShipmentInput {
        shipped_on: today(),
        ..Default::default()
    });
    let action = ServerAction::<api::AddTracking>::new();
    let errors = Memo::new(move |_| action.value().get().and_then(|r| r.err()));
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            reload();
        }
    });
    let field = move |name: &'static str,
                      label: &'static str,
                      lens: fn(&mut ShipmentInput) -> &mut String| {
        let error = Memo::new(move |_| errors.get().and_then(|e| e.field_error(name)));
        view! {
            <div class="field" class:field-invalid=move || error.get().is_some()>
                <label for=format!("ship-{name}")>{label}</label>
                <input id=format!("ship-{name}") type=if name == "shipped_on" { "date" } else { "text" }
                    prop:value=move || lens(&mut shipment.get()).clone()
                    on:input=move |ev| shipment.update(|s| *lens(s) = event_target_value(&ev))/>
                <p class="field-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </div>
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(api::AddTracking {
            id: id.clone(),
            version,
            shipment: shipment.get_untracked(),
        });
    };
    view! {
        <form class="form sub-form" on:submit=submit novalidate aria-labelledby="ship-heading">
            <h3 id="ship-heading">"Add tracking"</h3>
            <ErrorBanner message=general_error(errors)/>
            <div class="form-grid">
                {field("carrier", "Carrier", |s| &mut s.carrier)}
                {field("tracking_code", "Tracking code", |s| &mut s.tracking_code)}
                {field("shipped_on", "Shipped on", |s| &mut s.shipped_on)}
            </div>
            <button class="button button-primary" type="submit" disabled=move || action.pending().get()>"Mark shipped"</button>
        </form>
    }
}
