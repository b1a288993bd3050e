-- Profiles: every visitor belongs to a person, anonymous until an email makes it a
-- lead. Changes of score, stage and segments are kept line by line so every number
-- can be explained.
CREATE TABLE persons (
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
    PRIMARY KEY (site, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX persons_site_email ON persons (site, email) WHERE email IS NOT NULL;
CREATE INDEX persons_site_score ON persons (site, score);
CREATE INDEX persons_site_activity ON persons (site, last_activity_ms);

ALTER TABLE visitors ADD COLUMN person TEXT;
CREATE INDEX visitors_site_person ON visitors (site, person);

CREATE TABLE score_changes (
    seq       INTEGER PRIMARY KEY,
    site      TEXT    NOT NULL,
    person    TEXT    NOT NULL,
    at_ms     INTEGER NOT NULL,
    rule      TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    points    INTEGER NOT NULL,
    score     INTEGER NOT NULL,
    event_id  TEXT
);
CREATE INDEX score_changes_person ON score_changes (site, person, seq);

CREATE TABLE stage_changes (
    seq        INTEGER PRIMARY KEY,
    site       TEXT    NOT NULL,
    person     TEXT    NOT NULL,
    at_ms      INTEGER NOT NULL,
    from_stage TEXT    NOT NULL,
    to_stage   TEXT    NOT NULL,
    cause      TEXT    NOT NULL
);
CREATE INDEX stage_changes_person ON stage_changes (site, person, seq);

CREATE TABLE segment_changes (
    seq      INTEGER PRIMARY KEY,
    site     TEXT    NOT NULL,
    person   TEXT    NOT NULL,
    at_ms    INTEGER NOT NULL,
    segment  TEXT    NOT NULL,
    entered  INTEGER NOT NULL
);
CREATE INDEX segment_changes_person ON segment_changes (site, person, seq);
