//! One household (or a new one), a tab each: basic facts and living conditions, members, yearly
//! incomes, the baseline survey, the assistance plan, visits, the exit check 一超六有 and the
//! household's charts. Forms validate with the registry rules and show each error next to its
//! field; saving emits an action, so nothing here touches the store.

mod basics;
mod charts;
mod exit;
mod incomes;
mod members;
mod plan;
mod survey;
mod visits;

use crate::ui::dialogs::{ChooserKind, FileName, FilePurpose, FileRequest};
use eframe::egui;
use uuid::Uuid;

use crate::i18n::Lang;
use crate::model::{
    Household, HouseholdRecord, HouseholdStatus, LivingConditions, PovertyAttribute,
};
use crate::ui::action::{Action, Screen};
use crate::ui::households::status_text;
use crate::workspace::VillageView;
use basics::BasicsTab;
use charts::HouseholdChartsTab;
use exit::ExitTab;
use incomes::IncomesTab;
use members::MembersTab;
use plan::PlanTab;
use survey::SurveyTab;
pub use visits::AUTOSAVE_SECS as VISIT_AUTOSAVE_SECS;
use visits::VisitsTab;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Basics,
    Members,
    Incomes,
    Survey,
    Plan,
    Visits,
    Exit,
    Charts,
}

#[derive(Default)]
pub struct HouseholdScreen {
    /// The household shown; `None` while a new household is being entered.
    household_id: Option<Uuid>,
    tab: Tab,
    basics: BasicsTab,
    members: MembersTab,
    incomes: IncomesTab,
    survey: SurveyTab,
    plan: PlanTab,
    visits: VisitsTab,
    exit: ExitTab,
    charts: HouseholdChartsTab,
}

impl HouseholdScreen {
    /// Shows an existing household.
    pub fn open(&mut self, record: &HouseholdRecord) {
        *self = HouseholdScreen {
            household_id: Some(record.household.id),
            basics: BasicsTab::of(&record.household),
            ..Default::default()
        };
    }

    /// Starts a new household with the next free household number.
    pub fn start_new(&mut self, village_id: Uuid, records: &[HouseholdRecord]) {
        let next = records
            .iter()
            .filter_map(|r| r.household.number.trim().parse::<u32>().ok())
            .max()
            .map_or(1, |n| n + 1);
        let width = records
            .iter()
            .map(|r| r.household.number.len())
            .max()
            .unwrap_or(3)
            .max(3);
        let household = Household {
            id: Uuid::new_v4(),
            village_id,
            number: format!("{next:0width$}"),
            address: String::new(),
            phone: String::new(),
            bank_account: String::new(),
            attribute: PovertyAttribute::Unrecorded,
            // Nothing is implied before the survey identifies it (issue #13, item 8).
            status: HouseholdStatus::Unassessed,
            main_cause: None,
            other_causes: Vec::new(),
            living: LivingConditions::default(),
            unmatched_helper_name: String::new(),
        };
        *self = HouseholdScreen {
            basics: BasicsTab::of(&household),
            ..Default::default()
        };
    }

    /// After the data changed: the open forms close, and the basics reload from `record` (the
    /// household shown, as now stored).
    pub fn reset(&mut self, record: Option<&HouseholdRecord>) {
        if let Some(record) = record {
            self.household_id = Some(record.household.id);
        }
        self.basics.reset(record.map(|r| &r.household));
        self.members.close_forms();
        self.incomes.close_forms();
        self.plan.saved();
        self.visits.saved();
        self.survey.saved();
    }

    /// Charts drawn by the charts tab so far.
    pub fn chart_renders(&self) -> u64 {
        self.charts.renders()
    }

    pub fn show_members_tab(&mut self) {
        self.tab = Tab::Members;
    }

    pub fn show_survey_tab(&mut self) {
        self.tab = Tab::Survey;
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        view: &VillageView,
        generation: u64,
        show_sensitive: bool,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        let record = self.household_id.and_then(|id| view.record(id));

        ui.horizontal(|ui| {
            if ui
                .button(lang.pick("← 返回名册", "← Back to list"))
                .clicked()
            {
                actions.push(Action::Navigate(Screen::Households));
            }
            match record {
                Some(r) => {
                    let head = r.head().map(|m| m.name.as_str()).unwrap_or("—");
                    ui.heading(match lang {
                        Lang::Zh => format!("{}号户 · 户主 {head}", r.household.number),
                        Lang::En => format!("Household {} · head {head}", r.household.number),
                    });
                    ui.label(status_text(r.household.status, lang));
                    print_buttons_ui(ui, lang, r, &mut actions);
                }
                None => {
                    ui.heading(lang.pick("新增农户", "New household"));
                }
            }
        });

        let Some(record) = record else {
            // A new household: only the basic form until it has been saved once.
            egui::ScrollArea::vertical().show(ui, |ui| {
                self.basics
                    .ui(ui, lang, &view.workflow.helpers, true, &mut actions)
            });
            return actions;
        };

        ui.horizontal(|ui| {
            let tabs = [
                (Tab::Basics, lang.pick("基本情况", "Basics").to_string()),
                (
                    Tab::Members,
                    match lang {
                        Lang::Zh => format!("家庭成员（{}）", record.members.len()),
                        Lang::En => format!("Members ({})", record.members.len()),
                    },
                ),
                (Tab::Incomes, lang.pick("收入", "Income").to_string()),
                (Tab::Survey, lang.pick("入户调查", "Survey").to_string()),
                (Tab::Plan, lang.pick("帮扶计划", "Plan").to_string()),
                (Tab::Visits, lang.pick("走访记录", "Visits").to_string()),
                (
                    Tab::Exit,
                    lang.pick("脱贫检查（一超六有）", "Exit check").to_string(),
                ),
                (
                    Tab::Charts,
                    lang.pick("本户图表", "Household charts").to_string(),
                ),
            ];
            for (tab, text) in tabs {
                if ui.selectable_label(self.tab == tab, text).clicked() {
                    self.tab = tab;
                }
            }
            ui.separator();
            let mut show = show_sensitive;
            let label = lang.pick("显示完整证件号和账号", "Show full ID and account numbers");
            if ui.checkbox(&mut show, label).changed() {
                actions.push(Action::SetShowSensitive(show));
            }
        });
        ui.separator();

        egui::ScrollArea::vertical().show(ui, |ui| match self.tab {
            Tab::Basics => {
                self.basics.ui(
                    ui,
                    lang,
                    &view.workflow.helpers,
                    show_sensitive,
                    &mut actions,
                );
                ui.add_space(12.0);
                self.basics.delete_ui(ui, lang, record, &mut actions);
            }
            Tab::Members => self
                .members
                .ui(ui, lang, record, view, show_sensitive, &mut actions),
            Tab::Incomes => self.incomes.ui(ui, lang, record, view, &mut actions),
            Tab::Survey => self.survey.ui(ui, lang, record, view, &mut actions),
            Tab::Plan => self.plan.ui(ui, lang, record, view, &mut actions),
            Tab::Visits => self.visits.ui(ui, lang, record, view, &mut actions),
            Tab::Exit => self.exit.ui(ui, lang, record, view, &mut actions),
            Tab::Charts => self
                .charts
                .ui(ui, lang, record, view, generation, &mut actions),
        });
        actions
    }
}

/// 打印明白卡 / 打印走访单: ask where to save the PDF, then leave the printing to the app.
fn print_buttons_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    record: &HouseholdRecord,
    actions: &mut Vec<Action>,
) {
    use crate::io::print::PaperKind;
    for (kind, label, stem) in [
        (
            PaperKind::Card,
            lang.pick("打印明白卡", "Print card"),
            "明白卡",
        ),
        (
            PaperKind::VisitSheet,
            lang.pick("打印走访单", "Print visit sheet"),
            "走访单",
        ),
    ] {
        if ui.button(label).clicked() {
            let head = record.head().map_or("", |m| m.name.as_str());
            let file_name = format!("{stem}-{}-{head}.pdf", record.household.number);
            let purpose = FilePurpose::PrintHousehold {
                household: record.household.id,
                kind,
            };
            let request = FileRequest::new(ChooserKind::Save, label, purpose)
                .name(FileName::Exact(file_name))
                .filter("PDF", &["pdf"]);
            actions.push(Action::ChooseFile(request));
        }
    }
}
