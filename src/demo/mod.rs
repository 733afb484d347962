//! Deterministic, realistic demo data: villages of Cangxi County (苍溪县, region 510824) with
//! households, members and incomes of 2016–2020, as a poor village looked during precision
//! poverty alleviation. Pure: it builds model values and never touches the store.
//!
//! # Determinism
//! Everything comes from `ChaCha8Rng::seed_from_u64(seed)` with stream `index` for village
//! `index`, so a village is the same whatever the number of villages asked for, and villages can
//! be generated in parallel or streamed. Ages and years are computed against [`demo_today`]
//! (2020-12-31), never the clock; UUIDs are built from generator bytes.
//!
//! # What a village holds
//! - Every household of the village (so [`Village::rural_population`] is `None`: the members in
//!   the app *are* the registered rural population). About 35% registered (建档立卡, mostly
//!   一般贫困户, some 低保, a few 特困), 15% exited in 2017–2020, 5% monitored (the three kinds),
//!   the rest not registered, of which about one in eight lives between the line and 1.5 × the line.
//! - Households of 1–6 members (mean about 3.2) with a head, spouse, children, children-in-law,
//!   grandchildren and parents of consistent ages; Sichuan surnames, given names by sex and birth
//!   cohort (GB2312 characters only).
//! - Valid 18-digit ID numbers, unique across the whole demo for village indices below 2039
//!   (see `household::half_sequence`), except the planted duplicate below.
//! - Incomes for 2016–2020 per household, rounded to whole yuan.
//! - Some registered households fail items of the exit checklist: unsafe housing, unsafe water,
//!   a member without medical insurance, a school-age child out of school.
//! - The six-precisions workflow (`DemoVillage::workflow`, see `workflow.rs`), drawn from the same
//!   generator after the households: a work team (first secretary from a county unit, two-year
//!   term, 2–3 members); the helpers of the registry's helper column with their households (so
//!   some followed households have none); 3–5 projects plus one serving no household; plans for
//!   registered households answering the main cause (default `rules::plan` table), except a few
//!   without a plan, a few ignoring the cause and one household given the same kind of measure by
//!   two units; fund entries per project and paid measure, one scattered and one double-counted;
//!   finished visits mostly within 30 days of [`demo_today`], some older, some never, and one
//!   exited household with a risk event; complete 2019 surveys of registered households (one
//!   override with its reason); exit decisions of exited households; 2–4 local products with
//!   producers, sales by channel and a few trainings. No photos.
//!
//! # Planted data-quality problems (village 0 only, when it has at least 41 households)
//! - **Duplicate ID number**: the elder daughter of household **012** (exited 2019) is registered
//!   again as daughter-in-law (`ChildInLaw`) of household **027** (registered), with the same
//!   name, birth date and ID number — a married-out daughter never removed from her parents'
//!   household.
//! - **No head**: household **035** (registered) has a spouse and two children but no member with
//!   relation `Head` (the head died and was removed without naming a new one).
//! - **Birth date contradicts the ID number**: the spouse of household **041** (not registered)
//!   has a stored birth date with day and month swapped relative to the ID number (or one year
//!   later when swapping gives no different valid date).
//!
//! Village 0 also always shows each kind of monitored household (006 边缘易致贫户, 018
//! 突发严重困难户, 023 脱贫不稳定户) and, among its registered households, each exit-checklist
//! failure at least once.
//!
//! Every ID number validates with [`crate::rules::id_number::validate`] (the planted ones too:
//! the problems are between records, not in a number), every other stored birth date matches its
//! ID number, and every other household has exactly one head. [`PLANTED`] lists the problems for
//! tests and documentation.

mod household;
mod income;
mod names;
mod workflow;

use std::collections::HashSet;

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::model::{
    HouseholdRecord, HouseholdStatus, Member, Village, VillageFacilities, VillageWorkflow,
    WorkStatus, default_poverty_lines,
};
use crate::rules::id_number;
use household::{Plant, VillageCtx};
use income::{FIRST_YEAR, YEARS};

/// The county of every demo village.
pub const DEMO_COUNTY: &str = "苍溪县";
/// Region code of Cangxi County (first six digits of the village codes).
pub const DEMO_REGION: &str = "510824";
/// The year of [`demo_today`]; incomes run 2016..=`DEMO_YEAR`.
pub const DEMO_YEAR: i32 = 2020;

/// Reference date the demo's ages and years are computed against (fixed so that output is
/// deterministic): 2020-12-31.
pub fn demo_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(DEMO_YEAR, 12, 31).expect("valid date")
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSpec {
    pub villages: u32,
    pub households_per_village: u32,
    pub seed: u64,
}

impl Default for DemoSpec {
    /// One village of 120 households, seed 2015 (the first-time user's demo).
    fn default() -> Self {
        DemoSpec {
            villages: 1,
            households_per_village: 120,
            seed: 2015,
        }
    }
}

impl DemoSpec {
    /// The county scale of the seed: 802 villages of 312 households (about 250,000 households).
    pub fn county() -> DemoSpec {
        DemoSpec {
            villages: 802,
            households_per_village: 312,
            seed: 2015,
        }
    }
}

/// A generated village with its households (numbered "001", "002", …) and its six-precisions
/// workflow (team, helpers, projects, plans, funds, visits, surveys, exits, products, sales,
/// trainings; no photos), drawn after the households from the same generator.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoVillage {
    pub village: Village,
    pub households: Vec<HouseholdRecord>,
    pub workflow: VillageWorkflow,
}

/// A planted data-quality problem of village 0 (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlantedProblem {
    /// Household numbers involved.
    pub households: &'static [&'static str],
    pub what: &'static str,
}

/// The planted problems of village 0 (present when it has at least [`PLANT_MIN_HOUSEHOLDS`]).
pub const PLANTED: &[PlantedProblem] = &[
    PlantedProblem {
        households: &["012", "027"],
        what: "duplicate ID number: daughter of 012 registered again as daughter-in-law of 027",
    },
    PlantedProblem {
        households: &["035"],
        what: "no head of household",
    },
    PlantedProblem {
        households: &["041"],
        what: "spouse's stored birth date contradicts the ID number",
    },
];

/// Village 0 carries the planted problems only when it has at least this many households.
pub const PLANT_MIN_HOUSEHOLDS: u32 = 41;

/// Household index (0-based) → planted problem, village 0 only.
fn plant_at(index: u32) -> Option<Plant> {
    match index {
        11 => Some(Plant::MarriedOutDaughter),
        26 => Some(Plant::DuplicateDaughterInLaw),
        34 => Some(Plant::NoHead),
        40 => Some(Plant::BirthMismatch),
        _ => None,
    }
}

/// Household index (0-based) → status forced in village 0 so that every kind of monitored
/// household shows: 006 marginal, 018 sudden hardship, 023 exited but unstable.
fn showcase_track(index: u32) -> Option<household::Track> {
    match index {
        5 => Some(household::Track::Marginal),
        17 => Some(household::Track::SuddenHardship),
        22 => Some(household::Track::UnstableExited),
        _ => None,
    }
}

/// All villages of the spec, generated lazily one after the other.
pub fn villages(spec: &DemoSpec) -> impl Iterator<Item = DemoVillage> + '_ {
    (0..spec.villages).map(move |index| generate_village(spec, index))
}

/// Village number `index` (0-based) of the spec. It depends only on the seed, the index and
/// `households_per_village`, never on `spec.villages`.
pub fn generate_village(spec: &DemoSpec, index: u32) -> DemoVillage {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    rng.set_stream(u64::from(index));

    let township_index = index as usize % names::TOWNSHIPS.len();
    let township = names::TOWNSHIPS[township_index];
    let within_township = index / names::TOWNSHIPS.len() as u32;
    let township_code = if township.ends_with('乡') { 200 } else { 100 } + township_index;
    // 村委会 codes run 201…999, then 001…199.
    let village_code = if within_township < 799 {
        201 + within_township
    } else {
        within_township - 798
    };
    let code = format!("{DEMO_REGION}{township_code:03}{:03}", village_code % 1000);

    let stems = names::VILLAGE_STEMS;
    let mut name = String::from(stems[index as usize % stems.len()]);
    let round = index / stems.len() as u32;
    if round > 0 {
        names::chinese_numeral(round + 1, &mut name);
    }
    name.push('村');

    let facilities = if index == 0 {
        // The first-time user's village: everything but a cultural room, some collective income.
        VillageFacilities {
            collective_income_yuan: 12_000.0,
            hardened_road: true,
            clinic: true,
            cultural_room: false,
            network: true,
        }
    } else {
        VillageFacilities {
            collective_income_yuan: if rng.random_bool(0.2) {
                0.0
            } else {
                f64::from(rng.random_range(50..800u32)) * 100.0
            },
            hardened_road: rng.random_bool(0.85),
            clinic: rng.random_bool(0.8),
            cultural_room: rng.random_bool(0.7),
            network: rng.random_bool(0.92),
        }
    };
    let village = Village {
        id: new_uuid(&mut rng),
        code,
        name,
        township: township.to_string(),
        county: DEMO_COUNTY.to_string(),
        rural_population: None,
        is_demo: true,
        facilities,
    };

    let n = spec.households_per_village;
    let mut ctx = VillageCtx {
        index,
        village_id: village.id,
        address_prefix: format!("{DEMO_COUNTY}{}{}", village.township, village.name),
        households: n,
        surnames: names::SurnamePool::new(&mut rng),
        helpers: helpers(&mut rng, township, n),
        road_share: rng.random_range(0.5..0.9),
        used_ids: HashSet::with_capacity(n as usize * 4),
        married_out: None,
        lines: poverty_lines(),
    };
    let plant = index == 0 && n >= PLANT_MIN_HOUSEHOLDS;
    let mut households: Vec<HouseholdRecord> = (0..n)
        .map(|i| {
            household::generate(
                &mut rng,
                &mut ctx,
                i,
                plant.then(|| plant_at(i)).flatten(),
                plant.then(|| showcase_track(i)).flatten(),
            )
        })
        .collect();
    if index == 0 {
        ensure_showcase(&mut households);
    }
    let workflow = workflow::generate(&mut rng, &village, &households, &ctx.helpers);
    // The helper drawn for a household is now its register assignment: nothing is left as text.
    for record in &mut households {
        if workflow
            .helpers
            .iter()
            .any(|h| h.household_ids.contains(&record.household.id))
        {
            record.household.unmatched_helper_name.clear();
        }
    }
    DemoVillage {
        village,
        households,
        workflow,
    }
}

/// Makes sure village 0 shows each exit-checklist failure at least once among its registered
/// households (unsafe housing, unsafe water, a member without medical insurance, a school-age
/// child out of school), whatever the draw gave.
fn ensure_showcase(households: &mut [HouseholdRecord]) {
    let registered = |h: &&mut HouseholdRecord| {
        h.household.status == HouseholdStatus::Registered && plant_at(index_of(h)).is_none()
    };
    let school_age = |m: &Member| (6..=15).contains(&id_number::age_on(m.birth_date, demo_today()));
    let mut regs: Vec<&mut HouseholdRecord> = households.iter_mut().filter(registered).collect();
    if !regs
        .iter()
        .any(|h| h.household.living.housing_safe == Some(false))
        && let Some(h) = regs.get_mut(0)
    {
        h.household.living.housing_safe = Some(false);
    }
    if !regs
        .iter()
        .any(|h| h.household.living.water_safe == Some(false))
        && let Some(h) = regs.get_mut(1)
    {
        h.household.living.water_safe = Some(false);
    }
    if !regs
        .iter()
        .any(|h| h.members.iter().any(|m| !m.medical_insurance))
        && let Some(m) = regs.get_mut(2).and_then(|h| h.members.last_mut())
    {
        m.medical_insurance = false;
    }
    if !regs
        .iter()
        .any(|h| h.members.iter().any(|m| school_age(m) && !m.in_school))
        && let Some(m) = regs
            .iter_mut()
            .flat_map(|h| h.members.iter_mut())
            .find(|m| school_age(m))
    {
        m.in_school = false;
        m.work = WorkStatus::NotWorking;
    }
}

/// 0-based index of a household from its number.
fn index_of(h: &HouseholdRecord) -> u32 {
    h.household
        .number
        .parse::<u32>()
        .map_or(u32::MAX, |n| n.saturating_sub(1))
}

/// The default poverty line of each income year of the demo. A year without a row of its own
/// takes the latest earlier line, as `rules::income` does.
fn poverty_lines() -> [f64; YEARS] {
    let table = default_poverty_lines();
    std::array::from_fn(|i| {
        let year = FIRST_YEAR + i as i32;
        table
            .iter()
            .filter(|l| l.year <= year)
            .max_by_key(|l| l.year)
            .or_else(|| table.iter().min_by_key(|l| l.year))
            .map_or(4_000.0, |l| l.line_yuan)
    })
}

/// The village's helpers (帮扶责任人): cadres of its two paired units and of the township.
fn helpers(rng: &mut impl Rng, township: &str, households: u32) -> Vec<String> {
    let units = names::HELPER_UNITS;
    let first = rng.random_range(0..units.len());
    let second = (first + 1 + rng.random_range(0..units.len() - 1)) % units.len();
    let township_unit = format!("{township}人民政府");
    let pool = names::SurnamePool::new(rng);
    let count = 6 + households / 20;
    (0..count)
        .map(|i| {
            let sex = if rng.random_bool(0.7) {
                crate::model::Sex::Male
            } else {
                crate::model::Sex::Female
            };
            let surname = pool.pick(rng);
            let birth_year = rng.random_range(1965..1992);
            let name = names::full_name(rng, surname, sex, birth_year);
            let unit = match i % 3 {
                0 => units[first],
                1 => units[second],
                _ => &township_unit,
            };
            format!("{name}（{unit}）")
        })
        .collect()
}

/// A UUID built from generator bytes (deterministic, version 4 layout).
fn new_uuid(rng: &mut impl Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

/// Picks from `(value, weight)` pairs.
fn weighted<T: Copy>(rng: &mut impl Rng, items: &[(T, u32)]) -> T {
    items[household::weighted_index(rng, items.iter().map(|(_, w)| *w))].0
}

#[cfg(test)]
mod tests;
