//! A checkbox per notification type: which ones go somewhere (a webhook, Discord DMs).

use leptos::prelude::*;

use crate::domain::inbox::Level;

#[component]
pub fn LevelChoices(levels: RwSignal<Vec<Level>>) -> impl IntoView {
    view! {
        <div class="check-row">
            {Level::ALL.iter().copied().map(|level| view! {
                <label class="check">
                    <input type="checkbox" prop:checked=move || levels.get().contains(&level)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            levels.update(|ls| {
                                ls.retain(|l| *l != level);
                                if on { ls.push(level) }
                            });
                        }/>
                    {format!(" {}", level.label())}
                </label>
            }).collect_view()}
        </div>
    }
}
