//! Does a household's assistance plan answer its main poverty cause? ("a plan's measures should
//! answer the main cause", domain.md.)
//!
//! Which measure kinds answer which cause is a [`CauseAnswers`] table passed in by the caller. The
//! default below is the common reading of the five batches; a county can use its own table. A
//! cause the table does not list (such as 其他 "other") is answered by any measure, since no
//! rule says otherwise. Cancelled measures are not part of the plan.

use std::collections::HashMap;

use crate::i18n::{Label, Lang, Localize};
use crate::model::{Cause, Household, Measure, MeasureKind, MeasureStatus};

/// Cause → the measure kinds that answer it.
#[derive(Debug, Clone, PartialEq)]
pub struct CauseAnswers {
    table: HashMap<Cause, Vec<MeasureKind>>,
}

impl CauseAnswers {
    pub fn new(table: HashMap<Cause, Vec<MeasureKind>>) -> Self {
        CauseAnswers { table }
    }

    /// The measure kinds answering `cause`; empty when the table does not list it (then any
    /// measure answers it).
    pub fn answers(&self, cause: Cause) -> &[MeasureKind] {
        self.table.get(&cause).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn is_answered_by(&self, cause: Cause, kind: MeasureKind) -> bool {
        let answers = self.answers(cause);
        answers.is_empty() || answers.contains(&kind)
    }
}

impl Default for CauseAnswers {
    /// 因病 → health, safety net; 因残 → safety net, health; 因学 → education; 因灾 → housing
    /// safety, relocation; 缺土地 → relocation, employment; 缺水 → infrastructure; 缺技术 → skills,
    /// employment; 缺劳力 → safety net, production; 缺资金 → small credit, production;
    /// 交通条件落后 → infrastructure, relocation; 自身发展动力不足 → skills, employment, production.
    fn default() -> Self {
        use MeasureKind::*;
        let table = [
            (Cause::Illness, vec![Health, SocialSecurity]),
            (Cause::Disability, vec![SocialSecurity, Health]),
            (Cause::Education, vec![MeasureKind::Education]),
            (Cause::Disaster, vec![HousingSafety, Relocation]),
            (Cause::LackLand, vec![Relocation, Employment]),
            (Cause::LackWater, vec![Infrastructure]),
            (Cause::LackSkills, vec![Skills, Employment]),
            (Cause::LackLabour, vec![SocialSecurity, Production]),
            (Cause::LackCapital, vec![SmallCredit, Production]),
            (Cause::PoorTransport, vec![Infrastructure, Relocation]),
            (Cause::LackDrive, vec![Skills, Employment, Production]),
        ];
        CauseAnswers::new(table.into_iter().collect())
    }
}

/// What is missing from a registered household's plan.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanGap {
    /// No measure that is not cancelled.
    NoMeasures,
    /// Measures exist, but none of a kind that answers the main cause.
    MainCauseUnanswered {
        cause: Cause,
        answered_by: Vec<MeasureKind>,
    },
}

impl Localize for PlanGap {
    fn localize(&self, lang: Lang) -> String {
        match self {
            PlanGap::NoMeasures => lang
                .pick(
                    "还没有帮扶计划（没有有效的帮扶措施），请制定帮扶计划。",
                    "There is no assistance plan yet (no measure that is not cancelled); draw up a plan.",
                )
                .to_string(),
            PlanGap::MainCauseUnanswered { cause, answered_by } => {
                let kinds: Vec<&str> = answered_by.iter().map(|k| k.label(lang)).collect();
                match lang {
                    Lang::Zh => format!(
                        "帮扶措施没有针对主要致贫原因“{}”，可考虑：{}。",
                        cause.label(lang),
                        kinds.join("、")
                    ),
                    Lang::En => format!(
                        "No measure answers the main cause \"{}\"; consider: {}.",
                        cause.label(lang),
                        kinds.join(", ")
                    ),
                }
            }
        }
    }
}

/// Checks the plan (`measures` of the household, any status) against the household's main cause.
/// `None` when the plan is fine, or when the household has no main cause to answer and some
/// measure.
pub fn check_plan<'a>(
    household: &Household,
    measures: impl IntoIterator<Item = &'a Measure>,
    table: &CauseAnswers,
) -> Option<PlanGap> {
    let kinds: Vec<MeasureKind> = measures
        .into_iter()
        .filter(|m| m.household_id == household.id && m.status != MeasureStatus::Cancelled)
        .map(|m| m.kind)
        .collect();
    if kinds.is_empty() {
        return Some(PlanGap::NoMeasures);
    }
    let cause = household.main_cause?;
    (!kinds.iter().any(|k| table.is_answered_by(cause, *k))).then(|| PlanGap::MainCauseUnanswered {
        cause,
        answered_by: table.answers(cause).to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FundSource, HouseholdStatus};
    use crate::rules::fixtures::*;
    use uuid::Uuid;

    fn measure(household: &Household, kind: MeasureKind, status: MeasureStatus) -> Measure {
        Measure {
            id: Uuid::new_v4(),
            household_id: household.id,
            kind,
            description: String::new(),
            helper_id: None,
            helper_unit: "县农业局".into(),
            project_id: None,
            fund_source: FundSource::County,
            amount_yuan: 3000.0,
            start: date(2016, 3, 1),
            due: date(2016, 12, 31),
            expected_income_yuan: 1200.0,
            status,
        }
    }

    #[test]
    fn illness_is_answered_by_health_not_by_credit() {
        let h = household("001", HouseholdStatus::Registered).household; // main cause 因病
        let table = CauseAnswers::default();
        let credit = measure(&h, MeasureKind::SmallCredit, MeasureStatus::InProgress);
        let gap = check_plan(&h, [&credit], &table).unwrap();
        assert_eq!(
            gap,
            PlanGap::MainCauseUnanswered {
                cause: Cause::Illness,
                answered_by: vec![MeasureKind::Health, MeasureKind::SocialSecurity]
            }
        );
        assert_eq!(
            gap.localize(Lang::Zh),
            "帮扶措施没有针对主要致贫原因“因病”，可考虑：健康扶贫、社会保障兜底。"
        );
        assert!(gap.localize(Lang::En).contains("\"Illness\""));
        let health = measure(&h, MeasureKind::Health, MeasureStatus::Planned);
        assert_eq!(check_plan(&h, [&credit, &health], &table), None);
    }

    #[test]
    fn cancelled_and_other_households_measures_do_not_count() {
        let h = household("001", HouseholdStatus::Registered).household;
        let other = household("002", HouseholdStatus::Registered).household;
        let table = CauseAnswers::default();
        let cancelled = measure(&h, MeasureKind::Health, MeasureStatus::Cancelled);
        let elsewhere = measure(&other, MeasureKind::Health, MeasureStatus::Done);
        assert_eq!(
            check_plan(&h, [&cancelled, &elsewhere], &table),
            Some(PlanGap::NoMeasures)
        );
        assert!(
            PlanGap::NoMeasures
                .localize(Lang::En)
                .contains("no assistance plan")
        );
    }

    #[test]
    fn default_table_follows_the_domain_mapping() {
        let t = CauseAnswers::default();
        use MeasureKind::*;
        assert_eq!(t.answers(Cause::LackSkills), [Skills, Employment]);
        assert_eq!(t.answers(Cause::LackCapital), [SmallCredit, Production]);
        assert_eq!(t.answers(Cause::Education), [MeasureKind::Education]);
        assert_eq!(t.answers(Cause::LackLabour), [SocialSecurity, Production]);
        assert_eq!(t.answers(Cause::Disability), [SocialSecurity, Health]);
        assert_eq!(t.answers(Cause::LackLand), [Relocation, Employment]);
        assert_eq!(t.answers(Cause::LackWater), [Infrastructure]);
        assert_eq!(
            t.answers(Cause::PoorTransport),
            [Infrastructure, Relocation]
        );
        assert_eq!(t.answers(Cause::Disaster), [HousingSafety, Relocation]);
        assert_eq!(
            t.answers(Cause::LackDrive),
            [Skills, Employment, Production]
        );
        assert!(t.answers(Cause::Other).is_empty());
    }

    #[test]
    fn unlisted_cause_or_no_cause_is_answered_by_any_measure() {
        let mut h = household("001", HouseholdStatus::Registered).household;
        let m = measure(&h, MeasureKind::Ecommerce, MeasureStatus::Planned);
        h.main_cause = Some(Cause::Other);
        assert_eq!(check_plan(&h, [&m], &CauseAnswers::default()), None);
        h.main_cause = None;
        assert_eq!(check_plan(&h, [&m], &CauseAnswers::default()), None);
    }

    #[test]
    fn the_table_is_a_parameter() {
        let h = household("001", HouseholdStatus::Registered).household;
        let m = measure(&h, MeasureKind::SmallCredit, MeasureStatus::Planned);
        let county = CauseAnswers::new(
            [(Cause::Illness, vec![MeasureKind::SmallCredit])]
                .into_iter()
                .collect(),
        );
        assert_eq!(check_plan(&h, [&m], &county), None);
    }
}
