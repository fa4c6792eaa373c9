//! `flipdesk bench --monitors N`: N store monitors whose anchor words are all in one listing
//! and whose top price it is under (the worst case: the database hands every one of them
//! over), one in a thousand matching it whole (the others want another size); then the
//! matching job for that listing is timed (reading the candidates, checking each, writing
//! the alerts).

use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::{
    domain::{
        item::{ItemInput, ItemStatus, validate_item},
        store::ListingInput,
    },
    monitors::service::{ListingEvent, MatchMonitors, notify_monitors},
    server::{
        config::Settings,
        db::{BeginWrite, Db, new_id},
    },
    with_db,
};

pub async fn measure(
    db: &Db,
    settings: &Settings,
    monitors: usize,
    stores: usize,
) -> Result<String, String> {
    if stores < 2 {
        return Err("--monitors needs --stores 2 or more (a seller and hunters)".into());
    }
    let user = |i: usize| format!("bench{i}@flipdesk.test");
    let id_of = async |email: String| -> Result<String, String> {
        with_db!(db, pool => sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE email = $1")
            .bind(email).fetch_one(pool).await).map_err(|e| e.to_string())
    };
    let seller = id_of(user(0)).await?;
    let input = ItemInput {
        kind: "sneaker".into(),
        name: "Air Jordan 4 Retro Bred Reimagined".into(),
        quantity: "2".into(),
        purchase_price: "210".into(),
        currency: "USD".into(),
        brand: "Nike".into(),
        style_id: "FV5029-006".into(),
        size: "10".into(),
        size_system: "us_m".into(),
        sneaker_condition: "new".into(),
        ..Default::default()
    };
    let draft = validate_item(&input).map_err(|e| format!("{e:?}"))?;
    let item =
        crate::inventory::service::create_item(db, settings, &seller, &draft, ItemStatus::InStock)
            .await
            .map_err(|e| e.to_string())?;
    let listing = crate::store::service::list_item(
        db,
        &seller,
        &item,
        &ListingInput {
            price: "280".into(),
            quantity: String::new(),
            max_per_order: String::new(),
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    // Hunters spread over the other seeded resellers; every monitor's anchor is a word of the
    // listing; one in a thousand matches it whole, the rest want another size.
    let hunters: Vec<String> = {
        let mut ids = Vec::new();
        for i in 1..stores.min(51) {
            ids.push(id_of(user(i)).await?);
        }
        ids
    };
    let anchors = ["reimagined", "jordan", "retro", "fv5029"];
    let now = OffsetDateTime::now_utc();
    let seeded: Result<(), sqlx::Error> = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        for n in 0..monitors {
            let whole = n % 1000 == 0;
            let anchor = anchors[n % anchors.len()];
            sqlx::query("INSERT INTO monitors (id, owner_user_id, keywords, anchor, kind, sizes, condition, max_price, currency, stores, created_at) \
                 VALUES ($1, $2, $3, $4, NULL, $5, NULL, $6, 'USD', '', $7)")
                .bind(new_id()).bind(&hunters[n % hunters.len()]).bind(format!("{anchor} 4 -kids")).bind(anchor)
                .bind(if whole { "10, 10.5" } else { "9" }).bind(30_000_i64)
                .bind(now).execute(&mut *tx).await?;
        }
        tx.commit().await
    }.await);
    seeded.map_err(|e| e.to_string())?;
    let mut times = Vec::new();
    let mut alerts = 0;
    for run in 0..21 {
        let job = MatchMonitors {
            listing_id: listing.clone(),
            event: ListingEvent::Listed,
            at: run,
        };
        let started = Instant::now();
        alerts = notify_monitors(db, &job).await.map_err(|e| e.to_string())?;
        if run > 0 {
            times.push(started.elapsed());
        }
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok(format!(
        "monitors: one listing against {monitors} monitors whose anchor it contains ({alerts} match whole): \
         p50 {:.1} ms, max {:.1} ms over {} runs (reading, checking, writing the alerts)",
        ms(times[times.len() / 2]),
        ms(*times.last().unwrap_or(&Duration::ZERO)),
        times.len()
    ))
}
