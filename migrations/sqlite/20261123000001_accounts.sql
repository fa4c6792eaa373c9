-- Accounts, stores, store staff, public WTB list shells and the audit log.
-- Ids are UUIDv7 text; money is integer minor units; timestamps are UTC.

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'ops', 'admin')),
    plan          TEXT NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'premium')),
    time_zone     TEXT NOT NULL DEFAULT 'UTC',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE stores (
    id          TEXT PRIMARY KEY NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    tagline     TEXT NOT NULL DEFAULT '',
    currency    TEXT NOT NULL DEFAULT 'USD',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE store_members (
    store_id   TEXT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (store_id, user_id)
);
CREATE INDEX store_members_user ON store_members (user_id);

CREATE TABLE wtb_lists (
    id              TEXT PRIMARY KEY NOT NULL,
    owner_user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slug            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    is_public       INTEGER NOT NULL DEFAULT 1,
    api_key_prefix  TEXT,
    api_key_hash    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX wtb_lists_owner ON wtb_lists (owner_user_id);

CREATE TABLE audit_log (
    id            TEXT PRIMARY KEY NOT NULL,
    actor_user_id TEXT,
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL DEFAULT '',
    ip            TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, created_at);
