//! What the sync screen and `bundle`/`keys` commands show: pending changes, the last export and
//! acknowledgement, and the conflicts a person resolves.

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use super::SyncError;
use super::export::ACKED_KEY;
use crate::store::clock::Stamp;
use crate::store::{Store, StoreError};

fn sql(e: rusqlite::Error) -> SyncError {
    SyncError::Store(StoreError::from(e))
}

/// One export or import, as remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleEvent {
    pub at: String,
    pub file_name: String,
    pub seq_from: i64,
    pub seq_to: i64,
}

/// The sync state of a village device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    /// Records changed since the county last acknowledged this device's changes.
    pub pending_records: i64,
    /// This file's last change number.
    pub last_seq: i64,
    /// The highest change number the county has acknowledged.
    pub acked_seq: i64,
    pub last_export: Option<BundleEvent>,
    pub last_import: Option<BundleEvent>,
    pub open_conflicts: i64,
    pub county_key_set: bool,
    /// Bundles this laptop wrote that the county has not acknowledged yet (their changes are
    /// sent again by the next export), oldest first. Empty in a county database.
    pub pending_exports: Vec<BundleEvent>,
    /// The bundles this (county) database refused, newest first, at most
    /// [`REFUSALS_SHOWN`], with the reason in both languages.
    pub refused: Vec<crate::store::bundle_receipts::BundleReceipt>,
}

/// How many refused bundles the status shows.
pub const REFUSALS_SHOWN: usize = 20;

fn last_event(store: &Store, direction: &str) -> Result<Option<BundleEvent>, SyncError> {
    store
        .conn()
        .query_row(
            "SELECT at, file_name, seq_from, seq_to FROM sync_bundle WHERE direction = ?1
             ORDER BY at DESC LIMIT 1",
            [direction],
            |r| {
                Ok(BundleEvent {
                    at: r.get(0)?,
                    file_name: r.get(1)?,
                    seq_from: r.get(2)?,
                    seq_to: r.get(3)?,
                })
            },
        )
        .optional()
        .map_err(sql)
}

/// The sync state of `store`.
pub fn status(store: &Store) -> Result<SyncStatus, SyncError> {
    let acked_seq: i64 = store
        .sync_meta(ACKED_KEY)?
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let conn = store.conn();
    let mut pending_records = 0;
    for t in crate::store::sync_tables() {
        pending_records += conn
            .query_row(
                &format!("SELECT count(*) FROM {} WHERE sync_change > ?1", t.name),
                [acked_seq],
                |r| r.get::<_, i64>(0),
            )
            .map_err(sql)?;
    }
    let open_conflicts = conn
        .query_row(
            "SELECT count(*) FROM sync_conflict WHERE resolved = 0",
            [],
            |r| r.get(0),
        )
        .map_err(sql)?;
    let pending_exports = if store.sync_meta(super::crypto::COUNTY_CODE)?.is_some() {
        Vec::new()
    } else {
        conn.prepare(
            "SELECT at, file_name, seq_from, seq_to FROM sync_bundle
             WHERE direction = 'export' AND seq_to > ?1 ORDER BY at",
        )
        .map_err(sql)?
        .query_map([acked_seq], |r| {
            Ok(BundleEvent {
                at: r.get(0)?,
                file_name: r.get(1)?,
                seq_from: r.get(2)?,
                seq_to: r.get(3)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(sql)?
    };
    let mut refused: Vec<_> = store
        .bundle_receipts()?
        .into_iter()
        .filter(|r| r.outcome == crate::store::bundle_receipts::ReceiptOutcome::Refused)
        .collect();
    refused.reverse();
    refused.truncate(REFUSALS_SHOWN);
    Ok(SyncStatus {
        pending_exports,
        refused,
        pending_records,
        last_seq: store.sync_lseq()?,
        acked_seq,
        last_export: last_event(store, "export")?,
        last_import: last_event(store, "import")?,
        open_conflicts,
        county_key_set: store.sync_meta(super::crypto::COUNTY_KEY)?.is_some(),
    })
}

/// Which conflict: the field and the stamp of the losing value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConflictKey {
    pub table: String,
    pub record_id: Uuid,
    pub field: String,
    pub loser_hlc: String,
}

/// A kept losing value, as the sync screen lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub key: ConflictKey,
    pub loser_value: Value,
    /// The device that wrote the losing value.
    pub loser_device: Option<Uuid>,
    pub winner_value: Value,
    pub winner_device: Option<Uuid>,
    /// The field's value now (what "keep this" keeps).
    pub current_value: Value,
    pub detected_at: String,
    pub resolved: bool,
}

/// The conflicts of `store`, newest first; open ones only unless `include_resolved`.
pub fn conflicts(store: &Store, include_resolved: bool) -> Result<Vec<Conflict>, SyncError> {
    let conn = store.conn();
    let rows: Vec<(ConflictKey, Value, String, Value, String, bool)> = conn
        .prepare(
            "SELECT table_name, record_id, field, loser_hlc, loser_value, winner_hlc, winner_value,
                    detected_at, resolved
             FROM sync_conflict WHERE resolved = 0 OR ?1 ORDER BY detected_at DESC, loser_hlc",
        )
        .map_err(sql)?
        .query_map([include_resolved], |r| {
            Ok((
                ConflictKey {
                    table: r.get(0)?,
                    record_id: Uuid::parse_str(&r.get::<_, String>(1)?).unwrap_or_default(),
                    field: r.get(2)?,
                    loser_hlc: r.get(3)?,
                },
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
            ))
        })
        .and_then(|rows| rows.collect())
        .map_err(sql)?;
    let mut out = Vec::with_capacity(rows.len());
    for (key, loser_value, winner_hlc, winner_value, detected_at, resolved) in rows {
        // Field and table names come from the checked conflict rows; still, only known ones.
        let current_value = match crate::sync::export::table(&key.table) {
            Some(t) if key.field == "deleted" || t.columns.contains(&key.field.as_str()) => conn
                .query_row(
                    &format!("SELECT {} FROM {} WHERE id = ?1", key.field, t.name),
                    params![key.record_id.to_string()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(sql)?
                .unwrap_or(Value::Null),
            _ => Value::Null,
        };
        out.push(Conflict {
            loser_device: Stamp::parse(&key.loser_hlc).map(|h| h.device),
            winner_device: Stamp::parse(&winner_hlc).map(|h| h.device),
            key,
            loser_value,
            winner_value,
            current_value,
            detected_at,
            resolved,
        });
    }
    Ok(out)
}

/// How a person resolves a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Keep the value the field has now.
    KeepCurrent,
    /// Put the kept losing value back.
    KeepOther,
}

/// Resolves one conflict (as a change of its own, undoable, travelling in the next bundle).
pub fn resolve(
    store: &mut Store,
    key: &ConflictKey,
    resolution: Resolution,
) -> Result<(), SyncError> {
    let changed = store.resolve_conflict(
        &key.table,
        key.record_id,
        &key.field,
        &key.loser_hlc,
        resolution == Resolution::KeepOther,
    )?;
    if changed {
        Ok(())
    } else {
        Err(SyncError::NoSuchConflict(format!(
            "{}.{} {}",
            key.table, key.field, key.record_id
        )))
    }
}
