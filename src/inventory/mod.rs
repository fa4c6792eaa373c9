//! Inventory: the stock table, the add form and the item page (user view of the dashboard).

pub mod api;
mod bulk;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
mod export_rows;
mod form;
#[cfg(feature = "ssr")]
mod insert;
mod item_page;
#[cfg(feature = "ssr")]
pub mod listing;
mod sales;
#[cfg(feature = "ssr")]
pub mod selling;
#[cfg(feature = "ssr")]
pub mod service;
mod shipments;
mod table;
pub mod types;

/// What inventory plugs into the server: the CSV exports of the stock, sales and shipments.
#[cfg(feature = "ssr")]
pub fn plug(p: &mut crate::server::plugins::Plugins) {
    p.routes.push(|| {
        utoipa_axum::router::OpenApiRouter::new()
            .route(
                "/app/inventory/export.csv",
                axum::routing::get(export::export_csv),
            )
            .route(
                "/app/sales/export.csv",
                axum::routing::get(export::export_sales_csv),
            )
            .route(
                "/app/shipments/export.csv",
                axum::routing::get(export::export_shipments_csv),
            )
    });
}

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::{
    catalog::{EnrichButton, EnrichProgress},
    domain::item::{ItemInput, ItemKind, ItemStatus},
    error::AppError,
    ui::{
        ErrorBanner, LoadError,
        platform::today,
        table::{ColumnChooser, table_loader},
    },
};
use bulk::BulkBar;
use form::ItemFields;
use item_page::ItemDetail;
pub use sales::SalesPage;
pub use shipments::ShipmentsPage;
use table::StockTable;
use types::ItemQuery;

fn inventory_url(q: &ItemQuery) -> String {
    let qs = q.to_query_string();
    if qs.is_empty() {
        "/app/inventory".to_string()
    } else {
        format!("/app/inventory?{qs}")
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
    let preferences = Resource::new(
        || (),
        |_| crate::preferences::api::stock_table_preferences(),
    );
    // The saved column choice, until the reseller changes it on this page.
    let chosen = RwSignal::new(None::<std::collections::BTreeSet<String>>);
    let hidden = Signal::derive(move || {
        chosen.get().unwrap_or_else(|| {
            preferences
                .get()
                .and_then(|r| r.ok())
                .map(|p| p.hidden_columns.into_iter().collect())
                .unwrap_or_default()
        })
    });
    let selected = RwSignal::new(std::collections::BTreeMap::<String, String>::new());
    let notice = RwSignal::new(None::<String>);
    // A new search, filter or page starts with nothing selected.
    Effect::new(move |_| {
        query.track();
        selected.set(Default::default());
    });
    let choose_columns = Callback::new(move |next: std::collections::BTreeSet<String>| {
        chosen.set(Some(next.clone()));
        leptos::task::spawn_local(async move {
            let preferences = crate::preferences::TablePreferences {
                hidden_columns: next.into_iter().collect(),
            };
            if let Err(e) = crate::preferences::api::save_stock_table_preferences(preferences).await
            {
                notice.set(Some(format!("Could not save the column choice: {e}")));
            }
        });
    });
    let changed = Callback::new(move |message: String| {
        selected.set(Default::default());
        notice.set(Some(message));
        page.refetch();
    });
    // Linked items have a new version: the table reloads when a run ends.
    let enrich = crate::catalog::EnrichState::new(Callback::new(move |_| page.refetch()));
    let navigate = use_navigate();
    let go = Callback::new(move |q: ItemQuery| navigate(&inventory_url(&q), Default::default()));
    let search = RwSignal::new(query.get_untracked().search.clone());

    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        go.run(ItemQuery {
            search: search.get_untracked(),
            page: 1,
            ..query.get_untracked()
        });
    };
    let on_status = move |ev: leptos::ev::Event| {
        go.run(ItemQuery {
            status: ItemStatus::parse(&event_target_value(&ev)),
            page: 1,
            ..query.get_untracked()
        });
    };
    let on_kind = move |ev: leptos::ev::Event| {
        go.run(ItemQuery {
            kind: ItemKind::parse(&event_target_value(&ev)),
            page: 1,
            ..query.get_untracked()
        });
    };
    let on_place = Callback::new(move |place: String| {
        go.run(ItemQuery {
            listed_on: (!place.is_empty()).then_some(place),
            page: 1,
            ..query.get_untracked()
        });
    });
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
                <ColumnChooser columns=crate::preferences::STOCK_COLUMNS hidden on_change=choose_columns/>
                <EnrichButton state=enrich/>
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
            // The channels come with the page's own data.
            <Transition fallback=move || view! { <PlaceFilter query channels=Vec::new() on_change=on_place/> }>
                {move || Suspend::new(async move {
                    let channels = page.await.map(|p| p.channels).unwrap_or_default();
                    view! { <PlaceFilter query channels on_change=on_place/> }
                })}
            </Transition>
        </form>
        <EnrichProgress state=enrich/>
        <p class="notice" role="status" aria-live="polite">{move || notice.get().unwrap_or_default()}</p>
        <BulkBar selected changed/>
        {table_loader(
            "Loading inventory…",
            // The column choice is awaited too, so hidden columns are hidden in the first byte.
            move || async move {
                let _ = preferences.await;
                page.await
            },
            move |p| view! { <StockTable page=p query go selected notice hidden/> },
        )}
    }
}

/// The stock table's "Listed on" filter: the storefront, nowhere, or one of the channels.
#[component]
fn PlaceFilter(
    query: Memo<ItemQuery>,
    channels: Vec<(String, String)>,
    on_change: Callback<String>,
) -> impl IntoView {
    let is = move |v: &str| query.get().listed_on.as_deref().unwrap_or("") == v;
    let fixed = [
        ("", "Listed anywhere or not".to_string()),
        ("store", "On the storefront".to_string()),
        ("nowhere", "Not listed anywhere".to_string()),
    ]
    .map(|(v, label)| (v.to_string(), label));
    let options: Vec<(String, String)> = fixed
        .into_iter()
        .chain(
            channels
                .into_iter()
                .map(|(id, name)| (id, format!("On {name}"))),
        )
        .collect();
    view! {
        <label class="visually-hidden" for="inventory-place">"Listed on"</label>
        <select id="inventory-place" on:change=move |ev| on_change.run(event_target_value(&ev))>
            {options.into_iter().map(|(value, label)| {
                let v = value.clone();
                view! { <option value=value selected=move || is(&v)>{label}</option> }
            }).collect_view()}
        </select>
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
