//! Header and footer pieces of the data table: sortable column headers and the pager.

use leptos::prelude::*;

/// A column header that sorts by `asc`, then `desc` on the next click (`aria-sort` says which).
#[component]
pub fn SortHeader<S>(
    label: &'static str,
    asc: S,
    desc: S,
    current: S,
    on_sort: Callback<S>,
    /// Hidden by the reader's column choice.
    #[prop(optional, into)]
    hidden: Option<Signal<bool>>,
) -> impl IntoView
where
    S: Copy + PartialEq + Send + Sync + 'static,
{
    let aria = if current == asc {
        "ascending"
    } else if current == desc {
        "descending"
    } else {
        "none"
    };
    let next = if current == asc { desc } else { asc };
    let arrow = if current == asc {
        " ↑"
    } else if current == desc {
        " ↓"
    } else {
        ""
    };
    view! {
        <th scope="col" aria-sort=aria class:col-hidden=move || hidden.is_some_and(|h| h.get())>
            <button type="button" class="sort-button" on:click=move |_| on_sort.run(next)>
                {label}{arrow}
            </button>
        </th>
    }
}

/// Previous / next with "Page 2 of 7 · 312 items".
#[component]
pub fn Pager(
    page: u32,
    pages_label: String,
    total_label: String,
    has_next: bool,
    on_page: Callback<u32>,
) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            <button class="button" type="button" disabled={page <= 1}
                on:click=move |_| on_page.run(page.saturating_sub(1).max(1))>"Previous"</button>
            <span aria-live="polite">{format!("Page {page} of {pages_label} · {total_label}")}</span>
            <button class="button" type="button" disabled={!has_next}
                on:click=move |_| on_page.run(page + 1)>"Next"</button>
        </nav>
    }
}
