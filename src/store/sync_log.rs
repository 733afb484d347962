//! The store's side of sync: the bookkeeping every write keeps so that bundles can be built on it
//! and merged field by field. The bundle format and the merge rules live in `crate::sync`.
//!
//! - every synced row carries its integer `key` (the UUID `id` stays its identity across
//!   devices), one stamp for the record (`sync_stamp`, `sync_device`: the change that created it),
//!   the last local change that touched it (`sync_change`, what an export looks for) and the local
//!   change that created it here (`created_change`, what undo takes back);
//! - a field changed on its own later gets a clock of its own in `sync_field` (stamp and, when it
//!   saw more than itself, its seen map as a small blob), keyed by integers;
//! - `change_log` numbers this file's changes (one per save, undo or imported bundle) with who and
//!   when; `audit` holds the changed fields of each (old and new value) by integer keys;
//! - devices are small local numbers (`sync_device`).

use std::cell::RefCell;
use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use uuid::Uuid;

use super::clock::{FieldClock, Seen, Stamp};
use super::record::{self, Table};
use super::{Result, Store};

const CLOCK_KEY: &str = "sync_clock_last";
pub(crate) const LSEQ_KEY: &str = "sync_lseq";

/// The field number of `deleted` in `audit.field` and `sync_field.field`; data columns follow
/// from 1 in the order of their [`Table`].
pub(crate) const DELETED_FIELD: i64 = 0;
/// `audit.field` of a note that is no field (a bulk load says where its data came from); a change
/// holding one cannot be undone.
pub(crate) const NOTE_FIELD: i64 = -1;

pub(crate) fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub(crate) fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?
        .execute(params![key, value])?;
    Ok(())
}

/// The last change number of this file (0 before any change).
pub(crate) fn current_lseq(conn: &Connection) -> Result<i64> {
    Ok(meta_get(conn, LSEQ_KEY)?
        .and_then(|t| t.parse().ok())
        .unwrap_or(0))
}

/// Takes the next clock stamp of `device` and the next change number, inside the change's
/// transaction (so a rolled-back change takes neither).
pub(crate) fn next_stamp(tx: &Transaction, device: Uuid) -> Result<(Stamp, i64)> {
    let last = meta_get(tx, CLOCK_KEY)?.and_then(|t| t.parse().ok());
    let stamp = Stamp::next(last, Stamp::wall_ms(), device);
    meta_set(tx, CLOCK_KEY, &stamp.clock.to_string())?;
    let lseq = next_lseq(tx)?;
    Ok((stamp, lseq))
}

/// Takes the next change number (an import takes one for each bundle it merges).
pub(crate) fn next_lseq(tx: &Transaction) -> Result<i64> {
    let lseq = current_lseq(tx)? + 1;
    meta_set(tx, LSEQ_KEY, &lseq.to_string())?;
    Ok(lseq)
}

/// Moves this file's clock past `clock` (the newest stamp read from a bundle), so that any later
/// local write is stamped after everything it could have seen.
pub(crate) fn observe(tx: &Transaction, clock: i64) -> Result<()> {
    let last: Option<i64> = meta_get(tx, CLOCK_KEY)?.and_then(|t| t.parse().ok());
    if last.is_none_or(|last| last < clock) {
        meta_set(tx, CLOCK_KEY, &clock.to_string())?;
    }
    Ok(())
}

/// Writes the header of one change: its number, id (the handle undo takes), when, who, and the
/// stamp of the fields it wrote (none for an import, whose fields keep their senders' stamps),
/// chained to the change before ([`super::audit_chain`]).
pub(crate) fn record_change(
    tx: &Transaction,
    n: i64,
    change_id: Uuid,
    at: &str,
    actor: &str,
    stamp: Option<i64>,
) -> Result<()> {
    super::audit_chain::insert_change(tx, n, &change_id.to_string(), at, actor, stamp)
}

/// The one audit insert: field `field` (see [`DELETED_FIELD`]; `None` for "created") of record
/// `key` of `table` went from `old` to `new` in change `n`. Every save, undo and merge writes its
/// audit rows here, each chained to the one before ([`super::audit_chain`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn audit(
    tx: &Transaction,
    n: i64,
    table: &Table,
    key: i64,
    field: Option<i64>,
    old: &Value,
    new: &Value,
) -> Result<()> {
    super::audit_chain::insert_audit(tx, n, table.number(), key, field, old, new)
}

/// Local device numbers, looked up once per operation.
#[derive(Default)]
pub(crate) struct Devices {
    numbers: RefCell<HashMap<Uuid, i64>>,
    uuids: RefCell<HashMap<i64, Uuid>>,
}

impl Devices {
    /// The local number of `device`, registering it the first time.
    pub fn number(&self, conn: &Connection, device: Uuid) -> Result<i64> {
        if let Some(n) = self.numbers.borrow().get(&device) {
            return Ok(*n);
        }
        let text = device.to_string();
        conn.prepare_cached("INSERT OR IGNORE INTO sync_device (device) VALUES (?1)")?
            .execute([&text])?;
        let n: i64 = conn
            .prepare_cached("SELECT n FROM sync_device WHERE device = ?1")?
            .query_row([&text], |r| r.get(0))?;
        self.numbers.borrow_mut().insert(device, n);
        self.uuids.borrow_mut().insert(n, device);
        Ok(n)
    }

    /// The device of local number `n` (a nil UUID for a number this file does not know, which
    /// only a damaged file has).
    pub fn uuid(&self, conn: &Connection, n: i64) -> Result<Uuid> {
        if let Some(u) = self.uuids.borrow().get(&n) {
            return Ok(*u);
        }
        let text: Option<String> = conn
            .prepare_cached("SELECT device FROM sync_device WHERE n = ?1")?
            .query_row([n], |r| r.get(0))
            .optional()?;
        let uuid = text
            .and_then(|t| Uuid::parse_str(&t).ok())
            .unwrap_or_default();
        self.uuids.borrow_mut().insert(n, uuid);
        self.numbers.borrow_mut().insert(uuid, n);
        Ok(uuid)
    }

    /// The stamp stored as (clock, device number).
    pub fn stamp(
        &self,
        conn: &Connection,
        clock: Option<i64>,
        device: Option<i64>,
    ) -> Result<Option<Stamp>> {
        match (clock, device) {
            (Some(clock), Some(device)) => Ok(Some(Stamp {
                clock,
                device: self.uuid(conn, device)?,
            })),
            _ => Ok(None),
        }
    }

    /// A seen map as stored: `None` when it saw only `stamp` itself, else pairs of LEB128
    /// (device number, clock).
    pub fn encode_seen(
        &self,
        conn: &Connection,
        stamp: Option<Stamp>,
        seen: &Seen,
    ) -> Result<Option<Vec<u8>>> {
        if stamp.is_some_and(|s| *seen == Seen::only(s)) || (stamp.is_none() && seen.is_empty()) {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(seen.stamps().len() * 10);
        for s in seen.stamps() {
            leb128(&mut out, self.number(conn, s.device)? as u64);
            leb128(&mut out, s.clock as u64);
        }
        Ok(Some(out))
    }

    /// Reads a stored seen map back (see [`Devices::encode_seen`]); unreadable bytes read as
    /// "saw only itself", which keeps conflicts rather than dropping values.
    pub fn decode_seen(
        &self,
        conn: &Connection,
        stamp: Option<Stamp>,
        blob: Option<&[u8]>,
    ) -> Result<Seen> {
        let only = || stamp.map(Seen::only).unwrap_or_default();
        let Some(mut bytes) = blob else {
            return Ok(only());
        };
        let mut seen = Seen::default();
        while !bytes.is_empty() {
            let (Some(device), Some(clock)) = (read_leb128(&mut bytes), read_leb128(&mut bytes))
            else {
                return Ok(only());
            };
            seen.add(Stamp {
                clock: clock as i64,
                device: self.uuid(conn, device as i64)?,
            });
        }
        Ok(seen)
    }
}

fn leb128(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_leb128(bytes: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// A synced row as the bookkeeping sees it: its record stamp and the clocks of the
/// fields that differ from it.
pub(crate) struct RowClocks {
    pub stamp: Option<Stamp>,
    /// (field number, clock), only the fields with a clock of their own.
    pub fields: Vec<(usize, FieldClock)>,
}

impl RowClocks {
    /// The clock of field `field` (0 = `deleted`).
    pub fn clock(&self, field: usize) -> FieldClock {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, c)| c.clone())
            .unwrap_or_else(|| FieldClock::of_record(self.stamp))
    }
}

/// The field clocks of record `key` of `table` (those differing from the record stamp).
pub(crate) fn field_clocks(
    conn: &Connection,
    devices: &Devices,
    table: &Table,
    key: i64,
) -> Result<Vec<(usize, FieldClock)>> {
    type Row = (i64, Option<i64>, Option<i64>, Option<Vec<u8>>);
    let rows: Vec<Row> = conn
        .prepare_cached(
            "SELECT field, stamp, device, seen FROM sync_field WHERE tbl = ?1 AND rec = ?2 ORDER BY field",
        )?
        .query_map(params![table.number(), key], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (field, clock, device, seen) in rows {
        let stamp = devices.stamp(conn, clock, device)?;
        out.push((
            field as usize,
            FieldClock {
                seen: devices.decode_seen(conn, stamp, seen.as_deref())?,
                stamp,
            },
        ));
    }
    Ok(out)
}

/// Sets the clock of one field of a record whose own stamp is `record_stamp`: a clock equal to the
/// record's needs no row.
pub(crate) fn set_field_clock(
    tx: &Transaction,
    devices: &Devices,
    table: &Table,
    key: i64,
    record_stamp: Option<Stamp>,
    field: usize,
    clock: &FieldClock,
) -> Result<()> {
    if *clock == FieldClock::of_record(record_stamp) {
        tx.prepare_cached("DELETE FROM sync_field WHERE tbl = ?1 AND rec = ?2 AND field = ?3")?
            .execute(params![table.number(), key, field as i64])?;
        return Ok(());
    }
    let device = clock
        .stamp
        .map(|s| devices.number(tx, s.device))
        .transpose()?;
    let seen = devices.encode_seen(tx, clock.stamp, &clock.seen)?;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO sync_field (tbl, rec, field, stamp, device, seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        table.number(),
        key,
        field as i64,
        clock.stamp.map(|s| s.clock),
        device,
        seen
    ])?;
    Ok(())
}

/// A table that sync bundles carry: its name and data columns (after `id, created_at,
/// updated_at, updated_by, deleted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncTable {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

/// Every synced table, parents before children (villages, then households, …). The county-only
/// tables (`record::COUNTY_ONLY_TABLES`) are not among them: no bundle is read from or written
/// with them, and a bundle naming one does not decode.
pub fn sync_tables() -> Vec<SyncTable> {
    record::all_tables()
        .filter(|t| record::is_synced(t.name))
        .map(|t| SyncTable {
            name: t.name,
            columns: t.columns,
        })
        .collect()
}

impl Store {
    /// The open connection, for the sync module's queries and its one-transaction merge.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// The last change number of this file.
    pub fn sync_lseq(&self) -> Result<i64> {
        current_lseq(&self.conn)
    }

    /// A sync setting or key kept in the `meta` table.
    pub fn sync_meta(&self, key: &str) -> Result<Option<String>> {
        meta_get(&self.conn, key)
    }

    /// Sets a sync setting or key in the `meta` table (one statement, atomic).
    pub fn set_sync_meta(&mut self, key: &str, value: &str) -> Result<()> {
        meta_set(&self.conn, key, value)
    }

    /// Resolves a conflict: with `take_loser`, the kept losing value is written back as a new
    /// change (stamped now, so it wins everywhere it travels); either way the conflict is marked
    /// resolved, and the resolution travels in the next bundle. Returns whether anything changed.
    pub fn resolve_conflict(
        &mut self,
        table: &str,
        record: Uuid,
        field: &str,
        loser_hlc: &str,
        take_loser: bool,
    ) -> Result<bool> {
        let target = record::table_named(table).ok_or_else(|| super::StoreError::NotFound {
            what: "table",
            id: table.to_string(),
        })?;
        let Some(field_no) = target.field_number(field) else {
            return Err(super::StoreError::NotFound {
                what: "field",
                id: field.to_string(),
            });
        };
        let changed = self.change(|tx, ctx| {
            let key = params![table, record.to_string(), field, loser_hlc];
            let loser: Option<Value> = tx
                .query_row(
                    "SELECT loser_value FROM sync_conflict
                     WHERE table_name = ?1 AND record_id = ?2 AND field = ?3 AND loser_hlc = ?4 AND resolved = 0",
                    key,
                    |r| r.get(0),
                )
                .optional()?;
            let Some(loser) = loser else {
                return Ok(false);
            };
            if take_loser {
                let row = record::key_of(tx, target, record)?.ok_or_else(|| {
                    super::StoreError::NotFound {
                        what: target.name,
                        id: record.to_string(),
                    }
                })?;
                record::restore_field(tx, ctx, target, row, field_no, &loser)?;
            }
            tx.execute(
                "UPDATE sync_conflict SET resolved = 1, lseq = ?5
                 WHERE table_name = ?1 AND record_id = ?2 AND field = ?3 AND loser_hlc = ?4",
                params![table, record.to_string(), field, loser_hlc, ctx.lseq],
            )?;
            Ok(true)
        })?;
        Ok(changed.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        for v in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            leb128(&mut out, v);
            let mut bytes = out.as_slice();
            assert_eq!(read_leb128(&mut bytes), Some(v));
            assert!(bytes.is_empty());
        }
        assert_eq!(read_leb128(&mut [0x80u8].as_slice()), None);
    }
}
