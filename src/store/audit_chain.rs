//! The tamper-evident audit log: every `audit` row and every `change_log` row carries the SHA-256
//! of its own content and of the row before it, so that a row edited, removed or inserted with
//! sqlite3 breaks the chain from that row on.
//!
//! Two chains, each in its table's order:
//! - `audit.hash = H(previous audit hash, seq, change, tbl, rec, field, old_value, new_value)`;
//! - `change_log.hash = H(previous change hash, n, change_id, at, actor, stamp, audit_seq,
//!   hash of audit row audit_seq)`, where `audit_seq` is the last audit row written when the change
//!   was recorded (a change is recorded after its audit rows). A change row therefore seals the
//!   audit rows before it, and the last change row's hash — the *head* — seals the whole history.
//!
//! A bundle carries the head at the start and at the end of the changes it covers; the county
//! keeps the last head of each device and warns when a device's history no longer leads to it
//! (`crate::sync::import`). The chain does not stop someone with write access who recomputes every
//! hash after an edit; the county's recorded heads are what catch that.

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use super::Result;
use crate::i18n::{Lang, Localize};

/// The hash a chain starts from (the "row before" the first row).
const GENESIS: [u8; 32] = [0; 32];

/// Which chain a broken row belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokenRow {
    /// Audit row `seq` (a changed field of change `change`) does not match its hash.
    Audit { seq: i64, change: i64 },
    /// The header of change `n` (when, who, which fields) does not match its hash.
    Change { n: i64, at: String, actor: String },
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub audit_rows: u64,
    pub changes: u64,
    /// The first row that breaks the chain (audit rows are checked first), if any.
    pub broken: Option<BrokenRow>,
}

/// One point of a device's history: the hash of the chain after change `n`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChainPoint {
    pub n: i64,
    pub head: String,
}

fn put_value(h: &mut Sha256, v: ValueRef<'_>) {
    match v {
        ValueRef::Null => h.update([0u8]),
        ValueRef::Integer(i) => {
            h.update([1u8]);
            h.update(i.to_le_bytes());
        }
        ValueRef::Real(r) => {
            h.update([2u8]);
            h.update(r.to_bits().to_le_bytes());
        }
        ValueRef::Text(t) => {
            h.update([3u8]);
            h.update((t.len() as u64).to_le_bytes());
            h.update(t);
        }
        ValueRef::Blob(b) => {
            h.update([4u8]);
            h.update((b.len() as u64).to_le_bytes());
            h.update(b);
        }
    }
}

fn put_opt(h: &mut Sha256, v: Option<i64>) {
    put_value(h, v.map_or(ValueRef::Null, ValueRef::Integer));
}

fn put_text(h: &mut Sha256, t: &str) {
    put_value(h, ValueRef::Text(t.as_bytes()));
}

#[allow(clippy::too_many_arguments)]
fn audit_hash(
    prev: &[u8],
    seq: i64,
    change: i64,
    tbl: i64,
    rec: i64,
    field: Option<i64>,
    old: ValueRef<'_>,
    new: ValueRef<'_>,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_le_bytes());
    h.update(change.to_le_bytes());
    h.update(tbl.to_le_bytes());
    h.update(rec.to_le_bytes());
    put_opt(&mut h, field);
    put_value(&mut h, old);
    put_value(&mut h, new);
    h.finalize().into()
}

#[allow(clippy::too_many_arguments)]
fn change_hash(
    prev: &[u8],
    n: i64,
    change_id: &str,
    at: &str,
    actor: &str,
    stamp: Option<i64>,
    audit_seq: Option<i64>,
    audit_head: &[u8],
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(n.to_le_bytes());
    put_text(&mut h, change_id);
    put_text(&mut h, at);
    put_text(&mut h, actor);
    put_opt(&mut h, stamp);
    put_opt(&mut h, audit_seq);
    h.update(audit_head);
    h.finalize().into()
}

/// The last audit row: its number and hash.
fn last_audit(conn: &Connection) -> Result<Option<(i64, Vec<u8>)>> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, Option<Vec<u8>>>(1)?.unwrap_or_default(),
            ))
        })
        .optional()?)
}

/// The hash of the last change row.
fn last_change_hash(conn: &Connection) -> Result<Vec<u8>> {
    Ok(conn
        .prepare_cached("SELECT hash FROM change_log ORDER BY n DESC LIMIT 1")?
        .query_row([], |r| r.get::<_, Option<Vec<u8>>>(0))
        .optional()?
        .flatten()
        .unwrap_or_else(|| GENESIS.to_vec()))
}

/// Appends one audit row, chained to the one before.
pub(crate) fn insert_audit(
    tx: &Transaction,
    change: i64,
    tbl: i64,
    rec: i64,
    field: Option<i64>,
    old: &Value,
    new: &Value,
) -> Result<()> {
    let (seq, prev) = match last_audit(tx)? {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_vec()),
    };
    let hash = audit_hash(&prev, seq, change, tbl, rec, field, old.into(), new.into());
    tx.prepare_cached(
        "INSERT INTO audit (seq, change, tbl, rec, field, old_value, new_value, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![seq, change, tbl, rec, field, old, new, &hash[..]])?;
    Ok(())
}

/// Appends one change header, chained to the change before and sealing the audit rows so far.
pub(crate) fn insert_change(
    tx: &Transaction,
    n: i64,
    change_id: &str,
    at: &str,
    actor: &str,
    stamp: Option<i64>,
) -> Result<()> {
    let prev = last_change_hash(tx)?;
    let (audit_seq, audit_head) = match last_audit(tx)? {
        Some((seq, hash)) => (Some(seq), hash),
        None => (None, GENESIS.to_vec()),
    };
    let hash = change_hash(
        &prev,
        n,
        change_id,
        at,
        actor,
        stamp,
        audit_seq,
        &audit_head,
    );
    tx.prepare_cached(
        "INSERT INTO change_log (n, change_id, at, actor, stamp, audit_seq, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        n,
        change_id,
        at,
        actor,
        stamp,
        audit_seq,
        &hash[..]
    ])?;
    Ok(())
}

/// Checks both chains row by row; reads only.
pub fn verify(conn: &Connection) -> Result<ChainReport> {
    let mut report = ChainReport {
        audit_rows: 0,
        changes: 0,
        broken: None,
    };
    let mut prev = GENESIS.to_vec();
    let mut stmt = conn.prepare(
        "SELECT seq, change, tbl, rec, field, old_value, new_value, hash FROM audit ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        report.audit_rows += 1;
        let seq: i64 = r.get(0)?;
        let change: i64 = r.get(1)?;
        let expected = audit_hash(
            &prev,
            seq,
            change,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get_ref(5)?,
            r.get_ref(6)?,
        );
        let stored: Option<Vec<u8>> = r.get(7)?;
        if stored.as_deref() != Some(&expected[..]) {
            report.broken = Some(BrokenRow::Audit { seq, change });
            return Ok(report);
        }
        prev = expected.to_vec();
    }
    drop(rows);
    let mut prev = GENESIS.to_vec();
    let mut stmt = conn.prepare(
        "SELECT n, change_id, at, actor, stamp, audit_seq, hash FROM change_log ORDER BY n",
    )?;
    let mut audit_hash_of = conn.prepare("SELECT hash FROM audit WHERE seq = ?1")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        report.changes += 1;
        let n: i64 = r.get(0)?;
        let change_id: String = r.get(1)?;
        let at: String = r.get(2)?;
        let actor: String = r.get(3)?;
        let audit_seq: Option<i64> = r.get(5)?;
        let audit_head = match audit_seq {
            Some(seq) => audit_hash_of
                .query_row([seq], |r| r.get::<_, Option<Vec<u8>>>(0))
                .optional()?
                .flatten()
                // An audit row a change sealed has gone: the change no longer verifies.
                .unwrap_or_default(),
            None => GENESIS.to_vec(),
        };
        let expected = change_hash(
            &prev,
            n,
            &change_id,
            &at,
            &actor,
            r.get(4)?,
            audit_seq,
            &audit_head,
        );
        let stored: Option<Vec<u8>> = r.get(6)?;
        if stored.as_deref() != Some(&expected[..]) {
            report.broken = Some(BrokenRow::Change { n, at, actor });
            return Ok(report);
        }
        prev = expected.to_vec();
    }
    Ok(report)
}

/// The chain head after change `n` (the last change row numbered `n` or below), hex; `None` before
/// the first change.
pub fn head_at(conn: &Connection, n: i64) -> Result<Option<ChainPoint>> {
    let found: Option<(i64, Option<Vec<u8>>)> = conn
        .prepare_cached("SELECT n, hash FROM change_log WHERE n <= ?1 ORDER BY n DESC LIMIT 1")?
        .query_row([n], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(found.map(|(n, hash)| ChainPoint {
        n,
        head: hex::encode(hash.unwrap_or_default()),
    }))
}

/// One audit row as the migration reads it: seq, change, tbl, rec, field, old and new value.
type AuditRowValues = (i64, i64, i64, i64, Option<i64>, Value, Value);

/// Migration step: adds the hash columns and chains every existing row in order, as if each had
/// been written by this version (the change rows seal the audit rows of their change and before);
/// adds the county's record of each device's last chain head (`crate::sync::history`).
pub(crate) fn migrate(tx: &Transaction) -> Result<()> {
    tx.execute_batch(
        "ALTER TABLE audit ADD COLUMN hash BLOB;
         ALTER TABLE change_log ADD COLUMN audit_seq INTEGER;
         ALTER TABLE change_log ADD COLUMN hash BLOB;
         CREATE TABLE device_audit_head (
             device TEXT PRIMARY KEY,
             n INTEGER NOT NULL,
             head TEXT NOT NULL,
             at TEXT NOT NULL
         );",
    )?;
    // In slices of rows read before they are written, so that no update runs under an open scan.
    const SLICE: i64 = 10_000;
    let mut prev = GENESIS.to_vec();
    let mut last_of_change: Vec<(i64, i64, Vec<u8>)> = Vec::new();
    let mut after = i64::MIN;
    loop {
        let rows: Vec<AuditRowValues> = tx
            .prepare(
                "SELECT seq, change, tbl, rec, field, old_value, new_value FROM audit
                 WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?
            .query_map(params![after, SLICE], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.0;
        let mut write = tx.prepare_cached("UPDATE audit SET hash = ?2 WHERE seq = ?1")?;
        for (seq, change, tbl, rec, field, old, new) in &rows {
            let hash = audit_hash(
                &prev,
                *seq,
                *change,
                *tbl,
                *rec,
                *field,
                old.into(),
                new.into(),
            );
            write.execute(params![seq, &hash[..]])?;
            if last_of_change.last().is_some_and(|l| l.0 == *change) {
                let last = last_of_change.last_mut().expect("just checked");
                last.1 = *seq;
                last.2 = hash.to_vec();
            } else {
                last_of_change.push((*change, *seq, hash.to_vec()));
            }
            prev = hash.to_vec();
        }
    }
    // The audit row each change seals: the last one whose change is numbered at or below it.
    last_of_change.sort_by_key(|(change, seq, _)| (*change, *seq));
    let changes: Vec<(i64, String, String, String, Option<i64>)> = tx
        .prepare("SELECT n, change_id, at, actor, stamp FROM change_log ORDER BY n")?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut write = tx.prepare("UPDATE change_log SET audit_seq = ?2, hash = ?3 WHERE n = ?1")?;
    let mut sealed: Option<(i64, Vec<u8>)> = None;
    let mut next = 0;
    let mut prev = GENESIS.to_vec();
    for (n, change_id, at, actor, stamp) in changes {
        while next < last_of_change.len() && last_of_change[next].0 <= n {
            let (_, seq, hash) = &last_of_change[next];
            if sealed.as_ref().is_none_or(|(s, _)| s < seq) {
                sealed = Some((*seq, hash.clone()));
            }
            next += 1;
        }
        let (audit_seq, audit_head) = match &sealed {
            Some((seq, hash)) => (Some(*seq), hash.clone()),
            None => (None, GENESIS.to_vec()),
        };
        let hash = change_hash(
            &prev,
            n,
            &change_id,
            &at,
            &actor,
            stamp,
            audit_seq,
            &audit_head,
        );
        write.execute(params![n, audit_seq, &hash[..]])?;
        prev = hash.to_vec();
    }
    Ok(())
}

impl super::Store {
    /// Verifies the audit chain of this database (reads only).
    pub fn verify_audit_chain(&self) -> Result<ChainReport> {
        verify(&self.conn)
    }

    /// The chain head after change `n`.
    pub fn audit_head_at(&self, n: i64) -> Result<Option<ChainPoint>> {
        head_at(&self.conn, n)
    }
}

impl Localize for BrokenRow {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (BrokenRow::Audit { seq, change }, Lang::Zh) => format!(
                "审计日志第 {seq} 行（第 {change} 次修改）被改动过：哈希链从这一行断开，此后的修改历史不可信。"
            ),
            (BrokenRow::Audit { seq, change }, Lang::En) => format!(
                "Audit log row {seq} (change {change}) was altered: the hash chain breaks at this row, and the history from here on cannot be trusted."
            ),
            (BrokenRow::Change { n, at, actor }, Lang::Zh) => format!(
                "审计日志第 {n} 次修改的记录（{at}，{actor}）被改动过：哈希链从这里断开，此后的修改历史不可信。"
            ),
            (BrokenRow::Change { n, at, actor }, Lang::En) => format!(
                "The audit log's record of change {n} ({at}, {actor}) was altered: the hash chain breaks here, and the history from here on cannot be trusted."
            ),
        }
    }
}

impl Localize for ChainReport {
    fn localize(&self, lang: Lang) -> String {
        match (&self.broken, lang) {
            (Some(broken), _) => broken.localize(lang),
            (None, Lang::Zh) => format!(
                "审计日志完整：{} 行、{} 次修改，哈希链没有断点。",
                self.audit_rows, self.changes
            ),
            (None, Lang::En) => format!(
                "Audit log intact: {} rows, {} changes, the hash chain is unbroken.",
                self.audit_rows, self.changes
            ),
        }
    }
}
