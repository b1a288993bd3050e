-- Workflows: a person's runs live in its document; this column is when the earliest
-- run's next step is due, so the runner finds due persons by index.
ALTER TABLE persons ADD COLUMN next_run_ms INTEGER;
CREATE INDEX persons_next_run ON persons (next_run_ms) WHERE next_run_ms IS NOT NULL;
-- For a CRM hand-off: when what made the lead qualify was received (speed to lead).
ALTER TABLE outbox ADD COLUMN caused_ms INTEGER;
