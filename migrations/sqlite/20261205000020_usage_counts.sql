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

CREATE TRIGGER items_count_in AFTER INSERT ON items BEGIN
    INSERT INTO usage_counts (user_id, resource, period, used) VALUES (NEW.owner_user_id, 'items', '', 1)
    ON CONFLICT (user_id, resource, period) DO UPDATE SET used = used + 1;
END;
CREATE TRIGGER items_count_out AFTER DELETE ON items BEGIN
    UPDATE usage_counts SET used = used - 1
    WHERE user_id = OLD.owner_user_id AND resource = 'items' AND period = '';
END;

CREATE TRIGGER wtb_lists_count_in AFTER INSERT ON wtb_lists BEGIN
    INSERT INTO usage_counts (user_id, resource, period, used) VALUES (NEW.owner_user_id, 'wtb_lists', '', 1)
    ON CONFLICT (user_id, resource, period) DO UPDATE SET used = used + 1;
END;
CREATE TRIGGER wtb_lists_count_out AFTER DELETE ON wtb_lists BEGIN
    UPDATE usage_counts SET used = used - 1
    WHERE user_id = OLD.owner_user_id AND resource = 'wtb_lists' AND period = '';
END;

CREATE TRIGGER sales_count_in AFTER INSERT ON sales BEGIN
    INSERT INTO usage_counts (user_id, resource, period, used)
    VALUES (NEW.owner_user_id, 'sales_per_month', substr(NEW.sold_on, 1, 7), 1)
    ON CONFLICT (user_id, resource, period) DO UPDATE SET used = used + 1;
END;
CREATE TRIGGER sales_count_out AFTER DELETE ON sales BEGIN
    UPDATE usage_counts SET used = used - 1
    WHERE user_id = OLD.owner_user_id AND resource = 'sales_per_month' AND period = substr(OLD.sold_on, 1, 7);
END;
CREATE TRIGGER sales_count_moved AFTER UPDATE OF sold_on, owner_user_id ON sales
WHEN substr(OLD.sold_on, 1, 7) <> substr(NEW.sold_on, 1, 7) OR OLD.owner_user_id <> NEW.owner_user_id BEGIN
    UPDATE usage_counts SET used = used - 1
    WHERE user_id = OLD.owner_user_id AND resource = 'sales_per_month' AND period = substr(OLD.sold_on, 1, 7);
    INSERT INTO usage_counts (user_id, resource, period, used)
    VALUES (NEW.owner_user_id, 'sales_per_month', substr(NEW.sold_on, 1, 7), 1)
    ON CONFLICT (user_id, resource, period) DO UPDATE SET used = used + 1;
END;

CREATE TRIGGER shipments_count_in AFTER INSERT ON shipments BEGIN
    INSERT INTO usage_counts (user_id, resource, period, used)
    VALUES (NEW.owner_user_id, 'shipments_per_month', substr(NEW.shipped_on, 1, 7), 1)
    ON CONFLICT (user_id, resource, period) DO UPDATE SET used = used + 1;
END;
CREATE TRIGGER shipments_count_out AFTER DELETE ON shipments BEGIN
    UPDATE usage_counts SET used = used - 1
    WHERE user_id = OLD.owner_user_id AND resource = 'shipments_per_month' AND period = substr(OLD.shipped_on, 1, 7);
END;
CREATE TRIGGER shipments_count_moved AFTER UPDATE OF shipped_on, owner_user_id ON shipments
WHEN substr(OLD.shipped_on, 1, 7) <> substr(NEW.shipped_on, 1, 7) OR OLD.owner_user_id <> NEW.owner_user_id BEGIN
    UPDATE usage_counts SET used = used - 1
    WHERE user_id = OLD.owner_user_id AND resource = 'shipments_per_month' AND period = substr(OLD.shipped_on, 1, 7);
    INSERT INTO usage_counts (user_id, resource, period, used)
    VALUES (NEW.owner_user_id, 'shipments_per_month', substr(NEW.shipped_on, 1, 7), 1)
    ON CONFLICT (user_id, resource, period) DO UPDATE SET used = used + 1;
END;
