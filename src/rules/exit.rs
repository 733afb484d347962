//! Household exit checklist 一超六有 (Sichuan): per-capita net income above the national line,
//! plus six haves — compulsory education, basic medical insurance, safe housing, safe drinking
//! water, electricity, radio and television. Each item carries the reasons a first secretary reads
//! before the village review, so a failed item says what to fix.
//!
//! "Stably above the line" (稳定超过) is judged on the assessed year alone: the item passes when
//! that year's per-capita net income is strictly above that year's line. An earlier year at or
//! below the line does not fail it — a household that has just climbed out is exactly the one
//! being assessed; whether the rise is durable is a judgement of the village review, and after
//! exit the household stays under monitoring (`rules::monitoring`).

use chrono::NaiveDate;

use super::id_number::age_on;
use super::income::{self, IncomeStanding, PovertyLines, yuan};
use crate::i18n::{Label, Lang, Localize};
use uuid::Uuid;

use crate::model::{HouseholdRecord, RiskEvent, SurveyState, Thresholds, VillageWorkflow, Visit};

/// The seven items of 一超六有, in the order of the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Criterion {
    IncomeAboveLine,
    Education,
    Medical,
    Housing,
    Water,
    Electricity,
    RadioTv,
}

impl Criterion {
    pub const ALL: [Criterion; 7] = [
        Criterion::IncomeAboveLine,
        Criterion::Education,
        Criterion::Medical,
        Criterion::Housing,
        Criterion::Water,
        Criterion::Electricity,
        Criterion::RadioTv,
    ];
}

impl Label for Criterion {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            Criterion::IncomeAboveLine => lang.pick(
                "一超：人均纯收入稳定超过国家扶贫标准",
                "Per-capita net income stably above the national poverty line",
            ),
            Criterion::Education => lang.pick("有义务教育保障", "Compulsory education guaranteed"),
            Criterion::Medical => lang.pick("有基本医疗保障", "Basic medical insurance"),
            Criterion::Housing => lang.pick("有安全住房", "Safe housing"),
            Criterion::Water => lang.pick("有安全饮用水", "Safe drinking water"),
            Criterion::Electricity => lang.pick("有生活用电", "Electricity for daily life"),
            Criterion::RadioTv => lang.pick("有广播电视", "Radio and television"),
        }
    }
}

/// Why an item did not pass.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    NoIncomeRecord {
        year: i32,
    },
    NoPovertyLine {
        year: i32,
    },
    NoMembers,
    IncomeAtOrBelowLine {
        per_capita_yuan: f64,
        line_yuan: f64,
    },
    ChildNotInSchool {
        name: String,
        age: u32,
    },
    NoMedicalInsurance {
        name: String,
    },
    HousingUnsafe,
    WaterUnsafe,
    NoElectricity,
    NoRadioTv,
    /// The fact the item rests on was never recorded (未填): not surveyed, so not passed.
    NotSurveyed(Criterion),
    /// A problem with one of 两不愁三保障 seen at the visit of `visit_date`.
    SeenAtVisit {
        visit_date: NaiveDate,
        concern: VisitConcern,
    },
}

/// What a visit can find wrong with 两不愁三保障 (and a serious illness, which puts basic medical
/// care in question).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VisitConcern {
    Food,
    Clothing,
    Education,
    Medical,
    Housing,
    SeriousIllness,
}

impl VisitConcern {
    fn words(self, lang: Lang) -> &'static str {
        match self {
            VisitConcern::Food => lang.pick("吃饭（不愁吃）有问题", "food was a problem"),
            VisitConcern::Clothing => lang.pick("穿衣（不愁穿）有问题", "clothing was a problem"),
            VisitConcern::Education => {
                lang.pick("义务教育有问题", "compulsory education was a problem")
            }
            VisitConcern::Medical => {
                lang.pick("基本医疗有问题", "basic medical care was a problem")
            }
            VisitConcern::Housing => lang.pick("住房安全有问题", "housing was unsafe"),
            VisitConcern::SeriousIllness => lang.pick(
                "家中有人患大病，需核实医疗保障",
                "a serious illness; check medical cover",
            ),
        }
    }

    /// The item of 一超六有 the concern counts against (两不愁 against the income item).
    fn criterion(self) -> Criterion {
        match self {
            VisitConcern::Food | VisitConcern::Clothing => Criterion::IncomeAboveLine,
            VisitConcern::Education => Criterion::Education,
            VisitConcern::Medical | VisitConcern::SeriousIllness => Criterion::Medical,
            VisitConcern::Housing => Criterion::Housing,
        }
    }
}

/// The 两不愁三保障 problems seen at visits that still count: for each item, the latest finished
/// visit that checked it, if it found a problem and no survey was confirmed on or after that
/// day. A later visit that finds the item fine, or a later confirmed survey, clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VisitFindings {
    pub concerns: Vec<(VisitConcern, NaiveDate)>,
}

/// Reads one item of 两不愁三保障 off a visit.
type SeenItem = fn(&Visit) -> Option<bool>;

/// The findings of `visits` (of one household, drafts ignored) that a survey confirmed on
/// `surveyed_on` has not superseded.
pub fn visit_findings<'a>(
    visits: impl IntoIterator<Item = &'a Visit>,
    surveyed_on: Option<NaiveDate>,
) -> VisitFindings {
    let mut visits: Vec<&Visit> = visits
        .into_iter()
        .filter(|v| !v.is_draft && surveyed_on.is_none_or(|s| v.date > s))
        .collect();
    visits.sort_by_key(|v| std::cmp::Reverse(v.date));
    let latest = |item: SeenItem| {
        visits
            .iter()
            .find_map(|v| item(v).map(|ok| (ok, v.date)))
            .and_then(|(ok, date)| (!ok).then_some(date))
    };
    let mut concerns = Vec::new();
    let items: [(VisitConcern, SeenItem); 5] = [
        (VisitConcern::Food, |v| v.checklist.food),
        (VisitConcern::Clothing, |v| v.checklist.clothing),
        (VisitConcern::Education, |v| v.checklist.education),
        (VisitConcern::Medical, |v| v.checklist.medical),
        (VisitConcern::Housing, |v| v.checklist.housing),
    ];
    for (concern, item) in items {
        if let Some(date) = latest(item) {
            concerns.push((concern, date));
        }
    }
    // A serious illness counts from the latest visit only: a later visit without it clears it.
    if let Some(v) = visits.first()
        && v.risk_events.contains(&RiskEvent::SeriousIllness)
    {
        concerns.push((VisitConcern::SeriousIllness, v.date));
    }
    VisitFindings { concerns }
}

/// The findings that count for household `household_id` of a village's records.
pub fn findings_of(workflow: &VillageWorkflow, household_id: Uuid) -> VisitFindings {
    let surveyed_on = last_survey_confirmed(
        workflow
            .surveys
            .iter()
            .filter(|s| s.household_id == household_id),
    );
    visit_findings(
        workflow
            .visits
            .iter()
            .filter(|v| v.household_id == household_id),
        surveyed_on,
    )
}

/// The day the latest survey of the household was confirmed, from its survey records.
pub fn last_survey_confirmed<'a>(
    surveys: impl IntoIterator<Item = &'a SurveyState>,
) -> Option<NaiveDate> {
    surveys.into_iter().filter_map(|s| s.confirmed_on).max()
}

impl Localize for Reason {
    fn localize(&self, lang: Lang) -> String {
        match self {
            Reason::NoIncomeRecord { year } => match lang {
                Lang::Zh => format!("没有{year}年的收入记录，请先录入该年收入。"),
                Lang::En => format!("There is no income record for {year}; enter that year's income first."),
            },
            Reason::NoPovertyLine { year } => match lang {
                Lang::Zh => format!("扶贫标准表中没有{year}年或更早年份的标准，请在设置中补充。"),
                Lang::En => format!(
                    "The poverty-line table has no line for {year} or any earlier year; add it in Settings."
                ),
            },
            Reason::NoMembers => lang
                .pick(
                    "该户没有登记家庭成员，无法计算人均纯收入，请先录入成员。",
                    "The household has no registered members, so per-capita income cannot be computed; add the members first.",
                )
                .to_string(),
            Reason::IncomeAtOrBelowLine { per_capita_yuan, line_yuan } => {
                let (pc, line) = (yuan(*per_capita_yuan), yuan(*line_yuan));
                match lang {
                    Lang::Zh => format!("人均纯收入{pc}元，未超过当年扶贫标准{line}元。"),
                    Lang::En => format!(
                        "Per-capita net income is {pc} yuan, not above that year's poverty line of {line} yuan."
                    ),
                }
            }
            Reason::ChildNotInSchool { name, age } => match lang {
                Lang::Zh => format!("{name}（{age}岁）处于义务教育年龄，但未在校就读。"),
                Lang::En => format!("{name} ({age}) is of compulsory-school age but not in school."),
            },
            Reason::NoMedicalInsurance { name } => match lang {
                Lang::Zh => format!("{name}未参加基本医疗保险。"),
                Lang::En => format!("{name} has no basic medical insurance."),
            },
            Reason::HousingUnsafe => lang
                .pick(
                    "住房不安全，需完成危房改造或搬迁后再评。",
                    "The house is recorded as unsafe; it needs rebuilding or relocation first.",
                )
                .to_string(),
            Reason::WaterUnsafe => lang
                .pick("饮用水不安全。", "Drinking water is recorded as unsafe.")
                .to_string(),
            Reason::NoElectricity => lang
                .pick("未通生活用电。", "The household has no electricity for daily life.")
                .to_string(),
            Reason::NoRadioTv => lang
                .pick("未通广播电视。", "The household has no radio or television.")
                .to_string(),
            Reason::NotSurveyed(criterion) => match lang {
                Lang::Zh => format!(
                    "未调查：“{}”尚未填写，请入户调查后在基本情况中录入。",
                    criterion.label(lang)
                ),
                Lang::En => format!(
                    "Not surveyed: \"{}\" has not been recorded; survey the household and enter it under Basic facts.",
                    criterion.label(lang)
                ),
            },
            Reason::SeenAtVisit {
                visit_date,
                concern,
            } => match lang {
                Lang::Zh => format!("{visit_date}走访发现：{}。", concern.words(lang)),
                Lang::En => format!("At the visit of {visit_date}: {}.", concern.words(lang)),
            },
        }
    }
}

/// One item of the checklist with its result.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub criterion: Criterion,
    pub passed: bool,
    /// Empty when the item passed.
    pub reasons: Vec<Reason>,
}

impl Item {
    /// Whether the item failed only for want of a survey answer (shown 未调查, not ×).
    pub fn not_surveyed(&self) -> bool {
        !self.reasons.is_empty()
            && self
                .reasons
                .iter()
                .all(|r| matches!(r, Reason::NotSurveyed(_)))
    }

    fn new(criterion: Criterion, reasons: Vec<Reason>) -> Item {
        Item {
            criterion,
            passed: reasons.is_empty(),
            reasons,
        }
    }
}

/// The checklist of one household for one income year.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub year: i32,
    /// One item per criterion, in the order of [`Criterion::ALL`].
    pub items: Vec<Item>,
    /// True only when every item passed.
    pub passed: bool,
}

impl Assessment {
    pub fn failed(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| !i.passed)
    }
}

/// Assesses `rec` against 一超六有 on the incomes of `year`. Ages for the education item are taken
/// on `today`, since the question is whether children are in school now. The problems the
/// latest visits saw (`seen`, from [`visit_findings`]) fail their items with the visit's date.
pub fn assess(
    rec: &HouseholdRecord,
    year: i32,
    lines: &PovertyLines,
    t: &Thresholds,
    today: NaiveDate,
    seen: &VisitFindings,
) -> Assessment {
    let living = &rec.household.living;
    let flag = |fact: Option<bool>, criterion: Criterion, reason: Reason| match fact {
        Some(true) => vec![],
        Some(false) => vec![reason],
        None => vec![Reason::NotSurveyed(criterion)],
    };
    let items = vec![
        Item::new(
            Criterion::IncomeAboveLine,
            income_reasons(rec, year, lines, t),
        ),
        Item::new(Criterion::Education, education_reasons(rec, t, today)),
        Item::new(
            Criterion::Medical,
            rec.members
                .iter()
                .filter(|m| !m.medical_insurance)
                .map(|m| Reason::NoMedicalInsurance {
                    name: m.name.clone(),
                })
                .collect(),
        ),
        Item::new(
            Criterion::Housing,
            flag(
                living.housing_safe,
                Criterion::Housing,
                Reason::HousingUnsafe,
            ),
        ),
        Item::new(
            Criterion::Water,
            flag(living.water_safe, Criterion::Water, Reason::WaterUnsafe),
        ),
        Item::new(
            Criterion::Electricity,
            flag(
                living.electricity,
                Criterion::Electricity,
                Reason::NoElectricity,
            ),
        ),
        Item::new(
            Criterion::RadioTv,
            flag(living.radio_tv, Criterion::RadioTv, Reason::NoRadioTv),
        ),
    ];
    let mut items = items;
    for (concern, visit_date) in &seen.concerns {
        if let Some(item) = items
            .iter_mut()
            .find(|i| i.criterion == concern.criterion())
        {
            item.reasons.push(Reason::SeenAtVisit {
                visit_date: *visit_date,
                concern: *concern,
            });
            item.passed = false;
        }
    }
    let passed = items.iter().all(|i| i.passed);
    Assessment {
        year,
        items,
        passed,
    }
}

fn income_reasons(
    rec: &HouseholdRecord,
    year: i32,
    lines: &PovertyLines,
    t: &Thresholds,
) -> Vec<Reason> {
    // Report every missing input at once so the team can fix them in one visit.
    let mut reasons = Vec::new();
    let record = rec.income_of(year);
    if record.is_none() {
        reasons.push(Reason::NoIncomeRecord { year });
    }
    if rec.members.is_empty() {
        reasons.push(Reason::NoMembers);
    }
    let line = lines.line_for(year);
    if line.is_none() {
        reasons.push(Reason::NoPovertyLine { year });
    }
    if let (Some(record), Some(line_yuan)) = (record, line)
        && let Some(per_capita_yuan) =
            income::per_capita(record, super::membership::size_in(rec, record.year))
        && income::classify(per_capita_yuan, line_yuan, t) == IncomeStanding::Below
    {
        reasons.push(Reason::IncomeAtOrBelowLine {
            per_capita_yuan,
            line_yuan,
        });
    }
    reasons
}

fn education_reasons(rec: &HouseholdRecord, t: &Thresholds, today: NaiveDate) -> Vec<Reason> {
    let school_age = t.school_age_min..=t.school_age_max;
    rec.members
        .iter()
        .filter(|m| m.birth_date <= today && !m.in_school)
        .filter_map(|m| {
            let age = age_on(m.birth_date, today);
            school_age.contains(&age).then(|| Reason::ChildNotInSchool {
                name: m.name.clone(),
                age,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HouseholdStatus, Relation, Sex};
    use crate::rules::fixtures::*;

    fn today() -> NaiveDate {
        date(2017, 9, 1)
    }

    /// A household of three that meets every item for 2016: per-capita 3000 > line 2855,
    /// a 10-year-old in school, everybody insured, living conditions all safe.
    fn ready_household() -> HouseholdRecord {
        let mut rec = household("001", HouseholdStatus::Registered);
        add_member(
            &mut rec,
            "李建国",
            date(1975, 3, 1),
            Sex::Male,
            Relation::Head,
        );
        add_member(
            &mut rec,
            "张秀英",
            date(1977, 5, 2),
            Sex::Female,
            Relation::Spouse,
        );
        add_member(
            &mut rec,
            "李小明",
            date(2007, 4, 3),
            Sex::Male,
            Relation::Child,
        )
        .in_school = true;
        add_income(&mut rec, 2016, 9000.0);
        rec
    }

    fn run(rec: &HouseholdRecord) -> Assessment {
        assess(
            rec,
            2016,
            &domain_lines(),
            &Thresholds::default(),
            today(),
            &VisitFindings::default(),
        )
    }

    fn only_failure(a: &Assessment) -> &Item {
        let failed: Vec<_> = a.failed().collect();
        assert_eq!(failed.len(), 1, "{a:#?}");
        failed[0]
    }

    #[test]
    fn a_ready_household_passes_every_item() {
        let a = run(&ready_household());
        assert!(a.passed, "{a:#?}");
        assert_eq!(a.year, 2016);
        let criteria: Vec<_> = a.items.iter().map(|i| i.criterion).collect();
        assert_eq!(criteria, Criterion::ALL);
        assert!(a.items.iter().all(|i| i.passed && i.reasons.is_empty()));
        assert_eq!(a.failed().count(), 0);
    }

    #[test]
    fn income_exactly_at_the_line_fails() {
        // 8565 ÷ 3 = 2855, the 2016 line: not above it.
        let mut rec = ready_household();
        rec.incomes[0].wage_yuan = 8565.0;
        let a = run(&rec);
        assert!(!a.passed);
        let item = only_failure(&a);
        assert_eq!(item.criterion, Criterion::IncomeAboveLine);
        assert_eq!(
            item.reasons,
            [Reason::IncomeAtOrBelowLine {
                per_capita_yuan: 2855.0,
                line_yuan: 2855.0
            }]
        );
        assert_eq!(
            item.reasons[0].localize(Lang::Zh),
            "人均纯收入2855.00元，未超过当年扶贫标准2855.00元。"
        );
        assert!(item.reasons[0].localize(Lang::En).contains("2855.00 yuan"));

        // One fen above the line passes.
        rec.incomes[0].wage_yuan = 8565.03;
        assert!(run(&rec).passed);
    }

    #[test]
    fn missing_income_members_or_line_are_named() {
        let mut rec = ready_household();
        rec.incomes.clear();
        let a = run(&rec);
        assert_eq!(
            only_failure(&a).reasons,
            [Reason::NoIncomeRecord { year: 2016 }]
        );

        let mut rec = ready_household();
        rec.members.clear();
        let a = run(&rec);
        assert_eq!(only_failure(&a).reasons, [Reason::NoMembers]);

        let mut rec = ready_household();
        add_income(&mut rec, 2012, 9000.0);
        let a = assess(
            &rec,
            2012,
            &domain_lines(),
            &Thresholds::default(),
            today(),
            &VisitFindings::default(),
        );
        assert_eq!(
            only_failure(&a).reasons,
            [Reason::NoPovertyLine { year: 2012 }]
        );
        assert!(
            Reason::NoPovertyLine { year: 2012 }
                .localize(Lang::Zh)
                .contains("2012年")
        );
    }

    #[test]
    fn an_earlier_year_below_the_line_does_not_fail_the_assessed_year() {
        let mut rec = ready_household();
        add_income(&mut rec, 2015, 6000.0); // 2000 per person, below 2800
        assert!(run(&rec).passed);
        let a2015 = assess(
            &rec,
            2015,
            &domain_lines(),
            &Thresholds::default(),
            today(),
            &VisitFindings::default(),
        );
        assert!(!a2015.passed);
    }

    #[test]
    fn school_age_child_not_in_school_fails_education() {
        let mut rec = ready_household();
        rec.members[2].in_school = false;
        let a = run(&rec);
        let item = only_failure(&a);
        assert_eq!(item.criterion, Criterion::Education);
        assert_eq!(
            item.reasons,
            [Reason::ChildNotInSchool {
                name: "李小明".into(),
                age: 10
            }]
        );
        assert_eq!(
            item.reasons[0].localize(Lang::Zh),
            "李小明（10岁）处于义务教育年龄，但未在校就读。"
        );
        assert_eq!(
            item.reasons[0].localize(Lang::En),
            "李小明 (10) is of compulsory-school age but not in school."
        );
    }

    #[test]
    fn school_age_bounds_are_inclusive_and_configurable() {
        let t = Thresholds::default(); // 6..=15
        let cases = [
            (date(2011, 9, 2), false), // 5 on 2017-09-01
            (date(2011, 9, 1), true),  // 6 today
            (date(2002, 9, 1), true),  // 15 today
            (date(2001, 9, 1), false), // 16
        ];
        for (birth, expect_fail) in cases {
            let mut rec = ready_household();
            rec.incomes[0].wage_yuan = 20_000.0; // keep the income item passing with a 4th member
            add_member(&mut rec, "孩子", birth, Sex::Female, Relation::Grandchild);
            let a = assess(
                &rec,
                2016,
                &domain_lines(),
                &t,
                today(),
                &VisitFindings::default(),
            );
            assert_eq!(!a.passed, expect_fail, "born {birth}");
        }
        let mut rec = ready_household();
        rec.incomes[0].wage_yuan = 20_000.0;
        add_member(
            &mut rec,
            "孩子",
            date(2001, 9, 1),
            Sex::Female,
            Relation::Grandchild,
        );
        let t = Thresholds {
            school_age_max: 16,
            ..Thresholds::default()
        };
        let a = assess(
            &rec,
            2016,
            &domain_lines(),
            &t,
            today(),
            &VisitFindings::default(),
        );
        assert_eq!(
            only_failure(&a).reasons,
            [Reason::ChildNotInSchool {
                name: "孩子".into(),
                age: 16
            }]
        );
    }

    #[test]
    fn each_uninsured_member_is_named() {
        let mut rec = ready_household();
        rec.members[0].medical_insurance = false;
        rec.members[1].medical_insurance = false;
        let a = run(&rec);
        let item = only_failure(&a);
        assert_eq!(item.criterion, Criterion::Medical);
        assert_eq!(
            item.reasons,
            [
                Reason::NoMedicalInsurance {
                    name: "李建国".into()
                },
                Reason::NoMedicalInsurance {
                    name: "张秀英".into()
                }
            ]
        );
        assert_eq!(
            item.reasons[0].localize(Lang::Zh),
            "李建国未参加基本医疗保险。"
        );
    }

    #[test]
    fn each_living_condition_fails_its_own_item() {
        type Spoil = fn(&mut crate::model::LivingConditions);
        let cases: [(Spoil, Criterion, Reason); 4] = [
            (
                |l| l.housing_safe = Some(false),
                Criterion::Housing,
                Reason::HousingUnsafe,
            ),
            (
                |l| l.water_safe = Some(false),
                Criterion::Water,
                Reason::WaterUnsafe,
            ),
            (
                |l| l.electricity = Some(false),
                Criterion::Electricity,
                Reason::NoElectricity,
            ),
            (
                |l| l.radio_tv = Some(false),
                Criterion::RadioTv,
                Reason::NoRadioTv,
            ),
        ];
        for (spoil, criterion, reason) in cases {
            let mut rec = ready_household();
            spoil(&mut rec.household.living);
            let a = run(&rec);
            assert!(!a.passed);
            let item = only_failure(&a);
            assert_eq!(item.criterion, criterion);
            assert_eq!(item.reasons, std::slice::from_ref(&reason));
            assert!(!reason.localize(Lang::Zh).is_empty());
            assert!(!reason.localize(Lang::En).is_empty());
        }
    }

    #[test]
    fn unrecorded_living_facts_are_not_surveyed_and_do_not_pass() {
        let mut rec = ready_household();
        rec.household.living = crate::model::LivingConditions::default();
        let a = run(&rec);
        assert!(!a.passed);
        let failed: Vec<_> = a.failed().map(|i| i.criterion).collect();
        assert_eq!(
            failed,
            [
                Criterion::Housing,
                Criterion::Water,
                Criterion::Electricity,
                Criterion::RadioTv
            ]
        );
        for item in a.failed() {
            assert!(item.not_surveyed());
            assert_eq!(item.reasons, [Reason::NotSurveyed(item.criterion)]);
        }
        assert_eq!(
            Reason::NotSurveyed(Criterion::Water).localize(Lang::Zh),
            "未调查：“有安全饮用水”尚未填写，请入户调查后在基本情况中录入。"
        );
        // One fact recorded unsafe and the rest unknown: the unsafe one is a plain failure.
        rec.household.living.housing_safe = Some(false);
        let a = run(&rec);
        let housing = &a.items[3];
        assert_eq!(housing.criterion, Criterion::Housing);
        assert!(!housing.passed && !housing.not_surveyed());
        assert_eq!(housing.reasons, [Reason::HousingUnsafe]);
    }

    #[test]
    fn a_visit_finding_on_an_unsurveyed_item_is_not_only_not_surveyed() {
        let mut rec = ready_household();
        rec.household.living.housing_safe = None;
        let mut v = visit(&rec, date(2017, 6, 5));
        v.checklist.housing = Some(false);
        let seen = visit_findings([&v], None);
        let a = assess(
            &rec,
            2016,
            &domain_lines(),
            &Thresholds::default(),
            today(),
            &seen,
        );
        let housing = &a.items[3];
        assert!(!housing.passed);
        assert!(!housing.not_surveyed(), "a visit saw a problem too");
    }

    #[test]
    fn several_failures_are_all_listed() {
        let mut rec = ready_household();
        rec.incomes[0].wage_yuan = 6000.0;
        rec.household.living.water_safe = Some(false);
        let a = run(&rec);
        let failed: Vec<_> = a.failed().map(|i| i.criterion).collect();
        assert_eq!(failed, [Criterion::IncomeAboveLine, Criterion::Water]);
    }

    #[test]
    fn labels_in_both_languages() {
        assert_eq!(
            Criterion::IncomeAboveLine.label(Lang::Zh),
            "一超：人均纯收入稳定超过国家扶贫标准"
        );
        assert_eq!(Criterion::RadioTv.label(Lang::Zh), "有广播电视");
        for c in Criterion::ALL {
            assert!(!c.label(Lang::En).is_empty());
        }
    }

    #[test]
    fn a_visit_that_saw_unsafe_housing_fails_the_housing_item_with_its_date() {
        let rec = ready_household();
        let mut v = visit(&rec, date(2017, 6, 5));
        v.checklist.housing = Some(false);
        v.risk_events = vec![RiskEvent::SeriousIllness];
        let seen = visit_findings([&v], None);
        let a = assess(
            &rec,
            2016,
            &domain_lines(),
            &Thresholds::default(),
            today(),
            &seen,
        );
        let failed: Vec<_> = a.failed().map(|i| i.criterion).collect();
        assert_eq!(failed, [Criterion::Medical, Criterion::Housing]);
        let housing = &a.items[3];
        assert_eq!(
            housing.reasons,
            [Reason::SeenAtVisit {
                visit_date: date(2017, 6, 5),
                concern: VisitConcern::Housing
            }]
        );
        assert_eq!(
            housing.reasons[0].localize(Lang::Zh),
            "2017-06-05走访发现：住房安全有问题。"
        );
    }

    #[test]
    fn a_later_visit_or_survey_clears_what_an_earlier_visit_saw() {
        let rec = ready_household();
        let mut bad = visit(&rec, date(2017, 6, 5));
        bad.checklist.housing = Some(false);
        bad.checklist.food = Some(false);
        // A later visit that did not check housing leaves it standing, and clears food.
        let mut later = visit(&rec, date(2017, 7, 1));
        later.checklist.food = Some(true);
        let seen = visit_findings([&bad, &later], None);
        assert_eq!(seen.concerns, [(VisitConcern::Housing, date(2017, 6, 5))]);
        // A visit that finds the house safe clears it.
        let mut fixed = visit(&rec, date(2017, 8, 1));
        fixed.checklist.housing = Some(true);
        assert_eq!(
            visit_findings([&bad, &later, &fixed], None),
            VisitFindings::default()
        );
        // So does a survey confirmed on or after the visit; a draft visit never counts.
        assert_eq!(
            visit_findings([&bad], Some(date(2017, 6, 5))),
            VisitFindings::default()
        );
        bad.is_draft = true;
        assert_eq!(visit_findings([&bad], None), VisitFindings::default());
        let a = assess(
            &rec,
            2016,
            &domain_lines(),
            &Thresholds::default(),
            today(),
            &visit_findings([&later], None),
        );
        assert!(a.passed, "{a:#?}");
    }
}
