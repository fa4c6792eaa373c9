//! Accounts: sign-up, log-in, log-out pages and the account summary shared with the shell.

pub mod api;
#[cfg(feature = "ssr")]
pub mod reset;
mod reset_pages;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::{
    domain::{Role, account},
    error::AppError,
    ui::{Brand, ErrorBanner, TextField, platform},
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSummary {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub currency: String,
    /// `owner` or `staff`.
    pub member_role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSummary {
    pub id: String,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub user_id: String,
    pub email: String,
    pub role: Role,
    pub plan: String,
    /// Limits the reseller is past (a shopper's order or a downgrade took them there).
    pub over_limits: Vec<crate::domain::billing::Usage>,
    /// A premium renewal failed: premium holds until then (epoch seconds), then drops to free.
    pub payment_grace_until: Option<i64>,
    /// Unread notifications (the top bar's badge starts from it, then goes live).
    pub unread: i64,
    pub store: Option<StoreSummary>,
    pub lists: Vec<ListSummary>,
}

pub(crate) fn field_error(
    result: Memo<Option<AppError>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || result.get().and_then(|e| e.field_error(field)))
}

pub(crate) fn general_error(result: Memo<Option<AppError>>) -> Signal<Option<String>> {
    Signal::derive(move || match result.get() {
        Some(AppError::Validation { .. }) | None => None,
        Some(other) => Some(other.to_string()),
    })
}

#[component]
pub(crate) fn AuthFrame(children: Children) -> impl IntoView {
    view! {
        <div class="auth-page">
            <header class="auth-header">
                <Brand/>
            </header>
            <main class="auth-card" id="main">{children()}</main>
        </div>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let action = ServerAction::<api::Login>::new();
    let local_error = RwSignal::new(None::<AppError>);
    let error = Memo::new(move |_| {
        local_error
            .get()
            .or_else(|| action.value().get().and_then(|r| r.err()))
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            platform::hard_navigate(&platform::after_login(query.get_untracked().get("next")));
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut fields = crate::domain::FieldErrors::default();
        fields.check(
            "email",
            account::Email::parse(&email.get_untracked()).map(|_| ()),
        );
        if password.get_untracked().is_empty() {
            fields.add("password", "Enter your password.");
        }
        if !fields.is_empty() {
            local_error.set(Some(AppError::validation(fields)));
            return;
        }
        local_error.set(None);
        action.dispatch(api::Login {
            email: email.get_untracked(),
            password: password.get_untracked(),
        });
    };
    view! {
        <Title text="Log in · Flipdesk"/>
        <AuthFrame>
            <h1>"Welcome back"</h1>
            <p class="muted">"Log in to manage your inventory and store."</p>
            <crate::discord::DiscordProblem/>
            <form class="form" on:submit=submit novalidate>
                <ErrorBanner message=general_error(error)/>
                <TextField id="email" label="Email" value=email kind="email" autocomplete="email"
                    error=field_error(error, "email")/>
                <TextField id="password" label="Password" value=password kind="password"
                    autocomplete="current-password" maxlength=512 error=field_error(error, "password")/>
                <button class="button button-primary button-block" type="submit"
                    disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Logging in…" } else { "Log in" }}
                </button>
            </form>
            <crate::discord::DiscordEntryPanel verb="Log in"/>
            <p class="auth-switch"><a href="/forgot-password">"Forgot your password?"</a></p>
            <p class="auth-switch">"New to Flipdesk? " <a href="/signup">"Create an account"</a></p>
        </AuthFrame>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let store_name = RwSignal::new(String::new());
    let store_slug = RwSignal::new(String::new());
    // Came through a reseller's referral link: the code rides along with the form.
    let referral =
        use_query_map().with_untracked(|q| q.get("ref").filter(|c| !c.trim().is_empty()));
    let invited = referral.is_some();
    let action = ServerAction::<api::Signup>::new();
    let local_error = RwSignal::new(None::<AppError>);
    let error = Memo::new(move |_| {
        local_error
            .get()
            .or_else(|| action.value().get().and_then(|r| r.err()))
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            platform::hard_navigate("/app");
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // The same validators run here and on the server; the server has the last word.
        if let Err(fields) = account::validate_signup(
            &email.get_untracked(),
            &password.get_untracked(),
            &store_name.get_untracked(),
            &store_slug.get_untracked(),
        ) {
            local_error.set(Some(AppError::validation(fields)));
            return;
        }
        local_error.set(None);
        action.dispatch(api::Signup {
            email: email.get_untracked(),
            password: password.get_untracked(),
            store_name: store_name.get_untracked(),
            store_slug: store_slug.get_untracked(),
            referral: referral.clone(),
        });
    };
    view! {
        <Title text="Create your account · Flipdesk"/>
        <AuthFrame>
            <h1>"Create your Flipdesk account"</h1>
            <p class="muted">"Track every pair and every card from purchase to payout. Free to start."</p>
            {invited.then(|| view! {
                <p class="banner banner-success referral-note">"You were invited by a Flipdesk reseller: your account starts with a Premium trial."</p>
            })}
            <form class="form" on:submit=submit novalidate>
                <ErrorBanner message=general_error(error)/>
                <TextField id="email" label="Email" value=email kind="email" autocomplete="email"
                    error=field_error(error, "email")/>
                <TextField id="password" label="Password" value=password kind="password"
                    autocomplete="new-password" maxlength=128
                    hint="At least 10 characters. Avoid common passwords."
                    error=field_error(error, "password")/>
                <StoreFields store_name store_slug
                    name_error=field_error(error, "store_name") slug_error=field_error(error, "store_slug")/>
                <button class="button button-primary button-block" type="submit"
                    disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Creating your account…" } else { "Create account" }}
                </button>
            </form>
            <crate::discord::DiscordEntryPanel verb="Sign up"/>
            <p class="auth-switch">"Already have an account? " <a href="/login">"Log in"</a></p>
        </AuthFrame>
    }
}

/// A new account's store: its name, and its address made from the name until the owner edits
/// the address themselves.
#[component]
pub(crate) fn StoreFields(
    store_name: RwSignal<String>,
    store_slug: RwSignal<String>,
    name_error: Signal<Option<String>>,
    slug_error: Signal<Option<String>>,
) -> impl IntoView {
    let slug_edited = RwSignal::new(false);
    let on_name = Callback::new(move |name: String| {
        if !slug_edited.get_untracked() {
            store_slug.set(account::slug_from_name(&name));
        }
    });
    let on_slug = Callback::new(move |_: String| slug_edited.set(true));
    view! {
        <TextField id="store_name" label="Store name" value=store_name maxlength=80
            autocomplete="organization" on_input=on_name error=name_error/>
        <TextField id="store_slug" label="Store address" value=store_slug maxlength=60
            on_input=on_slug
            hint="Shoppers find you at /s/your-address: letters a–z, digits and dashes."
            error=slug_error/>
    }
}

/// Log-out is a POST (a server function), never a GET link.
#[component]
pub fn LogoutButton() -> impl IntoView {
    let action = ServerAction::<api::Logout>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            platform::hard_navigate("/");
        }
    });
    view! {
        <button class="button button-ghost" type="button"
            disabled=move || action.pending().get()
            on:click=move |_| { action.dispatch(api::Logout {}); }>
            {move || if action.pending().get() { "Logging out…" } else { "Log out" }}
        </button>
    }
}

pub use reset_pages::{ForgotPasswordPage, ResetPasswordPage};
