//! A chart shown as a texture, with its save buttons. Charts are drawn with plotters
//! (`io::charts`) into a texture kept until the data, the size or the language changes: a frame
//! only paints textures. The cache key carries the session's `generation`, bumped by every
//! refresh of the data.

use crate::ui::dialogs::{ChooserKind, FileName, FilePurpose, FileRequest};
use std::collections::HashMap;

use eframe::egui::{self, RichText};

use super::ERROR_RED;
use crate::i18n::{Lang, Localize};
use crate::io::charts::render::{self, Chart, ChartError};
use crate::ui::action::Action;
use crate::ui::charts::ChartId;

/// Textures kept at most; the least recently shown go first.
const CACHE_CAPACITY: usize = 48;
/// Widths are rounded to this many pixels, so that a window being resized does not redraw a
/// chart for every pixel.
const WIDTH_STEP: f32 = 32.0;

/// A file name to propose in the save dialog: the chart's title without characters file
/// systems refuse.
fn file_stem(figures: &Chart, lang: Lang) -> String {
    figures
        .title(lang)
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_whitespace() => '_',
            c => c,
        })
        .collect::<String>()
        .replace("_—_", "-")
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    chart: ChartId,
    generation: u64,
    size: [usize; 2],
    zh: bool,
    /// The shared top of the value scale (`f64::to_bits`; 0 when the chart keeps its own).
    scale: u64,
}

/// Chart textures keyed by chart, data generation, size, language and shared scale.
#[derive(Default)]
pub struct ChartCache {
    entries: HashMap<CacheKey, (egui::TextureHandle, u64)>,
    clock: u64,
    /// Charts drawn since the cache was created (for tests: proves a frame does not redraw).
    pub renders: u64,
}

impl ChartCache {
    /// Shows a chart of `size` points, drawing it only when no texture for this key exists.
    /// `draw` returns the RGB pixels for the given pixel size.
    #[allow(clippy::too_many_arguments)] // each is a part of the cache key or the drawing
    fn show(
        &mut self,
        ui: &mut egui::Ui,
        chart: ChartId,
        generation: u64,
        lang: Lang,
        size: egui::Vec2,
        shared_max: f64,
        draw: impl FnOnce(u32, u32) -> Result<Vec<u8>, ChartError>,
    ) {
        self.clock += 1;
        let ppp = ui.pixels_per_point();
        let pixels = [
            (size.x * ppp).round().max(64.0) as usize,
            (size.y * ppp).round().max(48.0) as usize,
        ];
        let key = CacheKey {
            chart,
            generation,
            size: pixels,
            zh: lang == Lang::Zh,
            scale: shared_max.to_bits(),
        };
        if !self.entries.contains_key(&key) {
            match draw(pixels[0] as u32, pixels[1] as u32) {
                Ok(rgb) => {
                    self.renders += 1;
                    let image = egui::ColorImage::from_rgb(pixels, &rgb);
                    let texture = ui.ctx().load_texture(
                        format!("{chart:?}"),
                        image,
                        egui::TextureOptions::LINEAR,
                    );
                    // Older generations and sizes of the same chart will not be shown again.
                    self.entries.retain(|k, _| k.chart != chart);
                    self.evict();
                    self.entries.insert(key.clone(), (texture, self.clock));
                }
                Err(e) => {
                    ui.label(RichText::new(e.localize(lang)).color(ERROR_RED));
                    return;
                }
            }
        }
        if let Some((texture, used)) = self.entries.get_mut(&key) {
            *used = self.clock;
            ui.add(egui::Image::new(&*texture).fit_to_exact_size(size));
        }
    }

    fn evict(&mut self) {
        while self.entries.len() >= CACHE_CAPACITY {
            let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            self.entries.remove(&oldest);
        }
    }

    /// Number of textures held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The width available for a chart, rounded down to [`WIDTH_STEP`].
pub fn chart_width(available: f32, columns: usize) -> f32 {
    let spacing = 12.0 * (columns.saturating_sub(1)) as f32;
    let w = ((available - spacing) / columns as f32).max(200.0);
    (w / WIDTH_STEP).floor().max(1.0) * WIDTH_STEP
}

/// The two save buttons under a chart. The dialog runs here (the user's click); the save itself
/// is an action, so that a test can drive it with a path.
fn save_buttons_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    chart: ChartId,
    stem: &str,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        for (label, ext, filter) in [
            (lang.pick("保存为PNG", "Save as PNG"), "png", "PNG"),
            (lang.pick("保存为SVG", "Save as SVG"), "svg", "SVG"),
        ] {
            if ui.small_button(label).clicked() {
                let request =
                    FileRequest::new(ChooserKind::Save, label, FilePurpose::SaveChart(chart))
                        .name(FileName::Exact(format!("{stem}.{ext}")))
                        .filter(filter, &[ext]);
                actions.push(Action::ChooseFile(request));
            }
        }
    });
}

/// One chart with its save buttons. `shared_max` is the least top of its value scale, shared
/// by charts shown side by side (0: its own scale).
#[allow(clippy::too_many_arguments)]
pub fn chart_ui(
    ui: &mut egui::Ui,
    cache: &mut ChartCache,
    chart: ChartId,
    figures: Chart,
    generation: u64,
    lang: Lang,
    size: egui::Vec2,
    shared_max: f64,
    actions: &mut Vec<Action>,
) {
    ui.vertical(|ui| {
        cache.show(ui, chart, generation, lang, size, shared_max, |w, h| {
            render::render_rgb_shared(&figures, lang, w, h, shared_max)
        });
        save_buttons_ui(ui, lang, chart, &file_stem(&figures, lang), actions);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::charts::data::HouseholdChartData;
    use crate::io::charts::render::HouseholdChart;
    #[test]
    fn file_names_come_from_the_title() {
        let data = HouseholdChartData {
            number: "023".into(),
            head: "王小伟".into(),
            incomes: vec![],
            visits: vec![],
        };
        let chart = Chart::Household(HouseholdChart::Income, &data);
        assert_eq!(
            file_stem(&chart, Lang::Zh),
            "023_王小伟-人均纯收入与扶贫标准"
        );
        assert_eq!(
            file_stem(&chart, Lang::En),
            "023_王小伟-Per-capita_net_income_against_the_poverty_line"
        );
    }
}
