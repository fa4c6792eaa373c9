-- What each reseller has of every limited resource, kept by triggers on the tables
-- themselves, so every way of writing (forms, imports, cascades, undo) keeps it right and the
-- quota guard reads one row instead of counting a premium account's 100,000 items.
-- `period` is '' for totals and 'YYYY-MM' (of the local sale or shipping date) for monthly.
CREATE TABLE usage_counts (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    resource  TEXT NOT NULL,
    period    TEXT NOT NULL,
    used      BIGINT NOT NULL,
    PRIMARY KEY (user_id, resource, period)
);

INSERT INTO usage_counts (user_id, resource, period, used)
    SELECT owner_user_id, 'items', '', COUNT(*) FROM items GROUP BY owner_user_id;
INSERT INTO usage_counts (user_id, resource, period, used)
    SELECT owner_user_id, 'wtb_lists', '', COUNT(*) FROM wtb_lists GROUP BY owner_user_id;
INSERT INTO usage_counts (user_id, resource, period, used)
    SELECT owner_user_id, 'sales_per_month', substr(sold_on, 1, 7), COUNT(*) FROM sales
    GROUP BY owner_user_id, substr(sold_on, 1, 7);
INSERT INTO usage_counts (user_id, resource, period, used)
    SELECT owner_user_id, 'shipments_per_month', substr(shipped_on, 1, 7), COUNT(*) FROM shipments
    GROUP BY owner_user_id, substr(shipped_on, 1, 7);

-- Inserts and deletes are counted once per statement from its transition table (an import
-- batch of 1,000 items is one upsert, not 1,000), grouped by owner and period.
-- TG_ARGV[0]: the resource; TG_ARGV[1]: the date column whose month is the period, or ''.
CREATE FUNCTION usage_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    period_of TEXT := CASE WHEN TG_ARGV[1] = '' THEN quote_literal('') ELSE format('substr(%I, 1, 7)', TG_ARGV[1]) END;
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'INSERT INTO usage_counts (user_id, resource, period, used) '
            'SELECT owner_user_id, $1, %s, COUNT(*) FROM added GROUP BY 1, 3 '
            'ON CONFLICT (user_id, resource, period) DO UPDATE SET used = usage_counts.used + excluded.used',
            period_of) USING TG_ARGV[0];
    ELSE
        EXECUTE format(
            'UPDATE usage_counts u SET used = u.used - r.n '
            'FROM (SELECT owner_user_id, %s AS period, COUNT(*) AS n FROM removed GROUP BY 1, 2) r '
            'WHERE u.user_id = r.owner_user_id AND u.resource = $1 AND u.period = r.period',
            period_of) USING TG_ARGV[0];
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER items_counted_in AFTER INSERT ON items REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION usage_count_rows('items', '');
CREATE TRIGGER items_counted_out AFTER DELETE ON items REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION usage_count_rows('items', '');
CREATE TRIGGER wtb_lists_counted_in AFTER INSERT ON wtb_lists REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION usage_count_rows('wtb_lists', '');
CREATE TRIGGER wtb_lists_counted_out AFTER DELETE ON wtb_lists REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION usage_count_rows('wtb_lists', '');
CREATE TRIGGER sales_counted_in AFTER INSERT ON sales REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION usage_count_rows('sales_per_month', 'sold_on');
CREATE TRIGGER sales_counted_out AFTER DELETE ON sales REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION usage_count_rows('sales_per_month', 'sold_on');
CREATE TRIGGER shipments_counted_in AFTER INSERT ON shipments REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION usage_count_rows('shipments_per_month', 'shipped_on');
CREATE TRIGGER shipments_counted_out AFTER DELETE ON shipments REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION usage_count_rows('shipments_per_month', 'shipped_on');

-- A sale or shipment moved to another month (rare, one row at a time): counted per row.
CREATE FUNCTION usage_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    before TEXT := substr(to_jsonb(OLD) ->> TG_ARGV[1], 1, 7);
    after TEXT := substr(to_jsonb(NEW) ->> TG_ARGV[1], 1, 7);
BEGIN
    UPDATE usage_counts SET used = used - 1
    WHERE user_id = OLD.owner_user_id AND resource = TG_ARGV[0] AND period = before;
    INSERT INTO usage_counts (user_id, resource, period, used) VALUES (NEW.owner_user_id, TG_ARGV[0], after, 1)
    ON CONFLICT (user_id, resource, period) DO UPDATE SET used = usage_counts.used + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER sales_moved AFTER UPDATE OF sold_on, owner_user_id ON sales
    FOR EACH ROW WHEN (substr(OLD.sold_on, 1, 7) <> substr(NEW.sold_on, 1, 7) OR OLD.owner_user_id <> NEW.owner_user_id)
    EXECUTE FUNCTION usage_moved('sales_per_month', 'sold_on');
CREATE TRIGGER shipments_moved AFTER UPDATE OF shipped_on, owner_user_id ON shipments
    FOR EACH ROW WHEN (substr(OLD.shipped_on, 1, 7) <> substr(NEW.shipped_on, 1, 7) OR OLD.owner_user_id <> NEW.owner_user_id)
    EXECUTE FUNCTION usage_moved('shipments_per_month', 'shipped_on');
