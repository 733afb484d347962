//! The embedded CJK font. egui's default fonts have no Chinese glyphs, and a village laptop may
//! have no system CJK font either, so the app carries its own (a subset of Noto Sans CJK SC,
//! OFL-1.1; see `assets/fonts/README.md`).

use std::sync::Arc;

use eframe::egui;

pub use crate::assets::CJK_FONT;

/// Font definitions with the CJK font after egui's defaults in both families: Latin text keeps
/// egui's look, and every character the defaults lack falls back to the CJK font.
pub fn definitions() -> egui::FontDefinitions {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "dripline_cjk".to_owned(),
        Arc::new(egui::FontData::from_static(CJK_FONT)),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .push("dripline_cjk".to_owned());
    }
    fonts
}

/// Installs the fonts on a context (the app and the UI tests call this the same way).
pub fn install(ctx: &egui::Context) {
    ctx.set_fonts(definitions());
}
