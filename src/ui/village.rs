//! The village (村情): registered population and the facilities of the village exit standard
//! 一低五有, with the checklist evaluated from the registry.

use eframe::egui::{self, RichText};

use super::action::Action;
use super::action::DataAction;
use super::widgets::{self, ERROR_RED, OK_GREEN, WARN_AMBER, text_row};
use crate::i18n::{Label, Lang, Localize};
use crate::model::Village;
use crate::workspace::VillageView;

/// The facilities form: the village being edited plus the texts of its number fields.
#[derive(Default)]
pub struct VillageScreen {
    form: Option<Form>,
}

struct Form {
    village: Village,
    population: String,
    collective_income: String,
    population_error: bool,
    income_error: bool,
}

impl VillageScreen {
    /// Reloads the form from the stored village (after a change of the data or a village switch).
    pub fn reset(&mut self) {
        self.form = None;
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, lang: Lang, view: &VillageView) -> Vec<Action> {
        let mut actions = Vec::new();
        let village = &view.village;
        let form = self.form.get_or_insert_with(|| Form {
            village: village.clone(),
            population: village
                .rural_population
                .map(|p| p.to_string())
                .unwrap_or_default(),
            collective_income: if village.facilities.collective_income_yuan == 0.0 {
                String::new()
            } else {
                village.facilities.collective_income_yuan.to_string()
            },
            population_error: false,
            income_error: false,
        });

        ui.heading(format!(
            "{} · {}",
            village.name,
            lang.pick("村情与退出标准（一低五有）", "Village and exit standard")
        ));
        ui.label(format!(
            "{} {} · {} {}",
            lang.pick("村代码", "Code"),
            village.code,
            village.county,
            village.township
        ));
        ui.add_space(6.0);

        {
            let a = &view.assessment;
            let (verdict, color) = if a.passed {
                (
                    lang.pick("达到贫困村退出标准", "Meets the village exit standard"),
                    OK_GREEN,
                )
            } else {
                (
                    lang.pick(
                        "未达到贫困村退出标准",
                        "Does not meet the village exit standard",
                    ),
                    ERROR_RED,
                )
            };
            ui.label(RichText::new(verdict).strong().color(color));
            ui.label(match lang {
                Lang::Zh => format!(
                    "未脱贫人口 {} 人 ÷ 农村户籍人口 {} 人 = 贫困发生率 {}",
                    a.poor_people,
                    a.population,
                    a.incidence
                        .map(|i| format!("{:.2}%", i * 100.0))
                        .unwrap_or_else(|| "—".into())
                ),
                Lang::En => format!(
                    "{} poor people not yet exited ÷ {} rural registered population = incidence {}",
                    a.poor_people,
                    a.population,
                    a.incidence
                        .map(|i| format!("{:.2}%", i * 100.0))
                        .unwrap_or_else(|| "—".into())
                ),
            });
            if let Some(note) = a.unassessed_note(lang) {
                ui.label(RichText::new(note).color(WARN_AMBER));
            }
            for item in &a.items {
                ui.horizontal_wrapped(|ui| {
                    let (mark, color) = if item.passed {
                        ("✓", OK_GREEN)
                    } else {
                        ("×", ERROR_RED)
                    };
                    ui.label(RichText::new(mark).strong().color(color));
                    ui.label(item.criterion.label(lang));
                    if let Some(reason) = &item.reason {
                        ui.label(RichText::new(reason.localize(lang)).color(ERROR_RED));
                    }
                });
            }
        }
        ui.separator();

        let mut submit = false;
        egui::Grid::new("village_facilities")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                let e = form.population_error.then(|| {
                    lang.pick(
                        "请输入整数人数，或留空（按登记成员计算）",
                        "Enter a whole number, or leave empty (count registered members)",
                    )
                    .to_string()
                });
                text_row(
                    ui,
                    lang.pick("农村户籍人口", "Registered rural population"),
                    &mut form.population,
                    e.as_deref(),
                );
                let e = form
                    .income_error
                    .then(|| widgets::not_a_number(lang).to_string());
                text_row(
                    ui,
                    lang.pick(
                        "村集体经济收入（元/年）",
                        "Collective economic income (yuan/year)",
                    ),
                    &mut form.collective_income,
                    e.as_deref(),
                );
                ui.label(lang.pick("基础设施", "Facilities"));
                ui.horizontal_wrapped(|ui| {
                    let f = &mut form.village.facilities;
                    ui.checkbox(&mut f.hardened_road, lang.pick("通硬化路", "Hardened road"));
                    ui.checkbox(&mut f.clinic, lang.pick("有卫生室", "Clinic"));
                    ui.checkbox(&mut f.cultural_room, lang.pick("有文化室", "Cultural room"));
                    ui.checkbox(&mut f.network, lang.pick("通信网络", "Network"));
                });
                ui.end_row();
            });
        submit |= ui.button(lang.pick("保存村情", "Save village")).clicked();
        if submit {
            let population = form.population.trim();
            let rural_population = if population.is_empty() {
                Ok(None)
            } else {
                population.parse::<u32>().map(Some)
            };
            let income = widgets::parse_amount(&form.collective_income);
            form.population_error = rural_population.is_err();
            form.income_error = income.is_none();
            if let (Ok(rural_population), Some(income)) = (rural_population, income) {
                let mut village = form.village.clone();
                village.rural_population = rural_population;
                village.facilities.collective_income_yuan = income;
                actions.push(Action::Data(DataAction::SaveVillage(village)));
            }
        }
        actions
    }
}
