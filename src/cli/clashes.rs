//! `dripline clashes`: the natural-key clashes two laptops left (household number 121 given on
//! both, one year's income entered on both…), and their resolution: `clashes resolve --household
//! NO|ID --renumber N` gives one household a free number, `clashes resolve --keep ID` keeps one
//! record and deletes the others (of two villages with one code, it keeps one village and moves
//! the other's records into it). Either is an audited, undoable change that travels in the next
//! bundle like any edit; the clash is gone on every device once it has travelled there.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use uuid::Uuid;

use super::{CliError, emit};
use crate::i18n::{Lang, Localize};
use crate::store::Store;
use crate::store::clashes::{Clash, ClashKind, short_id};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ClashesArgs {
    #[command(subcommand)]
    pub action: Option<ClashesAction>,
    /// The Dripline database (listing only reads it).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Only this village (its code); default: every village in the database.
    #[arg(long, value_name = "CODE")]
    pub village: Option<String>,
    /// Print JSON (an array of clashes) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ClashesAction {
    /// Resolve a clash: `--household NO|ID --renumber N` gives that household the number N (with
    /// a number shared by two households, the one listed as clashing is renumbered); `--keep ID`
    /// keeps that record and deletes the others holding its key (a household with its members
    /// and incomes); for a village, the other village's records move into the kept one. Undoable in the window; travels in the next bundle.
    Resolve {
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// The household to renumber: its ID (or the first 8 characters the list shows), or its
        /// number.
        #[arg(
            long,
            value_name = "NO|ID",
            requires = "renumber",
            conflicts_with = "keep"
        )]
        household: Option<String>,
        /// The household's new number (a free one: the list suggests the next free number).
        #[arg(long, value_name = "N", requires = "household")]
        renumber: Option<String>,
        /// The record to keep (its ID or the first 8 characters the list shows); the others of
        /// its clash are deleted.
        #[arg(long, value_name = "ID", required_unless_present = "household")]
        keep: Option<String>,
        /// With a household number: the village (its code), in a database of several villages.
        #[arg(long, value_name = "CODE")]
        village: Option<String>,
    },
}

/// A command-line mistake about clashes, in both languages.
fn argument(zh: String, en: String, lang: Lang) -> CliError {
    CliError::Argument(lang.pick(&zh, &en).to_string())
}

pub fn run(args: ClashesArgs, lang: Lang) -> Result<(), CliError> {
    match args.action {
        None => {
            let Some(db) = args.db else {
                return Err(argument(
                    "请用 --db 指定数据库文件：dripline clashes --db 文件 [--village 村代码] [--json]"
                        .into(),
                    "Name the database with --db: dripline clashes --db FILE [--village CODE] [--json]"
                        .into(),
                    lang,
                ));
            };
            let store = Store::open(&db)?;
            let clashes = of_village(store.clashes()?, args.village.as_deref());
            list(&clashes, &db, args.json, lang)
        }
        Some(ClashesAction::Resolve {
            db,
            household,
            renumber,
            keep,
            village,
        }) => {
            let mut store = Store::open(&db)?;
            let clashes = store.clashes()?;
            let text = match (household, renumber, keep) {
                (Some(household), Some(number), _) => {
                    let id = household_to_renumber(
                        &store,
                        &clashes,
                        &household,
                        village.as_deref(),
                        lang,
                    )?;
                    store.renumber_household(id, &number)?;
                    match lang {
                        Lang::Zh => format!(
                            "已把户 {} 的编号改为 {}（可在窗口中撤销；下次导出时发往县里）。\n",
                            short_id(id),
                            number.trim()
                        ),
                        Lang::En => format!(
                            "Household {} now has number {} (undoable in the window; sent to the county with the next export).\n",
                            short_id(id),
                            number.trim()
                        ),
                    }
                }
                (_, _, Some(keep)) => {
                    let (kind, id) = record_to_keep(&clashes, &keep, lang)?;
                    store.keep_clash_record(kind, id)?;
                    match (kind, lang) {
                        (ClashKind::VillageCode, Lang::Zh) => format!(
                            "已保留村记录 {}，另一个同代码村的农户、帮扶人、项目等都已并入（可在窗口中撤销；下次导出时发往县里）。若有户编号重复，请再运行 dripline clashes。\n",
                            short_id(id)
                        ),
                        (ClashKind::VillageCode, Lang::En) => format!(
                            "Kept village record {}; the households, helpers, projects and other records of the other village with its code moved into it (undoable in the window; sent to the county with the next export). If household numbers now clash, run dripline clashes again.\n",
                            short_id(id)
                        ),
                        (_, Lang::Zh) => format!(
                            "已保留记录 {}，删除了与它重复的记录（可在窗口中撤销；下次导出时发往县里）。\n",
                            short_id(id)
                        ),
                        (_, Lang::En) => format!(
                            "Kept record {} and deleted the records clashing with it (undoable in the window; sent to the county with the next export).\n",
                            short_id(id)
                        ),
                    }
                }
                _ => {
                    return Err(argument(
                        "请给出 --household 户 --renumber 新编号，或 --keep 记录号。".into(),
                        "Give --household NO|ID --renumber N, or --keep ID.".into(),
                        lang,
                    ));
                }
            };
            store.close()?;
            emit(&text)
        }
    }
}

fn of_village(clashes: Vec<Clash>, code: Option<&str>) -> Vec<Clash> {
    match code.map(str::trim) {
        Some(code) => clashes
            .into_iter()
            .filter(|c| c.village_code == code)
            .collect(),
        None => clashes,
    }
}

fn list(clashes: &[Clash], db: &std::path::Path, json: bool, lang: Lang) -> Result<(), CliError> {
    if json {
        let items: Vec<serde_json::Value> = clashes
            .iter()
            .map(|c| {
                serde_json::json!({
                    "kind": c.kind,
                    "village_code": c.village_code,
                    "household_number": c.household_number,
                    "head": c.head,
                    "year": c.year,
                    "suggested_number": c.suggested_number,
                    "message": c.localize(lang),
                    "records": c.records,
                })
            })
            .collect();
        return emit(&format!("{}\n", serde_json::Value::Array(items)));
    }
    if clashes.is_empty() {
        return emit(&format!("{}\n", lang.pick("没有编号重复。", "No clashes.")));
    }
    // The resolving commands are printed ready to run on this file.
    let db = db.display().to_string();
    let plain = |c: char| c.is_alphanumeric() || "/._-:\\".contains(c);
    let db = if db.chars().all(plain) {
        db
    } else {
        format!("\"{db}\"")
    };
    let mut text = String::new();
    for c in clashes {
        text.push_str(&c.localize(lang));
        text.push('\n');
        for r in &c.records {
            text.push_str(&format!("  {}\n", r.localize(lang)));
        }
        if let (ClashKind::HouseholdNumber, Some(flagged), Some(next)) =
            (c.kind, c.flagged(), &c.suggested_number)
        {
            text.push_str(&format!(
                "  {}: dripline clashes resolve --db {db} --household {} --renumber {next}\n",
                lang.pick("改编号", "Renumber"),
                short_id(flagged.id)
            ));
        }
        if let Some(first) = c.records.first() {
            let what = match c.kind {
                ClashKind::VillageCode => lang.pick(
                    "合并为一个村（另一个村的农户等并入此村）",
                    "Merge into one village (the other village's households and records move into it)",
                ),
                _ => lang.pick("只保留一条", "Keep one"),
            };
            text.push_str(&format!(
                "  {what}: dripline clashes resolve --db {db} --keep {}\n",
                short_id(first.id)
            ));
        }
    }
    emit(&text)
}

/// Whether `id` is named by `given`: the whole UUID, or its first characters (8 or more).
fn names(id: Uuid, given: &str) -> bool {
    let given = given.trim().to_ascii_lowercase();
    given.len() >= 8 && id.to_string().starts_with(&given)
}

/// The household `given` names: its ID (or ID prefix), else its number (in `village` if
/// given); a number two households share is the flagged one's.
fn household_to_renumber(
    store: &Store,
    clashes: &[Clash],
    given: &str,
    village: Option<&str>,
    lang: Lang,
) -> Result<Uuid, CliError> {
    let given = given.trim();
    if let Ok(id) = Uuid::parse_str(given) {
        return Ok(id);
    }
    // An ID prefix of a household of a clash.
    if let Some(r) = clashes
        .iter()
        .filter(|c| c.kind == ClashKind::HouseholdNumber)
        .flat_map(|c| &c.records)
        .find(|r| names(r.id, given))
    {
        return Ok(r.id);
    }
    // A number: the flagged household of that number's clash, else the one household with it.
    let in_village = |code: &str| village.is_none_or(|v| v.trim() == code);
    let clashing: Vec<&Clash> = clashes
        .iter()
        .filter(|c| {
            c.kind == ClashKind::HouseholdNumber
                && c.household_number.as_deref() == Some(given)
                && in_village(&c.village_code)
        })
        .collect();
    let mut found: Vec<Uuid> = match clashing.as_slice() {
        [] => {
            let villages = store.villages()?;
            let mut ids = Vec::new();
            for v in villages.iter().filter(|v| in_village(&v.code)) {
                ids.extend(store.household_ids_numbered(v.id, given)?);
            }
            ids
        }
        clashes => clashes
            .iter()
            .flat_map(|c| c.records.iter().filter(|r| r.flagged).map(|r| r.id))
            .collect(),
    };
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(argument(
            format!("找不到户 {given}；请用 dripline clashes 列出的户编号或记录号。"),
            format!("No household {given}; use a number or record ID that dripline clashes lists."),
            lang,
        )),
        _ => {
            let ids: Vec<String> = found.iter().map(|id| short_id(*id)).collect();
            Err(argument(
                format!(
                    "户编号 {given} 不止一户（记录 {}）；请用记录号指定，或加 --village 村代码。",
                    ids.join("、")
                ),
                format!(
                    "More than one household has number {given} (records {}); name one by its record ID, or add --village CODE.",
                    ids.join(", ")
                ),
                lang,
            ))
        }
    }
}

/// The clashing record `given` names, and its kind.
fn record_to_keep(
    clashes: &[Clash],
    given: &str,
    lang: Lang,
) -> Result<(ClashKind, Uuid), CliError> {
    let found: Vec<(ClashKind, Uuid)> = clashes
        .iter()
        .flat_map(|c| c.records.iter().map(move |r| (c.kind, r.id)))
        .filter(|(_, id)| names(*id, given))
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        _ => Err(argument(
            format!(
                "{} 不是 dripline clashes 列出的记录号（至少 8 位）。",
                given.trim()
            ),
            format!(
                "{} is not a record ID that dripline clashes lists (8 characters or more).",
                given.trim()
            ),
            lang,
        )),
    }
}
