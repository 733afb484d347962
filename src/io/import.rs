//! From the rows of a filled survey file to an [`ImportPlan`], and from a problem-free plan to the
//! database.
//!
//! Every cell is read for its column's kind (text, number, 是/否, coded value, causes) and every
//! record built from a row is checked with the registry's own rules (`rules::registry`), so an
//! import refuses exactly what a form would. On top come the checks only a whole file can make:
//! a household without a head, two heads, a household number reused further down by another
//! household, an ID number twice in the file, and clashes with the village's stored households.
//!
//! Matching on re-import: a household of the file is the stored household with the same household
//! number **and** the same head's ID number; it keeps its UUID, its members are matched by ID
//! number (keeping their UUIDs) and its income by year. The same number with a different head is an
//! error. An empty cell keeps the stored value (or the registry default for a new record:
//! a new household without a status is a registered poor household, 建档立卡贫困户). An import
//! never deletes anything.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::survey::{Column, RawRow, ValuePairs, status_choices};
use crate::i18n::{Label, Lang, Localize};
use crate::model::{
    Cause, Education, Health, Household, HouseholdRecord, HouseholdStatus, IncomeYear,
    LabourAbility, LivingConditions, Member, PovertyAttribute, Relation, Sex, WorkStatus,
};
use crate::rules::id_number;
use crate::rules::registry::{
    Field, FieldError, IncomeItem, Problem, validate_household, validate_income, validate_member,
};
use crate::store::import::ImportSummary;
use crate::store::{Store, StoreError};

/// Why a cell or a row cannot be imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportProblem {
    /// A rule of the registry (the same words a form shows).
    #[error("{0}")]
    Rule(Problem),
    #[error("{value} is not a whole number")]
    NotWholeNumber { value: String },
    #[error("{value} is out of range")]
    OutOfRange { value: String },
    #[error("unknown value {value}")]
    UnknownValue { value: String, allowed: ValuePairs },
    #[error("household {number} has no head")]
    NoHead { number: String },
    #[error("second head; the first is on row {first_row}")]
    TwoHeads { first_row: usize },
    #[error("household number already used by the household of row {first_row}")]
    NumberReusedInFile { first_row: usize },
    #[error("ID number already on row {first_row}")]
    DuplicateIdNumber { first_row: usize },
    #[error("household number {number} is used by another household")]
    NumberUsedByAnotherHousehold { number: String },
    #[error("ID number registered in household {number}")]
    IdNumberInOtherHousehold { number: String },
    /// The spreadsheet stored the cell as a number, which changes a digit string.
    #[error("the cell holds a number")]
    NumberCell,
    #[error("longer than {limit} characters")]
    TooLong { limit: usize, chars: usize },
    /// A CSV field ran from its row to `last_line`: a quote opened and never closed.
    #[error("the cell runs on to line {last_line}")]
    SpansLines { last_line: usize },
    #[error("stated sex {stated:?} differs from the ID number's {from_id:?}")]
    SexDiffersFromId { stated: Sex, from_id: Sex },
    #[error("stated birth date {stated} differs from the ID number's {from_id}")]
    BirthDateDiffersFromId {
        stated: NaiveDate,
        from_id: NaiveDate,
    },
    #[error("{value} is not a date")]
    NotADate { value: String },
}

impl ImportProblem {
    /// A problem of the cell's form (how it was typed or saved): the other checks of that cell
    /// are not reported beside it, since they would judge a value the user did not type (a
    /// check character computed on digits Excel rounded invites inventing a valid wrong number).
    fn is_of_form(&self) -> bool {
        matches!(
            self,
            ImportProblem::NumberCell
                | ImportProblem::TooLong { .. }
                | ImportProblem::SpansLines { .. }
        )
    }
}

impl Localize for ImportProblem {
    fn localize(&self, lang: Lang) -> String {
        match self {
            ImportProblem::Rule(problem) => problem.localize(lang),
            ImportProblem::NotWholeNumber { value } => match lang {
                Lang::Zh => format!("“{value}”不是整数"),
                Lang::En => format!("\"{value}\" is not a whole number"),
            },
            ImportProblem::OutOfRange { value } => match lang {
                Lang::Zh => format!("{value}超出合理范围，请核对"),
                Lang::En => format!("{value} is out of range; check it"),
            },
            ImportProblem::UnknownValue { value, allowed } => {
                let choices: Vec<&str> = allowed.iter().map(|(zh, en)| lang.pick(zh, en)).collect();
                match lang {
                    Lang::Zh => format!(
                        "“{value}”不是可选值；可选：{}（见模板的“可选值”表）",
                        choices.join("、")
                    ),
                    Lang::En => format!(
                        "\"{value}\" is not an allowed value; choose one of: {} (see the template's allowed-values sheet)",
                        choices.join(", ")
                    ),
                }
            }
            ImportProblem::NoHead { number } => match lang {
                Lang::Zh => format!("户编号 {number} 的各行中没有户主（与户主关系为“户主”的一行）"),
                Lang::En => {
                    format!("household {number} has no row whose relation to head is \"Head\"")
                }
            },
            ImportProblem::TwoHeads { first_row } => match lang {
                Lang::Zh => format!("一户只能有一个户主，第{first_row}行已是该户户主"),
                Lang::En => format!(
                    "a household has one head, and row {first_row} is already this household's head"
                ),
            },
            ImportProblem::NumberReusedInFile { first_row } => match lang {
                Lang::Zh => format!(
                    "户编号重复：第{first_row}行的另一户（户主不同）已使用该编号，请改用新编号"
                ),
                Lang::En => format!(
                    "duplicate household number: the household of row {first_row} (another head) already uses it; give this one a new number"
                ),
            },
            ImportProblem::DuplicateIdNumber { first_row } => match lang {
                Lang::Zh => format!("身份证号重复，与第{first_row}行相同"),
                Lang::En => format!("the same ID number is already on row {first_row}"),
            },
            ImportProblem::NumberUsedByAnotherHousehold { number } => match lang {
                Lang::Zh => format!(
                    "户编号已被另一户使用：本村已登记的户编号 {number} 的户主身份证号与本表不同，请核对编号或户主"
                ),
                Lang::En => format!(
                    "household number already used by another household: the registered household {number} has a different head's ID number; check the number or the head"
                ),
            },
            ImportProblem::NumberCell => match lang {
                Lang::Zh => "此单元格是数字格式，Excel 已改动其中的数字（18 位身份证号只保留 15 位有效数字，电话号码丢掉开头的 0）。请将这一列设为“文本”格式，再重新输入这些号码（不要用改格式前的数字）".to_string(),
                Lang::En => "the cell holds a number, and Excel has changed its digits (an 18-digit ID number keeps only 15 significant digits, a phone number loses its leading 0). Format the column as Text and type the numbers again (not the digits shown before)".to_string(),
            },
            ImportProblem::TooLong { limit, chars } => match lang {
                Lang::Zh => format!("内容有 {chars} 字，超过上限 {limit} 字；请核对（多半是多了一个引号，把后面几行并了进来）"),
                Lang::En => format!("{chars} characters, more than the limit of {limit}; check it (often a stray quote that swallowed the next rows)"),
            },
            ImportProblem::SpansLines { last_line } => match lang {
                Lang::Zh => format!("此单元格一直延续到第{last_line}行：多半是多了一个英文引号（\"），请删去后重新保存"),
                Lang::En => format!("the cell runs on to line {last_line}: most likely a stray double quote (\"); remove it and save again"),
            },
            ImportProblem::SexDiffersFromId { stated, from_id } => match lang {
                Lang::Zh => format!("填写的性别“{}”与身份证号显示的“{}”不符；请核对身份证号是否抄错了人", stated.label(lang), from_id.label(lang)),
                Lang::En => format!("the stated sex \"{}\" differs from the ID number's \"{}\"; check that the ID number is this person's", stated.label(lang), from_id.label(lang)),
            },
            ImportProblem::BirthDateDiffersFromId { stated, from_id } => match lang {
                Lang::Zh => format!("填写的出生日期 {stated} 与身份证号显示的 {from_id} 不符；请核对身份证号是否抄错了人"),
                Lang::En => format!("the stated date of birth {stated} differs from the ID number's {from_id}; check that the ID number is this person's"),
            },
            ImportProblem::NotADate { value } => match lang {
                Lang::Zh => format!("“{value}”不是日期（请写成 1988-06-01）"),
                Lang::En => format!("\"{value}\" is not a date (write it as 1988-06-01)"),
            },
            ImportProblem::IdNumberInOtherHousehold { number } => match lang {
                Lang::Zh => format!(
                    "此身份证号已登记在本村户编号 {number} 的家庭中；人员迁户请在程序中办理"
                ),
                Lang::En => format!(
                    "this ID number is registered in household {number} of the village; move a member between households in the app"
                ),
            },
        }
    }
}

/// One problem of the file: where (spreadsheet row, column) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    /// 1-based row number as the spreadsheet program shows it.
    pub row: usize,
    pub column: Column,
    pub problem: ImportProblem,
}

impl Localize for RowProblem {
    fn localize(&self, lang: Lang) -> String {
        let column = self.column.header(lang);
        let reason = self.problem.localize(lang);
        match lang {
            Lang::Zh => format!("第{}行，{column}：{reason}", self.row),
            Lang::En => format!("Row {}, {column}: {reason}", self.row),
        }
    }
}

/// A household of the file as it will be stored: the complete household row, the members and the
/// income year the file gives (members and incomes not in the file are not listed and stay).
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedHousehold {
    pub record: HouseholdRecord,
    /// `false` when it matched a stored household (same number, same head).
    pub is_new: bool,
    /// Members of the file matched to stored members by ID number.
    pub members_matched: usize,
    /// The spreadsheet row of the head.
    pub head_row: usize,
}

/// The outcome of checking a survey file against a village: what would be written, and why it
/// cannot be (all or nothing: a plan with problems is never applied). Pure data.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    pub village_id: Uuid,
    /// Data rows read (empty rows not counted).
    pub rows_read: usize,
    pub households: Vec<PlannedHousehold>,
    /// Sorted by row, then by column.
    pub problems: Vec<RowProblem>,
}

impl ImportPlan {
    pub fn households_new(&self) -> usize {
        self.households.iter().filter(|h| h.is_new).count()
    }

    pub fn households_matched(&self) -> usize {
        self.households.len() - self.households_new()
    }
}

/// Why a plan was not applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("the file has {count} problems")]
    HasProblems { count: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Localize for ApplyError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            ApplyError::HasProblems { count } => match lang {
                Lang::Zh => format!("文件中有 {count} 处问题，未写入任何数据；请改正后重新导入。"),
                Lang::En => format!(
                    "The file has {count} problems; nothing was written. Correct them and import again."
                ),
            },
            ApplyError::Store(e) => e.localize(lang),
        }
    }
}

/// Writes a problem-free plan as one change (one undo); refuses a plan with problems.
pub fn apply(
    store: &mut Store,
    plan: &ImportPlan,
    today: NaiveDate,
) -> Result<ImportSummary, ApplyError> {
    if !plan.problems.is_empty() {
        return Err(ApplyError::HasProblems {
            count: plan.problems.len(),
        });
    }
    let records: Vec<HouseholdRecord> = plan.households.iter().map(|h| h.record.clone()).collect();
    Ok(store.import_records(&records, today)?)
}

/// The column of the sheet where a registry field lives (sex and birth date come from the ID).
fn column_of(field: Field) -> Column {
    match field {
        Field::Name => Column::Name,
        Field::IdNumber | Field::Sex | Field::BirthDate => Column::IdNumber,
        Field::Relation => Column::Relation,
        Field::DisabilityGrade => Column::DisabilityGrade,
        Field::MigrantMonths => Column::MigrantMonths,
        Field::Phone => Column::Phone,
        Field::ExitYear => Column::ExitYear,
        Field::ArableLand => Column::ArableLand,
        Field::ForestLand => Column::ForestLand,
        Field::Year => Column::IncomeYear,
        Field::Amount(item) => Column::Income(item),
        // The sheet has no membership dates: its members are on the register as they are.
        Field::JoinedOn | Field::LeftOn | Field::LeaveReason => Column::Name,
        // Village fields are not in the sheet; a household-number problem is the closest place.
        Field::HouseholdNumber
        | Field::VillageCode
        | Field::VillageName
        | Field::Township
        | Field::County
        | Field::CollectiveIncome => Column::HouseholdNumber,
    }
}

/// Reads the cells of one row, collecting the problems of cells that cannot be read.
struct CellReader<'a> {
    raw: &'a RawRow,
    problems: &'a mut Vec<RowProblem>,
}

impl CellReader<'_> {
    fn report(&mut self, column: Column, problem: ImportProblem) {
        self.problems.push(RowProblem {
            row: self.raw.row,
            column,
            problem,
        });
    }

    fn text(&self, column: Column) -> Option<String> {
        self.raw.cell(column).map(str::to_string)
    }

    fn number(&mut self, column: Column) -> Option<f64> {
        let text = self.raw.cell(column)?;
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Some(value),
            _ => {
                self.report(column, ImportProblem::Rule(Problem::NotANumber));
                None
            }
        }
    }

    fn whole<T: TryFrom<i64>>(&mut self, column: Column) -> Option<T> {
        let text = self.raw.cell(column)?.to_string();
        let value = self.number(column)?;
        if value.fract() != 0.0 {
            self.report(column, ImportProblem::NotWholeNumber { value: text });
            return None;
        }
        let converted = T::try_from(value as i64).ok();
        if converted.is_none() {
            self.report(column, ImportProblem::OutOfRange { value: text });
        }
        converted
    }

    fn coded<T>(&mut self, column: Column, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        let text = self.raw.cell(column)?;
        let parsed = parse(text);
        if parsed.is_none() {
            let value = text.to_string();
            self.report(
                column,
                ImportProblem::UnknownValue {
                    value,
                    allowed: column.allowed_values().unwrap_or_default(),
                },
            );
        }
        parsed
    }

    fn yes_no(&mut self, column: Column) -> Option<bool> {
        self.coded(column, parse_yes_no)
    }

    fn causes(&mut self, column: Column) -> Option<Vec<Cause>> {
        let text = self.raw.cell(column)?.to_string();
        let mut causes = Vec::new();
        for piece in text
            .split(['、', ',', '，', ';', '；'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match Cause::parse(piece) {
                Some(cause) if !causes.contains(&cause) => causes.push(cause),
                Some(_) => {}
                None => self.report(
                    column,
                    ImportProblem::UnknownValue {
                        value: piece.to_string(),
                        allowed: column.allowed_values().unwrap_or_default(),
                    },
                ),
            }
        }
        Some(causes)
    }
}

/// 是/否, Yes/No (any case), or Y/N.
pub fn parse_yes_no(text: &str) -> Option<bool> {
    let text = text.trim();
    let is = |word: &str| text.eq_ignore_ascii_case(word);
    if text == "是" || is("yes") || is("y") {
        Some(true)
    } else if text == "否" || is("no") || is("n") {
        Some(false)
    } else {
        None
    }
}

/// A status by its label in either language or its stored code; an exit year of 0 means "read
/// it from the exit-year column".
pub fn parse_status(text: &str) -> Option<HouseholdStatus> {
    let text = text.trim();
    status_choices().into_iter().find(|s| {
        text == s.label(Lang::Zh)
            || text.eq_ignore_ascii_case(s.label(Lang::En))
            || text == crate::store::status_code(*s)
            || matches!(s, HouseholdStatus::Monitored { kind } if text == kind.code())
    })
}

/// The household-level cells of a row (used from the head's row).
struct HouseholdCells {
    address: Option<String>,
    phone: Option<String>,
    attribute: Option<PovertyAttribute>,
    status: Option<HouseholdStatus>,
    exit_year: Option<i32>,
    main_cause: Option<Cause>,
    other_causes: Option<Vec<Cause>>,
    living_flags: [(Column, Option<bool>); 7],
    arable_land_mu: Option<f64>,
    forest_land_mu: Option<f64>,
    helper: Option<String>,
    income_year: Option<i32>,
    amounts_yuan: [(IncomeItem, Option<f64>); 5],
}

/// The member cells of a row.
struct MemberCells {
    name: String,
    id_number: String,
    relation: Option<Relation>,
    ethnicity: Option<String>,
    education: Option<Education>,
    in_school: Option<bool>,
    health: Option<Health>,
    disability_grade: Option<u8>,
    labour: Option<LabourAbility>,
    work: Option<WorkStatus>,
    migrant_months: Option<u8>,
    medical_insurance: Option<bool>,
    pension_insurance: Option<bool>,
    dibao: Option<bool>,
}

/// A data row read cell by cell.
struct ParsedRow {
    row: usize,
    number: String,
    member: MemberCells,
    household: HouseholdCells,
}

/// The 是/否 columns of the living conditions, in the order of the sheet.
const LIVING_COLUMNS: [Column; 7] = [
    Column::HousingSafe,
    Column::WaterSafe,
    Column::Electricity,
    Column::RadioTv,
    Column::RoadHardened,
    Column::InCooperative,
    Column::EcommerceSales,
];

/// Sets the flag of `living` a 是/否 column fills; a blank cell never reaches here, so a fact left
/// blank stays as stored (未填 on a new household).
fn set_living_flag(living: &mut LivingConditions, column: Column, value: bool) {
    match column {
        Column::HousingSafe => living.housing_safe = Some(value),
        Column::WaterSafe => living.water_safe = Some(value),
        Column::Electricity => living.electricity = Some(value),
        Column::RadioTv => living.radio_tv = Some(value),
        Column::RoadHardened => living.road_hardened = value,
        Column::InCooperative => living.in_cooperative = value,
        Column::EcommerceSales => living.ecommerce_sales = value,
        _ => {}
    }
}

fn parse_row(raw: &RawRow, problems: &mut Vec<RowProblem>) -> ParsedRow {
    let mut r = CellReader { raw, problems };
    let number = r.text(Column::HouseholdNumber).unwrap_or_default();
    if number.is_empty() {
        r.report(
            Column::HouseholdNumber,
            ImportProblem::Rule(Problem::Required),
        );
    }
    let relation = r.coded(Column::Relation, Relation::parse);
    if raw.cell(Column::Relation).is_none() {
        r.report(Column::Relation, ImportProblem::Rule(Problem::Required));
    }
    let member = MemberCells {
        name: r.text(Column::Name).unwrap_or_default(),
        id_number: r
            .text(Column::IdNumber)
            .unwrap_or_default()
            .to_ascii_uppercase(),
        relation,
        ethnicity: r.text(Column::Ethnicity),
        education: r.coded(Column::Education, Education::parse),
        in_school: r.yes_no(Column::InSchool),
        health: r.coded(Column::Health, Health::parse),
        disability_grade: r.whole(Column::DisabilityGrade),
        labour: r.coded(Column::Labour, LabourAbility::parse),
        work: r.coded(Column::Work, WorkStatus::parse),
        migrant_months: r.whole(Column::MigrantMonths),
        medical_insurance: r.yes_no(Column::MedicalInsurance),
        pension_insurance: r.yes_no(Column::PensionInsurance),
        dibao: r.yes_no(Column::Dibao),
    };
    let household = HouseholdCells {
        address: r.text(Column::Address),
        phone: r.text(Column::Phone),
        attribute: r.coded(Column::Attribute, PovertyAttribute::parse),
        status: r.coded(Column::Status, parse_status),
        exit_year: r.whole(Column::ExitYear),
        main_cause: r.coded(Column::MainCause, Cause::parse),
        other_causes: r.causes(Column::OtherCauses),
        living_flags: LIVING_COLUMNS.map(|c| (c, r.yes_no(c))),
        arable_land_mu: r.number(Column::ArableLand),
        forest_land_mu: r.number(Column::ForestLand),
        helper: r.text(Column::Helper),
        income_year: r.whole(Column::IncomeYear),
        amounts_yuan: IncomeItem::ALL.map(|item| (item, r.number(Column::Income(item)))),
    };
    ParsedRow {
        row: raw.row,
        number,
        member,
        household,
    }
}

fn push_field_errors(problems: &mut Vec<RowProblem>, row: usize, errors: Vec<FieldError>) {
    problems.extend(errors.into_iter().map(|e| RowProblem {
        row,
        column: column_of(e.field),
        problem: ImportProblem::Rule(e.problem),
    }));
}

/// The member a row describes: the stored member with the same ID number (when the household
/// matched) or a new one, with the row's non-empty cells written over it. Sex and birth date come
/// from the ID number; when it is invalid the registry's check of the ID reports it.
fn build_member(
    cells: &MemberCells,
    household_id: Uuid,
    stored: Option<&Member>,
    today: NaiveDate,
) -> Member {
    let (sex, birth_date) = id_number::validate(&cells.id_number, today)
        .map(|info| (info.sex, info.birth_date))
        .unwrap_or((Sex::Male, today));
    let relation = cells.relation.unwrap_or(Relation::OtherRelation);
    let mut m = match stored {
        Some(stored) => stored.clone(),
        None => Member::new(
            household_id,
            &cells.name,
            &cells.id_number,
            sex,
            birth_date,
            relation,
        ),
    };
    m.household_id = household_id;
    m.name = cells.name.clone();
    m.id_number = cells.id_number.clone();
    m.sex = sex;
    m.birth_date = birth_date;
    m.relation = relation;
    if let Some(v) = &cells.ethnicity {
        m.ethnicity = v.clone();
    }
    if let Some(v) = cells.education {
        m.education = v;
    }
    if let Some(v) = cells.in_school {
        m.in_school = v;
    }
    if let Some(v) = cells.health {
        m.health = v;
    }
    if let Some(v) = cells.disability_grade {
        m.disability_grade = Some(v);
    }
    if let Some(v) = cells.labour {
        m.labour = v;
    }
    if let Some(v) = cells.work {
        m.work = v;
    }
    if let Some(v) = cells.migrant_months {
        m.migrant_months = v;
    }
    if let Some(v) = cells.medical_insurance {
        m.medical_insurance = v;
    }
    if let Some(v) = cells.pension_insurance {
        m.pension_insurance = v;
    }
    if let Some(v) = cells.dibao {
        m.dibao = v;
    }
    m
}

/// The household the head's row describes, over the stored one or the registry's defaults.
fn build_household(head: &ParsedRow, base: Household, problems: &mut Vec<RowProblem>) -> Household {
    let cells = &head.household;
    let mut h = base;
    h.number = head.number.clone();
    if let Some(v) = &cells.address {
        h.address = v.clone();
    }
    if let Some(v) = &cells.phone {
        h.phone = v.clone();
    }
    if let Some(v) = cells.attribute {
        h.attribute = v;
    }
    let stored_exit_year = match h.status {
        HouseholdStatus::Exited { year } => Some(year),
        _ => None,
    };
    match (cells.status, cells.exit_year.or(stored_exit_year)) {
        (Some(HouseholdStatus::Exited { .. }), Some(year)) => {
            h.status = HouseholdStatus::Exited { year }
        }
        (Some(HouseholdStatus::Exited { .. }), None) => problems.push(RowProblem {
            row: head.row,
            column: Column::ExitYear,
            problem: ImportProblem::Rule(Problem::Required),
        }),
        (Some(status), _) => h.status = status,
        // A new exit year for a household already recorded as exited.
        (None, Some(year)) if stored_exit_year.is_some() => {
            h.status = HouseholdStatus::Exited { year }
        }
        (None, _) => {}
    }
    if let Some(v) = cells.main_cause {
        h.main_cause = Some(v);
    }
    if let Some(v) = &cells.other_causes {
        h.other_causes = v.clone();
    }
    for (column, value) in cells.living_flags {
        if let Some(value) = value {
            set_living_flag(&mut h.living, column, value);
        }
    }
    if let Some(v) = cells.arable_land_mu {
        h.living.arable_land_mu = v;
    }
    if let Some(v) = cells.forest_land_mu {
        h.living.forest_land_mu = v;
    }
    if let Some(v) = &cells.helper {
        h.unmatched_helper_name = v.clone();
    }
    h
}

/// The income year of the head's row over the stored one of that year, or `None` when the row
/// gives no income (amounts without a year are reported).
fn build_income(
    head: &ParsedRow,
    household_id: Uuid,
    stored: &[IncomeYear],
    problems: &mut Vec<RowProblem>,
) -> Option<IncomeYear> {
    let cells = &head.household;
    let Some(year) = cells.income_year else {
        if cells.amounts_yuan.iter().any(|(_, a)| a.is_some()) {
            problems.push(RowProblem {
                row: head.row,
                column: Column::IncomeYear,
                problem: ImportProblem::Rule(Problem::Required),
            });
        }
        return None;
    };
    let mut income = stored
        .iter()
        .find(|i| i.year == year)
        .cloned()
        .unwrap_or(IncomeYear {
            id: Uuid::new_v4(),
            household_id,
            year,
            wage_yuan: 0.0,
            production_yuan: 0.0,
            property_yuan: 0.0,
            transfer_yuan: 0.0,
            production_expense_yuan: 0.0,
        });
    income.household_id = household_id;
    for (item, amount) in cells.amounts_yuan {
        if let Some(amount) = amount {
            *match item {
                IncomeItem::Wage => &mut income.wage_yuan,
                IncomeItem::Production => &mut income.production_yuan,
                IncomeItem::Property => &mut income.property_yuan,
                IncomeItem::Transfer => &mut income.transfer_yuan,
                IncomeItem::ProductionExpense => &mut income.production_expense_yuan,
            } = amount;
        }
    }
    Some(income)
}

/// The registry's problems with a member built from a row. The relation's own problems (empty,
/// unknown) were reported while reading its cell.
fn member_errors(member: &Member, today: NaiveDate) -> Vec<FieldError> {
    validate_member(member, today)
        .into_iter()
        .filter(|e| e.field != Field::Relation)
        .collect()
}

/// A new household of `village_id` with the registry's defaults, before the head's row fills it:
/// a blank status cell leaves it not yet identified (待识别), as a household added in the window.
fn new_household(village_id: Uuid) -> Household {
    Household {
        id: Uuid::new_v4(),
        village_id,
        number: String::new(),
        address: String::new(),
        phone: String::new(),
        bank_account: String::new(),
        attribute: PovertyAttribute::Unrecorded,
        status: HouseholdStatus::Unassessed,
        main_cause: None,
        other_causes: Vec::new(),
        living: LivingConditions::default(),
        unmatched_helper_name: String::new(),
    }
}

fn normalized_id(id: &str) -> String {
    id.trim().to_ascii_uppercase()
}

/// The problems of how a row's cells were typed or saved: a cell a stray quote ran over several
/// lines, a cell past its column's length limit, a digit string the spreadsheet holds as a number
/// (in a CSV written from such a sheet, in scientific notation such as 5.10824E+17).
fn form_problems(raw: &RawRow) -> Vec<RowProblem> {
    let mut problems = Vec::new();
    for (&column, text) in &raw.cells {
        let chars = text.chars().count();
        let problem = if raw.last_line > raw.row && text.contains('\n') {
            ImportProblem::SpansLines {
                last_line: raw.last_line,
            }
        } else if chars > column.max_chars() {
            ImportProblem::TooLong {
                limit: column.max_chars(),
                chars,
            }
        } else if column.must_be_text() && (raw.numbers.contains(&column) || is_scientific(text)) {
            ImportProblem::NumberCell
        } else {
            continue;
        };
        problems.push(RowProblem {
            row: raw.row,
            column,
            problem,
        });
    }
    problems
}

/// `5.10824E+17`, `5.1E17`: how a spreadsheet writes a long number it holds.
fn is_scientific(text: &str) -> bool {
    let Some((mantissa, exponent)) = text.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !exponent.is_empty()
        && exponent.chars().all(|c| c.is_ascii_digit())
}

/// A date as people type it: 1988-06-01, 1988/6/1, 1988.6.1, 19880601, 1988年6月1日.
fn parse_stated_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim().trim_end_matches('日');
    let unified: String = text
        .chars()
        .map(|c| {
            if matches!(c, '/' | '.' | '年' | '月') {
                '-'
            } else {
                c
            }
        })
        .collect();
    NaiveDate::parse_from_str(&unified, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&unified, "%Y%m%d"))
        .ok()
}

/// Stated sex and birth date compared with a valid ID number of the same row: when they differ,
/// the ID number is usually another person's, copied from the row above or below.
fn stated_problems(raw: &RawRow, today: NaiveDate, problems: &mut Vec<RowProblem>) {
    let mut report = |column, problem| {
        problems.push(RowProblem {
            row: raw.row,
            column,
            problem,
        })
    };
    let stated_sex = raw.cell(Column::StatedSex).and_then(|text| {
        let upper = text.to_ascii_uppercase();
        let sex = match upper.as_str() {
            "M" => Some(Sex::Male),
            "F" => Some(Sex::Female),
            _ => Sex::parse(text),
        };
        if sex.is_none() {
            report(
                Column::StatedSex,
                ImportProblem::UnknownValue {
                    value: text.to_string(),
                    allowed: Sex::ALL.iter().map(|s| s.labels()).collect(),
                },
            );
        }
        sex
    });
    let stated_birth = raw.cell(Column::StatedBirthDate).and_then(|text| {
        let date = parse_stated_date(text);
        if date.is_none() {
            report(
                Column::StatedBirthDate,
                ImportProblem::NotADate {
                    value: text.to_string(),
                },
            );
        }
        date
    });
    let Some(info) = raw
        .cell(Column::IdNumber)
        .filter(|_| !raw.numbers.contains(&Column::IdNumber))
        .and_then(|id| id_number::validate(id, today).ok())
    else {
        return;
    };
    if let Some(stated) = stated_sex
        && stated != info.sex
    {
        report(
            Column::StatedSex,
            ImportProblem::SexDiffersFromId {
                stated,
                from_id: info.sex,
            },
        );
    }
    if let Some(stated) = stated_birth
        && stated != info.birth_date
    {
        report(
            Column::StatedBirthDate,
            ImportProblem::BirthDateDiffersFromId {
                stated,
                from_id: info.birth_date,
            },
        );
    }
}

/// Checks the rows of a survey file against the village `village_id` whose stored households are
/// `stored`, as of `today`, and plans what to write. Pure: reads nothing, writes nothing.
pub fn plan(
    rows: &[RawRow],
    village_id: Uuid,
    stored: &[HouseholdRecord],
    today: NaiveDate,
) -> ImportPlan {
    let mut problems: Vec<RowProblem> = rows.iter().flat_map(form_problems).collect();
    let of_form: std::collections::HashSet<(usize, Column)> =
        problems.iter().map(|p| (p.row, p.column)).collect();
    for row in rows {
        stated_problems(row, today, &mut problems);
    }
    let parsed: Vec<ParsedRow> = rows.iter().map(|r| parse_row(r, &mut problems)).collect();

    // The same ID number twice in the file.
    let mut first_row_of_id: HashMap<String, usize> = HashMap::new();
    for p in &parsed {
        if p.member.id_number.is_empty() {
            continue;
        }
        if let Some(&first_row) = first_row_of_id.get(&p.member.id_number) {
            problems.push(RowProblem {
                row: p.row,
                column: Column::IdNumber,
                problem: ImportProblem::DuplicateIdNumber { first_row },
            });
        } else {
            first_row_of_id.insert(p.member.id_number.clone(), p.row);
        }
    }

    // Rows by household number, in the order households first appear.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    for (i, p) in parsed.iter().enumerate() {
        if p.number.is_empty() {
            continue;
        }
        let g = *group_of.entry(p.number.as_str()).or_insert_with(|| {
            groups.push((p.number.clone(), Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(i);
    }

    let stored_by_number: HashMap<&str, &HouseholdRecord> = stored
        .iter()
        .map(|r| (r.household.number.trim(), r))
        .collect();
    let stored_household_of_id: HashMap<String, &HouseholdRecord> = stored
        .iter()
        .flat_map(|r| {
            r.members
                .iter()
                .map(move |m| (normalized_id(&m.id_number), r))
        })
        .collect();

    let mut households = Vec::new();
    // Rows whose member was checked inside a planned household; the others are checked on their
    // own below, so that a row of a household with head problems still shows all its mistakes.
    let mut member_checked = vec![false; parsed.len()];
    for (number, members) in &groups {
        let heads: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| parsed[i].member.relation == Some(Relation::Head))
            .collect();
        let Some(&head) = heads.first() else {
            problems.push(RowProblem {
                row: parsed[members[0]].row,
                column: Column::Relation,
                problem: ImportProblem::NoHead {
                    number: number.clone(),
                },
            });
            continue;
        };
        if heads.len() > 1 {
            for &other in &heads[1..] {
                // Another household's rows in between: the number was reused for a second
                // household; otherwise one household was given two heads.
                let reused = (head + 1..other).any(|i| parsed[i].number != *number);
                let first_row = parsed[head].row;
                problems.push(if reused {
                    RowProblem {
                        row: parsed[other].row,
                        column: Column::HouseholdNumber,
                        problem: ImportProblem::NumberReusedInFile { first_row },
                    }
                } else {
                    RowProblem {
                        row: parsed[other].row,
                        column: Column::Relation,
                        problem: ImportProblem::TwoHeads { first_row },
                    }
                });
            }
            continue;
        }
        let head = &parsed[head];
        let matched = match stored_by_number.get(number.as_str()) {
            Some(stored) => {
                let same_head = stored
                    .head()
                    .is_some_and(|h| normalized_id(&h.id_number) == head.member.id_number);
                if !same_head {
                    problems.push(RowProblem {
                        row: head.row,
                        column: Column::HouseholdNumber,
                        problem: ImportProblem::NumberUsedByAnotherHousehold {
                            number: number.clone(),
                        },
                    });
                    continue;
                }
                Some(*stored)
            }
            None => None,
        };

        let base = matched.map_or_else(|| new_household(village_id), |r| r.household.clone());
        let household = build_household(head, base, &mut problems);
        push_field_errors(&mut problems, head.row, validate_household(&household));

        let mut record_members = Vec::new();
        let mut members_matched = 0;
        for &i in members {
            let row = &parsed[i];
            if let Some(other) = stored_household_of_id.get(&row.member.id_number)
                && matched.is_none_or(|m| m.household.id != other.household.id)
            {
                problems.push(RowProblem {
                    row: row.row,
                    column: Column::IdNumber,
                    problem: ImportProblem::IdNumberInOtherHousehold {
                        number: other.household.number.clone(),
                    },
                });
            }
            let stored_member = matched.and_then(|r| {
                r.members
                    .iter()
                    .find(|m| normalized_id(&m.id_number) == row.member.id_number)
            });
            members_matched += usize::from(stored_member.is_some());
            let member = build_member(&row.member, household.id, stored_member, today);
            let errors = member_errors(&member, today);
            push_field_errors(&mut problems, row.row, errors);
            member_checked[i] = true;
            record_members.push(member);
        }

        let stored_incomes = matched.map_or(&[][..], |r| r.incomes.as_slice());
        let incomes: Vec<IncomeYear> =
            build_income(head, household.id, stored_incomes, &mut problems)
                .into_iter()
                .collect();
        for income in &incomes {
            push_field_errors(&mut problems, head.row, validate_income(income, today));
        }

        households.push(PlannedHousehold {
            record: HouseholdRecord {
                household,
                members: record_members,
                incomes,
                former_members: Vec::new(),
                departure: None,
            },
            is_new: matched.is_none(),
            members_matched,
            head_row: head.row,
        });
    }

    for (p, _) in parsed
        .iter()
        .zip(&member_checked)
        .filter(|(_, checked)| !**checked)
    {
        let member = build_member(&p.member, Uuid::nil(), None, today);
        push_field_errors(&mut problems, p.row, member_errors(&member, today));
    }

    problems.retain(|p| p.problem.is_of_form() || !of_form.contains(&(p.row, p.column)));
    problems.sort_by_key(|p| (p.row, p.column));
    ImportPlan {
        village_id,
        rows_read: rows.len(),
        households,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::rules::id_number::IdError;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    fn id(year: i32, seq: u32, sex: Sex) -> String {
        id_number::compose(
            "510824",
            NaiveDate::from_ymd_opt(year, 3, 1).unwrap(),
            seq,
            sex,
        )
    }

    fn raw(row: usize, cells: &[(Column, &str)]) -> RawRow {
        RawRow {
            row,
            cells: cells
                .iter()
                .map(|(c, t)| (*c, t.to_string()))
                .collect::<BTreeMap<_, _>>(),
            numbers: Default::default(),
            last_line: row,
        }
    }

    fn person(row: usize, number: &str, name: &str, id: &str, relation: &str) -> RawRow {
        raw(
            row,
            &[
                (Column::HouseholdNumber, number),
                (Column::Name, name),
                (Column::IdNumber, id),
                (Column::Relation, relation),
            ],
        )
    }

    fn with(mut row: RawRow, column: Column, text: &str) -> RawRow {
        row.cells.insert(column, text.to_string());
        row
    }

    fn problems(plan: &ImportPlan) -> Vec<(usize, Column)> {
        plan.problems.iter().map(|p| (p.row, p.column)).collect()
    }

    #[test]
    fn a_clean_household_is_planned_with_values_from_the_head_row() {
        let head = id(1970, 11, Sex::Male);
        let wife = id(1972, 12, Sex::Female);
        let mut h = person(3, "001", "李建国", &head, "户主");
        for (column, text) in [
            (Column::Status, "已脱贫"),
            (Column::ExitYear, "2019"),
            (Column::MainCause, "因病"),
            (Column::OtherCauses, "缺技术、Lack of capital,缺技术"),
            (Column::WaterSafe, "否"),
            (Column::ArableLand, "2.5"),
            (Column::IncomeYear, "2019"),
            (Column::Income(IncomeItem::Wage), "12000"),
            (Column::Income(IncomeItem::ProductionExpense), "800.5"),
        ] {
            h = with(h, column, text);
        }
        let w = with(
            person(4, "001", "王芳", &wife, "spouse"),
            Column::Health,
            "Chronic illness",
        );
        let plan = plan(&[h, w], Uuid::new_v4(), &[], today());
        assert_eq!(plan.problems, []);
        assert_eq!(plan.households_new(), 1);
        let r = &plan.households[0].record;
        assert_eq!(r.household.status, HouseholdStatus::Exited { year: 2019 });
        assert_eq!(r.household.main_cause, Some(Cause::Illness));
        assert_eq!(
            r.household.other_causes,
            [Cause::LackSkills, Cause::LackCapital]
        );
        assert_eq!(r.household.living.water_safe, Some(false));
        assert_eq!(
            r.household.living.housing_safe, None,
            "a blank cell leaves a new household's fact 未填"
        );
        assert_eq!(r.household.living.arable_land_mu, 2.5);
        assert_eq!(r.members[1].sex, Sex::Female, "sex read from the ID");
        assert_eq!(r.members[1].health, Health::Chronic);
        assert_eq!(r.incomes[0].wage_yuan, 12000.0);
        assert_eq!(r.incomes[0].production_expense_yuan, 800.5);
    }

    #[test]
    fn a_blank_status_leaves_a_new_household_unassessed_and_a_stored_one_as_it_was() {
        let head = id(1970, 11, Sex::Male);
        let plan_of = |rows: &[RawRow], stored: &[HouseholdRecord]| {
            plan(rows, Uuid::new_v4(), stored, today())
        };
        let blank = plan_of(&[person(3, "001", "李建国", &head, "户主")], &[]);
        assert_eq!(blank.problems, []);
        let new = blank.households[0].record.clone();
        assert_eq!(new.household.status, HouseholdStatus::Unassessed);
        // Stated by label or by code, the status is taken; 待识别 too.
        for text in ["待识别", "Not yet assessed", "unassessed"] {
            let stated = plan_of(
                &[with(
                    person(3, "001", "李建国", &head, "户主"),
                    Column::Status,
                    text,
                )],
                &[],
            );
            assert_eq!(
                stated.households[0].record.household.status,
                HouseholdStatus::Unassessed,
                "{text}"
            );
        }
        // A stored household keeps its status when the cell is blank.
        let mut stored = new.clone();
        stored.household.status = HouseholdStatus::NotRegistered;
        let again = plan_of(&[person(3, "001", "李建国", &head, "户主")], &[stored]);
        assert!(!again.households[0].is_new);
        assert_eq!(
            again.households[0].record.household.status,
            HouseholdStatus::NotRegistered
        );
    }

    #[test]
    fn bad_cells_are_reported_at_their_row_and_column() {
        let mut bad_check = id(1970, 11, Sex::Male);
        let last = bad_check.pop().unwrap();
        bad_check.push(if last == '1' { '2' } else { '1' });
        let feb30 = id(1990, 13, Sex::Male).replace("19900301", "19900230");
        let rows = [
            with(
                with(
                    person(3, "001", "李建国", &bad_check, "户主"),
                    Column::IncomeYear,
                    "2019",
                ),
                Column::Income(IncomeItem::Wage),
                "一万二",
            ),
            with(
                person(4, "001", "", &feb30, "子女"),
                Column::MigrantMonths,
                "2.5",
            ),
            with(
                person(5, "002", "张三", &id(1960, 15, Sex::Male), "户主"),
                Column::MainCause,
                "因懒",
            ),
            person(6, "002", "张四", &id(1962, 17, Sex::Male), "哥哥"),
            person(7, "", "赵五", &id(1963, 19, Sex::Male), ""),
        ];
        let plan = plan(&rows, Uuid::new_v4(), &[], today());
        assert_eq!(
            problems(&plan),
            [
                (3, Column::IdNumber),
                (3, Column::Income(IncomeItem::Wage)),
                (4, Column::Name),
                (4, Column::IdNumber),
                (4, Column::MigrantMonths),
                (5, Column::MainCause),
                (6, Column::Relation),
                (7, Column::HouseholdNumber),
                (7, Column::Relation),
            ]
        );
        let p = &plan.problems;
        assert!(matches!(
            p[0].problem,
            ImportProblem::Rule(Problem::InvalidId(IdError::CheckCharacter { .. }))
        ));
        assert_eq!(p[1].problem, ImportProblem::Rule(Problem::NotANumber));
        assert_eq!(p[2].problem, ImportProblem::Rule(Problem::Required));
        assert!(matches!(
            p[3].problem,
            ImportProblem::Rule(Problem::InvalidId(IdError::ImpossibleDate(_)))
        ));
        assert_eq!(
            p[5].localize(Lang::Zh).split('；').next().unwrap(),
            "第5行，主要致贫原因：“因懒”不是可选值"
        );
        assert!(
            p[5].localize(Lang::En)
                .starts_with("Row 5, Main cause: \"因懒\" is not an allowed value")
        );
    }

    #[test]
    fn file_level_checks_heads_numbers_and_duplicate_ids() {
        let a = id(1970, 11, Sex::Male);
        let rows = [
            person(3, "001", "李建国", &a, "户主"),
            person(4, "001", "李二", &id(1971, 13, Sex::Male), "户主"),
            person(5, "002", "张三", &id(1960, 15, Sex::Male), "户主"),
            person(6, "003", "王五", &id(1961, 17, Sex::Male), "户主"),
            person(7, "002", "赵六", &id(1962, 19, Sex::Male), "户主"),
            person(8, "004", "孙七", &a, "子女"),
        ];
        let plan = plan(&rows, Uuid::new_v4(), &[], today());
        let found: Vec<_> = plan
            .problems
            .iter()
            .map(|p| (p.row, p.column, p.problem.clone()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    4,
                    Column::Relation,
                    ImportProblem::TwoHeads { first_row: 3 }
                ),
                (
                    7,
                    Column::HouseholdNumber,
                    ImportProblem::NumberReusedInFile { first_row: 5 }
                ),
                (
                    8,
                    Column::IdNumber,
                    ImportProblem::DuplicateIdNumber { first_row: 3 }
                ),
                (
                    8,
                    Column::Relation,
                    ImportProblem::NoHead {
                        number: "004".into()
                    }
                ),
            ]
        );
        assert_eq!(plan.households.len(), 1, "only 003 is whole");
    }

    #[test]
    fn re_import_matches_by_number_and_head_and_keeps_uuids() {
        let village = Uuid::new_v4();
        let head = id(1970, 11, Sex::Male);
        let child = id(2000, 13, Sex::Female);
        let rows = [
            with(
                person(3, "001", "李建国", &head, "户主"),
                Column::IncomeYear,
                "2019",
            ),
            person(4, "001", "李小红", &child, "子女"),
        ];
        let first = plan(&rows, village, &[], today());
        assert_eq!(first.problems, []);
        let stored = vec![first.households[0].record.clone()];

        let mut changed = rows.clone();
        changed[1] = with(changed[1].clone(), Column::InSchool, "是");
        let second = plan(&changed, village, &stored, today());
        assert_eq!(second.problems, []);
        let again = &second.households[0];
        assert!(!again.is_new);
        assert_eq!(again.members_matched, 2);
        assert_eq!(again.record.household.id, stored[0].household.id);
        assert_eq!(again.record.members[1].id, stored[0].members[1].id);
        assert!(again.record.members[1].in_school);
        assert_eq!(again.record.incomes[0].id, stored[0].incomes[0].id);

        // The same number under another head belongs to another household.
        let other = [person(3, "001", "张三", &id(1960, 15, Sex::Male), "户主")];
        let clash = plan(&other, village, &stored, today());
        assert_eq!(
            clash.problems[0].problem,
            ImportProblem::NumberUsedByAnotherHousehold {
                number: "001".into()
            }
        );
        assert!(
            clash.problems[0]
                .localize(Lang::Zh)
                .contains("户编号已被另一户使用")
        );
        // A registered person cannot appear in a new household.
        let moved = [
            person(3, "009", "张三", &id(1960, 15, Sex::Male), "户主"),
            person(4, "009", "李小红", &child, "子女"),
        ];
        let moved = plan(&moved, village, &stored, today());
        assert_eq!(
            moved.problems[0].problem,
            ImportProblem::IdNumberInOtherHousehold {
                number: "001".into()
            }
        );
    }

    #[test]
    fn status_and_yes_no_accept_both_languages_and_codes() {
        assert_eq!(
            parse_status("已脱贫"),
            Some(HouseholdStatus::Exited { year: 0 })
        );
        assert_eq!(
            parse_status("registered"),
            Some(HouseholdStatus::Registered)
        );
        assert_eq!(
            parse_status("Exited but unstable"),
            Some(HouseholdStatus::Monitored {
                kind: crate::model::MonitoredKind::UnstableExited
            })
        );
        assert_eq!(parse_status("脱贫"), None);
        assert_eq!(parse_yes_no("YES"), Some(true));
        assert_eq!(parse_yes_no("否"), Some(false));
        assert_eq!(parse_yes_no("有"), None);
    }

    #[test]
    fn exited_without_a_year_and_income_without_a_year_are_reported() {
        let h = with(
            with(
                person(3, "001", "李建国", &id(1970, 11, Sex::Male), "户主"),
                Column::Status,
                "已脱贫",
            ),
            Column::Income(IncomeItem::Transfer),
            "300",
        );
        let plan = plan(&[h], Uuid::new_v4(), &[], today());
        assert_eq!(
            problems(&plan),
            [(3, Column::ExitYear), (3, Column::IncomeYear)]
        );
    }
}
