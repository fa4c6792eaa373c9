//! Channels themselves: adding one, its secret, who a request's secret opens, and offering
//! items on it.

use serde::Serialize;
use time::OffsetDateTime;

use crate::{
    domain::channels::{ChannelDraft, ChannelKind},
    error::AppError,
    server::{
        config::Secret,
        crypto,
        db::{BeginWrite, Db, new_id},
        outbound,
        store::sql,
    },
    with_db,
};

pub const SEAL_PURPOSE: &str = "channel_webhook";

/// A connected channel's secret: derived from the instance secret, the channel and its
/// generation, so it is never stored and can be shown exactly once, when the channel is added.
pub fn channel_secret(instance: &str, channel_id: &str, generation: i64) -> String {
    let digest = crypto::hmac_hex(
        instance,
        &format!("channel_secret:{channel_id}:{generation}"),
    );
    format!("fdch_{}", &digest[..48])
}

/// A channel as a request's secret opens it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Channel {
    pub id: String,
    pub store_id: String,
    pub owner_user_id: String,
    pub name: String,
    pub kind: String,
    pub sealed_webhook: Option<String>,
    pub secret_generation: i64,
}

impl Channel {
    pub fn secret(&self, instance: &Secret) -> String {
        channel_secret(instance.expose(), &self.id, self.secret_generation)
    }
}

/// The connected channel `id` when `presented` is its secret; `None` otherwise (the same
/// answer for an unknown channel, so ids cannot be probed).
pub async fn authenticate(
    db: &Db,
    instance: &Secret,
    id: &str,
    presented: &str,
) -> sqlx::Result<Option<Channel>> {
    let channel: Option<Channel> = with_db!(db, pool => sqlx::query_as(
        "SELECT id, store_id, owner_user_id, name, kind, sealed_webhook, secret_generation FROM channels WHERE id = $1 AND kind = 'connected'")
        .bind(id).fetch_optional(pool).await)?;
    // Compared in constant time: both sides are digests of the same length.
    let expected = match &channel {
        Some(c) => c.secret(instance),
        None => channel_secret(instance.expose(), "none", 0),
    };
    let same = crypto::hmac_hex(instance.expose(), presented)
        == crypto::hmac_hex(instance.expose(), &expected);
    Ok(channel.filter(|_| same))
}

/// Notes that the channel answered or called: the channel health page shows it. Written at
/// most every half minute per channel and server (a busy channel calls many times a second,
/// and every write waits its turn).
pub async fn touch(db: &Db, channel_id: &str, now: OffsetDateTime) {
    static LAST: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<String, i64>>> =
        std::sync::LazyLock::new(Default::default);
    let at = now.unix_timestamp();
    {
        let mut last = LAST.lock().expect("contact times");
        if last
            .get(channel_id)
            .is_some_and(|t| at - t < 30 && at >= *t)
        {
            return;
        }
        if last.len() > 100_000 {
            last.clear();
        }
        last.insert(channel_id.to_string(), at);
    }
    let _ = db
        .write(
            sql("UPDATE channels SET last_contact_at = $1 WHERE id = $2")
                .bind(now)
                .bind(channel_id),
        )
        .await;
}

/// A channel just added: its id, and for a connected channel its secret (shown this once).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Added {
    pub id: String,
    pub secret: Option<String>,
}

/// Adds a channel to `owner`'s store. A connected channel's webhook address must be one
/// Flipdesk may call (never a private network in production).
pub async fn add_channel(
    db: &Db,
    instance: &Secret,
    policy: outbound::Policy,
    owner: &str,
    draft: &ChannelDraft,
) -> Result<Added, AppError> {
    let (store_id, _) = crate::store::service::owned_store(db, owner).await?;
    let (sealed, shown) = match (&draft.kind, &draft.webhook_url) {
        (ChannelKind::Connected, Some(url)) => {
            let checked = outbound::check(url, policy)
                .await
                .map_err(|refused| AppError::field("webhook_url", refused.to_string()))?;
            (
                Some(crypto::seal(instance.expose(), SEAL_PURPOSE, url)),
                Some(format!(
                    "{}://{}",
                    checked.scheme(),
                    checked.host_str().unwrap_or("")
                )),
            )
        }
        _ => (None, None),
    };
    let id = new_id();
    let now = OffsetDateTime::now_utc();
    let added = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let taken: i64 = sql("SELECT COUNT(*) FROM channels WHERE owner_user_id = $1 AND name = $2")
            .bind(owner).bind(draft.name.as_str()).scalar(&mut tx).await?;
        if taken > 0 {
            return Ok::<_, sqlx::Error>(false);
        }
        sql("INSERT INTO channels (id, store_id, owner_user_id, name, kind, sealed_webhook, shown_webhook, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(id.as_str()).bind(store_id.as_str()).bind(owner).bind(draft.name.as_str())
            .bind(draft.kind.as_str()).bind(sealed).bind(shown).bind(now)
            .execute(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }.await)?;
    if !added {
        return Err(AppError::field(
            "name",
            "You already have a channel with this name.",
        ));
    }
    Ok(Added {
        secret: (draft.kind == ChannelKind::Connected)
            .then(|| channel_secret(instance.expose(), &id, 1)),
        id,
    })
}

/// The store of a slug or id, with its owner: the CLI adds channels by store.
pub async fn store_owner(db: &Db, store: &str) -> sqlx::Result<Option<String>> {
    with_db!(db, pool => sqlx::query_scalar(
        "SELECT m.user_id FROM stores s JOIN store_members m ON m.store_id = s.id AND m.role = 'owner' \
         WHERE s.slug = $1 OR s.id = $1")
        .bind(store).fetch_optional(pool).await)
}

/// `owner`'s channels with their health: items offered, last contact, events waiting or given
/// up, sales in conflict.
pub async fn channels_of(
    db: &Db,
    owner: &str,
) -> Result<Vec<crate::channels::types::ChannelRow>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        name: String,
        kind: String,
        shown_webhook: Option<String>,
        last_contact_at: Option<OffsetDateTime>,
        listed: i64,
        pending_events: i64,
        failed_events: i64,
        conflicts: i64,
        last_check_at: Option<OffsetDateTime>,
        last_check_error: Option<String>,
    }
    let rows: Vec<Row> = with_db!(db, pool => sqlx::query_as(
        "SELECT c.id, c.name, c.kind, c.shown_webhook, c.last_contact_at, c.last_check_at, c.last_check_error, \
           (SELECT COUNT(*) FROM channel_listings cl WHERE cl.channel_id = c.id AND cl.state = 'listed') AS listed, \
           (SELECT COUNT(*) FROM channel_events e WHERE e.channel_id = c.id AND e.status = 'pending') AS pending_events, \
           (SELECT COUNT(*) FROM channel_events e WHERE e.channel_id = c.id AND e.status = 'failed') AS failed_events, \
           (SELECT COUNT(*) FROM channel_sales s WHERE s.channel_id = c.id AND s.status = 'conflict') AS conflicts \
         FROM channels c WHERE c.owner_user_id = $1 ORDER BY LOWER(c.name), c.id")
        .bind(owner).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|r| crate::channels::types::ChannelRow {
            id: r.id,
            name: r.name,
            connected: r.kind == "connected",
            webhook: r.shown_webhook,
            listed: r.listed,
            last_contact_at: r.last_contact_at.and_then(rfc3339),
            last_check_at: r.last_check_at.and_then(rfc3339),
            check_error: r.last_check_error,
            pending_events: r.pending_events,
            failed_events: r.failed_events,
            conflicts: r.conflicts,
        })
        .collect())
}

fn rfc3339(t: OffsetDateTime) -> Option<String> {
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}
