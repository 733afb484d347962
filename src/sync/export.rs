//! A village device's bundle: everything changed since the county last acknowledged this device's
//! changes (or everything, with `full`), signed by the device and encrypted to the county key when
//! one is set. Also the reading side shared with the county's return bundles.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::crypto::{self, COUNTY_KEY, CountyPublic, DeviceIdentity};
use super::format;
use super::hlc::Seen;
use super::manifest::{
    Ack, AuditEntry, BundleKind, ConflictRow, FieldRow, FieldValue, Header, Payload, RecordRow,
    SUITE_AGE, SUITE_PLAIN,
};
use super::{Progress, SyncError};
use crate::store::{Store, SyncTable, sync_tables};

/// The highest change number of this device that the county has acknowledged.
pub const ACKED_KEY: &str = "sync_acked_seq";

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    pub path: PathBuf,
    pub header: Header,
    /// False when no county key is set: personal data travels in the clear.
    pub encrypted: bool,
}

/// The code of the one village of a village database.
pub fn village_code(store: &Store) -> Result<Option<String>, SyncError> {
    village_code_on(store.conn())
}

pub(crate) fn village_code_on(conn: &Connection) -> Result<Option<String>, SyncError> {
    let codes: Vec<String> = conn
        .prepare("SELECT code FROM village WHERE deleted = 0")
        .map_err(crate::store::StoreError::from)?
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(crate::store::StoreError::from)?;
    match codes.len() {
        0 => Ok(None),
        1 => Ok(codes.into_iter().next()),
        n => Err(SyncError::SeveralVillages(n)),
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn sql(e: rusqlite::Error) -> SyncError {
    SyncError::Store(e.into())
}

pub(crate) fn table(name: &str) -> Option<SyncTable> {
    sync_tables().into_iter().find(|t| t.name == name)
}

/// Reads one record with every field's clock.
pub(crate) fn read_record(
    conn: &Connection,
    table: SyncTable,
    id: &str,
) -> Result<Option<RecordRow>, SyncError> {
    let select = format!(
        "SELECT created_at, updated_at, updated_by, deleted, {} FROM {} WHERE id = ?1",
        table.columns.join(", "),
        table.name
    );
    let row = conn
        .prepare_cached(&select)
        .map_err(sql)?
        .query_row([id], |r| {
            let mut values = Vec::with_capacity(table.columns.len() + 1);
            for i in 0..=table.columns.len() {
                values.push(r.get::<_, Value>(3 + i)?);
            }
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                values,
            ))
        })
        .optional()
        .map_err(sql)?;
    let Some((created_at, updated_at, updated_by, values)) = row else {
        return Ok(None);
    };
    let mut clocks: HashMap<String, (String, String)> = conn
        .prepare_cached(
            "SELECT field, hlc, seen FROM sync_clock WHERE table_name = ?1 AND record_id = ?2",
        )
        .map_err(sql)?
        .query_map(params![table.name, id], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))
        })
        .and_then(|rows| rows.collect())
        .map_err(sql)?;
    let names = std::iter::once("deleted").chain(table.columns.iter().copied());
    let fields = names
        .zip(values)
        .map(|(name, value)| {
            let (hlc, seen) = clocks.remove(name).unwrap_or_default();
            FieldRow {
                name: name.to_string(),
                value: value.into(),
                seen: if seen.is_empty() {
                    Seen::default()
                } else {
                    Seen::from_json(&seen)
                },
                hlc,
            }
        })
        .collect();
    Ok(Some(RecordRow {
        table: table.name.to_string(),
        id: Uuid::parse_str(id).map_err(|_| SyncError::BadKey(id.to_string()))?,
        created_at,
        updated_at,
        updated_by,
        fields,
    }))
}

/// The (table, id) of every record with a field stamped in change numbers `from..=to`.
pub(crate) fn changed_records(
    conn: &Connection,
    from: i64,
    to: i64,
) -> Result<BTreeSet<(String, String)>, SyncError> {
    conn.prepare(
        "SELECT DISTINCT table_name, record_id FROM sync_clock WHERE lseq BETWEEN ?1 AND ?2",
    )
    .map_err(sql)?
    .query_map([from, to], |r| Ok((r.get(0)?, r.get(1)?)))
    .and_then(|rows| rows.collect())
    .map_err(sql)
}

/// The (table, id) of every record in the file.
fn all_records(conn: &Connection) -> Result<BTreeSet<(String, String)>, SyncError> {
    let mut out = BTreeSet::new();
    for t in sync_tables() {
        let ids: Vec<String> = conn
            .prepare(&format!("SELECT id FROM {}", t.name))
            .map_err(sql)?
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(sql)?;
        out.extend(ids.into_iter().map(|id| (t.name.to_string(), id)));
    }
    Ok(out)
}

fn value_at(r: &rusqlite::Row, i: usize) -> rusqlite::Result<FieldValue> {
    Ok(r.get::<_, Value>(i)?.into())
}

/// Conflicts recorded or resolved in change numbers `from..=to`, optionally only of `records`.
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
            loser_value: value_at(r, 4)?,
            winner_hlc: r.get(5)?,
            winner_value: value_at(r, 6)?,
            detected_at: r.get(7)?,
            resolved: r.get(8)?,
        })
    })
    .and_then(|rows| rows.collect())
    .map_err(sql)
}

/// Audit rows written in change numbers `from..=to`: this file's own and those it received.
/// With `full`, also the unnumbered ones (written before sync existed, or by a bulk load).
pub(crate) fn audit_between(
    conn: &Connection,
    from: i64,
    to: i64,
    full: bool,
    devices: Option<&BTreeSet<String>>,
) -> Result<Vec<AuditEntry>, SyncError> {
    let local_sql = if full {
        "SELECT device, seq, change_id, at, actor, table_name, record_id, field, old_value, new_value
         FROM audit_log WHERE lseq IS NULL OR lseq BETWEEN ?1 AND ?2 ORDER BY seq"
    } else {
        "SELECT device, seq, change_id, at, actor, table_name, record_id, field, old_value, new_value
         FROM audit_log WHERE lseq BETWEEN ?1 AND ?2 ORDER BY seq"
    };
    let remote_sql = "SELECT device, seq, change_id, at, actor, table_name, record_id, field, old_value, new_value
         FROM remote_audit WHERE lseq BETWEEN ?1 AND ?2 ORDER BY lseq, seq";
    let mut out = Vec::new();
    for query in [local_sql, remote_sql] {
        let rows: Vec<AuditEntry> = conn
            .prepare(query)
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
                    old_value: value_at(r, 8)?,
                    new_value: value_at(r, 9)?,
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(sql)?;
        out.extend(
            rows.into_iter()
                .filter(|a| devices.is_none_or(|d| d.contains(&a.device.to_string()))),
        );
    }
    Ok(out)
}

/// Reads the records named in `ids` (skipping tables this build does not sync).
pub(crate) fn read_records(
    conn: &Connection,
    ids: &BTreeSet<(String, String)>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<RecordRow>, SyncError> {
    let mut records = Vec::with_capacity(ids.len());
    for (n, (table_name, id)) in ids.iter().enumerate() {
        if let Some(t) = table(table_name)
            && let Some(record) = read_record(conn, t, id)?
        {
            records.push(record);
        }
        if n % 1000 == 0 {
            progress(Progress {
                done: n,
                total: ids.len(),
            });
        }
    }
    Ok(records)
}

/// Serialises, encrypts (to `recipients`, if any), signs and writes a bundle atomically.
pub(crate) fn seal_and_write(
    identity: &DeviceIdentity,
    payload: &Payload,
    full: bool,
    recipients: &[String],
    out: &Path,
) -> Result<Header, SyncError> {
    let plaintext = serde_json::to_vec(payload).expect("a payload serialises");
    let (suite, stored) = if recipients.is_empty() {
        (SUITE_PLAIN, plaintext.clone())
    } else {
        (SUITE_AGE, crypto::encrypt(recipients, &plaintext)?)
    };
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
        payload_sha256: sha256_hex(&stored),
        content_sha256: sha256_hex(&plaintext),
    };
    let mut bytes = format::write_unsigned(&header, &stored);
    let signature = identity.sign(&bytes);
    bytes.extend_from_slice(&signature);
    write_atomically(out, &bytes)?;
    Ok(header)
}

/// Writes beside the target and renames, so a reader never sees half a bundle.
fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), SyncError> {
    let io = |source| SyncError::Io {
        file: out.to_path_buf(),
        source,
    };
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, bytes).map_err(io)?;
    std::fs::rename(&partial, out).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        io(e)
    })
}

/// Records a written or imported bundle (for "last export" and idempotent import).
pub(crate) fn remember_bundle(
    conn: &Connection,
    direction: &str,
    header: &Header,
    sha256: &str,
    file: &Path,
) -> Result<(), SyncError> {
    conn.execute(
        "INSERT OR REPLACE INTO sync_bundle (sha256, direction, device, village_code, seq_from, seq_to, at, file_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            sha256,
            direction,
            header.device.to_string(),
            header.village_code,
            header.seq_from,
            header.seq_to,
            crate::store::now_text(),
            file.display().to_string()
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
    // everything, including bulk-loaded (unstamped) demo records.
    let full = full || acked == 0;
    let from = if full { 1 } else { acked + 1 };
    let conn = store.conn();
    let ids = if full {
        all_records(conn)?
    } else {
        changed_records(conn, from, to)?
    };
    let records = read_records(conn, &ids, progress)?;
    let payload = Payload {
        kind: BundleKind::Village,
        device: identity.device,
        village_code: village,
        seq_from: from,
        seq_to: to,
        records,
        conflicts: conflicts_between(conn, if full { 0 } else { from }, to)?,
        audit: audit_between(conn, from, to, full, None)?,
        acks: Vec::<Ack>::new(),
    };
    let recipients: Vec<String> = county.iter().map(|c| c.recipient.clone()).collect();
    let header = seal_and_write(&identity, &payload, full, &recipients, out)?;
    let sha = sha256_hex(&std::fs::read(out).map_err(|source| SyncError::Io {
        file: out.to_path_buf(),
        source,
    })?);
    remember_bundle(store.conn(), "export", &header, &sha, out)?;
    progress(Progress {
        done: ids.len(),
        total: ids.len(),
    });
    Ok(ExportSummary {
        path: out.to_path_buf(),
        header,
        encrypted: county.is_some(),
    })
}
