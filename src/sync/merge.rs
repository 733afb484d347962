//! Field-by-field merge of a verified payload into the open transaction.
//!
//! Each field is a last-writer-wins register ordered by its hybrid-logical-clock stamp, plus what
//! the version had seen ([`Seen`]). When the newer version had not seen the older one, the two were
//! concurrent edits: the newer wins and the older value is kept in `sync_conflict` for a person to
//! resolve. Conflicts, their resolution and audit rows are sets that only grow, so any order and
//! any number of repetitions of the same bundles leave every device in the same state.
//!
//! A record new here is inserted as it came, with its stamp and field clocks, and names the
//! import's change (`created_change`): that, and the bundle's row in `sync_bundle`, is the
//! provenance of what an import brought, with no audit row per record. A field an import changes
//! gets an audit row (old and new value) under that change, as a local edit does.

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction, params};
use uuid::Uuid;

use super::SyncError;
use super::export::sql;
use super::manifest::{ConflictRow, Payload, RecordRow, TableRows};
use crate::store::clock::{FieldClock, Stamp};
use crate::store::sync_log::{self, Devices, RowClocks};

/// What one merge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeStats {
    pub records_inserted: usize,
    pub fields_updated: usize,
    pub conflicts_recorded: usize,
    pub audit_rows: usize,
    /// Records kept although another record holds their natural key (household 121 created on
    /// two laptops): flagged as clashing, for a person to resolve (`store::clashes`).
    pub clashes_kept: usize,
}

/// The bookkeeping of one imported bundle: its change id (undo) and change number (re-export).
pub(crate) struct ImportChange {
    pub change_id: Uuid,
    pub at: String,
    pub device: String,
    pub lseq: i64,
}

fn store(e: crate::store::StoreError) -> SyncError {
    SyncError::Store(e)
}

/// One side of a field: its value and clock.
struct Side<'a> {
    value: &'a Value,
    clock: FieldClock,
}

/// The outcome for one field.
struct Decision {
    apply: bool,
    /// The losing side of a concurrent edit: (loser value, loser stamp, winner value, winner stamp).
    conflict: Option<(Value, Option<Stamp>, Value, Option<Stamp>)>,
    /// The clock to store, when it changed.
    clock: Option<FieldClock>,
}

fn decide(incoming: &Side, local: &Side) -> Decision {
    let (inc, loc) = (incoming.clock.stamp, local.clock.stamp);
    let union = local.clock.seen.union(&incoming.clock.seen);
    if inc == loc {
        // The same version (or both unstamped, i.e. the same record from before sync).
        let clock = (inc.is_some() && union != local.clock.seen).then_some(FieldClock {
            stamp: loc,
            seen: union,
        });
        return Decision {
            apply: false,
            conflict: None,
            clock,
        };
    }
    let differs = incoming.value != local.value;
    let pair = |loser: &Side, winner: &Side| {
        (
            loser.value.clone(),
            loser.clock.stamp,
            winner.value.clone(),
            winner.clock.stamp,
        )
    };
    if inc > loc {
        let concurrent = !incoming.clock.seen.covers(loc);
        Decision {
            apply: differs,
            conflict: (concurrent && differs).then(|| pair(local, incoming)),
            clock: Some(FieldClock {
                stamp: inc,
                seen: union,
            }),
        }
    } else {
        let concurrent = !local.clock.seen.covers(inc);
        Decision {
            apply: false,
            conflict: (concurrent && differs).then(|| pair(incoming, local)),
            clock: (union != local.clock.seen).then_some(FieldClock {
                stamp: loc,
                seen: union,
            }),
        }
    }
}

fn stamp_text(stamp: Option<Stamp>) -> String {
    stamp.map(|s| s.to_string()).unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
fn record_conflict(
    tx: &Transaction,
    change: &ImportChange,
    table: &str,
    record: Uuid,
    field: &str,
    (loser, loser_stamp, winner, winner_stamp): &(Value, Option<Stamp>, Value, Option<Stamp>),
) -> Result<bool, SyncError> {
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO sync_conflict (table_name, record_id, field, loser_hlc, loser_value,
                 winner_hlc, winner_value, detected_at, resolved, lseq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9)",
        )
        .map_err(sql)?
        .execute(params![
            table,
            record.to_string(),
            field,
            stamp_text(*loser_stamp),
            loser,
            stamp_text(*winner_stamp),
            winner,
            change.at,
            change.lseq
        ])
        .map_err(sql)?;
    Ok(inserted > 0)
}

/// A county's poverty line for a province's year replaces the local default row of the same
/// province and year (each database was created with its own row ids for the defaults).
fn retire_same_year_line(
    tx: &Transaction,
    change: &ImportChange,
    table: &crate::store::SyncTable,
    record: &RecordRow,
) -> Result<(), SyncError> {
    let column = |name: &str| {
        table
            .columns
            .iter()
            .position(|c| *c == name)
            .and_then(|i| record.values.get(i + 1))
    };
    let (Some(year), Some(province)) = (column("year"), column("province")) else {
        return Ok(());
    };
    let others: Vec<i64> = tx
        .prepare_cached(
            "SELECT key FROM poverty_line
             WHERE year = ?1 AND province = ?2 AND deleted = 0 AND id <> ?3",
        )
        .map_err(sql)?
        .query_map(params![year, province, record.id.to_string()], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(sql)?;
    let lines = crate::store::record_table("poverty_line");
    for key in others {
        tx.execute(
            "UPDATE poverty_line SET deleted = 1, updated_at = ?1, updated_by = ?2 WHERE key = ?3",
            params![change.at, change.device, key],
        )
        .map_err(sql)?;
        sync_log::audit(
            tx,
            change.lseq,
            lines,
            key,
            Some(sync_log::DELETED_FIELD),
            &0.into(),
            &1.into(),
        )
        .map_err(store)?;
    }
    Ok(())
}

/// The merge's SQL for one table, built once.
struct MergeSql {
    select: String,
    insert: String,
    /// For a table with a natural key: the insert of a record whose key another record holds,
    /// flagged as clashing (`store::clashes`).
    insert_flagged: Option<String>,
}

fn sql_of(table: &crate::store::SyncTable) -> &'static MergeSql {
    static SQL: std::sync::OnceLock<Vec<(&'static str, MergeSql)>> = std::sync::OnceLock::new();
    let all = SQL.get_or_init(|| {
        crate::store::sync_tables()
            .into_iter()
            .map(|t| {
                // ?9 is `deleted` (the first value), the data columns follow.
                let placeholders: Vec<String> =
                    (0..t.columns.len()).map(|i| format!("?{}", i + 10)).collect();
                let insert = format!(
                    "INSERT INTO {} (id, created_at, updated_at, updated_by, sync_stamp, sync_device, sync_change, created_change, deleted, {})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, {})",
                    t.name,
                    t.columns.join(", "),
                    placeholders.join(", ")
                );
                let insert_flagged = crate::store::clashes::natural_key(t.name).map(|_| {
                    format!(
                        "INSERT INTO {} (id, created_at, updated_at, updated_by, sync_stamp, sync_device, sync_change, created_change, deleted, {}, clash)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, {}, 1)",
                        t.name,
                        t.columns.join(", "),
                        placeholders.join(", ")
                    )
                });
                let sql = MergeSql {
                    select: format!(
                        "SELECT key, sync_stamp, sync_device, deleted, {} FROM {} WHERE id = ?1",
                        t.columns.join(", "),
                        t.name
                    ),
                    insert,
                    insert_flagged,
                };
                (t.name, sql)
            })
            .collect()
    });
    &all.iter()
        .find(|(name, _)| *name == table.name)
        .expect("every synced table")
        .1
}

fn insert_record(
    tx: &Transaction,
    change: &ImportChange,
    devices: &Devices,
    rows: &TableRows,
    record: &RecordRow,
    stats: &mut MergeStats,
) -> Result<(), SyncError> {
    let t = &rows.table;
    let table = crate::store::record_table(t.name);
    if t.name == "poverty_line" {
        retire_same_year_line(tx, change, t, record)?;
    }
    let device = record
        .stamp
        .map(|s| devices.number(tx, s.device))
        .transpose()
        .map_err(store)?;
    // Only a stamped record counts as changed here (and travels on): one from before sync, like
    // the county's default poverty lines, does not.
    let stamped = record.stamp.is_some() || record.fields.iter().any(|(_, c)| c.stamp.is_some());
    let id = record.id.to_string();
    let clock = record.stamp.map(|s| s.clock);
    let changed = stamped.then_some(change.lseq);
    let head: [&dyn rusqlite::ToSql; 8] = [
        &id,
        &record.created_at,
        &record.updated_at,
        &record.updated_by,
        &clock,
        &device,
        &changed,
        &change.lseq,
    ];
    let args = || {
        head.into_iter()
            .chain(record.values.iter().map(|v| v as &dyn rusqlite::ToSql))
    };
    let merge_sql = sql_of(t);
    match tx
        .prepare_cached(&merge_sql.insert)
        .map_err(sql)?
        .execute(rusqlite::params_from_iter(args()))
    {
        Ok(_) => {}
        // Another record holds its natural key (household 121 entered on two laptops): kept,
        // flagged as clashing, for a person to resolve; the flags are settled after the payload.
        Err(e) if crate::store::clashes::is_unique_violation(&e) => {
            let Some(flagged) = &merge_sql.insert_flagged else {
                return Err(sql(e));
            };
            tx.prepare_cached(flagged)
                .map_err(sql)?
                .execute(rusqlite::params_from_iter(args()))
                .map_err(sql)?;
            stats.clashes_kept += 1;
        }
        Err(e) => return Err(sql(e)),
    }
    let key = tx.last_insert_rowid();
    for (field, clock) in &record.fields {
        sync_log::set_field_clock(tx, devices, table, key, record.stamp, *field, clock)
            .map_err(store)?;
    }
    Ok(())
}

fn merge_record(
    tx: &Transaction,
    change: &ImportChange,
    devices: &Devices,
    rows: &TableRows,
    record: &RecordRow,
    stats: &mut MergeStats,
) -> Result<(), SyncError> {
    let t = &rows.table;
    let table = crate::store::record_table(t.name);
    let width = t.columns.len() + 1;
    type Local = (i64, Option<i64>, Option<i64>, Vec<Value>);
    let local: Option<Local> = tx
        .prepare_cached(&sql_of(t).select)
        .map_err(sql)?
        .query_row([record.id.to_string()], |r| {
            let values = (0..width)
                .map(|i| r.get::<_, Value>(3 + i))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, values))
        })
        .optional()
        .map_err(sql)?;
    let Some((key, clock, device, values)) = local else {
        insert_record(tx, change, devices, rows, record, stats)?;
        stats.records_inserted += 1;
        return Ok(());
    };
    let here = RowClocks {
        stamp: devices.stamp(tx, clock, device).map_err(store)?,
        fields: sync_log::field_clocks(tx, devices, table, key).map_err(store)?,
    };
    let mut sets = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let mut clocks_changed = false;
    for (field, (incoming_value, local_value)) in record.values.iter().zip(&values).enumerate() {
        let incoming = Side {
            value: incoming_value,
            clock: record.clock(field),
        };
        let local = Side {
            value: local_value,
            clock: here.clock(field),
        };
        let decision = decide(&incoming, &local);
        let name = table.field_name(field).expect("field of the table");
        if let Some(conflict) = &decision.conflict
            && record_conflict(tx, change, t.name, record.id, name, conflict)?
        {
            stats.conflicts_recorded += 1;
        }
        if decision.apply {
            sync_log::audit(
                tx,
                change.lseq,
                table,
                key,
                Some(field as i64),
                local.value,
                incoming.value,
            )
            .map_err(store)?;
            args.push(incoming.value.clone());
            sets.push(format!("{name} = ?{}", args.len()));
            stats.fields_updated += 1;
        }
        if let Some(clock) = &decision.clock {
            sync_log::set_field_clock(tx, devices, table, key, here.stamp, field, clock)
                .map_err(store)?;
            clocks_changed = true;
        }
    }
    if !sets.is_empty() {
        for value in [
            Value::from(record.updated_at.clone()),
            record.updated_by.clone().into(),
        ] {
            args.push(value);
        }
        sets.push(format!("updated_at = ?{}", args.len() - 1));
        sets.push(format!("updated_by = ?{}", args.len()));
    }
    if !sets.is_empty() || clocks_changed {
        args.push(change.lseq.into());
        sets.push(format!("sync_change = ?{}", args.len()));
        args.push(key.into());
        let update = format!(
            "UPDATE {} SET {} WHERE key = ?{}",
            t.name,
            sets.join(", "),
            args.len()
        );
        match tx.execute(&update, rusqlite::params_from_iter(&args)) {
            Ok(_) => {}
            // A new key (or a revived record) another record holds: kept, flagged as clashing.
            Err(e)
                if crate::store::clashes::is_unique_violation(&e)
                    && crate::store::clashes::natural_key(t.name).is_some() =>
            {
                let update = format!(
                    "UPDATE {} SET {}, clash = 1 WHERE key = ?{}",
                    t.name,
                    sets.join(", "),
                    args.len()
                );
                tx.execute(&update, rusqlite::params_from_iter(&args))
                    .map_err(sql)?;
                stats.clashes_kept += 1;
            }
            Err(e) => return Err(sql(e)),
        }
    }
    Ok(())
}

fn merge_conflict(
    tx: &Transaction,
    change: &ImportChange,
    c: &ConflictRow,
    stats: &mut MergeStats,
) -> Result<(), SyncError> {
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO sync_conflict (table_name, record_id, field, loser_hlc, loser_value,
                 winner_hlc, winner_value, detected_at, resolved, lseq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .map_err(sql)?
        .execute(params![
            c.table,
            c.record_id.to_string(),
            c.field,
            c.loser_hlc,
            c.loser_value,
            c.winner_hlc,
            c.winner_value,
            c.detected_at,
            c.resolved,
            change.lseq
        ])
        .map_err(sql)?;
    if inserted > 0 {
        stats.conflicts_recorded += 1;
    } else if c.resolved {
        // Resolution only ever goes from open to resolved.
        tx.prepare_cached(
            "UPDATE sync_conflict SET resolved = 1, lseq = ?5
             WHERE table_name = ?1 AND record_id = ?2 AND field = ?3 AND loser_hlc = ?4 AND resolved = 0",
        )
        .map_err(sql)?
        .execute(params![c.table, c.record_id.to_string(), c.field, c.loser_hlc, change.lseq])
        .map_err(sql)?;
    }
    Ok(())
}

/// Merges a verified payload inside `tx`. A county (`county`) keeps its own poverty-line table.
pub(crate) fn merge_payload(
    tx: &Transaction,
    change: &ImportChange,
    devices: &Devices,
    payload: &Payload,
    county: bool,
) -> Result<MergeStats, SyncError> {
    let mut stats = MergeStats::default();
    if let Some(newest) = payload.newest_clock() {
        sync_log::observe(tx, newest).map_err(store)?;
    }
    // Parents before children: with no outstanding deferred foreign-key violation, SQLite need
    // not search child tables (some by unindexed columns) on every parent insert.
    let mut ordered: Vec<&TableRows> = payload.tables.iter().collect();
    ordered.sort_by_key(|t| crate::store::table_number(t.table.name));
    for rows in ordered {
        // Settings (the poverty-line table) are the county's: a village's copy is not merged.
        if county && rows.table.name == "poverty_line" {
            continue;
        }
        for record in &rows.records {
            merge_record(tx, change, devices, rows, record, &mut stats)?;
        }
    }
    // Two records holding one natural key (household 121 created on two laptops) are both
    // kept: the flags say which one the unique index holds, and the clash is listed to resolve.
    crate::store::clashes::settle(tx).map_err(store)?;
    for c in &payload.conflicts {
        merge_conflict(tx, change, c, &mut stats)?;
    }
    for c in &payload.changes {
        if c.device.to_string() == change.device {
            continue;
        }
        tx.prepare_cached(
            "INSERT OR IGNORE INTO remote_change (device, n, change_id, at, actor, stamp, lseq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(sql)?
        .execute(params![
            c.device.to_string(),
            c.n,
            c.change_id,
            c.at,
            c.actor,
            c.stamp,
            change.lseq
        ])
        .map_err(sql)?;
    }
    for a in &payload.audit {
        if a.device.to_string() == change.device {
            continue;
        }
        stats.audit_rows += tx
            .prepare_cached(
                "INSERT OR IGNORE INTO remote_audit (device, seq, change_id, at, actor, table_name, record_id,
                     field, old_value, new_value, lseq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .map_err(sql)?
            .execute(params![
                a.device.to_string(),
                a.seq,
                a.change_id,
                a.at,
                a.actor,
                a.table,
                a.record_id,
                a.field,
                a.old_value,
                a.new_value,
                change.lseq
            ])
            .map_err(sql)?;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::clock::Seen;

    fn stamp(ms: u64, dev: u8) -> Stamp {
        Stamp::next(None, ms, Uuid::from_bytes([dev; 16]))
    }

    fn clock(stamp: Option<Stamp>, seen: &[Stamp]) -> FieldClock {
        FieldClock {
            stamp,
            seen: seen.iter().copied().collect::<Seen>(),
        }
    }

    #[test]
    fn a_newer_edit_that_saw_the_local_one_replaces_it_without_conflict() {
        let (a, b) = (stamp(10, 1), stamp(20, 2));
        let (one, two) = (Value::from("1".to_string()), Value::from("2".to_string()));
        let local = Side {
            value: &one,
            clock: clock(Some(a), &[a]),
        };
        let incoming = Side {
            value: &two,
            clock: clock(Some(b), &[a, b]),
        };
        let d = decide(&incoming, &local);
        assert!(d.apply && d.conflict.is_none());
    }

    #[test]
    fn concurrent_edits_keep_the_older_value_as_a_conflict_whichever_side_holds_it() {
        let (a, b) = (stamp(10, 1), stamp(20, 2));
        let (one, two) = (Value::from("1".to_string()), Value::from("2".to_string()));
        let older = || Side {
            value: &one,
            clock: clock(Some(a), &[a]),
        };
        let newer = || Side {
            value: &two,
            clock: clock(Some(b), &[b]),
        };
        let here = decide(&newer(), &older());
        assert!(here.apply);
        assert_eq!(here.conflict.unwrap().0, one);
        let there = decide(&older(), &newer());
        assert!(!there.apply);
        assert_eq!(there.conflict.unwrap().0, one);
        let merged = there.clock.unwrap().seen;
        assert!(merged.covers(Some(a)) && merged.covers(Some(b)));
    }

    #[test]
    fn every_synced_table_has_a_place_in_the_parents_first_order() {
        for t in crate::store::sync_tables() {
            assert!(
                crate::store::table_number(t.name) > 0,
                "{} has no rank",
                t.name
            );
        }
        let rank = crate::store::table_number;
        assert!(rank("village") < rank("household"));
        assert!(rank("household") < rank("member"));
        assert!(rank("measure") < rank("fund_entry"));
        assert!(rank("member") < rank("training"));
    }

    #[test]
    fn the_same_version_or_an_unstamped_one_changes_nothing() {
        let a = stamp(10, 1);
        let (one, zero) = (Value::from("1".to_string()), Value::from("0".to_string()));
        let v = || Side {
            value: &one,
            clock: clock(Some(a), &[a]),
        };
        let d = decide(&v(), &v());
        assert!(!d.apply && d.conflict.is_none() && d.clock.is_none());
        let bulk = || Side {
            value: &zero,
            clock: FieldClock::default(),
        };
        let d = decide(&bulk(), &v());
        assert!(!d.apply && d.conflict.is_none());
        let d = decide(&v(), &bulk());
        assert!(d.apply && d.conflict.is_none());
    }
}
