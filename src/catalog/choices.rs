//! A reseller's own answers. When they pick another product than the catalog's answer for a
//! text (the item form, an import row), the pick is kept for that text, read as the resolver
//! reads it (noise, case and word order of identifiers aside), and it answers that reseller's
//! next lookups of the same text before the catalog does: type-ahead, import matching.

use std::collections::HashMap;
use time::OffsetDateTime;

use super::{index::Index, resolve};
use crate::{
    domain::catalog::Query,
    server::{db::Db, store::sql},
    with_db,
};

/// The key a text's pick is kept under; `None` for a text with nothing to identify.
pub fn key_of(text: &str) -> Option<String> {
    let q = Query::parse(text);
    let empty = q.words.is_empty()
        && q.style_ids.is_empty()
        && q.numbers.is_empty()
        && q.set_numbers.is_empty()
        && q.gtin.is_none();
    (!empty).then(|| resolve::query_key(&q))
}

/// Keeps `product_id` as `owner`'s answer for `text` when it is not what the catalog answers
/// anyway; a pick that agrees with the catalog again forgets the old override.
pub async fn remember(
    db: &Db,
    index: &Index,
    owner: &str,
    text: &str,
    product_id: &str,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    let Some(key) = key_of(text) else {
        return Ok(());
    };
    let answer = resolve::local(index, text).product_id;
    if answer.as_deref() == Some(product_id) {
        db.write(
            sql("DELETE FROM catalog_choices WHERE owner_user_id = $1 AND query_key = $2")
                .bind(owner)
                .bind(key),
        )
        .await?;
        return Ok(());
    }
    db.write(
        sql("INSERT INTO catalog_choices (owner_user_id, query_key, product_id, updated_at) \
             SELECT $1, $2, id, $4 FROM catalog_products WHERE id = $3 \
             ON CONFLICT (owner_user_id, query_key) DO UPDATE SET product_id = excluded.product_id, updated_at = excluded.updated_at")
        .bind(owner)
        .bind(key)
        .bind(product_id)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// `owner`'s picks for these texts: text → product id.
pub async fn chosen(
    db: &Db,
    owner: &str,
    texts: &[String],
) -> sqlx::Result<HashMap<String, String>> {
    let mut by_key: HashMap<String, Vec<&String>> = HashMap::new();
    for text in texts {
        if let Some(key) = key_of(text) {
            by_key.entry(key).or_default().push(text);
        }
    }
    let keys: Vec<&String> = by_key.keys().collect();
    let mut out = HashMap::new();
    for chunk in keys.chunks(400) {
        let marks: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
        let text = format!(
            "SELECT query_key, product_id FROM catalog_choices WHERE owner_user_id = $1 AND query_key IN ({})",
            marks.join(", ")
        );
        let rows: Vec<(String, String)> = with_db!(db, pool => {
            let mut q = sqlx::query_as(&text).bind(owner);
            for key in chunk {
                q = q.bind(key.as_str());
            }
            q.fetch_all(pool).await
        })?;
        for (key, product) in rows {
            for text in by_key.get(&key).into_iter().flatten() {
                out.insert((*text).clone(), product.clone());
            }
        }
    }
    Ok(out)
}
