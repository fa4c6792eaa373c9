//! Spreadsheet import: parse, map, fix and commit in the browser; re-check and write on the
//! server in idempotent batches; history with undo.

pub mod api;
#[cfg(feature = "hydrate")]
pub mod bench;
mod browser;
mod commit;
mod grid;
mod history;
mod mapping_step;
#[cfg(feature = "ssr")]
mod sales;
#[cfg(feature = "ssr")]
pub mod service;
mod state;
pub mod types;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::ErrorBanner;
use commit::{CommitStep, Progress};
use grid::FixStep;
use history::ImportHistory;
use mapping_step::MappingStep;
use state::{ImportState, Step};

/// `/app/import`
#[component]
pub fn ImportPage() -> impl IntoView {
    let state = ImportState::new();
    let progress = Progress::new();
    let history = Resource::new(|| (), |_| api::import_history());
    let on_file = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            input.set_value("");
            leptos::task::spawn_local(state.read(file));
        }
    };
    let on_commit = Callback::new(move |_| {
        state.step.set(Step::Committing);
        leptos::task::spawn_local(async move {
            commit::run(state, progress).await;
            history.refetch();
        });
    });
    let problem = Signal::derive(move || state.problem.get());
    view! {
        <Title text="Import · Flipdesk"/>
        <div class="page-header">
            <h1>"Import from a spreadsheet"</h1>
            <p class="muted">"Bring your stock over from a sheet or another tool. Nothing is saved until you import the rows you checked."</p>
        </div>
        <ErrorBanner message=problem/>
        {move || match state.step.get() {
            Step::Choose => view! {
                <section class="import-step" aria-labelledby="choose-title">
                    <h2 id="choose-title">"1. Choose a file"</h2>
                    <p class="muted">"CSV or tab-separated text up to 50 MB — Flipdesk's own export, a sneaker sheet or a card sheet. Excel: File › Save as › CSV."</p>
                    <label class="file-drop" for="import-file">
                        <span class="button button-primary">"Choose a file…"</span>
                        <span class="muted">"Read in your browser; nothing is uploaded until you import."</span>
                    </label>
                    <input id="import-file" class="visually-hidden" type="file"
                        accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain" on:change=on_file/>
                </section>
            }.into_any(),
            Step::Working(label) => view! {
                <section class="import-step" aria-busy="true">
                    <h2>{label}</h2>
                    <progress class="progress" max="100" value=move || (state.progress.get() * 100.0) as u32 aria-label=label></progress>
                    <p class="muted" role="status">{move || format!("{}%", (state.progress.get() * 100.0) as u32)}</p>
                </section>
            }.into_any(),
            Step::Map => view! { <MappingStep state/> }.into_any(),
            Step::Fix => view! { <FixStep state on_commit/> }.into_any(),
            Step::Committing => view! { <CommitStep state progress/> }.into_any(),
        }}
        <ImportHistory history/>
    }
}
