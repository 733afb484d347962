//! Registering a village (新建村): name, township, county and the 12-digit division code.

use eframe::egui::{self, RichText};
use uuid::Uuid;

use super::action::Action;
use super::widgets::record_editor::FormErrors;
use super::widgets::{ERROR_RED, text_row};
use crate::i18n::Lang;
use crate::model::{Village, VillageFacilities};
use crate::rules::registry::{self, Field, FieldError};
use crate::store::cipher;

#[derive(Default)]
pub struct VillageSetupScreen {
    name: String,
    township: String,
    county: String,
    code: String,
    population: String,
    errors: FormErrors<FieldError>,
    population_error: bool,
    passphrase: String,
    passphrase_again: String,
    /// Why the passphrase was refused (too short, the two differ).
    passphrase_error: Option<PassphraseProblem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PassphraseProblem {
    TooShort,
    Differ,
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
        // A new database (from the demo, or when none could be opened) is encrypted with the
        // team's passphrase; a village added to an open database shares its file.
        let new_database = current.is_none_or(|v| v.is_demo);
        if new_database {
            self.passphrase_ui(ui, lang);
        }
        submit |= ui.button(lang.pick("创建", "Create")).clicked();
        if submit {
            self.passphrase_error = if !new_database {
                None
            } else if self.passphrase.chars().count() < cipher::MIN_PASSPHRASE_CHARS {
                Some(PassphraseProblem::TooShort)
            } else if self.passphrase != self.passphrase_again {
                Some(PassphraseProblem::Differ)
            } else {
                None
            };
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
            if valid && !self.population_error && self.passphrase_error.is_none() {
                let passphrase = new_database.then(|| std::mem::take(&mut self.passphrase));
                self.passphrase_again.clear();
                actions.push(Action::CreateVillage(village, passphrase));
            }
        }
        for text in self.errors.unplaced(lang) {
            ui.label(RichText::new(text).color(ERROR_RED));
        }
        actions
    }

    fn passphrase_ui(&mut self, ui: &mut egui::Ui, lang: Lang) {
        ui.separator();
        ui.label(RichText::new(lang.pick("数据库口令", "Database passphrase")).strong());
        ui.label(lang.pick(
            "本村的数据库用这个口令加密：电脑或 U 盘丢了，别人也读不到身份证号、银行账号和密钥。\
             每次打开都要输入。口令无法找回：忘记了，这台电脑上的数据就读不出来，\
             只能请县里发回本村已同步的数据（最后一次同步后录入的会丢失）。请把口令告诉村里可信的第二个人。",
            "The village's database is encrypted with this passphrase: a lost laptop or USB stick gives away no ID \
             number, bank account or key. It is asked at every start. It cannot be recovered: if it is forgotten the \
             data on this laptop cannot be read, and only what was synced can come back from the county (what was \
             entered after the last sync is lost). Tell it to a second trusted member of the team.",
        ));
        egui::Grid::new("village_passphrase")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                super::passphrase::password_row(
                    ui,
                    lang.pick(
                        "口令（至少 8 个字符）",
                        "Passphrase (at least 8 characters)",
                    ),
                    &mut self.passphrase,
                );
                super::passphrase::password_row(
                    ui,
                    lang.pick("再输一遍口令", "Passphrase again"),
                    &mut self.passphrase_again,
                );
            });
        if !self.passphrase.is_empty() {
            use crate::i18n::Localize;
            ui.label(format!(
                "{}{}",
                lang.pick("强度：", "Strength: "),
                cipher::strength(&self.passphrase).localize(lang)
            ));
        }
        match self.passphrase_error {
            Some(PassphraseProblem::TooShort) => {
                ui.label(
                    RichText::new(lang.pick(
                        "口令太短：至少 8 个字符。",
                        "The passphrase is too short: at least 8 characters.",
                    ))
                    .color(ERROR_RED),
                );
            }
            Some(PassphraseProblem::Differ) => {
                ui.label(
                    RichText::new(lang.pick(
                        "两次输入的口令不一样，请重输。",
                        "The two passphrases differ; enter them again.",
                    ))
                    .color(ERROR_RED),
                );
            }
            None => {}
        }
    }
}
