-- The configuration as revisions: every save is a row with its whole YAML document.
-- A revision is live once published; the live one is the one with the highest
-- live_seq, which each publish sets to one more than any before.
CREATE TABLE config_revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_ms BIGINT NOT NULL,
    author TEXT NOT NULL,
    author_email TEXT NOT NULL,
    message TEXT NOT NULL,
    -- Where the document came from: console, api, file, cli, restore.
    source TEXT NOT NULL,
    -- The revision that was live when this one was saved (0: none).
    based_on BIGINT NOT NULL,
    document TEXT NOT NULL,
    published_ms BIGINT,
    published_by TEXT,
    live_seq BIGINT UNIQUE
);
