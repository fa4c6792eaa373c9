-- Stripe events are an inbox: the webhook stores the verified event with a job in one short
-- transaction and answers; the job applies the event and sets applied_at in the same
-- transaction as its effect, so a replay or a second run of the job changes nothing.
-- The payload is cleared once applied (it carries the buyer's address).
ALTER TABLE stripe_events ADD COLUMN payload TEXT;
ALTER TABLE stripe_events ADD COLUMN applied_at TEXT;
UPDATE stripe_events SET applied_at = received_at;
