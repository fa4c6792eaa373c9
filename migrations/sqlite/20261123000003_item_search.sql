-- Full-text search over the stock table (name, SKU, style id, set, tags…): an FTS5 index kept
-- in step with items.search_text by triggers.
CREATE VIRTUAL TABLE items_fts USING fts5(
    search_text,
    content = 'items',
    content_rowid = 'rowid',
    tokenize = "unicode61 remove_diacritics 2"
);

INSERT INTO items_fts (rowid, search_text) SELECT rowid, search_text FROM items;

CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;

CREATE TRIGGER items_fts_update AFTER UPDATE OF search_text ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO items_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
