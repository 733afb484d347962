//! The six panels in words: each panel's title, its figures with their labels, and every list
//! line (a household and why it is listed), written once for the window's precisions screen,
//! `dripline precisions` and the 六个精准清单 sheet of the export. The faces only lay these out
//! (links and colours, indentation, cells); none of them words a figure or a reason itself.

use uuid::Uuid;

use super::{AtRisk, ExitFailing, HouseholdRef, MarginalHousehold, Precisions};
use crate::i18n::{Label, Lang, Localize};
use crate::model::{HouseholdRecord, Thresholds};
use crate::rules::income::grouped_yuan;
use crate::rules::plan::PlanGap;
use crate::rules::quality::Finding;

/// One of the six precisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Targets,
    Projects,
    Funds,
    Measures,
    Personnel,
    Results,
}

impl Panel {
    pub const ALL: [Panel; 6] = [
        Panel::Targets,
        Panel::Projects,
        Panel::Funds,
        Panel::Measures,
        Panel::Personnel,
        Panel::Results,
    ];

    /// The precision's name (扶持对象精准).
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Panel::Targets => lang.pick("扶持对象精准", "Precise targets"),
            Panel::Projects => lang.pick("项目安排精准", "Precise projects"),
            Panel::Funds => lang.pick("资金使用精准", "Precise use of funds"),
            Panel::Measures => lang.pick("措施到户精准", "Precise measures per household"),
            Panel::Personnel => lang.pick("因村派人精准", "Precise personnel"),
            Panel::Results => lang.pick("脱贫成效精准", "Precise results"),
        }
    }

    /// The panel's heading: its number and name (1 扶持对象精准).
    pub fn title(self, lang: Lang) -> String {
        let number = Panel::ALL.iter().position(|p| *p == self).unwrap_or(0) + 1;
        format!("{number} {}", self.name(lang))
    }
}

/// A list of households behind a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Findings,
    Marginal,
    Suspicious,
    ProjectHouseholds,
    WithoutPlan,
    IgnoringMainCause,
    Repeated,
    WithoutHelper,
    DueVisits,
    Ready,
    Failing,
    AtRisk,
}

impl ListKind {
    /// The list's short name (the export's 清单 column).
    pub fn name(self, lang: Lang, visit_days: u32) -> String {
        let (zh, en) = match self {
            ListKind::Findings => ("数据问题", "Data problems"),
            ListKind::Marginal => ("边缘易致贫户", "Marginal households"),
            ListKind::Suspicious => ("识别存疑", "Suspicious identification"),
            ListKind::ProjectHouseholds => ("项目受益户", "Project households"),
            ListKind::WithoutPlan => ("没有帮扶计划", "No plan"),
            ListKind::IgnoringMainCause => {
                ("措施未针对主要致贫原因", "Plan ignores the main cause")
            }
            ListKind::Repeated => ("多头重复帮扶", "Repeated assistance"),
            ListKind::WithoutHelper => ("没有帮扶责任人", "No helper"),
            ListKind::DueVisits => {
                return match lang {
                    Lang::Zh => format!("超过{visit_days}天未走访"),
                    Lang::En => format!("Not visited within {visit_days} days"),
                };
            }
            ListKind::Ready => ("可申请退出", "Ready to exit"),
            ListKind::Failing => ("未达脱贫标准", "Failing the exit standard"),
            ListKind::AtRisk => ("返贫风险", "At risk of returning to poverty"),
        };
        lang.pick(zh, en).to_string()
    }

    /// Whether being on the list calls for work (its reasons read as problems); the households
    /// ready to exit are good news.
    pub fn is_problem(self) -> bool {
        self != ListKind::Ready
    }
}

/// How a sentence of a panel reads: neutral, good news or a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Good,
    Bad,
}

/// One entry of a panel, in the order the panel shows them.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// A figure with its label ("有数据问题的户：6"). With `problems`, a count of problems
    /// (nothing wrong at 0); without, a plain fact.
    Figure {
        text: String,
        problems: Option<usize>,
    },
    /// A sentence about the panel.
    Note { text: String, tone: Tone },
    /// Amounts under a label ("按来源" followed by "县级财政 1,000" …).
    Amounts { label: String, items: Vec<String> },
    /// A project and the households it serves; it is a problem when it serves none.
    Project {
        project_id: Uuid,
        text: String,
        serves_nobody: bool,
        /// The project as the export names it beside each of its households.
        detail: String,
        households: Vec<HouseholdRef>,
    },
    /// A household on a list, and why it is there ("" when the list says it all).
    Line {
        list: ListKind,
        household: HouseholdRef,
        reason: String,
    },
}

/// A panel in words.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelView {
    pub panel: Panel,
    pub entries: Vec<Entry>,
}

/// "label：n" / "label: n".
fn labelled(lang: Lang, zh: &str, en: &str, value: impl std::fmt::Display) -> String {
    match lang {
        Lang::Zh => format!("{zh}：{value}"),
        Lang::En => format!("{en}: {value}"),
    }
}

fn count(lang: Lang, zh: &str, en: &str, n: usize) -> Entry {
    Entry::Figure {
        text: labelled(lang, zh, en, n),
        problems: Some(n),
    }
}

fn fact(lang: Lang, zh: &str, en: &str, n: usize) -> Entry {
    Entry::Figure {
        text: labelled(lang, zh, en, n),
        problems: None,
    }
}

fn line(list: ListKind, household: HouseholdRef, reason: String) -> Entry {
    Entry::Line {
        list,
        household,
        reason,
    }
}

/// A figure and the list behind it: a line per item, `line_of` saying which household and why.
fn counted<T>(
    entries: &mut Vec<Entry>,
    figure: Entry,
    list: ListKind,
    items: &[T],
    line_of: impl Fn(&T) -> (HouseholdRef, String),
) {
    entries.push(figure);
    entries.extend(items.iter().map(|item| {
        let (household, reason) = line_of(item);
        line(list, household, reason)
    }));
}

/// The household a finding is about, as the lists show it (its number alone if it is gone).
fn finding_ref(f: &Finding, records: &[HouseholdRecord]) -> HouseholdRef {
    records
        .iter()
        .find(|r| r.household.id == f.household_id)
        .map(HouseholdRef::of)
        .unwrap_or_else(|| HouseholdRef {
            household_id: f.household_id,
            number: f.household_number.clone(),
            head_name: None,
        })
}

/// Why a marginal household is listed: its per-capita income against the warning line.
pub fn marginal_reason(m: &MarginalHousehold, lang: Lang) -> String {
    let (pc, line) = (
        grouped_yuan(m.per_capita_yuan),
        grouped_yuan(m.warning_line_yuan),
    );
    match lang {
        Lang::Zh => format!("{}年人均{pc}元，监测线{line}元", m.year),
        Lang::En => format!("{}: {pc} per person, warning line {line}", m.year),
    }
}

/// Why a household without a helper is listed.
pub fn no_helper_reason(lang: Lang) -> String {
    lang.pick(
        "没有帮扶责任人，请安排结对帮扶。",
        "No helper is assigned; assign one.",
    )
    .to_string()
}

/// Why a household is ready to exit.
pub fn ready_reason(year: i32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("按{year}年收入达到“一超六有”标准，可以申请退出。"),
        Lang::En => format!("Meets the exit standard on the income of {year}; may apply to exit."),
    }
}

/// The failed items of a household's exit check, each with its reasons.
pub fn failing_reason(f: &ExitFailing, lang: Lang) -> String {
    f.assessment
        .failed()
        .map(|item| {
            let reasons: Vec<String> = item.reasons.iter().map(|r| r.localize(lang)).collect();
            format!(
                "{}{}{}",
                item.criterion.label(lang),
                lang.pick("：", ": "),
                reasons.join(lang.pick("", " "))
            )
        })
        .collect::<Vec<_>>()
        .join(lang.pick("", " "))
}

/// Why an exited household is at risk.
pub fn at_risk_reason(a: &AtRisk, lang: Lang) -> String {
    a.reasons
        .iter()
        .map(|r| r.localize(lang))
        .collect::<Vec<_>>()
        .join(lang.pick("", " "))
}

/// The six panels of `p` in words. `records` are the village's households (for the heads of
/// households named by findings), `thresholds` the county's (the visit interval, the incidence
/// standard).
pub fn panels(
    p: &Precisions,
    records: &[HouseholdRecord],
    thresholds: &Thresholds,
    lang: Lang,
) -> Vec<PanelView> {
    vec![
        PanelView {
            panel: Panel::Targets,
            entries: targets(p, records, lang),
        },
        PanelView {
            panel: Panel::Projects,
            entries: projects(p, lang),
        },
        PanelView {
            panel: Panel::Funds,
            entries: funds(p, lang),
        },
        PanelView {
            panel: Panel::Measures,
            entries: measures(p, lang),
        },
        PanelView {
            panel: Panel::Personnel,
            entries: personnel(p, records, thresholds, lang),
        },
        PanelView {
            panel: Panel::Results,
            entries: results(p, thresholds, lang),
        },
    ]
}

fn targets(p: &Precisions, records: &[HouseholdRecord], lang: Lang) -> Vec<Entry> {
    let t = &p.targets;
    let mut e = Vec::new();
    let figure = count(
        lang,
        "有数据问题的户",
        "Households with data problems",
        t.households_with_findings,
    );
    counted(&mut e, figure, ListKind::Findings, &t.findings, |f| {
        (finding_ref(f, records), f.localize(lang))
    });
    let figure = count(
        lang,
        "边缘易致贫户（未建档、收入在监测线内）",
        "Marginal households within the warning band",
        t.marginal.len(),
    );
    counted(&mut e, figure, ListKind::Marginal, &t.marginal, |m| {
        (m.household.clone(), marginal_reason(m, lang))
    });
    let figure = count(
        lang,
        "识别存疑的户",
        "Suspicious identifications",
        t.suspicious_households(),
    );
    counted(
        &mut e,
        figure,
        ListKind::Suspicious,
        &t.duplicate_ids,
        |f| (finding_ref(f, records), f.localize(lang)),
    );
    e.extend(
        t.elderly_splits
            .iter()
            .map(|s| line(ListKind::Suspicious, s.household.clone(), s.localize(lang))),
    );
    e
}

fn projects(p: &Precisions, lang: Lang) -> Vec<Entry> {
    let pr = &p.projects;
    let (n, budget) = (pr.projects.len(), grouped_yuan(pr.total_budget_yuan));
    let mut e = vec![
        Entry::Note {
            text: match lang {
                Lang::Zh => format!("项目 {n} 个，预算合计 {budget} 元"),
                Lang::En => format!("{n} projects, budget {budget} yuan"),
            },
            tone: Tone::Plain,
        },
        count(
            lang,
            "未关联任何农户的项目",
            "Projects serving no household",
            pr.without_households.len(),
        ),
    ];
    for x in &pr.projects {
        e.push(Entry::Project {
            project_id: x.project_id,
            text: format!(
                "{} · {} · {} {}",
                x.name,
                x.kind.label(lang),
                grouped_yuan(x.budget_yuan),
                lang.pick("元", "yuan")
            ),
            serves_nobody: x.households.is_empty(),
            detail: match lang {
                Lang::Zh => format!("{}（{}）", x.name, x.kind.label(lang)),
                Lang::En => format!("{} ({})", x.name, x.kind.label(lang)),
            },
            households: x.households.clone(),
        });
    }
    e
}

fn funds(p: &Precisions, lang: Lang) -> Vec<Entry> {
    let f = &p.funds;
    let total = grouped_yuan(f.total_yuan);
    vec![
        Entry::Note {
            text: match lang {
                Lang::Zh => format!("资金合计 {total} 元"),
                Lang::En => format!("Funds in total: {total} yuan"),
            },
            tone: Tone::Plain,
        },
        Entry::Amounts {
            label: lang.pick("按来源", "By source").to_string(),
            items: f
                .by_source
                .iter()
                .map(|(s, a)| format!("{} {}", s.label(lang), grouped_yuan(*a)))
                .collect(),
        },
        Entry::Amounts {
            label: lang.pick("按用途", "By use").to_string(),
            items: f
                .by_use
                .iter()
                .map(|(k, a)| format!("{} {}", k.label(lang), grouped_yuan(*a)))
                .collect(),
        },
        count(
            lang,
            "未落到项目或农户的资金（分散资金）",
            "Entries tied to no project or household (scattered)",
            f.unattached.len(),
        ),
        count(
            lang,
            "疑似重复记账的资金组",
            "Groups of possibly double-counted entries",
            f.double_counted.len(),
        ),
    ]
}

fn measures(p: &Precisions, lang: Lang) -> Vec<Entry> {
    let m = &p.measures;
    let mut e = vec![fact(
        lang,
        "建档立卡户",
        "Registered households",
        m.registered,
    )];
    let figure = count(
        lang,
        "没有帮扶计划的建档立卡户",
        "Registered households without a plan",
        m.without_plan.len(),
    );
    counted(
        &mut e,
        figure,
        ListKind::WithoutPlan,
        &m.without_plan,
        |h| (h.clone(), PlanGap::NoMeasures.localize(lang)),
    );
    let figure = count(
        lang,
        "措施未针对主要致贫原因",
        "Plans ignoring the main cause",
        m.ignoring_main_cause.len(),
    );
    counted(
        &mut e,
        figure,
        ListKind::IgnoringMainCause,
        &m.ignoring_main_cause,
        |g| (g.household.clone(), g.gap.localize(lang)),
    );
    let figure = count(
        lang,
        "多头重复帮扶",
        "Repeated assistance from several units",
        m.repeated.len(),
    );
    counted(&mut e, figure, ListKind::Repeated, &m.repeated, |r| {
        (r.household.clone(), r.localize(lang))
    });
    e
}

fn personnel(
    p: &Precisions,
    records: &[HouseholdRecord],
    thresholds: &Thresholds,
    lang: Lang,
) -> Vec<Entry> {
    let pe = &p.personnel;
    let mut e = vec![
        Entry::Note {
            text: if pe.first_secretary_serving {
                lang.pick("第一书记在岗", "First secretary serving")
            } else {
                lang.pick("没有在岗的第一书记", "No first secretary serving")
            }
            .to_string(),
            tone: if pe.first_secretary_serving {
                Tone::Good
            } else {
                Tone::Bad
            },
        },
        fact(lang, "在岗工作队员", "Team members serving", pe.serving),
        fact(lang, "帮扶责任人", "Assigned helpers", pe.helpers.len()),
    ];
    let figure = count(
        lang,
        "没有帮扶责任人的户",
        "Households with no helper",
        pe.without_helper.len(),
    );
    counted(
        &mut e,
        figure,
        ListKind::WithoutHelper,
        &pe.without_helper,
        |h| (h.clone(), no_helper_reason(lang)),
    );
    let days = thresholds.visit_interval_days;
    let figure = Entry::Figure {
        text: match lang {
            Lang::Zh => format!("超过{days}天未走访的户：{}", pe.due_visits.len()),
            Lang::En => format!(
                "Households not visited within {days} days: {}",
                pe.due_visits.len()
            ),
        },
        problems: Some(pe.due_visits.len()),
    };
    counted(&mut e, figure, ListKind::DueVisits, &pe.due_visits, |d| {
        let household = records
            .iter()
            .find(|r| r.household.id == d.household_id)
            .map(HouseholdRef::of)
            .unwrap_or_else(|| HouseholdRef {
                household_id: d.household_id,
                number: d.household_number.clone(),
                head_name: None,
            });
        (household, d.localize(lang))
    });
    e
}

fn results(p: &Precisions, thresholds: &Thresholds, lang: Lang) -> Vec<Entry> {
    let r = &p.results;
    let v = &r.village;
    let incidence = v
        .incidence
        .map(|i| format!("{:.2}%", i * 100.0))
        .unwrap_or_else(|| "—".into());
    let standard = format!("{:.0}%", thresholds.max_incidence * 100.0);
    let low = v.incidence.is_some_and(|i| i < thresholds.max_incidence);
    let mut e = vec![
        Entry::Note {
            text: match lang {
                Lang::Zh => format!("贫困发生率 {incidence}（标准 < {standard}）"),
                Lang::En => format!("Poverty incidence {incidence} (standard < {standard})"),
            },
            tone: if low { Tone::Good } else { Tone::Bad },
        },
        Entry::Note {
            text: labelled(
                lang,
                "村退出（一低五有）",
                "Village exit standard",
                if v.passed {
                    lang.pick("达标", "met")
                } else {
                    lang.pick("未达标", "not met")
                },
            ),
            tone: if v.passed { Tone::Good } else { Tone::Bad },
        },
    ];
    for item in v.failed() {
        if let Some(reason) = &item.reason {
            e.push(Entry::Note {
                text: format!(
                    "× {}{}{}",
                    item.criterion.label(lang),
                    lang.pick("：", ": "),
                    reason.localize(lang)
                ),
                tone: Tone::Bad,
            });
        }
    }
    let figure = fact(
        lang,
        "达到脱贫标准、可以申请退出的户",
        "Households ready to exit",
        r.ready.len(),
    );
    counted(&mut e, figure, ListKind::Ready, &r.ready, |x| {
        (x.household.clone(), ready_reason(x.year, lang))
    });
    let figure = count(
        lang,
        "未达标的建档立卡户",
        "Registered households failing the standard",
        r.failing.len(),
    );
    counted(&mut e, figure, ListKind::Failing, &r.failing, |x| {
        (x.household.clone(), failing_reason(x, lang))
    });
    let figure = count(
        lang,
        "已脱贫但有返贫风险的户",
        "Exited households at risk",
        r.at_risk.len(),
    );
    counted(&mut e, figure, ListKind::AtRisk, &r.at_risk, |x| {
        (x.household.clone(), at_risk_reason(x, lang))
    });
    e
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::demo::{DemoSpec, demo_today, generate_village};
    use crate::model::default_poverty_lines;
    use crate::rules::income::PovertyLines;
    use crate::rules::plan::CauseAnswers;
    use crate::rules::precisions::{PrecisionInputs, SplitHeuristic, evaluate};

    fn demo_panels(lang: Lang) -> (Precisions, Vec<PanelView>) {
        let demo = generate_village(&DemoSpec::default(), 0);
        let thresholds = Thresholds::default();
        let p = evaluate(&PrecisionInputs {
            village: &demo.village,
            records: &demo.households,
            workflow: &demo.workflow,
            lines: &PovertyLines::new(default_poverty_lines()),
            thresholds: &thresholds,
            cause_answers: &CauseAnswers::default(),
            split: &SplitHeuristic::default(),
            today: demo_today(),
        });
        let panels = panels(&p, &demo.households, &thresholds, lang);
        (p, panels)
    }

    fn lines_of(panels: &[PanelView], kind: ListKind) -> Vec<(&HouseholdRef, &str)> {
        panels
            .iter()
            .flat_map(|p| &p.entries)
            .filter_map(|e| match e {
                Entry::Line {
                    list,
                    household,
                    reason,
                } if *list == kind => Some((household, reason.as_str())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_six_panels_come_in_order_with_their_numbers() {
        let (_, panels) = demo_panels(Lang::Zh);
        let titles: Vec<String> = panels.iter().map(|p| p.panel.title(Lang::Zh)).collect();
        assert_eq!(
            titles,
            [
                "1 扶持对象精准",
                "2 项目安排精准",
                "3 资金使用精准",
                "4 措施到户精准",
                "5 因村派人精准",
                "6 脱贫成效精准"
            ]
        );
        assert_eq!(Panel::Results.title(Lang::En), "6 Precise results");
    }

    #[test]
    fn every_list_names_the_households_its_figure_counts_each_with_a_reason() {
        let (p, panels) = demo_panels(Lang::Zh);
        let t = &p.targets;
        let ids = |kind| -> HashSet<Uuid> {
            lines_of(&panels, kind)
                .into_iter()
                .map(|(h, _)| h.household_id)
                .collect()
        };
        // The suspicious figure counts households; its list names exactly those.
        assert!(t.suspicious_households() > 0);
        assert_eq!(ids(ListKind::Suspicious).len(), t.suspicious_households());
        assert_eq!(
            lines_of(&panels, ListKind::Findings).len(),
            t.findings.len()
        );
        assert_eq!(
            lines_of(&panels, ListKind::Marginal).len(),
            t.marginal.len()
        );
        assert_eq!(
            lines_of(&panels, ListKind::WithoutHelper).len(),
            p.personnel.without_helper.len()
        );
        assert_eq!(
            lines_of(&panels, ListKind::DueVisits).len(),
            p.personnel.due_visits.len()
        );
        for kind in [
            ListKind::Findings,
            ListKind::Marginal,
            ListKind::Suspicious,
            ListKind::WithoutPlan,
            ListKind::WithoutHelper,
            ListKind::DueVisits,
            ListKind::Ready,
            ListKind::Failing,
        ] {
            for (h, reason) in lines_of(&panels, kind) {
                assert!(!reason.is_empty(), "{kind:?} {} has no reason", h.number);
            }
        }
        let marginal = &t.marginal[0];
        assert_eq!(
            marginal_reason(marginal, Lang::Zh),
            format!(
                "{}年人均{}元，监测线{}元",
                marginal.year,
                grouped_yuan(marginal.per_capita_yuan),
                grouped_yuan(marginal.warning_line_yuan)
            )
        );
    }

    #[test]
    fn a_project_serving_nobody_is_marked_and_named_for_the_export() {
        let (p, panels) = demo_panels(Lang::Zh);
        let projects: Vec<&Entry> = panels[1]
            .entries
            .iter()
            .filter(|e| matches!(e, Entry::Project { .. }))
            .collect();
        assert_eq!(projects.len(), p.projects.projects.len());
        let nobody = projects
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Entry::Project {
                        serves_nobody: true,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(nobody, p.projects.without_households.len());
        for e in projects {
            if let Entry::Project { detail, text, .. } = e {
                assert!(
                    detail.contains('（') && text.ends_with(" 元"),
                    "{detail} {text}"
                );
            }
        }
    }
}
