//! The add / edit form of a wanted item on a list's page (a new item may be a size run).

use leptos::prelude::*;

use super::{
    api,
    pages::{errors_of, passes},
};
use crate::{
    domain::{
        Currency,
        item::{CardCondition, SneakerCondition},
        wtb::{WtbItem, WtbItemInput, expand_size_run, validate_wtb_item},
    },
    error::AppError,
    ui::{ErrorBanner, TextArea, TextField},
};

#[component]
pub fn WantedItemForm(
    list_id: String,
    currency: Currency,
    editing: RwSignal<Option<WtbItem>>,
    reload: Callback<()>,
) -> impl IntoView {
    let save = ServerAction::<api::SaveItem>::new();
    let fields: [RwSignal<String>; 10] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let [
        name,
        style_id,
        product_id,
        size,
        condition,
        grade,
        quantity,
        max_price,
        money,
        notes,
    ] = fields;
    let fill = move |input: WtbItemInput| {
        name.set(input.name);
        style_id.set(input.style_id);
        product_id.set(input.product_id);
        size.set(input.size);
        condition.set(input.condition);
        grade.set(input.grade);
        quantity.set(input.quantity);
        max_price.set(input.max_price);
        money.set(input.currency);
        notes.set(input.notes);
    };
    let blank = move || WtbItemInput {
        currency: currency.code().to_string(),
        quantity: "1".into(),
        ..Default::default()
    };
    fill(blank());
    Effect::new(move |_| match editing.get() {
        Some(item) => fill(item.to_input(currency)),
        None => fill(blank()),
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            editing.set(None);
            reload.run(());
        }
    });
    let local = RwSignal::new(None::<AppError>);
    let (field, banner) = errors_of(Signal::derive(move || {
        local
            .get()
            .or_else(|| save.value().get().and_then(|r| r.err()))
    }));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let item_id = editing.get_untracked().map(|i| i.id);
        let input = WtbItemInput {
            name: name.get_untracked(),
            product_id: product_id.get_untracked(),
            style_id: style_id.get_untracked(),
            size: size.get_untracked(),
            condition: condition.get_untracked(),
            grade: grade.get_untracked(),
            quantity: quantity.get_untracked(),
            max_price: max_price.get_untracked(),
            currency: money.get_untracked(),
            notes: notes.get_untracked(),
        };
        let ok = if item_id.is_some() {
            passes(local, validate_wtb_item(&input, currency))
        } else {
            passes(local, expand_size_run(&input, currency))
        };
        if ok {
            save.dispatch(api::SaveItem {
                list_id: list_id.clone(),
                item_id,
                input,
            });
        }
    };
    let conditions: Vec<(&'static str, &'static str)> = SneakerCondition::ALL
        .iter()
        .map(|c| (c.as_str(), c.label()))
        .chain(CardCondition::ALL.iter().map(|c| (c.as_str(), c.label())))
        .collect();
    view! {
        <form class="form card sub-form" on:submit=submit aria-labelledby="wanted-form-title">
            <h3 id="wanted-form-title">{move || match editing.get() {
                Some(i) => format!("Edit “{}”", i.name),
                None => "Add a wanted item".to_string(),
            }}</h3>
            <ErrorBanner message=banner/>
            <div class="form-grid">
                <TextField id="wanted-name" label="What you want" value=name error=field("name") maxlength=200
                    hint="As you would say it: “Jordan 1 Chicago 2022”, “Charizard Base Set”."/>
                <TextField id="wanted-style" label="Style id" value=style_id error=field("style_id")
                    hint="Sneakers: matched against storefront listings."/>
                <TextField id="wanted-product" label="Catalog product id" value=product_id error=field("product_id") maxlength=64/>
                <TextField id="wanted-size" label="Size" value=size error=field("size") maxlength=120
                    hint="“10.5”, “OS”, or when adding a size run: “9, 9.5, 10” or “8-11” (one item per size)."/>
                <div class="field" class:field-invalid=move || field("condition").get().is_some()>
                    <label for="wanted-condition">"Condition"</label>
                    <select id="wanted-condition" on:change=move |ev| condition.set(event_target_value(&ev))>
                        <option value="" selected=move || condition.get().is_empty()>"Any condition"</option>
                        {conditions.into_iter().map(|(value, label)| view! {
                            <option value=value selected=move || condition.get() == value>{label}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error" role="alert">{move || field("condition").get().unwrap_or_default()}</p>
                </div>
                <TextField id="wanted-grade" label="Grade" value=grade error=field("grade") maxlength=12 hint="“PSA 10”, “9.5”"/>
                <TextField id="wanted-quantity" label="How many" value=quantity error=field("quantity") maxlength=4/>
                <TextField id="wanted-max-price" label="Most you would pay (each)" value=max_price error=field("max_price")
                    hint="Leave empty to take offers."/>
                <div class="field" class:field-invalid=move || field("currency").get().is_some()>
                    <label for="wanted-currency">"Currency"</label>
                    <select id="wanted-currency" on:change=move |ev| money.set(event_target_value(&ev))>
                        {Currency::ALL.iter().map(|c| view! { <option value=c.code() selected=move || money.get() == c.code()>{c.code()}</option> }).collect_view()}
                    </select>
                    <p class="field-error" role="alert">{move || field("currency").get().unwrap_or_default()}</p>
                </div>
            </div>
            <TextArea id="wanted-notes" label="Notes" value=notes error=field("notes") hint="Anything a seller should know."/>
            <div class="page-actions">
                <button class="button button-primary" type="submit" disabled=move || save.pending().get()>
                    {move || match (save.pending().get(), editing.get().is_some()) {
                        (true, _) => "Saving…",
                        (false, true) => "Save changes",
                        (false, false) => "Add to list",
                    }}
                </button>
                <Show when=move || editing.get().is_some()>
                    <button class="button button-ghost" type="button" on:click=move |_| editing.set(None)>"Cancel"</button>
                </Show>
            </div>
        </form>
    }
}
