//! The one write path of the store: insert-or-update a record column by column, tombstone it, or
//! revert a whole change. Each of them writes the audit rows, so no caller can forget them, and undo
//! is the same mechanism run backwards from the audit log.

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use uuid::Uuid;

use super::sync_log::{next_stamp, stamp_field};
use super::{Result, Store, StoreError, now_text};

/// Identifies one user-level change (one save, one delete, one undo): the unit of undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChangeId(pub Uuid);

/// A table written through [`write_record`]: its name and the data columns after the bookkeeping
/// columns (`id, created_at, updated_at, updated_by, deleted`).
pub(crate) struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

/// Who, when and under which change id the rows of one transaction are written.
pub(crate) struct ChangeContext {
    pub change_id: Uuid,
    pub at: String,
    pub actor: String,
    pub device: String,
    /// The hybrid-logical-clock stamp of every field this change writes (see `sync::hlc`).
    pub hlc: String,
    /// This file's change number, by which an export finds what changed since the last one.
    pub lseq: i64,
}

impl ChangeContext {
    fn audit(
        &self,
        tx: &Transaction,
        table: &str,
        record: &str,
        field: &str,
        old: &Value,
        new: &Value,
    ) -> Result<()> {
        tx.prepare_cached(
            "INSERT INTO audit_log (change_id, at, actor, device, table_name, record_id, field, old_value, new_value, lseq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            self.change_id.to_string(),
            self.at,
            self.actor,
            self.device,
            table,
            record,
            field,
            old,
            new,
            self.lseq
        ])?;
        Ok(())
    }
}

/// The tables undo may touch. A column name read back from the audit log is used in SQL only if
/// it is listed here, so a damaged or tampered audit row cannot inject SQL.
pub(crate) fn table_named(name: &str) -> Option<&'static Table> {
    all_tables().find(|t| t.name == name)
}

/// Every table written through [`write_record`] (and so carried by sync bundles).
pub(crate) fn all_tables() -> impl Iterator<Item = &'static Table> {
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
        .copied()
}

fn json_of(columns: &[&str], values: &[Value]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = columns
        .iter()
        .zip(values)
        .map(|(c, v)| {
            let json = match v {
                Value::Null => serde_json::Value::Null,
                Value::Integer(i) => (*i).into(),
                Value::Real(f) => (*f).into(),
                Value::Text(t) => t.clone().into(),
                Value::Blob(b) => format!("<{} bytes>", b.len()).into(),
            };
            (c.to_string(), json)
        })
        .collect();
    serde_json::Value::Object(map).to_string()
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
    debug_assert_eq!(table.columns.len(), values.len());
    let id_text = id.to_string();
    let select = format!(
        "SELECT deleted, {} FROM {} WHERE id = ?1",
        table.columns.join(", "),
        table.name
    );
    let existing: Option<(bool, Vec<Value>)> = tx
        .prepare_cached(&select)?
        .query_row([&id_text], |row| {
            let deleted: bool = row.get(0)?;
            let old = (0..table.columns.len())
                .map(|i| row.get::<_, Value>(i + 1))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((deleted, old))
        })
        .optional()?;

    match existing {
        None => {
            let placeholders: Vec<String> = (0..table.columns.len())
                .map(|i| format!("?{}", i + 4))
                .collect();
            let insert = format!(
                "INSERT INTO {} (id, created_at, updated_at, updated_by, deleted, {}) VALUES (?1, ?2, ?2, ?3, 0, {})",
                table.name,
                table.columns.join(", "),
                placeholders.join(", ")
            );
            let mut args: Vec<Value> = vec![
                id_text.clone().into(),
                ctx.at.clone().into(),
                ctx.device.clone().into(),
            ];
            args.extend(values.iter().cloned());
            tx.prepare_cached(&insert)?
                .execute(rusqlite::params_from_iter(args))?;
            let snapshot = Value::Text(json_of(table.columns, values));
            ctx.audit(tx, table.name, &id_text, "", &Value::Null, &snapshot)?;
            for column in table.columns {
                stamp_field(tx, ctx, table.name, &id_text, column)?;
            }
            Ok(true)
        }
        Some((deleted, old)) => {
            let mut sets = Vec::new();
            let mut args: Vec<Value> = Vec::new();
            for ((column, old), new) in table.columns.iter().zip(&old).zip(values) {
                if old != new {
                    ctx.audit(tx, table.name, &id_text, column, old, new)?;
                    stamp_field(tx, ctx, table.name, &id_text, column)?;
                    args.push(new.clone());
                    sets.push(format!("{column} = ?{}", args.len()));
                }
            }
            if deleted {
                ctx.audit(tx, table.name, &id_text, "deleted", &1.into(), &0.into())?;
                stamp_field(tx, ctx, table.name, &id_text, "deleted")?;
                sets.push("deleted = 0".to_string());
            }
            if sets.is_empty() {
                return Ok(false);
            }
            args.push(ctx.at.clone().into());
            sets.push(format!("updated_at = ?{}", args.len()));
            args.push(ctx.device.clone().into());
            sets.push(format!("updated_by = ?{}", args.len()));
            args.push(id_text.into());
            let update = format!(
                "UPDATE {} SET {} WHERE id = ?{}",
                table.name,
                sets.join(", "),
                args.len()
            );
            tx.execute(&update, rusqlite::params_from_iter(args))?;
            Ok(true)
        }
    }
}

/// Marks a record deleted (a tombstone, so the deletion can travel in a sync bundle).
pub(crate) fn tombstone(
    tx: &Transaction,
    ctx: &ChangeContext,
    table: &Table,
    id: Uuid,
) -> Result<bool> {
    let sql = format!(
        "UPDATE {} SET deleted = 1, updated_at = ?1, updated_by = ?2 WHERE id = ?3 AND deleted = 0",
        table.name
    );
    let changed = tx
        .prepare_cached(&sql)?
        .execute(params![ctx.at, ctx.device, id.to_string()])?
        > 0;
    if changed {
        ctx.audit(
            tx,
            table.name,
            &id.to_string(),
            "deleted",
            &0.into(),
            &1.into(),
        )?;
        stamp_field(tx, ctx, table.name, &id.to_string(), "deleted")?;
    }
    Ok(changed)
}

/// Writes one column back to `value` (used by undo), with its audit row.
pub(crate) fn restore_field(
    tx: &Transaction,
    ctx: &ChangeContext,
    table: &Table,
    id: &str,
    field: &str,
    value: &Value,
) -> Result<()> {
    let select = format!("SELECT {field} FROM {} WHERE id = ?1", table.name);
    let current: Value = tx
        .query_row(&select, [id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: table.name,
            id: id.to_string(),
        })?;
    if &current == value {
        return Ok(());
    }
    let update = format!(
        "UPDATE {} SET {field} = ?1, updated_at = ?2, updated_by = ?3 WHERE id = ?4",
        table.name
    );
    tx.execute(&update, params![value, ctx.at, ctx.device, id])?;
    stamp_field(tx, ctx, table.name, id, field)?;
    ctx.audit(tx, table.name, id, field, &current, value)
}

impl Store {
    /// Runs `write` in one immediate transaction under a fresh change id. Returns the change id if
    /// `write` reported a change; nothing is committed if it fails.
    pub(crate) fn change(
        &mut self,
        write: impl FnOnce(&Transaction, &ChangeContext) -> Result<bool>,
    ) -> Result<Option<ChangeId>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (hlc, lseq) = next_stamp(&tx, self.device_id)?;
        let ctx = ChangeContext {
            change_id: Uuid::new_v4(),
            at: now_text(),
            actor: self.actor.clone(),
            device: self.device_id.to_string(),
            hlc,
            lseq,
        };
        let changed = write(&tx, &ctx)?;
        tx.commit()?;
        Ok(changed.then_some(ChangeId(ctx.change_id)))
    }

    /// Reverts every field a change wrote, newest first, as a new change (itself undoable).
    pub fn undo(&mut self, change: ChangeId) -> Result<ChangeId> {
        let rows: Vec<(String, String, String, Value)> = {
            let mut stmt = self.conn.prepare(
                "SELECT table_name, record_id, field, old_value FROM audit_log
                 WHERE change_id = ?1 ORDER BY seq DESC",
            )?;
            stmt.query_map([change.0.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?
        };
        if rows.is_empty() {
            return Err(StoreError::NothingToUndo);
        }
        let undone = self.change(|tx, ctx| {
            for (table_name, record_id, field, old) in &rows {
                let table = table_named(table_name).ok_or(StoreError::NothingToUndo)?;
                if field.is_empty() {
                    let id = Uuid::parse_str(record_id).map_err(|_| StoreError::NotFound {
                        what: table.name,
                        id: record_id.clone(),
                    })?;
                    tombstone(tx, ctx, table, id)?;
                } else if field == "deleted" || table.columns.contains(&field.as_str()) {
                    restore_field(tx, ctx, table, record_id, field, old)?;
                } else {
                    return Err(StoreError::NothingToUndo);
                }
            }
            Ok(true)
        })?;
        Ok(undone.expect("undo always reports a change"))
    }
}
