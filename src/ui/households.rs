//! The registry list (农户名册): every household of the village in a virtualised table, with
//! search as you type, filters and sorting.

use eframe::egui::{self, RichText, Sense};
use egui_extras::{Column, TableBuilder};

use super::action::{Action, RegisterTab, Screen};
use super::widgets::{self, ERROR_RED, OK_GREEN, WARN_AMBER};
use crate::i18n::{Label, Lang};
use crate::model::{Cause, HouseholdStatus};
use crate::rules::first_run::{self, Step, StepState};
use crate::rules::income::IncomeStanding;
use crate::rules::summary::{self, HouseholdSummary, ListFilter, SortKey, StatusFilter};
use crate::workspace::VillageView;

pub struct HouseholdListScreen {
    filter: ListFilter,
    sort_key: SortKey,
    ascending: bool,
}

impl Default for HouseholdListScreen {
    fn default() -> Self {
        HouseholdListScreen {
            filter: ListFilter::default(),
            sort_key: SortKey::Number,
            ascending: true,
        }
    }
}

fn status_filter_label(f: StatusFilter, lang: Lang) -> &'static str {
    match f {
        StatusFilter::Registered => lang.pick("建档立卡贫困户", "Registered poor"),
        StatusFilter::Exited => lang.pick("已脱贫", "Exited"),
        StatusFilter::Monitored => lang.pick("监测户", "Monitored"),
        StatusFilter::NotRegistered => lang.pick("非贫困户", "Not registered"),
        StatusFilter::Unassessed => lang.pick("待识别", "Not yet assessed"),
    }
}

/// The status as the list shows it, with the exit year where there is one.
pub fn status_text(status: HouseholdStatus, lang: Lang) -> String {
    match status {
        HouseholdStatus::Exited { year } => match lang {
            Lang::Zh => format!("{year}年脱贫"),
            Lang::En => format!("Exited {year}"),
        },
        other => other.label(lang).to_string(),
    }
}

/// "per-capita / line" coloured by where the income stands.
pub fn income_cell_ui(ui: &mut egui::Ui, summary: &HouseholdSummary, lang: Lang) {
    match &summary.latest {
        Some(f) => {
            let color = match f.standing {
                IncomeStanding::Below => ERROR_RED,
                IncomeStanding::Marginal => WARN_AMBER,
                IncomeStanding::Above => OK_GREEN,
            };
            ui.label(
                RichText::new(format!(
                    "{} / {} ({})",
                    widgets::yuan(f.per_capita_yuan),
                    widgets::yuan(f.line_yuan),
                    f.year
                ))
                .color(color),
            )
            .on_hover_text(f.standing.label(lang));
        }
        None => {
            ui.label(lang.pick("无收入记录", "No income record"));
        }
    }
}

/// The first-run path of a new village: each step with a button that goes there, done steps
/// ticked.
fn first_run_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    view: &VillageView,
    steps: &[StepState],
    actions: &mut Vec<Action>,
) {
    ui.group(|ui| {
        ui.heading(lang.pick("开始使用：三步建好本村台账", "Getting started: three steps"));
        for (n, state) in steps.iter().enumerate() {
            ui.horizontal_wrapped(|ui| {
                let mark = if state.done {
                    RichText::new(format!("✓ {}", n + 1)).color(OK_GREEN)
                } else {
                    RichText::new(format!("○ {}", n + 1)).color(WARN_AMBER)
                };
                ui.label(mark.strong());
                let title = RichText::new(state.step.title(lang)).strong();
                ui.label(if state.done {
                    title.color(OK_GREEN)
                } else {
                    title
                });
                if let Some((done, of)) = state.progress {
                    ui.label(match lang {
                        Lang::Zh => format!("（已完成 {done} / {of} 户）"),
                        Lang::En => format!("({done} of {of} households)"),
                    });
                }
                if state.done {
                    ui.label(RichText::new(lang.pick("已完成", "Done")).color(OK_GREEN));
                }
            });
            ui.indent(("first_run", n), |ui| {
                ui.label(RichText::new(state.step.hint(lang)).weak());
                ui.horizontal(|ui| match state.step {
                    Step::Team => {
                        if ui
                            .button(lang.pick("去添加工作队", "Go to the team"))
                            .clicked()
                        {
                            actions.push(Action::OpenRegister(RegisterTab::Team));
                        }
                    }
                    Step::Households => {
                        if ui
                            .button(lang.pick("添加农户", "Add a household"))
                            .clicked()
                        {
                            actions.push(Action::Navigate(Screen::NewHousehold));
                        }
                        if ui
                            .button(lang.pick("导入入户调查表", "Import a survey spreadsheet"))
                            .clicked()
                        {
                            actions.push(Action::Navigate(Screen::Spreadsheets));
                        }
                    }
                    Step::Survey => {
                        let next = first_run::next_to_survey(&view.records, &view.workflow);
                        let button =
                            egui::Button::new(lang.pick("调查下一户", "Survey the next household"));
                        let response = ui.add_enabled(next.is_some(), button);
                        if let Some(id) = next
                            && response.clicked()
                        {
                            actions.push(Action::OpenSurvey(id));
                        }
                    }
                });
            });
        }
    });
}

impl HouseholdListScreen {
    pub fn ui(&mut self, ui: &mut egui::Ui, lang: Lang, view: &VillageView) -> Vec<Action> {
        let mut actions = Vec::new();
        let steps = first_run::steps(&view.records, &view.workflow);
        if first_run::shows_path(&view.village, &steps) {
            first_run_ui(ui, lang, view, &steps, &mut actions);
            // Without households there is no table to show, nor figures that mean anything.
            if view.records.is_empty() {
                return actions;
            }
            ui.add_space(6.0);
        }
        self.figures_ui(ui, lang, view);
        self.filters_ui(ui, lang, &mut actions);

        let mut rows: Vec<&HouseholdSummary> = view
            .summaries
            .iter()
            .filter(|s| self.filter.matches(s))
            .collect();
        summary::sort(&mut rows, self.sort_key, self.ascending);
        summary::search_first(&mut rows, &self.filter);
        ui.label(match lang {
            Lang::Zh => format!("共 {} 户，显示 {} 户", view.summaries.len(), rows.len()),
            Lang::En => format!("{} households, {} shown", view.summaries.len(), rows.len()),
        });
        ui.separator();
        self.table_ui(ui, lang, &rows, &mut actions);
        actions
    }

    fn figures_ui(&self, ui: &mut egui::Ui, lang: Lang, view: &VillageView) {
        let count = |f: StatusFilter| {
            view.summaries
                .iter()
                .filter(|s| f.matches(s.status))
                .count()
        };
        let marginal = view.summaries.iter().filter(|s| s.marginal).count();
        ui.horizontal_wrapped(|ui| {
            ui.heading(lang.pick("农户名册", "Households"));
            ui.separator();
            for f in StatusFilter::ALL {
                ui.label(format!("{} {}", status_filter_label(f, lang), count(f)));
            }
            ui.label(format!("{} {marginal}", lang.pick("边缘户", "Marginal")));
            {
                let a = &view.assessment;
                ui.separator();
                let incidence = a
                    .incidence
                    .map(|i| format!("{:.2}%", i * 100.0))
                    .unwrap_or_else(|| "—".into());
                let color = match a.incidence {
                    Some(i) if i < view.thresholds.max_incidence => OK_GREEN,
                    Some(_) => ERROR_RED,
                    // No registered population yet: nothing to be alarmed about.
                    None => ui.visuals().text_color(),
                };
                ui.label(
                    RichText::new(match lang {
                        Lang::Zh => format!(
                            "贫困发生率 {incidence}（退出标准 < {:.0}%）",
                            view.thresholds.max_incidence * 100.0
                        ),
                        Lang::En => format!(
                            "Poverty incidence {incidence} (exit standard < {:.0}%)",
                            view.thresholds.max_incidence * 100.0
                        ),
                    })
                    .color(color),
                );
                if let Some(note) = a.unassessed_note(lang) {
                    ui.label(RichText::new(note).color(WARN_AMBER));
                }
            }
        });
        widgets::threshold_warnings_ui(ui, &view.precisions.threshold_warnings, lang);
    }

    fn filters_ui(&mut self, ui: &mut egui::Ui, lang: Lang, actions: &mut Vec<Action>) {
        ui.horizontal_wrapped(|ui| {
            let search_label = ui.label(lang.pick("搜索", "Search")).id;
            ui.add(
                egui::TextEdit::singleline(&mut self.filter.search)
                    .hint_text(lang.pick("姓名或身份证号", "Name or ID number"))
                    .desired_width(180.0),
            )
            .labelled_by(search_label);
            let status_label = ui.label(lang.pick("状态", "Status")).id;
            let all = lang.pick("全部", "All");
            let mut status = self.filter.status;
            egui::ComboBox::from_id_salt("status_filter")
                .selected_text(status.map(|s| status_filter_label(s, lang)).unwrap_or(all))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut status, None, all);
                    for f in StatusFilter::ALL {
                        ui.selectable_value(&mut status, Some(f), status_filter_label(f, lang));
                    }
                })
                .response
                .labelled_by(status_label);
            self.filter.status = status;
            let cause_label = ui.label(lang.pick("主要致贫原因", "Main cause")).id;
            widgets::optional_combo(
                ui,
                lang,
                cause_label,
                all,
                &mut self.filter.cause,
                Cause::ALL,
            );
            ui.checkbox(
                &mut self.filter.marginal_only,
                lang.pick("仅边缘户", "Marginal only"),
            );
            ui.checkbox(
                &mut self.filter.problems_only,
                lang.pick("仅有问题的户", "With problems only"),
            );
            if ui.button(lang.pick("清除筛选", "Clear filters")).clicked() {
                self.filter = ListFilter::default();
            }
            ui.separator();
            if ui
                .button(lang.pick("＋ 新增农户", "+ New household"))
                .clicked()
            {
                actions.push(Action::Navigate(Screen::NewHousehold));
            }
        });
    }

    fn header_button(&mut self, ui: &mut egui::Ui, text: &str, key: SortKey) {
        let arrow = if self.sort_key == key {
            if self.ascending { " ▲" } else { " ▼" }
        } else {
            ""
        };
        if ui
            .button(RichText::new(format!("{text}{arrow}")).strong())
            .clicked()
        {
            if self.sort_key == key {
                self.ascending = !self.ascending;
            } else {
                self.sort_key = key;
                self.ascending = true;
            }
        }
    }

    fn table_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        rows: &[&HouseholdSummary],
        actions: &mut Vec<Action>,
    ) {
        let headers = [
            (lang.pick("户编号", "No."), SortKey::Number),
            (lang.pick("户主", "Head"), SortKey::Head),
            (lang.pick("人口", "Size"), SortKey::Size),
            (lang.pick("状态", "Status"), SortKey::Status),
            (lang.pick("主要致贫原因", "Main cause"), SortKey::Cause),
            (
                lang.pick("人均纯收入 / 标准（年）", "Per capita / line (year)"),
                SortKey::Income,
            ),
            (lang.pick("帮扶责任人", "Helper"), SortKey::Helper),
            (lang.pick("问题", "Problems"), SortKey::Problems),
        ];
        TableBuilder::new(ui)
            .id_salt("households")
            .striped(true)
            .sense(Sense::click())
            .column(Column::exact(84.0))
            .column(Column::initial(80.0).at_least(60.0))
            .column(Column::exact(50.0))
            .column(Column::initial(130.0).at_least(80.0))
            .column(Column::initial(120.0).at_least(80.0))
            .column(Column::initial(200.0).at_least(120.0))
            .column(Column::initial(160.0).at_least(80.0))
            .column(Column::remainder().at_least(50.0))
            .header(26.0, |mut header| {
                for (text, key) in headers {
                    header.col(|ui| self.header_button(ui, text, key));
                }
            })
            .body(|body| {
                body.rows(24.0, rows.len(), |mut row| {
                    let s = rows[row.index()];
                    row.col(|ui| {
                        if ui.link(&s.number).clicked() {
                            actions.push(Action::Navigate(Screen::Household(s.id)));
                        }
                    });
                    row.col(|ui| {
                        if s.head_name.is_empty() {
                            ui.label(
                                RichText::new(lang.pick("（无户主）", "(no head)"))
                                    .color(ERROR_RED),
                            );
                        } else {
                            ui.label(&s.head_name);
                        }
                    });
                    row.col(|ui| {
                        ui.label(s.size.to_string());
                    });
                    row.col(|ui| {
                        ui.label(status_text(s.status, lang));
                    });
                    row.col(|ui| {
                        ui.label(s.main_cause.map(|c| c.label(lang)).unwrap_or("—"));
                    });
                    row.col(|ui| income_cell_ui(ui, s, lang));
                    row.col(|ui| {
                        if s.helper_name.is_empty() {
                            ui.label("—");
                        } else {
                            ui.label(&s.helper_name);
                        }
                    });
                    row.col(|ui| {
                        if s.problems > 0 {
                            ui.label(RichText::new(format!("⚠ {}", s.problems)).color(WARN_AMBER));
                        }
                    });
                    if row.response().double_clicked() {
                        actions.push(Action::Navigate(Screen::Household(s.id)));
                    }
                });
            });
    }
}
