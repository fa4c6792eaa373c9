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

CREATE FUNCTION usage_add(owner TEXT, what TEXT, during TEXT, delta BIGINT) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO usage_counts (user_id, resource, period, used) VALUES (owner, what, during, delta)
    ON CONFLICT (user_id, resource, period) DO UPDATE SET used = usage_counts.used + delta;
$$;

-- Totals (items, WTB lists): the resource is the trigger's argument.
CREATE FUNCTION usage_count_total() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM usage_add(NEW.owner_user_id, TG_ARGV[0], '', 1);
    ELSE
        PERFORM usage_add(OLD.owner_user_id, TG_ARGV[0], '', -1);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION usage_count_sales() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM usage_add(OLD.owner_user_id, 'sales_per_month', substr(OLD.sold_on, 1, 7), -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM usage_add(NEW.owner_user_id, 'sales_per_month', substr(NEW.sold_on, 1, 7), 1);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION usage_count_shipments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM usage_add(OLD.owner_user_id, 'shipments_per_month', substr(OLD.shipped_on, 1, 7), -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM usage_add(NEW.owner_user_id, 'shipments_per_month', substr(NEW.shipped_on, 1, 7), 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER items_counted AFTER INSERT OR DELETE ON items
    FOR EACH ROW EXECUTE FUNCTION usage_count_total('items');
CREATE TRIGGER wtb_lists_counted AFTER INSERT OR DELETE ON wtb_lists
    FOR EACH ROW EXECUTE FUNCTION usage_count_total('wtb_lists');
CREATE TRIGGER sales_counted AFTER INSERT OR DELETE ON sales
    FOR EACH ROW EXECUTE FUNCTION usage_count_sales();
CREATE TRIGGER sales_moved AFTER UPDATE OF sold_on, owner_user_id ON sales
    FOR EACH ROW WHEN (substr(OLD.sold_on, 1, 7) <> substr(NEW.sold_on, 1, 7) OR OLD.owner_user_id <> NEW.owner_user_id)
    EXECUTE FUNCTION usage_count_sales();
CREATE TRIGGER shipments_counted AFTER INSERT OR DELETE ON shipments
    FOR EACH ROW EXECUTE FUNCTION usage_count_shipments();
CREATE TRIGGER shipments_moved AFTER UPDATE OF shipped_on, owner_user_id ON shipments
    FOR EACH ROW WHEN (substr(OLD.shipped_on, 1, 7) <> substr(NEW.shipped_on, 1, 7) OR OLD.owner_user_id <> NEW.owner_user_id)
    EXECUTE FUNCTION usage_count_shipments();
