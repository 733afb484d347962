//! Which villages have sent what: from the county's log of bundles, the last bundle received
//! from each village and device (its date and change range), the villages silent for more than
//! N days, and the refused bundles with their reasons. What the county window's 收到的数据包
//! panel and `dripline county received` show.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::i18n::Lang;
use crate::model::Village;
use crate::store::bundle_receipts::{BundleReceipt, ReceiptOutcome};
use crate::store::{Store, StoreError};

/// The silence after which a village is listed, unless the clerk says otherwise.
pub const DEFAULT_SILENT_DAYS: u32 = 30;

/// The last bundle imported from one device of a village.
#[derive(Debug, Clone, PartialEq)]
pub struct LastBundle {
    pub village_code: String,
    /// The village's township and name as the county knows them (empty for a code it does not).
    pub township: String,
    pub village_name: String,
    pub device: String,
    pub received_at: String,
    pub created_at: String,
    pub seq_from: i64,
    pub seq_to: i64,
    pub records: i64,
    pub file_name: String,
}

/// A village from which nothing arrived for more than the chosen number of days.
#[derive(Debug, Clone, PartialEq)]
pub struct SilentVillage {
    pub village_code: String,
    pub township: String,
    pub village_name: String,
    /// The day its last bundle arrived; `None`: nothing ever arrived.
    pub last_received: Option<NaiveDate>,
    /// Days since then, `None` when nothing ever arrived.
    pub days_silent: Option<i64>,
}

/// The county's view of what arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedReport {
    pub silent_days: u32,
    /// By village code, then device.
    pub last: Vec<LastBundle>,
    /// Never heard from first, then the longest silent.
    pub silent: Vec<SilentVillage>,
    /// Newest first.
    pub refused: Vec<BundleReceipt>,
}

/// The day of a logged time (`2026-12-03T…`).
fn day_of(at: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(at.get(..10)?, "%Y-%m-%d").ok()
}

impl ReceivedReport {
    /// Builds the report from the county's villages and its log, as of `today`.
    pub fn build(
        villages: &[Village],
        receipts: &[BundleReceipt],
        today: NaiveDate,
        silent_days: u32,
    ) -> ReceivedReport {
        let known: HashMap<&str, &Village> =
            villages.iter().map(|v| (v.code.as_str(), v)).collect();
        let mut last: HashMap<(&str, &str), &BundleReceipt> = HashMap::new();
        let mut refused = Vec::new();
        for receipt in receipts {
            match (receipt.outcome, &receipt.header) {
                (ReceiptOutcome::Imported, Some(h)) => {
                    // The log is oldest first: a later import replaces an earlier one.
                    last.insert((h.village_code.as_str(), h.device.as_str()), receipt);
                }
                (ReceiptOutcome::Refused, _) => refused.push(receipt.clone()),
                _ => {}
            }
        }
        refused.reverse();
        let mut last: Vec<LastBundle> = last
            .into_values()
            .filter_map(|r| {
                let h = r.header.as_ref()?;
                let village = known.get(h.village_code.as_str());
                Some(LastBundle {
                    village_code: h.village_code.clone(),
                    township: village.map(|v| v.township.clone()).unwrap_or_default(),
                    village_name: village.map(|v| v.name.clone()).unwrap_or_default(),
                    device: h.device.clone(),
                    received_at: r.received_at.clone(),
                    created_at: h.created_at.clone(),
                    seq_from: h.seq_from,
                    seq_to: h.seq_to,
                    records: h.records,
                    file_name: r.file_name.clone(),
                })
            })
            .collect();
        last.sort_by(|a, b| (&a.village_code, &a.device).cmp(&(&b.village_code, &b.device)));
        let mut latest: HashMap<&str, NaiveDate> = HashMap::new();
        for l in &last {
            if let Some(day) = day_of(&l.received_at) {
                let entry = latest.entry(l.village_code.as_str()).or_insert(day);
                *entry = (*entry).max(day);
            }
        }
        let mut silent: Vec<SilentVillage> = villages
            .iter()
            .filter_map(|v| {
                let last_received = latest.get(v.code.as_str()).copied();
                let days_silent = last_received.map(|d| (today - d).num_days());
                let quiet = days_silent.is_none_or(|d| d > i64::from(silent_days));
                quiet.then(|| SilentVillage {
                    village_code: v.code.clone(),
                    township: v.township.clone(),
                    village_name: v.name.clone(),
                    last_received,
                    days_silent,
                })
            })
            .collect();
        silent.sort_by(|a, b| {
            b.days_silent
                .unwrap_or(i64::MAX)
                .cmp(&a.days_silent.unwrap_or(i64::MAX))
                .then_with(|| a.village_code.cmp(&b.village_code))
        });
        ReceivedReport {
            silent_days,
            last,
            silent,
            refused,
        }
    }

    /// Reads the county's villages and log and builds the report.
    pub fn load(
        store: &Store,
        today: NaiveDate,
        silent_days: u32,
    ) -> Result<ReceivedReport, StoreError> {
        Ok(ReceivedReport::build(
            &store.villages()?,
            &store.bundle_receipts()?,
            today,
            silent_days,
        ))
    }
}

/// A refusal's reason in `lang`.
pub fn refusal_text(receipt: &BundleReceipt, lang: Lang) -> &str {
    receipt
        .reason
        .as_ref()
        .map_or("", |r| lang.pick(r.zh.as_str(), r.en.as_str()))
}

/// What a refused bundle's header claimed, or that it could not be read.
pub fn refused_sender(receipt: &BundleReceipt, lang: Lang) -> String {
    match &receipt.header {
        Some(h) => match lang {
            Lang::Zh => format!("村 {}，设备 {}", h.village_code, h.device),
            Lang::En => format!("village {}, device {}", h.village_code, h.device),
        },
        None => lang
            .pick("无法读取（文件头已损坏）", "unreadable (damaged header)")
            .to_string(),
    }
}

/// A silent village's silence in words.
pub fn silence_text(s: &SilentVillage, lang: Lang) -> String {
    match (s.last_received, s.days_silent, lang) {
        (Some(d), Some(n), Lang::Zh) => format!("最后收到 {d}，已 {n} 天"),
        (Some(d), Some(n), Lang::En) => format!("last received {d}, {n} days ago"),
        (_, _, Lang::Zh) => "从未收到数据包".to_string(),
        (_, _, Lang::En) => "no bundle ever received".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::bundle_receipts::{ReceiptHeader, RefusalReason};

    fn village(code: &str, name: &str) -> Village {
        Village {
            code: code.into(),
            name: name.into(),
            township: "元山镇".into(),
            ..crate::rules::fixtures::village()
        }
    }

    fn imported(code: &str, device: &str, at: &str, seq: (i64, i64)) -> BundleReceipt {
        BundleReceipt {
            received_at: at.into(),
            file_name: format!("{code}.dripline"),
            file_sha256: "ab".into(),
            outcome: ReceiptOutcome::Imported,
            header: Some(ReceiptHeader {
                village_code: code.into(),
                device: device.into(),
                created_at: at.into(),
                seq_from: seq.0,
                seq_to: seq.1,
                records: 3,
            }),
            reason: None,
        }
    }

    #[test]
    fn the_last_bundle_per_device_and_the_silent_villages() {
        let villages = [
            village("510824100201", "青龙村"),
            village("510824100202", "白虎村"),
            village("510824100203", "朱雀村"),
        ];
        let refused = BundleReceipt {
            outcome: ReceiptOutcome::Refused,
            header: None,
            reason: Some(RefusalReason {
                code: "truncated".into(),
                zh: "不完整".into(),
                en: "truncated".into(),
            }),
            ..imported("x", "x", "2026-12-02T08:00:00Z", (0, 0))
        };
        let receipts = [
            imported("510824100201", "d1", "2026-11-01T08:00:00Z", (1, 4)),
            imported("510824100201", "d1", "2026-12-01T08:00:00Z", (5, 9)),
            imported("510824100201", "d2", "2026-10-01T08:00:00Z", (1, 2)),
            imported("510824100202", "d3", "2026-11-02T08:00:00Z", (1, 7)),
            refused,
        ];
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let report = ReceivedReport::build(&villages, &receipts, today, 30);
        let ranges: Vec<(&str, &str, i64, i64)> = report
            .last
            .iter()
            .map(|l| {
                (
                    l.village_code.as_str(),
                    l.device.as_str(),
                    l.seq_from,
                    l.seq_to,
                )
            })
            .collect();
        assert_eq!(
            ranges,
            [
                ("510824100201", "d1", 5, 9),
                ("510824100201", "d2", 1, 2),
                ("510824100202", "d3", 1, 7)
            ]
        );
        // 白虎村 last sent 31 days ago (more than 30); 朱雀村 never; 青龙村 2 days ago.
        let silent: Vec<(&str, Option<i64>)> = report
            .silent
            .iter()
            .map(|s| (s.village_name.as_str(), s.days_silent))
            .collect();
        assert_eq!(silent, [("朱雀村", None), ("白虎村", Some(31))]);
        assert_eq!(report.refused.len(), 1);
        // Exactly 30 days is not yet silent.
        let report = ReceivedReport::build(&villages, &receipts, today, 31);
        assert_eq!(report.silent.len(), 1);
    }
}
