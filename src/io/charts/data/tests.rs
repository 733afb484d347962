use chrono::NaiveDate;
use uuid::Uuid;

use super::*;
use crate::model::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

fn lines() -> PovertyLines {
    PovertyLines::new(
        [
            (2015, 2800.0),
            (2016, 2855.0),
            (2017, 3026.0),
            (2019, 3218.0),
        ]
        .into_iter()
        .map(|(year, line_yuan)| PovertyLine::national(year, line_yuan))
        .collect(),
    )
}

fn village(rural_population: Option<u32>) -> Village {
    Village {
        id: Uuid::new_v4(),
        code: "510824105201".into(),
        name: "白鹤村".into(),
        township: "白鹤乡".into(),
        county: "苍溪县".into(),
        rural_population,
        is_demo: false,
        facilities: VillageFacilities::default(),
    }
}

/// A household of `size` members with the given status and main cause.
fn household(number: &str, status: HouseholdStatus, size: usize) -> HouseholdRecord {
    let id = Uuid::new_v4();
    let members = (0..size)
        .map(|k| {
            Member::new(
                id,
                format!("成员{k}"),
                String::new(),
                Sex::Female,
                date(1970, 1, 1),
                if k == 0 {
                    Relation::Head
                } else {
                    Relation::Spouse
                },
            )
        })
        .collect();
    HouseholdRecord {
        household: Household {
            id,
            village_id: Uuid::nil(),
            number: number.into(),
            address: String::new(),
            phone: String::new(),
            bank_account: String::new(),
            attribute: PovertyAttribute::General,
            status,
            main_cause: Some(Cause::Illness),
            other_causes: vec![],
            living: LivingConditions::default(),
            unmatched_helper_name: String::new(),
        },
        members,
        incomes: vec![],
        former_members: Vec::new(),
        departure: None,
    }
}

fn income(rec: &mut HouseholdRecord, year: i32, items: [f64; 5]) {
    rec.incomes.push(IncomeYear {
        id: Uuid::new_v4(),
        household_id: rec.household.id,
        year,
        wage_yuan: items[0],
        production_yuan: items[1],
        property_yuan: items[2],
        transfer_yuan: items[3],
        production_expense_yuan: items[4],
    });
}

fn visit(household_id: Uuid, date: NaiveDate, visitors: &str, risk: bool) -> Visit {
    Visit {
        id: Uuid::new_v4(),
        household_id,
        date,
        visitors: visitors.into(),
        kind: VisitKind::Routine,
        notes: String::new(),
        checklist: VisitChecklist::default(),
        income: None,
        risk_events: if risk {
            vec![RiskEvent::SeriousIllness]
        } else {
            vec![]
        },
        problems: String::new(),
        next_actions: String::new(),
        is_draft: false,
    }
}

#[test]
fn household_income_points_follow_the_line_of_each_year() {
    let mut rec = household("001", HouseholdStatus::Registered, 3);
    // 2016: 6000 + 3000 + 200 + 1365 − 2000 = 8565 → 2855 per person, exactly the line.
    income(&mut rec, 2016, [6000.0, 3000.0, 200.0, 1365.0, 2000.0]);
    income(&mut rec, 2015, [3000.0, 0.0, 0.0, 0.0, 0.0]);
    income(&mut rec, 2018, [12000.0, 0.0, 0.0, 0.0, 0.0]);
    let mut workflow = VillageWorkflow::default();
    workflow
        .visits
        .push(visit(rec.household.id, date(2020, 3, 5), "王芳", true));
    let mut draft = visit(rec.household.id, date(2020, 4, 1), "王芳", false);
    draft.is_draft = true;
    workflow.visits.push(draft);
    workflow
        .visits
        .push(visit(rec.household.id, date(2019, 11, 2), "王芳", false));
    workflow
        .visits
        .push(visit(Uuid::new_v4(), date(2020, 1, 1), "他人", false));

    let data = household_chart_data(&rec, &workflow, &lines(), &Thresholds::default());
    assert_eq!(data.number, "001");
    assert_eq!(data.head, "成员0");
    let years: Vec<i32> = data.incomes.iter().map(|p| p.year).collect();
    assert_eq!(years, [2015, 2016, 2018]);
    let p2016 = data.incomes[1];
    assert_eq!(p2016.per_capita_yuan, Some(2855.0));
    assert_eq!(p2016.line_yuan, Some(2855.0));
    assert_eq!(p2016.warning_yuan, Some(4282.5));
    assert_eq!(p2016.item(IncomeItem::Transfer), 1365.0);
    assert_eq!(p2016.item(IncomeItem::ProductionExpense), 2000.0);
    assert_eq!(data.incomes[0].per_capita_yuan, Some(1000.0));
    // 2018 has no row of its own: the 2017 line.
    assert_eq!(data.incomes[2].line_yuan, Some(3026.0));
    assert_eq!(data.incomes[2].per_capita_yuan, Some(4000.0));
    // Drafts and other households' visits are left out; oldest first.
    assert_eq!(
        data.visits,
        [
            VisitPoint {
                date: date(2019, 11, 2),
                kind: VisitKind::Routine,
                risk: false
            },
            VisitPoint {
                date: date(2020, 3, 5),
                kind: VisitKind::Routine,
                risk: true
            },
        ]
    );
}

#[test]
fn statuses_and_incidence_are_derived_per_year() {
    let v = village(Some(100));
    // Registered since its 2016 income: 4 people.
    let mut a = household("001", HouseholdStatus::Registered, 4);
    income(&mut a, 2016, [1000.0; 5]);
    // Exited: entered 2016, exit decision confirmed in 2018 (status says 2018 too).
    let mut b = household("002", HouseholdStatus::Exited { year: 2018 }, 2);
    income(&mut b, 2016, [1000.0; 5]);
    // Registered by a 2017 survey, no income on file: 3 people from 2017.
    let c = household("003", HouseholdStatus::Registered, 3);
    // Exited but unstable: exited 2017 by its status' decision, risk visit in 2019.
    let mut d = household(
        "004",
        HouseholdStatus::Monitored {
            kind: MonitoredKind::UnstableExited,
        },
        5,
    );
    income(&mut d, 2016, [1000.0; 5]);
    // Marginal, never registered: monitored in the last year only (no risk visit).
    let e = household(
        "005",
        HouseholdStatus::Monitored {
            kind: MonitoredKind::Marginal,
        },
        2,
    );
    // Not registered: in no series.
    let mut f = household("006", HouseholdStatus::NotRegistered, 6);
    income(&mut f, 2016, [9000.0, 0.0, 0.0, 0.0, 0.0]);

    let mut w = VillageWorkflow::default();
    let exit = |household_id, y| ExitDecision {
        id: Uuid::new_v4(),
        household_id,
        proposed_on: date(y, 10, 1),
        proposed_year: y - 1,
        confirmed_on: Some(date(y, 11, 1)),
        confirmed_by: "工作队".into(),
    };
    w.exits.push(exit(b.household.id, 2018));
    w.exits.push(exit(d.household.id, 2017));
    w.surveys.push(SurveyState {
        id: Uuid::new_v4(),
        household_id: c.household.id,
        year: 2017,
        status: SurveyStatus::Complete,
        computed_identification: Some(Identification::RegisteredPoor),
        confirmed_identification: Some(Identification::RegisteredPoor),
        override_reason: String::new(),
        confirmed_by: String::new(),
        confirmed_on: None,
    });
    w.visits
        .push(visit(d.household.id, date(2019, 6, 1), "", true));

    let records = vec![a, b, c, d, e, f];
    let t = Thresholds::default();
    let data = village_chart_data(&v, &records, &w, &t, date(2020, 12, 31));
    let row = |year, registered, exited, monitored| StatusYear {
        year,
        registered,
        exited,
        monitored,
    };
    assert_eq!(
        data.statuses,
        [
            row(2016, 3, 0, 0),
            row(2017, 3, 1, 0),
            row(2018, 2, 2, 0),
            row(2019, 2, 1, 1),
            row(2020, 2, 1, 2),
        ]
    );
    let people: Vec<u32> = data.incidence.iter().map(|i| i.poor_people).collect();
    // 2016: a + b + d = 4 + 2 + 5; 2017: a + b + c; 2018 on: a + c.
    assert_eq!(people, [11, 9, 7, 7, 7]);
    assert_eq!(data.incidence[0].incidence, Some(0.11));
    assert_eq!(data.population, 100);
    assert_eq!(data.max_incidence, 0.03);
    // The last year agrees with the village exit check.
    let assessment = crate::rules::village::assess_village(&v, &records, &t);
    assert_eq!(
        data.incidence.last().unwrap().incidence,
        assessment.incidence
    );
    assert_eq!(
        data.incidence.last().unwrap().poor_people,
        assessment.poor_people
    );
    // Causes: every household but the not-registered one (all 因病 here).
    assert_eq!(data.causes, [(Cause::Illness, 5)]);
}

/// A registered household of two with a 2019 income.
fn data_household_a() -> HouseholdRecord {
    let mut a = household("001", HouseholdStatus::Registered, 2);
    income(&mut a, 2019, [1.0, 0.0, 0.0, 0.0, 0.0]);
    a
}

#[test]
fn population_defaults_to_the_registered_members() {
    let v = village(None);
    let mut a = household("001", HouseholdStatus::Registered, 2);
    income(&mut a, 2019, [1.0, 0.0, 0.0, 0.0, 0.0]);
    let b = household("002", HouseholdStatus::NotRegistered, 6);
    let data = village_chart_data(
        &v,
        &[a, b],
        &VillageWorkflow::default(),
        &Thresholds::default(),
        date(2020, 6, 1),
    );
    assert_eq!(data.population, 8);
    assert_eq!(data.incidence.len(), 2);
    assert_eq!(data.incidence[1].incidence, Some(0.25));
    // A household not yet identified is left out of the population, as in the exit check.
    let mut records = vec![
        data_household_a(),
        household("002", HouseholdStatus::NotRegistered, 6),
    ];
    records.push(household("003", HouseholdStatus::Unassessed, 4));
    let with_new = village_chart_data(
        &v,
        &records,
        &VillageWorkflow::default(),
        &Thresholds::default(),
        date(2020, 6, 1),
    );
    let assessment = crate::rules::village::assess_village(&v, &records, &Thresholds::default());
    assert_eq!(with_new.population, 8);
    assert_eq!(assessment.population, 8);
    assert_eq!(
        with_new.incidence.last().unwrap().incidence,
        assessment.incidence
    );
    // Nothing placed in time: no status years at all.
    let empty = village_chart_data(
        &v,
        &[],
        &VillageWorkflow::default(),
        &Thresholds::default(),
        date(2020, 6, 1),
    );
    assert!(empty.statuses.is_empty() && empty.incidence.is_empty());
}

fn measure(household_id: Uuid, kind: MeasureKind, status: MeasureStatus) -> Measure {
    Measure {
        id: Uuid::new_v4(),
        household_id,
        kind,
        description: String::new(),
        helper_id: None,
        helper_unit: String::new(),
        project_id: None,
        fund_source: FundSource::County,
        amount_yuan: 0.0,
        start: date(2020, 1, 1),
        due: date(2020, 12, 1),
        expected_income_yuan: 0.0,
        status,
    }
}

fn fund(source: FundSource, purpose: MeasureKind, amount_yuan: f64) -> FundEntry {
    FundEntry {
        id: Uuid::new_v4(),
        village_id: Uuid::nil(),
        source,
        amount_yuan,
        date: date(2020, 5, 1),
        purpose,
        project_id: None,
        household_id: None,
        measure_id: None,
        note: String::new(),
    }
}

#[test]
fn coverage_funds_visits_and_sales() {
    let v = village(Some(10));
    let (h1, h2, h3) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let mut w = VillageWorkflow::default();
    use MeasureKind::*;
    use MeasureStatus::*;
    // Production: h1 done (and also planned: still done), h2 in progress, h3 cancelled only.
    w.measures.push(measure(h1, Production, Done));
    w.measures.push(measure(h1, Production, Planned));
    w.measures.push(measure(h2, Production, InProgress));
    w.measures.push(measure(h3, Production, Cancelled));
    w.measures.push(measure(h3, Health, Done));
    assert_eq!(
        coverage(&w),
        [
            Coverage {
                kind: Production,
                done: 1,
                ongoing: 1
            },
            Coverage {
                kind: Health,
                done: 1,
                ongoing: 0
            },
        ]
    );

    w.funds.push(fund(FundSource::County, Production, 5000.0));
    w.funds.push(fund(FundSource::Central, Production, 20000.0));
    w.funds.push(fund(FundSource::County, Health, 7000.0));
    w.funds.push(fund(FundSource::Social, Health, 0.0));

    w.helpers.push(Helper {
        id: Uuid::new_v4(),
        village_id: v.id,
        name: "王芳".into(),
        unit: "县农业局".into(),
        phone: String::new(),
        household_ids: vec![h1, h2],
    });
    w.helpers.push(Helper {
        id: Uuid::new_v4(),
        village_id: v.id,
        name: "李强".into(),
        unit: "县教育局".into(),
        phone: String::new(),
        household_ids: vec![h2],
    });
    w.visits
        .push(visit(h1, date(2020, 12, 3), "王芳、张书记", false));
    w.visits.push(visit(h1, date(2020, 12, 20), "王芳", false));
    w.visits
        .push(visit(h2, date(2020, 11, 3), "王芳、李强", false));
    w.visits.push(visit(h3, date(2020, 1, 9), "张书记", false));
    // Outside the 12 months.
    w.visits.push(visit(h1, date(2019, 12, 31), "王芳", false));

    let apples = Product {
        id: Uuid::new_v4(),
        village_id: v.id,
        name: "红心猕猴桃".into(),
        kind: "水果".into(),
        season: String::new(),
        volume: 0.0,
        unit: "斤".into(),
        price_yuan: 0.0,
        certification: Certification::NoCertification,
        producer_household_ids: vec![],
        measure_id: None,
    };
    let sale = |product_id, channel, amount_yuan| Sale {
        id: Uuid::new_v4(),
        household_id: h1,
        product_id,
        channel,
        date: date(2020, 9, 1),
        amount_yuan,
        quantity: 1.0,
    };
    w.sales
        .push(sale(Some(apples.id), SalesChannel::OnlineStore, 300.0));
    w.sales
        .push(sale(Some(apples.id), SalesChannel::OnlineStore, 200.0));
    w.sales
        .push(sale(Some(apples.id), SalesChannel::LiveStream, 150.0));
    w.sales.push(sale(None, SalesChannel::Cooperative, 80.0));
    w.products.push(apples);

    let data = village_chart_data(&v, &[], &w, &Thresholds::default(), date(2020, 12, 31));
    assert_eq!(
        data.funds_by_source,
        [
            (FundSource::Central, 20000.0),
            (FundSource::County, 12000.0)
        ]
    );
    assert_eq!(data.funds_by_use, [(Production, 25000.0), (Health, 7000.0)]);

    assert_eq!(data.visits.months.len(), 12);
    assert_eq!(data.visits.months[0], (2020, 1));
    assert_eq!(data.visits.months[11], (2020, 12));
    let rows: Vec<(Option<&str>, u32, u32, u32)> = data
        .visits
        .rows
        .iter()
        .map(|r| (r.helper.as_deref(), r.counts[0], r.counts[10], r.counts[11]))
        .collect();
    assert_eq!(
        rows,
        [
            (Some("王芳"), 0, 1, 2),
            (Some("李强"), 0, 1, 0),
            (None, 1, 0, 0),
        ]
    );

    assert_eq!(data.products.len(), 2);
    assert_eq!(data.products[0].product.as_deref(), Some("红心猕猴桃"));
    assert_eq!(data.products[0].by_channel, [500.0, 150.0, 0.0, 0.0, 0.0]);
    assert_eq!(data.products[0].total_yuan(), 650.0);
    assert_eq!(data.products[1].product, None);
    assert_eq!(data.products[1].by_channel, [0.0, 0.0, 0.0, 80.0, 0.0]);
}

#[test]
fn months_wrap_across_years() {
    let months = months_ending(date(2021, 2, 10));
    assert_eq!(months.first(), Some(&(2020, 3)));
    assert_eq!(months.last(), Some(&(2021, 2)));
    assert_eq!(months.len(), VISIT_MONTHS as usize);
}

#[test]
fn demo_village_last_year_matches_the_exit_check() {
    let demo = crate::demo::generate_village(&crate::demo::DemoSpec::default(), 0);
    let t = Thresholds::default();
    let data = village_chart_data(
        &demo.village,
        &demo.households,
        &demo.workflow,
        &t,
        crate::demo::demo_today(),
    );
    let assessment = crate::rules::village::assess_village(&demo.village, &demo.households, &t);
    let last = data.incidence.last().expect("demo has years");
    assert_eq!(last.year, 2020);
    assert_eq!(last.poor_people, assessment.poor_people);
    assert_eq!(data.statuses.first().map(|s| s.year), Some(2016));
    let registered_now = demo
        .households
        .iter()
        .filter(|r| r.household.status == HouseholdStatus::Registered)
        .count() as u32;
    assert_eq!(data.statuses.last().unwrap().registered, registered_now);
    // Every followed household is in exactly one series in the last year.
    let followed = demo
        .households
        .iter()
        .filter(|r| r.household.status != HouseholdStatus::NotRegistered)
        .count() as u32;
    let s = data.statuses.last().unwrap();
    assert_eq!(s.registered + s.exited + s.monitored, followed);
}
