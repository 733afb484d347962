//! The one write path of the store: insert-or-update a record column by column, tombstone it, or
//! revert a whole change. Each of them keeps the audit and the sync bookkeeping
//! (`super::sync_log`), so no caller can forget them, and undo is the same mechanism run backwards.
//!
//! A record created by a change needs no audit row: its `created_change` says which change made
//! it, and its values are in the row. Every later change of a field writes one audit row (old and
//! new value), and undo replays those backwards and tombstones what the change created.

use std::cell::Cell;

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior};
use uuid::Uuid;

use super::clock::{FieldClock, Stamp};
use super::sync_log::{self, DELETED_FIELD, Devices, NOTE_FIELD};
use super::{Result, Store, StoreError, now_text};

/// Identifies one user-level change (one save, one delete, one undo): the unit of undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChangeId(pub Uuid);

/// A table written through [`write_record`]: its name and the data columns after the bookkeeping
/// columns (`key, id, created_at, updated_at, updated_by, deleted`).
pub(crate) struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

/// The synced tables in a parents-first order of the schema's references. A table's place here
/// is its number in the bookkeeping (`audit.tbl`, `sync_field.tbl`): append, never reorder.
pub(crate) const TABLE_ORDER: &[&str] = &[
    "village",
    "poverty_line",
    "household",
    "member",
    "income_year",
    "helper",
    "household_helper",
    "team_member",
    "project",
    "project_household",
    "measure",
    "fund_entry",
    "visit",
    "visit_photo",
    "survey_state",
    "exit_decision",
    "product",
    "product_producer",
    "sale",
    "training",
    "household_departure",
    "township_facilities",
    "monitoring_case",
];

/// The tables of [`TABLE_ORDER`] that are the county's own data: written, audited and undone like
/// every record, but never carried by a bundle (not among [`super::sync_tables`]), so a village
/// laptop can neither send nor receive them.
pub(crate) const COUNTY_ONLY_TABLES: &[&str] = &["township_facilities"];

/// Whether bundles carry `name` (a table of [`TABLE_ORDER`] that is not county-only).
pub(crate) fn is_synced(name: &str) -> bool {
    !COUNTY_ONLY_TABLES.contains(&name)
}

impl Table {
    /// The table's number in the bookkeeping (1-based place in [`TABLE_ORDER`]).
    pub fn number(&self) -> i64 {
        number_of(self.name).expect("every synced table is in TABLE_ORDER")
    }

    /// The number of a field: 0 for `deleted`, then the data columns from 1.
    pub fn field_number(&self, field: &str) -> Option<usize> {
        if field == "deleted" {
            return Some(DELETED_FIELD as usize);
        }
        self.columns.iter().position(|c| *c == field).map(|i| i + 1)
    }

    /// The name of field number `n` (see [`Table::field_number`]).
    pub fn field_name(&self, n: usize) -> Option<&'static str> {
        match n {
            0 => Some("deleted"),
            n => self.columns.get(n - 1).copied(),
        }
    }
}

/// The bookkeeping number of a synced table.
pub(crate) fn number_of(name: &str) -> Option<i64> {
    TABLE_ORDER
        .iter()
        .position(|t| *t == name)
        .map(|i| i as i64 + 1)
}

/// Who, when and under which change the rows of one transaction are written.
pub(crate) struct ChangeContext {
    pub change_id: Uuid,
    pub at: String,
    pub actor: String,
    /// This installation's device id, as written to `updated_by`.
    pub device: String,
    /// The hybrid-logical-clock stamp of every field this change writes.
    pub stamp: Stamp,
    /// The local number of this device (`sync_device`).
    pub device_no: i64,
    /// This file's change number, by which an export finds what changed since the last one.
    pub lseq: i64,
    pub devices: Devices,
    /// Whether the change wrote a row: only then is its header kept in `change_log`.
    pub wrote: Cell<bool>,
}

/// The tables undo may touch. A column name read back from the bookkeeping is used in SQL only if
/// it is listed here, so a damaged or tampered row cannot inject SQL.
pub(crate) fn table_named(name: &str) -> Option<&'static Table> {
    all_tables().find(|t| t.name == name)
}

/// The table of bookkeeping number `n`.
pub(crate) fn table_numbered(n: i64) -> Option<&'static Table> {
    usize::try_from(n - 1)
        .ok()
        .and_then(|i| TABLE_ORDER.get(i))
        .and_then(|name| table_named(name))
}

/// Every table written through [`write_record`], parents first: the synced ones and the
/// county-only ones ([`COUNTY_ONLY_TABLES`]).
pub(crate) fn all_tables() -> impl Iterator<Item = &'static Table> {
    let every = || {
        super::households::TABLES
            .iter()
            .chain(super::villages::TABLES)
            .chain(super::settings::TABLES)
            .chain(super::helpers::TABLES)
            .chain(super::projects::TABLES)
            .chain(super::measures::TABLES)
            .chain(super::funds::TABLES)
            .chain(super::visits::TABLES)
            .chain(super::survey::TABLES)
            .chain(super::products::TABLES)
            .chain(super::townships::TABLES)
            .chain(super::monitoring_cases::TABLES)
            .copied()
    };
    TABLE_ORDER
        .iter()
        .filter_map(move |name| every().find(|t| t.name == *name))
}

/// The integer key of record `id`, if the table has it.
pub(crate) fn key_of(tx: &rusqlite::Connection, table: &Table, id: Uuid) -> Result<Option<i64>> {
    let sql = format!("SELECT key FROM {} WHERE id = ?1", table.name);
    Ok(tx
        .prepare_cached(&sql)?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?)
}

/// What [`write_record_counted`] did to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Written {
    Created,
    Updated,
    Unchanged,
}

/// The SQL of the write path of one table, built once.
struct TableSql {
    select: String,
    insert: String,
}

fn sql_of(table: &Table) -> &'static TableSql {
    static SQL: std::sync::OnceLock<Vec<(&'static str, TableSql)>> = std::sync::OnceLock::new();
    let all = SQL.get_or_init(|| {
        all_tables()
            .map(|t| {
                let placeholders: Vec<String> =
                    (0..t.columns.len()).map(|i| format!("?{}", i + 7)).collect();
                let sql = TableSql {
                    select: format!(
                        "SELECT key, sync_stamp, sync_device, deleted, {} FROM {} WHERE id = ?1",
                        t.columns.join(", "),
                        t.name
                    ),
                    insert: format!(
                        "INSERT INTO {} (id, created_at, updated_at, updated_by, deleted, sync_stamp, sync_device, sync_change, created_change, {})
                         VALUES (?1, ?2, ?2, ?3, 0, ?4, ?5, ?6, ?6, {})",
                        t.name,
                        t.columns.join(", "),
                        placeholders.join(", ")
                    ),
                };
                (t.name, sql)
            })
            .collect()
    });
    &all.iter()
        .find(|(name, _)| *name == table.name)
        .expect("every written table is synced")
        .1
}

/// Inserts the record, or updates the columns whose values differ (reviving a tombstone).
/// Returns whether anything changed.
pub(crate) fn write_record(
    tx: &Transaction,
    ctx: &ChangeContext,
    table: &Table,
    id: Uuid,
    values: &[Value],
) -> Result<bool> {
    Ok(write_record_counted(tx, ctx, table, id, values)? != Written::Unchanged)
}

/// [`write_record`], saying whether the record was created, updated or left as it was.
pub(crate) fn write_record_counted(
    tx: &Transaction,
    ctx: &ChangeContext,
    table: &Table,
    id: Uuid,
    values: &[Value],
) -> Result<Written> {
    debug_assert_eq!(table.columns.len(), values.len());
    let sql = sql_of(table);
    let id_text = id.to_string();
    /// Key, record stamp (clock, device), deleted, the data columns.
    type Existing = (i64, Option<i64>, Option<i64>, bool, Vec<Value>);
    let existing: Option<Existing> = tx
        .prepare_cached(&sql.select)?
        .query_row([&id_text], |row| {
            let old = (0..table.columns.len())
                .map(|i| row.get::<_, Value>(i + 4))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, old))
        })
        .optional()?;

    let Some((key, clock, device, deleted, old)) = existing else {
        let head: [&dyn rusqlite::ToSql; 6] = [
            &id_text,
            &ctx.at,
            &ctx.device,
            &ctx.stamp.clock,
            &ctx.device_no,
            &ctx.lseq,
        ];
        let args = head
            .into_iter()
            .chain(values.iter().map(|v| v as &dyn rusqlite::ToSql));
        tx.prepare_cached(&sql.insert)?
            .execute(rusqlite::params_from_iter(args))?;
        ctx.wrote.set(true);
        return Ok(Written::Created);
    };
    let record_stamp = ctx.devices.stamp(tx, clock, device)?;
    let mut sets = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    for (i, ((column, old), new)) in table.columns.iter().zip(&old).zip(values).enumerate() {
        if old != new {
            sync_log::audit(tx, ctx.lseq, table, key, Some(i as i64 + 1), old, new)?;
            stamp_field(tx, ctx, table, key, record_stamp, i + 1)?;
            args.push(new.clone());
            sets.push(format!("{column} = ?{}", args.len()));
        }
    }
    if deleted {
        sync_log::audit(
            tx,
            ctx.lseq,
            table,
            key,
            Some(DELETED_FIELD),
            &1.into(),
            &0.into(),
        )?;
        stamp_field(tx, ctx, table, key, record_stamp, 0)?;
        sets.push("deleted = 0".to_string());
    }
    if sets.is_empty() {
        return Ok(Written::Unchanged);
    }
    // A record given a new natural key (a household renumbered) leaves its clash, if it was in
    // one: unflagged, the unique index refuses a key another record holds.
    if let Some(natural) = super::clashes::natural_key(table.name)
        && table
            .columns
            .iter()
            .zip(&old)
            .zip(values)
            .any(|((c, o), n)| o != n && natural.touches(c))
    {
        sets.push("clash = 0".to_string());
    }
    touch(tx, ctx, table, key, sets, args)?;
    Ok(Written::Updated)
}

/// Writes `sets` (with their `args`) to record `key` together with its updated/changed columns.
fn touch(
    tx: &Transaction,
    ctx: &ChangeContext,
    table: &Table,
    key: i64,
    mut sets: Vec<String>,
    mut args: Vec<Value>,
) -> Result<()> {
    for (column, value) in [
        ("updated_at", Value::from(ctx.at.clone())),
        ("updated_by", ctx.device.clone().into()),
        ("sync_change", ctx.lseq.into()),
    ] {
        args.push(value);
        sets.push(format!("{column} = ?{}", args.len()));
    }
    args.push(key.into());
    let update = format!(
        "UPDATE {} SET {} WHERE key = ?{}",
        table.name,
        sets.join(", "),
        args.len()
    );
    tx.prepare_cached(&update)?
        .execute(rusqlite::params_from_iter(args))?;
    ctx.wrote.set(true);
    Ok(())
}

/// Stamps field `field` of record `key`, written locally by the change `ctx`: the new version has
/// seen everything the version it replaces had seen.
pub(crate) fn stamp_field(
    tx: &Transaction,
    ctx: &ChangeContext,
    table: &Table,
    key: i64,
    record_stamp: Option<Stamp>,
    field: usize,
) -> Result<()> {
    let previous = sync_log::field_clocks(tx, &ctx.devices, table, key)?
        .into_iter()
        .find(|(f, _)| *f == field)
        .map(|(_, c)| c)
        .unwrap_or_else(|| FieldClock::of_record(record_stamp));
    let mut seen = previous.seen;
    seen.add(ctx.stamp);
    let clock = FieldClock {
        stamp: Some(ctx.stamp),
        seen,
    };
    sync_log::set_field_clock(tx, &ctx.devices, table, key, record_stamp, field, &clock)
}

/// The record stamp of row `key`.
fn record_stamp_of(
    tx: &Transaction,
    devices: &Devices,
    table: &Table,
    key: i64,
) -> Result<Option<Stamp>> {
    let sql = format!(
        "SELECT sync_stamp, sync_device FROM {} WHERE key = ?1",
        table.name
    );
    let (clock, device): (Option<i64>, Option<i64>) = tx
        .prepare_cached(&sql)?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))?;
    devices.stamp(tx, clock, device)
}

/// Marks a record deleted (a tombstone, so the deletion can travel in a sync bundle).
pub(crate) fn tombstone(
    tx: &Transaction,
    ctx: &ChangeContext,
    table: &Table,
    id: Uuid,
) -> Result<bool> {
    match key_of(tx, table, id)? {
        Some(key) => tombstone_key(tx, ctx, table, key),
        None => Ok(false),
    }
}

fn tombstone_key(tx: &Transaction, ctx: &ChangeContext, table: &Table, key: i64) -> Result<bool> {
    let sql = format!("SELECT deleted FROM {} WHERE key = ?1", table.name);
    let deleted: bool = tx.prepare_cached(&sql)?.query_row([key], |r| r.get(0))?;
    if deleted {
        return Ok(false);
    }
    sync_log::audit(
        tx,
        ctx.lseq,
        table,
        key,
        Some(DELETED_FIELD),
        &0.into(),
        &1.into(),
    )?;
    let stamp = record_stamp_of(tx, &ctx.devices, table, key)?;
    stamp_field(tx, ctx, table, key, stamp, 0)?;
    touch(tx, ctx, table, key, vec!["deleted = 1".into()], Vec::new())?;
    Ok(true)
}

/// Writes field number `field` of row `key` back to `value` (undo, and taking a conflict's other
/// value), with its audit row.
pub(crate) fn restore_field(
    tx: &Transaction,
    ctx: &ChangeContext,
    table: &Table,
    key: i64,
    field: usize,
    value: &Value,
) -> Result<()> {
    let column = table.field_name(field).ok_or(StoreError::NothingToUndo)?;
    let select = format!("SELECT {column} FROM {} WHERE key = ?1", table.name);
    let current: Value = tx
        .query_row(&select, [key], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: table.name,
            id: key.to_string(),
        })?;
    if &current == value {
        return Ok(());
    }
    sync_log::audit(
        tx,
        ctx.lseq,
        table,
        key,
        Some(field as i64),
        &current,
        value,
    )?;
    let stamp = record_stamp_of(tx, &ctx.devices, table, key)?;
    stamp_field(tx, ctx, table, key, stamp, field)?;
    // Written back, a natural key may clash again (undoing a renumbering, reviving a deleted
    // record): flagged, and settled before the change commits.
    let mut sets = vec![format!("{column} = ?1")];
    if super::clashes::natural_key(table.name).is_some_and(|k| k.touches(column)) {
        sets.push("clash = 1".to_string());
    }
    touch(tx, ctx, table, key, sets, vec![value.clone()])
}

impl Store {
    /// Runs `write` in one immediate transaction under a fresh change id. Returns the change id if
    /// `write` reported a change; nothing is committed if it fails.
    /// A write that fails on a full disk (or a missing permission, a lock) says so
    /// ([`super::write_error`]), never as a constraint of the records.
    pub(crate) fn change(
        &mut self,
        write: impl FnOnce(&Transaction, &ChangeContext) -> Result<bool>,
    ) -> Result<Option<ChangeId>> {
        self.change_inner(write)
            .map_err(|e| super::write_error(&self.conn, &self.path, e))
    }

    fn change_inner(
        &mut self,
        write: impl FnOnce(&Transaction, &ChangeContext) -> Result<bool>,
    ) -> Result<Option<ChangeId>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (stamp, lseq) = sync_log::next_stamp(&tx, self.device_id)?;
        let devices = Devices::default();
        let device_no = devices.number(&tx, self.device_id)?;
        let ctx = ChangeContext {
            change_id: Uuid::new_v4(),
            at: now_text(),
            actor: self.actor.clone(),
            device: self.device_id.to_string(),
            stamp,
            device_no,
            lseq,
            devices,
            wrote: Cell::new(false),
        };
        let changed = write(&tx, &ctx)?;
        if ctx.wrote.get() {
            super::clashes::settle(&tx)?;
        }
        if ctx.wrote.get() || changed {
            sync_log::record_change(
                &tx,
                lseq,
                ctx.change_id,
                &ctx.at,
                &ctx.actor,
                Some(stamp.clock),
            )?;
        }
        tx.commit()?;
        Ok(changed.then_some(ChangeId(ctx.change_id)))
    }

    /// Whether an undo (`undo`, as [`Store::undo`] returned it) touched only county-only
    /// tables, so that no village's figures moved. An undo writes an audit row for every record
    /// it touches (a restored field, a tombstone), so its audit rows say it all.
    pub fn undo_is_county_only(&self, undo: ChangeId) -> Result<bool> {
        let tables: Vec<i64> = self
            .conn
            .prepare(
                "SELECT DISTINCT a.tbl FROM audit a JOIN change_log c ON c.n = a.change
                 WHERE c.change_id = ?1",
            )?
            .query_map([undo.0.to_string()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(!tables.is_empty()
            && tables
                .iter()
                .all(|n| table_numbered(*n).is_some_and(|t| !is_synced(t.name))))
    }

    /// Reverts every field a change wrote, newest first, and tombstones the records it created, as
    /// a new change (itself undoable).
    pub fn undo(&mut self, change: ChangeId) -> Result<ChangeId> {
        let n: Option<i64> = self
            .conn
            .query_row(
                "SELECT n FROM change_log WHERE change_id = ?1",
                [change.0.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let n = n.ok_or(StoreError::NothingToUndo)?;
        let rows: Vec<(i64, i64, Option<i64>, Value)> = self
            .conn
            .prepare(
                "SELECT tbl, rec, field, old_value FROM audit WHERE change = ?1 ORDER BY seq DESC",
            )?
            .query_map([n], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut created: Vec<(&'static Table, i64)> = Vec::new();
        for table in all_tables() {
            let sql = format!("SELECT key FROM {} WHERE created_change = ?1", table.name);
            let keys: Vec<i64> = self
                .conn
                .prepare(&sql)?
                .query_map([n], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            created.extend(keys.into_iter().map(|k| (table, k)));
        }
        if rows.is_empty() && created.is_empty() {
            return Err(StoreError::NothingToUndo);
        }
        let undone = self.change(|tx, ctx| {
            for (tbl, key, field, old) in &rows {
                let table = table_numbered(*tbl).ok_or(StoreError::NothingToUndo)?;
                match field {
                    // A record created before creations were implied by `created_change`.
                    None => {
                        tombstone_key(tx, ctx, table, *key)?;
                    }
                    Some(f) if *f == NOTE_FIELD => return Err(StoreError::NothingToUndo),
                    Some(f) => restore_field(tx, ctx, table, *key, *f as usize, old)?,
                }
            }
            for (table, key) in created.iter().rev() {
                tombstone_key(tx, ctx, table, *key)?;
            }
            Ok(true)
        })?;
        Ok(undone.expect("undo always reports a change"))
    }
}
