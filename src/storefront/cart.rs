//! The cart (kept in this browser, per store) and checkout. The browser remembers only
//! listing ids and quantities; the server prices every line and the shipping each time.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::types::PricedCart;
use super::{StoreFrame, api, store_page, types::PublicStore};
use crate::{
    domain::{
        address::{COUNTRIES, needs_region},
        store::{
            CheckoutLine, CheckoutRequest, MAX_LINE_QUANTITY, ShippingAddress, validate_checkout,
        },
    },
    error::AppError,
    ui::{ErrorBanner, TextField, platform, safe_title},
};

fn cart_key(store: &str) -> String {
    format!("flipdesk-cart-{store}")
}

fn load_cart(store: &str) -> Vec<CheckoutLine> {
    platform::stored(&cart_key(store))
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

fn save_cart(store: &str, lines: &[CheckoutLine]) {
    platform::store(
        &cart_key(store),
        &serde_json::to_string(lines).unwrap_or_default(),
    );
}

#[component]
pub fn CartPage() -> impl IntoView {
    let params = use_params_map();
    let store = Resource::new(
        move || params.read().get("store").unwrap_or_default(),
        api::get_public_store,
    );
    store_page(
        store,
        "Store not found",
        |store: PublicStore| view! { <Cart store/> },
    )
}

#[component]
fn Cart(store: PublicStore) -> impl IntoView {
    let slug = store.slug.clone();
    let query = use_query_map();
    // Empty until the browser has read its saved cart (the server has none).
    let lines = RwSignal::new(Vec::<CheckoutLine>::new());
    let loaded = RwSignal::new(false);
    {
        let slug = slug.clone();
        Effect::new(move |_| {
            let mut cart = load_cart(&slug);
            let q = query.read_untracked();
            if let Some(add) = q.get("add").filter(|a| !a.is_empty() && a.len() <= 64) {
                let qty = q
                    .get("qty")
                    .and_then(|n| n.parse::<i64>().ok())
                    .unwrap_or(1)
                    .clamp(1, MAX_LINE_QUANTITY);
                match cart.iter_mut().find(|l| l.listing_id == add) {
                    Some(line) => line.quantity = (line.quantity + qty).min(MAX_LINE_QUANTITY),
                    None => cart.push(CheckoutLine {
                        listing_id: add,
                        quantity: qty,
                    }),
                }
                save_cart(&slug, &cart);
                platform::replace_address(&format!("/s/{slug}/cart"));
            }
            lines.set(cart);
            loaded.set(true);
        });
    }
    let set_lines = {
        let slug = slug.clone();
        Callback::new(move |new: Vec<CheckoutLine>| {
            save_cart(&slug, &new);
            lines.set(new);
        })
    };
    let country = RwSignal::new(String::new());
    // The server prices what the shopper has now. Each answer carries what it priced, so an
    // answer that arrives after newer input is shown as "updating" and never replaces that
    // input: the quantities on screen are the shopper's, not the server's.
    let priced = Resource::new(move || (loaded.get(), lines.get(), country.get()), {
        let slug = slug.clone();
        move |(loaded, lines, country): (bool, Vec<CheckoutLine>, String)| {
            let slug = slug.clone();
            async move {
                if !loaded || lines.is_empty() {
                    return Ok(None);
                }
                let cart = api::price_cart(slug, lines.clone(), country.clone()).await?;
                Ok::<_, AppError>(Some((lines, country, cart)))
            }
        }
    });
    let latest = RwSignal::new(None::<(Vec<CheckoutLine>, String, PricedCart)>);
    let failed = RwSignal::new(None::<AppError>);
    Effect::new(move |_| match priced.get() {
        Some(Ok(Some(answer))) => {
            failed.set(None);
            latest.set(Some(answer));
        }
        Some(Err(e)) => failed.set(Some(e)),
        _ => {}
    });
    let updating = Memo::new(move |_| {
        latest.with(|l| match l {
            Some((priced_lines, priced_country, _)) => {
                lines.with(|now| now != priced_lines || country.with(|c| c != priced_country))
            }
            None => true,
        })
    });
    let title = safe_title(&format!("Cart · {}", store.name));
    let home = format!("/s/{slug}");
    let form_store = store.clone();
    // Only emptiness redraws the page (the form keeps what was typed when lines change).
    let has_lines = Memo::new(move |_| !lines.with(Vec::is_empty));
    view! {
        <Title text=title/>
        <StoreFrame store=store.clone()>
            <h1>"Your cart"</h1>
            {move || {
                if !loaded.get() {
                    return view! { <p class="loading" aria-live="polite">"Opening your cart…"</p> }.into_any();
                }
                if !has_lines.get() {
                    return view! {
                        <section class="empty-state">
                            <h2>"Your cart is empty"</h2>
                            <p>"Find something you like and add it here."</p>
                            <a class="button button-primary" href=home.clone()>"Browse the store"</a>
                        </section>
                    }.into_any();
                }
                view! {
                    {move || failed.get().map(|error| view! { <crate::ui::LoadError error/> })}
                    <CartLines lines set_lines latest updating/>
                    <CheckoutForm store=form_store.clone() lines country/>
                }.into_any()
            }}
        </StoreFrame>
    }
}

/// The cart's rows, keyed by listing: a row (and its quantity field) stays while prices are
/// worked out again, so typing is never undone by an answer about older input.
#[component]
fn CartLines(
    lines: RwSignal<Vec<CheckoutLine>>,
    set_lines: Callback<Vec<CheckoutLine>>,
    latest: RwSignal<Option<(Vec<CheckoutLine>, String, PricedCart)>>,
    updating: Memo<bool>,
) -> impl IntoView {
    let change = move |id: &str, qty: i64| {
        let mut next = lines.get_untracked();
        if qty <= 0 {
            next.retain(|l| l.listing_id != id);
        } else if let Some(l) = next.iter_mut().find(|l| l.listing_id == id) {
            l.quantity = qty.min(MAX_LINE_QUANTITY);
        }
        set_lines.run(next);
    };
    let priced_line = move |id: &str| {
        latest.with(|l| {
            l.as_ref()
                .and_then(|(_, _, cart)| cart.lines.iter().find(|p| p.listing_id == id).cloned())
        })
    };
    let totals = move || latest.with(|l| l.as_ref().map(|(_, _, cart)| cart.clone()));
    view! {
        <table class="simple-table cart-table" aria-busy=move || updating.get().to_string()>
            <thead><tr><th scope="col">"Item"</th><th scope="col">"Price"</th><th scope="col">"Quantity"</th><th scope="col"><span class="visually-hidden">"Remove"</span></th></tr></thead>
            <tbody>
                <For each=move || lines.get() key=|l| l.listing_id.clone() let:line>
                    {
                        let id = line.listing_id.clone();
                        let (id_title, id_price, id_problem, id_max, id_label, id_qty, id_input, id_remove) =
                            (id.clone(), id.clone(), id.clone(), id.clone(), id.clone(), id.clone(), id.clone(), id.clone());
                        view! {
                            <tr class:row-problem=move || priced_line(&id_problem).is_some_and(|p| p.problem.is_some())>
                                <td>
                                    {move || priced_line(&id_title).map(|p| p.title).unwrap_or_else(|| "…".into())}
                                    {move || priced_line(&id).and_then(|p| p.problem).map(|p| view! { <span class="field-error cart-problem">{p}</span> })}
                                </td>
                                <td>{move || priced_line(&id_price).map(|p| p.unit_price.to_string()).unwrap_or_default()}</td>
                                <td>
                                    <input class="qty-input" type="number" min="1" inputmode="numeric"
                                        max=move || priced_line(&id_max).map(|p| p.available.max(1)).unwrap_or(MAX_LINE_QUANTITY)
                                        aria-label=move || format!("Quantity of {}", priced_line(&id_label).map(|p| p.title).unwrap_or_default())
                                        prop:value=move || lines.with(|ls| ls.iter().find(|l| l.listing_id == id_qty).map(|l| l.quantity.to_string()).unwrap_or_default())
                                        on:input=move |ev| {
                                            // Every keystroke that reads as a quantity counts at once.
                                            if let Ok(q) = event_target_value(&ev).trim().parse::<i64>()
                                                && q >= 1
                                            {
                                                change(&id_input, q);
                                            }
                                        }/>
                                </td>
                                <td><button class="button button-ghost button-small" type="button" on:click=move |_| change(&id_remove, 0)>"Remove"</button></td>
                            </tr>
                        }
                    }
                </For>
            </tbody>
        </table>
        <Show when=move || updating.get()>
            <p class="loading" aria-live="polite">"Updating prices…"</p>
        </Show>
        {move || totals().map(|cart| {
            let shipping = cart
                .shipping
                .map(|s| if s.amount == 0 { "Free".to_string() } else { s.to_string() })
                .unwrap_or_else(|| "Not shipped to this country".to_string());
            view! {
                <dl class="facts totals-list" class:stale=move || updating.get()>
                    <dt>"Subtotal"</dt><dd>{cart.subtotal.to_string()}</dd>
                    <dt>"Shipping"</dt><dd>{shipping}</dd>
                    <dt>"Total"</dt><dd class="total-figure">{cart.total.map(|t| t.to_string()).unwrap_or_else(|| "—".into())}</dd>
                </dl>
            }
        })}
    }
}

#[component]
fn CheckoutForm(
    store: PublicStore,
    lines: RwSignal<Vec<CheckoutLine>>,
    country: RwSignal<String>,
) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let line1 = RwSignal::new(String::new());
    let line2 = RwSignal::new(String::new());
    let city = RwSignal::new(String::new());
    let postal = RwSignal::new(String::new());
    let region = RwSignal::new(String::new());
    let local = RwSignal::new(None::<AppError>);
    let checkout = ServerAction::<api::Checkout>::new();
    // One key per cart and address: a double click or a retry after a network error is the
    // same checkout; any change makes a new one.
    let key = Memo::new(move |_| {
        let _ = (
            lines.get(),
            email.get(),
            country.get(),
            name.get(),
            line1.get(),
            line2.get(),
            city.get(),
            postal.get(),
            region.get(),
        );
        platform::random_key()
    });
    let error = Memo::new(move |_| {
        local
            .get()
            .or_else(|| checkout.value().get().and_then(|r| r.err()))
    });
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_error(f)));
    let banner = Signal::derive(move || match error.get() {
        Some(AppError::Validation { fields, .. }) => {
            fields.get("shipping_address").map(str::to_string)
        }
        None => None,
        Some(e) => Some(e.to_string()),
    });
    let slug = store.slug.clone();
    Effect::new(move |_| {
        if let Some(Ok(created)) = checkout.value().get() {
            save_cart(&slug, &[]);
            platform::hard_navigate(&created.checkout_url);
        }
    });
    let store_slug = store.slug.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = CheckoutRequest {
            store: store_slug.clone(),
            lines: lines.get_untracked(),
            email: email.get_untracked(),
            shipping_address: Some(ShippingAddress {
                name: name.get_untracked(),
                line1: line1.get_untracked(),
                line2: line2.get_untracked(),
                city: city.get_untracked(),
                postal_code: postal.get_untracked(),
                region: region.get_untracked(),
                country: country.get_untracked(),
            }),
        };
        // The storefront always asks for the whole address, card payment or not.
        if let Err(fields) = validate_checkout(&request, false) {
            local.set(Some(AppError::validation(fields)));
            return;
        }
        local.set(None);
        checkout.dispatch(api::Checkout {
            request,
            key: key.get_untracked(),
        });
    };
    let pending = checkout.pending();
    let pay = if store.pays_by_card {
        "Continue to payment"
    } else {
        "Place order"
    };
    let region_label = Signal::derive(move || match country.get().as_str() {
        "US" => "State",
        "CA" => "Province",
        c if needs_region(c) => "State or region",
        _ => "Region (optional)",
    });
    let country_error = field("shipping_address.country");
    view! {
        <form class="form checkout-form" on:submit=submit novalidate>
            <h2>"Delivery"</h2>
            <ErrorBanner message=banner/>
            <TextField id="email" label="Email" kind="email" autocomplete="email" value=email error=field("email")
                hint="We send your order confirmation and tracking here."/>
            <div class="field">
                <label for="ship-country">"Country"</label>
                <select id="ship-country" autocomplete="country" aria-invalid=move || country_error.get().is_some().to_string()
                    on:change=move |ev| country.set(event_target_value(&ev))>
                    <option value="" selected=move || country.with(String::is_empty)>"Choose your country"</option>
                    {COUNTRIES.iter().map(|(code, name)| view! {
                        <option value=*code selected=move || country.with(|c| c == code)>{*name}</option>
                    }).collect_view()}
                </select>
                {move || country_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
            <TextField id="ship-name" label="Full name" autocomplete="name" value=name error=field("shipping_address.name")/>
            <TextField id="ship-line1" label="Address" autocomplete="address-line1" value=line1 error=field("shipping_address.line1")/>
            <TextField id="ship-line2" label="Apartment, suite (optional)" autocomplete="address-line2" value=line2 error=field("shipping_address.line2")/>
            <div class="form-grid">
                <TextField id="ship-city" label="City" autocomplete="address-level2" value=city error=field("shipping_address.city")/>
                <TextField id="ship-postal" label="Postal code" autocomplete="postal-code" value=postal error=field("shipping_address.postal_code")/>
                <div class="field">
                    <label for="ship-region">{move || region_label.get()}</label>
                    <input id="ship-region" autocomplete="address-level1" prop:value=move || region.get()
                        on:input=move |ev| region.set(event_target_value(&ev))/>
                    {move || field("shipping_address.region").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                </div>
            </div>
            <p class="muted">{if store.pays_by_card {
                "You pay on Stripe's secure page. Your items are held for 10 minutes."
            } else {
                "After you order, you get the store's payment instructions by email. Your items are held for you for a few days (your order page shows until when); the store confirms your order when your payment arrives."
            }}</p>
            // The server prices the order again as it places it: no need to wait for the cart.
            <button class="button button-primary button-large" type="submit" disabled=move || pending.get()>
                {move || if pending.get() { "Placing your order…" } else { pay }}
            </button>
        </form>
    }
}
