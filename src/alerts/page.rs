//! `/app/inbox/webhooks`: where notifications are sent on to (a Discord channel, a reseller's
//! own tool), how the latest alert went, a test button, and the form to add one.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    api,
    types::{AddedHook, HookView},
};
use crate::{
    domain::{
        alert_hook::{HookInput, is_discord_host, validate_hook},
        inbox::Level,
    },
    error::AppError,
    ui::{ErrorBanner, LoadError, TextField},
};

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let add = ServerAction::<api::AddHook>::new();
    let delete = ServerAction::<api::DeleteHook>::new();
    let test = ServerAction::<api::TestHook>::new();
    let hooks = Resource::new(
        move || {
            (
                add.version().get(),
                delete.version().get(),
                test.version().get(),
            )
        },
        |_| api::list_hooks(),
    );
    let test_error = Signal::derive(move || {
        test.value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    });
    view! {
        <Title text="Alert webhooks · Flipdesk"/>
        <div class="page-header">
            <p class="breadcrumb"><a href="/app/inbox">"Inbox"</a></p>
            <h1>"Alert webhooks"</h1>
            <p class="muted">"Send notifications on to a Discord channel or your own tool as they arrive. Each alert is tried three times; if it still fails, your inbox tells you."</p>
        </div>
        <NewHook add/>
        <ErrorBanner message=test_error/>
        {move || test.value().get().and_then(Result::ok).map(|_| view! {
            <p class="banner banner-success" role="status">"Test alert queued: it should arrive in a few seconds."</p>
        })}
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading your webhooks…"</p> }>
            {move || Suspend::new(async move {
                match hooks.await {
                    Ok(page) if page.hooks.is_empty() => view! {
                        <div class="empty-state">
                            <h2>"No webhooks yet"</h2>
                            <p>"Paste a Discord channel's webhook address above (channel settings → Integrations → Webhooks) to get your alerts there."</p>
                        </div>
                    }.into_any(),
                    Ok(page) => view! {
                        <p class="muted">{format!("{} of {} webhooks", page.hooks.len(), page.max)}</p>
                        <ul class="monitor-list" aria-label="Webhooks">
                            {page.hooks.into_iter().map(|h| view! { <Hook h delete test/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Hook(
    h: HookView,
    delete: ServerAction<api::DeleteHook>,
    test: ServerAction<api::TestHook>,
) -> impl IntoView {
    let id = h.id.clone();
    let test_id = h.id.clone();
    let levels = h
        .levels
        .iter()
        .map(|l| l.label())
        .collect::<Vec<_>>()
        .join(", ");
    let kind = if h.discord {
        "Discord channel"
    } else {
        "Signed JSON"
    };
    view! {
        <li class="monitor card">
            <div>
                <p class="monitor-keywords"><strong><code>{h.shown_url.clone()}</code></strong></p>
                <p class="muted">{format!("{kind} · {levels}")}</p>
                {h.last_delivery.clone().map(|text| view! {
                    <p class=if h.last_failed { "hook-status hook-failed" } else { "hook-status" }>{text}</p>
                })}
            </div>
            <div class="row-actions">
                <button class="button button-small" type="button" disabled=move || test.pending().get()
                    aria-label=format!("Send a test alert to {}", h.shown_url)
                    on:click=move |_| { test.dispatch(api::TestHook { id: test_id.clone() }); }>"Send test"</button>
                <button class="button button-small button-ghost" type="button"
                    aria-label=format!("Delete the webhook {}", h.shown_url)
                    on:click=move |_| { delete.dispatch(api::DeleteHook { id: id.clone() }); }>"Delete"</button>
            </div>
        </li>
    }
}

#[component]
fn NewHook(add: ServerAction<api::AddHook>) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let levels = RwSignal::new(vec![
        Level::Error,
        Level::Warning,
        Level::Success,
        Level::Info,
    ]);
    let local = RwSignal::new(None::<AppError>);
    let added = RwSignal::new(None::<AddedHook>);
    let error = Memo::new(move |_| {
        local
            .get()
            .or_else(|| add.value().get().and_then(Result::err))
    });
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_error(f)));
    let banner = Signal::derive(move || match error.get() {
        Some(AppError::Validation { .. }) | None => None,
        Some(e) => Some(e.to_string()),
    });
    Effect::new(move |_| {
        if let Some(Ok(hook)) = add.value().get() {
            url.set(String::new());
            added.set(Some(hook));
        }
    });
    let discord = move || {
        validate_hook(&HookInput {
            url: url.get(),
            levels: vec![Level::Info],
        })
        .is_ok_and(|d| is_discord_host(&d.host))
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = HookInput {
            url: url.get_untracked(),
            levels: levels.get_untracked(),
        };
        if let Err(fields) = validate_hook(&input) {
            local.set(Some(AppError::validation(fields)));
            return;
        }
        local.set(None);
        added.set(None);
        add.dispatch(api::AddHook { input });
    };
    view! {
        <form class="card form monitor-form" on:submit=submit novalidate aria-labelledby="new-hook">
            <h2 id="new-hook">"New webhook"</h2>
            <ErrorBanner message=banner/>
            <TextField id="hook-url" label="Webhook address" value=url error=field("url") maxlength=500
                hint="A Discord channel webhook, or any https:// address of your own tool."/>
            <fieldset class="hook-levels">
                <legend>"Send these notifications"</legend>
                <crate::inbox::LevelChoices levels/>
                {move || field("levels").get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            </fieldset>
            <p class="muted">{move || if discord() {
                "Alerts arrive in the channel as messages from “Flipdesk”; they never mention anyone."
            } else {
                "Alerts arrive as JSON with a Flipdesk-Signature header (HMAC-SHA256 with the secret shown after you add it)."
            }}</p>
            <button class="button button-primary" type="submit" disabled=move || add.pending().get()>
                {move || if add.pending().get() { "Checking the address…" } else { "Add webhook" }}
            </button>
            {move || added.get().and_then(|h| h.secret).map(|secret| view! {
                <div class="banner banner-success key-reveal" role="status">
                    <p><strong>"Webhook added. Copy its signing secret now: it is shown only once."</strong></p>
                    <input class="key-value" readonly aria-label="Signing secret" value=secret/>
                    <p class="muted">"Each request carries Flipdesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"{t}.{body}\"> under this secret. Refuse timestamps older than 5 minutes."</p>
                </div>
            })}
        </form>
    }
}
