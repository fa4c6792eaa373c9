//! Discord in the browser: the "Log in with Discord" part of the log-in and sign-up pages,
//! the short sign-up form of a newcomer who came back from Discord (`/signup/discord`), and
//! the account page (`/app/account`) where Discord is linked and unlinked.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{api, types::login_problem};
use crate::{
    auth::{AuthFrame, StoreFields},
    domain::{FieldErrors, account, inbox::Level},
    error::AppError,
    ui::{ErrorBanner, LoadError, platform},
};

/// Above the log-in form: what went wrong on a trip to Discord, if anything.
#[component]
pub fn DiscordProblem() -> impl IntoView {
    let query = use_query_map();
    let problem = move || {
        query
            .read()
            .get("discord_error")
            .and_then(|code| login_problem(&code))
    };
    move || problem().map(|text| view! { <p class="banner banner-error" role="alert">{text}</p> })
}

/// Under the log-in and sign-up forms: a Discord account waiting to be linked by this log-in,
/// and the button (only when Discord is configured).
#[component]
pub fn DiscordEntryPanel(verb: &'static str) -> impl IntoView {
    let entry = Resource::new(|| (), |_| api::get_entry());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match entry.await {
                    Ok(entry) if entry.enabled => {
                        let waiting = entry.pending.filter(|p| !p.signup).map(|p| view! {
                            <p class="banner banner-info discord-pending" role="status">
                                {format!("Log in with your password once to link the Discord account {} ({}). After that, “Log in with Discord” opens this account.", p.username, p.email)}
                            </p>
                        });
                        view! {
                            {waiting}
                            <div class="auth-divider" aria-hidden="true"><span>"or"</span></div>
                            <a class="button button-discord button-block" href="/auth/discord/start" rel="external">
                                {format!("{verb} with Discord")}
                            </a>
                        }.into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn DiscordSignupPage() -> impl IntoView {
    let entry = Resource::new(|| (), |_| api::get_entry());
    view! {
        <Title text="Finish signing up · Flipdesk"/>
        <AuthFrame>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match entry.await {
                        Ok(entry) => match entry.pending.filter(|p| p.signup) {
                            Some(p) => view! { <StoreForm username=p.username email=p.email/> }.into_any(),
                            None => view! {
                                <h1>"Your Discord sign-in ran out"</h1>
                                <p class="muted">"Start again: it takes a few seconds."</p>
                                <a class="button button-primary button-block" href="/login">"Back to log in"</a>
                            }.into_any(),
                        },
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })}
            </Transition>
        </AuthFrame>
    }
}

#[component]
fn StoreForm(username: String, email: String) -> impl IntoView {
    let store_name = RwSignal::new(String::new());
    let store_slug = RwSignal::new(String::new());
    let action = ServerAction::<api::DiscordSignup>::new();
    let local = RwSignal::new(None::<AppError>);
    let error = Memo::new(move |_| {
        local
            .get()
            .or_else(|| action.value().get().and_then(Result::err))
    });
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_error(f)));
    let banner = Signal::derive(move || match error.get() {
        Some(AppError::Validation { fields, .. }) => fields
            .get("email")
            .map(|e| format!("{e} (your Discord email)")),
        None => None,
        Some(e) => Some(e.to_string()),
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            platform::hard_navigate("/app");
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut fields = FieldErrors::default();
        fields.check(
            "store_name",
            account::check_store_name(&store_name.get_untracked()),
        );
        fields.check(
            "store_slug",
            account::check_slug(&store_slug.get_untracked()),
        );
        if !fields.is_empty() {
            local.set(Some(AppError::validation(fields)));
            return;
        }
        local.set(None);
        action.dispatch(api::DiscordSignup {
            store_name: store_name.get_untracked(),
            store_slug: store_slug.get_untracked(),
        });
    };
    view! {
        <h1>"One more step"</h1>
        <p class="muted">{format!("You are signing up as {username} ({email}) through Discord. Name your store to finish.")}</p>
        <form class="form" on:submit=submit novalidate>
            <ErrorBanner message=banner/>
            <StoreFields store_name store_slug name_error=field("store_name") slug_error=field("store_slug")/>
            <button class="button button-primary button-block" type="submit" disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Creating your account…" } else { "Create account" }}
            </button>
        </form>
    }
}

/// Which notifications also arrive as DMs from the bot.
#[component]
fn DirectMessages(chosen: Vec<Level>) -> impl IntoView {
    let levels = RwSignal::new(chosen);
    let save = ServerAction::<api::SetDmLevels>::new();
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    let failed = Signal::derive(move || {
        save.value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    });
    view! {
        <fieldset class="hook-levels">
            <legend>"Also send me these as Discord DMs"</legend>
            <p class="muted">"Plan changes and failed payments always arrive as a DM."</p>
            <crate::inbox::LevelChoices levels/>
            <ErrorBanner message=failed/>
            <div class="dm-actions">
                <button class="button button-small" type="button" disabled=move || save.pending().get()
                    on:click=move |_| { save.dispatch(api::SetDmLevels { levels: levels.get_untracked() }); }>
                    {move || if save.pending().get() { "Saving…" } else { "Save DM choices" }}
                </button>
                {move || saved().then(|| view! { <span class="muted" role="status">"Saved"</span> })}
            </div>
        </fieldset>
    }
}

/// `/app/account`: the signed-in reseller's account, with Discord linking.
#[component]
pub fn AccountPage() -> impl IntoView {
    let query = use_query_map();
    let unlink = ServerAction::<api::UnlinkDiscord>::new();
    let status = Resource::new(move || unlink.version().get(), |_| api::get_status());
    let outcome = move || match query.read().get("discord").as_deref() {
        Some("linked") => Some((
            "banner banner-success",
            "Discord is linked: “Log in with Discord” now opens this account.",
        )),
        Some("taken") => Some((
            "banner banner-error",
            "That Discord account is already linked to another Flipdesk account, so nothing changed.",
        )),
        _ => None,
    };
    let unlink_error = Signal::derive(move || {
        unlink
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    });
    view! {
        <Title text="Account · Flipdesk"/>
        <div class="page-header">
            <h1>"Account"</h1>
            <p class="muted">"How you log in, and where Flipdesk reaches you."</p>
        </div>
        {move || outcome().map(|(class, text)| view! { <p class=class role="status">{text}</p> })}
        <ErrorBanner message=unlink_error/>
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) if !s.enabled => view! {
                        <section class="card">
                            <h2>"Discord"</h2>
                            <p class="muted">"Discord is not set up on this Flipdesk."</p>
                        </section>
                    }.into_any(),
                    Ok(s) => match s.linked_as {
                        Some(name) => view! {
                            <section class="card discord-card" aria-labelledby="discord-title">
                                <h2 id="discord-title">"Discord"</h2>
                                <p>{format!("Linked to {name}. You can log in with Discord, get your plan's role in the Flipdesk server, and use the bot.")}</p>
                                <DirectMessages chosen=s.dm_levels.clone()/>
                                {if s.can_unlink {
                                    view! {
                                        <button class="button" type="button" disabled=move || unlink.pending().get()
                                            on:click=move |_| { unlink.dispatch(api::UnlinkDiscord {}); }>"Unlink Discord"</button>
                                    }.into_any()
                                } else {
                                    view! {
                                        <p class="muted">"Discord is the only way into this account, so it cannot be unlinked yet. Set a password first with “Forgot your password?” on the log-in page."</p>
                                    }.into_any()
                                }}
                            </section>
                        }.into_any(),
                        None => view! {
                            <section class="card discord-card" aria-labelledby="discord-title">
                                <h2 id="discord-title">"Discord"</h2>
                                <p>"Link Discord to log in with it, get your plan's role in the Flipdesk server, and manage your lists with the bot."</p>
                                <a class="button button-discord" href="/auth/discord/start?intent=link" rel="external">"Link Discord"</a>
                            </section>
                        }.into_any(),
                    },
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
