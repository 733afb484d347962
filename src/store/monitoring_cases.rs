//! Monitoring cases (防止返贫监测对象): one record per case, each step a date and the person who
//! did it, synced like every household record (the case belongs to its household's village).
//! The rules of a case are `rules::monitoring_cases`; this file reads and writes it, and holds
//! migration 15, which makes today's monitored households open cases.

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, Transaction};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::record::{ChangeId, Table, tombstone, write_record};
use super::rows::*;
use super::{Result, Store, StoreError};
use crate::i18n::{Label, Lang};
use crate::model::{
    CaseStep, DiscoverySource, MonitoredKind, MonitoringCase, PublicNotice, RiskElimination,
};
use crate::rules::monitoring_cases as rules;

pub(crate) const MONITORING_CASE: Table = Table {
    name: "monitoring_case",
    columns: &[
        "household_id",
        "kind",
        "source",
        "risk",
        "discovered_on",
        "discovered_by",
        "visited_on",
        "visited_by",
        "authorization_signed",
        "village_review_on",
        "village_review_by",
        "notice_start_date",
        "notice_end_date",
        "notice_by",
        "township_review_on",
        "township_review_by",
        "decided_on",
        "decided_by",
        "admitted",
        "elimination_proposed_on",
        "elimination_proposed_by",
        "elimination_income_year",
        "elimination_review_on",
        "elimination_review_by",
        "elimination_notice_start_date",
        "elimination_notice_end_date",
        "elimination_notice_by",
        "elimination_township_on",
        "elimination_township_by",
        "eliminated_on",
        "eliminated_by",
    ],
};

pub(crate) const TABLES: &[&Table] = &[&MONITORING_CASE];

fn step_values(s: &Option<CaseStep>) -> [Value; 2] {
    match s {
        Some(s) => [date_value(s.on), text_value(&s.by)],
        None => [Value::Null, String::new().into()],
    }
}

fn notice_values(n: &Option<PublicNotice>) -> [Value; 3] {
    match n {
        Some(n) => [date_value(n.start), date_value(n.end), text_value(&n.by)],
        None => [Value::Null, Value::Null, String::new().into()],
    }
}

pub(crate) fn case_values(c: &MonitoringCase) -> Vec<Value> {
    let e = &c.elimination;
    let mut v = vec![
        uuid_value(c.household_id),
        c.kind.code().to_string().into(),
        c.source.code().to_string().into(),
        text_value(&c.risk),
        date_value(c.discovered.on),
        text_value(&c.discovered.by),
    ];
    v.extend(step_values(&c.home_visit));
    v.push(c.authorization_signed.into());
    v.extend(step_values(&c.village_review));
    v.extend(notice_values(&c.notice));
    v.extend(step_values(&c.township_review));
    v.extend(step_values(&c.decision));
    v.push(c.admitted.into());
    v.extend(step_values(&e.proposed));
    v.push(e.income_year.map(i64::from).into());
    v.extend(step_values(&e.village_review));
    v.extend(notice_values(&e.notice));
    v.extend(step_values(&e.township_review));
    v.extend(step_values(&e.decision));
    v
}

fn step_at(row: &Row, i: usize) -> rusqlite::Result<Option<CaseStep>> {
    Ok(opt_date_at(row, i)?.map(|on| CaseStep {
        on,
        by: row.get(i + 1).unwrap_or_default(),
    }))
}

fn notice_at(row: &Row, i: usize) -> rusqlite::Result<Option<PublicNotice>> {
    Ok(match (opt_date_at(row, i)?, opt_date_at(row, i + 1)?) {
        (Some(start), Some(end)) => Some(PublicNotice {
            start,
            end,
            by: row.get(i + 2)?,
        }),
        _ => None,
    })
}

fn case_from(row: &Row) -> rusqlite::Result<MonitoringCase> {
    Ok(MonitoringCase {
        id: uuid_at(row, 0)?,
        household_id: uuid_at(row, 1)?,
        kind: code_at(row, 2, MonitoredKind::parse, MonitoredKind::UnstableExited)?,
        source: code_at(row, 3, DiscoverySource::parse, DiscoverySource::Unrecorded)?,
        risk: row.get(4)?,
        discovered: CaseStep {
            on: date_at(row, 5)?,
            by: row.get(6)?,
        },
        home_visit: step_at(row, 7)?,
        authorization_signed: row.get(9)?,
        village_review: step_at(row, 10)?,
        notice: notice_at(row, 12)?,
        township_review: step_at(row, 15)?,
        decision: step_at(row, 17)?,
        admitted: row.get(19)?,
        elimination: RiskElimination {
            proposed: step_at(row, 20)?,
            income_year: row.get(22)?,
            village_review: step_at(row, 23)?,
            notice: notice_at(row, 25)?,
            township_review: step_at(row, 28)?,
            decision: step_at(row, 30)?,
        },
    })
}

const CASE_ORDER: &str = "household_id, discovered_on, id";

pub(crate) fn load_cases(conn: &Connection, village_id: Uuid) -> Result<Vec<MonitoringCase>> {
    live_rows(
        conn,
        &MONITORING_CASE,
        OF_VILLAGE_HOUSEHOLDS,
        &village_id.to_string(),
        CASE_ORDER,
        case_from,
    )
}

impl Store {
    /// The cases of one household, oldest first.
    pub fn cases_of(&self, household_id: Uuid) -> Result<Vec<MonitoringCase>> {
        live_rows(
            &self.conn,
            &MONITORING_CASE,
            "household_id = ?1",
            &household_id.to_string(),
            "discovered_on, id",
            case_from,
        )
    }

    /// Saves a case (a new one, or a step added or corrected) after the checks of
    /// `rules::monitoring_cases::validate_case`. A risk-elimination proposal newly recorded must
    /// meet the criteria (`assess_elimination`) on its income year.
    pub fn save_monitoring_case(
        &mut self,
        c: &MonitoringCase,
        today: NaiveDate,
    ) -> Result<Option<ChangeId>> {
        let team = self.team_of_household(c.household_id)?;
        let record = self.household_record(c.household_id)?;
        let workflow = self.village_workflow(record.household.village_id)?;
        let helpers: Vec<&str> = workflow.helpers.iter().map(|h| h.name.as_str()).collect();
        let thresholds = self.thresholds()?;
        let problems = rules::validate_case(c, today, &team, &helpers, &thresholds);
        if !problems.is_empty() {
            return Err(StoreError::InvalidCase(problems));
        }
        let before = super::rows::live_row(&self.conn, &MONITORING_CASE, c.id, case_from)?;
        let newly_proposed = c.elimination.proposed.is_some()
            && before.is_none_or(|b| {
                b.elimination.proposed != c.elimination.proposed
                    || b.elimination.income_year != c.elimination.income_year
            });
        if newly_proposed && let Some(year) = c.elimination.income_year {
            let lines = self.poverty_lines()?;
            let seen = crate::rules::exit::findings_of(&workflow, c.household_id);
            // Checked in Chinese and English alike: the reasons travel in the error.
            let assessment = rules::assess_elimination(
                &record,
                year,
                &lines,
                &thresholds,
                today,
                &seen,
                Lang::Zh,
            );
            if !assessment.passed {
                let en = rules::assess_elimination(
                    &record,
                    year,
                    &lines,
                    &thresholds,
                    today,
                    &seen,
                    Lang::En,
                );
                let failed = |a: &rules::EliminationAssessment, lang: Lang| {
                    a.items
                        .iter()
                        .filter(|i| !i.passed)
                        .map(|i| {
                            let reasons = i.reasons.join(lang.pick("；", "; "));
                            format!("{}（{reasons}）", i.criterion.label(lang))
                        })
                        .collect::<Vec<_>>()
                };
                return Err(StoreError::EliminationCriteriaNotMet {
                    zh: failed(&assessment, Lang::Zh),
                    en: failed(&en, Lang::En),
                });
            }
        }
        self.change(|tx, ctx| write_record(tx, ctx, &MONITORING_CASE, c.id, &case_values(c)))
    }

    pub fn delete_monitoring_case(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        self.change(|tx, ctx| tombstone(tx, ctx, &MONITORING_CASE, id))
    }
}

/// The id of the case migration 15 makes for a household: the same on every device that
/// migrates the same household, so that the copies merge into one case.
fn migrated_case_id(household: &str) -> Uuid {
    let digest = Sha256::new()
        .chain_update(b"dripline monitoring_case from status\0")
        .chain_update(household.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// What the migrated case says of its risk.
pub const MIGRATED_RISK: &str = "升级前已登记为监测户，发现途径和后续步骤请补录 / monitored before the upgrade: add the source and later steps";

/// Migration 15 (issue 16): the `monitoring_case` table; every live household whose status is
/// monitored becomes an open case of its kind, discovered on the day the status was set (the
/// change that set it, or the household's creation) by whoever set it, source not recorded.
/// On a village laptop the cases are recorded as one change of the laptop (see
/// `migrate_issue13::MigrationChange`), so the next incremental bundle carries them.
pub(crate) fn migrate(tx: &Transaction) -> Result<()> {
    tx.execute_batch(
        r#"
    CREATE TABLE monitoring_case (
        key INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        household_id TEXT NOT NULL REFERENCES household(id),
        kind TEXT NOT NULL,
        source TEXT NOT NULL,
        risk TEXT NOT NULL DEFAULT '',
        discovered_on TEXT NOT NULL,
        discovered_by TEXT NOT NULL DEFAULT '',
        visited_on TEXT,
        visited_by TEXT NOT NULL DEFAULT '',
        authorization_signed INTEGER NOT NULL DEFAULT 0,
        village_review_on TEXT,
        village_review_by TEXT NOT NULL DEFAULT '',
        notice_start_date TEXT,
        notice_end_date TEXT,
        notice_by TEXT NOT NULL DEFAULT '',
        township_review_on TEXT,
        township_review_by TEXT NOT NULL DEFAULT '',
        decided_on TEXT,
        decided_by TEXT NOT NULL DEFAULT '',
        admitted INTEGER NOT NULL DEFAULT 1,
        elimination_proposed_on TEXT,
        elimination_proposed_by TEXT NOT NULL DEFAULT '',
        elimination_income_year INTEGER,
        elimination_review_on TEXT,
        elimination_review_by TEXT NOT NULL DEFAULT '',
        elimination_notice_start_date TEXT,
        elimination_notice_end_date TEXT,
        elimination_notice_by TEXT NOT NULL DEFAULT '',
        elimination_township_on TEXT,
        elimination_township_by TEXT NOT NULL DEFAULT '',
        eliminated_on TEXT,
        eliminated_by TEXT NOT NULL DEFAULT '',
        sync_stamp INTEGER, sync_device INTEGER, sync_change INTEGER, created_change INTEGER
    );
    CREATE INDEX monitoring_case_sync_change ON monitoring_case(sync_change);
    CREATE INDEX monitoring_case_household ON monitoring_case(household_id);
    "#,
    )?;
    let household = &super::households::HOUSEHOLD;
    let status_field = household
        .field_number("status")
        .expect("the household has a status") as i64;
    // Each monitored household, with the time and person of the latest change that set its
    // status (if the audit has one), else of the change that created it.
    /// Household id, monitored kind, created at, when and by whom its status was set.
    type Monitored = (String, String, String, Option<String>, Option<String>);
    let monitored: Vec<Monitored> = tx
        .prepare(
            "SELECT h.id, coalesce(h.monitored_kind, ''), h.created_at,
                    coalesce(
                      (SELECT c.at FROM audit a JOIN change_log c ON c.n = a.change
                        WHERE a.tbl = ?1 AND a.rec = h.key AND a.field = ?2
                        ORDER BY a.seq DESC LIMIT 1),
                      (SELECT c.at FROM change_log c WHERE c.n = h.created_change)),
                    coalesce(
                      (SELECT c.actor FROM audit a JOIN change_log c ON c.n = a.change
                        WHERE a.tbl = ?1 AND a.rec = h.key AND a.field = ?2
                        ORDER BY a.seq DESC LIMIT 1),
                      (SELECT c.actor FROM change_log c WHERE c.n = h.created_change))
             FROM household h
             WHERE h.deleted = 0 AND h.status = 'monitored'
             ORDER BY h.key",
        )?
        .query_map(rusqlite::params![household.number(), status_field], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let device: String = tx
        .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or_default();
    let at = super::now_text();
    let mut change = super::migrate_issue13::MigrationChange::start(tx)?;
    for (id, kind, created_at, status_at, actor) in monitored {
        let day = |text: &str| NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok();
        let Some(on) = status_at
            .as_deref()
            .and_then(day)
            .or_else(|| day(&created_at))
        else {
            continue;
        };
        let case = MonitoringCase::opened(
            migrated_case_id(&id),
            Uuid::parse_str(&id).unwrap_or_default(),
            MonitoredKind::parse(&kind).unwrap_or(MonitoredKind::UnstableExited),
            DiscoverySource::Unrecorded,
            MIGRATED_RISK.to_string(),
            CaseStep {
                on,
                by: actor.unwrap_or_default(),
            },
        );
        let mut values = vec![
            Value::from(case.id.to_string()),
            at.clone().into(),
            at.clone().into(),
            device.clone().into(),
        ];
        values.extend(case_values(&case));
        // The household id is copied as stored (a text the parse above only checked).
        values[4] = id.clone().into();
        let placeholders: Vec<String> = (1..=values.len()).map(|i| format!("?{i}")).collect();
        tx.execute(
            &format!(
                "INSERT INTO monitoring_case (id, created_at, updated_at, updated_by, {}) VALUES ({})",
                MONITORING_CASE.columns.join(", "),
                placeholders.join(", ")
            ),
            rusqlite::params_from_iter(values),
        )?;
        let key = tx.last_insert_rowid();
        change.created(tx, &MONITORING_CASE, key)?;
    }
    change.finish(tx)
}
