//! The county's memory of each device's audit chain: the head a device's last bundle declared,
//! compared with what the next bundle says about the same point. A device whose history was
//! edited (rows changed or removed, the hashes recomputed) can no longer declare the head the
//! county saw, and the county warns instead of trusting the new history silently.

use rusqlite::{OptionalExtension, Transaction, params};

use super::SyncError;
use super::manifest::{BundleKind, Header};
use crate::i18n::{Lang, Localize};
use crate::store::audit_chain::ChainPoint;

/// A device declared, for change `n`, another chain head than the one the county recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRewritten {
    pub device: uuid::Uuid,
    pub n: i64,
    pub recorded: String,
    pub declared: String,
}

fn sql(e: rusqlite::Error) -> SyncError {
    SyncError::Store(e.into())
}

/// Compares the chain heads `header` declares with the sender's recorded head, then records the
/// newer tip. Only village bundles at the county carry a chain the county keeps; a bundle without
/// heads (written before the chain existed) is neither compared nor recorded.
pub(crate) fn compare_and_record(
    tx: &Transaction,
    header: &Header,
    at: &str,
) -> Result<Option<HistoryRewritten>, SyncError> {
    let Some(heads) = header
        .audit_chain
        .as_ref()
        .filter(|_| header.kind == BundleKind::Village)
    else {
        return Ok(None);
    };
    let device = header.device.to_string();
    let recorded: Option<ChainPoint> = tx
        .query_row(
            "SELECT n, head FROM device_audit_head WHERE device = ?1",
            [&device],
            |r| {
                Ok(ChainPoint {
                    n: r.get(0)?,
                    head: r.get(1)?,
                })
            },
        )
        .optional()
        .map_err(sql)?;
    let mut rewritten = None;
    if let Some(recorded) = &recorded {
        let declared = [heads.base.as_ref(), heads.tip.as_ref()]
            .into_iter()
            .flatten()
            .find(|p| p.n == recorded.n);
        if let Some(declared) = declared.filter(|p| p.head != recorded.head) {
            rewritten = Some(HistoryRewritten {
                device: header.device,
                n: recorded.n,
                recorded: recorded.head.clone(),
                declared: declared.head.clone(),
            });
        }
    }
    if let Some(tip) = &heads.tip
        && recorded.as_ref().is_none_or(|r| r.n <= tip.n)
    {
        tx.execute(
            "INSERT OR REPLACE INTO device_audit_head (device, n, head, at) VALUES (?1, ?2, ?3, ?4)",
            params![device, tip.n, tip.head, at],
        )
        .map_err(sql)?;
    }
    Ok(rewritten)
}

impl Localize for HistoryRewritten {
    fn localize(&self, lang: Lang) -> String {
        let Self { device, n, .. } = self;
        match lang {
            Lang::Zh => format!(
                "警告：设备 {device} 的修改历史被改写过——它现在报告的第 {n} 次修改之后的审计哈希与县里此前收到的不同。请核实这台电脑上的数据是否被人改动。"
            ),
            Lang::En => format!(
                "Warning: device {device}'s history was rewritten: the audit hash it now reports after change {n} differs from the one the county received before. Check whether the data on that laptop were tampered with."
            ),
        }
    }
}
