//! Shoppers' questions: taking one in from the storefront (checked, with the spam rules:
//! a field people never fill, a signed start time that must be a few seconds old, a limit
//! per address and a daily cap per store), telling the owner (inbox and mail), and the
//! owner's list, answer (mailed to the shopper and kept) and archive.

use std::{net::IpAddr, num::NonZeroU32};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::types::{ContactForm, InquiryView};
use crate::{
    domain::{
        inbox::{Level, Source},
        inquiry::{
            InquiryInput, InquiryStatus, MAX_FORM_AGE_SECS, MIN_FILL_SECS, PER_IP_PER_HOUR,
            PER_STORE_PER_DAY, validate_inquiry, validate_reply,
        },
    },
    error::AppError,
    server::{
        crypto,
        db::{BeginWrite, Db, new_id},
        mail::{self, Mail},
        notify::Notice,
        state::AppState,
        store::sql,
    },
    with_db,
};

/// Questions per sender address (this process's count).
pub struct InquiryLimits {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
}

impl Default for InquiryLimits {
    fn default() -> Self {
        let n = NonZeroU32::new(PER_IP_PER_HOUR).expect("a positive limit");
        InquiryLimits {
            per_ip: RateLimiter::keyed(Quota::per_hour(n).allow_burst(n)),
        }
    }
}

fn start_text(store_id: &str, at: i64) -> String {
    format!("inquiry:{store_id}:{at}")
}

fn signed_start(state: &AppState, store_id: &str, at: i64) -> String {
    let mac = crypto::hmac_hex(state.secret.expose(), &start_text(store_id, at));
    format!("{at}.{mac}")
}

/// When the form was opened, if `token` is one this server signed for this store.
fn started_at(state: &AppState, store_id: &str, token: &str) -> Option<i64> {
    let (at, mac) = token.trim().split_once('.')?;
    let at: i64 = at.parse().ok()?;
    crypto::hmac_matches(state.secret.expose(), &start_text(store_id, at), mac).then_some(at)
}

async fn listing_title(db: &Db, store_id: &str, listing: &str) -> Result<Option<String>, AppError> {
    Ok(with_db!(db, pool => sqlx::query_scalar(
        "SELECT i.name FROM listings l JOIN items i ON i.id = l.item_id WHERE l.id = $1 AND l.store_id = $2")
        .bind(listing).bind(store_id).fetch_optional(pool).await)?)
}

/// The contact page of `store` (about `listing` when it is one of the store's).
pub async fn contact_form(
    state: &AppState,
    store: &str,
    listing: Option<String>,
) -> Result<ContactForm, AppError> {
    let (store_id, face) = crate::storefront::service::find_public_store(&state.db, store, false)
        .await?
        .ok_or(AppError::NotFound)?;
    let listing = match listing.filter(|l| !l.is_empty() && l.len() <= 64) {
        Some(id) => listing_title(&state.db, &store_id, &id)
            .await?
            .map(|t| (id, t)),
        None => None,
    };
    Ok(ContactForm {
        started: signed_start(state, &store_id, state.clock.now().unix_timestamp()),
        store: face,
        listing,
    })
}

/// Takes a shopper's question in. A bot's (the hidden field filled in) is answered as if it
/// went through and is not kept.
pub async fn submit(
    state: &AppState,
    store: &str,
    input: &InquiryInput,
    ip: IpAddr,
) -> Result<(), AppError> {
    let draft = validate_inquiry(input).map_err(AppError::validation)?;
    let Some((store_id, face)) =
        crate::storefront::service::find_public_store(&state.db, store, false).await?
    else {
        return Err(AppError::NotFound);
    };
    if !input.website.trim().is_empty() {
        tracing::info!(store = %store_id, "inquiry with the hidden field filled in: dropped");
        return Ok(());
    }
    let now = state.clock.now();
    let age = started_at(state, &store_id, &input.started).map(|at| now.unix_timestamp() - at);
    match age {
        Some(age) if age < MIN_FILL_SECS => {
            return Err(AppError::field(
                "message",
                "That was quick: take a moment to check your message, then send it again.",
            ));
        }
        Some(age) if age <= MAX_FORM_AGE_SECS => {}
        _ => {
            return Err(AppError::field(
                "message",
                "This form is out of date: reload the page (your text stays in this box) and send it again.",
            ));
        }
    }
    if let Err(not_until) = state.part::<InquiryLimits>().per_ip.check_key(&ip) {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(
            &governor::clock::DefaultClock::default(),
        ));
        return Err(AppError::RateLimited {
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    let listing = match input.listing_id.as_deref().filter(|l| !l.is_empty()) {
        Some(id) => listing_title(&state.db, &store_id, id)
            .await?
            .map(|t| (id.to_string(), t)),
        None => None,
    };
    let owner: String = with_db!(&state.db, pool => sqlx::query_scalar(
        "SELECT m.user_id FROM store_members m JOIN users u ON u.id = m.user_id WHERE m.store_id = $1 AND m.role = 'owner'")
        .bind(&store_id).fetch_one(pool).await)?;
    let owner_email: String = with_db!(&state.db, pool => sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(&owner).fetch_one(pool).await)?;
    let id = new_id();
    let ip_key =
        crypto::hmac_hex(state.secret.expose(), &format!("inquiry-ip:{ip}"))[..32].to_string();
    let about = listing
        .as_ref()
        .map(|(_, title)| format!(" about {title}"))
        .unwrap_or_default();
    let title = format!("Question from {}{about}", draft.name);
    let page = format!(
        "{}/app/store/inquiries",
        state.settings.public_url.trim_end_matches('/')
    );
    let taken = with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        // The store's count for the day, read in the write turn/transaction that adds to it.
        let today: i64 = sql("SELECT COUNT(*) FROM inquiries WHERE store_id = $1 AND created_at > $2")
            .bind(store_id.as_str()).bind(now - time::Duration::days(1)).scalar(&mut tx).await?;
        if today >= PER_STORE_PER_DAY {
            return Ok::<_, sqlx::Error>(false);
        }
        sql("INSERT INTO inquiries (id, store_id, listing_id, name, contact, email, message, status, ip_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'new', $8, $9)")
            .bind(id.as_str()).bind(store_id.as_str()).bind(listing.as_ref().map(|(l, _)| l.clone()))
            .bind(draft.name.as_str()).bind(draft.contact.to_string()).bind(draft.contact.email().map(str::to_string))
            .bind(draft.message.as_str()).bind(ip_key.as_str()).bind(now)
            .execute(&mut tx).await?;
        Notice::new(&owner, "inquiry", Level::Info, title.clone())
            .body(draft.message.clone())
            .source(Source::Web)
            .link(format!("/app/store/inquiries#inquiry-{id}"))
            .once(format!("inquiry:{id}"))
            .write_in(&mut tx)
            .await?;
        mail::queue(&mut tx, &Mail {
            to: &owner_email,
            subject: format!("{title} · {}", face.name),
            body: format!(
                "{} ({}) asks{about}:\n\n{}\n\nAnswer it from your store's inquiries: {page}",
                draft.name, draft.contact, draft.message
            ),
            kind: "inquiry_received",
            order_id: None,
            owner: Some(&owner),
        }).await?;
        tx.commit().await?;
        Ok(true)
    }.await)?;
    if taken {
        Ok(())
    } else {
        Err(AppError::conflict(
            "store_busy",
            "This store has had many questions today; please try again tomorrow.",
        ))
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    contact: String,
    email: Option<String>,
    message: String,
    listing_id: Option<String>,
    listing_title: Option<String>,
    status: InquiryStatus,
    reply: Option<String>,
    created_at: OffsetDateTime,
    answered_at: Option<OffsetDateTime>,
}

/// The owner's inquiries with `status`, newest first (200 at most).
pub async fn list(
    db: &Db,
    owner: &str,
    status: InquiryStatus,
) -> Result<Vec<InquiryView>, AppError> {
    let (store_id, _) = crate::store::service::owned_store(db, owner).await?;
    let rows: Vec<Row> = with_db!(db, pool => sqlx::query_as(
        "SELECT q.id, q.name, q.contact, q.email, q.message, q.listing_id, i.name AS listing_title, q.status, q.reply, \
         q.created_at, q.answered_at FROM inquiries q LEFT JOIN listings l ON l.id = q.listing_id \
         LEFT JOIN items i ON i.id = l.item_id WHERE q.store_id = $1 AND q.status = $2 \
         ORDER BY q.created_at DESC, q.id DESC LIMIT 200")
        .bind(&store_id).bind(status.as_str()).fetch_all(pool).await)?;
    let stamp = |t: OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|r| InquiryView {
            listing: r.listing_id.zip(r.listing_title),
            id: r.id,
            name: r.name,
            contact: r.contact,
            email: r.email,
            message: r.message,
            status: r.status,
            reply: r.reply,
            created_at: stamp(r.created_at),
            answered_at: r.answered_at.map(stamp),
        })
        .collect())
}

/// Answers an inquiry: mailed to the shopper when they gave an address (an Instagram handle
/// is answered there, by hand, and the answer kept here), recorded, marked answered.
pub async fn answer(state: &AppState, owner: &str, id: &str, reply: &str) -> Result<(), AppError> {
    let reply = validate_reply(reply).map_err(|m| AppError::field("reply", m))?;
    let (store_id, _) = crate::store::service::owned_store(&state.db, owner).await?;
    let store_name: String = with_db!(&state.db, pool => sqlx::query_scalar("SELECT name FROM stores WHERE id = $1")
        .bind(&store_id).fetch_one(pool).await)?;
    let now = state.clock.now();
    let done = with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        let found: Option<(Option<String>, String)> = sql(
            "SELECT email, message FROM inquiries WHERE id = $1 AND store_id = $2")
            .bind(id).bind(store_id.as_str()).fetch_optional(&mut tx).await?;
        let Some((email, message)) = found else {
            return Ok::<_, sqlx::Error>(false);
        };
        sql("UPDATE inquiries SET reply = $1, answered_at = $2, status = 'answered' WHERE id = $3")
            .bind(reply.as_str()).bind(now).bind(id).execute(&mut tx).await?;
        if let Some(to) = email.as_deref() {
            let quoted: String = message.lines().map(|l| format!("> {l}\n")).collect();
            mail::queue(&mut tx, &Mail {
                to,
                subject: format!("{store_name} answered your question"),
                body: format!("{reply}\n\n— {store_name}\n\nYou asked:\n{quoted}"),
                kind: "inquiry_answer",
                order_id: None,
                owner: Some(owner),
            }).await?;
        }
        tx.commit().await?;
        Ok(true)
    }.await)?;
    if done {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn set_status(
    db: &Db,
    owner: &str,
    id: &str,
    status: InquiryStatus,
) -> Result<(), AppError> {
    let (store_id, _) = crate::store::service::owned_store(db, owner).await?;
    let n = db
        .write(
            sql("UPDATE inquiries SET status = $1 WHERE id = $2 AND store_id = $3")
                .bind(status.as_str())
                .bind(id)
                .bind(store_id),
        )
        .await?;
    if n == 1 {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
