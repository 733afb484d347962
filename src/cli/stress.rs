//! `dripline stress-write` (hidden): writes households one commit at a time and prints the id of
//! each as soon as its commit returned. The crash test kills this process at random moments and
//! checks that every printed id survived.

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;
use uuid::Uuid;

use super::CliError;
use crate::model::*;
use crate::rules::id_number;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct StressArgs {
    /// Database to write to (created if missing).
    #[arg(long)]
    db: PathBuf,
    /// Stop after this many households (default: until killed).
    #[arg(long)]
    count: Option<u64>,
}

pub fn run(args: StressArgs) -> Result<(), CliError> {
    let mut store = Store::open_or_create(&args.db)?;
    let village = match store.villages()?.into_iter().next() {
        Some(v) => v,
        None => {
            let v = Village {
                id: Uuid::new_v4(),
                code: "510824100001".into(),
                name: "压力测试村".into(),
                township: "陵江镇".into(),
                county: "苍溪县".into(),
                rural_population: None,
                is_demo: false,
                facilities: VillageFacilities::default(),
            };
            store.save_village(&v)?;
            v
        }
    };
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date");
    let birth = NaiveDate::from_ymd_opt(1970, 5, 17).expect("valid date");
    let stdout = std::io::stdout();
    let mut n: u64 = store.household_count(Some(village.id))? as u64;
    let stop = args.count.map(|c| n + c);
    loop {
        if stop.is_some_and(|s| n >= s) {
            return Ok(());
        }
        n += 1;
        let household = Household {
            id: Uuid::new_v4(),
            village_id: village.id,
            number: format!("S{n:07}"),
            address: String::new(),
            phone: String::new(),
            bank_account: String::new(),
            attribute: PovertyAttribute::General,
            status: HouseholdStatus::Registered,
            main_cause: Some(Cause::Illness),
            other_causes: vec![],
            living: LivingConditions::surveyed_safe(),
            unmatched_helper_name: String::new(),
        };
        store.save_household(&household)?;
        let member = Member::new(
            household.id,
            "测试",
            id_number::compose("510824", birth, (n % 1000) as u32, Sex::Male),
            Sex::Male,
            birth,
            Relation::Head,
        );
        store.save_member(&member, today)?;
        // Printed only after both commits returned: the test may count on every printed id.
        let mut out = stdout.lock();
        writeln!(out, "{} {}", household.id, member.id)?;
        out.flush()?;
    }
}
