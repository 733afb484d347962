//! Village exit standard 一低五有: poverty incidence below the county threshold (一低, 3% by
//! default), and five haves — collective economic income, a hardened road to the village, a
//! clinic (卫生室), a cultural room (文化室) and a communications network.
//!
//! Poverty incidence = registered poor people not yet exited ÷ rural registered population.
//! Only members of `Registered` households count as poor: exited households have left, and a
//! monitored household is by definition not (or no longer) a registered poor household.

use super::income::yuan;
use crate::i18n::{Label, Lang, Localize};
use crate::model::{HouseholdRecord, HouseholdStatus, Thresholds, Village};

/// Poverty incidence as a fraction (0.03 = 3%); `None` when the population is 0.
pub fn poverty_incidence(poor_not_exited_people: u32, rural_population: u32) -> Option<f64> {
    // Dividing (rather than multiplying the threshold) keeps "exactly 3%" exactly equal to 0.03:
    // both are the correctly rounded double of the same rational number.
    (rural_population > 0).then(|| f64::from(poor_not_exited_people) / f64::from(rural_population))
}

/// A percentage with two decimals, as the village messages show it ("2.90%").
fn percent(fraction: f64) -> String {
    format!("{:.2}%", fraction * 100.0)
}

/// The six items of 一低五有, in the order of the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VillageCriterion {
    LowIncidence,
    CollectiveIncome,
    HardenedRoad,
    Clinic,
    CulturalRoom,
    Network,
}

impl VillageCriterion {
    pub const ALL: [VillageCriterion; 6] = [
        VillageCriterion::LowIncidence,
        VillageCriterion::CollectiveIncome,
        VillageCriterion::HardenedRoad,
        VillageCriterion::Clinic,
        VillageCriterion::CulturalRoom,
        VillageCriterion::Network,
    ];
}

impl Label for VillageCriterion {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            VillageCriterion::LowIncidence => lang.pick(
                "一低：贫困发生率低于退出标准",
                "Poverty incidence below the exit threshold",
            ),
            VillageCriterion::CollectiveIncome => {
                lang.pick("有集体经济收入", "Collective economic income")
            }
            VillageCriterion::HardenedRoad => {
                lang.pick("有通村硬化路", "Hardened road to the village")
            }
            VillageCriterion::Clinic => lang.pick("有卫生室", "Village clinic"),
            VillageCriterion::CulturalRoom => lang.pick("有文化室", "Cultural room"),
            VillageCriterion::Network => lang.pick("有通信网络", "Communications network"),
        }
    }
}

/// Why a village item did not pass.
#[derive(Debug, Clone, PartialEq)]
pub enum VillageReason {
    /// Neither a rural population nor any registered member: incidence cannot be computed.
    NoPopulation,
    IncidenceTooHigh {
        poor_people: u32,
        population: u32,
        incidence: f64,
        max_incidence: f64,
    },
    NoCollectiveIncome {
        income_yuan: f64,
    },
    NoHardenedRoad,
    NoClinic,
    NoCulturalRoom,
    NoNetwork,
}

impl Localize for VillageReason {
    fn localize(&self, lang: Lang) -> String {
        match self {
            VillageReason::NoPopulation => lang
                .pick(
                    "没有农村户籍人口数，也没有登记成员，无法计算贫困发生率；请在村信息中填写农村户籍人口。",
                    "There is no rural population and no registered member, so poverty incidence cannot be computed; enter the rural population in the village details.",
                )
                .to_string(),
            VillageReason::IncidenceTooHigh { poor_people, population, incidence, max_incidence } => {
                let (rate, max) = (percent(*incidence), percent(*max_incidence));
                match lang {
                    Lang::Zh => format!(
                        "贫困发生率为{rate}（未脱贫人口{poor_people}人 ÷ 农村户籍人口{population}人），须低于{max}。"
                    ),
                    Lang::En => format!(
                        "Poverty incidence is {rate} ({poor_people} poor people not yet exited of {population} rural residents); it must be below {max}."
                    ),
                }
            }
            VillageReason::NoCollectiveIncome { income_yuan } => {
                let amount = yuan(*income_yuan);
                match lang {
                    Lang::Zh => format!("村集体经济收入为{amount}元，须有收入（大于0）。"),
                    Lang::En => format!(
                        "Collective economic income is {amount} yuan; the village needs some (more than 0)."
                    ),
                }
            }
            VillageReason::NoHardenedRoad => lang
                .pick("尚未通硬化路。", "There is no hardened road to the village yet.")
                .to_string(),
            VillageReason::NoClinic => lang
                .pick("没有村卫生室。", "The village has no clinic.")
                .to_string(),
            VillageReason::NoCulturalRoom => lang
                .pick("没有村文化室。", "The village has no cultural room.")
                .to_string(),
            VillageReason::NoNetwork => lang
                .pick("尚未通通信网络。", "The village has no communications network yet.")
                .to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct VillageItem {
    pub criterion: VillageCriterion,
    pub passed: bool,
    /// `None` when the item passed.
    pub reason: Option<VillageReason>,
}

impl VillageItem {
    fn new(criterion: VillageCriterion, reason: Option<VillageReason>) -> VillageItem {
        VillageItem {
            criterion,
            passed: reason.is_none(),
            reason,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct VillageAssessment {
    /// Members of `Registered` households.
    pub poor_people: u32,
    /// The denominator used: the village's rural population, else the members of the identified
    /// households (an unassessed household is neither poor nor non-poor).
    pub population: u32,
    /// Households not yet identified (待识别) and their members, counted apart (未识别).
    pub unassessed_households: u32,
    pub unassessed_people: u32,
    pub incidence: Option<f64>,
    /// One item per criterion, in the order of [`VillageCriterion::ALL`].
    pub items: Vec<VillageItem>,
    pub passed: bool,
}

impl VillageAssessment {
    pub fn failed(&self) -> impl Iterator<Item = &VillageItem> {
        self.items.iter().filter(|i| !i.passed)
    }
}

impl VillageAssessment {
    /// The note beside incidence while some households are not yet identified (未识别), or
    /// `None` when every household is.
    pub fn unassessed_note(&self, lang: Lang) -> Option<String> {
        (self.unassessed_households > 0).then(|| match lang {
            Lang::Zh => format!(
                "未识别 {} 户 {} 人，不计入贫困发生率",
                self.unassessed_households, self.unassessed_people
            ),
            Lang::En => format!(
                "{} households ({} people) not yet assessed, left out of the incidence",
                self.unassessed_households, self.unassessed_people
            ),
        })
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Assesses `village` against 一低五有. `households` are the village's own households (the
/// caller selects them); they supply the poor people and, when the village has no recorded rural
/// population, the population.
pub fn assess_village(
    village: &Village,
    households: &[HouseholdRecord],
    t: &Thresholds,
) -> VillageAssessment {
    // A household that left the registry (销户) no longer counts now; its past years stay.
    let on_register = || households.iter().filter(|h| h.departure.is_none());
    let poor_people = count(
        on_register()
            .filter(|h| h.household.status == HouseholdStatus::Registered)
            .map(HouseholdRecord::size)
            .sum(),
    );
    let unassessed = || on_register().filter(|h| h.household.status.is_unassessed());
    let unassessed_households = count(unassessed().count());
    let unassessed_people = count(unassessed().map(HouseholdRecord::size).sum());
    let population = village.rural_population.unwrap_or_else(|| {
        count(
            on_register()
                .filter(|h| !h.household.status.is_unassessed())
                .map(HouseholdRecord::size)
                .sum(),
        )
    });
    let incidence = poverty_incidence(poor_people, population);

    let low_incidence = match incidence {
        None => Some(VillageReason::NoPopulation),
        Some(rate) if rate < t.max_incidence => None,
        Some(rate) => Some(VillageReason::IncidenceTooHigh {
            poor_people,
            population,
            incidence: rate,
            max_incidence: t.max_incidence,
        }),
    };
    let f = &village.facilities;
    let flag = |ok: bool, reason: VillageReason| (!ok).then_some(reason);
    let items = vec![
        VillageItem::new(VillageCriterion::LowIncidence, low_incidence),
        VillageItem::new(
            VillageCriterion::CollectiveIncome,
            // `> 0` is also false for NaN, so an unreadable figure fails rather than passes.
            flag(
                f.collective_income_yuan > 0.0,
                VillageReason::NoCollectiveIncome {
                    income_yuan: f.collective_income_yuan,
                },
            ),
        ),
        VillageItem::new(
            VillageCriterion::HardenedRoad,
            flag(f.hardened_road, VillageReason::NoHardenedRoad),
        ),
        VillageItem::new(
            VillageCriterion::Clinic,
            flag(f.clinic, VillageReason::NoClinic),
        ),
        VillageItem::new(
            VillageCriterion::CulturalRoom,
            flag(f.cultural_room, VillageReason::NoCulturalRoom),
        ),
        VillageItem::new(
            VillageCriterion::Network,
            flag(f.network, VillageReason::NoNetwork),
        ),
    ];
    let passed = items.iter().all(|i| i.passed);
    VillageAssessment {
        poor_people,
        population,
        unassessed_households,
        unassessed_people,
        incidence,
        items,
        passed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MonitoredKind;
    use crate::rules::fixtures::*;

    /// Households of `size` members each, all with the same status.
    fn households(n: usize, size: usize, status: HouseholdStatus) -> Vec<HouseholdRecord> {
        (0..n)
            .map(|k| {
                let mut rec = household(&format!("{k:03}"), status);
                add_adults(&mut rec, size);
                rec
            })
            .collect()
    }

    fn with_population(population: u32) -> Village {
        Village {
            rural_population: Some(population),
            ..village()
        }
    }

    #[test]
    fn incidence_formula() {
        assert_eq!(poverty_incidence(30, 1000), Some(0.03));
        assert_eq!(poverty_incidence(0, 1000), Some(0.0));
        assert_eq!(poverty_incidence(5, 0), None);
        // Cangxi County 2015: 67,946 poor people of 663,000 rural residents ≈ 10.25%.
        let rate = poverty_incidence(67_946, 663_000).unwrap();
        assert!((rate - 0.102_48).abs() < 0.000_01, "{rate}");
    }

    #[test]
    fn below_three_percent_passes_exactly_three_fails() {
        let t = Thresholds::default();
        // 29 poor people of 1000: 2.9%.
        let mut records = households(29, 1, HouseholdStatus::Registered);
        let a = assess_village(&with_population(1000), &records, &t);
        assert_eq!((a.poor_people, a.population), (29, 1000));
        assert_eq!(a.incidence, Some(0.029));
        assert!(a.passed, "{a:#?}");

        // One more poor person: exactly 3%, not below 3%.
        records.extend(households(1, 1, HouseholdStatus::Registered));
        let a = assess_village(&with_population(1000), &records, &t);
        assert!(!a.passed);
        let failed: Vec<_> = a.failed().collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].criterion, VillageCriterion::LowIncidence);
        let reason = failed[0].reason.as_ref().unwrap();
        assert_eq!(
            reason,
            &VillageReason::IncidenceTooHigh {
                poor_people: 30,
                population: 1000,
                incidence: 0.03,
                max_incidence: 0.03
            }
        );
        assert_eq!(
            reason.localize(Lang::Zh),
            "贫困发生率为3.00%（未脱贫人口30人 ÷ 农村户籍人口1000人），须低于3.00%。"
        );
        assert!(reason.localize(Lang::En).contains("it must be below 3.00%"));

        // The threshold is a county setting.
        let t = Thresholds {
            max_incidence: 0.035,
            ..Thresholds::default()
        };
        assert!(assess_village(&with_population(1000), &records, &t).passed);
    }

    #[test]
    fn only_registered_households_count_as_poor() {
        let mut records = households(2, 3, HouseholdStatus::Registered);
        records.extend(households(2, 3, HouseholdStatus::Exited { year: 2016 }));
        records.extend(households(
            1,
            3,
            HouseholdStatus::Monitored {
                kind: MonitoredKind::UnstableExited,
            },
        ));
        records.extend(households(1, 3, HouseholdStatus::NotRegistered));
        let a = assess_village(&with_population(1000), &records, &Thresholds::default());
        assert_eq!(a.poor_people, 6);
    }

    #[test]
    fn population_falls_back_to_registered_members() {
        let mut records = households(1, 2, HouseholdStatus::Registered);
        records.extend(households(20, 4, HouseholdStatus::NotRegistered));
        let a = assess_village(&village(), &records, &Thresholds::default());
        assert_eq!((a.poor_people, a.population), (2, 82));
        assert!(a.passed); // 2 ÷ 82 ≈ 2.44%
    }

    #[test]
    fn an_unassessed_household_is_neither_poor_nor_non_poor() {
        let mut records = households(1, 2, HouseholdStatus::Registered);
        records.extend(households(20, 4, HouseholdStatus::NotRegistered));
        records.extend(households(3, 5, HouseholdStatus::Unassessed));
        let a = assess_village(&village(), &records, &Thresholds::default());
        // 2 poor of the 82 identified people; the 15 unassessed people are counted apart.
        assert_eq!((a.poor_people, a.population), (2, 82));
        assert_eq!((a.unassessed_households, a.unassessed_people), (3, 15));
        // A recorded rural population stays the denominator.
        let a = assess_village(&with_population(1000), &records, &Thresholds::default());
        assert_eq!((a.poor_people, a.population), (2, 1000));
        assert_eq!(a.unassessed_households, 3);
        // A village of unassessed households only has no incidence yet.
        let a = assess_village(
            &village(),
            &households(2, 3, HouseholdStatus::Unassessed),
            &Thresholds::default(),
        );
        assert_eq!((a.poor_people, a.population, a.incidence), (0, 0, None));
    }

    #[test]
    fn a_household_that_left_the_registry_no_longer_counts() {
        let mut records = households(2, 2, HouseholdStatus::Registered);
        records.extend(households(20, 4, HouseholdStatus::NotRegistered));
        let gone = &mut records[0];
        gone.departure = Some(crate::model::HouseholdDeparture {
            id: uuid::Uuid::new_v4(),
            household_id: gone.household.id,
            date: crate::rules::fixtures::date(2020, 3, 1),
            reason: crate::model::HouseholdLeaveReason::AllDied,
            note: String::new(),
        });
        let a = assess_village(&village(), &records, &Thresholds::default());
        assert_eq!((a.poor_people, a.population), (2, 82));
    }

    #[test]
    fn no_population_fails_incidence_with_its_reason() {
        let a = assess_village(&village(), &[], &Thresholds::default());
        assert_eq!(a.incidence, None);
        assert_eq!(a.items[0].reason, Some(VillageReason::NoPopulation));
        let a = assess_village(&with_population(0), &[], &Thresholds::default());
        assert_eq!(a.items[0].reason, Some(VillageReason::NoPopulation));
        assert!(!a.passed);
    }

    #[test]
    fn each_facility_fails_its_own_item() {
        type Spoil = fn(&mut Village);
        let cases: [(Spoil, VillageCriterion, VillageReason); 5] = [
            (
                |v| v.facilities.collective_income_yuan = 0.0,
                VillageCriterion::CollectiveIncome,
                VillageReason::NoCollectiveIncome { income_yuan: 0.0 },
            ),
            (
                |v| v.facilities.hardened_road = false,
                VillageCriterion::HardenedRoad,
                VillageReason::NoHardenedRoad,
            ),
            (
                |v| v.facilities.clinic = false,
                VillageCriterion::Clinic,
                VillageReason::NoClinic,
            ),
            (
                |v| v.facilities.cultural_room = false,
                VillageCriterion::CulturalRoom,
                VillageReason::NoCulturalRoom,
            ),
            (
                |v| v.facilities.network = false,
                VillageCriterion::Network,
                VillageReason::NoNetwork,
            ),
        ];
        for (spoil, criterion, reason) in cases {
            let mut v = with_population(1000);
            spoil(&mut v);
            let a = assess_village(&v, &[], &Thresholds::default());
            assert!(!a.passed);
            let failed: Vec<_> = a.failed().collect();
            assert_eq!(failed.len(), 1);
            assert_eq!(failed[0].criterion, criterion);
            assert_eq!(failed[0].reason.as_ref(), Some(&reason));
            assert!(!reason.localize(Lang::Zh).is_empty());
            assert!(!reason.localize(Lang::En).is_empty());
        }
        assert_eq!(
            VillageReason::NoCollectiveIncome { income_yuan: 0.0 }.localize(Lang::Zh),
            "村集体经济收入为0.00元，须有收入（大于0）。"
        );
    }

    #[test]
    fn any_collective_income_above_zero_passes() {
        let mut v = with_population(1000);
        v.facilities.collective_income_yuan = 0.01;
        assert!(assess_village(&v, &[], &Thresholds::default()).passed);
        v.facilities.collective_income_yuan = f64::NAN;
        assert!(!assess_village(&v, &[], &Thresholds::default()).passed);
    }

    #[test]
    fn labels_in_both_languages() {
        assert_eq!(VillageCriterion::Clinic.label(Lang::Zh), "有卫生室");
        for c in VillageCriterion::ALL {
            assert!(!c.label(Lang::En).is_empty());
        }
    }
}
