//! `dripline survey`: the baseline-survey template, and the import of a filled one (a dry run
//! that only reports unless `--commit`; nothing is written while any row has a problem).

use std::fmt::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde_json::json;

use super::{CliError, emit};
use crate::i18n::{Lang, Localize};
use crate::io::import::ApplyError;
use crate::io::survey;
use crate::model::Village;
use crate::store::Store;
use crate::workspace::VillageView;
use crate::workspace::survey::{self as workspace_survey, CheckedSurvey, SurveyWritten};

#[derive(Debug, Args)]
pub struct SurveyArgs {
    #[command(subcommand)]
    pub command: SurveyCommand,
}

#[derive(Debug, Subcommand)]
pub enum SurveyCommand {
    /// Write the empty survey template (.xlsx): Chinese and English header rows, drop-downs and a
    /// sheet of allowed values.
    Template(TemplateArgs),
    /// Check a filled template (.xlsx or UTF-8 .csv) against the registry's rules and report
    /// every bad cell; with --commit and no problems, write it as one undoable change.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// The .xlsx file to write (must not exist, unless --force).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The Dripline database to import into.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// The filled survey file (.xlsx or .csv).
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// The village's 12-digit code; needed only when the database holds more than one village.
    #[arg(long, value_name = "CODE")]
    pub village: Option<String>,
    /// Write the households when the file has no problems (without it, only report).
    #[arg(long)]
    pub commit: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: SurveyArgs, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    match args.command {
        SurveyCommand::Template(args) => template(args, lang),
        SurveyCommand::Import(args) => import_file(args, lang, today),
    }
}

fn template(args: TemplateArgs, lang: Lang) -> Result<(), CliError> {
    super::check_output(&args.out, None, args.force)?;
    survey::write_template(&args.out).map_err(|e| CliError::Argument(e.localize(lang)))?;
    emit(&format!(
        "{}\n",
        workspace_survey::template_written(&args.out, lang)
    ))
}

/// The village to import into: the one named by `--village`, or the only one in the database.
fn choose_village(
    villages: Vec<Village>,
    code: Option<&str>,
    lang: Lang,
) -> Result<Village, CliError> {
    let codes = || {
        villages
            .iter()
            .map(|v| format!("{} {}", v.code, v.name))
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", "))
    };
    match code {
        Some(code) => {
            let known = codes();
            villages
                .into_iter()
                .find(|v| v.code == code.trim())
                .ok_or_else(|| {
                    CliError::Argument(match lang {
                        Lang::Zh => format!("数据库中没有代码为 {code} 的村；已有：{known}"),
                        Lang::En => {
                            format!("No village with code {code} in the database; it has: {known}")
                        }
                    })
                })
        }
        None if villages.len() == 1 => Ok(villages.into_iter().next().expect("one village")),
        None if villages.is_empty() => Err(CliError::Argument(
            lang.pick(
                "数据库中还没有村，请先在程序中建立本村。",
                "The database has no village yet; set up the village in the app first.",
            )
            .to_string(),
        )),
        None => Err(CliError::Argument(match lang {
            Lang::Zh => format!("数据库中有多个村，请用 --village 指定村代码：{}", codes()),
            Lang::En => format!(
                "The database has several villages; choose one with --village CODE: {}",
                codes()
            ),
        })),
    }
}

fn import_file(args: ImportArgs, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    let mut store = Store::open(&args.db)?;
    let village = choose_village(store.villages()?, args.village.as_deref(), lang)?;
    let view = VillageView::load(&store, village.id, today)?;
    let checked = workspace_survey::check(&args.input, &view)
        .map_err(|e| CliError::Argument(e.localize(lang)))?;
    let written = if args.commit && checked.refusal().is_none() {
        Some(
            workspace_survey::commit(&mut store, &checked, view.today).map_err(|e| match e {
                ApplyError::Store(e) => CliError::Store(e),
                e => CliError::Argument(e.localize(lang)),
            })?,
        )
    } else {
        None
    };
    if written.is_some() {
        // A county's table reads kept figures: the village written to has fresh ones.
        crate::workspace::county::refresh_headlines(&mut store, &[village.id], today)?;
    }
    // Fold the write-ahead log back so the file is whole again for whoever copies it next.
    store.close()?;
    let out = if args.json {
        json_report(&checked, &village, written.as_ref(), lang)
    } else {
        text_report(&checked, written.as_ref(), args.commit, lang)
    };
    emit(&out)?;
    match checked.refusal() {
        None => Ok(()),
        Some(refusal) => Err(CliError::Argument(refusal.localize(lang))),
    }
}

fn json_report(
    checked: &CheckedSurvey,
    village: &Village,
    written: Option<&SurveyWritten>,
    lang: Lang,
) -> String {
    let plan = &checked.plan;
    let (members, members_matched) = checked.members();
    let problems: Vec<_> = plan
        .problems
        .iter()
        .map(|p| {
            json!({
                "row": p.row,
                "column": p.column.header(lang),
                "column_zh": p.column.header(Lang::Zh),
                "message": p.problem.localize(lang),
            })
        })
        .collect();
    let summary = written.map(|w| &w.summary).map(|s| {
        json!({
            "households_created": s.households_created,
            "households_updated": s.households_updated,
            "members_created": s.members_created,
            "members_updated": s.members_updated,
            "incomes_created": s.incomes_created,
            "incomes_updated": s.incomes_updated,
        })
    });
    let report = json!({
        "village_code": village.code,
        "rows": plan.rows_read,
        "households": plan.households.len(),
        "households_new": plan.households_new(),
        "households_matched": plan.households_matched(),
        "members": members,
        "members_matched": members_matched,
        "problems": problems,
        "committed": summary.is_some(),
        "summary": summary,
    });
    format!("{}\n", serde_json::to_string_pretty(&report).expect("json"))
}

fn text_report(
    checked: &CheckedSurvey,
    written: Option<&SurveyWritten>,
    commit: bool,
    lang: Lang,
) -> String {
    let mut out = String::new();
    for p in &checked.plan.problems {
        writeln!(out, "{}", p.localize(lang)).expect("writing to a String");
    }
    writeln!(out, "{}", checked.localize(lang)).expect("writing to a String");
    let last = match (written, commit) {
        (Some(w), _) => w.localize(lang),
        (None, true) => lang
            .pick("未写入任何数据。", "Nothing was written.")
            .to_string(),
        (None, false) => lang
            .pick(
                "仅检查，未写入；确认无误后加 --commit 写入数据库。",
                "Checked only, nothing written; add --commit to write to the database.",
            )
            .to_string(),
    };
    writeln!(out, "{last}").expect("writing to a String");
    out
}
