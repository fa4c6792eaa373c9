//! `flipdesk backup FILE` / `flipdesk restore FILE`.
//! SQLite: `VACUUM INTO` makes a consistent copy while the app keeps running; restore copies
//! it into place when the target database is empty. PostgreSQL: `pg_dump -Fc` / `pg_restore`.

use std::path::{Path, PathBuf};

use crate::server::{
    config::DatabaseSettings,
    db::{Db, redact_url, sqlite_file_path},
};

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

pub async fn backup(db: &Db, url: &str, file: &Path) -> Result<(), String> {
    if file.exists() {
        return Err(format!(
            "{} already exists; choose a new file name",
            file.display()
        ));
    }
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        return Err(format!("folder {} does not exist", parent.display()));
    }
    match db {
        Db::Sqlite(pool) => {
            let target = file.to_str().ok_or("the backup path must be valid UTF-8")?;
            sqlx::query("VACUUM INTO $1")
                .bind(target)
                .execute(pool)
                .await
                .map_err(|e| format!("backup failed: {e}"))?;
            Ok(())
        }
        Db::Postgres(_) => {
            let status = tokio::process::Command::new(pg_tool("pg_dump")?)
                .arg("--format=custom")
                .arg("--no-owner")
                .arg(format!("--file={}", file.display()))
                .arg(format!("--dbname={url}"))
                .status()
                .await
                .map_err(|e| format!("cannot run pg_dump: {e}"))?;
            if !status.success() {
                let _ = std::fs::remove_file(file);
                return Err(format!("pg_dump failed for {}", redact_url(url)));
            }
            Ok(())
        }
    }
}

pub async fn restore(settings: &DatabaseSettings, file: &Path) -> Result<(), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    if settings.url.starts_with("sqlite:") {
        if !bytes.starts_with(SQLITE_MAGIC) {
            return Err(format!(
                "{} is not a SQLite backup made by flipdesk backup",
                file.display()
            ));
        }
        let target =
            sqlite_file_path(&settings.url).ok_or("restore needs a file-backed SQLite database")?;
        let target = PathBuf::from(target);
        if target.exists() && !sqlite_is_empty(settings).await? {
            return Err(format!(
                "{} is not empty; restore only into an empty database",
                target.display()
            ));
        }
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
        }
        let tmp = target.with_extension("restoring");
        std::fs::write(&tmp, &bytes).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &target)
            .map_err(|e| format!("cannot move backup into place: {e}"))?;
        // Check that the restored file opens and carries Flipdesk's schema.
        let db = Db::connect(settings).await.map_err(|e| e.to_string())?;
        let ok = with_sqlite_tables(&db).await?;
        if ok && let Db::Sqlite(pool) = &db {
            // VACUUM INTO may renumber rowids; the full-text index follows rowids, so rebuild it.
            sqlx::query("INSERT INTO items_fts (items_fts) VALUES ('rebuild')")
                .execute(pool)
                .await
                .map_err(|e| format!("cannot rebuild the search index: {e}"))?;
        }
        db.close().await;
        if !ok {
            return Err("the restored file has no Flipdesk tables".into());
        }
        Ok(())
    } else {
        if !bytes.starts_with(b"PGDMP") {
            return Err(format!(
                "{} is not a PostgreSQL custom-format backup",
                file.display()
            ));
        }
        let db = Db::connect(settings).await.map_err(|e| e.to_string())?;
        let tables: i64 = match &db {
            Db::Postgres(pool) => sqlx::query_scalar(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
            )
            .fetch_one(pool)
            .await
            .map_err(|e| format!("cannot inspect the target database: {e}"))?,
            Db::Sqlite(_) => unreachable!("URL checked above"),
        };
        db.close().await;
        if tables > 0 {
            return Err(format!(
                "{} is not empty; restore only into an empty database",
                redact_url(&settings.url)
            ));
        }
        let status = tokio::process::Command::new(pg_tool("pg_restore")?)
            .arg("--no-owner")
            .arg("--exit-on-error")
            .arg(format!("--dbname={}", settings.url))
            .arg(file)
            .status()
            .await
            .map_err(|e| format!("cannot run pg_restore: {e}"))?;
        if !status.success() {
            return Err("pg_restore failed; the target database may need to be recreated".into());
        }
        Ok(())
    }
}

async fn sqlite_is_empty(settings: &DatabaseSettings) -> Result<bool, String> {
    let db = Db::connect(settings).await.map_err(|e| e.to_string())?;
    let count: i64 = match &db {
        Db::Sqlite(pool) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")
                .fetch_one(pool)
                .await
                .map_err(|e| e.to_string())?
        }
        Db::Postgres(_) => 0,
    };
    db.close().await;
    Ok(count == 0)
}

async fn with_sqlite_tables(db: &Db) -> Result<bool, String> {
    match db {
        Db::Sqlite(pool) => {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', '_sqlx_migrations')")
                .fetch_one(pool)
                .await
                .map_err(|e| e.to_string())?;
            Ok(n == 2)
        }
        Db::Postgres(_) => Ok(true),
    }
}

/// `pg_dump`/`pg_restore` from PATH, or Debian's versioned folder.
fn pg_tool(name: &str) -> Result<PathBuf, String> {
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    for version in ["17", "16", "15"] {
        let candidate = PathBuf::from(format!("/usr/lib/postgresql/{version}/bin/{name}"));
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    Err(format!(
        "{name} was not found; install the PostgreSQL client tools"
    ))
}
