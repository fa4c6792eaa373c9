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

#[cfg(feature = "ssr")]
mod imp {
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

    pub fn today() -> String {
        let d = time::OffsetDateTime::now_utc().date();
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
mod imp {
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
    use super::DashboardView;
    pub fn cookie_header() -> String {
        String::new()
    }
    pub fn remember_view(_view: DashboardView) {}
    pub fn set_status(_code: u16) {}
    pub fn hard_navigate(_path: &str) {}
    pub fn today() -> String {
        String::new()
    }
}
