-- How far each inactivity workflow has looked through persons' last activity, so a
-- restarted runner goes on from there instead of reading every quiet person again.
CREATE TABLE workflow_cursors (
    site       TEXT    NOT NULL,
    workflow   TEXT    NOT NULL,
    through_ms INTEGER NOT NULL,
    PRIMARY KEY (site, workflow)
);
