//! The reseller's Want-To-Buy lists in the dashboard: `/app/lists` (create, order, open) and
//! `/app/lists/{id}` (wanted items, the bot API key, settings, delete).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::{
    api,
    types::{IssuedKey, WtbListDetail, WtbListSummary, key_hint},
};
use crate::{
    domain::{
        Currency, FieldErrors,
        item::{CardCondition, SneakerCondition},
        wtb::{
            WtbItem, WtbItemInput, WtbListInput, expand_size_run, validate_wtb_item,
            validate_wtb_list,
        },
    },
    error::AppError,
    ui::{
        ErrorBanner, LoadError, TextArea, TextField, safe_title,
        table::{Column, DataTable, PageInfo, TableRow, empty_state},
    },
};

/// The field errors of an action's latest error, and a banner for any other error.
fn errors_of(
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
fn passes<T>(local: RwSignal<Option<AppError>>, checked: Result<T, FieldErrors>) -> bool {
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
                    disabled=at == 0 || reorder.pending().get_untracked()
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
    } = detail;
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
            <WantedItemForm list_id=list.id.clone() currency editing reload/>
        </section>
        <KeyPanel list=list.clone()/>
        <ListSettings list=list.clone() reload/>
        <DeleteList list/>
    }
}

#[component]
fn WantedItemForm(
    list_id: String,
    currency: String,
    editing: RwSignal<Option<WtbItem>>,
    reload: Callback<()>,
) -> impl IntoView {
    let save = ServerAction::<api::SaveItem>::new();
    let fields: [RwSignal<String>; 10] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let [
        name,
        style_id,
        product_id,
        size,
        condition,
        grade,
        quantity,
        max_price,
        money,
        notes,
    ] = fields;
    let default_currency = currency.clone();
    let fill = move |input: WtbItemInput| {
        name.set(input.name);
        style_id.set(input.style_id);
        product_id.set(input.product_id);
        size.set(input.size);
        condition.set(input.condition);
        grade.set(input.grade);
        quantity.set(input.quantity);
        max_price.set(input.max_price);
        money.set(input.currency);
        notes.set(input.notes);
    };
    let blank = {
        let c = default_currency.clone();
        move || WtbItemInput {
            currency: c.clone(),
            quantity: "1".into(),
            ..Default::default()
        }
    };
    fill(blank());
    Effect::new({
        let (blank, c) = (blank.clone(), default_currency.clone());
        move |_| match editing.get() {
            Some(item) => fill(item.to_input(Currency::parse(&c).unwrap_or(Currency::Usd))),
            None => fill(blank()),
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            editing.set(None);
            reload.run(());
        }
    });
    let local = RwSignal::new(None::<AppError>);
    let (field, banner) = errors_of(Signal::derive(move || {
        local
            .get()
            .or_else(|| save.value().get().and_then(|r| r.err()))
    }));
    let currency = Currency::parse(&default_currency).unwrap_or(Currency::Usd);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let item_id = editing.get_untracked().map(|i| i.id);
        let input = WtbItemInput {
            name: name.get_untracked(),
            product_id: product_id.get_untracked(),
            style_id: style_id.get_untracked(),
            size: size.get_untracked(),
            condition: condition.get_untracked(),
            grade: grade.get_untracked(),
            quantity: quantity.get_untracked(),
            max_price: max_price.get_untracked(),
            currency: money.get_untracked(),
            notes: notes.get_untracked(),
        };
        let ok = if item_id.is_some() {
            passes(local, validate_wtb_item(&input, currency))
        } else {
            passes(local, expand_size_run(&input, currency))
        };
        if ok {
            save.dispatch(api::SaveItem {
                list_id: list_id.clone(),
                item_id,
                input,
            });
        }
    };
    let conditions: Vec<(&'static str, &'static str)> = SneakerCondition::ALL
        .iter()
        .map(|c| (c.as_str(), c.label()))
        .chain(CardCondition::ALL.iter().map(|c| (c.as_str(), c.label())))
        .collect();
    view! {
        <form class="form card sub-form" on:submit=submit aria-labelledby="wanted-form-title">
            <h3 id="wanted-form-title">{move || match editing.get() {
                Some(i) => format!("Edit “{}”", i.name),
                None => "Add a wanted item".to_string(),
            }}</h3>
            <ErrorBanner message=banner/>
            <div class="form-grid">
                <TextField id="wanted-name" label="What you want" value=name error=field("name") maxlength=200
                    hint="As you would say it: “Jordan 1 Chicago 2022”, “Charizard Base Set”."/>
                <TextField id="wanted-style" label="Style id" value=style_id error=field("style_id")
                    hint="Sneakers: matched against storefront listings."/>
                <TextField id="wanted-product" label="Catalog product id" value=product_id error=field("product_id") maxlength=64/>
                <TextField id="wanted-size" label="Size" value=size error=field("size") maxlength=120
                    hint="“10.5”, “OS”, or when adding a size run: “9, 9.5, 10” or “8-11” (one item per size)."/>
                <div class="field" class:field-invalid=move || field("condition").get().is_some()>
                    <label for="wanted-condition">"Condition"</label>
                    <select id="wanted-condition" on:change=move |ev| condition.set(event_target_value(&ev))>
                        <option value="" selected=move || condition.get().is_empty()>"Any condition"</option>
                        {conditions.into_iter().map(|(value, label)| view! {
                            <option value=value selected=move || condition.get() == value>{label}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error" role="alert">{move || field("condition").get().unwrap_or_default()}</p>
                </div>
                <TextField id="wanted-grade" label="Grade" value=grade error=field("grade") maxlength=12 hint="“PSA 10”, “9.5”"/>
                <TextField id="wanted-quantity" label="How many" value=quantity error=field("quantity") maxlength=4/>
                <TextField id="wanted-max-price" label="Most you would pay (each)" value=max_price error=field("max_price")
                    hint="Leave empty to take offers."/>
                <div class="field" class:field-invalid=move || field("currency").get().is_some()>
                    <label for="wanted-currency">"Currency"</label>
                    <select id="wanted-currency" on:change=move |ev| money.set(event_target_value(&ev))>
                        {Currency::ALL.iter().map(|c| view! { <option value=c.code() selected=move || money.get() == c.code()>{c.code()}</option> }).collect_view()}
                    </select>
                    <p class="field-error" role="alert">{move || field("currency").get().unwrap_or_default()}</p>
                </div>
            </div>
            <TextArea id="wanted-notes" label="Notes" value=notes error=field("notes") hint="Anything a seller should know."/>
            <div class="page-actions">
                <button class="button button-primary" type="submit" disabled=move || save.pending().get()>
                    {move || match (save.pending().get(), editing.get().is_some()) {
                        (true, _) => "Saving…",
                        (false, true) => "Save changes",
                        (false, false) => "Add to list",
                    }}
                </button>
                <Show when=move || editing.get().is_some()>
                    <button class="button button-ghost" type="button" on:click=move |_| editing.set(None)>"Cancel"</button>
                </Show>
            </div>
        </form>
    }
}

#[component]
fn KeyPanel(list: WtbListSummary) -> impl IntoView {
    let issue = ServerAction::<api::RegenerateKey>::new();
    let confirming = RwSignal::new(false);
    let issued = RwSignal::new(None::<IssuedKey>);
    // (prefix, created, last used) of the current key; a new key updates it in place, so
    // the page does not reload and the key stays on screen to be copied.
    let current = RwSignal::new(list.key_prefix.clone().map(|p| {
        (
            p,
            list.key_created.clone().unwrap_or_default(),
            list.key_last_used.clone(),
        )
    }));
    Effect::new(move |_| {
        if let Some(Ok(key)) = issue.value().get() {
            current.set(Some((key.prefix.clone(), "Just now".to_string(), None)));
            issued.set(Some(key));
            confirming.set(false);
        }
    });
    let error = Signal::derive(move || {
        issue
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    });
    let has_key = move || current.with(Option::is_some);
    let list_id = list.id.clone();
    let generate = Callback::new(move |_: ()| {
        issue.dispatch(api::RegenerateKey {
            list_id: list_id.clone(),
        });
    });
    let slug = list.slug.clone();
    view! {
        <section class="card sub-form" aria-labelledby="api-key-title">
            <h2 id="api-key-title">"API key for bots"</h2>
            <p class="muted">"A Discord bot or script manages this list's items through the Flipdesk API with this key. Each key works for this list only."</p>
            <ErrorBanner message=error/>
            {move || match current.get() {
                Some((prefix, created, last_used)) => view! {
                    <dl class="facts">
                        <dt>"Current key"</dt><dd><code>{key_hint(&prefix)}</code></dd>
                        <dt>"Created"</dt><dd>{created}</dd>
                        <dt>"Last used"</dt><dd>{last_used.unwrap_or_else(|| "Never".into())}</dd>
                    </dl>
                }.into_any(),
                None => view! { <p>"This list has no API key yet."</p> }.into_any(),
            }}
            {move || issued.get().map(|k| view! {
                <div class="banner banner-success key-reveal" role="status">
                    <p><strong>"Copy your new key now: it is shown only once."</strong></p>
                    <input class="key-value" readonly aria-label="New API key" value=k.key.clone()
                        on:focus=move |ev| {
                            use wasm_bindgen::JsCast;
                            if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                input.select();
                            }
                        }/>
                    <p class="muted">"Try it:"</p>
                    <pre class="code-sample">{format!(
                        "curl -X POST {}/api/v1/lists/{}/items \\\n  -H 'Authorization: Bearer {}' \\\n  -H 'Content-Type: application/json' \\\n  -d '{{\"name\": \"Jordan 1 Chicago\", \"size\": \"10.5\", \"max_price\": {{\"amount\": 25000, \"currency\": \"USD\"}}}}'",
                        crate::ui::platform::origin(), slug, k.key)}</pre>
                </div>
            })}
            <div class="page-actions">
                <Show when=move || !confirming.get()>
                    <button class="button button-primary" type="button" disabled=move || issue.pending().get()
                        on:click=move |_| if has_key() { confirming.set(true) } else { generate.run(()) }>
                        {move || if issue.pending().get() { "Issuing…" } else if has_key() { "Regenerate key" } else { "Generate API key" }}
                    </button>
                </Show>
                <Show when=move || confirming.get()>
                    <span class="confirm" role="alert">"The current key stops working at once. Bots that use it need the new one."</span>
                    <button class="button button-danger" type="button" disabled=move || issue.pending().get()
                        on:click=move |_| generate.run(())>"Yes, regenerate"</button>
                    <button class="button button-ghost" type="button" on:click=move |_| confirming.set(false)>"Keep the current key"</button>
                </Show>
            </div>
        </section>
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
