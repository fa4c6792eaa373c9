//! The import history: each import with its counts, and undo while its items are untouched.

use leptos::prelude::*;

use super::{api, types::ImportSummary};
use crate::{
    error::AppError,
    ui::{
        format_count,
        table::{Column, DataTable, PageInfo, TableRow, empty_state, table_loader},
    },
};

impl TableRow for ImportSummary {
    fn row_id(&self) -> String {
        self.id.clone()
    }
    fn row_label(&self) -> String {
        self.file_name.clone()
    }
}

fn undo_cell(
    s: &ImportSummary,
    notice: RwSignal<Option<String>>,
    changed: Callback<()>,
) -> AnyView {
    if !s.can_undo() {
        return ().into_any();
    }
    let (id, name, created) = (s.id.clone(), s.file_name.clone(), s.created);
    let confirming = RwSignal::new(false);
    let undo = move |_| {
        let id = id.clone();
        leptos::task::spawn_local(async move {
            match api::undo_import(id).await {
                Ok(n) => notice.set(Some(format!(
                    "Undone: {} item(s) removed.",
                    format_count(n as i64)
                ))),
                Err(AppError::Conflict { message, .. }) => notice.set(Some(message)),
                Err(e) => notice.set(Some(e.to_string())),
            }
            changed.run(());
        });
    };
    view! {
        <Show when=move || confirming.get() fallback=move || view! {
            <button class="button button-small" type="button" on:click=move |_| confirming.set(true)>"Undo…"</button>
        }>
            <span class="confirm">{format!("Remove the {} item(s) of {name}?", format_count(created))}</span>
            <button class="button button-danger button-small" type="button" on:click=undo.clone()>"Yes, undo"</button>
            <button class="button button-ghost button-small" type="button" on:click=move |_| confirming.set(false)>"Keep"</button>
        </Show>
    }
    .into_any()
}

#[component]
pub fn ImportHistory(history: Resource<Result<Vec<ImportSummary>, AppError>>) -> impl IntoView {
    let notice = RwSignal::new(None::<String>);
    let changed = Callback::new(move |_| history.refetch());
    let columns = move || -> Vec<Column<ImportSummary, ()>> {
        vec![
            Column::new("file", "File", |s: &ImportSummary| s.file_name.clone()),
            Column::new("date", "Started", |s: &ImportSummary| {
                s.created_at.get(..16).unwrap_or_default().replace('T', " ")
            }),
            Column::new("status", "Status", |s: &ImportSummary| s.status_label()),
            Column::new("created", "Imported", |s: &ImportSummary| {
                format_count(s.created)
            })
            .numeric(),
            Column::new("skipped", "Left out", |s: &ImportSummary| {
                format_count(s.skipped)
            })
            .numeric(),
            Column::new("failed", "Failed", |s: &ImportSummary| {
                format_count(s.failed)
            })
            .numeric(),
            Column::new("undo", "", move |s: &ImportSummary| {
                undo_cell(s, notice, changed)
            }),
        ]
    };
    view! {
        <section class="import-history" aria-labelledby="history-title">
            <h2 id="history-title">"Import history"</h2>
            <p class="notice" role="status" aria-live="polite">{move || notice.get().unwrap_or_default()}</p>
            {table_loader("Loading imports…", move || history.into_future(), move |rows: Vec<ImportSummary>| {
                let info = PageInfo::new(1, rows.len() as i64, 100, "imports");
                let empty = ViewFn::from(|| empty_state("No imports yet", "Files you import show up here, and can be undone while their items are untouched.", None));
                view! {
                    <DataTable rows columns=columns() sort=() on_sort=Callback::new(|_| ()) page=info
                        on_page=Callback::new(|_| ()) empty caption="Imports"/>
                }
            })}
        </section>
    }
}
