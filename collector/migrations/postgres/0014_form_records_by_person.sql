-- A person's submissions and confirmation tokens, found by person: a merge moves them
-- to the person kept, and an erasure deletes them with the person.
CREATE INDEX submissions_person ON submissions (site, person);
CREATE INDEX confirmations_person ON confirmations (site, person);
