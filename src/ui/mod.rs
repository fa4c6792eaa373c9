//! Reusable pieces of the interface: layout bits, form fields, empty and error states.

pub mod platform;
pub mod table;

use leptos::prelude::*;

use crate::error::AppError;

/// Text for `<Title>` built from user data. leptos_meta writes the title unescaped on the
/// server, so a name containing `</title>` could inject markup; angle brackets are swapped
/// for look-alikes.
pub fn safe_title(text: &str) -> String {
    text.replace('<', "‹").replace('>', "›")
}

/// The Flipdesk word mark, linking home.
#[component]
pub fn Brand(#[prop(into, default = "/".to_string())] href: String) -> impl IntoView {
    view! {
        <a class="brand" href=href aria-label="Flipdesk home">
            <span class="brand-mark" aria-hidden="true">"⇄"</span>
            <span class="brand-name">"Flipdesk"</span>
        </a>
    }
}

/// A labelled text input with its error message underneath, wired for screen readers.
#[component]
pub fn TextField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into, default = "text".to_string())] kind: String,
    #[prop(into, default = String::new())] autocomplete: String,
    #[prop(into, default = String::new())] hint: String,
    #[prop(default = 254)] maxlength: usize,
    #[prop(optional, into)] on_input: Option<Callback<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        let has_hint = !hint.is_empty();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    let has_hint = !hint.is_empty();
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                name=id
                type=kind
                autocomplete=autocomplete
                maxlength=maxlength
                prop:value=move || value.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    value.set(text.clone());
                    if let Some(cb) = on_input {
                        cb.run(text);
                    }
                }
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described
            />
            <Show when=move || has_hint>
                <p class="field-hint" id=hint_id.clone()>{hint.clone()}</p>
            </Show>
            <p class="field-error" id=error_id role="alert">
                {move || error.get().unwrap_or_default()}
            </p>
        </div>
    }
}

/// A labelled multi-line input with its hint and error underneath.
#[component]
pub fn TextArea(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] hint: String,
) -> impl IntoView {
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <textarea id=id.clone() name=id.clone() rows="4" prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=format!("{id}-hint {id}-error")></textarea>
            <p class="field-hint" id=format!("{id}-hint")>{hint}</p>
            <p class="field-error" id=format!("{id}-error") role="alert">{move || error.get().unwrap_or_default()}</p>
        </div>
    }
}

/// A banner for an error that belongs to no single field; a plan limit offers the upgrade.
#[component]
pub fn ErrorBanner(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    let over_limit = move || {
        message.with(|m| {
            m.as_deref()
                .is_some_and(|m| m.ends_with(crate::domain::billing::UPGRADE_HINT))
        })
    };
    view! {
        <Show when=move || message.get().is_some()>
            <div class="banner banner-error" role="alert">
                {move || message.get().unwrap_or_default()}
                <Show when=over_limit>
                    " "<a class="button button-small button-primary banner-action" href="/app/billing">"Upgrade"</a>
                </Show>
            </div>
        </Show>
    }
}

/// A friendly page for anything that does not exist (or is not yours).
#[component]
pub fn NotFoundPage(
    #[prop(into, default = "Page not found".to_string())] title: String,
    #[prop(into, default = "The page you are looking for does not exist or has moved.".to_string())]
    message: String,
) -> impl IntoView {
    platform::set_status(404);
    view! {
        <leptos_meta::Title text=safe_title(&format!("{title} · Flipdesk"))/>
        <main class="centered-page" id="main">
            <div class="empty-state">
                <p class="empty-state-code" aria-hidden="true">"404"</p>
                <h1>{title}</h1>
                <p>{message}</p>
                <a class="button button-primary" href="/">"Go to the Flipdesk home page"</a>
            </div>
        </main>
    }
}

/// Generic message for an error that stopped a page from loading.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    view! {
        <div class="banner banner-error" role="alert">
            <strong>"This page could not load. "</strong>
            {error.to_string()}
        </div>
    }
}

/// A moment in the viewer's own time zone. The server renders it in UTC ("2026-12-03 14:05
/// UTC", never milliseconds); the browser rewrites it in local time once hydrated.
#[component]
pub fn LocalTime(#[prop(into)] at: String) -> impl IntoView {
    let text = RwSignal::new(utc_label(&at));
    let moment = at.clone();
    Effect::new(move |_| {
        if let Some(local) = platform::local_time(&moment) {
            text.set(local);
        }
    });
    view! { <time datetime=at>{move || text.get()}</time> }
}

/// "2026-12-03T14:05:09.123Z" → "2026-12-03 14:05 UTC".
pub fn utc_label(at: &str) -> String {
    let minutes: String = at.replace('T', " ").chars().take(16).collect();
    format!("{minutes} UTC")
}

/// "1 item", "12,345 items": a count with its noun, singular for one. `nouns` is the plural;
/// the singular drops its last "s" (items, sales, imports, rows, units, orders).
pub fn count_of(n: i64, nouns: &str) -> String {
    let noun = if n == 1 {
        nouns.strip_suffix('s').unwrap_or(nouns)
    } else {
        nouns
    };
    format!("{} {noun}", format_count(n))
}

/// A count with thousands grouped: 12345 → "12,345".
pub fn format_count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped() {
        assert_eq!(super::format_count(0), "0");
        assert_eq!(super::format_count(999), "999");
        assert_eq!(super::format_count(1000), "1,000");
        assert_eq!(super::format_count(-1234567), "-1,234,567");
    }
}
