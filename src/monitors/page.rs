//! `/app/monitors`: what the reseller hunts, and the form to add a monitor.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{api, types::MonitorView};
use crate::{
    domain::{
        Currency,
        item::ItemKind,
        monitor::{MonitorInput, validate_monitor},
    },
    error::AppError,
    ui::{ErrorBanner, LoadError, TextField},
};

#[component]
pub fn MonitorsPage() -> impl IntoView {
    let create = ServerAction::<api::CreateMonitor>::new();
    let delete = ServerAction::<api::DeleteMonitor>::new();
    let monitors = Resource::new(
        move || (create.version().get(), delete.version().get()),
        |_| api::list_monitors(),
    );
    view! {
        <Title text="Monitors · Flipdesk"/>
        <div class="page-header">
            <h1>"Store monitors"</h1>
            <p class="muted">"Say what you hunt. When any Flipdesk storefront lists it, restocks it or drops its price to your top price, your inbox tells you."</p>
        </div>
        <NewMonitor create/>
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading your monitors…"</p> }>
            {move || Suspend::new(async move {
                match monitors.await {
                    Ok(page) if page.monitors.is_empty() => view! {
                        <div class="empty-state">
                            <h2>"No monitors yet"</h2>
                            <p>{format!("Add what you are looking for above: your plan has room for {}.", page.allowed)}</p>
                        </div>
                    }.into_any(),
                    Ok(page) => {
                        let used = page.monitors.len();
                        view! {
                            <p class="muted">{format!("{used} of {} monitors on your plan", page.allowed)}</p>
                            <ul class="monitor-list" aria-label="Monitors">
                                {page.monitors.into_iter().map(|m| view! { <Monitor m delete/> }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Monitor(m: MonitorView, delete: ServerAction<api::DeleteMonitor>) -> impl IntoView {
    let id = m.id.clone();
    let label = format!("Delete the monitor {}", m.keywords);
    view! {
        <li class="monitor card">
            <div>
                <p class="monitor-keywords"><strong>{m.keywords.clone()}</strong></p>
                <p class="muted">{m.filters.clone()}</p>
                {m.product.clone().map(|name| view! {
                    <p class="muted" data-testid="monitor-product">{format!("Also any listing of “{name}” from the catalog, however it is worded")}</p>
                })}
            </div>
            <button class="button button-small button-ghost" type="button" aria-label=label
                on:click=move |_| { delete.dispatch(api::DeleteMonitor { id: id.clone() }); }>"Delete"</button>
        </li>
    }
}

#[component]
fn NewMonitor(create: ServerAction<api::CreateMonitor>) -> impl IntoView {
    let keywords = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let sizes = RwSignal::new(String::new());
    let condition = RwSignal::new(String::new());
    let max_price = RwSignal::new(String::new());
    let currency = RwSignal::new("USD".to_string());
    let stores = RwSignal::new(String::new());
    let local = RwSignal::new(None::<AppError>);
    let error = Memo::new(move |_| {
        local
            .get()
            .or_else(|| create.value().get().and_then(Result::err))
    });
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_error(f)));
    let banner = Signal::derive(move || match error.get() {
        Some(AppError::Validation { .. }) | None => None,
        Some(e) => Some(e.to_string()),
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            for s in [keywords, sizes, condition, max_price, stores] {
                s.set(String::new());
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = MonitorInput {
            keywords: keywords.get_untracked(),
            kind: kind.get_untracked(),
            sizes: sizes.get_untracked(),
            condition: condition.get_untracked(),
            max_price: max_price.get_untracked(),
            currency: currency.get_untracked(),
            stores: stores.get_untracked(),
        };
        let default = Currency::parse(&input.currency).unwrap_or(Currency::Usd);
        if let Err(fields) = validate_monitor(&input, default) {
            local.set(Some(AppError::validation(fields)));
            return;
        }
        local.set(None);
        create.dispatch(api::CreateMonitor { input });
    };
    view! {
        <form class="card form monitor-form" on:submit=submit novalidate aria-labelledby="new-monitor">
            <h2 id="new-monitor">"New monitor"</h2>
            <ErrorBanner message=banner/>
            <TextField id="monitor-keywords" label="Keywords" value=keywords error=field("keywords") maxlength=200
                hint="Every word must match. \"Quoted words\" as a phrase; -word excludes (jordan 4 \"bred reimagined\" -kids)."/>
            <div class="form-row">
                <div class="field">
                    <label for="monitor-kind">"Kind"</label>
                    <select id="monitor-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                        <option value="" selected=move || kind.get().is_empty()>"Any kind"</option>
                        {ItemKind::ALL.iter().map(|k| view! {
                            <option value=k.as_str() selected=move || kind.get() == k.as_str()>{k.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <TextField id="monitor-sizes" label="Sizes (optional)" value=sizes error=field("sizes") hint="10, 10.5, 11" maxlength=120/>
                <TextField id="monitor-condition" label="Condition or grade (optional)" value=condition error=field("condition") hint="new, NM, PSA 10" maxlength=40/>
            </div>
            <div class="form-row">
                <TextField id="monitor-max" label="Top price (optional)" value=max_price error=field("max_price") kind="text" maxlength=20/>
                <div class="field">
                    <label for="monitor-currency">"Currency"</label>
                    <select id="monitor-currency" on:change=move |ev| currency.set(event_target_value(&ev))>
                        {Currency::ALL.into_iter().map(|c| view! {
                            <option value=c.code() selected=move || currency.get() == c.code()>{c.code()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <TextField id="monitor-stores" label="Only these stores (optional)" value=stores error=field("stores") hint="Store addresses, comma-separated" maxlength=400/>
            </div>
            <button class="button button-primary" type="submit" disabled=move || create.pending().get()>
                {move || if create.pending().get() { "Adding…" } else { "Add monitor" }}
            </button>
        </form>
    }
}
