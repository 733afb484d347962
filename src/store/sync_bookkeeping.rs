//! Migration 4: the sync bookkeeping of schema 3 (one `sync_clock` row per field keyed by text,
//! one `audit_log` row per created or merged record, `sync_record_village` at the county) becomes
//! the bookkeeping of `sync_log`, keeping every stamp, seen map, audit row and change number:
//!
//! 1. every synced table is rebuilt with an integer `key` beside its UUID `id` and the columns
//!    `sync_stamp, sync_device, sync_change, created_change` (rows keep their order);
//! 2. each record's field clocks become one record stamp (the one most of its fields share) and a
//!    `sync_field` row for each field that differs;
//! 3. `audit_log` becomes `change_log` (one row per change id, numbered by its change number; a
//!    change from before sync existed gets a negative number, so no export range ever takes it
//!    again) and `audit` (one row per field, keyed by table number, record key and field number;
//!    a "created" row keeps its snapshot of the values);
//! 4. the clock in `meta` becomes an integer; `sync_bundle` gains the change an import made;
//! 5. `sync_clock`, `audit_log` and `sync_record_village` are dropped: which village a record
//!    belongs to is read from the record itself.

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{Transaction, params};
use uuid::Uuid;

use super::StoreError;
use super::clock::{FieldClock, Seen, Stamp, compress};
use super::record::{TABLE_ORDER, Table, number_of, table_named};
use super::sync_log::{Devices, NOTE_FIELD, meta_get, meta_set};

type Result<T> = std::result::Result<T, StoreError>;

const NEW_TABLES: &str = r#"
    CREATE TABLE sync_device (
        n INTEGER PRIMARY KEY,
        device TEXT NOT NULL UNIQUE
    );
    CREATE TABLE sync_field (
        tbl INTEGER NOT NULL,
        rec INTEGER NOT NULL,
        field INTEGER NOT NULL,
        stamp INTEGER,
        device INTEGER,
        seen BLOB,
        PRIMARY KEY (tbl, rec, field)
    ) WITHOUT ROWID;
    CREATE TABLE change_log (
        n INTEGER PRIMARY KEY,
        change_id TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        stamp INTEGER
    );
    CREATE INDEX change_log_id ON change_log(change_id);
    -- The value columns have no declared type (no affinity): undo writes back exactly what was
    -- there, a phone number "0839…" stays text.
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        change INTEGER NOT NULL,
        tbl INTEGER NOT NULL,
        rec INTEGER NOT NULL,
        field INTEGER,
        old_value,
        new_value
    );
    CREATE INDEX audit_of_change ON audit(change);
    CREATE INDEX audit_of_record ON audit(tbl, rec);
    CREATE TABLE remote_change (
        device TEXT NOT NULL,
        n INTEGER NOT NULL,
        change_id TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        stamp INTEGER,
        lseq INTEGER NOT NULL,
        PRIMARY KEY (device, n)
    ) WITHOUT ROWID;
    CREATE INDEX remote_change_lseq ON remote_change(lseq);
    ALTER TABLE sync_bundle ADD COLUMN change INTEGER;
"#;

/// How many of [`TABLE_ORDER`]'s tables existed in schema 3 (the rest came later).
const SCHEMA_3_TABLES: usize = 20;

/// How many data columns `table` had in schema 3 (later steps append columns).
fn schema_3_columns(table: &Table) -> usize {
    table.columns.len() - super::migrate_issue13::added_columns(table.name).len()
}

/// Runs migration 4 inside the migration's transaction.
pub(crate) fn migrate(tx: &Transaction) -> Result<()> {
    tx.execute_batch(NEW_TABLES)?;
    let devices = Devices::default();
    // This file's own device first: it gets number 1.
    if let Some(device) = meta_get(tx, "device_id")?.and_then(|t| Uuid::parse_str(&t).ok()) {
        devices.number(tx, device)?;
    }
    // The tables schema 3 had: those added later are created with their bookkeeping.
    for name in &TABLE_ORDER[..SCHEMA_3_TABLES] {
        rebuild(tx, name)?;
    }
    tx.execute_batch(
        "CREATE INDEX income_year_tombstone ON income_year(household_id) WHERE deleted = 1;
         CREATE INDEX survey_state_tombstone ON survey_state(household_id) WHERE deleted = 1;",
    )?;
    convert_clocks(tx, &devices)?;
    convert_audit(tx)?;
    if let Some(last) = meta_get(tx, "sync_hlc_last")?.and_then(|t| Stamp::parse(&t)) {
        meta_set(tx, "sync_clock_last", &last.clock.to_string())?;
    }
    tx.execute("DELETE FROM meta WHERE key = 'sync_hlc_last'", [])?;
    tx.execute_batch(
        "DROP TABLE sync_clock; DROP TABLE audit_log; DROP TABLE sync_record_village;",
    )?;
    Ok(())
}

/// Rebuilds one table with its integer key and sync columns, keeping rows, order and indexes.
fn rebuild(tx: &Transaction, name: &str) -> Result<()> {
    let sql: String = tx.query_row(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get(0),
    )?;
    let indexes: Vec<String> = tx
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL")?
        .query_map([name], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let columns: Vec<String> = tx
        .prepare(&format!("PRAGMA table_info({name})"))?
        .query_map([], |r| r.get(1))?
        .collect::<rusqlite::Result<_>>()?;
    let damaged = || {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            Some(format!("table {name} is not as schema 3 wrote it")),
        ))
    };
    let head = format!("CREATE TABLE {name} (");
    let mut new_sql = sql
        .strip_prefix(&head)
        .ok_or_else(damaged)?
        .trim_start()
        .strip_prefix("id TEXT PRIMARY KEY,")
        .map(|rest| {
            format!(
                "CREATE TABLE {name}__v4 (\n        key INTEGER PRIMARY KEY,\n        id TEXT NOT NULL UNIQUE,{rest}"
            )
        })
        .ok_or_else(damaged)?;
    let close = new_sql.rfind(')').ok_or_else(damaged)?;
    new_sql.insert_str(
        close,
        ",\n        sync_stamp INTEGER, sync_device INTEGER, sync_change INTEGER, created_change INTEGER\n    ",
    );
    tx.execute_batch(&new_sql)?;
    let list = columns.join(", ");
    tx.execute_batch(&format!(
        "INSERT INTO {name}__v4 ({list}) SELECT {list} FROM {name} ORDER BY rowid;
         DROP TABLE {name};
         ALTER TABLE {name}__v4 RENAME TO {name};
         CREATE INDEX {name}_sync_change ON {name}(sync_change);"
    ))?;
    for index in indexes {
        tx.execute_batch(&index)?;
    }
    Ok(())
}

/// One record's field clocks of schema 3 become its record stamp and its `sync_field` rows.
fn convert_clocks(tx: &Transaction, devices: &Devices) -> Result<()> {
    let mut stmt = tx.prepare(
        "SELECT table_name, record_id, field, hlc, seen, lseq FROM sync_clock ORDER BY table_name, record_id",
    )?;
    let mut rows = stmt.query([])?;
    let mut current: Option<(&'static Table, String)> = None;
    let mut clocks: Vec<FieldClock> = Vec::new();
    let mut lseq: Option<i64> = None;
    while let Some(row) = rows.next()? {
        let table_name: String = row.get(0)?;
        let record: String = row.get(1)?;
        let Some(table) = table_named(&table_name) else {
            continue;
        };
        if current
            .as_ref()
            .is_none_or(|(t, r)| t.name != table.name || *r != record)
        {
            if let Some((t, r)) = current.take() {
                write_clocks(tx, devices, t, &r, &clocks, lseq)?;
            }
            current = Some((table, record));
            clocks = vec![FieldClock::default(); schema_3_columns(table) + 1];
            lseq = None;
        }
        let field: String = row.get(2)?;
        let Some(n) = table.field_number(&field) else {
            continue;
        };
        let stamp = Stamp::parse(&row.get::<_, String>(3)?);
        let seen_json: String = row.get(4)?;
        let map: HashMap<String, String> = serde_json::from_str(&seen_json).unwrap_or_default();
        let mut seen: Seen = map.values().filter_map(|s| Stamp::parse(s)).collect();
        if let Some(s) = stamp {
            seen.add(s);
        }
        clocks[n] = FieldClock { stamp, seen };
        lseq = lseq.max(Some(row.get(5)?));
    }
    if let Some((t, r)) = current.take() {
        write_clocks(tx, devices, t, &r, &clocks, lseq)?;
    }
    Ok(())
}

fn write_clocks(
    tx: &Transaction,
    devices: &Devices,
    table: &Table,
    record: &str,
    clocks: &[FieldClock],
    lseq: Option<i64>,
) -> Result<()> {
    let (stamp, overrides) = compress(clocks);
    let device = stamp.map(|s| devices.number(tx, s.device)).transpose()?;
    let key: Option<i64> = {
        let sql = format!(
            "UPDATE {} SET sync_stamp = ?1, sync_device = ?2, sync_change = ?3 WHERE id = ?4 RETURNING key",
            table.name
        );
        let mut stmt = tx.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![stamp.map(|s| s.clock), device, lseq, record])?;
        rows.next()?.map(|r| r.get(0)).transpose()?
    };
    let Some(key) = key else {
        return Ok(());
    };
    for (field, clock) in overrides {
        super::sync_log::set_field_clock(tx, devices, table, key, stamp, field, &clock)?;
    }
    Ok(())
}

/// `audit_log` becomes `change_log` and `audit`.
fn convert_audit(tx: &Transaction) -> Result<()> {
    type OldRow = (
        String,
        String,
        String,
        String,
        String,
        String,
        Value,
        Value,
        Option<i64>,
    );
    let rows: Vec<OldRow> = tx
        .prepare(
            "SELECT change_id, at, actor, table_name, record_id, field, old_value, new_value, lseq
             FROM audit_log ORDER BY seq",
        )?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    // Each change id once, with its change number (the largest its rows carry).
    let mut order: Vec<&str> = Vec::new();
    let mut info: HashMap<&str, (String, String, Option<i64>)> = HashMap::new();
    for (change_id, at, actor, .., lseq) in &rows {
        let entry = info.entry(change_id.as_str()).or_insert_with(|| {
            order.push(change_id);
            (at.clone(), actor.clone(), None)
        });
        entry.2 = entry.2.max(*lseq);
    }
    let mut used = std::collections::HashSet::new();
    let numbered: Vec<Option<i64>> = order
        .iter()
        .map(|c| info[c].2.filter(|n| used.insert(*n)))
        .collect();
    let mut next_negative = -(numbered.iter().filter(|n| n.is_none()).count() as i64);
    let mut numbers: HashMap<&str, i64> = HashMap::new();
    for (change_id, n) in order.iter().zip(numbered) {
        let (at, actor, _) = &info[change_id];
        let n = n.unwrap_or_else(|| {
            next_negative += 1;
            next_negative - 1
        });
        numbers.insert(change_id, n);
        tx.execute(
            "INSERT INTO change_log (n, change_id, at, actor, stamp) VALUES (?1, ?2, ?3, ?4, NULL)",
            params![n, change_id, at, actor],
        )?;
    }
    let mut insert = tx.prepare(
        "INSERT INTO audit (change, tbl, rec, field, old_value, new_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (change_id, _, _, table_name, record_id, field, old, new, _) in &rows {
        let Some(tbl) = number_of(table_name) else {
            continue;
        };
        let table = table_named(table_name).expect("numbered tables are known");
        let key: i64 = tx
            .prepare_cached(&format!("SELECT key FROM {} WHERE id = ?1", table.name))?
            .query_row([record_id], |r| r.get(0))
            .unwrap_or(0);
        let field = match field.as_str() {
            "" => None,
            name => Some(table.field_number(name).map_or(NOTE_FIELD, |n| n as i64)),
        };
        insert.execute(params![
            numbers[change_id.as_str()],
            tbl,
            key,
            field,
            old,
            new
        ])?;
    }
    Ok(())
}
