//! The message under the toolbar: what the last action did, or why it could not, in the user's
//! language. It has a line of its own that is there with or without a message, so a message
//! never pushes the page down under the mouse. Good news (已保存, 已撤销…) fades after a few
//! seconds; a warning, a failure or a saved file (with its buttons) stays until the next action
//! or until it is dismissed.

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

/// Seconds a good-news notice stays fully shown; it then fades out over [`FADE_OUT_SECS`].
pub const NOTICE_SECS: f64 = 4.0;
/// Seconds a good-news notice takes to fade out.
pub const FADE_OUT_SECS: f64 = 1.0;

/// The notice shown, and since when (the window's clock, taken when it is first drawn).
#[derive(Default)]
pub struct NoticeSlot {
    notice: Option<Notice>,
    shown_since: Option<f64>,
}

impl NoticeSlot {
    pub fn set(&mut self, notice: Notice) {
        self.notice = Some(notice);
        self.shown_since = None;
    }

    pub fn clear(&mut self) {
        self.notice = None;
        self.shown_since = None;
    }

    /// The notice's line (empty without one); a good-news notice goes once its time is up.
    pub fn ui(&mut self, ui: &mut egui::Ui, lang: Lang, actions: &mut Vec<Action>) {
        let now = ui.input(|i| i.time);
        let height = ui.spacing().interact_size.y;
        let fades = self.notice.as_ref().is_some_and(Notice::fades);
        let age = now - *self.shown_since.get_or_insert(now);
        if fades && age >= NOTICE_SECS + FADE_OUT_SECS {
            self.clear();
        }
        let Some(notice) = &self.notice else {
            ui.allocate_exact_size(
                egui::vec2(ui.available_width(), height),
                egui::Sense::hover(),
            );
            return;
        };
        let opacity = if fades {
            // Wake up when the fading starts, then a few times a second while it fades.
            let wait = if age < NOTICE_SECS {
                NOTICE_SECS - age
            } else {
                0.1
            };
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs_f64(wait));
            ((NOTICE_SECS + FADE_OUT_SECS - age) / FADE_OUT_SECS).clamp(0.0, 1.0) as f32
        } else {
            1.0
        };
        let dismissed = ui
            .scope(|ui| {
                ui.set_opacity(opacity);
                notice_ui(ui, lang, notice, height, actions)
            })
            .inner;
        if dismissed {
            self.clear();
        }
    }
}

impl Notice {
    /// Whether the notice is good news that goes by itself (nothing to act on).
    fn fades(&self) -> bool {
        match self {
            Notice::Applied(Applied::Flagged(_)) => false,
            Notice::Applied(_) | Notice::Undone | Notice::Done(_) => true,
            Notice::Saved { .. }
            | Notice::Warned(_)
            | Notice::Failed(_)
            | Notice::FileError { .. } => false,
        }
    }

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

/// The notice with its dismiss button (and, after a save, 打开文件 / 打开所在文件夹), on a line at
/// least `height` high; true when it was dismissed.
fn notice_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    notice: &Notice,
    height: f32,
    actions: &mut Vec<Action>,
) -> bool {
    let (text, color) = notice.text(lang);
    ui.horizontal(|ui| {
        ui.set_min_height(height);
        // A long notice (a copied database's, with its key line) wraps before the buttons
        // instead of running off the window with its × button.
        let buttons = if matches!(notice, Notice::Saved { .. }) {
            260.0
        } else {
            40.0
        };
        let width = (ui.available_width() - buttons).max(120.0);
        ui.scope(|ui| {
            ui.set_max_width(width);
            ui.add(egui::Label::new(RichText::new(text).color(color)).wrap());
        });
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
