//! The six-precisions workflow of a demo village: work team, helpers, projects, plans (measures),
//! funds, visits, baseline surveys, exit decisions, products, sales and trainings. Drawn from the
//! village's own generator after its households, so the registry part of a village does not
//! depend on this module.
//!
//! Every village shows something in each list of the precision panels whenever it has the
//! households for it: a project serving no household, a scattered fund entry and a double-counted
//! pair, registered households without a plan and with a plan ignoring the main cause, one
//! household getting the same kind of measure from two units, followed households without a
//! helper (the registry's helper column is followed: a household's helper is the one named there),
//! visits within 30 days of [`demo_today`], older ones and none, and one exited household with a
//! risk event at its last visit.

use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand::seq::index::sample;
use uuid::Uuid;

use super::{DEMO_YEAR, demo_today, names, new_uuid};
use crate::model::*;
use crate::rules::identification::identify;
use crate::rules::income::PovertyLines;
use crate::rules::plan::CauseAnswers;

/// Paired-unit helpers as the registry's helper column names them: "name（unit）".
fn split_helper(text: &str) -> (&str, &str) {
    match text.split_once('（') {
        Some((name, unit)) => (name, unit.trim_end_matches('）')),
        None => (text, ""),
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A day of `year` (1..=28 of a month, so always valid).
fn day_in(rng: &mut impl Rng, year: i32, months: std::ops::RangeInclusive<u32>) -> NaiveDate {
    date(year, rng.random_range(months), rng.random_range(1..=28))
}

fn person(rng: &mut impl Rng, pool: &names::SurnamePool) -> String {
    let sex = if rng.random_bool(0.7) {
        Sex::Male
    } else {
        Sex::Female
    };
    let surname = pool.pick(rng);
    let birth_year = rng.random_range(1965..1992);
    names::full_name(rng, surname, sex, birth_year)
}

/// `n` distinct entries of `from` (fewer when it is shorter), in the order drawn.
fn pick(rng: &mut impl Rng, from: &[usize], n: usize) -> Vec<usize> {
    let n = n.min(from.len());
    sample(rng, from.len(), n)
        .into_iter()
        .map(|k| from[k])
        .collect()
}

fn phone(rng: &mut impl Rng) -> String {
    let mut s =
        String::from(names::PHONE_PREFIXES[rng.random_range(0..names::PHONE_PREFIXES.len())]);
    for _ in 0..8 {
        s.push(char::from(b'0' + rng.random_range(0..10u8)));
    }
    s
}

/// Project catalogue: (kind, name, measure kind it carries).
const PROJECTS: &[(ProjectKind, &str, MeasureKind)] = &[
    (
        ProjectKind::Road,
        "村组道路硬化工程",
        MeasureKind::Infrastructure,
    ),
    (
        ProjectKind::Water,
        "农村安全饮水工程",
        MeasureKind::Infrastructure,
    ),
    (
        ProjectKind::IndustryBase,
        "红心猕猴桃产业园",
        MeasureKind::Production,
    ),
    (
        ProjectKind::Training,
        "农村实用技术培训",
        MeasureKind::Skills,
    ),
    (
        ProjectKind::Housing,
        "农村危房改造",
        MeasureKind::HousingSafety,
    ),
];

/// (name, kind, season, unit, price per unit, certification)
const PRODUCTS: &[(&str, &str, &str, &str, f64, Certification)] = &[
    (
        "苍溪红心猕猴桃",
        "水果",
        "9–10月",
        "公斤",
        16.0,
        Certification::GeographicIndication,
    ),
    (
        "苍溪雪梨",
        "水果",
        "8–9月",
        "公斤",
        6.0,
        Certification::GeographicIndication,
    ),
    (
        "土鸡蛋",
        "禽蛋",
        "全年",
        "枚",
        1.5,
        Certification::PollutionFree,
    ),
    (
        "苍溪川明参",
        "中药材",
        "3–4月",
        "公斤",
        40.0,
        Certification::GeographicIndication,
    ),
    (
        "土鸡",
        "畜禽",
        "全年",
        "只",
        120.0,
        Certification::NoCertification,
    ),
];

const COURSES: &[&str] = &[
    "猕猴桃栽培管理技术",
    "电商直播带货实务",
    "土鸡生态养殖技术",
    "川明参种植技术",
    "家政服务技能",
];

fn describe(kind: MeasureKind) -> &'static str {
    match kind {
        MeasureKind::Production => "发展红心猕猴桃种植，提供种苗和技术指导",
        MeasureKind::Relocation => "易地扶贫搬迁到集中安置点",
        MeasureKind::Ecological => "聘为生态护林员",
        MeasureKind::Education => "落实教育资助和营养餐补助",
        MeasureKind::SocialSecurity => "纳入低保兜底保障",
        MeasureKind::Employment => "推荐外出务工，落实交通补贴",
        MeasureKind::Health => "落实大病救助和家庭医生签约",
        MeasureKind::HousingSafety => "危房改造补助",
        MeasureKind::Skills => "参加实用技术培训",
        MeasureKind::SmallCredit => "扶贫小额信贷5万元，财政贴息",
        MeasureKind::Ecommerce => "通过村电商服务站销售农产品",
        MeasureKind::Infrastructure => "入户道路和饮水设施",
    }
}

fn fund_source_for(rng: &mut impl Rng, kind: MeasureKind) -> FundSource {
    match kind {
        MeasureKind::SmallCredit => FundSource::Credit,
        MeasureKind::SocialSecurity | MeasureKind::Health => FundSource::Sector,
        MeasureKind::HousingSafety | MeasureKind::Relocation => FundSource::Central,
        _ => super::weighted(
            rng,
            &[
                (FundSource::County, 4),
                (FundSource::Provincial, 2),
                (FundSource::Social, 2),
                (FundSource::SelfRaised, 1),
            ],
        ),
    }
}

/// Any answer to `cause` (the first kind of the default table when it lists any).
fn answer_to(rng: &mut impl Rng, table: &CauseAnswers, cause: Option<Cause>) -> MeasureKind {
    let answers = cause.map(|c| table.answers(c)).unwrap_or(&[]);
    if answers.is_empty() {
        MeasureKind::Production
    } else {
        answers[rng.random_range(0..answers.len())]
    }
}

/// A measure kind that does not answer `cause` (production or e-commerce for most causes).
fn not_answering(table: &CauseAnswers, cause: Cause) -> Option<MeasureKind> {
    [
        MeasureKind::Ecommerce,
        MeasureKind::Ecological,
        MeasureKind::Education,
        MeasureKind::Production,
    ]
    .into_iter()
    .find(|k| !table.is_answered_by(cause, *k))
}

pub(super) fn generate(
    rng: &mut impl Rng,
    village: &Village,
    households: &[HouseholdRecord],
    helper_names: &[String],
) -> VillageWorkflow {
    let today = demo_today();
    let table = CauseAnswers::default();
    let lines = PovertyLines::default();
    let thresholds = Thresholds::default();
    let pool = names::SurnamePool::new(rng);
    let units = names::HELPER_UNITS;
    let vid = village.id;

    // ------------------------------------------------------------- personnel
    let secretary_unit = units[rng.random_range(0..units.len())];
    let start_year = rng.random_range(2019..=2020);
    let term_start = day_in(rng, start_year, 1..=6);
    let secretary = person(rng, &pool);
    let mut team = vec![TeamMember {
        id: new_uuid(rng),
        village_id: vid,
        name: secretary.clone(),
        role: TeamRole::FirstSecretary,
        unit: secretary_unit.to_string(),
        phone: phone(rng),
        term_start,
        term_end: Some(term_start + Duration::days(730)),
    }];
    for k in 0..rng.random_range(2..=3) {
        let unit = if k == 0 {
            format!("{}人民政府", village.township)
        } else {
            secretary_unit.to_string()
        };
        team.push(TeamMember {
            id: new_uuid(rng),
            village_id: vid,
            name: person(rng, &pool),
            role: TeamRole::Member,
            unit,
            phone: phone(rng),
            term_start,
            term_end: Some(term_start + Duration::days(730)),
        });
    }

    let mut helpers: Vec<Helper> = helper_names
        .iter()
        .map(|text| {
            let (name, unit) = split_helper(text);
            Helper {
                id: new_uuid(rng),
                village_id: vid,
                name: name.to_string(),
                unit: unit.to_string(),
                phone: phone(rng),
                household_ids: Vec::new(),
            }
        })
        .collect();
    // Helper of each household (by the registry's helper column).
    let mut helper_of: Vec<Option<usize>> = vec![None; households.len()];
    for (i, rec) in households.iter().enumerate() {
        if let Some(k) = helper_names
            .iter()
            .position(|h| !h.is_empty() && *h == rec.household.unmatched_helper_name)
        {
            helpers[k].household_ids.push(rec.household.id);
            helper_of[i] = Some(k);
        }
    }

    // ------------------------------------------------------------- projects
    let n_projects = rng.random_range(3..=5usize).min(PROJECTS.len());
    let chosen = sample(rng, PROJECTS.len(), n_projects).into_vec();
    let mut chosen = chosen;
    chosen.sort_unstable();
    let followed: Vec<usize> = (0..households.len())
        .filter(|&i| !households[i].household.status.outside_registry())
        .collect();
    let mut projects: Vec<(Project, MeasureKind)> = chosen
        .iter()
        .map(|&p| {
            let (kind, name, carries) = PROJECTS[p];
            let year = rng.random_range(2017..=DEMO_YEAR);
            let start = day_in(rng, year, 2..=9);
            let share = match kind {
                ProjectKind::Road => 0.3,
                ProjectKind::Water => 0.05,
                _ => 0.1,
            };
            let household_ids = followed
                .iter()
                .filter(|&&i| match kind {
                    ProjectKind::Housing => households[i].household.living.housing_safe == Some(false),
                    ProjectKind::Water => households[i].household.living.water_safe == Some(false),
                    _ => false,
                } || rng.random_bool(share))
                .map(|&i| households[i].household.id)
                .collect();
            let project = Project {
                id: new_uuid(rng),
                village_id: vid,
                name: format!("{}{name}", village.name),
                kind,
                budget_yuan: f64::from(rng.random_range(10..150u32)) * 10_000.0,
                start,
                end: (start.year() < DEMO_YEAR).then(|| start + Duration::days(240)),
                household_ids,
            };
            (project, carries)
        })
        .collect();
    // A village-level project nobody tied households to (the Projects panel asks who it serves).
    let start = day_in(rng, DEMO_YEAR, 3..=8);
    projects.push((
        Project {
            id: new_uuid(rng),
            village_id: vid,
            name: format!("{}村级文化活动室建设", village.name),
            kind: ProjectKind::Other,
            budget_yuan: f64::from(rng.random_range(5..30u32)) * 10_000.0,
            start,
            end: None,
            household_ids: Vec::new(),
        },
        MeasureKind::Infrastructure,
    ));
    let project_for = |kind: MeasureKind, household: Uuid| -> Option<Uuid> {
        projects
            .iter()
            .find(|(p, carries)| *carries == kind && p.household_ids.contains(&household))
            .map(|(p, _)| p.id)
    };

    // ------------------------------------------------------------- measures
    let registered: Vec<usize> = (0..households.len())
        .filter(|&i| households[i].household.status == HouseholdStatus::Registered)
        .collect();
    let can_ignore: Vec<usize> = registered
        .iter()
        .copied()
        .filter(|&i| {
            households[i]
                .household
                .main_cause
                .and_then(|c| not_answering(&table, c))
                .is_some()
        })
        .collect();
    let n_odd = 1 + registered.len() / 40;
    let without_plan = pick(rng, &registered, n_odd);
    let ignoring: Vec<usize> = pick(
        rng,
        &can_ignore
            .iter()
            .copied()
            .filter(|i| !without_plan.contains(i))
            .collect::<Vec<_>>(),
        n_odd,
    );
    let repeated: Vec<usize> = pick(
        rng,
        &registered
            .iter()
            .copied()
            .filter(|i| !without_plan.contains(i) && !ignoring.contains(i))
            .collect::<Vec<_>>(),
        1 + registered.len() / 80,
    );

    let mut measures = Vec::new();
    for (i, rec) in households.iter().enumerate() {
        let h = &rec.household;
        let (count, status_of): (usize, fn(NaiveDate) -> MeasureStatus) = match h.status {
            HouseholdStatus::Registered if without_plan.contains(&i) => continue,
            HouseholdStatus::Registered => (rng.random_range(1..=2), |due| {
                if due < demo_today() {
                    MeasureStatus::Done
                } else {
                    MeasureStatus::InProgress
                }
            }),
            HouseholdStatus::Exited { .. } => (1, |_| MeasureStatus::Done),
            HouseholdStatus::Monitored { .. } => (1, |_| MeasureStatus::InProgress),
            HouseholdStatus::NotRegistered | HouseholdStatus::Unassessed => continue,
        };
        let helper = helper_of[i].map(|k| &helpers[k]);
        let default_unit = helper.map_or_else(
            || format!("{}人民政府", village.township),
            |hp| hp.unit.clone(),
        );
        let mut kinds: Vec<MeasureKind> = Vec::with_capacity(count);
        for k in 0..count {
            let kind = if ignoring.contains(&i) {
                not_answering(&table, h.main_cause.expect("can_ignore has a cause"))
                    .expect("can_ignore has a non-answer")
            } else if k == 0 {
                answer_to(rng, &table, h.main_cause)
            } else {
                super::weighted(
                    rng,
                    &[
                        (MeasureKind::Production, 5),
                        (MeasureKind::Employment, 3),
                        (MeasureKind::Skills, 2),
                        (MeasureKind::Ecommerce, 1),
                        (MeasureKind::Ecological, 1),
                        (MeasureKind::SmallCredit, 1),
                    ],
                )
            };
            if kinds.contains(&kind) {
                continue;
            }
            kinds.push(kind);
        }
        let exit_year = match h.status {
            HouseholdStatus::Exited { year } => Some(year),
            _ => None,
        };
        for kind in kinds {
            let start_year = match exit_year {
                Some(y) => rng.random_range(2016..=y.max(2016)),
                None => rng.random_range(2017..=DEMO_YEAR),
            };
            let start = day_in(rng, start_year, 1..=10);
            let due = start + Duration::days(rng.random_range(150..=540));
            let amount = match kind {
                MeasureKind::SmallCredit => 50_000.0,
                MeasureKind::HousingSafety => f64::from(rng.random_range(10..=30u32)) * 1000.0,
                MeasureKind::Relocation => f64::from(rng.random_range(40..=75u32)) * 1000.0,
                MeasureKind::Infrastructure | MeasureKind::Skills => 0.0,
                _ => f64::from(rng.random_range(5..=60u32)) * 100.0,
            };
            measures.push(Measure {
                id: new_uuid(rng),
                household_id: h.id,
                kind,
                description: describe(kind).to_string(),
                helper_id: helper.map(|hp| hp.id),
                helper_unit: default_unit.clone(),
                project_id: project_for(kind, h.id),
                fund_source: fund_source_for(rng, kind),
                amount_yuan: amount,
                start,
                due,
                expected_income_yuan: f64::from(rng.random_range(3..=30u32)) * 100.0,
                status: status_of(due),
            });
        }
        if repeated.contains(&i)
            && let Some(first) = measures.last().cloned()
        {
            // The same kind of measure from a second unit: multi-head assistance.
            let other = units
                .iter()
                .find(|u| **u != first.helper_unit.as_str())
                .copied()
                .unwrap_or("县扶贫移民局");
            measures.push(Measure {
                id: new_uuid(rng),
                helper_id: None,
                helper_unit: other.to_string(),
                start: first.start + Duration::days(20),
                due: first.due + Duration::days(20),
                ..first
            });
        }
    }

    // ------------------------------------------------------------- funds
    let mut funds: Vec<FundEntry> = Vec::new();
    for (p, carries) in &projects {
        funds.push(FundEntry {
            id: new_uuid(rng),
            village_id: vid,
            source: super::weighted(
                rng,
                &[
                    (FundSource::Central, 3),
                    (FundSource::Provincial, 2),
                    (FundSource::County, 3),
                    (FundSource::Sector, 2),
                ],
            ),
            amount_yuan: (p.budget_yuan * rng.random_range(0.5..1.0) / 100.0).round() * 100.0,
            date: p.start,
            purpose: *carries,
            project_id: Some(p.id),
            household_id: None,
            measure_id: None,
            note: format!("{}项目资金", p.name),
        });
    }
    for m in measures.iter().filter(|m| m.amount_yuan > 0.0) {
        funds.push(FundEntry {
            id: new_uuid(rng),
            village_id: vid,
            source: m.fund_source,
            amount_yuan: m.amount_yuan,
            date: m.start,
            purpose: m.kind,
            project_id: m.project_id,
            household_id: Some(m.household_id),
            measure_id: Some(m.id),
            note: String::new(),
        });
    }
    // The same household payment entered twice (double counting).
    if let Some(first) = funds.iter().find(|f| f.household_id.is_some()).cloned() {
        funds.push(FundEntry {
            id: new_uuid(rng),
            measure_id: None,
            note: "补录".to_string(),
            ..first
        });
    }
    // Scattered money: reached neither a project nor a household.
    funds.push(FundEntry {
        id: new_uuid(rng),
        village_id: vid,
        source: FundSource::County,
        amount_yuan: f64::from(rng.random_range(20..=80u32)) * 100.0,
        date: day_in(rng, DEMO_YEAR, 1..=2),
        purpose: MeasureKind::SocialSecurity,
        project_id: None,
        household_id: None,
        measure_id: None,
        note: "春节慰问金，未落实到户".to_string(),
    });

    // ------------------------------------------------------------- visits
    let exited: Vec<usize> = followed
        .iter()
        .copied()
        .filter(|&i| {
            matches!(
                households[i].household.status,
                HouseholdStatus::Exited { .. }
            )
        })
        .collect();
    let at_risk = pick(rng, &exited, 1);
    let n_due = 1 + followed.len() / 30;
    let never = pick(
        rng,
        &followed
            .iter()
            .copied()
            .filter(|i| !at_risk.contains(i))
            .collect::<Vec<_>>(),
        n_due,
    );
    let old = pick(
        rng,
        &followed
            .iter()
            .copied()
            .filter(|i| !never.contains(i) && !at_risk.contains(i))
            .collect::<Vec<_>>(),
        n_due,
    );
    let mut visits = Vec::new();
    for &i in &followed {
        if never.contains(&i) {
            continue;
        }
        let rec = &households[i];
        let h = &rec.household;
        let visitors = match helper_of[i] {
            Some(k) => format!("{}、{}", helpers[k].name, secretary),
            None => secretary.clone(),
        };
        let checklist = VisitChecklist {
            food: Some(true),
            clothing: Some(true),
            education: Some(rec.members.iter().all(|m| {
                !(6..=15).contains(&crate::rules::id_number::age_on(m.birth_date, today))
                    || m.in_school
            })),
            medical: Some(rec.members.iter().all(|m| m.medical_insurance)),
            housing: h.living.housing_safe,
        };
        let last = if old.contains(&i) {
            today - Duration::days(rng.random_range(31..=120))
        } else {
            today - Duration::days(rng.random_range(0..=28))
        };
        let mut dates = vec![last];
        if rng.random_bool(0.15) {
            dates.insert(0, last - Duration::days(rng.random_range(30..=90)));
        }
        for (k, d) in dates.iter().enumerate() {
            let is_last = k + 1 == dates.len();
            let risk = is_last && at_risk.contains(&i);
            let plan_check = !risk && rng.random_bool(0.25);
            let income = plan_check
                .then(|| rec.income_of(DEMO_YEAR))
                .flatten()
                .map(|inc| VisitIncome {
                    year: inc.year,
                    wage_yuan: Some(inc.wage_yuan),
                    production_yuan: Some(inc.production_yuan),
                    property_yuan: None,
                    transfer_yuan: Some(inc.transfer_yuan),
                    production_expense_yuan: None,
                });
            visits.push(Visit {
                id: new_uuid(rng),
                household_id: h.id,
                date: *d,
                visitors: visitors.clone(),
                kind: if risk {
                    VisitKind::Emergency
                } else if plan_check {
                    VisitKind::PlanCheck
                } else {
                    VisitKind::Routine
                },
                notes: if risk {
                    "户主务工时受伤住院，家庭收入中断。".to_string()
                } else {
                    "了解生产生活情况，宣传政策。".to_string()
                },
                checklist,
                income,
                risk_events: if risk {
                    vec![RiskEvent::Accident, RiskEvent::LostWork]
                } else {
                    Vec::new()
                },
                problems: if risk {
                    "医疗费用负担重，务工收入中断。".to_string()
                } else {
                    String::new()
                },
                next_actions: if risk {
                    "申请临时救助，启动防返贫监测程序。".to_string()
                } else {
                    String::new()
                },
                is_draft: false,
            });
        }
    }

    // ------------------------------------------------------------- surveys and exits
    let mut surveys = Vec::new();
    let survey_year = DEMO_YEAR - 1;
    let mut overridden = false;
    for rec in households
        .iter()
        .filter(|r| r.household.status == HouseholdStatus::Registered)
    {
        let Ok(computed) = identify(rec, survey_year, &lines, &thresholds) else {
            continue;
        };
        // One household the team kept as poor against the income figures, with its reason.
        let (confirmed, reason) = if !overridden && computed != Identification::RegisteredPoor {
            overridden = true;
            (
                Identification::RegisteredPoor,
                "家庭成员患慢性病，刚性支出大，经村民代表评议确认为贫困户".to_string(),
            )
        } else {
            (computed, String::new())
        };
        surveys.push(SurveyState {
            id: new_uuid(rng),
            household_id: rec.household.id,
            year: survey_year,
            status: SurveyStatus::Complete,
            computed_identification: Some(computed),
            confirmed_identification: Some(confirmed),
            override_reason: reason,
            confirmed_by: secretary.clone(),
            confirmed_on: Some(day_in(rng, DEMO_YEAR, 1..=3)),
        });
    }
    let exits = exited
        .iter()
        .filter_map(|&i| {
            let h = &households[i].household;
            let HouseholdStatus::Exited { year } = h.status else {
                return None;
            };
            let proposed_on = day_in(rng, year, 10..=11);
            Some(ExitDecision {
                id: new_uuid(rng),
                household_id: h.id,
                proposed_on,
                proposed_year: year - 1,
                confirmed_on: Some(proposed_on + Duration::days(rng.random_range(10..=30))),
                confirmed_by: secretary.clone(),
            })
        })
        .collect();

    // ------------------------------------------------------------- products, sales, trainings
    let n_products = rng.random_range(2..=4usize);
    let mut chosen = sample(rng, PRODUCTS.len(), n_products).into_vec();
    chosen.sort_unstable();
    let mut products = Vec::new();
    let mut sales = Vec::new();
    // A household sells no more than its production income of the year: sales are part of it
    // (the income form checks exactly that).
    let mut unsold_yuan: Vec<f64> = households
        .iter()
        .map(|r| {
            r.incomes
                .iter()
                .find(|i| i.year == DEMO_YEAR)
                .map_or(0.0, |i| i.production_yuan)
        })
        .collect();
    for p in chosen {
        let (name, kind, season, unit, price, certification) = PRODUCTS[p];
        let producers: Vec<usize> = (0..households.len())
            .filter(|&i| {
                let l = &households[i].household.living;
                (l.in_cooperative || l.ecommerce_sales) && rng.random_bool(0.35)
                    || rng.random_bool(0.015)
            })
            .collect();
        let measure_id = measures
            .iter()
            .find(|m| {
                m.kind == MeasureKind::Production
                    && producers
                        .iter()
                        .any(|&i| households[i].household.id == m.household_id)
            })
            .map(|m| m.id);
        let product_id = new_uuid(rng);
        let mut volume = 0.0;
        for &i in &producers {
            if !rng.random_bool(0.6) {
                continue;
            }
            for _ in 0..rng.random_range(1..=2) {
                let wanted = f64::from(rng.random_range(20..=400u32));
                let affordable = (unsold_yuan[i] * 0.6 / price).floor();
                let quantity = wanted.min(affordable);
                if quantity < 1.0 {
                    continue;
                }
                unsold_yuan[i] -= (quantity * price).round();
                volume += quantity;
                sales.push(Sale {
                    id: new_uuid(rng),
                    household_id: households[i].household.id,
                    product_id: Some(product_id),
                    channel: super::weighted(
                        rng,
                        &[
                            (SalesChannel::Cooperative, 4),
                            (SalesChannel::OnlineStore, 3),
                            (SalesChannel::LiveStream, 2),
                            (SalesChannel::ExperienceStore, 1),
                        ],
                    ),
                    date: day_in(rng, DEMO_YEAR, 1..=12),
                    amount_yuan: (quantity * price).round(),
                    quantity,
                });
            }
        }
        products.push(Product {
            id: product_id,
            village_id: vid,
            name: name.to_string(),
            kind: kind.to_string(),
            season: season.to_string(),
            volume: (volume * 1.5).round().max(100.0),
            unit: unit.to_string(),
            price_yuan: price,
            certification,
            producer_household_ids: producers
                .iter()
                .map(|&i| households[i].household.id)
                .collect(),
            measure_id,
        });
    }
    let mut trainings = Vec::new();
    if !followed.is_empty() {
        for _ in 0..rng.random_range(3..=8) {
            let rec = &households[followed[rng.random_range(0..followed.len())]];
            let Some(member) = rec.head().or(rec.members.first()) else {
                continue;
            };
            trainings.push(Training {
                id: new_uuid(rng),
                village_id: vid,
                household_id: Some(rec.household.id),
                member_id: Some(member.id),
                person_name: member.name.clone(),
                course: COURSES[rng.random_range(0..COURSES.len())].to_string(),
                date: {
                    let year = rng.random_range(2018..=DEMO_YEAR);
                    day_in(rng, year, 3..=11)
                },
                hours: f64::from(rng.random_range(4..=24u32)),
            });
        }
    }

    let cases = monitoring_cases(households, &team);
    VillageWorkflow {
        helpers,
        team,
        projects: projects.into_iter().map(|(p, _)| p).collect(),
        measures,
        funds,
        visits,
        photos: Vec::new(),
        surveys,
        exits,
        products,
        sales,
        trainings,
        cases,
    }
}

/// The monitoring cases of the monitored households (the mechanism was set up in March 2020):
/// each went through the whole procedure in 2020 and was admitted within the 15 days, but the
/// last two, still open at the end of the year, one under public notice and one left after the
/// home visit, past its deadline. Ids come from the household's, so that no draw of the
/// generator moves.
fn monitoring_cases(households: &[HouseholdRecord], team: &[TeamMember]) -> Vec<MonitoringCase> {
    let Some(secretary) = team.first().map(|m| m.name.clone()) else {
        return Vec::new();
    };
    let monitored: Vec<(&HouseholdRecord, MonitoredKind)> = households
        .iter()
        .filter_map(|r| match r.household.status {
            HouseholdStatus::Monitored { kind } => Some((r, kind)),
            _ => None,
        })
        .collect();
    let n = monitored.len();
    let step = |on: NaiveDate, by: &str| {
        Some(CaseStep {
            on,
            by: by.to_string(),
        })
    };
    monitored
        .into_iter()
        .enumerate()
        .map(|(i, (r, kind))| {
            let mut id = *r.household.id.as_bytes();
            id.iter_mut()
                .zip(b"monitoring-case!")
                .for_each(|(b, k)| *b ^= k);
            // Open cases at the end; the others found between April and November.
            let (found, open) = match n - i {
                1 => (date(DEMO_YEAR, 12, 1), Some(false)),
                2 if n > 2 => (date(DEMO_YEAR, 12, 22), Some(true)),
                _ => (
                    date(DEMO_YEAR, 4 + (i as u32 % 8), 3 + (i as u32 * 5) % 20),
                    None,
                ),
            };
            let source = [
                DiscoverySource::CadreSweep,
                DiscoverySource::SelfReport,
                DiscoverySource::DepartmentAlert,
                DiscoverySource::Hotline,
            ][i % 4];
            let risk = match kind {
                MonitoredKind::UnstableExited => "脱贫后收入不稳，务工中断",
                MonitoredKind::Marginal => "人均收入略高于标准，家中有慢性病人",
                MonitoredKind::SuddenHardship => "突发大病，医疗支出大",
            };
            let day = |d: i64| found + Duration::days(d);
            let mut case = MonitoringCase {
                id: uuid::Builder::from_random_bytes(id).into_uuid(),
                household_id: r.household.id,
                kind,
                source,
                risk: risk.to_string(),
                discovered: CaseStep {
                    on: found,
                    by: secretary.clone(),
                },
                home_visit: step(day(1), &secretary),
                authorization_signed: true,
                village_review: step(day(2), &secretary),
                notice: Some(PublicNotice {
                    start: day(3),
                    end: day(8),
                    by: secretary.clone(),
                }),
                township_review: step(day(10), "乡镇审核组"),
                decision: step(day(13), "县乡村振兴局"),
                admitted: true,
                elimination: RiskElimination::default(),
            };
            match open {
                // Under public notice on 31 December.
                Some(true) => {
                    case.notice = Some(PublicNotice {
                        start: day(3),
                        end: day(8),
                        by: secretary.clone(),
                    });
                    case.township_review = None;
                    case.decision = None;
                }
                // Visited, then nothing for a month.
                Some(false) => {
                    case.village_review = None;
                    case.notice = None;
                    case.township_review = None;
                    case.decision = None;
                }
                None => {}
            }
            case
        })
        .collect()
}
