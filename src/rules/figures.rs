//! The households behind a village's headline figure: what the county table lists when a clerk
//! clicks one of its counts. Each list is read from the same panels (and the same monitoring
//! rules) the figure was counted from, so it has exactly as many households as the figure says.

use std::collections::HashSet;

use super::income::PovertyLines;
use super::monitoring;
use super::precisions::{Headline, HouseholdRef, Precisions};
use crate::i18n::{Label, Lang, Localize};
use crate::model::{HouseholdRecord, Thresholds};

/// A headline figure counted in households.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HouseholdFigure {
    Households,
    WithFindings,
    Marginal,
    WithoutPlan,
    PlanMissesCause,
    WithoutHelper,
    VisitDue,
    ReadyToExit,
    Failing,
    AtRisk,
    /// 错退: exited, now at or below the line.
    WronglyExited,
    /// 漏评: never registered, at or below the line.
    PossiblyMissed,
}

impl HouseholdFigure {
    /// The figure in a headline (a village's, a township's or the county's).
    pub fn count(self, h: &Headline) -> usize {
        match self {
            HouseholdFigure::Households => h.households,
            HouseholdFigure::WithFindings => h.households_with_findings,
            HouseholdFigure::Marginal => h.marginal,
            HouseholdFigure::WithoutPlan => h.without_plan,
            HouseholdFigure::PlanMissesCause => h.ignoring_main_cause,
            HouseholdFigure::WithoutHelper => h.without_helper,
            HouseholdFigure::VisitDue => h.due_visits,
            HouseholdFigure::ReadyToExit => h.ready,
            HouseholdFigure::Failing => h.failing,
            HouseholdFigure::AtRisk => h.at_risk,
            HouseholdFigure::WronglyExited => h.wrongly_exited,
            HouseholdFigure::PossiblyMissed => h.possibly_missed,
        }
    }
}

impl Label for HouseholdFigure {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            HouseholdFigure::Households => lang.pick("户数", "Households"),
            HouseholdFigure::WithFindings => lang.pick("数据问题户", "With findings"),
            HouseholdFigure::Marginal => lang.pick("边缘户", "Marginal"),
            HouseholdFigure::WithoutPlan => lang.pick("无帮扶计划", "No plan"),
            HouseholdFigure::PlanMissesCause => lang.pick("未针对主因", "Plan misses cause"),
            HouseholdFigure::WithoutHelper => lang.pick("无帮扶人", "No helper"),
            HouseholdFigure::VisitDue => lang.pick("待走访", "Visit due"),
            HouseholdFigure::ReadyToExit => lang.pick("可脱贫", "Ready to exit"),
            HouseholdFigure::Failing => lang.pick("未达标", "Failing"),
            HouseholdFigure::AtRisk => lang.pick("返贫风险", "At risk"),
            HouseholdFigure::WronglyExited => lang.pick("错退户", "Wrongly exited"),
            HouseholdFigure::PossiblyMissed => lang.pick("疑似漏评户", "Possibly missed"),
        }
    }
}

/// A household behind a figure, with why it is counted.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureHousehold {
    pub household: HouseholdRef,
    pub reason: String,
}

/// The households of one village behind `figure`, in the order of its panel; `precisions` were
/// computed from `records` under `lines` and `t`.
pub fn households_behind(
    figure: HouseholdFigure,
    precisions: &Precisions,
    records: &[HouseholdRecord],
    lines: &PovertyLines,
    t: &Thresholds,
    lang: Lang,
) -> Vec<FigureHousehold> {
    let entry = |household: HouseholdRef, reason: String| FigureHousehold { household, reason };
    let joined = |texts: Vec<String>| texts.join(lang.pick("；", "; "));
    match figure {
        HouseholdFigure::Households => records
            .iter()
            .map(|r| {
                entry(
                    HouseholdRef::of(r),
                    r.household.status.label(lang).to_string(),
                )
            })
            .collect(),
        HouseholdFigure::WithFindings => {
            let findings = &precisions.targets.findings;
            let mut seen = HashSet::new();
            records
                .iter()
                .filter(|r| {
                    findings.iter().any(|f| f.household_id == r.household.id)
                        && seen.insert(r.household.id)
                })
                .map(|r| {
                    let texts = findings
                        .iter()
                        .filter(|f| f.household_id == r.household.id)
                        .map(|f| f.localize(lang))
                        .collect();
                    entry(HouseholdRef::of(r), joined(texts))
                })
                .collect()
        }
        HouseholdFigure::Marginal => precisions
            .targets
            .marginal
            .iter()
            .map(|m| {
                let reason = match lang {
                    Lang::Zh => format!(
                        "{} 年人均 {:.0} 元，预警线 {:.0} 元",
                        m.year, m.per_capita_yuan, m.warning_line_yuan
                    ),
                    Lang::En => format!(
                        "{}: {:.0} yuan per head, warning line {:.0} yuan",
                        m.year, m.per_capita_yuan, m.warning_line_yuan
                    ),
                };
                entry(m.household.clone(), reason)
            })
            .collect(),
        HouseholdFigure::WithoutPlan => precisions
            .measures
            .without_plan
            .iter()
            .map(|h| {
                entry(
                    h.clone(),
                    lang.pick("没有帮扶计划", "No support plan").into(),
                )
            })
            .collect(),
        HouseholdFigure::PlanMissesCause => precisions
            .measures
            .ignoring_main_cause
            .iter()
            .map(|p| entry(p.household.clone(), p.gap.localize(lang)))
            .collect(),
        HouseholdFigure::WithoutHelper => precisions
            .personnel
            .without_helper
            .iter()
            .map(|h| entry(h.clone(), lang.pick("没有帮扶责任人", "No helper").into()))
            .collect(),
        HouseholdFigure::VisitDue => precisions
            .personnel
            .due_visits
            .iter()
            .map(|d| {
                let head = records
                    .iter()
                    .find(|r| r.household.id == d.household_id)
                    .and_then(|r| r.head().map(|m| m.name.clone()));
                let household = HouseholdRef {
                    household_id: d.household_id,
                    number: d.household_number.clone(),
                    head_name: head,
                };
                entry(household, d.localize(lang))
            })
            .collect(),
        HouseholdFigure::ReadyToExit => precisions
            .results
            .ready
            .iter()
            .map(|r| {
                let reason = match lang {
                    Lang::Zh => format!("{} 年达到一超六有", r.year),
                    Lang::En => format!("Meets 一超六有 on {}", r.year),
                };
                entry(r.household.clone(), reason)
            })
            .collect(),
        HouseholdFigure::Failing => precisions
            .results
            .failing
            .iter()
            .map(|f| {
                let texts = f
                    .assessment
                    .failed()
                    .map(|i| i.criterion.label(lang).to_string())
                    .collect();
                entry(f.household.clone(), joined(texts))
            })
            .collect(),
        HouseholdFigure::AtRisk => precisions
            .results
            .at_risk
            .iter()
            .map(|a| {
                let texts = a.reasons.iter().map(|r| r.localize(lang)).collect();
                entry(a.household.clone(), joined(texts))
            })
            .collect(),
        HouseholdFigure::WronglyExited => records
            .iter()
            .filter(|r| monitoring::wrongly_exited(r, lines, t))
            .map(|r| {
                let reason = lang.pick(
                    "已脱贫，最新人均收入不高于扶贫标准",
                    "Exited, latest income per head at or below the line",
                );
                entry(HouseholdRef::of(r), reason.into())
            })
            .collect(),
        HouseholdFigure::PossiblyMissed => records
            .iter()
            .filter(|r| monitoring::possibly_missed(r, lines, t))
            .map(|r| {
                let reason = lang.pick(
                    "未建档，最新人均收入不高于扶贫标准",
                    "Never registered, latest income per head at or below the line",
                );
                entry(HouseholdRef::of(r), reason.into())
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{DemoSpec, villages};
    use crate::workspace::view::VillageView;

    const EVERY: [HouseholdFigure; 12] = [
        HouseholdFigure::Households,
        HouseholdFigure::WithFindings,
        HouseholdFigure::Marginal,
        HouseholdFigure::WithoutPlan,
        HouseholdFigure::PlanMissesCause,
        HouseholdFigure::WithoutHelper,
        HouseholdFigure::VisitDue,
        HouseholdFigure::ReadyToExit,
        HouseholdFigure::Failing,
        HouseholdFigure::AtRisk,
        HouseholdFigure::WronglyExited,
        HouseholdFigure::PossiblyMissed,
    ];

    #[test]
    fn every_figure_lists_as_many_distinct_households_as_it_counts() {
        let spec = DemoSpec {
            villages: 3,
            households_per_village: 30,
            seed: 14,
        };
        let today = chrono::NaiveDate::from_ymd_opt(2020, 6, 30).unwrap();
        let mut listed_any = HashSet::new();
        for demo in villages(&spec) {
            let view = VillageView::evaluate(
                demo.village,
                demo.households,
                demo.workflow,
                PovertyLines::default(),
                Thresholds::default(),
                today,
            );
            let headline = view
                .precisions
                .headline(&view.records, &view.lines, &view.thresholds);
            for figure in EVERY {
                let listed = households_behind(
                    figure,
                    &view.precisions,
                    &view.records,
                    &view.lines,
                    &view.thresholds,
                    Lang::Zh,
                );
                assert_eq!(listed.len(), figure.count(&headline), "{figure:?}");
                let distinct: HashSet<_> =
                    listed.iter().map(|e| e.household.household_id).collect();
                assert_eq!(distinct.len(), listed.len(), "{figure:?}");
                assert!(listed.iter().all(|e| !e.reason.is_empty()), "{figure:?}");
                if !listed.is_empty() {
                    listed_any.insert(figure);
                }
            }
        }
        // The demo's villages give most figures something to list.
        assert!(listed_any.len() >= 8, "{listed_any:?}");
    }
}
