//! The one data table every list in the dashboard is built on (stock, sales, shipments,
//! Want-To-Buy items). A table is a configuration: its columns (label, optional sort keys,
//! how a cell renders), what to say when it is empty, and whether rows can be selected.
//! The platform does the rest the same way everywhere: sortable headers with `aria-sort`,
//! hidden columns, row selection with select-page, keyboard navigation, the pager, and the
//! loading, error and empty states. Paging, sorting and filtering happen on the server.

mod cell;
mod chooser;
mod keys;
mod parts;

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use leptos::prelude::*;

pub use cell::EditableCell;
pub use chooser::ColumnChooser;
pub use keys::table_keys;
pub use parts::{Pager, SortHeader};

use crate::{error::AppError, ui::LoadError};

/// Selected rows: id → label (labels name the rows in bulk forms and confirmations).
pub type Selection = RwSignal<BTreeMap<String, String>>;

/// A row the table can select: a stable id and a label a person recognises.
pub trait TableRow {
    fn row_id(&self) -> String;
    fn row_label(&self) -> String;
}

type CellFn<R> = Arc<dyn Fn(&R) -> AnyView + Send + Sync>;

/// One column: `id` names it in the column chooser and the saved preferences.
pub struct Column<R, S> {
    id: &'static str,
    label: &'static str,
    numeric: bool,
    sort: Option<(S, S)>,
    cell: CellFn<R>,
}

impl<R, S: Copy> Column<R, S> {
    pub fn new<V: IntoView + 'static>(
        id: &'static str,
        label: &'static str,
        cell: impl Fn(&R) -> V + Send + Sync + 'static,
    ) -> Self {
        Column {
            id,
            label,
            numeric: false,
            sort: None,
            cell: Arc::new(move |row| cell(row).into_any()),
        }
    }

    /// Right-aligned, tabular figures.
    pub fn numeric(mut self) -> Self {
        self.numeric = true;
        self
    }

    /// The header sorts by `asc` first, then `desc`.
    pub fn sortable(mut self, asc: S, desc: S) -> Self {
        self.sort = Some((asc, desc));
        self
    }
}

/// Where the table is in the server's result set.
#[derive(Clone, Debug, PartialEq)]
pub struct PageInfo {
    pub page: u32,
    pub pages: u32,
    /// The total was capped by the server ("10,000+"): more pages may follow.
    pub capped: bool,
    /// "312 items", "10,000+ items".
    pub total_label: String,
}

impl PageInfo {
    pub fn new(page: u32, total: i64, per_page: u32, noun: &str) -> PageInfo {
        let pages = (total.max(0) as u64)
            .div_ceil(per_page.max(1) as u64)
            .max(1) as u32;
        PageInfo {
            page,
            pages,
            capped: false,
            total_label: super::count_of(total, noun),
        }
    }
}

/// The empty state: a heading, a sentence and what to do next.
pub type EmptyState = ViewFn;

/// The table itself. Sorting and paging go back to the page through the callbacks (which put
/// them in the URL); selection is a signal the page's bulk actions read.
#[component]
pub fn DataTable<R, S>(
    rows: Vec<R>,
    columns: Vec<Column<R, S>>,
    /// What the rows are sorted by now.
    sort: S,
    on_sort: Callback<S>,
    page: PageInfo,
    on_page: Callback<u32>,
    /// Shown instead of the table when there are no rows.
    empty: EmptyState,
    /// Rows get a checkbox and the header a "select the page" box.
    #[prop(optional)]
    selection: Option<Selection>,
    /// Column ids the reader chose to hide.
    #[prop(optional, into)]
    hidden: Option<Signal<BTreeSet<String>>>,
    /// Names the table for assistive technology ("Stock", "Sales").
    caption: &'static str,
) -> impl IntoView
where
    R: TableRow + Clone + Send + Sync + 'static,
    S: Copy + PartialEq + Send + Sync + 'static,
{
    if rows.is_empty() {
        return empty.run();
    }
    let hidden = hidden.unwrap_or_default();
    let pages_label = if page.capped {
        format!("{}+", page.pages)
    } else {
        page.pages.to_string()
    };
    let has_next = page.page < page.pages || page.capped;
    let columns: Arc<[Column<R, S>]> = columns.into();
    let rows: Arc<[R]> = rows.into();
    // Hiding a column is rare: the table is drawn again then, so cells carry no reactive
    // class of their own (a 200-row page would otherwise hold thousands of them).
    let table = move || {
        let hidden = hidden.get();
        table_body(&rows, &columns, &hidden, sort, on_sort, selection, caption)
    };
    view! {
        <div class="table-wrap">{table}</div>
        <Pager page=page.page pages_label total_label=page.total_label has_next on_page/>
    }
    .into_any()
}

fn table_body<R, S>(
    rows: &Arc<[R]>,
    columns: &Arc<[Column<R, S>]>,
    hidden: &BTreeSet<String>,
    sort: S,
    on_sort: Callback<S>,
    selection: Option<Selection>,
    caption: &'static str,
) -> impl IntoView + use<R, S>
where
    R: TableRow + Clone + Send + Sync + 'static,
    S: Copy + PartialEq + Send + Sync + 'static,
{
    let headers = columns
        .iter()
        .map(|c| {
            let is_hidden = hidden.contains(c.id);
            match c.sort {
                Some((asc, desc)) => {
                    view! { <SortHeader label=c.label asc desc current=sort on_sort hidden=Signal::stored(is_hidden)/> }
                        .into_any()
                }
                None => view! {
                    <th scope="col" class:num=c.numeric class:col-hidden=is_hidden>{c.label}</th>
                }
                .into_any(),
            }
        })
        .collect_view();
    let select_all = selection.map(|selected| {
        let ids: Vec<(String, String)> = rows.iter().map(|r| (r.row_id(), r.row_label())).collect();
        let all = {
            let ids = ids.clone();
            move || {
                !ids.is_empty() && selected.with(|s| ids.iter().all(|(id, _)| s.contains_key(id)))
            }
        };
        let toggle = {
            let all = all.clone();
            move |_| {
                let select = !all();
                selected.update(|s| {
                    for (id, label) in &ids {
                        if select {
                            s.insert(id.clone(), label.clone());
                        } else {
                            s.remove(id);
                        }
                    }
                });
            }
        };
        view! {
            <th scope="col" class="select-col">
                <input type="checkbox" aria-label="Select every row on this page"
                    prop:checked=all on:change=toggle/>
            </th>
        }
    });
    // The first rows are drawn at once, the rest a chunk per animation frame, so a 200-row
    // page never blocks the browser for long. Server rendering and hydration draw every row
    // (the HTML must match).
    let all_chunks = rows.len().div_ceil(ROWS_PER_FRAME);
    let revealed = RwSignal::new(if progressive() { 1 } else { all_chunks });
    reveal_next(revealed, all_chunks);
    let hidden = Arc::new(hidden.clone());
    let body = (0..all_chunks)
        .map(|chunk| {
            let range = chunk * ROWS_PER_FRAME..((chunk + 1) * ROWS_PER_FRAME).min(rows.len());
            let (rows, columns, hidden) = (rows.clone(), columns.clone(), hidden.clone());
            let shown = Memo::new(move |_| revealed.get() > chunk);
            move || {
                shown.get().then(|| {
                    rows[range.clone()]
                        .iter()
                        .map(|row| table_row(row, &columns, &hidden, selection))
                        .collect_view()
                })
            }
        })
        .collect_view();
    view! {
        <table class="data-table" on:keydown=table_keys>
            <caption class="visually-hidden">{caption}</caption>
            <thead><tr>{select_all}{headers}</tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
}

/// The loading and error states around a table: `load` awaits the page's resources (e.g.
/// `move || page.into_future()`) and `render` draws the loaded page. The previous page stays
/// on screen while the next one loads (a `Transition`), so paging does not flash; meanwhile it
/// is dimmed and marked busy, with a status line saying so (a search or filter is working).
pub fn table_loader<T, F, V>(
    loading: &'static str,
    load: impl Fn() -> F + Clone + Send + Sync + 'static,
    render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Send + 'static,
    F: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    let updating = RwSignal::new(false);
    view! {
        <div class="table-loader" aria-busy=move || updating.get().to_string()>
            <p class="updating-pill" role="status" hidden=move || !updating.get() data-testid="updating">{loading}</p>
            <Transition fallback=move || view! { <p class="loading" aria-live="polite">{loading}</p> } set_pending=updating>
                {move || {
                    let (load, render) = (load.clone(), render.clone());
                    Suspend::new(async move {
                        match load().await {
                            Ok(page) => render(page).into_any(),
                            Err(error) => view! { <LoadError error/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </div>
    }
}

/// The empty state every table uses: a heading, one sentence and an optional way forward.
pub fn empty_state(title: &'static str, text: &'static str, action: Option<AnyView>) -> AnyView {
    view! {
        <div class="empty-state">
            <h2>{title}</h2>
            <p>{text}</p>
            {action}
        </div>
    }
    .into_any()
}

/// Rows drawn per animation frame after the first chunk.
const ROWS_PER_FRAME: usize = 40;

/// Whether rows may appear over several frames: only in the browser after hydration.
fn progressive() -> bool {
    cfg!(feature = "hydrate")
        && !Owner::current_shared_context().is_some_and(|sc| sc.during_hydration())
}

/// Reveals one more chunk per animation frame until all are shown.
fn reveal_next(revealed: RwSignal<usize>, all: usize) {
    if cfg!(not(feature = "hydrate")) || revealed.get_untracked() >= all {
        return;
    }
    request_animation_frame(move || {
        // The table may have been replaced (next page) before this frame.
        if let Some(shown) = revealed.try_get_untracked() {
            revealed.set(shown + 1);
            reveal_next(revealed, all);
        }
    });
}

/// One row: the selection box when rows can be selected, then a cell per column.
fn table_row<R, S>(
    row: &R,
    columns: &[Column<R, S>],
    hidden: &BTreeSet<String>,
    selection: Option<Selection>,
) -> AnyView
where
    R: TableRow + Clone + Send + Sync + 'static,
    S: Copy + PartialEq + Send + Sync + 'static,
{
    let cells = columns
        .iter()
        .map(|c| {
            view! {
                <td class:num=c.numeric class:col-hidden=hidden.contains(c.id)>
                    {(c.cell)(row)}
                </td>
            }
        })
        .collect_view();
    let (id, label) = (row.row_id(), row.row_label());
    match selection {
        Some(selected) => {
            let is_selected = {
                let id = id.clone();
                Memo::new(move |_| selected.with(|s| s.contains_key(&id)))
            };
            let aria = format!("Select {label}");
            let toggle = move |_| {
                selected.update(|s| {
                    if s.remove(&id).is_none() {
                        s.insert(id.clone(), label.clone());
                    }
                })
            };
            view! {
                <tr class:row-selected=is_selected>
                    <td class="select-col">
                        <input type="checkbox" aria-label=aria prop:checked=is_selected on:change=toggle/>
                    </td>
                    {cells}
                </tr>
            }
            .into_any()
        }
        None => view! { <tr>{cells}</tr> }.into_any(),
    }
}
