//! The window (eframe/egui). Thin by design: each screen draws from the session's
//! [`crate::workspace::VillageView`] and returns [`Action`]s; [`app::App`] carries them out, data
//! actions through the workspace's session (and so the store's audit log).

pub mod action;
mod actor;
pub mod app;
pub mod charts;
mod checks;
mod county;
pub mod dialogs;
mod encrypt_banner;
pub mod fonts;
mod household;
mod households;
mod jobs;
mod monitoring;
mod notice;
mod passphrase;
mod photo;
mod precisions;
mod registers;
mod screens;
mod serve;
mod settings;
mod spreadsheets;
mod sync;
mod toolbar;
mod village;
mod village_setup;
pub mod widgets;

pub use action::{Action, DataAction, Screen};
pub use app::App;
/// Seconds between two draft saves of an open visit form.
pub use household::VISIT_AUTOSAVE_SECS as AUTOSAVE_SECS;

use std::path::PathBuf;

/// Opens the window and runs until it is closed.
/// `lang` is the language given on the command line (`--lang`), which wins over the saved one.
pub fn run(
    data_dir: PathBuf,
    db: Option<PathBuf>,
    lang: Option<crate::i18n::Lang>,
) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("Dripline 精准扶贫 · 村级工作台")
            // 1366×768 is the usual screen of a village office laptop: the window must fit it
            // with a title bar and a taskbar, so it opens maximized and at most 680 px tall.
            .with_inner_size([1280.0, 680.0])
            .with_maximized(true)
            .with_min_inner_size([800.0, 500.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Dripline",
        options,
        Box::new(move |cc| Ok(Box::new(App::new(cc, data_dir, db).with_lang(lang)))),
    )
}
