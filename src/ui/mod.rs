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
mod notice;
mod passphrase;
mod photo;
mod precisions;
mod registers;
mod screens;
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
pub fn run(data_dir: PathBuf, db: Option<PathBuf>) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("Dripline 精准扶贫 · 村级工作台")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([800.0, 500.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Dripline",
        options,
        Box::new(move |cc| Ok(Box::new(App::new(cc, data_dir, db)))),
    )
}
