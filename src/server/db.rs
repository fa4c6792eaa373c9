//! One code path for two databases: `Db` holds either pool and `with_db!` runs the same
//! (portable, `$1`-placeholder) SQL on whichever it is. Backend-specific SQL lives in small
//! named functions with one arm per backend.

use sqlx::{
    PgPool, SqlitePool,
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use std::{str::FromStr, time::Duration};

use super::config::DatabaseSettings;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool of either backend.
#[macro_export]
macro_rules! with_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::server::db::Db::Sqlite($pool) => $body,
            $crate::server::db::Db::Postgres($pool) => $body,
        }
    };
}

pub use super::store::BeginWrite;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: cannot open {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("database: migration failed: {0}")]
    Migrate(String),
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// A URL with its password replaced, safe for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            let masked = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_string()
            };
            format!("{}{}{}", &url[..scheme_end + 3], masked, &url[at..])
        }
        _ => url.to_string(),
    }
}

impl Db {
    /// One write statement on its own (autocommit), taking SQLite's write turn first: for a
    /// change that is a single statement. More than one statement is a transaction
    /// (`pool.begin_write()`).
    pub async fn write(&self, q: super::store::Sql<'_>) -> sqlx::Result<u64> {
        match self {
            Db::Sqlite(pool) => q.write_alone(pool).await,
            Db::Postgres(pool) => q.write_alone(pool).await,
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn connect(settings: &DatabaseSettings) -> Result<Db, DbError> {
        let url = settings.url.as_str();
        let fail = |reason: String| DbError::Connect {
            url: redact_url(url),
            reason,
        };
        if url.starts_with("sqlite:") {
            if let Some(parent) = sqlite_file_path(url)
                .and_then(|p| std::path::Path::new(&p).parent().map(|d| d.to_path_buf()))
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(&parent)
                    .map_err(|e| fail(format!("cannot create {}: {e}", parent.display())))?;
            }
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| fail(e.to_string()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                // 16 MB of page cache per connection (the default 2 MB spills on big writes
                // such as an import batch) and temporary b-trees in memory.
                .pragma("cache_size", "-16000")
                .pragma("temp_store", "memory")
                // Reads go through one shared memory map instead of copying pages into each
                // pooled connection's own cache (the pool hands out different connections).
                .pragma("mmap_size", "268435456")
                // Checkpoint the WAL every ~40 MB rather than every 4 MB: a big import then
                // pays for a handful of checkpoints instead of dozens.
                .pragma("wal_autocheckpoint", "10000")
                .busy_timeout(Duration::from_millis(settings.busy_timeout_ms));
            let pool = SqlitePoolOptions::new()
                .max_connections(settings.max_connections)
                // An embedded database cannot hang up; pinging each connection before use
                // cost every query an extra round trip to the connection's thread.
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(settings.acquire_timeout_secs))
                .connect_with(options)
                .await
                .map_err(|e| fail(e.to_string()))?;
            Ok(Db::Sqlite(pool))
        } else {
            let pool = PgPoolOptions::new()
                .max_connections(settings.max_connections)
                .acquire_timeout(Duration::from_secs(settings.acquire_timeout_secs))
                .connect(url)
                .await
                .map_err(|e| fail(e.to_string()))?;
            Ok(Db::Postgres(pool))
        }
    }

    /// Applies the embedded migrations of this backend, then the session store's own table.
    pub async fn migrate(&self) -> Result<(), DbError> {
        let result = match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        };
        result.map_err(|e| DbError::Migrate(e.to_string()))?;
        super::sessions::SessionBackend::new(self.clone())
            .migrate()
            .await
            .map_err(|e| DbError::Migrate(format!("session store: {e}")))
    }

    /// A cheap round trip for `/health`.
    pub async fn ping(&self) -> bool {
        let probe =
            with_db!(self, pool => sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(pool).await);
        probe.is_ok()
    }

    pub async fn close(&self) {
        with_db!(self, pool => pool.close().await)
    }
}

/// SQLite has one writer per database file, and writers waiting in its busy handler are
/// served in no particular order: under many concurrent order writes (a burst of Stripe
/// webhooks, a drop's checkouts) the unlucky ones wait many times longer than the rest. Order
/// transactions of this process therefore first queue here, one queue per database file,
/// first come first served (tokio's semaphore is fair). Hold the turn only for the
/// transaction, never across a call to Stripe or any other service.
pub async fn sqlite_write_turn(pool: &SqlitePool) -> tokio::sync::OwnedSemaphorePermit {
    use std::{
        collections::HashMap,
        path::PathBuf,
        sync::{Arc, LazyLock, Mutex},
    };
    use tokio::sync::Semaphore;
    static TURNS: LazyLock<Mutex<HashMap<PathBuf, Arc<Semaphore>>>> =
        LazyLock::new(Default::default);
    let file = pool.connect_options().get_filename().to_path_buf();
    let gate = TURNS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(file)
        .or_insert_with(|| Arc::new(Semaphore::new(1)))
        .clone();
    gate.acquire_owned()
        .await
        .expect("the write queue is never closed")
}

/// The file behind a `sqlite://` URL (None for in-memory databases).
pub fn sqlite_file_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(path.to_string())
    }
}

/// Is this error a unique-constraint violation (same meaning on both backends)?
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_unique_violation(),
        _ => false,
    }
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db:5432/flipdesk"),
            "postgres://app:***@db:5432/flipdesk"
        );
        assert_eq!(
            redact_url("sqlite://data/flipdesk.db"),
            "sqlite://data/flipdesk.db"
        );
    }

    #[test]
    fn finds_sqlite_files() {
        assert_eq!(
            sqlite_file_path("sqlite://data/x.db?mode=rwc").as_deref(),
            Some("data/x.db")
        );
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
    }
}
