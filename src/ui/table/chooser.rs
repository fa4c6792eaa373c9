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
    view! {
        <div class="column-chooser">
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
