//! `dripline county init|return|overview|summary|township|received`: a county database, the
//! return bundle of one village, every village's headline figures, the county summary by
//! township, a township's three haves, and which villages have sent what.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{CliError, emit};
use crate::i18n::{Label, Lang, Localize};
use crate::model::TownshipFacilities;
use crate::rules::county::{CountyCriterion, TownshipHave, lacks_text};
use crate::store::Store;
use crate::sync::county;
use crate::workspace::county::{self as workspace_county, CountyTree, Level, OverviewColumn};
use crate::workspace::received::{
    DEFAULT_SILENT_DAYS, ReceivedReport, refusal_text, refused_sender, silence_text,
};

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
    /// The county as a tree, county → township → village, each level with the six precisions'
    /// headline figures (incidence weighted by people); `--out F.xlsx` writes one sheet per level.
    Summary {
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// Only this township and its villages.
        #[arg(long, value_name = "NAME")]
        township: Option<String>,
        #[arg(long)]
        json: bool,
        /// Also write the summary to this .xlsx workbook.
        #[arg(long, value_name = "F.xlsx")]
        out: Option<PathBuf>,
        /// Overwrite an existing workbook.
        #[arg(long)]
        force: bool,
    },
    /// A township's three haves for the county exit 一低三有 (standard central school, qualified
    /// health centre, public service centre): shown, or changed with the options given (an
    /// audited, undoable change, like the window's ticks).
    Township {
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// The township, as the villages of the database name it.
        #[arg(long, value_name = "NAME")]
        name: String,
        /// A standard central school (标准中心校).
        #[arg(long, value_name = "yes|no")]
        school: Option<YesNo>,
        /// A qualified health centre (达标卫生院).
        #[arg(long, value_name = "yes|no")]
        health: Option<YesNo>,
        /// A public service centre (便民服务中心).
        #[arg(long, value_name = "yes|no")]
        service: Option<YesNo>,
    },
    /// Which villages have sent what: the last bundle from each village and device (its date and
    /// change range), the villages silent for more than N days, and the refused bundles with
    /// their reasons.
    Received {
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// A village from which nothing arrived for more than this many days is listed as silent.
        #[arg(long, value_name = "N", default_value_t = DEFAULT_SILENT_DAYS)]
        silent_days: u32,
        #[arg(long)]
        json: bool,
    },
}

/// A yes-or-no option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum YesNo {
    Yes,
    No,
}

pub fn run(args: CountyArgs, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    match args.action {
        CountyAction::Init { out, county_code } => {
            if out.exists() {
                return Err(CliError::OutputExists(out));
            }
            super::passphrase::for_new_database(lang)?;
            // Built under a partial name and renamed when complete, so a failure leaves no file.
            let partial = crate::files::Partial::beside(&out)?;
            let passphrase = crate::store::cipher::process_passphrase();
            let mut store = Store::open_or_create_with(partial.path(), passphrase.as_deref())?;
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
        CountyAction::Summary {
            db,
            township,
            json,
            out,
            force,
        } => summary(&db, township.as_deref(), json, out, force, lang, today),
        CountyAction::Received {
            db,
            silent_days,
            json,
        } => received(&db, silent_days, json, lang, today),
        CountyAction::Township {
            db,
            name,
            school,
            health,
            service,
        } => township(&db, &name, [school, health, service], lang),
    }
}

/// Shows a township's three haves, or sets those given (`haves` in the order of
/// [`TownshipHave::ALL`]).
fn township(db: &Path, name: &str, haves: [Option<YesNo>; 3], lang: Lang) -> Result<(), CliError> {
    let mut store = Store::open(db)?;
    let villages = store.villages()?;
    if villages.len() <= 1 && !county::is_county(&store)? {
        return Err(CliError::Argument(
            lang.pick(
                "这是村级数据库：乡镇设施（一低三有）只在县级数据库中录入，未做任何改动。",
                "This is a village database: township facilities (一低三有) are recorded in the county database only; nothing was changed.",
            )
            .to_string(),
        ));
    }
    let name = name.trim();
    let mut townships: Vec<&str> = villages.iter().map(|v| v.township.as_str()).collect();
    townships.sort_unstable();
    townships.dedup();
    if !townships.contains(&name) {
        return Err(CliError::Argument(match lang {
            Lang::Zh => format!(
                "数据库中没有名为 {name} 的乡镇，未做任何改动。已有的乡镇：{}。",
                townships.join("、")
            ),
            Lang::En => format!(
                "There is no township called {name} in the database; nothing was changed. Townships: {}.",
                townships.join(", ")
            ),
        }));
    }
    let mut facts = store
        .township_facilities()?
        .into_iter()
        .find(|f| f.township == name)
        .unwrap_or_else(|| TownshipFacilities {
            township: name.to_string(),
            ..Default::default()
        });
    let given = haves.iter().any(Option::is_some);
    for (have, value) in TownshipHave::ALL.into_iter().zip(haves) {
        if let Some(value) = value {
            have.set(&mut facts, value == YesNo::Yes);
        }
    }
    let changed = given && store.set_township_facilities(&facts)?.is_some();
    store.close()?;
    let (has, lacks) = (lang.pick("有", "yes"), lang.pick("无", "no"));
    let list: Vec<String> = TownshipHave::ALL
        .into_iter()
        .map(|h| {
            let value = if h.has(&facts) { has } else { lacks };
            format!("{}{}{value}", h.label(lang), lang.pick("：", ": "))
        })
        .collect();
    let state = match (given, changed) {
        (false, _) => "",
        (true, true) => lang.pick("（已保存）", " (saved)"),
        (true, false) => lang.pick(
            "（与原记录相同，未改动）",
            " (as recorded already; nothing changed)",
        ),
    };
    emit(&format!(
        "{name}{}{}{state}\n",
        lang.pick("：", ": "),
        list.join(lang.pick("，", ", "))
    ))
}

/// The county's log of received bundles: three sections of text, or one JSON document.
fn received(
    db: &Path,
    silent_days: u32,
    json: bool,
    lang: Lang,
    today: NaiveDate,
) -> Result<(), CliError> {
    let store = Store::open(db)?;
    if store.sync_meta(crate::sync::crypto::COUNTY_CODE)?.is_none() {
        return Err(crate::sync::SyncError::NotCounty.into());
    }
    let report = ReceivedReport::load(&store, today, silent_days)?;
    drop(store);
    if json {
        let last: Vec<serde_json::Value> = report
            .last
            .iter()
            .map(|l| {
                serde_json::json!({
                    "village_code": l.village_code,
                    "village_name": l.village_name,
                    "township": l.township,
                    "device": l.device,
                    "received_at": l.received_at,
                    "created_at": l.created_at,
                    "seq_from": l.seq_from,
                    "seq_to": l.seq_to,
                    "records": l.records,
                    "file_name": l.file_name,
                })
            })
            .collect();
        let silent: Vec<serde_json::Value> = report
            .silent
            .iter()
            .map(|s| {
                serde_json::json!({
                    "village_code": s.village_code,
                    "village_name": s.village_name,
                    "township": s.township,
                    "last_received": s.last_received.map(|d| d.to_string()),
                    "days_silent": s.days_silent,
                })
            })
            .collect();
        let refused: Vec<serde_json::Value> = report
            .refused
            .iter()
            .map(|r| {
                let h = r.header.as_ref();
                serde_json::json!({
                    "received_at": r.received_at,
                    "file_name": r.file_name,
                    "file_sha256": r.file_sha256,
                    "readable": h.is_some(),
                    "village_code": h.map(|h| &h.village_code),
                    "device": h.map(|h| &h.device),
                    "seq_from": h.map(|h| h.seq_from),
                    "seq_to": h.map(|h| h.seq_to),
                    "reason_code": r.reason.as_ref().map(|r| &r.code),
                    "reason": refusal_text(r, lang),
                })
            })
            .collect();
        let document = serde_json::json!({
            "silent_days": report.silent_days,
            "last": last,
            "silent": silent,
            "refused": refused,
        });
        return emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&document).expect("json")
        ));
    }
    let mut text = String::new();
    text.push_str(lang.pick(
        "各村各设备最后收到的数据包：\n",
        "The last bundle from each village and device:\n",
    ));
    if report.last.is_empty() {
        text.push_str(lang.pick("  （尚未收到任何数据包）\n", "  (no bundle received yet)\n"));
    }
    // One line per village and device; only the labels differ between the languages.
    let [device, received, created, changes, records] = [
        lang.pick("设备", "device"),
        lang.pick("收到", "received"),
        lang.pick("生成", "created"),
        lang.pick("变更号", "changes"),
        lang.pick("条记录", "records"),
    ];
    for l in &report.last {
        text.push_str(&format!(
            "  {} {} {}\t{device} {}\t{received} {}\t{created} {}\t{changes} {}–{}\t{} {records}\t{}\n",
            l.village_code,
            l.township,
            l.village_name,
            l.device,
            l.received_at,
            l.created_at,
            l.seq_from,
            l.seq_to,
            l.records,
            l.file_name
        ));
    }
    text.push_str(&match lang {
        Lang::Zh => format!(
            "\n超过 {} 天未收到数据包的村（{} 个）：\n",
            silent_days,
            report.silent.len()
        ),
        Lang::En => format!(
            "\nVillages silent for more than {} days ({}):\n",
            silent_days,
            report.silent.len()
        ),
    });
    for s in &report.silent {
        text.push_str(&format!(
            "  {} {} {}\t{}\n",
            s.village_code,
            s.township,
            s.village_name,
            silence_text(s, lang)
        ));
    }
    text.push_str(&match lang {
        Lang::Zh => format!("\n拒收的数据包（{} 个）：\n", report.refused.len()),
        Lang::En => format!("\nRefused bundles ({}):\n", report.refused.len()),
    });
    for r in &report.refused {
        text.push_str(&format!(
            "  {}\t{}\t{}\t{}\n",
            r.received_at,
            r.file_name,
            refused_sender(r, lang),
            refusal_text(r, lang)
        ));
    }
    emit(&text)
}

/// The county summary: text (a line per level, tab-separated), JSON, and optionally a workbook.
fn summary(
    db: &Path,
    township: Option<&str>,
    json: bool,
    out: Option<PathBuf>,
    force: bool,
    lang: Lang,
    today: NaiveDate,
) -> Result<(), CliError> {
    if let Some(out) = &out
        && out.exists()
        && !force
    {
        return Err(CliError::OutputExists(out.clone()));
    }
    let mut store = Store::open(db)?;
    let tree = CountyTree::build(workspace_county::overview(&mut store, today, &mut |_| {})?.rows);
    let exit_test = tree.exit_test(&store.township_facilities()?, &store.thresholds()?);
    drop(store);
    let township = township.map(str::trim);
    if let Some(name) = township
        && tree.township(name).is_none()
    {
        let known: Vec<&str> = tree.townships.iter().map(|t| t.name.as_str()).collect();
        return Err(CliError::Argument(match lang {
            Lang::Zh => format!(
                "数据库中没有名为 {name} 的乡镇。已有的乡镇：{}。",
                known.join("、")
            ),
            Lang::En => format!(
                "There is no township called {name} in the database. Townships: {}.",
                known.join(", ")
            ),
        }));
    }
    let lines = tree.summary_lines(tree.county_name(), township);
    let mut text = if json {
        let items: Vec<serde_json::Value> = lines
            .iter()
            .map(|l| {
                let mut item = serde_json::json!({
                    "level": l.level.code(),
                    "name": l.name,
                    "township": l.township,
                });
                if l.level == Level::Village {
                    item["village_code"] = serde_json::json!(l.code);
                }
                item["poor_people"] = serde_json::json!(l.figures.poor_people);
                item["population"] = serde_json::json!(l.figures.population);
                let f = l.figures;
                for (key, value) in [
                    ("exited", f.exited),
                    ("wrongly_exited", f.wrongly_exited),
                    ("never_registered", f.never_registered),
                    ("possibly_missed", f.possibly_missed),
                ] {
                    item[key] = serde_json::json!(value);
                }
                for column in OverviewColumn::ALL {
                    item[column.code()] = column.json(l.figures);
                }
                item
            })
            .collect();
        let items_of_test: Vec<serde_json::Value> = exit_test
            .items
            .iter()
            .map(|i| {
                serde_json::json!({
                    "criterion": i.criterion.label(lang),
                    "passed": i.passed(),
                    "text": i.text(lang),
                })
            })
            .collect();
        // Which township fails which of the three haves, with the villages it counts.
        let townships_lacking: Vec<serde_json::Value> = exit_test
            .townships_lacking()
            .iter()
            .map(|(name, lacking)| {
                let villages: Vec<&str> = tree
                    .township(name)
                    .map(|t| t.villages.iter().map(|(v, _)| v.code.as_str()).collect())
                    .unwrap_or_default();
                serde_json::json!({
                    "township": name,
                    "lacking": lacking.iter().map(|h| h.code()).collect::<Vec<_>>(),
                    "text": lacks_text(lacking, lang),
                    "villages": villages,
                })
            })
            .collect();
        let document = serde_json::json!({
            "lines": items,
            "exit_test": {
                "passed": exit_test.passed(),
                "incidence": exit_test.incidence,
                "wrong_exit_rate": exit_test.wrong_exit_rate,
                "missed_rate": exit_test.missed_rate,
                "items": items_of_test,
                "townships_lacking": townships_lacking,
            },
        });
        format!(
            "{}\n",
            serde_json::to_string_pretty(&document).expect("json")
        )
    } else {
        let mut header = vec![
            lang.pick("级别", "Level"),
            lang.pick("名称", "Name"),
            lang.pick("村代码", "Village code"),
        ];
        header.extend(OverviewColumn::ALL.iter().map(|c| c.label(lang)));
        let mut text = header.join("\t");
        text.push('\n');
        for l in &lines {
            let mut line = vec![
                l.level.label(lang).to_string(),
                l.name.to_string(),
                l.code.to_string(),
            ];
            line.extend(OverviewColumn::ALL.iter().map(|c| c.text(l.figures)));
            text.push_str(&line.join("\t"));
            text.push('\n');
        }
        text.push_str(&match (lang, exit_test.passed()) {
            (Lang::Zh, true) => "\n全县退出（一低三有）：达标\n".to_string(),
            (Lang::Zh, false) => "\n全县退出（一低三有）：未达标\n".to_string(),
            (Lang::En, true) => "\nCounty exit (一低三有): met\n".to_string(),
            (Lang::En, false) => "\nCounty exit (一低三有): not met\n".to_string(),
        });
        for item in &exit_test.items {
            let mark = if item.passed() { "✓" } else { "×" };
            text.push_str(&format!(
                "{mark} {}{}{}\n",
                item.criterion.label(lang),
                lang.pick("：", ": "),
                item.text(lang)
            ));
            if item.criterion == CountyCriterion::TownshipFacilities {
                // Every township short, not only the few the item's sentence names.
                for (name, lacking) in exit_test.townships_lacking() {
                    let villages = tree.township(name).map_or(0, |t| t.villages.len());
                    text.push_str(&match lang {
                        Lang::Zh => format!(
                            "    {name}：{}（{villages} 个村）\n",
                            lacks_text(lacking, lang)
                        ),
                        Lang::En => format!(
                            "    {name}: {} ({villages} villages)\n",
                            lacks_text(lacking, lang)
                        ),
                    });
                }
            }
        }
        text
    };
    if let Some(out) = &out {
        let tables = workspace_county::summary_tables(&tree, township);
        crate::io::export::write_xlsx(out, &tables)
            .map_err(|e| CliError::Argument(e.localize(lang)))?;
        if !json {
            text.push_str(&match lang {
                Lang::Zh => format!("已写入 {}（每级一个工作表）\n", out.display()),
                Lang::En => format!("Wrote {} (a sheet per level)\n", out.display()),
            });
        }
    }
    emit(&text)
}

/// The county overview as tab-separated text (a header line, then a village per line) or JSON.
fn overview(db: &Path, json: bool, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    let mut store = Store::open(db)?;
    let rows = workspace_county::overview(&mut store, today, &mut |_| {})?.rows;
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
                    item[column.code()] = column.json(h);
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
