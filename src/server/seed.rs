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
    report.push(seed_demo_wants(db).await?);
    report.push(seed_demo_inventory(db, &user_id).await?);
    report.push(seed_demo_store(db, &user_id).await?);
    Ok(report.join("\n"))
}

/// Demo storefront: settings (when still empty) and a listing for every demo item that is
/// listed or in stock without one, at 40 % over cost.
async fn seed_demo_store(db: &Db, owner: &str) -> Result<String, AppError> {
    use crate::domain::{Currency, Money, store::ListingInput};
    let now = OffsetDateTime::now_utc();
    with_db!(db, pool => sqlx::query(
        "UPDATE stores SET description = $1, shipping_rates = $2, free_shipping_over = $3, policies = $4, faq = $5, \
         payment_instructions = $6, updated_at = $7 WHERE slug = $8 AND shipping_rates = '[]' AND description = ''")
        .bind("Deadstock sneakers and graded Pokémon cards, checked by hand before they ship.")
        .bind(r#"[{"region":"US","amount":1200},{"region":"CA","amount":2500},{"region":"*","amount":4500}]"#)
        .bind(50_000_i64)
        .bind("Every pair is verified. Returns within 14 days if it is not as described.")
        .bind("When do you ship? Within 24 hours on business days.\nDo you combine shipping? Yes, one rate per order.")
        .bind("Pay by bank transfer to Demo Kicks LLC, IBAN US00 DEMO 0000 0001, with your order number as the reference.")
        .bind(now).bind(DEMO_STORE).execute(pool).await.map(|r| r.rows_affected()))?;
    let unlisted: Vec<(String, i64, String)> = with_db!(db, pool => sqlx::query_as(
        "SELECT i.id, i.purchase_price, i.currency FROM items i WHERE i.owner_user_id = $1 AND i.status IN ('listed', 'in_stock') \
         AND NOT EXISTS (SELECT 1 FROM listings l WHERE l.item_id = i.id) ORDER BY i.created_at")
        .bind(owner).fetch_all(pool).await)?;
    let count = unlisted.len();
    for (id, cost, currency) in unlisted {
        let currency = Currency::parse(&currency).unwrap_or(Currency::Usd);
        let price = Money::new(cost * 14 / 10, currency).to_decimal_string();
        let input = ListingInput {
            price,
            quantity: String::new(),
            max_per_order: String::new(),
        };
        crate::store::service::list_item(db, owner, &id, &input).await?;
    }
    Ok(format!("listed {count} demo items in the store"))
}

/// Demo inventory (only when the demo account has none): sneakers, graded and raw cards,
/// sealed boxes with quantity above 1, and sold items with their sale and shipment.
async fn seed_demo_inventory(db: &Db, owner: &str) -> Result<String, AppError> {
    use crate::{
        domain::item::{
            ItemInput, ItemStatus, SaleInput, ShipmentInput, validate_item, validate_sale,
            validate_shipment,
        },
        inventory::service,
    };
    let existing: i64 = with_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE owner_user_id = $1")
        .bind(owner).fetch_one(pool).await)?;
    if existing > 0 {
        return Ok(format!("demo inventory already has {existing} items"));
    }
    let sneaker = |name: &str, style: &str, size: &str, price: &str, date: &str| ItemInput {
        kind: "sneaker".into(),
        name: name.into(),
        quantity: "1".into(),
        purchase_price: price.into(),
        currency: "USD".into(),
        purchase_date: date.into(),
        brand: "Nike".into(),
        style_id: style.into(),
        size: size.into(),
        size_system: "us_m".into(),
        sneaker_condition: "new".into(),
        box_condition: "good".into(),
        storage_location: "Shelf A".into(),
        tags: "demo".into(),
        ..Default::default()
    };
    let card =
        |name: &str, set: &str, company: &str, grade: &str, cert: &str, price: &str| ItemInput {
            kind: "card".into(),
            name: name.into(),
            quantity: "1".into(),
            purchase_price: price.into(),
            currency: "USD".into(),
            purchase_date: "2026-09-12".into(),
            game: "Pokémon".into(),
            card_set: set.into(),
            grading_company: company.into(),
            grade: grade.into(),
            cert_number: cert.into(),
            card_condition: if company.is_empty() {
                "NM".into()
            } else {
                String::new()
            },
            storage_location: "Binder 2".into(),
            tags: "demo, pokemon".into(),
            ..Default::default()
        };
    // (item, status, sold for (price, channel))
    type DemoItem = (ItemInput, ItemStatus, Option<(&'static str, &'static str)>);
    let plan: Vec<DemoItem> = vec![
        (
            sneaker(
                "Jordan 1 Retro High OG 'Chicago Lost & Found'",
                "DZ5485-612",
                "10",
                "180",
                "2026-08-03",
            ),
            ItemStatus::Listed,
            None,
        ),
        (
            sneaker(
                "Nike Dunk Low 'Panda'",
                "DD1391-100",
                "9.5",
                "110",
                "2026-08-19",
            ),
            ItemStatus::InStock,
            None,
        ),
        (
            sneaker(
                "Travis Scott x Jordan 1 Low 'Reverse Mocha'",
                "DM7866-162",
                "11",
                "150",
                "2026-07-21",
            ),
            ItemStatus::InStock,
            Some(("640", "stockx")),
        ),
        (
            sneaker(
                "Yeezy Boost 350 V2 'Zebra'",
                "CP9654",
                "10.5",
                "230",
                "2026-06-30",
            ),
            ItemStatus::InStock,
            Some(("285", "ebay")),
        ),
        (
            card("Charizard Holo", "Base Set", "PSA", "9", "74839201", "2100"),
            ItemStatus::Listed,
            None,
        ),
        (
            card("Umbreon VMAX Alt Art", "Evolving Skies", "", "", "", "420"),
            ItemStatus::InStock,
            Some(("515", "tcgplayer")),
        ),
        (
            ItemInput {
                kind: "sealed".into(),
                name: "Evolving Skies Booster Box".into(),
                quantity: "6".into(),
                purchase_price: "310".into(),
                currency: "USD".into(),
                purchase_date: "2026-05-02".into(),
                attributes: "Language: English\nPacks: 36".into(),
                storage_location: "Closet".into(),
                tags: "demo, sealed".into(),
                ..Default::default()
            },
            ItemStatus::Listed,
            None,
        ),
    ];
    let mut created = 0;
    for (input, status, sale) in plan {
        let draft = validate_item(&input).map_err(AppError::validation)?;
        let first = if status == ItemStatus::Listed {
            ItemStatus::Listed
        } else {
            ItemStatus::InStock
        };
        let id = service::create_item(db, owner, &draft, first).await?;
        created += 1;
        if let Some((price, channel)) = sale {
            let sale = SaleInput {
                channel: channel.into(),
                sale_price: price.into(),
                fees: "25".into(),
                shipping_paid: "14".into(),
                sold_on: "2026-11-02".into(),
                ..Default::default()
            };
            let sale = validate_sale(&sale, draft.purchase_price, draft.quantity)
                .map_err(AppError::validation)?;
            service::record_sale(db, owner, &id, 1, &sale, draft.quantity).await?;
            let shipment = ShipmentInput {
                carrier: "UPS".into(),
                tracking_code: "1Z999AA10123456784".into(),
                shipped_on: "2026-11-04".into(),
            };
            let shipment = validate_shipment(&shipment).map_err(AppError::validation)?;
            service::record_shipment(db, owner, &id, 2, &shipment).await?;
        }
    }
    Ok(format!(
        "created {created} demo items (3 sold with sales and shipments)"
    ))
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
