//! The files the window writes from what it shows: printed documents, saved charts and backups;
//! the photo read from the store for its window; and putting a backup back (恢复), which
//! replaces the open database and reopens it.

use std::path::{Path, PathBuf};

use uuid::Uuid;

use super::App;
use crate::i18n::Localize;
use crate::io::print::{PaperKind, PrintOptions};
use crate::ui::charts::ChartId;
use crate::ui::notice::Notice;
use crate::ui::photo::OpenedPhoto;
use crate::workspace::print;

impl App {
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

    /// 备份: a verified copy of the open database into `dir`.
    pub(super) fn backup(&mut self, dir: &Path) {
        let Ok(session) = &self.session else {
            return;
        };
        let lang = self.prefs.lang;
        self.notice
            .set(match session.store.backup_to(dir, self.clock_today) {
                Ok(written) => Notice::Done(match lang {
                    crate::i18n::Lang::Zh => {
                        format!("已备份到 {}，已校验无误。", written.path.display())
                    }
                    crate::i18n::Lang::En => {
                        format!("Backed up to {}, verified.", written.path.display())
                    }
                }),
                Err(e) => Notice::failed(&e, lang),
            });
        self.load_sync_view();
    }

    /// 恢复: closes the open database, puts the backup in its place (the current one kept
    /// aside) and reopens it; on refusal the open database stays as it was.
    pub(super) fn restore(&mut self, file: &Path) {
        let lang = self.prefs.lang;
        let Ok(session) = &self.session else {
            return;
        };
        let db = session.store.path().to_path_buf();
        // Only the open database's own file is replaced; its connection is closed first.
        let old = std::mem::replace(
            &mut self.session,
            Err(crate::store::StoreError::Missing { path: db.clone() }),
        );
        if let Ok(old) = old {
            let _ = old.store.close();
        }
        let restored = crate::store::backup::restore(&db, file, chrono::Utc::now());
        self.clock_today = crate::workspace::clock_today();
        self.session = crate::store::Store::open(&db)
            .and_then(|store| crate::workspace::session::Session::new(store, self.clock_today));
        match restored {
            Ok(r) => {
                let aside = r
                    .kept_aside
                    .map(|a| a.display().to_string())
                    .unwrap_or_default();
                self.after_change(Notice::Done(match lang {
                    crate::i18n::Lang::Zh => {
                        format!("已从 {} 恢复；原数据库已保留为 {aside}。", file.display())
                    }
                    crate::i18n::Lang::En => format!(
                        "Restored from {}; the previous database is kept as {aside}.",
                        file.display()
                    ),
                }));
            }
            Err(e) => self.notice.set(Notice::failed(&e, lang)),
        }
        self.load_sync_view();
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
