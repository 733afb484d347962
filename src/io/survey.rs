//! The baseline-survey spreadsheet (入户调查表): its layout, the empty template and the reader of
//! filled files (.xlsx through calamine, .csv in UTF-8 with or without BOM).
//!
//! # Layout
//! Sheet `入户调查`, **one row per member**. Row 1 holds the Chinese headers, row 2 the English
//! ones; the reader recognises the header row by either language and skips the other one.
//! Columns, in order (a cell left empty keeps the stored value, or the registry default for a new
//! record):
//!
//! | # | 中文 | English | values |
//! |---|---|---|---|
//! | 1 | 户编号 | Household number | required; rows with the same number form one household |
//! | 2 | 姓名 | Name | required |
//! | 3 | 身份证号 | ID number | required, 18 characters; sex and birth date are read from it |
//! | 4 | 与户主关系 | Relation to head | required; exactly one 户主 per household |
//! | 5–15 | 民族 … 享受低保 | Ethnicity … Minimum living allowance | member details (coded or 是/否) |
//! | 16–32 | 家庭住址 … 帮扶责任人 | Address … Assigned helper | household columns |
//! | 33–38 | 收入年度, 工资性收入 … 生产经营性支出 | Income year, wage … expenses | one year's income |
//!
//! Household columns (address, phone, poverty attribute, status, exit year, main cause, other
//! causes separated by 、 or a comma, the living-condition 是/否 columns, arable and forest land,
//! helper) and the income columns are **taken from the head's row** (relation 户主); on the other
//! members' rows they may be left empty or repeat the head's values (they are still checked).
//! Coded columns accept the Chinese label, the English label or the stored code; sheet
//! `可选值 Allowed values` of the template lists them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Format, Formula, Workbook};

use super::survey_file::{self, CsvEncoding, FileError, GridCell, GridRow};
use crate::i18n::{Label, Lang, Localize};
use crate::model::{
    Cause, Education, Health, HouseholdStatus, LabourAbility, MonitoredKind, PovertyAttribute,
    Relation, WorkStatus,
};
use crate::rules::registry::{Field, IncomeItem};

/// Name of the data sheet of the template.
pub const SURVEY_SHEET: &str = "入户调查";
/// Name of the sheet listing the allowed values of the coded columns.
pub const ALLOWED_SHEET: &str = "可选值 Allowed values";
/// Rows (after the two header rows) that carry drop-down validation in the template: a village
/// has a few hundred households, so a few thousand member rows.
const VALIDATED_ROWS: u32 = 5000;
/// How far down the reader looks for the header row (a title or a note may sit above it).
const HEADER_SEARCH_ROWS: usize = 20;

/// A column of the survey sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    HouseholdNumber,
    Name,
    IdNumber,
    Relation,
    Ethnicity,
    Education,
    InSchool,
    Health,
    DisabilityGrade,
    Labour,
    Work,
    MigrantMonths,
    MedicalInsurance,
    PensionInsurance,
    Dibao,
    Address,
    Phone,
    Attribute,
    Status,
    ExitYear,
    MainCause,
    OtherCauses,
    HousingSafe,
    WaterSafe,
    Electricity,
    RadioTv,
    RoadHardened,
    ArableLand,
    ForestLand,
    InCooperative,
    EcommerceSales,
    Helper,
    IncomeYear,
    Income(IncomeItem),
    /// 性别 as stated by the file (not in the template: sex is read from the ID number, and a
    /// stated one is only compared with it).
    StatedSex,
    /// 出生日期 as stated by the file, compared with the ID number like [`Column::StatedSex`].
    StatedBirthDate,
}

/// What a column holds, which decides how its cells are read and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    /// A decimal number (land areas, amounts of yuan).
    Number,
    /// A whole number (years, months, grades).
    WholeNumber,
    /// 是 or 否.
    YesNo,
    /// One of the column's [`Column::allowed_values`].
    Coded,
    /// Several causes separated by 、 or a comma.
    Causes,
}

impl Column {
    /// Every column, in the order of the sheet.
    pub const ALL: [Column; 38] = [
        Column::HouseholdNumber,
        Column::Name,
        Column::IdNumber,
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
        Column::Address,
        Column::Phone,
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
        Column::IncomeYear,
        Column::Income(IncomeItem::Wage),
        Column::Income(IncomeItem::Production),
        Column::Income(IncomeItem::Property),
        Column::Income(IncomeItem::Transfer),
        Column::Income(IncomeItem::ProductionExpense),
    ];

    /// Columns read when a file has them, though the template does not.
    pub const EXTRA: [Column; 2] = [Column::StatedSex, Column::StatedBirthDate];

    /// Columns without which a row cannot be placed in a household.
    pub const REQUIRED: [Column; 4] = [
        Column::HouseholdNumber,
        Column::Name,
        Column::IdNumber,
        Column::Relation,
    ];

    /// The header of the column in `lang` (row 1 is Chinese, row 2 English).
    pub fn header(self, lang: Lang) -> &'static str {
        match self {
            // The registry's field names, so a problem reads the same in a form and a sheet.
            Column::HouseholdNumber => Field::HouseholdNumber.label(lang),
            Column::Name => Field::Name.label(lang),
            Column::IdNumber => Field::IdNumber.label(lang),
            Column::Relation => Field::Relation.label(lang),
            Column::DisabilityGrade => Field::DisabilityGrade.label(lang),
            Column::MigrantMonths => Field::MigrantMonths.label(lang),
            Column::Phone => Field::Phone.label(lang),
            Column::ExitYear => Field::ExitYear.label(lang),
            Column::ArableLand => Field::ArableLand.label(lang),
            Column::ForestLand => Field::ForestLand.label(lang),
            Column::Income(item) => item.label(lang),
            Column::Ethnicity => lang.pick("民族", "Ethnicity"),
            Column::Education => lang.pick("文化程度", "Education"),
            Column::InSchool => lang.pick("在校生", "In school"),
            Column::Health => lang.pick("健康状况", "Health"),
            Column::Labour => lang.pick("劳动能力", "Labour ability"),
            Column::Work => lang.pick("务工状况", "Work status"),
            Column::MedicalInsurance => lang.pick("参加医疗保险", "Medical insurance"),
            Column::PensionInsurance => lang.pick("参加养老保险", "Pension insurance"),
            Column::Dibao => lang.pick("享受低保", "Minimum living allowance"),
            Column::Address => lang.pick("家庭住址", "Address"),
            Column::Attribute => lang.pick("贫困户属性", "Poverty attribute"),
            Column::Status => lang.pick("户状态", "Household status"),
            Column::MainCause => lang.pick("主要致贫原因", "Main cause"),
            Column::OtherCauses => lang.pick("其他致贫原因", "Other causes"),
            Column::HousingSafe => lang.pick("住房安全", "Safe housing"),
            Column::WaterSafe => lang.pick("饮水安全", "Safe drinking water"),
            Column::Electricity => lang.pick("通生活用电", "Electricity"),
            Column::RadioTv => lang.pick("通广播电视", "Radio and TV"),
            Column::RoadHardened => lang.pick("入户路硬化", "Hardened road to the house"),
            Column::InCooperative => lang.pick("加入合作社", "In a cooperative"),
            Column::EcommerceSales => lang.pick("电商销售", "E-commerce sales"),
            Column::Helper => lang.pick("帮扶责任人", "Assigned helper"),
            Column::IncomeYear => lang.pick("收入年度", "Income year"),
            Column::StatedSex => lang.pick("性别", "Sex"),
            Column::StatedBirthDate => lang.pick("出生日期", "Date of birth"),
        }
    }

    pub fn kind(self) -> ColumnKind {
        match self {
            Column::HouseholdNumber
            | Column::Name
            | Column::IdNumber
            | Column::Ethnicity
            | Column::Address
            | Column::Phone
            | Column::Helper
            | Column::StatedSex
            | Column::StatedBirthDate => ColumnKind::Text,
            Column::ArableLand | Column::ForestLand | Column::Income(_) => ColumnKind::Number,
            Column::DisabilityGrade
            | Column::MigrantMonths
            | Column::ExitYear
            | Column::IncomeYear => ColumnKind::WholeNumber,
            Column::InSchool
            | Column::MedicalInsurance
            | Column::PensionInsurance
            | Column::Dibao
            | Column::HousingSafe
            | Column::WaterSafe
            | Column::Electricity
            | Column::RadioTv
            | Column::RoadHardened
            | Column::InCooperative
            | Column::EcommerceSales => ColumnKind::YesNo,
            Column::Relation
            | Column::Education
            | Column::Health
            | Column::Labour
            | Column::Work
            | Column::Attribute
            | Column::Status
            | Column::MainCause => ColumnKind::Coded,
            Column::OtherCauses => ColumnKind::Causes,
        }
    }

    /// The (Chinese, English) values a coded, yes/no or causes column accepts; `None` for free
    /// text and numbers.
    pub fn allowed_values(self) -> Option<ValuePairs> {
        match self {
            Column::Relation => Some(labels(Relation::ALL)),
            Column::Education => Some(labels(Education::ALL)),
            Column::Health => Some(labels(Health::ALL)),
            Column::Labour => Some(labels(LabourAbility::ALL)),
            Column::Work => Some(labels(WorkStatus::ALL)),
            Column::Attribute => Some(labels(PovertyAttribute::ALL)),
            Column::Status => Some(labels(&status_choices())),
            Column::MainCause | Column::OtherCauses => Some(labels(Cause::ALL)),
            _ if self.kind() == ColumnKind::YesNo => Some(vec![YES, NO]),
            _ => None,
        }
    }

    /// Which column a header cell names, in either language (case and surrounding spaces
    /// ignored for English).
    pub fn from_header(text: &str) -> Option<Column> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("birth date") || text == "出生年月日" {
            return Some(Column::StatedBirthDate);
        }
        Column::ALL
            .into_iter()
            .chain(Column::EXTRA)
            .find(|c| c.header(Lang::Zh) == text || c.header(Lang::En).eq_ignore_ascii_case(text))
    }

    /// The most characters a cell of this column may hold: an address of 200 characters is
    /// already a paragraph, and a longer one is a quote that swallowed the next rows.
    pub fn max_chars(self) -> usize {
        match self {
            Column::Address | Column::OtherCauses => 200,
            Column::Name | Column::Helper => 50,
            Column::HouseholdNumber | Column::IdNumber | Column::Phone | Column::Ethnicity => 30,
            _ => 100,
        }
    }

    /// Columns whose value is a string of digits that a number cell would change (an 18-digit
    /// ID number keeps only 15 significant digits; a phone number's leading 0 goes).
    pub fn must_be_text(self) -> bool {
        matches!(self, Column::IdNumber | Column::Phone)
    }
}

/// (Chinese, English) labels of the values a column accepts.
pub type ValuePairs = Vec<(&'static str, &'static str)>;

/// The yes/no labels of 是/否 columns.
pub const YES: (&str, &str) = ("是", "Yes");
pub const NO: (&str, &str) = ("否", "No");

fn labels<T: Label>(all: &[T]) -> ValuePairs {
    all.iter()
        .map(|v| (v.label(Lang::Zh), v.label(Lang::En)))
        .collect()
}

/// The statuses a survey row can give, one per label. An exit year of 0 stands for "the year is
/// in the 脱贫年份 column".
pub fn status_choices() -> Vec<HouseholdStatus> {
    let mut all = vec![
        HouseholdStatus::Unassessed,
        HouseholdStatus::NotRegistered,
        HouseholdStatus::Registered,
        HouseholdStatus::Exited { year: 0 },
    ];
    all.extend(
        MonitoredKind::ALL
            .iter()
            .map(|&kind| HouseholdStatus::Monitored { kind }),
    );
    all
}

/// What can go wrong reading or writing a survey file, before any row is looked at.
#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    #[error("{path}: {error}")]
    Read { path: PathBuf, error: FileError },
    #[error("{path}: unsupported file type")]
    UnsupportedType { path: PathBuf },
    #[error("{path}: no header row")]
    NoHeaderRow { path: PathBuf },
    #[error("cannot write {path}: {message}")]
    Write { path: PathBuf, message: String },
}

impl Localize for SurveyError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            SurveyError::Read { path, error } => survey_file::describe(error, path, lang),
            SurveyError::UnsupportedType { path } => match lang {
                Lang::Zh => format!(
                    "不支持 {} 的文件类型，请使用 .xlsx 或 .csv 文件（.xls、.ods 请先另存为 .xlsx）。",
                    path.display()
                ),
                Lang::En => format!(
                    "{} is not a supported file type; use an .xlsx or .csv file (save an .xls or .ods as .xlsx first).",
                    path.display()
                ),
            },
            SurveyError::NoHeaderRow { path } => {
                let required: Vec<&str> = Column::REQUIRED.iter().map(|c| c.header(lang)).collect();
                match lang {
                    Lang::Zh => format!(
                        "{} 中找不到表头行：需要包含以下列名（中文或英文均可）：{}。请使用“入户调查”模板。",
                        path.display(),
                        required.join("、")
                    ),
                    Lang::En => format!(
                        "{} has no header row: it needs the columns {} (Chinese or English names). Use the survey template.",
                        path.display(),
                        required.join(", ")
                    ),
                }
            }
            SurveyError::Write { path, message } => crate::files::write_failure(
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

/// Writes the empty survey template: the data sheet with both header rows, column widths, text
/// format where Excel would otherwise mangle the value, drop-downs on coded columns, and the sheet
/// of allowed values.
pub fn write_template(path: &Path) -> Result<(), SurveyError> {
    let write_error = |e: rust_xlsxwriter::XlsxError| SurveyError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut workbook = Workbook::new();
    let zh_header = Format::new().set_bold().set_text_wrap();
    let en_header = Format::new().set_italic().set_text_wrap();
    // An 18-digit ID number typed into a number cell loses its last digits, and a household
    // number such as 001 its leading zeros: keep those columns as text.
    let text = Format::new().set_num_format("@");

    // Each coded column gets a (Chinese, English) column pair on the allowed-values sheet; the
    // drop-downs point at the Chinese half. Causes share one list with the main cause.
    let lists: Vec<(Column, u16, ValuePairs)> = Column::ALL
        .into_iter()
        .filter(|c| *c != Column::OtherCauses)
        .filter_map(|c| c.allowed_values().map(|values| (c, values)))
        .enumerate()
        .map(|(i, (column, values))| (column, 2 * i as u16, values))
        .collect();

    let sheet = workbook.add_worksheet();
    sheet.set_name(SURVEY_SHEET).map_err(write_error)?;
    for (i, column) in Column::ALL.into_iter().enumerate() {
        let col = i as u16;
        let zh = column.header(Lang::Zh);
        let en = column.header(Lang::En);
        // Wide enough for the longer header (a CJK character is about two Latin ones) or an ID.
        let width_chars = match column {
            Column::IdNumber => 22,
            _ => (zh.chars().count() * 2).max(en.len() / 2).clamp(8, 24),
        };
        sheet
            .write_string_with_format(0, col, zh, &zh_header)
            .and_then(|s| s.write_string_with_format(1, col, en, &en_header))
            .and_then(|s| s.set_column_width(col, width_chars as f64))
            .map_err(write_error)?;
        if matches!(
            column,
            Column::HouseholdNumber | Column::IdNumber | Column::Phone
        ) {
            sheet.set_column_format(col, &text).map_err(write_error)?;
        }
        if let Some((_, list_col, values)) = lists.iter().find(|(c, _, _)| *c == column) {
            let letter = rust_xlsxwriter::utility::column_number_to_name(*list_col);
            let range = format!(
                "='{ALLOWED_SHEET}'!${letter}$2:${letter}${}",
                values.len() + 1
            );
            // A warning rather than a stop: English labels and codes are accepted on import too.
            let validation = DataValidation::new()
                .allow_list_formula(Formula::new(range))
                .set_error_style(DataValidationErrorStyle::Warning);
            sheet
                .add_data_validation(2, col, 1 + VALIDATED_ROWS, col, &validation)
                .map_err(write_error)?;
        }
    }
    sheet.set_freeze_panes(2, 3).map_err(write_error)?;

    let sheet = workbook.add_worksheet();
    sheet.set_name(ALLOWED_SHEET).map_err(write_error)?;
    for (column, list_col, values) in &lists {
        let list_col = *list_col;
        sheet
            .write_string_with_format(0, list_col, column.header(Lang::Zh), &zh_header)
            .and_then(|s| {
                s.write_string_with_format(0, list_col + 1, column.header(Lang::En), &en_header)
            })
            .and_then(|s| s.set_column_width(list_col, 18))
            .and_then(|s| s.set_column_width(list_col + 1, 28))
            .map_err(write_error)?;
        for (i, (zh, en)) in values.iter().enumerate() {
            let row = 1 + i as u32;
            sheet
                .write_string(row, list_col, *zh)
                .and_then(|s| s.write_string(row, list_col + 1, *en))
                .map_err(write_error)?;
        }
    }
    save_workbook(&mut workbook, path).map_err(|message| SurveyError::Write {
        path: path.to_path_buf(),
        message,
    })
}

/// Saves a workbook through a [`crate::files::Partial`]: a failure leaves no file.
pub(crate) fn save_workbook(workbook: &mut Workbook, path: &Path) -> Result<(), String> {
    let partial = crate::files::Partial::beside(path).map_err(|e| e.to_string())?;
    workbook.save(partial.path()).map_err(|e| e.to_string())?;
    partial.commit().map_err(|e| e.to_string())
}

/// One data row of a filled survey file: its 1-based row number as the spreadsheet program shows
/// it (empty rows and lines counted), and the non-empty cells of the recognised columns, trimmed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawRow {
    pub row: usize,
    pub cells: BTreeMap<Column, String>,
    /// Columns whose cell the spreadsheet stored as a number (not as text).
    pub numbers: BTreeSet<Column>,
    /// The line the row ends on: past `row` when a CSV field runs over several lines (a quote
    /// opened and not closed where the user meant).
    pub last_line: usize,
}

impl RawRow {
    /// The cell of `column`, `None` when empty or absent.
    pub fn cell(&self, column: Column) -> Option<&str> {
        self.cells.get(&column).map(String::as_str)
    }
}

/// The data rows of a filled survey file, and the text encoding of a CSV file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SurveyFile {
    pub rows: Vec<RawRow>,
    pub encoding: Option<CsvEncoding>,
}

/// Reads a filled survey file (.xlsx or .xlsm; .csv in UTF-8, GB18030/GBK or UTF-16) within
/// [`survey_file::LIMITS`]. The header row is found by its Chinese or English column names; the
/// other language's header row, if present just below, is skipped, and so are empty rows.
/// Columns the layout does not know are ignored.
pub fn read_file(path: &Path) -> Result<SurveyFile, SurveyError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let read_error = |error| SurveyError::Read {
        path: path.to_path_buf(),
        error,
    };
    let limits = &survey_file::LIMITS;
    let grid = match extension.as_deref() {
        Some("csv") => survey_file::read_csv(path, limits).map_err(read_error)?,
        Some("xlsx" | "xlsm") => {
            survey_file::read_xlsx(path, SURVEY_SHEET, limits).map_err(read_error)?
        }
        _ => {
            return Err(SurveyError::UnsupportedType {
                path: path.to_path_buf(),
            });
        }
    };
    survey_from_grid(path, grid)
}

/// How a survey file is laid out, for [`read_bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyFormat {
    Csv,
    Xlsx,
}

/// [`read_file`] on bytes in memory, within the same limits: nothing is opened (`name` only names
/// the file in errors). What the fuzz targets and their seed-corpus test call.
pub fn read_bytes(
    name: &Path,
    bytes: &[u8],
    format: SurveyFormat,
) -> Result<SurveyFile, SurveyError> {
    let limits = &survey_file::LIMITS;
    let grid = match format {
        SurveyFormat::Csv => survey_file::read_csv_bytes(bytes, limits),
        SurveyFormat::Xlsx => survey_file::read_xlsx_bytes(bytes, SURVEY_SHEET, limits),
    }
    .map_err(|error| SurveyError::Read {
        path: name.to_path_buf(),
        error,
    })?;
    survey_from_grid(name, grid)
}

fn survey_from_grid(path: &Path, grid: survey_file::Grid) -> Result<SurveyFile, SurveyError> {
    let encoding = grid.encoding;
    let rows = rows_from_grid(grid.rows).ok_or_else(|| SurveyError::NoHeaderRow {
        path: path.to_path_buf(),
    })?;
    Ok(SurveyFile { rows, encoding })
}

/// The data rows of [`read_file`].
pub fn read_rows(path: &Path) -> Result<Vec<RawRow>, SurveyError> {
    read_file(path).map(|f| f.rows)
}

type Grid = Vec<GridRow>;

fn texts(cells: &[GridCell]) -> Vec<String> {
    cells.iter().map(|c| c.text.clone()).collect()
}

/// The columns a header row names, by position; `None` when the row lacks a required column.
fn header_columns(cells: &[String]) -> Option<Vec<Option<Column>>> {
    let mut seen = Vec::new();
    let columns: Vec<Option<Column>> = cells
        .iter()
        .map(|cell| {
            // A column named twice is read from its first occurrence only.
            Column::from_header(cell).filter(|c| {
                let first = !seen.contains(c);
                seen.push(*c);
                first
            })
        })
        .collect();
    Column::REQUIRED
        .iter()
        .all(|r| columns.contains(&Some(*r)))
        .then_some(columns)
}

fn rows_from_grid(grid: Grid) -> Option<Vec<RawRow>> {
    let header_at = grid
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|r| header_columns(&texts(&r.cells)).is_some())?;
    let columns = header_columns(&texts(&grid[header_at].cells))?;
    let mut data_start = header_at + 1;
    if grid
        .get(data_start)
        .is_some_and(|r| header_columns(&texts(&r.cells)).is_some())
    {
        data_start += 1;
    }
    let rows = grid[data_start..]
        .iter()
        .map(|r| {
            let known = || {
                columns
                    .iter()
                    .zip(&r.cells)
                    .filter_map(|(column, cell)| Some(((*column)?, cell)))
                    .filter(|(_, cell)| !cell.text.trim().is_empty())
            };
            RawRow {
                row: r.row,
                cells: known()
                    .map(|(c, cell)| (c, cell.text.trim().to_string()))
                    .collect(),
                numbers: known()
                    .filter(|(_, cell)| cell.is_number)
                    .map(|(c, _)| c)
                    .collect(),
                last_line: r.last_line.max(r.row),
            }
        })
        .filter(|r| !r.cells.is_empty())
        .collect();
    Some(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        rows.iter()
            .enumerate()
            .map(|(i, cells)| GridRow {
                row: i + 1,
                last_line: i + 1,
                cells: cells
                    .iter()
                    .map(|c| GridCell {
                        text: c.to_string(),
                        is_number: false,
                    })
                    .collect(),
            })
            .collect()
    }

    #[test]
    fn headers_are_unique_and_recognised_in_both_languages() {
        for column in Column::ALL {
            for lang in [Lang::Zh, Lang::En] {
                assert_eq!(Column::from_header(column.header(lang)), Some(column));
            }
        }
        assert_eq!(
            Column::from_header("  household NUMBER "),
            Some(Column::HouseholdNumber)
        );
        assert_eq!(Column::from_header("备注"), None);
    }

    #[test]
    fn finds_the_header_row_skips_the_second_and_keeps_row_numbers() {
        let rows = rows_from_grid(grid(&[
            &["入户调查表"],
            &["户编号", "姓名", "身份证号", "与户主关系", "备注"],
            &[
                "Household number",
                "Name",
                "ID number",
                "Relation to head",
                "Note",
            ],
            &["001", "李建国", "x", "户主", "ignored"],
            &["", "", "", ""],
            &["001", " 王芳 ", "", "配偶"],
        ]))
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].row, 4);
        assert_eq!(rows[0].cell(Column::Name), Some("李建国"));
        assert_eq!(rows[1].row, 6);
        assert_eq!(rows[1].cell(Column::Name), Some("王芳"));
        assert_eq!(rows[1].cell(Column::IdNumber), None);
    }

    #[test]
    fn an_english_only_header_works_and_a_sheet_without_one_does_not() {
        let rows = rows_from_grid(grid(&[
            &["Relation to head", "ID number", "Name", "Household number"],
            &["Head", "1", "Li", "7"],
        ]))
        .unwrap();
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].cell(Column::HouseholdNumber), Some("7"));
        assert!(rows_from_grid(grid(&[&["姓名", "身份证号"], &["a", "b"]])).is_none());
    }

    #[test]
    fn coded_columns_list_their_values() {
        let status = Column::Status.allowed_values().unwrap();
        assert!(status.contains(&("已脱贫", "Exited")));
        assert!(status.contains(&("边缘易致贫户", "Marginal, prone to poverty")));
        assert_eq!(Column::InSchool.allowed_values(), Some(vec![YES, NO]));
        assert_eq!(Column::Name.allowed_values(), None);
        assert_eq!(Column::OtherCauses.kind(), ColumnKind::Causes);
    }
}
