//! The charts screen (图表): the village's charts, or in county mode (a database holding several
//! villages) one chart for many villages side by side. Also the texture cache and the chart
//! widget the household screen's charts tab uses.
//!
//! Charts are drawn with plotters (`io::charts`) into a texture that is kept until the data, the
//! size or the language changes: a frame only paints textures. The cache key carries the
//! snapshot's `generation`, which `App::refresh` bumps on every data change. In county mode only
//! the villages on the visible page are loaded (one per frame, so the window keeps answering) and
//! drawn; their figures and textures are cached, so paging back is instant and 802 villages cost
//! nothing until looked at.
//! The charts of a page share one value scale (the page's largest value), so that villages
//! compare at a glance.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use eframe::egui::{self, RichText};
use uuid::Uuid;

use super::app::{Action, VillageSnapshot};
use super::widgets::ERROR_RED;
use crate::i18n::{Label, Lang, Localize};
use crate::io::charts::data::{self, HouseholdChartData, VillageChartData};
use crate::io::charts::render::{self, Chart, ChartError, HouseholdChart, VillageChart};
use crate::model::Village;
use crate::store::{Store, StoreError};

/// Which chart of which household or village: what a save action names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartId {
    Household(Uuid, HouseholdChart),
    Village(Uuid, VillageChart),
}

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

/// Villages shown per page in county mode (small multiples).
pub const PAGE_SIZE: usize = 6;
/// Villages of a page read per frame in county mode.
const VILLAGES_PER_FRAME: usize = 1;
/// Textures kept at most; the least recently shown go first.
const CACHE_CAPACITY: usize = 48;
/// Widths are rounded to this many pixels, so that a window being resized does not redraw a
/// chart for every pixel.
const WIDTH_STEP: f32 = 32.0;

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
fn chart_width(available: f32, columns: usize) -> f32 {
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
            if ui.small_button(label).clicked()
                && let Some(path) = rfd::FileDialog::new()
                    .set_file_name(format!("{stem}.{ext}"))
                    .add_filter(filter, &[ext])
                    .save_file()
            {
                actions.push(Action::SaveChart { chart, path });
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

/// A village in the county list.
#[derive(Debug, Clone)]
struct VillageEntry {
    id: Uuid,
    name: String,
    township: String,
}

/// What the charts screen holds between frames.
#[derive(Default)]
pub struct ChartsScreen {
    cache: ChartCache,
    /// The figures of the snapshot's village, for the generation they were computed at.
    village: Option<(u64, Arc<VillageChartData>)>,
    /// County mode: every village of the database, for `listed_at` generation.
    villages: Vec<VillageEntry>,
    listed_at: Option<u64>,
    /// County mode: figures of the villages loaded so far, for `loaded_at` generation.
    county: HashMap<Uuid, Arc<VillageChartData>>,
    loaded_at: u64,
    requested: HashSet<Uuid>,
    /// County mode: the chart shown for every village, the page and the name filter.
    chart: Option<VillageChart>,
    page: usize,
    filter: String,
}

impl ChartsScreen {
    /// Textures drawn so far (tests use it to show that frames do not redraw).
    pub fn renders(&self) -> u64 {
        self.cache.renders
    }

    fn village_data(&mut self, snapshot: &VillageSnapshot) -> Option<Arc<VillageChartData>> {
        let village = snapshot.village.as_ref()?;
        match &self.village {
            Some((generation, data))
                if *generation == snapshot.generation && data.village_id == village.id =>
            {
                Some(data.clone())
            }
            _ => {
                let data = Arc::new(data::village_chart_data(
                    village,
                    &snapshot.records,
                    &snapshot.workflow,
                    &snapshot.thresholds,
                    snapshot.today,
                ));
                self.village = Some((snapshot.generation, data.clone()));
                Some(data)
            }
        }
    }

    /// Applies `Action::LoadChartVillages`: (re)reads the village list when it is stale, then the
    /// figures of `ids` not yet loaded for this generation.
    pub(super) fn load_villages(
        &mut self,
        store: &Store,
        snapshot: &VillageSnapshot,
        ids: &[Uuid],
    ) -> Result<(), StoreError> {
        if self.listed_at != Some(snapshot.generation) {
            self.villages = store
                .villages()?
                .into_iter()
                .map(|v| VillageEntry {
                    id: v.id,
                    name: v.name,
                    township: v.township,
                })
                .collect();
            self.listed_at = Some(snapshot.generation);
        }
        if self.loaded_at != snapshot.generation {
            self.county.clear();
            self.requested.clear();
            self.loaded_at = snapshot.generation;
        }
        let villages: HashMap<Uuid, Village> = if ids.is_empty() {
            HashMap::new()
        } else {
            store.villages()?.into_iter().map(|v| (v.id, v)).collect()
        };
        for id in ids {
            self.requested.insert(*id);
            if self.county.contains_key(id) {
                continue;
            }
            let Some(village) = villages.get(id) else {
                continue;
            };
            let data = load_village(store, village, snapshot)?;
            self.county.insert(*id, Arc::new(data));
        }
        Ok(())
    }

    /// Applies `Action::SaveChart`: draws the chart at the save size and writes it.
    pub(super) fn save(
        &mut self,
        store: &Store,
        snapshot: &VillageSnapshot,
        chart: ChartId,
        path: &std::path::Path,
        lang: Lang,
    ) -> Result<(), SaveError> {
        match chart {
            ChartId::Household(id, kind) => {
                let record = snapshot.record(id).ok_or(ChartError::NoData)?;
                let figures = data::household_chart_data(
                    record,
                    &snapshot.workflow,
                    &snapshot.lines,
                    &snapshot.thresholds,
                );
                render::save(&Chart::Household(kind, &figures), lang, path)?;
            }
            ChartId::Village(id, kind) => {
                let figures = if snapshot.village.as_ref().is_some_and(|v| v.id == id) {
                    self.village_data(snapshot).ok_or(ChartError::NoData)?
                } else if let Some(d) = self.county.get(&id) {
                    d.clone()
                } else {
                    let village = store
                        .villages()?
                        .into_iter()
                        .find(|v| v.id == id)
                        .ok_or(ChartError::NoData)?;
                    Arc::new(load_village(store, &village, snapshot)?)
                };
                render::save(&Chart::Village(kind, &figures), lang, path)?;
            }
        }
        Ok(())
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, lang: Lang, snapshot: &VillageSnapshot) -> Vec<Action> {
        let mut actions = Vec::new();
        if self.listed_at != Some(snapshot.generation) {
            // The village list is read by the app (screens never touch the store).
            actions.push(Action::LoadChartVillages(Vec::new()));
            if self.listed_at.is_none() {
                // Until the list is read, whether this is one village or a county is unknown.
                ui.spinner();
                return actions;
            }
        }
        if self.villages.len() > 1 {
            self.county_ui(ui, lang, snapshot, &mut actions);
        } else {
            self.village_ui(ui, lang, snapshot, &mut actions);
        }
        actions
    }

    /// One village: all its charts, two per row.
    fn village_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        snapshot: &VillageSnapshot,
        actions: &mut Vec<Action>,
    ) {
        let Some(data) = self.village_data(snapshot) else {
            ui.label(lang.pick("还没有村。", "There is no village yet."));
            return;
        };
        ui.heading(format!("{} · {}", data.name, lang.pick("图表", "Charts")));
        ui.label(derivation_note(lang));
        ui.separator();
        let columns = if ui.available_width() > 1000.0 { 2 } else { 1 };
        let width = chart_width(ui.available_width() - 16.0, columns);
        let size = egui::vec2(width, (width * 0.6).min(420.0));
        let generation = snapshot.generation;
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("village_charts")
                .spacing([12.0, 12.0])
                .show(ui, |ui| {
                    for (k, kind) in VillageChart::ALL.iter().enumerate() {
                        chart_ui(
                            ui,
                            &mut self.cache,
                            ChartId::Village(data.village_id, *kind),
                            Chart::Village(*kind, &data),
                            generation,
                            lang,
                            size,
                            0.0,
                            actions,
                        );
                        if (k + 1) % columns == 0 {
                            ui.end_row();
                        }
                    }
                });
        });
    }

    /// County mode: one chart, one village per cell, a page at a time.
    fn county_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        snapshot: &VillageSnapshot,
        actions: &mut Vec<Action>,
    ) {
        let chart = *self.chart.get_or_insert(VillageChart::Incidence);
        ui.heading(match lang {
            Lang::Zh => format!("全县各村对比（{}个村）", self.villages.len()),
            Lang::En => format!("Villages side by side ({} villages)", self.villages.len()),
        });
        ui.horizontal_wrapped(|ui| {
            for kind in VillageChart::ALL {
                if ui
                    .selectable_label(chart == kind, kind.label(lang))
                    .clicked()
                {
                    self.chart = Some(kind);
                }
            }
        });
        let filter = self.filter.trim().to_string();
        let shown: Vec<&VillageEntry> = self
            .villages
            .iter()
            .filter(|v| {
                filter.is_empty() || v.name.contains(&filter) || v.township.contains(&filter)
            })
            .collect();
        let pages = shown.len().div_ceil(PAGE_SIZE).max(1);
        ui.horizontal(|ui| {
            let label = ui.label(lang.pick("查找村或乡镇：", "Find a village or township:"));
            if ui
                .add(egui::TextEdit::singleline(&mut self.filter).desired_width(160.0))
                .labelled_by(label.id)
                .changed()
            {
                self.page = 0;
            }
            ui.separator();
            if ui
                .add_enabled(
                    self.page > 0,
                    egui::Button::new(lang.pick("上一页", "Previous")),
                )
                .clicked()
            {
                self.page -= 1;
            }
            ui.label(match lang {
                Lang::Zh => format!("第 {} / {} 页", self.page.min(pages - 1) + 1, pages),
                Lang::En => format!("Page {} of {}", self.page.min(pages - 1) + 1, pages),
            });
            if ui
                .add_enabled(
                    self.page + 1 < pages,
                    egui::Button::new(lang.pick("下一页", "Next")),
                )
                .clicked()
            {
                self.page += 1;
            }
        });
        ui.label(derivation_note(lang));
        ui.separator();
        self.page = self.page.min(pages - 1);
        let visible: Vec<Uuid> = shown
            .iter()
            .skip(self.page * PAGE_SIZE)
            .take(PAGE_SIZE)
            .map(|v| v.id)
            .collect();
        if self.loaded_at != snapshot.generation {
            self.county.clear();
            self.requested.clear();
            self.loaded_at = snapshot.generation;
        }
        let mut missing: Vec<Uuid> = visible
            .iter()
            .filter(|id| !self.county.contains_key(id) && !self.requested.contains(id))
            .copied()
            .collect();
        if !missing.is_empty() {
            // A village of a county database takes tens of milliseconds to read: load a few per
            // frame so the window keeps answering while a page fills in.
            missing.truncate(VILLAGES_PER_FRAME);
            actions.push(Action::LoadChartVillages(missing));
            ui.ctx().request_repaint();
        }
        // The page's charts share one scale so that they compare; it is known once every
        // village of the page is read (a village that could not be read is left out).
        let page_read = visible
            .iter()
            .all(|id| self.county.contains_key(id) || self.requested.contains(id));
        let shared_max = visible
            .iter()
            .filter_map(|id| self.county.get(id))
            .map(|d| render::value_max(&Chart::Village(chart, d)))
            .fold(0.0, f64::max);
        let columns = if ui.available_width() > 1100.0 { 3 } else { 2 };
        let width = chart_width(ui.available_width() - 16.0, columns);
        let size = egui::vec2(width, (width * 0.62).min(360.0));
        let generation = snapshot.generation;
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("county_charts")
                .spacing([12.0, 12.0])
                .show(ui, |ui| {
                    for (k, id) in visible.iter().enumerate() {
                        match self.county.get(id).cloned().filter(|_| page_read) {
                            Some(data) => chart_ui(
                                ui,
                                &mut self.cache,
                                ChartId::Village(*id, chart),
                                Chart::Village(chart, &data),
                                generation,
                                lang,
                                size,
                                shared_max,
                                actions,
                            ),
                            None => {
                                ui.allocate_ui(size, |ui| {
                                    ui.spinner();
                                });
                            }
                        }
                        if (k + 1) % columns == 0 {
                            ui.end_row();
                        }
                    }
                });
        });
    }
}

/// Says what the status and incidence charts derive (the registry keeps no status history).
fn derivation_note(lang: Lang) -> &'static str {
    lang.pick(
        "说明：登记系统只保存农户当前状态，历年状态按首个收入年度或调查确认年份（纳入）、脱贫确认日期（脱贫）、风险走访（监测）推算；贫困发生率按当前家庭人口计算。",
        "Note: the registry keeps only each household's current status; past years are derived from the first income year or confirming survey (entry), the confirmed exit date (exit) and risk visits (monitoring); incidence uses today's household sizes.",
    )
}

/// Loads one village's records and computes its figures.
fn load_village(
    store: &Store,
    village: &Village,
    snapshot: &VillageSnapshot,
) -> Result<VillageChartData, StoreError> {
    let records = store.household_records(Some(village.id))?;
    let workflow = store.village_workflow(village.id)?;
    let today = crate::demo::evaluation_date(village, super::app::today());
    Ok(data::village_chart_data(
        village,
        &records,
        &workflow,
        &snapshot.thresholds,
        today,
    ))
}

/// Why a chart could not be saved: drawing or writing, or reading a village's data.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Localize for SaveError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            SaveError::Chart(e) => e.localize(lang),
            SaveError::Store(e) => e.localize(lang),
        }
    }
}

/// The charts tab of a household: its three charts, one under the other.
#[derive(Default)]
pub struct HouseholdChartsTab {
    cache: ChartCache,
    figures: Option<(Uuid, u64, HouseholdChartData)>,
}

impl HouseholdChartsTab {
    pub fn renders(&self) -> u64 {
        self.cache.renders
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        record: &crate::model::HouseholdRecord,
        snapshot: &VillageSnapshot,
        actions: &mut Vec<Action>,
    ) {
        let id = record.household.id;
        let stale =
            !matches!(&self.figures, Some((i, g, _)) if *i == id && *g == snapshot.generation);
        if stale {
            self.figures = Some((
                id,
                snapshot.generation,
                data::household_chart_data(
                    record,
                    &snapshot.workflow,
                    &snapshot.lines,
                    &snapshot.thresholds,
                ),
            ));
        }
        let Some((_, generation, figures)) = &self.figures else {
            return;
        };
        let width = chart_width(ui.available_width() - 16.0, 1).min(960.0);
        let size = egui::vec2(width, (width * 0.5).min(400.0));
        for kind in HouseholdChart::ALL {
            chart_ui(
                ui,
                &mut self.cache,
                ChartId::Household(id, kind),
                Chart::Household(kind, figures),
                *generation,
                lang,
                size,
                0.0,
                actions,
            );
            ui.add_space(8.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::charts::data::HouseholdChartData;

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
