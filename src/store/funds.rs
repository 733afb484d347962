//! Fund entries (资金使用精准): every yuan with its source, use, date and project or household.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};
use uuid::Uuid;

use super::record::{ChangeId, Table, tombstone, write_record};
use super::rows::*;
use super::{Result, Store, StoreError};
use crate::model::{FundEntry, FundSource, MeasureKind};
use crate::rules::workflow_records as check;

pub(crate) const FUND_ENTRY: Table = Table {
    name: "fund_entry",
    columns: &[
        "village_id",
        "source",
        "amount_yuan",
        "date",
        "purpose",
        "project_id",
        "household_id",
        "measure_id",
        "note",
    ],
};

pub(crate) const TABLES: &[&Table] = &[&FUND_ENTRY];

pub(crate) fn fund_values(f: &FundEntry) -> Vec<Value> {
    vec![
        uuid_value(f.village_id),
        f.source.code().to_string().into(),
        f.amount_yuan.into(),
        date_value(f.date),
        f.purpose.code().to_string().into(),
        opt_uuid_value(f.project_id),
        opt_uuid_value(f.household_id),
        opt_uuid_value(f.measure_id),
        text_value(&f.note),
    ]
}

fn fund_from(row: &Row) -> rusqlite::Result<FundEntry> {
    Ok(FundEntry {
        id: uuid_at(row, 0)?,
        village_id: uuid_at(row, 1)?,
        source: code_at(row, 2, FundSource::parse, FundSource::Other)?,
        amount_yuan: row.get(3)?,
        date: date_at(row, 4)?,
        purpose: code_at(row, 5, MeasureKind::parse, MeasureKind::Production)?,
        project_id: opt_uuid_at(row, 6)?,
        household_id: opt_uuid_at(row, 7)?,
        measure_id: opt_uuid_at(row, 8)?,
        note: row.get(9)?,
    })
}

pub(crate) fn load_funds(conn: &Connection, village_id: Uuid) -> Result<Vec<FundEntry>> {
    live_rows(
        conn,
        &FUND_ENTRY,
        "village_id = ?1",
        &village_id.to_string(),
        "date, id",
        fund_from,
    )
}

impl Store {
    /// The fund entries of a village, by date.
    pub fn funds(&self, village_id: Uuid) -> Result<Vec<FundEntry>> {
        load_funds(&self.conn, village_id)
    }

    pub fn save_fund_entry(&mut self, f: &FundEntry) -> Result<Option<ChangeId>> {
        let measure_start: Option<String> = match f.measure_id {
            Some(id) => self
                .conn
                .query_row(
                    "SELECT start_date FROM measure WHERE id = ?1 AND deleted = 0",
                    [id.to_string()],
                    |r| r.get(0),
                )
                .optional()?,
            None => None,
        };
        let measure_start =
            measure_start.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
        let errors = check::validate_fund(f, measure_start);
        if !errors.is_empty() {
            return Err(StoreError::InvalidWorkflow(errors));
        }
        self.change(|tx, ctx| write_record(tx, ctx, &FUND_ENTRY, f.id, &fund_values(f)))
    }

    pub fn delete_fund_entry(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        self.change(|tx, ctx| tombstone(tx, ctx, &FUND_ENTRY, id))
    }
}
