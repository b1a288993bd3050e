//! The plain records the store loads and saves. They carry text and numbers only: what
//! a person's document means, how a score is computed or when a workflow runs is the
//! domain's business, which turns these records into its own types and back.

/// Milliseconds in a day: rollups count days since the Unix epoch, in UTC.
pub const DAY_MS: i64 = 86_400_000;

/// An event as stored: what the client sent plus what the collector derived.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct StoredEvent {
    pub id: String,
    pub site: String,
    pub visitor: String,
    pub session: String,
    pub kind: String,
    pub url: String,
    pub title: Option<String>,
    pub referrer: Option<String>,
    pub name: Option<String>,
    pub target: Option<String>,
    pub value: Option<f64>,
    /// Custom properties as a JSON object.
    pub props: Option<String>,
    /// The visit's channel and campaign, on pageviews.
    pub channel: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    /// `network:value` of an ad click id.
    pub click_id: Option<String>,
    pub device: Option<String>,
    /// Sent by a crawler or an automated browser: stored, never scored.
    pub bot: bool,
    /// The collector's clock when the event arrived (the authority).
    pub received_ms: i64,
    /// The client's clock minus the collector's, clamped.
    pub client_offset_ms: i64,
}

impl StoredEvent {
    /// An event with only its identity, kind, page and time, nothing derived: what the
    /// collector records itself or on a server's behalf. Set the other fields after.
    pub fn new(
        id: &str,
        site: &str,
        visitor: &str,
        session: &str,
        kind: &str,
        url: &str,
        received_ms: i64,
    ) -> Self {
        StoredEvent {
            id: id.to_owned(),
            site: site.to_owned(),
            visitor: visitor.to_owned(),
            session: session.to_owned(),
            kind: kind.to_owned(),
            url: url.to_owned(),
            title: None,
            referrer: None,
            name: None,
            target: None,
            value: None,
            props: None,
            channel: None,
            utm_source: None,
            utm_medium: None,
            utm_campaign: None,
            utm_term: None,
            utm_content: None,
            click_id: None,
            device: None,
            bot: false,
            received_ms,
            client_offset_ms: 0,
        }
    }
}

/// Filters for reading events back, newest first.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub site: String,
    pub visitor: Option<String>,
    pub kind: Option<String>,
    pub limit: u32,
}

/// One visitor's part of a group commit: created if new, else its counters updated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorSeen<'a> {
    pub site: &'a str,
    pub id: &'a str,
    pub seen_ms: i64,
    /// The visit number the widget counts (the stored one never goes down).
    pub visit: i32,
    /// Events of this visitor newly stored.
    pub new_events: i32,
    pub bot: bool,
}

/// A visitor's counters after [`VisitorSeen`] was applied, and its person (a new
/// visitor's person takes the visitor's id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitorCounts {
    pub visits: u32,
    pub events: u32,
    pub person: String,
    /// The visitor's device view (a person document), if it has one.
    pub device_view: Option<String>,
    /// When the visitor was last seen before, and its visits then (none, 0: new).
    pub prior_seen_ms: Option<i64>,
    pub prior_visits: u32,
}

/// What a visitor's browser may be shown: its device view (a person document built
/// from what the device itself sent) when it has one, and whether it proved its
/// person's identity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceState {
    pub device_view: Option<String>,
    pub verified: bool,
}

/// A device view to save; `view: None` removes the visitor's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceView<'a> {
    pub site: &'a str,
    pub visitor: &'a str,
    pub view: Option<&'a str>,
}

/// A person as saved: the document (JSON) and the columns indexed beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow<'a> {
    pub site: &'a str,
    pub id: &'a str,
    pub email: Option<&'a str>,
    pub score: i32,
    pub temperature: &'a str,
    pub stage: &'a str,
    pub last_activity_ms: i64,
    /// When the person's next workflow step is due (the runner's index).
    pub next_run_ms: Option<i64>,
    pub doc: String,
}

/// A stored score change.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ScoreLine {
    pub at_ms: i64,
    pub rule: String,
    pub reason: String,
    pub points: i32,
    pub score: i32,
    pub event_id: Option<String>,
}

/// A stored stage change.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct StageLine {
    pub at_ms: i64,
    pub from: String,
    pub to: String,
    pub cause: String,
}

/// A stored segment change.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct SegmentLine {
    pub at_ms: i64,
    pub segment: String,
    pub entered: bool,
}

/// The lines explaining what changed in one person, stored with the person.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonLines<'a> {
    pub site: &'a str,
    pub person: &'a str,
    pub scores: Vec<ScoreLine>,
    pub stages: Vec<StageLine>,
    pub segments: Vec<SegmentLine>,
}

/// An event to remove again in the transaction that stored it (refused by its
/// visitor's profile), uncounted from its visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedEvent<'a> {
    pub site: &'a str,
    pub id: &'a str,
    pub visitor: &'a str,
}

/// How to find a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonKey {
    Id(String),
    Visitor(String),
    /// A normalized email.
    Email(String),
}

/// Everything stored about one person: the document, its visitors, their events (not
/// bot traffic first, then bot traffic, each oldest first) and the history of its
/// score, stage and segments (oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProfile {
    pub doc: String,
    pub visitors: Vec<String>,
    pub events: Vec<StoredEvent>,
    pub score_changes: Vec<ScoreLine>,
    pub stage_changes: Vec<StageLine>,
    pub segment_changes: Vec<SegmentLine>,
    /// The consents the person gave, oldest first.
    pub consents: Vec<ConsentLine>,
}

/// A person read for counting: its id, last activity and document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivePerson {
    pub id: String,
    pub last_activity_ms: i64,
    pub doc: String,
}

/// A stored consent: what a person agreed to, where and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ConsentLine {
    /// The submission that gave it.
    pub submission: String,
    pub form: String,
    pub field: String,
    /// The exact text shown, and its version.
    pub text: String,
    pub version: String,
    pub page: String,
    pub given_ms: i64,
    /// Double opt-in: when it was confirmed; none while unconfirmed.
    pub confirmed_ms: Option<i64>,
}

/// Which known persons (with an email) to read, in `order`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownQuery {
    pub temperature: Option<String>,
    pub stage: Option<String>,
    pub min_score: Option<i32>,
    pub max_score: Option<i32>,
    /// Last activity at or after this time (Unix milliseconds).
    pub active_from_ms: Option<i64>,
    /// Last activity before this time (Unix milliseconds).
    pub active_until_ms: Option<i64>,
    pub order: KnownOrder,
    pub limit: u32,
}

/// The order known persons are read in; ties go by id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KnownOrder {
    /// Best score first.
    #[default]
    Score,
    /// Most recently active first.
    LastActivity,
    /// By email, A to Z.
    Email,
}

impl KnownOrder {
    /// The `ORDER BY` clause of this order, the same on both backends.
    pub fn sql(self) -> &'static str {
        match self {
            KnownOrder::Score => "ORDER BY score DESC, id",
            KnownOrder::LastActivity => "ORDER BY last_activity_ms DESC, id",
            KnownOrder::Email => "ORDER BY email, id",
        }
    }
}

/// Counts of block events for one block and variant.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct VariantCounts {
    pub block: String,
    pub variant: String,
    pub impressions: u64,
    /// Distinct visitors with an impression.
    pub visitors: u64,
    pub clicks: u64,
    pub dismissals: u64,
    /// Distinct visitors who converted.
    pub conversions: u64,
}

/// A lead form submission, stored with the `form_submit` event that carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmissionRecord {
    /// The submission's id: its `form_submit` event's.
    pub id: String,
    pub form: String,
    /// The normalized email the person is found or created by.
    pub email: String,
    pub page: String,
    pub block: Option<String>,
    pub variant: Option<String>,
    /// Every value sent, hidden fields included, as a JSON object.
    pub fields_json: String,
    /// The consents given (checked consent fields).
    pub consents: Vec<ConsentGiven>,
    /// Double opt-in: the confirmation token; consent waits for it.
    pub confirmation: Option<String>,
    /// A submission of the same form by the same email received at or after this time
    /// makes this one a repeat, which is not stored.
    pub repeat_since_ms: i64,
}

/// One consent a submission gave: the field, and the exact text and version shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentGiven {
    pub field: String,
    pub text: String,
    pub version: String,
}

/// A double opt-in token's state.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Confirmation {
    pub token: String,
    pub site: String,
    pub submission: String,
    pub person: String,
    pub visitor: String,
    pub email: String,
    pub form: String,
    pub created_ms: i64,
    pub confirmed_ms: Option<i64>,
}

/// Counts a form report is built from, for one site and time range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormCounts {
    /// `(form, kind, count)` of views and starts.
    pub events: Vec<(String, String, u64)>,
    /// `(form, last field reached, count)` of abandons (their sum: the form's abandons).
    pub abandoned_at: Vec<(String, String, u64)>,
    /// `(form, outcome, views)`: the views by how they went (the outcome as JSON, see
    /// `forms::views::Outcome`).
    pub outcomes: Vec<(String, String, u64)>,
    /// `(form, seconds, views)`: the sent views by time to complete.
    pub durations: Vec<(String, i64, u64)>,
    /// `(form, stored submissions, confirmed)`.
    pub submissions: Vec<(String, u64, u64)>,
    /// `(form, field, version, given, confirmed)` of consents.
    pub consents: Vec<(String, String, String, u64, u64)>,
    /// `(form, reason, count)` of refused spam.
    pub spam: Vec<(String, String, u64)>,
}

/// A message in the webhook outbox.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct OutboxMessage {
    /// UUIDv7; also the receiver's idempotency key.
    pub id: String,
    pub site: String,
    /// The person the message is about; a lead's messages are delivered in order.
    pub lead: String,
    /// The endpoint's name, and where and with what secret to deliver.
    pub endpoint: String,
    pub url: String,
    #[serde(skip)]
    pub secret: String,
    /// The JSON body sent.
    pub body: String,
    pub created_ms: i64,
    /// When its retry window began: its creation, or its last replay.
    pub window_start_ms: i64,
    /// Delivery attempts made (since its last replay).
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub state: OutboxState,
    pub last_error: Option<String>,
    pub delivered_ms: Option<i64>,
    /// For a CRM hand-off: when the collector received what made the lead qualify (the
    /// start of the speed-to-lead measurement).
    pub caused_ms: Option<i64>,
}

/// Where an outbox message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Pending,
    Delivered,
    /// Every attempt of its retry window failed; waits for a replay.
    Dead,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Delivered => "delivered",
            OutboxState::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(OutboxState::Pending),
            "delivered" => Some(OutboxState::Delivered),
            "dead" => Some(OutboxState::Dead),
            _ => None,
        }
    }
}

/// One more delivery attempt of a pending outbox message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt<'a> {
    pub id: &'a str,
    /// Delivered, pending again (retried at `next_attempt_ms`), or dead.
    pub state: OutboxState,
    pub next_attempt_ms: i64,
    pub error: Option<&'a str>,
    pub now_ms: i64,
}

/// A workflow step taken, for the workflow report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord<'a> {
    pub run: &'a str,
    pub step: u32,
    pub site: &'a str,
    pub workflow: &'a str,
    pub outcome: &'a str,
    pub at_ms: i64,
}

/// Workflow steps taken, counted per workflow, step and outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepCountRow {
    pub workflow: String,
    pub step: u32,
    pub outcome: String,
    pub taken: u64,
}

/// What one transaction adds to the report rollups (negative to take away), summed
/// per key by the domain; see `profiles::tally` and `lifecycle::traffic`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportCounts {
    pub funnel: Vec<FunnelCount>,
    pub traffic: Vec<TrafficCount>,
    pub hours: Vec<HourCount>,
    pub returns: Vec<ReturnCount>,
    pub blocks: Vec<BlockCount>,
    pub exposures: Vec<ExposureCount>,
    /// Leads per segment: (site, segment, leads to add).
    pub segments: Vec<(String, String, i64)>,
    /// Persons whose lead row is to be written again (or removed: `row: None`).
    pub leads: Vec<LeadRow>,
    /// The forms rollup's rows, in key order.
    pub forms: Vec<FormCount>,
}

impl ReportCounts {
    pub fn is_empty(&self) -> bool {
        self.funnel.is_empty()
            && self.traffic.is_empty()
            && self.hours.is_empty()
            && self.returns.is_empty()
            && self.blocks.is_empty()
            && self.exposures.is_empty()
            && self.segments.is_empty()
            && self.leads.is_empty()
            && self.forms.is_empty()
    }
}

/// A row of the forms rollup: what to add to a form's `measure` (`start`, `abandon`,
/// `outcome`, `seconds`) in `detail` on `day`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormCount {
    pub site: String,
    pub day: i64,
    pub form: String,
    pub measure: &'static str,
    pub detail: String,
    pub count: i64,
}

/// The key of a forms rollup row: site, day, form, measure, detail.
pub type FormRowKey = (String, i64, String, &'static str, String);

impl FormCount {
    /// The rows of summed counts, in key order, none left at zero.
    pub fn rows(sums: std::collections::BTreeMap<FormRowKey, i64>) -> Vec<FormCount> {
        sums.into_iter()
            .filter(|(_, count)| *count != 0)
            .map(|((site, day, form, measure, detail), count)| FormCount {
                site,
                day,
                form,
                measure,
                detail,
                count,
            })
            .collect()
    }
}

/// Persons of a cohort (first seen on `day`, days since the Unix epoch, UTC) in one
/// breakdown row, and how many of them reached each stage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunnelCount {
    pub site: String,
    pub day: i64,
    /// `all` (value ``), `first_channel`, `first_source`, …, `last_landing`.
    pub dimension: &'static str,
    pub value: String,
    pub stages: StageCounts,
}

/// Persons, and how many of them reached each stage after anonymous.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageCounts {
    pub persons: i64,
    pub leads: i64,
    pub mqls: i64,
    pub sqls: i64,
    pub customers: i64,
}

/// Traffic of one day in one breakdown row (`all`, `channel`, `source`, `campaign`,
/// `referrer`, `landing`, `page`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrafficCount {
    pub site: String,
    pub day: i64,
    pub dimension: &'static str,
    pub value: String,
    pub measures: TrafficMeasures,
}

/// What traffic rows count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrafficMeasures {
    pub pageviews: i64,
    pub visits: i64,
    /// Persons that became leads, credited to the visit they converted in.
    pub leads: i64,
    pub mqls: i64,
}

/// Traffic of one hour (hours since the Unix epoch).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HourCount {
    pub site: String,
    pub hour: i64,
    pub measures: TrafficMeasures,
    /// Visitors seen in the hour (each once).
    pub visitors: i64,
}

/// Visitors seen on `day` whose previous day seen was `previous` (-1: none): the
/// visitors of a range of days are those seen in it whose previous day is before it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnCount {
    pub site: String,
    pub day: i64,
    pub previous: i64,
    pub visitors: i64,
}

/// A block variant's events of one day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockCount {
    pub site: String,
    pub day: i64,
    pub block: String,
    pub variant: String,
    pub measures: BlockMeasures,
}

/// What block rows count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockMeasures {
    pub impressions: i64,
    pub clicks: i64,
    pub dismissals: i64,
}

/// Persons first shown a block variant on `day`, and what became of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExposureCount {
    pub site: String,
    pub day: i64,
    pub block: String,
    pub variant: String,
    pub measures: ExposureMeasures,
}

/// What exposure rows count: persons, those that reached the block's goal, and those
/// that became a lead, an MQL or an SQL at or after their first exposure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExposureMeasures {
    pub persons: i64,
    pub converted: i64,
    pub leads: i64,
    pub mqls: i64,
    pub sqls: i64,
}

/// A person that became a lead, with when it reached each stage and where it came
/// from, for the funnel's times between stages; `row: None` removes the person's row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadRow {
    pub site: String,
    pub person: String,
    pub row: Option<LeadTimes>,
}

/// When a lead reached each stage, and the breakdown values of its funnel rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadTimes {
    pub day: i64,
    pub first_seen_ms: i64,
    pub lead_ms: i64,
    pub mql_ms: Option<i64>,
    pub sql_ms: Option<i64>,
    pub customer_ms: Option<i64>,
    /// The value of each breakdown of [`FUNNEL_BREAKDOWNS`], in its order.
    pub values: [String; 8],
}

/// The funnel's breakdowns besides `all`: where persons first came from and where
/// they came from last before becoming a lead (the columns of lead rows, in order).
pub const FUNNEL_BREAKDOWNS: [&str; 8] = [
    "first_channel",
    "first_source",
    "first_campaign",
    "first_landing",
    "last_channel",
    "last_source",
    "last_campaign",
    "last_landing",
];

/// The traffic breakdowns besides `all`.
pub const TRAFFIC_BREAKDOWNS: [&str; 6] =
    ["channel", "source", "campaign", "referrer", "landing", "page"];
