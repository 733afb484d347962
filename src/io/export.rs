//! Export of the registry as the county asks for it: households, members and incomes, in the
//! 建档立卡 column order, to one XLSX workbook (a sheet per table) or to a directory of CSV files
//! (one per table, UTF-8 with BOM so that Excel shows Chinese correctly).
//!
//! Each table has a Chinese header row and an English one below it. Values are written in Chinese
//! (the labels the county's forms use); the survey import reads them back. ID numbers are masked
//! (`510824********1234`) unless the caller asks for them in full; bank accounts are never
//! exported.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, Workbook};

use super::survey::{Column, NO, YES};
use crate::i18n::{Label, Lang, Localize};
use crate::model::{HouseholdRecord, HouseholdStatus, Village};
use crate::rules::id_number;
use crate::rules::income::{IncomeItem, net_income, per_capita};
use crate::store::{Store, StoreError};

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl Cell {
    /// The cell as CSV text (numbers without a trailing ".0" for whole values).
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => format!("{n}"),
            Cell::Empty => String::new(),
        }
    }

    /// The cell as a CSV field a spreadsheet will not run: a text starting with `=`, `+`, `-`,
    /// `@`, a tab or a carriage return gets a leading `'` (OWASP's advice against CSV injection);
    /// numbers are written as they are.
    pub fn csv_text(&self) -> String {
        match self {
            Cell::Text(t) if t.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{t}"),
            other => other.text(),
        }
    }
}

fn text(value: impl Into<String>) -> Cell {
    Cell::Text(value.into())
}

fn yes_no(value: bool) -> Cell {
    text(if value { YES.0 } else { NO.0 })
}

/// A living-condition fact: 是/否, or an empty cell when it was never recorded (未填), which an
/// import reads back as "not recorded".
fn fact_cell(value: Option<bool>) -> Cell {
    value.map_or(Cell::Empty, yes_no)
}

/// An exported table: its names, header pairs and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Sheet name in the workbook.
    pub sheet: &'static str,
    /// File name (without `.csv`) in a CSV export.
    pub file_stem: &'static str,
    /// (Chinese, English) headers.
    pub headers: Vec<(&'static str, &'static str)>,
    pub rows: Vec<Vec<Cell>>,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write {path}: {message}")]
    Write { path: PathBuf, message: String },
}

impl Localize for ExportError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            ExportError::Store(e) => e.localize(lang),
            ExportError::Write { path, message } => crate::files::write_failure(
                path,
                message,
                lang,
                [
                    "请检查文件是否在 Excel 中打开或目录是否可写。",
                    "Check that the file is not open in Excel and the folder is writable.",
                ],
            ),
        }
    }
}

fn header(column: Column) -> (&'static str, &'static str) {
    (column.header(Lang::Zh), column.header(Lang::En))
}

const VILLAGE_CODE: (&str, &str) = ("行政区划代码", "Village code");
const HEAD_NAME: (&str, &str) = ("户主姓名", "Head's name");
const SIZE: (&str, &str) = ("家庭人口数", "Household size");
/// When and why a member joined and left (membership by year); empty dates are a member on the
/// register from before dates were kept, or one still in the household.
const MEMBERSHIP: [(&str, &str); 4] = [
    ("入户日期", "Joined on"),
    ("入户原因", "Join reason"),
    ("离开日期", "Left on"),
    ("离开原因", "Leave reason"),
];

/// The three tables of `villages` (of the store), households ordered by village and number.
pub fn registry_tables(
    store: &Store,
    villages: &[Village],
    full_ids: bool,
) -> Result<Vec<Table>, StoreError> {
    let show_id = |id: &str| {
        if full_ids {
            id.to_string()
        } else {
            id_number::mask(id)
        }
    };
    let mut households = Vec::new();
    let mut members = Vec::new();
    let mut incomes = Vec::new();
    for village in villages {
        let register = store.helpers(village.id)?;
        for r in store.household_records(Some(village.id))? {
            // The register's helpers (as the survey import reads them back); a name that
            // matched none is written as it was kept.
            let helpers: Vec<&str> = register
                .iter()
                .filter(|h| h.household_ids.contains(&r.household.id))
                .map(|h| h.name.as_str())
                .collect();
            let helper = if helpers.is_empty() {
                r.household.unmatched_helper_name.clone()
            } else {
                helpers.join("、")
            };
            households.push(household_row(village, &r, &show_id, &helper));
            let number = text(&r.household.number);
            // Members who left stay on the sheet with their leaving date and reason, so the sheet
            // holds the household of every year the figures use.
            for m in r.all_members() {
                members.push(vec![
                    text(&village.code),
                    number.clone(),
                    text(&m.name),
                    text(show_id(&m.id_number)),
                    text(m.sex.label(Lang::Zh)),
                    text(m.birth_date.to_string()),
                    text(m.relation.label(Lang::Zh)),
                    text(&m.ethnicity),
                    text(m.education.label(Lang::Zh)),
                    yes_no(m.in_school),
                    text(m.health.label(Lang::Zh)),
                    m.disability_grade
                        .map_or(Cell::Empty, |g| Cell::Number(f64::from(g))),
                    text(m.labour.label(Lang::Zh)),
                    text(m.work.label(Lang::Zh)),
                    Cell::Number(f64::from(m.migrant_months)),
                    yes_no(m.medical_insurance),
                    yes_no(m.pension_insurance),
                    yes_no(m.dibao),
                    m.joined_on.map_or(Cell::Empty, |d| text(d.to_string())),
                    text(m.join_reason.label(Lang::Zh)),
                    m.left_on.map_or(Cell::Empty, |d| text(d.to_string())),
                    m.leave_reason
                        .map_or(Cell::Empty, |r| text(r.label(Lang::Zh))),
                ]);
            }
            let head_name = r.head().map_or(Cell::Empty, |h| text(&h.name));
            for i in &r.incomes {
                let mut row = vec![
                    text(&village.code),
                    number.clone(),
                    head_name.clone(),
                    Cell::Number(f64::from(i.year)),
                ];
                row.extend(IncomeItem::ALL.map(|item| Cell::Number(item.amount(i))));
                row.push(Cell::Number(net_income(i)));
                let size = crate::rules::membership::size_in(&r, i.year);
                row.push(Cell::Number(size as f64));
                row.push(per_capita(i, size).map_or(Cell::Empty, |p| {
                    // Whole fen, as every screen shows it.
                    Cell::Number((p * 100.0).round() / 100.0)
                }));
                incomes.push(row);
            }
        }
    }

    let mut household_headers = vec![
        ("县", "County"),
        ("乡镇", "Township"),
        ("村", "Village"),
        VILLAGE_CODE,
        header(Column::HouseholdNumber),
        HEAD_NAME,
        ("户主身份证号", "Head's ID number"),
        SIZE,
    ];
    household_headers.extend(
        [
            Column::Phone,
            Column::Address,
            Column::Attribute,
            Column::Status,
            Column::ExitYear,
            Column::MainCause,
            Column::OtherCauses,
            Column::HousingSafe,
            Column::WaterSafe,
            Column::Electricity,
            Column::RadioTv,
            Column::RoadHardened,
            Column::ArableLand,
            Column::ForestLand,
            Column::InCooperative,
            Column::EcommerceSales,
            Column::Helper,
        ]
        .map(header),
    );
    let mut member_headers = vec![VILLAGE_CODE, header(Column::HouseholdNumber)];
    member_headers.extend([header(Column::Name), header(Column::IdNumber)]);
    member_headers.extend([("性别", "Sex"), ("出生日期", "Birth date")]);
    member_headers.extend(
        [
            Column::Relation,
            Column::Ethnicity,
            Column::Education,
            Column::InSchool,
            Column::Health,
            Column::DisabilityGrade,
            Column::Labour,
            Column::Work,
            Column::MigrantMonths,
            Column::MedicalInsurance,
            Column::PensionInsurance,
            Column::Dibao,
        ]
        .map(header),
    );
    member_headers.extend(MEMBERSHIP);
    let mut income_headers = vec![
        VILLAGE_CODE,
        header(Column::HouseholdNumber),
        HEAD_NAME,
        header(Column::IncomeYear),
    ];
    income_headers.extend(IncomeItem::ALL.map(|item| header(Column::Income(item))));
    income_headers.extend([
        ("家庭纯收入", "Net income"),
        SIZE,
        ("人均纯收入", "Per-capita net income"),
    ]);

    Ok(vec![
        Table {
            sheet: "户信息 Households",
            file_stem: "households",
            headers: household_headers,
            rows: households,
        },
        Table {
            sheet: "家庭成员 Members",
            file_stem: "members",
            headers: member_headers,
            rows: members,
        },
        Table {
            sheet: "收入 Incomes",
            file_stem: "incomes",
            headers: income_headers,
            rows: incomes,
        },
    ])
}

fn household_row(
    village: &Village,
    r: &HouseholdRecord,
    show_id: &dyn Fn(&str) -> String,
    helper: &str,
) -> Vec<Cell> {
    let h = &r.household;
    let l = &h.living;
    let exit_year = match h.status {
        HouseholdStatus::Exited { year } => Cell::Number(f64::from(year)),
        _ => Cell::Empty,
    };
    let other_causes: Vec<&str> = h.other_causes.iter().map(|c| c.label(Lang::Zh)).collect();
    vec![
        text(&village.county),
        text(&village.township),
        text(&village.name),
        text(&village.code),
        text(&h.number),
        r.head().map_or(Cell::Empty, |m| text(&m.name)),
        r.head()
            .map_or(Cell::Empty, |m| text(show_id(&m.id_number))),
        Cell::Number(r.size() as f64),
        text(&h.phone),
        text(&h.address),
        text(h.attribute.label(Lang::Zh)),
        text(h.status.label(Lang::Zh)),
        exit_year,
        h.main_cause
            .map_or(Cell::Empty, |c| text(c.label(Lang::Zh))),
        text(other_causes.join("、")),
        fact_cell(l.housing_safe),
        fact_cell(l.water_safe),
        fact_cell(l.electricity),
        fact_cell(l.radio_tv),
        yes_no(l.road_hardened),
        Cell::Number(l.arable_land_mu),
        Cell::Number(l.forest_land_mu),
        yes_no(l.in_cooperative),
        yes_no(l.ecommerce_sales),
        text(helper),
    ]
}

/// Writes the tables to one workbook, a sheet each, with both header rows and frozen headers.
pub fn write_xlsx(path: &Path, tables: &[Table]) -> Result<(), ExportError> {
    let write_error = |e: rust_xlsxwriter::XlsxError| ExportError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut workbook = Workbook::new();
    let zh_header = Format::new().set_bold();
    let en_header = Format::new().set_italic();
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(table.sheet).map_err(write_error)?;
        for (col, (zh, en)) in table.headers.iter().enumerate() {
            let col = col as u16;
            let width_chars = (zh.chars().count() * 2).max(en.len() / 2).clamp(8, 24);
            sheet
                .write_string_with_format(0, col, *zh, &zh_header)
                .and_then(|s| s.write_string_with_format(1, col, *en, &en_header))
                .and_then(|s| s.set_column_width(col, width_chars as f64))
                .map_err(write_error)?;
        }
        for (i, row) in table.rows.iter().enumerate() {
            let row_index = 2 + i as u32;
            for (col, cell) in row.iter().enumerate() {
                let col = col as u16;
                match cell {
                    Cell::Text(t) => sheet.write_string(row_index, col, t).map(|_| ()),
                    Cell::Number(n) => sheet.write_number(row_index, col, *n).map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(write_error)?;
            }
        }
        sheet.set_freeze_panes(2, 0).map_err(write_error)?;
    }
    super::survey::save_workbook(&mut workbook, path).map_err(|message| ExportError::Write {
        path: path.to_path_buf(),
        message,
    })
}

/// Writes one `<file_stem>.csv` per table into `dir` (created if missing), UTF-8 with a BOM.
/// Returns the files written.
pub fn write_csv_dir(dir: &Path, tables: &[Table]) -> Result<Vec<PathBuf>, ExportError> {
    let io_error = |path: &Path, e: &dyn std::fmt::Display| ExportError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))?;
    let mut written = Vec::new();
    for table in tables {
        let path = dir.join(format!("{}.csv", table.file_stem));
        // Without the BOM, Excel on a Chinese Windows reads the file as GBK and garbles it.
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        {
            let mut writer = csv::Writer::from_writer(&mut bytes);
            let zh: Vec<&str> = table.headers.iter().map(|h| h.0).collect();
            let en: Vec<&str> = table.headers.iter().map(|h| h.1).collect();
            writer.write_record(&zh).map_err(|e| io_error(&path, &e))?;
            writer.write_record(&en).map_err(|e| io_error(&path, &e))?;
            for row in &table.rows {
                writer
                    .write_record(row.iter().map(Cell::csv_text))
                    .map_err(|e| io_error(&path, &e))?;
            }
            writer.flush().map_err(|e| io_error(&path, &e))?;
        }
        if let Err(e) = crate::files::write_bytes(&path, &bytes) {
            // All or nothing: the tables of this export already written go too.
            for done in &written {
                let _ = std::fs::remove_file(done);
            }
            return Err(io_error(&path, &e));
        }
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_without_a_trailing_zero() {
        assert_eq!(Cell::Number(1200.0).text(), "1200");
        assert_eq!(Cell::Number(2.5).text(), "2.5");
        assert_eq!(Cell::Empty.text(), "");
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_neutralised() {
        for formula in ["=1+2", "@SUM(1+1)", "+86 138", "-2+3", "\tx", "\r=1"] {
            assert_eq!(Cell::Text(formula.into()).csv_text(), format!("'{formula}"));
        }
        assert_eq!(Cell::Text("张三=1".into()).csv_text(), "张三=1");
        assert_eq!(Cell::Number(-200.0).csv_text(), "-200");
    }

    #[test]
    fn csv_files_start_with_a_bom_and_carry_both_header_rows() {
        let dir = tempfile::tempdir().unwrap();
        let table = Table {
            sheet: "t",
            file_stem: "members",
            headers: vec![("姓名", "Name"), ("年度", "Year")],
            rows: vec![vec![text("李建国"), Cell::Number(2019.0)]],
        };
        let files = write_csv_dir(dir.path(), &[table]).unwrap();
        let bytes = std::fs::read(&files[0]).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let body = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(body, "姓名,年度\nName,Year\n李建国,2019\n");
    }
}
