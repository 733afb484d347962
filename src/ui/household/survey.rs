//! The baseline survey (入户调查) of a household for one year. The survey's facts are entered on
//! the other tabs (basics, members, income); this tab shows what is still missing, can be saved
//! half-done and resumed, and on completion shows the identification the rules compute, which a
//! person confirms or overrides with a recorded reason.

use chrono::Datelike;
use eframe::egui::{self, RichText};
use uuid::Uuid;

use crate::i18n::{Label, Lang, Localize};
use crate::model::{
    Household, HouseholdRecord, Identification, PovertyAttribute, SurveyState, SurveyStatus,
};
use crate::rules::workflow_records::{self, WorkField, WorkFieldError};
use crate::rules::{identification, registry};
use crate::ui::action::Action;
use crate::ui::action::DataAction;
use crate::ui::widgets::record_editor::FormErrors;
use crate::ui::widgets::{self, ERROR_RED, OK_GREEN, WARN_AMBER, pickers, text_row};
use crate::workspace::VillageView;

#[derive(Default)]
pub struct SurveyTab {
    year: Option<i32>,
    confirmed: Option<Identification>,
    override_reason: String,
    confirmed_by: String,
    errors: FormErrors<WorkFieldError>,
    /// "Complete" was pressed without choosing the confirmed identification.
    missing_confirmation: bool,
    /// The survey whose removal waits for a second click.
    confirm_delete: Option<Uuid>,
}

impl SurveyTab {
    pub fn saved(&mut self) {
        self.errors.start();
        self.missing_confirmation = false;
        self.confirm_delete = None;
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        record: &HouseholdRecord,
        view: &VillageView,
        actions: &mut Vec<Action>,
    ) {
        let default_year = record
            .latest_income()
            .map_or(view.today.year() - 1, |i| i.year);
        let year = *self.year.get_or_insert(default_year);
        let existing = view
            .workflow
            .surveys
            .iter()
            .find(|s| s.household_id == record.household.id && s.year == year);

        ui.horizontal(|ui| {
            let label = ui.label(lang.pick("调查年度", "Survey year")).id;
            let mut text = year.to_string();
            let response = ui
                .add(egui::TextEdit::singleline(&mut text).desired_width(60.0))
                .labelled_by(label);
            if response.changed()
                && let Ok(y) = text.trim().parse::<i32>()
            {
                self.year = Some(y);
            }
            match existing.map(|s| s.status) {
                Some(SurveyStatus::Complete) => {
                    ui.label(RichText::new(lang.pick("已完成", "Complete")).color(OK_GREEN))
                }
                Some(SurveyStatus::Draft) => ui.label(
                    RichText::new(lang.pick("未完成（已保存进度）", "Draft (progress saved)"))
                        .color(WARN_AMBER),
                ),
                None => ui.label(lang.pick("尚未开始", "Not started")),
            };
        });
        if record.household.status.is_unassessed() {
            ui.label(
                RichText::new(lang.pick(
                    "本户尚未识别（待识别）：完成调查并确认识别后，才会定为贫困户、监测户或非贫困户。",
                    "This household is not yet assessed: it becomes poor, monitored or not poor only once the survey is completed and the identification confirmed.",
                ))
                .color(WARN_AMBER),
            );
        }

        // What the survey still lacks, item by item.
        let member_problems = record
            .members
            .iter()
            .filter(|m| !registry::validate_member(m, view.today).is_empty())
            .count();
        let items = [
            (
                record.head().is_some(),
                lang.pick("已登记户主", "Head registered"),
            ),
            (
                !record.members.is_empty() && member_problems == 0,
                lang.pick("家庭成员信息完整有效", "Members complete and valid"),
            ),
            (
                record.income_of(year).is_some(),
                lang.pick("已填写本年度收入", "Income of the year entered"),
            ),
            (
                record.household.main_cause.is_some(),
                lang.pick(
                    "已填写主要致贫原因（非贫困户可不填）",
                    "Main cause entered (optional for non-poor)",
                ),
            ),
            (
                living_facts_recorded(&record.household),
                lang.pick(
                    "已填写住房、饮水、用电、广播电视情况（基本情况页）",
                    "Housing, water, power and radio/TV recorded (Basics tab)",
                ),
            ),
            (
                record.household.attribute != PovertyAttribute::Unrecorded,
                lang.pick(
                    "已填写贫困户属性（非贫困户可不填）",
                    "Poverty attribute entered (optional for non-poor)",
                ),
            ),
        ];
        for (done, text) in items {
            ui.horizontal(|ui| {
                let (mark, color) = if done {
                    ("✓", OK_GREEN)
                } else {
                    ("×", WARN_AMBER)
                };
                ui.label(RichText::new(mark).color(color).strong());
                ui.label(text);
            });
        }

        let computed = identification::identify(record, year, &view.lines, &view.thresholds);
        match &computed {
            Ok(ident) => {
                let figures =
                    crate::rules::income::figures(record, year, &view.lines, &view.thresholds);
                let detail = figures
                    .map(|f| {
                        format!(
                            " ({} / {})",
                            widgets::yuan(f.per_capita_yuan),
                            widgets::yuan(f.line_yuan)
                        )
                    })
                    .unwrap_or_default();
                ui.label(
                    RichText::new(format!(
                        "{}{}{detail}",
                        lang.pick("系统测算识别结果：", "Computed identification: "),
                        ident.label(lang)
                    ))
                    .strong(),
                );
            }
            Err(missing) => {
                ui.label(RichText::new(missing.localize(lang)).color(WARN_AMBER));
            }
        }
        let computed = computed.ok();

        if self.confirmed.is_none() {
            self.confirmed = existing
                .and_then(|s| s.confirmed_identification)
                .or(computed);
        }
        let mut complete = false;
        let mut draft = false;
        egui::Grid::new("survey_form")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                let label = ui
                    .label(lang.pick("确认识别结果", "Confirmed identification"))
                    .id;
                widgets::optional_combo(
                    ui,
                    lang,
                    label,
                    lang.pick("（未确认）", "(not confirmed)"),
                    &mut self.confirmed,
                    Identification::ALL,
                );
                ui.end_row();
                let e = self.errors.beside(WorkField::OverrideReason, lang);
                text_row(
                    ui,
                    lang.pick("与测算不同的理由", "Reason for overriding"),
                    &mut self.override_reason,
                    e.as_deref(),
                );
                let e = self.errors.beside(WorkField::ConfirmedBy, lang);
                pickers::team_member_row(
                    ui,
                    lang,
                    lang.pick("确认人", "Confirmed by"),
                    &mut self.confirmed_by,
                    &view.workflow.team,
                    e.as_deref(),
                );
            });
        // Who confirmed the identification, and when.
        if let Some(s) = existing.filter(|s| s.status == SurveyStatus::Complete)
            && let Some(on) = s.confirmed_on
        {
            ui.label(match lang {
                Lang::Zh => format!("确认人：{}，确认日期：{on}", s.confirmed_by),
                Lang::En => format!("Confirmed by {} on {on}", s.confirmed_by),
            });
        }
        if self.missing_confirmation {
            ui.label(
                RichText::new(lang.pick(
                    "请先选择确认的识别结果。",
                    "Choose the confirmed identification first.",
                ))
                .color(ERROR_RED),
            );
        }
        for text in self.errors.unplaced(lang) {
            ui.label(RichText::new(text).color(ERROR_RED));
        }
        ui.horizontal(|ui| {
            draft = ui
                .button(lang.pick("保存进度（未完成）", "Save progress (draft)"))
                .clicked();
            complete = ui
                .button(lang.pick("完成调查并确认识别", "Complete and confirm"))
                .clicked();
            if let Some(s) = existing
                && self.confirm_delete != Some(s.id)
                && ui
                    .button(lang.pick("删除本年度调查", "Remove this year's survey"))
                    .clicked()
            {
                self.confirm_delete = Some(s.id);
            }
        });
        if let Some(id) = self
            .confirm_delete
            .filter(|id| existing.is_some_and(|s| s.id == *id))
        {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(lang.pick(
                        "确定删除本年度的调查记录吗？识别状态不会随之改变（可撤销）。",
                        "Remove this year's survey record? The household's status stays as it is (undoable).",
                    ))
                    .color(WARN_AMBER),
                );
                if ui.button(lang.pick("确定删除", "Remove")).clicked() {
                    actions.push(Action::Data(DataAction::DeleteSurvey(id)));
                    self.confirm_delete = None;
                }
                if ui.button(lang.pick("取消", "Cancel")).clicked() {
                    self.confirm_delete = None;
                }
            });
        }

        if draft || complete {
            let survey = SurveyState {
                id: existing.map_or_else(Uuid::new_v4, |s| s.id),
                household_id: record.household.id,
                year,
                status: if complete {
                    SurveyStatus::Complete
                } else {
                    SurveyStatus::Draft
                },
                computed_identification: computed,
                confirmed_identification: if complete { self.confirmed } else { None },
                override_reason: self.override_reason.trim().to_string(),
                confirmed_by: self.confirmed_by.trim().to_string(),
                confirmed_on: complete.then_some(view.today),
            };
            self.errors.start();
            let valid = self.errors.finish(workflow_records::validate_survey(
                &survey,
                view.today,
                &view.workflow.team,
            ));
            self.missing_confirmation = complete && survey.confirmed_identification.is_none();
            if valid && !self.missing_confirmation {
                actions.push(if complete {
                    Action::Data(DataAction::CompleteSurvey(survey))
                } else {
                    Action::Data(DataAction::SaveSurvey(survey))
                });
            }
        }
    }
}

/// Whether the survey has answered the four living facts 一超六有 rests on (none left 未填).
fn living_facts_recorded(h: &Household) -> bool {
    let l = &h.living;
    [l.housing_safe, l.water_safe, l.electricity, l.radio_tv]
        .iter()
        .all(Option::is_some)
}
