//! Operator commands that write data: `seed-demo`, `user create`, `api-key regenerate`.

use time::OffsetDateTime;

use crate::server::store::sql;
use crate::server::{
    config::Secret,
    crypto,
    db::{Db, new_id},
    state::AppState,
};
use crate::{
    auth::service::{create_account, create_staff_account, find_user_by_email},
    domain::{
        Email, Role,
        account::{self, SignupForm},
    },
    error::AppError,
    with_db,
};

pub const DEMO_EMAIL: &str = "demo@flipdesk.test";
pub const DEMO_PASSWORD: &str = "demo-password-1";
pub const DEMO_STORE: &str = "demo";
pub const DEMO_LIST: &str = "demo-wants";

/// Creates an account; resellers (`user`) get a store named after their email.
pub async fn create_user(
    db: &Db,
    email: &Email,
    password: &str,
    role: Role,
) -> Result<String, AppError> {
    if role != Role::User {
        return create_staff_account(db, email, password, role).await;
    }
    let local = email.as_str().split('@').next().unwrap_or("store");
    let mut base = account::slug_from_name(local);
    if base.len() < 3 || account::check_slug(&base).is_err() {
        base = format!("store-{base}").trim_end_matches('-').to_string();
    }
    // Try the plain slug first, then with a short random suffix.
    for attempt in 0..5 {
        let slug = if attempt == 0 {
            base.clone()
        } else {
            format!(
                "{}-{}",
                &base[..base.len().min(50)],
                crypto::random_token(4).to_lowercase()
            )
        };
        let form = SignupForm {
            email: email.clone(),
            store_name: format!("{local}'s store"),
            store_slug: slug,
        };
        match create_account(db, &form, password, Role::User, None, None).await {
            Err(AppError::Validation { fields, .. }) if fields.get("store_slug").is_some() => {
                continue;
            }
            other => return other,
        }
    }
    Err(AppError::conflict(
        "slug_taken",
        "could not find a free store address",
    ))
}

/// Idempotent: creates what is missing of the demo reseller, store and list, and says so.
pub async fn seed_demo(state: &AppState) -> Result<String, AppError> {
    let db = &state.db;
    let email = Email::parse(DEMO_EMAIL).map_err(|message| AppError::BadRequest { message })?;
    let mut report = Vec::new();
    let user_id = match find_user_by_email(db, &email).await? {
        Some(user) => {
            report.push(format!("demo account {DEMO_EMAIL} already exists"));
            user.id
        }
        None => {
            let form = SignupForm {
                email: email.clone(),
                store_name: "Demo Kicks & Cards".into(),
                store_slug: DEMO_STORE.into(),
            };
            let id = create_account(db, &form, DEMO_PASSWORD, Role::User, None, None).await?;
            report.push(format!("created demo account {DEMO_EMAIL} (password {DEMO_PASSWORD}) with store /s/{DEMO_STORE}"));
            id
        }
    };
    let now = OffsetDateTime::now_utc();
    let tagline = "Grails, GR pairs and graded slabs. Ships in 24 h.";
    db.write(
        sql("UPDATE stores SET tagline = $1, updated_at = $2 WHERE slug = $3 AND tagline = ''")
            .bind(tagline)
            .bind(now)
            .bind(DEMO_STORE),
    )
    .await?;
    let inserted = db.write(sql(
        "INSERT INTO wtb_lists (id, owner_user_id, slug, name, description, is_public, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6) ON CONFLICT (slug) DO NOTHING")
        .bind(new_id()).bind(&user_id).bind(DEMO_LIST).bind("Demo wants")
        .bind("Paying fair prices for these — DM us on Discord.").bind(now)
        ).await?;
    if inserted == 1 {
        report.push(format!("created public WTB list /lists/{DEMO_LIST}"));
    } else {
        report.push(format!("WTB list {DEMO_LIST} already exists"));
    }
    report.push(seed_demo_wants(db).await?);
    report.push(super::demo::seed_inventory(db, &state.settings, &user_id).await?);
    report.push(super::demo::seed_store(db, &user_id, DEMO_STORE).await?);
    report.push(super::demo::seed_orders(state, &user_id, DEMO_STORE).await?);
    Ok(report.join("\n"))
}

/// The CLI's `api-key regenerate`: a new key for any list (by slug or id), printed once.
pub async fn regenerate_list_key(db: &Db, secret: &Secret, list: &str) -> Result<String, AppError> {
    match crate::lists::service::regenerate_key(db, secret, list, None).await {
        Ok(issued) => Ok(issued.key),
        Err(AppError::NotFound) => Err(AppError::BadRequest {
            message: format!("no WTB list \"{}\"", list.trim()),
        }),
        Err(e) => Err(e),
    }
}

/// Demo wanted items on `demo-wants` (only while the list is empty).
async fn seed_demo_wants(db: &Db) -> Result<String, AppError> {
    use crate::domain::{
        Currency,
        wtb::{WtbItemInput, validate_wtb_item},
    };
    let list_id: String = with_db!(db, pool => sqlx::query_scalar("SELECT id FROM wtb_lists WHERE slug = $1")
        .bind(DEMO_LIST).fetch_one(pool).await)?;
    let count: i64 = with_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM wtb_items WHERE list_id = $1")
        .bind(&list_id).fetch_one(pool).await)?;
    if count > 0 {
        return Ok(format!("WTB list {DEMO_LIST} already has {count} items"));
    }
    let wants = [
        (
            "Jordan 1 Retro High OG Chicago Lost & Found",
            "DZ5485-612",
            "10.5",
            "new",
            "",
            "1",
            "350",
        ),
        (
            "Nike Dunk Low Panda",
            "DD1391-100",
            "9",
            "new",
            "",
            "4",
            "110",
        ),
        ("Charizard Base Set Holo", "", "", "", "PSA 9", "1", "4500"),
        ("Pokémon 151 Booster Box", "", "", "", "", "3", "150"),
    ];
    for (name, style_id, size, condition, grade, quantity, max_price) in wants {
        let input = WtbItemInput {
            name: name.into(),
            style_id: style_id.into(),
            size: size.into(),
            condition: condition.into(),
            grade: grade.into(),
            quantity: quantity.into(),
            max_price: max_price.into(),
            currency: "USD".into(),
            ..Default::default()
        };
        let draft = validate_wtb_item(&input, Currency::Usd).map_err(AppError::validation)?;
        crate::lists::items::create_item(db, &list_id, &draft).await?;
    }
    Ok(format!(
        "added {} wanted items to /lists/{DEMO_LIST}",
        wants.len()
    ))
}
