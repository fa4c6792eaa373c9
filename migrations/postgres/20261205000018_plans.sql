-- Plans. A reseller's plan is worked out from what they have: an admin's grant (premium or
-- beta, with a reason), later a Stripe subscription or a trial; without any it is free.
-- `users.plan` is no longer read: a premium account before this migration becomes a grant.
CREATE TABLE plan_grants (
    user_id     TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan        TEXT NOT NULL CHECK (plan IN ('premium', 'beta')),
    reason      TEXT NOT NULL,
    granted_by  TEXT REFERENCES users (id) ON DELETE SET NULL,
    granted_at  TIMESTAMPTZ NOT NULL
);
INSERT INTO plan_grants (user_id, plan, reason, granted_at)
    SELECT id, 'premium', 'Premium before plans were billed', updated_at FROM users WHERE plan = 'premium';
