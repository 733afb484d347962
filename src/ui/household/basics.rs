//! A household's basic facts and living conditions (基本情况): the form, always open, with its
//! errors beside the fields and a note while it has unsaved edits; and removing the household.

use eframe::egui::{self, RichText, Ui};
use uuid::Uuid;

use crate::i18n::{Label, Lang};
use crate::model::{
    Cause, Helper, Household, HouseholdRecord, HouseholdStatus, MonitoredKind, PovertyAttribute,
};
use crate::rules::id_number;
use crate::rules::registry::{self, Field, FieldError};
use crate::ui::action::{Action, DataAction};
use crate::ui::widgets::pickers;
use crate::ui::widgets::record_editor::{FormErrors, plain_number};
use crate::ui::widgets::{self, ERROR_RED, WARN_AMBER, entered, text_row};

/// Which registration status the status combo shows (the year/kind are edited beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusKind {
    Unassessed,
    NotRegistered,
    Registered,
    Exited,
    Monitored,
}

impl StatusKind {
    const ALL: [StatusKind; 5] = [
        StatusKind::Unassessed,
        StatusKind::NotRegistered,
        StatusKind::Registered,
        StatusKind::Exited,
        StatusKind::Monitored,
    ];

    fn of(status: HouseholdStatus) -> StatusKind {
        match status {
            HouseholdStatus::Unassessed => StatusKind::Unassessed,
            HouseholdStatus::NotRegistered => StatusKind::NotRegistered,
            HouseholdStatus::Registered => StatusKind::Registered,
            HouseholdStatus::Exited { .. } => StatusKind::Exited,
            HouseholdStatus::Monitored { .. } => StatusKind::Monitored,
        }
    }
}

impl Label for StatusKind {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            StatusKind::Unassessed => HouseholdStatus::Unassessed.label(lang),
            StatusKind::NotRegistered => lang.pick("非贫困户", "Not registered"),
            StatusKind::Registered => lang.pick("建档立卡贫困户", "Registered poor"),
            StatusKind::Exited => lang.pick("已脱贫", "Exited"),
            StatusKind::Monitored => lang.pick("监测户", "Monitored"),
        }
    }
}

/// The household form: the record being edited plus the texts of its number fields.
struct HouseholdForm {
    household: Household,
    status_kind: StatusKind,
    exit_year: String,
    monitored_kind: MonitoredKind,
    arable: String,
    forest: String,
    /// The helpers the register assigns to the household, as chosen in the form; `None` until
    /// the form first reads them from the register.
    helper_ids: Option<Vec<Uuid>>,
    helper_search: String,
    errors: FormErrors<FieldError>,
}

impl HouseholdForm {
    fn of(h: &Household) -> HouseholdForm {
        let (exit_year, monitored_kind) = match h.status {
            HouseholdStatus::Exited { year } => (year.to_string(), MonitoredKind::UnstableExited),
            HouseholdStatus::Monitored { kind } => (String::new(), kind),
            _ => (String::new(), MonitoredKind::Marginal),
        };
        HouseholdForm {
            household: h.clone(),
            status_kind: StatusKind::of(h.status),
            exit_year,
            monitored_kind,
            arable: plain_number(h.living.arable_land_mu),
            forest: plain_number(h.living.forest_land_mu),
            helper_ids: None,
            helper_search: String::new(),
            errors: FormErrors::default(),
        }
    }

    /// The household the form describes, or the errors that stop it being saved.
    fn build(&mut self, lang: Lang) -> Option<Household> {
        self.errors.start();
        let mut h = self.household.clone();
        h.living.arable_land_mu = self.errors.amount(lang, &self.arable, Field::ArableLand);
        h.living.forest_land_mu = self.errors.amount(lang, &self.forest, Field::ForestLand);
        h.status = match self.status_kind {
            StatusKind::Unassessed => HouseholdStatus::Unassessed,
            StatusKind::NotRegistered => HouseholdStatus::NotRegistered,
            StatusKind::Registered => HouseholdStatus::Registered,
            StatusKind::Monitored => HouseholdStatus::Monitored {
                kind: self.monitored_kind,
            },
            StatusKind::Exited => match self.exit_year.trim().parse::<i32>() {
                Ok(year) if (2000..=2100).contains(&year) => HouseholdStatus::Exited { year },
                _ => {
                    self.errors.input_error(
                        Field::ExitYear,
                        lang.pick(
                            "请填写脱贫年份（如 2019）",
                            "Enter the exit year (e.g. 2019)",
                        ),
                    );
                    HouseholdStatus::Registered
                }
            },
        };
        self.errors
            .finish(registry::validate_household(&h))
            .then_some(h)
    }
}

/// The basics tab: the form (for a new household too) and the removal of the household.
#[derive(Default)]
pub struct BasicsTab {
    form: Option<HouseholdForm>,
    /// The form differs from what is stored.
    dirty: bool,
    /// "Delete this household" was pressed: ask for confirmation.
    confirm_delete: bool,
}

impl BasicsTab {
    /// The tab editing `household`.
    pub fn of(household: &Household) -> BasicsTab {
        BasicsTab {
            form: Some(HouseholdForm::of(household)),
            ..Default::default()
        }
    }

    /// After the data changed: the form shows `household` as stored.
    pub fn reset(&mut self, household: Option<&Household>) {
        self.dirty = false;
        self.confirm_delete = false;
        if let Some(household) = household {
            self.form = Some(HouseholdForm::of(household));
        }
    }

    /// `show_sensitive`: whether the bank account is shown (and editable) in full; `register`:
    /// the village's helpers, of which the household's are chosen.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        register: &[Helper],
        show_sensitive: bool,
        actions: &mut Vec<Action>,
    ) {
        let Some(form) = &mut self.form else { return };
        let household_id = form.household.id;
        let helper_ids = form.helper_ids.get_or_insert_with(|| {
            register
                .iter()
                .filter(|h| h.household_ids.contains(&household_id))
                .map(|h| h.id)
                .collect()
        });
        let before = form.household.clone();
        let mut submit = false;
        egui::Grid::new("household_form")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                let e = form.errors.beside(Field::HouseholdNumber, lang);
                let r = text_row(
                    ui,
                    lang.pick("户编号", "Household number"),
                    &mut form.household.number,
                    e.as_deref(),
                );
                submit |= entered(ui, &r);
                text_row(
                    ui,
                    lang.pick("住址", "Address"),
                    &mut form.household.address,
                    None,
                );
                let e = form.errors.beside(Field::Phone, lang);
                text_row(
                    ui,
                    lang.pick("联系电话", "Phone"),
                    &mut form.household.phone,
                    e.as_deref(),
                );
                let account_label = lang.pick("补贴银行账号", "Bank account for subsidies");
                if show_sensitive {
                    text_row(ui, account_label, &mut form.household.bank_account, None);
                } else {
                    // Sensitive: masked until the user asks to see it in full.
                    ui.label(account_label);
                    ui.horizontal(|ui| {
                        ui.monospace(id_number::mask(&form.household.bank_account));
                        ui.weak(lang.pick(
                            "（已隐藏：勾选上方“显示完整证件号和账号”后可查看和修改）",
                            "(hidden: tick “Show full ID and account numbers” above to see and edit it)",
                        ));
                    });
                    ui.end_row();
                }
                widgets::combo_row(
                    ui,
                    lang,
                    lang.pick("贫困户属性", "Poverty attribute"),
                    &mut form.household.attribute,
                    PovertyAttribute::ALL,
                );
                let status_label = ui.label(lang.pick("识别状态", "Status")).id;
                ui.horizontal(|ui| {
                    widgets::combo(
                        ui,
                        lang,
                        status_label,
                        &mut form.status_kind,
                        &StatusKind::ALL,
                    );
                    match form.status_kind {
                        StatusKind::Exited => {
                            let id = ui.label(lang.pick("脱贫年份", "Exit year")).id;
                            ui.add(
                                egui::TextEdit::singleline(&mut form.exit_year).desired_width(60.0),
                            )
                            .labelled_by(id);
                        }
                        StatusKind::Monitored => {
                            let kind_label = ui.label(lang.pick("监测类型", "Kind")).id;
                            widgets::combo(
                                ui,
                                lang,
                                kind_label,
                                &mut form.monitored_kind,
                                MonitoredKind::ALL,
                            );
                        }
                        _ => {}
                    }
                });
                ui.end_row();
                if let Some(e) = form.errors.beside(Field::ExitYear, lang) {
                    ui.label("");
                    ui.label(RichText::new(e).color(ERROR_RED));
                    ui.end_row();
                }
                let cause_label = ui.label(lang.pick("主要致贫原因", "Main cause")).id;
                widgets::optional_combo(
                    ui,
                    lang,
                    cause_label,
                    lang.pick("（未填）", "(none)"),
                    &mut form.household.main_cause,
                    Cause::ALL,
                );
                ui.end_row();
                ui.label(lang.pick("其他致贫原因", "Other causes"));
                ui.horizontal_wrapped(|ui| {
                    for cause in Cause::ALL {
                        if Some(*cause) == form.household.main_cause {
                            continue;
                        }
                        let mut on = form.household.other_causes.contains(cause);
                        if ui.checkbox(&mut on, cause.label(lang)).changed() {
                            if on {
                                form.household.other_causes.push(*cause);
                                form.household.other_causes.sort();
                            } else {
                                form.household.other_causes.retain(|c| c != cause);
                            }
                        }
                    }
                });
                ui.end_row();
                let l = &mut form.household.living;
                fact_row(ui, lang, lang.pick("住房安全", "Safe housing"), &mut l.housing_safe);
                fact_row(
                    ui,
                    lang,
                    lang.pick("饮水安全", "Safe drinking water"),
                    &mut l.water_safe,
                );
                fact_row(ui, lang, lang.pick("通生活用电", "Electricity"), &mut l.electricity);
                fact_row(ui, lang, lang.pick("通广播电视", "Radio and TV"), &mut l.radio_tv);
                ui.label(lang.pick("生活条件", "Living conditions"));
                ui.horizontal_wrapped(|ui| {
                    let l = &mut form.household.living;
                    ui.checkbox(
                        &mut l.road_hardened,
                        lang.pick("入户路硬化", "Hardened road to the house"),
                    );
                    ui.checkbox(
                        &mut l.in_cooperative,
                        lang.pick("加入合作社", "In a cooperative"),
                    );
                    ui.checkbox(
                        &mut l.ecommerce_sales,
                        lang.pick("有电商销售", "Sells online"),
                    );
                });
                ui.end_row();
                let e = form.errors.beside(Field::ArableLand, lang);
                text_row(
                    ui,
                    lang.pick("耕地面积（亩）", "Arable land (mu)"),
                    &mut form.arable,
                    e.as_deref(),
                );
                let e = form.errors.beside(Field::ForestLand, lang);
                text_row(
                    ui,
                    lang.pick("林地面积（亩）", "Forest land (mu)"),
                    &mut form.forest,
                    e.as_deref(),
                );
                self.dirty |= pickers::helpers_row(
                    ui,
                    lang,
                    lang.pick("帮扶责任人", "Assigned helper"),
                    register,
                    helper_ids,
                    &mut form.helper_search,
                );
                let note = form.household.unmatched_helper_name.trim().to_string();
                if !note.is_empty() {
                    ui.label("");
                    ui.horizontal_wrapped(|ui| {
                        ui.label(
                            RichText::new(match lang {
                                Lang::Zh => format!(
                                    "⚠ 原填写的帮扶责任人“{note}”不在名册中：请在上方选择，或先在名册中添加此人，然后清除此备注。"
                                ),
                                Lang::En => format!(
                                    "⚠ The helper written as “{note}” is not in the register: choose one above, or add them to the register first, then clear this note."
                                ),
                            })
                            .color(WARN_AMBER),
                        );
                        if ui.button(lang.pick("清除备注", "Clear the note")).clicked() {
                            form.household.unmatched_helper_name.clear();
                        }
                    });
                    ui.end_row();
                }
            });
        if form.household != before {
            self.dirty = true;
        }
        for text in form.errors.unplaced(lang) {
            ui.label(RichText::new(text).color(ERROR_RED));
        }
        ui.horizontal(|ui| {
            submit |= ui
                .button(lang.pick("保存基本情况", "Save basics"))
                .clicked();
            if self.dirty {
                ui.label(
                    RichText::new(lang.pick("有未保存的修改", "Unsaved changes")).color(WARN_AMBER),
                );
            }
        });
        if submit && let Some(h) = form.build(lang) {
            actions.push(Action::Data(DataAction::SaveHouseholdWithHelpers {
                household: h,
                helper_ids: form.helper_ids.clone().unwrap_or_default(),
            }));
        }
    }

    /// Removing the household (with its members and incomes), after a confirmation.
    pub fn delete_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        record: &HouseholdRecord,
        actions: &mut Vec<Action>,
    ) {
        if self.confirm_delete {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(match lang {
                        Lang::Zh => format!(
                            "确定删除{}号户及其全部成员和收入记录吗？（可撤销）",
                            record.household.number
                        ),
                        Lang::En => format!(
                            "Delete household {} with all its members and incomes? (can be undone)",
                            record.household.number
                        ),
                    })
                    .color(ERROR_RED),
                );
                if ui.button(lang.pick("确定删除", "Delete")).clicked() {
                    actions.push(Action::Data(DataAction::DeleteHousehold(
                        record.household.id,
                    )));
                }
                if ui.button(lang.pick("取消", "Cancel")).clicked() {
                    self.confirm_delete = false;
                }
            });
        } else if ui
            .button(lang.pick("删除本户", "Delete this household"))
            .clicked()
        {
            self.confirm_delete = true;
        }
    }
}

/// An answer the survey records for one of the 一超六有 living facts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    Yes,
    No,
}

impl Label for Answer {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            Answer::Yes => lang.pick("是", "Yes"),
            Answer::No => lang.pick("否", "No"),
        }
    }
}

/// A form row for a living fact the exit check rests on: 未填 until the survey answers it, so
/// nothing passes by a pre-ticked box.
fn fact_row(ui: &mut Ui, lang: Lang, label: &str, fact: &mut Option<bool>) {
    let label_id = ui.label(label).id;
    let mut answer = fact.map(|yes| if yes { Answer::Yes } else { Answer::No });
    if widgets::optional_combo(
        ui,
        lang,
        label_id,
        lang.pick("未填", "Not recorded"),
        &mut answer,
        &[Answer::Yes, Answer::No],
    ) {
        *fact = answer.map(|a| a == Answer::Yes);
    }
    ui.end_row();
}
