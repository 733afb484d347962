//! `dripline print card|visit-sheet --db FILE --household NO --out FILE.pdf`: a household's card
//! (扶贫明白卡) or visit sheet as PDF; `dripline print notice --db FILE [--village CODE] --out
//! FILE.pdf|FILE.xlsx`: the village's public notice of monitoring cases. An unknown household or an existing output file (without
//! --force) writes nothing; the PDF is written through a temporary file and a rename.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{CliError, emit};
use crate::i18n::{Lang, Localize};
use crate::io::print::{self, PaperKind, PrintError, PrintOptions};
use crate::store::Store;
use crate::workspace::VillageView;

#[derive(Debug, Args)]
pub struct PrintArgs {
    #[command(subcommand)]
    pub paper: Paper,
}

#[derive(Debug, Subcommand)]
pub enum Paper {
    /// The household card 扶贫明白卡: members, causes, helpers, measures and funds, income by year.
    Card(PrintTarget),
    /// The visit sheet 入户走访记录单, with the last visit's values beside boxes to fill in.
    VisitSheet(PrintTarget),
    /// The public notice 公示名单 of the village's monitoring cases under review (name, household
    /// size, decision and reason, dates, how to object; never an ID number, phone, bank account
    /// or health condition), as PDF or XLSX by the file's extension.
    Notice(NoticeTarget),
}

#[derive(Debug, Args)]
pub struct NoticeTarget {
    /// The Dripline database (read only).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// The village's 12-digit code (needed when the database holds several villages).
    #[arg(long, value_name = "CODE")]
    pub village: Option<String>,
    /// The file to write: .pdf or .xlsx.
    #[arg(long, value_name = "FILE.pdf|FILE.xlsx")]
    pub out: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// `print notice`: the village's notice, written as the output's extension says.
fn run_notice(t: NoticeTarget, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    let xlsx = match t
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("pdf") => false,
        Some("xlsx") => true,
        _ => {
            return Err(CliError::Argument(
                lang.pick(
                    "公示名单只能保存为 .pdf 或 .xlsx 文件，未生成文件。",
                    "The notice is written as a .pdf or .xlsx file; no file was written.",
                )
                .to_string(),
            ));
        }
    };
    super::check_output(&t.out, Some(&t.db), t.force)?;
    let store = Store::open(&t.db)?;
    let villages = super::precisions::select_villages(&store, t.village.as_deref(), lang)?;
    let [village] = villages.as_slice() else {
        return Err(CliError::Argument(
            lang.pick(
                "数据库中有多个村，请用 --village 指定村的编码；未生成文件。",
                "The database holds several villages: name one with --village CODE; no file was written.",
            )
            .to_string(),
        ));
    };
    let view = VillageView::load(&store, village.id, today)?;
    drop(store);
    let households = crate::workspace::print::print_notice(&view, &t.out, xlsx, lang)
        .map_err(|e| print_error(e, lang))?;
    emit(&format!(
        "{}\n",
        crate::workspace::print::notice_written(&t.out, households, lang)
    ))
}

#[derive(Debug, Args)]
pub struct PrintTarget {
    /// The Dripline database (read only).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// The household number as shown in the register (户编号), e.g. 007.
    #[arg(long, value_name = "NO")]
    pub household: String,
    /// The village's 12-digit code, when several villages use the same household number.
    #[arg(long, value_name = "CODE")]
    pub village: Option<String>,
    /// The PDF file to write.
    #[arg(long, value_name = "FILE.pdf")]
    pub out: PathBuf,
    /// Print ID numbers in full instead of masked (sensitive personal information).
    #[arg(long)]
    pub full_ids: bool,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

fn print_error(e: PrintError, lang: Lang) -> CliError {
    match e {
        PrintError::Store(e) => CliError::Store(e),
        e => CliError::Argument(e.localize(lang)),
    }
}

pub fn run(args: PrintArgs, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    let (kind, target) = match args.paper {
        Paper::Card(t) => (PaperKind::Card, t),
        Paper::VisitSheet(t) => (PaperKind::VisitSheet, t),
        Paper::Notice(t) => return run_notice(t, lang, today),
    };
    super::check_output(&target.out, Some(&target.db), target.force)?;
    let store = Store::open(&target.db)?;
    let found = print::find_household(&store, target.village.as_deref(), &target.household)
        .map_err(|e| print_error(e, lang))?;
    let view = VillageView::load(&store, found.village_id, today)?;
    drop(store);
    let options = PrintOptions {
        lang,
        full_ids: target.full_ids,
    };
    let printed =
        crate::workspace::print::print(&view, found.household_id, kind, &target.out, &options)
            .map_err(|e| print_error(e, lang))?;
    emit(&format!(
        "{}\n{}\n",
        printed.localize(lang),
        printed.what(lang)
    ))
}
