//! The unread badge, live: `GET /api/v1/events` streams the signed-in reseller's unread count
//! as Server-Sent Events (`event: unread`, `id:` the inbox's version, so a reconnect with
//! `Last-Event-ID` is told only what it has not seen). One poller per process reads the
//! per-reseller counters (`inbox_counts`, kept by triggers) of the resellers with an open
//! stream, every half second, in batches: whichever process or request wrote the
//! notification, every process sees it on its next poll — no broker, and an idle stream costs
//! a channel receiver and its connection.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use futures::stream::{self, Stream};
use tokio::sync::watch;
use tower_sessions::Session;

use crate::{error::AppError, server::state::AppState, with_db};

/// Streams one reseller may hold open (tabs, devices).
pub const STREAMS_PER_USER: usize = 8;
const POLL: Duration = Duration::from_millis(500);
const USERS_PER_QUERY: usize = 500;

/// An inbox's unread count and the version it was read at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Count {
    pub unread: i64,
    pub version: i64,
}

struct Watched {
    tx: watch::Sender<Count>,
    streams: usize,
}

/// The resellers with an open stream on this process, and their last known counts.
#[derive(Default)]
pub struct Hub {
    users: Mutex<HashMap<String, Watched>>,
    polling: AtomicBool,
}

/// Holds a stream's place; dropping it (the stream ended) frees the place.
pub struct Subscription {
    hub: Arc<Hub>,
    user: String,
    pub counts: watch::Receiver<Count>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut users = self.hub.users.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(w) = users.get_mut(&self.user) {
            w.streams -= 1;
            if w.streams == 0 {
                users.remove(&self.user);
            }
        }
    }
}

impl Hub {
    /// A place for one more stream of `user`, or `None` when they hold the most already.
    pub fn subscribe(self: &Arc<Self>, user: &str, now: Count) -> Option<Subscription> {
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        let w = users.entry(user.to_string()).or_insert_with(|| Watched {
            tx: watch::channel(now).0,
            streams: 0,
        });
        if w.streams >= STREAMS_PER_USER {
            return None;
        }
        w.streams += 1;
        w.tx.send_if_modified(|c| newer(c, now));
        Some(Subscription {
            hub: self.clone(),
            user: user.to_string(),
            counts: w.tx.subscribe(),
        })
    }

    fn watched(&self) -> Vec<String> {
        let users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        users.keys().cloned().collect()
    }

    fn publish(&self, user: &str, now: Count) {
        let users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(w) = users.get(user) {
            w.tx.send_if_modified(|c| newer(c, now));
        }
    }

    /// Open streams on this process (for the benchmark and tests).
    pub fn streams(&self) -> usize {
        let users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        users.values().map(|w| w.streams).sum()
    }

    /// Starts this process's poller once.
    fn ensure_polling(self: &Arc<Self>, state: &AppState) {
        if self.polling.swap(true, Ordering::AcqRel) {
            return;
        }
        let hub = self.clone();
        let state = state.clone();
        tokio::spawn(async move {
            let mut stopping = state.stopping.subscribe();
            let mut tick = tokio::time::interval(POLL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stopping.wait_for(|s| *s) => break,
                }
                if let Err(e) = hub.poll(&state).await {
                    tracing::warn!(error = %e, "cannot read the inbox counters");
                }
            }
        });
    }

    async fn poll(&self, state: &AppState) -> sqlx::Result<()> {
        for batch in self.watched().chunks(USERS_PER_QUERY) {
            for (user, unread, version) in counts(state, batch).await? {
                self.publish(&user, Count { unread, version });
            }
        }
        Ok(())
    }
}

/// A count replaces the one held when it is of a later version.
fn newer(held: &mut Count, now: Count) -> bool {
    if now.version > held.version {
        *held = now;
        true
    } else {
        false
    }
}

async fn counts(state: &AppState, users: &[String]) -> sqlx::Result<Vec<(String, i64, i64)>> {
    let text = format!(
        "SELECT user_id, unread, version FROM inbox_counts WHERE user_id IN ({})",
        crate::server::store::placeholders(1, users.len())
    );
    with_db!(&state.db, pool => {
        let mut q = sqlx::query_as(&text);
        for u in users {
            q = q.bind(u);
        }
        q.fetch_all(pool).await
    })
}

pub async fn count_of(state: &AppState, user: &str) -> sqlx::Result<Count> {
    Ok(counts(state, &[user.to_string()])
        .await?
        .into_iter()
        .next()
        .map(|(_, unread, version)| Count { unread, version })
        .unwrap_or_default())
}

fn event(c: Count) -> Event {
    Event::default()
        .event("unread")
        .id(c.version.to_string())
        .data(format!("{{\"unread\":{}}}", c.unread))
}

/// `GET /api/v1/events`: the signed-in reseller's unread count, now (unless `Last-Event-ID`
/// says the client has it) and at every change, until the client goes or the server stops.
pub async fn events(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> Response {
    let user = match crate::auth::service::current_user(&state.db, &session).await {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    let now = match count_of(&state, &user.id).await {
        Ok(c) => c,
        Err(e) => return AppError::from(e).into_response(),
    };
    let hub = state.part::<Hub>().clone();
    let Some(subscription) = hub.subscribe(&user.id, now) else {
        // At most STREAMS_PER_USER per account: a tab closing frees a place.
        return AppError::RateLimited {
            retry_after_secs: 30,
        }
        .into_response();
    };
    hub.ensure_polling(&state);
    let seen: Option<i64> = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    let open = Open {
        sub: subscription,
        seen,
        stopping: state.stopping.subscribe(),
        state: state.clone(),
        session: session.id(),
    };
    let mut response = Sse::new(stream_of(open))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Proxies that buffer responses (nginx) would hold the events back.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// An open stream's own state: its place in the hub, the last version sent, the server's
/// stop signal, and its session (checked again before each change is sent).
struct Open {
    sub: Subscription,
    seen: Option<i64>,
    stopping: watch::Receiver<bool>,
    state: AppState,
    session: Option<tower_sessions::session::Id>,
}

/// Whether the session still exists (logging out deletes it; the handle a stream holds
/// keeps its own copy, so the store is asked).
async fn still_signed_in(state: &AppState, id: Option<tower_sessions::session::Id>) -> bool {
    use tower_sessions::SessionStore;
    let Some(id) = id else {
        return false;
    };
    let store = crate::server::sessions::SessionBackend::new(state.db.clone());
    matches!(store.load(&id).await, Ok(Some(_)))
}

fn stream_of(open: Open) -> impl Stream<Item = Result<Event, std::convert::Infallible>> {
    stream::unfold(open, |mut o| async move {
        let current = *o.sub.counts.borrow_and_update();
        if o.seen != Some(current.version) {
            o.seen = Some(current.version);
            return Some((Ok(event(current)), o));
        }
        let changed = tokio::select! {
            changed = o.sub.counts.changed() => changed.is_ok(),
            _ = o.stopping.wait_for(|s| *s) => false,
        };
        // Logged out (or the account is gone) since the stream opened: it ends.
        if !changed || !still_signed_in(&o.state, o.session).await {
            return None;
        }
        let c = *o.sub.counts.borrow_and_update();
        o.seen = Some(c.version);
        Some((Ok(event(c)), o))
    })
}
