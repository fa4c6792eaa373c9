-- The inbox: every notification has a type (how it reads: error, success, warning, info) and
-- a source (where it came from: api, web, discord, system). A reseller keeps notifications
-- for `inbox_retention_days` (a job prunes older ones).
ALTER TABLE notifications ADD COLUMN level TEXT NOT NULL DEFAULT 'info'
    CHECK (level IN ('error', 'success', 'warning', 'info'));
ALTER TABLE notifications ADD COLUMN source TEXT NOT NULL DEFAULT 'system'
    CHECK (source IN ('api', 'web', 'discord', 'system'));
ALTER TABLE users ADD COLUMN inbox_retention_days BIGINT NOT NULL DEFAULT 90;
CREATE INDEX notifications_created ON notifications (created_at);

-- The live badge reads one row per reseller: the unread count and a version that moves with
-- every change of the inbox (kept by triggers, so every writer keeps it right).
CREATE TABLE inbox_counts (
    user_id  TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    unread   BIGINT NOT NULL,
    version  BIGINT NOT NULL
);
INSERT INTO inbox_counts (user_id, unread, version)
    SELECT user_id, SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 1 FROM notifications GROUP BY user_id;

CREATE TRIGGER inbox_counted_in AFTER INSERT ON notifications BEGIN
    INSERT INTO inbox_counts (user_id, unread, version)
        VALUES (NEW.user_id, CASE WHEN NEW.read_at IS NULL THEN 1 ELSE 0 END, 1)
        ON CONFLICT (user_id) DO UPDATE SET unread = unread + excluded.unread, version = version + 1;
END;
CREATE TRIGGER inbox_counted_read AFTER UPDATE OF read_at ON notifications
    WHEN (OLD.read_at IS NULL) <> (NEW.read_at IS NULL) BEGIN
    UPDATE inbox_counts SET unread = unread + CASE WHEN NEW.read_at IS NULL THEN 1 ELSE -1 END,
        version = version + 1 WHERE user_id = NEW.user_id;
END;
CREATE TRIGGER inbox_counted_out AFTER DELETE ON notifications BEGIN
    UPDATE inbox_counts SET unread = unread - CASE WHEN OLD.read_at IS NULL THEN 1 ELSE 0 END,
        version = version + 1 WHERE user_id = OLD.user_id;
END;
