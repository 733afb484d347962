//! `dripline export xlsx|csv`: the registry (households, members, incomes) in the 建档立卡 column
//! layout, then the work records (plans, visits, funds, six-precisions lists), as one workbook or
//! a directory of CSV files. ID numbers are masked unless --full-ids.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{CliError, emit};
use crate::i18n::{Lang, Localize};
use crate::io::export::{self, ExportError, Table};
use crate::store::Store;

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub format: ExportFormat,
}

#[derive(Debug, Subcommand)]
pub enum ExportFormat {
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

pub fn run(args: ExportArgs, lang: Lang) -> Result<(), CliError> {
    let (target, is_xlsx) = match args.format {
        ExportFormat::Xlsx(t) => (t, true),
        ExportFormat::Csv(t) => (t, false),
    };
    let store = Store::open(&target.db)?;
    let mut tables = export::registry_tables(&store, target.full_ids)?;
    tables.extend(crate::io::export_workflow::workflow_tables(&store)?);
    drop(store);
    let written = if is_xlsx {
        if target.out.exists() && !target.force {
            return Err(CliError::OutputExists(target.out));
        }
        export::write_xlsx(&target.out, &tables).map_err(|e| export_error(e, lang))?;
        vec![target.out.clone()]
    } else {
        if !target.force
            && let Some(existing) = tables
                .iter()
                .map(|t| target.out.join(format!("{}.csv", t.file_stem)))
                .find(|p| p.exists())
        {
            return Err(CliError::OutputExists(existing));
        }
        export::write_csv_dir(&target.out, &tables).map_err(|e| export_error(e, lang))?
    };
    let counts: Vec<String> = tables.iter().map(|t| count_line(t, lang)).collect();
    let files: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    let line = match lang {
        Lang::Zh => format!("已导出 {}：{}\n", files.join("、"), counts.join("，")),
        Lang::En => format!("Exported {}: {}\n", files.join(", "), counts.join(", ")),
    };
    emit(&line)
}

fn count_line(table: &Table, lang: Lang) -> String {
    let name = match table.file_stem {
        "households" => lang.pick("户", "households"),
        "members" => lang.pick("人", "members"),
        "incomes" => lang.pick("条收入记录", "income records"),
        "plans" => lang.pick("项帮扶措施", "measures"),
        "visits" => lang.pick("次走访", "visits"),
        "funds" => lang.pick("笔资金", "fund entries"),
        _ => lang.pick("条六个精准清单记录", "six-precisions list rows"),
    };
    match lang {
        Lang::Zh => format!("{} {name}", table.rows.len()),
        Lang::En => format!("{} {name}", table.rows.len()),
    }
}
