//! Operator commands that write data: `seed-demo`, `user create`, `api-key regenerate`.

use time::OffsetDateTime;

use super::{
    config::Secret,
    crypto,
    db::{Db, new_id},
};
use crate::{
    auth::service::{create_account, create_staff_account, find_user_by_email},
    domain::{
        Email, Role,
        account::{self, SignupForm, looks_like_id},
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
        match create_account(db, &form, password, Role::User, None).await {
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
pub async fn seed_demo(db: &Db) -> Result<String, AppError> {
    let email = Email::parse(DEMO_EMAIL).map_err(AppError::BadRequest)?;
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
            let id = create_account(db, &form, DEMO_PASSWORD, Role::User, None).await?;
            report.push(format!("created demo account {DEMO_EMAIL} (password {DEMO_PASSWORD}) with store /s/{DEMO_STORE}"));
            id
        }
    };
    let now = OffsetDateTime::now_utc();
    let tagline = "Grails, GR pairs and graded slabs. Ships in 24 h.";
    with_db!(db, pool => sqlx::query("UPDATE stores SET tagline = $1, updated_at = $2 WHERE slug = $3 AND tagline = ''")
        .bind(tagline).bind(now).bind(DEMO_STORE).execute(pool).await.map(|r| r.rows_affected()))?;
    let inserted = with_db!(db, pool => sqlx::query(
        "INSERT INTO wtb_lists (id, owner_user_id, slug, name, description, is_public, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6) ON CONFLICT (slug) DO NOTHING")
        .bind(new_id()).bind(&user_id).bind(DEMO_LIST).bind("Demo wants")
        .bind("Paying fair prices for these — DM us on Discord.").bind(now)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    if inserted == 1 {
        report.push(format!("created public WTB list /lists/{DEMO_LIST}"));
    } else {
        report.push(format!("WTB list {DEMO_LIST} already exists"));
    }
    Ok(report.join("\n"))
}

/// Issues `fd_` + 32 alphanumerics for a list, storing only its HMAC and a short prefix.
pub async fn regenerate_list_key(db: &Db, secret: &Secret, list: &str) -> Result<String, AppError> {
    let key = format!("fd_{}", crypto::random_token(32));
    let hash = crypto::hmac_hex(secret.expose(), &key);
    let prefix = &key[..8];
    let key_text = list.trim().to_lowercase();
    let column = if looks_like_id(&key_text) {
        "id"
    } else {
        "slug"
    };
    let sql = format!(
        "UPDATE wtb_lists SET api_key_prefix = $1, api_key_hash = $2, updated_at = $3 WHERE {column} = $4"
    );
    let done = with_db!(db, pool => sqlx::query(&sql)
        .bind(prefix).bind(&hash).bind(OffsetDateTime::now_utc()).bind(&key_text)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(AppError::BadRequest(format!(
            "no WTB list \"{}\"",
            list.trim()
        )));
    }
    Ok(key)
}
