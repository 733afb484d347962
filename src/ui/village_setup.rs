//! Registering a village (新建村): name, township, county and the 12-digit division code.

use eframe::egui::{self, RichText};
use uuid::Uuid;

use super::action::Action;
use super::widgets::record_editor::FormErrors;
use super::widgets::{ERROR_RED, text_row};
use crate::i18n::Lang;
use crate::model::{Village, VillageFacilities};
use crate::rules::registry::{self, Field, FieldError};

#[derive(Default)]
pub struct VillageSetupScreen {
    name: String,
    township: String,
    county: String,
    code: String,
    population: String,
    errors: FormErrors<FieldError>,
    population_error: bool,
}

impl VillageSetupScreen {
    fn error(&mut self, field: Field, lang: Lang) -> Option<String> {
        self.errors.beside(field, lang)
    }

    /// `current` is the village now open (to say that a demo village will be left behind).
    pub fn ui(&mut self, ui: &mut egui::Ui, lang: Lang, current: Option<&Village>) -> Vec<Action> {
        let mut actions = Vec::new();
        ui.heading(lang.pick("新建村", "Create a village"));
        if current.is_some_and(|v| v.is_demo) {
            ui.label(lang.pick(
                "新村的数据单独保存，演示村不会混入。",
                "The new village is kept in its own database; the demo data does not come along.",
            ));
        }
        let mut submit = false;
        egui::Grid::new("village_form")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                let e = self.error(Field::VillageName, lang);
                text_row(
                    ui,
                    lang.pick("村名", "Village name"),
                    &mut self.name,
                    e.as_deref(),
                );
                let e = self.error(Field::Township, lang);
                text_row(
                    ui,
                    lang.pick("乡镇", "Township"),
                    &mut self.township,
                    e.as_deref(),
                );
                let e = self.error(Field::County, lang);
                text_row(
                    ui,
                    lang.pick("县（区）", "County"),
                    &mut self.county,
                    e.as_deref(),
                );
                let e = self.error(Field::VillageCode, lang);
                text_row(
                    ui,
                    lang.pick(
                        "村代码（12位区划代码）",
                        "Village code (12-digit division code)",
                    ),
                    &mut self.code,
                    e.as_deref(),
                );
                let e = self.population_error.then(|| {
                    lang.pick(
                        "请输入整数人数，或留空",
                        "Enter a whole number of people, or leave empty",
                    )
                    .to_string()
                });
                let r = text_row(
                    ui,
                    lang.pick(
                        "农村户籍人口（可不填）",
                        "Registered rural population (optional)",
                    ),
                    &mut self.population,
                    e.as_deref(),
                );
                submit |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            });
        ui.label(RichText::new(lang.pick(
            "村代码可在国家统计局“统计用区划代码”中查到，例如苍溪县某村为 510824 开头。",
            "The code is in the national statistical division codes; villages of Cangxi County start with 510824.",
        )).weak());
        submit |= ui.button(lang.pick("创建", "Create")).clicked();
        if submit {
            let population = self.population.trim();
            let rural_population = if population.is_empty() {
                Ok(None)
            } else {
                population.parse::<u32>().map(Some)
            };
            self.population_error = rural_population.is_err();
            let village = Village {
                id: Uuid::new_v4(),
                code: self.code.trim().to_string(),
                name: self.name.trim().to_string(),
                township: self.township.trim().to_string(),
                county: self.county.trim().to_string(),
                rural_population: rural_population.clone().ok().flatten(),
                is_demo: false,
                facilities: VillageFacilities::default(),
            };
            self.errors.start();
            let valid = self.errors.finish(registry::validate_village(&village));
            if valid && !self.population_error {
                actions.push(Action::CreateVillage(village));
            }
        }
        for text in self.errors.unplaced(lang) {
            ui.label(RichText::new(text).color(ERROR_RED));
        }
        actions
    }
}
