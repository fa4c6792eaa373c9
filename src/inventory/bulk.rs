//! Bulk actions on the selected rows of the stock table: status, tag, sell, export, delete.

use leptos::prelude::*;

use super::api;
use crate::{domain::item::ItemStatus, error::AppError, ui::table::Selection};

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
                    let mut msg = format!(
                        "Marked {} {label}.",
                        crate::ui::count_of(done as i64, "items")
                    );
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
                        "Tagged {} “{}”.",
                        crate::ui::count_of(done as i64, "items"),
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
                    changed.run(format!(
                        "Deleted {}.",
                        crate::ui::count_of(done as i64, "items")
                    ));
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
                    <span class="confirm" role="alert">{move || format!("Delete {} for good?", crate::ui::count_of(count() as i64, "items"))}</span>
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
    let prices = RwSignal::new(std::collections::BTreeMap::<
        String,
        super::types::BulkSaleLine,
    >::new());
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
                id: id.clone(),
                ..prices.with_untracked(|p| p.get(&id).cloned().unwrap_or_default())
            })
            .collect();
        busy.set(true);
        let (c, d) = (channel.get_untracked(), sold_on.get_untracked());
        leptos::task::spawn_local(async move {
            match api::bulk_mark_sold(lines, c, d).await {
                Ok(n) => {
                    error.set(None);
                    done.run(());
                    changed.run(format!(
                        "Marked {} sold.",
                        crate::ui::count_of(n as i64, "items")
                    ));
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
            <p class="field-hint">"Prices are per unit: every unit an item holds is sold. Fees and shipping are for the whole sale."</p>
            {lines.into_iter().map(|(id, name)| {
                let input = move |field: &'static str, label: String, set: fn(&mut super::types::BulkSaleLine, String)| {
                    let input_id = format!("bulk-{field}-{id}");
                    let id = id.clone();
                    view! {
                        <div class="field">
                            <label for=input_id.clone()>{label}</label>
                            <input id=input_id inputmode="decimal" on:input=move |ev| {
                                let v = event_target_value(&ev);
                                prices.update(|p| set(p.entry(id.clone()).or_default(), v));
                            }/>
                        </div>
                    }
                };
                view! {
                    <fieldset class="bulk-sell-line">
                        <legend>{name.clone()}</legend>
                        {input("price", format!("Price per unit of {name}"), |l, v| l.sale_price = v)}
                        {input("fees", "Fees".to_string(), |l, v| l.fees = v)}
                        {input("shipping-charged", "Shipping charged".to_string(), |l, v| l.shipping_charged = v)}
                        {input("shipping-paid", "Shipping paid".to_string(), |l, v| l.shipping_paid = v)}
                    </fieldset>
                }
            }).collect_view()}
            <Show when=move || error.get().is_some()>
                <p class="field-error bulk-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <button class="button button-primary" type="submit" disabled=move || busy.get()>"Record sales"</button>
        </form>
    }
}
