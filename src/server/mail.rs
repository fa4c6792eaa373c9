//! Outgoing mail. Every mail is first written to the `outbox` table in the same transaction
//! as the change it is about, with a `mail.send` job; the job sends it over SMTP (lettre)
//! when `SMTP_URL` is set, and otherwise leaves it in the outbox. The log says a mail was
//! queued or sent, never its body or links.

use time::OffsetDateTime;

use super::{
    db::new_id,
    jobs::{self, BackgroundJob, Outcome},
    state::AppState,
    store::{Store, Tx, sql},
};
use crate::with_db;

pub struct Mail<'a> {
    pub to: &'a str,
    pub subject: String,
    pub body: String,
    /// What it is (`order_received`, `order_confirmation`, `order_shipped`…).
    pub kind: &'a str,
    pub order_id: Option<&'a str>,
    /// The reseller it is sent for (dead sends show up on their dashboard).
    pub owner: Option<&'a str>,
}

/// Mails one address may get from this instance in 24 hours, whoever sends them.
pub const MAX_PER_RECIPIENT_PER_DAY: i64 = 10;
/// Mails one reseller's store may send in an hour.
pub const MAX_PER_STORE_PER_HOUR: i64 = 200;

/// Why a mail is kept unsent, if it must be. The rule, so that anyone typing a stranger's
/// address at checkout cannot make Flipdesk mail them seller-written text:
/// - an address gets at most `MAX_PER_RECIPIENT_PER_DAY` mails a day, and a store sends at
///   most `MAX_PER_STORE_PER_HOUR` an hour;
/// - of the mails a shopper's own checkout triggers (`order_received`, which carries the
///   store's payment instructions), an address gets the first one from a store in 24 hours;
///   more only once it has confirmed it wants the store's mail, by opening an order link of
///   that store (the link arrives in that first mail, so only the address's owner can).
async fn hold_reason<DB: Store>(
    tx: &mut Tx<DB>,
    mail: &Mail<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<Option<&'static str>> {
    let day_ago = now - time::Duration::days(1);
    let to_recipient: i64 = sql(
        "SELECT COUNT(*) FROM outbox WHERE to_address = $1 AND created_at >= $2 AND held_reason IS NULL",
    )
    .bind(mail.to)
    .bind(day_ago)
    .scalar(tx)
    .await?;
    if to_recipient >= MAX_PER_RECIPIENT_PER_DAY {
        return Ok(Some("this address got the most mails a day"));
    }
    let Some(owner) = mail.owner else {
        return Ok(None);
    };
    let from_store: i64 = sql(
        "SELECT COUNT(*) FROM outbox WHERE owner_user_id = $1 AND created_at >= $2 AND held_reason IS NULL",
    )
    .bind(owner)
    .bind(now - time::Duration::hours(1))
    .scalar(tx)
    .await?;
    if from_store >= MAX_PER_STORE_PER_HOUR {
        return Ok(Some("this store sent the most mails an hour"));
    }
    if mail.kind != "order_received" {
        return Ok(None);
    }
    let confirmed: i64 =
        sql("SELECT COUNT(*) FROM mail_consents WHERE owner_user_id = $1 AND email = $2")
            .bind(owner)
            .bind(mail.to)
            .scalar(tx)
            .await?;
    if confirmed > 0 {
        return Ok(None);
    }
    let earlier: i64 = sql(
        "SELECT COUNT(*) FROM outbox WHERE owner_user_id = $1 AND to_address = $2 AND kind = 'order_received' \
         AND created_at >= $3 AND held_reason IS NULL",
    )
    .bind(owner)
    .bind(mail.to)
    .bind(day_ago)
    .scalar(tx)
    .await?;
    Ok((earlier > 0).then_some("the address has not confirmed it wants more mail from this store"))
}

/// Notes that `email` wants mail from the reseller's store (it opened one of its order links).
pub async fn confirm_address(
    db: &super::db::Db,
    owner: &str,
    email: &str,
) -> Result<(), sqlx::Error> {
    db.write(sql(
        "INSERT INTO mail_consents (owner_user_id, email, confirmed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(owner).bind(email).bind(OffsetDateTime::now_utc())).await.map(|_| ())
}

/// Writes the mail and its sending job in the caller's transaction; a mail past the limits
/// (`hold_reason`) is written with its reason and no job, so it is never sent.
pub async fn queue<DB: Store>(tx: &mut Tx<DB>, mail: &Mail<'_>) -> sqlx::Result<()> {
    let id = new_id();
    let now = OffsetDateTime::now_utc();
    let held = hold_reason(tx, mail, now).await?;
    sql(
        "INSERT INTO outbox (id, to_address, subject, body, kind, order_id, created_at, owner_user_id, held_reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.as_str())
    .bind(mail.to)
    .bind(mail.subject.as_str())
    .bind(mail.body.as_str())
    .bind(mail.kind)
    .bind(mail.order_id)
    .bind(now)
    .bind(mail.owner)
    .bind(held)
    .execute(tx)
    .await?;
    if let Some(reason) = held {
        tracing::info!(kind = %mail.kind, reason, "mail kept unsent");
        return Ok(());
    }
    jobs::enqueue(tx, &SendMail { outbox_id: id }.queued(mail.owner)).await
}

/// Mail's part of the server: sending the outbox (the plumbing's own job).
pub fn plug(p: &mut super::plugins::Plugins) {
    p.jobs.register::<SendMail>();
}

/// Sending one mail of the outbox.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct SendMail {
    pub outbox_id: String,
}

impl BackgroundJob for SendMail {
    const KIND: &'static str = "mail.send";
    const LABEL: &'static str = "Send an email to a buyer";

    async fn run(self, state: &AppState) -> Outcome {
        deliver(state, &self.outbox_id).await
    }
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    to_address: String,
    subject: String,
    body: String,
    kind: String,
    sent_at: Option<OffsetDateTime>,
}

/// The `mail.send` job.
pub async fn deliver(state: &AppState, outbox_id: &str) -> Outcome {
    let row = with_db!(&state.db, pool => sqlx::query_as::<_, OutboxRow>(
        "SELECT to_address, subject, body, kind, sent_at FROM outbox WHERE id = $1")
        .bind(outbox_id).fetch_optional(pool).await);
    let row = match row {
        Ok(Some(row)) => row,
        Ok(None) => return Outcome::Done, // its order was deleted
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    if row.sent_at.is_some() {
        return Outcome::Done;
    }
    let Some(url) = state.settings.smtp_url.as_ref() else {
        tracing::info!(kind = %row.kind, "mail kept in the outbox (no SMTP_URL)");
        return Outcome::Done;
    };
    if let Err(e) = send_smtp(url.expose(), &row).await {
        return Outcome::Failed(e);
    }
    let _ = state
        .db
        .write(
            sql("UPDATE outbox SET sent_at = $1 WHERE id = $2")
                .bind(OffsetDateTime::now_utc())
                .bind(outbox_id),
        )
        .await;
    tracing::info!(kind = %row.kind, "mail sent");
    Outcome::Done
}

async fn send_smtp(url: &str, row: &OutboxRow) -> Result<(), String> {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| format!("SMTP_URL: {e}"))?
        .build();
    // The sender comes from `?from=` on SMTP_URL (lettre ignores parameters it does not know).
    let from = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "from")
                .map(|(_, v)| v.into_owned())
        })
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| "Flipdesk <no-reply@flipdesk.test>".to_string());
    let message = Message::builder()
        .from(from.parse().map_err(|e| format!("sender address: {e}"))?)
        .to(row
            .to_address
            .parse()
            .map_err(|e| format!("recipient address: {e}"))?)
        .subject(row.subject.clone())
        .body(row.body.clone())
        .map_err(|e| e.to_string())?;
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}
