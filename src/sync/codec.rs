//! The payload of bundle format 2: a compact binary encoding with each table's schema once.
//!
//! Integers are LEB128 varints (signed ones zigzagged); a string is written once and referred to by
//! number afterwards (codes, dates, household ids repeat on every row); UUIDs are 16 bytes; stamps
//! name their device by its place in the payload's device list. Layout, in order:
//!
//! ```text
//! kind u8 | device uuid | village_code str | seq_from i | seq_to i
//! devices: n, uuid × n                         (stamps refer to them by index)
//! tables:  n, { name str, columns: n, str × n, records: n,
//!               { id uuid, created_at str, updated_at str, updated_by str, stamp,
//!                 value × (1 + columns)        (deleted first)
//!                 field clocks: n, { field u, stamp, seen: n, { device u, clock u } } } }
//! conflicts: n, { table str, record uuid, field str, loser_hlc str, value,
//!                 winner_hlc str, value, detected_at str, resolved u8 }
//! changes: n, { device u, n i, change_id str, at str, actor str, clock opt }
//! audit:   n, { device u, seq i, change_id str, at str, actor str, table str, record str,
//!               field str, old value, new value }
//! acks:    n, { device uuid, seq i }
//! stamp  = 0 (unstamped) | device index + 1, clock u
//! value  = 0 null | 1 int i | 2 real f64 LE | 3 text str | 4 blob n, bytes
//! str    = 0, n, UTF-8 bytes (a new string) | k (the k-th string written before, from 1)
//! ```
//!
//! The reader checks every length against what is left, so a damaged payload is refused, never
//! trusted.

use std::collections::HashMap;

use rusqlite::types::Value;
use uuid::Uuid;

use super::manifest::{
    Ack, AuditEntry, BundleKind, ChangeEntry, ConflictRow, Payload, RecordRow, TableRows,
};
use crate::store::SyncTable;
use crate::store::clock::{FieldClock, Seen, Stamp};
use crate::store::migrate_issue13::{added_column_default, older_width};
use crate::store::sync_tables;

#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    strings: HashMap<String, u64>,
    devices: Vec<Uuid>,
    device_index: HashMap<Uuid, u64>,
}

impl Writer {
    fn u(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.out.push(byte);
                return;
            }
            self.out.push(byte | 0x80);
        }
    }

    fn i(&mut self, v: i64) {
        self.u(((v << 1) ^ (v >> 63)) as u64);
    }

    fn uuid(&mut self, id: Uuid) {
        self.out.extend_from_slice(id.as_bytes());
    }

    fn str(&mut self, s: &str) {
        if let Some(k) = self.strings.get(s) {
            let k = *k;
            self.u(k);
            return;
        }
        self.u(0);
        self.u(s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
        let k = self.strings.len() as u64 + 1;
        self.strings.insert(s.to_string(), k);
    }

    fn device(&self, id: Uuid) -> u64 {
        self.device_index[&id]
    }

    fn stamp(&mut self, stamp: Option<Stamp>) {
        match stamp {
            None => self.u(0),
            Some(s) => {
                let d = self.device(s.device);
                self.u(d + 1);
                self.u(s.clock as u64);
            }
        }
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.out.push(0),
            Value::Integer(i) => {
                self.out.push(1);
                self.i(*i);
            }
            Value::Real(f) => {
                self.out.push(2);
                self.out.extend_from_slice(&f.to_le_bytes());
            }
            Value::Text(t) => {
                self.out.push(3);
                self.str(t);
            }
            Value::Blob(b) => {
                self.out.push(4);
                self.u(b.len() as u64);
                self.out.extend_from_slice(b);
            }
        }
    }
}

/// Encodes a payload.
pub fn encode(p: &Payload) -> Vec<u8> {
    let mut w = Writer::default();
    // Every device a stamp or a change names, in order of first appearance.
    let note = |w: &mut Writer, id: Uuid| {
        if !w.device_index.contains_key(&id) {
            w.device_index.insert(id, w.devices.len() as u64);
            w.devices.push(id);
        }
    };
    for (_, r) in p.records() {
        if let Some(s) = r.stamp {
            note(&mut w, s.device);
        }
        for (_, c) in &r.fields {
            for s in c.stamp.iter().chain(c.seen.stamps()) {
                note(&mut w, s.device);
            }
        }
    }
    for c in &p.changes {
        note(&mut w, c.device);
    }
    for a in &p.audit {
        note(&mut w, a.device);
    }
    w.out.push(match p.kind {
        BundleKind::Village => 0,
        BundleKind::Return => 1,
    });
    w.uuid(p.device);
    w.str(&p.village_code);
    w.i(p.seq_from);
    w.i(p.seq_to);
    w.u(w.devices.len() as u64);
    for d in w.devices.clone() {
        w.uuid(d);
    }
    w.u(p.tables.len() as u64);
    for t in &p.tables {
        w.str(t.table.name);
        w.u(t.table.columns.len() as u64);
        for c in t.table.columns {
            w.str(c);
        }
        w.u(t.records.len() as u64);
        for r in &t.records {
            w.uuid(r.id);
            w.str(&r.created_at);
            w.str(&r.updated_at);
            w.str(&r.updated_by);
            w.stamp(r.stamp);
            for v in &r.values {
                w.value(v);
            }
            w.u(r.fields.len() as u64);
            for (field, clock) in &r.fields {
                w.u(*field as u64);
                w.stamp(clock.stamp);
                w.u(clock.seen.stamps().len() as u64);
                for s in clock.seen.stamps() {
                    let d = w.device(s.device);
                    w.u(d);
                    w.u(s.clock as u64);
                }
            }
        }
    }
    w.u(p.conflicts.len() as u64);
    for c in &p.conflicts {
        w.str(&c.table);
        w.uuid(c.record_id);
        w.str(&c.field);
        w.str(&c.loser_hlc);
        w.value(&c.loser_value);
        w.str(&c.winner_hlc);
        w.value(&c.winner_value);
        w.str(&c.detected_at);
        w.out.push(u8::from(c.resolved));
    }
    w.u(p.changes.len() as u64);
    for c in &p.changes {
        let d = w.device(c.device);
        w.u(d);
        w.i(c.n);
        w.str(&c.change_id);
        w.str(&c.at);
        w.str(&c.actor);
        match c.stamp {
            None => w.u(0),
            Some(clock) => {
                w.u(1);
                w.u(clock as u64);
            }
        }
    }
    w.u(p.audit.len() as u64);
    for a in &p.audit {
        let d = w.device(a.device);
        w.u(d);
        w.i(a.seq);
        w.str(&a.change_id);
        w.str(&a.at);
        w.str(&a.actor);
        w.str(&a.table);
        w.str(&a.record_id);
        w.str(&a.field);
        w.value(&a.old_value);
        w.value(&a.new_value);
    }
    w.u(p.acks.len() as u64);
    for a in &p.acks {
        w.uuid(a.device);
        w.i(a.seq);
    }
    w.out
}

struct Reader<'a> {
    bytes: &'a [u8],
    strings: Vec<String>,
    devices: Vec<Uuid>,
}

type Read<T> = Result<T, String>;

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Read<&'a [u8]> {
        if n > self.bytes.len() {
            return Err("truncated".into());
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Read<u8> {
        Ok(self.take(1)?[0])
    }

    fn u(&mut self) -> Read<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }

    fn i(&mut self) -> Read<i64> {
        let v = self.u()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    /// A count of items each at least one byte long: never more than the bytes left.
    fn count(&mut self) -> Read<usize> {
        let n = self.u()?;
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= self.bytes.len())
            .ok_or_else(|| format!("count {n} beyond the payload"))
    }

    fn uuid(&mut self) -> Read<Uuid> {
        Ok(Uuid::from_bytes(
            self.take(16)?.try_into().expect("16 bytes"),
        ))
    }

    fn str(&mut self) -> Read<String> {
        match self.u()? {
            0 => {
                let n = self.count()?;
                let text = std::str::from_utf8(self.take(n)?)
                    .map_err(|_| "text is not UTF-8".to_string())?
                    .to_string();
                self.strings.push(text.clone());
                Ok(text)
            }
            k => self
                .strings
                .get(k as usize - 1)
                .cloned()
                .ok_or_else(|| format!("string {k} not defined")),
        }
    }

    fn device(&mut self) -> Read<Uuid> {
        let d = self.u()?;
        self.devices
            .get(d as usize)
            .copied()
            .ok_or_else(|| format!("device {d} not listed"))
    }

    fn clock(&mut self) -> Read<i64> {
        i64::try_from(self.u()?).map_err(|_| "clock out of range".to_string())
    }

    fn stamp(&mut self) -> Read<Option<Stamp>> {
        match self.u()? {
            0 => Ok(None),
            d => {
                let device = self
                    .devices
                    .get(d as usize - 1)
                    .copied()
                    .ok_or_else(|| format!("device {d} not listed"))?;
                Ok(Some(Stamp {
                    clock: self.clock()?,
                    device,
                }))
            }
        }
    }

    fn value(&mut self) -> Read<Value> {
        Ok(match self.byte()? {
            0 => Value::Null,
            1 => Value::Integer(self.i()?),
            2 => Value::Real(f64::from_le_bytes(
                self.take(8)?.try_into().expect("8 bytes"),
            )),
            3 => Value::Text(self.str()?),
            4 => {
                let n = self.count()?;
                Value::Blob(self.take(n)?.to_vec())
            }
            tag => return Err(format!("unknown value type {tag}")),
        })
    }
}

/// The synced table named `name` whose columns are exactly `columns`, or the columns it had
/// before later columns were appended (a bundle of an older app: the missing columns are filled
/// with their defaults, unstamped, so they never overwrite a value here). A payload written for
/// another schema is refused: a newer schema needs a newer app.
fn known_table(name: &str, columns: &[String]) -> Read<SyncTable> {
    let table = sync_tables()
        .into_iter()
        .find(|t| t.name == name)
        .ok_or_else(|| format!("unknown table {name}"))?;
    let given: Vec<&str> = columns.iter().map(String::as_str).collect();
    if table.columns != given.as_slice() && older_width(table.name, table.columns, &given).is_none()
    {
        return Err(format!("columns of {name} do not match"));
    }
    Ok(table)
}

/// Completes a record of an older app's bundle with the columns it lacks (see [`known_table`]).
pub(crate) fn fill_added_columns(
    table: &SyncTable,
    values: &mut Vec<Value>,
    fields: &mut Vec<(usize, FieldClock)>,
) -> usize {
    let width = table.columns.len() + 1;
    let given = values.len();
    while values.len() < width {
        let column = table.columns[values.len() - 1];
        fields.push((values.len(), FieldClock::default()));
        values.push(added_column_default(column));
    }
    width.saturating_sub(given)
}

/// Decodes a payload, refusing anything damaged or naming tables and columns this build lacks.
pub fn decode(bytes: &[u8]) -> Read<Payload> {
    let mut filled_fields = 0;
    let mut r = Reader {
        bytes,
        strings: Vec::new(),
        devices: Vec::new(),
    };
    let kind = match r.byte()? {
        0 => BundleKind::Village,
        1 => BundleKind::Return,
        k => return Err(format!("unknown kind {k}")),
    };
    let device = r.uuid()?;
    let village_code = r.str()?;
    let seq_from = r.i()?;
    let seq_to = r.i()?;
    let n = r.count()?;
    for _ in 0..n {
        let d = r.uuid()?;
        r.devices.push(d);
    }
    let mut tables = Vec::new();
    for _ in 0..r.count()? {
        let name = r.str()?;
        let columns = (0..r.count()?).map(|_| r.str()).collect::<Read<Vec<_>>>()?;
        let table = known_table(&name, &columns)?;
        let width = columns.len() + 1;
        let count = r.count()?;
        let mut records = Vec::with_capacity(count);
        for _ in 0..count {
            let id = r.uuid()?;
            let created_at = r.str()?;
            let updated_at = r.str()?;
            let updated_by = r.str()?;
            let stamp = r.stamp()?;
            let values = (0..width).map(|_| r.value()).collect::<Read<Vec<_>>>()?;
            let mut fields = Vec::new();
            for _ in 0..r.count()? {
                let field = r.u()? as usize;
                if field >= width {
                    return Err(format!("field {field} of {name} {id} does not exist"));
                }
                let stamp = r.stamp()?;
                let mut seen = Seen::default();
                for _ in 0..r.count()? {
                    let device = r.device()?;
                    seen.add(Stamp {
                        clock: r.clock()?,
                        device,
                    });
                }
                fields.push((field, FieldClock { stamp, seen }));
            }
            let (mut values, mut fields) = (values, fields);
            filled_fields += fill_added_columns(&table, &mut values, &mut fields);
            records.push(RecordRow {
                id,
                created_at,
                updated_at,
                updated_by,
                stamp,
                values,
                fields,
            });
        }
        tables.push(TableRows { table, records });
    }
    let mut conflicts = Vec::new();
    for _ in 0..r.count()? {
        conflicts.push(ConflictRow {
            table: r.str()?,
            record_id: r.uuid()?,
            field: r.str()?,
            loser_hlc: r.str()?,
            loser_value: r.value()?,
            winner_hlc: r.str()?,
            winner_value: r.value()?,
            detected_at: r.str()?,
            resolved: r.byte()? != 0,
        });
    }
    let mut changes = Vec::new();
    for _ in 0..r.count()? {
        changes.push(ChangeEntry {
            device: r.device()?,
            n: r.i()?,
            change_id: r.str()?,
            at: r.str()?,
            actor: r.str()?,
            stamp: match r.u()? {
                0 => None,
                _ => Some(r.clock()?),
            },
        });
    }
    let mut audit = Vec::new();
    for _ in 0..r.count()? {
        audit.push(AuditEntry {
            device: r.device()?,
            seq: r.i()?,
            change_id: r.str()?,
            at: r.str()?,
            actor: r.str()?,
            table: r.str()?,
            record_id: r.str()?,
            field: r.str()?,
            old_value: r.value()?,
            new_value: r.value()?,
        });
    }
    let mut acks = Vec::new();
    for _ in 0..r.count()? {
        acks.push(Ack {
            device: r.uuid()?,
            seq: r.i()?,
        });
    }
    if !r.bytes.is_empty() {
        return Err("trailing bytes".into());
    }
    Ok(Payload {
        kind,
        device,
        village_code,
        seq_from,
        seq_to,
        tables,
        conflicts,
        changes,
        audit,
        acks,
        filled_fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> Payload {
        let a = Stamp {
            clock: 1_700_000_000_000 << 16,
            device: Uuid::from_bytes([1; 16]),
        };
        let b = Stamp {
            clock: (1_700_000_000_500 << 16) + 3,
            device: Uuid::from_bytes([2; 16]),
        };
        let table = sync_tables()
            .into_iter()
            .find(|t| t.name == "poverty_line")
            .unwrap();
        let record = |id: u8, line: f64| RecordRow {
            id: Uuid::from_bytes([id; 16]),
            created_at: "2026-01-01T00:00:00.000Z".into(),
            updated_at: "2026-01-01T00:00:00.000Z".into(),
            updated_by: a.device.to_string(),
            stamp: Some(a),
            values: vec![
                0.into(),
                2016.into(),
                line.into(),
                String::new().into(),
                String::new().into(),
            ],
            fields: vec![],
        };
        let mut edited = record(4, 3000.0);
        edited.fields.push((
            2,
            FieldClock {
                stamp: Some(b),
                seen: [a, b].into_iter().collect(),
            },
        ));
        Payload {
            kind: BundleKind::Village,
            device: a.device,
            village_code: "510824105201".into(),
            seq_from: 1,
            seq_to: 9,
            tables: vec![TableRows {
                table,
                records: vec![record(3, 2855.0), edited],
            }],
            conflicts: vec![ConflictRow {
                table: "poverty_line".into(),
                record_id: Uuid::from_bytes([4; 16]),
                field: "line_yuan".into(),
                loser_hlc: a.to_string(),
                loser_value: Value::Real(2855.0),
                winner_hlc: b.to_string(),
                winner_value: Value::Real(3000.0),
                detected_at: "2026-01-02T00:00:00.000Z".into(),
                resolved: false,
            }],
            changes: vec![ChangeEntry {
                device: b.device,
                n: 7,
                change_id: Uuid::nil().to_string(),
                at: "2026-01-02T00:00:00.000Z".into(),
                actor: "王".into(),
                stamp: Some(b.clock),
            }],
            audit: vec![AuditEntry {
                device: b.device,
                seq: 12,
                change_id: Uuid::nil().to_string(),
                at: "2026-01-02T00:00:00.000Z".into(),
                actor: "王".into(),
                table: "poverty_line".into(),
                record_id: Uuid::from_bytes([4; 16]).to_string(),
                field: "line_yuan".into(),
                old_value: Value::Real(2855.0),
                new_value: Value::Blob(vec![0, 1, 2]),
            }],
            acks: vec![Ack {
                device: a.device,
                seq: 5,
            }],
            filled_fields: 0,
        }
    }

    #[test]
    fn a_payload_round_trips() {
        let p = payload();
        assert_eq!(decode(&encode(&p)).unwrap(), p);
    }

    #[test]
    fn every_truncation_and_a_trailing_byte_are_refused() {
        let bytes = encode(&payload());
        for len in 0..bytes.len() {
            assert!(decode(&bytes[..len]).is_err(), "length {len}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(decode(&long).is_err());
    }

    #[test]
    fn a_table_of_another_schema_is_refused() {
        let mut p = payload();
        p.tables[0].table.columns = &["year"];
        for r in &mut p.tables[0].records {
            r.values.pop();
            r.fields.clear();
        }
        let err = decode(&encode(&p)).unwrap_err();
        assert!(err.contains("columns of poverty_line"), "{err}");
    }
}
