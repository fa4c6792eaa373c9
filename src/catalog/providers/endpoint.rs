//! One provider's HTTP side, the same for every provider: its base URL and key headers, a
//! timeout per request, retries with backoff on timeouts / 429 / 5xx, a rate limit, a circuit
//! breaker, and a count of the requests sent (they cost money). Every request is logged with
//! its path and status, never a key.

use std::{
    num::NonZeroU32,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::{StatusCode, header::HeaderMap};
use serde::de::DeserializeOwned;

use crate::server::{clock::Clock, config::CatalogSettings};

/// Waits at most this long for the rate limit inside one call; a longer wait skips the
/// provider for this lookup (the cascade goes on without it).
const LONGEST_WAIT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    #[error("{0} is paused after repeated failures")]
    BreakerOpen(&'static str),
    #[error("{0}'s rate limit is reached")]
    RateLimited(&'static str),
    /// Unreachable, timed out or failing (5xx) after every attempt.
    #[error("{0} is unavailable: {1}")]
    Unavailable(&'static str, String),
    /// The provider refused the request (4xx other than 404 and 429).
    #[error("{0} refused the request ({1})")]
    Refused(&'static str, u16),
    /// The answer did not read as the provider's documented format.
    #[error("{0} answered in an unexpected format: {1}")]
    BadAnswer(&'static str, String),
}

/// Closed: calls go through. After `failures` failed calls in a row it opens for the
/// cooldown; the first call after the cooldown is a trial that closes it or opens it again.
#[derive(Debug, Default)]
struct Breaker {
    failures: u32,
    open_until_ms: Option<i64>,
    trial_running: bool,
}

pub struct Endpoint {
    pub name: &'static str,
    base: String,
    http: reqwest::Client,
    attempts: u32,
    limiter: DefaultDirectRateLimiter,
    breaker: Mutex<Breaker>,
    breaker_failures: u32,
    cooldown_ms: i64,
    calls: AtomicU64,
    clock: Clock,
}

/// How one attempt ended.
enum Attempt<T> {
    Done(Option<T>),
    /// Worth another try after the wait (a server-suggested one for 429).
    Retry(String, Option<Duration>),
    Fail(ProviderError),
}

impl Endpoint {
    pub fn new(
        name: &'static str,
        base: &str,
        headers: HeaderMap,
        per_minute: u32,
        settings: &CatalogSettings,
        clock: Clock,
    ) -> Endpoint {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.provider_timeout_ms))
            .connect_timeout(Duration::from_millis(settings.provider_timeout_ms))
            .default_headers(headers)
            .user_agent(concat!("Flipdesk/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .expect("the provider client builds");
        let per_minute = NonZeroU32::new(per_minute.max(1)).expect("at least one");
        Endpoint {
            name,
            base: base.trim_end_matches('/').to_string(),
            http,
            attempts: settings.provider_attempts.max(1),
            limiter: RateLimiter::direct(Quota::per_minute(per_minute)),
            breaker: Mutex::new(Breaker::default()),
            breaker_failures: settings.breaker_failures.max(1),
            cooldown_ms: (settings.breaker_cooldown_secs * 1000) as i64,
            calls: AtomicU64::new(0),
            clock,
        }
    }

    /// Requests sent so far (every attempt counts: each one may be billed).
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// The client with this provider's headers and timeout (for a request `call` sends).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GETs `path` (with `query`) and reads the JSON answer; `None` when the provider has no
    /// such thing (404).
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Option<T>, ProviderError> {
        self.call(
            || self.http.get(self.url(path)).query(query),
            path,
            |r| async {
                r.json::<T>()
                    .await
                    .map_err(|e| ProviderError::BadAnswer(self.name, e.to_string()))
            },
        )
        .await
    }

    /// A GET of a whole response (a file download): `request` builds it (conditional
    /// headers), `read` consumes the response once its status is a success or 304.
    pub async fn call<T, F, Fut>(
        &self,
        request: impl Fn() -> reqwest::RequestBuilder,
        path: &str,
        read: F,
    ) -> Result<Option<T>, ProviderError>
    where
        F: Fn(reqwest::Response) -> Fut,
        Fut: Future<Output = Result<T, ProviderError>>,
    {
        self.admit()?;
        let mut last = String::new();
        for attempt in 0..self.attempts {
            if attempt > 0 {
                self.wait_for_limit().await?;
            }
            match self.attempt(&request, path, &read).await {
                Attempt::Done(v) => {
                    self.succeeded();
                    return Ok(v);
                }
                Attempt::Fail(e) => {
                    // A refusal says the provider is up; an answer that does not read counts
                    // against the breaker like an outage.
                    if matches!(e, ProviderError::BadAnswer(..)) {
                        self.failed();
                    } else {
                        self.succeeded();
                    }
                    return Err(e);
                }
                Attempt::Retry(why, wait) => {
                    last = why;
                    if attempt + 1 < self.attempts {
                        let backoff = Duration::from_millis(200 << attempt);
                        tokio::time::sleep(wait.unwrap_or(backoff).min(LONGEST_WAIT)).await;
                    }
                }
            }
        }
        self.failed();
        Err(ProviderError::Unavailable(self.name, last))
    }

    async fn attempt<T, F, Fut>(
        &self,
        request: &impl Fn() -> reqwest::RequestBuilder,
        path: &str,
        read: &F,
    ) -> Attempt<T>
    where
        F: Fn(reqwest::Response) -> Fut,
        Fut: Future<Output = Result<T, ProviderError>>,
    {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let response = match request().send().await {
            Ok(r) => r,
            Err(e) => {
                let why = if e.is_timeout() {
                    "timed out".to_string()
                } else {
                    format!("could not connect ({})", e.without_url())
                };
                tracing::warn!(provider = self.name, path, "{why}");
                return Attempt::Retry(why, None);
            }
        };
        let status = response.status();
        tracing::info!(
            provider = self.name,
            path,
            status = status.as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "provider call"
        );
        if status == StatusCode::NOT_FOUND {
            return Attempt::Done(None);
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            let wait = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                .map(Duration::from_secs);
            return Attempt::Retry("asked to slow down (429)".into(), wait);
        }
        if status.is_server_error() {
            return Attempt::Retry(format!("server error {}", status.as_u16()), None);
        }
        if status.is_client_error() {
            return Attempt::Fail(ProviderError::Refused(self.name, status.as_u16()));
        }
        match read(response).await {
            Ok(v) => Attempt::Done(Some(v)),
            // A body cut off mid-way reads as a bad answer too; it is not retried (the
            // provider answered), but the breaker counts it.
            Err(e) => {
                tracing::warn!(provider = self.name, path, "{e}");
                Attempt::Fail(e)
            }
        }
    }

    /// Lets a call start: the breaker is closed (or this is its trial) and the rate limit
    /// allows a request.
    fn admit(&self) -> Result<(), ProviderError> {
        {
            let now = self.clock.now_ms();
            let mut b = self.breaker.lock().expect("breaker lock");
            if let Some(until) = b.open_until_ms {
                if now < until || b.trial_running {
                    return Err(ProviderError::BreakerOpen(self.name));
                }
                b.trial_running = true;
            }
        }
        match self.limiter.check() {
            Ok(()) => Ok(()),
            Err(_) => {
                self.end_trial();
                Err(ProviderError::RateLimited(self.name))
            }
        }
    }

    /// A retry waits for the rate limit when the wait is short.
    async fn wait_for_limit(&self) -> Result<(), ProviderError> {
        match tokio::time::timeout(LONGEST_WAIT, self.limiter.until_ready()).await {
            Ok(()) => Ok(()),
            Err(_) => Err(ProviderError::RateLimited(self.name)),
        }
    }

    fn end_trial(&self) {
        self.breaker.lock().expect("breaker lock").trial_running = false;
    }

    fn succeeded(&self) {
        let mut b = self.breaker.lock().expect("breaker lock");
        if b.open_until_ms.is_some() {
            tracing::info!(provider = self.name, "circuit breaker closed");
        }
        *b = Breaker::default();
    }

    fn failed(&self) {
        let mut b = self.breaker.lock().expect("breaker lock");
        b.failures += 1;
        if b.trial_running || b.failures >= self.breaker_failures {
            tracing::warn!(
                provider = self.name,
                failures = b.failures,
                "circuit breaker open"
            );
            b.open_until_ms = Some(self.clock.now_ms() + self.cooldown_ms);
            b.trial_running = false;
        }
    }

    /// Whether the breaker currently turns calls away.
    pub fn is_open(&self) -> bool {
        let b = self.breaker.lock().expect("breaker lock");
        b.open_until_ms
            .is_some_and(|until| self.clock.now_ms() < until || b.trial_running)
    }
}
