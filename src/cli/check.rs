//! `dripline check`: data-quality findings of every village in a database.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;
use serde_json::json;

use std::fmt::Write;

use super::precisions::select_villages;
use super::{CliError, emit};
use crate::i18n::{Label, Lang, Localize};
use crate::store::Store;
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
    let mut out = String::new();
    let mut rows = Vec::new();
    for village in select_villages(&store, args.village.as_deref(), lang)? {
        let view = VillageView::load(&store, village.id, today)?;
        for finding in view.findings {
            rows.push((village.code.clone(), finding));
        }
    }
    if args.json {
        let items: Vec<_> = rows
            .iter()
            .map(|(code, f)| {
                json!({
                    "village_code": code,
                    "kind": f.kind.code(),
                    "kind_label": f.kind.label(lang),
                    "household_id": f.household_id,
                    "household_number": f.household_number,
                    "member_id": f.member_id,
                    "member_name": f.member_name,
                    "message": f.localize(lang),
                })
            })
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&items).expect("json")
        )
        .expect("writing to a String");
    } else {
        for (code, f) in &rows {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}",
                f.kind.label(lang),
                code,
                f.household_number,
                f.member_name.as_deref().unwrap_or("-"),
                f.localize(lang)
            )
            .expect("writing to a String");
        }
        match lang {
            Lang::Zh => writeln!(out, "共 {} 个问题", rows.len()).expect("writing to a String"),
            Lang::En => writeln!(out, "{} findings", rows.len()).expect("writing to a String"),
        }
    }
    emit(&out)
}
