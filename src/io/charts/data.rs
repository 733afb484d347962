//! The figures behind each chart, computed from plain records with no drawing: what a household's
//! and a village's charts show, as series a renderer (or a test) reads.
//!
//! # Statuses over time (derived)
//! The registry keeps each household's *current* status, not its history, so the status chart and
//! the incidence chart derive a status for every year from the dates the records do carry:
//! - **Entry into the registry**: a household that is or was poor (registered, exited, or
//!   monitored as exited-but-unstable) enters in the earliest of its first recorded income year
//!   (the baseline income of its identification) and the year of a completed survey confirming it
//!   poor; with neither, it counts from the first year of the chart.
//! - **Exit**: the year of the confirmed exit decision (`confirmed_on`), else the year of the
//!   status 已脱贫 (`Exited { year }`). A household exited-but-unstable with no exit on file is
//!   taken to exit the year its monitoring starts.
//! - **Monitoring**: only currently monitored households count, from the year of the earliest
//!   finished visit recording a risk event, else from the last year of the chart only (the store
//!   has no start date of monitoring).
//! - In each year a household is in at most one series: monitored, else exited (exit year ≤ year),
//!   else registered (entered ≤ year). Never-registered households appear only when monitored.
//! - Incidence of a year = members of the households "registered" that year ÷ the rural
//!   population (the village's figure, else the members of every household but those not yet
//!   identified, which count neither as poor nor as non-poor), with today's household
//!   sizes (member histories are not kept). The last year therefore equals the 一低五有 figure.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use crate::model::{
    Cause, FundSource, HouseholdRecord, HouseholdStatus, Identification, MeasureKind,
    MeasureStatus, MonitoredKind, SalesChannel, SurveyStatus, Thresholds, Village, VillageWorkflow,
    VisitKind,
};
use crate::rules::income::{self, IncomeItem, PovertyLines};
use crate::rules::village::poverty_incidence;

/// Longest span of years a chart shows (older years are dropped): keeps a chart readable.
pub const MAX_YEARS: i32 = 15;
/// Months shown by the visits-per-helper chart, ending in the evaluation month.
pub const VISIT_MONTHS: u32 = 12;

// ---------------------------------------------------------------- household

/// One income year of a household: the per-capita figure against the line, and the items.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncomePoint {
    pub year: i32,
    /// `None` for a household without members.
    pub per_capita_yuan: Option<f64>,
    /// The poverty line of the year; `None` before the first year of the table.
    pub line_yuan: Option<f64>,
    /// Upper end of the warning band (`marginal_factor × line` to 2020, the monitoring threshold
    /// after).
    pub warning_yuan: Option<f64>,
    pub wage_yuan: f64,
    pub production_yuan: f64,
    pub property_yuan: f64,
    pub transfer_yuan: f64,
    pub expense_yuan: f64,
}

impl IncomePoint {
    /// The amount of an income item (expenses included), yuan.
    pub fn item(&self, item: IncomeItem) -> f64 {
        match item {
            IncomeItem::Wage => self.wage_yuan,
            IncomeItem::Production => self.production_yuan,
            IncomeItem::Property => self.property_yuan,
            IncomeItem::Transfer => self.transfer_yuan,
            IncomeItem::ProductionExpense => self.expense_yuan,
        }
    }
}

/// A finished visit on the time axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitPoint {
    pub date: NaiveDate,
    pub kind: VisitKind,
    /// The visit recorded at least one risk event.
    pub risk: bool,
}

/// Everything a household's charts show.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdChartData {
    pub number: String,
    pub head: String,
    /// One point per income year, oldest first.
    pub incomes: Vec<IncomePoint>,
    /// Finished visits (drafts excluded), oldest first.
    pub visits: Vec<VisitPoint>,
}

/// The charts of one household: income years against the line of each year, and its visits.
pub fn household_chart_data(
    rec: &HouseholdRecord,
    workflow: &VillageWorkflow,
    lines: &PovertyLines,
    t: &Thresholds,
) -> HouseholdChartData {
    let mut incomes: Vec<IncomePoint> = rec
        .incomes
        .iter()
        .map(|i| {
            let standard = lines.standard_for(i.year, t);
            IncomePoint {
                year: i.year,
                per_capita_yuan: income::per_capita(i, rec.size()),
                line_yuan: standard.map(|s| s.line_yuan),
                warning_yuan: standard.map(|s| s.warning_yuan),
                wage_yuan: i.wage_yuan,
                production_yuan: i.production_yuan,
                property_yuan: i.property_yuan,
                transfer_yuan: i.transfer_yuan,
                expense_yuan: i.production_expense_yuan,
            }
        })
        .collect();
    incomes.sort_by_key(|p| p.year);
    let mut visits: Vec<VisitPoint> = workflow
        .visits
        .iter()
        .filter(|v| v.household_id == rec.household.id && !v.is_draft)
        .map(|v| VisitPoint {
            date: v.date,
            kind: v.kind,
            risk: !v.risk_events.is_empty(),
        })
        .collect();
    visits.sort_by_key(|v| v.date);
    HouseholdChartData {
        number: rec.household.number.clone(),
        head: rec.head().map(|m| m.name.clone()).unwrap_or_default(),
        incomes,
        visits,
    }
}

// ---------------------------------------------------------------- village

/// Households per derived status in one year (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusYear {
    pub year: i32,
    /// Registered poor, not exited.
    pub registered: u32,
    /// Exited (and not monitored).
    pub exited: u32,
    pub monitored: u32,
}

/// Poverty incidence of one year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncidenceYear {
    pub year: i32,
    /// Members of the households registered that year.
    pub poor_people: u32,
    /// `None` when the population is 0.
    pub incidence: Option<f64>,
}

/// Households reached by one kind of measure (cancelled measures do not count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    pub kind: MeasureKind,
    /// Households with a finished measure of this kind.
    pub done: u32,
    /// Households whose measures of this kind are all still planned or in progress.
    pub ongoing: u32,
}

/// Visits per helper per month.
#[derive(Debug, Clone, PartialEq)]
pub struct HelperVisits {
    /// (year, month), oldest first.
    pub months: Vec<(i32, u32)>,
    /// One row per helper (registry order), then a row for visits naming no assigned helper
    /// (the work team and others), when there are any.
    pub rows: Vec<HelperVisitRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HelperVisitRow {
    /// `None`: the row of visits naming no assigned helper.
    pub helper: Option<String>,
    /// One count per month of [`HelperVisits::months`].
    pub counts: Vec<u32>,
}

/// Sales of one product by channel.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductSales {
    /// `None`: sales not tied to a registered product.
    pub product: Option<String>,
    /// Yuan per channel, in the order of [`SalesChannel::ALL`].
    pub by_channel: Vec<f64>,
}

impl ProductSales {
    pub fn total_yuan(&self) -> f64 {
        self.by_channel.iter().sum()
    }
}

/// Everything a village's charts show.
#[derive(Debug, Clone, PartialEq)]
pub struct VillageChartData {
    pub village_id: Uuid,
    pub name: String,
    pub township: String,
    /// One entry per year, oldest first; empty when no year can be placed.
    pub statuses: Vec<StatusYear>,
    pub incidence: Vec<IncidenceYear>,
    pub population: u32,
    /// The exit threshold of incidence (3% by default).
    pub max_incidence: f64,
    /// Households by main cause (every household in the registry: not `NotRegistered`, not `Unassessed`), most frequent first;
    /// causes with no household are left out.
    pub causes: Vec<(Cause, u32)>,
    /// One entry per kind of measure that reaches at least one household, in `MeasureKind` order.
    pub coverage: Vec<Coverage>,
    /// Yuan by source and by use, largest first; zero amounts left out.
    pub funds_by_source: Vec<(FundSource, f64)>,
    pub funds_by_use: Vec<(MeasureKind, f64)>,
    pub visits: HelperVisits,
    /// Products in registry order, then unassigned sales if any.
    pub products: Vec<ProductSales>,
}

/// Year a household entered the registry, or `None` for one never registered (see module docs).
fn entry_year(
    rec: &HouseholdRecord,
    workflow_surveys: &[&crate::model::SurveyState],
) -> Option<i32> {
    let was_poor = match rec.household.status {
        HouseholdStatus::Registered | HouseholdStatus::Exited { .. } => true,
        HouseholdStatus::Monitored { kind } => kind == MonitoredKind::UnstableExited,
        HouseholdStatus::NotRegistered | HouseholdStatus::Unassessed => false,
    };
    if !was_poor {
        return None;
    }
    let first_income = rec.incomes.iter().map(|i| i.year).min();
    let surveyed = workflow_surveys
        .iter()
        .filter(|s| {
            s.status == SurveyStatus::Complete
                && s.confirmed_identification == Some(Identification::RegisteredPoor)
        })
        .map(|s| s.year)
        .min();
    Some(match (first_income, surveyed) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => i32::MIN,
    })
}

/// The derived status history of one household: (entered, exited, monitored from).
struct History {
    entered: Option<i32>,
    exited: Option<i32>,
    monitored_from: Option<i32>,
}

impl History {
    fn status_in(&self, year: i32) -> Option<Derived> {
        if self.monitored_from.is_some_and(|y| y <= year) {
            Some(Derived::Monitored)
        } else if self.exited.is_some_and(|y| y <= year) {
            Some(Derived::Exited)
        } else if self.entered.is_some_and(|y| y <= year) {
            Some(Derived::Registered)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Derived {
    Registered,
    Exited,
    Monitored,
}

/// The charts of one village. `records` are the village's households; `today` is the evaluation
/// date (the last year of the time charts and the last month of the visits chart).
pub fn village_chart_data(
    village: &Village,
    records: &[HouseholdRecord],
    workflow: &VillageWorkflow,
    t: &Thresholds,
    today: NaiveDate,
) -> VillageChartData {
    let last_year = today.year();
    let mut surveys_of: HashMap<Uuid, Vec<&crate::model::SurveyState>> = HashMap::new();
    for s in &workflow.surveys {
        surveys_of.entry(s.household_id).or_default().push(s);
    }
    let mut exit_of: HashMap<Uuid, i32> = HashMap::new();
    for e in &workflow.exits {
        if let Some(day) = e.confirmed_on {
            let y = exit_of.entry(e.household_id).or_insert(day.year());
            *y = (*y).min(day.year());
        }
    }
    let mut risk_of: HashMap<Uuid, i32> = HashMap::new();
    for v in workflow
        .visits
        .iter()
        .filter(|v| !v.is_draft && !v.risk_events.is_empty())
    {
        let y = risk_of.entry(v.household_id).or_insert(v.date.year());
        *y = (*y).min(v.date.year());
    }

    let histories: Vec<(usize, History)> = records
        .iter()
        .map(|rec| {
            let id = rec.household.id;
            let surveys = surveys_of.get(&id).map(Vec::as_slice).unwrap_or(&[]);
            let monitored_from = match rec.household.status {
                HouseholdStatus::Monitored { .. } => {
                    Some(risk_of.get(&id).copied().unwrap_or(last_year))
                }
                _ => None,
            };
            let exited = exit_of.get(&id).copied().or(match rec.household.status {
                HouseholdStatus::Exited { year } => Some(year),
                HouseholdStatus::Monitored {
                    kind: MonitoredKind::UnstableExited,
                } => monitored_from,
                _ => None,
            });
            (
                rec.size(),
                History {
                    entered: entry_year(rec, surveys),
                    exited,
                    monitored_from,
                },
            )
        })
        .collect();

    // The first year: the earliest year any record places (incomes, entries, exits), at most
    // MAX_YEARS before the last; entries of unknown year count from it.
    let earliest = records
        .iter()
        .flat_map(|r| r.incomes.iter().map(|i| i.year))
        .chain(histories.iter().filter_map(|(_, h)| h.entered))
        .chain(histories.iter().filter_map(|(_, h)| h.exited))
        .filter(|&y| y != i32::MIN && y <= last_year)
        .min();
    let first_year = earliest.map(|y| y.max(last_year - MAX_YEARS + 1));
    let population = village.rural_population.unwrap_or_else(|| {
        let people = records
            .iter()
            .filter(|r| !r.household.status.is_unassessed())
            .map(HouseholdRecord::size)
            .sum::<usize>();
        u32::try_from(people).unwrap_or(u32::MAX)
    });
    let mut statuses = Vec::new();
    let mut incidence = Vec::new();
    if let Some(first) = first_year {
        for year in first..=last_year {
            let mut row = StatusYear {
                year,
                ..StatusYear::default()
            };
            let mut poor_people = 0u32;
            for (size, h) in &histories {
                match h.status_in(year) {
                    Some(Derived::Registered) => {
                        row.registered += 1;
                        poor_people += u32::try_from(*size).unwrap_or(u32::MAX);
                    }
                    Some(Derived::Exited) => row.exited += 1,
                    Some(Derived::Monitored) => row.monitored += 1,
                    None => {}
                }
            }
            statuses.push(row);
            incidence.push(IncidenceYear {
                year,
                poor_people,
                incidence: poverty_incidence(poor_people, population),
            });
        }
    }

    VillageChartData {
        village_id: village.id,
        name: village.name.clone(),
        township: village.township.clone(),
        statuses,
        incidence,
        population,
        max_incidence: t.max_incidence,
        causes: causes(records),
        coverage: coverage(workflow),
        funds_by_source: sorted_sums(workflow.funds.iter().map(|f| (f.source, f.amount_yuan))),
        funds_by_use: sorted_sums(workflow.funds.iter().map(|f| (f.purpose, f.amount_yuan))),
        visits: helper_visits(workflow, today),
        products: product_sales(workflow),
    }
}

fn causes(records: &[HouseholdRecord]) -> Vec<(Cause, u32)> {
    let mut counts: BTreeMap<Cause, u32> = BTreeMap::new();
    for rec in records
        .iter()
        .filter(|r| !r.household.status.outside_registry())
    {
        if let Some(cause) = rec.household.main_cause {
            *counts.entry(cause).or_default() += 1;
        }
    }
    let mut out: Vec<(Cause, u32)> = counts.into_iter().collect();
    // Stable: equal counts keep the order of the cause list.
    out.sort_by_key(|c| std::cmp::Reverse(c.1));
    out
}

fn coverage(workflow: &VillageWorkflow) -> Vec<Coverage> {
    // Per (kind, household): whether any measure of that kind is done.
    let mut reached: BTreeMap<MeasureKind, HashMap<Uuid, bool>> = BTreeMap::new();
    for m in workflow
        .measures
        .iter()
        .filter(|m| m.status != MeasureStatus::Cancelled)
    {
        let done = reached
            .entry(m.kind)
            .or_default()
            .entry(m.household_id)
            .or_insert(false);
        *done |= m.status == MeasureStatus::Done;
    }
    reached
        .into_iter()
        .map(|(kind, households)| {
            let done = households.values().filter(|d| **d).count();
            Coverage {
                kind,
                done: u32::try_from(done).unwrap_or(u32::MAX),
                ongoing: u32::try_from(households.len() - done).unwrap_or(u32::MAX),
            }
        })
        .collect()
}

/// Sums amounts per key, largest first (ties in key order), zero sums left out.
fn sorted_sums<K: Ord + Copy>(items: impl Iterator<Item = (K, f64)>) -> Vec<(K, f64)> {
    let mut sums: BTreeMap<K, f64> = BTreeMap::new();
    for (k, amount) in items {
        *sums.entry(k).or_default() += amount;
    }
    let mut out: Vec<(K, f64)> = sums.into_iter().filter(|(_, v)| *v != 0.0).collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}

/// The `VISIT_MONTHS` months ending with the month of `today`, oldest first.
fn months_ending(today: NaiveDate) -> Vec<(i32, u32)> {
    let end = today.year() * 12 + today.month0() as i32;
    (end + 1 - VISIT_MONTHS as i32..=end)
        .map(|m| (m.div_euclid(12), m.rem_euclid(12) as u32 + 1))
        .collect()
}

/// Visits per helper and month. A finished visit counts for each helper assigned to the visited
/// household whose name appears in the visit's visitors; a visit naming none of them counts in
/// the last row (the work team and others).
fn helper_visits(workflow: &VillageWorkflow, today: NaiveDate) -> HelperVisits {
    let months = months_ending(today);
    let month_index: HashMap<(i32, u32), usize> =
        months.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let mut helpers_of: HashMap<Uuid, Vec<usize>> = HashMap::new();
    for (k, h) in workflow.helpers.iter().enumerate() {
        for id in &h.household_ids {
            helpers_of.entry(*id).or_default().push(k);
        }
    }
    let mut counts = vec![vec![0u32; months.len()]; workflow.helpers.len()];
    let mut others = vec![0u32; months.len()];
    for v in workflow.visits.iter().filter(|v| !v.is_draft) {
        let Some(&m) = month_index.get(&(v.date.year(), v.date.month())) else {
            continue;
        };
        let named: Vec<usize> = helpers_of
            .get(&v.household_id)
            .map(|hs| {
                hs.iter()
                    .copied()
                    .filter(|&k| {
                        let name = &workflow.helpers[k].name;
                        !name.is_empty() && v.visitors.contains(name.as_str())
                    })
                    .collect()
            })
            .unwrap_or_default();
        if named.is_empty() {
            others[m] += 1;
        }
        for k in named {
            counts[k][m] += 1;
        }
    }
    let mut rows: Vec<HelperVisitRow> = workflow
        .helpers
        .iter()
        .zip(counts)
        .map(|(h, counts)| HelperVisitRow {
            helper: Some(h.name.clone()),
            counts,
        })
        .collect();
    if others.iter().any(|c| *c > 0) {
        rows.push(HelperVisitRow {
            helper: None,
            counts: others,
        });
    }
    HelperVisits { months, rows }
}

fn product_sales(workflow: &VillageWorkflow) -> Vec<ProductSales> {
    let channel_index =
        |c: SalesChannel| SalesChannel::ALL.iter().position(|x| *x == c).unwrap_or(0);
    let mut out: Vec<ProductSales> = workflow
        .products
        .iter()
        .map(|p| ProductSales {
            product: Some(p.name.clone()),
            by_channel: vec![0.0; SalesChannel::ALL.len()],
        })
        .collect();
    let index: HashMap<Uuid, usize> = workflow
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    let mut unassigned = vec![0.0; SalesChannel::ALL.len()];
    for s in &workflow.sales {
        let row = match s.product_id.and_then(|id| index.get(&id)) {
            Some(&i) => &mut out[i].by_channel,
            None => &mut unassigned,
        };
        row[channel_index(s.channel)] += s.amount_yuan;
    }
    if unassigned.iter().any(|v| *v != 0.0) {
        out.push(ProductSales {
            product: None,
            by_channel: unassigned,
        });
    }
    out
}

#[cfg(test)]
mod tests;
