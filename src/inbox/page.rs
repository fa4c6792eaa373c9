//! `/app/inbox`: every notification, newest first, with filters in the address (type,
//! source, unread only) so a filtered view can be bookmarked; read/unread and delete per
//! notification or for a selection, "mark all read", and how long notifications are kept.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{
    api,
    types::{InboxPage as Page, NotificationView},
};
use crate::{
    domain::inbox::{InboxQuery, Level, RETENTION_CHOICES, Source},
    ui::{ErrorBanner, LoadError, LocalTime},
};

fn query_from(get: impl Fn(&str) -> Option<String>) -> InboxQuery {
    InboxQuery {
        level: get("type").and_then(|v| Level::parse(&v)),
        source: get("source").and_then(|v| Source::parse(&v)),
        unread_only: get("unread").is_some_and(|v| v == "1"),
        page: get("page").and_then(|p| p.parse().ok()).unwrap_or(0),
    }
}

fn href_of(q: &InboxQuery, page: u32) -> String {
    let mut parts = Vec::new();
    if let Some(l) = q.level {
        parts.push(format!("type={}", l.as_str()));
    }
    if let Some(s) = q.source {
        parts.push(format!("source={}", s.as_str()));
    }
    if q.unread_only {
        parts.push("unread=1".into());
    }
    if page > 0 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        "/app/inbox".into()
    } else {
        format!("/app/inbox?{}", parts.join("&"))
    }
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let p = params.read();
        query_from(|k| p.get(k))
    });
    let inbox = Resource::new(move || query.get(), api::list_inbox);
    let selected = RwSignal::new(Vec::<String>::new());
    let mark = ServerAction::<api::MarkNotifications>::new();
    let delete = ServerAction::<api::DeleteNotifications>::new();
    let mark_all = ServerAction::<api::MarkAllRead>::new();
    let retention = ServerAction::<api::SetRetention>::new();
    // After any change: read the page again, forget the selection.
    Effect::new(move |_| {
        let done = [
            mark.version().get(),
            delete.version().get(),
            mark_all.version().get(),
        ];
        if done.iter().any(|v| *v > 0) {
            selected.set(Vec::new());
            inbox.refetch();
        }
    });
    let failure = Memo::new(move |_| {
        [
            mark.value().get().and_then(Result::err),
            delete.value().get().and_then(Result::err),
            mark_all.value().get().and_then(Result::err),
            retention.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| e.to_string())
    });
    let busy = Memo::new(move |_| {
        mark.pending().get() || delete.pending().get() || mark_all.pending().get()
    });

    view! {
        <Title text="Inbox · Flipdesk"/>
        <div class="page-header page-header-row">
            <div>
                <h1>"Inbox"</h1>
                <p class="muted">"Everything Flipdesk tells you: orders, refunds, imports, matches for your lists, your plan, and work that failed."</p>
            </div>
            <div class="row-actions">
                <a class="button button-ghost" href="/app/inbox/webhooks">"Webhooks"</a>
                <button class="button" type="button" disabled=move || busy.get()
                    on:click=move |_| { mark_all.dispatch(api::MarkAllRead {}); }>"Mark all read"</button>
            </div>
        </div>
        <Filters query/>
        <ErrorBanner message=Signal::derive(move || failure.get())/>
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading your inbox…"</p> }>
            {move || Suspend::new(async move {
                match inbox.await {
                    Ok(page) => view! { <Notifications page query=query.get_untracked() selected mark delete busy/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
        <Retention inbox retention/>
    }
}

#[component]
fn Filters(query: Memo<InboxQuery>) -> impl IntoView {
    // A plain GET form: filtering works before (and without) the WebAssembly.
    view! {
        <form class="inbox-filters" method="get" action="/app/inbox" aria-label="Filter notifications">
            <div class="field">
                <label for="inbox-type">"Type"</label>
                <select id="inbox-type" name="type">
                    <option value="" selected=move || query.get().level.is_none()>"All types"</option>
                    {Level::ALL.iter().map(|l| view! {
                        <option value=l.as_str() selected=move || query.get().level == Some(*l)>{l.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="inbox-source">"Source"</label>
                <select id="inbox-source" name="source">
                    <option value="" selected=move || query.get().source.is_none()>"All sources"</option>
                    {Source::ALL.iter().map(|s| view! {
                        <option value=s.as_str() selected=move || query.get().source == Some(*s)>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <label class="check">
                <input type="checkbox" name="unread" value="1" checked=move || query.get().unread_only/>
                "Unread only"
            </label>
            <button class="button" type="submit">"Show"</button>
        </form>
    }
}

#[component]
fn Notifications(
    page: Page,
    query: InboxQuery,
    selected: RwSignal<Vec<String>>,
    mark: ServerAction<api::MarkNotifications>,
    delete: ServerAction<api::DeleteNotifications>,
    busy: Memo<bool>,
) -> impl IntoView {
    if page.items.is_empty() {
        let filtered = query.level.is_some() || query.source.is_some() || query.unread_only;
        return view! {
            <div class="empty-state">
                <h2>{if filtered { "Nothing matches these filters" } else { "Your inbox is empty" }}</h2>
                <p>{if filtered {
                    "Clear the filters to see every notification."
                } else {
                    "Paid orders, refunds, finished imports, matches for your Want-To-Buy lists and anything that needs you will show up here."
                }}</p>
                {filtered.then(|| view! { <a class="button" href="/app/inbox">"Clear filters"</a> })}
            </div>
        }
        .into_any();
    }
    let all_ids: Vec<String> = page.items.iter().map(|n| n.id.clone()).collect();
    let on_page = all_ids.len();
    let prev = (page.page > 0).then(|| href_of(&query, page.page - 1));
    let next = (page.page + 1 < page.pages).then(|| href_of(&query, page.page + 1));
    let summary = format!(
        "{} notification{} · {} unread",
        page.total,
        if page.total == 1 { "" } else { "s" },
        page.unread
    );
    let count = move || selected.read().len();
    let chosen = move || selected.get_untracked();
    view! {
        <p class="muted" aria-live="polite">{summary}</p>
        <div class="bulk-bar" role="group" aria-label="Selected notifications">
            <label class="check">
                <input type="checkbox" aria-label="Select all on this page"
                    prop:checked=move || count() == on_page
                    on:change={
                        let all_ids = all_ids.clone();
                        move |ev| selected.set(if event_target_checked(&ev) { all_ids.clone() } else { Vec::new() })
                    }/>
                {move || match count() { 0 => "Select".to_string(), n => format!("{n} selected") }}
            </label>
            <button class="button button-small" type="button" disabled=move || count() == 0 || busy.get()
                on:click=move |_| { mark.dispatch(api::MarkNotifications { ids: chosen(), read: true }); }>"Mark read"</button>
            <button class="button button-small" type="button" disabled=move || count() == 0 || busy.get()
                on:click=move |_| { mark.dispatch(api::MarkNotifications { ids: chosen(), read: false }); }>"Mark unread"</button>
            <button class="button button-small button-danger" type="button" disabled=move || count() == 0 || busy.get()
                on:click=move |_| { delete.dispatch(api::DeleteNotifications { ids: chosen() }); }>"Delete"</button>
        </div>
        <ul class="inbox-list" aria-label="Notifications">
            {page.items.into_iter().map(|n| view! { <Notification n selected mark delete busy/> }).collect_view()}
        </ul>
        {(prev.is_some() || next.is_some()).then(|| view! {
            <nav class="pager" aria-label="Pages">
                {prev.map(|href| view! { <a class="button" href=href rel="prev">"← Newer"</a> })}
                <span>{format!("Page {} of {}", page.page + 1, page.pages)}</span>
                {next.map(|href| view! { <a class="button" href=href rel="next">"Older →"</a> })}
            </nav>
        })}
    }
    .into_any()
}

#[component]
fn Notification(
    n: NotificationView,
    selected: RwSignal<Vec<String>>,
    mark: ServerAction<api::MarkNotifications>,
    delete: ServerAction<api::DeleteNotifications>,
    busy: Memo<bool>,
) -> impl IntoView {
    let id = n.id.clone();
    let is_selected = {
        let id = id.clone();
        move || selected.read().contains(&id)
    };
    let toggle = {
        let id = id.clone();
        move |ev| {
            let on = event_target_checked(&ev);
            selected.update(|s| {
                s.retain(|x| *x != id);
                if on {
                    s.push(id.clone());
                }
            });
        }
    };
    let read = n.read;
    let (read_id, delete_id) = (id.clone(), id.clone());
    let title = n.title.clone();
    view! {
        <li class="inbox-item" data-level=n.level.as_str() data-read=read.to_string()>
            <input type="checkbox" class="inbox-select" aria-label=format!("Select: {title}")
                prop:checked=is_selected on:change=toggle/>
            <div class="inbox-main">
                <p class="inbox-title">
                    <span class="level-pill" data-level=n.level.as_str()>{n.level.label()}</span>
                    {match n.link.clone() {
                        // Following a notification reads it (not tied to this page, which
                        // the link leaves).
                        Some(href) => {
                            let id = id.clone();
                            view! {
                                <a href=href on:click=move |_| {
                                    if !read {
                                        let ids = vec![id.clone()];
                                        leptos::task::spawn_local(async move {
                                            let _ = api::mark_notifications(ids, true).await;
                                        });
                                    }
                                }>{n.title.clone()}</a>
                            }.into_any()
                        }
                        None => view! { <strong>{n.title.clone()}</strong> }.into_any(),
                    }}
                    {(!read).then(|| view! { <span class="unread-dot" title="Unread">" · unread"</span> })}
                </p>
                {(!n.body.is_empty()).then(|| view! { <p class="inbox-body">{n.body.clone()}</p> })}
                <p class="inbox-meta muted">{n.source.label()}" · "<LocalTime at=n.created_at.clone()/></p>
            </div>
            <div class="inbox-actions">
                <button class="button button-small" type="button" disabled=move || busy.get()
                    on:click=move |_| { mark.dispatch(api::MarkNotifications { ids: vec![read_id.clone()], read: !read }); }>
                    {if read { "Mark unread" } else { "Mark read" }}
                </button>
                <button class="button button-small button-ghost" type="button" disabled=move || busy.get()
                    aria-label=format!("Delete: {title}")
                    on:click=move |_| { delete.dispatch(api::DeleteNotifications { ids: vec![delete_id.clone()] }); }>"Delete"</button>
            </div>
        </li>
    }
}

#[component]
fn Retention(
    inbox: Resource<Result<Page, crate::error::AppError>>,
    retention: ServerAction<api::SetRetention>,
) -> impl IntoView {
    let current = move || {
        inbox
            .get()
            .and_then(Result::ok)
            .map(|p| p.retention_days)
            .unwrap_or(crate::domain::inbox::DEFAULT_RETENTION_DAYS)
    };
    view! {
        <section class="card inbox-retention" aria-labelledby="inbox-retention">
            <h2 id="inbox-retention">"Keep notifications"</h2>
            <div class="field field-narrow">
                <label for="retention-days">"Delete notifications older than"</label>
                <select id="retention-days"
                    on:change=move |ev| {
                        if let Ok(days) = event_target_value(&ev).parse::<i64>() {
                            retention.dispatch(api::SetRetention { days });
                        }
                    }>
                    {RETENTION_CHOICES.iter().map(|d| view! {
                        <option value=d.to_string() selected=move || current() == *d>{format!("{d} days")}</option>
                    }).collect_view()}
                </select>
            </div>
            <p class="muted" aria-live="polite">
                {move || match retention.value().get() {
                    Some(Ok(())) => "Saved. Older notifications are deleted within a few minutes.",
                    _ => "Older notifications are deleted automatically.",
                }}
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_live_in_the_address() {
        let q = query_from(|k| match k {
            "type" => Some("error".into()),
            "unread" => Some("1".into()),
            "page" => Some("2".into()),
            _ => None,
        });
        assert_eq!(q.level, Some(Level::Error));
        assert!(q.unread_only);
        assert_eq!(href_of(&q, 3), "/app/inbox?type=error&unread=1&page=3");
        assert_eq!(href_of(&InboxQuery::default(), 0), "/app/inbox");
        let junk = query_from(|k| (k == "type").then(|| "<script>".into()));
        assert_eq!(junk.level, None);
    }
}
