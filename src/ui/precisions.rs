//! The six precisions (六个精准) of the village: for each, the measured figure and the list of
//! households behind it, each a link to open the household. The figures come only from
//! `rules::precisions::evaluate`, so the window and `dripline precisions` always agree.

use eframe::egui::{self, RichText};

use super::app::{Action, Screen, VillageSnapshot};
use super::widgets::{self, ERROR_RED, OK_GREEN, WARN_AMBER};
use crate::i18n::{Label, Lang, Localize};
use crate::rules::precisions::{HouseholdRef, Precisions};

#[derive(Default)]
pub struct PrecisionsScreen;

/// One line of a list: the household number as a link, the head, and why it is listed.
fn household_line_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    household: &HouseholdRef,
    reason: &str,
    actions: &mut Vec<Action>,
) {
    ui.horizontal_wrapped(|ui| {
        if ui.link(&household.number).clicked() {
            actions.push(Action::Navigate(Screen::Household(household.household_id)));
        }
        ui.label(
            household
                .head_name
                .as_deref()
                .unwrap_or(lang.pick("（无户主）", "(no head)")),
        );
        if !reason.is_empty() {
            ui.label(RichText::new(reason).color(ERROR_RED));
        }
    });
}

/// A headline figure: green when nothing is wrong, amber otherwise.
fn figure_ui(ui: &mut egui::Ui, text: String, problems: usize) {
    let color = if problems == 0 { OK_GREEN } else { WARN_AMBER };
    ui.label(RichText::new(text).color(color));
}

fn count_text(lang: Lang, zh: &str, en: &str, n: usize) -> String {
    match lang {
        Lang::Zh => format!("{zh}：{n}"),
        Lang::En => format!("{en}: {n}"),
    }
}

impl PrecisionsScreen {
    pub fn ui(&mut self, ui: &mut egui::Ui, lang: Lang, snapshot: &VillageSnapshot) -> Vec<Action> {
        let mut actions = Vec::new();
        ui.heading(lang.pick("六个精准", "The six precisions"));
        let Some(p) = &snapshot.precisions else {
            ui.label(lang.pick("还没有村。", "No village yet."));
            return actions;
        };
        egui::ScrollArea::vertical().show(ui, |ui| {
            Self::targets_ui(ui, lang, p, snapshot, &mut actions);
            Self::projects_ui(ui, lang, p, &mut actions);
            Self::funds_ui(ui, lang, p);
            Self::measures_ui(ui, lang, p, &mut actions);
            Self::personnel_ui(ui, lang, p, snapshot, &mut actions);
            Self::results_ui(ui, lang, p, snapshot, &mut actions);
        });
        actions
    }

    fn targets_ui(
        ui: &mut egui::Ui,
        lang: Lang,
        p: &Precisions,
        snapshot: &VillageSnapshot,
        actions: &mut Vec<Action>,
    ) {
        let t = &p.targets;
        egui::CollapsingHeader::new(lang.pick("1 扶持对象精准", "1 Precise targets"))
            .default_open(true)
            .show(ui, |ui| {
                figure_ui(
                    ui,
                    count_text(
                        lang,
                        "有数据问题的户",
                        "Households with data problems",
                        t.households_with_findings,
                    ),
                    t.households_with_findings,
                );
                for f in &t.findings {
                    if let Some(r) = snapshot.record(f.household_id) {
                        household_line_ui(
                            ui,
                            lang,
                            &HouseholdRef::of(r),
                            &f.localize(lang),
                            actions,
                        );
                    }
                }
                figure_ui(
                    ui,
                    count_text(
                        lang,
                        "边缘易致贫户（未建档、收入在监测线内）",
                        "Marginal households within the warning band",
                        t.marginal.len(),
                    ),
                    t.marginal.len(),
                );
                for m in &t.marginal {
                    let reason = match lang {
                        Lang::Zh => format!(
                            "{}年人均{}元，监测线{}元",
                            m.year,
                            widgets::yuan(m.per_capita_yuan),
                            widgets::yuan(m.warning_line_yuan)
                        ),
                        Lang::En => format!(
                            "{}: {} per person, warning line {}",
                            m.year,
                            widgets::yuan(m.per_capita_yuan),
                            widgets::yuan(m.warning_line_yuan)
                        ),
                    };
                    household_line_ui(ui, lang, &m.household, &reason, actions);
                }
                figure_ui(
                    ui,
                    count_text(
                        lang,
                        "识别存疑的户",
                        "Suspicious identifications",
                        t.suspicious_households(),
                    ),
                    t.suspicious_households(),
                );
                for s in &t.elderly_splits {
                    household_line_ui(ui, lang, &s.household, &s.localize(lang), actions);
                }
            });
    }

    fn projects_ui(ui: &mut egui::Ui, lang: Lang, p: &Precisions, actions: &mut Vec<Action>) {
        let pr = &p.projects;
        egui::CollapsingHeader::new(lang.pick("2 项目安排精准", "2 Precise projects"))
            .default_open(true)
            .show(ui, |ui| {
                ui.label(match lang {
                    Lang::Zh => format!(
                        "项目 {} 个，预算合计 {} 元",
                        pr.projects.len(),
                        widgets::yuan(pr.total_budget_yuan)
                    ),
                    Lang::En => format!(
                        "{} projects, budget {} yuan",
                        pr.projects.len(),
                        widgets::yuan(pr.total_budget_yuan)
                    ),
                });
                figure_ui(
                    ui,
                    count_text(
                        lang,
                        "未关联任何农户的项目",
                        "Projects serving no household",
                        pr.without_households.len(),
                    ),
                    pr.without_households.len(),
                );
                for project in &pr.projects {
                    let none = project.households.is_empty();
                    let text = format!(
                        "{} · {} · {} {}",
                        project.name,
                        project.kind.label(lang),
                        widgets::yuan(project.budget_yuan),
                        lang.pick("元", "yuan")
                    );
                    ui.label(if none {
                        RichText::new(text).color(ERROR_RED)
                    } else {
                        RichText::new(text)
                    });
                    ui.indent(project.project_id, |ui| {
                        for h in &project.households {
                            household_line_ui(ui, lang, h, "", actions);
                        }
                    });
                }
            });
    }

    fn funds_ui(ui: &mut egui::Ui, lang: Lang, p: &Precisions) {
        let f = &p.funds;
        egui::CollapsingHeader::new(lang.pick("3 资金使用精准", "3 Precise use of funds"))
            .default_open(true)
            .show(ui, |ui| {
                ui.label(match lang {
                    Lang::Zh => format!("资金合计 {} 元", widgets::yuan(f.total_yuan)),
                    Lang::En => format!("Funds in total: {} yuan", widgets::yuan(f.total_yuan)),
                });
                ui.horizontal_wrapped(|ui| {
                    ui.label(lang.pick("按来源：", "By source:"));
                    for (source, amount) in &f.by_source {
                        ui.label(format!("{} {}", source.label(lang), widgets::yuan(*amount)));
                    }
                });
                ui.horizontal_wrapped(|ui| {
                    ui.label(lang.pick("按用途：", "By use:"));
                    for (kind, amount) in &f.by_use {
                        ui.label(format!("{} {}", kind.label(lang), widgets::yuan(*amount)));
                    }
                });
                figure_ui(
                    ui,
                    count_text(
                        lang,
                        "未落到项目或农户的资金（分散资金）",
                        "Entries tied to no project or household (scattered)",
                        f.unattached.len(),
                    ),
                    f.unattached.len(),
                );
                figure_ui(
                    ui,
                    count_text(
                        lang,
                        "疑似重复记账的资金组",
                        "Groups of possibly double-counted entries",
                        f.double_counted.len(),
                    ),
                    f.double_counted.len(),
                );
            });
    }

    fn measures_ui(ui: &mut egui::Ui, lang: Lang, p: &Precisions, actions: &mut Vec<Action>) {
        let m = &p.measures;
        egui::CollapsingHeader::new(
            lang.pick("4 措施到户精准", "4 Precise measures per household"),
        )
        .default_open(true)
        .show(ui, |ui| {
            figure_ui(
                ui,
                count_text(
                    lang,
                    "没有帮扶计划的建档立卡户",
                    "Registered households without a plan",
                    m.without_plan.len(),
                ),
                m.without_plan.len(),
            );
            for h in &m.without_plan {
                household_line_ui(ui, lang, h, "", actions);
            }
            figure_ui(
                ui,
                count_text(
                    lang,
                    "措施未针对主要致贫原因",
                    "Plans ignoring the main cause",
                    m.ignoring_main_cause.len(),
                ),
                m.ignoring_main_cause.len(),
            );
            for f in &m.ignoring_main_cause {
                household_line_ui(ui, lang, &f.household, &f.gap.localize(lang), actions);
            }
            figure_ui(
                ui,
                count_text(
                    lang,
                    "多头重复帮扶",
                    "Repeated assistance from several units",
                    m.repeated.len(),
                ),
                m.repeated.len(),
            );
            for r in &m.repeated {
                household_line_ui(ui, lang, &r.household, &r.localize(lang), actions);
            }
        });
    }

    fn personnel_ui(
        ui: &mut egui::Ui,
        lang: Lang,
        p: &Precisions,
        snapshot: &VillageSnapshot,
        actions: &mut Vec<Action>,
    ) {
        let pe = &p.personnel;
        egui::CollapsingHeader::new(lang.pick("5 因村派人精准", "5 Precise personnel"))
            .default_open(true)
            .show(ui, |ui| {
                let secretary = if pe.first_secretary_serving {
                    RichText::new(lang.pick("第一书记在岗", "First secretary serving"))
                        .color(OK_GREEN)
                } else {
                    RichText::new(lang.pick("没有在岗的第一书记", "No first secretary serving"))
                        .color(ERROR_RED)
                };
                ui.label(secretary);
                ui.label(count_text(
                    lang,
                    "在岗工作队员",
                    "Team members serving",
                    pe.serving,
                ));
                ui.label(count_text(
                    lang,
                    "帮扶责任人",
                    "Assigned helpers",
                    pe.helpers.len(),
                ));
                figure_ui(
                    ui,
                    count_text(
                        lang,
                        "没有帮扶责任人的户",
                        "Households with no helper",
                        pe.without_helper.len(),
                    ),
                    pe.without_helper.len(),
                );
                for h in &pe.without_helper {
                    household_line_ui(ui, lang, h, "", actions);
                }
                let days = snapshot.thresholds.visit_interval_days;
                let label = match lang {
                    Lang::Zh => format!("超过{days}天未走访的户：{}", pe.due_visits.len()),
                    Lang::En => format!(
                        "Households not visited within {days} days: {}",
                        pe.due_visits.len()
                    ),
                };
                figure_ui(ui, label, pe.due_visits.len());
                for due in &pe.due_visits {
                    if let Some(r) = snapshot.record(due.household_id) {
                        household_line_ui(
                            ui,
                            lang,
                            &HouseholdRef::of(r),
                            &due.localize(lang),
                            actions,
                        );
                    }
                }
            });
    }

    fn results_ui(
        ui: &mut egui::Ui,
        lang: Lang,
        p: &Precisions,
        snapshot: &VillageSnapshot,
        actions: &mut Vec<Action>,
    ) {
        let r = &p.results;
        egui::CollapsingHeader::new(lang.pick("6 脱贫成效精准", "6 Precise results"))
            .default_open(true)
            .show(ui, |ui| {
                let incidence = r
                    .village
                    .incidence
                    .map(|i| format!("{:.2}%", i * 100.0))
                    .unwrap_or_else(|| "—".into());
                let passed = r
                    .village
                    .incidence
                    .is_some_and(|i| i < snapshot.thresholds.max_incidence);
                ui.label(
                    RichText::new(match lang {
                        Lang::Zh => format!(
                            "贫困发生率 {incidence}（标准 < {:.0}%）",
                            snapshot.thresholds.max_incidence * 100.0
                        ),
                        Lang::En => format!(
                            "Poverty incidence {incidence} (standard < {:.0}%)",
                            snapshot.thresholds.max_incidence * 100.0
                        ),
                    })
                    .color(if passed { OK_GREEN } else { ERROR_RED }),
                );
                ui.label(count_text(
                    lang,
                    "达到脱贫标准、可以申请退出的户",
                    "Households ready to exit",
                    r.ready.len(),
                ));
                for ready in &r.ready {
                    household_line_ui(ui, lang, &ready.household, "", actions);
                }
                figure_ui(
                    ui,
                    count_text(
                        lang,
                        "未达标的建档立卡户",
                        "Registered households failing the standard",
                        r.failing.len(),
                    ),
                    r.failing.len(),
                );
                for failing in &r.failing {
                    let reasons: Vec<String> = failing
                        .assessment
                        .failed()
                        .map(|item| item.criterion.label(lang).to_string())
                        .collect();
                    household_line_ui(
                        ui,
                        lang,
                        &failing.household,
                        &reasons.join(lang.pick("、", ", ")),
                        actions,
                    );
                }
                figure_ui(
                    ui,
                    count_text(
                        lang,
                        "已脱贫但有返贫风险的户",
                        "Exited households at risk",
                        r.at_risk.len(),
                    ),
                    r.at_risk.len(),
                );
                for risk in &r.at_risk {
                    let reasons: Vec<String> =
                        risk.reasons.iter().map(|x| x.localize(lang)).collect();
                    household_line_ui(
                        ui,
                        lang,
                        &risk.household,
                        &reasons.join(lang.pick("；", "; ")),
                        actions,
                    );
                }
            });
    }
}
