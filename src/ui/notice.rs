//! The message under the toolbar: what the last action did, or why it could not, in the user's
//! language, until the next action or until it is dismissed.

use std::path::PathBuf;

use eframe::egui::{self, Color32, RichText};

use super::action::Action;
use super::widgets::{ERROR_RED, OK_GREEN, WARN_AMBER};
use crate::i18n::{Lang, Localize};
use crate::workspace::edit::Applied;

pub enum Notice {
    /// A data change was applied.
    Applied(Applied),
    Undone,
    /// A finished background job or file write, described in the user's language.
    Done(String),
    /// A file or folder was written; the notice offers to open it and its folder.
    Saved {
        text: String,
        path: PathBuf,
    },
    /// Done, but with something the user should know (amber).
    Warned(String),
    /// Something failed, described in the user's language. Nothing was changed.
    Failed(String),
    /// A file the user chose could not be read.
    FileError {
        path: PathBuf,
        message: String,
    },
}

impl Notice {
    /// A failure of anything that can say what went wrong.
    pub fn failed(error: &impl Localize, lang: Lang) -> Notice {
        Notice::Failed(error.localize(lang))
    }

    fn text(&self, lang: Lang) -> (String, Color32) {
        match self {
            Notice::Applied(applied @ Applied::Flagged(_)) => (applied.localize(lang), WARN_AMBER),
            Notice::Applied(applied) => (applied.localize(lang), OK_GREEN),
            Notice::Undone => (
                lang.pick("已撤销上一次修改", "Last change undone")
                    .to_string(),
                OK_GREEN,
            ),
            Notice::Done(text) | Notice::Saved { text, .. } => (text.clone(), OK_GREEN),
            Notice::Warned(text) => (text.clone(), WARN_AMBER),
            Notice::Failed(text) => (text.clone(), ERROR_RED),
            Notice::FileError { path, message } => (
                match lang {
                    Lang::Zh => {
                        format!("无法读取文件 {}：{message}。未做任何改动。", path.display())
                    }
                    Lang::En => format!(
                        "Cannot read {}: {message}. Nothing was changed.",
                        path.display()
                    ),
                },
                ERROR_RED,
            ),
        }
    }
}

/// The notice with its dismiss button (and, after a save, 打开文件 / 打开所在文件夹); true when
/// it was dismissed.
pub fn notice_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    notice: &Notice,
    actions: &mut Vec<Action>,
) -> bool {
    let (text, color) = notice.text(lang);
    ui.horizontal(|ui| {
        ui.label(RichText::new(text).color(color));
        if let Notice::Saved { path, .. } = notice {
            let folder = if path.is_dir() {
                Some(path.clone())
            } else {
                if ui
                    .small_button(lang.pick("打开文件", "Open the file"))
                    .clicked()
                {
                    actions.push(Action::OpenWithSystem(path.clone()));
                }
                path.parent().map(|p| p.to_path_buf())
            };
            if let Some(folder) = folder
                && ui
                    .small_button(lang.pick("打开所在文件夹", "Open its folder"))
                    .on_hover_text(folder.display().to_string())
                    .clicked()
            {
                actions.push(Action::OpenWithSystem(folder));
            }
        }
        ui.small_button("×").clicked()
    })
    .inner
}
