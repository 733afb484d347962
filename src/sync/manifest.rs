//! What a bundle says about itself (the signed [`Header`]) and what it carries (the [`Payload`]),
//! as serde types. The header travels in the clear so that `bundle inspect` and the importer can
//! check it before decrypting anything; the payload repeats device, village and sequence so that a
//! payload moved under another header is caught.

use base64::Engine;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::hlc::Seen;

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
    /// SHA-256 of the plaintext payload, hex.
    pub content_sha256: String,
}

/// A stored value, typed as SQLite stores it. Blobs (photos) travel as base64.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum FieldValue {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(#[serde(with = "base64_bytes")] Vec<u8>),
}

mod base64_bytes {
    use super::*;
    pub fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(serde::de::Error::custom)
    }
}

impl From<rusqlite::types::Value> for FieldValue {
    fn from(v: rusqlite::types::Value) -> Self {
        use rusqlite::types::Value;
        match v {
            Value::Null => FieldValue::Null,
            Value::Integer(i) => FieldValue::Int(i),
            Value::Real(f) => FieldValue::Real(f),
            Value::Text(t) => FieldValue::Text(t),
            Value::Blob(b) => FieldValue::Blob(b),
        }
    }
}

impl From<FieldValue> for rusqlite::types::Value {
    fn from(v: FieldValue) -> Self {
        use rusqlite::types::Value;
        match v {
            FieldValue::Null => Value::Null,
            FieldValue::Int(i) => Value::Integer(i),
            FieldValue::Real(f) => Value::Real(f),
            FieldValue::Text(t) => Value::Text(t),
            FieldValue::Blob(b) => Value::Blob(b),
        }
    }
}

/// One field of a record with its clock. An empty `hlc` is an unstamped (bulk-loaded) value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldRow {
    pub name: String,
    pub value: FieldValue,
    #[serde(default)]
    pub hlc: String,
    #[serde(default)]
    pub seen: Seen,
}

/// One record: every data column plus `deleted`, each with its clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordRow {
    pub table: String,
    pub id: Uuid,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
    pub fields: Vec<FieldRow>,
}

/// A losing value kept for a person to resolve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictRow {
    pub table: String,
    pub record_id: Uuid,
    pub field: String,
    pub loser_hlc: String,
    pub loser_value: FieldValue,
    pub winner_hlc: String,
    pub winner_value: FieldValue,
    pub detected_at: String,
    pub resolved: bool,
}

/// One audit row of the originating device (who changed what, when).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub device: Uuid,
    pub seq: i64,
    pub change_id: String,
    pub at: String,
    pub actor: String,
    pub table: String,
    pub record_id: String,
    pub field: String,
    pub old_value: FieldValue,
    pub new_value: FieldValue,
}

/// The county's acknowledgement: it has imported `device`'s changes up to `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub device: Uuid,
    pub seq: i64,
}

/// What a bundle carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    pub kind: BundleKind,
    pub device: Uuid,
    pub village_code: String,
    pub seq_from: i64,
    pub seq_to: i64,
    pub records: Vec<RecordRow>,
    pub conflicts: Vec<ConflictRow>,
    pub audit: Vec<AuditEntry>,
    pub acks: Vec<Ack>,
}

impl Payload {
    /// The counts a header states for this payload.
    pub fn counts(&self) -> Counts {
        Counts {
            records: self.records.len(),
            tombstones: self
                .records
                .iter()
                .filter(|r| {
                    r.fields
                        .iter()
                        .any(|f| f.name == "deleted" && f.value == FieldValue::Int(1))
                })
                .count(),
            fields: self.records.iter().map(|r| r.fields.len()).sum(),
            conflicts: self.conflicts.len(),
            audit_rows: self.audit.len(),
            attachments: self
                .records
                .iter()
                .filter(|r| r.table == "visit_photo")
                .count(),
            acknowledgements: self.acks.len(),
        }
    }
}
