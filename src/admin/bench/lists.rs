//! `flipdesk bench --wtb-items N`: one public Want-To-Buy list of N items with an API key,
//! so the bot API is measured the way a bot calls it (key check and rate limit included).

use crate::server::{
    config::{Secret, Settings},
    db::Db,
};
use crate::{
    domain::{
        Currency,
        wtb::{WtbItemInput, WtbListInput, validate_wtb_item, validate_wtb_list},
    },
    lists::{items, service},
    with_db,
};

pub const BENCH_LIST: &str = "bench-wants";

/// Seeds the list for the first bench store's owner: (API key, id of one item).
pub async fn seed(
    db: &Db,
    settings: &Settings,
    secret: &Secret,
    count: usize,
) -> Result<(String, String), String> {
    let owner: String = with_db!(db, pool => sqlx::query_scalar("SELECT id FROM users WHERE email = 'bench0@flipdesk.test'")
        .fetch_one(pool).await)
    .map_err(|e| format!("bench owner missing: {e}"))?;
    let draft = validate_wtb_list(&WtbListInput {
        name: "Bench wants".into(),
        slug: BENCH_LIST.into(),
        description: "Benchmark list".into(),
        is_public: true,
    })
    .map_err(|e| format!("{e:?}"))?;
    let list = service::create_list(db, settings, &owner, &draft)
        .await
        .map_err(|e| format!("seeding the list failed: {e}"))?;
    let drafts = (0..count.min(items::MAX_ITEMS_PER_LIST as usize))
        .map(|i| {
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
            validate_wtb_item(&input, Currency::Usd).map_err(|e| format!("{e:?}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let first = items::create_items(db, &list.id, &drafts)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
        .map(|i| i.id);
    let key = service::regenerate_key(db, secret, &list.id, None)
        .await
        .map_err(|e| e.to_string())?;
    Ok((key.key, first.unwrap_or_default()))
}
