//! `flipdesk bench --wtb-items N`: one public Want-To-Buy list of N items with an API key,
//! so the bot API is measured the way a bot calls it (key check and rate limit included).

use super::{config::Secret, db::Db};
use crate::{
    domain::{
        Currency,
        wtb::{WtbItemInput, validate_wtb_item},
    },
    lists::{items, service},
    with_db,
};

pub const BENCH_LIST: &str = "bench-wants";

/// Seeds the list for the first bench store's owner: (API key, id of one item).
pub async fn seed(db: &Db, secret: &Secret, count: usize) -> Result<(String, String), String> {
    let owner: String = with_db!(db, pool => sqlx::query_scalar("SELECT id FROM users WHERE email = 'bench0@flipdesk.test'")
        .fetch_one(pool).await)
    .map_err(|e| format!("bench owner missing: {e}"))?;
    let draft = crate::domain::wtb::validate_wtb_list(&crate::domain::wtb::WtbListInput {
        name: "Bench wants".into(),
        slug: BENCH_LIST.into(),
        description: "Benchmark list".into(),
        is_public: true,
    })
    .map_err(|e| format!("{e:?}"))?;
    let list_id = super::db::new_id();
    let now = time::OffsetDateTime::now_utc();
    with_db!(db, pool => sqlx::query(
        "INSERT INTO wtb_lists (id, owner_user_id, slug, name, description, is_public, position, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, TRUE, 0, $6, $6)")
        .bind(&list_id).bind(&owner).bind(&draft.slug).bind(&draft.name).bind(&draft.description).bind(now)
        .execute(pool).await.map(|_| ()))
    .map_err(|e| format!("seeding the list failed: {e}"))?;
    let mut first = None;
    for i in 0..count.min(items::MAX_ITEMS_PER_LIST as usize) {
        let input = WtbItemInput {
            name: format!("Dunk Low #{i}"),
            style_id: format!("DD{:04}-{:03}", i % 10_000, i % 1000),
            size: format!("{}", 7 + i % 8),
            condition: "new".into(),
            quantity: "1".into(),
            max_price: format!("{}", 100 + i % 400),
            currency: "USD".into(),
            notes: "Bench".into(),
            ..Default::default()
        };
        let draft = validate_wtb_item(&input, Currency::Usd).map_err(|e| format!("{e:?}"))?;
        let item = items::create_item(db, &list_id, &draft)
            .await
            .map_err(|e| e.to_string())?;
        first.get_or_insert(item.id);
    }
    let key = service::regenerate_key(db, secret, &list_id, None)
        .await
        .map_err(|e| e.to_string())?;
    Ok((key.key, first.unwrap_or_default()))
}
