//! Builders of villages, households, members and incomes for the rules' unit tests, so each test
//! states only the figures it is about (taken from `domain.md`).

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::NaiveDate;
use uuid::Uuid;

use super::id_number::compose;
use super::income::PovertyLines;
use crate::model::*;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

/// The poverty lines as `domain.md` lists them (2016 → 2855). 2014 and 2018 are deliberately
/// missing so that tests exercise the "latest earlier year" fallback.
pub fn domain_lines() -> PovertyLines {
    PovertyLines::new(
        [
            (2013, 2736.0),
            (2015, 2800.0),
            (2016, 2855.0),
            (2017, 3026.0),
            (2019, 3218.0),
            (2020, 4000.0),
        ]
        .into_iter()
        .map(|(year, line_yuan)| PovertyLine::national(year, line_yuan))
        .collect(),
    )
}

/// A Cangxi County (510824) ID number for the given birth date and sex, unique within the test run.
pub fn id_for(birth: NaiveDate, sex: Sex) -> String {
    // Even steps: `compose` moves an even sequence up by one for men, so numbers never collide.
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let sequence = NEXT.fetch_add(2, Ordering::Relaxed) % 1000;
    compose("510824", birth, sequence, sex)
}

pub fn household(number: &str, status: HouseholdStatus) -> HouseholdRecord {
    HouseholdRecord {
        household: Household {
            id: Uuid::new_v4(),
            village_id: Uuid::nil(),
            number: number.into(),
            address: "苍溪县某村1组".into(),
            phone: String::new(),
            bank_account: String::new(),
            attribute: PovertyAttribute::General,
            status,
            main_cause: Some(Cause::Illness),
            other_causes: vec![],
            living: LivingConditions::surveyed_safe(),
            unmatched_helper_name: String::new(),
        },
        members: vec![],
        incomes: vec![],
        former_members: Vec::new(),
        departure: None,
    }
}

/// Adds a member with a valid ID matching the stored birth date and sex, insured, not in school.
pub fn add_member<'a>(
    rec: &'a mut HouseholdRecord,
    name: &str,
    birth: NaiveDate,
    sex: Sex,
    relation: Relation,
) -> &'a mut Member {
    let member = Member {
        id: Uuid::new_v4(),
        household_id: rec.household.id,
        name: name.into(),
        id_number: id_for(birth, sex),
        sex,
        birth_date: birth,
        relation,
        ethnicity: "汉族".into(),
        education: Education::Primary,
        in_school: false,
        health: Health::Healthy,
        disability_grade: None,
        labour: LabourAbility::Normal,
        work: WorkStatus::Farming,
        migrant_months: 0,
        medical_insurance: true,
        pension_insurance: true,
        dibao: false,
        joined_on: None,
        join_reason: JoinReason::Registered,
        left_on: None,
        leave_reason: None,
    };
    rec.members.push(member);
    rec.members.last_mut().expect("just pushed")
}

/// Adds `n` adult members: the first is the head.
pub fn add_adults(rec: &mut HouseholdRecord, n: usize) {
    for k in 0..n {
        let relation = if rec.members.is_empty() {
            Relation::Head
        } else {
            Relation::Spouse
        };
        add_member(
            rec,
            &format!("成员{k}"),
            date(1975, 3, 1),
            Sex::Female,
            relation,
        );
    }
}

/// Adds an income record whose whole net income is wage income.
pub fn add_income(rec: &mut HouseholdRecord, year: i32, net_yuan: f64) -> &mut IncomeYear {
    rec.incomes.push(IncomeYear {
        id: Uuid::new_v4(),
        household_id: rec.household.id,
        year,
        wage_yuan: net_yuan,
        production_yuan: 0.0,
        property_yuan: 0.0,
        transfer_yuan: 0.0,
        production_expense_yuan: 0.0,
    });
    rec.incomes.last_mut().expect("just pushed")
}

pub fn village() -> Village {
    Village {
        id: Uuid::new_v4(),
        code: "510824105201".into(),
        name: "白鹤村".into(),
        township: "白鹤乡".into(),
        county: "苍溪县".into(),
        rural_population: None,
        is_demo: false,
        facilities: VillageFacilities {
            collective_income_yuan: 50_000.0,
            hardened_road: true,
            clinic: true,
            cultural_room: true,
            network: true,
        },
    }
}

/// A finished routine visit of `rec` on `date` that checked nothing.
pub fn visit(rec: &HouseholdRecord, date: NaiveDate) -> Visit {
    Visit {
        id: Uuid::new_v4(),
        household_id: rec.household.id,
        date,
        visitors: "李明".into(),
        kind: VisitKind::Routine,
        notes: String::new(),
        checklist: VisitChecklist::default(),
        income: None,
        risk_events: vec![],
        problems: String::new(),
        next_actions: String::new(),
        is_draft: false,
    }
}
