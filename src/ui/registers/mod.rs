//! The village registers (村级台账): work team and helpers, projects, funds, products and sales,
//! trainings — one tab each, every tab a register of its own file.

pub mod funds;
mod helpers;
mod products;
mod projects;
mod team;
mod trainings;

use eframe::egui;

use crate::i18n::Lang;
use crate::ui::action::Action;
use crate::workspace::VillageView;
use funds::FundsTab;
use products::ProductsTab;
use projects::ProjectsTab;
use team::TeamTab;
use trainings::TrainingsTab;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegisterTab {
    #[default]
    Team,
    Projects,
    Funds,
    Products,
    Trainings,
}

impl RegisterTab {
    const ALL: [RegisterTab; 5] = [
        RegisterTab::Team,
        RegisterTab::Projects,
        RegisterTab::Funds,
        RegisterTab::Products,
        RegisterTab::Trainings,
    ];

    fn label(self, lang: Lang) -> &'static str {
        match self {
            RegisterTab::Team => lang.pick("工作队与帮扶人", "Team and helpers"),
            RegisterTab::Projects => lang.pick("项目", "Projects"),
            RegisterTab::Funds => lang.pick("资金", "Funds"),
            RegisterTab::Products => lang.pick("产业与电商", "Products and sales"),
            RegisterTab::Trainings => lang.pick("培训", "Trainings"),
        }
    }
}

#[derive(Default)]
pub struct RegistersScreen {
    tab: RegisterTab,
    team: TeamTab,
    projects: ProjectsTab,
    funds: FundsTab,
    products: ProductsTab,
    trainings: TrainingsTab,
}

impl RegistersScreen {
    /// After a change of the data: open forms close, so what is shown is what is stored.
    pub fn reset(&mut self) {
        self.team.close_forms();
        self.projects.close_forms();
        self.funds.close_forms();
        self.products.close_forms();
        self.trainings.close_forms();
    }

    /// Shows this register (a link from elsewhere: the first-run path, a fund on a list).
    pub fn show(&mut self, tab: RegisterTab) {
        self.tab = tab;
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, lang: Lang, view: &VillageView) -> Vec<Action> {
        let mut actions = Vec::new();
        ui.horizontal(|ui| {
            for tab in RegisterTab::ALL {
                ui.selectable_value(&mut self.tab, tab, tab.label(lang));
            }
        });
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt(("registers", self.tab as u8))
            .show(ui, |ui| match self.tab {
                RegisterTab::Team => self.team.ui(ui, lang, view, &mut actions),
                RegisterTab::Projects => self.projects.ui(ui, lang, view, &mut actions),
                RegisterTab::Funds => self.funds.ui(ui, lang, view, &mut actions),
                RegisterTab::Products => self.products.ui(ui, lang, view, &mut actions),
                RegisterTab::Trainings => self.trainings.ui(ui, lang, view, &mut actions),
            });
        actions
    }
}
