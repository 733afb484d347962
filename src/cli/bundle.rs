//! `dripline bundle export|import|inspect`: sync bundles from the command line.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{CliError, emit};
use crate::i18n::{Lang, Localize};
use crate::store::Store;
use crate::sync::{import, status};
use crate::workspace::bundles as workspace_bundles;

#[derive(Debug, Args)]
pub struct BundleArgs {
    #[command(subcommand)]
    pub action: BundleAction,
}

#[derive(Debug, Subcommand)]
pub enum BundleAction {
    /// Write this village device's changes since the last acknowledged export (or everything,
    /// with --full) to a signed .dripline bundle, encrypted to the county key when one is set.
    /// Until the county has acknowledged an export, every export is full (so a bulk-loaded
    /// `dripline demo` database travels whole).
    Export {
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        #[arg(long, value_name = "BUNDLE")]
        out: PathBuf,
        /// Everything, not only the changes since the last acknowledged export.
        #[arg(long)]
        full: bool,
        /// Overwrite an existing bundle file.
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
    },
    /// Verify and import bundles (village bundles into a county database, return bundles into a
    /// village device's database), each whole or not at all: a refused file leaves nothing of
    /// itself and does not undo the others (the command then fails, naming it and why).
    Import {
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        #[arg(required = true, value_name = "BUNDLE")]
        bundles: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// This database's sync state: changes not yet acknowledged by the county, the last export
    /// and import, bundles exported and not yet acknowledged, bundles refused (with the reason),
    /// the open conflicts (kept losing values) with both values, and the number of clashes.
    Status {
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Show a bundle's manifest and check its layout and payload hash, importing nothing. With
    /// --db, also run every check that database would run (signer, signature, village, decryption).
    Inspect {
        #[arg(value_name = "BUNDLE")]
        bundle: PathBuf,
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: BundleArgs, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    match args.action {
        BundleAction::Export {
            db,
            out,
            full,
            force,
            json,
        } => {
            super::check_output(&out, Some(&db), force)?;
            let written = workspace_bundles::export(Store::open(&db)?, &out, full, &mut |_| {})?;
            if let Some(warning) = written.warning(lang) {
                eprintln!("{warning}");
            }
            let summary = &written.0;
            if json {
                emit(&format!(
                    "{}\n",
                    serde_json::json!({
                        "file": summary.path,
                        "encrypted": summary.encrypted,
                        "header": summary.header,
                    })
                ))
            } else {
                emit(&format!("{}\n", written.localize(lang)))
            }
        }
        BundleAction::Import { db, bundles, json } => {
            // A county imports hundreds of bundles at once: say how far it is, every tenth.
            let many = bundles.len() >= 10;
            let step = (bundles.len() / 10).max(1);
            let read = workspace_bundles::import(Store::open(&db)?, &bundles, &mut |p| {
                if many && p.done % step == 0 && p.done > 0 {
                    eprintln!(
                        "{} {}/{}",
                        lang.pick("已核验并合并", "Verified and merged"),
                        p.done,
                        p.total
                    );
                }
            })?;
            refresh_imported(&db, &read, today)?;
            for warning in read.warnings(lang) {
                eprintln!("{warning}");
            }
            // Bundles of the run that were refused: each left nothing of itself, the others are
            // merged; the command still fails so that a script notices.
            let refused = || -> Result<(), CliError> {
                if read.1.is_empty() {
                    return Ok(());
                }
                let lines: Vec<String> = read
                    .1
                    .iter()
                    .map(|r| format!("{}: {}", r.file.display(), r.localize(lang)))
                    .collect();
                Err(CliError::Refused(lines.join("\n")))
            };
            if !json {
                let mut text = read.lines(lang).join("\n");
                text.push('\n');
                emit(&text)?;
                return refused();
            }
            let items: Vec<serde_json::Value> = read
                .0
                .iter()
                .map(|r| {
                    let s = &r.stats;
                    serde_json::json!({
                        "file": r.file,
                        "village_code": r.header.village_code,
                        "device": r.header.device,
                        "seq_from": r.header.seq_from,
                        "seq_to": r.header.seq_to,
                        "already_imported": r.already_imported,
                        "gap": r.gap.map(|(expected, found)| serde_json::json!({"expected_from": expected, "found_from": found})),
                        "history_rewritten": r.history_rewritten.as_ref().map(|h| serde_json::json!({"change": h.n, "recorded_head": h.recorded, "declared_head": h.declared})),
                        "records_inserted": s.records_inserted,
                        "fields_updated": s.fields_updated,
                        "conflicts_recorded": s.conflicts_recorded,
                        "clashes_kept": s.clashes_kept,
                        "audit_rows": s.audit_rows,
                    })
                })
                .chain(read.1.iter().map(|r| {
                    serde_json::json!({
                        "file": r.file,
                        "refused": true,
                        "reason_zh": r.zh,
                        "reason_en": r.en,
                    })
                }))
                .collect();
            emit(&format!("{}\n", serde_json::Value::Array(items)))?;
            refused()
        }
        BundleAction::Status { db, json } => status_run(&db, json, lang),
        BundleAction::Inspect { bundle, db, json } => {
            let (header, bytes) = import::read_header(&bundle)?;
            let full_check = match &db {
                Some(db) => {
                    let store = Store::open(db)?;
                    import::verify(&store, &bundle)?;
                    true
                }
                None => false,
            };
            if json {
                return emit(&format!(
                    "{}\n",
                    serde_json::json!({
                        "file": bundle,
                        "size_bytes": bytes.len(),
                        "header": header,
                        "checks": {
                            "layout": true,
                            "payload_hash": true,
                            "signature_and_contents": full_check,
                        }
                    })
                ));
            }
            let c = &header.counts;
            let kind = match header.kind {
                crate::sync::manifest::BundleKind::Village => {
                    lang.pick("村级上报包", "village bundle")
                }
                crate::sync::manifest::BundleKind::Return => {
                    lang.pick("县级回执包", "county return bundle")
                }
            };
            let lines = [
                format!(
                    "{}: {} ({} {})",
                    lang.pick("文件", "File"),
                    bundle.display(),
                    bytes.len(),
                    lang.pick("字节", "bytes")
                ),
                format!(
                    "{}: {} ({} {})",
                    lang.pick("类型", "Kind"),
                    kind,
                    lang.pick("格式版本", "format version"),
                    header.format_version
                ),
                format!(
                    "{}: {}",
                    lang.pick("村代码", "Village"),
                    header.village_code
                ),
                format!(
                    "{}: {} ({} {})",
                    lang.pick("设备", "Device"),
                    header.device,
                    lang.pick("密钥指纹", "key fingerprint"),
                    header.key_fingerprint
                ),
                format!(
                    "{}: {}–{}{}",
                    lang.pick("变更号", "Changes"),
                    header.seq_from,
                    header.seq_to,
                    if header.full {
                        lang.pick("（全量）", " (full)")
                    } else {
                        ""
                    }
                ),
                format!(
                    "{}: {}",
                    lang.pick("加密套件", "Cipher suite"),
                    header.cipher_suite
                ),
                format!(
                    "{}: {}",
                    lang.pick("生成时间", "Created"),
                    header.created_at
                ),
                format!(
                    "{}: {} {}, {} {}, {} {}, {} {}, {} {}, {} {}",
                    lang.pick("内容", "Contents"),
                    c.records,
                    lang.pick("条记录", "records"),
                    c.tombstones,
                    lang.pick("条删除", "deletions"),
                    c.conflicts,
                    lang.pick("个冲突", "conflicts"),
                    c.audit_rows,
                    lang.pick("条审计", "audit rows"),
                    c.attachments,
                    lang.pick("张照片", "photos"),
                    c.acknowledgements,
                    lang.pick("条回执", "acknowledgements"),
                ),
                format!(
                    "{}: {}",
                    lang.pick("内容哈希", "Payload SHA-256"),
                    header.payload_sha256
                ),
                format!(
                    "{}: {}",
                    lang.pick("检查", "Checks"),
                    if full_check {
                        lang.pick(
                            "结构、哈希、签名、村代码、解密、内容均通过",
                            "layout, hash, signature, village, decryption and contents passed",
                        )
                    } else {
                        lang.pick(
                            "结构与哈希通过（签名需用 --db 指定数据库来核验）",
                            "layout and hash passed (give --db to check the signature too)",
                        )
                    }
                ),
            ];
            emit(&(lines.join("\n") + "\n"))
        }
    }
}

fn shown(value: &rusqlite::types::Value) -> String {
    use rusqlite::types::Value;
    match value {
        Value::Null => "—".to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(t) => t.clone(),
        Value::Blob(b) => format!("<{} bytes>", b.len()),
    }
}

fn status_run(db: &std::path::Path, json: bool, lang: Lang) -> Result<(), CliError> {
    let store = Store::open(db)?;
    let st = status::status(&store)?;
    let conflicts = status::conflicts(&store, false)?;
    let clashes = store.clashes()?;
    if json {
        let list: Vec<serde_json::Value> = conflicts
            .iter()
            .map(|c| {
                serde_json::json!({
                    "table": c.key.table,
                    "record_id": c.key.record_id,
                    "field": c.key.field,
                    "loser_hlc": c.key.loser_hlc,
                    "kept_value": shown(&c.loser_value),
                    "current_value": shown(&c.current_value),
                    "detected_at": c.detected_at,
                })
            })
            .collect();
        return emit(&format!(
            "{}\n",
            serde_json::json!({
                "pending_records": st.pending_records,
                "last_seq": st.last_seq,
                "acked_seq": st.acked_seq,
                "last_export": st.last_export.as_ref().map(|e| serde_json::json!({"at": e.at, "file": e.file_name, "seq_to": e.seq_to})),
                "last_import": st.last_import.as_ref().map(|e| serde_json::json!({"at": e.at, "file": e.file_name})),
                "county_key_set": st.county_key_set,
                "open_conflicts": list,
                "open_clashes": clashes.len(),
                "pending_exports": st.pending_exports.iter().map(|e| serde_json::json!({"at": e.at, "file": e.file_name, "seq_from": e.seq_from, "seq_to": e.seq_to})).collect::<Vec<_>>(),
                "refused": st.refused.iter().map(|r| serde_json::json!({
                    "received_at": r.received_at,
                    "file": r.file_name,
                    "village_code": r.header.as_ref().map(|h| &h.village_code),
                    "device": r.header.as_ref().map(|h| &h.device),
                    "reason_code": r.reason.as_ref().map(|r| &r.code),
                    "reason_zh": r.reason.as_ref().map(|r| &r.zh),
                    "reason_en": r.reason.as_ref().map(|r| &r.en),
                })).collect::<Vec<_>>(),
            })
        ));
    }
    let never = lang.pick("从未", "never");
    let mut text = format!(
        "{}: {}\n{}: {} / {}\n{}: {}\n{}: {}\n{}: {}\n",
        lang.pick("待上报的记录", "Records not yet acknowledged"),
        st.pending_records,
        lang.pick(
            "已确认变更号 / 当前变更号",
            "Acknowledged / last change number"
        ),
        st.acked_seq,
        st.last_seq,
        lang.pick("上次导出", "Last export"),
        st.last_export
            .as_ref()
            .map_or(never.to_string(), |e| format!("{} {}", e.at, e.file_name)),
        lang.pick("上次导入", "Last import"),
        st.last_import
            .as_ref()
            .map_or(never.to_string(), |e| format!("{} {}", e.at, e.file_name)),
        lang.pick("待处理冲突", "Open conflicts"),
        conflicts.len(),
    );
    for c in &conflicts {
        text.push_str(&format!(
            "  {}.{} {}: {} {} / {} {}\n",
            c.key.table,
            c.key.field,
            c.key.record_id,
            lang.pick("现值", "now"),
            shown(&c.current_value),
            lang.pick("保留的另一值", "kept other value"),
            shown(&c.loser_value),
        ));
    }
    text.push_str(&format!(
        "{}: {}\n",
        lang.pick(
            "待处理的编号重复（dripline clashes 列出并处理）",
            "Open clashes (listed and resolved with dripline clashes)"
        ),
        clashes.len()
    ));
    if !st.pending_exports.is_empty() {
        text.push_str(&format!(
            "{}: {}\n",
            lang.pick(
                "已导出、县里尚未确认的数据包（下次导出会再带上其中的修改）",
                "Bundles exported and not yet acknowledged by the county (the next export carries their changes again)"
            ),
            st.pending_exports.len()
        ));
        for e in &st.pending_exports {
            text.push_str(&format!(
                "  {} {} ({} {}–{})\n",
                e.at,
                e.file_name,
                lang.pick("变更号", "changes"),
                e.seq_from,
                e.seq_to
            ));
        }
    }
    if !st.refused.is_empty() {
        text.push_str(&format!(
            "{}: {}\n",
            lang.pick(
                "被拒收的数据包（最近的在前）",
                "Refused bundles (newest first)"
            ),
            st.refused.len()
        ));
        for r in &st.refused {
            let village = r
                .header
                .as_ref()
                .map(|h| h.village_code.as_str())
                .unwrap_or("—");
            let reason = r
                .reason
                .as_ref()
                .map(|r| lang.pick(&r.zh, &r.en).to_string())
                .unwrap_or_default();
            text.push_str(&format!(
                "  {} {} ({} {village}): {reason}\n",
                r.received_at,
                r.file_name,
                lang.pick("村", "village"),
            ));
        }
    }
    emit(&text)
}

/// After bundles were merged into a county database, the villages they brought are computed
/// again and kept, so that the county table reads their fresh figures.
fn refresh_imported(
    db: &std::path::Path,
    read: &workspace_bundles::BundlesRead,
    today: NaiveDate,
) -> Result<(), CliError> {
    if read.0.iter().all(|r| r.already_imported) {
        return Ok(());
    }
    let mut store = Store::open(db)?;
    crate::workspace::county::refresh_imported(&mut store, &read.0, today)?;
    store.close()?;
    Ok(())
}
