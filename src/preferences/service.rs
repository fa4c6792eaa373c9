use time::OffsetDateTime;

use super::TablePreferences;
use crate::server::store::sql;
use crate::{error::AppError, server::db::Db, with_db};

pub const STOCK_TABLE_KEY: &str = "stock_table";

pub async fn load(db: &Db, user_id: &str, key: &str) -> Result<TablePreferences, AppError> {
    let value: Option<String> = with_db!(db, pool => sqlx::query_scalar("SELECT value FROM user_preferences WHERE user_id = $1 AND key = $2")
        .bind(user_id).bind(key).fetch_optional(pool).await)?;
    // A value from an older shape is ignored rather than breaking the page.
    Ok(value
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

pub async fn save(
    db: &Db,
    user_id: &str,
    key: &str,
    preferences: &TablePreferences,
) -> Result<(), AppError> {
    let value = serde_json::to_string(preferences)
        .map_err(|e| crate::server::errors::internal("encoding preferences", e))?;
    let now = OffsetDateTime::now_utc();
    db.write(sql(
        "INSERT INTO user_preferences (user_id, key, value, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
        .bind(user_id).bind(key).bind(&value).bind(now)
        ).await.map(|_| ())?;
    Ok(())
}
