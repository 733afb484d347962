//! `dripline check`: data-quality findings of every village in a database.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;
use serde_json::json;

use std::fmt::Write;

use super::precisions::select_villages;
use super::{CliError, Streamed};
use crate::i18n::{Label, Lang, Localize};
use crate::store::Store;
use crate::store::audit_chain::BrokenRow;
use crate::workspace::VillageView;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The Dripline database to check (read only).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// Only this village (its 12-digit code); default: every village in the database.
    #[arg(long, value_name = "CODE")]
    pub village: Option<String>,
    /// Print JSON (an array of findings) instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: CheckArgs, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    let store = Store::open(&args.db)?;
    // One village at a time: its findings are written out before the next village is read.
    let mut out = Streamed::new();
    let mut findings = 0usize;
    for village in select_villages(&store, args.village.as_deref(), lang)? {
        let view = VillageView::load(&store, village.id, today)?;
        let mut text = String::new();
        // A judged income year without a monitoring threshold of its own, before the findings.
        for w in &view.precisions.threshold_warnings {
            findings += 1;
            let kind_label = lang.pick("缺监测标准", "No monitoring threshold");
            if args.json {
                out.json_item(&json!({
                    "village_code": village.code,
                    "kind": "no_monitoring_threshold",
                    "kind_label": kind_label,
                    "year": w.year,
                    "household_number": "-",
                    "message": w.localize(lang),
                }))?;
            } else {
                writeln!(
                    text,
                    "{kind_label}\t{}\t-\t-\t{}",
                    village.code,
                    w.localize(lang)
                )
                .expect("writing to a String");
            }
        }
        for f in &view.findings {
            findings += 1;
            if args.json {
                out.json_item(&json!({
                    "village_code": village.code,
                    "kind": f.kind.code(),
                    "kind_label": f.kind.label(lang),
                    "household_id": f.household_id,
                    "household_number": f.household_number,
                    "member_id": f.member_id,
                    "member_name": f.member_name,
                    "message": f.localize(lang),
                }))?;
            } else {
                writeln!(
                    text,
                    "{}\t{}\t{}\t{}\t{}",
                    f.kind.label(lang),
                    village.code,
                    f.household_number,
                    f.member_name.as_deref().unwrap_or("-"),
                    f.localize(lang)
                )
                .expect("writing to a String");
            }
        }
        out.text(&text)?;
    }
    // The audit log is the database's, not a village's: its chain is checked once.
    let chain = store.verify_audit_chain()?;
    if let Some(broken) = &chain.broken {
        findings += 1;
        let kind_label = lang.pick("审计日志被改动", "Audit log altered");
        if args.json {
            let (audit_seq, change) = match broken {
                BrokenRow::Audit { seq, change } => (Some(*seq), Some(*change)),
                BrokenRow::Change { n, .. } => (None, Some(*n)),
            };
            out.json_item(&json!({
                "kind": "audit_chain_broken",
                "kind_label": kind_label,
                "audit_seq": audit_seq,
                "change": change,
                "message": broken.localize(lang),
            }))?;
        } else {
            out.text(&format!(
                "{kind_label}\t-\t-\t-\t{}\n",
                broken.localize(lang)
            ))?;
        }
    }
    // The file's, too: an unencrypted database gives every ID number and key to whoever copies
    // it. (Left out of a one-village check, whose findings are that village's.)
    if !store.is_encrypted() && args.village.is_none() {
        findings += 1;
        let kind_label = lang.pick("数据库未加密", "Unencrypted database");
        // The same words for every file (two demos of one seed check alike).
        let message = lang
            .pick(
                "数据库没有加密：拷走这个文件的人能读到全部身份证号、银行账号和密钥。加密：dripline passphrase encrypt --db 文件",
                "The database is not encrypted: whoever copies the file reads every ID number, bank account and key. Encrypt it: dripline passphrase encrypt --db FILE",
            )
            .to_string();
        if args.json {
            out.json_item(&json!({
                "kind": "unencrypted_database",
                "kind_label": kind_label,
                "household_number": "-",
                "message": message,
            }))?;
        } else {
            out.text(&format!("{kind_label}\t-\t-\t-\t{message}\n"))?;
        }
    }
    if args.json {
        return out.json_end();
    }
    if chain.broken.is_none() {
        out.text(&format!("{}\n", chain.localize(lang)))?;
    }
    out.text(&match lang {
        Lang::Zh => format!("共 {findings} 个问题\n"),
        Lang::En => format!("{findings} findings\n"),
    })?;
    out.finish()
}
