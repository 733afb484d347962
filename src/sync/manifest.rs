//! What a bundle says about itself (the signed [`Header`], JSON in the clear so that
//! `bundle inspect` and the importer can check it before decrypting anything) and what it carries
//! (the [`Payload`]: records table by table with their clocks, conflicts, the senders' changes and
//! audit rows, acknowledgements). The payload repeats device, village and sequence so that a
//! payload moved under another header is caught. On disk the payload is the binary encoding of
//! `codec.rs` (format 2) or the JSON of `format1.rs` (format 1, still read).

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::store::SyncTable;
use crate::store::audit_chain::ChainPoint;
use crate::store::clock::{FieldClock, Stamp};

/// The cipher suite of a bundle without a county key: signed, not encrypted.
pub const SUITE_PLAIN: &str = "ed25519+none";
/// Signed with Ed25519, encrypted with age (X25519 + ChaCha20-Poly1305).
pub const SUITE_AGE: &str = "ed25519+age-x25519-chacha20poly1305";

/// Which way a bundle travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BundleKind {
    /// From a village device to the county.
    Village,
    /// From the county back to the devices of one village.
    Return,
}

/// How many of each thing the payload holds (checked against the payload on import).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub records: usize,
    pub tombstones: usize,
    pub fields: usize,
    pub conflicts: usize,
    pub audit_rows: usize,
    pub attachments: usize,
    pub acknowledgements: usize,
}

/// The signed, readable header of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format_version: u16,
    pub kind: BundleKind,
    pub cipher_suite: String,
    pub village_code: String,
    /// The sending device (for a return bundle, the county's device).
    pub device: Uuid,
    /// Fingerprint of the sender's verifying key (`crypto::fingerprint`).
    pub key_fingerprint: String,
    /// The sender's change numbers this bundle covers, inclusive.
    pub seq_from: i64,
    pub seq_to: i64,
    /// A full export (everything, including unstamped bulk-loaded records).
    pub full: bool,
    pub created_at: String,
    pub counts: Counts,
    /// SHA-256 of the payload bytes as stored in the file (encrypted or not), hex.
    pub payload_sha256: String,
    /// Format 1 only: SHA-256 of the plaintext payload, hex (format 2 relies on the encryption's
    /// own authentication and the signed payload hash, so the payload is hashed once).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content_sha256: String,
    /// The sender's audit-chain heads (`store::audit_chain`), so that the county can tell an
    /// edited history; absent in bundles written before the chain existed (they still import).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_chain: Option<AuditChainHeads>,
}

/// Where a village bundle's changes sit in its sender's audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditChainHeads {
    /// The head after the change before `seq_from` (absent for a full export, or before any
    /// change): what the county recorded from the sender's previous bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<ChainPoint>,
    /// The head after `seq_to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip: Option<ChainPoint>,
}

/// The records of one table: the schema (the table's columns) once, then the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRows {
    pub table: SyncTable,
    pub records: Vec<RecordRow>,
}

/// One record: `deleted` and every data column of its table (in the table's order), the record's
/// stamp, and the clocks of the fields changed on their own since (field 0 is `deleted`).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRow {
    pub id: Uuid,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
    /// The stamp of the change that created the record (`None`: written before sync existed).
    pub stamp: Option<Stamp>,
    pub values: Vec<Value>,
    pub fields: Vec<(usize, FieldClock)>,
}

impl RecordRow {
    /// The clock of field `field`.
    pub fn clock(&self, field: usize) -> FieldClock {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, c)| c.clone())
            .unwrap_or_else(|| FieldClock::of_record(self.stamp))
    }

    pub fn is_tombstone(&self) -> bool {
        self.values.first() == Some(&Value::Integer(1))
    }
}

/// A losing value kept for a person to resolve.
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictRow {
    pub table: String,
    pub record_id: Uuid,
    pub field: String,
    pub loser_hlc: String,
    pub loser_value: Value,
    pub winner_hlc: String,
    pub winner_value: Value,
    pub detected_at: String,
    pub resolved: bool,
}

/// One change of a device: who made it and when (the records it created carry its stamp).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeEntry {
    pub device: Uuid,
    /// The device's change number.
    pub n: i64,
    pub change_id: String,
    pub at: String,
    pub actor: String,
    /// The clock of the change's stamp (`None` for an import or a change from before sync).
    pub stamp: Option<i64>,
}

/// One audit row of the originating device: a field that a change changed (`field` is empty
/// for a record created before creations were implied by the change log).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub device: Uuid,
    pub seq: i64,
    pub change_id: String,
    pub at: String,
    pub actor: String,
    pub table: String,
    pub record_id: String,
    pub field: String,
    pub old_value: Value,
    pub new_value: Value,
}

/// The county's acknowledgement: it has imported `device`'s changes up to `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub device: Uuid,
    pub seq: i64,
}

/// What a bundle carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    pub kind: BundleKind,
    pub device: Uuid,
    pub village_code: String,
    pub seq_from: i64,
    pub seq_to: i64,
    pub tables: Vec<TableRows>,
    pub conflicts: Vec<ConflictRow>,
    pub changes: Vec<ChangeEntry>,
    pub audit: Vec<AuditEntry>,
    pub acks: Vec<Ack>,
    /// Values an older app's bundle lacked and the reader filled with their defaults: not part
    /// of what the sender signed, so the counts leave them out.
    pub filled_fields: usize,
}

impl Payload {
    /// Every record, table by table.
    pub fn records(&self) -> impl Iterator<Item = (&TableRows, &RecordRow)> {
        self.tables
            .iter()
            .flat_map(|t| t.records.iter().map(move |r| (t, r)))
    }

    /// The counts a header states for this payload.
    pub fn counts(&self) -> Counts {
        Counts {
            records: self.records().count(),
            tombstones: self.records().filter(|(_, r)| r.is_tombstone()).count(),
            fields: self.records().map(|(_, r)| r.values.len()).sum::<usize>() - self.filled_fields,
            conflicts: self.conflicts.len(),
            audit_rows: self.audit.len(),
            attachments: self
                .records()
                .filter(|(t, _)| t.table.name == "visit_photo")
                .count(),
            acknowledgements: self.acks.len(),
        }
    }

    /// The newest clock the payload names (records, fields, seen maps, changes).
    pub fn newest_clock(&self) -> Option<i64> {
        let records = self.records().flat_map(|(_, r)| {
            r.stamp.map(|s| s.clock).into_iter().chain(
                r.fields
                    .iter()
                    .flat_map(|(_, c)| c.seen.stamps().iter().map(|s| s.clock)),
            )
        });
        records
            .chain(self.changes.iter().filter_map(|c| c.stamp))
            .max()
    }
}
