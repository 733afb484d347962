//! Sync bundles written and read, with the words both faces show for them: the window's sync
//! screen (in the background) and `dripline bundle export|import`.

use std::path::{Path, PathBuf};

use crate::i18n::{Lang, Localize};
use crate::store::Store;
use crate::sync::export::{ExportSummary, export_village};
use crate::sync::import::{ImportReport, import_files};
use crate::sync::status::{self, Conflict, SyncStatus};
use crate::sync::{Progress, SyncError, county, crypto};

/// Writes a bundle of the village's changes since the county's last acknowledgement (everything
/// with `full`), then folds the write-ahead log back so the file is whole.
pub fn export(
    mut store: Store,
    out: &Path,
    full: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<BundleWritten, SyncError> {
    let summary = export_village(&mut store, out, full, progress)?;
    store.close()?;
    Ok(BundleWritten(summary))
}

/// Verifies and merges each bundle, each whole or not at all. When some were merged and others
/// refused, the merged ones are reported with the refusals (`BundlesRead::1`); when none was
/// merged, the refusal is the error.
pub fn import(
    mut store: Store,
    files: &[PathBuf],
    progress: &mut dyn FnMut(Progress),
) -> Result<BundlesRead, SyncError> {
    let read = match import_files(&mut store, files, progress) {
        Ok(reports) => BundlesRead(reports, Vec::new()),
        Err(SyncError::PartlyRefused { imported, refused }) if !imported.is_empty() => {
            let refused = refused.iter().map(RefusedBundle::of).collect();
            BundlesRead(imported, refused)
        }
        Err(e) => return Err(e),
    };
    store.close()?;
    Ok(read)
}

/// A bundle of an import run that was refused (nothing of it merged), with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedBundle {
    pub file: PathBuf,
    pub zh: String,
    pub en: String,
}

impl RefusedBundle {
    fn of(e: &SyncError) -> RefusedBundle {
        let words = |lang| {
            e.localize(lang)
                .trim_end_matches("数据库未做任何改动。")
                .trim_end_matches("The database was not changed.")
                .trim_end()
                .to_string()
        };
        RefusedBundle {
            file: e
                .refused_bundle()
                .map(|(f, _)| f.to_path_buf())
                .unwrap_or_default(),
            zh: words(Lang::Zh),
            en: words(Lang::En),
        }
    }
}

impl Localize for RefusedBundle {
    fn localize(&self, lang: Lang) -> String {
        let reason = lang.pick(&self.zh, &self.en);
        match lang {
            Lang::Zh => format!("已拒收（其内容未合并，其他数据包不受影响）：{reason}"),
            Lang::En => format!(
                "Refused (nothing of it was merged; the other bundles are not affected): {reason}"
            ),
        }
    }
}

/// A bundle written.
#[derive(Debug, Clone)]
pub struct BundleWritten(pub ExportSummary);

impl BundleWritten {
    /// The warning to give when the bundle travels unencrypted (no county key is set).
    pub fn warning(&self, lang: Lang) -> Option<&'static str> {
        (!self.0.encrypted).then(|| {
            lang.pick(
                "注意：尚未设置县级密钥，数据包未加密，其中的个人信息以明文传递，请妥善保管该文件。",
                "Note: no county key is set, so the bundle is not encrypted and personal data travels in the clear; keep the file safe.",
            )
        })
    }
}

impl Localize for BundleWritten {
    fn localize(&self, lang: Lang) -> String {
        let s = &self.0;
        let (path, h) = (s.path.display(), &s.header);
        let (records, from, to) = (h.counts.records, h.seq_from, h.seq_to);
        match lang {
            Lang::Zh => format!("已导出数据包 {path}（{records} 条记录，变更号 {from}–{to}）"),
            Lang::En => format!("Bundle written: {path} ({records} records, changes {from}–{to})"),
        }
    }
}

/// Bundles verified and merged, one report per file, and those of the run that were refused.
#[derive(Debug, Clone)]
pub struct BundlesRead(pub Vec<ImportReport>, pub Vec<RefusedBundle>);

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

impl BundlesRead {
    /// One line per file: what it added, or that it was imported before.
    pub fn lines(&self, lang: Lang) -> Vec<String> {
        self.0.iter().map(|r| file_line(r, lang)).collect()
    }

    /// A warning per file whose sender skipped changes (a bundle in between never arrived) or
    /// whose sender's history was rewritten.
    pub fn warnings(&self, lang: Lang) -> Vec<String> {
        self.0.iter().flat_map(|r| warnings(r, lang)).collect()
    }
}

fn file_line(r: &ImportReport, lang: Lang) -> String {
    let name = file_name(&r.file);
    let s = &r.stats;
    if r.already_imported {
        return match lang {
            Lang::Zh => format!("{name}：此前已导入，未作改动"),
            Lang::En => format!("{name}: imported before, nothing changed"),
        };
    }
    let (added, updated, conflicts) = (s.records_inserted, s.fields_updated, s.conflicts_recorded);
    let mut line = match lang {
        Lang::Zh => {
            format!("{name}：新增记录 {added}，更新字段 {updated}，待处理冲突 {conflicts}")
        }
        Lang::En => format!(
            "{name}: {added} records added, {updated} fields updated, {conflicts} conflicts to resolve"
        ),
    };
    if s.clashes_kept > 0 {
        line.push_str(&match lang {
            Lang::Zh => format!(
                "，编号重复 {}（两台电脑用了同一户编号等；已保留两条记录，请在“数据同步”或用 dripline clashes 处理）",
                s.clashes_kept
            ),
            Lang::En => format!(
                ", {} clashes kept (two laptops took the same household number or the like; both records are kept: resolve them in Sync or with dripline clashes)",
                s.clashes_kept
            ),
        });
    }
    line
}

fn warnings(r: &ImportReport, lang: Lang) -> Vec<String> {
    let rewritten = r.history_rewritten.as_ref().map(|h| h.localize(lang));
    gap_warning(r, lang).into_iter().chain(rewritten).collect()
}

fn gap_warning(r: &ImportReport, lang: Lang) -> Option<String> {
    let (expected, found) = r.gap?;
    let name = file_name(&r.file);
    let device = &r.header.device;
    let last_missing = found - 1;
    Some(match lang {
        Lang::Zh => format!(
            "注意：{name} 来自设备 {device}，缺少第 {expected} 至 {last_missing} 号变更；中间的数据包可能丢失，请让该设备重新导出。"
        ),
        Lang::En => format!(
            "Note: {name} from device {device}: changes {expected} to {last_missing} never arrived; a bundle in between may be lost. Ask that device for a new export."
        ),
    })
}

impl Localize for BundlesRead {
    /// Every file's line, with its gap warning if any.
    fn localize(&self, lang: Lang) -> String {
        self.0
            .iter()
            .map(|r| {
                let mut line = file_line(r, lang);
                for warning in warnings(r, lang) {
                    line.push_str(lang.pick("。", ". "));
                    line.push_str(&warning);
                }
                line
            })
            .chain(self.1.iter().map(|r| r.localize(lang)))
            .collect::<Vec<_>>()
            .join(lang.pick("；", "; "))
    }
}

/// What the sync screen shows: the pending changes and last exchanges, the open conflicts, this
/// laptop's key line and the county's.
pub struct SyncView {
    pub status: SyncStatus,
    pub conflicts: Vec<Conflict>,
    /// The natural-key clashes to resolve (household 121 created on two laptops…).
    pub clashes: Vec<crate::store::clashes::Clash>,
    /// This laptop's public key line, for the county to register.
    pub device_line: String,
    /// The county key set on this laptop, if any.
    pub county_line: Option<String>,
    /// The county's sync server this laptop syncs with over the network, once known.
    pub server_url: Option<String>,
    /// True for a county database (it imports village bundles and writes return bundles).
    pub is_county: bool,
    /// The day of the last backup, if any, and how many days before `today` it was.
    pub last_backup: Option<(chrono::NaiveDate, i64)>,
}

/// After this many days without a backup the window warns.
pub const BACKUP_WARNING_DAYS: i64 = 7;

impl SyncView {
    /// Reads it (creating this laptop's key on first use); backup ages are counted to `today`.
    pub fn read(store: &mut Store, today: chrono::NaiveDate) -> Result<SyncView, SyncError> {
        let last_backup = store.last_backup_at()?.map(|at| {
            let day = at.with_timezone(&chrono::Local).date_naive();
            (day, (today - day).num_days())
        });
        let county_key = county::county_key(store)?;
        Ok(SyncView {
            last_backup,
            server_url: county_key
                .as_ref()
                .and_then(|c| c.server.as_ref())
                .map(|p| p.url.clone()),
            is_county: county::is_county(store)?,
            status: status::status(store)?,
            conflicts: status::conflicts(store, false)?,
            clashes: store.clashes()?,
            device_line: crypto::DeviceIdentity::load_or_create(store)?
                .public()
                .to_line(),
            county_line: county_key.map(|c| c.to_line()),
        })
    }

    /// The warning to show when the last backup is older than [`BACKUP_WARNING_DAYS`] or there
    /// was none.
    pub fn backup_warning(&self, lang: Lang) -> Option<String> {
        match self.last_backup {
            None => Some(lang.pick(
                "⚠ 本数据库还没有备份过。请插入 U 盘，点“备份…”。",
                "⚠ This database has never been backed up. Insert a USB stick and click \"Back up…\".",
            ).to_string()),
            Some((_, days)) if days >= BACKUP_WARNING_DAYS => Some(match lang {
                Lang::Zh => format!("⚠ 已经 {days} 天没有备份了。请插入 U 盘，点“备份…”。"),
                Lang::En => format!("⚠ No backup for {days} days. Insert a USB stick and click \"Back up…\"."),
            }),
            Some(_) => None,
        }
    }
}
