//! An item page of the storefront: pictures, details, price and "Add to cart".

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{ListingImage, StoreFrame, api, listing_facts, store_page, types::ListingDetail};
use crate::ui::safe_title;

#[component]
pub fn ListingPage() -> impl IntoView {
    let params = use_params_map();
    let detail = Resource::new(
        move || {
            let p = params.read();
            (
                p.get("store").unwrap_or_default(),
                p.get("listing").unwrap_or_default(),
            )
        },
        |(store, listing)| api::listing(store, listing),
    );
    store_page(
        detail,
        "Item not found",
        |d: ListingDetail| view! { <ListingView detail=d/> },
    )
}

#[component]
fn ListingView(detail: ListingDetail) -> impl IntoView {
    let l = detail.listing.clone();
    let store = detail.store.clone();
    let title = safe_title(&format!("{} · {}", l.title, store.name));
    let cart = format!("/s/{}/cart", store.slug);
    let sold_out = l.available == 0;
    let facts = listing_facts(&l);
    let preview_title = format!("{} · {}", l.title, l.price);
    let preview_text = format!("{facts} · {} available at {}", l.available, store.name);
    let preview_url = format!("{}/items/{}", store.page_url, l.id);
    view! {
        <Title text=title/>
        <super::LinkPreview title=preview_title description=preview_text url=preview_url image=l.images.first().cloned()/>
        <StoreFrame store=store.clone()>
            <p><a href=format!("/s/{}", store.slug)>"← All items"</a></p>
            <article class="listing-detail">
                <div class="listing-gallery">
                    <ListingImage listing=l.clone() class="listing-photo"/>
                    {l.images.iter().skip(1).map(|src| view! { <img class="listing-thumb" src=src.clone() alt="" loading="lazy"/> }).collect_view()}
                </div>
                <div class="listing-buy">
                    <h1>{l.title.clone()}</h1>
                    <p class="muted">{facts}</p>
                    <p class="listing-price listing-price-large">{l.price.to_string()}</p>
                    {if sold_out {
                        view! { <p class="badge badge-muted">"Sold out"</p> }.into_any()
                    } else {
                        // A plain form: it works before (and without) the WebAssembly; the cart
                        // page adds the item to the cart kept in this browser.
                        view! {
                            <form class="add-to-cart" method="get" action=cart.clone()>
                                <input type="hidden" name="add" value=l.id.clone()/>
                                <Show when=move || { l.available > 1 }>
                                    <div class="field field-narrow">
                                        <label for="qty">"Quantity"</label>
                                        <input id="qty" name="qty" type="number" min="1" max=l.available value="1"/>
                                    </div>
                                </Show>
                                <button class="button button-primary button-large" type="submit">"Add to cart"</button>
                                <p class="muted">{if l.available > 1 { format!("{} available", l.available) } else { "Only one available".to_string() }}</p>
                            </form>
                        }.into_any()
                    }}
                    <p><a href=format!("/s/{}/contact?listing={}", store.slug, l.id)>"Ask about this item"</a></p>
                    <dl class="facts">
                        {detail.details.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd>{v.clone()}</dd> }).collect_view()}
                    </dl>
                </div>
            </article>
        </StoreFrame>
    }
}
