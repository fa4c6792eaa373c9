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

-- Counted once per statement from its transition table: "mark all read" on 500
-- notifications is one counter update, not 500.
CREATE FUNCTION inbox_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO inbox_counts (user_id, unread, version)
            SELECT user_id, COUNT(*) FILTER (WHERE read_at IS NULL), 1 FROM added GROUP BY user_id
            ON CONFLICT (user_id) DO UPDATE
            SET unread = inbox_counts.unread + excluded.unread, version = inbox_counts.version + 1;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE inbox_counts c SET unread = c.unread - r.n, version = c.version + 1
            FROM (SELECT user_id, COUNT(*) FILTER (WHERE read_at IS NULL) AS n FROM removed GROUP BY user_id) r
            WHERE c.user_id = r.user_id;
    ELSE
        UPDATE inbox_counts c SET unread = c.unread + r.n, version = c.version + 1
            FROM (SELECT a.user_id,
                         SUM(CASE WHEN a.read_at IS NULL THEN 1 ELSE 0 END - CASE WHEN r.read_at IS NULL THEN 1 ELSE 0 END) AS n
                  FROM added a JOIN removed r ON r.id = a.id
                  WHERE (a.read_at IS NULL) <> (r.read_at IS NULL)
                  GROUP BY a.user_id) r
            WHERE c.user_id = r.user_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER inbox_counted_in AFTER INSERT ON notifications REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION inbox_count_rows();
CREATE TRIGGER inbox_counted_read AFTER UPDATE ON notifications
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION inbox_count_rows();
CREATE TRIGGER inbox_counted_out AFTER DELETE ON notifications REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION inbox_count_rows();
