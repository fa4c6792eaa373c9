//! The store view's listings, and the "Sell in your store" panel of an item page.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{api, types::ListingRow};
use crate::{
    domain::store::ListingInput,
    error::AppError,
    ui::{ErrorBanner, LoadError, TextField},
};

#[component]
pub fn ListingsPage() -> impl IntoView {
    let listings = Resource::new(|| (), |_| api::list_listings());
    let withdraw = ServerAction::<api::WithdrawListing>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = withdraw.value().get() {
            listings.refetch();
        }
    });
    let error = Signal::derive(move || {
        withdraw
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    });
    view! {
        <Title text="Listings · Store · Flipdesk"/>
        <div class="page-header">
            <h1>"Listings"</h1>
            <p class="muted">"What your storefront offers. List an item from its page in your inventory."</p>
        </div>
        <ErrorBanner message=error/>
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading listings…"</p> }>
            {move || Suspend::new(async move {
                match listings.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <div class="empty-state">
                            <h2>"Nothing listed yet"</h2>
                            <p>"Open an item in your inventory and use “Sell in your store” to set its price."</p>
                            <a class="button button-primary" href="/app/inventory">"Go to inventory"</a>
                        </div>
                    }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-scroll">
                            <table class="simple-table">
                                <thead><tr><th scope="col">"Item"</th><th scope="col">"Price"</th><th scope="col">"Available"</th>
                                    <th scope="col">"Held by shoppers"</th><th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| {
                                        let id = r.id.clone();
                                        let active = r.status == "active";
                                        view! {
                                            <tr>
                                                <td><a href=format!("/app/inventory/{}", r.item_id)>{r.title.clone()}</a></td>
                                                <td>{r.price.to_string()}</td>
                                                <td>{r.available}</td>
                                                <td>{if r.reserved == 0 { "—".to_string() } else {
                                                    format!("{} in {} order{}", r.reserved, r.holding_orders, if r.holding_orders == 1 { "" } else { "s" })
                                                }}</td>
                                                <td><span class="status-pill" data-status=if active { "listed" } else { "sold" }>{if active { "On sale" } else { "Sold out" }}</span></td>
                                                <td>{active.then(|| view! {
                                                    <button class="button button-small" type="button"
                                                        on:click=move |_| { withdraw.dispatch(api::WithdrawListing { listing_id: id.clone() }); }>"Withdraw"</button>
                                                })}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// On an item page: list it in the store at a price (or change the listing).
#[component]
pub fn ListOnStore(
    item_id: String,
    held: i64,
    current: Option<ListingRow>,
    on_change: Callback<()>,
) -> impl IntoView {
    let save = ServerAction::<api::ListItem>::new();
    let price = RwSignal::new(String::new());
    let quantity = RwSignal::new(String::new());
    let max_per_order = RwSignal::new(
        current
            .as_ref()
            .and_then(|l| l.max_per_order)
            .map(|m| m.to_string())
            .unwrap_or_default(),
    );
    let local = RwSignal::new(None::<AppError>);
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            on_change.run(());
        }
    });
    let error = Memo::new(move |_| {
        local
            .get()
            .or_else(|| save.value().get().and_then(|r| r.err()))
    });
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_error(f)));
    let banner = Signal::derive(move || {
        error.get().and_then(|e| match &e {
            AppError::Validation { fields, .. }
                if fields.get("price").is_some()
                    || fields.get("quantity").is_some()
                    || fields.get("max_per_order").is_some() =>
            {
                None
            }
            _ => Some(e.to_string()),
        })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        local.set(None);
        save.dispatch(api::ListItem {
            item_id: item_id.clone(),
            input: ListingInput {
                price: price.get_untracked(),
                quantity: quantity.get_untracked(),
                max_per_order: max_per_order.get_untracked(),
            },
        });
    };
    view! {
        <section class="card sub-form" aria-labelledby="sell-in-store">
            <h2 id="sell-in-store">"Sell in your store"</h2>
            {match current {
                Some(l) => view! { <ListingSummary listing=l/> }.into_any(),
                None => view! { <p class="muted">"Not listed. Set a price to offer it on your storefront."</p> }.into_any(),
            }}
            <form class="form form-inline" on:submit=submit>
                <ErrorBanner message=banner/>
                <TextField id="listing-price" label="Price" value=price error=field("price") hint="What shoppers pay per unit."/>
                <TextField id="listing-quantity" label="Units to offer" value=quantity error=field("quantity")
                    hint=format!("Leave empty to offer all {held}.")/>
                <TextField id="listing-max-per-order" label="Most per order" value=max_per_order error=field("max_per_order")
                    hint="Stops one buyer (or bot) from holding them all. Leave empty for no limit."/>
                <button class="button button-primary" type="submit" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save listing" }}
                </button>
            </form>
        </section>
    }
}

#[component]
fn ListingSummary(listing: ListingRow) -> impl IntoView {
    view! {
        <p>
            {if listing.status == "active" { "On sale at " } else { "Sold out at " }}
            <strong>{listing.price.to_string()}</strong>
            {format!(
                " · {} available · {} held by shoppers in {}{}",
                listing.available,
                listing.reserved,
                crate::ui::count_of(listing.holding_orders, "unpaid orders"),
                listing.max_per_order.map(|m| format!(" · at most {m} per order")).unwrap_or_default()
            )}
            " · "<a href="/app/store/listings">"All listings"</a>
        </p>
    }
}
