-- Shoppers' questions to a store (the storefront's contact form), and the owner's answers.
-- `ip_key` is an HMAC of the sender's address (never the address itself).
CREATE TABLE inquiries (
    id          TEXT PRIMARY KEY NOT NULL,
    store_id    TEXT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    listing_id  TEXT REFERENCES listings (id) ON DELETE SET NULL,
    name        TEXT NOT NULL,
    contact     TEXT NOT NULL,
    email       TEXT,
    message     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('new', 'answered', 'archived')),
    reply       TEXT,
    answered_at TIMESTAMPTZ,
    ip_key      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX inquiries_store ON inquiries (store_id, status, created_at DESC);
CREATE INDEX inquiries_store_day ON inquiries (store_id, created_at);
