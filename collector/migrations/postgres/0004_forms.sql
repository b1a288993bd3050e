-- Lead form submissions: one row per accepted submission (the id is its form_submit
-- event's), with every value sent, hidden fields included, as a JSON object.
CREATE TABLE submissions (
    site        TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    form        TEXT    NOT NULL,
    person      TEXT    NOT NULL,
    visitor     TEXT    NOT NULL,
    email       TEXT    NOT NULL,
    page        TEXT    NOT NULL,
    block       TEXT,
    variant     TEXT,
    fields      TEXT    NOT NULL,
    received_ms BIGINT  NOT NULL,
    -- Double opt-in: the time the visitor confirmed; NULL while unconfirmed. Forms
    -- without double opt-in are confirmed when received.
    confirmed_ms BIGINT,
    PRIMARY KEY (site, id)
);
-- Repeated submissions of a form by one email are found by time.
CREATE INDEX submissions_repeats ON submissions (site, form, email, received_ms);
CREATE INDEX submissions_time ON submissions (site, received_ms);

-- Proof of consent: the exact text and version a visitor agreed to, on which form and
-- page, when, and (double opt-in) when they confirmed it.
CREATE TABLE consents (
    site         TEXT    NOT NULL,
    submission   TEXT    NOT NULL,
    field        TEXT    NOT NULL,
    person       TEXT    NOT NULL,
    form         TEXT    NOT NULL,
    text         TEXT    NOT NULL,
    version      TEXT    NOT NULL,
    page         TEXT    NOT NULL,
    given_ms     BIGINT  NOT NULL,
    confirmed_ms BIGINT,
    PRIMARY KEY (site, submission, field)
);
CREATE INDEX consents_person ON consents (site, person);

-- Double opt-in tokens, handed to the site's mailing tool.
CREATE TABLE confirmations (
    token        TEXT    NOT NULL PRIMARY KEY,
    site         TEXT    NOT NULL,
    submission   TEXT    NOT NULL,
    person       TEXT    NOT NULL,
    visitor      TEXT    NOT NULL,
    email        TEXT    NOT NULL,
    form         TEXT    NOT NULL,
    created_ms   BIGINT  NOT NULL,
    confirmed_ms BIGINT
);
CREATE INDEX confirmations_site ON confirmations (site, created_ms);

-- Refused spam, counted per form, reason and UTC day; never stored as leads.
CREATE TABLE form_spam (
    site   TEXT    NOT NULL,
    form   TEXT    NOT NULL,
    reason TEXT    NOT NULL,
    day    BIGINT  NOT NULL,
    count  BIGINT  NOT NULL,
    PRIMARY KEY (site, form, reason, day)
);

-- Form reports read form events by site, kind and time.
CREATE INDEX events_forms ON events (site, kind, received_ms)
    WHERE kind IN ('form_view', 'form_start', 'form_abandon', 'form_submit');
