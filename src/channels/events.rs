//! Events for connected channels (`listing.published`, `listing.withdrawn`, `unit.locked`,
//! `unit.unlocked`, `unit.sold`…): written in the transaction of the change they tell about,
//! once per channel and subject, then each sent by its own job — signed like Stripe's
//! (`Flipdesk-Signature`), retried with backoff. A channel that is down delays only its own
//! events.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::service::{SEAL_PURPOSE, channel_secret, touch};
use crate::{
    domain::inbox::Level,
    server::{
        crypto,
        db::{BeginWrite, new_id},
        jobs::{self, BackgroundJob, Outcome},
        notify::Notice,
        outbound,
        state::AppState,
        store::{Store, Tx, placeholders, sql},
    },
    with_db,
};

/// Attempts before an event is given up (about 40 minutes of backoff in all).
pub const ATTEMPTS: i64 = 6;
const RETRY_AFTER_MS: [i64; 5] = [2_000, 10_000, 60_000, 300_000, 1_800_000];

/// Queues event `kind` about `item_id` for every connected channel the item is offered on,
/// except `except` (the channel that caused it). `subject` makes it once per channel: the
/// same change queued twice (a job run again) is sent once. Only one job is written in the
/// caller's transaction (a lock answers while many channels wait for their copy); that job
/// writes each channel's event.
pub async fn announce<DB: Store>(
    tx: &mut Tx<DB>,
    item_id: &str,
    except: Option<&str>,
    kind: &str,
    subject: &str,
    data: Value,
) -> sqlx::Result<()> {
    let channels: Vec<(String, String)> = sql(
        "SELECT c.id, c.owner_user_id FROM channels c JOIN channel_listings cl ON cl.channel_id = c.id \
         WHERE cl.item_id = $1 AND c.kind = 'connected' AND cl.state = 'listed' AND c.id <> $2",
    )
    .bind(item_id)
    .bind(except.unwrap_or(""))
    .fetch_all(tx)
    .await?;
    let Some((_, owner)) = channels.first() else {
        return Ok(());
    };
    let owner = owner.clone();
    let fan_out = FanOut {
        channels: channels.into_iter().map(|(id, _)| id).collect(),
        kind: kind.to_string(),
        subject: subject.to_string(),
        data,
    };
    jobs::enqueue(tx, &fan_out.queued(Some(&owner))).await
}

/// One change told to each connected channel that offered the item at that moment: an event
/// each (once per channel and subject).
#[derive(Debug, Serialize, Deserialize)]
pub struct FanOut {
    pub channels: Vec<String>,
    pub kind: String,
    pub subject: String,
    pub data: Value,
}

impl BackgroundJob for FanOut {
    const KIND: &'static str = "channels.fan_out";
    const LABEL: &'static str = "Tell your sales channels what changed";

    async fn run(self, state: &AppState) -> Outcome {
        let written = with_db!(&state.db, pool => async {
            let mut tx = pool.begin_write().await?;
            // The channels still there, in one read (one removed meanwhile has nobody to tell).
            let still: Vec<(String, String)> = if self.channels.is_empty() {
                Vec::new()
            } else {
                sql(format!(
                    "SELECT id, owner_user_id FROM channels WHERE id IN ({})",
                    placeholders(1, self.channels.len())
                ))
                .bind_all(self.channels.iter().map(String::as_str))
                .fetch_all(&mut tx)
                .await?
            };
            for (channel_id, owner) in &still {
                send_to(&mut tx, channel_id, owner, &self.kind, &self.subject, &self.data).await?;
            }
            tx.commit().await
        }.await);
        match written {
            Ok(()) => {
                state.jobs_ready.notify_one();
                Outcome::Done
            }
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}

/// Queues one event for one channel (once per `subject`).
pub async fn send_to<DB: Store>(
    tx: &mut Tx<DB>,
    channel_id: &str,
    owner: &str,
    kind: &str,
    subject: &str,
    data: &Value,
) -> sqlx::Result<()> {
    let id = new_id();
    let now = OffsetDateTime::now_utc();
    let payload = json!({
        "id": id,
        "type": kind,
        "created_at": now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        "data": data,
    })
    .to_string();
    let added = sql(
        "INSERT INTO channel_events (id, channel_id, kind, dedupe_key, payload, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (channel_id, dedupe_key) DO NOTHING",
    )
    .bind(&id)
    .bind(channel_id)
    .bind(kind)
    .bind(format!("{kind}:{subject}"))
    .bind(payload)
    .bind(now)
    .execute(tx)
    .await?;
    if added > 0 {
        jobs::enqueue(tx, &Deliver { event_id: id }.queued(Some(owner))).await?;
    }
    Ok(())
}

/// Sends one event to its channel.
#[derive(Debug, Serialize, Deserialize)]
pub struct Deliver {
    pub event_id: String,
}

impl BackgroundJob for Deliver {
    const KIND: &'static str = "channels.deliver";
    const LABEL: &'static str = "Tell a sales channel what changed";
    /// The delivery counts its own attempts (`ATTEMPTS`); this bounds crashes mid-send.
    const MAX_ATTEMPTS: i64 = 12;

    async fn run(self, state: &AppState) -> Outcome {
        match deliver(state, &self.event_id).await {
            Ok(outcome) => outcome,
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Pending {
    payload: String,
    attempts: i64,
    kind: String,
    channel_id: String,
    owner_user_id: String,
    name: String,
    sealed_webhook: Option<String>,
    secret_generation: i64,
}

async fn deliver(state: &AppState, event_id: &str) -> sqlx::Result<Outcome> {
    let pending: Option<Pending> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT e.payload, e.attempts, e.kind, c.id AS channel_id, c.owner_user_id, c.name, c.sealed_webhook, c.secret_generation \
         FROM channel_events e JOIN channels c ON c.id = e.channel_id WHERE e.id = $1 AND e.status = 'pending'")
        .bind(event_id).fetch_optional(pool).await)?;
    let Some(p) = pending else {
        return Ok(Outcome::Done);
    };
    let url = p
        .sealed_webhook
        .as_deref()
        .and_then(|sealed| crypto::open(state.secret.expose(), SEAL_PURPOSE, sealed));
    let result = match url {
        Some(url) => post(state, &url, &p).await,
        None => Err("its address can no longer be read; connect the channel again".to_string()),
    };
    let now = OffsetDateTime::now_utc();
    let failure = match result {
        Ok(()) => {
            state.db.write(sql(
                "UPDATE channel_events SET status = 'delivered', attempts = attempts + 1, last_error = NULL, updated_at = $1 \
                 WHERE id = $2 AND status = 'pending'")
                .bind(now).bind(event_id)).await?;
            touch(&state.db, &p.channel_id, now).await;
            return Ok(Outcome::Done);
        }
        Err(reason) => reason,
    };
    let attempts = p.attempts + 1;
    if attempts < ATTEMPTS {
        tracing::warn!(event = %event_id, channel = %p.channel_id, attempts, error = %failure, "channel event not delivered; will retry");
        state.db.write(sql(
            "UPDATE channel_events SET attempts = $1, last_error = $2, updated_at = $3 WHERE id = $4 AND status = 'pending'")
            .bind(attempts).bind(failure).bind(now).bind(event_id)).await?;
        let wait = RETRY_AFTER_MS[(attempts as usize - 1).min(RETRY_AFTER_MS.len() - 1)];
        return Ok(Outcome::Later(state.clock.now_ms() + wait));
    }
    tracing::error!(event = %event_id, channel = %p.channel_id, attempts, error = %failure, "channel event given up");
    let notice = Notice::new(
        &p.owner_user_id,
        "channel_unreachable",
        Level::Error,
        format!("{} is not hearing from Flipdesk", p.name),
    )
    .body(format!(
        "Flipdesk tried {attempts} times to tell {} about “{}” and gave up: {failure}. Check the channel, then look at its listings: they may be out of date there.",
        p.name, p.kind
    ))
    .link("/app/store/channels")
    .once(format!("channel_unreachable:{event_id}"));
    with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        let changed = sql("UPDATE channel_events SET status = 'failed', attempts = $1, last_error = $2, updated_at = $3 \
             WHERE id = $4 AND status = 'pending'")
            .bind(attempts).bind(failure.as_str()).bind(now).bind(event_id)
            .execute(&mut tx).await?;
        if changed > 0 {
            notice.write_in(&mut tx).await?;
        }
        tx.commit().await
    }.await)?;
    Ok(Outcome::Done)
}

async fn post(state: &AppState, url: &str, p: &Pending) -> Result<(), String> {
    let policy = outbound::Policy::for_settings(&state.settings);
    // Checked again at each attempt: the name may lead elsewhere since it was saved.
    outbound::check(url, policy)
        .await
        .map_err(|refused| refused.to_string())?;
    let secret = channel_secret(state.secret.expose(), &p.channel_id, p.secret_generation);
    let at = OffsetDateTime::now_utc().unix_timestamp();
    let res = state
        .part::<ChannelClient>()
        .get(policy)
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(
            "Flipdesk-Signature",
            crypto::webhook_signature(&secret, at, &p.payload),
        )
        .body(p.payload.clone())
        .send()
        .await;
    match res {
        Ok(res) if res.status().is_success() => Ok(()),
        Ok(res) => Err(format!("the channel answered {}", res.status())),
        Err(e) if e.is_timeout() => Err("the channel did not answer within 10 s".into()),
        Err(e) if e.is_connect() => Err("Flipdesk could not connect to the channel".into()),
        Err(_) => Err("the request to the channel failed".into()),
    }
}

/// The fenced HTTP client for channels, made once per process.
#[derive(Default)]
pub struct ChannelClient(std::sync::OnceLock<reqwest::Client>);

impl ChannelClient {
    pub fn get(&self, policy: outbound::Policy) -> &reqwest::Client {
        self.0.get_or_init(|| outbound::client(policy))
    }
}

/// A storefront reservation holds units like a channel's lock, and a paid order sells them:
/// connected channels offering the item hear `unit.locked`, `unit.unlocked` or `unit.sold`
/// (once per order line and change).
pub async fn storefront_units<DB: Store>(
    tx: &mut Tx<DB>,
    kind: &str,
    order_id: &str,
    listing_id: &str,
    item_id: &str,
    quantity: i64,
) -> sqlx::Result<()> {
    let available: Option<(i64,)> = sql("SELECT available FROM listings WHERE id = $1")
        .bind(listing_id)
        .fetch_optional(tx)
        .await?;
    announce(
        tx,
        item_id,
        None,
        kind,
        &format!("order:{order_id}:{listing_id}"),
        json!({"item_id": item_id, "quantity": quantity, "available": available.map_or(0, |(a,)| a), "by": "storefront"}),
    )
    .await
}
