//! The inbox's reads and writes: a page of notifications with filters, marking read or
//! unread, deleting, how long they are kept, and the prune that enforces it. Every query
//! names the owner: another reseller's notification is not found.

use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::types::{InboxPage, NotificationView};
use crate::{
    domain::inbox::{
        InboxQuery, Level, MAX_BULK, PAGE_SIZE, RETENTION_CHOICES, Source, check_retention,
    },
    error::AppError,
    server::{
        db::{BeginWrite, Db},
        store::{placeholders, sql},
    },
    with_db,
};

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    kind: String,
    level: Level,
    source: Source,
    title: String,
    body: String,
    link: Option<String>,
    created_at: OffsetDateTime,
    read_at: Option<i64>,
}

const FILTER: &str = "user_id = $1 AND ($2 IS NULL OR level = $2) AND ($3 IS NULL OR source = $3) \
    AND ($4 = FALSE OR read_at IS NULL)";

pub async fn page(db: &Db, owner: &str, q: &InboxQuery) -> Result<InboxPage, AppError> {
    let level = q.level.map(|l| l.as_str());
    let source = q.source.map(|s| s.as_str());
    let offset = i64::from(q.page) * i64::from(PAGE_SIZE);
    let list = format!(
        "SELECT id, kind, level, source, title, body, link, created_at, read_at FROM notifications \
         WHERE {FILTER} ORDER BY created_at DESC, id DESC LIMIT {PAGE_SIZE} OFFSET {offset}"
    );
    let count = format!("SELECT COUNT(*) FROM notifications WHERE {FILTER}");
    let (rows, total, unread, retention_days) = with_db!(db, pool => async {
        let rows: Vec<Row> = sqlx::query_as(&list).bind(owner).bind(level).bind(source).bind(q.unread_only)
            .fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar(&count).bind(owner).bind(level).bind(source).bind(q.unread_only)
            .fetch_one(pool).await?;
        let unread: Option<i64> = sqlx::query_scalar("SELECT unread FROM inbox_counts WHERE user_id = $1")
            .bind(owner).fetch_optional(pool).await?;
        let retention: i64 = sqlx::query_scalar("SELECT inbox_retention_days FROM users WHERE id = $1")
            .bind(owner).fetch_one(pool).await?;
        Ok::<_, sqlx::Error>((rows, total, unread.unwrap_or(0), retention))
    }.await)?;
    let pages = u32::try_from((total + i64::from(PAGE_SIZE) - 1) / i64::from(PAGE_SIZE))
        .unwrap_or(u32::MAX);
    Ok(InboxPage {
        items: rows
            .into_iter()
            .map(|r| NotificationView {
                id: r.id,
                kind: r.kind,
                level: r.level,
                source: r.source,
                title: r.title,
                body: r.body,
                link: r.link,
                created_at: r.created_at.format(&Rfc3339).unwrap_or_default(),
                read: r.read_at.is_some(),
            })
            .collect(),
        total,
        unread,
        page: q.page,
        pages,
        retention_days,
    })
}

pub async fn unread(db: &Db, owner: &str) -> Result<i64, AppError> {
    let n: Option<i64> = with_db!(db, pool => sqlx::query_scalar("SELECT unread FROM inbox_counts WHERE user_id = $1")
        .bind(owner).fetch_optional(pool).await)?;
    Ok(n.unwrap_or(0))
}

/// The ids of a bulk action: at least one, at most `MAX_BULK`, each once.
fn checked_ids(ids: &[String]) -> Result<Vec<&str>, AppError> {
    let mut unique: Vec<&str> = ids.iter().map(String::as_str).collect();
    unique.sort_unstable();
    unique.dedup();
    if unique.is_empty() {
        return Err(AppError::field("ids", "Choose at least one notification."));
    }
    if unique.len() > MAX_BULK {
        return Err(AppError::field(
            "ids",
            format!("Choose at most {MAX_BULK} notifications at once."),
        ));
    }
    Ok(unique)
}

/// Runs `text` (with `$1` the owner, `$2`… `extra`, then the ids) on exactly the named
/// notifications of `owner`: when one of them is not theirs (or gone), nothing changes and
/// the answer is 404.
async fn on_all(
    db: &Db,
    owner: &str,
    ids: &[String],
    text: &str,
    extra: Option<i64>,
) -> Result<(), AppError> {
    let ids = checked_ids(ids)?;
    let first = if extra.is_some() { 3 } else { 2 };
    let text = text.replace("{ids}", &placeholders(first, ids.len()));
    let changed = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let mut q = sql(text.as_str()).bind(owner);
        if let Some(v) = extra {
            q = q.bind(v);
        }
        let n = q.bind_all(ids.iter().copied()).execute(&mut tx).await?;
        if n as usize == ids.len() {
            tx.commit().await?;
        }
        Ok::<_, sqlx::Error>(n)
    }.await)?;
    if changed as usize == ids.len() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Marks the notifications read (keeping when they were first read) or unread.
pub async fn mark(
    db: &Db,
    owner: &str,
    ids: &[String],
    read: bool,
    now: i64,
) -> Result<(), AppError> {
    if read {
        on_all(
            db,
            owner,
            ids,
            "UPDATE notifications SET read_at = COALESCE(read_at, $2) WHERE user_id = $1 AND id IN ({ids})",
            Some(now),
        )
        .await
    } else {
        on_all(
            db,
            owner,
            ids,
            "UPDATE notifications SET read_at = NULL WHERE user_id = $1 AND id IN ({ids})",
            None,
        )
        .await
    }
}

pub async fn delete(db: &Db, owner: &str, ids: &[String]) -> Result<(), AppError> {
    on_all(
        db,
        owner,
        ids,
        "DELETE FROM notifications WHERE user_id = $1 AND id IN ({ids})",
        None,
    )
    .await
}

/// Marks every unread notification read; answers how many.
pub async fn mark_all_read(db: &Db, owner: &str, now: i64) -> Result<u64, AppError> {
    Ok(db
        .write(
            sql("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
                .bind(now)
                .bind(owner),
        )
        .await?)
}

pub async fn set_retention(db: &Db, owner: &str, days: i64) -> Result<(), AppError> {
    let days = check_retention(days).map_err(|m| AppError::field("retention_days", m))?;
    db.write(
        sql("UPDATE users SET inbox_retention_days = $1 WHERE id = $2")
            .bind(days)
            .bind(owner),
    )
    .await?;
    Ok(())
}

/// Deletes notifications older than their owner keeps them, a bounded batch per choice of
/// retention per call (the housekeeping round calls it again); answers how many went.
pub async fn prune(db: &Db, now: OffsetDateTime) -> sqlx::Result<u64> {
    let mut pruned = 0;
    for days in RETENTION_CHOICES {
        pruned += db
            .write(
                sql("DELETE FROM notifications WHERE id IN (SELECT n.id FROM notifications n \
                     JOIN users u ON u.id = n.user_id WHERE u.inbox_retention_days = $1 AND n.created_at < $2 LIMIT 1000)")
                    .bind(days)
                    .bind(now - time::Duration::days(days)),
            )
            .await?;
    }
    Ok(pruned)
}
