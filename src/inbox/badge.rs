//! The top bar's inbox link with its unread count, kept live by the events stream and
//! asked again whenever the window gets focus back (a stream that could not connect, a
//! laptop that slept).

use leptos::{ev, prelude::*};

use crate::ui::platform;

fn unread_of(data: &str) -> Option<i64> {
    serde_json::from_str::<serde_json::Value>(data).ok()?["unread"].as_i64()
}

fn label(unread: i64) -> String {
    match unread {
        0 => "Inbox, nothing unread".into(),
        1 => "Inbox, 1 unread notification".into(),
        n => format!("Inbox, {n} unread notifications"),
    }
}

#[component]
pub fn InboxBadge(initial: i64) -> impl IntoView {
    let unread = RwSignal::new(initial);
    Effect::new(move |_| {
        platform::live_events("/api/v1/events", "unread", move |data| {
            if let Some(n) = unread_of(&data) {
                unread.set(n);
            }
        });
        let focus = window_event_listener(ev::focus, move |_| {
            leptos::task::spawn_local(async move {
                if let Ok(n) = super::api::unread_count().await {
                    unread.set(n);
                }
            });
        });
        on_cleanup(move || focus.remove());
    });
    view! {
        <a class="inbox-link" href="/app/inbox" aria-label=move || label(unread.get())
            data-unread=move || unread.get()>
            "Inbox"
            <span class="count-badge" aria-hidden="true" hidden=move || unread.get() == 0>
                {move || if unread.get() > 99 { "99+".to_string() } else { unread.get().to_string() }}
            </span>
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_event_and_says_the_count() {
        assert_eq!(unread_of(r#"{"unread":3}"#), Some(3));
        assert_eq!(unread_of("nonsense"), None);
        assert_eq!(label(1), "Inbox, 1 unread notification");
        assert_eq!(label(0), "Inbox, nothing unread");
    }
}
