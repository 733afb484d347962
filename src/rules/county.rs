//! County exit standard 一低三有: poverty incidence below the county threshold (一低, 3%) over
//! all the county's people, and every township with a standard central school, a qualified
//! health centre and a public service centre (三有); beside it the wrong-exit (错退) and
//! missed-assessment (漏评) rates, each below 2% (`domain.md`).
//!
//! The rates are counted from the households the village panels flag: an exited household now at
//! or below the line is wrongly exited (`monitoring::wrongly_exited`), of all exited households;
//! a never-registered household at or below the line is possibly missed
//! (`monitoring::possibly_missed`), of all never-registered households.

use super::precisions::Headline;
use crate::i18n::{Label, Lang, Localize};
use crate::model::{Thresholds, TownshipFacilities};

fn percent(fraction: f64) -> String {
    format!("{:.2}%", fraction * 100.0)
}

/// The items of the county exit, in the order of the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountyCriterion {
    LowIncidence,
    TownshipFacilities,
    WrongExitRate,
    MissedRate,
}

impl Label for CountyCriterion {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            CountyCriterion::LowIncidence => {
                lang.pick("一低：全县贫困发生率低于退出标准", "County poverty incidence below the exit threshold")
            }
            CountyCriterion::TownshipFacilities => lang.pick(
                "三有：每个乡镇有标准中心校、达标卫生院、便民服务中心",
                "Every township has a standard central school, a qualified health centre and a public service centre",
            ),
            CountyCriterion::WrongExitRate => lang.pick("错退率低于标准", "Wrong-exit rate below the limit"),
            CountyCriterion::MissedRate => lang.pick("漏评率低于标准", "Missed-assessment rate below the limit"),
        }
    }
}

/// One of a township's three haves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TownshipHave {
    CentralSchool,
    HealthCentre,
    ServiceCentre,
}

impl TownshipHave {
    pub const ALL: [TownshipHave; 3] = [
        TownshipHave::CentralSchool,
        TownshipHave::HealthCentre,
        TownshipHave::ServiceCentre,
    ];

    /// The JSON key and the name scripts use.
    pub fn code(self) -> &'static str {
        match self {
            TownshipHave::CentralSchool => "central_school",
            TownshipHave::HealthCentre => "health_centre",
            TownshipHave::ServiceCentre => "service_centre",
        }
    }

    pub fn has(self, f: &TownshipFacilities) -> bool {
        match self {
            TownshipHave::CentralSchool => f.central_school,
            TownshipHave::HealthCentre => f.health_centre,
            TownshipHave::ServiceCentre => f.service_centre,
        }
    }

    pub fn set(self, f: &mut TownshipFacilities, value: bool) {
        match self {
            TownshipHave::CentralSchool => f.central_school = value,
            TownshipHave::HealthCentre => f.health_centre = value,
            TownshipHave::ServiceCentre => f.service_centre = value,
        }
    }
}

impl Label for TownshipHave {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            TownshipHave::CentralSchool => lang.pick("标准中心校", "Standard central school"),
            TownshipHave::HealthCentre => lang.pick("达标卫生院", "Qualified health centre"),
            TownshipHave::ServiceCentre => lang.pick("便民服务中心", "Public service centre"),
        }
    }
}

/// What a township lacks, in words: 缺标准中心校、达标卫生院 / lacks a standard central school, …
pub fn lacks_text(lacking: &[TownshipHave], lang: Lang) -> String {
    let what: Vec<&str> = lacking.iter().map(|h| h.label(lang)).collect();
    match lang {
        Lang::Zh => format!("缺{}", what.join("、")),
        Lang::En => format!("lacks {}", what.join(", ")),
    }
}

/// Why an item fails, in words a clerk reads.
#[derive(Debug, Clone, PartialEq)]
pub enum CountyReason {
    NoPopulation,
    IncidenceTooHigh {
        poor_people: u32,
        population: u32,
        incidence: f64,
        max: f64,
    },
    /// Townships lacking some of the three haves, each with what it lacks.
    TownshipsLacking(Vec<(String, Vec<TownshipHave>)>),
    RateTooHigh {
        flagged: usize,
        of: usize,
        rate: f64,
        max: f64,
    },
}

impl Localize for CountyReason {
    fn localize(&self, lang: Lang) -> String {
        match self {
            CountyReason::NoPopulation => lang
                .pick("全县没有户籍人口数据，无法计算贫困发生率。", "The county has no population figures, so poverty incidence cannot be computed.")
                .to_string(),
            CountyReason::IncidenceTooHigh { poor_people, population, incidence, max } => {
                let (rate, max) = (percent(*incidence), percent(*max));
                match lang {
                    Lang::Zh => format!("全县贫困发生率为{rate}（未脱贫人口{poor_people}人 ÷ 人口{population}人），须低于{max}。"),
                    Lang::En => format!("County poverty incidence is {rate} ({poor_people} poor people not yet exited of {population}); it must be below {max}."),
                }
            }
            CountyReason::TownshipsLacking(townships) => {
                // A county has dozens of townships: name the first few, the rest are counted.
                const NAMED: usize = 5;
                let mut list: Vec<String> = townships
                    .iter()
                    .take(NAMED)
                    .map(|(name, lacking)| match lang {
                        Lang::Zh => format!("{name}{}", lacks_text(lacking, lang)),
                        Lang::En => format!("{name} {}", lacks_text(lacking, lang)),
                    })
                    .collect();
                if townships.len() > NAMED {
                    list.push(match lang {
                        Lang::Zh => format!("另有 {} 个乡镇", townships.len() - NAMED),
                        Lang::En => format!("{} more", townships.len() - NAMED),
                    });
                }
                match lang {
                    Lang::Zh => format!("{} 个乡镇未达标：{}。", townships.len(), list.join("；")),
                    Lang::En => format!("{} townships fall short: {}.", townships.len(), list.join("; ")),
                }
            }
            CountyReason::RateTooHigh { flagged, of, rate, max } => {
                let (rate, max) = (percent(*rate), percent(*max));
                match lang {
                    Lang::Zh => format!("{flagged} 户 ÷ {of} 户 = {rate}，须低于{max}。"),
                    Lang::En => format!("{flagged} of {of} households = {rate}; it must be below {max}."),
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CountyItem {
    pub criterion: CountyCriterion,
    /// `None` when the item is met.
    pub failure: Option<CountyReason>,
}

impl CountyItem {
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }

    /// What the item says: its figure when met, the reason when not.
    pub fn text(&self, lang: Lang) -> String {
        match &self.failure {
            Some(reason) => reason.localize(lang),
            None => lang.pick("达标", "Met").to_string(),
        }
    }
}

/// The county exit test and its rates.
#[derive(Debug, Clone, PartialEq)]
pub struct CountyAssessment {
    pub items: Vec<CountyItem>,
    pub incidence: Option<f64>,
    /// Wrongly exited of exited households; `None` when none has exited.
    pub wrong_exit_rate: Option<f64>,
    /// Possibly missed of never-registered households; `None` when there is none.
    pub missed_rate: Option<f64>,
}

impl CountyAssessment {
    pub fn passed(&self) -> bool {
        self.items.iter().all(CountyItem::passed)
    }

    /// The townships that fail 三有, each with what it lacks, in the county's township order
    /// (empty when the item is met).
    pub fn townships_lacking(&self) -> &[(String, Vec<TownshipHave>)] {
        self.items
            .iter()
            .find_map(|i| match &i.failure {
                Some(CountyReason::TownshipsLacking(list)) => Some(list.as_slice()),
                _ => None,
            })
            .unwrap_or_default()
    }
}

fn rate(flagged: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| flagged as f64 / of as f64)
}

/// Assesses the county from its totals and its townships' facts. `townships` names every
/// township of the county; one without recorded facts has none of the three haves.
pub fn assess_county(
    total: &Headline,
    townships: &[&str],
    facilities: &[TownshipFacilities],
    t: &Thresholds,
) -> CountyAssessment {
    let low_incidence = match total.incidence {
        None => Some(CountyReason::NoPopulation),
        Some(rate) if rate < t.max_incidence => None,
        Some(incidence) => Some(CountyReason::IncidenceTooHigh {
            poor_people: total.poor_people,
            population: total.population,
            incidence,
            max: t.max_incidence,
        }),
    };
    let lacking: Vec<(String, Vec<TownshipHave>)> = townships
        .iter()
        .filter_map(|name| {
            let facts = facilities.iter().find(|f| f.township == *name);
            let missing: Vec<TownshipHave> = TownshipHave::ALL
                .into_iter()
                .filter(|h| !facts.is_some_and(|f| h.has(f)))
                .collect();
            (!missing.is_empty()).then(|| (name.to_string(), missing))
        })
        .collect();
    let wrong_exit_rate = rate(total.wrongly_exited, total.exited);
    let missed_rate = rate(total.possibly_missed, total.never_registered);
    let rate_item = |flagged: usize, of: usize, value: Option<f64>, max: f64| match value {
        Some(rate) if rate >= max => Some(CountyReason::RateTooHigh {
            flagged,
            of,
            rate,
            max,
        }),
        _ => None,
    };
    let items = vec![
        CountyItem {
            criterion: CountyCriterion::LowIncidence,
            failure: low_incidence,
        },
        CountyItem {
            criterion: CountyCriterion::TownshipFacilities,
            failure: (!lacking.is_empty()).then_some(CountyReason::TownshipsLacking(lacking)),
        },
        CountyItem {
            criterion: CountyCriterion::WrongExitRate,
            failure: rate_item(
                total.wrongly_exited,
                total.exited,
                wrong_exit_rate,
                t.max_wrong_exit_rate,
            ),
        },
        CountyItem {
            criterion: CountyCriterion::MissedRate,
            failure: rate_item(
                total.possibly_missed,
                total.never_registered,
                missed_rate,
                t.max_missed_rate,
            ),
        },
    ];
    CountyAssessment {
        items,
        incidence: total.incidence,
        wrong_exit_rate,
        missed_rate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(
        poor: u32,
        people: u32,
        exited: usize,
        wrong: usize,
        never: usize,
        missed: usize,
    ) -> Headline {
        let mut h = Headline::sum([]);
        h.poor_people = poor;
        h.population = people;
        h.incidence = crate::rules::village::poverty_incidence(poor, people);
        h.exited = exited;
        h.wrongly_exited = wrong;
        h.never_registered = never;
        h.possibly_missed = missed;
        h
    }

    fn equipped(name: &str) -> TownshipFacilities {
        TownshipFacilities {
            township: name.to_string(),
            central_school: true,
            health_centre: true,
            service_centre: true,
        }
    }

    #[test]
    fn a_county_below_every_limit_with_equipped_townships_passes() {
        let t = Thresholds::default();
        // 29 of 1000 people: 2.9% < 3%; 1 of 100 exits wrong (1%); 1 of 51 missed (1.96%).
        let a = assess_county(
            &totals(29, 1000, 100, 1, 51, 1),
            &["元坝镇", "歧坪镇"],
            &[equipped("元坝镇"), equipped("歧坪镇")],
            &t,
        );
        assert!(a.passed(), "{a:?}");
        assert_eq!(a.wrong_exit_rate, Some(0.01));
    }

    #[test]
    fn incidence_at_the_limit_rates_at_two_percent_and_a_township_short_fail() {
        let t = Thresholds::default();
        let mut short = equipped("歧坪镇");
        short.health_centre = false;
        let a = assess_county(
            &totals(30, 1000, 100, 2, 51, 1),
            &["元坝镇", "歧坪镇", "白驿镇"],
            &[equipped("元坝镇"), short],
            &t,
        );
        let failed: Vec<CountyCriterion> = a
            .items
            .iter()
            .filter(|i| !i.passed())
            .map(|i| i.criterion)
            .collect();
        assert_eq!(
            failed,
            [
                CountyCriterion::LowIncidence,
                CountyCriterion::TownshipFacilities,
                CountyCriterion::WrongExitRate
            ]
        );
        let text = a.items[1].text(Lang::Zh);
        // A township with no facts recorded lacks all three.
        assert!(
            text.contains("歧坪镇缺达标卫生院")
                && text.contains("白驿镇缺标准中心校、达标卫生院、便民服务中心"),
            "{text}"
        );
        assert!(
            a.items[2]
                .text(Lang::En)
                .contains("2 of 100 households = 2.00%")
        );
        assert!(a.items[3].passed());
        let lacking = a.townships_lacking();
        assert_eq!(
            lacking,
            [
                ("歧坪镇".to_string(), vec![TownshipHave::HealthCentre]),
                ("白驿镇".to_string(), TownshipHave::ALL.to_vec()),
            ]
        );
        assert_eq!(
            lacks_text(&lacking[0].1, Lang::En),
            "lacks Qualified health centre"
        );
    }
}
