//! `dripline print card|visit-sheet --db FILE --household NO --out FILE.pdf`: a household's card
//! (扶贫明白卡) or visit sheet as PDF. An unknown household or an existing output file (without
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
