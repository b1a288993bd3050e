-- The leads list reads known persons only (email set), best score first: index those
-- alone, so the far more numerous anonymous persons cost the score index nothing when
-- they are created or scored.
DROP INDEX persons_site_score;
CREATE INDEX persons_site_score_known ON persons (site, score) WHERE email IS NOT NULL;
