//! The six precisions (六个精准) of a village, each a panel with its headline figures and the list
//! behind every figure, computed from the registry (`HouseholdRecord`s) and the workflow records
//! (`VillageWorkflow`). Pure: the same inputs give the same panels in the window and the CLI.
//!
//! Every county-adjustable figure arrives in [`PrecisionInputs`]: the poverty lines, the
//! thresholds, the cause → measure table and the heuristic for elderly-only households.

pub mod lists;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use super::exit::{self, Assessment};
use super::income::{self, PovertyLines, yuan};
use super::plan::{CauseAnswers, PlanGap, check_plan};
use super::quality::{self, Finding, FindingKind};
use super::village::{VillageAssessment, assess_village};
use super::visits::{self, DueVisit, UnstableReason};
use super::{id_number::age_on, monitoring};
use crate::i18n::{Label, Lang, Localize};
use crate::model::{
    FundSource, HouseholdRecord, HouseholdStatus, MeasureKind, MeasureStatus, MonitoredKind,
    ProjectKind, TeamMember, TeamRole, Thresholds, Village, VillageWorkflow,
};

/// How "elderly-only households split from their children's households" (分户) are spotted. This is
/// a heuristic that names candidates for the village review, never a verdict: a registered
/// household whose members are all at least `elderly_age` years old, while another household of
/// the same village has a member with the head's surname (the first character of the name, so
/// compound surnames are approximated) born `min_gap_years` to `max_gap_years` years after the
/// head — the age of a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitHeuristic {
    pub elderly_age: u32,
    pub min_gap_years: i32,
    pub max_gap_years: i32,
}

impl Default for SplitHeuristic {
    fn default() -> Self {
        SplitHeuristic {
            elderly_age: 60,
            min_gap_years: 20,
            max_gap_years: 45,
        }
    }
}

/// Everything the panels are computed from.
#[derive(Debug, Clone, Copy)]
pub struct PrecisionInputs<'a> {
    pub village: &'a Village,
    /// The village's own live households.
    pub records: &'a [HouseholdRecord],
    pub workflow: &'a VillageWorkflow,
    pub lines: &'a PovertyLines,
    pub thresholds: &'a Thresholds,
    pub cause_answers: &'a CauseAnswers,
    pub split: &'a SplitHeuristic,
    pub today: NaiveDate,
}

/// A household as the lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdRef {
    pub household_id: Uuid,
    pub number: String,
    pub head_name: Option<String>,
}

impl HouseholdRef {
    pub fn of(rec: &HouseholdRecord) -> Self {
        HouseholdRef {
            household_id: rec.household.id,
            number: rec.household.number.clone(),
            head_name: rec.head().map(|m| m.name.clone()),
        }
    }
}

/// The households of `ids` that are in `records` (links to deleted households are skipped).
fn refs_of(ids: &[Uuid], by_id: &HashMap<Uuid, &HouseholdRecord>) -> Vec<HouseholdRef> {
    ids.iter()
        .filter_map(|id| by_id.get(id))
        .map(|rec| HouseholdRef::of(rec))
        .collect()
}

fn index(records: &[HouseholdRecord]) -> HashMap<Uuid, &HouseholdRecord> {
    records.iter().map(|r| (r.household.id, r)).collect()
}

// ---------------------------------------------------------------- 1. targets (扶持对象精准)

/// A never-registered (or marginal-monitored) household inside the warning band.
#[derive(Debug, Clone, PartialEq)]
pub struct MarginalHousehold {
    pub household: HouseholdRef,
    pub year: i32,
    pub per_capita_yuan: f64,
    pub warning_line_yuan: f64,
}

/// A never-registered household whose latest per-capita income is at or below the line: it may
/// have been missed at identification (漏评) and calls for a review.
#[derive(Debug, Clone, PartialEq)]
pub struct MissedHousehold {
    pub household: HouseholdRef,
    pub year: i32,
    pub per_capita_yuan: f64,
    pub line_yuan: f64,
}

/// An elderly-only registered household that may have split from a child's household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElderlySplit {
    pub household: HouseholdRef,
    /// Households of the same village with a member of the head's surname and a child's age.
    pub possible_children: Vec<HouseholdRef>,
}

impl Localize for ElderlySplit {
    fn localize(&self, lang: Lang) -> String {
        let others: Vec<&str> = self
            .possible_children
            .iter()
            .map(|h| h.number.as_str())
            .collect();
        let number = &self.household.number;
        match lang {
            Lang::Zh => format!(
                "户{number}：全部成员为老年人的贫困户，本村户{}有同姓、年龄相当于子女的成员，请核实是否为拆户识别。",
                others.join("、")
            ),
            Lang::En => format!(
                "Household {number}: a registered household of elderly people only, while household(s) {} of this village have a member with the same surname of a child's age; check whether it was split off to be registered.",
                others.join(", ")
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetsPanel {
    /// Data-quality findings of `rules::quality`, duplicate ID numbers included.
    pub findings: Vec<Finding>,
    pub households_with_findings: usize,
    pub marginal: Vec<MarginalHousehold>,
    /// Never registered, income at or below the line: possibly missed (漏评).
    pub possibly_missed: Vec<MissedHousehold>,
    /// The duplicate-ID findings (the same person registered twice).
    pub duplicate_ids: Vec<Finding>,
    pub elderly_splits: Vec<ElderlySplit>,
}

impl TargetsPanel {
    /// Households with a suspicious identification: a duplicated ID number or a possible split.
    pub fn suspicious_households(&self) -> usize {
        let ids: HashSet<Uuid> = self
            .duplicate_ids
            .iter()
            .map(|f| f.household_id)
            .chain(self.elderly_splits.iter().map(|s| s.household.household_id))
            .collect();
        ids.len()
    }
}

fn surname(name: &str) -> Option<char> {
    name.trim().chars().next()
}

/// Elderly-only registered households with possible children's households (see [`SplitHeuristic`]).
pub fn elderly_splits(
    records: &[HouseholdRecord],
    split: &SplitHeuristic,
    today: NaiveDate,
) -> Vec<ElderlySplit> {
    // (surname) → (household index, birth year) of every member, for one pass per candidate.
    let mut by_surname: HashMap<char, Vec<(usize, i32)>> = HashMap::new();
    for (i, rec) in records.iter().enumerate() {
        for m in &rec.members {
            if let Some(s) = surname(&m.name) {
                by_surname
                    .entry(s)
                    .or_default()
                    .push((i, m.birth_date.year()));
            }
        }
    }
    records
        .iter()
        .enumerate()
        .filter(|(_, rec)| {
            rec.household.status == HouseholdStatus::Registered
                && !rec.members.is_empty()
                && rec
                    .members
                    .iter()
                    .all(|m| age_on(m.birth_date, today) >= split.elderly_age)
        })
        .filter_map(|(i, rec)| {
            let head = rec.head()?;
            let born = head.birth_date.year();
            let gap = (born + split.min_gap_years)..=(born + split.max_gap_years);
            let mut children: Vec<usize> = by_surname
                .get(&surname(&head.name)?)?
                .iter()
                .filter(|(j, year)| *j != i && gap.contains(year))
                .map(|(j, _)| *j)
                .collect();
            children.dedup();
            (!children.is_empty()).then(|| ElderlySplit {
                household: HouseholdRef::of(rec),
                possible_children: children
                    .iter()
                    .map(|j| HouseholdRef::of(&records[*j]))
                    .collect(),
            })
        })
        .collect()
}

pub fn targets(inputs: &PrecisionInputs) -> TargetsPanel {
    let PrecisionInputs {
        records,
        lines,
        thresholds: t,
        today,
        ..
    } = *inputs;
    let findings = quality::check_village(records, today, t);
    let households_with_findings = findings
        .iter()
        .map(|f| f.household_id)
        .collect::<HashSet<_>>()
        .len();
    let marginal = records
        .iter()
        .filter(|rec| monitoring::is_marginal(rec, lines, t))
        .filter_map(|rec| {
            let f = income::latest_figures(rec, lines, t)?;
            Some(MarginalHousehold {
                household: HouseholdRef::of(rec),
                year: f.year,
                per_capita_yuan: f.per_capita_yuan,
                warning_line_yuan: f.warning_yuan,
            })
        })
        .collect();
    let possibly_missed = records
        .iter()
        .filter(|rec| monitoring::possibly_missed(rec, lines, t))
        .filter_map(|rec| {
            let f = income::latest_figures(rec, lines, t)?;
            Some(MissedHousehold {
                household: HouseholdRef::of(rec),
                year: f.year,
                per_capita_yuan: f.per_capita_yuan,
                line_yuan: f.line_yuan,
            })
        })
        .collect();
    let duplicate_ids = findings
        .iter()
        .filter(|f| f.kind == FindingKind::DuplicateIdNumber)
        .cloned()
        .collect();
    TargetsPanel {
        households_with_findings,
        marginal,
        possibly_missed,
        duplicate_ids,
        elderly_splits: elderly_splits(records, inputs.split, today),
        findings,
    }
}

// ---------------------------------------------------------------- 2. projects (项目安排精准)

#[derive(Debug, Clone, PartialEq)]
pub struct ProjectRow {
    pub project_id: Uuid,
    pub name: String,
    pub kind: ProjectKind,
    pub budget_yuan: f64,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub households: Vec<HouseholdRef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProjectsPanel {
    pub projects: Vec<ProjectRow>,
    pub total_budget_yuan: f64,
    /// Projects tied to no household: who do they serve?
    pub without_households: Vec<Uuid>,
}

pub fn projects(inputs: &PrecisionInputs) -> ProjectsPanel {
    let by_id = index(inputs.records);
    let projects: Vec<ProjectRow> = inputs
        .workflow
        .projects
        .iter()
        .map(|p| ProjectRow {
            project_id: p.id,
            name: p.name.clone(),
            kind: p.kind,
            budget_yuan: p.budget_yuan,
            start: p.start,
            end: p.end,
            households: refs_of(&p.household_ids, &by_id),
        })
        .collect();
    ProjectsPanel {
        total_budget_yuan: projects.iter().map(|p| p.budget_yuan).sum(),
        without_households: projects
            .iter()
            .filter(|p| p.households.is_empty())
            .map(|p| p.project_id)
            .collect(),
        projects,
    }
}

// ---------------------------------------------------------------- 3. funds (资金使用精准)

#[derive(Debug, Clone, PartialEq)]
pub struct FundsPanel {
    pub total_yuan: f64,
    /// In the order of the coded values; sources and uses without money are left out.
    pub by_source: Vec<(FundSource, f64)>,
    pub by_use: Vec<(MeasureKind, f64)>,
    /// Entries tied to no project, household or measure: the seed's "scattered funds".
    pub unattached: Vec<Uuid>,
    /// Groups of entries with the same amount, date, household, project and source: the same
    /// money entered (or spent) twice.
    pub double_counted: Vec<Vec<Uuid>>,
    /// Every entry named by `unattached` or `double_counted`, as the lists show it.
    pub listed: Vec<FundRef>,
}

/// A fund entry as the lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct FundRef {
    pub fund_id: Uuid,
    pub date: NaiveDate,
    pub amount_yuan: f64,
    pub source: FundSource,
    pub purpose: MeasureKind,
    pub note: String,
    /// The household it went to, if any (and still registered).
    pub household: Option<HouseholdRef>,
    /// The project it went to, if any.
    pub project_name: Option<String>,
}

impl FundsPanel {
    /// The entry `id` as the lists show it.
    pub fn fund(&self, id: Uuid) -> Option<&FundRef> {
        self.listed.iter().find(|f| f.fund_id == id)
    }
}

/// Whole fen, so that 1200.00 and 1200.0000001 are the same amount.
fn fen(yuan: f64) -> i64 {
    (yuan * 100.0).round() as i64
}

pub fn funds(inputs: &PrecisionInputs) -> FundsPanel {
    let entries = &inputs.workflow.funds;
    let mut by_source: BTreeMap<FundSource, f64> = BTreeMap::new();
    let mut by_use: BTreeMap<MeasureKind, f64> = BTreeMap::new();
    type Key = (i64, NaiveDate, Option<Uuid>, Option<Uuid>, FundSource);
    let mut groups: BTreeMap<Key, Vec<Uuid>> = BTreeMap::new();
    for f in entries {
        *by_source.entry(f.source).or_default() += f.amount_yuan;
        *by_use.entry(f.purpose).or_default() += f.amount_yuan;
        groups
            .entry((
                fen(f.amount_yuan),
                f.date,
                f.household_id,
                f.project_id,
                f.source,
            ))
            .or_default()
            .push(f.id);
    }
    let unattached: Vec<Uuid> = entries
        .iter()
        .filter(|f| f.project_id.is_none() && f.household_id.is_none() && f.measure_id.is_none())
        .map(|f| f.id)
        .collect();
    let double_counted: Vec<Vec<Uuid>> = groups.into_values().filter(|g| g.len() > 1).collect();
    let named: HashSet<Uuid> = unattached
        .iter()
        .chain(double_counted.iter().flatten())
        .copied()
        .collect();
    let by_id = index(inputs.records);
    let listed = entries
        .iter()
        .filter(|f| named.contains(&f.id))
        .map(|f| FundRef {
            fund_id: f.id,
            date: f.date,
            amount_yuan: f.amount_yuan,
            source: f.source,
            purpose: f.purpose,
            note: f.note.clone(),
            household: f
                .household_id
                .and_then(|id| by_id.get(&id))
                .map(|rec| HouseholdRef::of(rec)),
            project_name: f.project_id.and_then(|id| {
                inputs
                    .workflow
                    .projects
                    .iter()
                    .find(|p| p.id == id)
                    .map(|p| p.name.clone())
            }),
        })
        .collect();
    FundsPanel {
        total_yuan: entries.iter().map(|f| f.amount_yuan).sum(),
        by_source: by_source.into_iter().collect(),
        by_use: by_use.into_iter().collect(),
        unattached,
        double_counted,
        listed,
    }
}

// ---------------------------------------------------------------- 4. measures (措施到户精准)

#[derive(Debug, Clone, PartialEq)]
pub struct PlanFinding {
    pub household: HouseholdRef,
    pub gap: PlanGap,
}

/// The same kind of measure given to one household by two or more helper units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatedMeasure {
    pub household: HouseholdRef,
    pub kind: MeasureKind,
    /// The distinct units, sorted.
    pub units: Vec<String>,
    pub measure_ids: Vec<Uuid>,
}

impl Localize for RepeatedMeasure {
    fn localize(&self, lang: Lang) -> String {
        let number = &self.household.number;
        let kind = self.kind.label(lang);
        match lang {
            Lang::Zh => format!(
                "户{number}：“{kind}”措施由{}个单位（{}）重复帮扶，请协调明确一个责任单位。",
                self.units.len(),
                self.units.join("、")
            ),
            Lang::En => format!(
                "Household {number}: \"{kind}\" is given by {} units ({}); agree on one unit answering for it.",
                self.units.len(),
                self.units.join(", ")
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MeasuresPanel {
    /// Registered (not yet exited) households: the ones that need a plan.
    pub registered: usize,
    pub without_plan: Vec<HouseholdRef>,
    pub ignoring_main_cause: Vec<PlanFinding>,
    pub repeated: Vec<RepeatedMeasure>,
}

pub fn measures(inputs: &PrecisionInputs) -> MeasuresPanel {
    let w = inputs.workflow;
    let by_id = index(inputs.records);
    let helper_units: HashMap<Uuid, &str> =
        w.helpers.iter().map(|h| (h.id, h.unit.as_str())).collect();
    let mut of_household: HashMap<Uuid, Vec<&crate::model::Measure>> = HashMap::new();
    for m in &w.measures {
        of_household.entry(m.household_id).or_default().push(m);
    }

    let registered: Vec<&HouseholdRecord> = inputs
        .records
        .iter()
        .filter(|r| r.household.status == HouseholdStatus::Registered)
        .collect();
    let mut without_plan = Vec::new();
    let mut ignoring_main_cause = Vec::new();
    for rec in &registered {
        let plan = of_household.get(&rec.household.id).into_iter().flatten();
        match check_plan(&rec.household, plan.copied(), inputs.cause_answers) {
            Some(PlanGap::NoMeasures) => without_plan.push(HouseholdRef::of(rec)),
            Some(gap) => ignoring_main_cause.push(PlanFinding {
                household: HouseholdRef::of(rec),
                gap,
            }),
            None => {}
        }
    }

    // (household number, household, kind) → (units, measures), over every household with
    // measures; the number first so the list comes out in household order.
    type Slot = (Vec<String>, Vec<Uuid>);
    let mut by_kind: BTreeMap<(String, Uuid, MeasureKind), Slot> = BTreeMap::new();
    for m in w
        .measures
        .iter()
        .filter(|m| m.status != MeasureStatus::Cancelled)
    {
        let Some(rec) = by_id.get(&m.household_id) else {
            continue;
        };
        let unit = match m.helper_unit.trim() {
            "" => m
                .helper_id
                .and_then(|id| helper_units.get(&id))
                .map(|u| u.trim())
                .unwrap_or(""),
            unit => unit,
        };
        let slot = by_kind
            .entry((rec.household.number.clone(), rec.household.id, m.kind))
            .or_default();
        if !unit.is_empty() && !slot.0.iter().any(|u| u == unit) {
            slot.0.push(unit.to_string());
        }
        slot.1.push(m.id);
    }
    let repeated = by_kind
        .into_iter()
        .filter(|(_, (units, _))| units.len() > 1)
        .map(|((_, household_id, kind), (mut units, measure_ids))| {
            units.sort();
            RepeatedMeasure {
                household: HouseholdRef::of(by_id[&household_id]),
                kind,
                units,
                measure_ids,
            }
        })
        .collect();

    MeasuresPanel {
        registered: registered.len(),
        without_plan,
        ignoring_main_cause,
        repeated,
    }
}

// ---------------------------------------------------------------- 5. personnel (因村派人精准)

#[derive(Debug, Clone, PartialEq)]
pub struct HelperRow {
    pub helper_id: Uuid,
    pub name: String,
    pub unit: String,
    pub households: Vec<HouseholdRef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersonnelPanel {
    /// The whole team on file, first secretary first.
    pub team: Vec<TeamMember>,
    /// Whether a first secretary's term covers today.
    pub first_secretary_serving: bool,
    /// Team members whose term covers today.
    pub serving: usize,
    pub helpers: Vec<HelperRow>,
    /// Followed households (registered, exited, monitored) with no assigned helper.
    pub without_helper: Vec<HouseholdRef>,
    /// Followed households not visited within `Thresholds::visit_interval_days`.
    pub due_visits: Vec<DueVisit>,
}

pub fn personnel(inputs: &PrecisionInputs) -> PersonnelPanel {
    let w = inputs.workflow;
    let today = inputs.today;
    let by_id = index(inputs.records);
    let helped: HashSet<Uuid> = w
        .helpers
        .iter()
        .flat_map(|h| h.household_ids.iter().copied())
        .collect();
    PersonnelPanel {
        team: w.team.clone(),
        first_secretary_serving: w
            .team
            .iter()
            .any(|m| m.role == TeamRole::FirstSecretary && m.serving_on(today)),
        serving: w.team.iter().filter(|m| m.serving_on(today)).count(),
        helpers: w
            .helpers
            .iter()
            .map(|h| HelperRow {
                helper_id: h.id,
                name: h.name.clone(),
                unit: h.unit.clone(),
                households: refs_of(&h.household_ids, &by_id),
            })
            .collect(),
        without_helper: inputs
            .records
            .iter()
            .filter(|r| visits::followed(r.household.status) && !helped.contains(&r.household.id))
            .map(HouseholdRef::of)
            .collect(),
        due_visits: visits::due_for_visit(inputs.records, &w.visits, today, inputs.thresholds),
    }
}

// ---------------------------------------------------------------- 6. results (脱贫成效精准)

/// Why an exited household is at risk of returning to poverty.
#[derive(Debug, Clone, PartialEq)]
pub enum AtRiskReason {
    /// The latest registered income is below the warning band.
    LatestIncome {
        year: i32,
        per_capita_yuan: f64,
        warning_line_yuan: f64,
    },
    /// A visit since exit recorded a risk event or an income below the band.
    Visit(UnstableReason),
}

impl Localize for AtRiskReason {
    fn localize(&self, lang: Lang) -> String {
        match self {
            AtRiskReason::LatestIncome {
                year,
                per_capita_yuan,
                warning_line_yuan,
            } => {
                let (pc, line) = (yuan(*per_capita_yuan), yuan(*warning_line_yuan));
                match lang {
                    Lang::Zh => format!("{year}年人均纯收入{pc}元，低于监测线{line}元。"),
                    Lang::En => format!(
                        "Per-capita net income of {year} is {pc} yuan, below the warning line of {line} yuan."
                    ),
                }
            }
            AtRiskReason::Visit(reason) => reason.localize(lang),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExitReady {
    pub household: HouseholdRef,
    /// The income year assessed.
    pub year: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExitFailing {
    pub household: HouseholdRef,
    /// The 一超六有 checklist with a reason for every failed item.
    pub assessment: Assessment,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AtRisk {
    pub household: HouseholdRef,
    pub reasons: Vec<AtRiskReason>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResultsPanel {
    pub ready: Vec<ExitReady>,
    pub failing: Vec<ExitFailing>,
    /// Exited households (not yet flagged as monitored) that now look unstable.
    pub at_risk: Vec<AtRisk>,
    /// Poverty incidence against the threshold and the 一低五有 checklist.
    pub village: VillageAssessment,
    /// The monitoring cases (防止返贫监测): exited households stay monitored.
    pub cases: super::monitoring_cases::CaseCounts,
}

/// The income year an exit is assessed on: the latest with a record, else last calendar year
/// (the year a survey normally covers), so a household without incomes fails with that reason.
fn assessed_year(rec: &HouseholdRecord, today: NaiveDate) -> i32 {
    rec.latest_income()
        .map_or(today.year() - 1, |income| income.year)
}

pub fn results(inputs: &PrecisionInputs) -> ResultsPanel {
    let PrecisionInputs {
        records,
        lines,
        thresholds: t,
        today,
        ..
    } = *inputs;
    let mut visits_of: HashMap<Uuid, Vec<&crate::model::Visit>> = HashMap::new();
    for v in &inputs.workflow.visits {
        visits_of.entry(v.household_id).or_default().push(v);
    }
    let mut ready = Vec::new();
    let mut failing = Vec::new();
    let mut at_risk = Vec::new();
    for rec in records {
        match rec.household.status {
            HouseholdStatus::Registered => {
                let year = assessed_year(rec, today);
                let seen = exit::findings_of(inputs.workflow, rec.household.id);
                let assessment = exit::assess(rec, year, lines, t, today, &seen);
                if assessment.passed {
                    ready.push(ExitReady {
                        household: HouseholdRef::of(rec),
                        year,
                    });
                } else {
                    failing.push(ExitFailing {
                        household: HouseholdRef::of(rec),
                        assessment,
                    });
                }
            }
            HouseholdStatus::Exited { .. } => {
                let mut reasons = Vec::new();
                if monitoring::suggest(rec, lines, t) == Some(MonitoredKind::UnstableExited)
                    && let Some(f) = income::latest_figures(rec, lines, t)
                {
                    reasons.push(AtRiskReason::LatestIncome {
                        year: f.year,
                        per_capita_yuan: f.per_capita_yuan,
                        warning_line_yuan: f.warning_yuan,
                    });
                }
                for visit in visits_of.get(&rec.household.id).into_iter().flatten() {
                    if let Some(s) = visits::flag_unstable(rec, visit, lines, t) {
                        reasons.extend(s.reasons.into_iter().map(AtRiskReason::Visit));
                    }
                }
                if !reasons.is_empty() {
                    at_risk.push(AtRisk {
                        household: HouseholdRef::of(rec),
                        reasons,
                    });
                }
            }
            HouseholdStatus::NotRegistered
            | HouseholdStatus::Unassessed
            | HouseholdStatus::Monitored { .. } => {}
        }
    }
    ResultsPanel {
        ready,
        failing,
        at_risk,
        village: assess_village(inputs.village, records, t),
        cases: super::monitoring_cases::CaseCounts::of(&inputs.workflow.cases, t, inputs.today),
    }
}

// ---------------------------------------------------------------- all six

/// The six panels of one village.
#[derive(Debug, Clone, PartialEq)]
pub struct Precisions {
    /// The latest income years of the village (the years its marginal and unstable households
    /// are judged on) that have no monitoring threshold of their own: said on the panels that
    /// judge them (扶持对象精准, 脱贫成效精准).
    pub threshold_warnings: Vec<income::MissingThreshold>,
    pub targets: TargetsPanel,
    pub projects: ProjectsPanel,
    pub funds: FundsPanel,
    pub measures: MeasuresPanel,
    pub personnel: PersonnelPanel,
    pub results: ResultsPanel,
}

pub fn evaluate(inputs: &PrecisionInputs) -> Precisions {
    Precisions {
        threshold_warnings: inputs.lines.missing_for(
            inputs
                .records
                .iter()
                .filter_map(|r| r.latest_income().map(|i| i.year)),
            inputs.thresholds,
        ),
        targets: targets(inputs),
        projects: projects(inputs),
        funds: funds(inputs),
        measures: measures(inputs),
        personnel: personnel(inputs),
        results: results(inputs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use crate::rules::fixtures::*;

    fn today() -> NaiveDate {
        date(2017, 9, 1)
    }

    /// A Registered household of three with 2016 income `net_2016`, main cause 因病.
    fn family(number: &str, status: HouseholdStatus, net_2016: f64) -> HouseholdRecord {
        let mut rec = household(number, status);
        add_adults(&mut rec, 3);
        add_income(&mut rec, 2016, net_2016);
        rec
    }

    fn measure(rec: &HouseholdRecord, kind: MeasureKind, unit: &str) -> Measure {
        Measure {
            id: Uuid::new_v4(),
            household_id: rec.household.id,
            kind,
            description: String::new(),
            helper_id: None,
            helper_unit: unit.into(),
            project_id: None,
            fund_source: FundSource::County,
            amount_yuan: 2000.0,
            start: date(2017, 3, 1),
            due: date(2017, 12, 31),
            expected_income_yuan: 1000.0,
            status: MeasureStatus::InProgress,
        }
    }

    fn fund(amount_yuan: f64, source: FundSource, household_id: Option<Uuid>) -> FundEntry {
        FundEntry {
            id: Uuid::new_v4(),
            village_id: Uuid::nil(),
            source,
            amount_yuan,
            date: date(2017, 4, 1),
            purpose: MeasureKind::Health,
            project_id: None,
            household_id,
            measure_id: None,
            note: String::new(),
        }
    }

    fn run<T>(
        village: &Village,
        records: &[HouseholdRecord],
        workflow: &VillageWorkflow,
        panel: fn(&PrecisionInputs) -> T,
    ) -> T {
        panel(&PrecisionInputs {
            village,
            records,
            workflow,
            lines: &domain_lines(),
            thresholds: &Thresholds::default(),
            cause_answers: &CauseAnswers::default(),
            split: &SplitHeuristic::default(),
            today: today(),
        })
    }

    #[test]
    fn targets_list_findings_marginal_and_suspicious_households() {
        // 9000 ÷ 3 = 3000 per person: inside the 2016 band (2855, 4282.5).
        let marginal = family("001", HouseholdStatus::NotRegistered, 9000.0);
        let above = family("002", HouseholdStatus::NotRegistered, 13_000.0);
        let mut no_head = family("003", HouseholdStatus::Registered, 6000.0);
        no_head.members[0].relation = Relation::Spouse;
        // A registered couple of 70-year-olds, and a household with a 45-year-old of their surname.
        let mut elders = household("004", HouseholdStatus::Registered);
        add_member(
            &mut elders,
            "王老汉",
            date(1946, 1, 1),
            Sex::Male,
            Relation::Head,
        );
        add_member(
            &mut elders,
            "李大娘",
            date(1948, 1, 1),
            Sex::Female,
            Relation::Spouse,
        );
        let mut son = household("005", HouseholdStatus::NotRegistered);
        add_member(
            &mut son,
            "王建军",
            date(1972, 6, 1),
            Sex::Male,
            Relation::Head,
        );
        let mut stranger = household("006", HouseholdStatus::NotRegistered);
        add_member(
            &mut stranger,
            "王小宝",
            date(2000, 6, 1),
            Sex::Male,
            Relation::Head,
        );
        let mut twice = son.members[0].clone();
        twice.household_id = stranger.household.id;
        twice.relation = Relation::Sibling;
        stranger.members.push(twice);
        let records = vec![marginal, above, no_head, elders, son, stranger];

        let p = run(&village(), &records, &VillageWorkflow::default(), targets);
        assert_eq!(p.marginal.len(), 1);
        assert_eq!(p.marginal[0].household.number, "001");
        assert_eq!(p.marginal[0].per_capita_yuan, 3000.0);
        assert_eq!(p.marginal[0].warning_line_yuan, 4282.5);
        // 003 has no head; 005 and 006 share an ID number.
        assert_eq!(p.households_with_findings, 3);
        assert_eq!(p.duplicate_ids.len(), 2);
        assert_eq!(p.elderly_splits.len(), 1);
        let split = &p.elderly_splits[0];
        assert_eq!(split.household.number, "004");
        // 王建军 (born 1972, 26 years after 1946) is of a child's age; 王小宝 (born 2000, 54) is not,
        // but household 006 also holds the copied 王建军.
        let children: Vec<&str> = split
            .possible_children
            .iter()
            .map(|h| h.number.as_str())
            .collect();
        assert_eq!(children, ["005", "006"]);
        assert!(split.localize(Lang::Zh).contains("户004"));
        assert_eq!(p.suspicious_households(), 3);

        // The age is a parameter: with 75 as "elderly" the couple is not elderly-only.
        let strict = SplitHeuristic {
            elderly_age: 75,
            ..SplitHeuristic::default()
        };
        assert!(elderly_splits(&records, &strict, today()).is_empty());
    }

    #[test]
    fn projects_with_their_households_and_without_any() {
        let a = family("001", HouseholdStatus::Registered, 6000.0);
        let project = |name: &str, households: Vec<Uuid>| Project {
            id: Uuid::new_v4(),
            village_id: Uuid::nil(),
            name: name.into(),
            kind: ProjectKind::Road,
            budget_yuan: 150_000.0,
            start: date(2017, 3, 1),
            end: None,
            household_ids: households,
        };
        let w = VillageWorkflow {
            projects: vec![
                project("通组路", vec![a.household.id, Uuid::new_v4()]),
                project("文化广场", vec![]),
            ],
            ..VillageWorkflow::default()
        };
        let p = run(&village(), &[a], &w, projects);
        assert_eq!(p.total_budget_yuan, 300_000.0);
        assert_eq!(p.projects[0].households.len(), 1); // the deleted household is skipped
        assert_eq!(p.without_households, [w.projects[1].id]);
    }

    #[test]
    fn funds_by_source_and_use_scattered_and_double_counted() {
        let h = Uuid::new_v4();
        let first = fund(1200.0, FundSource::County, Some(h));
        let again = fund(1200.0, FundSource::County, Some(h));
        let other_source = fund(1200.0, FundSource::Social, Some(h));
        let scattered = FundEntry {
            purpose: MeasureKind::Infrastructure,
            ..fund(50_000.0, FundSource::Central, None)
        };
        let w = VillageWorkflow {
            funds: vec![
                first.clone(),
                again.clone(),
                other_source,
                scattered.clone(),
            ],
            ..VillageWorkflow::default()
        };
        let p = run(&village(), &[], &w, funds);
        assert_eq!(p.total_yuan, 53_600.0);
        assert_eq!(
            p.by_source,
            [
                (FundSource::Central, 50_000.0),
                (FundSource::County, 2400.0),
                (FundSource::Social, 1200.0)
            ]
        );
        assert_eq!(
            p.by_use,
            [
                (MeasureKind::Health, 3600.0),
                (MeasureKind::Infrastructure, 50_000.0)
            ]
        );
        assert_eq!(p.unattached, [scattered.id]);
        assert_eq!(p.double_counted, [vec![first.id, again.id]]);
        // Each entry named by a list is described for it.
        for id in [scattered.id, first.id, again.id] {
            assert_eq!(p.fund(id).map(|f| f.fund_id), Some(id));
        }
        assert_eq!(p.listed.len(), 3);
    }

    #[test]
    fn measures_without_plan_off_cause_and_repeated_by_two_units() {
        let planless = family("001", HouseholdStatus::Registered, 6000.0);
        let off_cause = family("002", HouseholdStatus::Registered, 6000.0);
        let covered = family("003", HouseholdStatus::Registered, 6000.0);
        let exited = family("004", HouseholdStatus::Exited { year: 2016 }, 15_000.0);
        let helper = Helper {
            id: Uuid::new_v4(),
            village_id: Uuid::nil(),
            name: "赵强".into(),
            unit: "县卫健局".into(),
            phone: String::new(),
            household_ids: vec![covered.household.id],
        };
        let by_helper = Measure {
            helper_id: Some(helper.id),
            ..measure(&covered, MeasureKind::Health, "")
        };
        let w = VillageWorkflow {
            helpers: vec![helper],
            measures: vec![
                measure(&off_cause, MeasureKind::SmallCredit, "县农商行"),
                by_helper,
                measure(&covered, MeasureKind::Health, "县人民医院"),
                measure(&covered, MeasureKind::Health, "县人民医院"),
                Measure {
                    status: MeasureStatus::Cancelled,
                    ..measure(&covered, MeasureKind::Health, "乡卫生院")
                },
            ],
            ..VillageWorkflow::default()
        };
        let records = [planless, off_cause, covered, exited];
        let p = run(&village(), &records, &w, measures);
        assert_eq!(p.registered, 3);
        assert_eq!(p.without_plan.len(), 1);
        assert_eq!(p.without_plan[0].number, "001");
        assert_eq!(p.ignoring_main_cause.len(), 1);
        assert_eq!(p.ignoring_main_cause[0].household.number, "002");
        assert!(matches!(
            p.ignoring_main_cause[0].gap,
            PlanGap::MainCauseUnanswered {
                cause: Cause::Illness,
                ..
            }
        ));
        assert_eq!(p.repeated.len(), 1);
        let r = &p.repeated[0];
        assert_eq!(r.household.number, "003");
        assert_eq!(r.units, ["县人民医院", "县卫健局"]);
        assert_eq!(r.measure_ids.len(), 3);
        assert!(r.localize(Lang::Zh).contains("由2个单位"));
    }

    #[test]
    fn personnel_team_helpers_and_gaps() {
        let helped = family("001", HouseholdStatus::Registered, 6000.0);
        let alone = family("002", HouseholdStatus::Exited { year: 2016 }, 15_000.0);
        let outside = family("003", HouseholdStatus::NotRegistered, 15_000.0);
        let secretary = TeamMember {
            id: Uuid::new_v4(),
            village_id: Uuid::nil(),
            name: "张书记".into(),
            role: TeamRole::FirstSecretary,
            unit: "市委组织部".into(),
            phone: String::new(),
            term_start: date(2015, 8, 1),
            term_end: Some(date(2017, 7, 31)),
        };
        let helper = Helper {
            id: Uuid::new_v4(),
            village_id: Uuid::nil(),
            name: "赵强".into(),
            unit: "县卫健局".into(),
            phone: String::new(),
            household_ids: vec![helped.household.id],
        };
        let visit = Visit {
            id: Uuid::new_v4(),
            household_id: helped.household.id,
            date: date(2017, 8, 20),
            visitors: "赵强".into(),
            kind: VisitKind::Routine,
            notes: String::new(),
            checklist: VisitChecklist::default(),
            income: None,
            risk_events: vec![],
            problems: String::new(),
            next_actions: String::new(),
            is_draft: false,
        };
        let w = VillageWorkflow {
            team: vec![secretary.clone()],
            helpers: vec![helper],
            visits: vec![visit],
            ..VillageWorkflow::default()
        };
        let records = [helped, alone, outside];
        let p = run(&village(), &records, &w, personnel);
        // The term ended a month ago: the village has no first secretary today.
        assert!(!p.first_secretary_serving);
        assert_eq!(p.serving, 0);
        assert_eq!(p.helpers[0].households[0].number, "001");
        let alone: Vec<&str> = p.without_helper.iter().map(|h| h.number.as_str()).collect();
        assert_eq!(alone, ["002"]);
        let due: Vec<&str> = p
            .due_visits
            .iter()
            .map(|d| d.household_number.as_str())
            .collect();
        assert_eq!(due, ["002"]);

        let renewed = TeamMember {
            term_end: None,
            ..secretary
        };
        let w = VillageWorkflow {
            team: vec![renewed],
            ..w
        };
        assert!(run(&village(), &records, &w, personnel).first_secretary_serving);
    }

    #[test]
    fn results_ready_failing_at_risk_and_village() {
        // 9000 ÷ 3 = 3000 > 2855: ready (everybody insured, living conditions safe).
        let ready = family("001", HouseholdStatus::Registered, 9000.0);
        let mut unsafe_house = family("002", HouseholdStatus::Registered, 9000.0);
        unsafe_house.household.living.housing_safe = Some(false);
        let no_income = {
            let mut rec = household("003", HouseholdStatus::Registered);
            add_adults(&mut rec, 2);
            rec
        };
        // Exited in 2016 with 2016 income 3000 per person, below the band end 4282.5.
        let slipping = family("004", HouseholdStatus::Exited { year: 2016 }, 9000.0);
        let steady = family("005", HouseholdStatus::Exited { year: 2016 }, 15_000.0);
        let visit = Visit {
            id: Uuid::new_v4(),
            household_id: steady.household.id,
            date: date(2017, 6, 1),
            visitors: "赵强".into(),
            kind: VisitKind::Emergency,
            notes: String::new(),
            checklist: VisitChecklist::default(),
            income: None,
            risk_events: vec![RiskEvent::Disaster],
            problems: String::new(),
            next_actions: String::new(),
            is_draft: false,
        };
        let w = VillageWorkflow {
            visits: vec![visit],
            ..VillageWorkflow::default()
        };
        let v = Village {
            rural_population: Some(100),
            ..village()
        };
        let records = [ready, unsafe_house, no_income, slipping, steady];
        let p = run(&v, &records, &w, results);
        assert_eq!(p.ready.len(), 1);
        assert_eq!(
            (p.ready[0].household.number.as_str(), p.ready[0].year),
            ("001", 2016)
        );
        let failing: Vec<(&str, Vec<exit::Criterion>)> = p
            .failing
            .iter()
            .map(|f| {
                (
                    f.household.number.as_str(),
                    f.assessment.failed().map(|i| i.criterion).collect(),
                )
            })
            .collect();
        assert_eq!(
            failing,
            [
                ("002", vec![exit::Criterion::Housing]),
                ("003", vec![exit::Criterion::IncomeAboveLine])
            ]
        );
        // No income record: last calendar year is assessed, and its absence is the reason.
        assert_eq!(
            p.failing[1].assessment.items[0].reasons,
            [exit::Reason::NoIncomeRecord { year: 2016 }]
        );
        let at_risk: Vec<&str> = p
            .at_risk
            .iter()
            .map(|a| a.household.number.as_str())
            .collect();
        assert_eq!(at_risk, ["004", "005"]);
        assert_eq!(
            p.at_risk[0].reasons,
            [AtRiskReason::LatestIncome {
                year: 2016,
                per_capita_yuan: 3000.0,
                warning_line_yuan: 4282.5
            }]
        );
        assert_eq!(
            p.at_risk[0].reasons[0].localize(Lang::Zh),
            "2016年人均纯收入3000.00元，低于监测线4282.50元。"
        );
        assert!(matches!(
            &p.at_risk[1].reasons[0],
            AtRiskReason::Visit(UnstableReason::RiskEvents { .. })
        ));
        // 3 registered households: 3 + 3 + 2 = 8 poor people of 100 rural residents = 8%.
        assert_eq!(p.village.poor_people, 8);
        assert_eq!(p.village.incidence, Some(0.08));
        assert!(!p.village.passed);
    }

    #[test]
    fn evaluate_gives_all_six_panels() {
        let records = [family("001", HouseholdStatus::Registered, 6000.0)];
        let all = run(&village(), &records, &VillageWorkflow::default(), evaluate);
        assert_eq!(all.measures.without_plan.len(), 1);
        assert_eq!(all.personnel.without_helper.len(), 1);
        assert_eq!(all.results.failing.len(), 1);
        assert!(all.projects.projects.is_empty());
        assert_eq!(all.funds.total_yuan, 0.0);
        assert!(all.targets.marginal.is_empty());
    }
}

/// One village's six precisions in a line of figures, for the county's side-by-side view (kept
/// in the county database as JSON, `store/headlines.rs`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Headline {
    pub households: usize,
    pub registered: usize,
    /// Poor people not yet exited and the population they are counted against: what incidence is
    /// made of, so that a township's or the county's incidence weighs each village by its people.
    pub poor_people: u32,
    pub population: u32,
    pub incidence: Option<f64>,
    /// Targets: households with data findings, and marginal households in the warning band.
    pub households_with_findings: usize,
    pub marginal: usize,
    /// Projects: projects serving no household.
    pub projects_without_households: usize,
    /// Funds: the total, and the entries reaching no project or household.
    pub funds_total_yuan: f64,
    pub funds_unattached: usize,
    /// Measures: registered households without a plan, or whose plan ignores the main cause.
    pub without_plan: usize,
    pub ignoring_main_cause: usize,
    /// Personnel: households without a helper, and households due for a visit.
    pub without_helper: usize,
    pub due_visits: usize,
    /// Results: ready to exit, failing, exited but at risk.
    pub ready: usize,
    pub failing: usize,
    pub at_risk: usize,
    /// The county exit's rates: exited households, and those now at or below the line (错退);
    /// never-registered households, and those at or below the line (possibly missed, 漏评).
    pub exited: usize,
    pub wrongly_exited: usize,
    pub never_registered: usize,
    pub possibly_missed: usize,
    /// Monitoring cases not closed, past their deadline, and risks eliminated this year.
    pub cases_open: usize,
    pub cases_overdue: usize,
    pub eliminated_this_year: usize,
}

impl Precisions {
    /// The figures of each panel that a county compares across villages, with the counts of the
    /// county exit's rates from the village's `records`.
    pub fn headline(
        &self,
        records: &[HouseholdRecord],
        lines: &PovertyLines,
        t: &Thresholds,
    ) -> Headline {
        let count =
            |keep: &dyn Fn(&HouseholdRecord) -> bool| records.iter().filter(|r| keep(r)).count();
        Headline {
            households: records.len(),
            registered: self.measures.registered,
            poor_people: self.results.village.poor_people,
            population: self.results.village.population,
            incidence: self.results.village.incidence,
            households_with_findings: self.targets.households_with_findings,
            marginal: self.targets.marginal.len(),
            projects_without_households: self.projects.without_households.len(),
            funds_total_yuan: self.funds.total_yuan,
            funds_unattached: self.funds.unattached.len(),
            without_plan: self.measures.without_plan.len(),
            ignoring_main_cause: self.measures.ignoring_main_cause.len(),
            without_helper: self.personnel.without_helper.len(),
            due_visits: self.personnel.due_visits.len(),
            ready: self.results.ready.len(),
            failing: self.results.failing.len(),
            at_risk: self.results.at_risk.len(),
            exited: count(&|r| matches!(r.household.status, HouseholdStatus::Exited { .. })),
            wrongly_exited: count(&|r| monitoring::wrongly_exited(r, lines, t)),
            // Outside the registry: never registered or not yet identified, the households the
            // missed-assessment (漏评) rule looks at.
            never_registered: count(&|r| r.household.status.outside_registry()),
            possibly_missed: count(&|r| monitoring::possibly_missed(r, lines, t)),
            cases_open: self.results.cases.open(),
            cases_overdue: self.results.cases.overdue,
            eliminated_this_year: self.results.cases.eliminated_this_year,
        }
    }
}

impl Headline {
    /// The figures of several villages together (a township, the county): counts and amounts
    /// add up; incidence is the poor people of all of them over all their people, not an
    /// average of the villages' rates.
    pub fn sum<'a>(villages: impl IntoIterator<Item = &'a Headline>) -> Headline {
        let mut t = Headline {
            households: 0,
            registered: 0,
            poor_people: 0,
            population: 0,
            incidence: None,
            households_with_findings: 0,
            marginal: 0,
            projects_without_households: 0,
            funds_total_yuan: 0.0,
            funds_unattached: 0,
            without_plan: 0,
            ignoring_main_cause: 0,
            without_helper: 0,
            due_visits: 0,
            ready: 0,
            failing: 0,
            at_risk: 0,
            exited: 0,
            wrongly_exited: 0,
            never_registered: 0,
            possibly_missed: 0,
            cases_open: 0,
            cases_overdue: 0,
            eliminated_this_year: 0,
        };
        for h in villages {
            t.households += h.households;
            t.registered += h.registered;
            t.poor_people += h.poor_people;
            t.population += h.population;
            t.households_with_findings += h.households_with_findings;
            t.marginal += h.marginal;
            t.projects_without_households += h.projects_without_households;
            t.funds_total_yuan += h.funds_total_yuan;
            t.funds_unattached += h.funds_unattached;
            t.without_plan += h.without_plan;
            t.ignoring_main_cause += h.ignoring_main_cause;
            t.without_helper += h.without_helper;
            t.due_visits += h.due_visits;
            t.ready += h.ready;
            t.failing += h.failing;
            t.at_risk += h.at_risk;
            t.exited += h.exited;
            t.wrongly_exited += h.wrongly_exited;
            t.never_registered += h.never_registered;
            t.possibly_missed += h.possibly_missed;
            t.cases_open += h.cases_open;
            t.cases_overdue += h.cases_overdue;
            t.eliminated_this_year += h.eliminated_this_year;
        }
        t.incidence = crate::rules::village::poverty_incidence(t.poor_people, t.population);
        t
    }
}
