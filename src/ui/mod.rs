//! The window (eframe/egui). Thin by design: each screen draws from a snapshot of the village and
//! returns actions; [`app::App`] applies them through the store.

pub mod app;
pub mod charts;
mod checks;
mod county;
pub mod fonts;
mod household;
mod household_plan;
mod household_survey;
mod household_visits;
mod households;
mod jobs;
mod precisions;
pub mod prefs;
mod registers;
mod settings;
mod spreadsheets;
mod sync;
mod village;
mod village_funds;
mod village_products;
mod village_projects;
mod village_setup;
mod village_team;
mod village_trainings;
pub mod widgets;

pub use app::{Action, App, Screen};

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
