//! A cell edited in place: the table shows the value, ✎ turns it into an input.

use leptos::prelude::*;

/// A cell that shows a value and turns into an input on “Edit” (Enter saves, Escape cancels).
#[component]
pub fn EditableCell(
    display: Signal<String>,
    #[prop(optional, into)] edit_value: Option<Signal<String>>,
    #[prop(optional, into)] href: Option<String>,
    field: &'static str,
    on_commit: Callback<String>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let start = move |_| {
        draft.set(
            edit_value
                .map(|v| v.get_untracked())
                .unwrap_or_else(|| display.get_untracked()),
        );
        editing.set(true);
    };
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
    let label = field.replace('_', " ");
    // One branch per state (not two <Show>s and an effect per cell): a 200-row table has
    // hundreds of these, and only the one being edited needs more than static nodes.
    let body = move || {
        if editing.get() {
            let input_ref = NodeRef::<leptos::html::Input>::new();
            input_ref.on_load(|input| {
                let _ = input.focus();
                input.select();
            });
            view! {
                <input class="cell-input" node_ref=input_ref aria-label=format!("New {label}")
                    prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))
                    on:keydown=on_key on:blur=move |_| commit()/>
            }
            .into_any()
        } else {
            let value = match href.clone() {
                Some(h) => {
                    view! { <a class="row-link" href=h>{move || display.get()}</a> }.into_any()
                }
                None => view! { <span>{move || display.get()}</span> }.into_any(),
            };
            view! {
                {value}
                <button type="button" class="cell-edit" aria-label=format!("Edit {label}") on:click=start>"✎"</button>
            }
            .into_any()
        }
    };
    view! { <span class="editable" data-field=field>{body}</span> }
}
