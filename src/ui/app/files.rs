//! The files the window writes from what it shows: printed documents and saved charts; and the
//! photo read from the store for its window. None of them changes the data.

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
        self.notice = Some(match print::print(view, household, kind, path, &options) {
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
        self.notice = Some(match saved {
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
            Err(e) => self.notice = Some(Notice::failed(&e, self.prefs.lang)),
        }
    }
}
