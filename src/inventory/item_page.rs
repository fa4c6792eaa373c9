//! The item page: lifecycle actions (status, mark sold, add tracking), sale history, edit.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    api,
    form::ItemFields,
    general_error,
    types::{ItemView, SaleInput, ShipmentInput},
};
use crate::{
    domain::item::{ItemStatus, SaleChannel},
    error::AppError,
    ui::{ErrorBanner, platform::today, safe_title},
};

#[component]
pub(super) fn ItemDetail(
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
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
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
            {sellable.then(|| view! { <SellForm id=id.clone() version quantity=s.quantity currency=s.purchase_price.currency reload=move || reload.run(())/> })}
            {shippable.then(|| view! { <TrackingForm id=id.clone() version reload=move || reload.run(())/> })}
            <SaleHistory view=view.clone()/>
        </section>
        <crate::photos::PhotoManager item_id=id.clone() initial=view.photos.clone()/>
        <MarketPrice view=view.clone() reload=move || reload.run(())/>
        {matches!(status, ItemStatus::InStock | ItemStatus::Listed).then(|| view! {
            <crate::store::ListOnStore item_id=id.clone() held=s.quantity current=view.listing.clone() on_change=reload/>
        })}
        // Drawn once the page is hydrated: its own loading never races the item's.
        {matches!(status, ItemStatus::InStock | ItemStatus::Listed | ItemStatus::Sold).then(|| {
            let id = id.clone();
            move || mounted.get().then(|| view! {
                <crate::channels::ItemChannels item_id=id.clone() listed_in_store=status == ItemStatus::Listed/>
            })
        })}
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

/// The item's market price (what its stock value counts at), set by hand until catalog
/// prices fill it in, with the prices recorded so far.
#[component]
fn MarketPrice(view: ItemView, reload: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let s = view.summary.clone();
    let price = RwSignal::new(
        view.market_price
            .map(|m| m.to_decimal_string())
            .unwrap_or_default(),
    );
    let action = ServerAction::<crate::analytics::api::SetMarketPrice>::new();
    let errors = Memo::new(move |_| action.value().get().and_then(|r| r.err()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            reload();
        }
    });
    let error = Memo::new(move |_| errors.get().and_then(|e| e.field_error("price")));
    let other_error = Memo::new(move |_| match errors.get() {
        Some(AppError::Validation { .. }) | None => None,
        Some(e) => Some(e.to_string()),
    });
    let id = s.id.clone();
    let version = s.version;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(crate::analytics::api::SetMarketPrice {
            id: id.clone(),
            version,
            price: price.get_untracked(),
        });
    };
    let current = match view.market_price {
        Some(m) => format!("{m} per unit"),
        None => format!(
            "No market price yet: this item counts at its cost ({}) in your stock value.",
            s.purchase_price
        ),
    };
    view! {
        <section class="card" aria-labelledby="market-heading">
            <h2 id="market-heading">"Market price"</h2>
            <p data-testid="market-price">{current}</p>
            <p class="muted" data-testid="catalog-product">{match &view.catalog_product {
                Some((_, name)) => format!("Catalog product: {name}. Its market price is refreshed on a schedule."),
                None => "Not linked to a catalog product: edit the item and find it in the catalog to get market prices automatically.".to_string(),
            }}</p>
            <form class="form sub-form" on:submit=submit novalidate>
                <ErrorBanner message=Signal::derive(move || other_error.get())/>
                <div class="field" class:field-invalid=move || error.get().is_some()>
                    <label for="market-price">{format!("Market price per unit ({})", s.purchase_price.currency.code())}</label>
                    <input id="market-price" type="text" inputmode="decimal" prop:value=move || price.get()
                        on:input=move |ev| price.set(event_target_value(&ev))/>
                    <p class="field-error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </div>
                <button class="button" type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Saving…" } else { "Set market price" }}
                </button>
            </form>
            {(!view.price_history.is_empty()).then(|| view! {
                <table class="simple-table" aria-label="Market prices recorded">
                    <thead><tr><th scope="col">"Recorded"</th><th scope="col">"Price"</th><th scope="col">"Source"</th></tr></thead>
                    <tbody>
                        {view.price_history.iter().map(|p| view! {
                            <tr><td>{p.observed_at.replace('T', " ").chars().take(16).collect::<String>()}</td>
                            <td class="numeric">{p.price.to_string()}</td><td>{p.source.clone()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

#[component]
fn SellForm(
    id: String,
    version: i64,
    quantity: i64,
    currency: crate::domain::Currency,
    reload: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let sale = RwSignal::new(SaleInput {
        channel: "ebay".into(),
        sold_on: today(),
        quantity: "1".into(),
        ..Default::default()
    });
    let action = ServerAction::<api::MarkSold>::new();
    let errors = Memo::new(move |_| action.value().get().and_then(|r| r.err()));
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            reload();
        }
    });
    let field = move |name, label, lens| lens_field(sale, errors, "sale", name, label, lens);
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
                {(quantity > 1).then(|| field("quantity", "Units sold", |s| &mut s.quantity))}
                {field("sale_price", if quantity > 1 { "Price per unit" } else { "Sale price" }, |s| &mut s.sale_price)}
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
            </div>
            {(quantity > 1).then(|| view! {
                <p class="field-hint" data-testid="sale-total" aria-live="polite">{move || sale_total(&sale.get(), currency)}</p>
            })}
            <button class="button button-primary" type="submit" disabled=move || action.pending().get()>"Record sale"</button>
        </form>
    }
}

/// "3 × $100.00 = $300.00" while the form holds a unit price and a count that read.
fn sale_total(sale: &SaleInput, currency: crate::domain::Currency) -> String {
    let units = sale.quantity.trim().parse::<i64>().ok().filter(|q| *q >= 1);
    let unit = crate::domain::Money::parse(&sale.sale_price, currency).ok();
    match (units, unit) {
        (Some(q), Some(u)) => match u.amount.checked_mul(q) {
            Some(total) => format!("{q} × {u} = {}", crate::domain::Money::new(total, currency)),
            None => String::new(),
        },
        _ => "The sale price is per unit.".into(),
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
    let field = move |name, label, lens| lens_field(shipment, errors, "ship", name, label, lens);
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

/// A text (or date, for `*_on` fields) input bound to one field of a small form's state.
fn lens_field<T: Clone + Send + Sync + 'static>(
    state: RwSignal<T>,
    errors: Memo<Option<AppError>>,
    prefix: &'static str,
    name: &'static str,
    label: &'static str,
    lens: fn(&mut T) -> &mut String,
) -> impl IntoView {
    let error = Memo::new(move |_| errors.get().and_then(|e| e.field_error(name)));
    let id = format!("{prefix}-{name}");
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input id=id type=if name.ends_with("_on") { "date" } else { "text" }
                prop:value=move || lens(&mut state.get()).clone()
                on:input=move |ev| state.update(|s| *lens(s) = event_target_value(&ev))/>
            <p class="field-error" role="alert">{move || error.get().unwrap_or_default()}</p>
        </div>
    }
}
