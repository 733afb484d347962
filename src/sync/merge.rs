//! Field-by-field merge of a verified payload into the open transaction.
//!
//! Each field is a last-writer-wins register ordered by its hybrid-logical-clock stamp, plus what
//! the version had seen ([`Seen`]). When the newer version had not seen the older one, the two were
//! concurrent edits: the newer wins and the older value is kept in `sync_conflict` for a person to
//! resolve. Conflicts, their resolution and audit rows are sets that only grow, so any order and
//! any number of repetitions of the same bundles leave every device in the same state.

use rusqlite::types::Value;
use rusqlite::{Transaction, params};
use uuid::Uuid;

use super::SyncError;
use super::export::{read_record, table};
use super::hlc::Seen;
use super::manifest::{ConflictRow, FieldRow, Payload, RecordRow};
use crate::store::sync_log_access::{field_seen_write, observe};

/// What one merge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeStats {
    pub records_inserted: usize,
    pub fields_updated: usize,
    pub conflicts_recorded: usize,
    pub audit_rows: usize,
}

/// The bookkeeping of one import: its change id (undo) and change number (re-export).
pub(crate) struct ImportChange {
    pub change_id: Uuid,
    pub at: String,
    pub actor: String,
    pub device: String,
    pub lseq: i64,
}

fn sql(e: rusqlite::Error) -> SyncError {
    SyncError::Store(e.into())
}

impl ImportChange {
    fn audit(
        &self,
        tx: &Transaction,
        table: &str,
        record: &str,
        field: &str,
        old: &Value,
        new: &Value,
    ) -> Result<(), SyncError> {
        tx.prepare_cached(
            "INSERT INTO audit_log (change_id, at, actor, device, table_name, record_id, field, old_value, new_value, lseq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .map_err(sql)?
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
        ])
        .map_err(sql)?;
        Ok(())
    }
}

/// The outcome for one field.
struct Decision {
    apply: bool,
    /// The losing side of a concurrent edit: (loser, winner).
    conflict: Option<(FieldRow, FieldRow)>,
    /// The clock to store, when it changed.
    clock: Option<(String, Seen)>,
}

fn decide(incoming: &FieldRow, local: &FieldRow) -> Decision {
    let (inc, loc) = (incoming.hlc.as_str(), local.hlc.as_str());
    let union = local.seen.union(&incoming.seen);
    if inc == loc {
        // The same version (or both unstamped, i.e. the same bulk-loaded record).
        let clock = (!inc.is_empty() && union != local.seen).then(|| (loc.to_string(), union));
        return Decision {
            apply: false,
            conflict: None,
            clock,
        };
    }
    let differs = incoming.value != local.value;
    if inc > loc {
        let concurrent = !incoming.seen.covers(loc);
        Decision {
            apply: differs,
            conflict: (concurrent && differs).then(|| (local.clone(), incoming.clone())),
            clock: Some((inc.to_string(), union)),
        }
    } else {
        let concurrent = !local.seen.covers(inc);
        Decision {
            apply: false,
            conflict: (concurrent && differs).then(|| (incoming.clone(), local.clone())),
            clock: (union != local.seen).then(|| (loc.to_string(), union)),
        }
    }
}

fn record_conflict(
    tx: &Transaction,
    change: &ImportChange,
    table: &str,
    record: Uuid,
    field: &str,
    loser: &FieldRow,
    winner: &FieldRow,
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
            loser.hlc,
            Value::from(loser.value.clone()),
            winner.hlc,
            Value::from(winner.value.clone()),
            change.at,
            change.lseq
        ])
        .map_err(sql)?;
    Ok(inserted > 0)
}

/// A county's poverty line for a year replaces the local default row of the same year (each
/// database was created with its own row ids for the defaults).
fn retire_same_year_line(
    tx: &Transaction,
    change: &ImportChange,
    record: &RecordRow,
) -> Result<(), SyncError> {
    let Some(year) = record.fields.iter().find(|f| f.name == "year") else {
        return Ok(());
    };
    let year = Value::from(year.value.clone());
    let others: Vec<String> = tx
        .prepare_cached("SELECT id FROM poverty_line WHERE year = ?1 AND deleted = 0 AND id <> ?2")
        .map_err(sql)?
        .query_map(params![year, record.id.to_string()], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(sql)?;
    for id in others {
        tx.execute(
            "UPDATE poverty_line SET deleted = 1, updated_at = ?1, updated_by = ?2 WHERE id = ?3",
            params![change.at, change.device, id],
        )
        .map_err(sql)?;
        change.audit(tx, "poverty_line", &id, "deleted", &0.into(), &1.into())?;
    }
    Ok(())
}

fn merge_record(
    tx: &Transaction,
    change: &ImportChange,
    record: &RecordRow,
    stats: &mut MergeStats,
) -> Result<(), SyncError> {
    let t = table(&record.table).expect("tables are checked before the merge");
    let id = record.id.to_string();
    let Some(local) = read_record(tx, t, &id)? else {
        if t.name == "poverty_line" {
            retire_same_year_line(tx, change, record)?;
        }
        let names: Vec<&str> = record.fields.iter().map(|f| f.name.as_str()).collect();
        let placeholders: Vec<String> = (0..names.len()).map(|i| format!("?{}", i + 5)).collect();
        let insert = format!(
            "INSERT INTO {} (id, created_at, updated_at, updated_by, {}) VALUES (?1, ?2, ?3, ?4, {})",
            t.name,
            names.join(", "),
            placeholders.join(", ")
        );
        let mut args: Vec<Value> = vec![
            id.clone().into(),
            record.created_at.clone().into(),
            record.updated_at.clone().into(),
            record.updated_by.clone().into(),
        ];
        args.extend(record.fields.iter().map(|f| Value::from(f.value.clone())));
        tx.prepare_cached(&insert)
            .map_err(sql)?
            .execute(rusqlite::params_from_iter(args))
            .map_err(sql)?;
        for f in record.fields.iter().filter(|f| !f.hlc.is_empty()) {
            field_seen_write(tx, t.name, &id, &f.name, &f.hlc, &f.seen, change.lseq)?;
        }
        change.audit(
            tx,
            t.name,
            &id,
            "",
            &Value::Null,
            &Value::Text(format!("imported from device {}", record.updated_by)),
        )?;
        stats.records_inserted += 1;
        return Ok(());
    };
    let mut sets = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    for (incoming, local) in record.fields.iter().zip(&local.fields) {
        let decision = decide(incoming, local);
        if let Some((loser, winner)) = &decision.conflict
            && record_conflict(tx, change, t.name, record.id, &incoming.name, loser, winner)?
        {
            stats.conflicts_recorded += 1;
        }
        if decision.apply {
            let new = Value::from(incoming.value.clone());
            change.audit(
                tx,
                t.name,
                &id,
                &incoming.name,
                &Value::from(local.value.clone()),
                &new,
            )?;
            args.push(new);
            sets.push(format!("{} = ?{}", incoming.name, args.len()));
            stats.fields_updated += 1;
        }
        if let Some((hlc, seen)) = &decision.clock {
            field_seen_write(tx, t.name, &id, &incoming.name, hlc, seen, change.lseq)?;
        }
    }
    if !sets.is_empty() {
        args.push(record.updated_at.clone().into());
        sets.push(format!("updated_at = ?{}", args.len()));
        args.push(record.updated_by.clone().into());
        sets.push(format!("updated_by = ?{}", args.len()));
        args.push(id.into());
        let update = format!(
            "UPDATE {} SET {} WHERE id = ?{}",
            t.name,
            sets.join(", "),
            args.len()
        );
        tx.execute(&update, rusqlite::params_from_iter(args))
            .map_err(sql)?;
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
            Value::from(c.loser_value.clone()),
            c.winner_hlc,
            Value::from(c.winner_value.clone()),
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

/// Where a table comes in a parents-first order of the schema's references.
fn parent_rank(table: &str) -> usize {
    const ORDER: &[&str] = &[
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
    ];
    ORDER
        .iter()
        .position(|t| *t == table)
        .unwrap_or(ORDER.len())
}

/// Merges a verified payload inside `tx`. `attribute_to` (county mode) records which village each
/// record came from, for that village's return bundle.
pub(crate) fn merge_payload(
    tx: &Transaction,
    change: &ImportChange,
    payload: &Payload,
    attribute_to: Option<&str>,
) -> Result<MergeStats, SyncError> {
    let mut stats = MergeStats::default();
    if let Some(newest) = payload
        .records
        .iter()
        .flat_map(|r| r.fields.iter().map(|f| f.hlc.as_str()))
        .max()
    {
        observe(tx, newest)?;
    }
    // Parents before children: with no outstanding deferred foreign-key violation, SQLite need
    // not search child tables (some by unindexed columns) on every parent insert.
    let mut ordered: Vec<&RecordRow> = payload.records.iter().collect();
    ordered.sort_by_key(|r| parent_rank(&r.table));
    for record in ordered {
        // Settings (the poverty-line table) are the county's: a village's copy is not merged.
        if attribute_to.is_some() && record.table == "poverty_line" {
            continue;
        }
        merge_record(tx, change, record, &mut stats)?;
        if let Some(code) = attribute_to {
            tx.prepare_cached("INSERT OR IGNORE INTO sync_record_village (table_name, record_id, village_code) VALUES (?1, ?2, ?3)")
                .map_err(sql)?
                .execute(params![record.table, record.id.to_string(), code])
                .map_err(sql)?;
        }
    }
    for c in &payload.conflicts {
        merge_conflict(tx, change, c, &mut stats)?;
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
                Value::from(a.old_value.clone()),
                Value::from(a.new_value.clone()),
                change.lseq
            ])
            .map_err(sql)?;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::hlc::Hlc;
    use crate::sync::manifest::FieldValue;

    fn stamp(ms: u64, dev: u8) -> String {
        Hlc::next(None, ms, Uuid::from_bytes([dev; 16])).to_string()
    }

    fn version(value: &str, hlc: &str, seen_stamps: &[&str]) -> FieldRow {
        let mut seen = Seen::default();
        for s in seen_stamps {
            seen.add(s);
        }
        FieldRow {
            name: "phone".into(),
            value: FieldValue::Text(value.into()),
            hlc: hlc.into(),
            seen,
        }
    }

    #[test]
    fn a_newer_edit_that_saw_the_local_one_replaces_it_without_conflict() {
        let a = stamp(10, 1);
        let b = stamp(20, 2);
        let local = version("1", &a, &[&a]);
        let incoming = version("2", &b, &[&a, &b]);
        let d = decide(&incoming, &local);
        assert!(d.apply && d.conflict.is_none());
    }

    #[test]
    fn concurrent_edits_keep_the_older_value_as_a_conflict_whichever_side_holds_it() {
        let a = stamp(10, 1);
        let b = stamp(20, 2);
        let older = version("1", &a, &[&a]);
        let newer = version("2", &b, &[&b]);
        let here = decide(&newer, &older);
        assert!(here.apply);
        assert_eq!(here.conflict.unwrap().0.value, FieldValue::Text("1".into()));
        let there = decide(&older, &newer);
        assert!(!there.apply);
        assert_eq!(
            there.conflict.unwrap().0.value,
            FieldValue::Text("1".into())
        );
        let (_, merged) = there.clock.unwrap();
        assert!(merged.covers(&a) && merged.covers(&b));
    }

    #[test]
    fn every_synced_table_has_a_place_in_the_parents_first_order() {
        for t in crate::store::sync_tables() {
            assert!(parent_rank(t.name) < 20, "{} has no rank", t.name);
        }
        assert!(parent_rank("village") < parent_rank("household"));
        assert!(parent_rank("measure") < parent_rank("fund_entry"));
        assert!(parent_rank("product") < parent_rank("sale"));
        assert!(parent_rank("member") < parent_rank("training"));
    }

    #[test]
    fn the_same_version_or_an_unstamped_one_changes_nothing() {
        let a = stamp(10, 1);
        let v = version("1", &a, &[&a]);
        let d = decide(&v, &v);
        assert!(!d.apply && d.conflict.is_none() && d.clock.is_none());
        let bulk = version("0", "", &[]);
        let d = decide(&bulk, &v);
        assert!(!d.apply && d.conflict.is_none());
        let d = decide(&v, &bulk);
        assert!(d.apply && d.conflict.is_none());
    }
}
