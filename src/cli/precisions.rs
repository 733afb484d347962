//! `dripline precisions`: the six precisions (六个精准) of each village — every panel's headline
//! figures and the households behind them, exactly as the window shows them. The figures come
//! only from `rules::precisions::evaluate`; this file only puts them into words or JSON.

use std::fmt::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;
use serde_json::{Value, json};

use super::{CliError, Streamed};
use crate::i18n::{Label, Lang, Localize};
use crate::model::Village;
use crate::rules::exit::Criterion;
use crate::rules::plan::PlanGap;
use crate::rules::precisions::lists::{self, Entry};
use crate::rules::precisions::{AtRiskReason, HouseholdRef};
use crate::rules::village::VillageCriterion;
use crate::rules::visits::UnstableReason;
use crate::store::Store;
use crate::workspace::VillageView;

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
    // A county has hundreds of villages: name the first few, and how many there are.
    const LISTED: usize = 10;
    let listed: Vec<String> = villages
        .iter()
        .take(LISTED)
        .map(|v| format!("{} {}", v.code, v.name))
        .collect();
    let mut known = if listed.is_empty() {
        lang.pick("（没有村）", "(none)").to_string()
    } else {
        listed.join(lang.pick("、", ", "))
    };
    if villages.len() > LISTED {
        known.push_str(&match lang {
            Lang::Zh => format!(
                " 等共 {} 个村（dripline county summary 列出全部）",
                villages.len()
            ),
            Lang::En => format!(
                " and more, {} in all (dripline county summary lists them)",
                villages.len()
            ),
        });
    }
    Err(CliError::Argument(match lang {
        Lang::Zh => format!("数据库中没有编码为 {code} 的村。已有的村：{known}。"),
        Lang::En => {
            format!("There is no village with code {code} in the database. Villages: {known}.")
        }
    }))
}

pub fn run(args: PrecisionsArgs, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    let store = Store::open(&args.db)?;
    let villages = select_villages(&store, args.village.as_deref(), lang)?;
    // One village at a time: each is written out before the next is read.
    let mut out = Streamed::new();
    for village in villages {
        let view = VillageView::load(&store, village.id, today)?;
        if args.json {
            out.json_item(&village_json(&view, lang))?;
        } else {
            let mut text = String::new();
            village_text(&mut text, &view, lang);
            out.text(&text)?;
        }
    }
    if args.json {
        out.json_end()
    } else {
        out.finish()
    }
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

fn village_json(e: &VillageView, lang: Lang) -> Value {
    let p = &e.precisions;
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
        "marginal": t.marginal.iter().map(|m| line(&m.household, lists::marginal_reason(m, lang), json!({
            "year": m.year,
            "per_capita_yuan": fen(m.per_capita_yuan),
            "warning_line_yuan": fen(m.warning_line_yuan),
        }))).collect::<Vec<_>>(),
        "possibly_missed_count": t.possibly_missed.len(),
        "possibly_missed": t.possibly_missed.iter().map(|m| line(&m.household, lists::missed_reason(m, lang), json!({
            "year": m.year,
            "per_capita_yuan": fen(m.per_capita_yuan),
            "line_yuan": fen(m.line_yuan),
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
        "listed": f.listed.iter().map(|x| json!({
            "fund_id": x.fund_id,
            "date": x.date.to_string(),
            "amount_yuan": fen(x.amount_yuan),
            "source": x.source.code(),
            "use": x.purpose.code(),
            "note": x.note,
            "household": x.household.as_ref().map(household),
            "project": x.project_name,
            "text": lists::fund_text(x, lang),
        })).collect::<Vec<_>>(),
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
        "visit_interval_days": e.thresholds.visit_interval_days,
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
        "without_helper": pe.without_helper.iter().map(|h| line(h, lists::no_helper_reason(lang), json!({
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
        "monitoring": json!({
            "cases": r.cases.total(),
            "unstable_exited": r.cases.unstable_exited,
            "marginal": r.cases.marginal,
            "sudden_hardship": r.cases.sudden_hardship,
            "identifying": r.cases.identifying,
            "monitored": r.cases.monitored,
            "eliminating": r.cases.eliminating,
            "eliminated": r.cases.eliminated,
            "not_admitted": r.cases.not_admitted,
            "overdue": r.cases.overdue,
            "eliminated_this_year": r.cases.eliminated_this_year,
        }),
        "village": {
            "poor_people": v.poor_people,
            "population": v.population,
            "unassessed_households": v.unassessed_households,
            "unassessed_people": v.unassessed_people,
            "incidence": v.incidence,
            "max_incidence": e.thresholds.max_incidence,
            "passed": v.passed,
            "items": v.items.iter().map(|i| json!({
                "criterion": village_criterion_code(i.criterion),
                "label": i.criterion.label(lang),
                "passed": i.passed,
                "reason": i.reason.as_ref().map(|x| x.localize(lang)),
            })).collect::<Vec<_>>(),
        },
        "ready": r.ready.iter().map(|x| line(&x.household, lists::ready_reason(x.year, lang), json!({
            "year": x.year,
        }))).collect::<Vec<_>>(),
        "failing": r.failing.iter().map(|x| line(&x.household, lists::failing_reason(x, lang), json!({
            "year": x.assessment.year,
            "failed": x.assessment.failed().map(|i| json!({
                "criterion": criterion_code(i.criterion),
                "label": i.criterion.label(lang),
                "reasons": i.reasons.iter().map(|r| r.localize(lang)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }))).collect::<Vec<_>>(),
        "at_risk": r.at_risk.iter().map(|x| line(&x.household, lists::at_risk_reason(x, lang), json!({
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
        "threshold_warnings": e.precisions.threshold_warnings.iter().map(|w| json!({
            "year": w.year,
            "message": w.localize(lang),
        })).collect::<Vec<_>>(),
        "targets": targets,
        "projects": projects,
        "funds": funds,
        "measures": measures,
        "personnel": personnel,
        "results": results,
    })
}

// ---------------------------------------------------------------- text

fn village_text(out: &mut String, e: &VillageView, lang: Lang) {
    writeln!(
        out,
        "== {} {} · {} {} ==",
        e.village.code,
        e.village.name,
        lang.pick("评估日期", "evaluated on"),
        e.today
    )
    .expect("writing to a String");
    for w in &e.precisions.threshold_warnings {
        writeln!(out, "⚠ {}", w.localize(lang)).expect("writing to a String");
    }
    let household = |out: &mut String, h: &HouseholdRef, reason: &str| {
        let head = h
            .head_name
            .as_deref()
            .unwrap_or(lang.pick("（无户主）", "(no head)"));
        if reason.is_empty() {
            writeln!(out, "    {} {head}", h.number)
        } else {
            writeln!(out, "    {} {head} — {reason}", h.number)
        }
        .expect("writing to a String");
    };
    for panel in lists::panels(&e.precisions, &e.records, &e.thresholds, lang) {
        writeln!(out, "[{}]", panel.panel.title(lang)).expect("writing to a String");
        for entry in &panel.entries {
            match entry {
                Entry::Figure { text, .. } | Entry::Note { text, .. } => {
                    writeln!(out, "  {text}").expect("writing to a String")
                }
                Entry::Amounts { label, items } => {
                    let items = if items.is_empty() {
                        "—".to_string()
                    } else {
                        items.join(lang.pick("，", ", "))
                    };
                    writeln!(out, "  {label}{}{items}", lang.pick("：", ": "))
                        .expect("writing to a String")
                }
                Entry::Project {
                    text, households, ..
                } => {
                    writeln!(out, "  {text}").expect("writing to a String");
                    for h in households {
                        household(out, h, "");
                    }
                }
                Entry::Line {
                    household: h,
                    reason,
                    ..
                } => household(out, h, reason),
                Entry::Fund {
                    text, household: h, ..
                } => match h {
                    Some(h) => household(out, h, text),
                    None => writeln!(out, "    {text}").expect("writing to a String"),
                },
            }
        }
    }
    writeln!(out).expect("writing to a String");
}
