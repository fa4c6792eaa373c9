//! Want-To-Buy lists: the public page at `/lists/{list}` (with a link preview for Discord),
//! the reseller's lists in the dashboard (`pages`), and the bot API (`rest`).

pub mod api;
#[cfg(feature = "ssr")]
pub mod items;
mod key_panel;
#[cfg(feature = "ssr")]
pub mod matching;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;
pub mod types;
mod wanted_form;

/// What WTB lists plug into the server: the bot API, its page cache, and listing matches.
#[cfg(feature = "ssr")]
pub fn plug(p: &mut crate::server::plugins::Plugins) {
    p.jobs.register::<matching::MatchWanted>();
    p.jobs.register::<matching::MatchExisting>();
    p.part(rest::PageCache::default());
    p.routes.push(rest::routes);
}

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

pub use pages::{ListPage, ListsPage};
pub use types::PublicList;

use crate::{
    domain::wtb::WtbItem,
    error::AppError,
    ui::{Brand, LoadError, NotFoundPage, safe_title},
};

#[component]
pub fn PublicListPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let list = Resource::new(
        move || {
            let page = query
                .read()
                .get("page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(1);
            (params.read().get("list").unwrap_or_default(), page)
        },
        |(list, page)| api::get_public_list(list, page),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-live="polite">"Loading list…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <PublicListView list/> }.into_any(),
                    Err(AppError::NotFound) => view! {
                        <NotFoundPage title="List not found"
                            message="This Want-To-Buy list does not exist or is not public."/>
                    }.into_any(),
                    Err(error) => view! { <main class="centered-page"><LoadError error/></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The preview text of a link to the list: its description, or what it wants.
fn preview_text(list: &PublicList) -> String {
    if !list.description.is_empty() {
        return list.description.clone();
    }
    let names: Vec<&str> = list.items.iter().take(5).map(|i| i.name.as_str()).collect();
    match list.total as usize {
        0 => "A Want-To-Buy list on Flipdesk.".to_string(),
        n => format!(
            "Wants {n} item{}: {}{}",
            if n == 1 { "" } else { "s" },
            names.join(", "),
            if n > names.len() { "…" } else { "" }
        ),
    }
}

#[component]
fn PublicListView(list: PublicList) -> impl IntoView {
    let title = safe_title(&format!("{} · Want to buy", list.name));
    let preview = preview_text(&list);
    let count = list.total;
    let per_page = types::PUBLIC_PER_PAGE as i64;
    let first = (list.page as i64 - 1) * per_page + 1;
    let shown = format!(
        "{count} wanted item{}{}",
        if count == 1 { "" } else { "s" },
        if count > per_page {
            format!(
                " · showing {first}–{}",
                (first + list.items.len() as i64 - 1).max(first)
            )
        } else {
            String::new()
        }
    );
    let base = format!("/lists/{}", list.slug);
    let prev = (list.page > 1).then(|| match list.page - 1 {
        1 => base.clone(),
        p => format!("{base}?page={p}"),
    });
    let next =
        ((list.page as i64) * per_page < count).then(|| format!("{base}?page={}", list.page + 1));
    view! {
        <Title text=title.clone()/>
        <Meta name="description" content=preview.clone()/>
        <Meta property="og:type" content="website"/>
        <Meta property="og:site_name" content="Flipdesk"/>
        <Meta property="og:title" content=title.clone()/>
        <Meta property="og:description" content=preview.clone()/>
        <Meta property="og:url" content=list.page_url.clone()/>
        <Meta property="og:image" content=list.image_url.clone()/>
        <Meta name="twitter:card" content="summary"/>
        <Meta name="twitter:title" content=title/>
        <Meta name="twitter:description" content=preview/>
        <div class="public-list">
            <header class="public-list-header">
                <p class="eyebrow">"Want to buy"</p>
                <h1>{list.name.clone()}</h1>
                <Show when={let d = list.description.clone(); move || !d.is_empty()}>
                    <p class="muted prewrap">{list.description.clone()}</p>
                </Show>
                {list.owner_store.clone().map(|(slug, name)| view! {
                    <p>"Buying for " <a href=format!("/s/{slug}")>{name}</a></p>
                })}
            </header>
            <main id="main" class="public-list-main">
                {if count == 0 {
                    view! {
                        <section class="empty-state">
                            <h2>"No wanted items yet"</h2>
                            <p>"This list is empty for now. Items the buyer is looking for will show up here."</p>
                        </section>
                    }.into_any()
                } else {
                    view! {
                        <p class="muted">{shown}</p>
                        <ul class="wanted-grid" aria-label="Wanted items">
                            {list.items.into_iter().map(|item| view! { <WantedCard item/> }).collect_view()}
                        </ul>
                        {(prev.is_some() || next.is_some()).then(|| view! {
                            <nav class="pager" aria-label="Pages">
                                {prev.map(|href| view! { <a class="button" href=href rel="prev">"← Previous"</a> })}
                                {next.map(|href| view! { <a class="button" href=href rel="next">"Next →"</a> })}
                            </nav>
                        })}
                    }.into_any()
                }}
            </main>
            <footer class="storefront-footer"><span>"Powered by "</span><Brand/></footer>
        </div>
    }
}

#[component]
fn WantedCard(item: WtbItem) -> impl IntoView {
    let variant = item.variant_label();
    let style = item.style_id.clone();
    view! {
        <li class="wanted-card">
            <h2 class="wanted-name">{item.name.clone()}</h2>
            {style.map(|s| view! { <p class="wanted-style"><code>{s}</code></p> })}
            <Show when={let v = variant.clone(); move || !v.is_empty()}>
                <p class="wanted-variant">{variant.clone()}</p>
            </Show>
            <dl class="wanted-facts">
                <dt>"Wanted"</dt><dd>{item.quantity}</dd>
                <dt>"Pays up to"</dt>
                <dd class="wanted-price">{item.max_price.map(|m| m.to_string()).unwrap_or_else(|| "Make an offer".into())}</dd>
            </dl>
            <Show when={let n = item.notes.clone(); move || !n.is_empty()}>
                <p class="muted prewrap wanted-notes">{item.notes.clone()}</p>
            </Show>
        </li>
    }
}
