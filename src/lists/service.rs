use super::PublicList;
use crate::{domain::account::looks_like_id, error::AppError, server::db::Db, with_db};

#[derive(sqlx::FromRow)]
struct ListRow {
    slug: String,
    name: String,
    description: String,
    store_slug: Option<String>,
    store_name: Option<String>,
}

pub async fn find_public_list(db: &Db, key: &str) -> Result<Option<PublicList>, AppError> {
    let key = key.trim().to_lowercase();
    if key.is_empty() || key.len() > 64 {
        return Ok(None);
    }
    let column = if looks_like_id(&key) {
        "l.id"
    } else {
        "l.slug"
    };
    // The owner's first store, if any, so shoppers can find the seller.
    let sql = format!(
        "SELECT l.slug, l.name, l.description, s.slug AS store_slug, s.name AS store_name
         FROM wtb_lists l
         LEFT JOIN store_members m ON m.user_id = l.owner_user_id AND m.role = 'owner'
         LEFT JOIN stores s ON s.id = m.store_id
         WHERE {column} = $1 AND l.is_public = TRUE
         ORDER BY m.created_at LIMIT 1"
    );
    let row = with_db!(db, pool => sqlx::query_as::<_, ListRow>(&sql).bind(&key).fetch_optional(pool).await)?;
    Ok(row.map(|r| PublicList {
        slug: r.slug,
        name: r.name,
        description: r.description,
        owner_store: r.store_slug.zip(r.store_name),
    }))
}
