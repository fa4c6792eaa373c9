//! The catalog type-ahead: a reseller types messy text and picks the product, and the form's
//! fields are filled from it. Requests wait for a pause in typing (200 ms), and an answer that
//! arrives after newer typing is dropped. A barcode scanner types the digits and Enter: Enter
//! takes the product the text names (with the size a box's barcode names) as soon as it is
//! found, instead of submitting the form.

use leptos::prelude::*;
use std::time::Duration;

use super::types::Suggestion;

#[component]
pub fn ProductPicker(
    #[prop(into)] on_pick: Callback<Suggestion>,
    /// Text to search for at once (an import row's name).
    #[prop(optional, into)]
    initial: String,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let found = RwSignal::new(Vec::<Suggestion>::new());
    let status = RwSignal::new(String::new());
    // Nothing local matched this text: offer the providers (they cost, so only on request).
    let offer_lookup = RwSignal::new(false);
    let looking_up = RwSignal::new(false);
    // Enter was pressed: take a confident answer as soon as it arrives.
    let take_answer = RwSignal::new(false);
    let choose = move |s: Suggestion| {
        let size = s
            .size
            .as_ref()
            .and_then(|(system, size)| {
                crate::domain::item::SizeSystem::parse(system)
                    .map(|sys| format!(", size {} {size}", sys.label()))
            })
            .unwrap_or_default();
        status.set(format!("Filled in from the catalog: {}{size}.", s.name));
        found.set(Vec::new());
        text.set(String::new());
        take_answer.set(false);
        on_pick.run(s);
    };
    // The confident first answer, when Enter asked for it.
    let answer_if_asked = move |list: &[Suggestion]| match list.first() {
        Some(first) if take_answer.get_untracked() && first.confidence >= 0.8 => {
            choose(first.clone());
            true
        }
        _ => false,
    };
    // try_get_value: a pick can close the picker while a search is still pending.
    let turn = StoredValue::new(0u64);
    let search = move |value: String| {
        text.set(value.clone());
        offer_lookup.set(false);
        take_answer.set(false);
        let mine = turn.get_value() + 1;
        turn.set_value(mine);
        if value.trim().chars().count() < 2 {
            found.set(Vec::new());
            status.set(String::new());
            return;
        }
        status.set("Searching the catalog…".into());
        set_timeout(
            move || {
                if turn.try_get_value() != Some(mine) {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let answer = super::api::suggest_products(value).await;
                    if turn.try_get_value() != Some(mine) {
                        return;
                    }
                    match answer {
                        Ok(list) => {
                            if answer_if_asked(&list) {
                                return;
                            }
                            status.set(if list.is_empty() {
                                "Nothing in your catalog matches yet: look it up online, or fill in the fields below."
                                    .into()
                            } else {
                                String::new()
                            });
                            offer_lookup.set(list.is_empty());
                            found.set(list);
                        }
                        Err(e) => status.set(e.to_string()),
                    }
                });
            },
            Duration::from_millis(200),
        );
    };
    let look_up = move |_| {
        let value = text.get_untracked();
        let mine = turn.get_value() + 1;
        turn.set_value(mine);
        looking_up.set(true);
        status.set("Looking it up online…".into());
        leptos::task::spawn_local(async move {
            let answer = super::api::lookup_product(value).await;
            looking_up.set(false);
            if turn.try_get_value() != Some(mine) {
                return;
            }
            offer_lookup.set(false);
            match answer {
                Ok(list) => {
                    status.set(if list.is_empty() {
                        "No catalog knows this product yet: fill in the fields below.".into()
                    } else {
                        "Found online: pick the product.".into()
                    });
                    found.set(list);
                }
                Err(e) => status.set(e.to_string()),
            }
        });
    };
    if !initial.is_empty() {
        search(initial);
    }
    view! {
        <div class="field product-picker">
            <label for="catalog-search">"Find it in the catalog"</label>
            <input id="catalog-search" type="search" autocomplete="off"
                placeholder="jordan 1 chicago lost and found, CW2288-111, charizard 4/102, or scan a box…"
                prop:value=move || text.get()
                on:input=move |ev| search(event_target_value(&ev))
                on:keydown=move |ev| {
                    if ev.key() == "Enter" {
                        ev.prevent_default();
                        take_answer.set(true);
                        answer_if_asked(&found.get_untracked());
                    }
                }
                aria-controls="catalog-results" aria-describedby="catalog-status"/>
            <p class="field-hint" id="catalog-status" aria-live="polite">{move || status.get()}</p>
            <Show when=move || offer_lookup.get()>
                <button type="button" class="button button-ghost button-small picker-lookup"
                    on:click=look_up disabled=move || looking_up.get()>
                    {move || if looking_up.get() { "Looking it up…" } else { "Look it up online" }}
                </button>
            </Show>
            <ul id="catalog-results" class="picker-results" aria-label="Catalog products">
                <For each=move || found.get() key=|s| s.product_id.clone() let:s>
                    {
                        let details = s.details();
                        let image = s.image_url.clone();
                        let name = s.name.clone();
                        view! {
                            <li>
                                <button type="button" class="picker-option"
                                    on:click=move |_| choose(s.clone())>
                                    {image.map(|src| view! { <img src=src alt="" width="40" height="40" loading="lazy"/> })}
                                    <span class="picker-name">{name}</span>
                                    <span class="picker-details">{details}</span>
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
        </div>
    }
}
