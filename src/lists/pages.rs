//! The reseller's Want-To-Buy lists in the dashboard: `/app/lists` (create, order, open) and
//! `/app/lists/{id}` (wanted items, the bot API key, settings, delete). The item form and
//! the key panel live in `wanted_form.rs` and `key_panel.rs`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::{
    api,
    types::{WantedMarket, WtbListDetail, WtbListSummary, key_hint},
};
use crate::{
    domain::{
        FieldErrors,
        wtb::{WtbItem, WtbListInput, validate_wtb_list},
    },
    error::AppError,
    ui::{
        ErrorBanner, LoadError, TextArea, TextField, safe_title,
        table::{Column, DataTable, PageInfo, TableRow, empty_state},
    },
};

/// The field errors of an action's latest error, and a banner for any other error.
pub(super) fn errors_of(
    error: Signal<Option<AppError>>,
) -> (
    impl Fn(&'static str) -> Signal<Option<String>> + Copy,
    Signal<Option<String>>,
) {
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_error(f)));
    let banner = Signal::derive(move || {
        error.get().and_then(|e| match e {
            AppError::Validation { .. } => None,
            other => Some(other.to_string()),
        })
    });
    (field, banner)
}

/// Runs the shared validator in the browser first: its field errors show at once and
/// nothing is sent (the server checks again).
pub(super) fn passes<T>(
    local: RwSignal<Option<AppError>>,
    checked: Result<T, FieldErrors>,
) -> bool {
    match checked {
        Ok(_) => {
            local.set(None);
            true
        }
        Err(fields) => {
            local.set(Some(AppError::validation(fields)));
            false
        }
    }
}

#[component]
pub fn ListsPage() -> impl IntoView {
    let lists = Resource::new(|| (), |_| api::my_lists());
    let reorder = ServerAction::<api::MoveList>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = reorder.value().get() {
            lists.refetch();
        }
    });
    view! {
        <Title text="Want-To-Buy lists · Flipdesk"/>
        <div class="page-header">
            <h1>"Want-To-Buy lists"</h1>
            <p class="muted">"Publish what you are hunting for. Share the public page, or let a Discord bot keep a list up to date with its API key."</p>
        </div>
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading your lists…"</p> }>
            {move || Suspend::new(async move {
                match lists.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <div class="empty-state">
                            <h2>"No lists yet"</h2>
                            <p>"Create your first list below: a size run you are chasing, the slabs you collect, the sealed boxes you buy."</p>
                        </div>
                    }.into_any(),
                    Ok(rows) => {
                        let last = rows.len().saturating_sub(1);
                        view! {
                            <ul class="list-cards" aria-label="Your lists">
                                {rows.into_iter().enumerate().map(|(at, list)| view! {
                                    <ListCard list at last reorder/>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
        <NewListForm/>
    }
}

#[component]
fn ListCard(
    list: WtbListSummary,
    at: usize,
    last: usize,
    reorder: ServerAction<api::MoveList>,
) -> impl IntoView {
    let (up_id, down_id) = (list.id.clone(), list.id.clone());
    view! {
        <li class="card list-card">
            <div class="list-card-main">
                <h2><a href=format!("/app/lists/{}", list.id)>{list.name.clone()}</a></h2>
                <p class="muted">
                    {format!("{} wanted item{}", list.item_count, if list.item_count == 1 { "" } else { "s" })}
                    " · "
                    {if list.is_public {
                        view! { <a href=format!("/lists/{}", list.slug)>{format!("/lists/{}", list.slug)}</a> }.into_any()
                    } else {
                        view! { <span>"Private"</span> }.into_any()
                    }}
                </p>
                <p class="muted">{match &list.key_prefix {
                    Some(p) => format!("API key {}", key_hint(p)),
                    None => "No API key yet".to_string(),
                }}</p>
            </div>
            <div class="list-card-actions">
                <span class="status-pill" data-status=if list.is_public { "listed" } else { "purchased" }>
                    {if list.is_public { "Public" } else { "Private" }}
                </span>
                <button class="button button-small" type="button" aria-label=format!("Move {} up", list.name)
                    disabled=at == 0
                    on:click=move |_| { reorder.dispatch(api::MoveList { list_id: up_id.clone(), step: -1 }); }>"↑"</button>
                <button class="button button-small" type="button" aria-label=format!("Move {} down", list.name)
                    disabled=at == last
                    on:click=move |_| { reorder.dispatch(api::MoveList { list_id: down_id.clone(), step: 1 }); }>"↓"</button>
                <a class="button button-small" href=format!("/app/lists/{}", list.id)>"Open"</a>
            </div>
        </li>
    }
}

#[component]
pub fn ListPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let detail = Resource::new(move || id.get(), api::list_detail);
    let reload = Callback::new(move |_: ()| detail.refetch());
    view! {
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading list…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <ListEditor detail reload/> }.into_any(),
                    Err(AppError::NotFound) => view! {
                        <div class="empty-state">
                            <h1>"List not found"</h1>
                            <p>"It may have been deleted."</p>
                            <a class="button" href="/app/lists">"Back to your lists"</a>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

impl TableRow for WtbItem {
    fn row_id(&self) -> String {
        self.id.clone()
    }
    fn row_label(&self) -> String {
        self.name.clone()
    }
}

#[component]
fn ListEditor(detail: WtbListDetail, reload: Callback<()>) -> impl IntoView {
    let WtbListDetail {
        list,
        items,
        currency,
        market,
    } = detail;
    let market: std::collections::HashMap<String, WantedMarket> = market.into_iter().collect();
    let editing = RwSignal::new(None::<WtbItem>);
    let remove = ServerAction::<api::DeleteItem>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            reload.run(());
        }
    });
    let remove_error = Signal::derive(move || {
        remove
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    });
    let list_id = list.id.clone();
    let columns = {
        let list_id = list_id.clone();
        vec![
            Column::new("name", "Item", |i: &WtbItem| {
                view! {
                    <span>{i.name.clone()}</span>
                    {i.style_id.clone().map(|s| view! { <span class="row-sub"><code>{s}</code></span> })}
                }
            }),
            Column::new("variant", "Size / condition / grade", |i: &WtbItem| {
                i.variant_label()
            }),
            Column::new("quantity", "Wanted", |i: &WtbItem| i.quantity.to_string()).numeric(),
            Column::new("max_price", "Pays up to", |i: &WtbItem| {
                i.max_price
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "Any price".into())
            })
            .numeric(),
            Column::new("market", "Market now", move |i: &WtbItem| {
                match market.get(&i.id) {
                Some(m) => view! {
                    <span title=format!("Latest {} price", m.source)>{m.price.to_string()}</span>
                    <span class="row-sub">{match (&m.size, &i.size) {
                        (Some(size), _) => format!("size {size} · {}", m.source),
                        (None, Some(_)) => format!("all sizes · {}", m.source),
                        (None, None) => m.source.clone(),
                    }}</span>
                }
                .into_any(),
                None => view! { <span class="muted">"—"</span> }.into_any(),
            }
            })
            .numeric(),
            Column::new("notes", "Notes", |i: &WtbItem| i.notes.clone()),
            Column::new("actions", "Actions", move |i: &WtbItem| {
                let (item, id, list_id) = (i.clone(), i.id.clone(), list_id.clone());
                view! {
                    <div class="item-actions">
                        <button class="button button-small" type="button" aria-label=format!("Edit {}", i.name)
                            on:click=move |_| editing.set(Some(item.clone()))>"Edit"</button>
                        <button class="button button-small button-danger" type="button" aria-label=format!("Remove {}", i.name)
                            on:click=move |_| { remove.dispatch(api::DeleteItem { list_id: list_id.clone(), item_id: id.clone() }); }>"Remove"</button>
                    </div>
                }
            }),
        ]
    };
    let empty = ViewFn::from(|| {
        empty_state(
            "Nothing wanted yet",
            "Add the first item below, or let your bot add items with the list's API key.",
            None,
        )
    });
    let count = items.len() as i64;
    let info = PageInfo::new(1, count, count.max(1) as u32, "wanted items");
    view! {
        <Title text=safe_title(&format!("{} · Want-To-Buy · Flipdesk", list.name))/>
        <div class="page-header page-header-row">
            <div>
                <p class="eyebrow"><a href="/app/lists">"Want-To-Buy lists"</a></p>
                <h1>{list.name.clone()}</h1>
                <p class="muted">
                    {if list.is_public {
                        view! { "Public at " <a href=format!("/lists/{}", list.slug)>{format!("/lists/{}", list.slug)}</a> }.into_any()
                    } else {
                        view! { "Private: only you (and your bot) can see it." }.into_any()
                    }}
                </p>
            </div>
        </div>
        <section class="form-section" aria-labelledby="wanted-title">
            <h2 id="wanted-title">"Wanted items"</h2>
            <ErrorBanner message=remove_error/>
            <div class="table-wrap">
                <DataTable rows=items columns sort=() on_sort=Callback::new(|_| ()) page=info on_page=Callback::new(|_| ())
                    empty caption="Wanted items"/>
            </div>
            <super::wanted_form::WantedItemForm list_id=list.id.clone() currency editing reload/>
        </section>
        <super::key_panel::KeyPanel list=list.clone()/>
        <ListSettings list=list.clone() reload/>
        <DeleteList list/>
    }
}

/// A list's name, address, description and visibility: the "New list" form and the list's
/// settings. The shared validator runs first in the browser.
#[component]
fn ListForm(
    id: &'static str,
    title: &'static str,
    initial: WtbListInput,
    button: &'static str,
    busy: &'static str,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] server_error: Signal<Option<AppError>>,
    on_submit: Callback<WtbListInput>,
) -> impl IntoView {
    let name = RwSignal::new(initial.name);
    let slug = RwSignal::new(initial.slug);
    let description = RwSignal::new(initial.description);
    let is_public = RwSignal::new(initial.is_public);
    let local = RwSignal::new(None::<AppError>);
    let (field, banner) = errors_of(Signal::derive(move || {
        local.get().or_else(|| server_error.get())
    }));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = WtbListInput {
            name: name.get_untracked(),
            slug: slug.get_untracked(),
            description: description.get_untracked(),
            is_public: is_public.get_untracked(),
        };
        if passes(local, validate_wtb_list(&input)) {
            on_submit.run(input);
        }
    };
    view! {
        <section class="card sub-form" aria-labelledby=format!("{id}-title")>
            <h2 id=format!("{id}-title")>{title}</h2>
            <form class="form" on:submit=submit>
                <ErrorBanner message=banner/>
                <TextField id=format!("{id}-name") label="Name" value=name error=field("name") maxlength=80/>
                <TextField id=format!("{id}-slug") label="Public address" value=slug error=field("slug")
                    hint="/lists/… — leave empty to make one from the name." maxlength=60/>
                <TextArea id=if id == "new-list" { "new-list-description" } else { "list-description" }
                    label="Description" value=description error=field("description")
                    hint="Shown on the public page and in link previews."/>
                <label class="check">
                    <input type="checkbox" prop:checked=move || is_public.get()
                        on:change=move |ev| is_public.set(event_target_checked(&ev))/>
                    " Public: anyone with the link can see it"
                </label>
                <button class="button button-primary" type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { busy } else { button }}
                </button>
            </form>
        </section>
    }
}

#[component]
fn NewListForm() -> impl IntoView {
    let create = ServerAction::<api::CreateList>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(list)) = create.value().get() {
            navigate(&format!("/app/lists/{}", list.id), Default::default());
        }
    });
    view! {
        <ListForm id="new-list" title="New list" button="Create list" busy="Creating…"
            initial=WtbListInput { is_public: true, ..Default::default() }
            pending=create.pending()
            server_error=Signal::derive(move || create.value().get().and_then(|r| r.err()))
            on_submit=Callback::new(move |input| { create.dispatch(api::CreateList { input }); })/>
    }
}

#[component]
fn ListSettings(list: WtbListSummary, reload: Callback<()>) -> impl IntoView {
    let save = ServerAction::<api::UpdateList>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            reload.run(());
        }
    });
    let list_id = list.id.clone();
    view! {
        <ListForm id="list" title="List settings" button="Save settings" busy="Saving…"
            initial=WtbListInput { name: list.name, slug: list.slug, description: list.description, is_public: list.is_public }
            pending=save.pending()
            server_error=Signal::derive(move || save.value().get().and_then(|r| r.err()))
            on_submit=Callback::new(move |input| { save.dispatch(api::UpdateList { list_id: list_id.clone(), input }); })/>
    }
}

#[component]
fn DeleteList(list: WtbListSummary) -> impl IntoView {
    let delete = ServerAction::<api::DeleteList>::new();
    let confirming = RwSignal::new(false);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/app/lists", Default::default());
        }
    });
    let error = Signal::derive(move || {
        delete
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    });
    let (list_id, name) = (list.id.clone(), list.name.clone());
    view! {
        <section class="card sub-form danger-zone" aria-labelledby="delete-list-title">
            <h2 id="delete-list-title">"Delete this list"</h2>
            <p class="muted">"Removes the list, its items and its API key. The public page stops working."</p>
            <ErrorBanner message=error/>
            <div class="page-actions">
                <Show when=move || !confirming.get()>
                    <button class="button button-danger" type="button" on:click=move |_| confirming.set(true)>"Delete list"</button>
                </Show>
                <Show when=move || confirming.get()>
                    <span class="confirm" role="alert">{format!("Delete “{name}” and its {} items for good?", list.item_count)}</span>
                    <button class="button button-danger" type="button" disabled=move || delete.pending().get()
                        on:click={let id = list_id.clone(); move |_| { delete.dispatch(api::DeleteList { list_id: id.clone() }); }}>"Yes, delete"</button>
                    <button class="button button-ghost" type="button" on:click=move |_| confirming.set(false)>"Keep it"</button>
                </Show>
            </div>
        </section>
    }
}
