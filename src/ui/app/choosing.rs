//! Answering a screen's request for a file or folder: the system's dialog, or the chooser inside
//! the window when there is none or it fails (said in the notice and on stderr, never silently);
//! and opening a saved file or its folder afterwards.

use std::path::{Path, PathBuf};

use eframe::egui;

use super::App;
use crate::i18n::Lang;
use crate::ui::dialogs::{
    ChooserMode, FileRequest, SystemAnswer, SystemDialog, fallback_message, open_with_system,
};
use crate::ui::notice::Notice;
use crate::ui::widgets::file_chooser::{ChooserOutcome, FileChooser};

impl App {
    /// Which chooser answers: the tests and `DRIPLINE_FILE_CHOOSER=window` use the in-window one.
    pub fn set_chooser_mode(&mut self, mode: ChooserMode) {
        self.chooser_mode = mode;
    }

    pub fn chooser_mode(&self) -> ChooserMode {
        self.chooser_mode
    }

    /// What answers for the system's dialog (tests put a failing one here).
    pub fn set_system_dialog(&mut self, dialog: SystemDialog) {
        self.system_dialog = dialog;
    }

    /// The folder the next chooser opens in (the last one used, at first the home folder).
    pub fn set_chooser_folder(&mut self, folder: PathBuf) {
        self.last_folder = Some(folder);
    }

    /// The request the in-window chooser is answering, while it is open.
    pub fn chooser_request(&self) -> Option<&FileRequest> {
        self.chooser.as_ref().map(FileChooser::request)
    }

    pub(super) fn choose_file(&mut self, request: FileRequest) {
        let lang = self.prefs.lang;
        let village = self.view().map(|v| v.village.name.clone());
        let name = request
            .file_name
            .as_ref()
            .map(|n| n.resolve(village.as_deref(), self.clock_today));
        let start = self.chooser_start();
        if self.chooser_mode == ChooserMode::System {
            match (self.system_dialog)(&request, name.as_deref(), &start) {
                SystemAnswer::Chosen(paths) => {
                    self.chosen(request, paths);
                    return;
                }
                SystemAnswer::Cancelled => return,
                SystemAnswer::Failed => {
                    eprintln!(
                        "dripline: the system file dialog \"{}\" returned at once without a file \
                         (no XDG portal or zenity?); using the in-window chooser",
                        request.title
                    );
                    self.chooser_mode = ChooserMode::InWindow;
                    self.notice
                        .set(Notice::Warned(fallback_message(lang).to_string()));
                }
            }
        }
        self.chooser = Some(FileChooser::open(request, name, &start, lang));
    }

    /// Draws the in-window chooser while it is open and carries out what was chosen.
    pub(super) fn chooser_ui(&mut self, ctx: &egui::Context) {
        let Some(chooser) = &mut self.chooser else {
            return;
        };
        match chooser.ui(ctx, self.prefs.lang) {
            ChooserOutcome::Open => {}
            ChooserOutcome::Cancelled => {
                self.last_folder = Some(chooser.folder().to_path_buf());
                self.chooser = None;
            }
            ChooserOutcome::Chosen(paths) => {
                if let Some(chooser) = self.chooser.take() {
                    self.chosen(chooser.request().clone(), paths);
                }
            }
        }
    }

    fn chosen(&mut self, request: FileRequest, paths: Vec<PathBuf>) {
        if let Some(first) = paths.first() {
            let folder = if first.is_dir() {
                first.clone()
            } else {
                first.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            self.last_folder = Some(folder);
        }
        if let Some(action) = request.purpose.action(paths) {
            self.apply(action);
        }
    }

    fn chooser_start(&self) -> PathBuf {
        self.last_folder
            .clone()
            .filter(|f| f.is_dir())
            .or_else(|| directories::UserDirs::new().map(|d| d.home_dir().to_path_buf()))
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default()
    }

    /// Opens a file or folder with the desktop's program; a failure is said, not swallowed.
    pub(super) fn open_with_system(&mut self, path: &Path) {
        if let Err(e) = open_with_system(path) {
            eprintln!("dripline: could not open {}: {e}", path.display());
            self.notice.set(Notice::Failed(match self.prefs.lang {
                Lang::Zh => format!(
                    "无法打开 {}（{e}）。文件已保存，可在文件管理器中找到它。",
                    path.display()
                ),
                Lang::En => format!(
                    "Cannot open {} ({e}). The file is saved; find it in the file manager.",
                    path.display()
                ),
            }));
        }
    }
}
