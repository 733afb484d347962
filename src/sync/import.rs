//! Import: verify everything about a bundle before touching the database (layout and format
//! version, signer, signature, payload hash, village, decryption, payload against header, record
//! shapes, photo hashes), then merge each given bundle in its own transaction. A rejection names
//! the check and the file, and leaves the database as the other bundles of the run left it: each
//! bundle is merged whole or not at all, and a refused one does not undo the others.
//!
//! Verifying (reading, hashing, decrypting, decoding) runs on a worker thread one bundle ahead of
//! the merge, so a batch of village bundles keeps both cores busy; the worker reads the keys and
//! the registry it needs once, before the merge starts.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::authorize::{Authority, Columns, Refusal, Rule, authorize};
use super::crypto::{self, COUNTY_CODE, COUNTY_KEY, CountyPublic, DeviceIdentity};
use super::export::{ACKED_KEY, remember_bundle, sha256_hex, sql, village_code_on};
use super::format::{self, FORMAT_VERSION, LayoutError};
use super::history::{self, HistoryRewritten};
use super::manifest::{BundleKind, Header, Payload, SUITE_AGE, SUITE_PLAIN};
use super::merge::{ImportChange, MergeStats, merge_payload};
use super::{Progress, SyncError, codec, format1};
use crate::i18n::{Lang, Localize};
use crate::store::Store;
use crate::store::bundle_receipts::{
    BundleReceipt, ReceiptHeader, ReceiptOutcome, RefusalReason, record_receipt,
};
use crate::store::clock::Stamp;
use crate::store::sync_log::{Devices, next_lseq, record_change};

/// A bundle that passed every check, ready to merge.
#[derive(Debug)]
pub struct Verified {
    pub file: PathBuf,
    /// What identifies the bundle for "imported before" (format 2: the hash of what its signature
    /// covers; format 1: the hash of the file).
    pub sha256: String,
    /// SHA-256 of the whole file, as the county's log of received bundles keeps it.
    pub file_sha256: String,
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
    /// The sender's audit chain no longer leads to the head the county recorded from it.
    pub history_rewritten: Option<HistoryRewritten>,
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
            supported: format::OLDEST_FORMAT,
        },
        LayoutError::TooNew(found) => SyncError::FormatTooNew {
            file,
            found,
            supported: FORMAT_VERSION,
        },
        LayoutError::BadHeader(detail) => SyncError::BadHeader { file, detail },
    }
}

/// The largest bundle read: a county's full bundle of 800 villages is about a tenth of it.
pub const MAX_BUNDLE_BYTES: u64 = 1024 * 1024 * 1024;

/// The bytes of a bundle file; a folder, a named pipe or a device is refused without being
/// opened (reading a pipe would wait forever), and so is a file past [`MAX_BUNDLE_BYTES`].
fn read_file(path: &Path) -> Result<Vec<u8>, SyncError> {
    use std::io::Read;
    let io = |source| SyncError::Io {
        file: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(SyncError::NotAFile {
            file: path.to_path_buf(),
        });
    }
    let too_large = || SyncError::TooLarge {
        file: path.to_path_buf(),
        limit_mb: MAX_BUNDLE_BYTES / (1024 * 1024),
    };
    if meta.len() > MAX_BUNDLE_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_BUNDLE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_BUNDLE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Reads a bundle's header after checking its layout only (no key needed): for `bundle inspect`.
pub fn read_header(path: &Path) -> Result<(Header, Vec<u8>), SyncError> {
    let bytes = read_file(path)?;
    let raw = format::read(&bytes).map_err(|e| layout_error(path, e))?;
    let header = raw.header.clone();
    if sha256_hex(raw.payload) != header.payload_sha256 {
        return Err(SyncError::PayloadHash {
            file: path.to_path_buf(),
        });
    }
    Ok((header, bytes))
}

/// Parses bundle bytes as far as can be done without keys: the layout and header, and for an
/// unencrypted bundle the payload and its agreement with the header. Verifies no signature and
/// touches no file or database: what the fuzz target and its seed-corpus test call. Returns the
/// header and, when it was readable, the payload.
pub fn parse_bytes(bytes: &[u8]) -> Result<(Header, Option<Payload>), String> {
    let raw = format::read(bytes).map_err(|e| format!("{e:?}"))?;
    let header = raw.header.clone();
    if header.cipher_suite != SUITE_PLAIN {
        return Ok((header, None));
    }
    let payload = if raw.version == 1 {
        format1::decode(&header, raw.payload)?
    } else {
        codec::decode(raw.payload)?
    };
    check_payload(&header, &payload)?;
    Ok((header, Some(payload)))
}

/// A registered village device, as the county's registry holds it.
struct Registered {
    village: String,
    key: String,
    revoked: bool,
}

/// What verification needs from the database, read once before a batch.
pub(crate) struct VerifyContext {
    /// Set in a county database.
    county_code: Option<String>,
    registry: HashMap<Uuid, Registered>,
    /// The county key of a village device.
    county_key: Option<String>,
    /// The village of a village device (none before its first return bundle).
    village: Option<String>,
    identity: Option<DeviceIdentity>,
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>, SyncError> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
        .map_err(sql)
}

impl VerifyContext {
    pub(crate) fn load(conn: &Connection, device: Uuid) -> Result<VerifyContext, SyncError> {
        let county_code = meta(conn, COUNTY_CODE)?;
        let mut registry = HashMap::new();
        let village = if county_code.is_some() {
            let rows: Vec<(String, String, String, bool)> = conn
                .prepare("SELECT device, village_code, verifying_key, revoked FROM county_device")
                .map_err(sql)?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .and_then(|rows| rows.collect())
                .map_err(sql)?;
            for (device, village, key, revoked) in rows {
                if let Ok(device) = Uuid::parse_str(&device) {
                    registry.insert(
                        device,
                        Registered {
                            village,
                            key,
                            revoked,
                        },
                    );
                }
            }
            None
        } else {
            village_code_on(conn)?
        };
        Ok(VerifyContext {
            county_code,
            registry,
            county_key: meta(conn, COUNTY_KEY)?,
            village,
            identity: DeviceIdentity::load_on(conn, device)?,
        })
    }
}

/// Runs every check on `path` against this database, changing nothing.
pub fn verify(store: &Store, path: &Path) -> Result<Verified, SyncError> {
    verify_with(&VerifyContext::load(store.conn(), store.device_id())?, path)
}

pub(crate) fn verify_with(ctx: &VerifyContext, path: &Path) -> Result<Verified, SyncError> {
    let file = path.to_path_buf();
    let bytes = read_file(path)?;
    let raw = format::read(&bytes).map_err(|e| layout_error(path, e))?;
    let header = raw.header.clone();
    if header.cipher_suite != SUITE_PLAIN && header.cipher_suite != SUITE_AGE {
        return Err(SyncError::UnknownSuite {
            file,
            suite: header.cipher_suite,
        });
    }
    // Who may have signed it, and for which village.
    let (signer, expected_village) = if ctx.county_code.is_some() {
        if header.kind != BundleKind::Village {
            return Err(SyncError::WrongKind {
                file,
                found: "return".into(),
            });
        }
        let Some(registered) = ctx.registry.get(&header.device) else {
            return Err(SyncError::UnknownDevice {
                file,
                device: header.device,
            });
        };
        if registered.revoked {
            return Err(SyncError::RevokedDevice {
                file,
                device: header.device,
            });
        }
        let key = parse_key_hex(&registered.key)
            .map_err(|()| SyncError::KeyMismatch { file: file.clone() })?;
        (key, Some(registered.village.clone()))
    } else {
        if header.kind != BundleKind::Return {
            return Err(SyncError::WrongKind {
                file,
                found: "village".into(),
            });
        }
        let county = ctx
            .county_key
            .as_deref()
            .ok_or_else(|| SyncError::NoCountyKey { file: file.clone() })?;
        let county = CountyPublic::parse(county)?;
        (county.verifying_key, ctx.village.clone())
    };
    if crypto::fingerprint(&signer) != header.key_fingerprint {
        return Err(SyncError::KeyMismatch { file });
    }
    // The payload is hashed once: format 2 signs that hash with the header.
    let payload_hash: [u8; 32] = Sha256::digest(raw.payload).into();
    let (signed, identity) = if raw.version == 1 {
        (raw.signed.to_vec(), sha256_hex(&bytes))
    } else {
        let message = format::signed_message(raw.header_part, &payload_hash);
        let identity = sha256_hex(&message);
        (message, identity)
    };
    if !crypto::verify(&signer, &signed, &raw.signature) {
        return Err(SyncError::BadSignature { file });
    }
    if hex::encode(payload_hash) != header.payload_sha256 {
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
    // Every county has its key from `county init`, and a laptop verifies only with the county's
    // key set: past this point a cleartext bundle is always one sent after a key was set.
    if header.cipher_suite == SUITE_PLAIN {
        return Err(SyncError::Unauthorized {
            file,
            refusal: Refusal {
                record: None,
                rule: Rule::Cleartext,
            },
        });
    }
    let plaintext = if header.cipher_suite == SUITE_AGE {
        ctx.identity
            .as_ref()
            .and_then(|identity| identity.decrypt(raw.payload))
            .ok_or_else(|| SyncError::CannotDecrypt { file: file.clone() })?
    } else {
        raw.payload.to_vec()
    };
    let bad = |detail: String| SyncError::BadPayload {
        file: file.clone(),
        detail,
    };
    let payload = if raw.version == 1 {
        if sha256_hex(&plaintext) != header.content_sha256 {
            return Err(bad("content hash".into()));
        }
        format1::decode(&header, &plaintext).map_err(bad)?
    } else {
        codec::decode(&plaintext).map_err(bad)?
    };
    check_payload(&header, &payload).map_err(bad)?;
    for (t, record) in payload.records() {
        if t.table.name != "visit_photo" {
            continue;
        }
        let column = |name: &str| {
            t.table
                .columns
                .iter()
                .position(|c| *c == name)
                .and_then(|i| record.values.get(i + 1))
        };
        let matches = match (column("sha256"), column("bytes")) {
            (Some(rusqlite::types::Value::Text(hash)), Some(rusqlite::types::Value::Blob(b))) => {
                *hash == sha256_hex(b)
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
        sha256: identity,
        file_sha256: sha256_hex(&bytes),
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

/// The payload must say what the signed header says, and hold each record once.
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
    for (t, record) in payload.records() {
        if !seen_ids.insert((t.table.name, record.id)) {
            return Err(format!("{} {} appears twice", t.table.name, record.id));
        }
    }
    for c in &payload.conflicts {
        let known = super::export::table(&c.table)
            .is_some_and(|t| c.field == "deleted" || t.columns.contains(&c.field.as_str()));
        if !known {
            return Err(format!("conflict on unknown field {}.{}", c.table, c.field));
        }
    }
    Ok(())
}

/// Imports bundles: each is verified, then merged in a transaction of its own, so that a bad file
/// (named in the error) leaves nothing of itself and takes nothing of the others back. A bundle
/// imported before is skipped (reported as such). Each merged bundle is one change of this file
/// (undoable), and the county remembers per bundle which change it made. One bundle refused alone
/// is its error; refusals among several files come as [`SyncError::PartlyRefused`] with the
/// reports of the bundles that were merged. An error that is no bundle's fault (a full disk)
/// stops the run, keeping the bundles merged before it.
pub fn import_files(
    store: &mut Store,
    paths: &[PathBuf],
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<ImportReport>, SyncError> {
    let device = store.device_id();
    let context = VerifyContext::load(store.conn(), device)?;
    let county = context.county_code.is_some();
    let db = store.path().to_path_buf();
    let conn = store.conn_mut();
    conn.pragma_update(None, "cache_size", -crate::store::BULK_CACHE_KIB)
        .map_err(sql)?;
    if paths.len() > 1 {
        conn.pragma_update(
            None,
            "wal_autocheckpoint",
            crate::store::BULK_WAL_AUTOCHECKPOINT_PAGES,
        )
        .map_err(sql)?;
    }
    // A full disk is said as such, not as a merge the records refused.
    let result = merge_all(conn, &context, device, county, paths, progress).map_err(|e| match e {
        SyncError::Store(e) => SyncError::Store(crate::store::write_error(conn, &db, e)),
        other => other,
    });
    conn.pragma_update(None, "cache_size", -crate::store::CACHE_KIB)
        .map_err(sql)?;
    if paths.len() > 1 {
        conn.pragma_update(
            None,
            "wal_autocheckpoint",
            crate::store::WAL_AUTOCHECKPOINT_PAGES,
        )
        .map_err(sql)?;
        // The log the run grew is folded into the file now, not by the next small save. A
        // checkpoint a reader blocks is only postponed: nothing is lost either way.
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }
    // What was refused is logged (for `bundle status`, the sync screen and the county's received
    // panel) after the refused import rolled back: the log line is the one thing written, on a
    // laptop refusing a return bundle as on the county.
    if let Err(e) = &result {
        match e {
            SyncError::PartlyRefused { refused, .. } => {
                for e in refused {
                    record_refusal(store, e);
                }
            }
            e => record_refusal(store, e),
        }
    }
    result
}

/// What a header says, for the county's log.
fn receipt_header(header: &Header) -> ReceiptHeader {
    ReceiptHeader {
        village_code: header.village_code.clone(),
        device: header.device.to_string(),
        created_at: header.created_at.clone(),
        seq_from: header.seq_from,
        seq_to: header.seq_to,
        records: header.counts.records as i64,
    }
}

/// Logs a refused bundle, after the refused import rolled back: the file's name and hash, what
/// its header says when it can be read ("unreadable" otherwise: no village), and the reason in
/// both languages. Errors that are no bundle's fault are not logged.
fn record_refusal(store: &mut Store, error: &SyncError) {
    let Some((file, code)) = error.refused_bundle() else {
        return;
    };
    // A folder, a pipe or an oversized file is not read again: it is logged by name only.
    let bytes = match error {
        SyncError::NotAFile { .. } | SyncError::TooLarge { .. } => None,
        _ => read_file(file).ok(),
    };
    let header = bytes
        .as_deref()
        .and_then(|b| format::read(b).ok())
        .map(|raw| receipt_header(&raw.header));
    let receipt = BundleReceipt {
        received_at: crate::store::now_text(),
        file_name: file_name_of(file),
        file_sha256: bytes.as_deref().map(sha256_hex).unwrap_or_default(),
        outcome: ReceiptOutcome::Refused,
        header,
        reason: Some(RefusalReason {
            code: code.to_string(),
            zh: error.localize(Lang::Zh),
            en: error.localize(Lang::En),
        }),
    };
    // The refusal is what the clerk must hear; a log that cannot be written (a full disk)
    // does not replace it.
    let _ = store.record_refusal(&receipt);
}

fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn merge_all(
    conn: &mut Connection,
    context: &VerifyContext,
    device: Uuid,
    county: bool,
    paths: &[PathBuf],
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<ImportReport>, SyncError> {
    let mut columns = Columns::default();
    let mut refused = Vec::new();
    let reports = std::thread::scope(|scope| -> Result<Vec<ImportReport>, SyncError> {
        let (send, verified) = std::sync::mpsc::sync_channel(1);
        scope.spawn(move || {
            for path in paths {
                if send.send(verify_with(context, path)).is_err() {
                    break;
                }
            }
        });
        let mut reports = Vec::with_capacity(paths.len());
        let mut village = context.village.clone();
        // A county's run commits several bundles at once; a laptop (one return bundle, whose
        // village the next one must match) commits each.
        let per_commit = if county { BUNDLES_PER_COMMIT } else { 1 };
        let mut batch: Vec<Verified> = Vec::with_capacity(per_commit);
        let mut received = verified.iter().enumerate().peekable();
        while let Some((n, verified)) = received.next() {
            progress(Progress {
                done: n,
                total: paths.len(),
            });
            let mut stop = None;
            match verified {
                Ok(verified) => batch.push(verified),
                Err(e) if e.refused_bundle().is_some() => refused.push(e),
                // No bundle's fault: the bundles before it are merged, then the run stops.
                Err(e) => stop = Some(e),
            }
            if stop.is_none() && batch.len() < per_commit && received.peek().is_some() {
                continue;
            }
            let merged = if per_commit == 1 {
                None
            } else {
                merge_batch(conn, context, device, &mut columns, &batch)?
            };
            // Each bundle is its own unit: merged whole, or refused (rolled back) without
            // touching the bundles before or after it.
            let outcomes = match merged {
                Some(outcomes) => outcomes,
                // One commit each: a laptop, or a batch whose commit failed (a reference
                // checked only at commit, a full disk), merged again bundle by bundle so
                // that the failure is the one bundle's.
                None => {
                    let mut outcomes = Vec::with_capacity(batch.len());
                    for verified in &batch {
                        let outcome = merge_one(
                            conn,
                            context,
                            device,
                            county,
                            &mut columns,
                            &mut village,
                            verified,
                        );
                        // No bundle's fault (a full disk): the run stops here, as before.
                        let fatal = matches!(&outcome, Err(e) if e.refused_bundle().is_none());
                        outcomes.push(outcome);
                        if fatal {
                            break;
                        }
                    }
                    outcomes
                }
            };
            batch.clear();
            for outcome in outcomes {
                match outcome {
                    Ok(report) => reports.push(report),
                    Err(e) if e.refused_bundle().is_some() => refused.push(e),
                    Err(e) => return Err(e),
                }
            }
            if let Some(e) = stop {
                return Err(e);
            }
        }
        Ok(reports)
    })?;
    progress(Progress {
        done: paths.len(),
        total: paths.len(),
    });
    if refused.is_empty() {
        return Ok(reports);
    }
    if reports.is_empty() && refused.len() == 1 {
        return Err(refused.remove(0));
    }
    Err(SyncError::PartlyRefused {
        imported: reports,
        refused,
    })
}

/// Merges a county's batch of bundles under one commit, each in a savepoint (a refused bundle
/// rolls back to its own). `None` when the commit failed, with nothing of the batch kept: the
/// caller merges the batch again one bundle per commit.
fn merge_batch(
    conn: &mut Connection,
    context: &VerifyContext,
    device: Uuid,
    columns: &mut Columns,
    batch: &[Verified],
) -> Result<Option<Vec<Result<ImportReport, SyncError>>>, SyncError> {
    if batch.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let tx = begin_merge(conn)?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for verified in batch {
        tx.execute_batch("SAVEPOINT bundle").map_err(sql)?;
        let outcome = merge_in(&tx, context, device, true, columns, None, verified);
        let closed = if outcome.is_ok() {
            tx.execute_batch("RELEASE bundle")
        } else {
            tx.execute_batch("ROLLBACK TO bundle; RELEASE bundle")
        };
        match outcome {
            // Not the bundle's fault (a full disk, which may also have ended the transaction):
            // bundle by bundle, the ones before it are kept and the failure is said once.
            Err(e) if e.refused_bundle().is_none() => return Ok(None),
            _ if closed.is_err() => return Ok(None),
            outcome => outcomes.push(outcome),
        }
    }
    match tx.commit() {
        Ok(()) => Ok(Some(outcomes)),
        // The transaction is rolled back when the commit fails.
        Err(_) => Ok(None),
    }
}

/// Merges one verified bundle in a transaction of its own.
fn merge_one(
    conn: &mut Connection,
    context: &VerifyContext,
    device: Uuid,
    county: bool,
    columns: &mut Columns,
    village: &mut Option<String>,
    verified: &Verified,
) -> Result<ImportReport, SyncError> {
    let tx = begin_merge(conn)?;
    let report = merge_in(
        &tx,
        context,
        device,
        county,
        columns,
        village.as_deref(),
        verified,
    )?;
    tx.commit()
        .map_err(|e| merge_refused(sql(e), &verified.file))?;
    if !county && !report.already_imported {
        *village = Some(report.header.village_code.clone());
    }
    Ok(report)
}

/// The transaction bundles merge in.
fn begin_merge(conn: &mut Connection) -> Result<rusqlite::Transaction<'_>, SyncError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql)?;
    // A bundle lists children and parents in any order; references are checked at commit.
    tx.pragma_update(None, "defer_foreign_keys", "ON")
        .map_err(sql)?;
    Ok(tx)
}

/// How many bundles of a county's run merge under one commit, each in a savepoint of its own (a
/// refused bundle is rolled back to its savepoint, leaving the others). A county bundle touches
/// index pages all over the file; committing each bundle wrote those pages to the log again for
/// every bundle (about 30 MB a village, 6 GB for 200 villages), where one commit for several
/// writes each page once.
const BUNDLES_PER_COMMIT: usize = 25;

/// Merges one verified bundle inside `tx` (the caller commits): checks what its signature
/// allows, merges its records and remembers it.
fn merge_in(
    tx: &rusqlite::Transaction,
    context: &VerifyContext,
    device: Uuid,
    county: bool,
    columns: &mut Columns,
    village: Option<&str>,
    verified: &Verified,
) -> Result<ImportReport, SyncError> {
    // Device numbers are cached per bundle: a refused bundle's are rolled back with it.
    let devices = Devices::default();
    let path = &verified.file;
    let known: bool = tx
        .query_row(
            "SELECT count(*) FROM sync_bundle WHERE sha256 = ?1 AND direction = 'import'",
            [&verified.sha256],
            |r| r.get::<_, i64>(0),
        )
        .map_err(sql)?
        > 0;
    if known {
        if county {
            record_receipt(
                tx,
                &BundleReceipt {
                    received_at: crate::store::now_text(),
                    file_name: file_name_of(path),
                    file_sha256: verified.file_sha256.clone(),
                    outcome: ReceiptOutcome::AlreadyImported,
                    header: Some(receipt_header(&verified.header)),
                    reason: None,
                },
            )?;
        }
        return Ok(ImportReport {
            file: path.clone(),
            header: verified.header.clone(),
            already_imported: true,
            gap: None,
            history_rewritten: None,
            stats: MergeStats::default(),
        });
    }
    let header = &verified.header;
    // A village device's first return bundles must all be of one village.
    if !county
        && let Some(expected) = village
        && expected != header.village_code
    {
        return Err(SyncError::WrongVillage {
            file: path.clone(),
            expected: expected.to_string(),
            found: header.village_code.clone(),
        });
    }
    // What the signature allows, checked before the bundle writes anything.
    let signer_village = if county {
        context
            .registry
            .get(&header.device)
            .map(|r| r.village.clone())
            .unwrap_or_default()
    } else {
        header.village_code.clone()
    };
    let same_village = |d: &Uuid| {
        context
            .registry
            .get(d)
            .is_none_or(|r| r.village == signer_village)
    };
    authorize(
        tx,
        columns,
        &Authority {
            village: &signer_village,
            village_devices: county.then_some(&same_village as &dyn Fn(&Uuid) -> bool),
            receiver: device,
            now_ms: Stamp::wall_ms() as i64,
        },
        &verified.payload,
        header.full,
        path,
    )?;
    let change = ImportChange {
        change_id: Uuid::new_v4(),
        at: crate::store::now_text(),
        device: device.to_string(),
        lseq: next_lseq(tx)?,
    };
    record_change(tx, change.lseq, change.change_id, &change.at, "sync", None)?;
    let stats = merge_payload(tx, &change, &devices, &verified.payload, county)
        .map_err(|e| merge_refused(e, path))?;
    let gap = advance_peer(tx, header, &change.at)?;
    let history_rewritten = if county {
        history::compare_and_record(tx, header, &change.at)?
    } else {
        None
    };
    if !county {
        let mine = verified.payload.acks.iter().find(|a| a.device == device);
        if let Some(ack) = mine {
            acknowledge(tx, ack.seq)?;
        }
    }
    remember_bundle(
        tx,
        "import",
        header,
        &verified.sha256,
        path,
        Some(change.lseq),
    )?;
    if county {
        record_receipt(
            tx,
            &BundleReceipt {
                received_at: change.at.clone(),
                file_name: file_name_of(path),
                file_sha256: verified.file_sha256.clone(),
                outcome: ReceiptOutcome::Imported,
                header: Some(receipt_header(header)),
                reason: None,
            },
        )?;
    }
    Ok(ImportReport {
        file: path.clone(),
        header: verified.header.clone(),
        already_imported: false,
        gap,
        history_rewritten,
        stats,
    })
}

/// A constraint the merged records broke (two devices' income of one year, say) is the bundle's
/// refusal; any other database error (a full disk) is left to be said as what it is.
fn merge_refused(e: SyncError, file: &Path) -> SyncError {
    match e {
        SyncError::Store(crate::store::StoreError::Sqlite(err))
            if err.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) =>
        {
            SyncError::MergeRefused {
                file: file.to_path_buf(),
                detail: err.to_string(),
            }
        }
        other => other,
    }
}

/// Records how far a sender's changes have arrived. The acknowledged number only moves over
/// contiguous ranges, so a sender whose earlier bundle never arrived sends it again; a jump is
/// returned as a gap to report.
fn advance_peer(
    tx: &rusqlite::Transaction,
    header: &Header,
    at: &str,
) -> Result<Option<(i64, i64)>, SyncError> {
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
        .map_err(sql)?
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    if seq > current {
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![ACKED_KEY, seq.to_string()],
        )
        .map_err(sql)?;
    }
    Ok(())
}
