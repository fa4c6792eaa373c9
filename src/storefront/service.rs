use super::PublicStore;
use crate::{domain::account::looks_like_id, error::AppError, server::db::Db, with_db};

#[derive(sqlx::FromRow)]
struct StoreRow {
    slug: String,
    name: String,
    tagline: String,
    currency: String,
}

/// Looks a store up by slug, or by id when the key is shaped like one.
pub async fn find_public_store(db: &Db, key: &str) -> Result<Option<PublicStore>, AppError> {
    let key = key.trim().to_lowercase();
    if key.is_empty() || key.len() > 64 {
        return Ok(None);
    }
    let column = if looks_like_id(&key) { "id" } else { "slug" };
    let sql = format!("SELECT slug, name, tagline, currency FROM stores WHERE {column} = $1");
    let row = with_db!(db, pool => sqlx::query_as::<_, StoreRow>(&sql).bind(&key).fetch_optional(pool).await)?;
    Ok(row.map(|r| PublicStore {
        slug: r.slug,
        name: r.name,
        tagline: r.tagline,
        currency: r.currency,
    }))
}
