//! Want-To-Buy lists on the server: the owner's lists (create, edit, order, delete), their API
//! keys (issued once, stored as an HMAC under FLIPDESK_SECRET) and the public page.

use time::OffsetDateTime;

use super::{
    items,
    types::{IssuedKey, PUBLIC_PER_PAGE, PublicList, WtbListDetail, WtbListSummary},
};
use crate::server::store::sql;
use crate::{
    domain::{account::looks_like_id, wtb::WtbListDraft},
    error::AppError,
    server::{
        config::{Secret, Settings},
        crypto,
        db::{BeginWrite, Db, is_unique_violation, new_id},
        jobs::now_ms,
    },
    with_db,
};

/// Epoch milliseconds as "2026-12-02 14:05 UTC".
pub fn format_ms(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .map(|t| {
            format!(
                "{}-{:02}-{:02} {:02}:{:02} UTC",
                t.year(),
                t.month() as u8,
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: String,
    slug: String,
    name: String,
    description: String,
    is_public: bool,
    item_count: i64,
    api_key_prefix: Option<String>,
    api_key_created_at: Option<i64>,
    api_key_last_used_at: Option<i64>,
}

impl From<SummaryRow> for WtbListSummary {
    fn from(r: SummaryRow) -> Self {
        WtbListSummary {
            id: r.id,
            slug: r.slug,
            name: r.name,
            description: r.description,
            is_public: r.is_public,
            item_count: r.item_count,
            key_prefix: r.api_key_prefix,
            key_created: r.api_key_created_at.map(format_ms),
            key_last_used: r.api_key_last_used_at.map(format_ms),
        }
    }
}

const SUMMARY_SQL: &str = "SELECT l.id, l.slug, l.name, l.description, l.is_public, \
     (SELECT COUNT(*) FROM wtb_items i WHERE i.list_id = l.id) AS item_count, \
     l.api_key_prefix, l.api_key_created_at, l.api_key_last_used_at FROM wtb_lists l";

pub async fn my_lists(db: &Db, user: &str) -> Result<Vec<WtbListSummary>, AppError> {
    let sql = format!("{SUMMARY_SQL} WHERE l.owner_user_id = $1 ORDER BY l.position, l.created_at");
    let rows = with_db!(db, pool => sqlx::query_as::<_, SummaryRow>(&sql).bind(user).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// One of `user`'s lists; another reseller's list does not exist for them.
pub async fn owned_list(db: &Db, user: &str, list_id: &str) -> Result<WtbListSummary, AppError> {
    let sql = format!("{SUMMARY_SQL} WHERE l.id = $1 AND l.owner_user_id = $2");
    let row = with_db!(db, pool => sqlx::query_as::<_, SummaryRow>(&sql).bind(list_id).bind(user).fetch_optional(pool).await)?;
    row.map(Into::into).ok_or(AppError::NotFound)
}

/// The currency new wanted items default to: the owner's store currency, or US dollars for
/// a user without a store yet.
pub async fn default_currency(db: &Db, user: &str) -> Result<crate::domain::Currency, AppError> {
    let currency: Option<crate::domain::Currency> = with_db!(db, pool => sqlx::query_scalar(
        "SELECT s.currency FROM stores s JOIN store_members m ON m.store_id = s.id \
         WHERE m.user_id = $1 AND m.role = 'owner' ORDER BY m.created_at LIMIT 1")
        .bind(user).fetch_optional(pool).await)?;
    Ok(currency.unwrap_or(crate::domain::Currency::Usd))
}

pub async fn list_detail(db: &Db, user: &str, list_id: &str) -> Result<WtbListDetail, AppError> {
    let list = owned_list(db, user, list_id).await?;
    let items = items::all_items(db, &list.id).await?;
    let currency = default_currency(db, user).await?;
    let market = items::market_prices(db, &list.id).await?;
    Ok(WtbListDetail {
        list,
        items,
        currency,
        market,
    })
}

fn taken() -> AppError {
    AppError::field("slug", "That address is taken; choose another.")
}

/// Creates a list within the plan's limit (counted under the owner's row lock, so parallel
/// requests cannot both take the last place).
pub async fn create_list(
    db: &Db,
    settings: &Settings,
    user: &str,
    draft: &WtbListDraft,
) -> Result<WtbListSummary, AppError> {
    let now = OffsetDateTime::now_utc();
    let id = new_id();
    let result = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        if let Err(refused) = crate::billing::quota::check(&mut tx, settings, user, &[crate::billing::quota::Claim::wtb_lists(1)]).await? {
            return Ok(Err(refused));
        }
        let inserted = sqlx::query(
            "INSERT INTO wtb_lists (id, owner_user_id, slug, name, description, is_public, position, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, (SELECT COALESCE(MAX(position), -1) + 1 FROM wtb_lists WHERE owner_user_id = $2), $7, $7)")
            .bind(&id).bind(user).bind(&draft.slug).bind(&draft.name).bind(&draft.description)
            .bind(draft.is_public).bind(now).execute(&mut *tx).await;
        match inserted {
            Err(e) if is_unique_violation(&e) => return Ok(Err(taken())),
            other => { other?; }
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(Ok(()))
    }.await)?;
    result?;
    owned_list(db, user, &id).await
}

pub async fn update_list(
    db: &Db,
    user: &str,
    list_id: &str,
    draft: &WtbListDraft,
) -> Result<WtbListSummary, AppError> {
    let now = OffsetDateTime::now_utc();
    let updated = db.write(sql(
        "UPDATE wtb_lists SET name = $1, slug = $2, description = $3, is_public = $4, updated_at = $5 \
         WHERE id = $6 AND owner_user_id = $7")
        .bind(&draft.name).bind(&draft.slug).bind(&draft.description).bind(draft.is_public).bind(now)
        .bind(list_id).bind(user)).await;
    match updated {
        Err(e) if is_unique_violation(&e) => Err(taken()),
        Err(e) => Err(e.into()),
        Ok(0) => Err(AppError::NotFound),
        Ok(_) => owned_list(db, user, list_id).await,
    }
}

/// Moves a list one place up (`-1`) or down (`1`) in the owner's order.
pub async fn move_list(db: &Db, user: &str, list_id: &str, step: i64) -> Result<(), AppError> {
    let found = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let mut ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM wtb_lists WHERE owner_user_id = $1 ORDER BY position, created_at")
            .bind(user).fetch_all(&mut *tx).await?;
        let Some(at) = ids.iter().position(|id| id == list_id) else {
            return Ok(false);
        };
        let to = (at as i64 + step).clamp(0, ids.len() as i64 - 1) as usize;
        ids.swap(at, to);
        for (position, id) in ids.iter().enumerate() {
            sqlx::query("UPDATE wtb_lists SET position = $1 WHERE id = $2")
                .bind(position as i64).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(true)
    }.await)?;
    if found {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn delete_list(db: &Db, user: &str, list_id: &str) -> Result<(), AppError> {
    let deleted = db
        .write(
            sql("DELETE FROM wtb_lists WHERE id = $1 AND owner_user_id = $2")
                .bind(list_id)
                .bind(user),
        )
        .await?;
    if deleted == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The column a path's `{list}` names: lists are found by id or slug.
fn list_column(key: &str) -> &'static str {
    if looks_like_id(key) { "id" } else { "slug" }
}

/// Issues `fd_` + 32 alphanumerics for a list (by id or slug; `owner` limits it to one
/// reseller's lists), storing only its HMAC and a short prefix. The old key stops working
/// with this statement.
pub async fn regenerate_key(
    db: &Db,
    secret: &Secret,
    list: &str,
    owner: Option<&str>,
) -> Result<IssuedKey, AppError> {
    let key = format!("fd_{}", crypto::random_token(32));
    let hash = crypto::hmac_hex(secret.expose(), &key);
    let prefix = key[..8].to_string();
    let list = list.trim().to_lowercase();
    let text = format!(
        "UPDATE wtb_lists SET api_key_prefix = $1, api_key_hash = $2, api_key_created_at = $3, \
         api_key_last_used_at = NULL, updated_at = $4 \
         WHERE {} = $5 AND ($6 IS NULL OR owner_user_id = $6)",
        list_column(&list)
    );
    let rotate = sql(text)
        .bind(&prefix)
        .bind(&hash)
        .bind(now_ms())
        .bind(OffsetDateTime::now_utc())
        .bind(&list)
        .bind(owner);
    let done = db.write(rotate).await?;
    if done == 0 {
        return Err(AppError::NotFound);
    }
    Ok(IssuedKey { key, prefix })
}

/// The list a presented API key opens.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyHolder {
    pub id: String,
    pub slug: String,
    pub owner_user_id: String,
    pub api_key_hash: String,
    pub api_key_last_used_at: Option<i64>,
    /// Changes with every change to the list's items (keys cached pages).
    pub items_version: i64,
}

impl KeyHolder {
    /// Whether a path's `{list}` (slug or id) names this list.
    pub fn is_list(&self, path_list: &str) -> bool {
        let key = path_list.trim().to_lowercase();
        key == self.id || key == self.slug
    }
}

/// Finds the list of a presented key. Keys have a fixed shape, so anything else is refused
/// without a query; the stored HMAC is compared in constant time.
pub async fn authenticate(
    db: &Db,
    secret: &Secret,
    presented: &str,
) -> Result<Option<KeyHolder>, AppError> {
    let well_formed = presented.len() == 35
        && presented.starts_with("fd_")
        && presented[3..].chars().all(|c| c.is_ascii_alphanumeric());
    if !well_formed {
        return Ok(None);
    }
    let hash = crypto::hmac_hex(secret.expose(), presented);
    let holder = with_db!(db, pool => sqlx::query_as::<_, KeyHolder>(
        "SELECT id, slug, owner_user_id, api_key_hash, api_key_last_used_at, items_version FROM wtb_lists WHERE api_key_hash = $1")
        .bind(&hash).fetch_optional(pool).await)?;
    Ok(holder.filter(|h| crypto::hmac_matches(secret.expose(), presented, &h.api_key_hash)))
}

/// Records that a key was used: at most once a minute per key, so reads stay reads.
pub async fn touch_key(db: &Db, holder: &KeyHolder) {
    let now = now_ms();
    if holder
        .api_key_last_used_at
        .is_some_and(|t| now - t < 60_000)
    {
        return;
    }
    let result = db.write(sql(
        "UPDATE wtb_lists SET api_key_last_used_at = $1 WHERE id = $2 AND api_key_hash = $3")
        .bind(now).bind(&holder.id).bind(&holder.api_key_hash)).await.map(|_| ());
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot record API key use");
    }
}

#[derive(sqlx::FromRow)]
struct PublicRow {
    id: String,
    slug: String,
    name: String,
    description: String,
    store_slug: Option<String>,
    store_name: Option<String>,
    logo_url: Option<String>,
}

/// A public list by slug or id with its items; private lists do not exist here.
pub async fn find_public_list(
    db: &Db,
    settings: &Settings,
    key: &str,
    page: u32,
) -> Result<Option<PublicList>, AppError> {
    let key = key.trim().to_lowercase();
    if key.is_empty() || key.len() > 64 {
        return Ok(None);
    }
    // The owner's store, if any, so shoppers can find the buyer.
    let sql = format!(
        "SELECT l.id, l.slug, l.name, l.description, s.slug AS store_slug, s.name AS store_name, s.logo_url
         FROM wtb_lists l
         LEFT JOIN store_members m ON m.user_id = l.owner_user_id AND m.role = 'owner'
         LEFT JOIN stores s ON s.id = m.store_id
         WHERE l.{} = $1 AND l.is_public = TRUE
         ORDER BY m.created_at LIMIT 1",
        list_column(&key)
    );
    let Some(row) = with_db!(db, pool => sqlx::query_as::<_, PublicRow>(&sql).bind(&key).fetch_optional(pool).await)?
    else {
        return Ok(None);
    };
    let page = page.max(1);
    let (items, total) = items::public_page(db, &row.id, page, PUBLIC_PER_PAGE).await?;
    let site = settings.public_url.trim_end_matches('/');
    let image_url = row
        .logo_url
        .filter(|u| u.starts_with("https://"))
        .unwrap_or_else(|| format!("{site}/og-wtb.png"));
    Ok(Some(PublicList {
        page_url: format!("{site}/lists/{}", row.slug),
        slug: row.slug,
        name: row.name,
        description: row.description,
        owner_store: row.store_slug.zip(row.store_name),
        items,
        total,
        page,
        image_url,
    }))
}
