//! `/forgot-password` (ask for a reset link) and `/reset-password?token=…` (choose a new one).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{AuthFrame, api, field_error, general_error};
use crate::{
    domain::{FieldErrors, account},
    error::AppError,
    ui::{ErrorBanner, TextField, platform},
};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let action = ServerAction::<api::ForgotPassword>::new();
    let local_error = RwSignal::new(None::<AppError>);
    let error = Memo::new(move |_| {
        local_error
            .get()
            .or_else(|| action.value().get().and_then(|r| r.err()))
    });
    let sent = move || matches!(action.value().get(), Some(Ok(())));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Err(m) = account::Email::parse(&email.get_untracked()) {
            local_error.set(Some(AppError::validation(FieldErrors::single("email", m))));
            return;
        }
        local_error.set(None);
        action.dispatch(api::ForgotPassword {
            email: email.get_untracked(),
        });
    };
    view! {
        <Title text="Reset your password · Flipdesk"/>
        <AuthFrame>
            <h1>"Reset your password"</h1>
            <Show when=sent fallback=move || view! {
                <p class="muted">"Enter the email you log in with. We send you a link to choose a new password."</p>
                <form class="form" on:submit=submit novalidate>
                    <ErrorBanner message=general_error(error)/>
                    <TextField id="email" label="Email" value=email kind="email" autocomplete="email"
                        error=field_error(error, "email")/>
                    <button class="button button-primary button-block" type="submit" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Sending…" } else { "Send the link" }}
                    </button>
                </form>
            }>
                <p role="status">"If an account uses that address, a link is on its way. It works once, for one hour."</p>
            </Show>
            <p class="auth-switch"><a href="/login">"Back to log in"</a></p>
        </AuthFrame>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let password = RwSignal::new(String::new());
    let action = ServerAction::<api::ResetPassword>::new();
    let local_error = RwSignal::new(None::<AppError>);
    let error = Memo::new(move |_| {
        local_error
            .get()
            .or_else(|| action.value().get().and_then(|r| r.err()))
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            platform::hard_navigate("/app");
        }
    });
    let link_error = Signal::derive(move || error.get().and_then(|e| e.field_error("token")));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if password.get_untracked().chars().count() < account::MIN_PASSWORD_LEN {
            let m = format!("Use at least {} characters.", account::MIN_PASSWORD_LEN);
            local_error.set(Some(AppError::validation(FieldErrors::single(
                "password", m,
            ))));
            return;
        }
        local_error.set(None);
        action.dispatch(api::ResetPassword {
            token: query.get_untracked().get("token").unwrap_or_default(),
            password: password.get_untracked(),
        });
    };
    view! {
        <Title text="Choose a new password · Flipdesk"/>
        <AuthFrame>
            <h1>"Choose a new password"</h1>
            <p class="muted">"Saving it logs you out everywhere else."</p>
            <form class="form" on:submit=submit novalidate>
                <ErrorBanner message=general_error(error)/>
                {move || link_error.get().map(|m| view! {
                    <div class="banner banner-error" role="alert">{m}" "<a href="/forgot-password">"Ask for a new link"</a></div>
                })}
                <TextField id="password" label="New password" value=password kind="password"
                    autocomplete="new-password" maxlength=512 error=field_error(error, "password")/>
                <button class="button button-primary button-block" type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Saving…" } else { "Save and log in" }}
                </button>
            </form>
        </AuthFrame>
    }
}
