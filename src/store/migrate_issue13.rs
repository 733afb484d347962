//! Migrations of issue 13 ("one truth per household"):
//!
//! - **membership by year**: members gain the date and reason they joined and left; today's
//!   members become members from their household's first income year (or their birth, if later),
//!   so the figures of every stored year stay what they were; a household leaving the registry
//!   is a `household_departure` record, synced like every other.
//! - **the helper from the register**: the free-text 帮扶责任人 of a household becomes the
//!   register's assignment when it names exactly one helper of the village (the text is cleared);
//!   a name no helper has stays on the household as a note, which the data checks list for the
//!   team to fix.

use rusqlite::Transaction;
use rusqlite::types::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::StoreError;
use crate::rules::helper_match::{HelperMatch, match_helper};

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

/// The id of the assignment this migration makes for (helper, household): the same on every
/// device that migrates the same records, so two devices' migrated files merge into one link.
fn migrated_link_id(helper: Uuid, household: Uuid) -> Uuid {
    let digest = Sha256::new()
        .chain_update(b"dripline household_helper from helper_name\0")
        .chain_update(helper.as_bytes())
        .chain_update(household.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The helper from the register (issue 13, item 2): each household's free-text helper name that
/// names exactly one live helper of its village (trimmed, exact) becomes that helper's
/// assignment and is cleared; any other name stays as the household's note.
pub(crate) fn helper_from_register(tx: &Transaction) -> Result<(), StoreError> {
    let device: String = tx
        .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
            r.get(0)
        })
        .unwrap_or_else(|_| Uuid::nil().to_string());
    let at = super::now_text();
    let helpers: Vec<(String, Uuid, String)> = tx
        .prepare("SELECT village_id, id, name FROM helper WHERE deleted = 0")?
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter_map(|(village, id, name)| Some((village, Uuid::parse_str(&id).ok()?, name)))
        .collect();
    let households: Vec<(String, String, String)> = tx
        .prepare(
            "SELECT id, village_id, helper_name FROM household
             WHERE deleted = 0 AND helper_name <> ''",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (household, village, name) in households {
        let register = helpers
            .iter()
            .filter(|(v, _, _)| *v == village)
            .map(|(_, id, name)| (*id, name.as_str()));
        match match_helper(&name, register) {
            HelperMatch::Helper(helper) => {
                let linked: bool = tx.query_row(
                    "SELECT count(*) > 0 FROM household_helper
                     WHERE deleted = 0 AND helper_id = ?1 AND household_id = ?2",
                    [helper.to_string(), household.clone()],
                    |r| r.get(0),
                )?;
                if !linked {
                    let id = Uuid::parse_str(&household)
                        .map(|h| migrated_link_id(helper, h))
                        .unwrap_or_else(|_| Uuid::new_v4());
                    tx.execute(
                        "INSERT INTO household_helper
                         (id, created_at, updated_at, updated_by, deleted, helper_id, household_id)
                         VALUES (?1, ?2, ?2, ?3, 0, ?4, ?5)",
                        [
                            id.to_string(),
                            at.clone(),
                            device.clone(),
                            helper.to_string(),
                            household.clone(),
                        ],
                    )?;
                }
                tx.execute(
                    "UPDATE household SET helper_name = '' WHERE id = ?1",
                    [&household],
                )?;
            }
            HelperMatch::Blank => {
                tx.execute(
                    "UPDATE household SET helper_name = '' WHERE id = ?1",
                    [&household],
                )?;
            }
            HelperMatch::Unmatched | HelperMatch::Ambiguous => {}
        }
    }
    Ok(())
}
