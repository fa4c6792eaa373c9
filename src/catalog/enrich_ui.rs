//! The stock table's "Enrich all": its button, and the run's progress while it links the
//! reseller's items to catalog products (a background job; the page looks every second).

use leptos::prelude::*;

use super::{api, types::EnrichRun};

/// The run as this page knows it; shared by the button and the progress line.
#[derive(Clone, Copy)]
pub struct EnrichState {
    run: RwSignal<Option<EnrichRun>>,
    error: RwSignal<Option<String>>,
    /// A run was seen going on this page: its end is worth telling.
    watched: RwSignal<bool>,
    starting: RwSignal<bool>,
}

impl EnrichState {
    /// `finished` runs once when a run this page watched ends (the table reloads: linked
    /// items have a new version).
    pub fn new(finished: Callback<()>) -> Self {
        let s = EnrichState {
            run: RwSignal::new(None),
            error: RwSignal::new(None),
            watched: RwSignal::new(false),
            starting: RwSignal::new(false),
        };
        // In the browser only: is a run going? Then again every second while it is.
        Effect::new(move |_| s.refresh());
        Effect::new(move |_| {
            let running = s.run.with(|r| r.as_ref().is_some_and(EnrichRun::running));
            if running {
                s.watched.set(true);
                set_timeout(move || s.refresh(), std::time::Duration::from_secs(1));
            } else if s.watched.get_untracked() && s.run.with(Option::is_some) {
                finished.run(());
            }
        });
        s
    }

    fn refresh(self) {
        leptos::task::spawn_local(async move {
            match api::enrich_status().await {
                Ok(run) => self.run.set(run),
                Err(e) => self.error.set(Some(e.to_string())),
            }
        });
    }

    fn start(self) {
        self.starting.set(true);
        self.error.set(None);
        leptos::task::spawn_local(async move {
            match api::start_enrich().await {
                Ok(run) => {
                    self.watched.set(true);
                    self.run.set(Some(run));
                }
                Err(e) => self.error.set(Some(e.to_string())),
            }
            self.starting.set(false);
        });
    }

    fn busy(self) -> bool {
        self.starting.get()
            || self
                .run
                .with(|r| r.as_ref().is_some_and(EnrichRun::running))
    }
}

#[component]
pub fn EnrichButton(state: EnrichState) -> impl IntoView {
    view! {
        <button class="button" type="button" disabled=move || state.busy()
            title="Link every item that names no catalog product to the one its name, style id or set number names"
            on:click=move |_| state.start()>
            {move || if state.busy() { "Enriching…" } else { "Enrich all" }}
        </button>
    }
}

#[component]
pub fn EnrichProgress(state: EnrichState) -> impl IntoView {
    move || {
        if let Some(why) = state.error.get() {
            return Some(
                view! { <p class="banner banner-error" role="alert">{format!("Enrich all: {why}")}</p> }
                    .into_any(),
            );
        }
        let run = state.run.get()?;
        if run.running() {
            let total = run.texts_total.max(1);
            return Some(view! {
                <div class="banner banner-info enrich-progress" role="status" aria-live="polite">
                    <p>{format!(
                        "Linking your items to catalog products… {} of {} names checked · {} item(s) linked",
                        run.texts_done, run.texts_total, run.linked
                    )}</p>
                    <progress class="progress" max=total value=run.texts_done aria-label="Names checked"></progress>
                </div>
            }.into_any());
        }
        if !state.watched.get() {
            return None;
        }
        let unlinked = run.items_total - run.linked;
        Some(match run.status.as_str() {
            "done" if run.items_total == 0 => view! {
                <p class="banner banner-success" role="status">"Every item already names its catalog product."</p>
            }.into_any(),
            "done" => view! {
                <p class="banner banner-success" role="status">{format!(
                    "{} of {} item(s) linked to catalog products{}.{}",
                    run.linked,
                    run.items_total,
                    if run.calls > 0 { format!(" ({} online catalog lookup(s))", run.calls) } else { String::new() },
                    if unlinked > 0 {
                        format!(" {unlinked} found no confident match: open them and pick the product.")
                    } else {
                        String::new()
                    }
                )}</p>
            }.into_any(),
            _ => view! {
                <p class="banner banner-error" role="alert">{format!(
                    "Enrich all stopped: {}. Items linked so far stay linked; run it again to go on.",
                    run.error.unwrap_or_else(|| "an unknown problem".into())
                )}</p>
            }.into_any(),
        })
    }
}
