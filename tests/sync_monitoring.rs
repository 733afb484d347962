//! Issue 16: a monitoring case travels like every household record. Laptop A records the
//! discovery, the home visit, the village review and the notice; the county receives them and
//! records the township review and its decision; laptop B of the same team receives the whole
//! case, and so does A.

mod common;

use chrono::NaiveDate;
use common::team::Team;
use common::*;
use dripline::model::*;
use dripline::store::Store;
use uuid::Uuid;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn secretary(village_id: Uuid) -> TeamMember {
    TeamMember {
        id: Uuid::new_v4(),
        village_id,
        name: "张书记".into(),
        role: TeamRole::FirstSecretary,
        unit: "县农业局".into(),
        phone: String::new(),
        term_start: day(1, 1),
        term_end: None,
    }
}

fn step(on: NaiveDate, by: &str) -> Option<CaseStep> {
    Some(CaseStep { on, by: by.into() })
}

#[test]
fn a_case_made_on_a_laptop_reaches_the_county_and_comes_back_with_its_decision() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    let household = team.create_household(&team.a, "007", "王德明", 3);
    let mut case = MonitoringCase {
        id: Uuid::new_v4(),
        household_id: household,
        kind: MonitoredKind::SuddenHardship,
        source: DiscoverySource::Hotline,
        risk: "户主车祸住院".into(),
        discovered: CaseStep {
            on: day(11, 2),
            by: "张书记".into(),
        },
        home_visit: step(day(11, 3), "张书记"),
        authorization_signed: true,
        village_review: step(day(11, 4), "张书记"),
        notice: Some(PublicNotice {
            start: day(11, 5),
            end: day(11, 9),
            by: "张书记".into(),
        }),
        township_review: None,
        decision: None,
        admitted: true,
        elimination: RiskElimination::default(),
    };
    {
        let mut store = Store::open(&team.a).unwrap();
        store.save_team_member(&secretary(team.village.id)).unwrap();
        store.save_monitoring_case(&case, today()).unwrap();
        store.close().unwrap();
    }
    team.send(&team.a);
    let at_county = Store::open(&team.county)
        .unwrap()
        .cases_of(household)
        .unwrap();
    assert_eq!(
        at_county,
        [case.clone()],
        "the case reached the county whole"
    );

    // The county records the township review and its decision.
    case.township_review = step(day(11, 10), "元坝镇 李主任");
    case.decision = step(day(11, 12), "县乡村振兴局 陈科长");
    {
        let mut store = Store::open(&team.county).unwrap();
        store.set_actor("县乡村振兴局 陈科长");
        store.save_monitoring_case(&case, today()).unwrap();
        store.close().unwrap();
    }
    team.receive(&team.b);
    team.receive(&team.a);
    for laptop in [&team.a, &team.b] {
        let store = Store::open(laptop).unwrap();
        assert_eq!(store.cases_of(household).unwrap(), [case.clone()]);
        let workflow = store.village_workflow(team.village.id).unwrap();
        assert_eq!(workflow.cases, [case.clone()]);
    }
}
