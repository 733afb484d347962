//! What the integration tests share: the records they build (here), the command-line runner
//! ([`cli`]), the window harness and its user-like helpers ([`window`]), and readers of the files
//! the app writes ([`files`]), a county sync server in the test ([`network`]). Every test file starts with `mod common;`.
#![allow(dead_code)]

pub mod cli;
pub mod county;
pub mod files;
pub mod network;
pub mod team;
pub mod window;

use chrono::NaiveDate;
use dripline::model::*;
use dripline::rules::id_number;
use uuid::Uuid;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

pub fn village() -> Village {
    Village {
        id: Uuid::new_v4(),
        code: "510824105201".into(),
        name: "柳池村".into(),
        township: "元坝镇".into(),
        county: "苍溪县".into(),
        rural_population: None,
        is_demo: false,
        facilities: VillageFacilities::default(),
    }
}

pub fn household(village_id: Uuid, number: &str) -> Household {
    Household {
        id: Uuid::new_v4(),
        village_id,
        number: number.into(),
        address: "三组".into(),
        phone: String::new(),
        bank_account: String::new(),
        attribute: PovertyAttribute::General,
        status: HouseholdStatus::Registered,
        main_cause: Some(Cause::Illness),
        other_causes: vec![Cause::LackSkills],
        // A surveyed household: the four living facts of 一超六有 answered safe.
        living: LivingConditions::surveyed_safe(),
        unmatched_helper_name: String::new(),
    }
}

pub fn member(household_id: Uuid, name: &str, relation: Relation, seq: u32) -> Member {
    let birth = NaiveDate::from_ymd_opt(1975, 4, 12).unwrap();
    Member {
        pension_insurance: true,
        ..Member::new(
            household_id,
            name,
            id_number::compose("510824", birth, seq, Sex::Male),
            Sex::Male,
            birth,
            relation,
        )
    }
}

pub fn income(household_id: Uuid, year: i32, wage: f64) -> IncomeYear {
    IncomeYear {
        id: Uuid::new_v4(),
        household_id,
        year,
        wage_yuan: wage,
        production_yuan: 1200.0,
        property_yuan: 0.0,
        transfer_yuan: 800.0,
        production_expense_yuan: 400.0,
    }
}

/// Writes a demo village (households and workflow) into `store`.
pub fn insert_demo(store: &mut dripline::store::Store, village: &dripline::demo::DemoVillage) {
    store
        .insert_generated_with_workflow(&village.village, &village.households, &village.workflow)
        .unwrap();
}

/// A closed database at `path` holding the demo villages of `spec` (a county when there are
/// several).
pub fn demo_db(path: &std::path::Path, spec: &dripline::demo::DemoSpec) {
    let mut store = dripline::store::Store::open_or_create(path).unwrap();
    for v in dripline::demo::villages(spec) {
        insert_demo(&mut store, &v);
    }
    store.close().unwrap();
}
