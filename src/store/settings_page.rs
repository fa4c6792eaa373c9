//! Store settings: name, address, description, logo, currency, shipping, policies, FAQ and
//! the payment instructions shown to buyers when Stripe is not set up.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{api, types::StoreSettingsView};
use crate::{
    domain::{
        Currency,
        store::{StoreSettingsInput, validate_store_settings},
    },
    error::AppError,
    ui::{ErrorBanner, LoadError, TextArea, TextField},
};

#[component]
pub fn StoreSettingsPage() -> impl IntoView {
    let settings = Resource::new(|| (), |_| api::get_settings());
    view! {
        <Title text="Store settings · Flipdesk"/>
        <div class="page-header"><h1>"Store settings"</h1><p class="muted">"How your storefront looks, ships and gets paid."</p></div>
        <Suspense fallback=|| view! { <p class="loading" aria-live="polite">"Loading settings…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(view) => view! { <SettingsForm saved=view/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SettingsForm(saved: StoreSettingsView) -> impl IntoView {
    let s = saved.input.clone();
    let slug = RwSignal::new(saved.slug.clone());
    let name = RwSignal::new(s.name);
    let tagline = RwSignal::new(s.tagline);
    let description = RwSignal::new(s.description);
    let logo_url = RwSignal::new(s.logo_url);
    let currency = RwSignal::new(s.currency);
    let ships_from = RwSignal::new(s.ships_from);
    let rates = RwSignal::new(s.shipping_rates);
    let free_over = RwSignal::new(s.free_shipping_over);
    let policies = RwSignal::new(s.policies);
    let faq = RwSignal::new(s.faq);
    let instructions = RwSignal::new(s.payment_instructions);
    let save = ServerAction::<api::SaveSettings>::new();
    let local = RwSignal::new(None::<AppError>);
    let error = Memo::new(move |_| {
        local
            .get()
            .or_else(|| save.value().get().and_then(|r| r.err()))
    });
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_error(f)));
    let banner = Signal::derive(move || error.get().map(|e| e.to_string()));
    let done = Signal::derive(move || matches!(save.value().get(), Some(Ok(_))));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = StoreSettingsInput {
            name: name.get_untracked(),
            tagline: tagline.get_untracked(),
            description: description.get_untracked(),
            logo_url: logo_url.get_untracked(),
            currency: currency.get_untracked(),
            ships_from: ships_from.get_untracked(),
            shipping_rates: rates.get_untracked(),
            free_shipping_over: free_over.get_untracked(),
            policies: policies.get_untracked(),
            faq: faq.get_untracked(),
            payment_instructions: instructions.get_untracked(),
        };
        if let Err(fields) = validate_store_settings(&input) {
            local.set(Some(AppError::validation(fields)));
            return;
        }
        local.set(None);
        save.dispatch(api::SaveSettings {
            slug: slug.get_untracked(),
            input,
        });
    };
    view! {
        <form class="form item-form" on:submit=submit novalidate>
            <ErrorBanner message=banner/>
            <Show when=move || done.get()>
                <div class="banner banner-success" role="status">"Saved. "<a href=move || format!("/s/{}", slug.get())>"View your storefront"</a></div>
            </Show>
            <fieldset class="form-section"><legend>"Storefront"</legend>
                <div class="form-grid">
                    <TextField id="store-name" label="Store name" value=name error=field("name") maxlength=80/>
                    <TextField id="store-slug" label="Address" value=slug error=field("slug") maxlength=60 hint="Shoppers visit /s/<address>."/>
                    <TextField id="store-tagline" label="Tagline" value=tagline error=field("tagline") maxlength=140/>
                    <TextField id="store-logo" label="Logo URL" value=logo_url error=field("logo_url") maxlength=500 hint="An https:// image address."/>
                </div>
                <TextArea id="store-description" label="Description" value=description error=field("description") hint="Shown at the top of your catalog."/>
            </fieldset>
            <fieldset class="form-section"><legend>"Prices and shipping"</legend>
                <div class="form-grid">
                    <div class="field">
                        <label for="store-currency">"Currency"</label>
                        <select id="store-currency" on:change=move |ev| currency.set(event_target_value(&ev))>
                            {Currency::ALL.iter().map(|c| view! { <option value=c.code() selected=move || currency.get() == c.code()>{c.code()}</option> }).collect_view()}
                        </select>
                        <p class="field-error" role="alert">{move || field("currency").get().unwrap_or_default()}</p>
                    </div>
                    <TextField id="store-ships-from" label="Ships from (country code)" value=ships_from error=field("ships_from") maxlength=2/>
                    <TextField id="store-free-over" label="Free shipping from" value=free_over error=field("free_shipping_over") hint="Order subtotal; leave empty for none."/>
                </div>
                <TextArea id="store-rates" label="Shipping rates" value=rates error=field("shipping_rates")
                    hint="One per line: a country code and a price, like “US 8.00”; “* 30” for everywhere else. No rates: free shipping in your own country only."/>
            </fieldset>
            <fieldset class="form-section"><legend>"Policies and payment"</legend>
                <TextArea id="store-policies" label="Policies" value=policies error=field("policies") hint="Returns, authenticity, handling time."/>
                <TextArea id="store-faq" label="FAQ" value=faq error=field("faq") hint="Questions shoppers ask you often."/>
                <TextArea id="store-instructions" label="Payment instructions" value=instructions error=field("payment_instructions")
                    hint="Sent to buyers when card payments are not set up (bank transfer, PayPal…)."/>
            </fieldset>
            <div class="form-actions">
                <button class="button button-primary" type="submit" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save settings" }}
                </button>
            </div>
        </form>
    }
}
