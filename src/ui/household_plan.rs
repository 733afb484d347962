//! A household's assistance plan (帮扶计划): its measures, each with the helper unit answering for
//! it, fund source and amount, dates, expected income effect and status; and a warning when no
//! measure answers the household's main cause.

use chrono::{Datelike, NaiveDate};
use eframe::egui::{self, RichText};
use uuid::Uuid;

use super::app::{Action, VillageSnapshot};
use super::widgets::{self, ERROR_RED, OK_GREEN, RowChoice, text_row};
use crate::i18n::{Label, Lang, Localize};
use crate::model::{FundSource, HouseholdRecord, Measure, MeasureKind, MeasureStatus};
use crate::rules::plan::{self, CauseAnswers};
use crate::rules::workflow_records::{self, WorkField, WorkFieldError};

/// The measure form: the record being edited plus the texts of its number and date fields.
struct MeasureForm {
    measure: Measure,
    amount: String,
    expected_income: String,
    start: String,
    due: String,
    errors: Vec<WorkFieldError>,
    input_errors: Vec<(WorkField, String)>,
}

impl MeasureForm {
    fn of(m: &Measure) -> MeasureForm {
        MeasureForm {
            measure: m.clone(),
            amount: plain_number(m.amount_yuan),
            expected_income: plain_number(m.expected_income_yuan),
            start: m.start.to_string(),
            due: m.due.to_string(),
            errors: Vec::new(),
            input_errors: Vec::new(),
        }
    }

    fn build(&mut self, lang: Lang) -> Option<Measure> {
        self.input_errors.clear();
        let mut m = self.measure.clone();
        let amount = |text: &str, field: WorkField, errors: &mut Vec<(WorkField, String)>| {
            widgets::parse_amount(text).unwrap_or_else(|| {
                errors.push((field, widgets::not_a_number(lang).to_string()));
                0.0
            })
        };
        m.amount_yuan = amount(&self.amount, WorkField::Amount, &mut self.input_errors);
        m.expected_income_yuan = amount(
            &self.expected_income,
            WorkField::ExpectedIncome,
            &mut self.input_errors,
        );
        let date = |text: &str, field: WorkField, errors: &mut Vec<(WorkField, String)>| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .ok()
                .or_else(|| {
                    errors.push((field, date_hint(lang).to_string()));
                    None
                })
        };
        if let Some(d) = date(&self.start, WorkField::Date, &mut self.input_errors) {
            m.start = d;
        }
        if let Some(d) = date(&self.due, WorkField::DueDate, &mut self.input_errors) {
            m.due = d;
        }
        self.errors = workflow_records::validate_measure(&m);
        (self.errors.is_empty() && self.input_errors.is_empty()).then_some(m)
    }

    fn error(&self, field: WorkField, lang: Lang) -> Option<String> {
        let rule_errors = self
            .errors
            .iter()
            .map(|e| (e.field, e.problem.localize(lang)));
        widgets::errors_beside(
            lang,
            field,
            rule_errors.chain(self.input_errors.iter().cloned()),
        )
    }
}

pub fn date_hint(lang: Lang) -> &'static str {
    lang.pick("日期格式为 2020-06-30", "Dates are written 2020-06-30")
}

pub fn plain_number(v: f64) -> String {
    if v == 0.0 {
        String::new()
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        v.to_string()
    }
}

#[derive(Default)]
pub struct PlanTab {
    form: Option<MeasureForm>,
    pending_delete: Option<Uuid>,
}

impl PlanTab {
    /// After a successful save or undo: close the form.
    pub fn saved(&mut self) {
        self.form = None;
        self.pending_delete = None;
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        record: &HouseholdRecord,
        snapshot: &VillageSnapshot,
        actions: &mut Vec<Action>,
    ) {
        let measures: Vec<&Measure> = snapshot
            .workflow
            .measures
            .iter()
            .filter(|m| m.household_id == record.household.id)
            .collect();
        match plan::check_plan(
            &record.household,
            measures.iter().copied(),
            &CauseAnswers::default(),
        ) {
            Some(gap) => {
                ui.label(RichText::new(format!("⚠ {}", gap.localize(lang))).color(ERROR_RED));
            }
            None if !measures.is_empty() => {
                ui.label(
                    RichText::new(lang.pick(
                        "措施针对了主要致贫原因。",
                        "The plan answers the main cause.",
                    ))
                    .color(OK_GREEN),
                );
            }
            None => {}
        }
        for m in &measures {
            ui.horizontal_wrapped(|ui| {
                ui.strong(m.kind.label(lang));
                ui.label(&m.description);
                ui.label(format!(
                    "{} · {} {} {} · {} → {} · {}",
                    m.helper_unit,
                    m.fund_source.label(lang),
                    widgets::yuan(m.amount_yuan),
                    lang.pick("元", "yuan"),
                    m.start,
                    m.due,
                    m.status.label(lang)
                ));
                match widgets::edit_remove_ui(ui, lang, self.pending_delete == Some(m.id)) {
                    RowChoice::Edit => self.form = Some(MeasureForm::of(m)),
                    RowChoice::AskRemove => self.pending_delete = Some(m.id),
                    RowChoice::Remove => actions.push(Action::DeleteMeasure(m.id)),
                    RowChoice::KeepIt => self.pending_delete = None,
                    RowChoice::Nothing => {}
                }
            });
        }
        ui.add_space(8.0);
        let Some(form) = &mut self.form else {
            if ui
                .button(lang.pick("＋ 添加帮扶措施", "+ Add a measure"))
                .clicked()
            {
                let today = snapshot.today;
                self.form = Some(MeasureForm::of(&Measure {
                    id: Uuid::new_v4(),
                    household_id: record.household.id,
                    kind: MeasureKind::ALL[0],
                    description: String::new(),
                    helper_id: None,
                    helper_unit: String::new(),
                    project_id: None,
                    fund_source: FundSource::ALL[0],
                    amount_yuan: 0.0,
                    start: today,
                    due: NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today),
                    expected_income_yuan: 0.0,
                    status: MeasureStatus::ALL[0],
                }));
            }
            return;
        };
        let mut cancel = false;
        ui.group(|ui| {
            ui.strong(lang.pick("帮扶措施", "Measure"));
            egui::Grid::new("measure_form")
                .num_columns(2)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    widgets::combo_row(
                        ui,
                        lang,
                        lang.pick("措施类别", "Kind"),
                        &mut form.measure.kind,
                        MeasureKind::ALL,
                    );
                    let e = form.error(WorkField::Name, lang);
                    text_row(
                        ui,
                        lang.pick("措施内容", "Description"),
                        &mut form.measure.description,
                        e.as_deref(),
                    );
                    let e = form.error(WorkField::Unit, lang);
                    text_row(
                        ui,
                        lang.pick("帮扶单位", "Helper unit"),
                        &mut form.measure.helper_unit,
                        e.as_deref(),
                    );
                    widgets::combo_row(
                        ui,
                        lang,
                        lang.pick("资金来源", "Fund source"),
                        &mut form.measure.fund_source,
                        FundSource::ALL,
                    );
                    let e = form.error(WorkField::Amount, lang);
                    text_row(
                        ui,
                        lang.pick("资金（元）", "Amount (yuan)"),
                        &mut form.amount,
                        e.as_deref(),
                    );
                    let e = form.error(WorkField::Date, lang);
                    text_row(
                        ui,
                        lang.pick("开始日期", "Start date"),
                        &mut form.start,
                        e.as_deref(),
                    );
                    let e = form.error(WorkField::DueDate, lang);
                    text_row(
                        ui,
                        lang.pick("完成期限", "Due date"),
                        &mut form.due,
                        e.as_deref(),
                    );
                    let e = form.error(WorkField::ExpectedIncome, lang);
                    text_row(
                        ui,
                        lang.pick("预期增收（元/年）", "Expected income effect (yuan/year)"),
                        &mut form.expected_income,
                        e.as_deref(),
                    );
                    widgets::combo_row(
                        ui,
                        lang,
                        lang.pick("进展", "Status"),
                        &mut form.measure.status,
                        MeasureStatus::ALL,
                    );
                });
            let shown = [
                WorkField::Name,
                WorkField::Unit,
                WorkField::Amount,
                WorkField::Date,
                WorkField::DueDate,
                WorkField::ExpectedIncome,
            ];
            for e in form.errors.iter().filter(|e| !shown.contains(&e.field)) {
                ui.label(RichText::new(e.localize(lang)).color(ERROR_RED));
            }
            ui.horizontal(|ui| {
                if ui.button(lang.pick("保存措施", "Save measure")).clicked()
                    && let Some(m) = form.build(lang)
                {
                    actions.push(Action::SaveMeasure(m));
                }
                cancel = ui.button(lang.pick("取消", "Cancel")).clicked();
            });
        });
        if cancel {
            self.form = None;
        }
    }
}
