-- The lead quality report counts known persons by temperature and by score: index
-- those alone, so the counts read the index and not the documents.
CREATE INDEX IF NOT EXISTS persons_known_quality ON persons (site, temperature, score)
    WHERE email IS NOT NULL;
