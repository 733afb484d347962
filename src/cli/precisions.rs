//! `dripline precisions`: the six precisions (六个精准) of each village — every panel's headline
//! figures and the households behind them, exactly as the window shows them. The figures come
//! only from `rules::precisions::evaluate`; this file only puts them into words or JSON.

use std::fmt::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{CliError, emit};
use crate::i18n::{Label, Lang, Localize};
use crate::model::{HouseholdRecord, Village};
use crate::rules::exit::Criterion;
use crate::rules::plan::{CauseAnswers, PlanGap};
use crate::rules::precisions::{
    self, AtRiskReason, HouseholdRef, PrecisionInputs, Precisions, SplitHeuristic,
};
use crate::rules::village::VillageCriterion;
use crate::rules::visits::UnstableReason;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct PrecisionsArgs {
    /// The Dripline database (read only).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// Only this village (its 12-digit code); default: every village in the database.
    #[arg(long, value_name = "CODE")]
    pub village: Option<String>,
    /// Print JSON (an array of villages, each with its six panels) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The villages of the database, or the one whose code is `code`; an unknown code is an argument
/// error that lists the codes there are.
pub(super) fn select_villages(
    store: &Store,
    code: Option<&str>,
    lang: Lang,
) -> Result<Vec<Village>, CliError> {
    let villages = store.villages()?;
    let Some(code) = code.map(str::trim) else {
        return Ok(villages);
    };
    if let Some(v) = villages.iter().find(|v| v.code == code) {
        return Ok(vec![v.clone()]);
    }
    let known: Vec<String> = villages
        .iter()
        .map(|v| format!("{} {}", v.code, v.name))
        .collect();
    let known = if known.is_empty() {
        lang.pick("（没有村）", "(none)").to_string()
    } else {
        known.join(lang.pick("、", ", "))
    };
    Err(CliError::Argument(match lang {
        Lang::Zh => format!("数据库中没有编码为 {code} 的村。已有的村：{known}。"),
        Lang::En => {
            format!("There is no village with code {code} in the database. Villages: {known}.")
        }
    }))
}

/// One village, evaluated.
struct Evaluated {
    village: Village,
    today: NaiveDate,
    records: Vec<HouseholdRecord>,
    visit_interval_days: u32,
    max_incidence: f64,
    p: Precisions,
}

impl Evaluated {
    fn record(&self, id: Uuid) -> Option<&HouseholdRecord> {
        self.records.iter().find(|r| r.household.id == id)
    }
}

pub fn run(args: PrecisionsArgs, lang: Lang) -> Result<(), CliError> {
    let store = Store::open(&args.db)?;
    let villages = select_villages(&store, args.village.as_deref(), lang)?;
    let lines = store.poverty_lines()?;
    let thresholds = store.thresholds()?;
    let cause_answers = CauseAnswers::default();
    let split = SplitHeuristic::default();
    let now = chrono::Local::now().date_naive();
    let mut evaluated = Vec::new();
    for village in villages {
        let today = crate::demo::evaluation_date(&village, now);
        let records = store.household_records(Some(village.id))?;
        let workflow = store.village_workflow(village.id)?;
        let p = precisions::evaluate(&PrecisionInputs {
            village: &village,
            records: &records,
            workflow: &workflow,
            lines: &lines,
            thresholds: &thresholds,
            cause_answers: &cause_answers,
            split: &split,
            today,
        });
        evaluated.push(Evaluated {
            village,
            today,
            records,
            visit_interval_days: thresholds.visit_interval_days,
            max_incidence: thresholds.max_incidence,
            p,
        });
    }
    let mut out = String::new();
    if args.json {
        let items: Vec<Value> = evaluated.iter().map(|e| village_json(e, lang)).collect();
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&items).expect("json")
        )
        .expect("writing to a String");
    } else {
        for e in &evaluated {
            village_text(&mut out, e, lang);
        }
    }
    emit(&out)
}

// ---------------------------------------------------------------- stable codes

fn criterion_code(c: Criterion) -> &'static str {
    match c {
        Criterion::IncomeAboveLine => "income_above_line",
        Criterion::Education => "education",
        Criterion::Medical => "medical",
        Criterion::Housing => "housing",
        Criterion::Water => "water",
        Criterion::Electricity => "electricity",
        Criterion::RadioTv => "radio_tv",
    }
}

fn village_criterion_code(c: VillageCriterion) -> &'static str {
    match c {
        VillageCriterion::LowIncidence => "low_incidence",
        VillageCriterion::CollectiveIncome => "collective_income",
        VillageCriterion::HardenedRoad => "hardened_road",
        VillageCriterion::Clinic => "clinic",
        VillageCriterion::CulturalRoom => "cultural_room",
        VillageCriterion::Network => "network",
    }
}

fn gap_code(gap: &PlanGap) -> &'static str {
    match gap {
        PlanGap::NoMeasures => "no_measures",
        PlanGap::MainCauseUnanswered { .. } => "main_cause_unanswered",
    }
}

fn at_risk_code(reason: &AtRiskReason) -> &'static str {
    match reason {
        AtRiskReason::LatestIncome { .. } => "latest_income_below_band",
        AtRiskReason::Visit(UnstableReason::RiskEvents { .. }) => "visit_risk_events",
        AtRiskReason::Visit(UnstableReason::IncomeBelowBand { .. }) => "visit_income_below_band",
    }
}

// ---------------------------------------------------------------- words shared by text and JSON

/// Yuan rounded to the fen, as JSON shows amounts. Adding 0.0 turns the -0.0 that an empty
/// `f64` sum gives into 0.
fn fen(yuan: f64) -> f64 {
    (yuan * 100.0).round() / 100.0 + 0.0
}

/// An amount as text ("1200.00"), never "-0.00".
fn money(yuan: f64) -> String {
    crate::rules::income::yuan(yuan + 0.0)
}

fn marginal_reason(m: &precisions::MarginalHousehold, lang: Lang) -> String {
    // The same words as an exited household's income below the band.
    AtRiskReason::LatestIncome {
        year: m.year,
        per_capita_yuan: m.per_capita_yuan,
        warning_line_yuan: m.warning_line_yuan,
    }
    .localize(lang)
}

fn no_helper_reason(lang: Lang) -> String {
    lang.pick(
        "没有帮扶责任人，请安排结对帮扶。",
        "No helper is assigned; assign one.",
    )
    .to_string()
}

fn ready_reason(year: i32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("按{year}年收入达到“一超六有”标准，可以申请退出。"),
        Lang::En => format!("Meets the exit standard on the income of {year}; may apply to exit."),
    }
}

fn failing_reason(f: &precisions::ExitFailing, lang: Lang) -> String {
    f.assessment
        .failed()
        .map(|item| {
            let reasons: Vec<String> = item.reasons.iter().map(|r| r.localize(lang)).collect();
            format!(
                "{}{}{}",
                item.criterion.label(lang),
                lang.pick("：", ": "),
                reasons.join(lang.pick("", " "))
            )
        })
        .collect::<Vec<_>>()
        .join(lang.pick("", " "))
}

fn at_risk_reason(a: &precisions::AtRisk, lang: Lang) -> String {
    a.reasons
        .iter()
        .map(|r| r.localize(lang))
        .collect::<Vec<_>>()
        .join(lang.pick("", " "))
}

fn head_or_none(h: &HouseholdRef, lang: Lang) -> &str {
    h.head_name
        .as_deref()
        .unwrap_or(lang.pick("（无户主）", "(no head)"))
}

// ---------------------------------------------------------------- JSON

/// A household line: number, id, head, the reason in `lang`, plus the fields of `extra`.
fn line(h: &HouseholdRef, reason: String, extra: Value) -> Value {
    let mut obj = json!({
        "household_number": h.number,
        "household_id": h.household_id,
        "head": h.head_name,
        "reason": reason,
    });
    if let (Value::Object(o), Value::Object(e)) = (&mut obj, extra) {
        o.extend(e);
    }
    obj
}

fn household(h: &HouseholdRef) -> Value {
    json!({"household_number": h.number, "household_id": h.household_id, "head": h.head_name})
}

fn village_json(e: &Evaluated, lang: Lang) -> Value {
    let p = &e.p;
    let finding_line = |f: &crate::rules::quality::Finding| {
        let h = e
            .record(f.household_id)
            .map(HouseholdRef::of)
            .unwrap_or(HouseholdRef {
                household_id: f.household_id,
                number: f.household_number.clone(),
                head_name: None,
            });
        line(
            &h,
            f.localize(lang),
            json!({"kind": f.kind.code(), "kind_label": f.kind.label(lang), "member_name": f.member_name}),
        )
    };

    let t = &p.targets;
    let targets = json!({
        "households_with_findings": t.households_with_findings,
        "finding_count": t.findings.len(),
        "marginal_count": t.marginal.len(),
        "duplicate_id_count": t.duplicate_ids.len(),
        "elderly_split_count": t.elderly_splits.len(),
        "suspicious_households": t.suspicious_households(),
        "findings": t.findings.iter().map(finding_line).collect::<Vec<_>>(),
        "marginal": t.marginal.iter().map(|m| line(&m.household, marginal_reason(m, lang), json!({
            "year": m.year,
            "per_capita_yuan": fen(m.per_capita_yuan),
            "warning_line_yuan": fen(m.warning_line_yuan),
        }))).collect::<Vec<_>>(),
        "duplicate_ids": t.duplicate_ids.iter().map(finding_line).collect::<Vec<_>>(),
        "elderly_splits": t.elderly_splits.iter().map(|s| line(&s.household, s.localize(lang), json!({
            "kind": "elderly_split",
            "possible_children": s.possible_children.iter().map(household).collect::<Vec<_>>(),
        }))).collect::<Vec<_>>(),
    });

    let pr = &p.projects;
    let projects = json!({
        "project_count": pr.projects.len(),
        "total_budget_yuan": fen(pr.total_budget_yuan),
        "without_households_count": pr.without_households.len(),
        "projects": pr.projects.iter().map(|x| json!({
            "project_id": x.project_id,
            "name": x.name,
            "kind": x.kind.code(),
            "kind_label": x.kind.label(lang),
            "budget_yuan": fen(x.budget_yuan),
            "start": x.start.to_string(),
            "end": x.end.map(|d| d.to_string()),
            "household_count": x.households.len(),
            "households": x.households.iter().map(household).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "without_households": pr.projects.iter()
            .filter(|x| pr.without_households.contains(&x.project_id))
            .map(|x| json!({"project_id": x.project_id, "name": x.name}))
            .collect::<Vec<_>>(),
    });

    let f = &p.funds;
    let funds = json!({
        "total_yuan": fen(f.total_yuan),
        "by_source": f.by_source.iter().map(|(s, a)| json!({
            "source": s.code(), "label": s.label(lang), "amount_yuan": fen(*a),
        })).collect::<Vec<_>>(),
        "by_use": f.by_use.iter().map(|(k, a)| json!({
            "use": k.code(), "label": k.label(lang), "amount_yuan": fen(*a),
        })).collect::<Vec<_>>(),
        "unattached_count": f.unattached.len(),
        "double_counted_count": f.double_counted.len(),
        "unattached": f.unattached,
        "double_counted": f.double_counted,
    });

    let m = &p.measures;
    let measures = json!({
        "registered": m.registered,
        "without_plan_count": m.without_plan.len(),
        "ignoring_main_cause_count": m.ignoring_main_cause.len(),
        "repeated_count": m.repeated.len(),
        "without_plan": m.without_plan.iter().map(|h| line(h, PlanGap::NoMeasures.localize(lang), json!({
            "kind": gap_code(&PlanGap::NoMeasures),
        }))).collect::<Vec<_>>(),
        "ignoring_main_cause": m.ignoring_main_cause.iter().map(|g| {
            let cause = match &g.gap {
                PlanGap::MainCauseUnanswered { cause, .. } => Some(cause.code()),
                PlanGap::NoMeasures => None,
            };
            line(&g.household, g.gap.localize(lang), json!({"kind": gap_code(&g.gap), "cause": cause}))
        }).collect::<Vec<_>>(),
        "repeated": m.repeated.iter().map(|r| line(&r.household, r.localize(lang), json!({
            "kind": "repeated_measure",
            "measure_kind": r.kind.code(),
            "units": r.units,
            "measure_ids": r.measure_ids,
        }))).collect::<Vec<_>>(),
    });

    let pe = &p.personnel;
    let personnel = json!({
        "first_secretary_serving": pe.first_secretary_serving,
        "serving": pe.serving,
        "team_count": pe.team.len(),
        "helper_count": pe.helpers.len(),
        "without_helper_count": pe.without_helper.len(),
        "visit_interval_days": e.visit_interval_days,
        "due_visit_count": pe.due_visits.len(),
        "team": pe.team.iter().map(|t| json!({
            "name": t.name,
            "role": t.role.code(),
            "role_label": t.role.label(lang),
            "unit": t.unit,
            "term_start": t.term_start.to_string(),
            "term_end": t.term_end.map(|d| d.to_string()),
            "serving": t.serving_on(e.today),
        })).collect::<Vec<_>>(),
        "helpers": pe.helpers.iter().map(|h| json!({
            "helper_id": h.helper_id,
            "name": h.name,
            "unit": h.unit,
            "households": h.households.iter().map(household).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "without_helper": pe.without_helper.iter().map(|h| line(h, no_helper_reason(lang), json!({
            "kind": "no_helper",
        }))).collect::<Vec<_>>(),
        "due_visits": pe.due_visits.iter().map(|d| {
            let h = e.record(d.household_id).map(HouseholdRef::of).unwrap_or(HouseholdRef {
                household_id: d.household_id,
                number: d.household_number.clone(),
                head_name: None,
            });
            line(&h, d.localize(lang), json!({
                "kind": if d.last_visit.is_some() { "overdue" } else { "never_visited" },
                "last_visit": d.last_visit.map(|v| v.to_string()),
                "days_since": d.days_since,
            }))
        }).collect::<Vec<_>>(),
    });

    let r = &p.results;
    let v = &r.village;
    let results = json!({
        "ready_count": r.ready.len(),
        "failing_count": r.failing.len(),
        "at_risk_count": r.at_risk.len(),
        "village": {
            "poor_people": v.poor_people,
            "population": v.population,
            "incidence": v.incidence,
            "max_incidence": e.max_incidence,
            "passed": v.passed,
            "items": v.items.iter().map(|i| json!({
                "criterion": village_criterion_code(i.criterion),
                "label": i.criterion.label(lang),
                "passed": i.passed,
                "reason": i.reason.as_ref().map(|x| x.localize(lang)),
            })).collect::<Vec<_>>(),
        },
        "ready": r.ready.iter().map(|x| line(&x.household, ready_reason(x.year, lang), json!({
            "year": x.year,
        }))).collect::<Vec<_>>(),
        "failing": r.failing.iter().map(|x| line(&x.household, failing_reason(x, lang), json!({
            "year": x.assessment.year,
            "failed": x.assessment.failed().map(|i| json!({
                "criterion": criterion_code(i.criterion),
                "label": i.criterion.label(lang),
                "reasons": i.reasons.iter().map(|r| r.localize(lang)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }))).collect::<Vec<_>>(),
        "at_risk": r.at_risk.iter().map(|x| line(&x.household, at_risk_reason(x, lang), json!({
            "reasons": x.reasons.iter().map(|r| json!({
                "kind": at_risk_code(r),
                "message": r.localize(lang),
            })).collect::<Vec<_>>(),
        }))).collect::<Vec<_>>(),
    });

    json!({
        "village_code": e.village.code,
        "village_name": e.village.name,
        "evaluated_on": e.today.to_string(),
        "targets": targets,
        "projects": projects,
        "funds": funds,
        "measures": measures,
        "personnel": personnel,
        "results": results,
    })
}

// ---------------------------------------------------------------- text

struct Text<'a> {
    out: &'a mut String,
    lang: Lang,
}

impl Text<'_> {
    fn panel(&mut self, zh: &str, en: &str) {
        writeln!(self.out, "[{}]", self.lang.pick(zh, en)).expect("writing to a String");
    }

    fn figure(&mut self, zh: &str, en: &str, value: impl std::fmt::Display) {
        let text = match self.lang {
            Lang::Zh => format!("{zh}：{value}"),
            Lang::En => format!("{en}: {value}"),
        };
        writeln!(self.out, "  {text}").expect("writing to a String");
    }

    fn note(&mut self, text: &str) {
        writeln!(self.out, "  {text}").expect("writing to a String");
    }

    fn household(&mut self, h: &HouseholdRef, reason: &str) {
        let head = head_or_none(h, self.lang);
        if reason.is_empty() {
            writeln!(self.out, "    {} {head}", h.number)
        } else {
            writeln!(self.out, "    {} {head} — {reason}", h.number)
        }
        .expect("writing to a String");
    }
}

fn village_text(out: &mut String, e: &Evaluated, lang: Lang) {
    let p = &e.p;
    writeln!(
        out,
        "== {} {} · {} {} ==",
        e.village.code,
        e.village.name,
        lang.pick("评估日期", "evaluated on"),
        e.today
    )
    .expect("writing to a String");
    let mut w = Text { out, lang };

    let t = &p.targets;
    w.panel("1 扶持对象精准", "1 Precise targets");
    w.figure(
        "有数据问题的户",
        "Households with data problems",
        t.households_with_findings,
    );
    for f in &t.findings {
        let h = e
            .record(f.household_id)
            .map(HouseholdRef::of)
            .unwrap_or(HouseholdRef {
                household_id: f.household_id,
                number: f.household_number.clone(),
                head_name: None,
            });
        w.household(&h, &f.localize(lang));
    }
    w.figure(
        "边缘易致贫户（未建档、收入在监测线内）",
        "Marginal households within the warning band",
        t.marginal.len(),
    );
    for m in &t.marginal {
        w.household(&m.household, &marginal_reason(m, lang));
    }
    w.figure(
        "识别存疑的户",
        "Suspicious identifications",
        t.suspicious_households(),
    );
    for f in &t.duplicate_ids {
        if let Some(r) = e.record(f.household_id) {
            w.household(&HouseholdRef::of(r), &f.localize(lang));
        }
    }
    for s in &t.elderly_splits {
        w.household(&s.household, &s.localize(lang));
    }

    let pr = &p.projects;
    w.panel("2 项目安排精准", "2 Precise projects");
    w.figure("项目", "Projects", pr.projects.len());
    w.figure(
        "预算合计（元）",
        "Budget in total (yuan)",
        money(pr.total_budget_yuan),
    );
    w.figure(
        "未关联任何农户的项目",
        "Projects serving no household",
        pr.without_households.len(),
    );
    for x in &pr.projects {
        let text = format!(
            "{} · {} · {} {}",
            x.name,
            x.kind.label(lang),
            money(x.budget_yuan),
            lang.pick("元", "yuan")
        );
        w.note(&text);
        for h in &x.households {
            w.household(h, "");
        }
    }

    let f = &p.funds;
    let amounts = |items: Vec<(&str, f64)>| -> String {
        if items.is_empty() {
            return "—".into();
        }
        items
            .iter()
            .map(|(label, a)| format!("{label} {}", money(*a)))
            .collect::<Vec<_>>()
            .join(lang.pick("，", ", "))
    };
    w.panel("3 资金使用精准", "3 Precise use of funds");
    w.figure(
        "资金合计（元）",
        "Funds in total (yuan)",
        money(f.total_yuan),
    );
    w.figure(
        "按来源",
        "By source",
        amounts(
            f.by_source
                .iter()
                .map(|(s, a)| (s.label(lang), *a))
                .collect(),
        ),
    );
    w.figure(
        "按用途",
        "By use",
        amounts(f.by_use.iter().map(|(k, a)| (k.label(lang), *a)).collect()),
    );
    w.figure(
        "未落到项目或农户的资金（分散资金）",
        "Entries tied to no project or household (scattered)",
        f.unattached.len(),
    );
    w.figure(
        "疑似重复记账的资金组",
        "Groups of possibly double-counted entries",
        f.double_counted.len(),
    );

    let m = &p.measures;
    w.panel("4 措施到户精准", "4 Precise measures per household");
    w.figure("建档立卡户", "Registered households", m.registered);
    w.figure(
        "没有帮扶计划的建档立卡户",
        "Registered households without a plan",
        m.without_plan.len(),
    );
    for h in &m.without_plan {
        w.household(h, &PlanGap::NoMeasures.localize(lang));
    }
    w.figure(
        "措施未针对主要致贫原因",
        "Plans ignoring the main cause",
        m.ignoring_main_cause.len(),
    );
    for g in &m.ignoring_main_cause {
        w.household(&g.household, &g.gap.localize(lang));
    }
    w.figure(
        "多头重复帮扶",
        "Repeated assistance from several units",
        m.repeated.len(),
    );
    for r in &m.repeated {
        w.household(&r.household, &r.localize(lang));
    }

    let pe = &p.personnel;
    w.panel("5 因村派人精准", "5 Precise personnel");
    w.note(if pe.first_secretary_serving {
        lang.pick("第一书记在岗", "First secretary serving")
    } else {
        lang.pick("没有在岗的第一书记", "No first secretary serving")
    });
    w.figure("在岗工作队员", "Team members serving", pe.serving);
    w.figure("帮扶责任人", "Assigned helpers", pe.helpers.len());
    w.figure(
        "没有帮扶责任人的户",
        "Households with no helper",
        pe.without_helper.len(),
    );
    for h in &pe.without_helper {
        w.household(h, &no_helper_reason(lang));
    }
    let days = e.visit_interval_days;
    w.figure(
        &format!("超过{days}天未走访的户"),
        &format!("Households not visited within {days} days"),
        pe.due_visits.len(),
    );
    for d in &pe.due_visits {
        if let Some(r) = e.record(d.household_id) {
            w.household(&HouseholdRef::of(r), &d.localize(lang));
        }
    }

    let r = &p.results;
    w.panel("6 脱贫成效精准", "6 Precise results");
    let incidence = r
        .village
        .incidence
        .map(|i| format!("{:.2}%", i * 100.0))
        .unwrap_or_else(|| "—".into());
    let standard = format!("{:.0}%", e.max_incidence * 100.0);
    w.figure(
        "贫困发生率",
        "Poverty incidence",
        match lang {
            Lang::Zh => format!("{incidence}（标准 < {standard}）"),
            Lang::En => format!("{incidence} (standard < {standard})"),
        },
    );
    w.figure(
        "村退出（一低五有）",
        "Village exit standard",
        if r.village.passed {
            lang.pick("达标", "met")
        } else {
            lang.pick("未达标", "not met")
        },
    );
    for item in r.village.failed() {
        if let Some(reason) = &item.reason {
            let text = format!(
                "  ✗ {}{}{}",
                item.criterion.label(lang),
                lang.pick("：", ": "),
                reason.localize(lang)
            );
            w.note(&text);
        }
    }
    w.figure(
        "达到脱贫标准、可以申请退出的户",
        "Households ready to exit",
        r.ready.len(),
    );
    for x in &r.ready {
        w.household(&x.household, &ready_reason(x.year, lang));
    }
    w.figure(
        "未达标的建档立卡户",
        "Registered households failing the standard",
        r.failing.len(),
    );
    for x in &r.failing {
        w.household(&x.household, &failing_reason(x, lang));
    }
    w.figure(
        "已脱贫但有返贫风险的户",
        "Exited households at risk",
        r.at_risk.len(),
    );
    for x in &r.at_risk {
        w.household(&x.household, &at_risk_reason(x, lang));
    }
    writeln!(w.out).expect("writing to a String");
}
