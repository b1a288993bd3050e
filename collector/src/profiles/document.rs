//! A person as the store keeps it: the document (the [`Person`] as JSON) with its
//! indexed columns ([`PersonRow`]), and the lines explaining a change ([`Changes`] as
//! [`PersonLines`]). [`persist`] saves persons and everything their changes say to
//! store — the report rollups' part included — inside the caller's transaction.

use crate::profiles::engine::{Changes, Person};
use crate::profiles::tally::Tally;
use crate::store::records::{LeadRow, LeadTimes, ReportCounts};
use crate::store::{
    PersonLines, PersonRow, RemovedEvent, ScoreLine, SegmentLine, StageLine, StoreError,
    StoreResult, StoredEvent, WriteTx,
};

/// A person from its stored document.
pub fn decode(doc: &str) -> StoreResult<Person> {
    serde_json::from_str(doc).map_err(|error| StoreError::Corrupt(error.to_string()))
}

/// The row saving `person` on `site`.
pub fn row<'a>(site: &'a str, person: &'a Person) -> StoreResult<PersonRow<'a>> {
    let doc =
        serde_json::to_string(person).map_err(|error| StoreError::Corrupt(error.to_string()))?;
    Ok(PersonRow {
        site,
        id: &person.id,
        email: person.email.as_deref(),
        score: person.score,
        temperature: person.temperature.as_str(),
        stage: person.stage.as_str(),
        last_activity_ms: person.last_activity_ms,
        next_run_ms: person.journeys.next_due(),
        doc,
    })
}

/// The lines explaining `changes` of person `id`.
pub fn lines<'a>(site: &'a str, id: &'a str, changes: &Changes) -> PersonLines<'a> {
    PersonLines {
        site,
        person: id,
        scores: changes
            .scores
            .iter()
            .map(|change| ScoreLine {
                at_ms: change.at_ms,
                rule: change.rule.clone(),
                reason: change.reason.to_owned(),
                points: change.points,
                score: change.score,
                event_id: change.event_id.clone(),
            })
            .collect(),
        stages: changes
            .stages
            .iter()
            .map(|change| StageLine {
                at_ms: change.at_ms,
                from: change.from.as_str().to_owned(),
                to: change.to.as_str().to_owned(),
                cause: change.cause.clone(),
            })
            .collect(),
        segments: changes
            .segments
            .iter()
            .map(|change| SegmentLine {
                at_ms: change.at_ms,
                segment: change.segment.clone(),
                entered: change.entered,
            })
            .collect(),
    }
}

/// One person of [`persist`]: its site, the person after the change, and the change.
pub type Persisted<'a> = (&'a str, &'a Person, &'a Changes);

/// Saves each person with the lines explaining its change, removes the impressions the
/// change refused and stores the conversions it derived.
pub fn persist(tx: &mut dyn WriteTx, persons: &[Persisted<'_>], now_ms: i64) -> StoreResult<()> {
    let rows = persons
        .iter()
        .map(|(site, person, _)| row(site, person))
        .collect::<StoreResult<Vec<_>>>()?;
    tx.save_persons(&rows, now_ms)?;
    let explained: Vec<PersonLines<'_>> = persons
        .iter()
        .filter(|(_, _, changes)| {
            !(changes.scores.is_empty() && changes.stages.is_empty() && changes.segments.is_empty())
        })
        .map(|(site, person, changes)| lines(site, &person.id, changes))
        .collect();
    if !explained.is_empty() {
        tx.insert_lines(&explained)?;
    }
    let refused: Vec<RemovedEvent<'_>> = persons
        .iter()
        .flat_map(|(site, _, changes)| {
            changes.refused.iter().map(move |refused| RemovedEvent {
                site,
                id: &refused.event_id,
                visitor: &refused.visitor,
            })
        })
        .collect();
    if !refused.is_empty() {
        tx.remove_events(&refused)?;
    }
    let derived: Vec<&StoredEvent> =
        persons.iter().flat_map(|(_, _, changes)| changes.derived.iter()).collect();
    if !derived.is_empty() {
        tx.insert_events(&derived)?;
    }
    let counts = report_counts(persons);
    if !counts.is_empty() {
        tx.add_report_counts(&counts)?;
    }
    Ok(())
}

/// What the persons' changes of progress add to the report rollups, with the lead row
/// of each person whose progress changed and who is a lead or was counted as one.
fn report_counts(persons: &[Persisted<'_>]) -> ReportCounts {
    let mut tally = Tally::new();
    let mut leads = Vec::new();
    for (site, person, changes) in persons.iter().filter(|(_, _, c)| !c.progress.is_empty()) {
        for (progress, sign) in &changes.progress {
            tally.progress(site, progress, *sign);
        }
        let was_lead =
            changes.progress.iter().any(|(old, sign)| *sign < 0 && old.reached.lead.is_some());
        if was_lead || person.progress.reached.lead.is_some() {
            leads.push(lead_row(site, person));
        }
    }
    let mut counts = tally.into_counts();
    counts.leads = leads;
    counts
}

/// The lead row of `person`: none unless it became a lead.
pub fn lead_row(site: &str, person: &Person) -> LeadRow {
    let progress = &person.progress;
    let times = progress.reached.lead.zip(progress.day).map(|(lead_ms, day)| LeadTimes {
        day,
        first_seen_ms: i64::try_from(person.aggregates.first_seen_ms).unwrap_or(0),
        lead_ms,
        mql_ms: progress.reached.mql,
        sql_ms: progress.reached.sql,
        customer_ms: progress.reached.customer,
        values: progress.breakdown_values(),
    });
    LeadRow { site: site.to_owned(), person: person.id.clone(), row: times }
}
