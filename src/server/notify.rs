//! The one way anything tells a reseller something: a notice in their inbox. Capabilities
//! (orders, imports, lists, plans) and the plumbing (a job that failed for good) write
//! notices here, inside their own transaction when they have one; the inbox capability shows
//! them, counts them live and prunes them. A notice names its event (`dedupe_key`): the same
//! event told twice (a retried job, a replayed webhook) is one notification.
//!
//! A new notice of a reseller who has alert webhooks also queues, in the same transaction,
//! the job that sends it on ([`HAND_OFF`], run by the alerts capability).

use time::OffsetDateTime;

use super::{
    db::{BeginWrite, Db, new_id},
    store::{Sql, Store, Tx, sql},
};
use crate::{
    domain::inbox::{Level, Source},
    with_db,
};

/// The job kind that sends a new notice on to its reseller's alert webhooks. Its payload is
/// `{"notification_id": …}`; no owner, so a failure cannot notify (and hand off) again.
pub const HAND_OFF: &str = "alerts.hand_off";

#[derive(Debug, Clone)]
pub struct Notice {
    pub user_id: String,
    /// What happened, for code and filters (`order_paid`, `wtb_match`, `job_failed`…).
    pub kind: &'static str,
    pub level: Level,
    pub source: Source,
    pub title: String,
    pub body: String,
    /// A page of Flipdesk that shows more (relative, e.g. `/app/store/orders/…`).
    pub link: Option<String>,
    pub data: serde_json::Value,
    pub dedupe_key: String,
}

impl Notice {
    pub fn new(user_id: &str, kind: &'static str, level: Level, title: impl Into<String>) -> Self {
        Notice {
            user_id: user_id.to_string(),
            kind,
            level,
            source: Source::System,
            title: title.into(),
            body: String::new(),
            link: None,
            data: serde_json::json!({}),
            dedupe_key: String::new(),
        }
    }

    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }

    pub fn link(mut self, link: impl Into<String>) -> Self {
        self.link = Some(link.into());
        self
    }

    pub fn source(mut self, source: Source) -> Self {
        self.source = source;
        self
    }

    pub fn data(mut self, data: serde_json::Value) -> Self {
        self.data = data;
        self
    }

    /// The event this notice tells of; without one, `kind:` + a fresh id (never deduplicated).
    pub fn once(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = key.into();
        self
    }

    fn statements(self, now: OffsetDateTime) -> (Sql<'static>, Sql<'static>) {
        let key = if self.dedupe_key.is_empty() {
            format!("{}:{}", self.kind, new_id())
        } else {
            self.dedupe_key
        };
        let id = new_id();
        let hand_off = sql("INSERT INTO jobs (id, kind, payload, owner_user_id, status, attempts, max_attempts, run_at, created_at, updated_at) \
             SELECT $1, $2, $3, NULL, 'queued', 0, 5, $4, $5, $5 WHERE EXISTS (SELECT 1 FROM alert_hooks WHERE owner_user_id = $6)")
            .bind(new_id())
            .bind(HAND_OFF)
            .bind(serde_json::json!({ "notification_id": id }).to_string())
            .bind((now.unix_timestamp_nanos() / 1_000_000) as i64)
            .bind(now)
            .bind(self.user_id.clone());
        let insert = sql("INSERT INTO notifications (id, user_id, kind, level, source, title, body, link, data, dedupe_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (user_id, dedupe_key) DO NOTHING")
            .bind(id)
            .bind(self.user_id)
            .bind(self.kind)
            .bind(self.level)
            .bind(self.source)
            .bind(self.title.chars().take(200).collect::<String>())
            .bind(self.body.chars().take(2_000).collect::<String>())
            .bind(self.link)
            .bind(self.data.to_string())
            .bind(key)
            .bind(now);
        (insert, hand_off)
    }

    /// Writes the notice inside the caller's transaction: it exists exactly when the change
    /// does. Answers whether it is new (false: this event was told before).
    pub async fn write_in<DB: Store>(self, tx: &mut Tx<DB>) -> sqlx::Result<bool> {
        let (insert, hand_off) = self.statements(OffsetDateTime::now_utc());
        let new = insert.execute(tx).await? > 0;
        if new {
            hand_off.execute(tx).await?;
        }
        Ok(new)
    }

    /// Writes the notice on its own.
    pub async fn write(self, db: &Db) -> sqlx::Result<bool> {
        with_db!(db, pool => async {
            let mut tx = pool.begin_write().await?;
            let new = self.write_in(&mut tx).await?;
            tx.commit().await?;
            Ok(new)
        }.await)
    }
}
