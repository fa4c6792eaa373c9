//! What time it is, for everything whose behaviour depends on it: reservation holds, due and
//! retried jobs, guest links, Stripe signature tolerance. Production reads the system clock;
//! tests move the app's clock forward (`advance`) instead of sleeping until a hold runs out.

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};
use time::OffsetDateTime;

/// The app's clock: the system clock plus however far a test moved it forward. Cloning shares
/// it, so the server, its job worker and the test see the same time.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    ahead_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
            + time::Duration::milliseconds(self.ahead_ms.load(Ordering::Relaxed))
    }

    /// Milliseconds since the Unix epoch (how the job queue and holds store time).
    pub fn now_ms(&self) -> i64 {
        (self.now().unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// Moves this clock forward (tests: a hold or a retry's backoff passes at once).
    pub fn advance(&self, by: std::time::Duration) {
        self.ahead_ms
            .fetch_add(by.as_millis() as i64, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_every_clone_forward() {
        let clock = Clock::default();
        let shared = clock.clone();
        let before = shared.now_ms();
        clock.advance(std::time::Duration::from_secs(3600));
        let after = shared.now_ms();
        assert!(after - before >= 3_600_000, "{before} → {after}");
        assert!(after - before < 3_660_000, "{before} → {after}");
    }
}
