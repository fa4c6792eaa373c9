-- A Flipdesk account linked to a Discord account: at most one each way. The OAuth tokens are
-- sealed (ChaCha20-Poly1305 under a key derived from FLIPDESK_SECRET).
CREATE TABLE discord_links (
    user_id          TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    discord_user_id  TEXT NOT NULL UNIQUE,
    username         TEXT NOT NULL,
    sealed_tokens    TEXT NOT NULL,
    expires_at       BIGINT NOT NULL,
    -- The plan role last put on the member (what the reconciler compares with).
    role_synced      TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL
);

-- An account made through Discord has no password until the owner sets one (reset link):
-- Discord cannot be unlinked from it before.
ALTER TABLE users ADD COLUMN password_login BOOLEAN NOT NULL DEFAULT TRUE;

-- A linked reseller's Discord DMs ride on the alert webhooks' deliveries: one hook row of
-- kind `dm` per linked account (subscription news always, plus the levels they chose).
ALTER TABLE alert_hooks ADD COLUMN dm BOOLEAN NOT NULL DEFAULT FALSE;
