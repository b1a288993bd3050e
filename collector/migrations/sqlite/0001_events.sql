-- Visitors seen per site and the events they sent.
CREATE TABLE visitors (
    site          TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms  INTEGER NOT NULL,
    PRIMARY KEY (site, id)
) WITHOUT ROWID;

CREATE TABLE events (
    seq              INTEGER PRIMARY KEY,
    site             TEXT    NOT NULL,
    id               TEXT    NOT NULL,
    visitor          TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    url              TEXT    NOT NULL,
    title            TEXT,
    referrer         TEXT,
    received_ms      INTEGER NOT NULL,
    client_offset_ms INTEGER NOT NULL
);

-- A resend of the same client-generated id is stored once.
CREATE UNIQUE INDEX events_site_id ON events (site, id);
CREATE INDEX events_site_visitor ON events (site, visitor, seq);
