//! The export of a database to Excel or to a folder of CSV files: the registry (households,
//! members, incomes) and the work records beside it (plans, visits, funds, six-precisions lists),
//! every village evaluated at its date. The window's export buttons and `dripline export` both
//! call [`tables`] and [`write`] and say what was written with [`ExportReport`].

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use uuid::Uuid;

use super::view::VillageView;
use crate::i18n::{Lang, Localize};
use crate::io::export::{self, ExportError, Table};
use crate::io::export_workflow::{VillageData, WorkflowTables};
use crate::store::{Store, StoreError};

/// One workbook, or a folder with a CSV file per table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    CsvFolder,
}

/// Every table of the database, village by village. ID numbers are masked unless `full_ids`.
/// With `village`, only that village's (a county exporting one of its villages).
pub fn tables(
    store: &Store,
    village: Option<Uuid>,
    full_ids: bool,
    clock_today: NaiveDate,
) -> Result<Vec<Table>, StoreError> {
    let villages = match village {
        Some(id) => vec![store.village(id)?],
        None => store.villages()?,
    };
    let mut tables = export::registry_tables(store, &villages, full_ids)?;
    let mut workflow = WorkflowTables::default();
    for village in villages {
        let view = VillageView::load(store, village.id, clock_today)?;
        workflow.add(&VillageData {
            village: &view.village,
            records: &view.records,
            workflow: &view.workflow,
            precisions: &view.precisions,
            thresholds: &view.thresholds,
        });
    }
    tables.extend(workflow.finish());
    Ok(tables)
}

/// The files `write` would create at `out` that exist already.
pub fn existing_files(out: &Path, format: ExportFormat, tables: &[Table]) -> Vec<PathBuf> {
    match format {
        ExportFormat::Xlsx => vec![out.to_path_buf()],
        ExportFormat::CsvFolder => tables
            .iter()
            .map(|t| out.join(format!("{}.csv", t.file_stem)))
            .collect(),
    }
    .into_iter()
    .filter(|p| p.exists())
    .collect()
}

/// Writes the tables and says what was written.
pub fn write(
    out: &Path,
    format: ExportFormat,
    tables: &[Table],
) -> Result<ExportReport, ExportError> {
    let files = match format {
        ExportFormat::Xlsx => {
            export::write_xlsx(out, tables)?;
            vec![out.to_path_buf()]
        }
        ExportFormat::CsvFolder => export::write_csv_dir(out, tables)?,
    };
    Ok(ExportReport {
        files,
        rows: tables.iter().map(|t| (t.file_stem, t.rows.len())).collect(),
    })
}

/// What an export wrote: the files and the rows of each table.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportReport {
    pub files: Vec<PathBuf>,
    /// (file stem, rows) of every table.
    pub rows: Vec<(&'static str, usize)>,
}

/// What a table's rows are, counted: "120 户", "1 项帮扶措施".
fn rows_of(stem: &str, lang: Lang) -> &'static str {
    match stem {
        "households" => lang.pick("户", "households"),
        "members" => lang.pick("人", "members"),
        "incomes" => lang.pick("条收入记录", "income records"),
        "plans" => lang.pick("项帮扶措施", "measures"),
        "visits" => lang.pick("次走访", "visits"),
        "funds" => lang.pick("笔资金", "fund entries"),
        _ => lang.pick("条六个精准清单记录", "six-precisions list rows"),
    }
}

impl Localize for ExportReport {
    fn localize(&self, lang: Lang) -> String {
        let files: Vec<String> = self.files.iter().map(|p| p.display().to_string()).collect();
        let counts: Vec<String> = self
            .rows
            .iter()
            .map(|(stem, n)| format!("{n} {}", rows_of(stem, lang)))
            .collect();
        match lang {
            Lang::Zh => format!("已导出 {}：{}", files.join("、"), counts.join("，")),
            Lang::En => format!("Exported {}: {}", files.join(", "), counts.join(", ")),
        }
    }
}
