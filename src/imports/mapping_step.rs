//! Step 2: which column feeds which item field, and the choices for the whole file.

use leptos::prelude::*;

use super::state::ImportState;
use crate::domain::{
    Currency,
    import::{DateOrder, ImportField, Target},
    item::ItemKind,
};

fn parse_target(v: &str) -> Target {
    match v {
        "notes" => Target::Notes,
        other => ImportField::parse(other)
            .map(Target::Field)
            .unwrap_or(Target::Ignore),
    }
}

#[component]
pub fn MappingStep(state: ImportState) -> impl IntoView {
    let (headers, samples): (Vec<String>, Vec<String>) = state.sheet.with_value(|sheet| {
        let Some(sheet) = sheet else {
            return Default::default();
        };
        let samples = (0..sheet.width())
            .map(|col| {
                (0..sheet.len())
                    .map(|r| sheet.cell(r, col).trim())
                    .filter(|c| !c.is_empty())
                    .take(3)
                    .map(|c| c.chars().take(40).collect::<String>())
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
            .collect();
        (sheet.headers.clone(), samples)
    });
    let names: Vec<String> = headers
        .iter()
        .enumerate()
        .map(|(col, h)| {
            if h.is_empty() {
                format!("Column {}", col + 1)
            } else {
                h.clone()
            }
        })
        .collect();
    // Nothing is dropped without a word: the columns that feed nothing are named.
    let ignored = move || {
        let left: Vec<String> = state.mapping.with(|m| {
            m.0.iter()
                .zip(&names)
                .filter(|(t, _)| **t == Target::Ignore)
                .map(|(_, name)| name.clone())
                .collect()
        });
        match left.len() {
            0 => None,
            1 => Some(format!(
                "1 column will be ignored: {}. Choose where it goes, or \"Add to notes\" to keep it.",
                left[0]
            )),
            n => Some(format!(
                "{n} columns will be ignored: {}. Choose where they go, or \"Add to notes\" to keep them.",
                left.join(", ")
            )),
        }
    };
    let columns = headers
        .iter()
        .enumerate()
        .map(|(col, header)| {
            let id = format!("map-col-{col}");
            let header = if header.is_empty() { format!("Column {}", col + 1) } else { header.clone() };
            let sample = samples[col].clone();
            let current = move || state.mapping.with(|m| m.0.get(col).copied().unwrap_or(Target::Ignore));
            // A field already fed by another column is marked, so a choice is never silently
            // taken twice.
            let on_change = move |ev: leptos::ev::Event| {
                let target = parse_target(&event_target_value(&ev));
                state.mapping.update(|m| {
                    if let Target::Field(_) = target {
                        for other in m.0.iter_mut() {
                            if *other == target {
                                *other = Target::Ignore;
                            }
                        }
                    }
                    if let Some(slot) = m.0.get_mut(col) {
                        *slot = target;
                    }
                });
            };
            view! {
                <tr>
                    <th scope="row"><label for=id.clone()>{header}</label></th>
                    <td class="map-sample">{sample}</td>
                    <td>
                        <select id=id on:change=on_change>
                            <option value="ignore" selected=move || current() == Target::Ignore>"Ignore"</option>
                            <option value="notes" selected=move || current() == Target::Notes>"Add to notes"</option>
                            {ImportField::ALL.iter().map(|f| {
                                let f = *f;
                                view! { <option value=f.as_str() selected=move || current() == Target::Field(f)>{f.label()}</option> }
                            }).collect_view()}
                        </select>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let set_currency = move |ev: leptos::ev::Event| {
        if let Ok(c) = Currency::parse(&event_target_value(&ev)) {
            state.options.update(|o| o.currency = c);
        }
    };
    let set_kind = move |ev: leptos::ev::Event| {
        let kind = ItemKind::parse(&event_target_value(&ev));
        state.options.update(|o| o.kind = kind);
    };
    let set_order = move |ev: leptos::ev::Event| {
        let order = match event_target_value(&ev).as_str() {
            "day_first" => DateOrder::DayFirst,
            "month_first" => DateOrder::MonthFirst,
            _ => DateOrder::Auto,
        };
        state.options.update(|o| o.date_order = order);
    };
    let opts = move || state.options.get();
    view! {
        <section class="import-step" aria-labelledby="map-title">
            <h2 id="map-title">"2. Match the columns"</h2>
            <p class="muted">{move || format!("{} · {}", state.file_name.get(), state.file_info.get())}</p>
            <Show when=move || state.saved_note.get().is_some()>
                <p class="notice" role="status">{move || state.saved_note.get().unwrap_or_default()}</p>
            </Show>
            <div class="import-options">
                <div class="field">
                    <label for="import-currency">"Currency when a price has no symbol"</label>
                    <select id="import-currency" on:change=set_currency>
                        {Currency::ALL.iter().map(|c| {
                            let c = *c;
                            view! { <option value=c.code() selected=move || opts().currency == c>{c.code()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="import-kind">"Kind of items (when there is no kind column)"</label>
                    <select id="import-kind" on:change=set_kind>
                        <option value="" selected=move || opts().kind.is_none()>"Tell from the columns"</option>
                        {ItemKind::ALL.iter().map(|k| {
                            let k = *k;
                            view! { <option value=k.as_str() selected=move || opts().kind == Some(k)>{k.label()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="import-date-order">"Dates like 03/04/2026 are"</label>
                    <select id="import-date-order" on:change=set_order>
                        <option value="auto" selected=move || opts().date_order == DateOrder::Auto>"Decided by the file (ask when unclear)"</option>
                        <option value="day_first" selected=move || opts().date_order == DateOrder::DayFirst>"Day first (3 April)"</option>
                        <option value="month_first" selected=move || opts().date_order == DateOrder::MonthFirst>"Month first (March 4)"</option>
                    </select>
                </div>
            </div>
            {move || ignored().map(|text| view! { <p class="notice" role="status" data-testid="ignored-columns">{text}</p> })}
            <div class="table-wrap">
                <table class="data-table map-table">
                    <caption class="visually-hidden">"Columns of the file"</caption>
                    <thead><tr><th scope="col">"Column in your file"</th><th scope="col">"First values"</th><th scope="col">"Goes to"</th></tr></thead>
                    <tbody>{columns}</tbody>
                </table>
            </div>
            <label class="check">
                <input type="checkbox" prop:checked=move || state.remember.get()
                    on:change=move |ev| state.remember.set(event_target_checked(&ev))/>
                "Remember these choices for files with the same columns"
            </label>
            <div class="form-actions">
                <button class="button button-primary" type="button"
                    on:click=move |_| leptos::task::spawn_local(state.check())>"Check rows"</button>
                <button class="button button-ghost" type="button" on:click=move |_| state.reset()>"Choose another file"</button>
            </div>
        </section>
    }
}
