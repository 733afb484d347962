//! Migrations of issue 13 ("one truth per household"):
//!
//! - **membership by year**: members gain the date and reason they joined and left; today's
//!   members become members from their household's first income year (or their birth, if later),
//!   so the figures of every stored year stay what they were; a household leaving the registry
//!   is a `household_departure` record, synced like every other.

use rusqlite::Transaction;
use rusqlite::types::Value;

use super::StoreError;

/// The columns later steps appended to a synced table that older schemas (and the bundles of
/// older apps) lack, in order; a record written before them has [`added_column_default`].
pub fn added_columns(table: &str) -> &'static [&'static str] {
    match table {
        "member" => &["joined_on", "join_reason", "left_on", "leave_reason"],
        _ => &[],
    }
}

/// The value of an added column in a record written before it existed.
pub fn added_column_default(column: &str) -> Value {
    match column {
        "join_reason" => Value::Text("registered".into()),
        _ => Value::Null,
    }
}

/// How many of `columns` (a table's current data columns) a bundle from before the added ones
/// carries, when `given` is such an older list; `None` when `given` is neither this nor that.
pub fn older_width(table: &str, columns: &[&str], given: &[&str]) -> Option<usize> {
    let added = added_columns(table);
    let old = columns.len().checked_sub(added.len())?;
    (!added.is_empty() && columns[old..] == *added && columns[..old] == *given).then_some(old)
}

/// Membership by year (issue 13, item 4).
pub(crate) fn membership_by_year(tx: &Transaction) -> Result<(), StoreError> {
    tx.execute_batch(
        r#"
    ALTER TABLE member ADD COLUMN joined_on TEXT;
    ALTER TABLE member ADD COLUMN join_reason TEXT NOT NULL DEFAULT 'registered';
    ALTER TABLE member ADD COLUMN left_on TEXT;
    ALTER TABLE member ADD COLUMN leave_reason TEXT;
    UPDATE member SET joined_on = (
        SELECT CASE WHEN min(i.year) IS NULL THEN NULL
                    ELSE max(printf('%04d-01-01', min(i.year)), member.birth_date) END
        FROM income_year i WHERE i.household_id = member.household_id AND i.deleted = 0
    );

    CREATE TABLE household_departure (
        key INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        household_id TEXT NOT NULL REFERENCES household(id),
        date TEXT NOT NULL,
        reason TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        sync_stamp INTEGER, sync_device INTEGER, sync_change INTEGER, created_change INTEGER
    );
    CREATE INDEX household_departure_sync_change ON household_departure(sync_change);
    CREATE INDEX household_departure_household ON household_departure(household_id);
    "#,
    )?;
    Ok(())
}
