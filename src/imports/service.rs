//! Imports on the server. The browser has already parsed, normalised and checked the rows;
//! here every row is checked again with the same validators (the client is never trusted),
//! each batch is written in one transaction together with its idempotency record, and an
//! import can be undone while none of its items changed.

use std::collections::HashSet;

use time::OffsetDateTime;

use super::sales::Settle;
use super::types::{BatchResult, ImportSummary, SavedMapping};
use crate::analytics::ledger::Scope;
use crate::server::store::sql;
use crate::{
    billing::quota::{self, Claim},
    domain::{
        import::{
            BATCH_ROWS, ImportLine,
            sale::{ItemPlan, plan_items},
            stage::key_of,
        },
        inbox::{Level, Source},
        item::ItemStatus,
    },
    error::AppError,
    inventory::service::{Insert, NewItemRow},
    server::config::Settings,
    server::db::{Backend, BeginWrite, Db, new_id},
    server::notify::Notice,
    with_db,
};

/// An import asks "may this owner add N items?" when it starts, so an import that cannot fit
/// writes nothing at all and says how many fit; each batch asks again inside its transaction.
async fn check_room(db: &Db, settings: &Settings, owner: &str, items: u64) -> Result<(), AppError> {
    let checked = with_db!(db, pool => async {
        // Rolled back: the check only reads (and briefly locks the owner's row).
        let mut tx = pool.begin_write().await?;
        quota::check(&mut tx, settings, owner, &[Claim::items(items)]).await
    }.await)?;
    checked.map_err(|refused| match refused {
        AppError::QuotaExceeded {
            limit,
            allowed,
            used,
            message,
        } => {
            let fit = allowed.saturating_sub(used);
            let fits = match fit {
                0 => "none of them fit".to_string(),
                1 => "1 more fits".to_string(),
                n => format!("{n} more fit"),
            };
            AppError::QuotaExceeded {
                message: format!(
                    "This file adds {items} item{} and {fits}. {message}",
                    if items == 1 { "" } else { "s" }
                ),
                limit,
                allowed,
                used,
            }
        }
        other => other,
    })
}

#[derive(sqlx::FromRow)]
struct ImportRow {
    id: String,
    file_name: String,
    status: String,
    rows_total: i64,
    created_count: i64,
    skipped_count: i64,
    failed_count: i64,
    created_at: OffsetDateTime,
}

impl From<ImportRow> for ImportSummary {
    fn from(r: ImportRow) -> Self {
        let created_at = r
            .created_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        ImportSummary {
            id: r.id,
            file_name: r.file_name,
            status: r.status,
            rows_total: r.rows_total,
            created: r.created_count,
            skipped: r.skipped_count,
            failed: r.failed_count,
            created_at,
        }
    }
}

const IMPORT_COLUMNS: &str =
    "id, file_name, status, rows_total, created_count, skipped_count, failed_count, created_at";

/// Opens an import; batches are sent against its id.
pub async fn start(
    db: &Db,
    settings: &Settings,
    owner: &str,
    file_name: &str,
    rows_total: i64,
    items_total: i64,
) -> Result<String, AppError> {
    let name: String = file_name.trim().chars().take(200).collect();
    if name.is_empty() {
        return Err(AppError::field("file_name", "The file has no name."));
    }
    if !(1..=1_000_000).contains(&rows_total) {
        return Err(AppError::field(
            "rows_total",
            "An import has 1 to 1,000,000 rows.",
        ));
    }
    if !(1..=rows_total).contains(&items_total) {
        return Err(AppError::field(
            "items_total",
            "An import makes 1 item up to one per row.",
        ));
    }
    check_room(db, settings, owner, items_total as u64).await?;
    let id = new_id();
    db.write(sql("INSERT INTO imports (id, owner_user_id, file_name, status, rows_total, created_at) VALUES ($1, $2, $3, 'running', $4, $5)")
        .bind(&id).bind(owner).bind(&name).bind(rows_total).bind(OffsetDateTime::now_utc())
        ).await.map(|_| ())?;
    Ok(id)
}

/// Re-checks every line with the browser's rules: one bad line refuses the whole batch,
/// naming the line and field. Rows with one Flipdesk id become one item with its sales.
fn validate_batch(lines: &[ImportLine]) -> Result<Vec<ItemPlan>, AppError> {
    if lines.is_empty() || lines.len() > BATCH_ROWS {
        return Err(AppError::field(
            "lines",
            format!("A batch has 1 to {BATCH_ROWS} rows."),
        ));
    }
    plan_items(lines).map_err(AppError::validation)
}

/// Writes one batch, all or nothing. The (import, batch number) record is written in the
/// same transaction, so a batch sent again — after a timeout, or twice at once — is written
/// once and answers with the first result.
pub async fn commit_batch(
    db: &Db,
    settings: &Settings,
    owner: &str,
    import_id: &str,
    batch_no: i64,
    lines: &[ImportLine],
    catalog: Option<&crate::catalog::index::Index>,
) -> Result<BatchResult, AppError> {
    if !(0..=100_000).contains(&batch_no) {
        return Err(AppError::field("batch", "That is not a batch number."));
    }
    let mut plans = validate_batch(lines)?;
    // Products picked by hand in the grid, kept as the reseller's answer for their text.
    let picked: Vec<(String, String)> = plans
        .iter()
        .filter_map(|p| {
            let product = p.item.catalog_product_id.clone()?;
            Some((crate::domain::catalog::item_text(&p.item), product))
        })
        .collect();
    // The other rows: the reseller's earlier picks for their text, as the grid showed them,
    // then what the catalog names confidently (market prices follow).
    if catalog.is_some() {
        let texts: Vec<String> = plans
            .iter()
            .filter(|p| p.item.catalog_product_id.is_none())
            .map(|p| crate::domain::catalog::item_text(&p.item))
            .collect();
        let chosen = crate::catalog::choices::chosen(db, owner, &texts).await?;
        for p in plans
            .iter_mut()
            .filter(|p| p.item.catalog_product_id.is_none())
        {
            p.item.catalog_product_id = chosen
                .get(&crate::domain::catalog::item_text(&p.item))
                .cloned();
        }
    }
    if let Some(index) = catalog {
        let mut items: Vec<_> = plans.iter_mut().map(|p| &mut p.item).collect();
        crate::catalog::resolve::link_items(index, &mut items);
    }
    let status: Option<String> = with_db!(db, pool => sqlx::query_scalar("SELECT status FROM imports WHERE id = $1 AND owner_user_id = $2")
        .bind(import_id).bind(owner).fetch_optional(pool).await)?;
    match status.as_deref() {
        None => return Err(AppError::NotFound),
        Some("running") => {}
        Some(_) => {
            // A resend of a batch written before the import ended still gets its answer.
            if let Some(created) = batch_record(db, import_id, batch_no).await? {
                return Ok(BatchResult {
                    created,
                    replayed: true,
                });
            }
            return Err(AppError::conflict(
                "import_closed",
                "This import has ended; start a new one to add more rows.",
            ));
        }
    }
    let now = OffsetDateTime::now_utc();
    let today = crate::analytics::service::owner_today(db, owner).await?;
    let rows = plans
        .iter()
        .map(|p| {
            NewItemRow::new(
                &p.item,
                owner,
                ItemStatus::InStock,
                Some(import_id),
                now,
                &today,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let settles: Vec<Settle> = rows
        .iter()
        .zip(&plans)
        .filter(|(_, plan)| Settle::needed(plan))
        .map(|(row, plan)| Settle {
            id: &row.id,
            acquired_on: &row.acquired_on,
            plan,
        })
        .collect();
    let created = rows.len() as i64;
    // What the batch adds that plans limit: its items, and the sales and shipments of its
    // rows in the months they happened.
    let mut claims = vec![Claim::items(rows.len() as u64)];
    for plan in &plans {
        claims.extend(plan.sales.iter().map(|s| Claim::sales(&s.sale.sold_on, 1)));
        claims.extend(
            plan.shipments
                .iter()
                .map(|s| Claim::shipments(&s.shipped_on, 1)),
        );
    }
    let sqlite = db.backend() == Backend::Sqlite;
    let insert = Insert::new(db.backend(), &rows)?;
    let ledger = crate::inventory::service::acquisitions(&rows).write(db.backend(), owner);
    let written: Batch = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let claimed = sqlx::query("INSERT INTO import_batches (import_id, batch_no, created_count) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(import_id).bind(batch_no).bind(created)
            .execute(&mut *tx).await?.rows_affected();
        if claimed == 0 {
            tx.rollback().await?;
            return Ok::<_, sqlx::Error>(Batch::SentBefore);
        }
        // The import's declared size and the account's item limit hold for every batch.
        let counted = sqlx::query("UPDATE imports SET created_count = created_count + $1 WHERE id = $2 AND created_count + $1 <= rows_total")
            .bind(created).bind(import_id).execute(&mut *tx).await?.rows_affected();
        if counted == 0 {
            tx.rollback().await?;
            return Ok(Batch::PastDeclared);
        }
        if let Err(refused) = quota::check(&mut tx, settings, owner, &claims).await? {
            tx.rollback().await?;
            return Ok(Batch::OverLimit(refused));
        }
        // SQLite: the rows this batch adds come after every rowid there is now (the write
        // transaction keeps other writers out); they are added to the search index below.
        let last_rowid: i64 = if sqlite {
            sqlx::query_scalar("SELECT COALESCE(MAX(rowid), 0) FROM items")
                .fetch_one(&mut *tx).await?
        } else {
            0
        };
        insert.sql().execute(&mut tx).await?;
        if sqlite {
            // One statement for the whole batch: the per-row trigger skips imported rows.
            sqlx::query("INSERT INTO items_fts (rowid, search_text) SELECT rowid, search_text FROM items WHERE rowid > $1 AND import_id = $2")
                .bind(last_rowid).bind(import_id).execute(&mut *tx).await?;
        }
        if let Some(w) = &ledger {
            w.sql().execute(&mut tx).await?;
        }
        super::sales::settle(&mut tx, owner, &settles, now).await?;
        tx.commit().await?;
        Ok(Batch::Written)
    }.await)?;
    match written {
        Batch::Written => {
            if let Some(index) = catalog {
                let now = OffsetDateTime::now_utc();
                for (text, product) in &picked {
                    // A convenience: failing to keep a pick fails nothing.
                    if let Err(e) =
                        crate::catalog::choices::remember(db, index, owner, text, product, now)
                            .await
                    {
                        tracing::warn!(error = %e, "could not keep a product choice");
                    }
                }
            }
            Ok(BatchResult {
                created,
                replayed: false,
            })
        }
        Batch::SentBefore => {
            let created = batch_record(db, import_id, batch_no).await?.unwrap_or(0);
            Ok(BatchResult {
                created,
                replayed: true,
            })
        }
        Batch::PastDeclared => Err(AppError::field(
            "rows",
            "This batch has more rows than the import said it would send; start a new import for the rest.",
        )),
        Batch::OverLimit(refused) => Err(refused),
    }
}

/// What became of a batch inside its transaction.
enum Batch {
    Written,
    SentBefore,
    PastDeclared,
    OverLimit(AppError),
}

async fn batch_record(db: &Db, import_id: &str, batch_no: i64) -> Result<Option<i64>, AppError> {
    Ok(
        with_db!(db, pool => sqlx::query_scalar("SELECT created_count FROM import_batches WHERE import_id = $1 AND batch_no = $2")
        .bind(import_id).bind(batch_no).fetch_optional(pool).await)?,
    )
}

/// Closes an import with what the browser skipped (duplicates, rows left unfixed) and what
/// failed to send; `cancelled` when the reseller stopped it.
pub async fn finish(
    db: &Db,
    owner: &str,
    import_id: &str,
    skipped: i64,
    failed: i64,
    cancelled: bool,
) -> Result<ImportSummary, AppError> {
    if skipped < 0 || failed < 0 {
        return Err(AppError::field("skipped", "Counts cannot be negative."));
    }
    let status = if cancelled { "cancelled" } else { "done" };
    with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let finished = sql("UPDATE imports SET status = $1, skipped_count = $2, failed_count = $3, finished_at = $4 \
            WHERE id = $5 AND owner_user_id = $6 AND status = 'running'")
            .bind(status).bind(skipped).bind(failed).bind(OffsetDateTime::now_utc()).bind(import_id).bind(owner)
            .execute(&mut tx).await?;
        if finished == 1 {
            let (file_name, created): (String, i64) =
                sql("SELECT file_name, created_count FROM imports WHERE id = $1")
                    .bind(import_id).fetch_one(&mut tx).await?;
            finished_notice(owner, import_id, &file_name, created, skipped, failed, cancelled)
                .write_in(&mut tx).await?;
        }
        tx.commit().await
    }.await)?;
    get(db, owner, import_id).await
}

/// What the inbox says of a finished import: all in (success), some rows left out (warning).
fn finished_notice(
    owner: &str,
    import_id: &str,
    file_name: &str,
    created: i64,
    skipped: i64,
    failed: i64,
    cancelled: bool,
) -> Notice {
    let left_out = skipped + failed;
    let (level, title) = match (cancelled, left_out) {
        (true, _) => (Level::Warning, format!("Import of {file_name} stopped")),
        (false, 0) => (Level::Success, format!("Imported {file_name}")),
        (false, _) => (
            Level::Warning,
            format!("Imported {file_name}, {left_out} row(s) left out"),
        ),
    };
    Notice::new(owner, "import_finished", level, title)
        .body(format!(
            "{created} item(s) added, {skipped} row(s) skipped, {failed} row(s) failed."
        ))
        .source(Source::Web)
        .link("/app/import")
        .once(format!("import_finished:{import_id}"))
}

pub async fn get(db: &Db, owner: &str, import_id: &str) -> Result<ImportSummary, AppError> {
    let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE id = $1 AND owner_user_id = $2");
    let row: Option<ImportRow> = with_db!(db, pool => sqlx::query_as(&sql).bind(import_id).bind(owner).fetch_optional(pool).await)?;
    row.map(Into::into).ok_or(AppError::NotFound)
}

/// The owner's imports, newest first.
pub async fn history(db: &Db, owner: &str) -> Result<Vec<ImportSummary>, AppError> {
    let sql = format!(
        "SELECT {IMPORT_COLUMNS} FROM imports WHERE owner_user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 100"
    );
    let rows: Vec<ImportRow> =
        with_db!(db, pool => sqlx::query_as(&sql).bind(owner).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Deletes every item of an import, as long as none was edited, sold or shipped since
/// (their version is still 1); otherwise nothing is deleted and the answer says why.
pub async fn undo(db: &Db, owner: &str, import_id: &str) -> Result<u64, AppError> {
    let summary = get(db, owner, import_id).await?;
    if summary.status == "undone" {
        return Err(AppError::conflict(
            "already_undone",
            "This import was already undone.",
        ));
    }
    if summary.status == "running" {
        return Err(AppError::conflict(
            "import_running",
            "This import is still running; cancel it first.",
        ));
    }
    // The import's items stay as checked until the undo commits.
    let changed_sql = format!(
        "SELECT version FROM items WHERE import_id = $1 AND owner_user_id = $2{}",
        crate::server::dialect::for_update(db.backend())
    );
    let outcome: Result<u64, i64> = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let versions: Vec<i64> = sqlx::query_scalar(&changed_sql)
            .bind(import_id).bind(owner).fetch_all(&mut *tx).await?;
        let changed = versions.iter().filter(|v| **v != 1).count() as i64;
        if changed > 0 {
            tx.rollback().await?;
            return Ok::<_, sqlx::Error>(Err(changed));
        }
        crate::analytics::ledger::forget(&mut tx, owner, &Scope::Import(import_id)).await?;
        let deleted = sqlx::query("DELETE FROM items WHERE import_id = $1 AND owner_user_id = $2")
            .bind(import_id).bind(owner).execute(&mut *tx).await?.rows_affected();
        sqlx::query("UPDATE imports SET status = 'undone', finished_at = $1 WHERE id = $2")
            .bind(OffsetDateTime::now_utc()).bind(import_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Ok(deleted))
    }.await)?;
    outcome.map_err(|changed| {
        AppError::conflict(
            "import_changed",
            format!(
                "{changed} item(s) from this import were edited, sold or shipped since; undoing would lose that work, so nothing was removed."
            ),
        )
    })
}

/// Which of these duplicate keys (see `domain::import::stage::duplicate_key`) match items
/// the owner already has.
pub async fn existing_keys(db: &Db, owner: &str, keys: &[String]) -> Result<Vec<String>, AppError> {
    if keys.len() > 5_000 {
        return Err(AppError::field("keys", "At most 5,000 keys per request."));
    }
    let wanted: HashSet<&str> = keys.iter().map(String::as_str).collect();
    let idents: Vec<String> = keys
        .iter()
        .filter_map(|k| k.split('|').next())
        .map(str::to_string)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut found = Vec::new();
    for chunk in idents.chunks(400) {
        let list = (0..chunk.len())
            .map(|i| format!("${}", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT style_id, sku, size, purchase_date, purchase_price, currency FROM items \
             WHERE owner_user_id = $1 AND (style_id IN ({list}) OR UPPER(sku) IN ({list}))"
        );
        type KeyRow = (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            i64,
            String,
        );
        let rows: Vec<KeyRow> = with_db!(db, pool => {
            let mut q = sqlx::query_as(&sql).bind(owner);
            for ident in chunk {
                q = q.bind(ident);
            }
            q.fetch_all(pool).await
        })?;
        for (style, sku, size, date, amount, currency) in rows {
            let Some(ident) = style.or(sku) else { continue };
            let key = key_of(&ident, size.as_deref(), date.as_deref(), amount, &currency);
            if wanted.contains(key.as_str()) && !found.contains(&key) {
                found.push(key);
            }
        }
    }
    Ok(found)
}

const MAPPING_KEY: &str = "import_mapping:";

pub async fn load_mapping(
    db: &Db,
    owner: &str,
    signature: &str,
) -> Result<Option<SavedMapping>, AppError> {
    let value: Option<String> = with_db!(db, pool => sqlx::query_scalar("SELECT value FROM user_preferences WHERE user_id = $1 AND key = $2")
        .bind(owner).bind(format!("{MAPPING_KEY}{signature}")).fetch_optional(pool).await)?;
    // A mapping saved by an older version that no longer parses is simply not offered.
    Ok(value.and_then(|v| serde_json::from_str(&v).ok()))
}

pub async fn save_mapping(
    db: &Db,
    owner: &str,
    signature: &str,
    mapping: &SavedMapping,
) -> Result<(), AppError> {
    if signature.len() != 16 || !signature.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::field(
            "signature",
            "That is not a header signature.",
        ));
    }
    if mapping.mapping.0.len() > crate::domain::import::parse::MAX_COLUMNS {
        return Err(AppError::field("mapping", "Too many columns."));
    }
    let value = serde_json::to_string(mapping)
        .map_err(|e| crate::server::errors::internal("encoding mapping", e))?;
    db.write(sql("INSERT INTO user_preferences (user_id, key, value, updated_at) VALUES ($1, $2, $3, $4) \
        ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
        .bind(owner).bind(format!("{MAPPING_KEY}{signature}")).bind(value).bind(OffsetDateTime::now_utc())
        ).await.map(|_| ())?;
    Ok(())
}
