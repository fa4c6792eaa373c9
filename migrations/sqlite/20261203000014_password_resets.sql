-- Password reset by mail: a signed, single-use link valid one hour (only the HMAC of its
-- token is kept). Resetting bumps the account's session epoch, which ends every session that
-- was started before.
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;
CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    created_at  TEXT NOT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id);
