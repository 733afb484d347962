//! Printed documents of one household, as PDF with the CJK font embedded (a subset, with a
//! ToUnicode map so the text can be searched and copied):
//!
//! - [`card`]: the household card 扶贫明白卡 (members, causes, helpers and phones, measures and
//!   funds, income by year);
//! - [`visit_sheet`]: the sheet taken to a visit, with the last visit's values beside boxes to
//!   fill in;
//! - [`layout`]: the A4 layout engine both use (wrapped text, tables that break across pages).
//!
//! Documents are built from plain types ([`PaperInputs`]), so the window (from its snapshot) and
//! the CLI (from the store) print the same thing. ID numbers are masked unless asked for in full.

mod card;
pub mod layout;
pub mod notice;
mod visit_sheet;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::assets::CJK_FONT;
use crate::i18n::{Lang, Localize};
use crate::model::{Helper, HouseholdRecord, Thresholds, Village, VillageWorkflow};
use crate::rules::id_number;
use crate::rules::income::PovertyLines;
use crate::store::{Store, StoreError};

use layout::{Layout, Metrics};

/// Which document to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaperKind {
    /// 扶贫明白卡
    Card,
    /// 入户走访记录单
    VisitSheet,
}

impl PaperKind {
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            PaperKind::Card => lang.pick("扶贫明白卡", "household card"),
            PaperKind::VisitSheet => lang.pick("走访单", "visit sheet"),
        }
    }
}

/// Everything a document of one household is made from.
#[derive(Debug, Clone, Copy)]
pub struct PaperInputs<'a> {
    pub village: &'a Village,
    pub record: &'a HouseholdRecord,
    /// The village's workflow records; only this household's are printed.
    pub workflow: &'a VillageWorkflow,
    pub lines: &'a PovertyLines,
    pub thresholds: &'a Thresholds,
    pub printed_on: NaiveDate,
}

/// How to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrintOptions {
    pub lang: Lang,
    /// Print ID numbers in full instead of masked.
    pub full_ids: bool,
}

/// Why a document could not be printed.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no household numbered {number}")]
    UnknownHousehold {
        number: String,
        /// A few numbers that do exist, to show the user what they look like.
        examples: Vec<String>,
    },
    #[error("household number {number} exists in several villages")]
    AmbiguousHousehold {
        number: String,
        /// "code name" of each village holding that number.
        villages: Vec<String>,
    },
    #[error("no village with code {0}")]
    UnknownVillage(String),
    #[error("the PDF could not be made: {0}")]
    Render(String),
    #[error("cannot write {path}: {message}")]
    Write { path: PathBuf, message: String },
}

impl Localize for PrintError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            PrintError::Store(e) => e.localize(lang),
            PrintError::UnknownHousehold { number, examples } => {
                let examples = examples.join(lang.pick("、", ", "));
                match lang {
                    Lang::Zh => format!(
                        "找不到户编号为 {number} 的农户，未生成文件。请按名册中的户编号输入（例如 {examples}）。"
                    ),
                    Lang::En => format!(
                        "There is no household numbered {number}; no file was written. Use the number shown in the register (e.g. {examples})."
                    ),
                }
            }
            PrintError::AmbiguousHousehold { number, villages } => {
                let villages = villages.join(lang.pick("、", ", "));
                match lang {
                    Lang::Zh => format!(
                        "户编号 {number} 在多个村中都有（{villages}），未生成文件。请用 --village 指定村的编码。"
                    ),
                    Lang::En => format!(
                        "Household number {number} exists in several villages ({villages}); no file was written. Name the village with --village CODE."
                    ),
                }
            }
            PrintError::UnknownVillage(code) => match lang {
                Lang::Zh => format!("数据库中没有编码为 {code} 的村，未生成文件。"),
                Lang::En => {
                    format!(
                        "There is no village with code {code} in the database; no file was written."
                    )
                }
            },
            PrintError::Render(message) => match lang {
                Lang::Zh => format!("无法生成 PDF：{message}"),
                Lang::En => format!("The PDF could not be made: {message}"),
            },
            PrintError::Write { path, message } => crate::files::write_failure(
                path,
                message,
                lang,
                [
                    "请检查文件是否在其他程序中打开或目录是否可写。",
                    "Check that the file is not open elsewhere and the folder is writable.",
                ],
            ),
        }
    }
}

/// The helpers assigned to the household, in name order.
pub(crate) fn helpers_of<'a>(input: &PaperInputs<'a>) -> Vec<&'a Helper> {
    let id = input.record.household.id;
    let mut helpers: Vec<&Helper> = input
        .workflow
        .helpers
        .iter()
        .filter(|x| x.household_ids.contains(&id))
        .collect();
    helpers.sort_by(|a, b| a.name.cmp(&b.name));
    helpers
}

/// An ID number as printed: masked like the window and the export, unless asked for in full.
pub(crate) fn show_id(id: &str, options: &PrintOptions) -> String {
    if options.full_ids {
        id.to_string()
    } else {
        id_number::mask(id)
    }
}

/// The laid-out pages of a document (what [`render`] draws), for tests of the layout.
pub fn lay_out(kind: PaperKind, input: &PaperInputs<'_>, options: &PrintOptions) -> Layout {
    let metrics = Metrics::new(CJK_FONT).expect("the embedded font is a valid OpenType font");
    let mut layout = Layout::new(metrics);
    match kind {
        PaperKind::Card => card::lay_out(&mut layout, input, options),
        PaperKind::VisitSheet => visit_sheet::lay_out(&mut layout, input, options),
    }
    layout
}

/// The document as PDF bytes.
pub fn render(
    kind: PaperKind,
    input: &PaperInputs<'_>,
    options: &PrintOptions,
) -> Result<Vec<u8>, PrintError> {
    let lang = options.lang;
    let h = &input.record.household;
    let head = input.record.head().map_or("", |m| m.name.as_str());
    let title = match lang {
        Lang::Zh => format!("{} · {}号户 {head}", kind.name(lang), h.number),
        Lang::En => format!("{} · household {} {head}", kind.name(lang), h.number),
    };
    let footer_name = format!("{} · {}", input.village.name, h.number);
    lay_out(kind, input, options)
        .into_pdf(CJK_FONT, &title, |page, count| match lang {
            Lang::Zh => format!("{footer_name}　第 {page} 页 / 共 {count} 页"),
            Lang::En => format!("{footer_name} · page {page} of {count}"),
        })
        .map_err(PrintError::Render)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so that an
/// interrupted write never leaves a truncated PDF under the chosen name.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), PrintError> {
    let write_error = |e: std::io::Error| PrintError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    crate::files::write_bytes(path, bytes).map_err(write_error)
}

/// Everything needed to print one household, loaded from the store.
pub struct LoadedHousehold {
    pub village: Village,
    pub record: HouseholdRecord,
    pub workflow: VillageWorkflow,
    pub lines: PovertyLines,
    pub thresholds: Thresholds,
}

impl LoadedHousehold {
    pub fn inputs(&self, printed_on: NaiveDate) -> PaperInputs<'_> {
        PaperInputs {
            village: &self.village,
            record: &self.record,
            workflow: &self.workflow,
            lines: &self.lines,
            thresholds: &self.thresholds,
            printed_on,
        }
    }
}

/// Where a household of the register is: its village and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundHousehold {
    pub village_id: uuid::Uuid,
    pub household_id: uuid::Uuid,
}

/// Finds the household numbered `number` (as the register shows it; leading zeros may be left
/// out) in the village with code `village_code`, or in the only village holding that number.
pub fn find_household(
    store: &Store,
    village_code: Option<&str>,
    number: &str,
) -> Result<FoundHousehold, PrintError> {
    let number = number.trim();
    let mut villages = store.villages()?;
    if let Some(code) = village_code.map(str::trim) {
        villages.retain(|v| v.code == code);
        if villages.is_empty() {
            return Err(PrintError::UnknownVillage(code.to_string()));
        }
    }
    let same_number = |stored: &str| {
        let stored = stored.trim();
        stored == number
            || matches!(
                (stored.parse::<u64>(), number.parse::<u64>()),
                (Ok(a), Ok(b)) if a == b
            )
    };
    let mut found = Vec::new();
    let mut examples = Vec::new();
    for village in villages {
        let records = store.household_records(Some(village.id))?;
        if examples.len() < 3 {
            examples.extend(records.iter().take(3).map(|r| r.household.number.clone()));
        }
        if let Some(record) = records
            .into_iter()
            .find(|r| same_number(&r.household.number))
        {
            found.push((village, record.household.id));
        }
    }
    examples.truncate(3);
    match found.len() {
        0 => Err(PrintError::UnknownHousehold {
            number: number.to_string(),
            examples,
        }),
        1 => {
            let (village, household_id) = found.pop().expect("one found");
            Ok(FoundHousehold {
                village_id: village.id,
                household_id,
            })
        }
        _ => Err(PrintError::AmbiguousHousehold {
            number: number.to_string(),
            villages: found
                .iter()
                .map(|(v, _)| format!("{} {}", v.code, v.name))
                .collect(),
        }),
    }
}

/// Finds a household as [`find_household`] does and loads what printing it needs.
pub fn load_household(
    store: &Store,
    village_code: Option<&str>,
    number: &str,
) -> Result<LoadedHousehold, PrintError> {
    let found = find_household(store, village_code, number)?;
    Ok(LoadedHousehold {
        village: store.village(found.village_id)?,
        record: store.household_record(found.household_id)?,
        workflow: store.village_workflow(found.village_id)?,
        lines: store.poverty_lines()?,
        thresholds: store.thresholds()?,
    })
}
