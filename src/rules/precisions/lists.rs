//! The six panels in words: each panel's title, its figures with their labels, and every list
//! line (a household and why it is listed), written once for the window's precisions screen,
//! `dripline precisions` and the 六个精准清单 sheet of the export. The faces only lay these out
//! (links and colours, indentation, cells); none of them words a figure or a reason itself.

use uuid::Uuid;

use super::{
    AtRisk, ExitFailing, FundRef, HouseholdRef, MarginalHousehold, MissedHousehold, Precisions,
};
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
    /// Never registered, income at or below the line (漏评).
    PossiblyMissed,
    Suspicious,
    ProjectHouseholds,
    /// Fund entries tied to no project, household or measure (分散资金).
    Scattered,
    /// Groups of fund entries that look like the same money twice (重复记账).
    DoubleCounted,
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
            ListKind::PossiblyMissed => ("可能漏评", "Possibly missed"),
            ListKind::Suspicious => ("识别存疑", "Suspicious identification"),
            ListKind::ProjectHouseholds => ("项目受益户", "Project households"),
            ListKind::Scattered => ("分散资金", "Scattered funds"),
            ListKind::DoubleCounted => ("疑似重复记账", "Possibly double-counted"),
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
    /// (nothing wrong at 0); without, a plain fact. With `list`, the entries of that list that
    /// follow it are what it counts, one entry for each.
    Figure {
        text: String,
        problems: Option<usize>,
        list: Option<ListKind>,
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
    /// A fund entry (or a group of entries) on a list, described in full, with the household it
    /// went to if any.
    Fund {
        list: ListKind,
        text: String,
        household: Option<HouseholdRef>,
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
        list: None,
    }
}

fn fact(lang: Lang, zh: &str, en: &str, n: usize) -> Entry {
    Entry::Figure {
        text: labelled(lang, zh, en, n),
        problems: None,
        list: None,
    }
}

/// The figure, told which list follows it.
fn of_list(mut figure: Entry, kind: ListKind) -> Entry {
    if let Entry::Figure { list, .. } = &mut figure {
        *list = Some(kind);
    }
    figure
}

/// One line per household, in the order they first come, with all their reasons: a figure that
/// counts households lists each once.
fn per_household(
    lang: Lang,
    items: impl IntoIterator<Item = (HouseholdRef, String)>,
) -> Vec<(HouseholdRef, String)> {
    let mut lines: Vec<(HouseholdRef, Vec<String>)> = Vec::new();
    for (household, reason) in items {
        match lines
            .iter_mut()
            .find(|(h, _)| h.household_id == household.household_id)
        {
            Some((_, reasons)) => reasons.push(reason),
            None => lines.push((household, vec![reason])),
        }
    }
    lines
        .into_iter()
        .map(|(h, reasons)| (h, reasons.join(lang.pick("；", "; "))))
        .collect()
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
    entries.push(of_list(figure, list));
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

/// A note for each judged year without a monitoring threshold of its own.
fn threshold_notes(p: &Precisions, lang: Lang) -> Vec<Entry> {
    p.threshold_warnings
        .iter()
        .map(|w| Entry::Note {
            text: w.localize(lang),
            tone: Tone::Bad,
        })
        .collect()
}

fn targets(p: &Precisions, records: &[HouseholdRecord], lang: Lang) -> Vec<Entry> {
    let t = &p.targets;
    let mut e = threshold_notes(p, lang);
    let figure = count(
        lang,
        "有数据问题的户",
        "Households with data problems",
        t.households_with_findings,
    );
    let findings = per_household(
        lang,
        t.findings
            .iter()
            .map(|f| (finding_ref(f, records), f.localize(lang))),
    );
    counted(&mut e, figure, ListKind::Findings, &findings, |x| x.clone());
    let figure = count(
        lang,
        "可能漏评的户（未建档、收入不高于贫困线）",
        "Possibly missed households (never registered, income at or below the line)",
        t.possibly_missed.len(),
    );
    counted(
        &mut e,
        figure,
        ListKind::PossiblyMissed,
        &t.possibly_missed,
        |m| (m.household.clone(), missed_reason(m, lang)),
    );
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
    let suspicious = per_household(
        lang,
        t.duplicate_ids
            .iter()
            .map(|f| (finding_ref(f, records), f.localize(lang)))
            .chain(
                t.elderly_splits
                    .iter()
                    .map(|s| (s.household.clone(), s.localize(lang))),
            ),
    );
    counted(&mut e, figure, ListKind::Suspicious, &suspicious, |x| {
        x.clone()
    });
    e
}

/// Why a household may have been missed: its per-capita income against the line.
pub fn missed_reason(m: &MissedHousehold, lang: Lang) -> String {
    let (pc, line) = (grouped_yuan(m.per_capita_yuan), grouped_yuan(m.line_yuan));
    match lang {
        Lang::Zh => format!(
            "未建档，{}年人均{pc}元，不高于贫困线{line}元：请核实是否漏评",
            m.year
        ),
        Lang::En => format!(
            "Not registered; {}: {pc} per person, at or below the line of {line}: check whether it was missed",
            m.year
        ),
    }
}

/// A fund entry in words: date, source, amount, use, where it went and its note.
pub fn fund_text(f: &FundRef, lang: Lang) -> String {
    let mut text = format!(
        "{} {} {} {} · {}",
        f.date,
        f.source.label(lang),
        grouped_yuan(f.amount_yuan),
        lang.pick("元", "yuan"),
        f.purpose.label(lang)
    );
    if let Some(project) = &f.project_name {
        text.push_str(&format!(" · {}{project}", lang.pick("项目：", "project: ")));
    }
    if !f.note.is_empty() {
        text.push_str(&format!(" · {}", f.note));
    }
    text
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
    let mut e = vec![
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
    ];
    e.push(of_list(
        count(
            lang,
            "未落到项目或农户的资金（分散资金）",
            "Entries tied to no project or household (scattered)",
            f.unattached.len(),
        ),
        ListKind::Scattered,
    ));
    e.extend(
        f.unattached
            .iter()
            .filter_map(|id| f.fund(*id))
            .map(|x| Entry::Fund {
                list: ListKind::Scattered,
                text: format!(
                    "{}{}{}",
                    fund_text(x, lang),
                    lang.pick("：", ": "),
                    lang.pick(
                        "没有落到项目、农户或措施，请补上去向。",
                        "tied to no project, household or measure; say where it went."
                    )
                ),
                household: None,
            }),
    );
    e.push(of_list(
        count(
            lang,
            "疑似重复记账的资金组",
            "Groups of possibly double-counted entries",
            f.double_counted.len(),
        ),
        ListKind::DoubleCounted,
    ));
    e.extend(f.double_counted.iter().map(|group| {
        let first = group.first().and_then(|id| f.fund(*id));
        Entry::Fund {
            list: ListKind::DoubleCounted,
            text: match (first, lang) {
                (Some(x), Lang::Zh) => format!(
                    "{} 笔同日、同额、同来源、同去向：{}。请核实是否重复记账，删去多记的一笔。",
                    group.len(),
                    fund_text(x, lang)
                ),
                (Some(x), Lang::En) => format!(
                    "{} entries of the same day, amount, source and destination: {}. Check whether the money was entered twice and remove the extra entry.",
                    group.len(),
                    fund_text(x, lang)
                ),
                (None, _) => group.len().to_string(),
            },
            household: first.and_then(|x| x.household.clone()),
        }
    }));
    e
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
        list: None,
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
    let mut e = threshold_notes(p, lang);
    e.push(Entry::Note {
        text: match lang {
            Lang::Zh => format!("贫困发生率 {incidence}（标准 < {standard}）"),
            Lang::En => format!("Poverty incidence {incidence} (standard < {standard})"),
        },
        tone: if low { Tone::Good } else { Tone::Bad },
    });
    if let Some(note) = v.unassessed_note(lang) {
        e.push(Entry::Note {
            text: note,
            tone: Tone::Plain,
        });
    }
    for (k, text) in r.cases.sentences(lang).into_iter().enumerate() {
        let bad = k == 2 && r.cases.overdue > 0;
        e.push(Entry::Note {
            text,
            tone: if bad { Tone::Bad } else { Tone::Plain },
        });
    }
    e.push(Entry::Note {
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
    });
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
            t.households_with_findings
        );
        assert_eq!(
            lines_of(&panels, ListKind::PossiblyMissed).len(),
            t.possibly_missed.len()
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

    /// Each figure that has a list, with the number of entries of its list that follow it.
    pub(crate) fn figures_with_their_lists(panels: &[PanelView]) -> Vec<(String, usize, usize)> {
        let mut out = Vec::new();
        for panel in panels {
            for (i, entry) in panel.entries.iter().enumerate() {
                if let Entry::Figure {
                    text,
                    problems,
                    list: Some(kind),
                } = entry
                {
                    let listed = panel.entries[i + 1..]
                        .iter()
                        .take_while(|e| match e {
                            Entry::Line { list, .. } | Entry::Fund { list, .. } => list == kind,
                            _ => false,
                        })
                        .count();
                    let figure = problems.unwrap_or_else(|| {
                        text.rsplit(['：', ' ']).next().unwrap().parse().unwrap()
                    });
                    out.push((text.clone(), figure, listed));
                }
            }
        }
        out
    }

    #[test]
    fn every_count_is_followed_by_as_many_entries_as_it_says_funds_included() {
        for lang in [Lang::Zh, Lang::En] {
            let (p, panels) = demo_panels(lang);
            let figures = figures_with_their_lists(&panels);
            for (text, figure, listed) in &figures {
                assert_eq!(figure, listed, "{text}");
            }
            for kind in [ListKind::Scattered, ListKind::DoubleCounted] {
                assert!(
                    panels[2]
                        .entries
                        .iter()
                        .any(|e| matches!(e, Entry::Fund { list, .. } if *list == kind)),
                    "{kind:?} is listed"
                );
            }
            assert_eq!(
                panels[2]
                    .entries
                    .iter()
                    .filter(|e| matches!(
                        e,
                        Entry::Fund {
                            list: ListKind::Scattered,
                            ..
                        }
                    ))
                    .count(),
                p.funds.unattached.len()
            );
            // Every count of problems but the projects' (whose projects are listed with it)
            // says which list it counts.
            let without_list: Vec<&Entry> = panels
                .iter()
                .flat_map(|p| &p.entries)
                .filter(|e| {
                    matches!(
                        e,
                        Entry::Figure {
                            problems: Some(_),
                            list: None,
                            ..
                        }
                    )
                })
                .collect();
            assert_eq!(without_list.len(), 1, "{without_list:?}");
        }
    }

    #[test]
    fn a_household_never_registered_with_income_at_the_line_is_listed_as_possibly_missed() {
        use crate::model::HouseholdStatus;
        use crate::rules::fixtures::{add_adults, add_income, household};
        let mut missed = household("007", HouseholdStatus::NotRegistered);
        add_adults(&mut missed, 1);
        add_income(&mut missed, 2016, 2855.0); // exactly the 2016 line
        let mut above = household("008", HouseholdStatus::NotRegistered);
        add_adults(&mut above, 1);
        add_income(&mut above, 2016, 2856.0);
        let records = vec![missed, above];
        let demo = generate_village(&DemoSpec::default(), 0);
        let thresholds = Thresholds::default();
        let p = evaluate(&PrecisionInputs {
            village: &demo.village,
            records: &records,
            workflow: &Default::default(),
            lines: &crate::rules::fixtures::domain_lines(),
            thresholds: &thresholds,
            cause_answers: &CauseAnswers::default(),
            split: &SplitHeuristic::default(),
            today: demo_today(),
        });
        let panels = panels(&p, &records, &thresholds, Lang::Zh);
        let missed = lines_of(&panels, ListKind::PossiblyMissed);
        assert_eq!(missed.len(), 1);
        assert_eq!(missed[0].0.number, "007");
        assert!(
            missed[0].1.contains("漏评") && missed[0].1.contains("2,855"),
            "{}",
            missed[0].1
        );
        assert!(panels[0].entries.iter().any(|e| matches!(e, Entry::Figure { text, .. } if text == "可能漏评的户（未建档、收入不高于贫困线）：1")));
    }

    #[test]
    fn an_unassessed_household_is_a_data_to_do_a_possibly_missed_one_and_apart_from_incidence() {
        use crate::model::HouseholdStatus;
        use crate::rules::fixtures::{add_adults, add_income, household};
        let mut new = household("009", HouseholdStatus::Unassessed);
        add_adults(&mut new, 2);
        add_income(&mut new, 2016, 2000.0); // below the 2016 line of 2,855
        let mut poor = household("010", HouseholdStatus::Registered);
        add_adults(&mut poor, 1);
        add_income(&mut poor, 2016, 2000.0);
        let records = vec![new, poor];
        let mut village = generate_village(&DemoSpec::default(), 0).village;
        village.rural_population = None;
        let thresholds = Thresholds::default();
        let p = evaluate(&PrecisionInputs {
            village: &village,
            records: &records,
            workflow: &Default::default(),
            lines: &crate::rules::fixtures::domain_lines(),
            thresholds: &thresholds,
            cause_answers: &CauseAnswers::default(),
            split: &SplitHeuristic::default(),
            today: demo_today(),
        });
        // Incidence: 1 poor of the 1 identified person; the 2 unassessed people apart.
        let v = &p.results.village;
        assert_eq!((v.poor_people, v.population), (1, 1));
        assert_eq!((v.unassessed_households, v.unassessed_people), (1, 2));
        let panels = panels(&p, &records, &thresholds, Lang::Zh);
        assert!(
            panels[5].entries.iter().any(
                |e| matches!(e, Entry::Note { text, .. } if text == "未识别 1 户 2 人，不计入贫困发生率")
            ),
            "{:#?}",
            panels[5].entries
        );
        // Data problems: 尚未识别, naming the household.
        let findings = lines_of(&panels, ListKind::Findings);
        assert!(
            findings
                .iter()
                .any(|(h, reason)| h.number == "009" && reason.contains("尚未识别")),
            "{findings:?}"
        );
        // 漏评: income at or below the line, not registered.
        let missed = lines_of(&panels, ListKind::PossiblyMissed);
        assert_eq!(missed.len(), 1);
        assert_eq!(missed[0].0.number, "009");
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
