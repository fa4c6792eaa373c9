//! The public Want-To-Buy list shell at `/lists/{list}`. Items and the bot API come later.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use crate::{
    error::AppError,
    ui::{Brand, LoadError, NotFoundPage, safe_title},
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicList {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub owner_store: Option<(String, String)>,
}

#[component]
pub fn PublicListPage() -> impl IntoView {
    let params = use_params_map();
    let list = Resource::new(
        move || params.read().get("list").unwrap_or_default(),
        api::get_public_list,
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-live="polite">"Loading list…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <ListShell list/> }.into_any(),
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

#[component]
fn ListShell(list: PublicList) -> impl IntoView {
    view! {
        <Title text=safe_title(&format!("{} · Want to buy", list.name))/>
        <div class="public-list">
            <header class="public-list-header">
                <p class="eyebrow">"Want to buy"</p>
                <h1>{list.name.clone()}</h1>
                <Show when={let d = list.description.clone(); move || !d.is_empty()}>
                    <p class="muted">{list.description.clone()}</p>
                </Show>
                {list.owner_store.clone().map(|(slug, name)| view! {
                    <p>"Buying for " <a href=format!("/s/{slug}")>{name}</a></p>
                })}
            </header>
            <main id="main" class="public-list-main">
                <section class="empty-state">
                    <h2>"No wanted items yet"</h2>
                    <p>"This list is empty for now. Items the buyer is looking for will show up here."</p>
                </section>
            </main>
            <footer class="storefront-footer"><span>"Powered by "</span><Brand/></footer>
        </div>
    }
}
