//! Import: verify everything about a bundle before touching the database (layout and format
//! version, signer, signature, payload hash, village, decryption, payload against header, record
//! shapes, photo hashes), then merge all given bundles in one transaction. A rejection names the
//! check and the file, and leaves the database as it was.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use uuid::Uuid;

use super::crypto::{self, COUNTY_CODE, COUNTY_KEY, CountyPublic, DeviceIdentity};
use super::export::{ACKED_KEY, remember_bundle, sha256_hex, table, village_code_on};
use super::format::{self, FORMAT_VERSION, LayoutError};
use super::manifest::{BundleKind, FieldValue, Header, Payload, SUITE_AGE, SUITE_PLAIN};
use super::merge::{ImportChange, MergeStats, merge_payload};
use super::{Progress, SyncError};
use crate::store::Store;
use crate::store::sync_log_access::next_change_number;

/// A bundle that passed every check, ready to merge.
#[derive(Debug)]
pub struct Verified {
    pub file: PathBuf,
    pub sha256: String,
    pub header: Header,
    pub payload: Payload,
}

/// What importing one bundle did.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub file: PathBuf,
    pub header: Header,
    /// The same file was imported before: nothing was changed.
    pub already_imported: bool,
    /// The sender's sequence jumped: changes numbered `expected..found` never arrived here.
    pub gap: Option<(i64, i64)>,
    pub stats: MergeStats,
}

fn layout_error(file: &Path, e: LayoutError) -> SyncError {
    let file = file.to_path_buf();
    match e {
        LayoutError::NotABundle => SyncError::NotABundle { file },
        LayoutError::Truncated => SyncError::Truncated { file },
        LayoutError::TooOld(found) => SyncError::FormatTooOld {
            file,
            found,
            supported: FORMAT_VERSION,
        },
        LayoutError::TooNew(found) => SyncError::FormatTooNew {
            file,
            found,
            supported: FORMAT_VERSION,
        },
        LayoutError::BadHeader(detail) => SyncError::BadHeader { file, detail },
    }
}

/// Reads a bundle's header after checking its layout only (no key needed): for `bundle inspect`.
pub fn read_header(path: &Path) -> Result<(Header, Vec<u8>), SyncError> {
    let bytes = std::fs::read(path).map_err(|source| SyncError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    let raw = format::read(&bytes).map_err(|e| layout_error(path, e))?;
    let header = raw.header.clone();
    if sha256_hex(raw.payload) != header.payload_sha256 {
        return Err(SyncError::PayloadHash {
            file: path.to_path_buf(),
        });
    }
    Ok((header, bytes))
}

/// Runs every check on `path` against this database, changing nothing.
pub fn verify(store: &Store, path: &Path) -> Result<Verified, SyncError> {
    verify_on(store.conn(), store.device_id(), path)
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>, SyncError> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
        .map_err(|e| SyncError::Store(e.into()))
}

fn verify_on(conn: &Connection, device: Uuid, path: &Path) -> Result<Verified, SyncError> {
    let file = path.to_path_buf();
    let bytes = std::fs::read(path).map_err(|source| SyncError::Io {
        file: file.clone(),
        source,
    })?;
    let raw = format::read(&bytes).map_err(|e| layout_error(path, e))?;
    let header = raw.header.clone();
    if header.cipher_suite != SUITE_PLAIN && header.cipher_suite != SUITE_AGE {
        return Err(SyncError::UnknownSuite {
            file,
            suite: header.cipher_suite,
        });
    }
    let county_code = meta(conn, COUNTY_CODE)?;
    // Who may have signed it, and for which village.
    let (signer, expected_village) = if county_code.is_some() {
        if header.kind != BundleKind::Village {
            return Err(SyncError::WrongKind {
                file,
                found: "return".into(),
            });
        }
        let registered: Option<(String, String, bool)> = conn
            .query_row(
                "SELECT village_code, verifying_key, revoked FROM county_device WHERE device = ?1",
                [header.device.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| SyncError::Store(e.into()))?;
        let Some((village, key, revoked)) = registered else {
            return Err(SyncError::UnknownDevice {
                file,
                device: header.device,
            });
        };
        if revoked {
            return Err(SyncError::RevokedDevice {
                file,
                device: header.device,
            });
        }
        let key =
            parse_key_hex(&key).map_err(|()| SyncError::KeyMismatch { file: file.clone() })?;
        (key, Some(village))
    } else {
        if header.kind != BundleKind::Return {
            return Err(SyncError::WrongKind {
                file,
                found: "village".into(),
            });
        }
        let county =
            meta(conn, COUNTY_KEY)?.ok_or_else(|| SyncError::NoCountyKey { file: file.clone() })?;
        let county = CountyPublic::parse(&county)?;
        (county.verifying_key, village_code_on(conn)?)
    };
    if crypto::fingerprint(&signer) != header.key_fingerprint {
        return Err(SyncError::KeyMismatch { file });
    }
    if !crypto::verify(&signer, raw.signed, &raw.signature) {
        return Err(SyncError::BadSignature { file });
    }
    if sha256_hex(raw.payload) != header.payload_sha256 {
        return Err(SyncError::PayloadHash { file });
    }
    if let Some(expected) = expected_village
        && expected != header.village_code
    {
        return Err(SyncError::WrongVillage {
            file,
            expected,
            found: header.village_code,
        });
    }
    let plaintext = if header.cipher_suite == SUITE_AGE {
        DeviceIdentity::load_on(conn, device)?
            .and_then(|identity| identity.decrypt(raw.payload))
            .ok_or_else(|| SyncError::CannotDecrypt { file: file.clone() })?
    } else {
        raw.payload.to_vec()
    };
    let bad = |detail: String| SyncError::BadPayload {
        file: file.clone(),
        detail,
    };
    if sha256_hex(&plaintext) != header.content_sha256 {
        return Err(bad("content hash".into()));
    }
    let payload: Payload = serde_json::from_slice(&plaintext).map_err(|e| bad(e.to_string()))?;
    check_payload(&header, &payload).map_err(bad)?;
    for record in payload.records.iter().filter(|r| r.table == "visit_photo") {
        let field = |name: &str| {
            record
                .fields
                .iter()
                .find(|f| f.name == name)
                .map(|f| &f.value)
        };
        let matches = match (field("sha256"), field("bytes")) {
            (Some(FieldValue::Text(hash)), Some(FieldValue::Blob(bytes))) => {
                *hash == sha256_hex(bytes)
            }
            _ => false,
        };
        if !matches {
            return Err(SyncError::AttachmentHash {
                file,
                record: record.id,
            });
        }
    }
    Ok(Verified {
        file,
        sha256: sha256_hex(&bytes),
        header,
        payload,
    })
}

fn parse_key_hex(text: &str) -> Result<ed25519_dalek::VerifyingKey, ()> {
    let bytes: [u8; 32] = hex::decode(text)
        .map_err(|_| ())?
        .try_into()
        .map_err(|_| ())?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| ())
}

/// The payload must say what the signed header says, and hold only records this build knows.
fn check_payload(header: &Header, payload: &Payload) -> Result<(), String> {
    if payload.kind != header.kind {
        return Err("kind differs from the signed header".into());
    }
    if payload.device != header.device {
        return Err("device differs from the signed header".into());
    }
    if payload.village_code != header.village_code {
        return Err("village differs from the signed header".into());
    }
    if (payload.seq_from, payload.seq_to) != (header.seq_from, header.seq_to) {
        return Err("sequence range differs from the signed header".into());
    }
    if payload.counts() != header.counts {
        return Err("counts differ from the signed header".into());
    }
    let mut seen_ids = BTreeSet::new();
    for record in &payload.records {
        let Some(t) = table(&record.table) else {
            return Err(format!("unknown table {}", record.table));
        };
        let expected = std::iter::once("deleted").chain(t.columns.iter().copied());
        if !record.fields.iter().map(|f| f.name.as_str()).eq(expected) {
            return Err(format!(
                "fields of {} {} do not match",
                record.table, record.id
            ));
        }
        if !seen_ids.insert((record.table.as_str(), record.id)) {
            return Err(format!("{} {} appears twice", record.table, record.id));
        }
    }
    for c in &payload.conflicts {
        let known = table(&c.table)
            .is_some_and(|t| c.field == "deleted" || t.columns.contains(&c.field.as_str()));
        if !known {
            return Err(format!("conflict on unknown field {}.{}", c.table, c.field));
        }
    }
    Ok(())
}

/// Imports bundles: each is verified, then all are merged in one transaction, so that a bad file
/// (named in the error) leaves the database exactly as it was. A bundle imported before is
/// skipped (reported as such).
pub fn import_files(
    store: &mut Store,
    paths: &[PathBuf],
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<ImportReport>, SyncError> {
    let county = store.sync_meta(COUNTY_CODE)?.is_some();
    let device = store.device_id();
    let actor = "sync".to_string();
    let conn = store.conn_mut();
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| SyncError::Store(e.into()))?;
    // A bundle lists children and parents in any order; references are checked at commit.
    tx.pragma_update(None, "defer_foreign_keys", "ON")
        .map_err(|e| SyncError::Store(e.into()))?;
    let mut reports = Vec::with_capacity(paths.len());
    let mut lseq = None;
    for (n, path) in paths.iter().enumerate() {
        progress(Progress {
            done: n,
            total: paths.len(),
        });
        let verified = verify_on(&tx, device, path)?;
        let known: bool = tx
            .query_row(
                "SELECT count(*) FROM sync_bundle WHERE sha256 = ?1 AND direction = 'import'",
                [&verified.sha256],
                |r| r.get::<_, i64>(0),
            )
            .map_err(|e| SyncError::Store(e.into()))?
            > 0;
        if known {
            reports.push(ImportReport {
                file: path.clone(),
                header: verified.header,
                already_imported: true,
                gap: None,
                stats: MergeStats::default(),
            });
            continue;
        }
        let lseq = match lseq {
            Some(l) => l,
            None => *lseq.insert(next_change_number(&tx)?),
        };
        let change = ImportChange {
            change_id: Uuid::new_v4(),
            at: crate::store::now_text(),
            actor: actor.clone(),
            device: device.to_string(),
            lseq,
        };
        let header = &verified.header;
        let attribute = county.then_some(header.village_code.as_str());
        let stats =
            merge_payload(&tx, &change, &verified.payload, attribute).map_err(|e| match e {
                SyncError::Store(crate::store::StoreError::Sqlite(err)) => {
                    SyncError::MergeRefused {
                        file: path.clone(),
                        detail: err.to_string(),
                    }
                }
                other => other,
            })?;
        let gap = advance_peer(&tx, header, &change.at)?;
        if !county {
            let mine = verified.payload.acks.iter().find(|a| a.device == device);
            if let Some(ack) = mine {
                acknowledge(&tx, ack.seq)?;
            }
        }
        remember_bundle(&tx, "import", header, &verified.sha256, path)?;
        reports.push(ImportReport {
            file: path.clone(),
            header: verified.header,
            already_imported: false,
            gap,
            stats,
        });
    }
    tx.commit().map_err(|e| SyncError::MergeRefused {
        file: paths.last().cloned().unwrap_or_default(),
        detail: e.to_string(),
    })?;
    progress(Progress {
        done: paths.len(),
        total: paths.len(),
    });
    Ok(reports)
}

/// Records how far a sender's changes have arrived. The acknowledged number only moves over
/// contiguous ranges, so a sender whose earlier bundle never arrived sends it again; a jump is
/// returned as a gap to report.
fn advance_peer(
    tx: &rusqlite::Transaction,
    header: &Header,
    at: &str,
) -> Result<Option<(i64, i64)>, SyncError> {
    let sql = |e: rusqlite::Error| SyncError::Store(e.into());
    let last: Option<i64> = tx
        .query_row(
            "SELECT last_seq FROM sync_peer WHERE device = ?1",
            [header.device.to_string()],
            |r| r.get(0),
        )
        .optional()
        .map_err(sql)?;
    let last = last.unwrap_or(0);
    if header.seq_from > last + 1 {
        tx.execute(
            "INSERT INTO sync_peer (device, last_seq, last_import_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(device) DO UPDATE SET last_import_at = excluded.last_import_at",
            params![header.device.to_string(), last, at],
        )
        .map_err(sql)?;
        return Ok(Some((last + 1, header.seq_from)));
    }
    tx.execute(
        "INSERT INTO sync_peer (device, last_seq, last_import_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(device) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq), last_import_at = excluded.last_import_at",
        params![header.device.to_string(), header.seq_to.max(last), at],
    )
    .map_err(sql)?;
    Ok(None)
}

fn acknowledge(tx: &rusqlite::Transaction, seq: i64) -> Result<(), SyncError> {
    let current: i64 = tx
        .query_row("SELECT value FROM meta WHERE key = ?1", [ACKED_KEY], |r| {
            r.get::<_, String>(0)
        })
        .optional()
        .map_err(|e| SyncError::Store(e.into()))?
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    if seq > current {
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![ACKED_KEY, seq.to_string()],
        )
        .map_err(|e| SyncError::Store(e.into()))?;
    }
    Ok(())
}
