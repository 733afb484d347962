//! `dripline assess`: each household's status, per-capita net income against the line, and the
//! exit checklist 一超六有 with the reasons it fails.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;
use serde_json::json;

use std::fmt::Write;

use super::precisions::select_villages;
use super::{CliError, Streamed};
use crate::i18n::{Label, Lang, Localize};
use crate::rules::{exit, income};
use crate::store::Store;
use crate::workspace::VillageView;

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// The Dripline database (read only).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// Income year to assess; default: each household's latest year with an income record.
    #[arg(long, value_parser = clap::value_parser!(i32).range(2000..=2100))]
    pub year: Option<i32>,
    /// Only this village (its 12-digit code); default: every village in the database.
    #[arg(long, value_name = "CODE")]
    pub village: Option<String>,
    /// Print JSON (an array of households) instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: AssessArgs, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    let store = Store::open(&args.db)?;
    let villages = select_villages(&store, args.village.as_deref(), lang)?;
    // One village at a time: its households are written out before the next village is read.
    let mut stream = Streamed::new();
    let mut passed = 0usize;
    let mut total = 0usize;
    for village in &villages {
        let view = VillageView::load(&store, village.id, today)?;
        let mut out = String::new();
        let (lines, thresholds, today) = (&view.lines, &view.thresholds, view.today);
        // The years assessed that have no monitoring threshold of their own, said once.
        let years = view
            .records
            .iter()
            .filter_map(|r| args.year.or_else(|| r.latest_income().map(|i| i.year)));
        if !args.json {
            for w in lines.missing_for(years, thresholds) {
                writeln!(out, "⚠ {}\t{}", village.code, w.localize(lang))
                    .expect("writing to a String");
            }
        }
        for record in &view.records {
            total += 1;
            let year = args.year.or_else(|| record.latest_income().map(|i| i.year));
            let figures = year.and_then(|y| income::figures(record, y, lines, thresholds));
            let seen = exit::findings_of(&view.workflow, record.household.id);
            let assessment = year.map(|y| exit::assess(record, y, lines, thresholds, today, &seen));
            if assessment.as_ref().is_some_and(|a| a.passed) {
                passed += 1;
            }
            let h = &record.household;
            let head = record.head().map(|m| m.name.as_str()).unwrap_or("");
            let failed: Vec<(String, Vec<String>)> = assessment
                .iter()
                .flat_map(|a| a.failed())
                .map(|item| {
                    (
                        item.criterion.label(lang).to_string(),
                        item.reasons.iter().map(|r| r.localize(lang)).collect(),
                    )
                })
                .collect();
            if args.json {
                stream.json_item(&json!({
                    "village_code": village.code,
                    "household_id": h.id,
                    "household_number": h.number,
                    "head": head,
                    "size": record.size(),
                    "status": crate::store::status_code(h.status),
                    "status_label": h.status.label(lang),
                    "year": year,
                    "per_capita_yuan": figures.as_ref().map(|f| (f.per_capita_yuan * 100.0).round() / 100.0),
                    "line_yuan": figures.as_ref().map(|f| f.line_yuan),
                    "warning_yuan": figures.as_ref().map(|f| f.warning_yuan),
                    "threshold_warning": figures.as_ref().and_then(|f| f.missing).map(|m| m.localize(lang)),
                    "standing": figures.as_ref().map(|f| f.standing.label(lang)),
                    "exit_passed": assessment.as_ref().map(|a| a.passed),
                    "failed": failed.iter().map(|(c, r)| json!({"criterion": c, "reasons": r})).collect::<Vec<_>>(),
                }))?;
            } else {
                let income_text = match &figures {
                    Some(f) => format!(
                        "{}: {} / {} · {}{}",
                        f.year,
                        income::yuan(f.per_capita_yuan),
                        income::yuan(f.line_yuan),
                        f.standing.label(lang),
                        f.missing
                            .map(|m| format!(" ({})", m.localize(lang)))
                            .unwrap_or_default()
                    ),
                    None => lang.pick("无收入记录", "no income record").to_string(),
                };
                let verdict = match &assessment {
                    Some(a) if a.passed => lang.pick("达到脱贫标准", "meets exit standard"),
                    Some(_) => lang.pick("未达标", "does not meet exit standard"),
                    None => lang.pick("无法评估", "cannot assess"),
                };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    village.code,
                    h.number,
                    head,
                    h.status.label(lang),
                    income_text,
                    verdict
                )
                .expect("writing to a String");
                for (criterion, reasons) in &failed {
                    writeln!(
                        out,
                        "\t✗ {criterion}: {}",
                        reasons.join(lang.pick("；", "; "))
                    )
                    .expect("writing to a String");
                }
            }
        }
        stream.text(&out)?;
    }
    if args.json {
        return stream.json_end();
    }
    stream.text(&match lang {
        Lang::Zh => format!("共 {total} 户，{passed} 户达到“一超六有”标准\n"),
        Lang::En => format!("{total} households, {passed} meet the exit standard\n"),
    })?;
    stream.finish()
}
