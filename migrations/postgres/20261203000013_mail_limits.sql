-- The operator's mail is not a phishing tool: each outbox row knows the reseller it is sent
-- for, mails past the limits are kept unsent with the reason, and an address confirms it
-- wants a store's mail by opening its order link (see mail.rs for the rule).
ALTER TABLE outbox ADD COLUMN owner_user_id TEXT;
ALTER TABLE outbox ADD COLUMN held_reason TEXT;
CREATE INDEX outbox_recipient ON outbox (to_address, created_at);
CREATE INDEX outbox_owner ON outbox (owner_user_id, created_at);
CREATE TABLE mail_consents (
    owner_user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email          TEXT NOT NULL,
    confirmed_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (owner_user_id, email)
);
-- Only a link that travelled by mail confirms the address (1); the link a checkout answers
-- with goes to whoever placed the order, who may not own the address (0).
ALTER TABLE order_links ADD COLUMN mailed BIGINT NOT NULL DEFAULT 0;
