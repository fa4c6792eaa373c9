//! The few things that differ between rendering on the server and running in the browser:
//! reading cookies, writing the view cookie, setting the HTTP status of a page.

use crate::domain::DashboardView;

/// The raw `Cookie` header (server) or `document.cookie` (browser).
pub fn cookie_header() -> String {
    imp::cookie_header()
}

/// Remembers the dashboard view for a year (not HttpOnly: it is a display preference).
pub fn remember_view(view: DashboardView) {
    imp::remember_view(view)
}

/// Sets the status of the page being rendered on the server (404 for unknown stores...).
pub fn set_status(code: u16) {
    imp::set_status(code)
}

/// Today's date (YYYY-MM-DD) where the page is being rendered, as a form default.
pub fn today() -> String {
    imp::today()
}

/// Full page load, used after log-in/log-out so every piece of state starts fresh.
pub fn hard_navigate(path: &str) {
    imp::hard_navigate(path)
}

/// Where to go after log-in: `next` only when it is a plain local path (the shared rule) and
/// the browser's own URL parser resolves it on this page's origin; otherwise `/app`.
pub fn after_login(next: Option<String>) -> String {
    match next.as_deref().and_then(crate::domain::account::local_path) {
        Some(path) if imp::resolves_here(path) => path.to_string(),
        _ => "/app".to_string(),
    }
}

/// This browser's saved value for `key` (the storefront cart); nothing on the server.
pub fn stored(key: &str) -> Option<String> {
    imp::stored(key)
}

pub fn store(key: &str, value: &str) {
    imp::store(key, value)
}

/// A random token made in the browser (idempotency keys).
pub fn random_key() -> String {
    imp::random_key()
}

/// `https://host:port` of the page in the browser (for copyable examples); empty on the server.
pub fn origin() -> String {
    imp::origin()
}

/// An RFC 3339 moment in the viewer's time zone and language ("3 Dec 2026, 15:05"); `None`
/// on the server, which has no idea where the viewer is.
pub fn local_time(at: &str) -> Option<String> {
    imp::local_time(at)
}

/// Replaces the address without a new history entry or load (drops one-off parameters).
pub fn replace_address(path: &str) {
    imp::replace_address(path)
}

/// Listens to the Server-Sent Events named `event` at `path` (the browser reconnects by
/// itself, with `Last-Event-ID`), calling `on` with each event's data, until the calling
/// reactive scope is cleaned up. Nothing on the server.
pub fn live_events(path: &str, event: &str, on: impl Fn(String) + 'static) {
    imp::live_events(path, event, on)
}

#[cfg(feature = "ssr")]
mod imp {
    pub fn live_events(_path: &str, _event: &str, _on: impl Fn(String) + 'static) {}

    use super::DashboardView;
    use leptos::prelude::use_context;

    pub fn cookie_header() -> String {
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| {
                let values: Vec<String> = parts
                    .headers
                    .get_all(axum::http::header::COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok().map(str::to_string))
                    .collect();
                (!values.is_empty()).then(|| values.join("; "))
            })
            .unwrap_or_default()
    }

    pub fn remember_view(_view: DashboardView) {}

    pub fn set_status(code: u16) {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>()
            && let Ok(status) = axum::http::StatusCode::from_u16(code)
        {
            res.set_status(status);
        }
    }

    pub fn hard_navigate(_path: &str) {}
    pub fn resolves_here(_path: &str) -> bool {
        true
    }
    pub fn local_time(_at: &str) -> Option<String> {
        None
    }

    pub fn stored(_key: &str) -> Option<String> {
        None
    }
    pub fn store(_key: &str, _value: &str) {}
    pub fn random_key() -> String {
        String::new()
    }
    pub fn origin() -> String {
        String::new()
    }
    pub fn replace_address(_path: &str) {}

    pub fn today() -> String {
        let d = time::OffsetDateTime::now_utc().date();
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
mod imp {
    pub fn live_events(path: &str, event: &str, on: impl Fn(String) + 'static) {
        use wasm_bindgen::{JsCast, closure::Closure};
        let Ok(source) = web_sys::EventSource::new(path) else {
            return;
        };
        let callback =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                if let Some(data) = e.data().as_string() {
                    on(data);
                }
            });
        let _ = source.add_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
        let held = send_wrapper::SendWrapper::new((source, callback));
        leptos::prelude::on_cleanup(move || {
            let (source, _callback) = held.take();
            source.close();
        });
    }

    use super::DashboardView;
    use wasm_bindgen::JsCast;

    fn html_document() -> Option<web_sys::HtmlDocument> {
        web_sys::window()?
            .document()?
            .dyn_into::<web_sys::HtmlDocument>()
            .ok()
    }

    pub fn cookie_header() -> String {
        html_document()
            .and_then(|d| d.cookie().ok())
            .unwrap_or_default()
    }

    pub fn remember_view(view: DashboardView) {
        if let Some(doc) = html_document() {
            let secure = web_sys::window()
                .and_then(|w| w.location().protocol().ok())
                .is_some_and(|p| p == "https:");
            let cookie = format!(
                "{}={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
                DashboardView::COOKIE,
                view.as_str(),
                if secure { "; Secure" } else { "" }
            );
            let _ = doc.set_cookie(&cookie);
        }
    }

    pub fn set_status(_code: u16) {}

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    pub fn stored(key: &str) -> Option<String> {
        storage()?.get_item(key).ok()?
    }

    pub fn store(key: &str, value: &str) {
        if let Some(s) = storage() {
            let _ = s.set_item(key, value);
        }
    }

    pub fn random_key() -> String {
        let mut bytes = [0u8; 16];
        let crypto = web_sys::window().and_then(|w| w.crypto().ok());
        if let Some(c) = crypto {
            let _ = c.get_random_values_with_u8_array(&mut bytes);
        } else {
            for b in &mut bytes {
                *b = (js_sys::Math::random() * 256.0) as u8;
            }
        }
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn origin() -> String {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    }

    pub fn resolves_here(path: &str) -> bool {
        let here = origin();
        web_sys::Url::new_with_base(path, &here).is_ok_and(|u| u.origin() == here)
    }

    pub fn local_time(at: &str) -> Option<String> {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(at));
        if date.get_time().is_nan() {
            return None;
        }
        let options = js_sys::Object::new();
        let set = |k: &str, v: &str| {
            let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
        };
        set("dateStyle", "medium");
        set("timeStyle", "short");
        Some(String::from(date.to_locale_string("default", &options)))
    }
    pub fn replace_address(path: &str) {
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
        }
    }

    pub fn hard_navigate(path: &str) {
        if let Some(window) = web_sys::window() {
            let _ = window.location().assign(path);
        }
    }

    pub fn today() -> String {
        let d = js_sys::Date::new_0();
        format!(
            "{:04}-{:02}-{:02}",
            d.get_full_year(),
            d.get_month() + 1,
            d.get_date()
        )
    }
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
mod imp {
    pub fn live_events(_path: &str, _event: &str, _on: impl Fn(String) + 'static) {}

    use super::DashboardView;
    pub fn cookie_header() -> String {
        String::new()
    }
    pub fn remember_view(_view: DashboardView) {}
    pub fn set_status(_code: u16) {}
    pub fn hard_navigate(_path: &str) {}
    pub fn resolves_here(_path: &str) -> bool {
        true
    }
    pub fn local_time(_at: &str) -> Option<String> {
        None
    }

    pub fn stored(_key: &str) -> Option<String> {
        None
    }
    pub fn store(_key: &str, _value: &str) {}
    pub fn random_key() -> String {
        String::new()
    }
    pub fn origin() -> String {
        String::new()
    }
    pub fn replace_address(_path: &str) {}
    pub fn today() -> String {
        String::new()
    }
}
