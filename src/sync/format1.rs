//! Bundle format 1, still read: the payload is one JSON document naming every field of every
//! record with its text stamp and seen map. It is checked against its header as format 1 was, then
//! turned into the [`Payload`] of today (one stamp per record, field clocks where they differ).

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::export::table;
use super::manifest::{
    Ack, AuditEntry, BundleKind, ConflictRow, Counts, Header, Payload, RecordRow, TableRows,
};
use crate::store::clock::{FieldClock, Seen, Stamp, compress};
use crate::store::sync_tables;

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

impl From<FieldValue> for Value {
    fn from(v: FieldValue) -> Self {
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
    /// Device → the newest stamp of it this version had seen.
    #[serde(default)]
    pub seen: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordRowV1 {
    pub table: String,
    pub id: Uuid,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
    pub fields: Vec<FieldRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictRowV1 {
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntryV1 {
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

/// The payload of format 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayloadV1 {
    pub kind: BundleKind,
    pub device: Uuid,
    pub village_code: String,
    pub seq_from: i64,
    pub seq_to: i64,
    pub records: Vec<RecordRowV1>,
    pub conflicts: Vec<ConflictRowV1>,
    pub audit: Vec<AuditEntryV1>,
    pub acks: Vec<Ack>,
}

impl PayloadV1 {
    fn counts(&self) -> Counts {
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

fn clock_of(field: &FieldRow) -> FieldClock {
    let stamp = Stamp::parse(&field.hlc);
    let mut seen: Seen = field
        .seen
        .values()
        .filter_map(|s| Stamp::parse(s))
        .collect();
    if let Some(s) = stamp {
        seen.add(s);
    }
    FieldClock { stamp, seen }
}

/// Parses a format-1 plaintext payload, checks it against its header as format 1 did (counts,
/// known tables, every field in order, no record twice) and returns today's payload.
pub fn decode(header: &Header, plaintext: &[u8]) -> Result<Payload, String> {
    let mut filled_fields = 0;
    let old: PayloadV1 = serde_json::from_slice(plaintext).map_err(|e| e.to_string())?;
    if old.counts() != header.counts {
        return Err("counts differ from the signed header".into());
    }
    let mut seen_ids = BTreeSet::new();
    let mut tables: Vec<TableRows> = sync_tables()
        .into_iter()
        .map(|table| TableRows {
            table,
            records: Vec::new(),
        })
        .collect();
    for record in old.records {
        let Some(t) = table(&record.table) else {
            return Err(format!("unknown table {}", record.table));
        };
        let given: Vec<&str> = record.fields.iter().map(|f| f.name.as_str()).collect();
        let same = given.first() == Some(&"deleted")
            && (t.columns == &given[1..]
                || crate::store::migrate_issue13::older_width(t.name, t.columns, &given[1..])
                    .is_some());
        if !same {
            return Err(format!(
                "fields of {} {} do not match",
                record.table, record.id
            ));
        }
        if !seen_ids.insert((record.table.clone(), record.id)) {
            return Err(format!("{} {} appears twice", record.table, record.id));
        }
        let mut clocks: Vec<FieldClock> = record.fields.iter().map(clock_of).collect();
        // A column the old app did not have: unstamped, so it never overwrites a value here.
        clocks.resize(t.columns.len() + 1, FieldClock::default());
        let (stamp, fields) = compress(&clocks);
        let rows = tables
            .iter_mut()
            .find(|rows| rows.table.name == t.name)
            .expect("every synced table is listed");
        rows.records.push(RecordRow {
            id: record.id,
            created_at: record.created_at,
            updated_at: record.updated_at,
            updated_by: record.updated_by,
            stamp,
            values: {
                let mut values: Vec<Value> =
                    record.fields.into_iter().map(|f| f.value.into()).collect();
                let mut none = Vec::new();
                filled_fields += crate::sync::codec::fill_added_columns(&t, &mut values, &mut none);
                values
            },
            fields,
        });
    }
    tables.retain(|t| !t.records.is_empty());
    let conflicts = old
        .conflicts
        .into_iter()
        .map(|c| ConflictRow {
            table: c.table,
            record_id: c.record_id,
            field: c.field,
            loser_hlc: c.loser_hlc,
            loser_value: c.loser_value.into(),
            winner_hlc: c.winner_hlc,
            winner_value: c.winner_value.into(),
            detected_at: c.detected_at,
            resolved: c.resolved,
        })
        .collect();
    let audit = old
        .audit
        .into_iter()
        .map(|a| AuditEntry {
            device: a.device,
            seq: a.seq,
            change_id: a.change_id,
            at: a.at,
            actor: a.actor,
            table: a.table,
            record_id: a.record_id,
            field: a.field,
            old_value: a.old_value.into(),
            new_value: a.new_value.into(),
        })
        .collect();
    Ok(Payload {
        kind: old.kind,
        device: old.device,
        village_code: old.village_code,
        seq_from: old.seq_from,
        seq_to: old.seq_to,
        tables,
        conflicts,
        // Format 1 has no change list: who changed what is in its audit rows.
        changes: Vec::new(),
        audit,
        acks: old.acks,
        filled_fields,
    })
}
