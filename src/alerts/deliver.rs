//! Sending alerts: the hand-off job turns a new notification into one delivery per matching
//! webhook; the delivery job posts it — signed JSON, or a Discord message — with three
//! attempts, waiting as long as a rate-limited receiver asks, and tells the reseller in their
//! inbox when it gives up.

use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Duration;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::service::{SEAL_PURPOSE, levels_of, signing_secret};
use crate::{
    domain::inbox::Level,
    server::{
        crypto,
        db::{BeginWrite, new_id},
        discord::DiscordError,
        jobs::{BackgroundJob, Outcome, enqueue},
        notify::{HAND_OFF, Notice},
        outbound,
        state::AppState,
        store::sql,
    },
    with_db,
};

/// Attempts before a delivery fails for good.
pub const ATTEMPTS: i64 = 3;
/// Wait before the second and third attempt.
const RETRY_AFTER_MS: [i64; 2] = [5_000, 30_000];
/// Rate-limited answers honoured per delivery before they count as a failed attempt.
const MAX_RATE_LIMITED: i64 = 5;
/// A receiver asking to wait longer than this is treated as failing.
const LONGEST_WAIT_MS: i64 = 3_600_000;
/// Notices about a failing webhook stay in the inbox: sent on, two failing webhooks would
/// keep telling each other.
const NOT_SENT_ON: &str = "webhook_failed";
/// Subscription news a linked reseller always gets as a Discord DM.
const ALWAYS_DM: [&str; 2] = ["plan_changed", "payment_failed"];

/// What an alert says, whichever way it is sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub id: String,
    pub kind: String,
    pub level: Level,
    pub source: String,
    pub title: String,
    pub body: String,
    /// Absolute, on the instance's public address.
    pub link: Option<String>,
    pub created_at: String,
    pub test: bool,
}

fn absolute(public_url: &str, link: &str) -> String {
    if link.starts_with("http://") || link.starts_with("https://") {
        link.to_string()
    } else {
        format!("{}{}", public_url.trim_end_matches('/'), link)
    }
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

impl Alert {
    pub fn test(public_url: &str) -> Alert {
        Alert {
            id: format!("test-{}", new_id()),
            kind: "test".into(),
            level: Level::Info,
            source: "system".into(),
            title: "Test alert from Flipdesk".into(),
            body: "Your webhook works: Flipdesk will send the notifications you chose here.".into(),
            link: Some(absolute(public_url, "/app/inbox")),
            created_at: OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_default(),
            test: true,
        }
    }

    /// The request body: a Discord message (no mentions ever, whatever a shopper typed), or
    /// Flipdesk's JSON for any other receiver.
    pub fn render(&self, discord: bool) -> String {
        if discord {
            let colour = match self.level {
                Level::Error => 0xd14343,
                Level::Warning => 0xd99a1e,
                Level::Success => 0x2f9e61,
                Level::Info => 0x3a6fd8,
            };
            let mut embed = json!({
                "title": clip(&self.title, 256),
                "description": clip(&self.body, 4_000),
                "color": colour,
                "timestamp": self.created_at,
                "footer": { "text": format!("Flipdesk · {}", self.level.label()) },
            });
            if let Some(link) = &self.link {
                embed["url"] = json!(link);
            }
            json!({ "username": "Flipdesk", "allowed_mentions": { "parse": [] }, "embeds": [embed] })
                .to_string()
        } else {
            json!({
                "id": self.id,
                "type": self.kind,
                "level": self.level.as_str(),
                "source": self.source,
                "title": self.title,
                "body": self.body,
                "link": self.link,
                "created_at": self.created_at,
                "test": self.test,
            })
            .to_string()
        }
    }
}

/// Sends a new notification on to its reseller's webhooks of its type.
#[derive(Debug, Serialize, Deserialize)]
pub struct HandOff {
    pub notification_id: String,
}

#[derive(sqlx::FromRow)]
struct NoticeRow {
    user_id: String,
    kind: String,
    level: String,
    source: String,
    title: String,
    body: String,
    link: Option<String>,
    created_at: OffsetDateTime,
}

impl BackgroundJob for HandOff {
    const KIND: &'static str = HAND_OFF;
    const LABEL: &'static str = "Send a notification on to your webhooks";
    const MAX_ATTEMPTS: i64 = 5;

    async fn run(self, state: &AppState) -> Outcome {
        match hand_off(state, &self.notification_id).await {
            Ok(()) => Outcome::Done,
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}

async fn hand_off(state: &AppState, notification_id: &str) -> sqlx::Result<()> {
    let notice: Option<NoticeRow> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT user_id, kind, level, source, title, body, link, created_at FROM notifications WHERE id = $1")
        .bind(notification_id).fetch_optional(pool).await)?;
    // Deleted before it could be sent: nothing to send.
    let Some(n) = notice else { return Ok(()) };
    let Some(level) = Level::parse(&n.level) else {
        return Ok(());
    };
    if n.kind == NOT_SENT_ON {
        return Ok(());
    }
    let hooks: Vec<(String, bool, String, bool)> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT id, discord, levels, dm FROM alert_hooks WHERE owner_user_id = $1")
        .bind(n.user_id.as_str()).fetch_all(pool).await)?;
    let alert = Alert {
        id: notification_id.to_string(),
        kind: n.kind,
        level,
        source: n.source,
        title: n.title,
        body: n.body,
        link: n.link.map(|l| absolute(&state.settings.public_url, &l)),
        created_at: n.created_at.format(&Rfc3339).unwrap_or_default(),
        test: false,
    };
    let always = ALWAYS_DM.contains(&alert.kind.as_str());
    let chosen: Vec<(String, String)> = hooks
        .into_iter()
        .filter(|(_, _, levels, dm)| (*dm && always) || levels_of(levels).contains(&level))
        .map(|(id, discord, _, _)| (id, alert.render(discord)))
        .collect();
    if chosen.is_empty() {
        return Ok(());
    }
    let now = OffsetDateTime::now_utc();
    with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        for (hook, payload) in &chosen {
            let delivery = new_id();
            // Run twice (a retried hand-off), a notification is still sent once per hook.
            let added = sql("INSERT INTO alert_deliveries (id, hook_id, notification_id, payload, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (hook_id, notification_id) DO NOTHING")
                .bind(delivery.as_str()).bind(hook.as_str()).bind(notification_id).bind(payload.as_str()).bind(now)
                .execute(&mut tx).await?;
            if added > 0 {
                enqueue(&mut tx, &Deliver { delivery_id: delivery }.queued(None)).await?;
            }
        }
        tx.commit().await
    }.await)?;
    state.jobs_ready.notify_one();
    Ok(())
}

/// One alert to one webhook.
#[derive(Debug, Serialize, Deserialize)]
pub struct Deliver {
    pub delivery_id: String,
}

impl BackgroundJob for Deliver {
    const KIND: &'static str = "alerts.deliver";
    const LABEL: &'static str = "Send an alert to your webhook";
    /// The delivery counts its own attempts (`ATTEMPTS`); this only bounds crashes mid-send.
    const MAX_ATTEMPTS: i64 = 10;

    async fn run(self, state: &AppState) -> Outcome {
        match deliver(state, &self.delivery_id).await {
            Ok(outcome) => outcome,
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Pending {
    payload: String,
    attempts: i64,
    rate_limited: i64,
    hook_id: String,
    owner_user_id: String,
    sealed_url: String,
    shown_url: String,
    discord: bool,
    dm: bool,
    notification_id: Option<String>,
}

/// How one attempt went.
#[derive(Debug, PartialEq)]
enum Attempt {
    Delivered,
    /// The receiver asked to wait this long.
    RateLimited(i64),
    Failed(String),
}

async fn deliver(state: &AppState, delivery_id: &str) -> sqlx::Result<Outcome> {
    let pending: Option<Pending> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT d.payload, d.attempts, d.rate_limited, h.id AS hook_id, h.owner_user_id, h.sealed_url, h.shown_url, h.discord, h.dm, d.notification_id \
         FROM alert_deliveries d JOIN alert_hooks h ON h.id = d.hook_id WHERE d.id = $1 AND d.status = 'pending'")
        .bind(delivery_id).fetch_optional(pool).await)?;
    // Delivered or given up already (a job run twice), or the webhook was deleted.
    let Some(p) = pending else {
        return Ok(Outcome::Done);
    };
    let attempt = if p.dm {
        direct_message(state, &p).await
    } else {
        match crypto::open(state.secret.expose(), SEAL_PURPOSE, &p.sealed_url) {
            Some(url) => send(state, &url, &p).await,
            None => Attempt::Failed(
                "its address can no longer be read (the instance secret changed): add it again"
                    .into(),
            ),
        }
    };
    let now = OffsetDateTime::now_utc();
    let failure = match attempt {
        Attempt::Delivered => {
            state.db.write(sql(
                "UPDATE alert_deliveries SET status = 'delivered', attempts = attempts + 1, last_error = NULL, updated_at = $1 \
                 WHERE id = $2 AND status = 'pending'")
                .bind(now).bind(delivery_id)).await?;
            return Ok(Outcome::Done);
        }
        Attempt::RateLimited(wait)
            if p.rate_limited < MAX_RATE_LIMITED && wait <= LONGEST_WAIT_MS =>
        {
            // Waiting as asked is not a failed attempt.
            state.db.write(sql(
                "UPDATE alert_deliveries SET rate_limited = rate_limited + 1, last_error = $1, updated_at = $2 \
                 WHERE id = $3 AND status = 'pending'")
                .bind(format!("the receiver asked Flipdesk to wait {} s", (wait + 999) / 1000))
                .bind(now).bind(delivery_id)).await?;
            return Ok(Outcome::Later(state.clock.now_ms() + wait));
        }
        Attempt::RateLimited(_) => "the receiver keeps answering 429 Too Many Requests".to_string(),
        Attempt::Failed(reason) => reason,
    };
    let attempts = p.attempts + 1;
    if attempts < ATTEMPTS {
        tracing::warn!(delivery = %delivery_id, hook = %p.hook_id, attempts, error = %failure, "alert webhook failed; will retry");
        state.db.write(sql(
            "UPDATE alert_deliveries SET attempts = $1, last_error = $2, updated_at = $3 WHERE id = $4 AND status = 'pending'")
            .bind(attempts).bind(failure).bind(now).bind(delivery_id)).await?;
        let wait = RETRY_AFTER_MS[(attempts as usize - 1).min(RETRY_AFTER_MS.len() - 1)];
        return Ok(Outcome::Later(state.clock.now_ms() + wait));
    }
    tracing::error!(delivery = %delivery_id, hook = %p.hook_id, attempts, error = %failure, "alert webhook failed for good");
    let what = if p.notification_id.is_none() {
        "a test alert".to_string()
    } else {
        "an alert".to_string()
    };
    let (title, body, link) = if p.dm {
        (
            "Discord DMs are not reaching you",
            format!(
                "Flipdesk tried {attempts} times to send you {what} as a Discord DM and gave up: {failure}. Check that you accept DMs from the Flipdesk server's members."
            ),
            "/app/account",
        )
    } else {
        (
            "An alert webhook is not working",
            format!(
                "Flipdesk tried {attempts} times to send {what} to {} and gave up: {failure}. Check the address, or delete the webhook and add it again.",
                p.shown_url
            ),
            "/app/inbox/webhooks",
        )
    };
    let notice = Notice::new(&p.owner_user_id, NOT_SENT_ON, Level::Error, title)
        .body(body)
        .link(link)
        .data(json!({ "hook_id": p.hook_id, "delivery_id": delivery_id }))
        .once(format!("{NOT_SENT_ON}:{delivery_id}"));
    with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        let changed = sql("UPDATE alert_deliveries SET status = 'failed', attempts = $1, last_error = $2, updated_at = $3 \
             WHERE id = $4 AND status = 'pending'")
            .bind(attempts).bind(failure.as_str()).bind(now).bind(delivery_id)
            .execute(&mut tx).await?;
        if changed > 0 {
            notice.write_in(&mut tx).await?;
        }
        tx.commit().await
    }.await)?;
    Ok(Outcome::Done)
}

/// How long a `429` asks to wait, in ms: Discord's JSON `retry_after` (seconds, fractional),
/// else the `Retry-After` header (seconds), else a short default.
fn wait_asked(header: Option<&str>, body: &str) -> i64 {
    let from_body = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("retry_after").and_then(|r| r.as_f64()));
    let from_header = header.and_then(|h| h.trim().parse::<f64>().ok());
    let secs = from_body.or(from_header).unwrap_or(5.0);
    ((secs.max(0.0) * 1000.0).ceil() as i64).max(250)
}

/// A DM through the bot to the reseller's linked Discord account.
async fn direct_message(state: &AppState, p: &Pending) -> Attempt {
    let Some(discord) = &state.discord else {
        return Attempt::Failed("Discord is not set up on this Flipdesk".into());
    };
    let linked = crate::discord::service::discord_id_of(&state.db, &p.owner_user_id).await;
    let Ok(Some(discord_id)) = linked else {
        return Attempt::Failed("your Discord account is not linked".into());
    };
    let mut message: serde_json::Value = serde_json::from_str(&p.payload).unwrap_or_default();
    // A bot's message has its own name; `username` is for webhooks.
    if let Some(fields) = message.as_object_mut() {
        fields.remove("username");
    }
    match discord.direct_message(&discord_id, &message).await {
        Ok(()) => Attempt::Delivered,
        Err(DiscordError::RateLimited { retry_after_ms }) => Attempt::RateLimited(retry_after_ms),
        Err(DiscordError::Refused {
            code: Some(50007), ..
        }) => Attempt::Failed("Discord does not let the bot message you (DMs closed)".into()),
        Err(e) => Attempt::Failed(e.to_string()),
    }
}

async fn send(state: &AppState, url: &str, p: &Pending) -> Attempt {
    let policy = outbound::Policy::for_settings(&state.settings);
    // Checked again at each attempt: the name may lead elsewhere since it was saved.
    if let Err(refused) = outbound::check(url, policy).await {
        return Attempt::Failed(refused.to_string());
    }
    let client = state.part::<AlertClient>().get(policy);
    let mut request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    if !p.discord {
        let secret = signing_secret(state.secret.expose(), &p.hook_id);
        let at = OffsetDateTime::now_utc().unix_timestamp();
        request = request.header(
            "Flipdesk-Signature",
            crypto::webhook_signature(&secret, at, &p.payload),
        );
    }
    match request.body(p.payload.clone()).send().await {
        Ok(res) if res.status().is_success() => Attempt::Delivered,
        Ok(res) if res.status() == reqwest::StatusCode::TOO_MANY_REQUESTS => {
            let header = res
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let body = tokio::time::timeout(Duration::from_secs(2), res.text())
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default();
            Attempt::RateLimited(wait_asked(header.as_deref(), &body))
        }
        Ok(res) => Attempt::Failed(format!("the receiver answered {}", res.status())),
        Err(e) if e.is_timeout() => {
            Attempt::Failed("the receiver did not answer within 10 s".into())
        }
        Err(e) if e.is_connect() => {
            Attempt::Failed("Flipdesk could not connect to the receiver".into())
        }
        Err(_) => Attempt::Failed("the request to the receiver failed".into()),
    }
}

/// The fenced HTTP client, made once per process.
#[derive(Default)]
pub struct AlertClient(std::sync::OnceLock<reqwest::Client>);

impl AlertClient {
    fn get(&self, policy: outbound::Policy) -> &reqwest::Client {
        self.0.get_or_init(|| outbound::client(policy))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert() -> Alert {
        Alert {
            id: "n1".into(),
            kind: "inquiry_received".into(),
            level: Level::Warning,
            source: "web".into(),
            title: "New inquiry".into(),
            body: "@everyone <script>x</script>".into(),
            link: Some("https://flipdesk.test/app/store/inquiries".into()),
            created_at: "2026-12-05T10:00:00Z".into(),
            test: false,
        }
    }

    #[test]
    fn discord_messages_never_mention_and_keep_text_as_text() {
        let body: serde_json::Value = serde_json::from_str(&alert().render(true)).unwrap();
        assert_eq!(body["allowed_mentions"]["parse"], json!([]));
        assert_eq!(
            body["embeds"][0]["description"],
            "@everyone <script>x</script>"
        );
        assert_eq!(
            body["embeds"][0]["url"],
            "https://flipdesk.test/app/store/inquiries"
        );
        let generic: serde_json::Value = serde_json::from_str(&alert().render(false)).unwrap();
        assert_eq!(generic["type"], "inquiry_received");
        assert_eq!(generic["level"], "warning");
        let long = Alert {
            title: "x".repeat(300),
            ..alert()
        };
        let body: serde_json::Value = serde_json::from_str(&long.render(true)).unwrap();
        assert_eq!(
            body["embeds"][0]["title"].as_str().unwrap().chars().count(),
            256
        );
    }

    #[test]
    fn rate_limits_are_read_from_discord_json_or_the_header() {
        assert_eq!(
            wait_asked(None, r#"{"retry_after": 1.5, "global": false}"#),
            1_500
        );
        assert_eq!(wait_asked(Some("3"), "slow down"), 3_000);
        assert_eq!(wait_asked(Some("3"), r#"{"retry_after": 0.01}"#), 250);
        assert_eq!(wait_asked(Some("Wed, 21 Oct 2026 07:28:00 GMT"), ""), 5_000);
    }

    #[test]
    fn signatures_follow_the_contract() {
        let sig = crypto::webhook_signature("whsec_x", 1_700_000_000, "{}");
        assert_eq!(
            sig,
            format!(
                "t=1700000000,v1={}",
                crypto::hmac_hex("whsec_x", "1700000000.{}")
            )
        );
    }
}
