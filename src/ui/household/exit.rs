//! The exit check of a household (脱贫检查, 一超六有) for a chosen income year, each failed item
//! with its reasons; when it passes, exit is proposed, then confirmed by the team with a date.

use chrono::NaiveDate;
use eframe::egui::{self, RichText};
use uuid::Uuid;

use crate::i18n::{Label, Lang, Localize};
use crate::model::{ExitDecision, HouseholdRecord, HouseholdStatus};
use crate::rules::{exit, income};
use crate::ui::action::{Action, DataAction};
use crate::ui::widgets::record_editor::date_hint;
use crate::ui::widgets::{self, ERROR_RED, OK_GREEN, WARN_AMBER, pickers, text_row};
use crate::workspace::VillageView;

#[derive(Default)]
pub struct ExitTab {
    /// The income year checked (the latest until another is chosen).
    year: Option<i32>,
    confirm_date: String,
    confirm_by: String,
    /// "确认脱贫" was pressed without a person of the team chosen.
    missing_confirmer: bool,
}

impl ExitTab {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        record: &HouseholdRecord,
        view: &VillageView,
        actions: &mut Vec<Action>,
    ) {
        let years: Vec<i32> = record.incomes.iter().map(|i| i.year).rev().collect();
        let Some(&latest) = years.first() else {
            ui.label(RichText::new(lang.pick(
                "还没有收入记录：请先在“收入”页添加年度收入，才能进行脱贫检查。",
                "No income record yet: add a year's income on the Income tab before running the exit check.",
            )).color(WARN_AMBER));
            return;
        };
        let year = self.year.filter(|y| years.contains(y)).unwrap_or(latest);
        ui.horizontal(|ui| {
            let year_label = ui.label(lang.pick("检查年度", "Year assessed")).id;
            egui::ComboBox::from_id_salt("exit_year")
                .selected_text(year.to_string())
                .show_ui(ui, |ui| {
                    for y in &years {
                        if ui.selectable_label(*y == year, y.to_string()).clicked() {
                            self.year = Some(*y);
                        }
                    }
                })
                .response
                .labelled_by(year_label);
        });
        let seen = exit::findings_of(&view.workflow, record.household.id);
        let assessment = exit::assess(
            record,
            year,
            &view.lines,
            &view.thresholds,
            view.today,
            &seen,
        );
        let (verdict, color) = if assessment.passed {
            (
                lang.pick(
                    "达到“一超六有”脱贫标准",
                    "Meets the exit standard (一超六有)",
                ),
                OK_GREEN,
            )
        } else {
            (
                lang.pick(
                    "未达到脱贫标准，原因如下",
                    "Does not meet the exit standard; reasons below",
                ),
                ERROR_RED,
            )
        };
        ui.label(RichText::new(verdict).color(color).strong());
        for item in &assessment.items {
            ui.horizontal_wrapped(|ui| {
                let (mark, color) = if item.passed {
                    ("✓", OK_GREEN)
                } else if item.not_surveyed() {
                    (lang.pick("未调查", "Not surveyed"), WARN_AMBER)
                } else {
                    ("×", ERROR_RED)
                };
                ui.label(RichText::new(mark).color(color).strong());
                ui.label(item.criterion.label(lang));
            });
            for reason in &item.reasons {
                ui.label(
                    RichText::new(format!("      {}", reason.localize(lang))).color(ERROR_RED),
                );
            }
        }
        ui.separator();
        self.decision_ui(ui, lang, record, view, year, assessment.passed, actions);
    }

    /// Exit is proposed when the checklist passes, then confirmed by the team with a date; the
    /// confirmation makes the household exited in that year (one undoable change).
    #[allow(clippy::too_many_arguments)]
    fn decision_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        record: &HouseholdRecord,
        view: &VillageView,
        year: i32,
        passed: bool,
        actions: &mut Vec<Action>,
    ) {
        if let HouseholdStatus::Exited { year } = record.household.status {
            ui.label(
                RichText::new(match lang {
                    Lang::Zh => format!("该户已于{year}年脱贫，脱贫后继续监测。"),
                    Lang::En => format!("The household exited in {year}; it stays monitored."),
                })
                .color(OK_GREEN),
            );
            // Who confirmed it, and when.
            if let Some(d) = view
                .workflow
                .exits
                .iter()
                .filter(|d| d.household_id == record.household.id)
                .filter(|d| d.confirmed_on.is_some())
                .max_by_key(|d| d.confirmed_on)
            {
                let on = d.confirmed_on.map(|d| d.to_string()).unwrap_or_default();
                ui.label(match lang {
                    Lang::Zh => format!("确认人：{}，确认日期：{on}", d.confirmed_by),
                    Lang::En => format!("Confirmed by {} on {on}", d.confirmed_by),
                });
            }
            return;
        }
        if record.household.status != HouseholdStatus::Registered {
            return;
        }
        let pending = view
            .workflow
            .exits
            .iter()
            .find(|d| d.household_id == record.household.id && d.confirmed_on.is_none());
        match pending {
            None if passed => {
                let label = match lang {
                    Lang::Zh => format!("提议脱贫（{year}年度）"),
                    Lang::En => format!("Propose exit ({year})"),
                };
                if ui.button(label).clicked() {
                    actions.push(Action::Data(DataAction::SaveExitDecision(ExitDecision {
                        id: Uuid::new_v4(),
                        household_id: record.household.id,
                        proposed_on: view.today,
                        proposed_year: year,
                        confirmed_on: None,
                        confirmed_by: String::new(),
                    })));
                }
            }
            None => {
                ui.label(lang.pick(
                    "解决以上问题后才能提议脱贫。",
                    "Exit can be proposed once the problems above are solved.",
                ));
            }
            Some(decision) => {
                ui.label(match lang {
                    Lang::Zh => format!(
                        "已于{}提议脱贫（{}年度），待工作队确认。",
                        decision.proposed_on, decision.proposed_year
                    ),
                    Lang::En => format!(
                        "Exit proposed on {} ({}), awaiting the team's confirmation.",
                        decision.proposed_on, decision.proposed_year
                    ),
                });
                if self.confirm_date.is_empty() {
                    self.confirm_date = view.today.to_string();
                }
                let mut confirm = false;
                egui::Grid::new("exit_confirm")
                    .num_columns(2)
                    .show(ui, |ui| {
                        let date_ok =
                            NaiveDate::parse_from_str(self.confirm_date.trim(), "%Y-%m-%d").is_ok();
                        let e = (!date_ok).then(|| date_hint(lang).to_string());
                        text_row(
                            ui,
                            lang.pick("确认日期", "Confirmed on"),
                            &mut self.confirm_date,
                            e.as_deref(),
                        );
                        let e = self
                            .missing_confirmer
                            .then(|| lang.pick("请选择确认人", "Choose who confirms").to_string());
                        pickers::team_member_row(
                            ui,
                            lang,
                            lang.pick("确认人", "Confirmed by"),
                            &mut self.confirm_by,
                            &view.workflow.team,
                            e.as_deref(),
                        );
                    });
                // Inside the warning band: confirm if the team agrees, but knowingly.
                if let Some(f) = income::figures(
                    record,
                    decision.proposed_year,
                    &view.lines,
                    &view.thresholds,
                )
                .filter(|f| f.standing == income::IncomeStanding::Marginal)
                {
                    let (pc, warn) = (
                        widgets::yuan(f.per_capita_yuan),
                        widgets::yuan(f.warning_yuan),
                    );
                    ui.label(
                        RichText::new(match lang {
                            Lang::Zh => format!(
                                "注意：该户{}年人均纯收入{pc}元，仍在监测范围内（低于{warn}元）。可以确认脱贫，但脱贫后须纳入监测。",
                                f.year
                            ),
                            Lang::En => format!(
                                "Caution: per-capita income {pc} yuan in {} is inside the warning band (below {warn}). Exit may be confirmed, but the household must then be monitored.",
                                f.year
                            ),
                        })
                        .color(WARN_AMBER),
                    );
                }
                ui.horizontal(|ui| {
                    confirm = ui.button(lang.pick("确认脱贫", "Confirm exit")).clicked();
                    if ui
                        .button(lang.pick("撤回提议", "Withdraw proposal"))
                        .clicked()
                    {
                        actions.push(Action::Data(DataAction::DeleteExitDecision(decision.id)));
                    }
                });
                if confirm {
                    self.missing_confirmer = self.confirm_by.trim().is_empty();
                }
                if confirm
                    && !self.missing_confirmer
                    && let Ok(on) = NaiveDate::parse_from_str(self.confirm_date.trim(), "%Y-%m-%d")
                {
                    actions.push(Action::Data(DataAction::SaveExitDecision(ExitDecision {
                        confirmed_on: Some(on),
                        confirmed_by: self.confirm_by.trim().to_string(),
                        ..decision.clone()
                    })));
                }
            }
        }
    }
}
