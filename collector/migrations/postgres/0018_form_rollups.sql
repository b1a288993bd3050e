-- The forms report's rollup: per day and form, counts of what its views did.
-- `measure` names what is counted and `detail` which of it:
--   `start`    form_start events (detail empty), by the event's day;
--   `abandon`  form_abandon events by the last field reached (empty: none), by day;
--   `outcome`  views by how they went (detail: the outcome as JSON: fields shown,
--              fields reached, where an abandoning visitor stopped, sent), by the
--              day of the view;
--   `seconds`  views sent, by time to complete in seconds (to the second under a
--              minute, to the minute under an hour, to the hour above), by the day of
--              the view.
CREATE TABLE report_forms (
    site    TEXT    NOT NULL,
    day     BIGINT NOT NULL,
    form    TEXT    NOT NULL,
    measure TEXT    NOT NULL,
    detail  TEXT    NOT NULL,
    count   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (site, day, form, measure, detail)
);

-- Each visitor's form views still open (not sent, not followed by another view of the
-- same form), as JSON, so the next event of a view moves its outcome.
ALTER TABLE visitors ADD COLUMN form_views TEXT;
