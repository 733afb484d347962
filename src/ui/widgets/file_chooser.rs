//! The file chooser drawn inside the window (egui_file), for desktops without a system dialog
//! or when it fails: the folder's files through the request's filter, the name offered when
//! saving, and beside it the usual places (home, desktop and documents, USB sticks under /media
//! and /run/media, Windows drive letters).

use std::path::{Path, PathBuf};

use eframe::egui;
use egui_file::{FileDialog, State};

use crate::i18n::Lang;
use crate::ui::dialogs::{ChooserKind, FileRequest};

/// What the chooser says after a frame.
pub enum ChooserOutcome {
    /// Still open.
    Open,
    Chosen(Vec<PathBuf>),
    Cancelled,
}

pub struct FileChooser {
    dialog: FileDialog,
    request: FileRequest,
    places: Vec<(String, PathBuf)>,
}

const DIALOG_SIZE: egui::Vec2 = egui::vec2(560.0, 440.0);
const PLACES_WIDTH: f32 = 180.0;
const GAP: f32 = 12.0;
const DIALOG_OFFSET: egui::Vec2 = egui::vec2((PLACES_WIDTH + GAP) / 2.0, 0.0);

impl FileChooser {
    /// Opens the chooser in `start` with `file_name` offered (when saving).
    pub fn open(
        request: FileRequest,
        file_name: Option<String>,
        start: &Path,
        lang: Lang,
    ) -> FileChooser {
        let mut dialog = match request.kind {
            ChooserKind::Save => FileDialog::save_file(),
            ChooserKind::Open | ChooserKind::OpenMany => FileDialog::open_file(),
            ChooserKind::Folder => FileDialog::select_folder(),
        };
        dialog = dialog
            .id(egui::Id::unique("dripline_file_chooser"))
            .initial_path(start)
            .title(&request.title)
            .default_size(DIALOG_SIZE)
            // In the middle of the window, leaving room on its left for the places.
            .anchor(egui::Align2::CENTER_CENTER, DIALOG_OFFSET)
            .keep_on_top(true)
            .multi_select(request.kind == ChooserKind::OpenMany)
            .show_rename(false)
            .open_button_text(lang.pick("打开", "Open").into())
            .save_button_text(lang.pick("保存", "Save").into())
            .cancel_button_text(lang.pick("取消", "Cancel").into())
            .new_folder_button_text(lang.pick("新建文件夹", "New folder").into())
            .new_folder_name_text(lang.pick("新建文件夹", "New folder").into())
            .refresh_button_hover_text(lang.pick("刷新", "Refresh").into())
            .parent_folder_button_hover_text(lang.pick("上一级", "Parent folder").into())
            .file_label_text(lang.pick("文件名：", "File name:").into())
            .show_hidden_checkbox_text(lang.pick("显示隐藏文件", "Show hidden files").into());
        if request.kind == ChooserKind::Folder {
            dialog =
                dialog.open_button_text(lang.pick("选择此文件夹", "Choose this folder").into());
        }
        if let Some(name) = file_name {
            dialog = dialog.default_filename(name);
        }
        if request.kind == ChooserKind::Folder {
            // Choosing a folder: the files in it are only noise.
            dialog = dialog.show_files_filter(Box::new(|_: &Path| false));
        } else if let Some((_, extensions)) = &request.filter {
            let extensions = extensions.clone();
            dialog = dialog.show_files_filter(Box::new(move |path: &Path| {
                path.extension()
                    .map(|e| e.to_string_lossy().to_lowercase())
                    .is_some_and(|ext| extensions.iter().any(|e| e.eq_ignore_ascii_case(&ext)))
            }));
        }
        dialog.open();
        FileChooser {
            dialog,
            places: places(lang),
            request,
        }
    }

    pub fn request(&self) -> &FileRequest {
        &self.request
    }

    /// The folder shown.
    pub fn folder(&self) -> &Path {
        self.dialog.directory()
    }

    /// Draws the chooser and its places; says whether something was chosen.
    pub fn ui(&mut self, ctx: &egui::Context, lang: Lang) -> ChooserOutcome {
        // Left of the dialog, level with its top.
        let centre = ctx.content_rect().center() + DIALOG_OFFSET;
        let places_pos = egui::pos2(
            (centre.x - DIALOG_SIZE.x / 2.0 - GAP - PLACES_WIDTH).max(0.0),
            (centre.y - DIALOG_SIZE.y / 2.0).max(0.0),
        );
        let mut go_to = None;
        egui::Window::new(lang.pick("常用位置", "Places"))
            .id(egui::Id::unique("dripline_file_places"))
            .fixed_pos(places_pos)
            .default_width(PLACES_WIDTH)
            .collapsible(false)
            .resizable(false)
            .show(ctx, |ui| {
                for (label, path) in &self.places {
                    if ui
                        .selectable_label(self.dialog.directory() == path.as_path(), label)
                        .on_hover_text(path.display().to_string())
                        .clicked()
                    {
                        go_to = Some(path.clone());
                    }
                }
            });
        if let Some(path) = go_to {
            self.dialog.set_path(path);
        }
        self.dialog.show(ctx);
        match self.dialog.state() {
            State::Open => ChooserOutcome::Open,
            State::Cancelled | State::Closed => ChooserOutcome::Cancelled,
            State::Selected => ChooserOutcome::Chosen(self.chosen()),
        }
    }

    fn chosen(&self) -> Vec<PathBuf> {
        if self.request.kind == ChooserKind::OpenMany {
            let many: Vec<PathBuf> = self
                .dialog
                .selection()
                .into_iter()
                .map(Path::to_path_buf)
                .collect();
            if !many.is_empty() {
                return many;
            }
        }
        let Some(path) = self.dialog.path() else {
            return Vec::new();
        };
        let mut path = path.to_path_buf();
        // A saved file gets the filter's extension when the name was typed without it.
        if self.request.kind == ChooserKind::Save
            && let Some((_, extensions)) = &self.request.filter
            && let Some(ext) = extensions.first()
            && !self.request.accepts(&path.to_string_lossy())
        {
            let mut name = path.file_name().unwrap_or_default().to_os_string();
            name.push(".");
            name.push(ext);
            path.set_file_name(name);
        }
        vec![path]
    }
}

/// The usual places that exist on this computer, in the order a user looks for them.
pub fn places(lang: Lang) -> Vec<(String, PathBuf)> {
    let mut places = Vec::new();
    if let Some(dirs) = directories::UserDirs::new() {
        places.push((
            lang.pick("主目录", "Home").to_string(),
            dirs.home_dir().to_path_buf(),
        ));
        if let Some(desktop) = dirs.desktop_dir() {
            places.push((
                lang.pick("桌面", "Desktop").to_string(),
                desktop.to_path_buf(),
            ));
        }
        if let Some(documents) = dirs.document_dir() {
            places.push((
                lang.pick("文档", "Documents").to_string(),
                documents.to_path_buf(),
            ));
        }
        if let Some(downloads) = dirs.download_dir() {
            places.push((
                lang.pick("下载", "Downloads").to_string(),
                downloads.to_path_buf(),
            ));
        }
    }
    for (path, name) in removable_media() {
        places.push((format!("{} {name}", lang.pick("U盘", "USB")), path));
    }
    for drive in drive_letters() {
        places.push((drive.display().to_string(), drive));
    }
    places.retain(|(_, path)| path.is_dir());
    places.dedup_by(|a, b| a.1 == b.1);
    places
}

/// Mounted sticks and disks: /media/<name>, /media/<user>/<name> and /run/media/<user>/<name>.
fn removable_media() -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    for root in [Path::new("/media"), Path::new("/run/media")] {
        for first in subfolders(root) {
            let inner = subfolders(&first);
            // /media/<user>/ holds the mounts; a mount itself is seldom a folder of folders only.
            let is_user_folder = root == Path::new("/run/media") || is_user_name(&first);
            if is_user_folder {
                found.extend(inner);
            } else {
                found.push(first);
            }
        }
    }
    found
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (path, name)
        })
        .collect()
}

fn is_user_name(folder: &Path) -> bool {
    let name = folder.file_name().map(|n| n.to_string_lossy().into_owned());
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok();
    name.is_some() && name == user
}

fn subfolders(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut folders: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    folders
}

/// C:\ to Z:\ that exist (Windows only; nothing elsewhere).
fn drive_letters() -> Vec<PathBuf> {
    if !cfg!(windows) {
        return Vec::new();
    }
    ('C'..='Z')
        .map(|letter| PathBuf::from(format!("{letter}:\\")))
        .filter(|drive| drive.is_dir())
        .collect()
}
