//! The charts screen (图表): the village's charts, or in county mode (a database holding several
//! villages) one chart for many villages side by side (each chart a texture cached by
//! `widgets::chart`, keyed by the session's data generation). In county mode only
//! the villages on the visible page are loaded (one per frame, so the window keeps answering) and
//! drawn; their figures and textures are cached, so paging back is instant and 802 villages cost
//! nothing until looked at.
//! The charts of a page share one value scale (the page's largest value), so that villages
//! compare at a glance.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use eframe::egui;
use uuid::Uuid;

use super::action::Action;
use super::widgets::chart::{ChartCache, chart_ui, chart_width};
use crate::i18n::{Label, Lang, Localize};
use crate::io::charts::data::{self, VillageChartData};
use crate::io::charts::render::{self, Chart, ChartError, HouseholdChart, VillageChart};
use crate::store::{Store, StoreError};
use crate::workspace::VillageView;
use chrono::NaiveDate;

/// Which chart of which household or village: what a save action names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartId {
    Household(Uuid, HouseholdChart),
    Village(Uuid, VillageChart),
}

/// Villages shown per page in county mode (small multiples).
pub const PAGE_SIZE: usize = 6;
/// Villages of a page read per frame in county mode.
const VILLAGES_PER_FRAME: usize = 1;

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
    /// The figures of the view's village, for the generation they were computed at.
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

    fn village_data(&mut self, view: &VillageView, generation: u64) -> Arc<VillageChartData> {
        match &self.village {
            Some((at, data)) if *at == generation && data.village_id == view.village.id => {
                data.clone()
            }
            _ => {
                let data = Arc::new(village_chart_data(view));
                self.village = Some((generation, data.clone()));
                data
            }
        }
    }

    /// Applies `Action::LoadChartVillages`: (re)reads the village list when it is stale, then the
    /// figures of `ids` not yet loaded for this generation.
    pub(super) fn load_villages(
        &mut self,
        store: &Store,
        generation: u64,
        ids: &[Uuid],
        clock_today: NaiveDate,
    ) -> Result<(), StoreError> {
        if self.listed_at != Some(generation) {
            self.villages = store
                .villages()?
                .into_iter()
                .map(|v| VillageEntry {
                    id: v.id,
                    name: v.name,
                    township: v.township,
                })
                .collect();
            self.listed_at = Some(generation);
        }
        if self.loaded_at != generation {
            self.county.clear();
            self.requested.clear();
            self.loaded_at = generation;
        }
        for id in ids {
            self.requested.insert(*id);
            if self.county.contains_key(id) || !self.villages.iter().any(|v| v.id == *id) {
                continue;
            }
            let view = VillageView::load(store, *id, clock_today)?;
            self.county.insert(*id, Arc::new(village_chart_data(&view)));
        }
        Ok(())
    }

    /// Applies `Action::SaveChart`: draws the chart at the save size and writes it.
    #[allow(clippy::too_many_arguments)] // what to draw, from what, where to, in which words
    pub(super) fn save(
        &mut self,
        store: &Store,
        view: Option<&VillageView>,
        generation: u64,
        chart: ChartId,
        path: &std::path::Path,
        lang: Lang,
        clock_today: NaiveDate,
    ) -> Result<(), SaveError> {
        match chart {
            ChartId::Household(id, kind) => {
                let view = view.ok_or(ChartError::NoData)?;
                let record = view.record(id).ok_or(ChartError::NoData)?;
                let figures = data::household_chart_data(
                    record,
                    &view.workflow,
                    &view.lines,
                    &view.thresholds,
                );
                render::save(&Chart::Household(kind, &figures), lang, path)?;
            }
            ChartId::Village(id, kind) => {
                let figures = match view {
                    Some(view) if view.village.id == id => self.village_data(view, generation),
                    _ => match self.county.get(&id) {
                        Some(d) => d.clone(),
                        None => Arc::new(village_chart_data(&VillageView::load(
                            store,
                            id,
                            clock_today,
                        )?)),
                    },
                };
                render::save(&Chart::Village(kind, &figures), lang, path)?;
            }
        }
        Ok(())
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        view: &VillageView,
        generation: u64,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        if self.listed_at != Some(generation) {
            // The village list is read by the app (screens never touch the store).
            actions.push(Action::LoadChartVillages(Vec::new()));
            if self.listed_at.is_none() {
                // Until the list is read, whether this is one village or a county is unknown.
                ui.spinner();
                return actions;
            }
        }
        if self.villages.len() > 1 {
            self.county_ui(ui, lang, generation, &mut actions);
        } else {
            self.village_ui(ui, lang, view, generation, &mut actions);
        }
        actions
    }

    /// One village: all its charts, two per row.
    fn village_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        view: &VillageView,
        generation: u64,
        actions: &mut Vec<Action>,
    ) {
        let data = self.village_data(view, generation);
        ui.heading(format!("{} · {}", data.name, lang.pick("图表", "Charts")));
        ui.label(derivation_note(lang));
        ui.separator();
        let columns = if ui.available_width() > 1000.0 { 2 } else { 1 };
        let width = chart_width(ui.available_width() - 16.0, columns);
        let size = egui::vec2(width, (width * 0.6).min(420.0));
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
        generation: u64,
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
        if self.loaded_at != generation {
            self.county.clear();
            self.requested.clear();
            self.loaded_at = generation;
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

/// The figures of a village's charts.
fn village_chart_data(view: &VillageView) -> VillageChartData {
    data::village_chart_data(
        &view.village,
        &view.records,
        &view.workflow,
        &view.thresholds,
        view.today,
    )
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
