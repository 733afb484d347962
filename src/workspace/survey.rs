//! The baseline-survey file: checked against the shown village at the village's evaluation date
//! (the date its forms check against, so the demo's import and its forms agree), then written as
//! one undoable change. The window's spreadsheets screen and `dripline survey import` both check
//! and write through here and say what happened with the same words.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::view::VillageView;
use crate::i18n::{Lang, Localize};
use crate::io::import::{self, ApplyError, ImportPlan};
use crate::io::survey::{self, SurveyError};
use crate::io::survey_file::CsvEncoding;
use crate::model::{HouseholdRecord, Village};
use crate::store::Store;
use crate::store::import::ImportSummary;

/// A survey file checked against a village: what would be written and every problem.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedSurvey {
    pub file: PathBuf,
    /// "code name" of the village it was checked against.
    pub village: String,
    /// The text encoding a CSV file was read in (`None` for a workbook).
    pub encoding: Option<CsvEncoding>,
    pub plan: ImportPlan,
}

/// Reads `file` and checks every row against the village of `view`, at `view.today`.
pub fn check(file: &Path, view: &VillageView) -> Result<CheckedSurvey, SurveyError> {
    check_against(file, &view.village, &view.records, view.today)
}

/// Reads `file` and checks every row against `village`, whose stored households are `records`,
/// at `evaluated_on` (the village's evaluation date: a background job holds these, not a view).
pub fn check_against(
    file: &Path,
    village: &Village,
    records: &[HouseholdRecord],
    evaluated_on: NaiveDate,
) -> Result<CheckedSurvey, SurveyError> {
    let read = survey::read_file(file)?;
    Ok(CheckedSurvey {
        file: file.to_path_buf(),
        village: format!("{} {}", village.code, village.name),
        encoding: read.encoding,
        plan: import::plan(&read.rows, village.id, records, evaluated_on),
    })
}

/// Writes a checked, problem-free survey as one undoable change. `evaluated_on` is the village's
/// evaluation date (the one it was checked at).
pub fn commit(
    store: &mut Store,
    checked: &CheckedSurvey,
    evaluated_on: NaiveDate,
) -> Result<SurveyWritten, ApplyError> {
    let summary = import::apply(store, &checked.plan, evaluated_on)?;
    Ok(SurveyWritten {
        file: checked.file.clone(),
        summary,
    })
}

impl CheckedSurvey {
    /// Members in the file, and those of them already registered.
    pub fn members(&self) -> (usize, usize) {
        let plan = &self.plan;
        let total = plan.households.iter().map(|h| h.record.members.len()).sum();
        let matched = plan.households.iter().map(|h| h.members_matched).sum();
        (total, matched)
    }

    /// The refusal to write a file with problems, or `None` when it may be written.
    pub fn refusal(&self) -> Option<ApplyError> {
        (!self.plan.problems.is_empty()).then(|| ApplyError::HasProblems {
            count: self.plan.problems.len(),
        })
    }
}

impl Localize for CheckedSurvey {
    /// The counts of the check: rows, households new and matched, members, problems.
    fn localize(&self, lang: Lang) -> String {
        let plan = &self.plan;
        let (members, matched) = self.members();
        let village = &self.village;
        let (rows, households) = (plan.rows_read, plan.households.len());
        let (new, updated) = (plan.households_new(), plan.households_matched());
        let problems = plan.problems.len();
        let encoding = match (self.encoding, lang) {
            (None, _) => String::new(),
            (Some(e), Lang::Zh) => format!("（按 {} 编码读取）", e.name()),
            (Some(e), Lang::En) => format!(" (read as {})", e.name()),
        };
        match lang {
            Lang::Zh => format!(
                "{village}：读取 {rows} 行{encoding}，{households} 户（新增 {new} 户，更新 {updated} 户），{members} 人（其中已登记 {matched} 人），问题 {problems} 处"
            ),
            Lang::En => format!(
                "{village}: {rows} rows{encoding}, {households} households ({new} new, {updated} to update), {members} members ({matched} already registered), {problems} problems"
            ),
        }
    }
}

/// A survey written into the store.
#[derive(Debug, Clone)]
pub struct SurveyWritten {
    pub file: PathBuf,
    pub summary: ImportSummary,
}

impl Localize for SurveyWritten {
    fn localize(&self, lang: Lang) -> String {
        let s = &self.summary;
        let file = self.file.display();
        let (hc, hu) = (s.households_created, s.households_updated);
        let (mc, mu) = (s.members_created, s.members_updated);
        let (ic, iu) = (s.incomes_created, s.incomes_updated);
        match lang {
            Lang::Zh => format!(
                "已导入 {file}（一次修改，可撤销）：新增 {hc} 户、更新 {hu} 户；新增成员 {mc} 人、更新 {mu} 人；新增收入 {ic} 条、更新 {iu} 条"
            ),
            Lang::En => format!(
                "Imported {file} (one undoable change): {hc} households created, {hu} updated; {mc} members created, {mu} updated; {ic} income records created, {iu} updated"
            ),
        }
    }
}

/// The blank template written.
pub fn template_written(path: &Path, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("已保存入户调查模板 {}", path.display()),
        Lang::En => format!("Saved the survey template {}", path.display()),
    }
}
