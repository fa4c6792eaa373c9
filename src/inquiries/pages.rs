//! The storefront's contact page (`/s/{store}/contact`, "Ask about this item" adds the
//! item) and the store view's inquiries page (`/app/store/inquiries`): new, answered and
//! archived questions, answered by mail from the page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    api,
    types::{ContactForm, InquiryView},
};
use crate::{
    domain::inquiry::{InquiryInput, InquiryStatus, MAX_MESSAGE, validate_inquiry, validate_reply},
    error::AppError,
    storefront::{StoreFrame, store_page},
    ui::{ErrorBanner, LoadError, LocalTime, TextArea, TextField, safe_title},
};

#[component]
pub fn ContactPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let form = Resource::new(
        move || {
            (
                params.read().get("store").unwrap_or_default(),
                query.read().get("listing"),
            )
        },
        |(store, listing)| api::open_contact_form(store, listing),
    );
    store_page(form, "Store not found", |form: ContactForm| {
        view! { <Contact form/> }
    })
}

#[component]
fn Contact(form: ContactForm) -> impl IntoView {
    let store = form.store.clone();
    let name = RwSignal::new(String::new());
    let contact = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let website = RwSignal::new(String::new());
    let local = RwSignal::new(None::<AppError>);
    let send = ServerAction::<api::SendInquiry>::new();
    let error = Memo::new(move |_| {
        local
            .get()
            .or_else(|| send.value().get().and_then(Result::err))
    });
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_error(f)));
    let banner = Signal::derive(move || match error.get() {
        Some(AppError::Validation { .. }) | None => None,
        Some(e) => Some(e.to_string()),
    });
    let sent = move || matches!(send.value().get(), Some(Ok(())));
    let listing_id = form.listing.as_ref().map(|(id, _)| id.clone());
    let slug = store.slug.clone();
    let started = form.started.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = InquiryInput {
            name: name.get_untracked(),
            contact: contact.get_untracked(),
            message: message.get_untracked(),
            listing_id: listing_id.clone(),
            website: website.get_untracked(),
            started: started.clone(),
        };
        if let Err(fields) = validate_inquiry(&input) {
            local.set(Some(AppError::validation(fields)));
            return;
        }
        local.set(None);
        send.dispatch(api::SendInquiry {
            store: slug.clone(),
            input,
        });
    };
    let count = move || message.read().chars().count();
    let about = form.listing.clone();
    let back = match &about {
        Some((id, _)) => format!("/s/{}/items/{id}", store.slug),
        None => format!("/s/{}", store.slug),
    };
    view! {
        <Title text=safe_title(&format!("Contact · {}", store.name))/>
        <StoreFrame store=store.clone()>
            <p><a href=back.clone()>"← Back"</a></p>
            <section class="contact-page">
                <h1>{format!("Ask {}", store.name)}</h1>
                {about.map(|(_, title)| view! { <p class="muted">"About: "<strong>{title}</strong></p> })}
                <Show when=sent fallback=move || view! {
                    <form class="form contact-form" on:submit=submit.clone() novalidate>
                        <ErrorBanner message=banner/>
                        <TextField id="contact-name" label="Your name" autocomplete="name" value=name error=field("name") maxlength=80/>
                        <TextField id="contact-reach" label="Email or Instagram handle" autocomplete="email" value=contact
                            error=field("contact") hint="The store answers by email, or on Instagram to @yourname." maxlength=254/>
                        <TextArea id="contact-message" label="Your question" value=message error=field("message")
                            hint="Sizes, condition, more photos, shipping: ask anything."/>
                        <p class="muted field-count" aria-live="polite">{move || format!("{} / {MAX_MESSAGE}", count())}</p>
                        // People never see this field; bots fill it in.
                        <div class="hp" aria-hidden="true">
                            <label for="contact-website">"Website"</label>
                            <input id="contact-website" name="website" tabindex="-1" autocomplete="off"
                                prop:value=move || website.get() on:input=move |ev| website.set(event_target_value(&ev))/>
                        </div>
                        <button class="button button-primary" type="submit" disabled=move || send.pending().get()>
                            {move || if send.pending().get() { "Sending…" } else { "Send question" }}
                        </button>
                    </form>
                }>
                    <div class="banner banner-success" role="status">
                        <strong>"Thanks, your question is on its way."</strong>
                        {format!(" {} answers at the address you gave.", store.name)}
                    </div>
                    <a class="button" href=back.clone()>"Back to the store"</a>
                </Show>
            </section>
        </StoreFrame>
    }
}

#[component]
pub fn InquiriesPage() -> impl IntoView {
    let query = use_query_map();
    let status = Memo::new(move |_| {
        query
            .read()
            .get("status")
            .and_then(|s| InquiryStatus::parse(&s))
            .unwrap_or(InquiryStatus::New)
    });
    let inquiries = Resource::new(move || status.get(), api::list_inquiries);
    let answer = ServerAction::<api::AnswerInquiry>::new();
    let move_to = ServerAction::<api::SetInquiryStatus>::new();
    Effect::new(move |_| {
        if answer.version().get() + move_to.version().get() > 0 {
            inquiries.refetch();
        }
    });
    let failure = Signal::derive(move || {
        answer
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| move_to.value().get().and_then(Result::err))
            .map(|e| e.to_string())
    });
    view! {
        <Title text="Inquiries · Store · Flipdesk"/>
        <div class="page-header">
            <h1>"Inquiries"</h1>
            <p class="muted">"Questions shoppers sent from your storefront's contact page."</p>
        </div>
        <nav class="segmented" aria-label="Inquiry status">
            {InquiryStatus::ALL.iter().map(|s| view! {
                <a class="segment" href=format!("/app/store/inquiries?status={}", s.as_str())
                    aria-current=move || (status.get() == *s).then_some("page")>{s.label()}</a>
            }).collect_view()}
        </nav>
        <ErrorBanner message=failure/>
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading questions…"</p> }>
            {move || Suspend::new(async move {
                match inquiries.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="empty-state">
                            <h2>"No questions here"</h2>
                            <p>"Shoppers ask from the Contact link of your storefront and the “Ask about this item” link of each item."</p>
                        </div>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="inquiry-list" aria-label="Questions">
                            {list.into_iter().map(|q| view! { <Inquiry q answer move_to/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Inquiry(
    q: InquiryView,
    answer: ServerAction<api::AnswerInquiry>,
    move_to: ServerAction<api::SetInquiryStatus>,
) -> impl IntoView {
    let reply = RwSignal::new(String::new());
    let local = RwSignal::new(None::<String>);
    let id = q.id.clone();
    let (archive_id, reopen_id) = (id.clone(), id.clone());
    let submit = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            match validate_reply(&reply.get_untracked()) {
                Ok(text) => {
                    local.set(None);
                    answer.dispatch(api::AnswerInquiry {
                        id: id.clone(),
                        reply: text,
                    });
                }
                Err(m) => local.set(Some(m)),
            }
        }
    };
    let by_mail = q.email.is_some();
    let status = q.status;
    let reply_id = format!("reply-{}", q.id);
    view! {
        <li class="inquiry card" id=format!("inquiry-{}", q.id)>
            <p class="inquiry-head">
                <strong>{q.name.clone()}</strong>
                <span class="muted">{format!(" · {} · ", q.contact)}<LocalTime at=q.created_at.clone()/></span>
            </p>
            {q.listing.clone().map(|(id, title)| view! {
                <p class="muted">"About "<a href=format!("/app/store/listings#listing-{id}")>{title}</a></p>
            })}
            <p class="inquiry-message">{q.message.clone()}</p>
            {q.reply.clone().map(|r| view! {
                <div class="inquiry-reply">
                    <p class="muted">"Your answer"{q.answered_at.clone().map(|t| view! { " · "<LocalTime at=t/> })}</p>
                    <p>{r}</p>
                </div>
            })}
            {(status == InquiryStatus::New).then(|| view! {
                <form class="form inquiry-answer" on:submit=submit.clone() novalidate>
                    <TextArea id=reply_id.clone() label="Answer" value=reply error=Signal::derive(move || local.get())
                        hint=if by_mail { "Sent to the shopper by email and kept here." } else { "Answer on Instagram, then save it here to keep it." }/>
                    <button class="button button-primary" type="submit" disabled=move || answer.pending().get()>
                        {if by_mail { "Send answer" } else { "Save answer" }}
                    </button>
                </form>
            })}
            <div class="inquiry-actions">
                {match status {
                    InquiryStatus::Archived => view! {
                        <button class="button button-small" type="button"
                            on:click=move |_| { move_to.dispatch(api::SetInquiryStatus { id: reopen_id.clone(), status: InquiryStatus::New }); }>"Move back to new"</button>
                    }.into_any(),
                    _ => view! {
                        <button class="button button-small button-ghost" type="button"
                            on:click=move |_| { move_to.dispatch(api::SetInquiryStatus { id: archive_id.clone(), status: InquiryStatus::Archived }); }>"Archive"</button>
                    }.into_any(),
                }}
            </div>
        </li>
    }
}
