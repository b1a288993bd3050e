-- What a visitor's browser is shown. A visitor linked to a person by a claim nobody
-- verified (an email typed in a form, an unsigned identify) sees its device view: a
-- profile built from what that device itself sent, never the person's. A visitor
-- that proved the identity (a signed identify) is verified and sees the person.
ALTER TABLE visitors ADD COLUMN device_view TEXT;
ALTER TABLE visitors ADD COLUMN verified_ms BIGINT;
