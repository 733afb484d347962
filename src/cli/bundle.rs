//! `dripline bundle export|import|inspect`: sync bundles from the command line.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{CliError, emit};
use crate::i18n::Lang;
use crate::store::Store;
use crate::sync::{export, import, status};

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
    /// village device's database), all in one transaction: any rejected file leaves the database
    /// unchanged.
    Import {
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        #[arg(required = true, value_name = "BUNDLE")]
        bundles: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// This database's sync state: changes not yet acknowledged by the county, the last export
    /// and import, and the open conflicts (kept losing values) with both values.
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

pub fn run(args: BundleArgs, lang: Lang) -> Result<(), CliError> {
    match args.action {
        BundleAction::Export {
            db,
            out,
            full,
            force,
            json,
        } => {
            if out.exists() && !force {
                return Err(CliError::OutputExists(out));
            }
            let mut store = Store::open(&db)?;
            let summary = export::export_village(&mut store, &out, full, &mut |_| {})?;
            store.close()?;
            if !summary.encrypted {
                eprintln!(
                    "{}",
                    lang.pick(
                        "警告：尚未设置县级公钥（keys set-county），同步包未加密，其中的个人信息以明文传递。请妥善保管该文件。",
                        "Warning: no county key is set (keys set-county), so the bundle is not encrypted and personal data travels in the clear. Keep the file safe."
                    )
                );
            }
            let h = &summary.header;
            if json {
                emit(&format!(
                    "{}\n",
                    serde_json::json!({
                        "file": summary.path,
                        "encrypted": summary.encrypted,
                        "header": h,
                    })
                ))
            } else {
                emit(&format!(
                    "{} {}: {} {}, {} {}–{}\n",
                    lang.pick("已导出", "Exported"),
                    summary.path.display(),
                    h.counts.records,
                    lang.pick("条记录", "records"),
                    lang.pick("变更号", "changes"),
                    h.seq_from,
                    h.seq_to
                ))
            }
        }
        BundleAction::Import { db, bundles, json } => {
            let mut store = Store::open(&db)?;
            // A county imports hundreds of bundles at once: say how far it is, every tenth.
            let many = bundles.len() >= 10;
            let step = (bundles.len() / 10).max(1);
            let reports = import::import_files(&mut store, &bundles, &mut |p| {
                if many && p.done % step == 0 && p.done > 0 {
                    eprintln!(
                        "{} {}/{}",
                        lang.pick("已核验并合并", "Verified and merged"),
                        p.done,
                        p.total
                    );
                }
            })?;
            store.close()?;
            let mut text = String::new();
            let mut items = Vec::new();
            for r in &reports {
                let s = &r.stats;
                if let Some((expected, found)) = r.gap {
                    eprintln!(
                        "{}",
                        match lang {
                            Lang::Zh => format!(
                                "注意：{} 来自设备 {}，其变更号从 {found} 开始，而本库只收到 {} 之前的变更；中间的变更包可能丢失，设备下次导出时会重新带上。",
                                r.file.display(),
                                r.header.device,
                                expected
                            ),
                            Lang::En => format!(
                                "Note: {} from device {} starts at change {found}, but changes up to {} only have arrived here; a bundle in between may be lost. The device will send them again in its next export.",
                                r.file.display(),
                                r.header.device,
                                expected - 1
                            ),
                        }
                    );
                }
                if r.already_imported {
                    text.push_str(&format!(
                        "{}: {}\n",
                        r.file.display(),
                        lang.pick("已导入过，未做改动", "already imported, nothing changed")
                    ));
                } else {
                    text.push_str(&format!(
                        "{}: {} {}, {} {}, {} {}\n",
                        r.file.display(),
                        s.records_inserted,
                        lang.pick("条新记录", "new records"),
                        s.fields_updated,
                        lang.pick("个字段更新", "fields updated"),
                        s.conflicts_recorded,
                        lang.pick("个冲突待处理", "conflicts to resolve"),
                    ));
                }
                items.push(serde_json::json!({
                    "file": r.file,
                    "village_code": r.header.village_code,
                    "device": r.header.device,
                    "seq_from": r.header.seq_from,
                    "seq_to": r.header.seq_to,
                    "already_imported": r.already_imported,
                    "gap": r.gap.map(|(expected, found)| serde_json::json!({"expected_from": expected, "found_from": found})),
                    "records_inserted": s.records_inserted,
                    "fields_updated": s.fields_updated,
                    "conflicts_recorded": s.conflicts_recorded,
                    "audit_rows": s.audit_rows,
                }));
            }
            if json {
                emit(&format!("{}\n", serde_json::Value::Array(items)))
            } else {
                emit(&text)
            }
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
    emit(&text)
}
