-- Premium through Stripe Billing, referral trials and rewards.
--
-- A reseller's Stripe customer, created the first time they start an upgrade, so the
-- Customer Portal and every later subscription belong to one customer.
CREATE TABLE billing_customers (
    user_id             TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stripe_customer_id  TEXT NOT NULL UNIQUE,
    created_at          TEXT NOT NULL
);

-- Stripe subscriptions as their newest event described them. Stripe's timestamps are kept
-- as its epoch seconds: `last_event_at` is the `created` of the newest event applied, so
-- an older event arriving later changes nothing; a cancelled subscription stays cancelled.
CREATE TABLE subscriptions (
    id                    TEXT PRIMARY KEY NOT NULL,
    user_id               TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status                TEXT NOT NULL,
    price_id              TEXT NOT NULL DEFAULT '',
    period_start          BIGINT,
    period_end            BIGINT,
    cancel_at_period_end  BOOLEAN NOT NULL DEFAULT FALSE,
    last_event_at         BIGINT NOT NULL,
    -- When the grace period of a failed renewal was seen to end (the reseller was told).
    grace_ended_at        BIGINT,
    updated_at            TEXT NOT NULL
);
CREATE INDEX subscriptions_user ON subscriptions (user_id, last_event_at);

-- Invoices Stripe reported (paid or failed), for the billing page's list.
CREATE TABLE invoices (
    id               TEXT PRIMARY KEY NOT NULL,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subscription_id  TEXT,
    amount           BIGINT NOT NULL,
    currency         TEXT NOT NULL,
    status           TEXT NOT NULL,
    hosted_url       TEXT,
    created          BIGINT NOT NULL,
    last_event_at    BIGINT NOT NULL
);
CREATE INDEX invoices_user ON invoices (user_id, created);

-- Each reseller's referral link carries this code (made the first time it is shown).
ALTER TABLE users ADD COLUMN referral_code TEXT;
CREATE UNIQUE INDEX users_referral_code ON users (referral_code);

-- Who brought whom. `email_key` is the referred address without case, +tags or Gmail dots:
-- one trial per address, even after the account is deleted and made again.
CREATE TABLE referrals (
    email_key         TEXT PRIMARY KEY NOT NULL,
    referred_user_id  TEXT REFERENCES users (id) ON DELETE SET NULL,
    referrer_user_id  TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at        TEXT NOT NULL,
    rewarded_at       TEXT
);
CREATE UNIQUE INDEX referrals_referred ON referrals (referred_user_id);

-- Days of premium that are not a subscription: a referral trial, a referrer's reward.
-- `source` names what earned them, once: `trial:<user>`, `reward:<referred user>`.
CREATE TABLE premium_periods (
    source      TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL
);
CREATE INDEX premium_periods_user ON premium_periods (user_id, ends_at);
