//! The reconciler: every `channels.reconcile_minutes` each connected channel is asked what it
//! shows (`GET {webhook origin}/flipdesk/state?channel={id}`, signed like an event) and its
//! answer is compared with Flipdesk's own. What Flipdesk can repair it repairs — a withdrawal
//! the channel missed is sent again, a listing it lost is published again — and what needs
//! the reseller (an item sold there and here, a sale the channel never reported) goes to the
//! inbox and the channels page, once per channel, item and kind.

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use time::OffsetDateTime;

use super::{
    events::{self, ChannelClient},
    service::{SEAL_PURPOSE, channel_secret, touch},
    types::{CheckReport, Finding},
};
use crate::{
    domain::inbox::Level,
    error::AppError,
    server::{
        crypto,
        db::{BeginWrite, Db, new_id},
        jobs::{self, BackgroundJob, Outcome},
        notify::Notice,
        outbound,
        state::AppState,
        store::{Store, Tx, sql},
    },
    with_db,
};

/// A change younger than this is left alone: its event may still be on its way.
const SETTLING_MS: i64 = 60_000;
/// The most a channel's state answer may weigh.
const MOST_STATE_BYTES: usize = 4 * 1024 * 1024;

/// What a channel shows, as it answers `GET …/flipdesk/state`.
#[derive(Debug, Deserialize)]
pub struct RemoteState {
    pub listings: Vec<RemoteListing>,
}

#[derive(Debug, Deserialize)]
pub struct RemoteListing {
    pub item_id: String,
    /// `listed`, `sold` or `withdrawn`.
    pub state: String,
}

/// Checks one channel (`run_ms` names the run, so a job run twice sends each repair once).
#[derive(Debug, Serialize, Deserialize)]
pub struct Reconcile {
    pub channel_id: String,
    pub run_ms: i64,
}

impl BackgroundJob for Reconcile {
    const KIND: &'static str = "channels.reconcile";
    const LABEL: &'static str = "Compare a sales channel's listings with Flipdesk's";
    const MAX_ATTEMPTS: i64 = 2;

    async fn run(self, state: &AppState) -> Outcome {
        match check(state, &self.channel_id, self.run_ms).await {
            // A channel that cannot be reached is shown on its card; the next round asks again.
            Ok(_) => Outcome::Done,
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}

/// The housekeeping round: queues a check of every connected channel that is due. A server
/// queues one only when it moves the channel's next check forward first, so two servers on
/// one database never both check it.
pub fn round(state: AppState) -> BoxFuture<'static, ()> {
    Box::pin(async move {
        let now = state.clock.now_ms();
        // Handoff tokens live a minute; an hour later they are only clutter.
        let _ = state
            .db
            .write(sql("DELETE FROM handoff_tokens WHERE expires_at_ms < $1").bind(now - 3_600_000))
            .await;
        let every = state.settings.channels.reconcile_minutes as i64 * 60_000;
        if every == 0 {
            return;
        }
        let due: sqlx::Result<Vec<(String, String)>> = with_db!(&state.db, pool => sqlx::query_as(
            "SELECT id, owner_user_id FROM channels WHERE kind = 'connected' AND next_check_ms <= $1 ORDER BY next_check_ms LIMIT 500")
            .bind(now).fetch_all(pool).await);
        for (channel_id, owner) in due.unwrap_or_default() {
            let queued = with_db!(&state.db, pool => async {
                let mut tx = pool.begin_write().await?;
                let claimed = sql("UPDATE channels SET next_check_ms = $1 WHERE id = $2 AND next_check_ms <= $3")
                    .bind(now + every).bind(channel_id.as_str()).bind(now)
                    .execute(&mut tx).await? == 1;
                if claimed {
                    let job = Reconcile { channel_id: channel_id.clone(), run_ms: now }.queued(Some(&owner));
                    jobs::enqueue(&mut tx, &job).await?;
                }
                tx.commit().await
            }.await);
            if let Err(e) = queued {
                tracing::warn!(channel = %channel_id, "queueing a channel check: {e}");
            }
        }
    })
}

/// The reseller's "Check now": `owner`'s channel checked at once.
pub async fn check_now(
    state: &AppState,
    owner: &str,
    channel_id: &str,
) -> Result<CheckReport, AppError> {
    let owned: i64 = with_db!(&state.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM channels WHERE id = $1 AND owner_user_id = $2 AND kind = 'connected'")
        .bind(channel_id).bind(owner).fetch_one(pool).await)?;
    if owned == 0 {
        return Err(AppError::NotFound);
    }
    check(state, channel_id, state.clock.now_ms()).await
}

#[derive(sqlx::FromRow)]
struct Target {
    owner_user_id: String,
    name: String,
    sealed_webhook: Option<String>,
    secret_generation: i64,
}

/// Asks the channel for its state and compares; the outcome (or why it could not ask) is
/// written on the channel for its card.
async fn check(state: &AppState, channel_id: &str, run_ms: i64) -> Result<CheckReport, AppError> {
    let target: Option<Target> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT owner_user_id, name, sealed_webhook, secret_generation FROM channels WHERE id = $1 AND kind = 'connected'")
        .bind(channel_id).fetch_optional(pool).await)?;
    let Some(target) = target else {
        return Err(AppError::NotFound);
    };
    let now = state.clock.now();
    let remote = match fetch_state(state, channel_id, &target).await {
        Ok(remote) => remote,
        Err(why) => {
            state
                .db
                .write(
                    sql("UPDATE channels SET last_check_at = $1, last_check_error = $2 WHERE id = $3")
                        .bind(now)
                        .bind(why.as_str())
                        .bind(channel_id),
                )
                .await?;
            return Ok(CheckReport {
                unreachable: Some(why),
                ..Default::default()
            });
        }
    };
    touch(&state.db, channel_id, now).await;
    let report = with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        let report = compare(&mut tx, channel_id, &target, &remote, run_ms, now).await?;
        sql("UPDATE channels SET last_check_at = $1, last_check_error = NULL WHERE id = $2")
            .bind(now).bind(channel_id).execute(&mut tx).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(report)
    }.await)?;
    if report.repaired > 0 {
        state.jobs_ready.notify_one();
    }
    Ok(report)
}

async fn fetch_state(
    state: &AppState,
    channel_id: &str,
    target: &Target,
) -> Result<RemoteState, String> {
    let webhook = target
        .sealed_webhook
        .as_deref()
        .and_then(|sealed| crypto::open(state.secret.expose(), SEAL_PURPOSE, sealed))
        .ok_or("its address can no longer be read; connect the channel again")?;
    let policy = outbound::Policy::for_settings(&state.settings);
    let mut url = outbound::check(&webhook, policy)
        .await
        .map_err(|refused| refused.to_string())?;
    url.set_path("/flipdesk/state");
    url.set_query(Some(&format!("channel={channel_id}")));
    let secret = channel_secret(state.secret.expose(), channel_id, target.secret_generation);
    let at = OffsetDateTime::now_utc().unix_timestamp();
    let mut res = state
        .part::<ChannelClient>()
        .get(policy)
        .get(url)
        .header(
            "Flipdesk-Signature",
            crypto::webhook_signature(&secret, at, ""),
        )
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "the channel did not answer within 10 s".to_string()
            } else {
                "Flipdesk could not connect to the channel".to_string()
            }
        })?;
    if !res.status().is_success() {
        return Err(format!("the channel answered {}", res.status()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = res
        .chunk()
        .await
        .map_err(|_| "the channel's answer broke off".to_string())?
    {
        body.extend_from_slice(&chunk);
        if body.len() > MOST_STATE_BYTES {
            return Err("the channel's state is larger than 4 MB".into());
        }
    }
    serde_json::from_slice(&body)
        .map_err(|e| format!("the channel's state does not read as the protocol's JSON: {e}"))
}

/// Flipdesk's side of one item on the channel.
#[derive(sqlx::FromRow)]
struct Local {
    item_id: String,
    state: String,
    updated_at: OffsetDateTime,
    item_name: String,
    price: i64,
    currency: String,
    /// Units free in the store, plus the ones this channel holds.
    free: i64,
    /// Sales this channel reported for the item.
    reported: i64,
}

async fn compare<DB: Store>(
    tx: &mut Tx<DB>,
    channel_id: &str,
    target: &Target,
    remote: &RemoteState,
    run_ms: i64,
    now: OffsetDateTime,
) -> sqlx::Result<CheckReport> {
    let locals: Vec<Local> = sql(
        "SELECT cl.item_id, cl.state, cl.updated_at, i.name AS item_name, cl.price, cl.currency, \
           COALESCE((SELECT l.available FROM listings l WHERE l.item_id = cl.item_id), 0) \
           + COALESCE((SELECT CAST(SUM(sl.quantity) AS BIGINT) FROM sale_locks sl WHERE sl.item_id = cl.item_id AND sl.channel_id = cl.channel_id AND sl.state = 'held'), 0) AS free, \
           (SELECT COUNT(*) FROM channel_sales s WHERE s.channel_id = cl.channel_id AND s.item_id = cl.item_id) AS reported \
         FROM channel_listings cl JOIN items i ON i.id = cl.item_id WHERE cl.channel_id = $1",
    )
    .bind(channel_id)
    .fetch_all(tx)
    .await?;
    let there: HashMap<&str, &str> = remote
        .listings
        .iter()
        .map(|l| (l.item_id.as_str(), l.state.as_str()))
        .collect();
    let settled_before = now - time::Duration::milliseconds(SETTLING_MS);
    let mut report = CheckReport::default();
    let owner = target.owner_user_id.as_str();
    let subject = |item: &str| format!("reconcile:{item}:{run_ms}");
    // Items the channel shows that Flipdesk never offered there are not the channel's to
    // sell: only items with a listing on this channel are compared.
    for local in locals.iter().filter(|l| l.updated_at < settled_before) {
        let shown = there.get(local.item_id.as_str()).copied();
        let item = local.item_id.as_str();
        match (local.state.as_str(), shown) {
            ("listed", Some("listed")) | ("sold", Some("sold")) => {}
            ("withdrawn" | "sold", Some("listed")) => {
                events::send_to(
                    tx,
                    channel_id,
                    owner,
                    "listing.withdrawn",
                    &subject(item),
                    &json!({"item_id": item, "reason": "reconciled"}),
                )
                .await?;
                note(tx, channel_id, owner, item, "withdrawal_resent", now).await?;
                report.repaired += 1;
            }
            ("listed", None | Some("withdrawn")) if local.free > 0 => {
                let price = crate::domain::Money::new(
                    local.price,
                    crate::domain::Currency::parse(&local.currency)
                        .unwrap_or(crate::domain::Currency::Usd),
                );
                events::send_to(
                    tx,
                    channel_id,
                    owner,
                    "listing.published",
                    &subject(item),
                    &json!({"item_id": item, "title": local.item_name, "price": price, "available": local.free}),
                )
                .await?;
                note(tx, channel_id, owner, item, "listing_resent", now).await?;
                report.repaired += 1;
            }
            (_, Some("sold")) if local.reported == 0 => {
                let kind = if local.free > 0 {
                    "unreported_sale"
                } else {
                    "sold_twice"
                };
                let new = note(tx, channel_id, owner, item, kind, now).await?;
                if new {
                    attention(tx, owner, channel_id, &target.name, local, kind).await?;
                }
                report.needs_attention += 1;
            }
            _ => {}
        }
    }
    Ok(report)
}

/// Records a finding (or that it was seen again); `true` when it is new.
async fn note<DB: Store>(
    tx: &mut Tx<DB>,
    channel_id: &str,
    owner: &str,
    item_id: &str,
    kind: &str,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let status = match kind {
        "withdrawal_resent" | "listing_resent" => "repaired",
        _ => "open",
    };
    let seen_again = sql(
        "UPDATE channel_findings SET times = times + 1, last_seen_at = $1 \
         WHERE channel_id = $2 AND item_id = $3 AND kind = $4",
    )
    .bind(now)
    .bind(channel_id)
    .bind(item_id)
    .bind(kind)
    .execute(tx)
    .await?;
    if seen_again > 0 {
        return Ok(false);
    }
    sql("INSERT INTO channel_findings (id, channel_id, owner_user_id, item_id, kind, status, first_seen_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (channel_id, item_id, kind) DO NOTHING")
        .bind(new_id())
        .bind(channel_id)
        .bind(owner)
        .bind(item_id)
        .bind(kind)
        .bind(status)
        .bind(now)
        .execute(tx)
        .await
        .map(|added| added > 0)
}

/// The inbox notice of a finding that needs the reseller.
async fn attention<DB: Store>(
    tx: &mut Tx<DB>,
    owner: &str,
    channel_id: &str,
    channel: &str,
    local: &Local,
    kind: &str,
) -> sqlx::Result<()> {
    let (level, title, body) = if kind == "sold_twice" {
        (
            Level::Error,
            format!("Sold twice? “{}” on {channel}", local.item_name),
            format!(
                "{channel} shows it as sold, but it never told Flipdesk, and its units are gone here: it sold or is held elsewhere too. Refund one of the buyers, or sort it out by hand."
            ),
        )
    } else {
        (
            Level::Warning,
            format!(
                "“{}” sold on {channel} without telling Flipdesk",
                local.item_name
            ),
            format!(
                "{channel} shows it as sold, but Flipdesk never heard of the sale, so the unit is still offered everywhere else. Record the sale on the item (“Mark sold”), or ask the channel to report it."
            ),
        )
    };
    Notice::new(owner, "channel_finding", level, title)
        .body(body)
        .link(format!("/app/inventory/{}", local.item_id))
        .data(json!({"channel_id": channel_id, "item_id": local.item_id, "kind": kind}))
        .once(format!(
            "channel_finding:{channel_id}:{}:{kind}",
            local.item_id
        ))
        .write_in(tx)
        .await?;
    Ok(())
}

/// `owner`'s open findings, then the latest repairs.
pub async fn findings_of(db: &Db, owner: &str) -> Result<Vec<Finding>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        channel_name: String,
        item_id: String,
        item_name: Option<String>,
        kind: String,
        status: String,
        times: i64,
        last_seen_at: OffsetDateTime,
    }
    let rows: Vec<Row> = with_db!(db, pool => sqlx::query_as(
        "SELECT f.id, c.name AS channel_name, f.item_id, i.name AS item_name, f.kind, f.status, f.times, f.last_seen_at \
         FROM channel_findings f JOIN channels c ON c.id = f.channel_id LEFT JOIN items i ON i.id = f.item_id \
         WHERE f.owner_user_id = $1 AND f.status <> 'resolved' \
         ORDER BY CASE f.status WHEN 'open' THEN 0 ELSE 1 END, f.last_seen_at DESC LIMIT 50")
        .bind(owner).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|r| Finding {
            id: r.id,
            channel_name: r.channel_name,
            item_id: r.item_id,
            item_name: r.item_name.unwrap_or_else(|| "A deleted item".into()),
            kind: r.kind,
            status: r.status,
            times: r.times,
            last_seen_at: r
                .last_seen_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        })
        .collect())
}

/// The reseller sorted a finding out: it leaves the page (and is not raised again).
pub async fn resolve_finding(db: &Db, owner: &str, id: &str) -> Result<(), AppError> {
    let changed = db
        .write(
            sql("UPDATE channel_findings SET status = 'resolved' WHERE id = $1 AND owner_user_id = $2 AND status = 'open'")
                .bind(id)
                .bind(owner),
        )
        .await?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
