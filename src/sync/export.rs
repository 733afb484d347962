//! A village device's bundle: everything changed since the county last acknowledged this device's
//! changes (or everything, with `full`), signed by the device and encrypted to the county key when
//! one is set. Also the reading side shared with the county's return bundles.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rusqlite::types::Value;
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::crypto::{self, COUNTY_KEY, CountyPublic, DeviceIdentity};
use super::manifest::{
    Ack, AuditChainHeads, AuditEntry, BundleKind, ChangeEntry, ConflictRow, Header, Payload,
    RecordRow, SUITE_AGE, SUITE_PLAIN, TableRows,
};
use super::{Progress, SyncError, codec, format};
use crate::store::audit_chain;
use crate::store::clock::FieldClock;
use crate::store::installation::ChangeDevices;
use crate::store::sync_log::{DELETED_FIELD, Devices, NOTE_FIELD};
use crate::store::{Store, SyncTable, sync_tables};

/// The highest change number of this device that the county has acknowledged.
pub const ACKED_KEY: &str = crate::store::installation::ACKED_KEY;

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    pub path: PathBuf,
    pub header: Header,
    /// False when no county key is set: personal data travels in the clear.
    pub encrypted: bool,
}

/// The code of the one village of a village database (two village records with one code, made
/// on two laptops before they synced, are still one village: a clash to merge, see `clashes.rs`).
pub fn village_code(store: &Store) -> Result<Option<String>, SyncError> {
    village_code_on(store.conn())
}

pub(crate) fn village_code_on(conn: &Connection) -> Result<Option<String>, SyncError> {
    let codes: Vec<String> = conn
        .prepare("SELECT DISTINCT code FROM village WHERE deleted = 0")
        .map_err(sql)?
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(sql)?;
    match codes.len() {
        0 => Ok(None),
        1 => Ok(codes.into_iter().next()),
        n => Err(SyncError::SeveralVillages(n)),
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn sql(e: rusqlite::Error) -> SyncError {
    SyncError::Store(e.into())
}

fn store_error(e: crate::store::StoreError) -> SyncError {
    SyncError::Store(e)
}

pub(crate) fn table(name: &str) -> Option<SyncTable> {
    sync_tables().into_iter().find(|t| t.name == name)
}

/// Which rows of a table to read: one or more WHERE clauses (their results are joined) and
/// their parameters.
pub(crate) struct Selection {
    pub clauses: Vec<String>,
    pub params: Vec<Value>,
}

impl Selection {
    pub fn all() -> Selection {
        Selection {
            clauses: vec!["1".into()],
            params: Vec::new(),
        }
    }

    /// Rows touched by change numbers `from..=to`.
    pub fn changed(from: i64, to: i64) -> Selection {
        Selection {
            clauses: vec!["sync_change BETWEEN ?1 AND ?2".into()],
            params: vec![from.into(), to.into()],
        }
    }
}

/// Reads the rows `select` picks from every synced table, with their clocks.
pub(crate) fn read_tables(
    conn: &Connection,
    devices: &Devices,
    select: &dyn Fn(SyncTable) -> Option<Selection>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<TableRows>, SyncError> {
    let mut out = Vec::new();
    let tables = sync_tables();
    for (n, t) in tables.iter().enumerate() {
        progress(Progress {
            done: n,
            total: tables.len(),
        });
        let Some(selection) = select(*t) else {
            continue;
        };
        let number = crate::store::table_number(t.name);
        let mut clocks: HashMap<i64, Vec<(usize, FieldClock)>> = HashMap::new();
        {
            type Row = (i64, i64, Option<i64>, Option<i64>, Option<Vec<u8>>);
            let rows: Vec<Row> = conn
                .prepare_cached(
                    "SELECT rec, field, stamp, device, seen FROM sync_field WHERE tbl = ?1 ORDER BY rec, field",
                )
                .map_err(sql)?
                .query_map([number], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .and_then(|rows| rows.collect())
                .map_err(sql)?;
            for (rec, field, clock, device, seen) in rows {
                let stamp = devices.stamp(conn, clock, device).map_err(store_error)?;
                let seen = devices
                    .decode_seen(conn, stamp, seen.as_deref())
                    .map_err(store_error)?;
                clocks
                    .entry(rec)
                    .or_default()
                    .push((field as usize, FieldClock { stamp, seen }));
            }
        }
        let width = t.columns.len() + 1;
        let mut records = Vec::new();
        let mut seen_keys = HashSet::new();
        for clause in &selection.clauses {
            let query = format!(
                "SELECT key, id, created_at, updated_at, updated_by, sync_stamp, sync_device, deleted, {}
                 FROM {} WHERE {clause}",
                t.columns.join(", "),
                t.name
            );
            let mut stmt = conn.prepare_cached(&query).map_err(sql)?;
            let mut rows = stmt
                .query(rusqlite::params_from_iter(selection.params.iter()))
                .map_err(sql)?;
            while let Some(r) = rows.next().map_err(sql)? {
                let key: i64 = r.get(0).map_err(sql)?;
                if !seen_keys.insert(key) {
                    continue;
                }
                let id: String = r.get(1).map_err(sql)?;
                let values = (0..width)
                    .map(|i| r.get::<_, Value>(7 + i))
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map_err(sql)?;
                let stamp = devices
                    .stamp(conn, r.get(5).map_err(sql)?, r.get(6).map_err(sql)?)
                    .map_err(store_error)?;
                records.push(RecordRow {
                    id: Uuid::parse_str(&id).map_err(|_| SyncError::BadKey(id.clone()))?,
                    created_at: r.get(2).map_err(sql)?,
                    updated_at: r.get(3).map_err(sql)?,
                    updated_by: r.get(4).map_err(sql)?,
                    stamp,
                    values,
                    fields: clocks.remove(&key).unwrap_or_default(),
                });
            }
        }
        if !records.is_empty() {
            out.push(TableRows { table: *t, records });
        }
    }
    Ok(out)
}

/// Conflicts recorded or resolved in change numbers `from..=to`.
pub(crate) fn conflicts_between(
    conn: &Connection,
    from: i64,
    to: i64,
) -> Result<Vec<ConflictRow>, SyncError> {
    conn.prepare(
        "SELECT table_name, record_id, field, loser_hlc, loser_value, winner_hlc, winner_value,
                detected_at, resolved
         FROM sync_conflict WHERE lseq BETWEEN ?1 AND ?2 ORDER BY lseq",
    )
    .map_err(sql)?
    .query_map([from, to], |r| {
        Ok(ConflictRow {
            table: r.get(0)?,
            record_id: Uuid::parse_str(&r.get::<_, String>(1)?).unwrap_or_default(),
            field: r.get(2)?,
            loser_hlc: r.get(3)?,
            loser_value: r.get(4)?,
            winner_hlc: r.get(5)?,
            winner_value: r.get(6)?,
            detected_at: r.get(7)?,
            resolved: r.get(8)?,
        })
    })
    .and_then(|rows| rows.collect())
    .map_err(sql)
}

/// This file's own changes numbered `from..=to` and their audit rows, each under the device
/// that made it here (`own`: a file that became a new device keeps its earlier changes under the
/// device it was copied from). With `edits_only`, only the changes a person made (stamped),
/// not the imports of bundles.
pub(crate) fn own_history(
    conn: &Connection,
    from: i64,
    to: i64,
    own: &ChangeDevices,
    edits_only: bool,
) -> Result<(Vec<ChangeEntry>, Vec<AuditEntry>), SyncError> {
    let stamped = if edits_only {
        " AND stamp IS NOT NULL"
    } else {
        ""
    };
    let changes: Vec<ChangeEntry> = conn
        .prepare(&format!(
            "SELECT n, change_id, at, actor, stamp FROM change_log WHERE n BETWEEN ?1 AND ?2{stamped} ORDER BY n"
        ))
        .map_err(sql)?
        .query_map([from, to], |r| {
            Ok(ChangeEntry {
                device: own.of(r.get(0)?),
                n: r.get(0)?,
                change_id: r.get(1)?,
                at: r.get(2)?,
                actor: r.get(3)?,
                stamp: r.get(4)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(sql)?;
    let mut audit = Vec::new();
    {
        type Row = (
            i64,
            i64,
            String,
            String,
            String,
            i64,
            i64,
            Option<i64>,
            Value,
            Value,
        );
        let stamped = if edits_only {
            " AND c.stamp IS NOT NULL"
        } else {
            ""
        };
        let rows: Vec<Row> = conn
            .prepare(&format!(
                "SELECT a.seq, c.n, c.change_id, c.at, c.actor, a.tbl, a.rec, a.field, a.old_value, a.new_value
                 FROM audit a JOIN change_log c ON c.n = a.change
                 WHERE a.change BETWEEN ?1 AND ?2{stamped} ORDER BY a.seq"
            ))
            .map_err(sql)?
            .query_map([from, to], |r| {
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
                    r.get(9)?,
                ))
            })
            .and_then(|rows| rows.collect())
            .map_err(sql)?;
        for (seq, n, change_id, at, actor, tbl, rec, field, old_value, new_value) in rows {
            let Some(t) = crate::store::table_numbered(tbl) else {
                continue;
            };
            let record_id: String = conn
                .prepare_cached(&format!("SELECT id FROM {} WHERE key = ?1", t.name))
                .map_err(sql)?
                .query_row([rec], |r| r.get(0))
                .unwrap_or_default();
            let field = match field {
                None => String::new(),
                Some(NOTE_FIELD) => "note".to_string(),
                Some(DELETED_FIELD) => "deleted".to_string(),
                Some(f) => t
                    .columns
                    .get(f as usize - 1)
                    .map_or_else(String::new, |c| c.to_string()),
            };
            audit.push(AuditEntry {
                device: own.of(n),
                seq,
                change_id,
                at,
                actor,
                table: t.name.to_string(),
                record_id,
                field,
                old_value,
                new_value,
            });
        }
    }
    Ok((changes, audit))
}

/// The changes and audit rows numbered `from..=to` here: this file's own (if `own` is given)
/// and those received from the devices `remote` accepts.
pub(crate) fn history_between(
    conn: &Connection,
    from: i64,
    to: i64,
    own: Option<&ChangeDevices>,
    remote: &dyn Fn(&Uuid) -> bool,
) -> Result<(Vec<ChangeEntry>, Vec<AuditEntry>), SyncError> {
    let (mut changes, mut audit) = match own {
        Some(own) => own_history(conn, from, to, own, false)?,
        None => (Vec::new(), Vec::new()),
    };
    let remote_changes: Vec<ChangeEntry> = conn
        .prepare(
            "SELECT device, n, change_id, at, actor, stamp FROM remote_change
             WHERE lseq BETWEEN ?1 AND ?2 ORDER BY lseq, device, n",
        )
        .map_err(sql)?
        .query_map([from, to], |r| {
            Ok(ChangeEntry {
                device: Uuid::parse_str(&r.get::<_, String>(0)?).unwrap_or_default(),
                n: r.get(1)?,
                change_id: r.get(2)?,
                at: r.get(3)?,
                actor: r.get(4)?,
                stamp: r.get(5)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(sql)?;
    changes.extend(remote_changes.into_iter().filter(|c| remote(&c.device)));
    let remote_audit: Vec<AuditEntry> = conn
        .prepare(
            "SELECT device, seq, change_id, at, actor, table_name, record_id, field, old_value, new_value
             FROM remote_audit WHERE lseq BETWEEN ?1 AND ?2 ORDER BY lseq, seq",
        )
        .map_err(sql)?
        .query_map([from, to], |r| {
            Ok(AuditEntry {
                device: Uuid::parse_str(&r.get::<_, String>(0)?).unwrap_or_default(),
                seq: r.get(1)?,
                change_id: r.get(2)?,
                at: r.get(3)?,
                actor: r.get(4)?,
                table: r.get(5)?,
                record_id: r.get(6)?,
                field: r.get(7)?,
                old_value: r.get(8)?,
                new_value: r.get(9)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(sql)?;
    audit.extend(remote_audit.into_iter().filter(|a| remote(&a.device)));
    Ok((changes, audit))
}

/// A sealed bundle, ready to be written.
pub(crate) struct Sealed {
    pub header: Header,
    pub bytes: Vec<u8>,
    /// What identifies the bundle (the hash of what its signature covers), remembered by import.
    pub identity: String,
}

/// Serialises, encrypts (to `recipients`, if any) and signs a bundle.
pub(crate) fn seal(
    identity: &DeviceIdentity,
    payload: &Payload,
    full: bool,
    recipients: &[String],
    audit_chain: Option<AuditChainHeads>,
) -> Result<Sealed, SyncError> {
    let plaintext = codec::encode(payload);
    let (suite, stored) = if recipients.is_empty() {
        (SUITE_PLAIN, plaintext)
    } else {
        (SUITE_AGE, crypto::encrypt(recipients, &plaintext)?)
    };
    let payload_hash: [u8; 32] = Sha256::digest(&stored).into();
    let header = Header {
        format_version: format::FORMAT_VERSION,
        kind: payload.kind,
        cipher_suite: suite.to_string(),
        village_code: payload.village_code.clone(),
        device: payload.device,
        key_fingerprint: crypto::fingerprint(&identity.public().verifying_key),
        seq_from: payload.seq_from,
        seq_to: payload.seq_to,
        full,
        created_at: crate::store::now_text(),
        counts: payload.counts(),
        payload_sha256: hex::encode(payload_hash),
        content_sha256: String::new(),
        audit_chain,
    };
    let mut bytes = format::write_unsigned(&header, &stored);
    let header_len = format::header_part_len(&bytes).expect("a header was just written");
    let message = format::signed_message(&bytes[..header_len], &payload_hash);
    bytes.extend_from_slice(&identity.sign(&message));
    Ok(Sealed {
        header,
        bytes,
        identity: sha256_hex(&message),
    })
}

/// Writes beside the target and renames, so a reader never sees half a bundle.
pub(crate) fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), SyncError> {
    let io = |source| SyncError::Io {
        file: out.to_path_buf(),
        source,
    };
    crate::files::write_bytes(out, bytes).map_err(io)
}

/// Records a written or imported bundle (for "last export" and idempotent import); `change` is
/// the local change an import made of it.
pub(crate) fn remember_bundle(
    conn: &Connection,
    direction: &str,
    header: &Header,
    identity: &str,
    file: &Path,
    change: Option<i64>,
) -> Result<(), SyncError> {
    conn.execute(
        "INSERT OR REPLACE INTO sync_bundle (sha256, direction, device, village_code, seq_from, seq_to, at, file_name, change)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            identity,
            direction,
            header.device.to_string(),
            header.village_code,
            header.seq_from,
            header.seq_to,
            crate::store::now_text(),
            file.display().to_string(),
            change
        ],
    )
    .map_err(sql)?;
    Ok(())
}

/// Exports this village device's changes since the last acknowledged export (or everything, with
/// `full` or before the first acknowledgement) to `out`. Runs on any thread; `progress` is called now and then.
pub fn export_village(
    store: &mut Store,
    out: &Path,
    full: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<ExportSummary, SyncError> {
    if store.sync_meta(crypto::COUNTY_CODE)?.is_some() {
        return Err(SyncError::IsCounty);
    }
    let village = village_code(store)?.ok_or(SyncError::NoVillage)?;
    let identity = DeviceIdentity::load_or_create(store)?;
    let county = store
        .sync_meta(COUNTY_KEY)?
        .map(|line| CountyPublic::parse(&line))
        .transpose()?;
    let to = store.sync_lseq()?;
    let acked: i64 = store
        .sync_meta(ACKED_KEY)?
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    // Until the county has acknowledged anything, "since the last acknowledged export" is
    // everything, including records from before sync existed.
    let full = full || acked == 0;
    let from = if full { 1 } else { acked + 1 };
    let conn = store.conn();
    let devices = Devices::default();
    let tables = read_tables(
        conn,
        &devices,
        &|_| {
            Some(if full {
                Selection::all()
            } else {
                Selection::changed(from, to)
            })
        },
        progress,
    )?;
    // A full export also carries the history from before change numbers (numbered below 1).
    let history_from = if full { i64::MIN } else { from };
    let own = store.change_devices()?;
    let (changes, audit) = history_between(conn, history_from, to, Some(&own), &|_| true)?;
    let payload = Payload {
        kind: BundleKind::Village,
        device: identity.device,
        village_code: village,
        seq_from: from,
        seq_to: to,
        tables,
        conflicts: conflicts_between(conn, if full { 0 } else { from }, to)?,
        changes,
        audit,
        acks: Vec::<Ack>::new(),
        filled_fields: 0,
    };
    let recipients: Vec<String> = county.iter().map(|c| c.recipient.clone()).collect();
    // The chain heads at both ends of the range, so that the county can tell that the history
    // before `from` is still the one it saw.
    let audit_chain = AuditChainHeads {
        base: if full {
            None
        } else {
            audit_chain::head_at(conn, from - 1).map_err(SyncError::from)?
        },
        tip: audit_chain::head_at(conn, to).map_err(SyncError::from)?,
    };
    let sealed = seal(&identity, &payload, full, &recipients, Some(audit_chain))?;
    write_atomically(out, &sealed.bytes)?;
    // This computer remembers how far its device's numbers went out: a file restored from an
    // older backup then numbers its next change past them.
    store.note_exported(to)?;
    remember_bundle(
        store.conn(),
        "export",
        &sealed.header,
        &sealed.identity,
        out,
        None,
    )?;
    let total = payload.counts().records;
    progress(Progress { done: total, total });
    Ok(ExportSummary {
        path: out.to_path_buf(),
        header: sealed.header,
        encrypted: county.is_some(),
    })
}
