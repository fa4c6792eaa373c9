//! The demo reseller's year, for `seed-demo`: purchases spread over the last twelve months,
//! sales on several channels, market prices that moved, a store listing what is held and a
//! few storefront orders in different states — so a newcomer sees every page populated.
//! Dates count back from today, so the charts always end on a lived-in year. Everything is
//! written through the same services the app uses.

use jiff::civil::Date;
use time::OffsetDateTime;

use crate::server::store::sql;
use crate::server::{config::Settings, db::Db, state::AppState};
use crate::{
    domain::{
        Currency, Email, Money,
        item::{
            ItemInput, ItemStatus, SaleInput, ShipmentInput, validate_item, validate_sale,
            validate_shipment,
        },
        store::{CheckedCheckout, CheckoutLine, ListingInput, RefundInput, ShippingAddress},
    },
    error::AppError,
    inventory::service,
    with_db,
};

/// A pair, card or box the demo reseller buys, again and again over the year.
struct Model {
    kind: &'static str,
    name: &'static str,
    /// Brand (sneakers) or set (cards).
    line: &'static str,
    /// Style id (sneakers) or grader and grade (cards, "" when raw).
    code: &'static str,
    cost: i64,
}

const fn pair(name: &'static str, brand: &'static str, style: &'static str, cost: i64) -> Model {
    Model {
        kind: "sneaker",
        name,
        line: brand,
        code: style,
        cost,
    }
}

const fn card(name: &'static str, set: &'static str, grade: &'static str, cost: i64) -> Model {
    Model {
        kind: "card",
        name,
        line: set,
        code: grade,
        cost,
    }
}

const MODELS: [Model; 14] = [
    pair("Nike Dunk Low 'Panda'", "Nike", "DD1391-100", 110),
    pair(
        "Travis Scott x Jordan 1 Low 'Reverse Mocha'",
        "Nike",
        "DM7866-162",
        150,
    ),
    card("Umbreon VMAX Alt Art", "Evolving Skies", "", 420),
    pair("Yeezy Boost 350 V2 'Zebra'", "Adidas", "CP9654", 230),
    pair(
        "New Balance 550 'White Green'",
        "New Balance",
        "BB550WT1",
        110,
    ),
    card("Lugia V Alt Art", "Silver Tempest", "PSA 10", 380),
    pair("Jordan 4 Retro 'Military Black'", "Nike", "DH6927-111", 210),
    pair("Adidas Samba OG 'White Black'", "Adidas", "B75806", 100),
    card("Mew ex Special Illustration Rare", "151", "PSA 10", 180),
    pair("Nike SB Dunk Low 'Jarritos'", "Nike", "FD0860-001", 120),
    pair("Jordan 11 Retro 'Cherry'", "Nike", "CT8012-116", 225),
    card("Blastoise Holo", "Base Set", "BGS 8.5", 450),
    pair(
        "Asics Gel-Kayano 14 'Cream Black'",
        "Asics",
        "1201A019-108",
        150,
    ),
    card("Giratina V Alt Art", "Lost Origin", "", 260),
];

const SIZES: [&str; 6] = ["9", "9.5", "10", "10.5", "11", "12"];
/// Sale price over cost, in percent: mostly profit, now and then a loss.
const MARKUPS: [i64; 7] = [135, 122, 160, 92, 128, 145, 118];
/// Market price over cost, in percent, for what is still held.
const MARKET_MOVES: [i64; 5] = [118, 132, 95, 141, 108];

/// How many purchases the year has, and how many days apart.
const PURCHASES: i64 = 30;
const EVERY_DAYS: i64 = 12;

fn day(today: Date, days_back: i64) -> Date {
    today
        .checked_sub(jiff::Span::new().days(days_back))
        .unwrap_or(today)
}

fn input(model: &Model, n: i64, bought: Date) -> ItemInput {
    let mut input = ItemInput {
        kind: model.kind.into(),
        name: model.name.into(),
        quantity: "1".into(),
        // A little dearer or cheaper each time it is bought again.
        purchase_price: Money::new(model.cost * (95 + n % 4 * 5), Currency::Usd)
            .to_decimal_string(),
        currency: "USD".into(),
        purchase_date: bought.to_string(),
        tags: "demo".into(),
        ..Default::default()
    };
    if model.kind == "sneaker" {
        input.brand = model.line.into();
        input.style_id = model.code.into();
        input.size = SIZES[(n % 6) as usize].into();
        input.size_system = "us_m".into();
        input.sneaker_condition = "new".into();
        input.box_condition = "good".into();
        input.storage_location = "Shelf A".into();
    } else {
        input.game = "Pokémon".into();
        input.card_set = model.line.into();
        input.storage_location = "Binder 2".into();
        input.tags = "demo, pokemon".into();
        match model.code.split_once(' ') {
            Some((grader, grade)) => {
                input.grading_company = grader.into();
                input.grade = grade.into();
                input.cert_number = format!("{}", 70_000_000 + n * 7_919);
            }
            None => input.card_condition = "NM".into(),
        }
    }
    input
}

fn channel(model: &Model, n: i64) -> &'static str {
    let sneakers = ["stockx", "ebay", "in_person", "stockx", "other"];
    let cards = ["tcgplayer", "ebay", "cardmarket"];
    if model.kind == "card" {
        cards[(n % 3) as usize]
    } else {
        sneakers[(n % 5) as usize]
    }
}

/// Fees the channel takes, in percent of the sale price.
fn fee_percent(channel: &str) -> i64 {
    match channel {
        "stockx" => 10,
        "ebay" => 13,
        "tcgplayer" => 11,
        "cardmarket" => 5,
        _ => 0,
    }
}

async fn today_of(db: &Db, owner: &str) -> Result<Date, AppError> {
    let today = crate::analytics::service::owner_today(db, owner).await?;
    today.parse().map_err(|_| AppError::Internal)
}

/// The year of stock (only when the demo account has none): what is returned says what was
/// made.
pub async fn seed_inventory(db: &Db, settings: &Settings, owner: &str) -> Result<String, AppError> {
    let existing: i64 = with_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE owner_user_id = $1")
        .bind(owner).fetch_one(pool).await)?;
    if existing > 0 {
        return Ok(format!("demo inventory already has {existing} items"));
    }
    let today = today_of(db, owner).await?;
    let (mut created, mut sold, mut repriced) = (0, 0, 0);
    for n in 0..PURCHASES {
        let model = &MODELS[(n % MODELS.len() as i64) as usize];
        let back = 360 - n * EVERY_DAYS;
        let bought = day(today, back);
        let draft = validate_item(&input(model, n, bought)).map_err(AppError::validation)?;
        let id = service::create_item(db, settings, owner, &draft, ItemStatus::InStock).await?;
        created += 1;
        // Older stock mostly sold (two in five are still held); the last weeks' buys are held.
        let held_days = 14 + (n * 7) % 50;
        if back > held_days + 2 && n % 5 != 1 && n % 5 != 3 {
            let channel = channel(model, n);
            let price = draft.purchase_price.amount * MARKUPS[(n % 7) as usize] / 100;
            let money = |minor: i64| Money::new(minor, Currency::Usd).to_decimal_string();
            let sold_on = day(today, back - held_days);
            let sale = SaleInput {
                channel: channel.into(),
                sale_price: money(price),
                fees: money(price * fee_percent(channel) / 100),
                shipping_paid: if channel == "in_person" { "0" } else { "14" }.into(),
                sold_on: sold_on.to_string(),
                ..Default::default()
            };
            let sale = validate_sale(&sale, draft.purchase_price, draft.quantity)
                .map_err(AppError::validation)?;
            service::record_sale(db, settings, owner, &id, 1, &sale, draft.quantity).await?;
            sold += 1;
            if channel != "in_person" {
                let shipment = ShipmentInput {
                    carrier: "UPS".into(),
                    tracking_code: format!("1Z999AA1{:010}", 123_456_784 + n),
                    shipped_on: day(today, (back - held_days - 2).max(0)).to_string(),
                };
                let shipment = validate_shipment(&shipment).map_err(AppError::validation)?;
                service::record_shipment(db, settings, owner, &id, 2, &shipment).await?;
            }
        } else if back > 20 {
            // What is held was priced at the market a few weeks after it came in.
            let seen = day(today, back - 20);
            let price = draft.purchase_price.amount * MARKET_MOVES[(n % 5) as usize] / 100;
            let at = OffsetDateTime::now_utc()
                - time::Duration::days(back - 20)
                - time::Duration::hours(n % 12);
            crate::analytics::prices::record(
                db,
                owner,
                &id,
                1,
                &Money::new(price, Currency::Usd).to_decimal_string(),
                &seen.to_string(),
                at,
            )
            .await?;
            repriced += 1;
        }
    }
    created += seed_showcase(db, settings, owner, today).await?;
    Ok(format!(
        "created {created} demo items over the past year ({sold} sold on several channels, {repriced} with market prices)"
    ))
}

/// The store's showpieces: a grail pair, a graded Charizard, a case of booster boxes (six
/// units, one listing) and an elite trainer box still on its way.
async fn seed_showcase(
    db: &Db,
    settings: &Settings,
    owner: &str,
    today: Date,
) -> Result<i64, AppError> {
    let chicago = input(
        &pair(
            "Jordan 1 Retro High OG 'Chicago Lost & Found'",
            "Nike",
            "DZ5485-612",
            180,
        ),
        2,
        day(today, 123),
    );
    let charizard = ItemInput {
        purchase_price: "2100".into(),
        cert_number: "74839201".into(),
        ..input(
            &card("Charizard Holo", "Base Set", "PSA 9", 2100),
            0,
            day(today, 83),
        )
    };
    let boxes = ItemInput {
        kind: "sealed".into(),
        name: "Evolving Skies Booster Box".into(),
        quantity: "6".into(),
        purchase_price: "310".into(),
        currency: "USD".into(),
        purchase_date: day(today, 215).to_string(),
        attributes: "Language: English\nPacks: 36".into(),
        storage_location: "Closet".into(),
        tags: "demo, sealed".into(),
        ..Default::default()
    };
    let elite = ItemInput {
        name: "Pokémon 151 Elite Trainer Box".into(),
        quantity: "4".into(),
        purchase_price: "60".into(),
        purchase_date: day(today, 3).to_string(),
        attributes: "Language: English".into(),
        ..boxes.clone()
    };
    let plan = [
        (chicago, ItemStatus::Listed, Some("520")),
        (charizard, ItemStatus::Listed, Some("2450")),
        (boxes, ItemStatus::Listed, Some("345")),
        (elite, ItemStatus::Purchased, None),
    ];
    let count = plan.len() as i64;
    for (input, status, market) in plan {
        let draft = validate_item(&input).map_err(AppError::validation)?;
        let id = service::create_item(db, settings, owner, &draft, status).await?;
        if let Some(price) = market {
            let seen = day(today, 10);
            let at = OffsetDateTime::now_utc() - time::Duration::days(10);
            crate::analytics::prices::record(db, owner, &id, 1, price, &seen.to_string(), at)
                .await?;
        }
    }
    Ok(count)
}

/// Demo storefront settings (when still empty) and a listing for every demo item that is
/// listed or in stock without one, at 40 % over cost.
pub async fn seed_store(db: &Db, owner: &str, store: &str) -> Result<String, AppError> {
    let now = OffsetDateTime::now_utc();
    db.write(sql(
        "UPDATE stores SET description = $1, shipping_rates = $2, free_shipping_over = $3, policies = $4, faq = $5, \
         payment_instructions = $6, updated_at = $7 WHERE slug = $8 AND shipping_rates = '[]' AND description = ''")
        .bind("Deadstock sneakers and graded Pokémon cards, checked by hand before they ship.")
        .bind(r#"[{"region":"US","amount":1200},{"region":"CA","amount":2500},{"region":"*","amount":4500}]"#)
        .bind(50_000_i64)
        .bind("Every pair is verified. Returns within 14 days if it is not as described.")
        .bind("When do you ship? Within 24 hours on business days.\nDo you combine shipping? Yes, one rate per order.")
        .bind("Pay by bank transfer to Demo Kicks LLC, IBAN US00 DEMO 0000 0001, with your order number as the reference.")
        .bind(now).bind(store)).await?;
    let unlisted: Vec<(String, i64, Currency)> = with_db!(db, pool => sqlx::query_as(
        "SELECT i.id, i.purchase_price, i.currency FROM items i WHERE i.owner_user_id = $1 AND i.status IN ('listed', 'in_stock') \
         AND NOT EXISTS (SELECT 1 FROM listings l WHERE l.item_id = i.id) ORDER BY i.created_at")
        .bind(owner).fetch_all(pool).await)?;
    let count = unlisted.len();
    for (id, cost, currency) in unlisted {
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

/// What happens to a demo order after it is placed.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    AwaitingPayment,
    Paid,
    Shipped,
    PartlyRefunded,
}

/// A few storefront orders (only while the store has none, and only with manual payment:
/// with Stripe configured, orders come from real checkouts).
pub async fn seed_orders(state: &AppState, owner: &str, store: &str) -> Result<String, AppError> {
    let db = &state.db;
    let existing: i64 = with_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders o JOIN stores s ON s.id = o.store_id WHERE s.slug = $1")
        .bind(store).fetch_one(pool).await)?;
    if existing > 0 {
        return Ok(format!("the demo store already has {existing} orders"));
    }
    if state.stripe.is_some() {
        return Ok("no demo orders: Stripe is configured, orders come from real checkouts".into());
    }
    // Single pairs and cards held longest (the showpieces came later and stay for sale).
    let listings: Vec<String> = with_db!(db, pool => sqlx::query_scalar(
        "SELECT l.id FROM listings l JOIN items i ON i.id = l.item_id WHERE i.owner_user_id = $1 \
         AND l.status = 'active' AND i.kind <> 'sealed' AND i.quantity = 1 ORDER BY i.acquired_on, i.id")
        .bind(owner).fetch_all(pool).await)?;
    let buyers = [
        (
            "Maya Chen",
            "maya.chen@example.com",
            "48 Orchard St",
            "New York",
            "10002",
            "NY",
            "US",
            Stage::AwaitingPayment,
        ),
        (
            "Leo Martin",
            "leo.martin@example.com",
            "12 Rue Oberkampf",
            "Paris",
            "75011",
            "",
            "FR",
            Stage::Paid,
        ),
        (
            "Sam Okafor",
            "sam.okafor@example.com",
            "901 Congress Ave",
            "Austin",
            "78701",
            "TX",
            "US",
            Stage::Shipped,
        ),
        (
            "Ava Singh",
            "ava.singh@example.com",
            "220 King St W",
            "Toronto",
            "M5H 1K4",
            "ON",
            "CA",
            Stage::PartlyRefunded,
        ),
    ];
    let mut placed = 0;
    for (listing, (name, email, line1, city, postal, region, country, stage)) in
        listings.iter().zip(buyers)
    {
        let order = CheckedCheckout {
            store: store.to_string(),
            lines: vec![CheckoutLine {
                listing_id: listing.clone(),
                quantity: 1,
            }],
            email: Email::parse(email).map_err(|message| AppError::BadRequest { message })?,
            shipping_address: Some(ShippingAddress {
                name: name.into(),
                line1: line1.into(),
                line2: String::new(),
                city: city.into(),
                postal_code: postal.into(),
                region: region.into(),
                country: country.into(),
            }),
        };
        let ip = std::net::IpAddr::from([192, 0, 2, placed as u8 + 1]);
        let id = crate::checkout::service::place(state, &order, ip)
            .await?
            .order_id;
        placed += 1;
        if stage >= Stage::Paid {
            crate::checkout::service::mark_paid(state, owner, &id).await?;
        }
        if stage >= Stage::Shipped {
            crate::checkout::service::ship(state, owner, &id, "UPS", "1Z999AA10123456784").await?;
        }
        if stage == Stage::PartlyRefunded {
            let refund = RefundInput {
                amount: "25".into(),
                returns: Vec::new(),
            };
            crate::checkout::service::refund(state, owner, &id, "demo-partial-refund", &refund)
                .await?;
        }
    }
    Ok(format!(
        "placed {placed} demo orders (awaiting payment, paid, shipped, partly refunded)"
    ))
}
