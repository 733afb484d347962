//! `dripline county init|return`: a county database and the return bundle of one village.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{CliError, emit};
use crate::i18n::{Lang, Localize};
use crate::store::Store;
use crate::sync::county;
use crate::workspace::county::{self as workspace_county, OverviewColumn};

#[derive(Debug, Args)]
pub struct CountyArgs {
    #[command(subcommand)]
    pub action: CountyAction,
}

#[derive(Debug, Subcommand)]
pub enum CountyAction {
    /// Create a county database with the county's keys; prints the county key line that every
    /// village device sets with `keys set-county`.
    Init {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long, value_name = "CODE")]
        county_code: String,
    },
    /// Write the return bundle of one village: acknowledgements, the village's records as merged
    /// from all its devices, conflicts, and the county's poverty-line table.
    Return {
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        #[arg(long, value_name = "CODE")]
        village: String,
        #[arg(long, value_name = "BUNDLE")]
        out: PathBuf,
        /// Overwrite an existing bundle file.
        #[arg(long)]
        force: bool,
    },
    /// Every village of the database side by side with its six precisions' headline figures, as
    /// the window's county view shows them.
    Overview {
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: CountyArgs, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    match args.action {
        CountyAction::Init { out, county_code } => {
            if out.exists() {
                return Err(CliError::OutputExists(out));
            }
            // Built under a partial name and renamed when complete, so a failure leaves no file.
            let partial = crate::files::Partial::beside(&out)?;
            let mut store = Store::open_or_create(partial.path())?;
            let public = county::init_county(&mut store, &county_code)?;
            store.close()?;
            let line = public.to_line();
            partial.commit()?;
            emit(&format!(
                "{} {}\n{}: {line}\n",
                lang.pick("已创建县级数据库", "Created county database"),
                out.display(),
                lang.pick(
                    "县级公钥（在各村设备上运行 keys set-county）",
                    "County key (run keys set-county on each village device)"
                )
            ))
        }
        CountyAction::Return {
            db,
            village,
            out,
            force,
        } => {
            super::check_output(&out, Some(&db), force)?;
            let written = workspace_county::write_return(Store::open(&db)?, &village, &out)?;
            emit(&format!("{}\n", written.localize(lang)))
        }
        CountyAction::Overview { db, json } => overview(&db, json, lang, today),
    }
}

/// The county overview as tab-separated text (a header line, then a village per line) or JSON.
fn overview(db: &Path, json: bool, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    let store = Store::open(db)?;
    let rows = workspace_county::overview(&store, today, &mut |_| {})?;
    if json {
        let items: Vec<serde_json::Value> = rows
            .iter()
            .map(|(village, h)| {
                let mut item = serde_json::json!({
                    "village_code": village.code,
                    "village_name": village.name,
                    "township": village.township,
                });
                for column in OverviewColumn::ALL {
                    let value = match column {
                        OverviewColumn::Incidence => serde_json::json!(h.incidence),
                        OverviewColumn::FundsYuan => {
                            serde_json::json!((h.funds_total_yuan * 100.0).round() / 100.0)
                        }
                        other => serde_json::json!(other.value(h) as u64),
                    };
                    item[column.code()] = value;
                }
                item
            })
            .collect();
        return emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&items).expect("json")
        ));
    }
    let mut text = String::new();
    let mut header = vec![
        lang.pick("村代码", "Village code"),
        lang.pick("村", "Village"),
    ];
    header.extend(OverviewColumn::ALL.iter().map(|c| c.label(lang)));
    text.push_str(&header.join("\t"));
    text.push('\n');
    for (village, h) in &rows {
        let mut line = vec![
            village.code.clone(),
            format!("{} {}", village.township, village.name),
        ];
        line.extend(OverviewColumn::ALL.iter().map(|c| c.text(h)));
        text.push_str(&line.join("\t"));
        text.push('\n');
    }
    emit(&text)
}
