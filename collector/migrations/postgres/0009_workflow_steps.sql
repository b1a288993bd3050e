-- Every workflow step taken, for the workflow report: the step of a run, and whether
-- the run went on, waits, was stopped by an `if` or finished with it. A step is taken
-- once per run, hence the key.
CREATE TABLE workflow_steps (
    run      TEXT    NOT NULL,
    step     BIGINT  NOT NULL,
    site     TEXT    NOT NULL,
    workflow TEXT    NOT NULL,
    -- next, wait, stopped or finished.
    outcome  TEXT    NOT NULL,
    at_ms    BIGINT  NOT NULL,
    PRIMARY KEY (run, step)
);
CREATE INDEX workflow_steps_time ON workflow_steps (site, at_ms);
