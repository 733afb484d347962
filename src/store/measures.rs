//! Assistance-plan measures (措施到户精准): each household's plan is its live measures.

use rusqlite::types::Value;
use rusqlite::{Connection, Row};
use uuid::Uuid;

use super::record::{ChangeId, Table, tombstone, write_record};
use super::rows::*;
use super::{Result, Store, StoreError};
use crate::model::{FundSource, Measure, MeasureKind, MeasureStatus};
use crate::rules::workflow_records as check;

pub(crate) const MEASURE: Table = Table {
    name: "measure",
    columns: &[
        "household_id",
        "kind",
        "description",
        "helper_id",
        "helper_unit",
        "project_id",
        "fund_source",
        "amount_yuan",
        "start_date",
        "due_date",
        "expected_income_yuan",
        "status",
    ],
};

pub(crate) const TABLES: &[&Table] = &[&MEASURE];

pub(crate) fn measure_values(m: &Measure) -> Vec<Value> {
    vec![
        uuid_value(m.household_id),
        m.kind.code().to_string().into(),
        text_value(&m.description),
        opt_uuid_value(m.helper_id),
        text_value(&m.helper_unit),
        opt_uuid_value(m.project_id),
        m.fund_source.code().to_string().into(),
        m.amount_yuan.into(),
        date_value(m.start),
        date_value(m.due),
        m.expected_income_yuan.into(),
        m.status.code().to_string().into(),
    ]
}

fn measure_from(row: &Row) -> rusqlite::Result<Measure> {
    Ok(Measure {
        id: uuid_at(row, 0)?,
        household_id: uuid_at(row, 1)?,
        kind: code_at(row, 2, MeasureKind::parse, MeasureKind::Production)?,
        description: row.get(3)?,
        helper_id: opt_uuid_at(row, 4)?,
        helper_unit: row.get(5)?,
        project_id: opt_uuid_at(row, 6)?,
        fund_source: code_at(row, 7, FundSource::parse, FundSource::Other)?,
        amount_yuan: row.get(8)?,
        start: date_at(row, 9)?,
        due: date_at(row, 10)?,
        expected_income_yuan: row.get(11)?,
        status: code_at(row, 12, MeasureStatus::parse, MeasureStatus::Planned)?,
    })
}

const ORDER: &str = "household_id, start_date, id";

pub(crate) fn load_measures(conn: &Connection, village_id: Uuid) -> Result<Vec<Measure>> {
    live_rows(
        conn,
        &MEASURE,
        OF_VILLAGE_HOUSEHOLDS,
        &village_id.to_string(),
        ORDER,
        measure_from,
    )
}

impl Store {
    /// The plan of one household: its live measures by start date.
    pub fn measures_of(&self, household_id: Uuid) -> Result<Vec<Measure>> {
        live_rows(
            &self.conn,
            &MEASURE,
            "household_id = ?1",
            &household_id.to_string(),
            ORDER,
            measure_from,
        )
    }

    pub fn save_measure(&mut self, m: &Measure) -> Result<Option<ChangeId>> {
        let errors = check::validate_measure(m);
        if !errors.is_empty() {
            return Err(StoreError::InvalidWorkflow(errors));
        }
        self.change(|tx, ctx| write_record(tx, ctx, &MEASURE, m.id, &measure_values(m)))
    }

    pub fn delete_measure(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        self.change(|tx, ctx| tombstone(tx, ctx, &MEASURE, id))
    }
}
