//! A list's API key for bots: generate or regenerate (after confirming), shown once.

use leptos::prelude::*;

use super::{
    api,
    types::{IssuedKey, WtbListSummary, key_hint},
};
use crate::ui::ErrorBanner;

#[component]
pub fn KeyPanel(list: WtbListSummary) -> impl IntoView {
    let issue = ServerAction::<api::RegenerateKey>::new();
    let confirming = RwSignal::new(false);
    let issued = RwSignal::new(None::<IssuedKey>);
    // (prefix, created, last used) of the current key; a new key updates it in place, so
    // the page does not reload and the key stays on screen to be copied.
    let current = RwSignal::new(list.key_prefix.clone().map(|p| {
        (
            p,
            list.key_created.clone().unwrap_or_default(),
            list.key_last_used.clone(),
        )
    }));
    Effect::new(move |_| {
        if let Some(Ok(key)) = issue.value().get() {
            current.set(Some((key.prefix.clone(), "Just now".to_string(), None)));
            issued.set(Some(key));
            confirming.set(false);
        }
    });
    let error = Signal::derive(move || {
        issue
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    });
    let has_key = move || current.with(Option::is_some);
    let list_id = list.id.clone();
    let generate = Callback::new(move |_: ()| {
        issue.dispatch(api::RegenerateKey {
            list_id: list_id.clone(),
        });
    });
    let slug = list.slug.clone();
    view! {
        <section class="card sub-form" aria-labelledby="api-key-title">
            <h2 id="api-key-title">"API key for bots"</h2>
            <p class="muted">"A Discord bot or script manages this list's items through the Flipdesk API with this key. Each key works for this list only."</p>
            <ErrorBanner message=error/>
            {move || match current.get() {
                Some((prefix, created, last_used)) => view! {
                    <dl class="facts">
                        <dt>"Current key"</dt><dd><code>{key_hint(&prefix)}</code></dd>
                        <dt>"Created"</dt><dd>{created}</dd>
                        <dt>"Last used"</dt><dd>{last_used.unwrap_or_else(|| "Never".into())}</dd>
                    </dl>
                }.into_any(),
                None => view! { <p>"This list has no API key yet."</p> }.into_any(),
            }}
            {move || issued.get().map(|k| view! {
                <div class="banner banner-success key-reveal" role="status">
                    <p><strong>"Copy your new key now: it is shown only once."</strong></p>
                    <input class="key-value" readonly aria-label="New API key" value=k.key.clone()
                        on:focus=move |ev| {
                            use wasm_bindgen::JsCast;
                            if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                input.select();
                            }
                        }/>
                    <p class="muted">"Try it:"</p>
                    <pre class="code-sample">{format!(
                        "curl -X POST {}/api/v1/lists/{}/items \\\n  -H 'Authorization: Bearer {}' \\\n  -H 'Content-Type: application/json' \\\n  -d '{{\"name\": \"Jordan 1 Chicago\", \"size\": \"10.5\", \"max_price\": {{\"amount\": 25000, \"currency\": \"USD\"}}}}'",
                        crate::ui::platform::origin(), slug, k.key)}</pre>
                </div>
            })}
            <div class="page-actions">
                <Show when=move || !confirming.get()>
                    <button class="button button-primary" type="button" disabled=move || issue.pending().get()
                        on:click=move |_| if has_key() { confirming.set(true) } else { generate.run(()) }>
                        {move || if issue.pending().get() { "Issuing…" } else if has_key() { "Regenerate key" } else { "Generate API key" }}
                    </button>
                </Show>
                <Show when=move || confirming.get()>
                    <span class="confirm" role="alert">"The current key stops working at once. Bots that use it need the new one."</span>
                    <button class="button button-danger" type="button" disabled=move || issue.pending().get()
                        on:click=move |_| generate.run(())>"Yes, regenerate"</button>
                    <button class="button button-ghost" type="button" on:click=move |_| confirming.set(false)>"Keep the current key"</button>
                </Show>
            </div>
        </section>
    }
}
