-- Persons in insertion order. As a table keyed by (site, id) without rowids, every
-- new person (a new visitor) was placed among the others by id and each full page was
-- rebalanced with its neighbours, rewriting several pages of documents per commit; in
-- rowid order a new person is appended to the last page, and (site, id) is a small
-- unique index beside it.
CREATE TABLE persons_by_rowid (
    site             TEXT    NOT NULL,
    id               TEXT    NOT NULL,
    email            TEXT,
    score            INTEGER NOT NULL DEFAULT 0,
    temperature      TEXT    NOT NULL DEFAULT 'cold',
    stage            TEXT    NOT NULL DEFAULT 'anonymous',
    last_activity_ms INTEGER NOT NULL,
    updated_ms       INTEGER NOT NULL,
    -- The whole profile (traits, aggregates, scoring state, segments) as JSON; the
    -- columns above are copies kept for filtering and sorting.
    doc              TEXT    NOT NULL,
    next_run_ms      INTEGER,
    PRIMARY KEY (site, id)
);
INSERT INTO persons_by_rowid (site, id, email, score, temperature, stage, last_activity_ms,
        updated_ms, doc, next_run_ms)
    SELECT site, id, email, score, temperature, stage, last_activity_ms, updated_ms, doc,
        next_run_ms
    FROM persons;
DROP TABLE persons;
ALTER TABLE persons_by_rowid RENAME TO persons;
CREATE UNIQUE INDEX persons_site_email ON persons (site, email) WHERE email IS NOT NULL;
CREATE INDEX persons_site_activity ON persons (site, last_activity_ms);
CREATE INDEX persons_next_run ON persons (next_run_ms) WHERE next_run_ms IS NOT NULL;
CREATE INDEX persons_site_score_known ON persons (site, score) WHERE email IS NOT NULL;
