-- Store monitors: what a reseller hunts on every public storefront. `anchor` is the longest
-- word a matching listing must contain: a listing's words find the monitors to check.
CREATE TABLE monitors (
    id             TEXT PRIMARY KEY NOT NULL,
    owner_user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    keywords       TEXT NOT NULL,
    anchor         TEXT NOT NULL,
    kind           TEXT,
    sizes          TEXT NOT NULL DEFAULT '',
    condition      TEXT,
    max_price      BIGINT,
    currency       TEXT NOT NULL,
    stores         TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL
);
CREATE INDEX monitors_owner ON monitors (owner_user_id, created_at);
CREATE INDEX monitors_anchor ON monitors (anchor);

-- Each monitor is one of the plan's monitor keywords (usage_counts, as items are counted).
CREATE TRIGGER monitors_counted_in AFTER INSERT ON monitors BEGIN
    INSERT INTO usage_counts (user_id, resource, period, used) VALUES (NEW.owner_user_id, 'monitor_keywords', '', 1)
        ON CONFLICT (user_id, resource, period) DO UPDATE SET used = used + 1;
END;
CREATE TRIGGER monitors_counted_out AFTER DELETE ON monitors BEGIN
    UPDATE usage_counts SET used = used - 1
        WHERE user_id = OLD.owner_user_id AND resource = 'monitor_keywords' AND period = '';
END;
