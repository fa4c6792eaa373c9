//! The public storefront shell at `/s/{store}`. Listings, cart and checkout come later.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
pub mod types;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    error::AppError,
    ui::{Brand, LoadError, NotFoundPage, safe_title},
};

pub use types::PublicStore;

#[component]
pub fn StorefrontPage() -> impl IntoView {
    let params = use_params_map();
    let store = Resource::new(
        move || params.read().get("store").unwrap_or_default(),
        api::get_public_store,
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-live="polite">"Loading store…"</p> }>
            {move || Suspend::new(async move {
                match store.await {
                    Ok(store) => view! { <StorefrontShell store/> }.into_any(),
                    Err(AppError::NotFound) => view! {
                        <NotFoundPage title="Store not found"
                            message="No store lives at this address. Check the link you were given."/>
                    }.into_any(),
                    Err(error) => view! { <main class="centered-page"><LoadError error/></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StorefrontShell(store: PublicStore) -> impl IntoView {
    let title = safe_title(&format!("{} · Flipdesk store", store.name));
    view! {
        <Title text=title/>
        <div class="storefront">
            <header class="storefront-header">
                <div class="storefront-header-inner">
                    <div>
                        <h1 class="storefront-name">{store.name.clone()}</h1>
                        <Show when={let t = store.tagline.clone(); move || !t.is_empty()}>
                            <p class="storefront-tagline">{store.tagline.clone()}</p>
                        </Show>
                    </div>
                    <span class="badge">"Prices in " {store.currency.clone()}</span>
                </div>
            </header>
            <main class="storefront-main" id="main">
                <section class="empty-state" aria-labelledby="catalog-empty">
                    <h2 id="catalog-empty">"Nothing for sale right now"</h2>
                    <p>{format!("{} has no items listed at the moment. Check back soon.", store.name)}</p>
                </section>
            </main>
            <footer class="storefront-footer">
                <span>"Powered by "</span>
                <Brand/>
            </footer>
        </div>
    }
}
