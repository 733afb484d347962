//! Funds (精准到资金): every fund entry with its source, amount, date, use and what it reached
//! (project, household, measure); totals by source and by use; entries reaching nothing
//! ("scattered funds") and entries that seem to count the same money twice.

use std::collections::HashMap;

use eframe::egui::{RichText, Ui};
use uuid::Uuid;

use crate::i18n::{Label, Lang};
use crate::model::{FundEntry, FundSource, Measure, MeasureKind};
use crate::rules::workflow_records::{self, WorkField, WorkFieldError};
use crate::ui::action::Action;
use crate::ui::action::DataAction;
use crate::ui::widgets::pickers::{self, household_name_of};
use crate::ui::widgets::record_editor::{
    EditorOutcome, FormErrors, RecordEditor, RecordForm, newest_first_ui, plain_number,
};
use crate::ui::widgets::{self, FocusIf, WARN_AMBER, text_row};
use crate::workspace::VillageView;

pub struct FundForm {
    fund: FundEntry,
    amount: String,
    date: String,
    errors: FormErrors,
}

impl RecordForm for FundForm {
    type Record = FundEntry;
    type Problem = WorkFieldError;

    fn of(f: &FundEntry) -> Self {
        FundForm {
            fund: f.clone(),
            amount: plain_number(f.amount_yuan),
            date: f.date.to_string(),
            errors: FormErrors::default(),
        }
    }

    fn fields_ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView, focus_first: bool) {
        let e = self.errors.beside(WorkField::Amount, lang);
        text_row(
            ui,
            lang.pick("金额（元）", "Amount (yuan)"),
            &mut self.amount,
            e.as_deref(),
        )
        .focus_if(focus_first);
        widgets::combo_row(
            ui,
            lang,
            lang.pick("资金来源", "Fund source"),
            &mut self.fund.source,
            FundSource::ALL,
        );
        let e = self.errors.beside(WorkField::Date, lang);
        text_row(
            ui,
            lang.pick("拨付日期", "Date"),
            &mut self.date,
            e.as_deref(),
        );
        widgets::combo_row(
            ui,
            lang,
            lang.pick("资金用途", "Use"),
            &mut self.fund.purpose,
            MeasureKind::ALL,
        );
        let none = lang.pick("（无）", "(none)");
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
            &mut self.fund.project_id,
            &projects,
        );
        let households = pickers::household_options(&view.records);
        if pickers::choice_row(
            ui,
            lang.pick("受益农户", "Household"),
            none,
            &mut self.fund.household_id,
            &households,
        ) {
            self.fund.measure_id = None;
        }
        let measures: Vec<(Uuid, String)> = view
            .workflow
            .measures
            .iter()
            .filter(|m| Some(m.household_id) == self.fund.household_id)
            .map(|m| (m.id, measure_name(m, lang)))
            .collect();
        pickers::choice_row(
            ui,
            lang.pick("帮扶措施", "Measure"),
            none,
            &mut self.fund.measure_id,
            &measures,
        );
        text_row(ui, lang.pick("备注", "Note"), &mut self.fund.note, None);
    }

    fn build(&mut self, lang: Lang, view: &VillageView) -> Option<FundEntry> {
        self.errors.start();
        let mut f = self.fund.clone();
        f.amount_yuan = self.errors.amount(lang, &self.amount, WorkField::Amount);
        if let Some(d) = self.errors.date(lang, &self.date, WorkField::Date) {
            f.date = d;
        }
        let measure_start = view
            .workflow
            .measures
            .iter()
            .find(|m| Some(m.id) == f.measure_id)
            .map(|m| m.start);
        let ok = self
            .errors
            .finish(workflow_records::validate_fund(&f, measure_start));
        ok.then_some(f)
    }

    fn errors(&self) -> &FormErrors {
        &self.errors
    }
}

/// How a measure is named in pickers: its kind and description.
pub fn measure_name(m: &Measure, lang: Lang) -> String {
    if m.description.is_empty() {
        m.kind.label(lang).to_string()
    } else {
        format!("{}：{}", m.kind.label(lang), m.description)
    }
}

/// A fund entry paying for `measure`, prefilled from it (source, amount, use, project).
pub fn fund_for_measure(
    measure: &Measure,
    village_id: Uuid,
    today: chrono::NaiveDate,
) -> FundEntry {
    FundEntry {
        id: Uuid::new_v4(),
        village_id,
        source: measure.fund_source,
        amount_yuan: measure.amount_yuan,
        date: today,
        purpose: measure.kind,
        project_id: measure.project_id,
        household_id: Some(measure.household_id),
        measure_id: Some(measure.id),
        note: String::new(),
    }
}

pub struct FundsTab {
    editor: RecordEditor<FundForm>,
}

impl Default for FundsTab {
    fn default() -> Self {
        FundsTab {
            editor: RecordEditor::new("fund"),
        }
    }
}

impl FundsTab {
    pub fn close_forms(&mut self) {
        self.editor.close();
    }

    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView, actions: &mut Vec<Action>) {
        let village = &view.village;
        let panel = &view.precisions.funds;
        ui.heading(lang.pick("资金台账", "Fund entries"));
        ui.label(match lang {
            Lang::Zh => format!(
                "共 {} 笔，合计 {} 元",
                view.workflow.funds.len(),
                widgets::yuan(panel.total_yuan)
            ),
            Lang::En => format!(
                "{} entries, {} yuan in all",
                view.workflow.funds.len(),
                widgets::yuan(panel.total_yuan)
            ),
        });
        ui.horizontal_wrapped(|ui| {
            ui.strong(lang.pick("按来源：", "By source:"));
            for (source, amount) in &panel.by_source {
                ui.label(format!("{} {}", source.label(lang), widgets::yuan(*amount)));
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.strong(lang.pick("按用途：", "By use:"));
            for (purpose, amount) in &panel.by_use {
                ui.label(format!(
                    "{} {}",
                    purpose.label(lang),
                    widgets::yuan(*amount)
                ));
            }
        });
        let doubled: HashMap<Uuid, usize> = panel
            .double_counted
            .iter()
            .enumerate()
            .flat_map(|(group, ids)| ids.iter().map(move |id| (*id, group + 1)))
            .collect();
        if !panel.unattached.is_empty() || !doubled.is_empty() {
            ui.label(
                RichText::new(match lang {
                    Lang::Zh => format!(
                        "⚠ {} 笔资金没有落到项目或农户（资金分散）；{} 组疑似重复记账",
                        panel.unattached.len(),
                        panel.double_counted.len()
                    ),
                    Lang::En => format!(
                        "⚠ {} entries reach no project or household (scattered funds); {} groups look double-counted",
                        panel.unattached.len(),
                        panel.double_counted.len()
                    ),
                })
                .color(WARN_AMBER),
            );
        }
        ui.add_space(6.0);

        // The form sits above the list: a village has hundreds of entries.
        let today = view.today;
        let new_fund = || FundEntry {
            id: Uuid::new_v4(),
            village_id: village.id,
            source: FundSource::County,
            amount_yuan: 0.0,
            date: today,
            purpose: MeasureKind::Production,
            project_id: None,
            household_id: None,
            measure_id: None,
            note: String::new(),
        };
        if let EditorOutcome::Save(f) = self.editor.form_ui(
            ui,
            lang,
            view,
            lang.pick("资金", "Fund entry"),
            lang.pick("＋ 记录一笔资金", "+ Record a fund entry"),
            new_fund,
        ) {
            actions.push(Action::Data(DataAction::SaveFund(f)));
        }
        ui.add_space(6.0);

        newest_first_ui(
            ui,
            "funds_list",
            &view.workflow.funds,
            |r| r.date,
            |ui, f| {
                ui.strong(format!(
                    "{} {}",
                    widgets::yuan(f.amount_yuan),
                    lang.pick("元", "yuan")
                ));
                ui.label(f.source.label(lang));
                ui.label(f.purpose.label(lang));
                let project = f
                    .project_id
                    .and_then(|id| view.workflow.projects.iter().find(|p| p.id == id));
                if let Some(p) = project {
                    ui.label(format!("{} {}", lang.pick("项目", "project"), p.name));
                }
                if let Some(h) = f.household_id {
                    ui.label(household_name_of(&view.records, h));
                }
                if panel.unattached.contains(&f.id) {
                    ui.label(
                        RichText::new(lang.pick("未落实到项目或户", "reaches nothing"))
                            .color(WARN_AMBER),
                    );
                }
                if let Some(group) = doubled.get(&f.id) {
                    ui.label(
                        RichText::new(match lang {
                            Lang::Zh => format!("疑似重复（第 {group} 组）"),
                            Lang::En => format!("possibly double-counted (group {group})"),
                        })
                        .color(WARN_AMBER),
                    );
                }
                if !f.note.is_empty() {
                    ui.weak(&f.note);
                }
                if let EditorOutcome::Delete(id) = self.editor.row_buttons_ui(ui, lang, f.id, f) {
                    actions.push(Action::Data(DataAction::DeleteFund(id)));
                }
            },
        );
    }
}
