use std::collections::{HashMap, HashSet};

use super::*;
use crate::model::{Health, HouseholdStatus, PovertyAttribute, Relation};
use crate::rules::id_number::{self, age_on};

fn spec(villages: u32, households: u32) -> DemoSpec {
    DemoSpec {
        villages,
        households_per_village: households,
        seed: 2015,
    }
}

fn household<'a>(v: &'a DemoVillage, number: &str) -> &'a HouseholdRecord {
    v.households
        .iter()
        .find(|h| h.household.number == number)
        .expect("household exists")
}

#[test]
fn same_spec_gives_same_output_and_villages_do_not_depend_on_the_count() {
    let a = generate_village(&DemoSpec::default(), 0);
    let b = generate_village(&DemoSpec::default(), 0);
    assert_eq!(a, b);
    let one: Vec<_> = villages(&spec(1, 60)).collect();
    let five: Vec<_> = villages(&spec(5, 60)).collect();
    assert_eq!(one[0], five[0]);
    assert_eq!(five[3], generate_village(&spec(1, 60), 3));
    assert_ne!(five[1], five[2]);
    let other_seed = DemoSpec {
        seed: 7,
        ..spec(1, 60)
    };
    assert_ne!(generate_village(&other_seed, 0), one[0]);
}

#[test]
fn default_spec_and_demo_today() {
    assert_eq!(DemoSpec::default(), spec(1, 120));
    assert_eq!(demo_today(), NaiveDate::from_ymd_opt(2020, 12, 31).unwrap());
}

#[test]
fn ids_are_valid_consistent_and_unique_except_the_planted_problems() {
    let today = demo_today();
    let mut seen: HashMap<String, (u32, String)> = HashMap::new();
    let mut duplicates = Vec::new();
    let mut mismatches = Vec::new();
    for v in villages(&spec(4, 312)) {
        let vi: u32 = v.village.code[9..].parse::<u32>().unwrap();
        for h in &v.households {
            for m in &h.members {
                let info = id_number::validate(&m.id_number, today)
                    .unwrap_or_else(|e| panic!("{} of {}: {e}", m.id_number, h.household.number));
                assert_eq!(info.sex, m.sex);
                if info.birth_date != m.birth_date {
                    mismatches.push((
                        v.village.code.clone(),
                        h.household.number.clone(),
                        m.relation,
                    ));
                }
                let key = (vi, h.household.number.clone());
                if let Some(first) = seen.insert(m.id_number.clone(), key.clone()) {
                    duplicates.push((v.village.code.clone(), first.1, key.1));
                }
            }
        }
    }
    let village0 = generate_village(&spec(1, 312), 0).village.code;
    assert_eq!(
        duplicates,
        vec![(village0.clone(), "012".to_string(), "027".to_string())]
    );
    assert_eq!(
        mismatches,
        vec![(village0, "041".to_string(), Relation::Spouse)]
    );
}

#[test]
fn ids_stay_unique_between_villages_sharing_a_township() {
    // Villages 0 and 26 share a township; 0 and 2039 share an ID key class (documented limit).
    let mut seen = HashSet::new();
    for index in [1, 27, 53, 500, 801] {
        for h in generate_village(&spec(1, 312), index).households {
            for m in h.members {
                assert!(seen.insert(m.id_number), "duplicate in village {index}");
            }
        }
    }
}

#[test]
fn every_household_has_one_head_except_the_planted_one() {
    let v = generate_village(&DemoSpec::default(), 0);
    for h in &v.households {
        let heads = h
            .members
            .iter()
            .filter(|m| m.relation == Relation::Head)
            .count();
        let expected = if h.household.number == "035" { 0 } else { 1 };
        assert_eq!(heads, expected, "household {}", h.household.number);
    }
    for h in generate_village(&DemoSpec::default(), 1).households {
        assert!(h.head().is_some());
    }
}

#[test]
fn planted_problems_are_as_documented() {
    let v = generate_village(&DemoSpec::default(), 0);
    let daughter = household(&v, "012")
        .members
        .iter()
        .find(|m| m.relation == Relation::Child)
        .unwrap();
    let in_law = household(&v, "027")
        .members
        .iter()
        .find(|m| m.relation == Relation::ChildInLaw)
        .unwrap();
    assert_eq!(
        (&daughter.name, &daughter.id_number, daughter.birth_date),
        (&in_law.name, &in_law.id_number, in_law.birth_date)
    );
    assert_ne!(daughter.id, in_law.id);
    assert!(matches!(
        household(&v, "012").household.status,
        HouseholdStatus::Exited { year: 2019 }
    ));
    assert_eq!(
        household(&v, "027").household.status,
        HouseholdStatus::Registered
    );
    assert!(household(&v, "035").head().is_none());
    assert_eq!(household(&v, "035").size(), 3);
    let spouse = household(&v, "041")
        .members
        .iter()
        .find(|m| m.relation == Relation::Spouse)
        .unwrap();
    let info = id_number::validate(&spouse.id_number, demo_today()).unwrap();
    assert_ne!(info.birth_date, spouse.birth_date);
    assert_eq!(PLANTED.len(), 3);

    // Small villages and other villages carry no planted problem.
    let small = generate_village(&spec(1, 30), 0);
    assert!(small.households.iter().all(|h| h.head().is_some()));
}

#[test]
fn status_mix_sizes_and_attributes_are_realistic() {
    let v = generate_village(&spec(1, 1000), 3);
    let n = v.households.len() as f64;
    let share = |f: &dyn Fn(&HouseholdStatus) -> bool| {
        v.households
            .iter()
            .filter(|h| f(&h.household.status))
            .count() as f64
            / n
    };
    let registered = share(&|s| *s == HouseholdStatus::Registered);
    let exited = share(&|s| matches!(s, HouseholdStatus::Exited { year: 2017..=2020 }));
    let monitored = share(&|s| matches!(s, HouseholdStatus::Monitored { .. }));
    assert!(
        (0.30..=0.40).contains(&registered),
        "registered {registered}"
    );
    assert!((0.11..=0.19).contains(&exited), "exited {exited}");
    assert!((0.03..=0.08).contains(&monitored), "monitored {monitored}");

    let sizes: Vec<usize> = v.households.iter().map(HouseholdRecord::size).collect();
    assert!(sizes.iter().all(|s| (1..=6).contains(s)));
    let mean = sizes.iter().sum::<usize>() as f64 / n;
    assert!((2.9..=3.5).contains(&mean), "mean size {mean}");

    let poor: Vec<_> = v
        .households
        .iter()
        .filter(|h| h.household.main_cause.is_some())
        .collect();
    let general = poor
        .iter()
        .filter(|h| h.household.attribute == PovertyAttribute::General)
        .count();
    assert!(general * 2 > poor.len(), "mostly 一般贫困户");
    let illness = poor
        .iter()
        .filter(|h| h.household.main_cause == Some(crate::model::Cause::Illness))
        .count();
    let illness = illness as f64 / poor.len() as f64;
    assert!((0.3..=0.5).contains(&illness), "因病 {illness}");
    for h in &poor {
        assert!(h.household.other_causes.len() <= 2);
        assert!(
            !h.household
                .other_causes
                .contains(&h.household.main_cause.unwrap())
        );
    }
    // 低保 members only in 低保 households.
    for h in &v.households {
        if h.members.iter().any(|m| m.dibao) {
            assert_eq!(h.household.attribute, PovertyAttribute::Dibao);
        }
    }
}

#[test]
fn ages_fit_relations() {
    let today = demo_today();
    for v in villages(&spec(2, 312)) {
        for h in &v.households {
            let Some(head) = h.head() else { continue };
            let head_age = age_on(head.birth_date, today);
            assert!((26..=82).contains(&head_age));
            for m in &h.members {
                let a = age_on(m.birth_date, today);
                match m.relation {
                    Relation::Parent => assert!(a >= head_age + 18 && a >= 44, "{a} {head_age}"),
                    Relation::Child => {
                        assert!(a + 15 <= head_age && a <= 52, "{a} {head_age}")
                    }
                    Relation::Grandchild => assert!(a + 36 <= head_age),
                    Relation::Spouse | Relation::ChildInLaw => assert!(a >= 18),
                    _ => {}
                }
                if m.health == Health::Disabled {
                    assert!(matches!(m.disability_grade, Some(1..=4)));
                } else {
                    assert_eq!(m.disability_grade, None);
                }
            }
        }
    }
}

#[test]
fn village_zero_has_something_for_every_screen() {
    let v = generate_village(&DemoSpec::default(), 0);
    let registered: Vec<_> = v
        .households
        .iter()
        .filter(|h| h.household.status == HouseholdStatus::Registered)
        .collect();
    assert!(
        registered
            .iter()
            .any(|h| h.household.living.housing_safe == Some(false))
    );
    assert!(
        registered
            .iter()
            .any(|h| h.household.living.water_safe == Some(false))
    );
    assert!(
        registered
            .iter()
            .any(|h| h.members.iter().any(|m| !m.medical_insurance))
    );
    assert!(registered.iter().any(|h| {
        h.members
            .iter()
            .any(|m| (6..=15).contains(&age_on(m.birth_date, demo_today())) && !m.in_school)
    }));
    assert!(
        registered
            .iter()
            .all(|h| h.household.unmatched_helper_name.is_empty()),
        "every drawn helper is a register assignment"
    );
    assert!(registered.iter().any(|h| {
        !v.workflow
            .helpers
            .iter()
            .any(|x| x.household_ids.contains(&h.household.id))
    }));
    assert!(registered.iter().all(|h| h.household.main_cause.is_some()));
    for kind in crate::model::MonitoredKind::ALL {
        let found = v
            .households
            .iter()
            .any(|h| h.household.status == HouseholdStatus::Monitored { kind: *kind });
        assert!(found, "{kind:?}");
    }
    assert!(v.village.is_demo);
    assert_eq!(v.village.code.len(), 12);
    assert!(v.village.code.starts_with("510824"));
    assert_eq!(v.households[0].household.number, "001");
    assert_eq!(v.households[119].household.number, "120");
}

#[test]
fn incomes_follow_the_status() {
    let lines = poverty_lines();
    let v = generate_village(&spec(1, 1000), 5);
    let mut marginal_unregistered = 0;
    for h in &v.households {
        assert_eq!(
            h.incomes.iter().map(|i| i.year).collect::<Vec<_>>(),
            (2016..=2020).collect::<Vec<_>>()
        );
        let pc: Vec<f64> = h
            .incomes
            .iter()
            .map(|i| {
                for x in [
                    i.wage_yuan,
                    i.production_yuan,
                    i.property_yuan,
                    i.transfer_yuan,
                    i.production_expense_yuan,
                ] {
                    assert!(x >= 0.0 && x.fract() == 0.0);
                }
                (i.wage_yuan + i.production_yuan + i.property_yuan + i.transfer_yuan
                    - i.production_expense_yuan)
                    / h.size() as f64
            })
            .collect();
        match h.household.status {
            HouseholdStatus::Exited { year } => {
                for (k, p) in pc.iter().enumerate() {
                    if 2016 + k as i32 >= year {
                        assert!(*p > lines[k], "exited {year} below line in {}", 2016 + k);
                    }
                }
                assert!(pc[4] > pc[0]);
            }
            HouseholdStatus::NotRegistered if pc[4] > lines[4] && pc[4] < 1.5 * lines[4] => {
                marginal_unregistered += 1;
            }
            _ => {}
        }
    }
    assert!(marginal_unregistered >= 20, "{marginal_unregistered}");
}

#[test]
fn village_codes_and_names_are_unique_at_county_scale() {
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for v in villages(&spec(802, 0)) {
        assert_eq!(v.village.code.len(), 12);
        assert!(v.village.code.bytes().all(|b| b.is_ascii_digit()));
        assert!(codes.insert(v.village.code));
        assert!(names.insert(v.village.name));
    }
}

/// Prints the distribution figures and the county-scale generation time:
/// `cargo test --release --lib demo::tests::county_scale -- --ignored --nocapture`.
#[test]
#[ignore]
fn county_scale() {
    let started = std::time::Instant::now();
    let (mut households, mut members, mut incomes) = (0usize, 0usize, 0usize);
    let mut status: HashMap<&str, usize> = HashMap::new();
    let mut attribute: HashMap<&str, usize> = HashMap::new();
    let mut cause: HashMap<&str, usize> = HashMap::new();
    let mut sizes = [0usize; 7];
    for v in villages(&DemoSpec::county()) {
        households += v.households.len();
        for h in &v.households {
            members += h.members.len();
            incomes += h.incomes.len();
            sizes[h.size()] += 1;
            let s = match h.household.status {
                HouseholdStatus::Unassessed => "unassessed",
                HouseholdStatus::NotRegistered => "not_registered",
                HouseholdStatus::Registered => "registered",
                HouseholdStatus::Exited { .. } => "exited",
                HouseholdStatus::Monitored { kind } => kind.code(),
            };
            *status.entry(s).or_default() += 1;
            if let Some(c) = h.household.main_cause {
                *cause.entry(c.code()).or_default() += 1;
                *attribute.entry(h.household.attribute.code()).or_default() += 1;
            }
        }
    }
    let elapsed = started.elapsed();
    println!("{households} households, {members} members, {incomes} incomes in {elapsed:?}");
    println!(
        "mean size {:.2}, sizes {sizes:?}",
        members as f64 / households as f64
    );
    let mut status: Vec<_> = status.into_iter().collect();
    status.sort();
    println!("status {status:?}");
    let mut attribute: Vec<_> = attribute.into_iter().collect();
    attribute.sort();
    println!("attribute {attribute:?}");
    let mut cause: Vec<_> = cause.into_iter().collect();
    cause.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    println!("main cause {cause:?}");
}

#[test]
fn poverty_lines_cover_every_income_year() {
    let lines = poverty_lines();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
    assert!(lines.iter().all(|l| (2_000.0..=5_000.0).contains(l)));
}

#[test]
fn workflow_is_deterministic_and_independent_of_the_village_count() {
    let a = generate_village(&spec(1, 120), 0).workflow;
    let b = generate_village(&spec(1, 120), 0).workflow;
    assert_eq!(a, b);
    let five: Vec<_> = villages(&spec(5, 80)).collect();
    assert_eq!(five[4].workflow, generate_village(&spec(1, 80), 4).workflow);
    assert_ne!(five[1].workflow, five[2].workflow);
    let other_seed = DemoSpec {
        seed: 7,
        ..spec(1, 80)
    };
    assert_ne!(generate_village(&other_seed, 0).workflow, five[0].workflow);
}

#[test]
fn workflow_records_are_valid_and_tied_to_the_village() {
    use crate::rules::workflow_records as check;
    let today = demo_today();
    for v in villages(&spec(3, 312)) {
        let w = &v.workflow;
        let ids: HashSet<Uuid> = v.households.iter().map(|h| h.household.id).collect();
        let village_id = v.village.id;
        assert!(w.photos.is_empty());
        assert!(
            w.team
                .iter()
                .filter(|m| m.role == crate::model::TeamRole::FirstSecretary)
                .all(|m| m.serving_on(today) && m.term_end.is_some())
        );
        assert!((3..=4).contains(&w.team.len()));
        for h in &w.helpers {
            assert!(check::validate_helper(h).is_empty());
            assert_eq!(h.village_id, village_id);
            for id in &h.household_ids {
                let rec = v.households.iter().find(|r| r.household.id == *id).unwrap();
                assert_eq!(rec.household.unmatched_helper_name, "");
            }
        }
        assert!(
            w.team
                .iter()
                .all(|m| check::validate_team_member(m).is_empty())
        );
        assert!((4..=7).contains(&w.projects.len()));
        assert_eq!(
            w.projects
                .iter()
                .filter(|p| p.household_ids.is_empty())
                .count(),
            1
        );
        for p in &w.projects {
            assert!(check::validate_project(p).is_empty());
            assert!(p.household_ids.iter().all(|id| ids.contains(id)));
        }
        for m in &w.measures {
            assert!(check::validate_measure(m).is_empty());
            assert!(ids.contains(&m.household_id));
        }
        for f in &w.funds {
            let start = w
                .measures
                .iter()
                .find(|m| Some(m.id) == f.measure_id)
                .map(|m| m.start);
            assert!(check::validate_fund(f, start).is_empty(), "{f:?}");
            assert_eq!(f.village_id, village_id);
        }
        for visit in &w.visits {
            assert!(check::validate_visit(visit, today).is_empty(), "{visit:?}");
            assert!(!visit.is_draft && ids.contains(&visit.household_id));
        }
        let overrides = w
            .surveys
            .iter()
            .filter(|s| s.computed_identification != s.confirmed_identification)
            .count();
        assert!(overrides <= 1);
        for s in &w.surveys {
            assert!(check::validate_survey(s, today, &w.team).is_empty());
            assert_eq!(s.status, crate::model::SurveyStatus::Complete);
        }
        assert!(
            w.exits
                .iter()
                .all(|d| check::validate_exit(d, today, &w.team).is_empty())
        );
        assert!((2..=4).contains(&w.products.len()));
        for p in &w.products {
            assert!(check::validate_product(p).is_empty());
            assert!(p.producer_household_ids.iter().all(|id| ids.contains(id)));
        }
        assert!(!w.sales.is_empty());
        assert!(w.sales.iter().all(|s| check::validate_sale(s).is_empty()));
        assert!(
            w.trainings
                .iter()
                .all(|t| check::validate_training(t).is_empty())
        );
        // Every monitored household has its case, valid as a form would save it; at the end
        // of the year one is past its deadline.
        let monitored = v
            .households
            .iter()
            .filter(|r| matches!(r.household.status, HouseholdStatus::Monitored { .. }))
            .count();
        assert_eq!(w.cases.len(), monitored);
        let thresholds = crate::model::Thresholds::default();
        let helpers: Vec<&str> = w.helpers.iter().map(|h| h.name.as_str()).collect();
        for c in &w.cases {
            let problems = crate::rules::monitoring_cases::validate_case(
                c,
                today,
                &w.team,
                &helpers,
                &thresholds,
            );
            assert!(problems.is_empty(), "{c:?}: {problems:?}");
            assert!(ids.contains(&c.household_id));
        }
        if monitored > 0 {
            let late = crate::rules::monitoring_cases::overdue_cases(&w.cases, &thresholds, today);
            assert_eq!(late.len(), 1, "{late:?}");
        }
    }
}

#[test]
fn village_zero_workflow_has_one_survey_override_with_a_reason() {
    let v = generate_village(&DemoSpec::default(), 0);
    let overrides: Vec<_> = v
        .workflow
        .surveys
        .iter()
        .filter(|s| s.computed_identification != s.confirmed_identification)
        .collect();
    assert_eq!(overrides.len(), 1);
    assert!(!overrides[0].override_reason.is_empty());
    let registered = v
        .households
        .iter()
        .filter(|h| h.household.status == HouseholdStatus::Registered)
        .count();
    assert!(v.workflow.surveys.len() * 10 >= registered * 9);
}

#[test]
fn a_households_sales_never_exceed_its_production_income_of_the_year() {
    for v in villages(&spec(4, 120)) {
        assert!(!v.workflow.sales.is_empty());
        for r in &v.households {
            let sold = crate::rules::sales::sales_income_yuan(
                &v.workflow.sales,
                r.household.id,
                DEMO_YEAR,
            );
            let production = r
                .incomes
                .iter()
                .find(|i| i.year == DEMO_YEAR)
                .map_or(0.0, |i| i.production_yuan);
            assert!(
                sold <= production + 0.5,
                "{}: sold {sold}, production {production}",
                r.household.number
            );
        }
    }
}
