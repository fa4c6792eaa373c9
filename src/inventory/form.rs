//! The add/edit item form: kind-specific fields, validated in the browser with the same
//! domain validators the server runs.

use leptos::prelude::*;

use crate::{
    domain::{
        Currency,
        item::{
            BoxCondition, CardCondition, GradingCompany, ItemInput, ItemKind, SizeSystem,
            SneakerCondition,
        },
    },
    error::AppError,
};

type Lens = fn(&mut ItemInput) -> &mut String;

/// One input bound to a field of the form's `ItemInput`.
#[component]
fn Field(
    form: RwSignal<ItemInput>,
    lens: Lens,
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    errors: Memo<Option<AppError>>,
    #[prop(into, default = "text".to_string())] kind: String,
    #[prop(into, default = String::new())] placeholder: String,
    #[prop(into, default = String::new())] hint: String,
) -> impl IntoView {
    let error_id = format!("item-{id}-error");
    let field_id = format!("item-{id}");
    let key = id.clone();
    let error = Memo::new(move |_| errors.get().and_then(|e| e.field_error(&key)));
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=field_id.clone()>{label}</label>
            {if kind == "textarea" {
                view! {
                    <textarea id=field_id.clone() name=id.clone() rows="3" placeholder=placeholder
                        prop:value=move || lens(&mut form.get()).clone()
                        on:input=move |ev| form.update(|f| *lens(f) = event_target_value(&ev))
                        aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                        aria-describedby=error_id.clone()></textarea>
                }.into_any()
            } else {
                view! {
                    <input id=field_id.clone() name=id.clone() type=kind placeholder=placeholder
                        prop:value=move || lens(&mut form.get()).clone()
                        on:input=move |ev| form.update(|f| *lens(f) = event_target_value(&ev))
                        aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                        aria-describedby=error_id.clone()/>
                }.into_any()
            }}
            {(!hint.is_empty()).then(|| view! { <p class="field-hint">{hint.clone()}</p> })}
            <p class="field-error" id=error_id role="alert">{move || error.get().unwrap_or_default()}</p>
        </div>
    }
}

/// A select bound to a field; `options` are (value, label) pairs.
#[component]
fn Choice(
    form: RwSignal<ItemInput>,
    lens: Lens,
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    options: Vec<(&'static str, &'static str)>,
    errors: Memo<Option<AppError>>,
    #[prop(default = true)] allow_empty: bool,
) -> impl IntoView {
    let field_id = format!("item-{id}");
    let key = id.clone();
    let error = Memo::new(move |_| errors.get().and_then(|e| e.field_error(&key)));
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=field_id.clone()>{label}</label>
            <select id=field_id name=id
                prop:value=move || lens(&mut form.get()).clone()
                on:change=move |ev| form.update(|f| *lens(f) = event_target_value(&ev))>
                {allow_empty.then(|| view! { <option value="">"—"</option> })}
                {options.into_iter().map(|(value, text)| view! {
                    <option value=value selected=move || *lens(&mut form.get()) == value>{text}</option>
                }).collect_view()}
            </select>
            <p class="field-error" role="alert">{move || error.get().unwrap_or_default()}</p>
        </div>
    }
}

fn options<T: Copy + 'static>(
    all: &'static [T],
    value: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (value(*v), label(*v))).collect()
}

/// The whole form; `errors` holds the last validation or server error.
#[component]
pub fn ItemFields(form: RwSignal<ItemInput>, errors: Memo<Option<AppError>>) -> impl IntoView {
    let kind = Memo::new(move |_| ItemKind::parse(&form.get().kind));
    let currencies: Vec<(&'static str, &'static str)> =
        Currency::ALL.iter().map(|c| (c.code(), c.code())).collect();
    // A product picked from the catalog fills what it knows; the reseller can change any field.
    let pick = move |s: crate::catalog::types::Suggestion| {
        form.update(|f| {
            let text = |v: &Option<String>| v.clone().unwrap_or_default();
            f.kind = s.kind.clone();
            f.name = s.name.clone();
            f.catalog_product_id = s.product_id.clone();
            match s.kind.as_str() {
                "sneaker" => {
                    f.brand = text(&s.brand);
                    f.style_id = s
                        .style_id
                        .as_deref()
                        .and_then(|id| id.split('/').next_back())
                        .unwrap_or("")
                        .to_string();
                    f.colorway = text(&s.colorway);
                    // A scanned box's barcode names its size too.
                    if let Some((system, size)) = &s.size {
                        f.size_system = system.clone();
                        f.size = size.clone();
                    }
                }
                "card" => {
                    f.game = text(&s.game);
                    f.card_set = s
                        .set_name
                        .clone()
                        .or(s.set_code.clone())
                        .unwrap_or_default();
                    f.card_number = text(&s.number);
                    f.language = text(&s.language);
                }
                _ => {}
            }
            if f.image_urls.trim().is_empty()
                && let Some(url) = &s.image_url
            {
                f.image_urls = url.clone();
            }
        });
    };
    view! {
        <fieldset class="form-section">
            <legend>"The item"</legend>
            <crate::catalog::ProductPicker on_pick=pick/>
            <Show when=move || !form.with(|f| f.catalog_product_id.is_empty())>
                <p class="field-hint catalog-link">
                    "Linked to a catalog product: its market price keeps this item's value current. "
                    <button type="button" class="link-button"
                        on:click=move |_| form.update(|f| f.catalog_product_id.clear())>
                        "Unlink"
                    </button>
                </p>
            </Show>
            <div class="form-grid">
                <Choice form lens=|f| &mut f.kind id="kind" label="Kind" errors allow_empty=false
                    options=options(ItemKind::ALL, ItemKind::as_str, ItemKind::label)/>
                <Field form lens=|f| &mut f.name id="name" label="Name" errors placeholder="Jordan 1 Retro High OG 'Chicago'"/>
                <Field form lens=|f| &mut f.sku id="sku" label="SKU" errors/>
                <Field form lens=|f| &mut f.quantity id="quantity" label="Quantity" errors kind="number"/>
            </div>
        </fieldset>
        <Show when=move || kind.get() == Some(ItemKind::Sneaker)>
            <fieldset class="form-section">
                <legend>"Sneaker"</legend>
                <div class="form-grid">
                    <Field form lens=|f| &mut f.brand id="brand" label="Brand" errors/>
                    <Field form lens=|f| &mut f.style_id id="style_id" label="Style id" errors placeholder="555088-101"/>
                    <Field form lens=|f| &mut f.colorway id="colorway" label="Colorway" errors/>
                    <Choice form lens=|f| &mut f.size_system id="size_system" label="Size system" errors
                        options=options(SizeSystem::ALL, SizeSystem::as_str, SizeSystem::label)/>
                    <Field form lens=|f| &mut f.size id="size" label="Size" errors placeholder="10.5"/>
                    <Choice form lens=|f| &mut f.sneaker_condition id="sneaker_condition" label="Condition" errors
                        options=options(SneakerCondition::ALL, SneakerCondition::as_str, SneakerCondition::label)/>
                    <Choice form lens=|f| &mut f.box_condition id="box_condition" label="Box" errors
                        options=options(BoxCondition::ALL, BoxCondition::as_str, BoxCondition::label)/>
                </div>
            </fieldset>
        </Show>
        <Show when=move || kind.get() == Some(ItemKind::Card)>
            <fieldset class="form-section">
                <legend>"Card"</legend>
                <div class="form-grid">
                    <Field form lens=|f| &mut f.game id="game" label="Game" errors placeholder="Pokémon"/>
                    <Field form lens=|f| &mut f.card_set id="card_set" label="Set" errors/>
                    <Field form lens=|f| &mut f.card_number id="card_number" label="Number" errors/>
                    <Field form lens=|f| &mut f.language id="language" label="Language" errors/>
                    <Field form lens=|f| &mut f.finish id="finish" label="Printing / finish" errors placeholder="Holo, 1st edition…"/>
                    <Choice form lens=|f| &mut f.card_condition id="card_condition" label="Condition (raw)" errors
                        options=options(CardCondition::ALL, CardCondition::as_str, CardCondition::label)/>
                    <Choice form lens=|f| &mut f.grading_company id="grading_company" label="Grading company" errors
                        options=options(GradingCompany::ALL, GradingCompany::as_str, GradingCompany::label)/>
                    <Field form lens=|f| &mut f.grade id="grade" label="Grade" errors placeholder="9.5"/>
                    <Field form lens=|f| &mut f.cert_number id="cert_number" label="Cert number" errors/>
                </div>
            </fieldset>
        </Show>
        <Show when=move || matches!(kind.get(), Some(ItemKind::Sealed | ItemKind::Other))>
            <fieldset class="form-section">
                <legend>"Details"</legend>
                <Field form lens=|f| &mut f.attributes id="attributes" label="Attributes" errors kind="textarea"
                    hint="One per line, as name: value (e.g. Language: Japanese)."/>
            </fieldset>
        </Show>
        <fieldset class="form-section">
            <legend>"Purchase"</legend>
            <div class="form-grid">
                <Field form lens=|f| &mut f.purchase_price id="purchase_price" label="Purchase price (per unit)" errors placeholder="180.00"/>
                <Choice form lens=|f| &mut f.currency id="currency" label="Currency" errors allow_empty=false options=currencies/>
                <Field form lens=|f| &mut f.purchase_date id="purchase_date" label="Purchase date" errors kind="date"/>
                <Field form lens=|f| &mut f.purchase_source id="purchase_source" label="Bought from" errors placeholder="Nike SNKRS, a person, eBay…"/>
                <Field form lens=|f| &mut f.storage_location id="storage_location" label="Storage location" errors placeholder="Shelf B3"/>
                <Field form lens=|f| &mut f.tags id="tags" label="Tags" errors hint="Separated by commas."/>
            </div>
            <Field form lens=|f| &mut f.image_urls id="image_urls" label="Image links" errors kind="textarea" hint="One https:// link per line."/>
            <Field form lens=|f| &mut f.notes id="notes" label="Notes" errors kind="textarea"/>
        </fieldset>
    }
}
