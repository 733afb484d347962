//! Choosing a file or folder: what a screen asks for ([`FileRequest`]), and how the window gets
//! the answer. The system's dialog (rfd) where the desktop has one; otherwise, or when it fails,
//! the chooser drawn inside the window (`widgets::file_chooser`). A screen only returns
//! `Action::ChooseFile`; `App` decides which chooser answers and turns the chosen paths into the
//! action the request was for, so the whole flow runs in egui_kittest with the in-window chooser.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use uuid::Uuid;

use super::action::Action;
use super::charts::ChartId;
use crate::i18n::Lang;
use crate::io::print::PaperKind;

/// What the user is asked to pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChooserKind {
    /// A new file's name and folder.
    Save,
    /// One existing file.
    Open,
    /// One or more existing files.
    OpenMany,
    /// A folder.
    Folder,
}

/// The name offered in a save dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileName {
    /// This name as it is.
    Exact(String),
    /// `<village>-<kind>-<today>.<ext>` (`<village>-<today>.<ext>` without a kind), filled in by
    /// the window, which knows the village and the date.
    Dated {
        kind: Option<&'static str>,
        ext: &'static str,
    },
}

impl FileName {
    /// The name for this village on this day, with the characters file systems refuse replaced.
    pub fn resolve(&self, village: Option<&str>, today: NaiveDate) -> String {
        match self {
            FileName::Exact(name) => name.clone(),
            FileName::Dated { kind, ext } => {
                let mut parts: Vec<String> = Vec::new();
                if let Some(village) = village.filter(|v| !v.trim().is_empty()) {
                    parts.push(safe_file_part(village.trim()));
                }
                if let Some(kind) = kind {
                    parts.push((*kind).to_string());
                }
                parts.push(today.format("%Y-%m-%d").to_string());
                format!("{}.{ext}", parts.join("-"))
            }
        }
    }
}

/// A name part without the characters that Windows or Linux refuse in file names.
fn safe_file_part(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect()
}

/// What the chosen path is for: the action it becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilePurpose {
    SaveChart(ChartId),
    PrintHousehold {
        household: Uuid,
        kind: PaperKind,
    },
    /// The public notice of monitoring cases, as XLSX or PDF.
    PrintNotice {
        xlsx: bool,
    },
    SurveyTemplate,
    CheckSurvey,
    ExportXlsx {
        full_ids: bool,
    },
    ExportCsv {
        full_ids: bool,
    },
    ExportBundle {
        full: bool,
    },
    ImportBundles,
    ReturnBundles,
    /// The .xlsx file the county summary is written to.
    CountyReport,
    VisitPhoto(Uuid),
    /// The folder a backup is written to.
    Backup,
    /// The backup file to restore.
    Restore,
}

impl FilePurpose {
    /// The action for the chosen paths (none when nothing was chosen).
    pub fn action(self, paths: Vec<PathBuf>) -> Option<Action> {
        let path = paths.first()?.clone();
        Some(match self {
            FilePurpose::ImportBundles => Action::ImportBundles(paths),
            FilePurpose::SaveChart(chart) => Action::SaveChart { chart, path },
            FilePurpose::PrintHousehold { household, kind } => Action::PrintHousehold {
                household,
                kind,
                path: path.with_extension("pdf"),
            },
            FilePurpose::PrintNotice { xlsx } => Action::PrintNotice {
                path: path.with_extension(if xlsx { "xlsx" } else { "pdf" }),
                xlsx,
            },
            FilePurpose::SurveyTemplate => Action::WriteSurveyTemplate(path),
            FilePurpose::CheckSurvey => Action::CheckSurveyFile(path),
            FilePurpose::ExportXlsx { full_ids } => Action::Export {
                out: path,
                xlsx: true,
                full_ids,
            },
            FilePurpose::ExportCsv { full_ids } => Action::Export {
                out: path,
                xlsx: false,
                full_ids,
            },
            FilePurpose::ExportBundle { full } => Action::ExportBundle { path, full },
            FilePurpose::ReturnBundles => Action::WriteReturnBundles(path),
            FilePurpose::CountyReport => Action::WriteCountyReport(path.with_extension("xlsx")),
            FilePurpose::VisitPhoto(visit_id) => Action::AddVisitPhoto { visit_id, path },
            FilePurpose::Backup => Action::Backup(path),
            FilePurpose::Restore => Action::Restore(path),
        })
    }
}

/// A screen's request for a file or folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRequest {
    pub kind: ChooserKind,
    /// The dialog's title, in the user's language.
    pub title: String,
    /// The name offered when saving.
    pub file_name: Option<FileName>,
    /// The filter's name and the extensions it lets through (no filter: every file).
    pub filter: Option<(String, Vec<&'static str>)>,
    pub purpose: FilePurpose,
}

impl FileRequest {
    pub fn new(kind: ChooserKind, title: &str, purpose: FilePurpose) -> FileRequest {
        FileRequest {
            kind,
            title: title.to_string(),
            file_name: None,
            filter: None,
            purpose,
        }
    }

    pub fn name(mut self, name: FileName) -> FileRequest {
        self.file_name = Some(name);
        self
    }

    pub fn filter(mut self, name: &str, extensions: &[&'static str]) -> FileRequest {
        self.filter = Some((name.to_string(), extensions.to_vec()));
        self
    }

    /// Whether a file name passes the filter (extensions compared without case).
    pub fn accepts(&self, name: &str) -> bool {
        let Some((_, extensions)) = &self.filter else {
            return true;
        };
        let ext = Path::new(name)
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase());
        ext.is_some_and(|ext| extensions.iter().any(|e| e.eq_ignore_ascii_case(&ext)))
    }
}

/// Which chooser answers the window's requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChooserMode {
    /// The system's dialog, falling back to the in-window chooser when it fails.
    System,
    /// Always the in-window chooser.
    InWindow,
}

impl ChooserMode {
    /// `DRIPLINE_FILE_CHOOSER=window` or `=system` decides; otherwise the system's dialog where
    /// the desktop has one (see [`system_dialog_missing`]).
    pub fn detect() -> ChooserMode {
        match std::env::var("DRIPLINE_FILE_CHOOSER").as_deref() {
            Ok("window") => ChooserMode::InWindow,
            Ok("system") => ChooserMode::System,
            _ => match system_dialog_missing() {
                Some(reason) => {
                    eprintln!("dripline: {reason}; file dialogs are drawn inside the window");
                    ChooserMode::InWindow
                }
                None => ChooserMode::System,
            },
        }
    }
}

/// Why the system's file dialog cannot open here, if that can be told beforehand. On Linux rfd
/// asks the XDG desktop portal over D-Bus and then zenity; with neither, every dialog returns
/// nothing at once.
pub fn system_dialog_missing() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let portal = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        && portal_file_chooser(Path::new("/usr/share/xdg-desktop-portal/portals"));
    let zenity = std::env::split_paths(&path).any(|dir| dir.join("zenity").is_file());
    missing_reason(portal, zenity)
}

fn missing_reason(portal: bool, zenity: bool) -> Option<String> {
    (!portal && !zenity)
        .then(|| "no XDG desktop portal with a file chooser and no zenity found".to_string())
}

/// Whether an installed portal backend offers the FileChooser interface.
fn portal_file_chooser(portals_dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(portals_dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        std::fs::read_to_string(entry.path())
            .is_ok_and(|text| text.contains("org.freedesktop.impl.portal.FileChooser"))
    })
}

/// What the system's dialog answered.
pub enum SystemAnswer {
    Chosen(Vec<PathBuf>),
    Cancelled,
    /// It returned at once with nothing: it could not open (no person closes a dialog that fast).
    Failed,
}

/// What asks the system's dialog: [`ask_system`], or a stand-in in tests.
pub type SystemDialog = fn(&FileRequest, Option<&str>, &Path) -> SystemAnswer;

/// A dialog that returns nothing within this time did not open.
const FAILED_WITHIN: Duration = Duration::from_millis(250);

/// Asks the system's dialog (blocking, as rfd's dialogs are).
pub fn ask_system(request: &FileRequest, file_name: Option<&str>, start: &Path) -> SystemAnswer {
    let mut dialog = rfd::FileDialog::new()
        .set_title(&request.title)
        .set_directory(start);
    if let Some(name) = file_name {
        dialog = dialog.set_file_name(name);
    }
    if let Some((name, extensions)) = &request.filter {
        dialog = dialog.add_filter(name, extensions);
    }
    let started = Instant::now();
    let chosen = match request.kind {
        ChooserKind::Save => dialog.save_file().map(|p| vec![p]),
        ChooserKind::Open => dialog.pick_file().map(|p| vec![p]),
        ChooserKind::OpenMany => dialog.pick_files(),
        ChooserKind::Folder => dialog.pick_folder().map(|p| vec![p]),
    };
    match chosen {
        Some(paths) => SystemAnswer::Chosen(paths),
        None if started.elapsed() < FAILED_WITHIN => SystemAnswer::Failed,
        None => SystemAnswer::Cancelled,
    }
}

/// The message shown when the system's dialog failed and the in-window chooser took over.
pub fn fallback_message(lang: Lang) -> &'static str {
    lang.pick(
        "系统的文件对话框没有打开，已改用窗口内的文件选择（本次运行中一直使用）。",
        "The system file dialog did not open; the file chooser inside the window is used instead (for the rest of this run).",
    )
}

/// Opens a file or folder with the program the desktop has for it.
pub fn open_with_system(path: &Path) -> std::io::Result<()> {
    open::that_detached(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
    }

    #[test]
    fn dated_names_carry_village_kind_and_day() {
        let bundle = FileName::Dated {
            kind: None,
            ext: "dripline",
        };
        assert_eq!(
            bundle.resolve(Some("青龙村"), day()),
            "青龙村-2026-12-02.dripline"
        );
        let export = FileName::Dated {
            kind: Some("建档立卡"),
            ext: "xlsx",
        };
        assert_eq!(
            export.resolve(Some("上/下 村:"), day()),
            "上_下 村_-建档立卡-2026-12-02.xlsx"
        );
        assert_eq!(export.resolve(None, day()), "建档立卡-2026-12-02.xlsx");
    }

    #[test]
    fn filter_compares_extensions_without_case() {
        let request = FileRequest::new(ChooserKind::Open, "t", FilePurpose::CheckSurvey)
            .filter("Survey", &["xlsx", "csv"]);
        assert!(request.accepts("a.XLSX"));
        assert!(request.accepts("b.csv"));
        assert!(!request.accepts("c.pdf"));
        assert!(!request.accepts("xlsx"));
    }

    #[test]
    fn missing_only_without_portal_and_zenity() {
        assert!(missing_reason(false, false).is_some());
        assert!(missing_reason(true, false).is_none());
        assert!(missing_reason(false, true).is_none());
    }

    #[test]
    fn portal_backend_needs_the_file_chooser_interface() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!portal_file_chooser(dir.path()));
        std::fs::write(
            dir.path().join("gtk.portal"),
            "[portal]\nInterfaces=org.freedesktop.impl.portal.Settings\n",
        )
        .unwrap();
        assert!(!portal_file_chooser(dir.path()));
        std::fs::write(
            dir.path().join("kde.portal"),
            "[portal]\nInterfaces=org.freedesktop.impl.portal.FileChooser;\n",
        )
        .unwrap();
        assert!(portal_file_chooser(dir.path()));
    }

    #[test]
    fn import_takes_every_file_and_print_forces_pdf() {
        let paths = vec![PathBuf::from("a.dripline"), PathBuf::from("b.dripline")];
        assert!(matches!(
            FilePurpose::ImportBundles.action(paths),
            Some(Action::ImportBundles(p)) if p.len() == 2
        ));
        let household = Uuid::nil();
        let print = FilePurpose::PrintHousehold {
            household,
            kind: PaperKind::VisitSheet,
        };
        assert!(matches!(
            print.action(vec![PathBuf::from("/tmp/x")]),
            Some(Action::PrintHousehold { path, .. }) if path == Path::new("/tmp/x.pdf")
        ));
        assert!(FilePurpose::SurveyTemplate.action(Vec::new()).is_none());
    }
}
