//! One demo household: status, family shape, members, causes, living conditions and helper.
//! Incomes come from [`super::income`].

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use uuid::Uuid;

use super::income;
pub(super) use super::income::Track;
use super::names::{self, NEIGHBOUR_REGIONS, PHONE_PREFIXES, SurnamePool};
use super::{DEMO_YEAR, new_uuid, weighted};
use crate::model::{
    Cause, Education, Health, Household, HouseholdRecord, JoinReason, LabourAbility,
    LivingConditions, Member, PovertyAttribute, Relation, Sex, WorkStatus,
};
use crate::rules::id_number;

/// Everything a household needs from its village.
pub(super) struct VillageCtx {
    pub index: u32,
    pub village_id: Uuid,
    pub address_prefix: String,
    pub households: u32,
    pub surnames: SurnamePool,
    pub helpers: Vec<String>,
    pub road_share: f64,
    /// Keys of the ID numbers handed out in this village (see [`reserve_id`]).
    pub used_ids: HashSet<u64>,
    /// The married-out daughter of the planted duplicate, once generated.
    pub married_out: Option<Member>,
    pub lines: [f64; 5],
}

/// A deliberately planted data-quality problem (village 0 only; see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Plant {
    /// Household whose daughter is also registered in another household.
    MarriedOutDaughter,
    /// Household registering that daughter again, as daughter-in-law, with the same ID number.
    DuplicateDaughterInLaw,
    /// Household whose head died and was removed without naming a new head.
    NoHead,
    /// Household whose spouse has a stored birth date contradicting the ID number.
    BirthMismatch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Spouse,
    Child,
    ChildInLaw,
    Grandchild,
    Parent,
}

struct Template {
    weight: u32,
    slots: &'static [Slot],
    head_age: (u32, u32),
}

const fn t(weight: u32, slots: &'static [Slot], lo: u32, hi: u32) -> Template {
    Template {
        weight,
        slots,
        head_age: (lo, hi),
    }
}

use Slot::{Child, ChildInLaw, Grandchild, Parent, Spouse};

/// Family shapes by household size (index = size − 1). Head ages follow from the shape.
const TEMPLATES: [&[Template]; 6] = [
    &[t(60, &[], 58, 82), t(40, &[], 32, 60)],
    &[
        t(50, &[Spouse], 50, 78),
        t(10, &[Spouse], 26, 45),
        t(25, &[Child], 45, 75),
        t(15, &[Parent], 32, 58),
    ],
    &[
        t(55, &[Spouse, Child], 26, 60),
        t(15, &[Spouse, Parent], 30, 58),
        t(15, &[Spouse, Grandchild], 55, 75),
        t(15, &[Child, Child], 35, 62),
    ],
    &[
        t(50, &[Spouse, Child, Child], 28, 55),
        t(25, &[Spouse, Child, Parent], 26, 55),
        t(15, &[Spouse, Child, Grandchild], 48, 70),
        t(10, &[Spouse, Grandchild, Grandchild], 52, 75),
    ],
    &[
        t(35, &[Spouse, Child, Child, Parent], 28, 55),
        t(35, &[Spouse, Child, ChildInLaw, Grandchild], 46, 68),
        t(15, &[Spouse, Child, Child, Child], 32, 55),
        t(15, &[Spouse, Child, Parent, Parent], 26, 50),
    ],
    &[
        t(
            45,
            &[Spouse, Child, ChildInLaw, Grandchild, Grandchild],
            48,
            70,
        ),
        t(35, &[Spouse, Child, Child, Parent, Parent], 30, 52),
        t(20, &[Spouse, Child, Child, Child, Parent], 34, 55),
    ],
];

/// Household sizes 1–6 (mean ≈ 3.2).
const SIZE_WEIGHTS: [(usize, u32); 6] = [(1, 13), (2, 23), (3, 22), (4, 21), (5, 13), (6, 8)];

/// Main causes weighted like the registration statistics (因病 about 40%).
const CAUSE_WEIGHTS: [(Cause, u32); 12] = [
    (Cause::Illness, 400),
    (Cause::LackSkills, 140),
    (Cause::LackLabour, 120),
    (Cause::LackCapital, 100),
    (Cause::Disability, 90),
    (Cause::Education, 70),
    (Cause::Disaster, 20),
    (Cause::PoorTransport, 20),
    (Cause::LackWater, 10),
    (Cause::LackLand, 10),
    (Cause::LackDrive, 15),
    (Cause::Other, 5),
];

/// The family shape of one household: who lives there besides the head, and the head's age.
/// Planted households fix the head's sex and the first child's sex and age.
struct Shape {
    slots: &'static [Slot],
    head_age: u32,
    head_sex: Option<Sex>,
    first_child: Option<(Sex, u32)>,
}

impl Shape {
    fn planted(slots: &'static [Slot], head_age: u32, first_child: Option<(Sex, u32)>) -> Shape {
        Shape {
            slots,
            head_age,
            head_sex: Some(Sex::Male),
            first_child,
        }
    }
}

/// A member before it becomes a [`Member`].
struct Draft {
    relation: Relation,
    sex: Sex,
    age: u32,
    surname: usize,
    region: usize,
}

pub(super) fn generate(
    rng: &mut impl Rng,
    ctx: &mut VillageCtx,
    index: u32,
    plant: Option<Plant>,
    forced_track: Option<Track>,
) -> HouseholdRecord {
    let household_id = new_uuid(rng);
    let track = match plant {
        None => forced_track.unwrap_or_else(|| pick_track(rng)),
        Some(Plant::MarriedOutDaughter) => Track::Exited(2019),
        Some(Plant::DuplicateDaughterInLaw | Plant::NoHead) => Track::Registered,
        Some(Plant::BirthMismatch) => Track::Normal,
    };

    // Family shape.
    let Shape {
        slots,
        head_age,
        head_sex,
        first_child,
    } = match plant {
        Some(Plant::MarriedOutDaughter) => {
            Shape::planted(&[Spouse, Child, Child], 52, Some((Sex::Female, 24)))
        }
        Some(Plant::DuplicateDaughterInLaw) => Shape::planted(
            &[Spouse, Child, ChildInLaw, Grandchild],
            55,
            Some((Sex::Male, 27)),
        ),
        Some(Plant::NoHead) => Shape::planted(&[Spouse, Child, Child], 61, None),
        Some(Plant::BirthMismatch) => Shape::planted(&[Spouse, Child], 44, None),
        None => {
            let size = weighted(rng, &SIZE_WEIGHTS);
            let templates = TEMPLATES[size - 1];
            let k = weighted_index(rng, templates.iter().map(|t| t.weight));
            let tpl = &templates[k];
            Shape {
                slots: tpl.slots,
                head_age: rng.random_range(tpl.head_age.0..=tpl.head_age.1),
                head_sex: None,
                first_child: None,
            }
        }
    };
    let drafts = draft_members(rng, ctx, slots, head_age, head_sex, first_child);

    let poor = track.ever_registered();
    let mut members: Vec<Member> = Vec::with_capacity(drafts.len());
    for d in &drafts {
        if d.relation == Relation::ChildInLaw
            && plant == Some(Plant::DuplicateDaughterInLaw)
            && let Some(daughter) = &ctx.married_out
        {
            let mut m = daughter.clone();
            m.id = new_uuid(rng);
            m.household_id = household_id;
            m.relation = Relation::ChildInLaw;
            members.push(m);
            continue;
        }
        members.push(realize(rng, ctx, d, household_id, track));
    }
    match plant {
        Some(Plant::MarriedOutDaughter) => {
            ctx.married_out = members
                .iter()
                .find(|m| m.relation == Relation::Child)
                .cloned();
        }
        Some(Plant::NoHead) => members.retain(|m| m.relation != Relation::Head),
        Some(Plant::BirthMismatch) => {
            if let Some(spouse) = members.iter_mut().find(|m| m.relation == Relation::Spouse) {
                spouse.birth_date = contradicting_birth_date(spouse.birth_date);
            }
        }
        _ => {}
    }

    // Causes, and members made consistent with them.
    let (main_cause, other_causes) = causes(rng, track, &mut members);
    let attribute = if poor {
        attribute(rng, &members)
    } else {
        PovertyAttribute::General
    };
    for m in &mut members {
        labour_and_work(rng, m, poor);
        insurance(rng, m, track);
    }
    if attribute == PovertyAttribute::Dibao {
        assign_dibao(rng, &mut members);
    }

    let living = living(rng, ctx, track, members.len());
    let helper_name = helper(rng, ctx, track);
    let incomes = income::generate(
        rng,
        &ctx.lines,
        household_id,
        track,
        attribute,
        &members,
        &living,
    );
    let elderly_only = members.iter().all(|m| age(m) >= 65);
    let phone = if rng.random_bool(if elderly_only { 0.5 } else { 0.93 }) {
        phone(rng)
    } else {
        String::new()
    };
    let bank_account = if poor || rng.random_bool(0.6) {
        bank_account(rng)
    } else {
        String::new()
    };
    let group = 1 + index * groups(ctx.households) / ctx.households.max(1);
    let household = Household {
        id: household_id,
        village_id: ctx.village_id,
        number: format!("{:03}", index + 1),
        address: format!("{}{}组{}号", ctx.address_prefix, group, index + 1),
        phone,
        bank_account,
        attribute,
        status: track.status(),
        main_cause,
        other_causes,
        living,
        unmatched_helper_name: helper_name,
    };
    HouseholdRecord {
        household,
        members,
        incomes,
        former_members: Vec::new(),
        departure: None,
    }
}

/// Village groups (村民小组): about one per 15 households, 3 to 12.
fn groups(households: u32) -> u32 {
    (households / 15).clamp(3, 12)
}

fn pick_track(rng: &mut impl Rng) -> Track {
    let x = rng.random_range(0..1000);
    match x {
        0..350 => Track::Registered,
        350..500 => Track::Exited(weighted(
            rng,
            &[(2017, 20), (2018, 30), (2019, 35), (2020, 15)],
        )),
        500..520 => Track::UnstableExited,
        520..540 => Track::Marginal,
        540..550 => Track::SuddenHardship,
        550..605 => Track::NormalMarginal,
        _ => Track::Normal,
    }
}

pub(super) fn weighted_index(
    rng: &mut impl Rng,
    weights: impl Iterator<Item = u32> + Clone,
) -> usize {
    let total: u32 = weights.clone().sum();
    let mut x = rng.random_range(0..total);
    for (i, w) in weights.enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    unreachable!("x < total")
}

fn draft_members(
    rng: &mut impl Rng,
    ctx: &VillageCtx,
    slots: &[Slot],
    head_age: u32,
    forced_head_sex: Option<Sex>,
    first_child: Option<(Sex, u32)>,
) -> Vec<Draft> {
    let has = |s: Slot| slots.contains(&s);
    let head_sex = forced_head_sex.unwrap_or_else(|| {
        let p_male = if has(Spouse) {
            0.9
        } else if slots.is_empty() && head_age >= 58 {
            0.55
        } else {
            0.75
        };
        if rng.random_bool(p_male) {
            Sex::Male
        } else {
            Sex::Female
        }
    });
    let surname = ctx.surnames.pick(rng);
    let mut out = Vec::with_capacity(slots.len() + 1);
    out.push(Draft {
        relation: Relation::Head,
        sex: head_sex,
        age: head_age,
        surname,
        region: 0,
    });

    let mut mother_age = if head_sex == Sex::Female {
        head_age
    } else {
        head_age.saturating_sub(3)
    };
    if has(Spouse) {
        let age = match head_sex {
            Sex::Male => head_age + 2 - rng.random_range(0..=8).min(head_age + 2 - 18),
            Sex::Female => head_age + rng.random_range(0..=7) - 2,
        }
        .clamp(18, 92);
        if head_sex == Sex::Male {
            mother_age = age;
        }
        out.push(Draft {
            relation: Relation::Spouse,
            sex: other(head_sex),
            age,
            surname: ctx.surnames.pick_other(rng, surname),
            region: married_in_region(rng),
        });
    }

    let married_child = has(ChildInLaw) || (has(Child) && has(Grandchild));
    let mut first_child_age = None;
    let mut prev_child_age: u32 = 0;
    let mut first_child_sex = Sex::Male;
    for (i, _) in slots.iter().filter(|s| **s == Child).enumerate() {
        let (sex, age) = if i == 0 {
            let (sex, age) = first_child.unwrap_or_else(|| {
                let age = if married_child {
                    let hi = mother_age.saturating_sub(18).max(20);
                    mother_age
                        .saturating_sub(rng.random_range(20..=28))
                        .clamp(20.min(hi), hi)
                } else {
                    mother_age
                        .checked_sub(rng.random_range(20..=32))
                        .unwrap_or_else(|| rng.random_range(0..=3))
                };
                let p_male = if married_child { 0.85 } else { 0.52 };
                (
                    if rng.random_bool(p_male) {
                        Sex::Male
                    } else {
                        Sex::Female
                    },
                    age,
                )
            });
            first_child_age = Some(age);
            first_child_sex = sex;
            (sex, age)
        } else {
            let age = prev_child_age.saturating_sub(rng.random_range(1..=6));
            (
                if rng.random_bool(0.52) {
                    Sex::Male
                } else {
                    Sex::Female
                },
                age,
            )
        };
        prev_child_age = age;
        out.push(Draft {
            relation: Relation::Child,
            sex,
            age,
            surname,
            region: 0,
        });
    }
    if has(ChildInLaw) {
        let base = first_child_age.unwrap_or(25);
        out.push(Draft {
            relation: Relation::ChildInLaw,
            sex: other(first_child_sex),
            age: (base + rng.random_range(0..=6)).saturating_sub(3).max(20),
            surname: ctx.surnames.pick_other(rng, surname),
            region: married_in_region(rng),
        });
    }
    let mut prev_grandchild: Option<u32> = None;
    for _ in slots.iter().filter(|s| **s == Grandchild) {
        let age = match (prev_grandchild, first_child_age) {
            (Some(prev), _) => prev.saturating_sub(rng.random_range(1..=5)),
            (None, Some(parent)) => parent
                .checked_sub(rng.random_range(20..=30))
                .unwrap_or_else(|| rng.random_range(0..=3)),
            (None, None) => rng.random_range(1..=15).min(head_age.saturating_sub(40)),
        };
        prev_grandchild = Some(age);
        let sex = if rng.random_bool(0.52) {
            Sex::Male
        } else {
            Sex::Female
        };
        out.push(Draft {
            relation: Relation::Grandchild,
            sex,
            age,
            surname,
            region: 0,
        });
    }
    let parents = slots.iter().filter(|s| **s == Parent).count();
    if parents == 1 {
        let sex = if rng.random_bool(0.35) {
            Sex::Male
        } else {
            Sex::Female
        };
        let age = (head_age + rng.random_range(22..=32)).min(92);
        let surname = if sex == Sex::Male {
            surname
        } else {
            ctx.surnames.pick_other(rng, surname)
        };
        out.push(Draft {
            relation: Relation::Parent,
            sex,
            age,
            surname,
            region: 0,
        });
    } else if parents == 2 {
        let father = (head_age + rng.random_range(23..=32)).min(92);
        let mother = father
            .saturating_sub(rng.random_range(0..=4))
            .max(head_age + 19);
        out.push(Draft {
            relation: Relation::Parent,
            sex: Sex::Male,
            age: father,
            surname,
            region: 0,
        });
        let mother_surname = ctx.surnames.pick_other(rng, surname);
        out.push(Draft {
            relation: Relation::Parent,
            sex: Sex::Female,
            age: mother,
            surname: mother_surname,
            region: 0,
        });
    }
    out
}

fn other(sex: Sex) -> Sex {
    match sex {
        Sex::Male => Sex::Female,
        Sex::Female => Sex::Male,
    }
}

/// Region of first registration of someone who married in: mostly this county, sometimes a
/// neighbouring one.
fn married_in_region(rng: &mut impl Rng) -> usize {
    if rng.random_bool(0.8) {
        0
    } else {
        rng.random_range(1..NEIGHBOUR_REGIONS.len())
    }
}

/// Prime modulus partitioning ID keys among villages; see [`reserve_id`].
const ID_KEY_MODULUS: i64 = 2039;

/// The half-sequence (`sequence / 2`, 0..500) village `village` may use for birth day `day`, if any.
///
/// Every (birth day, half-sequence) key belongs to exactly one village residue class
/// `(500 · day + half) mod 2039`, so two villages whose indices differ modulo 2039 can never
/// produce the same ID number; inside a village [`reserve_id`] keeps a set of the keys it used.
/// Each village can use about one birth day in four per sex and region, so the birth date drawn
/// for a person moves by a few days at most.
fn half_sequence(village: u32, day: i64) -> Option<u32> {
    let r = (i64::from(village) - 500 * day).rem_euclid(ID_KEY_MODULUS);
    (r < 500).then_some(r as u32)
}

/// Draws a birth date of the given age (on 31 December of the demo year) and an ID number that
/// no other person of the demo has.
fn reserve_id(
    rng: &mut impl Rng,
    ctx: &mut VillageCtx,
    age: u32,
    sex: Sex,
    region: usize,
) -> (NaiveDate, String) {
    let male = u64::from(sex == Sex::Male);
    let mut year = DEMO_YEAR - age as i32;
    let mut step = 0;
    loop {
        let start = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");
        let len = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
            366
        } else {
            365
        };
        let first = rng.random_range(0..len);
        for off in 0..len {
            let date = start + chrono::Days::new(((first + off) % len) as u64);
            let day = i64::from(date.num_days_from_ce());
            let Some(half) = half_sequence(ctx.index, day) else {
                continue;
            };
            let key = ((region as u64) << 40) | ((day as u64) << 1) | male;
            if ctx.used_ids.insert(key) {
                let id = id_number::compose(
                    NEIGHBOUR_REGIONS[region],
                    date,
                    2 * half + male as u32,
                    sex,
                );
                return (date, id);
            }
        }
        // The year is full for this village (only with thousands of households): move a year,
        // alternately older and younger, never into the future.
        step += 1;
        year = if step % 2 == 1 || year >= DEMO_YEAR {
            year - step
        } else {
            year + step
        };
    }
}

fn realize(
    rng: &mut impl Rng,
    ctx: &mut VillageCtx,
    d: &Draft,
    household_id: Uuid,
    track: Track,
) -> Member {
    let (birth_date, id_number) = reserve_id(rng, ctx, d.age, d.sex, d.region);
    let name = names::full_name(rng, d.surname, d.sex, birth_date.year());
    let (education, in_school) = education(rng, d.age, d.sex, track);
    let health = health(rng, d.age, track.ever_registered());
    let disability_grade = (health == Health::Disabled).then(|| disability_grade(rng));
    let ethnicity = if rng.random_bool(0.996) {
        "汉族"
    } else {
        ["回族", "土家族", "藏族", "彝族"][rng.random_range(0..4)]
    };
    Member {
        id: new_uuid(rng),
        household_id,
        name,
        id_number,
        sex: d.sex,
        birth_date,
        relation: d.relation,
        ethnicity: ethnicity.to_string(),
        education,
        in_school,
        health,
        disability_grade,
        labour: LabourAbility::NoLabour,
        work: WorkStatus::NotWorking,
        migrant_months: 0,
        medical_insurance: true,
        pension_insurance: false,
        dibao: false,
        joined_on: None,
        join_reason: JoinReason::Registered,
        left_on: None,
        leave_reason: None,
    }
}

/// Age on the demo's reference date.
pub(super) fn age(m: &Member) -> u32 {
    id_number::age_on(m.birth_date, super::demo_today())
}

/// A stored birth date that contradicts the ID number: day and month swapped when that makes a
/// different valid date, otherwise one year later.
fn contradicting_birth_date(date: NaiveDate) -> NaiveDate {
    if date.day() <= 12
        && date.day() != date.month()
        && let Some(swapped) = NaiveDate::from_ymd_opt(date.year(), date.day(), date.month())
    {
        return swapped;
    }
    date.with_year(date.year() + 1)
        .unwrap_or(date + chrono::Days::new(365))
}

fn education(rng: &mut impl Rng, age: u32, sex: Sex, track: Track) -> (Education, bool) {
    let dropout = match track {
        Track::Registered => 0.05,
        Track::Exited(_) => 0.0,
        _ => 0.01,
    };
    match age {
        0..=5 => (Education::Preschool, false),
        6..=15 => {
            let level = if age <= 11 {
                Education::Primary
            } else {
                Education::JuniorHigh
            };
            (level, !rng.random_bool(dropout))
        }
        16..=18 => {
            if rng.random_bool(0.65) {
                (
                    if rng.random_bool(0.6) {
                        Education::SeniorHigh
                    } else {
                        Education::Vocational
                    },
                    true,
                )
            } else {
                (Education::JuniorHigh, false)
            }
        }
        19..=22 if rng.random_bool(0.25) => (Education::College, true),
        _ => {
            let female_old = sex == Sex::Female && age > 55;
            let weights: [(Education, u32); 6] = match age {
                ..=40 => [
                    (Education::Illiterate, 1),
                    (Education::Primary, 15),
                    (Education::JuniorHigh, 52),
                    (Education::SeniorHigh, 14),
                    (Education::Vocational, 10),
                    (Education::College, 8),
                ],
                41..=60 => [
                    (Education::Illiterate, if female_old { 20 } else { 10 }),
                    (Education::Primary, 45),
                    (Education::JuniorHigh, 35),
                    (Education::SeniorHigh, 8),
                    (Education::Vocational, 2),
                    (Education::College, 1),
                ],
                _ => [
                    (
                        Education::Illiterate,
                        if sex == Sex::Female { 60 } else { 30 },
                    ),
                    (Education::Primary, 45),
                    (Education::JuniorHigh, 10),
                    (Education::SeniorHigh, 2),
                    (Education::Vocational, 0),
                    (Education::College, 0),
                ],
            };
            (weighted(rng, &weights), false)
        }
    }
}

fn health(rng: &mut impl Rng, age: u32, poor: bool) -> Health {
    // (chronic, serious, disabled) probabilities.
    let (c, s, d) = match (age, poor) {
        (60.., false) => (0.22, 0.03, 0.04),
        (60.., true) => (0.32, 0.06, 0.07),
        (30..60, false) => (0.06, 0.015, 0.025),
        (30..60, true) => (0.12, 0.04, 0.05),
        (_, false) => (0.01, 0.004, 0.01),
        (_, true) => (0.02, 0.01, 0.02),
    };
    let x: f64 = rng.random();
    if x < c {
        Health::Chronic
    } else if x < c + s {
        Health::Serious
    } else if x < c + s + d {
        Health::Disabled
    } else {
        Health::Healthy
    }
}

fn disability_grade(rng: &mut impl Rng) -> u8 {
    weighted(rng, &[(1, 10), (2, 25), (3, 30), (4, 35)])
}

/// Main and other causes; members are adjusted so that the main cause shows in them
/// (因病 → someone ill, 因残 → someone disabled).
fn causes(rng: &mut impl Rng, track: Track, members: &mut [Member]) -> (Option<Cause>, Vec<Cause>) {
    let has_student = members.iter().any(|m| m.in_school && age(m) >= 12);
    let able_adults = members
        .iter()
        .filter(|m| (18..=60).contains(&age(m)) && !m.in_school && m.health == Health::Healthy)
        .count();
    let feasible = |c: Cause| match c {
        Cause::Education => has_student,
        Cause::LackLabour => able_adults <= 1,
        _ => true,
    };
    // Weight of a cause for this household: 因学 and 缺劳力 only fit some households, so where
    // they fit they weigh more, to keep their overall share near the statistics.
    let weight = |c: Cause, w: u32| match c {
        _ if !feasible(c) => 0,
        Cause::Education => w * 4,
        Cause::LackLabour => w * 2,
        _ => w,
    };
    let main = match track {
        Track::Registered | Track::Exited(_) | Track::UnstableExited => {
            let weights = CAUSE_WEIGHTS.iter().map(|&(c, w)| weight(c, w));
            CAUSE_WEIGHTS[weighted_index(rng, weights)].0
        }
        Track::Marginal => {
            let options = [
                (Cause::Illness, 40),
                (Cause::LackSkills, 25),
                (Cause::LackLabour, 15),
                (Cause::LackCapital, 20),
            ];
            let c = weighted(rng, &options);
            if feasible(c) { c } else { Cause::Illness }
        }
        Track::SuddenHardship => weighted(
            rng,
            &[
                (Cause::Illness, 55),
                (Cause::Disaster, 30),
                (Cause::Other, 15),
            ],
        ),
        Track::Normal | Track::NormalMarginal => return (None, Vec::new()),
    };
    match main {
        Cause::Illness
            if !members
                .iter()
                .any(|m| matches!(m.health, Health::Chronic | Health::Serious)) =>
        {
            let i = pick_adult(rng, members);
            let serious = track == Track::SuddenHardship || rng.random_bool(0.4);
            members[i].health = if serious {
                Health::Serious
            } else {
                Health::Chronic
            };
            members[i].disability_grade = None;
        }
        Cause::Disability if !members.iter().any(|m| m.health == Health::Disabled) => {
            let i = pick_adult(rng, members);
            members[i].health = Health::Disabled;
            members[i].disability_grade = Some(disability_grade(rng));
        }
        _ => {}
    }
    let mut others = Vec::new();
    if matches!(
        track,
        Track::Registered | Track::Exited(_) | Track::UnstableExited
    ) {
        let n = weighted(rng, &[(0usize, 35), (1, 45), (2, 20)]);
        for _ in 0..n {
            let weights = CAUSE_WEIGHTS.iter().map(|&(c, w)| {
                let taken = c == main || others.contains(&c);
                let needs_members = matches!(c, Cause::Illness | Cause::Disability);
                if taken || needs_members {
                    0
                } else {
                    weight(c, w)
                }
            });
            others.push(CAUSE_WEIGHTS[weighted_index(rng, weights)].0);
        }
        // An ill or disabled member is a cause too when it is not the main one.
        for (c, h) in [
            (Cause::Illness, Health::Serious),
            (Cause::Disability, Health::Disabled),
        ] {
            if c != main && others.len() < 2 && members.iter().any(|m| m.health == h) {
                others.push(c);
            }
        }
    }
    (Some(main), others)
}

/// Index of a member aged 35 or more (the oldest-but-one generation), else the oldest member.
fn pick_adult(rng: &mut impl Rng, members: &[Member]) -> usize {
    let adults: u32 = members.iter().filter(|m| age(m) >= 35).count() as u32;
    if adults == 0 {
        return members
            .iter()
            .enumerate()
            .max_by_key(|(_, m)| age(m))
            .map_or(0, |(i, _)| i);
    }
    let k = rng.random_range(0..adults) as usize;
    members
        .iter()
        .enumerate()
        .filter(|(_, m)| age(m) >= 35)
        .nth(k)
        .map_or(0, |(i, _)| i)
}

fn attribute(rng: &mut impl Rng, members: &[Member]) -> PovertyAttribute {
    let vulnerable =
        |m: &Member| age(m) >= 60 || matches!(m.health, Health::Serious | Health::Disabled);
    if members.len() == 1 && vulnerable(&members[0]) {
        weighted(
            rng,
            &[
                (PovertyAttribute::Tekun, 40),
                (PovertyAttribute::Dibao, 30),
                (PovertyAttribute::General, 30),
            ],
        )
    } else if members.iter().all(vulnerable)
        || members
            .iter()
            .any(|m| matches!(m.health, Health::Serious | Health::Disabled))
    {
        if rng.random_bool(0.4) {
            PovertyAttribute::Dibao
        } else {
            PovertyAttribute::General
        }
    } else if rng.random_bool(0.1) {
        PovertyAttribute::Dibao
    } else {
        PovertyAttribute::General
    }
}

fn labour_and_work(rng: &mut impl Rng, m: &mut Member, poor: bool) {
    let a = age(m);
    let (labour, work) = if a < 16 || m.in_school {
        (
            LabourAbility::NoLabour,
            if m.in_school {
                WorkStatus::Student
            } else {
                WorkStatus::NotWorking
            },
        )
    } else {
        let labour = match (m.health, a) {
            (Health::Serious, _) => {
                if rng.random_bool(0.7) {
                    LabourAbility::NoLabour
                } else {
                    LabourAbility::Weak
                }
            }
            (Health::Disabled, _) if m.disability_grade.unwrap_or(4) <= 2 => {
                LabourAbility::NoLabour
            }
            (Health::Disabled | Health::Chronic, _) => {
                if rng.random_bool(0.7) {
                    LabourAbility::Weak
                } else {
                    LabourAbility::Normal
                }
            }
            (_, 71..) => {
                if rng.random_bool(0.7) {
                    LabourAbility::NoLabour
                } else {
                    LabourAbility::Weak
                }
            }
            (_, 61..=70) => weighted(
                rng,
                &[
                    (LabourAbility::Weak, 60),
                    (LabourAbility::Normal, 25),
                    (LabourAbility::NoLabour, 15),
                ],
            ),
            _ => {
                let skilled = if matches!(m.education, Education::Vocational | Education::College) {
                    40
                } else {
                    10
                };
                weighted(
                    rng,
                    &[
                        (LabourAbility::Normal, 82),
                        (LabourAbility::Skilled, skilled),
                        (LabourAbility::Weak, 8),
                    ],
                )
            }
        };
        let work = match labour {
            LabourAbility::NoLabour => WorkStatus::NotWorking,
            LabourAbility::Weak => {
                if rng.random_bool(0.8) {
                    WorkStatus::Farming
                } else {
                    WorkStatus::NotWorking
                }
            }
            _ if a > 60 => {
                if rng.random_bool(0.9) {
                    WorkStatus::Farming
                } else {
                    WorkStatus::LocalJob
                }
            }
            _ if poor => weighted(
                rng,
                &[
                    (WorkStatus::Migrant, 32),
                    (WorkStatus::LocalJob, 15),
                    (WorkStatus::Farming, 48),
                    (WorkStatus::NotWorking, 5),
                ],
            ),
            _ => weighted(
                rng,
                &[
                    (WorkStatus::Migrant, 50),
                    (WorkStatus::LocalJob, 20),
                    (WorkStatus::Farming, 27),
                    (WorkStatus::NotWorking, 3),
                ],
            ),
        };
        (labour, work)
    };
    m.labour = labour;
    m.work = work;
    m.migrant_months = if work == WorkStatus::Migrant {
        if poor {
            rng.random_range(3..=10)
        } else {
            rng.random_range(6..=12)
        }
    } else {
        0
    };
}

fn insurance(rng: &mut impl Rng, m: &mut Member, track: Track) {
    let missing = match track {
        Track::Registered => 0.015,
        Track::Exited(_) => 0.0,
        _ => 0.008,
    };
    m.medical_insurance = !rng.random_bool(missing);
    let a = age(m);
    m.pension_insurance = match a {
        60.. => rng.random_bool(0.92),
        16.. if !m.in_school => rng.random_bool(if track.ever_registered() { 0.72 } else { 0.8 }),
        _ => false,
    };
}

/// 低保 households: usually every member is covered, sometimes only the vulnerable ones.
fn assign_dibao(rng: &mut impl Rng, members: &mut [Member]) {
    if rng.random_bool(0.7) {
        members.iter_mut().for_each(|m| m.dibao = true);
        return;
    }
    let mut any = false;
    for m in members.iter_mut() {
        if age(m) >= 60
            || m.health != Health::Healthy
            || m.labour == LabourAbility::NoLabour && age(m) >= 16
        {
            m.dibao = true;
            any = true;
        }
    }
    if !any {
        members[0].dibao = true;
    }
}

fn living(rng: &mut impl Rng, ctx: &VillageCtx, track: Track, size: usize) -> LivingConditions {
    let (housing, water, power, tv) = match track {
        Track::Registered => (0.88, 0.92, 0.995, 0.96),
        Track::Exited(_) => (1.0, 1.0, 1.0, 1.0),
        Track::UnstableExited | Track::Marginal | Track::SuddenHardship => (0.95, 0.97, 1.0, 0.98),
        Track::Normal | Track::NormalMarginal => (0.985, 0.98, 1.0, 0.99),
    };
    let poor = track.ever_registered();
    let in_cooperative = rng.random_bool(if poor { 0.35 } else { 0.12 });
    LivingConditions {
        housing_safe: Some(rng.random_bool(housing)),
        water_safe: Some(rng.random_bool(water)),
        electricity: Some(rng.random_bool(power)),
        radio_tv: Some(rng.random_bool(tv)),
        road_hardened: rng.random_bool(ctx.road_share),
        arable_land_mu: (size as f64 * rng.random_range(0.6..1.6) * 10.0).round() / 10.0,
        forest_land_mu: if rng.random_bool(0.6) {
            (rng.random_range(1.0..12.0f64) * 10.0).round() / 10.0
        } else {
            0.0
        },
        in_cooperative,
        ecommerce_sales: rng.random_bool(if in_cooperative { 0.15 } else { 0.04 }),
    }
}

fn helper(rng: &mut impl Rng, ctx: &VillageCtx, track: Track) -> String {
    let p = match track {
        Track::Registered => 0.92,
        Track::Exited(_) => 1.0,
        Track::UnstableExited | Track::Marginal | Track::SuddenHardship => 0.85,
        Track::Normal | Track::NormalMarginal => 0.0,
    };
    if p > 0.0 && rng.random_bool(p) {
        ctx.helpers[rng.random_range(0..ctx.helpers.len())].clone()
    } else {
        String::new()
    }
}

fn phone(rng: &mut impl Rng) -> String {
    let mut s = String::with_capacity(11);
    s.push_str(PHONE_PREFIXES[rng.random_range(0..PHONE_PREFIXES.len())]);
    push_digits(rng, &mut s, 8);
    s
}

/// A 19-digit card number of the rural credit union (subsidies are paid to it).
fn bank_account(rng: &mut impl Rng) -> String {
    let mut s = String::with_capacity(19);
    s.push_str("62145");
    push_digits(rng, &mut s, 14);
    s
}

fn push_digits(rng: &mut impl Rng, s: &mut String, n: usize) {
    for _ in 0..n {
        s.push(char::from(b'0' + rng.random_range(0..10u8)));
    }
}
