//! The store's side of sync: every field write is stamped with a hybrid-logical-clock stamp and
//! what it had seen (`sync_clock`), and numbered with this file's change counter (`lseq`), so that
//! an export can find what changed since the last acknowledged one and an import can merge field
//! by field. The bundle format and the merge itself live in `crate::sync`.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use uuid::Uuid;

use super::record::ChangeContext;
use super::{Result, Store};
use crate::sync::hlc::{Hlc, Seen};

const HLC_KEY: &str = "sync_hlc_last";
const LSEQ_KEY: &str = "sync_lseq";

fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?
        .execute(params![key, value])?;
    Ok(())
}

/// The last change number of this file (0 before any stamped change).
pub(crate) fn current_lseq(conn: &Connection) -> Result<i64> {
    Ok(meta_get(conn, LSEQ_KEY)?
        .and_then(|t| t.parse().ok())
        .unwrap_or(0))
}

/// Takes the next clock stamp of `device` and the next change number, inside the change's
/// transaction (so a rolled-back change takes neither).
pub(crate) fn next_stamp(tx: &Transaction, device: Uuid) -> Result<(String, i64)> {
    let last = meta_get(tx, HLC_KEY)?.and_then(|t| Hlc::parse(&t));
    let hlc = Hlc::next(last, Hlc::wall_ms(), device).to_string();
    meta_set(tx, HLC_KEY, &hlc)?;
    let lseq = next_lseq(tx)?;
    Ok((hlc, lseq))
}

/// Takes the next change number (an import takes one for everything it merges).
pub(crate) fn next_lseq(tx: &Transaction) -> Result<i64> {
    let lseq = current_lseq(tx)? + 1;
    meta_set(tx, LSEQ_KEY, &lseq.to_string())?;
    Ok(lseq)
}

/// Moves this file's clock past `seen` (a stamp read from a bundle), so that any later local write
/// is stamped after everything it could have seen.
pub(crate) fn observe_stamp(tx: &Transaction, seen: &str) -> Result<()> {
    let Some(seen) = Hlc::parse(seen) else {
        return Ok(());
    };
    let last = meta_get(tx, HLC_KEY)?.and_then(|t| Hlc::parse(&t));
    if last.is_none_or(|last| last < seen) {
        meta_set(tx, HLC_KEY, &seen.to_string())?;
    }
    Ok(())
}

/// The stored clock of one field: its stamp and what it had seen (`None` for an unstamped field,
/// e.g. a bulk-loaded demo record).
pub(crate) fn field_clock(
    conn: &Connection,
    table: &str,
    record: &str,
    field: &str,
) -> Result<Option<(String, Seen)>> {
    Ok(conn
        .prepare_cached(
            "SELECT hlc, seen FROM sync_clock WHERE table_name = ?1 AND record_id = ?2 AND field = ?3",
        )?
        .query_row(params![table, record, field], |r| {
            Ok((r.get::<_, String>(0)?, Seen::from_json(&r.get::<_, String>(1)?)))
        })
        .optional()?)
}

/// Writes a field's clock (insert or replace) under change number `lseq`.
pub(crate) fn set_field_clock(
    conn: &Connection,
    table: &str,
    record: &str,
    field: &str,
    hlc: &str,
    seen: &Seen,
    lseq: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO sync_clock (table_name, record_id, field, hlc, seen, lseq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![table, record, field, hlc, seen.to_json(), lseq])?;
    Ok(())
}

/// Stamps a field written locally by the change `ctx`: the new version has seen everything the
/// version it replaces had seen.
pub(crate) fn stamp_field(
    tx: &Transaction,
    ctx: &ChangeContext,
    table: &str,
    record: &str,
    field: &str,
) -> Result<()> {
    let mut seen = field_clock(tx, table, record, field)?
        .map(|(_, seen)| seen)
        .unwrap_or_default();
    seen.add(&ctx.hlc);
    set_field_clock(tx, table, record, field, &ctx.hlc, &seen, ctx.lseq)
}

/// A table that sync bundles carry: its name and data columns (after `id, created_at,
/// updated_at, updated_by, deleted`).
#[derive(Debug, Clone, Copy)]
pub struct SyncTable {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

/// Every synced table, parents before children (villages, then households, …).
pub fn sync_tables() -> Vec<SyncTable> {
    super::record::all_tables()
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
}

/// The few store-side writes the sync merge needs, by name.
pub mod access {
    use rusqlite::Transaction;

    use super::{observe_stamp, set_field_clock};
    use crate::store::Result;
    use crate::sync::hlc::Seen;

    /// Writes a merged field's clock.
    pub fn field_seen_write(
        tx: &Transaction,
        table: &str,
        record: &str,
        field: &str,
        hlc: &str,
        seen: &Seen,
        lseq: i64,
    ) -> Result<()> {
        set_field_clock(tx, table, record, field, hlc, seen, lseq)
    }

    /// Moves the file's clock past a stamp read from a bundle.
    pub fn observe(tx: &Transaction, seen: &str) -> Result<()> {
        observe_stamp(tx, seen)
    }

    /// Takes the next change number inside `tx`.
    pub fn next_change_number(tx: &Transaction) -> Result<i64> {
        super::next_lseq(tx)
    }
}

impl Store {
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
        let target =
            super::record::table_named(table).ok_or_else(|| super::StoreError::NotFound {
                what: "table",
                id: table.to_string(),
            })?;
        if field != "deleted" && !target.columns.contains(&field) {
            return Err(super::StoreError::NotFound {
                what: "field",
                id: field.to_string(),
            });
        }
        let changed = self.change(|tx, ctx| {
            let key = params![table, record.to_string(), field, loser_hlc];
            let loser: Option<rusqlite::types::Value> = tx
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
                super::record::restore_field(tx, ctx, target, &record.to_string(), field, &loser)?;
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
