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
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let start = move |_| {
        draft.set(
            edit_value
                .map(|v| v.get_untracked())
                .unwrap_or_else(|| display.get_untracked()),
        );
        editing.set(true);
    };
    Effect::new(move |_| {
        if editing.get()
            && let Some(input) = input_ref.get()
        {
            let _ = input.focus();
            input.select();
        }
    });
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
    view! {
        <span class="editable" data-field=field>
            <Show when=move || editing.get() fallback={
                let href = href.clone();
                move || match href.clone() {
                    Some(h) => view! { <a class="row-link" href=h>{move || display.get()}</a> }.into_any(),
                    None => view! { <span>{move || display.get()}</span> }.into_any(),
                }
            }>
                <input class="cell-input" node_ref=input_ref aria-label=format!("New {}", field.replace('_', " "))
                    prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))
                    on:keydown=on_key on:blur=move |_| commit()/>
            </Show>
            <Show when=move || !editing.get()>
                <button type="button" class="cell-edit" aria-label=format!("Edit {}", field.replace('_', " ")) on:click=start>"✎"</button>
            </Show>
        </span>
    }
}
