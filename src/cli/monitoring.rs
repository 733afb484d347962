//! `dripline monitoring`: the monitoring cases (防止返贫监测对象) of each village — kind, source,
//! the step each case waits for, its deadline and whether it is past it; `--overdue` for the
//! cases past their deadline only. Stage and deadline come from `rules::monitoring_cases` alone.

use std::fmt::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;
use serde_json::json;

use super::precisions::select_villages;
use super::{CliError, Streamed};
use crate::i18n::{Label, Lang, Localize};
use crate::rules::monitoring_cases::{self as cases, Stage};
use crate::store::Store;
use crate::workspace::VillageView;

#[derive(Debug, Args)]
pub struct MonitoringArgs {
    /// The Dripline database (read only).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// Only this village (its 12-digit code); default: every village in the database.
    #[arg(long, value_name = "CODE")]
    pub village: Option<String>,
    /// Only the cases past their deadline (the county's limit from discovery to decision).
    #[arg(long)]
    pub overdue: bool,
    /// Print JSON (an array of cases) instead of text.
    #[arg(long)]
    pub json: bool,
}

fn stage_code(stage: Stage) -> &'static str {
    match stage {
        Stage::Identifying { .. } => "identifying",
        Stage::NotAdmitted => "not_admitted",
        Stage::Monitored => "monitored",
        Stage::Eliminating { .. } => "eliminating",
        Stage::Eliminated => "eliminated",
    }
}

pub fn run(args: MonitoringArgs, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    let store = Store::open(&args.db)?;
    let villages = select_villages(&store, args.village.as_deref(), lang)?;
    let mut out = Streamed::new();
    let (mut listed, mut late) = (0usize, 0usize);
    for village in &villages {
        let view = VillageView::load(&store, village.id, today)?;
        let (t, today) = (&view.thresholds, view.today);
        let mut text = String::new();
        let shown: Vec<_> = if args.overdue {
            cases::overdue_cases(&view.workflow.cases, t, today)
                .into_iter()
                .map(|(c, _, _)| c)
                .collect()
        } else {
            view.workflow.cases.iter().collect()
        };
        for c in shown {
            listed += 1;
            let stage = cases::stage(c);
            let deadline = cases::deadline(c, t);
            let overdue = cases::overdue(c, t, today).map(|(_, days)| days);
            late += usize::from(overdue.is_some());
            let number = view
                .record(c.household_id)
                .map(|r| r.household.number.as_str())
                .unwrap_or("?");
            let head = view
                .record(c.household_id)
                .and_then(|r| r.head())
                .map(|m| m.name.as_str());
            if args.json {
                out.json_item(&json!({
                    "village_code": village.code,
                    "case_id": c.id,
                    "household_id": c.household_id,
                    "household_number": number,
                    "head": head,
                    "kind": c.kind.code(),
                    "kind_label": c.kind.label(lang),
                    "source": c.source.code(),
                    "source_label": c.source.label(lang),
                    "discovered_on": c.discovered.on.to_string(),
                    "discovered_by": c.discovered.by,
                    "stage": stage_code(stage),
                    "stage_label": stage.localize(lang),
                    "due": deadline.map(|d| d.due.to_string()),
                    "days_overdue": overdue,
                    "eliminated_on": c.elimination.decision.as_ref().map(|s| s.on.to_string()),
                }))?;
            } else {
                let due = match (deadline, overdue) {
                    (Some(d), Some(days)) => match lang {
                        Lang::Zh => format!("期限{}，已超{days}天", d.due),
                        Lang::En => format!("due {}, {days} days late", d.due),
                    },
                    (Some(d), None) => match lang {
                        Lang::Zh => format!("期限{}", d.due),
                        Lang::En => format!("due {}", d.due),
                    },
                    (None, _) => "-".to_string(),
                };
                writeln!(
                    text,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    village.code,
                    number,
                    head.unwrap_or(lang.pick("（无户主）", "(no head)")),
                    c.kind.label(lang),
                    c.discovered.on,
                    stage.localize(lang),
                    due
                )
                .expect("writing to a String");
            }
        }
        out.text(&text)?;
    }
    if args.json {
        return out.json_end();
    }
    out.text(&match lang {
        Lang::Zh => format!("共 {listed} 个监测对象，{late} 个超过办理时限\n"),
        Lang::En => format!("{listed} monitoring cases, {late} past their deadline\n"),
    })?;
    out.finish()
}
