//! A household's assistance plan (帮扶计划): its measures, each with the helper unit answering for
//! it, fund source and amount, dates, expected income effect and status; and a warning when no
//! measure answers the household's main cause.

use chrono::{Datelike, NaiveDate};
use eframe::egui::{self, RichText};
use uuid::Uuid;

use crate::i18n::{Label, Lang, Localize};
use crate::model::{FundSource, HouseholdRecord, Measure, MeasureKind, MeasureStatus};
use crate::rules::plan::{self, CauseAnswers};
use crate::rules::workflow_records::{self, WorkField, WorkFieldError};
use crate::ui::action::Action;
use crate::ui::action::DataAction;
use crate::ui::registers::funds::{FundForm, fund_for_measure};
use crate::ui::widgets::pickers;
use crate::ui::widgets::record_editor::{
    EditorOutcome, FormErrors, RecordEditor, RecordForm, plain_number,
};
use crate::ui::widgets::{self, ERROR_RED, FocusIf, OK_GREEN, text_row};
use crate::workspace::VillageView;

/// The measure form: the record being edited plus the texts of its number and date fields.
pub struct MeasureForm {
    measure: Measure,
    amount: String,
    expected_income: String,
    start: String,
    due: String,
    errors: FormErrors,
}

impl RecordForm for MeasureForm {
    type Record = Measure;
    type Problem = WorkFieldError;

    fn of(m: &Measure) -> MeasureForm {
        MeasureForm {
            measure: m.clone(),
            amount: plain_number(m.amount_yuan),
            expected_income: plain_number(m.expected_income_yuan),
            start: m.start.to_string(),
            due: m.due.to_string(),
            errors: FormErrors::default(),
        }
    }

    fn save_label(lang: Lang) -> &'static str {
        lang.pick("保存措施", "Save measure")
    }

    fn fields_ui(&mut self, ui: &mut egui::Ui, lang: Lang, view: &VillageView, focus_first: bool) {
        let form = self;
        let changed_kind = widgets::combo_row(
            ui,
            lang,
            lang.pick("措施类别", "Kind"),
            &mut form.measure.kind,
            MeasureKind::ALL,
        );
        let e = form.errors.beside(WorkField::Name, lang);
        text_row(
            ui,
            lang.pick("措施内容", "Description"),
            &mut form.measure.description,
            e.as_deref(),
        )
        .focus_if(focus_first && !changed_kind);
        let none = lang.pick("（无）", "(none)");
        let helpers: Vec<(Uuid, String)> = view
            .workflow
            .helpers
            .iter()
            .map(|h| (h.id, format!("{}（{}）", h.name, h.unit)))
            .collect();
        let previous_helper = form.measure.helper_id;
        if pickers::choice_row(
            ui,
            lang.pick("帮扶责任人", "Helper"),
            none,
            &mut form.measure.helper_id,
            &helpers,
        ) {
            // The helper's unit answers for the measure unless someone typed another one.
            let unit_of = |id: Option<Uuid>| {
                id.and_then(|id| view.workflow.helpers.iter().find(|h| h.id == id))
                    .map(|h| h.unit.clone())
            };
            let typed_by_hand = !form.measure.helper_unit.is_empty()
                && unit_of(previous_helper).as_ref() != Some(&form.measure.helper_unit);
            if !typed_by_hand && let Some(unit) = unit_of(form.measure.helper_id) {
                form.measure.helper_unit = unit;
            }
        }
        let e = form.errors.beside(WorkField::Unit, lang);
        text_row(
            ui,
            lang.pick("帮扶单位", "Helper unit"),
            &mut form.measure.helper_unit,
            e.as_deref(),
        );
        let projects: Vec<(Uuid, String)> = view
            .workflow
            .projects
            .iter()
            .map(|p| (p.id, p.name.clone()))
            .collect();
        pickers::choice_row(
            ui,
            lang.pick("所属项目", "Project"),
            none,
            &mut form.measure.project_id,
            &projects,
        );
        widgets::combo_row(
            ui,
            lang,
            lang.pick("资金来源", "Fund source"),
            &mut form.measure.fund_source,
            FundSource::ALL,
        );
        let e = form.errors.beside(WorkField::Amount, lang);
        text_row(
            ui,
            lang.pick("资金（元）", "Amount (yuan)"),
            &mut form.amount,
            e.as_deref(),
        );
        let e = form.errors.beside(WorkField::Date, lang);
        text_row(
            ui,
            lang.pick("开始日期", "Start date"),
            &mut form.start,
            e.as_deref(),
        );
        let e = form.errors.beside(WorkField::DueDate, lang);
        text_row(
            ui,
            lang.pick("完成期限", "Due date"),
            &mut form.due,
            e.as_deref(),
        );
        let e = form.errors.beside(WorkField::ExpectedIncome, lang);
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
    }

    fn build(&mut self, lang: Lang, _view: &VillageView) -> Option<Measure> {
        self.errors.start();
        let mut m = self.measure.clone();
        m.amount_yuan = self.errors.amount(lang, &self.amount, WorkField::Amount);
        m.expected_income_yuan =
            self.errors
                .amount(lang, &self.expected_income, WorkField::ExpectedIncome);
        if let Some(d) = self.errors.date(lang, &self.start, WorkField::Date) {
            m.start = d;
        }
        if let Some(d) = self.errors.date(lang, &self.due, WorkField::DueDate) {
            m.due = d;
        }
        let ok = self.errors.finish(workflow_records::validate_measure(&m));
        ok.then_some(m)
    }

    fn errors(&self) -> &FormErrors {
        &self.errors
    }
}

pub struct PlanTab {
    measures: RecordEditor<MeasureForm>,
    funds: RecordEditor<FundForm>,
}

impl Default for PlanTab {
    fn default() -> Self {
        PlanTab {
            measures: RecordEditor::new("measure"),
            funds: RecordEditor::new("measure_fund"),
        }
    }
}

impl PlanTab {
    /// After a successful save or undo: close the forms.
    pub fn saved(&mut self) {
        self.measures.close();
        self.funds.close();
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        record: &HouseholdRecord,
        view: &VillageView,
        actions: &mut Vec<Action>,
    ) {
        let measures: Vec<&Measure> = view
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
        let village_id = Some(view.village.id);
        for m in &measures {
            let helper = m
                .helper_id
                .and_then(|id| view.workflow.helpers.iter().find(|h| h.id == id));
            let funded: f64 = view
                .workflow
                .funds
                .iter()
                .filter(|f| f.measure_id == Some(m.id))
                .map(|f| f.amount_yuan)
                .sum();
            ui.horizontal_wrapped(|ui| {
                ui.strong(m.kind.label(lang));
                ui.label(&m.description);
                if let Some(h) = helper {
                    ui.label(format!("{} {}", h.name, h.phone));
                }
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
                ui.label(format!(
                    "{} {} {}",
                    lang.pick("已拨付", "paid"),
                    widgets::yuan(funded),
                    lang.pick("元", "yuan")
                ));
                if let Some(village_id) = village_id
                    && ui
                        .button(lang.pick("记录资金拨付", "Record a payment"))
                        .clicked()
                {
                    self.measures.close();
                    self.funds
                        .open_new(&fund_for_measure(m, village_id, view.today));
                }
                if let EditorOutcome::Delete(id) = self.measures.row_buttons_ui(ui, lang, m.id, m) {
                    actions.push(Action::Data(DataAction::DeleteMeasure(id)));
                }
            });
        }
        ui.add_space(8.0);
        if self.funds.is_open() {
            if let EditorOutcome::Save(f) =
                self.funds
                    .open_form_ui(ui, lang, view, lang.pick("资金拨付", "Payment"))
            {
                actions.push(Action::Data(DataAction::SaveFund(f)));
            }
            return;
        }
        let today = view.today;
        let household_id = record.household.id;
        let new_measure = || Measure {
            id: Uuid::new_v4(),
            household_id,
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
        };
        if let EditorOutcome::Save(m) = self.measures.form_ui(
            ui,
            lang,
            view,
            lang.pick("帮扶措施", "Measure"),
            lang.pick("＋ 添加帮扶措施", "+ Add a measure"),
            new_measure,
        ) {
            actions.push(Action::Data(DataAction::SaveMeasure(m)));
        }
    }
}
