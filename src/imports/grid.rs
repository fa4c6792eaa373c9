//! Step 3: every row in an editable grid (the shared data table, a page at a time) — invalid
//! cells marked with the reason, re-checked as you type; only rows with errors or duplicates
//! on demand; a value set on many rows at once; rows removed.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::state::ImportState;
use crate::{
    domain::import::{ColumnMapping, Counts, Duplicate, ImportField, StagedRow, Target},
    ui::{
        format_count,
        table::{Column, DataTable, PageInfo, Selection, TableRow, empty_state},
    },
};

const PER_PAGE: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    All,
    Errors,
    Duplicates,
}

/// A row on the current page: its copy of the staged row (edits go to the session and come
/// back re-checked) and a signal that redraws its cells once a value was normalised.
#[derive(Clone)]
struct GridRow {
    index: usize,
    line: u32,
    row: RwSignal<StagedRow>,
    redraw: RwSignal<u32>,
}

impl TableRow for GridRow {
    fn row_id(&self) -> String {
        self.index.to_string()
    }
    fn row_label(&self) -> String {
        format!("line {}", self.line)
    }
}

fn cell(g: &GridRow, field: ImportField, state: ImportState) -> impl IntoView + use<> {
    let GridRow {
        index,
        line,
        row,
        redraw,
    } = g.clone();
    let error = Memo::new(move |_| row.with(|r| r.errors.get(field.as_str()).map(str::to_string)));
    // Typing re-checks the row without rewriting the input; leaving the cell shows the
    // normalised value (and what it implied in other cells, e.g. the size system) and looks
    // at duplicates again.
    let write = move |text: String, settle: bool| {
        let updated = state.with_session(|s| {
            s.edit(index, field, &text);
            if settle {
                s.mark_duplicates();
            }
            s.row(index)
        });
        if let Some(updated) = updated {
            row.set(updated);
            state.touched();
        }
        if settle {
            redraw.update(|n| *n += 1);
            leptos::task::spawn_local(state.rematch(vec![index]));
        }
    };
    view! {
        <input class=format!("grid-input grid-{}", field.as_str()) class:invalid=move || error.get().is_some()
            aria-label=format!("{} on line {line}", field.label())
            aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
            prop:value=move || { redraw.track(); row.with_untracked(|r| r.item.get(field).to_string()) }
            on:input=move |ev| write(event_target_value(&ev), false)
            on:change=move |ev| write(event_target_value(&ev), true)/>
        {move || error.get().map(|e| view! { <span class="cell-error">{e}</span> })}
    }
}

/// The catalog product a row names, as matched after "Check rows" (and after each edit), with
/// a button to pick another one (or one, when nothing was confident).
fn product(g: &GridRow, state: ImportState) -> impl IntoView + use<> {
    let GridRow {
        index, line, row, ..
    } = g.clone();
    let choose = move |_| {
        let text = row.with_untracked(|r| {
            r.clone()
                .check()
                .map(|d| crate::domain::catalog::item_text(&d))
                .unwrap_or_else(|| r.item.get(ImportField::Name).to_string())
        });
        state.choosing.set(Some((index, text)));
    };
    move || {
        state.matched.track();
        let (shown, action) = match state.products.with_value(|m| m.get(&index).cloned()) {
            Some(Some(name)) => (
                view! { <span class="catalog-match">{name}</span> }.into_any(),
                "Change",
            ),
            Some(None) => (
                view! { <span class="muted">"Not in the catalog"</span> }.into_any(),
                "Choose",
            ),
            None => return view! { <span class="muted">"Matched once fixed"</span> }.into_any(),
        };
        view! {
            {shown}
            " "
            <button type="button" class="link-button" on:click=choose
                aria-label=format!("{action} the catalog product of line {line}")>{action}</button>
        }
        .into_any()
    }
}

/// Picking a row's catalog product by hand: the catalog's type-ahead, started with the row's
/// text. The pick is sent with the row and answers that text next time.
#[component]
fn ProductChoice(state: ImportState) -> impl IntoView {
    move || {
        state.choosing.get().map(|(index, text)| {
            let pick = move |s: crate::catalog::types::Suggestion| {
                state.pick(index, s.product_id, s.name);
                state.choosing.set(None);
            };
            // The search box takes the focus, so typing starts at once.
            request_animation_frame(|| {
                use leptos::wasm_bindgen::JsCast;
                if let Some(input) = document()
                    .get_element_by_id("catalog-search")
                    .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
                {
                    let _ = input.focus();
                }
            });
            view! {
                <div class="card import-choice" role="region" aria-label="Choose the catalog product"
                    on:keydown=move |ev| if ev.key() == "Escape" { state.choosing.set(None) }>
                    <p class="field-hint">{format!("Choosing the product for “{text}”.")}</p>
                    <crate::catalog::ProductPicker on_pick=pick initial=text.clone()/>
                    <button type="button" class="button button-ghost" on:click=move |_| state.choosing.set(None)>"Cancel"</button>
                </div>
            }
        })
    }
}

fn issues(g: &GridRow, state: ImportState) -> impl IntoView + use<> {
    let GridRow {
        index, line, row, ..
    } = g.clone();
    let remove = move |_| {
        state.with_session(|s| {
            s.remove(index);
            s.mark_duplicates();
        });
        state.relayout();
    };
    let keep = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        state.with_session(|s| s.set_keep(index, on));
        row.update(|r| r.keep = on);
        state.touched();
    };
    view! {
        <div class="row-issues">
            {move || row.with(|r| {
                if r.is_valid() {
                    view! { <span class="status-pill" data-status="in_stock">"Ready"</span> }.into_any()
                } else {
                    view! { <span class="status-pill" data-status="returned">{format!("{} to fix", r.errors.0.len())}</span> }.into_any()
                }
            })}
            {move || row.with(|r| r.warnings.iter().map(|w| view! { <p class="cell-warning">{w.clone()}</p> }).collect_view())}
            {move || row.with(|r| r.duplicate.clone()).map(|d| view! {
                <p class="cell-warning">{d}</p>
                <label class="check">
                    <input type="checkbox" prop:checked=move || row.with(|r| r.keep) on:change=keep/>
                    "Import anyway"
                </label>
            })}
            <button class="button button-ghost button-small" type="button"
                aria-label=format!("Remove line {line}") on:click=remove>"Remove"</button>
        </div>
    }
}

/// Fields shown as columns: the basics, what the columns feed, and what those imply (a size
/// its system, a grade its company, a condition column either kind of condition).
fn shown_fields(mapping: &ColumnMapping) -> Vec<ImportField> {
    use ImportField as F;
    let mut present = [false; F::ALL.len()];
    for f in [F::Name, F::Kind, F::PurchasePrice, F::Currency] {
        present[f as usize] = true;
    }
    for target in &mapping.0 {
        let implied: &[F] = match target {
            Target::Field(F::Size) => &[F::Size, F::SizeSystem],
            Target::Field(F::Grade) => &[F::Grade, F::GradingCompany],
            Target::Field(F::CardCondition) => &[F::CardCondition, F::SneakerCondition],
            Target::Field(f) => std::slice::from_ref(f),
            Target::Notes => &[F::Notes],
            Target::Ignore => &[],
        };
        for f in implied {
            present[*f as usize] = true;
        }
    }
    F::ALL
        .into_iter()
        .filter(|f| present[*f as usize])
        .collect()
}

#[component]
pub fn FixStep(state: ImportState, on_commit: Callback<()>) -> impl IntoView {
    let filter = RwSignal::new(Filter::All);
    let page = RwSignal::new(1u32);
    let selected: Selection = RwSignal::new(BTreeMap::new());
    let counts = Memo::new(move |_| {
        state.revision.track();
        state
            .session
            .with_value(|s| s.as_ref().map(|s| s.counts()).unwrap_or_default())
    });
    let visible = Memo::new(move |_| {
        state.layout.track();
        let f = filter.get();
        state.session.with_value(|s| {
            s.as_ref()
                .map(|s| {
                    s.states()
                        .filter(|(_, r)| match f {
                            Filter::All => true,
                            Filter::Errors => !r.is_valid(),
                            Filter::Duplicates => r.duplicate != Duplicate::No,
                        })
                        .map(|(i, _)| i)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let fields = Memo::new(move |_| {
        state.layout.track();
        state.session.with_value(|s| {
            s.as_ref()
                .map(|s| shown_fields(&s.mapping))
                .unwrap_or_default()
        })
    });
    let set_filter = move |f: Filter| {
        filter.set(f);
        page.set(1);
        selected.set(BTreeMap::new());
    };

    let table = move || {
        let indices = visible.get();
        let pages = indices.len().div_ceil(PER_PAGE).max(1) as u32;
        let current = page.get().min(pages);
        let rows: Vec<GridRow> = state.session.with_value(|s| {
            let Some(s) = s else { return Vec::new() };
            indices
                .iter()
                .skip((current as usize - 1) * PER_PAGE)
                .take(PER_PAGE)
                .map(|&index| GridRow {
                    index,
                    line: s.line_no(index),
                    row: RwSignal::new(s.row(index)),
                    redraw: RwSignal::new(0),
                })
                .collect()
        });
        let mut columns: Vec<Column<GridRow, ()>> = vec![
            Column::new("line", "Line", |g: &GridRow| {
                view! { <span class="line-no">{g.line}</span> }
            })
            .numeric(),
            // What is wrong comes first, so it is seen without scrolling sideways.
            Column::new("issues", "Status", move |g: &GridRow| issues(g, state)),
        ];
        columns.push(Column::new(
            "catalog",
            "Catalog product",
            move |g: &GridRow| product(g, state),
        ));
        for f in fields.get() {
            columns.push(Column::new(f.as_str(), f.label(), move |g: &GridRow| {
                cell(g, f, state)
            }));
        }
        let info = PageInfo::new(current, indices.len() as i64, PER_PAGE as u32, "rows");
        let empty = ViewFn::from(move || match filter.get_untracked() {
            Filter::Errors => {
                empty_state("Nothing left to fix", "Every row passes the checks.", None)
            }
            Filter::Duplicates => empty_state(
                "No possible duplicates",
                "No row repeats another or an item you have.",
                None,
            ),
            Filter::All => empty_state(
                "No rows left",
                "Every row was removed. Choose another file to start again.",
                None,
            ),
        });
        view! {
            <DataTable rows columns sort=() on_sort=Callback::new(|_| ()) page=info
                on_page=Callback::new(move |p| page.set(p)) empty selection=selected caption="Rows to import"/>
        }
    };

    view! {
        <section class="import-step" aria-labelledby="fix-title">
            <h2 id="fix-title">"3. Fix and import"</h2>
            <p class="import-counts" data-testid="import-counts" role="status">{move || {
                let Counts { rows, ready, to_fix, duplicates } = counts.get();
                format!(
                    "{} rows · {} ready · {} need fixing · {} possible duplicates (left out unless you keep them)",
                    format_count(rows as i64), format_count(ready as i64), format_count(to_fix as i64), format_count(duplicates as i64)
                )
            }}</p>
            <div class="filter-bar" role="group" aria-label="Show">
                <button class="button" type="button" aria-pressed=move || (filter.get() == Filter::All).to_string()
                    on:click=move |_| set_filter(Filter::All)>"All rows"</button>
                <button class="button" type="button" aria-pressed=move || (filter.get() == Filter::Errors).to_string()
                    on:click=move |_| set_filter(Filter::Errors)>"Only rows with errors"</button>
                <button class="button" type="button" aria-pressed=move || (filter.get() == Filter::Duplicates).to_string()
                    on:click=move |_| set_filter(Filter::Duplicates)>"Only possible duplicates"</button>
            </div>
            <BulkFix state selected fields/>
            <ProductChoice state/>
            {table}
            <div class="form-actions">
                <button class="button button-primary" type="button" disabled=move || counts.get().ready == 0
                    on:click=move |_| on_commit.run(())>
                    {move || format!("Import {} items", format_count(counts.get().ready as i64))}
                </button>
                <button class="button" type="button" on:click=move |_| state.remap()>"Change column choices"</button>
                <button class="button button-ghost" type="button" on:click=move |_| state.reset()>"Start over"</button>
            </div>
        </section>
    }
}

/// Sets one field on every selected row, or removes them.
#[component]
fn BulkFix(
    state: ImportState,
    selected: Selection,
    fields: Memo<Vec<ImportField>>,
) -> impl IntoView {
    let field = RwSignal::new(None::<ImportField>);
    let value = RwSignal::new(String::new());
    let count = move || selected.with(|s| s.len());
    let indices = move || {
        selected.with_untracked(|s| {
            s.keys()
                .filter_map(|k| k.parse::<usize>().ok())
                .collect::<Vec<_>>()
        })
    };
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(f) = field
            .get_untracked()
            .or_else(|| fields.get_untracked().first().copied())
        else {
            return;
        };
        let (indices, text) = (indices(), value.get_untracked());
        state.with_session(|s| {
            for &i in &indices {
                s.edit(i, f, &text);
            }
            s.mark_duplicates();
        });
        state.relayout();
        leptos::task::spawn_local(state.rematch(indices));
    };
    let remove = move |_| {
        let indices = indices();
        state.with_session(|s| {
            for i in indices {
                s.remove(i);
            }
            s.mark_duplicates();
        });
        selected.set(BTreeMap::new());
        state.relayout();
    };
    let select_errors = move |_| {
        let all = state.session.with_value(|s| {
            s.as_ref()
                .map(|s| {
                    s.states()
                        .filter(|(_, r)| !r.is_valid())
                        .map(|(i, _)| (i.to_string(), format!("line {}", s.line_no(i))))
                        .collect::<BTreeMap<_, _>>()
                })
                .unwrap_or_default()
        });
        selected.set(all);
    };
    view! {
        <div class="bulk-bar import-bulk" role="region" aria-label="Change many rows">
            <button class="button" type="button" on:click=select_errors>"Select every row that needs fixing"</button>
            <Show when=move || count() != 0>
                <strong>{move || format!("{} selected", format_count(count() as i64))}</strong>
                <form class="bulk-tag" on:submit=apply>
                    <label for="bulk-field">"Set"</label>
                    <select id="bulk-field" on:change=move |ev| field.set(ImportField::parse(&event_target_value(&ev)))>
                        {move || fields.get().into_iter().map(|f| view! {
                            <option value=f.as_str() selected=move || field.get() == Some(f)>{f.label()}</option>
                        }).collect_view()}
                    </select>
                    <label for="bulk-value">"to"</label>
                    <input id="bulk-value" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                    <button class="button" type="submit">"Apply to selected rows"</button>
                </form>
                <button class="button button-danger" type="button" on:click=remove>"Remove selected rows"</button>
                <button class="button button-ghost" type="button" on:click=move |_| selected.set(BTreeMap::new())>"Clear selection"</button>
            </Show>
        </div>
    }
}
