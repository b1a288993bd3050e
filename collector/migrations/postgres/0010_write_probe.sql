-- One row the readiness probe rewrites to learn whether the database takes writes.
CREATE TABLE write_probe (
    id INTEGER PRIMARY KEY,
    written_ms BIGINT NOT NULL
);
