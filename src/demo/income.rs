//! Yearly incomes of a demo household, 2016–2020.
//!
//! Each household follows a trajectory of per-capita net income fitting its status (around the
//! line while registered, rising through the line for exited households, 1–1.5 × the line for
//! marginal ones, well above it for the rest). Transfers and property income follow from the
//! household (低保, 特困 support, pensions, disability allowances, land subsidies, dividends); wages
//! and production income make up the rest, within realistic bounds per worker.

use rand::Rng;
use uuid::Uuid;

use super::household::age;
use super::{DEMO_YEAR, new_uuid};
use crate::model::{
    Health, HouseholdStatus, IncomeYear, LivingConditions, Member, MonitoredKind, PovertyAttribute,
    WorkStatus,
};

/// First year with an income record; the last is [`DEMO_YEAR`].
pub(super) const FIRST_YEAR: i32 = 2016;
pub(super) const YEARS: usize = (DEMO_YEAR - FIRST_YEAR + 1) as usize;

/// 低保 paid per covered person and year (rural Sichuan, approximate).
const DIBAO_YUAN: [f64; YEARS] = [1_800.0, 2_040.0, 2_400.0, 2_700.0, 3_120.0];
/// 特困 (五保) support per person and year.
const TEKUN_YUAN: [f64; YEARS] = [4_200.0, 4_500.0, 4_900.0, 5_300.0, 5_800.0];
/// Basic residents' pension per person aged 60 or more.
const PENSION_YUAN: [f64; YEARS] = [960.0, 1_020.0, 1_080.0, 1_200.0, 1_296.0];
/// Disability allowances (两项补贴) per disabled person.
const DISABILITY_YUAN: [f64; YEARS] = [600.0, 720.0, 720.0, 840.0, 960.0];
/// Farmland subsidy (耕地地力保护补贴) per mu, and ecological compensation per forest mu.
const LAND_SUBSIDY_PER_MU: f64 = 95.0;
const FOREST_COMPENSATION_PER_MU: f64 = 15.0;

/// Wage bounds per migrant worker and per local worker, yuan a year.
const MIGRANT_WAGE: (f64, f64) = (8_000.0, 40_000.0);
const LOCAL_WAGE: (f64, f64) = (3_000.0, 30_000.0);

/// What drives a household's data: its status and the shape of its income over the years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Track {
    Registered,
    Exited(i32),
    UnstableExited,
    Marginal,
    SuddenHardship,
    /// Not registered, income well above the line.
    Normal,
    /// Not registered, income between the line and 1.5 × the line.
    NormalMarginal,
}

impl Track {
    /// Registered at some point (建档立卡), so it has an attribute, causes and a helper.
    pub(super) fn ever_registered(self) -> bool {
        matches!(
            self,
            Track::Registered | Track::Exited(_) | Track::UnstableExited
        )
    }

    pub(super) fn status(self) -> HouseholdStatus {
        match self {
            Track::Registered => HouseholdStatus::Registered,
            Track::Exited(year) => HouseholdStatus::Exited { year },
            Track::UnstableExited => HouseholdStatus::Monitored {
                kind: MonitoredKind::UnstableExited,
            },
            Track::Marginal => HouseholdStatus::Monitored {
                kind: MonitoredKind::Marginal,
            },
            Track::SuddenHardship => HouseholdStatus::Monitored {
                kind: MonitoredKind::SuddenHardship,
            },
            Track::Normal | Track::NormalMarginal => HouseholdStatus::NotRegistered,
        }
    }
}

/// Target per-capita net income per year.
fn per_capita_targets(
    rng: &mut impl Rng,
    lines: &[f64; YEARS],
    track: Track,
    has_workers: bool,
) -> [f64; YEARS] {
    let mut pc = [0.0; YEARS];
    match track {
        Track::Registered => {
            let base = rng.random_range(0.72..1.08);
            for (i, line) in lines.iter().enumerate() {
                pc[i] = line * (base + rng.random_range(-0.08..0.08));
            }
        }
        Track::Exited(exit_year) => {
            let mut prev = 0.0;
            for (i, line) in lines.iter().enumerate() {
                let year = FIRST_YEAR + i as i32;
                let value = if year < exit_year {
                    let v = line * rng.random_range(0.65..0.95);
                    v.max(prev * rng.random_range(1.03..1.1))
                } else if year == exit_year {
                    (line * rng.random_range(1.15..1.5)).max(prev * 1.05)
                } else {
                    (prev * rng.random_range(1.08..1.25)).max(line * 1.12)
                };
                // Never falls back below an earlier year, and stays under the line before exit.
                pc[i] = if year < exit_year {
                    value.min(line * 0.98).max(prev)
                } else {
                    value
                };
                prev = pc[i];
            }
        }
        Track::UnstableExited => {
            for (i, line) in lines.iter().enumerate() {
                let ratio = match i {
                    0 => rng.random_range(0.7..0.95),
                    1 => rng.random_range(0.8..1.0),
                    2 | 3 => rng.random_range(1.08..1.4),
                    _ => rng.random_range(1.02..1.35),
                };
                pc[i] = line * ratio;
            }
        }
        Track::Marginal | Track::NormalMarginal => {
            for (i, line) in lines.iter().enumerate() {
                pc[i] = line * rng.random_range(1.05..1.45);
            }
        }
        Track::SuddenHardship => {
            let base = rng.random_range(5_500.0..9_500.0);
            let growth = rng.random_range(1.04..1.09f64);
            for (i, v) in pc.iter_mut().take(YEARS - 1).enumerate() {
                *v = base * growth.powi(i as i32) * rng.random_range(0.95..1.05);
            }
            pc[YEARS - 1] = lines[YEARS - 1] * rng.random_range(0.6..1.2);
        }
        Track::Normal => {
            let base = if has_workers {
                rng.random_range(5_500.0..13_000.0)
            } else {
                rng.random_range(4_200.0..8_000.0)
            };
            let growth = rng.random_range(1.05..1.11f64);
            for (i, v) in pc.iter_mut().enumerate() {
                *v = base * growth.powi(i as i32) * rng.random_range(0.95..1.05);
            }
        }
    }
    pc
}

pub(super) fn generate(
    rng: &mut impl Rng,
    lines: &[f64; YEARS],
    household_id: Uuid,
    track: Track,
    attribute: PovertyAttribute,
    members: &[Member],
    living: &LivingConditions,
) -> Vec<IncomeYear> {
    let size = members.len().max(1) as f64;
    let poor = track.ever_registered();
    let migrants = members
        .iter()
        .filter(|m| m.work == WorkStatus::Migrant)
        .count() as f64;
    let locals = members
        .iter()
        .filter(|m| m.work == WorkStatus::LocalJob)
        .count() as f64;
    let dibao = members.iter().filter(|m| m.dibao).count() as f64;
    let disabled = members
        .iter()
        .filter(|m| m.health == Health::Disabled)
        .count() as f64;
    let tekun = poor && attribute == PovertyAttribute::Tekun;
    let targets = per_capita_targets(rng, lines, track, migrants + locals > 0.0);
    let support_share = rng.random_range(0.3..0.6);
    let wage_share = if migrants > 0.0 {
        rng.random_range(0.6..0.85)
    } else if locals > 0.0 {
        rng.random_range(0.35..0.6)
    } else {
        0.0
    };
    let expense_ratio = rng.random_range(0.25..0.45);
    let rental = if rng.random_bool(0.15) {
        rng.random_range(300.0..1_500.0)
    } else {
        0.0
    };
    let farm_floor = living.arable_land_mu * rng.random_range(150.0..300.0);
    let (wage_min, wage_max) = (
        migrants * MIGRANT_WAGE.0 + locals * LOCAL_WAGE.0,
        migrants * MIGRANT_WAGE.1 + locals * LOCAL_WAGE.1,
    );

    let mut out = Vec::with_capacity(YEARS);
    let mut previous_total = 0.0;
    for (i, target) in targets.iter().enumerate() {
        let year = FIRST_YEAR + i as i32;
        let years_back = (DEMO_YEAR - year) as u32;
        let elders = members
            .iter()
            .filter(|m| age(m).saturating_sub(years_back) >= 60)
            .count() as f64;
        let mut transfer = elders * PENSION_YUAN[i]
            + disabled * DISABILITY_YUAN[i]
            + living.arable_land_mu * LAND_SUBSIDY_PER_MU
            + living.forest_land_mu * FOREST_COMPENSATION_PER_MU;
        if tekun {
            transfer += size * TEKUN_YUAN[i];
        } else {
            transfer += dibao * DIBAO_YUAN[i];
        }
        let dividend = if poor && living.in_cooperative && year >= 2018 {
            rng.random_range(300.0..800.0)
        } else {
            0.0
        };
        let property = rental + dividend;

        let share = (wage_share + rng.random_range(-0.05..0.05f64)).clamp(0.0, 1.0);
        let wage_floor = (wage_min * rng.random_range(1.0..1.15)).min(wage_max);
        let farm_floor = farm_floor * rng.random_range(0.85..1.15);
        // Splits the income a target leaves after transfers and property into wages, net
        // production income and support from children living elsewhere (counted as transfer).
        let split = |target: f64| {
            let needed = target * size - transfer - property;
            if wage_max > 0.0 {
                let wage = (needed * share).clamp(wage_floor, wage_max);
                (wage, (needed - wage).max(farm_floor), 0.0)
            } else {
                let support = (needed - farm_floor).max(0.0) * support_share;
                (0.0, (needed - support).max(farm_floor), support)
            }
        };
        let (mut wage, mut production_net, mut support) = split(*target);
        let total = |(wage, production_net, support): (f64, f64, f64)| {
            wage + production_net + support + transfer + property
        };
        // Exited households rise every year: the floors (wages of a migrant, farming) may lift an
        // early year above its target, so a later year is raised above the year before.
        if matches!(track, Track::Exited(_))
            && total((wage, production_net, support)) < previous_total * 1.03
        {
            (wage, production_net, support) =
                split(previous_total * rng.random_range(1.04..1.1) / size);
        }
        previous_total = total((wage, production_net, support));
        let transfer = transfer + support;
        let production = production_net / (1.0 - expense_ratio);
        let expense = production - production_net;
        out.push(IncomeYear {
            id: new_uuid(rng),
            household_id,
            year,
            wage_yuan: wage.round(),
            production_yuan: production.round(),
            property_yuan: property.round(),
            transfer_yuan: transfer.round(),
            production_expense_yuan: expense.round(),
        });
    }
    out
}
