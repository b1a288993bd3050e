-- Webhook outbox: every message to another system is stored first (possibly in the
-- transaction of the change that caused it), then delivered by the dispatcher, in
-- order per lead. The id (UUIDv7) is also the receiver's idempotency key.
CREATE TABLE outbox (
    -- Insertion order: the order of a lead's messages.
    seq             INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    site            TEXT    NOT NULL,
    -- The person the message is about: deliveries are ordered per lead.
    lead            TEXT    NOT NULL,
    endpoint        TEXT    NOT NULL,
    url             TEXT    NOT NULL,
    secret          TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_ms      INTEGER  NOT NULL,
    -- When its retry window began: its creation, or its last replay.
    window_start_ms INTEGER  NOT NULL,
    attempts        INTEGER  NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER  NOT NULL,
    -- pending, delivered or dead.
    state           TEXT    NOT NULL,
    last_error      TEXT,
    delivered_ms    INTEGER
);
-- The dispatcher reads the oldest pending message of each lead.
CREATE INDEX outbox_pending ON outbox (site, lead, seq) WHERE state = 'pending';
-- Dead letters are listed per site.
CREATE INDEX outbox_dead ON outbox (site, created_ms) WHERE state = 'dead';
