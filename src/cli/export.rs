//! `dripline export xlsx|csv`: the registry (households, members, incomes) in the 建档立卡 column
//! layout, then the work records (plans, visits, funds, six-precisions lists), as one workbook or
//! a directory of CSV files. ID numbers are masked unless --full-ids.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::precisions::select_villages;
use super::{CliError, emit};
use crate::i18n::{Lang, Localize};
use crate::io::export::ExportError;
use crate::store::Store;
use crate::workspace::export::{self, ExportFormat};

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub format: ExportFormatArg,
}

#[derive(Debug, Subcommand)]
pub enum ExportFormatArg {
    /// One .xlsx workbook, a sheet per table.
    Xlsx(ExportTarget),
    /// A directory with one UTF-8 (with BOM) .csv file per table.
    Csv(ExportTarget),
}

#[derive(Debug, Args)]
pub struct ExportTarget {
    /// The Dripline database (read only).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// The .xlsx file, or the directory for the CSV files.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Only this village (its 12-digit code) of a county database; default: every village.
    #[arg(long, value_name = "CODE")]
    pub village: Option<String>,
    /// Write ID numbers in full instead of masked (sensitive personal information).
    #[arg(long)]
    pub full_ids: bool,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
}

fn export_error(e: ExportError, lang: Lang) -> CliError {
    match e {
        ExportError::Store(e) => CliError::Store(e),
        e => CliError::Argument(e.localize(lang)),
    }
}

pub fn run(args: ExportArgs, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    let (target, format) = match args.format {
        ExportFormatArg::Xlsx(t) => (t, ExportFormat::Xlsx),
        ExportFormatArg::Csv(t) => (t, ExportFormat::CsvFolder),
    };
    if format == ExportFormat::Xlsx {
        super::check_output(&target.out, Some(&target.db), target.force)?;
    } else if crate::files::is_same_database(&target.out, &target.db) {
        return Err(CliError::OutputIsDatabase(target.out));
    }
    let store = Store::open(&target.db)?;
    let village = match target.village.as_deref() {
        Some(code) => Some(select_villages(&store, Some(code), lang)?[0].id),
        None => None,
    };
    let tables = export::tables(&store, village, target.full_ids, today)?;
    drop(store);
    if !target.force
        && let Some(existing) = export::existing_files(&target.out, format, &tables)
            .into_iter()
            .next()
    {
        return Err(CliError::OutputExists(existing));
    }
    let report = export::write(&target.out, format, &tables).map_err(|e| export_error(e, lang))?;
    emit(&format!("{}\n", report.localize(lang)))
}
