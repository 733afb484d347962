//! Printing a household's card or visit sheet from its village's view, the one way the window's
//! print buttons and `dripline print` both go: the document dated at the village's evaluation
//! date, written through a temporary file and a rename.

use std::path::{Path, PathBuf};

use uuid::Uuid;

use super::view::VillageView;
use crate::i18n::{Lang, Localize};
use crate::io::print::{self, PaperKind, PrintError, PrintOptions};
use crate::store::StoreError;

/// Renders the document of household `household` of `view` and writes it to `path`.
pub fn print(
    view: &VillageView,
    household: Uuid,
    kind: PaperKind,
    path: &Path,
    options: &PrintOptions,
) -> Result<Printed, PrintError> {
    let record = view.record(household).ok_or_else(|| StoreError::NotFound {
        what: "household",
        id: household.to_string(),
    })?;
    let pdf = print::render(kind, &view.paper_inputs(record), options)?;
    print::write_atomically(path, &pdf)?;
    Ok(Printed {
        kind,
        number: record.household.number.clone(),
        head: record.head().map(|m| m.name.clone()).unwrap_or_default(),
        path: path.to_path_buf(),
        bytes: pdf.len(),
    })
}

/// A document printed to a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Printed {
    pub kind: PaperKind,
    pub number: String,
    pub head: String,
    pub path: PathBuf,
    pub bytes: usize,
}

impl Printed {
    /// Which document of which household, and its size.
    pub fn what(&self, lang: Lang) -> String {
        let (number, head) = (&self.number, &self.head);
        match lang {
            Lang::Zh => format!(
                "{}：{number}号户 {head}（{} 字节）",
                self.kind.name(lang),
                self.bytes
            ),
            Lang::En => format!(
                "The {} of household {number} {head} ({} bytes)",
                self.kind.name(lang),
                self.bytes
            ),
        }
    }
}

impl Localize for Printed {
    /// Where the document went.
    fn localize(&self, lang: Lang) -> String {
        format!(
            "{}{}",
            lang.pick("已生成 PDF：", "PDF written: "),
            self.path.display()
        )
    }
}

/// Writes the public notice (公示名单) of the monitoring cases of `view`'s village to `path`:
/// XLSX when `xlsx`, else PDF, dated at the village's evaluation date. Returns how many
/// households it lists.
pub fn print_notice(
    view: &VillageView,
    path: &Path,
    xlsx: bool,
    lang: Lang,
) -> Result<usize, PrintError> {
    let entries =
        crate::rules::monitoring_cases::notice_entries(&view.records, &view.workflow.cases);
    let min_days = view.thresholds.notice_min_days;
    if xlsx {
        print::notice::write_notice_xlsx(
            path,
            &view.village,
            &entries,
            min_days,
            view.today,
            lang,
        )?;
    } else {
        let pdf =
            print::notice::render_notice(&view.village, &entries, min_days, view.today, lang)?;
        print::write_atomically(path, &pdf)?;
    }
    Ok(entries.len())
}

/// What the window and the command line say of a notice written.
pub fn notice_written(path: &Path, households: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("已生成公示名单 {}：{households} 户", path.display()),
        Lang::En => format!(
            "Wrote the notice {}: {households} households",
            path.display()
        ),
    }
}
