-- Alert webhooks: a reseller's notifications of the chosen types sent on to their own tool or
-- a Discord channel. The address is sealed (it is a credential for Discord); what the page
-- shows is `shown_url`. A generic receiver's signing secret is derived from the instance
-- secret and the hook's id, so it is never stored.
CREATE TABLE alert_hooks (
    id             TEXT PRIMARY KEY NOT NULL,
    owner_user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sealed_url     TEXT NOT NULL,
    shown_url      TEXT NOT NULL,
    discord        BOOLEAN NOT NULL,
    levels         TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX alert_hooks_owner ON alert_hooks (owner_user_id);

-- One row per (hook, notification): what was sent, how often it was tried, how it ended.
-- A test delivery has no notification.
CREATE TABLE alert_deliveries (
    id               TEXT PRIMARY KEY NOT NULL,
    hook_id          TEXT NOT NULL REFERENCES alert_hooks (id) ON DELETE CASCADE,
    notification_id  TEXT,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending',
    attempts         BIGINT NOT NULL DEFAULT 0,
    rate_limited     BIGINT NOT NULL DEFAULT 0,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (hook_id, notification_id)
);
CREATE INDEX alert_deliveries_hook ON alert_deliveries (hook_id, created_at);
