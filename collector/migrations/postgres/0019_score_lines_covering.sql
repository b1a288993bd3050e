-- The lead quality report sums the score lines of the persons that became MQLs up to
-- that moment: index the lines by person and time with their rule and points, so the
-- sum reads the index alone. It replaces the index by person and order (a person's
-- lines, read for its profile, are few to sort).
DROP INDEX IF EXISTS score_changes_person;
CREATE INDEX score_changes_person ON score_changes (site, person, at_ms) INCLUDE (rule, points);
