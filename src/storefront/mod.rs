//! The public storefront at `/s/{store}`: catalog with filters, item pages, the cart and
//! checkout. Every page renders on the server; the cart and checkout need the browser.

pub mod api;
mod cart;
mod item;
#[cfg(feature = "ssr")]
pub mod service;
pub mod types;

/// What the storefront plugs into the server: its cache of store faces and filters.
#[cfg(feature = "ssr")]
pub fn plug(p: &mut crate::server::plugins::Plugins) {
    p.part(service::StorefrontCache::default());
}

pub use cart::CartPage;
pub use item::ListingPage;
pub use types::PublicStore;

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    error::AppError,
    ui::{Brand, LoadError, NotFoundPage, safe_title},
};
use types::{CatalogPage, CatalogQuery, PublicListing};

/// Whether `path` is a storefront page made of links and GET forms only (the catalog and an
/// item page): it is sent without the app's WebAssembly, so a shopper arriving from a shared
/// link downloads nothing but the page, its styles and pictures. The cart lives in the
/// browser and needs the code; the item page's "Add to cart" form leads there.
pub fn is_plain_page(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    match parts.as_slice() {
        ["", "s", store] => !store.is_empty(),
        ["", "s", store, "items", listing] => !store.is_empty() && !listing.is_empty(),
        _ => false,
    }
}

/// Renders `content` for the store in the address, or the store's 404.
pub(crate) fn store_page<T, V, F>(
    resource: Resource<Result<T, AppError>>,
    missing: &'static str,
    content: F,
) -> impl IntoView + use<T, V, F>
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-live="polite">"Loading…"</p> }>
            {move || {
                let content = content.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => content(value).into_any(),
                        Err(AppError::NotFound) => view! {
                            <NotFoundPage title=missing message="Check the link you were given; the store may have moved or the item sold."/>
                        }.into_any(),
                        Err(error) => view! { <main class="centered-page"><LoadError error/></main> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Header, cart link and footer around every storefront page.
#[component]
pub fn StoreFrame(
    store: PublicStore,
    /// The catalog: the store's name is the page's heading.
    #[prop(optional)]
    home: bool,
    children: Children,
) -> impl IntoView {
    let home_href = format!("/s/{}", store.slug);
    let cart = format!("/s/{}/cart", store.slug);
    view! {
        <div class="storefront">
            <header class="storefront-header">
                <div class="storefront-header-inner">
                    <a class="storefront-home" href=home_href>
                        {store.logo_url.clone().map(|src| view! { <img class="storefront-logo" src=src alt=""/> })}
                        <span>
                            {if home {
                                view! { <h1 class="storefront-name">{store.name.clone()}</h1> }.into_any()
                            } else {
                                view! { <span class="storefront-name">{store.name.clone()}</span> }.into_any()
                            }}
                            {(!store.tagline.is_empty()).then(|| view! { <span class="storefront-tagline">{store.tagline.clone()}</span> })}
                        </span>
                    </a>
                    <nav class="storefront-nav" aria-label="Store">
                        <a class="button button-ghost" href=format!("/s/{}/contact", store.slug)>"Contact"</a>
                        <a class="button" href=cart>"Cart"</a>
                    </nav>
                </div>
            </header>
            <main class="storefront-main" id="main">{children()}</main>
            <footer class="storefront-footer">
                <StoreInfo store=store.clone()/>
                <p><span>"Powered by "</span><Brand/></p>
            </footer>
        </div>
    }
}

/// Shipping, policies and FAQ at the foot of the store.
#[component]
fn StoreInfo(store: PublicStore) -> impl IntoView {
    view! {
        <div class="store-info">
            <section>
                <h2>"Shipping"</h2>
                <ul class="plain-list">{store.shipping.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}</ul>
                <p class="muted">{if store.pays_by_card { "Pay securely by card with Stripe." } else { "Pay by the store's instructions after you order." }}</p>
            </section>
            <Show when={let p = store.policies.clone(); move || !p.is_empty()}>
                <section><h2>"Policies"</h2><p class="prewrap">{store.policies.clone()}</p></section>
            </Show>
            <Show when={let f = store.faq.clone(); move || !f.is_empty()}>
                <section><h2>"FAQ"</h2><p class="prewrap">{store.faq.clone()}</p></section>
            </Show>
        </div>
    }
}

#[component]
pub fn StorefrontPage() -> impl IntoView {
    let params = use_params_map();
    let query_map = use_query_map();
    let query = move || {
        let q = query_map.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        CatalogQuery {
            q: get("q"),
            kind: get("kind"),
            line: get("line"),
            size: get("size"),
            condition: get("condition"),
            min_price: get("min_price"),
            max_price: get("max_price"),
            sort: get("sort"),
            page: get("page").parse().unwrap_or(1),
        }
    };
    let page = Resource::new(
        move || (params.read().get("store").unwrap_or_default(), query()),
        |(store, query)| api::catalog(store, query),
    );
    store_page(page, "Store not found", move |page: CatalogPage| {
        let query = query();
        view! { <Catalog page query/> }
    })
}

#[component]
fn Catalog(page: CatalogPage, query: CatalogQuery) -> impl IntoView {
    let store = page.store.clone();
    let title = safe_title(&format!("{} · Flipdesk store", store.name));
    let base = format!("/s/{}", store.slug);
    let filtered = query
        != CatalogQuery {
            page: query.page,
            sort: query.sort.clone(),
            ..Default::default()
        };
    // Filters set besides the search (the sort is not a filter).
    let active_filters = [
        &query.kind,
        &query.line,
        &query.size,
        &query.condition,
        &query.min_price,
        &query.max_price,
    ]
    .iter()
    .filter(|v| !v.is_empty())
    .count();
    let options = |values: &[String], chosen: &str| {
        values
            .iter()
            .map(|v| view! { <option value=v.clone() selected=v == chosen>{v.clone()}</option> })
            .collect_view()
    };
    let kinds = page
        .facets
        .kinds
        .iter()
        .map(|k| {
            let label = crate::domain::item::ItemKind::parse(k)
                .map(|k| k.label())
                .unwrap_or("Other");
            view! { <option value=k.clone() selected=*k == query.kind>{label}</option> }
        })
        .collect_view();
    let pager_prev =
        (page.page > 1).then(|| format!("{base}{}", query.to_query_string(page.page - 1)));
    let pager_next = page
        .has_next
        .then(|| format!("{base}{}", query.to_query_string(page.page + 1)));
    let empty = page.listings.is_empty();
    let preview = [store.description.as_str(), store.tagline.as_str()]
        .into_iter()
        .find(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("Shop {} on Flipdesk.", store.name));
    view! {
        <Title text=title.clone()/>
        <LinkPreview title=store.name.clone() description=preview url=store.page_url.clone()
            image=store.logo_url.clone().or_else(|| page.listings.iter().find_map(|l| l.images.first().cloned()))/>
        <StoreFrame store=store.clone() home=true>
            <Show when={let d = store.description.clone(); move || !d.is_empty()}>
                <p class="storefront-description">{store.description.clone()}</p>
            </Show>
            <form class="catalog-filters" method="get" action=base.clone() role="search" aria-label="Filter the catalog">
                <div class="field catalog-search"><label for="q">"Search"</label>
                    <div class="catalog-search-row">
                        <input id="q" name="q" type="search" value=query.q.clone() placeholder="Jordan 1, Charizard, PSA 10…"/>
                        <button class="button button-primary catalog-search-go" type="submit">"Search"</button>
                    </div></div>
                // On a phone the filters fold behind one button, so products come first; wide
                // screens always show them (the stylesheet opens the fold).
                <details class="catalog-more" open={active_filters > 0}>
                    <summary class="button">{if active_filters > 0 { format!("Filters ({active_filters})") } else { "Filters".to_string() }}</summary>
                    <div class="catalog-more-fields">
                        <div class="field"><label for="kind">"Kind"</label>
                            <select id="kind" name="kind"><option value="">"All"</option>{kinds}</select></div>
                        <div class="field"><label for="line">"Brand or set"</label>
                            <select id="line" name="line"><option value="">"All"</option>{options(&page.facets.lines, &query.line)}</select></div>
                        <div class="field"><label for="size">"Size"</label>
                            <select id="size" name="size"><option value="">"All"</option>{options(&page.facets.sizes, &query.size)}</select></div>
                        <div class="field"><label for="condition">"Condition"</label>
                            <select id="condition" name="condition"><option value="">"All"</option>{options(&page.facets.conditions, &query.condition)}</select></div>
                        <div class="field field-narrow"><label for="min_price">"Min price"</label>
                            <input id="min_price" name="min_price" inputmode="decimal" value=query.min_price.clone()/></div>
                        <div class="field field-narrow"><label for="max_price">"Max price"</label>
                            <input id="max_price" name="max_price" inputmode="decimal" value=query.max_price.clone()/></div>
                        <div class="field"><label for="sort">"Sort"</label>
                            <select id="sort" name="sort">
                                <option value="" selected=query.sort.is_empty()>"Newest"</option>
                                <option value="price" selected=query.sort == "price">"Price: low to high"</option>
                                <option value="-price" selected=query.sort == "-price">"Price: high to low"</option>
                            </select></div>
                        <div class="form-actions">
                            <button class="button button-primary" type="submit">"Apply"</button>
                            {filtered.then(|| view! { <a class="button button-ghost" href=base.clone()>"Clear"</a> })}
                        </div>
                    </div>
                </details>
            </form>
            {if empty {
                view! {
                    <section class="empty-state" aria-labelledby="catalog-empty">
                        <h2 id="catalog-empty">{if filtered { "Nothing matches these filters" } else { "Nothing for sale right now" }}</h2>
                        <p>{if filtered { "Try fewer filters or another search.".to_string() } else { format!("{} has no items listed at the moment. Check back soon.", store.name) }}</p>
                    </section>
                }.into_any()
            } else {
                view! {
                    <ul class="listing-grid" aria-label="Items for sale">
                        {page.listings.into_iter().map(|l| view! { <li><ListingCard listing=l/></li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <nav class="pager" aria-label="Pages">
                {pager_prev.map(|href| view! { <a class="button" href=href rel="prev">"← Previous"</a> })}
                <span class="muted">{format!("Page {}", page.page)}</span>
                {pager_next.map(|href| view! { <a class="button" href=href rel="next">"Next →"</a> })}
            </nav>
        </StoreFrame>
    }
}

/// A link on this site made absolute against the page's own URL (link previews need it).
fn absolute(page_url: &str, src: String) -> String {
    if !src.starts_with('/') {
        return src;
    }
    let origin_end = page_url
        .find("://")
        .and_then(|scheme| page_url[scheme + 3..].find('/').map(|i| scheme + 3 + i))
        .unwrap_or(page_url.len());
    format!("{}{src}", &page_url[..origin_end])
}

/// Open Graph / Twitter tags, so a store or item link unfurls in Discord and Instagram.
#[component]
pub fn LinkPreview(
    title: String,
    description: String,
    url: String,
    image: Option<String>,
) -> impl IntoView {
    let description: String = description.chars().take(200).collect();
    let card = if image.is_some() {
        "summary_large_image"
    } else {
        "summary"
    };
    view! {
        <Meta name="description" content=description.clone()/>
        <Meta property="og:type" content="website"/>
        <Meta property="og:site_name" content="Flipdesk"/>
        <Meta property="og:title" content=title.clone()/>
        <Meta property="og:description" content=description.clone()/>
        {image.map(|src| view! { <Meta property="og:image" content=absolute(&url, src)/> })}
        <Meta property="og:url" content=url/>
        <Meta name="twitter:card" content=card/>
        <Meta name="twitter:title" content=title/>
        <Meta name="twitter:description" content=description/>
    }
}

/// The picture of a listing, or a tile with its initial when it has none.
#[component]
pub fn ListingImage(
    listing: PublicListing,
    #[prop(default = "listing-image")] class: &'static str,
) -> impl IntoView {
    match listing.images.first() {
        Some(src) => {
            let srcset = crate::photos::types::srcset_of_url(src);
            view! { <img class=class src=src.clone() srcset=srcset sizes="(max-width: 600px) 50vw, 320px" alt=listing.title.clone() loading="lazy"/> }.into_any()
        }
        None => view! {
            <div class=format!("{class} listing-image-empty") aria-hidden="true">
                {listing.title.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default()}
            </div>
        }.into_any(),
    }
}

/// Size, grade and condition in one line.
pub fn listing_facts(l: &PublicListing) -> String {
    [
        l.size_label.clone(),
        l.grade.clone(),
        l.condition.clone(),
        l.card_set.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ")
}

#[component]
fn ListingCard(listing: PublicListing) -> impl IntoView {
    let facts = listing_facts(&listing);
    let left = (listing.available > 1).then(|| format!("{} available", listing.available));
    view! {
        <a class="listing-card" href=listing.url.clone()>
            <ListingImage listing=listing.clone()/>
            <span class="listing-title">{listing.title.clone()}</span>
            <span class="listing-facts">{facts}</span>
            <span class="listing-price">{listing.price.to_string()}</span>
            {left.map(|t| view! { <span class="listing-left">{t}</span> })}
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::is_plain_page;

    #[test]
    fn only_the_catalog_and_item_pages_go_without_code() {
        for plain in ["/s/demo", "/s/demo/", "/s/demo/items/l1"] {
            assert!(is_plain_page(plain), "{plain}");
        }
        for coded in [
            "/s/demo/cart",
            "/s/",
            "/s//items/l1",
            "/app",
            "/login",
            "/s/demo/items/",
            "/orders/o1",
        ] {
            assert!(!is_plain_page(coded), "{coded}");
        }
    }
}
