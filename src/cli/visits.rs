//! `dripline visits --due`: the followed households (registered, exited, monitored) not visited
//! within N days of the village's evaluation date, with their last finished visit or "never".
//! Which households are due is decided by `rules::visits::due_for_visit` alone.

use std::fmt::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;
use serde_json::json;

use super::precisions::select_villages;
use super::{CliError, emit};
use crate::i18n::{Label, Lang, Localize};
use crate::model::Thresholds;
use crate::rules::visits;
use crate::store::Store;
use crate::workspace::VillageView;

#[derive(Debug, Args)]
pub struct VisitsArgs {
    /// The Dripline database (read only).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// List the households due for a visit (the only mode so far; required).
    #[arg(long, required = true)]
    pub due: bool,
    /// Due when the last finished visit is more than this many days before the evaluation date;
    /// default: the county's visit interval (30 days unless changed in Settings).
    #[arg(long, value_name = "N")]
    pub days: Option<u32>,
    /// Only this village (its 12-digit code); default: every village in the database.
    #[arg(long, value_name = "CODE")]
    pub village: Option<String>,
    /// Print JSON (an array of due households) instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: VisitsArgs, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    let store = Store::open(&args.db)?;
    let villages = select_villages(&store, args.village.as_deref(), lang)?;
    let stored = store.thresholds()?;
    let days = args.days.unwrap_or(stored.visit_interval_days);
    let thresholds = Thresholds {
        visit_interval_days: days,
        ..stored
    };
    let mut out = String::new();
    let mut rows = Vec::new();
    let mut total = 0usize;
    for village in &villages {
        let view = VillageView::load(&store, village.id, today)?;
        let (records, today) = (&view.records, view.today);
        for due in visits::due_for_visit(records, &view.workflow.visits, today, &thresholds) {
            total += 1;
            let record = records.iter().find(|r| r.household.id == due.household_id);
            let head = record.and_then(|r| r.head()).map(|m| m.name.as_str());
            if args.json {
                rows.push(json!({
                    "village_code": village.code,
                    "village_name": village.name,
                    "evaluated_on": today.to_string(),
                    "household_id": due.household_id,
                    "household_number": due.household_number,
                    "head": head,
                    "status": record.map(|r| crate::store::status_code(r.household.status)),
                    "status_label": record.map(|r| r.household.status.label(lang)),
                    "last_visit": due.last_visit.map(|d| d.to_string()),
                    "days_since": due.days_since,
                    "reason": due.localize(lang),
                }));
            } else {
                let last = match (due.last_visit, due.days_since) {
                    (Some(date), Some(n)) => match lang {
                        Lang::Zh => format!("{date}（{n}天前）"),
                        Lang::En => format!("{date} ({n} days ago)"),
                    },
                    _ => lang.pick("从未走访", "never").to_string(),
                };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    village.code,
                    due.household_number,
                    head.unwrap_or(lang.pick("（无户主）", "(no head)")),
                    last
                )
                .expect("writing to a String");
            }
        }
    }
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&rows).expect("json")
        )
        .expect("writing to a String");
    } else {
        match lang {
            Lang::Zh => writeln!(out, "共 {total} 户超过 {days} 天未走访（或从未走访）"),
            Lang::En => writeln!(
                out,
                "{total} households not visited within {days} days (or never)"
            ),
        }
        .expect("writing to a String");
    }
    emit(&out)
}
