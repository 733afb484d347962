//! Writing many households at once (a spreadsheet import) as ONE change: every record goes through
//! the same validated `write_record` path as a single save, so the audit rows are there and one
//! undo takes the whole import back; if any record fails, nothing is written.

use chrono::NaiveDate;
use rusqlite::Transaction;
use uuid::Uuid;

use super::households::{
    HOUSEHOLD, INCOME, MEMBER, household_values, income_values, member_values,
};
use super::record::{ChangeId, Table, Written, write_record_counted};
use super::{Result, Store, StoreError};
use crate::model::HouseholdRecord;
use crate::rules::registry;

/// What an import wrote; counts of records created and of existing records that changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// The change to undo the whole import; `None` when nothing differed from the database.
    pub change: Option<ChangeId>,
    pub households_created: usize,
    pub households_updated: usize,
    pub members_created: usize,
    pub members_updated: usize,
    pub incomes_created: usize,
    pub incomes_updated: usize,
}

/// Writes one record and counts it as created or updated (an unchanged record counts as neither).
fn write_counted(
    tx: &Transaction,
    ctx: &super::record::ChangeContext,
    table: &Table,
    id: Uuid,
    values: &[rusqlite::types::Value],
    (created, updated): (&mut usize, &mut usize),
) -> Result<bool> {
    Ok(match write_record_counted(tx, ctx, table, id, values)? {
        Written::Created => {
            *created += 1;
            true
        }
        Written::Updated => {
            *updated += 1;
            true
        }
        Written::Unchanged => false,
    })
}

impl Store {
    /// Inserts or updates the given households with their members and incomes in one transaction
    /// under one change id. Every record is validated first (as of `today`); the first invalid
    /// record stops the import before anything is written. Members and incomes of a household that
    /// are not in `records` are left as they are: an import never deletes.
    pub fn import_records(
        &mut self,
        records: &[HouseholdRecord],
        today: NaiveDate,
    ) -> Result<ImportSummary> {
        for r in records {
            let errors: Vec<_> = registry::validate_household(&r.household)
                .into_iter()
                .chain(
                    r.members
                        .iter()
                        .flat_map(|m| registry::validate_member(m, today)),
                )
                .chain(
                    r.incomes
                        .iter()
                        .flat_map(|i| registry::validate_income(i, today)),
                )
                .collect();
            if !errors.is_empty() {
                return Err(StoreError::Invalid(errors));
            }
        }
        // A helper named in the file becomes the register's assignment when it names one helper.
        let resolved: Vec<(crate::model::Household, Vec<Uuid>)> = records
            .iter()
            .map(|r| super::helpers::resolve_helper_name(&self.conn, &r.household))
            .collect::<Result<_>>()?;
        let mut summary = ImportSummary::default();
        let s = &mut summary;
        let change = self.change(|tx, ctx| {
            let mut changed = false;
            for (r, (h, helper)) in records.iter().zip(&resolved) {
                changed |= write_counted(
                    tx,
                    ctx,
                    &HOUSEHOLD,
                    h.id,
                    &household_values(h),
                    (&mut s.households_created, &mut s.households_updated),
                )
                .map_err(|e| match e {
                    StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
                    {
                        StoreError::DuplicateHouseholdNumber(h.number.trim().to_string())
                    }
                    e => e,
                })?;
                for helper in helper {
                    changed |= super::helpers::add_household_helper(tx, ctx, h.id, *helper)?;
                }
                for m in &r.members {
                    changed |= write_counted(
                        tx,
                        ctx,
                        &MEMBER,
                        m.id,
                        &member_values(m),
                        (&mut s.members_created, &mut s.members_updated),
                    )?;
                }
                for i in &r.incomes {
                    changed |= write_counted(
                        tx,
                        ctx,
                        &INCOME,
                        i.id,
                        &income_values(i),
                        (&mut s.incomes_created, &mut s.incomes_updated),
                    )?;
                }
            }
            Ok(changed)
        })?;
        summary.change = change;
        Ok(summary)
    }
}
