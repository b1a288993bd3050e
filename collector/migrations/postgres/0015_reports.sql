-- Report rollups, kept up to date by the transactions that change what they count
-- (the group commit, merges, stage changes, erasures), so reports read a few rows per
-- day instead of the events. Days and hours count from the Unix epoch, in UTC.
--
-- The funnel: persons by the day they were first seen (their cohort), in one row for
-- all of them and one per breakdown value, with how many reached each stage.
CREATE TABLE report_funnel (
    site      TEXT    NOT NULL,
    dimension TEXT    NOT NULL,
    day       BIGINT  NOT NULL,
    value     TEXT    NOT NULL,
    persons   BIGINT  NOT NULL DEFAULT 0,
    leads     BIGINT  NOT NULL DEFAULT 0,
    mqls      BIGINT  NOT NULL DEFAULT 0,
    sqls      BIGINT  NOT NULL DEFAULT 0,
    customers BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (site, dimension, day, value)
);

-- Traffic per day, for all of it and per channel, source, campaign, referrer, landing
-- page and page; leads and MQLs on the day they converted, credited to their visit.
CREATE TABLE report_traffic (
    site      TEXT    NOT NULL,
    dimension TEXT    NOT NULL,
    day       BIGINT  NOT NULL,
    value     TEXT    NOT NULL,
    pageviews BIGINT  NOT NULL DEFAULT 0,
    visits    BIGINT  NOT NULL DEFAULT 0,
    leads     BIGINT  NOT NULL DEFAULT 0,
    mqls      BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (site, dimension, day, value)
);

CREATE TABLE report_hours (
    site      TEXT    NOT NULL,
    hour      BIGINT  NOT NULL,
    pageviews BIGINT  NOT NULL DEFAULT 0,
    visits    BIGINT  NOT NULL DEFAULT 0,
    leads     BIGINT  NOT NULL DEFAULT 0,
    mqls      BIGINT  NOT NULL DEFAULT 0,
    visitors  BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (site, hour)
);

-- Visitors seen on a day by the previous day they were seen (-1: none). The distinct
-- visitors of days F..U are those seen in it whose previous day is before F.
CREATE TABLE report_returns (
    site     TEXT    NOT NULL,
    day      BIGINT  NOT NULL,
    previous BIGINT  NOT NULL,
    visitors BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (site, day, previous)
);

-- Persons that became leads: when they reached each stage, for the times between
-- stages, with the values of their funnel breakdowns.
CREATE TABLE report_leads (
    site           TEXT    NOT NULL,
    person         TEXT    NOT NULL,
    day            BIGINT  NOT NULL,
    first_seen_ms  BIGINT  NOT NULL,
    lead_ms        BIGINT  NOT NULL,
    mql_ms         BIGINT,
    sql_ms         BIGINT,
    customer_ms    BIGINT,
    first_channel  TEXT    NOT NULL,
    first_source   TEXT    NOT NULL,
    first_campaign TEXT    NOT NULL,
    first_landing  TEXT    NOT NULL,
    last_channel   TEXT    NOT NULL,
    last_source    TEXT    NOT NULL,
    last_campaign  TEXT    NOT NULL,
    last_landing   TEXT    NOT NULL,
    PRIMARY KEY (site, person)
);
CREATE INDEX report_leads_cohort ON report_leads (site, day);

-- Block events per day and variant (impressions, clicks, dismissals), and persons by
-- the day and variant of their first exposure to a block, with what they reached
-- after it: the goal, and becoming a lead, an MQL or an SQL.
CREATE TABLE report_blocks (
    site        TEXT    NOT NULL,
    day         BIGINT  NOT NULL,
    block       TEXT    NOT NULL,
    variant     TEXT    NOT NULL,
    impressions BIGINT  NOT NULL DEFAULT 0,
    clicks      BIGINT  NOT NULL DEFAULT 0,
    dismissals  BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (site, day, block, variant)
);

CREATE TABLE report_exposures (
    site      TEXT    NOT NULL,
    day       BIGINT  NOT NULL,
    block     TEXT    NOT NULL,
    variant   TEXT    NOT NULL,
    persons   BIGINT  NOT NULL DEFAULT 0,
    converted BIGINT  NOT NULL DEFAULT 0,
    leads     BIGINT  NOT NULL DEFAULT 0,
    mqls      BIGINT  NOT NULL DEFAULT 0,
    sqls      BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (site, day, block, variant)
);

-- Leads per segment they are in now, and the leads of each temperature as recorded
-- once a day (the first time the lead quality report is read that day).
CREATE TABLE report_segments (
    site    TEXT    NOT NULL,
    segment TEXT    NOT NULL,
    leads   BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (site, segment)
);

CREATE TABLE report_temperatures (
    site        TEXT    NOT NULL,
    day         BIGINT  NOT NULL,
    temperature TEXT    NOT NULL,
    leads       BIGINT  NOT NULL,
    PRIMARY KEY (site, day, temperature)
);

-- The lead quality report sums the points of the leads that became MQLs in a range.
CREATE INDEX report_leads_mql ON report_leads (site, mql_ms) WHERE mql_ms IS NOT NULL;

-- When a visitor was last seen before its latest request, and its visits then: the
-- group commit counts new days, hours and visits from them.
ALTER TABLE visitors ADD COLUMN prior_seen_ms BIGINT;
ALTER TABLE visitors ADD COLUMN prior_visits INTEGER NOT NULL DEFAULT 0;
