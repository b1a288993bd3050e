-- Visitors seen per site and the events they sent (the SQLite schema after its
-- migrations 0001 and 0002, in PostgreSQL types).
CREATE TABLE visitors (
    site          TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    first_seen_ms BIGINT  NOT NULL,
    last_seen_ms  BIGINT  NOT NULL,
    visits        INTEGER NOT NULL DEFAULT 0,
    events        INTEGER NOT NULL DEFAULT 0,
    bot           BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (site, id)
);

CREATE TABLE events (
    seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site             TEXT    NOT NULL,
    id               TEXT    NOT NULL,
    visitor          TEXT    NOT NULL,
    session          TEXT    NOT NULL DEFAULT '',
    kind             TEXT    NOT NULL,
    url              TEXT    NOT NULL,
    title            TEXT,
    referrer         TEXT,
    name             TEXT,
    target           TEXT,
    value            DOUBLE PRECISION,
    props            TEXT,
    channel          TEXT,
    utm_source       TEXT,
    utm_medium       TEXT,
    utm_campaign     TEXT,
    utm_term         TEXT,
    utm_content      TEXT,
    click_id         TEXT,
    device           TEXT,
    bot              BOOLEAN NOT NULL DEFAULT FALSE,
    received_ms      BIGINT  NOT NULL,
    client_offset_ms BIGINT  NOT NULL
);

-- A resend of the same client-generated id is stored once.
CREATE UNIQUE INDEX events_site_id ON events (site, id);
CREATE INDEX events_site_visitor ON events (site, visitor, seq);
