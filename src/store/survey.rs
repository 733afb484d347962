//! Baseline surveys (入户调查) with the identification they led to, and exit decisions (脱贫):
//! the two stages that change what a household is, each recorded with who decided and when.

use chrono::{Datelike, NaiveDate};
use rusqlite::types::Value;
use rusqlite::{Connection, Row};
use uuid::Uuid;

use super::households::{HOUSEHOLD, household_values};
use super::record::{ChangeId, Table, tombstone, write_record};
use super::rows::*;
use super::{Result, Store, StoreError};
use crate::model::{ExitDecision, HouseholdStatus, Identification, SurveyState, SurveyStatus};
use crate::rules::workflow_records as check;

pub(crate) const SURVEY_STATE: Table = Table {
    name: "survey_state",
    columns: &[
        "household_id",
        "year",
        "status",
        "computed_identification",
        "confirmed_identification",
        "override_reason",
        "confirmed_by",
        "confirmed_on",
    ],
};

pub(crate) const EXIT_DECISION: Table = Table {
    name: "exit_decision",
    columns: &[
        "household_id",
        "proposed_on",
        "proposed_year",
        "confirmed_on",
        "confirmed_by",
    ],
};

pub(crate) const TABLES: &[&Table] = &[&SURVEY_STATE, &EXIT_DECISION];

pub(crate) fn survey_values(s: &SurveyState) -> Vec<Value> {
    let code = |i: Option<Identification>| -> Value { i.map(|i| i.code().to_string()).into() };
    vec![
        uuid_value(s.household_id),
        i64::from(s.year).into(),
        s.status.code().to_string().into(),
        code(s.computed_identification),
        code(s.confirmed_identification),
        text_value(&s.override_reason),
        text_value(&s.confirmed_by),
        opt_date_value(s.confirmed_on),
    ]
}

fn survey_from(row: &Row) -> rusqlite::Result<SurveyState> {
    Ok(SurveyState {
        id: uuid_at(row, 0)?,
        household_id: uuid_at(row, 1)?,
        year: row.get(2)?,
        status: code_at(row, 3, SurveyStatus::parse, SurveyStatus::Draft)?,
        computed_identification: opt_code_at(row, 4, Identification::parse)?,
        confirmed_identification: opt_code_at(row, 5, Identification::parse)?,
        override_reason: row.get(6)?,
        confirmed_by: row.get(7)?,
        confirmed_on: opt_date_at(row, 8)?,
    })
}

pub(crate) fn exit_values(d: &ExitDecision) -> Vec<Value> {
    vec![
        uuid_value(d.household_id),
        date_value(d.proposed_on),
        i64::from(d.proposed_year).into(),
        opt_date_value(d.confirmed_on),
        text_value(&d.confirmed_by),
    ]
}

fn exit_from(row: &Row) -> rusqlite::Result<ExitDecision> {
    Ok(ExitDecision {
        id: uuid_at(row, 0)?,
        household_id: uuid_at(row, 1)?,
        proposed_on: date_at(row, 2)?,
        proposed_year: row.get(3)?,
        confirmed_on: opt_date_at(row, 4)?,
        confirmed_by: row.get(5)?,
    })
}

pub(crate) fn load_surveys(conn: &Connection, village_id: Uuid) -> Result<Vec<SurveyState>> {
    live_rows(
        conn,
        &SURVEY_STATE,
        OF_VILLAGE_HOUSEHOLDS,
        &village_id.to_string(),
        "household_id, year, id",
        survey_from,
    )
}

pub(crate) fn load_exits(conn: &Connection, village_id: Uuid) -> Result<Vec<ExitDecision>> {
    live_rows(
        conn,
        &EXIT_DECISION,
        OF_VILLAGE_HOUSEHOLDS,
        &village_id.to_string(),
        "household_id, proposed_on, id",
        exit_from,
    )
}

impl Store {
    /// The surveys of one household, by year.
    pub fn surveys_of(&self, household_id: Uuid) -> Result<Vec<SurveyState>> {
        live_rows(
            &self.conn,
            &SURVEY_STATE,
            "household_id = ?1",
            &household_id.to_string(),
            "year, id",
            survey_from,
        )
    }

    /// Saves a survey's progress or its confirmation. One survey per household and year.
    pub fn save_survey(&mut self, s: &SurveyState, today: NaiveDate) -> Result<Option<ChangeId>> {
        let team = self.team_of_household(s.household_id)?;
        let errors = check::validate_survey(s, today, &team);
        if !errors.is_empty() {
            return Err(StoreError::InvalidWorkflow(errors));
        }
        let year = s.year;
        self.change(|tx, ctx| write_record(tx, ctx, &SURVEY_STATE, s.id, &survey_values(s)))
            .map_err(|e| match e {
                StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                    if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
                {
                    StoreError::DuplicateSurveyYear(year)
                }
                e => e,
            })
    }

    pub fn delete_survey(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        self.change(|tx, ctx| tombstone(tx, ctx, &SURVEY_STATE, id))
    }

    /// The exit decisions of one household, by proposal date.
    pub fn exits_of(&self, household_id: Uuid) -> Result<Vec<ExitDecision>> {
        live_rows(
            &self.conn,
            &EXIT_DECISION,
            "household_id = ?1",
            &household_id.to_string(),
            "proposed_on, id",
            exit_from,
        )
    }

    /// Saves an exit proposal. When it carries a new confirmation date, the household's status
    /// becomes "exited in the year of that date" in the same change, so one undo takes back both.
    /// Withdrawing a confirmation later does not touch the status: that is a decision of its own.
    pub fn save_exit_decision(
        &mut self,
        d: &ExitDecision,
        today: NaiveDate,
    ) -> Result<Option<ChangeId>> {
        let team = self.team_of_household(d.household_id)?;
        let errors = check::validate_exit(d, today, &team);
        if !errors.is_empty() {
            return Err(StoreError::InvalidWorkflow(errors));
        }
        // Only a new or changed confirmation moves the status, so editing the note of an old
        // decision never turns a household that is now monitored back into "exited".
        let before = live_row(&self.conn, &EXIT_DECISION, d.id, exit_from)?;
        let newly_confirmed = before.is_none_or(|b| b.confirmed_on != d.confirmed_on);
        let exited = match d.confirmed_on.filter(|_| newly_confirmed) {
            Some(on) => {
                let mut household = self.household_record(d.household_id)?.household;
                let status = HouseholdStatus::Exited { year: on.year() };
                (household.status != status).then(|| {
                    household.status = status;
                    household
                })
            }
            None => None,
        };
        self.change(|tx, ctx| {
            let changed = write_record(tx, ctx, &EXIT_DECISION, d.id, &exit_values(d))?;
            let status_changed = match &exited {
                Some(h) => write_record(tx, ctx, &HOUSEHOLD, h.id, &household_values(h))?,
                None => false,
            };
            Ok(changed | status_changed)
        })
    }

    pub fn delete_exit_decision(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        self.change(|tx, ctx| tombstone(tx, ctx, &EXIT_DECISION, id))
    }
}
