//! The monitoring procedure (防止返贫监测帮扶) as a case: discovery → home visit with the
//! household's signed authorisation → village review (民主评议) → public notice (公示) → township
//! review → county decision; then, for an admitted case, risk elimination (风险消除) through the
//! same review, notice and decision. Which step is next, when the case is due, whether it is
//! overdue, whether a saved case is consistent, and whether the risk is eliminated.
//!
//! The limits are county settings (`Thresholds::case_deadline_days`, `…_working_days`,
//! `notice_min_days`), never literals here. Working days are Monday to Friday: public holidays
//! and the weekends worked in their place (调休) are not known to the app, so a county that counts
//! working days should check a deadline that spans a holiday.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::exit::{self, Criterion, VisitFindings};
use super::income::{self, IncomeStanding, MissingThreshold, PovertyLines, yuan};
use crate::i18n::{Label, Lang, Localize};
use crate::model::{
    CaseStep, HouseholdRecord, MonitoringCase, PublicNotice, TeamMember, Thresholds,
};

/// The steps of a case, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepKind {
    Discovery,
    HomeVisit,
    VillageReview,
    Notice,
    TownshipReview,
    Decision,
    EliminationProposal,
    EliminationReview,
    EliminationNotice,
    EliminationTownshipReview,
    EliminationDecision,
}

impl StepKind {
    pub const ALL: [StepKind; 11] = [
        StepKind::Discovery,
        StepKind::HomeVisit,
        StepKind::VillageReview,
        StepKind::Notice,
        StepKind::TownshipReview,
        StepKind::Decision,
        StepKind::EliminationProposal,
        StepKind::EliminationReview,
        StepKind::EliminationNotice,
        StepKind::EliminationTownshipReview,
        StepKind::EliminationDecision,
    ];

    /// Whether the village team does this step (its person is one of the team or a helper);
    /// the township and county steps are done by their officials.
    pub fn by_village(self) -> bool {
        !matches!(
            self,
            StepKind::TownshipReview
                | StepKind::Decision
                | StepKind::EliminationTownshipReview
                | StepKind::EliminationDecision
        )
    }

    pub fn is_elimination(self) -> bool {
        self >= StepKind::EliminationProposal
    }
}

impl Label for StepKind {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            StepKind::Discovery => lang.pick("发现", "Discovery"),
            StepKind::HomeVisit => {
                lang.pick("入户核查（签授权书）", "Home visit (signed authorisation)")
            }
            StepKind::VillageReview => lang.pick("村级民主评议", "Village review"),
            StepKind::Notice => lang.pick("村内公示", "Public notice"),
            StepKind::TownshipReview => lang.pick("乡镇审核", "Township review"),
            StepKind::Decision => lang.pick("县级审定", "County decision"),
            StepKind::EliminationProposal => lang.pick("提出风险消除", "Risk elimination proposed"),
            StepKind::EliminationReview => {
                lang.pick("风险消除民主评议", "Village review of the elimination")
            }
            StepKind::EliminationNotice => lang.pick("风险消除公示", "Notice of the elimination"),
            StepKind::EliminationTownshipReview => {
                lang.pick("风险消除乡镇审核", "Township review of the elimination")
            }
            StepKind::EliminationDecision => {
                lang.pick("县级审定风险消除", "County decision on the elimination")
            }
        }
    }
}

/// A step as recorded: its date (the notice's first day for a notice), its last day (a
/// notice), and who did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded<'a> {
    pub on: NaiveDate,
    pub until: Option<NaiveDate>,
    pub by: &'a str,
}

fn step(s: &Option<CaseStep>) -> Option<Recorded<'_>> {
    s.as_ref().map(|s| Recorded {
        on: s.on,
        until: None,
        by: &s.by,
    })
}

fn notice(n: &Option<PublicNotice>) -> Option<Recorded<'_>> {
    n.as_ref().map(|n| Recorded {
        on: n.start,
        until: Some(n.end),
        by: &n.by,
    })
}

/// Every step of the case with what was recorded of it, in order.
pub fn steps(c: &MonitoringCase) -> [(StepKind, Option<Recorded<'_>>); 11] {
    let e = &c.elimination;
    [
        (
            StepKind::Discovery,
            Some(Recorded {
                on: c.discovered.on,
                until: None,
                by: &c.discovered.by,
            }),
        ),
        (StepKind::HomeVisit, step(&c.home_visit)),
        (StepKind::VillageReview, step(&c.village_review)),
        (StepKind::Notice, notice(&c.notice)),
        (StepKind::TownshipReview, step(&c.township_review)),
        (StepKind::Decision, step(&c.decision)),
        (StepKind::EliminationProposal, step(&e.proposed)),
        (StepKind::EliminationReview, step(&e.village_review)),
        (StepKind::EliminationNotice, notice(&e.notice)),
        (
            StepKind::EliminationTownshipReview,
            step(&e.township_review),
        ),
        (StepKind::EliminationDecision, step(&e.decision)),
    ]
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Being identified; `next` is the step to record.
    Identifying { next: StepKind },
    /// The county decided not to admit it: closed.
    NotAdmitted,
    /// Admitted: monitored and assisted (the household's plan); risk elimination not begun.
    Monitored,
    /// Risk elimination under way; `next` is the step to record.
    Eliminating { next: StepKind },
    /// The county decided the risk is eliminated: closed.
    Eliminated,
}

impl Stage {
    pub fn is_closed(self) -> bool {
        matches!(self, Stage::NotAdmitted | Stage::Eliminated)
    }
}

impl Localize for Stage {
    fn localize(&self, lang: Lang) -> String {
        match self {
            Stage::Identifying { next } | Stage::Eliminating { next } => match lang {
                Lang::Zh => format!("待{}", next.label(lang)),
                Lang::En => format!("Next: {}", next.label(lang)),
            },
            Stage::NotAdmitted => lang.pick("县级审定不纳入", "Not admitted").into(),
            Stage::Monitored => lang
                .pick("已纳入监测，落实帮扶", "Admitted: monitored and assisted")
                .into(),
            Stage::Eliminated => lang.pick("风险已消除", "Risk eliminated").into(),
        }
    }
}

/// The first step not yet recorded, or what the case has come to.
pub fn stage(c: &MonitoringCase) -> Stage {
    let all = steps(c);
    let first_missing = |range: std::ops::RangeInclusive<StepKind>| {
        all.iter()
            .find(|(k, r)| range.contains(k) && r.is_none())
            .map(|(k, _)| *k)
    };
    if let Some(next) = first_missing(StepKind::Discovery..=StepKind::Decision) {
        return Stage::Identifying { next };
    }
    if !c.admitted {
        return Stage::NotAdmitted;
    }
    if c.elimination.proposed.is_none() {
        return Stage::Monitored;
    }
    match first_missing(StepKind::EliminationProposal..=StepKind::EliminationDecision) {
        Some(next) => Stage::Eliminating { next },
        None => Stage::Eliminated,
    }
}

/// How the deadline's days are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayCount {
    Calendar,
    /// Monday to Friday.
    Working,
}

impl DayCount {
    pub fn of(t: &Thresholds) -> DayCount {
        if t.case_deadline_working_days {
            DayCount::Working
        } else {
            DayCount::Calendar
        }
    }
}

fn is_working_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The day `days` days after `start` (the start day itself not counted): calendar days, or
/// working days (the last day is then a working day).
pub fn add_days(start: NaiveDate, days: u32, count: DayCount) -> NaiveDate {
    match count {
        DayCount::Calendar => start + Duration::days(i64::from(days)),
        DayCount::Working => {
            let mut d = start;
            let mut left = days;
            while left > 0 {
                d += Duration::days(1);
                if is_working_day(d) {
                    left -= 1;
                }
            }
            d
        }
    }
}

/// The days of a notice, first and last included.
pub fn notice_days(n: &PublicNotice) -> i64 {
    (n.end - n.start).num_days() + 1
}

/// What a case is waiting for, and by when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// The decision awaited: [`StepKind::Decision`] or [`StepKind::EliminationDecision`].
    pub awaiting: StepKind,
    pub from: NaiveDate,
    pub due: NaiveDate,
}

/// The deadline running on the case: from discovery to the county's decision, then from a
/// risk-elimination proposal to its decision. `None` when no decision is awaited.
pub fn deadline(c: &MonitoringCase, t: &Thresholds) -> Option<Deadline> {
    let count = DayCount::of(t);
    let due = |awaiting, from| Deadline {
        awaiting,
        from,
        due: add_days(from, t.case_deadline_days, count),
    };
    match stage(c) {
        Stage::Identifying { .. } => Some(due(StepKind::Decision, c.discovered.on)),
        Stage::Eliminating { .. } => c
            .elimination
            .proposed
            .as_ref()
            .map(|p| due(StepKind::EliminationDecision, p.on)),
        Stage::NotAdmitted | Stage::Monitored | Stage::Eliminated => None,
    }
}

/// The deadline of a case past due on `today` (due yesterday or before), with the days late.
pub fn overdue(c: &MonitoringCase, t: &Thresholds, today: NaiveDate) -> Option<(Deadline, i64)> {
    deadline(c, t)
        .filter(|d| today > d.due)
        .map(|d| (d, (today - d.due).num_days()))
}

/// The cases past their deadline on `today`, the latest first, with their deadline and days late.
pub fn overdue_cases<'a>(
    cases: &'a [MonitoringCase],
    t: &Thresholds,
    today: NaiveDate,
) -> Vec<(&'a MonitoringCase, Deadline, i64)> {
    let mut late: Vec<_> = cases
        .iter()
        .filter_map(|c| overdue(c, t, today).map(|(d, days)| (c, d, days)))
        .collect();
    late.sort_by_key(|(c, d, days)| (std::cmp::Reverse(*days), d.due, c.id));
    late
}

/// What is wrong with a case as it would be saved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CaseProblem {
    #[error("{0:?}: nobody named")]
    NobodyNamed(StepKind),
    #[error("{step:?}: {name} is not on the village team")]
    NotOnTeam { step: StepKind, name: String },
    #[error("{step:?} recorded before {missing:?}")]
    OutOfOrder { step: StepKind, missing: StepKind },
    #[error("{step:?} on {on}, before the step before it on {previous}")]
    BeforePrevious {
        step: StepKind,
        on: NaiveDate,
        previous: NaiveDate,
    },
    #[error("{step:?} on {on} is in the future")]
    InFuture { step: StepKind, on: NaiveDate },
    #[error("home visit without the signed authorisation")]
    NoAuthorization,
    #[error("{step:?} of {days} days, at least {min}")]
    NoticeTooShort { step: StepKind, days: i64, min: u32 },
    #[error("{step:?} on {on}, before the notice ends on {notice_end}")]
    BeforeNoticeEnds {
        step: StepKind,
        on: NaiveDate,
        notice_end: NaiveDate,
    },
    #[error("risk elimination of a case not admitted")]
    EliminationNotAdmitted,
    #[error("risk elimination proposed without an income year")]
    NoIncomeYear,
}

impl Localize for CaseProblem {
    fn localize(&self, lang: Lang) -> String {
        let l = |s: &StepKind| s.label(lang);
        match (self, lang) {
            (CaseProblem::NobodyNamed(s), Lang::Zh) => format!("{}：须填写经办人", l(s)),
            (CaseProblem::NobodyNamed(s), Lang::En) => {
                format!("{}: name the person who did it", l(s))
            }
            (CaseProblem::NotOnTeam { step, name }, Lang::Zh) => format!(
                "{}：{name}不在本村驻村工作队或帮扶责任人名单中；请从名单中选择",
                l(step)
            ),
            (CaseProblem::NotOnTeam { step, name }, Lang::En) => format!(
                "{}: {name} is not on the village team or among its helpers; choose from the list",
                l(step)
            ),
            (CaseProblem::OutOfOrder { step, missing }, Lang::Zh) => {
                format!("{}：请先记录“{}”", l(step), l(missing))
            }
            (CaseProblem::OutOfOrder { step, missing }, Lang::En) => {
                format!("{}: record \"{}\" first", l(step), l(missing))
            }
            (CaseProblem::BeforePrevious { step, on, previous }, Lang::Zh) => {
                format!("{}：日期{on}早于上一步的{previous}，请核对", l(step))
            }
            (CaseProblem::BeforePrevious { step, on, previous }, Lang::En) => format!(
                "{}: {on} is before the previous step on {previous}; check the date",
                l(step)
            ),
            (CaseProblem::InFuture { step, on }, Lang::Zh) => {
                format!("{}：日期{on}在今天之后", l(step))
            }
            (CaseProblem::InFuture { step, on }, Lang::En) => {
                format!("{}: {on} is in the future", l(step))
            }
            (CaseProblem::NoAuthorization, Lang::Zh) => {
                "入户核查：须农户签署《监测对象申请及承诺授权查询书》后才能记录".into()
            }
            (CaseProblem::NoAuthorization, Lang::En) => {
                "Home visit: recorded only once the household has signed the authorisation".into()
            }
            (CaseProblem::NoticeTooShort { step, days, min }, Lang::Zh) => {
                format!("{}：公示{days}天，至少须{min}天", l(step))
            }
            (CaseProblem::NoticeTooShort { step, days, min }, Lang::En) => format!(
                "{}: posted for {days} days, at least {min} are required",
                l(step)
            ),
            (
                CaseProblem::BeforeNoticeEnds {
                    step,
                    on,
                    notice_end,
                },
                Lang::Zh,
            ) => format!(
                "{}：日期{on}在公示结束（{notice_end}）之前；公示期满后才能审核",
                l(step)
            ),
            (
                CaseProblem::BeforeNoticeEnds {
                    step,
                    on,
                    notice_end,
                },
                Lang::En,
            ) => format!(
                "{}: {on} is before the notice ends on {notice_end}; review after the notice",
                l(step)
            ),
            (CaseProblem::EliminationNotAdmitted, Lang::Zh) => {
                "只有县级审定纳入监测的对象才能办理风险消除".into()
            }
            (CaseProblem::EliminationNotAdmitted, Lang::En) => {
                "Only a case the county admitted can have its risk eliminated".into()
            }
            (CaseProblem::NoIncomeYear, Lang::Zh) => "提出风险消除：须写明依据的收入年度".into(),
            (CaseProblem::NoIncomeYear, Lang::En) => {
                "Risk elimination: state the income year it is judged on".into()
            }
        }
    }
}

/// Checks a case as it would be saved on `today`: each recorded step named (a village step by
/// someone of the `team` or the village's `helpers`), recorded in order, dated on or after the
/// step before and not in the future; the home visit only with the signed authorisation; each
/// notice long enough, and the township review after it ends; elimination only of an admitted
/// case, on a stated income year.
pub fn validate_case(
    c: &MonitoringCase,
    today: NaiveDate,
    team: &[TeamMember],
    helpers: &[&str],
    t: &Thresholds,
) -> Vec<CaseProblem> {
    let mut problems = Vec::new();
    let all = steps(c);
    let mut previous: Option<(StepKind, Recorded)> = None;
    let mut missing: Option<StepKind> = None;
    for (kind, recorded) in &all {
        let Some(r) = recorded else {
            missing = missing.or(Some(*kind));
            continue;
        };
        if let Some(m) = missing {
            problems.push(CaseProblem::OutOfOrder {
                step: *kind,
                missing: m,
            });
        }
        let name = r.by.trim();
        if name.is_empty() {
            problems.push(CaseProblem::NobodyNamed(*kind));
        } else if kind.by_village()
            && !team.iter().any(|m| m.name.trim() == name)
            && !helpers.iter().any(|h| h.trim() == name)
        {
            problems.push(CaseProblem::NotOnTeam {
                step: *kind,
                name: name.to_string(),
            });
        }
        for on in [Some(r.on), r.until].into_iter().flatten() {
            if on > today {
                problems.push(CaseProblem::InFuture { step: *kind, on });
            }
        }
        if let Some((_, p)) = &previous {
            let previous_day = p.until.unwrap_or(p.on);
            if p.until.is_some() && r.on < previous_day {
                problems.push(CaseProblem::BeforeNoticeEnds {
                    step: *kind,
                    on: r.on,
                    notice_end: previous_day,
                });
            } else if r.on < p.on {
                problems.push(CaseProblem::BeforePrevious {
                    step: *kind,
                    on: r.on,
                    previous: p.on,
                });
            }
        }
        if let Some(until) = r.until {
            let days = (until - r.on).num_days() + 1;
            if days < i64::from(t.notice_min_days) {
                problems.push(CaseProblem::NoticeTooShort {
                    step: *kind,
                    days,
                    min: t.notice_min_days,
                });
            }
        }
        previous = Some((*kind, *r));
    }
    if c.home_visit.is_some() && !c.authorization_signed {
        problems.push(CaseProblem::NoAuthorization);
    }
    if let Some(_proposed) = &c.elimination.proposed {
        if c.decision.is_some() && !c.admitted {
            problems.push(CaseProblem::EliminationNotAdmitted);
        }
        if c.elimination.income_year.is_none() {
            problems.push(CaseProblem::NoIncomeYear);
        }
    }
    problems
}

/// One criterion of risk elimination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EliminationCriterion {
    /// Per-capita net income of the year at or above the year's monitoring threshold.
    IncomeAboveThreshold,
    /// One of 三保障 or safe drinking water, as the exit checklist judges it.
    Exit(Criterion),
}

impl EliminationCriterion {
    pub const ALL: [EliminationCriterion; 5] = [
        EliminationCriterion::IncomeAboveThreshold,
        EliminationCriterion::Exit(Criterion::Education),
        EliminationCriterion::Exit(Criterion::Medical),
        EliminationCriterion::Exit(Criterion::Housing),
        EliminationCriterion::Exit(Criterion::Water),
    ];
}

impl Label for EliminationCriterion {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            EliminationCriterion::IncomeAboveThreshold => lang.pick(
                "人均纯收入稳定高于当年监测标准",
                "Per-capita net income stably above the year's monitoring threshold",
            ),
            EliminationCriterion::Exit(c) => c.label(lang),
        }
    }
}

/// Why the income criterion fails.
#[derive(Debug, Clone, PartialEq)]
pub enum IncomeReason {
    NoIncome {
        year: i32,
    },
    /// The income is within the watch band or below the line.
    WithinBand {
        year: i32,
        per_capita_yuan: f64,
        warning_yuan: f64,
    },
}

impl Localize for IncomeReason {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (IncomeReason::NoIncome { year }, Lang::Zh) => {
                format!("没有{year}年的收入记录（或当年无家庭成员、无标准）")
            }
            (IncomeReason::NoIncome { year }, Lang::En) => {
                format!("no income record for {year} (or no members, or no line that year)")
            }
            (
                IncomeReason::WithinBand {
                    year,
                    per_capita_yuan,
                    warning_yuan,
                },
                Lang::Zh,
            ) => format!(
                "{year}年人均纯收入{}元，未达到监测标准{}元",
                yuan(*per_capita_yuan),
                yuan(*warning_yuan)
            ),
            (
                IncomeReason::WithinBand {
                    year,
                    per_capita_yuan,
                    warning_yuan,
                },
                Lang::En,
            ) => format!(
                "{year} per-capita net income {} yuan, not at the monitoring threshold of {} yuan",
                yuan(*per_capita_yuan),
                yuan(*warning_yuan)
            ),
        }
    }
}

/// One criterion with the reasons it fails (none: it passes).
#[derive(Debug, Clone, PartialEq)]
pub struct EliminationItem {
    pub criterion: EliminationCriterion,
    pub reasons: Vec<String>,
    pub passed: bool,
}

/// Whether a case's risk can be declared eliminated on the incomes of `year`.
#[derive(Debug, Clone, PartialEq)]
pub struct EliminationAssessment {
    pub year: i32,
    pub items: Vec<EliminationItem>,
    /// The year has no monitoring threshold of its own: said beside the income item.
    pub missing: Option<MissingThreshold>,
    pub passed: bool,
}

/// The criteria of risk elimination on the incomes of `year`: per-capita net income at or above
/// the year's monitoring threshold ("stably" is judged, as for exit, on the stated year; the
/// village review weighs whether it will last), and 三保障 and safe drinking water as the exit
/// checklist judges them (`exit::assess`, with what the latest visits saw), with its reasons.
pub fn assess_elimination(
    rec: &HouseholdRecord,
    year: i32,
    lines: &PovertyLines,
    t: &Thresholds,
    today: NaiveDate,
    seen: &VisitFindings,
    lang: Lang,
) -> EliminationAssessment {
    let figures = income::figures(rec, year, lines, t);
    let income_reasons: Vec<String> = match &figures {
        None => vec![IncomeReason::NoIncome { year }.localize(lang)],
        Some(f) if f.standing != IncomeStanding::Above => vec![
            IncomeReason::WithinBand {
                year,
                per_capita_yuan: f.per_capita_yuan,
                warning_yuan: f.warning_yuan,
            }
            .localize(lang),
        ],
        Some(_) => Vec::new(),
    };
    let exit = exit::assess(rec, year, lines, t, today, seen);
    let mut items = vec![EliminationItem {
        criterion: EliminationCriterion::IncomeAboveThreshold,
        passed: income_reasons.is_empty(),
        reasons: income_reasons,
    }];
    for criterion in [
        Criterion::Education,
        Criterion::Medical,
        Criterion::Housing,
        Criterion::Water,
    ] {
        if let Some(item) = exit.items.iter().find(|i| i.criterion == criterion) {
            items.push(EliminationItem {
                criterion: EliminationCriterion::Exit(criterion),
                reasons: item.reasons.iter().map(|r| r.localize(lang)).collect(),
                passed: item.passed,
            });
        }
    }
    let passed = items.iter().all(|i| i.passed);
    EliminationAssessment {
        year,
        items,
        missing: figures.and_then(|f| f.missing),
        passed,
    }
}

/// A village's (or a county's) monitoring cases counted: by kind and by where they stand, past
/// their deadline, and risks eliminated in the year of `today`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseCounts {
    /// By [`crate::model::MonitoredKind`]: 脱贫不稳定户, 边缘易致贫户, 突发严重困难户.
    pub unstable_exited: usize,
    pub marginal: usize,
    pub sudden_hardship: usize,
    /// Being identified (discovery to the county's decision).
    pub identifying: usize,
    /// Admitted, monitored and assisted, elimination not begun.
    pub monitored: usize,
    /// Risk elimination under way.
    pub eliminating: usize,
    /// Closed: eliminated (any year), or not admitted.
    pub eliminated: usize,
    pub not_admitted: usize,
    pub overdue: usize,
    /// Risk eliminated by a county decision dated in the year of `today`.
    pub eliminated_this_year: usize,
    /// The year of `today`.
    pub year: i32,
}

impl CaseCounts {
    pub fn of(cases: &[MonitoringCase], t: &Thresholds, today: NaiveDate) -> CaseCounts {
        use crate::model::MonitoredKind::*;
        let mut n = CaseCounts {
            year: today.year(),
            ..CaseCounts::default()
        };
        for c in cases {
            match c.kind {
                UnstableExited => n.unstable_exited += 1,
                Marginal => n.marginal += 1,
                SuddenHardship => n.sudden_hardship += 1,
            }
            match stage(c) {
                Stage::Identifying { .. } => n.identifying += 1,
                Stage::Monitored => n.monitored += 1,
                Stage::Eliminating { .. } => n.eliminating += 1,
                Stage::Eliminated => n.eliminated += 1,
                Stage::NotAdmitted => n.not_admitted += 1,
            }
            n.overdue += usize::from(overdue(c, t, today).is_some());
            n.eliminated_this_year += usize::from(
                c.elimination
                    .decision
                    .as_ref()
                    .is_some_and(|d| d.on.year() == today.year()),
            );
        }
        n
    }

    pub fn total(&self) -> usize {
        self.unstable_exited + self.marginal + self.sudden_hardship
    }

    /// Cases not closed: being identified, monitored, or being eliminated.
    pub fn open(&self) -> usize {
        self.identifying + self.monitored + self.eliminating
    }

    /// The counts in words, one sentence each: by kind, by step, overdue and eliminated.
    pub fn sentences(&self, lang: Lang) -> [String; 3] {
        let (n, year) = (self, self.year);
        match lang {
            Lang::Zh => [
                format!(
                    "监测对象 {} 个：脱贫不稳定户 {}，边缘易致贫户 {}，突发严重困难户 {}",
                    n.total(),
                    n.unstable_exited,
                    n.marginal,
                    n.sudden_hardship
                ),
                format!(
                    "认定中 {}，已纳入监测 {}，风险消除办理中 {}，风险已消除 {}，不纳入 {}",
                    n.identifying, n.monitored, n.eliminating, n.eliminated, n.not_admitted
                ),
                format!(
                    "超过办理时限 {}；{year}年风险消除 {}",
                    n.overdue, n.eliminated_this_year
                ),
            ],
            Lang::En => [
                format!(
                    "{} monitoring cases: {} exited but unstable, {} marginal, {} sudden hardship",
                    n.total(),
                    n.unstable_exited,
                    n.marginal,
                    n.sudden_hardship
                ),
                format!(
                    "{} being identified, {} monitored, {} being eliminated, {} eliminated, {} not admitted",
                    n.identifying, n.monitored, n.eliminating, n.eliminated, n.not_admitted
                ),
                format!(
                    "{} past their deadline; {} risks eliminated in {year}",
                    n.overdue, n.eliminated_this_year
                ),
            ],
        }
    }
}

/// What a public notice (公示名单) says of one case. By law a notice shows only the name, the
/// household size, the decision and its reason, and the dates: never an ID number, a phone, a bank
/// account or a health condition. The reason is therefore the kind's, never the risk as typed
/// (which often names an illness).
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeEntry {
    pub case_id: uuid::Uuid,
    pub name: String,
    pub household_size: usize,
    /// Admission (纳入监测) or risk elimination (风险消除).
    pub elimination: bool,
    pub kind: crate::model::MonitoredKind,
    /// The notice's first and last day, once recorded.
    pub notice: Option<(NaiveDate, NaiveDate)>,
}

impl NoticeEntry {
    pub fn decision(&self, lang: Lang) -> String {
        match (self.elimination, lang) {
            (false, Lang::Zh) => format!("拟纳入防止返贫监测（{}）", self.kind.label(lang)),
            (false, Lang::En) => format!("To be monitored ({})", self.kind.label(lang)),
            (true, Lang::Zh) => "拟消除返贫致贫风险".into(),
            (true, Lang::En) => "Risk to be declared eliminated".into(),
        }
    }

    pub fn reason(&self, lang: Lang) -> &'static str {
        use crate::model::MonitoredKind::*;
        match (self.elimination, self.kind) {
            (true, _) => lang.pick(
                "收入稳定高于监测标准，“三保障”和饮水安全有保障",
                "Income stably above the monitoring threshold; 三保障 and drinking water secured",
            ),
            (false, UnstableExited) => lang.pick(
                "脱贫后收入不稳定，存在返贫风险",
                "Exited, but the income is unstable: at risk of returning to poverty",
            ),
            (false, Marginal) => lang.pick(
                "收入接近监测标准，存在致贫风险",
                "Income close to the monitoring threshold: at risk of poverty",
            ),
            (false, SuddenHardship) => {
                lang.pick("因突发事件导致生活严重困难", "Sudden severe hardship")
            }
        }
    }
}

/// The cases a village posts now: reviewed by the village (民主评议) and not yet by the township,
/// for admission or for risk elimination, in household order. `records` are the village's
/// households (their heads' names and sizes).
pub fn notice_entries(records: &[HouseholdRecord], cases: &[MonitoringCase]) -> Vec<NoticeEntry> {
    records
        .iter()
        .flat_map(|rec| {
            cases
                .iter()
                .filter(move |c| c.household_id == rec.household.id)
                .filter_map(move |c| {
                    let e = &c.elimination;
                    let (elimination, notice) =
                        if c.village_review.is_some() && c.township_review.is_none() {
                            (false, &c.notice)
                        } else if e.village_review.is_some() && e.township_review.is_none() {
                            (true, &e.notice)
                        } else {
                            return None;
                        };
                    Some(NoticeEntry {
                        case_id: c.id,
                        name: rec
                            .head()
                            .map(|m| m.name.clone())
                            .unwrap_or_else(|| rec.household.number.clone()),
                        household_size: rec.size(),
                        elimination,
                        kind: c.kind,
                        notice: notice.as_ref().map(|n| (n.start, n.end)),
                    })
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        DiscoverySource, HouseholdStatus, MonitoredKind, RiskElimination, TeamRole,
    };
    use crate::rules::fixtures::*;

    fn secretary() -> TeamMember {
        TeamMember {
            id: uuid::Uuid::new_v4(),
            village_id: uuid::Uuid::nil(),
            name: "张书记".into(),
            role: TeamRole::FirstSecretary,
            unit: String::new(),
            phone: String::new(),
            term_start: date(2024, 1, 1),
            term_end: None,
        }
    }

    fn at(on: NaiveDate, by: &str) -> Option<CaseStep> {
        Some(CaseStep { on, by: by.into() })
    }

    /// A case found on Monday 2025-03-03 by the first secretary.
    fn found() -> MonitoringCase {
        MonitoringCase::opened(
            uuid::Uuid::new_v4(),
            uuid::Uuid::new_v4(),
            MonitoredKind::SuddenHardship,
            DiscoverySource::SelfReport,
            "户主重病住院".into(),
            CaseStep {
                on: date(2025, 3, 3),
                by: "张书记".into(),
            },
        )
    }

    /// The case decided on 2025-03-14: visit 3-04, review 3-05, notice 3-06 to 3-10, township
    /// 3-11, county 3-14.
    fn decided() -> MonitoringCase {
        let mut c = found();
        c.home_visit = at(date(2025, 3, 4), "张书记");
        c.authorization_signed = true;
        c.village_review = at(date(2025, 3, 5), "张书记");
        c.notice = Some(PublicNotice {
            start: date(2025, 3, 6),
            end: date(2025, 3, 10),
            by: "张书记".into(),
        });
        c.township_review = at(date(2025, 3, 11), "元坝镇 李主任");
        c.decision = at(date(2025, 3, 14), "县乡村振兴局");
        c
    }

    #[test]
    fn calendar_days_and_working_days() {
        let monday = date(2025, 3, 3);
        assert_eq!(add_days(monday, 15, DayCount::Calendar), date(2025, 3, 18));
        // 5 working days from a Monday: the next Monday.
        assert_eq!(add_days(monday, 5, DayCount::Working), date(2025, 3, 10));
        // 20 working days: four weeks.
        assert_eq!(add_days(monday, 20, DayCount::Working), date(2025, 3, 31));
        // From a Friday, one working day is the Monday after; from a Saturday too.
        assert_eq!(
            add_days(date(2025, 3, 7), 1, DayCount::Working),
            date(2025, 3, 10)
        );
        assert_eq!(
            add_days(date(2025, 3, 8), 1, DayCount::Working),
            date(2025, 3, 10)
        );
        assert_eq!(add_days(monday, 0, DayCount::Working), monday);
    }

    #[test]
    fn the_deadline_runs_from_discovery_to_the_decision_and_is_a_setting() {
        let t = Thresholds::default();
        let c = found();
        let d = deadline(&c, &t).unwrap();
        assert_eq!((d.awaiting, d.due), (StepKind::Decision, date(2025, 3, 18)));
        assert_eq!(
            overdue(&c, &t, date(2025, 3, 18)),
            None,
            "due today: not late"
        );
        let (_, late) = overdue(&c, &t, date(2025, 3, 20)).unwrap();
        assert_eq!(late, 2);
        let working = Thresholds {
            case_deadline_days: 20,
            case_deadline_working_days: true,
            ..Thresholds::default()
        };
        assert_eq!(deadline(&c, &working).unwrap().due, date(2025, 3, 31));
        assert_eq!(overdue(&c, &working, date(2025, 3, 20)), None);
        // Decided: nothing awaited until risk elimination is proposed.
        let mut c = decided();
        assert_eq!(deadline(&c, &t), None);
        assert_eq!(stage(&c), Stage::Monitored);
        c.elimination.proposed = at(date(2025, 12, 1), "张书记");
        c.elimination.income_year = Some(2025);
        let d = deadline(&c, &t).unwrap();
        assert_eq!(
            (d.awaiting, d.due),
            (StepKind::EliminationDecision, date(2025, 12, 16))
        );
    }

    #[test]
    fn the_notice_lists_the_cases_between_village_and_township_review_without_their_risk() {
        let mut rec = household("001", HouseholdStatus::Exited { year: 2019 });
        add_adults(&mut rec, 3);
        let mut reviewed = found();
        reviewed.household_id = rec.household.id;
        reviewed.home_visit = at(date(2025, 3, 4), "张书记");
        reviewed.village_review = at(date(2025, 3, 5), "张书记");
        let mut just_found = found();
        just_found.household_id = rec.household.id;
        let mut decided_case = decided();
        decided_case.household_id = rec.household.id;
        let mut eliminating = decided();
        eliminating.household_id = rec.household.id;
        eliminating.elimination.proposed = at(date(2025, 12, 1), "张书记");
        eliminating.elimination.village_review = at(date(2025, 12, 2), "张书记");
        let entries = notice_entries(
            std::slice::from_ref(&rec),
            &[
                reviewed.clone(),
                just_found,
                decided_case,
                eliminating.clone(),
            ],
        );
        let ids: Vec<_> = entries.iter().map(|e| (e.case_id, e.elimination)).collect();
        assert_eq!(ids, [(reviewed.id, false), (eliminating.id, true)]);
        assert_eq!(entries[0].household_size, 3);
        assert_eq!(
            entries[0].decision(Lang::Zh),
            "拟纳入防止返贫监测（突发严重困难户）"
        );
        // The reason is the kind's: the risk as typed (户主重病住院) names an illness.
        assert_eq!(entries[0].reason(Lang::Zh), "因突发事件导致生活严重困难");
        assert!(!entries[0].reason(Lang::Zh).contains("病"));
    }

    #[test]
    fn cases_are_counted_by_kind_step_deadline_and_year_of_elimination() {
        let t = Thresholds::default();
        let mut eliminated = decided();
        eliminated.kind = MonitoredKind::Marginal;
        eliminated.elimination = RiskElimination {
            proposed: at(date(2025, 11, 1), "张书记"),
            income_year: Some(2025),
            village_review: at(date(2025, 11, 2), "张书记"),
            notice: Some(PublicNotice {
                start: date(2025, 11, 3),
                end: date(2025, 11, 7),
                by: "张书记".into(),
            }),
            township_review: at(date(2025, 11, 8), "李主任"),
            decision: at(date(2025, 11, 10), "县"),
        };
        let mut last_year = eliminated.clone();
        last_year.elimination.decision = at(date(2024, 12, 30), "县");
        let mut refused = decided();
        refused.admitted = false;
        let cases = [found(), decided(), eliminated, last_year, refused];
        let n = CaseCounts::of(&cases, &t, date(2025, 12, 1));
        assert_eq!(
            (n.sudden_hardship, n.marginal, n.unstable_exited, n.total()),
            (3, 2, 0, 5)
        );
        assert_eq!(
            (
                n.identifying,
                n.monitored,
                n.eliminating,
                n.eliminated,
                n.not_admitted
            ),
            (1, 1, 0, 2, 1)
        );
        assert_eq!((n.open(), n.overdue, n.eliminated_this_year), (2, 1, 1));
        assert_eq!(n.sentences(Lang::Zh)[2], "超过办理时限 1；2025年风险消除 1");
    }

    #[test]
    fn overdue_cases_are_listed_the_latest_first() {
        let t = Thresholds::default();
        let old = found();
        let mut newer = found();
        newer.discovered.on = date(2025, 3, 10);
        let cases = [newer.clone(), decided(), old.clone()];
        let late = overdue_cases(&cases, &t, date(2025, 3, 30));
        let listed: Vec<(uuid::Uuid, i64)> = late.iter().map(|(c, _, d)| (c.id, *d)).collect();
        assert_eq!(listed, [(old.id, 12), (newer.id, 5)]);
        assert!(overdue_cases(&cases, &t, date(2025, 3, 18)).is_empty());
    }

    #[test]
    fn the_stage_is_the_first_step_not_recorded() {
        let mut c = found();
        assert_eq!(
            stage(&c),
            Stage::Identifying {
                next: StepKind::HomeVisit
            }
        );
        c.home_visit = at(date(2025, 3, 4), "张书记");
        assert_eq!(
            stage(&c),
            Stage::Identifying {
                next: StepKind::VillageReview
            }
        );
        let mut c = decided();
        c.admitted = false;
        assert_eq!(stage(&c), Stage::NotAdmitted);
        assert!(stage(&c).is_closed());
        let mut c = decided();
        c.elimination.proposed = at(date(2025, 12, 1), "张书记");
        assert_eq!(
            stage(&c),
            Stage::Eliminating {
                next: StepKind::EliminationReview
            }
        );
        assert_eq!(stage(&c).localize(Lang::Zh), "待风险消除民主评议");
    }

    #[test]
    fn a_consistent_case_passes_and_each_slip_is_named() {
        let t = Thresholds::default();
        let team = [secretary()];
        let today = date(2025, 3, 20);
        assert_eq!(validate_case(&decided(), today, &team, &[], &t), []);

        let mut c = decided();
        c.authorization_signed = false;
        assert_eq!(
            validate_case(&c, today, &team, &[], &t),
            [CaseProblem::NoAuthorization]
        );

        let mut c = decided();
        c.notice.as_mut().unwrap().end = date(2025, 3, 9); // 4 days
        let problems = validate_case(&c, today, &team, &[], &t);
        assert_eq!(
            problems,
            [CaseProblem::NoticeTooShort {
                step: StepKind::Notice,
                days: 4,
                min: 5
            }]
        );
        assert_eq!(
            problems[0].localize(Lang::Zh),
            "村内公示：公示4天，至少须5天"
        );

        let mut c = decided();
        c.township_review = at(date(2025, 3, 9), "李主任");
        assert_eq!(
            validate_case(&c, today, &team, &[], &t),
            [CaseProblem::BeforeNoticeEnds {
                step: StepKind::TownshipReview,
                on: date(2025, 3, 9),
                notice_end: date(2025, 3, 10)
            }]
        );

        let mut c = found();
        c.village_review = at(date(2025, 3, 5), "王五");
        assert_eq!(
            validate_case(&c, today, &team, &[], &t),
            [
                CaseProblem::OutOfOrder {
                    step: StepKind::VillageReview,
                    missing: StepKind::HomeVisit
                },
                CaseProblem::NotOnTeam {
                    step: StepKind::VillageReview,
                    name: "王五".into()
                }
            ]
        );
        // A helper of the village may do a village step; a county step names its office.
        assert_eq!(
            validate_case(&c, today, &team, &["王五"], &t)
                .iter()
                .filter(|p| matches!(p, CaseProblem::NotOnTeam { .. }))
                .count(),
            0
        );
        let mut c = decided();
        c.decision.as_mut().unwrap().by = " ".into();
        c.home_visit = at(date(2025, 3, 1), "张书记");
        assert_eq!(
            validate_case(&c, today, &team, &[], &t),
            [
                CaseProblem::BeforePrevious {
                    step: StepKind::HomeVisit,
                    on: date(2025, 3, 1),
                    previous: date(2025, 3, 3)
                },
                CaseProblem::NobodyNamed(StepKind::Decision)
            ]
        );
        assert_eq!(
            validate_case(&decided(), date(2025, 3, 13), &team, &[], &t),
            [CaseProblem::InFuture {
                step: StepKind::Decision,
                on: date(2025, 3, 14)
            }]
        );
        let mut c = decided();
        c.admitted = false;
        c.elimination.proposed = at(date(2025, 3, 20), "张书记");
        assert_eq!(
            validate_case(&c, today, &team, &[], &t),
            [
                CaseProblem::EliminationNotAdmitted,
                CaseProblem::NoIncomeYear
            ]
        );
        // The notice's minimum is a county setting.
        let three = Thresholds {
            notice_min_days: 3,
            ..Thresholds::default()
        };
        let mut c = decided();
        c.notice.as_mut().unwrap().end = date(2025, 3, 8);
        assert_eq!(validate_case(&c, today, &team, &[], &three), []);
    }

    /// A household of two in 2025 (Sichuan: no 2025 threshold, 2024's 7,300 used), safe in
    /// every respect of 三保障 and water.
    fn household_2025(per_capita: f64) -> HouseholdRecord {
        let mut rec = household("001", HouseholdStatus::Exited { year: 2019 });
        add_adults(&mut rec, 2);
        add_income(&mut rec, 2025, per_capita * 2.0);
        rec
    }

    #[test]
    fn the_risk_is_eliminated_only_above_the_years_threshold_with_the_guarantees_secured() {
        let lines = PovertyLines::default().for_province("51");
        let t = Thresholds::default();
        let today = date(2025, 12, 1);
        let seen = VisitFindings::default();
        let a = assess_elimination(
            &household_2025(7300.0),
            2025,
            &lines,
            &t,
            today,
            &seen,
            Lang::Zh,
        );
        assert!(a.passed, "{a:?}");
        assert_eq!(a.items.len(), 5);
        assert_eq!(
            a.missing.unwrap().localize(Lang::Zh),
            "2025年无监测标准，暂按2024年"
        );

        // 7,299.99 is within the band: not eliminated, and the reason says why.
        let a = assess_elimination(
            &household_2025(7299.99),
            2025,
            &lines,
            &t,
            today,
            &seen,
            Lang::Zh,
        );
        assert!(!a.passed);
        assert_eq!(
            a.items[0].reasons,
            ["2025年人均纯收入7299.99元，未达到监测标准7300.00元"]
        );
        // Above the old 1.5 × 4,000 = 6,000 is not enough after 2020.
        assert!(
            !assess_elimination(
                &household_2025(6500.0),
                2025,
                &lines,
                &t,
                today,
                &seen,
                Lang::En
            )
            .passed
        );

        // Unsafe water fails its item whatever the income.
        let mut rec = household_2025(9000.0);
        rec.household.living.water_safe = Some(false);
        let a = assess_elimination(&rec, 2025, &lines, &t, today, &seen, Lang::En);
        assert!(!a.passed);
        let failed: Vec<_> = a
            .items
            .iter()
            .filter(|i| !i.passed)
            .map(|i| i.criterion)
            .collect();
        assert_eq!(failed, [EliminationCriterion::Exit(Criterion::Water)]);
        // No income record of the year.
        let a = assess_elimination(
            &household_2025(9000.0),
            2024,
            &lines,
            &t,
            today,
            &seen,
            Lang::En,
        );
        assert!(!a.items[0].passed);
    }
}
