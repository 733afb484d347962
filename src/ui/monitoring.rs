//! 防止返贫监测: the village's monitoring cases. Open a case for a household, record each step
//! with its date and the person who did it (discovery → home visit with the signed
//! authorisation → village review → public notice → township review → county decision), see the
//! cases past their deadline, and carry an admitted case on to risk elimination, whose criteria
//! are shown before it is proposed. Every rule is `rules::monitoring_cases`; the screen only
//! emits [`DataAction::SaveMonitoringCase`].

use chrono::{Datelike, NaiveDate};
use eframe::egui::{self, RichText, Ui};
use uuid::Uuid;

use super::action::{Action, DataAction};
use super::widgets::record_editor::parse_date;
use super::widgets::{self, ERROR_RED, OK_GREEN, WARN_AMBER, pickers, text_row};
use crate::i18n::{Label, Lang, Localize};
use crate::model::{CaseStep, DiscoverySource, MonitoredKind, MonitoringCase, PublicNotice};
use crate::rules::exit;
use crate::rules::monitoring_cases::{self as cases, Stage, StepKind};
use crate::workspace::VillageView;

/// The form opening a case, as typed.
struct NewCaseForm {
    household: Option<Uuid>,
    kind: MonitoredKind,
    source: DiscoverySource,
    risk: String,
    date: String,
    by: String,
    problem: Option<String>,
}

/// The form of the next step of the selected case, as typed.
#[derive(Default)]
struct StepForm {
    date: String,
    until: String,
    by: String,
    signed: bool,
    not_admitted: bool,
    income_year: String,
    problem: Option<String>,
}

#[derive(Default)]
pub struct MonitoringScreen {
    new_case: Option<NewCaseForm>,
    selected: Option<Uuid>,
    step: StepForm,
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `c` with step `kind` recorded as `form` says, or what is wrong with the form.
fn with_step(
    c: &MonitoringCase,
    kind: StepKind,
    form: &StepForm,
    lang: Lang,
) -> Result<MonitoringCase, String> {
    let bad_date = || {
        lang.pick(
            "请按 2026-11-02 的格式填写日期",
            "Write the date as 2026-11-02",
        )
        .to_string()
    };
    let on = parse_date(&form.date).ok_or_else(bad_date)?;
    let by = form.by.trim().to_string();
    let step = Some(CaseStep { on, by: by.clone() });
    let notice = || -> Result<Option<PublicNotice>, String> {
        let end = parse_date(&form.until).ok_or_else(bad_date)?;
        Ok(Some(PublicNotice {
            start: on,
            end,
            by: by.clone(),
        }))
    };
    let mut c = c.clone();
    match kind {
        StepKind::Discovery => c.discovered = CaseStep { on, by },
        StepKind::HomeVisit => {
            c.home_visit = step;
            c.authorization_signed = form.signed;
        }
        StepKind::VillageReview => c.village_review = step,
        StepKind::Notice => c.notice = notice()?,
        StepKind::TownshipReview => c.township_review = step,
        StepKind::Decision => {
            c.decision = step;
            c.admitted = !form.not_admitted;
        }
        StepKind::EliminationProposal => {
            c.elimination.proposed = step;
            c.elimination.income_year = Some(form.income_year.trim().parse().map_err(|_| {
                lang.pick(
                    "请填写收入年度（如 2025）",
                    "Enter the income year (e.g. 2025)",
                )
                .to_string()
            })?);
        }
        StepKind::EliminationReview => c.elimination.village_review = step,
        StepKind::EliminationNotice => c.elimination.notice = notice()?,
        StepKind::EliminationTownshipReview => c.elimination.township_review = step,
        StepKind::EliminationDecision => c.elimination.decision = step,
    }
    Ok(c)
}

fn household_label(view: &VillageView, id: Uuid) -> String {
    pickers::household_name_of(&view.records, id)
}

impl MonitoringScreen {
    /// After a change of the data: the typed forms start again from what is stored.
    pub fn reset(&mut self) {
        self.new_case = None;
        self.step = StepForm::default();
    }

    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView, actor: &str) -> Vec<Action> {
        let mut actions = Vec::new();
        let (t, today) = (&view.thresholds, view.today);
        let all = &view.workflow.cases;
        let overdue = cases::overdue_cases(all, t, today);
        ui.heading(match lang {
            Lang::Zh => format!(
                "防止返贫监测（监测对象 {} 个，超过办理时限 {} 个）",
                all.len(),
                overdue.len()
            ),
            Lang::En => format!(
                "Return-to-poverty monitoring ({} cases, {} past their deadline)",
                all.len(),
                overdue.len()
            ),
        });
        widgets::threshold_warnings_ui(ui, &view.precisions.threshold_warnings, lang);
        notice_buttons_ui(ui, lang, view, &mut actions);
        ui.columns(2, |columns| {
            egui::ScrollArea::vertical()
                .id_salt("monitoring_cases")
                .show(&mut columns[0], |ui| {
                    self.overdue_ui(ui, lang, view, &overdue);
                    self.list_ui(ui, lang, view);
                    ui.separator();
                    self.new_case_ui(ui, lang, view, actor, &mut actions);
                });
            egui::ScrollArea::vertical()
                .id_salt("monitoring_case")
                .show(&mut columns[1], |ui| {
                    self.case_ui(ui, lang, view, actor, &mut actions);
                });
        });
        actions
    }

    fn overdue_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        view: &VillageView,
        overdue: &[(&MonitoringCase, cases::Deadline, i64)],
    ) {
        if overdue.is_empty() {
            return;
        }
        ui.label(
            RichText::new(lang.pick("超过办理时限", "Past their deadline"))
                .strong()
                .color(ERROR_RED),
        );
        for (c, d, days) in overdue {
            let text = RichText::new(match lang {
                Lang::Zh => format!(
                    "{} · {} · 待{}，期限{}，已超{days}天",
                    household_label(view, c.household_id),
                    c.kind.label(lang),
                    d.awaiting.label(lang),
                    d.due
                ),
                Lang::En => format!(
                    "{} · {} · awaiting {}, due {}, {days} days late",
                    household_label(view, c.household_id),
                    c.kind.label(lang),
                    d.awaiting.label(lang),
                    d.due
                ),
            })
            .color(ERROR_RED);
            let selected = self.selected == Some(c.id);
            if ui.selectable_label(selected, text).clicked() && !selected {
                self.selected = Some(c.id);
                self.step = StepForm::default();
            }
        }
        ui.add_space(6.0);
    }

    fn list_ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView) {
        ui.label(RichText::new(lang.pick("监测对象", "Cases")).strong());
        if view.workflow.cases.is_empty() {
            ui.label(lang.pick("还没有监测对象。", "No monitoring case yet."));
        }
        for c in &view.workflow.cases {
            let text = format!(
                "{} · {} · {} {} · {}",
                household_label(view, c.household_id),
                c.kind.label(lang),
                lang.pick("发现", "found"),
                c.discovered.on,
                cases::stage(c).localize(lang)
            );
            let selected = self.selected == Some(c.id);
            if ui.selectable_label(selected, text).clicked() && !selected {
                self.selected = Some(c.id);
                self.step = StepForm::default();
            }
        }
    }

    fn new_case_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        view: &VillageView,
        actor: &str,
        actions: &mut Vec<Action>,
    ) {
        let Some(form) = self.new_case.as_mut() else {
            if ui
                .button(lang.pick("新建监测对象", "Open a monitoring case"))
                .clicked()
            {
                self.new_case = Some(NewCaseForm {
                    household: None,
                    kind: MonitoredKind::SuddenHardship,
                    source: DiscoverySource::SelfReport,
                    risk: String::new(),
                    date: date_text(view.today),
                    by: actor.to_string(),
                    problem: None,
                });
            }
            return;
        };
        ui.label(RichText::new(lang.pick("新建监测对象", "Open a monitoring case")).strong());
        egui::Grid::new("new_case")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                pickers::choice_row(
                    ui,
                    lang.pick("农户", "Household"),
                    lang.pick("（请选择农户）", "(choose a household)"),
                    &mut form.household,
                    &pickers::household_options(&view.records),
                );
                widgets::combo_row(
                    ui,
                    lang,
                    lang.pick("监测类型", "Kind"),
                    &mut form.kind,
                    MonitoredKind::ALL,
                );
                let sources: Vec<DiscoverySource> = DiscoverySource::ALL
                    .iter()
                    .copied()
                    .filter(|s| *s != DiscoverySource::Unrecorded)
                    .collect();
                widgets::combo_row(
                    ui,
                    lang,
                    lang.pick("发现途径", "Found through"),
                    &mut form.source,
                    &sources,
                );
                text_row(ui, lang.pick("风险情况", "The risk"), &mut form.risk, None);
                text_row(ui, lang.pick("发现日期", "Found on"), &mut form.date, None);
                text_row(ui, lang.pick("发现人", "Found by"), &mut form.by, None);
            });
        if let Some(p) = &form.problem {
            ui.colored_label(ERROR_RED, p);
        }
        let (mut save, mut cancel) = (false, false);
        ui.horizontal(|ui| {
            save = ui
                .button(lang.pick("保存监测对象", "Save the case"))
                .clicked();
            cancel = ui.button(lang.pick("取消", "Cancel")).clicked();
        });
        if cancel {
            self.new_case = None;
            return;
        }
        if !save {
            return;
        }
        form.problem = None;
        let bad_date = lang.pick(
            "请按 2026-11-02 的格式填写日期",
            "Write the date as 2026-11-02",
        );
        match (form.household, parse_date(&form.date)) {
            (None, _) => {
                form.problem = Some(lang.pick("请选择农户", "Choose the household").into())
            }
            (_, None) => form.problem = Some(bad_date.into()),
            (Some(household_id), Some(on)) => {
                let c = MonitoringCase::opened(
                    Uuid::new_v4(),
                    household_id,
                    form.kind,
                    form.source,
                    form.risk.trim().to_string(),
                    CaseStep {
                        on,
                        by: form.by.trim().to_string(),
                    },
                );
                self.selected = Some(c.id);
                actions.push(Action::Data(DataAction::SaveMonitoringCase(Box::new(c))));
            }
        }
    }

    fn case_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        view: &VillageView,
        actor: &str,
        actions: &mut Vec<Action>,
    ) {
        let Some(c) = self
            .selected
            .and_then(|id| view.workflow.cases.iter().find(|c| c.id == id))
        else {
            ui.label(lang.pick(
                "在左边选择一个监测对象，逐步记录办理情况。",
                "Choose a case on the left to record its steps.",
            ));
            return;
        };
        let (t, today) = (&view.thresholds, view.today);
        ui.label(
            RichText::new(format!(
                "{} · {} · {}",
                household_label(view, c.household_id),
                c.kind.label(lang),
                c.source.label(lang)
            ))
            .strong(),
        );
        if !c.risk.is_empty() {
            ui.label(&c.risk);
        }
        for (kind, recorded) in cases::steps(c) {
            let Some(r) = recorded else { continue };
            let dates = match r.until {
                Some(until) => format!("{} ~ {until}", r.on),
                None => r.on.to_string(),
            };
            let extra = match kind {
                StepKind::HomeVisit if c.authorization_signed => {
                    lang.pick("（已签授权书）", " (authorisation signed)")
                }
                StepKind::Decision if c.admitted => lang.pick("（纳入监测）", " (admitted)"),
                StepKind::Decision => lang.pick("（不纳入）", " (not admitted)"),
                _ => "",
            };
            ui.label(format!("✓ {} {dates} {}{extra}", kind.label(lang), r.by));
        }
        let stage = cases::stage(c);
        ui.label(RichText::new(stage.localize(lang)).strong());
        if let Some(d) = cases::deadline(c, t) {
            let late = (today - d.due).num_days();
            let (text, color) = if late > 0 {
                (
                    match lang {
                        Lang::Zh => format!("办理期限{}，已超{late}天", d.due),
                        Lang::En => format!("Due {}, {late} days late", d.due),
                    },
                    ERROR_RED,
                )
            } else {
                (
                    match lang {
                        Lang::Zh => format!("办理期限{}，还剩{}天", d.due, -late),
                        Lang::En => format!("Due {}, {} days left", d.due, -late),
                    },
                    WARN_AMBER,
                )
            };
            ui.colored_label(color, text);
        }
        let next = match stage {
            Stage::Identifying { next } | Stage::Eliminating { next } => next,
            Stage::Monitored => StepKind::EliminationProposal,
            Stage::NotAdmitted | Stage::Eliminated => return,
        };
        ui.separator();
        let form = &mut self.step;
        if form.date.is_empty() {
            form.date = date_text(today);
            form.by = actor.to_string();
        }
        if next == StepKind::EliminationProposal {
            self::elimination_ui(ui, lang, view, c, form);
        }
        ui.label(
            RichText::new(match lang {
                Lang::Zh => format!("下一步：{}", next.label(lang)),
                Lang::En => format!("Next step: {}", next.label(lang)),
            })
            .strong(),
        );
        let is_notice = matches!(next, StepKind::Notice | StepKind::EliminationNotice);
        egui::Grid::new("case_step")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                let date_label = if is_notice {
                    lang.pick("公示开始日期", "Notice from")
                } else {
                    lang.pick("办理日期", "Date")
                };
                text_row(ui, date_label, &mut form.date, None);
                if is_notice {
                    if form.until.is_empty()
                        && let Some(start) = parse_date(&form.date)
                    {
                        let days = i64::from(t.notice_min_days.max(1)) - 1;
                        form.until = date_text(start + chrono::Duration::days(days));
                    }
                    text_row(
                        ui,
                        lang.pick("公示结束日期", "Notice until"),
                        &mut form.until,
                        None,
                    );
                }
                text_row(ui, lang.pick("经办人", "Done by"), &mut form.by, None);
                if next == StepKind::EliminationProposal {
                    text_row(
                        ui,
                        lang.pick("依据收入年度", "Income year judged"),
                        &mut form.income_year,
                        None,
                    );
                }
            });
        match next {
            StepKind::HomeVisit => {
                ui.checkbox(
                    &mut form.signed,
                    lang.pick(
                        "农户已签《监测对象申请及承诺授权查询书》",
                        "The household signed the authorisation",
                    ),
                );
            }
            StepKind::Decision => {
                ui.checkbox(
                    &mut form.not_admitted,
                    lang.pick("县级审定不纳入监测", "The county does not admit it"),
                );
            }
            _ => {}
        }
        if let Some(p) = &form.problem {
            ui.colored_label(ERROR_RED, p);
        }
        let button = match lang {
            Lang::Zh => format!("记录：{}", next.label(lang)),
            Lang::En => format!("Record: {}", next.label(lang)),
        };
        if ui.button(button).clicked() {
            match with_step(c, next, form, lang) {
                Ok(updated) => {
                    form.problem = None;
                    actions.push(Action::Data(DataAction::SaveMonitoringCase(Box::new(
                        updated,
                    ))));
                }
                Err(p) => form.problem = Some(p),
            }
        }
    }
}

/// The criteria of risk elimination for the income year typed (the latest income year until
/// one is typed), each item with its reasons, before the proposal is recorded.
fn elimination_ui(
    ui: &mut Ui,
    lang: Lang,
    view: &VillageView,
    c: &MonitoringCase,
    form: &mut StepForm,
) {
    let Some(record) = view.record(c.household_id) else {
        return;
    };
    if form.income_year.is_empty() {
        form.income_year = record
            .latest_income()
            .map_or(view.today.year() - 1, |i| i.year)
            .to_string();
    }
    let Ok(year) = form.income_year.trim().parse::<i32>() else {
        return;
    };
    let seen = exit::findings_of(&view.workflow, c.household_id);
    let a = cases::assess_elimination(
        record,
        year,
        &view.lines,
        &view.thresholds,
        view.today,
        &seen,
        lang,
    );
    ui.label(
        RichText::new(match lang {
            Lang::Zh => format!("风险消除标准（{year}年收入）"),
            Lang::En => format!("Risk elimination criteria ({year} incomes)"),
        })
        .strong(),
    );
    if let Some(m) = &a.missing {
        ui.colored_label(WARN_AMBER, format!("⚠ {}", m.localize(lang)));
    }
    for item in &a.items {
        let (mark, color) = if item.passed {
            ("✓", OK_GREEN)
        } else {
            ("×", ERROR_RED)
        };
        let reasons = if item.reasons.is_empty() {
            String::new()
        } else {
            format!(
                "{}{}",
                lang.pick("：", ": "),
                item.reasons.join(lang.pick("；", "; "))
            )
        };
        ui.colored_label(
            color,
            format!("{mark} {}{reasons}", item.criterion.label(lang)),
        );
    }
}

/// 打印公示名单: ask where to save the notice (PDF or XLSX), then leave the writing to the app.
fn notice_buttons_ui(ui: &mut Ui, lang: Lang, view: &VillageView, actions: &mut Vec<Action>) {
    use super::dialogs::{ChooserKind, FileName, FilePurpose, FileRequest};
    ui.horizontal(|ui| {
        for (xlsx, label, extension) in [
            (
                false,
                lang.pick("打印公示名单（PDF）", "Print the notice (PDF)"),
                "pdf",
            ),
            (
                true,
                lang.pick("公示名单（XLSX）", "The notice (XLSX)"),
                "xlsx",
            ),
        ] {
            if ui.button(label).clicked() {
                let file_name = format!(
                    "{}-{}.{extension}",
                    lang.pick("公示名单", "notice"),
                    view.village.name
                );
                let request =
                    FileRequest::new(ChooserKind::Save, label, FilePurpose::PrintNotice { xlsx })
                        .name(FileName::Exact(file_name))
                        .filter(if xlsx { "XLSX" } else { "PDF" }, &[extension]);
                actions.push(Action::ChooseFile(request));
            }
        }
    });
}
