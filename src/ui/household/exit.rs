//! The exit check of a household (脱贫检查, 一超六有) for a chosen income year, each failed item
//! with its reasons; when it passes, exit is proposed, then confirmed by the team with a date.

use chrono::NaiveDate;
use eframe::egui::{self, RichText};
use uuid::Uuid;

use crate::i18n::{Label, Lang, Localize};
use crate::model::{ExitDecision, HouseholdRecord, HouseholdStatus};
use crate::rules::exit;
use crate::ui::action::{Action, DataAction};
use crate::ui::widgets::record_editor::date_hint;
use crate::ui::widgets::{ERROR_RED, OK_GREEN, WARN_AMBER, text_row};
use crate::workspace::VillageView;

#[derive(Default)]
pub struct ExitTab {
    /// The income year checked (the latest until another is chosen).
    year: Option<i32>,
    confirm_date: String,
    confirm_by: String,
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
        let assessment = exit::assess(record, year, &view.lines, &view.thresholds, view.today);
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
                        text_row(
                            ui,
                            lang.pick("确认人", "Confirmed by"),
                            &mut self.confirm_by,
                            None,
                        );
                    });
                ui.horizontal(|ui| {
                    confirm = ui.button(lang.pick("确认脱贫", "Confirm exit")).clicked();
                    if ui
                        .button(lang.pick("撤回提议", "Withdraw proposal"))
                        .clicked()
                    {
                        actions.push(Action::Data(DataAction::DeleteExitDecision(decision.id)));
                    }
                });
                if confirm
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
