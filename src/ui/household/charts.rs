//! A household's charts (本户图表): its per-capita net income by year against the line and the
//! warning band, its income by item, and its visits on a time axis, one under the other.

use eframe::egui;
use uuid::Uuid;

use crate::i18n::Lang;
use crate::io::charts::data::{self, HouseholdChartData};
use crate::io::charts::render::{Chart, HouseholdChart};
use crate::model::HouseholdRecord;
use crate::ui::action::Action;
use crate::ui::charts::ChartId;
use crate::ui::widgets::chart::{ChartCache, chart_ui, chart_width};
use crate::workspace::VillageView;

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
        record: &HouseholdRecord,
        view: &VillageView,
        generation: u64,
        actions: &mut Vec<Action>,
    ) {
        let id = record.household.id;
        let stale = !matches!(&self.figures, Some((i, g, _)) if *i == id && *g == generation);
        if stale {
            self.figures = Some((
                id,
                generation,
                data::household_chart_data(record, &view.workflow, &view.lines, &view.thresholds),
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
