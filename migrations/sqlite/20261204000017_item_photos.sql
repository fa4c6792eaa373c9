-- Item photos. An upload waits (status 'processing') until the background job has made its
-- resized variants without metadata; only then is it shown ('ready'). Position 0 is the cover.
CREATE TABLE item_photos (
    id              TEXT PRIMARY KEY NOT NULL,
    item_id         TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    owner_user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position        BIGINT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('processing', 'ready', 'failed')),
    width           BIGINT NOT NULL DEFAULT 0,
    height          BIGINT NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);
CREATE INDEX item_photos_item ON item_photos (item_id, position);
