//! Step 4: send the ready rows in batches, two at a time. A batch that meets a network error is sent again
//! under the same number (the server writes it once); the reseller can stop between
//! batches; the import ends with its counts in the history.

use leptos::prelude::*;

use super::{api, state::ImportState, types::ImportSummary};
use crate::{
    domain::import::{BATCH_BYTES, BATCH_ROWS, IN_FLIGHT, ImportLine, Session, sale::item_ref},
    error::AppError,
    ui::format_count,
};

/// The next batch from `ready[*pos..]`, under both the row and the byte limit.
fn next_batch(session: &Session, ready: &[usize], pos: &mut usize) -> Vec<ImportLine> {
    let mut batch = Vec::new();
    let mut bytes = 0;
    while let Some(&i) = ready.get(*pos) {
        let line = session.line(i);
        // JSON of a line: its values plus quoting and field names.
        let size = 24 + line.values.iter().map(|(_, v)| v.len() + 24).sum::<usize>();
        if !batch.is_empty() && (batch.len() == BATCH_ROWS || bytes + size > BATCH_BYTES) {
            // Rows of one item (one Flipdesk id) travel in one batch, where the server joins
            // them: an item cut by the limit starts the next batch instead.
            let continues =
                |l: &ImportLine| item_ref(l).is_some() && item_ref(l) == item_ref(&line);
            let mut start = batch.len();
            while start > 0 && continues(&batch[start - 1]) {
                start -= 1;
            }
            if start > 0 && start < batch.len() {
                *pos -= batch.len() - start;
                batch.truncate(start);
            }
            break;
        }
        bytes += size;
        batch.push(line);
        *pos += 1;
    }
    batch
}

/// How many items the ready rows make: rows of one Flipdesk id are one item (`ready()` keeps
/// them together), every other row is one.
fn items_in(session: &Session, ready: &[usize]) -> usize {
    let mut last: Option<String> = None;
    let mut items = 0;
    for &i in ready {
        let id = session.item_ref(i);
        if id.is_none() || id != last {
            items += 1;
        }
        last = id;
    }
    items
}

#[derive(Clone, Copy)]
pub struct Progress {
    pub sent: RwSignal<usize>,
    pub total: RwSignal<usize>,
    pub cancel: RwSignal<bool>,
    pub result: RwSignal<Option<Result<ImportSummary, String>>>,
}

impl Progress {
    pub fn new() -> Progress {
        Progress {
            sent: RwSignal::new(0),
            total: RwSignal::new(0),
            cancel: RwSignal::new(false),
            result: RwSignal::new(None),
        }
    }
}

fn retryable(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Transport { .. } | AppError::Unavailable { .. } | AppError::Internal
    )
}

/// One batch; a network error or a server hiccup is retried under the same number.
async fn send(import_id: String, no: i64, batch: Vec<ImportLine>) -> Result<(), AppError> {
    let mut attempt = 0;
    loop {
        match api::commit_import_batch(import_id.clone(), no, batch.clone()).await {
            Err(e) if retryable(&e) && attempt < 3 => {
                attempt += 1;
                super::browser::breathe().await;
            }
            other => return other.map(|_| ()),
        }
    }
}

pub async fn run(state: ImportState, progress: Progress) {
    let Some((ready, total_rows, items)) = state.session.with_value(|s| {
        s.as_ref().map(|s| {
            let ready = s.ready();
            let items = items_in(s, &ready);
            (ready, s.counts().rows, items)
        })
    }) else {
        return;
    };
    let ready_count = ready.len();
    progress.sent.set(0);
    progress.total.set(ready_count);
    progress.cancel.set(false);
    progress.result.set(None);
    let import_id = match api::start_import(
        state.file_name.get_untracked(),
        total_rows as i64,
        Some(items as i64),
    )
    .await
    {
        Ok(id) => id,
        Err(e) => return progress.result.set(Some(Err(e.to_string()))),
    };
    let (mut sent, mut failed, mut cancelled, mut stopped_by) = (0usize, 0usize, false, None);
    let mut pos = 0;
    let mut no = 0i64;
    while pos < ready_count {
        if progress.cancel.get_untracked() {
            cancelled = true;
            break;
        }
        // Up to IN_FLIGHT batches at once: the server checks one while the database writes
        // the other. Each has its own number, so the order they land in does not matter.
        let Some(batches) = state.session.with_value(|s| {
            s.as_ref().map(|s| {
                (0..IN_FLIGHT)
                    .map(|_| next_batch(s, &ready, &mut pos))
                    .filter(|b| !b.is_empty())
                    .collect::<Vec<_>>()
            })
        }) else {
            break;
        };
        let sends: Vec<_> = batches
            .into_iter()
            .map(|batch| {
                let (number, rows) = (no, batch.len());
                no += 1;
                let id = import_id.clone();
                async move { (rows, send(id, number, batch).await) }
            })
            .collect();
        for (rows, outcome) in futures::future::join_all(sends).await {
            match outcome {
                Ok(()) => sent += rows,
                Err(e) if stopped_by.is_none() => {
                    stopped_by = Some(match e {
                        AppError::Validation { fields, message } => {
                            fields.0.into_values().next().unwrap_or(message)
                        }
                        other => other.to_string(),
                    })
                }
                Err(_) => {}
            }
        }
        progress.sent.set(sent);
        if stopped_by.is_some() {
            failed = ready_count - sent;
            break;
        }
    }
    // Rows left unfixed, duplicates left out, and what a stop kept from being sent.
    let skipped = total_rows - ready_count + (ready_count - sent - failed);
    let summary = api::finish_import(
        import_id,
        skipped as i64,
        failed as i64,
        cancelled || stopped_by.is_some(),
    )
    .await;
    progress.result.set(Some(match (summary, stopped_by) {
        (_, Some(why)) => Err(format!(
            "The import stopped: {why} {} item(s) were imported before that; you can undo them from the history.",
            format_count(sent as i64)
        )),
        (Ok(s), None) => Ok(s),
        (Err(e), None) => Err(e.to_string()),
    }));
}

#[component]
pub fn CommitStep(state: ImportState, progress: Progress) -> impl IntoView {
    let percent = move || {
        let total = progress.total.get().max(1);
        (progress.sent.get() * 100 / total) as u32
    };
    view! {
        <section class="import-step" aria-labelledby="commit-title">
            <h2 id="commit-title">"4. Importing"</h2>
            <Show when=move || progress.result.get().is_none() fallback=move || view! { <CommitResult state progress/> }>
                <progress class="progress" max="100" value=percent aria-label="Items imported"></progress>
                <p role="status">{move || format!("Imported {} of {} items…", format_count(progress.sent.get() as i64), format_count(progress.total.get() as i64))}</p>
                <button class="button" type="button" disabled=move || progress.cancel.get()
                    on:click=move |_| progress.cancel.set(true)>
                    {move || if progress.cancel.get() { "Stopping after this batch…" } else { "Stop importing" }}
                </button>
            </Show>
        </section>
    }
}

#[component]
fn CommitResult(state: ImportState, progress: Progress) -> impl IntoView {
    let result = progress.result.get_untracked();
    let body = match result {
        Some(Ok(s)) => {
            let text = format!(
                "{}: {} imported, {} left out, {} failed.",
                if s.status == "cancelled" { "Stopped" } else { "Done" },
                format_count(s.created),
                format_count(s.skipped),
                format_count(s.failed)
            );
            view! { <p class="banner banner-success" role="status" data-testid="import-result">{text}</p> }.into_any()
        }
        Some(Err(e)) => view! { <p class="banner banner-error" role="alert" data-testid="import-result">{e}</p> }.into_any(),
        None => ().into_any(),
    };
    view! {
        {body}
        <div class="form-actions">
            <a class="button button-primary" href="/app/inventory">"See your inventory"</a>
            <button class="button" type="button" on:click=move |_| state.reset()>"Import another file"</button>
        </div>
    }
}
