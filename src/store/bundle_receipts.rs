//! The log of bundles received: at the county every bundle imported (or offered again) and every
//! bundle refused, on a laptop every return bundle refused, with the reason in both languages. A
//! log kept beside the records, neither audited nor sent in a bundle; what the county's 收到的数据包
//! panel and `dripline county received` read, and `bundle status` and the sync screen list the
//! refusals of.

use rusqlite::{Connection, params};

use super::{Result, Store};

/// What happened to a bundle the county was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptOutcome {
    /// Verified and merged.
    Imported,
    /// The same bundle had been imported before: nothing changed.
    AlreadyImported,
    /// A check failed: nothing of it was merged.
    Refused,
}

impl ReceiptOutcome {
    pub fn code(self) -> &'static str {
        match self {
            ReceiptOutcome::Imported => "imported",
            ReceiptOutcome::AlreadyImported => "already_imported",
            ReceiptOutcome::Refused => "refused",
        }
    }

    fn parse(code: &str) -> Option<ReceiptOutcome> {
        [
            ReceiptOutcome::Imported,
            ReceiptOutcome::AlreadyImported,
            ReceiptOutcome::Refused,
        ]
        .into_iter()
        .find(|o| o.code() == code)
    }
}

/// What a bundle's signed header said, when it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptHeader {
    pub village_code: String,
    pub device: String,
    /// When the sending device wrote the bundle (as its header says).
    pub created_at: String,
    /// The sender's change numbers the bundle covers, inclusive.
    pub seq_from: i64,
    pub seq_to: i64,
    pub records: i64,
}

/// Why a bundle was refused: a stable code and the words in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalReason {
    pub code: String,
    pub zh: String,
    pub en: String,
}

/// One bundle the county was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleReceipt {
    pub received_at: String,
    pub file_name: String,
    /// SHA-256 of the file's bytes (empty when the file could not be read at all).
    pub file_sha256: String,
    pub outcome: ReceiptOutcome,
    /// `None` when the header could not be read (a corrupt or foreign file).
    pub header: Option<ReceiptHeader>,
    /// Set for a refused bundle.
    pub reason: Option<RefusalReason>,
}

/// Writes one receipt on `conn` (inside the import's transaction, or on its own for a refusal).
pub(crate) fn record_receipt(conn: &Connection, receipt: &BundleReceipt) -> Result<()> {
    let h = receipt.header.as_ref();
    let r = receipt.reason.as_ref();
    conn.prepare_cached(
        "INSERT INTO bundle_receipt (received_at, file_name, file_sha256, outcome, village_code,
             device, created_at, seq_from, seq_to, records, reason_code, reason_zh, reason_en)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        receipt.received_at,
        receipt.file_name,
        receipt.file_sha256,
        receipt.outcome.code(),
        h.map(|h| &h.village_code),
        h.map(|h| &h.device),
        h.map(|h| &h.created_at),
        h.map(|h| h.seq_from),
        h.map(|h| h.seq_to),
        h.map(|h| h.records),
        r.map(|r| &r.code),
        r.map(|r| &r.zh),
        r.map(|r| &r.en),
    ])?;
    Ok(())
}

impl Store {
    /// Every bundle received or refused, oldest first.
    pub fn bundle_receipts(&self) -> Result<Vec<BundleReceipt>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT received_at, file_name, file_sha256, outcome, village_code, device, created_at,
                    seq_from, seq_to, records, reason_code, reason_zh, reason_en
             FROM bundle_receipt ORDER BY received_at, n",
        )?;
        let rows = stmt.query_map([], |r| {
            let village_code: Option<String> = r.get(4)?;
            let header = match village_code {
                Some(village_code) => Some(ReceiptHeader {
                    village_code,
                    device: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    created_at: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                    seq_from: r.get::<_, Option<i64>>(7)?.unwrap_or_default(),
                    seq_to: r.get::<_, Option<i64>>(8)?.unwrap_or_default(),
                    records: r.get::<_, Option<i64>>(9)?.unwrap_or_default(),
                }),
                None => None,
            };
            let code: Option<String> = r.get(10)?;
            let reason = match code {
                Some(code) => Some(RefusalReason {
                    code,
                    zh: r.get::<_, Option<String>>(11)?.unwrap_or_default(),
                    en: r.get::<_, Option<String>>(12)?.unwrap_or_default(),
                }),
                None => None,
            };
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                header,
                reason,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (received_at, file_name, file_sha256, outcome, header, reason) = row?;
            // An outcome this build does not know (written by a newer one) reads as refused:
            // it is shown, never taken for an import.
            let outcome = ReceiptOutcome::parse(&outcome).unwrap_or(ReceiptOutcome::Refused);
            out.push(BundleReceipt {
                received_at,
                file_name,
                file_sha256,
                outcome,
                header,
                reason,
            });
        }
        Ok(out)
    }

    /// Records a refused bundle on its own (the refused import has already rolled back): the
    /// only write a refusal makes.
    pub fn record_refusal(&mut self, receipt: &BundleReceipt) -> Result<()> {
        let tx = self.conn.transaction()?;
        record_receipt(&tx, receipt)?;
        tx.commit()?;
        Ok(())
    }
}
