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
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading inventory…"</p> }>
            {move || {
                let go = go.clone();
                Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <StockTable page=p query go/> }.into_any(),
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
    let total = page.total;
    let current_page = page.page;
    let pages = page.page_count();
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
                    {page.items.into_iter().map(|item| {
                        let detail = size_or_grade(&item);
                        let sub = item.style_id.clone().or(item.card_set.clone()).or(item.sku.clone()).unwrap_or_default();
                        view! {
                            <tr>
                                <td>
                                    <a class="row-link" href=format!("/app/inventory/{}", item.id)>{item.name.clone()}</a>
                                    <span class="row-sub">{sub}</span>
                                </td>
                                <td>{item.kind.label()}</td>
                                <td>{detail}</td>
                                <td><span class="status-pill" data-status=item.status.as_str()>{item.status.label()}</span></td>
                                <td class="num">{item.quantity}</td>
                                <td class="num">{item.purchase_price.to_string()}</td>
                                <td>{item.purchase_date.clone().unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            <button class="button" type="button" disabled={current_page <= 1} on:click=prev>"Previous"</button>
            <span aria-live="polite">{format!("Page {current_page} of {pages} · {total} items")}</span>
            <button class="button" type="button" disabled={current_page >= pages} on:click=next>"Next"</button>
        </nav>
    }
    .into_any()
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

fn to_input(v: &ItemView) -> ItemInput {
    let s = &v.summary;
    let d = &v.details;
    let o = |x: &Option<String>| x.clone().unwrap_or_default();
    ItemInput {
        kind: s.kind.as_str().into(),
        name: s.name.clone(),
        sku: o(&s.sku),
        quantity: s.quantity.to_string(),
        purchase_price: s.purchase_price.to_decimal_string(),
        currency: s.purchase_price.currency.code().into(),
        purchase_date: o(&s.purchase_date),
        purchase_source: o(&v.purchase_source),
        storage_location: o(&v.storage_location),
        tags: s.tags.join(", "),
        notes: o(&v.notes),
        image_urls: v.image_urls.join("\n"),
        brand: o(&d.brand),
        style_id: o(&d.style_id),
        colorway: o(&d.colorway),
        size: o(&d.size),
        size_system: d
            .size_system
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        sneaker_condition: d
            .sneaker_condition
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        box_condition: d
            .box_condition
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        game: o(&d.game),
        card_set: o(&d.card_set),
        card_number: o(&d.card_number),
        language: o(&d.language),
        finish: o(&d.finish),
        card_condition: d
            .card_condition
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        grading_company: d
            .grading_company
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        grade: o(&d.grade),
        cert_number: o(&d.cert_number),
        attributes: d
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n"),
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
fn ItemDetail(view: ItemView, saved: RwSignal<bool>, reload: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let reload = Callback::new(move |_: ()| reload());
    let s = view.summary.clone();
    let id = s.id.clone();
    let version = s.version;
    let status = s.status;
    let form = RwSignal::new(to_input(&view));
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
