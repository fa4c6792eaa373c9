//! Outgoing mail. Every mail is first written to the `outbox` table in the same transaction
//! as the change it is about, with a `mail.send` job; the job sends it over SMTP (lettre)
//! when `SMTP_URL` is set, and otherwise leaves it in the outbox. The log says a mail was
//! queued or sent, never its body or links.

use time::OffsetDateTime;

use super::{
    db::new_id,
    jobs::{self, NewJob, Outcome},
    state::AppState,
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

/// Writes the mail and its sending job in the caller's transaction.
pub async fn queue<DB>(tx: &mut sqlx::Transaction<'_, DB>, mail: &Mail<'_>) -> sqlx::Result<()>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> OffsetDateTime: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let id = new_id();
    sqlx::query(
        "INSERT INTO outbox (id, to_address, subject, body, kind, order_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.as_str())
    .bind(mail.to)
    .bind(mail.subject.as_str())
    .bind(mail.body.as_str())
    .bind(mail.kind)
    .bind(mail.order_id)
    .bind(OffsetDateTime::now_utc())
    .execute(&mut **tx)
    .await?;
    jobs::enqueue(
        tx,
        &NewJob::now(
            "mail.send",
            serde_json::json!({ "outbox_id": id }),
            mail.owner,
        ),
    )
    .await
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
    let _ = with_db!(&state.db, pool => sqlx::query("UPDATE outbox SET sent_at = $1 WHERE id = $2")
        .bind(OffsetDateTime::now_utc()).bind(outbox_id).execute(pool).await.map(|r| r.rows_affected()));
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
