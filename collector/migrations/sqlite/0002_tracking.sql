-- Behaviour tracking: what each event is about, the visit's attribution, bot traffic,
-- and per-visitor counts kept up to date as events arrive.
ALTER TABLE events ADD COLUMN session TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN name TEXT;
ALTER TABLE events ADD COLUMN target TEXT;
ALTER TABLE events ADD COLUMN value REAL;
ALTER TABLE events ADD COLUMN props TEXT;
ALTER TABLE events ADD COLUMN channel TEXT;
ALTER TABLE events ADD COLUMN utm_source TEXT;
ALTER TABLE events ADD COLUMN utm_medium TEXT;
ALTER TABLE events ADD COLUMN utm_campaign TEXT;
ALTER TABLE events ADD COLUMN utm_term TEXT;
ALTER TABLE events ADD COLUMN utm_content TEXT;
ALTER TABLE events ADD COLUMN click_id TEXT;
ALTER TABLE events ADD COLUMN device TEXT;
ALTER TABLE events ADD COLUMN bot INTEGER NOT NULL DEFAULT 0;

ALTER TABLE visitors ADD COLUMN visits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE visitors ADD COLUMN events INTEGER NOT NULL DEFAULT 0;
ALTER TABLE visitors ADD COLUMN bot INTEGER NOT NULL DEFAULT 0;
