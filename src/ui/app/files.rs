//! The files the window writes from what it shows: printed documents, saved charts and backups;
//! the photo read from the store for its window; and putting a backup back (恢复), which
//! replaces the open database and reopens it.

use std::path::{Path, PathBuf};

use uuid::Uuid;

use super::App;
use crate::i18n::{Lang, Localize};
use crate::io::print::{PaperKind, PrintOptions};
use crate::ui::action::Action;
use crate::ui::charts::ChartId;
use crate::ui::jobs::Job;
use crate::ui::notice::Notice;
use crate::ui::photo::OpenedPhoto;
use crate::workspace::print;

impl App {
    /// 导出全县汇总: the county table as shown (one sheet per level) into an .xlsx file. A few
    /// hundred lines, written at once rather than as a job.
    pub(super) fn write_county_report(&mut self, path: &Path) {
        let lang = self.prefs.lang;
        let Some(tree) = &self.screens.county_tree else {
            return;
        };
        let tables = crate::workspace::county::summary_tables(tree, None);
        self.notice
            .set(match crate::io::export::write_xlsx(path, &tables) {
                Ok(_) => Notice::Saved {
                    text: format!(
                        "{}{}",
                        lang.pick("全县汇总已导出：", "County summary exported: "),
                        path.display()
                    ),
                    path: path.to_path_buf(),
                },
                Err(e) => Notice::failed(&e, lang),
            });
    }

    /// Prints a household's card or visit sheet from the view; ID numbers in full only when
    /// the user chose to see them on screen.
    pub(super) fn print_household(&mut self, household: Uuid, kind: PaperKind, path: &Path) {
        let Some(view) = self.view() else {
            return;
        };
        let lang = self.prefs.lang;
        let options = PrintOptions {
            lang,
            full_ids: self.prefs.show_sensitive,
        };
        self.notice
            .set(match print::print(view, household, kind, path, &options) {
                Ok(printed) => Notice::Saved {
                    text: printed.localize(lang),
                    path: path.to_path_buf(),
                },
                Err(e) => Notice::failed(&e, lang),
            });
    }

    /// Writes the village's public notice of monitoring cases where the user chose.
    pub(super) fn print_notice(&mut self, path: &Path, xlsx: bool) {
        let Some(view) = self.view() else {
            return;
        };
        let lang = self.prefs.lang;
        self.notice
            .set(match print::print_notice(view, path, xlsx, lang) {
                Ok(households) => Notice::Saved {
                    text: print::notice_written(path, households, lang),
                    path: path.to_path_buf(),
                },
                Err(e) => Notice::failed(&e, lang),
            });
    }

    /// Draws a chart at the save size and writes it where the user chose.
    pub(super) fn save_chart(&mut self, chart: ChartId, path: PathBuf) {
        let Ok(session) = &self.session else {
            return;
        };
        let lang = self.prefs.lang;
        let saved = self.screens.charts.save(
            &session.store,
            session.view.as_ref(),
            session.generation,
            chart,
            &path,
            lang,
            self.clock_today,
        );
        self.notice.set(match saved {
            Ok(()) => Notice::Saved {
                text: format!(
                    "{}{}",
                    lang.pick("图表已保存：", "Chart saved: "),
                    path.display()
                ),
                path,
            },
            Err(e) => Notice::failed(&e, lang),
        });
    }

    /// 备份: a verified copy of the open database into `dir`, written by a background job.
    pub(super) fn backup(&mut self, dir: &Path) {
        let today = self.clock_today;
        let dir = dir.to_path_buf();
        self.start_job(|db, lang| Job::backup(db, dir, today, lang));
    }

    /// 恢复, first step: checks the backup (only reading it) and asks whether it may replace the
    /// open database; a backup that cannot be restored is refused at once.
    pub(super) fn ask_restore(&mut self, file: PathBuf) {
        let lang = self.prefs.lang;
        let Ok(session) = &self.session else {
            return;
        };
        if self.job.is_some() {
            return;
        }
        let db = session.store.path().to_path_buf();
        let current = match session.store.villages() {
            Ok(villages) => {
                let mut names: Vec<String> = villages
                    .iter()
                    .map(|v| format!("{} {}", v.code, v.name))
                    .collect();
                names.sort();
                names
            }
            Err(e) => {
                self.notice.set(Notice::failed(&e, lang));
                return;
            }
        };
        match crate::store::backup::inspect(&file) {
            Ok(info) if !current.is_empty() && info.villages != current => {
                let refusal = crate::store::backup::BackupError::OtherVillage {
                    path: file,
                    found: info.villages,
                    current,
                };
                self.notice.set(Notice::failed(&refusal, lang));
            }
            Ok(info) => {
                self.restore_asked = Some(RestoreAsked {
                    file,
                    info,
                    db,
                    current,
                })
            }
            Err(e) => self.notice.set(Notice::failed(&e, lang)),
        }
    }

    /// 恢复 confirmed: closes the open database and puts the backup in its place (the current
    /// one kept aside) in a background job; the database is reopened when it ends.
    pub(super) fn restore(&mut self) {
        let Some(asked) = self.restore_asked.take() else {
            return;
        };
        if self.job.is_some() {
            return;
        }
        // Only the open database's own file is replaced; its connection is closed first.
        let old = std::mem::replace(
            &mut self.session,
            Err(crate::store::StoreError::Missing {
                path: asked.db.clone(),
            }),
        );
        if let Ok(old) = old {
            let _ = old.store.close();
        }
        // The sync server (county) lets go of the file the restore replaces.
        self.screens.server = None;
        self.restoring = Some(asked.db.clone());
        self.job = Some(Job::restore(asked.db, asked.file, self.prefs.lang));
    }

    /// After a restore job (done or refused): reopens the database file.
    pub(super) fn reopen_after_restore(&mut self) {
        let Some(db) = self.restoring.take() else {
            return;
        };
        self.clock_today = crate::workspace::clock_today();
        self.session = self
            .open_bound(&db)
            .and_then(|store| crate::workspace::session::Session::new(store, self.clock_today));
        self.load_sync_view();
        // A backup older than what this computer sent gets its numbering moved past it: said.
        self.tell_device_change();
    }

    pub(super) fn open_photo(&mut self, id: Uuid) {
        let Ok(session) = &self.session else {
            return;
        };
        let file_name = session
            .view
            .iter()
            .flat_map(|v| &v.workflow.photos)
            .find(|p| p.id == id)
            .map(|p| p.file_name.clone())
            .unwrap_or_default();
        match session.store.visit_photo_bytes(id) {
            Ok(bytes) => {
                self.photo = Some(OpenedPhoto {
                    id,
                    file_name,
                    bytes: bytes.into(),
                })
            }
            Err(e) => self.notice.set(Notice::failed(&e, self.prefs.lang)),
        }
    }
}

/// A restore waiting for the user's yes: which backup would replace which database.
pub(super) struct RestoreAsked {
    file: PathBuf,
    info: crate::store::backup::BackupInfo,
    db: PathBuf,
    /// "code name" of the open database's villages.
    current: Vec<String>,
}

impl RestoreAsked {
    /// The question, in a window of its own: 确认恢复 or 取消.
    pub(super) fn ui(&self, ui: &mut eframe::egui::Ui, lang: Lang, actions: &mut Vec<Action>) {
        let made = self.info.made_at.map_or_else(
            || lang.pick("时间不明", "time unknown").to_string(),
            |at| {
                at.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            },
        );
        let villages = self.info.villages.join(lang.pick("、", ", "));
        let current = if self.current.is_empty() {
            lang.pick("（还没有村）", "(no village yet)").to_string()
        } else {
            self.current.join(lang.pick("、", ", "))
        };
        let db = self.db.display();
        let (title, text) = match lang {
            Lang::Zh => (
                "确认恢复备份？",
                format!(
                    "备份文件：{}\n备份内容：{villages}，备份于 {made}\n\n将替换当前数据库 {db}（{current}）。备份之后的修改将不在恢复后的数据库里；当前数据库不会删除，会改名保留为 {db}.before-restore-<日期时间>。",
                    self.file.display()
                ),
            ),
            Lang::En => (
                "Restore this backup?",
                format!(
                    "Backup file: {}\nIt holds: {villages}, backed up {made}\n\nIt will replace the current database {db} ({current}). Changes made after the backup will not be in the restored database; the current database is not deleted but kept as {db}.before-restore-<date-time>.",
                    self.file.display()
                ),
            ),
        };
        eframe::egui::Window::new(title)
            .collapsible(false)
            .resizable(false)
            .anchor(eframe::egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ui.ctx(), |ui| {
                ui.label(text);
                ui.horizontal(|ui| {
                    if ui.button(lang.pick("确认恢复", "Restore")).clicked() {
                        actions.push(Action::ConfirmRestore);
                    }
                    if ui.button(lang.pick("取消", "Cancel")).clicked() {
                        actions.push(Action::CancelRestore);
                    }
                });
            });
    }
}
