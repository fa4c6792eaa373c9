//! In-process limits for log-in and sign-up: a token bucket per client IP (governor) and a
//! sliding window of failed log-ins per account.

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};
use std::{
    collections::{HashMap, VecDeque},
    net::IpAddr,
    num::NonZeroU32,
    sync::Mutex,
    time::{Duration, Instant},
};

use super::config::{ApiSettings, AuthSettings, CheckoutSettings};

pub struct Limiters {
    login_per_ip: DefaultKeyedRateLimiter<IpAddr>,
    signup_per_ip: DefaultKeyedRateLimiter<IpAddr>,
    signup_per_email: DefaultKeyedRateLimiter<String>,
    /// Per WTB list (its API key's requests; a new key shares the list's bucket).
    list_keys: DefaultKeyedRateLimiter<String>,
    key_regenerations_per_list: DefaultKeyedRateLimiter<String>,
    key_regenerations_per_account: DefaultKeyedRateLimiter<String>,
    checkouts_per_ip: DefaultKeyedRateLimiter<IpAddr>,
    checkouts_per_store: DefaultKeyedRateLimiter<String>,
    /// Failed log-ins per (account, source): these lock.
    pub login_failures: FailureWindow,
    /// Failed log-ins per account from every source: these only slow down.
    pub account_failures: FailureWindow,
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).expect("max(1) is non-zero")
}

impl Limiters {
    pub fn new(auth: &AuthSettings, api: &ApiSettings, checkout: &CheckoutSettings) -> Self {
        Limiters {
            login_per_ip: RateLimiter::keyed(Quota::per_minute(nonzero(
                auth.login_attempts_per_ip_per_minute,
            ))),
            signup_per_ip: RateLimiter::keyed(Quota::per_hour(nonzero(
                auth.signup_attempts_per_ip_per_hour,
            ))),
            signup_per_email: RateLimiter::keyed(Quota::per_hour(nonzero(
                auth.signup_attempts_per_email_per_hour,
            ))),
            list_keys: RateLimiter::keyed(Quota::per_minute(nonzero(
                api.list_key_requests_per_minute,
            ))),
            key_regenerations_per_list: RateLimiter::keyed(Quota::per_hour(nonzero(
                api.key_regenerations_per_list_per_hour,
            ))),
            key_regenerations_per_account: RateLimiter::keyed(Quota::per_hour(nonzero(
                api.key_regenerations_per_account_per_hour,
            ))),
            checkouts_per_ip: RateLimiter::keyed(Quota::per_minute(nonzero(
                checkout.sessions_per_ip_per_minute,
            ))),
            checkouts_per_store: RateLimiter::keyed(Quota::per_minute(nonzero(
                checkout.sessions_per_store_per_minute,
            ))),
            login_failures: FailureWindow::new(
                auth.login_failures_per_account as usize,
                Duration::from_secs(auth.login_failure_window_secs),
            ),
            account_failures: FailureWindow::new(
                auth.login_failures_per_account as usize,
                Duration::from_secs(auth.login_failure_window_secs),
            ),
        }
    }

    /// `Err(seconds to wait)` when this IP made too many log-in attempts.
    pub fn check_login_ip(&self, ip: IpAddr) -> Result<(), u64> {
        check(&self.login_per_ip, &ip)
    }

    /// `Err(seconds to wait)` when this list's API key used up its requests for now.
    pub fn check_list_key(&self, list_id: &str) -> Result<(), u64> {
        check(&self.list_keys, &list_id.to_string())
    }

    /// `Err(seconds to wait)` when this account or list made too many new keys lately.
    pub fn check_key_regeneration(&self, user_id: &str, list_id: &str) -> Result<(), u64> {
        check(&self.key_regenerations_per_list, &list_id.to_string())?;
        check(&self.key_regenerations_per_account, &user_id.to_string())
    }

    /// `Err(seconds to wait)` when this IP, or anyone for this store, opened too many
    /// checkouts (reservations) lately.
    pub fn check_checkout(&self, ip: IpAddr, store: &str) -> Result<(), u64> {
        check(&self.checkouts_per_ip, &ip)?;
        check(&self.checkouts_per_store, &store.to_string())
    }

    pub fn check_signup(&self, ip: IpAddr, email: &str) -> Result<(), u64> {
        check(&self.signup_per_ip, &ip)?;
        check(&self.signup_per_email, &email.to_string())
    }
}

fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), u64> {
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        wait.as_secs().max(1)
    })
}

/// Counts failures per key within a window; at `max` failures the key is locked until the
/// oldest failure leaves the window.
pub struct FailureWindow {
    max: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl FailureWindow {
    pub fn new(max: usize, window: Duration) -> Self {
        FailureWindow {
            max: max.max(1),
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` while the key is locked.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if let Some(times) = map.get_mut(key) {
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= self.window)
            {
                times.pop_front();
            }
            if times.len() >= self.max {
                let oldest = *times.front().expect("len >= max >= 1");
                let wait = self.window.saturating_sub(now.duration_since(oldest));
                return Err(wait.as_secs().max(1));
            }
            if times.is_empty() {
                map.remove(key);
            }
        }
        Ok(())
    }

    pub fn record_failure(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key.to_string())
            .or_default()
            .push_back(Instant::now());
    }

    /// Records a failure and answers how many the key has within the window.
    pub fn record_and_count(&self, key: &str) -> usize {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let times = map.entry(key.to_string()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
        times.push_back(now);
        // Only "more than max" matters to callers: keep the deque small under a flood.
        if times.len() > self.max * 4 {
            times.pop_front();
        }
        times.len()
    }

    pub fn clear(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures_and_clears_on_success() {
        let w = FailureWindow::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(w.check("a@b.co").is_ok());
            w.record_failure("a@b.co");
        }
        let wait = w.check("a@b.co").unwrap_err();
        assert!(wait > 0 && wait <= 60);
        assert!(w.check("other@b.co").is_ok());
        w.clear("a@b.co");
        assert!(w.check("a@b.co").is_ok());
    }

    #[test]
    fn failures_expire_with_the_window() {
        let w = FailureWindow::new(1, Duration::from_millis(0));
        w.record_failure("k");
        assert!(w.check("k").is_ok());
    }
}
