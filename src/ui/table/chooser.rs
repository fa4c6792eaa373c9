//! The “Columns” menu of a data table.

use leptos::prelude::*;

/// “Columns” menu: which columns show. The page decides where the choice is kept.
#[component]
pub fn ColumnChooser(
    /// Every column that can be hidden: (id, label).
    columns: &'static [(&'static str, &'static str)],
    hidden: Signal<std::collections::BTreeSet<String>>,
    on_change: Callback<std::collections::BTreeSet<String>>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let root = NodeRef::<leptos::html::Div>::new();
    // A press anywhere outside the menu closes it, as menus do (in the browser only).
    Effect::new(move |_| {
        let outside = window_event_listener(leptos::ev::pointerdown, move |ev| {
            use leptos::wasm_bindgen::JsCast;
            let inside = root
                .get_untracked()
                .zip(ev.target())
                .is_some_and(|(menu, target)| {
                    target
                        .dyn_ref::<leptos::web_sys::Node>()
                        .is_some_and(|node| menu.contains(Some(node)))
                });
            if !inside && open.get_untracked() {
                open.set(false);
            }
        });
        on_cleanup(move || outside.remove());
    });
    view! {
        <div class="column-chooser" node_ref=root
            on:keydown=move |ev| if ev.key() == "Escape" { open.set(false); }>
            <button class="button" type="button" aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls="column-chooser-panel" on:click=move |_| open.update(|o| *o = !*o)>"Columns"</button>
            <Show when=move || open.get()>
                <fieldset class="column-chooser-panel" id="column-chooser-panel">
                    <legend>"Show columns"</legend>
                    {columns.iter().map(|(id, label)| {
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
