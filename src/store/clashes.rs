//! Natural-key clashes: two laptops that both took household number 121 of one village (or one
//! household's income of one year, one village code, one helper–household pair…) before they
//! exchanged bundles. Neither record is refused or lost: both stay live with their key, and the
//! clash is listed for a person to resolve (renumber one household, keep one income row).
//!
//! Why a local flag and not a synced "clash_of" column: the flag is a function of the records
//! alone. Each table with a natural key has a local, never-synced column `clash` (migration
//! "clash" in `schema.rs`). In every group of live records sharing a key, the record with the
//! lowest UUID is unflagged (`clash = 0`) and the others are flagged (`clash = 1`); the unique
//! index holds over the unflagged records, so the schema still says "one household 121 per
//! village" of every record nobody has to look at. Every device that holds the same records flags
//! the same ones, whatever order the bundles came in, and nothing about a clash travels: it is
//! gone on every device once the resolving edit (an audited renumbering, a tombstone) has
//! travelled there. A synced column would itself be a field two devices could set differently.
//!
//! The merge writes a record unflagged and, when the unique index refuses it, flagged, then
//! settles the flags ([`settle`]); a local save that changes a key unflags the record so that the
//! index refuses a key another record holds (the form's "number taken"), and every change settles
//! the flags before it commits.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::sync_log::Devices;
use super::{ChangeId, Result, Store, StoreError};
use crate::i18n::{Lang, Localize};

/// What a clash is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClashKind {
    /// Two villages with one code.
    VillageCode,
    /// Two households of one village with one number (户编号).
    HouseholdNumber,
    /// Two income rows of one household for one year.
    IncomeYear,
    /// Two survey rows of one household for one year.
    SurveyYear,
    /// One helper assigned to one household twice.
    HelperLink,
    /// One household in one project twice.
    ProjectLink,
    /// One household listed as a product's producer twice.
    ProducerLink,
}

/// A natural key of a synced table: the columns its unique index covers.
pub(crate) struct NaturalKey {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub kind: ClashKind,
}

/// Every natural key of the synced tables (the poverty-line year is the county's setting and is
/// merged by its own rule, see `sync/merge.rs`).
pub(crate) const NATURAL_KEYS: &[NaturalKey] = &[
    NaturalKey {
        table: "village",
        columns: &["code"],
        kind: ClashKind::VillageCode,
    },
    NaturalKey {
        table: "household",
        columns: &["village_id", "number"],
        kind: ClashKind::HouseholdNumber,
    },
    NaturalKey {
        table: "income_year",
        columns: &["household_id", "year"],
        kind: ClashKind::IncomeYear,
    },
    NaturalKey {
        table: "survey_state",
        columns: &["household_id", "year"],
        kind: ClashKind::SurveyYear,
    },
    NaturalKey {
        table: "household_helper",
        columns: &["helper_id", "household_id"],
        kind: ClashKind::HelperLink,
    },
    NaturalKey {
        table: "project_household",
        columns: &["project_id", "household_id"],
        kind: ClashKind::ProjectLink,
    },
    NaturalKey {
        table: "product_producer",
        columns: &["product_id", "household_id"],
        kind: ClashKind::ProducerLink,
    },
];

/// The natural key of `table`, if it has one.
pub(crate) fn natural_key(table: &str) -> Option<&'static NaturalKey> {
    NATURAL_KEYS.iter().find(|k| k.table == table)
}

impl NaturalKey {
    /// Whether writing `column` (a data column or `deleted`) can move a record between groups.
    pub fn touches(&self, column: &str) -> bool {
        column == "deleted" || self.columns.contains(&column)
    }

    fn same(&self, a: &str, b: &str) -> String {
        self.columns
            .iter()
            .map(|c| format!("{a}.{c} = {b}.{c}"))
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

/// Whether `e` is SQLite's unique-index refusal.
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

/// Settles the flags of every table with a natural key: in each group of live records sharing a
/// key, the lowest UUID unflagged, the others flagged; a deleted record unflagged. Only groups
/// holding a flagged record are visited (through the small `<table>_clash` index), so a settle
/// with no clash costs next to nothing.
pub(crate) fn settle(conn: &Connection) -> Result<()> {
    for key in NATURAL_KEYS {
        let t = key.table;
        // An unflagged record that a flagged one with a lower UUID shares its key with is
        // flagged…
        conn.prepare_cached(&format!(
            "UPDATE {t} SET clash = 1 WHERE key IN (
                 SELECT h.key FROM {t} f JOIN {t} h
                     ON {same} AND h.deleted = 0 AND h.clash = 0 AND h.id > f.id
                 WHERE f.clash = 1 AND f.deleted = 0)",
            same = key.same("h", "f")
        ))?
        .execute([])?;
        // … then the flagged record that no live record with a lower UUID shares its key with is
        // unflagged, and so is every deleted one.
        conn.prepare_cached(&format!(
            "UPDATE {t} SET clash = 0 WHERE clash = 1 AND (deleted = 1 OR NOT EXISTS (
                 SELECT 1 FROM {t} o WHERE {same} AND o.deleted = 0 AND o.id < {t}.id))",
            same = key.same("o", t)
        ))?
        .execute([])?;
    }
    Ok(())
}

/// One of the records of a clash.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClashRecord {
    pub id: Uuid,
    /// False for the one record the unique index holds (the lowest UUID), true for the others.
    pub flagged: bool,
    /// What a person recognises the record by: the head's name of a household, the total of an
    /// income row, the name of a village.
    pub label: String,
    /// The device that created the record (its first stamp), when it was stamped.
    pub device: Option<Uuid>,
    pub created_at: String,
    /// Of a village: how many live households it holds (what tells a person which of two
    /// village records their work is in).
    pub households: Option<i64>,
}

/// A group of live records holding one natural key.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Clash {
    pub kind: ClashKind,
    /// The code of the village the records are of.
    pub village_code: String,
    /// The village (of the households of a household-number clash).
    pub village_id: Option<Uuid>,
    /// The clashing household number, or the number of the household the rows are of.
    pub household_number: Option<String>,
    /// The head of the household the rows are of (not for a household-number clash: each
    /// record has its own, as its label).
    pub head: Option<String>,
    /// The year of an income or survey clash.
    pub year: Option<i64>,
    /// The records, lowest UUID first (the one the unique index holds).
    pub records: Vec<ClashRecord>,
    /// For a household-number clash: the lowest free number after the clashing one, what a
    /// renumbering of the flagged household is offered.
    pub suggested_number: Option<String>,
}

impl Clash {
    /// The number of the flagged record a renumbering is offered for.
    pub fn flagged(&self) -> Option<&ClashRecord> {
        self.records.iter().find(|r| r.flagged)
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Integer(n) => n.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Null => String::new(),
        Value::Blob(b) => format!("<{} bytes>", b.len()),
    }
}

/// The household's number, head, and village (id and code).
fn household_of(conn: &Connection, id: &str) -> Result<(String, String, Option<Uuid>, String)> {
    let found: Option<(String, String, String)> = conn
        .prepare_cached(
            "SELECT h.number, h.village_id, coalesce(v.code, '') FROM household h
             LEFT JOIN village v ON v.id = h.village_id WHERE h.id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let (number, village, code) = found.unwrap_or_default();
    Ok((
        number,
        head_of(conn, id)?,
        Uuid::parse_str(&village).ok(),
        code,
    ))
}

fn head_of(conn: &Connection, household: &str) -> Result<String> {
    let head: Option<String> = conn
        .prepare_cached(
            "SELECT name FROM member WHERE household_id = ?1 AND deleted = 0
             ORDER BY relation = ?2 DESC, birth_date, name LIMIT 1",
        )?
        .query_row(
            params![household, crate::model::Relation::Head.code()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(head.unwrap_or_default())
}

/// Every open clash of this database, by table then key.
pub(crate) fn list(conn: &Connection) -> Result<Vec<Clash>> {
    let devices = Devices::default();
    let mut out = Vec::new();
    for key in NATURAL_KEYS {
        let t = key.table;
        let cols = key.columns.join(", ");
        let groups: Vec<Vec<Value>> = conn
            .prepare(&format!(
                "SELECT DISTINCT {cols} FROM {t} WHERE clash = 1 AND deleted = 0 ORDER BY {cols}"
            ))?
            .query_map([], |r| {
                (0..key.columns.len())
                    .map(|i| r.get(i))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })?
            .collect::<rusqlite::Result<_>>()?;
        let label = match t {
            "village" => "name",
            "income_year" => {
                "printf('%.0f', wage_yuan + production_yuan + property_yuan + transfer_yuan - production_expense_yuan)"
            }
            _ => "''",
        };
        let filter = key
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ?{}", i + 1))
            .collect::<Vec<_>>()
            .join(" AND ");
        for group in groups {
            type Row = (String, bool, String, Option<i64>, Option<i64>, String);
            let rows: Vec<Row> = conn
                .prepare(&format!(
                    "SELECT id, clash, {label}, sync_stamp, sync_device, created_at FROM {t}
                     WHERE {filter} AND deleted = 0 ORDER BY id"
                ))?
                .query_map(rusqlite::params_from_iter(&group), |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut records = Vec::with_capacity(rows.len());
            for (id, flagged, label, clock, device, created_at) in rows {
                let label = if t == "household" {
                    head_of(conn, &id)?
                } else {
                    label
                };
                let households = if t == "village" {
                    Some(conn.query_row(
                        "SELECT count(*) FROM household WHERE village_id = ?1 AND deleted = 0",
                        [&id],
                        |r| r.get(0),
                    )?)
                } else {
                    None
                };
                records.push(ClashRecord {
                    id: Uuid::parse_str(&id).unwrap_or_default(),
                    flagged,
                    label,
                    device: devices.stamp(conn, clock, device)?.map(|s| s.device),
                    created_at,
                    households,
                });
            }
            let mut clash = Clash {
                kind: key.kind,
                village_code: String::new(),
                village_id: None,
                household_number: None,
                head: None,
                year: None,
                records,
                suggested_number: None,
            };
            match key.kind {
                ClashKind::VillageCode => clash.village_code = text_of(&group[0]),
                ClashKind::HouseholdNumber => {
                    let village = text_of(&group[0]);
                    clash.village_code = conn
                        .query_row("SELECT code FROM village WHERE id = ?1", [&village], |r| {
                            r.get(0)
                        })
                        .optional()?
                        .unwrap_or_default();
                    clash.village_id = Uuid::parse_str(&village).ok();
                    let number = text_of(&group[1]);
                    if let Some(v) = clash.village_id {
                        clash.suggested_number = Some(next_free_number(conn, v, &number)?);
                    }
                    clash.household_number = Some(number);
                }
                ClashKind::IncomeYear | ClashKind::SurveyYear => {
                    let (number, head, village, code) = household_of(conn, &text_of(&group[0]))?;
                    clash.household_number = Some(number);
                    clash.head = Some(head);
                    clash.village_id = village;
                    clash.village_code = code;
                    clash.year = match group[1] {
                        Value::Integer(y) => Some(y),
                        _ => None,
                    };
                }
                ClashKind::HelperLink | ClashKind::ProjectLink | ClashKind::ProducerLink => {
                    let (number, head, village, code) = household_of(conn, &text_of(&group[1]))?;
                    clash.household_number = Some(number);
                    clash.head = Some(head);
                    clash.village_id = village;
                    clash.village_code = code;
                }
            }
            out.push(clash);
        }
    }
    Ok(out)
}

/// The lowest household number of `village` above `from` (keeping the width of `from`'s
/// digits) that no live household of the village holds.
fn next_free_number(conn: &Connection, village: Uuid, from: &str) -> Result<String> {
    let taken: std::collections::HashSet<String> = conn
        .prepare("SELECT number FROM household WHERE village_id = ?1 AND deleted = 0")?
        .query_map([village.to_string()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let width = from.trim().len();
    let mut n: u64 = from.trim().parse().unwrap_or(0);
    loop {
        n += 1;
        let candidate = format!("{n:0width$}");
        if !taken.contains(&candidate) {
            return Ok(candidate);
        }
    }
}

impl ClashKind {
    /// The kind in words.
    pub fn words(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            ClashKind::VillageCode => ("村代码重复", "same village code"),
            ClashKind::HouseholdNumber => ("户编号重复", "same household number"),
            ClashKind::IncomeYear => ("同一年度收入录了两次", "one year's income entered twice"),
            ClashKind::SurveyYear => (
                "同一年度入户调查录了两次",
                "one year's survey entered twice",
            ),
            ClashKind::HelperLink => ("同一帮扶责任人登记了两次", "one helper assigned twice"),
            ClashKind::ProjectLink => ("同一项目登记了两次", "one project enrolment entered twice"),
            ClashKind::ProducerLink => ("同一产品生产户登记了两次", "one producer listed twice"),
        };
        lang.pick(zh, en)
    }
}

/// The first 8 characters of a UUID, as lists show it (and `conflicts resolve` accepts).
pub fn short_id(id: Uuid) -> String {
    id.to_string()[..8].to_string()
}

impl Localize for ClashRecord {
    fn localize(&self, lang: Lang) -> String {
        let device = self
            .device
            .map(short_id)
            .unwrap_or_else(|| lang.pick("未知", "unknown").to_string());
        let label = if self.label.is_empty() {
            lang.pick("（无户主）", "(no head)").to_string()
        } else {
            self.label.clone()
        };
        let label = match (self.households, lang) {
            (Some(n), Lang::Zh) => format!("{label}（{n} 户）"),
            (Some(n), Lang::En) => format!("{label} ({n} households)"),
            (None, _) => label,
        };
        match lang {
            Lang::Zh => format!(
                "{label} · 记录 {} · 由设备 {device} 录入 · {}{}",
                short_id(self.id),
                self.created_at,
                if self.flagged { " · 重复" } else { "" }
            ),
            Lang::En => format!(
                "{label} · record {} · entered on device {device} · {}{}",
                short_id(self.id),
                self.created_at,
                if self.flagged { " · clashing" } else { "" }
            ),
        }
    }
}

impl Localize for Clash {
    /// One line naming what clashes: the village, the household number and head, the year.
    fn localize(&self, lang: Lang) -> String {
        let number = self.household_number.as_deref().unwrap_or("");
        let head = self.head.as_deref().unwrap_or("");
        let kind = self.kind.words(lang);
        match (self.kind, lang) {
            (ClashKind::VillageCode, Lang::Zh) => {
                format!("{kind}：两台电脑都建了村 {}", self.village_code)
            }
            (ClashKind::VillageCode, Lang::En) => {
                format!(
                    "{kind}: two laptops both created village {}",
                    self.village_code
                )
            }
            (ClashKind::HouseholdNumber, Lang::Zh) => format!(
                "{kind}：村 {} 的户编号 {number} 在两台电脑上各登记了一户",
                self.village_code
            ),
            (ClashKind::HouseholdNumber, Lang::En) => format!(
                "{kind}: household number {number} of village {} was given to a household on two laptops",
                self.village_code
            ),
            (ClashKind::IncomeYear | ClashKind::SurveyYear, Lang::Zh) => format!(
                "{kind}：村 {} 户编号 {number}（户主 {head}）{} 年",
                self.village_code,
                self.year.unwrap_or_default()
            ),
            (ClashKind::IncomeYear | ClashKind::SurveyYear, Lang::En) => format!(
                "{kind}: village {} household {number} (head {head}), year {}",
                self.village_code,
                self.year.unwrap_or_default()
            ),
            (_, Lang::Zh) => format!(
                "{kind}：村 {} 户编号 {number}（户主 {head}）",
                self.village_code
            ),
            (_, Lang::En) => format!(
                "{kind}: village {} household {number} (head {head})",
                self.village_code
            ),
        }
    }
}

impl Store {
    /// The open natural-key clashes (two households numbered 121, two income rows of one year…).
    pub fn clashes(&self) -> Result<Vec<Clash>> {
        list(&self.conn)
    }

    /// The lowest free household number of `village` after `number`: what a renumbering is
    /// offered.
    pub fn next_free_household_number(&self, village: Uuid, number: &str) -> Result<String> {
        next_free_number(&self.conn, village, number)
    }

    /// The live households of `village` numbered `number` (two while they clash).
    pub fn household_ids_numbered(&self, village: Uuid, number: &str) -> Result<Vec<Uuid>> {
        let ids: Vec<String> = self
            .conn
            .prepare(
                "SELECT id FROM household WHERE village_id = ?1 AND number = ?2 AND deleted = 0
                 ORDER BY id",
            )?
            .query_map(params![village.to_string(), number.trim()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids
            .iter()
            .filter_map(|id| Uuid::parse_str(id).ok())
            .collect())
    }

    /// Whether a live household of `village` holds `number`.
    pub fn household_number_taken(&self, village: Uuid, number: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM household WHERE village_id = ?1 AND number = ?2 AND deleted = 0",
            params![village.to_string(), number.trim()],
            |r| r.get::<_, i64>(0),
        )? > 0)
    }

    /// Gives household `id` the number `number` (resolving a clash of household numbers), through
    /// the audited, undoable save: a number another live household of the village holds is
    /// refused ([`StoreError::DuplicateHouseholdNumber`]).
    pub fn renumber_household(&mut self, id: Uuid, number: &str) -> Result<Option<ChangeId>> {
        let mut household = self.household_record(id)?.household;
        let number = number.trim();
        if household.number == number
            || self.household_number_taken(household.village_id, number)?
        {
            return Err(StoreError::DuplicateHouseholdNumber(number.to_string()));
        }
        household.number = number.to_string();
        self.save_household(&household)
    }

    /// Resolves a clash of village codes by keeping village `keep`: every record of the other
    /// live villages with its code (households, helpers, team members, projects, funds,
    /// products, trainings — deleted ones too, so that an undo of their deletion lands in the
    /// kept village) moves to it, and the other villages are deleted as tombstones, in one
    /// audited, undoable change that travels in the next bundle. Nothing else is deleted: two
    /// households that then share a number are a household-number clash to settle next.
    /// Returns the change, `None` when no other village has the code.
    pub fn merge_clashing_village(&mut self, keep: Uuid) -> Result<Option<ChangeId>> {
        let code = self.village(keep)?.code;
        let others: Vec<Uuid> = self
            .villages()?
            .into_iter()
            .filter(|v| v.code == code && v.id != keep)
            .map(|v| v.id)
            .collect();
        if others.is_empty() {
            return Ok(None);
        }
        let village_table = super::record::table_named("village").ok_or(StoreError::NotFound {
            what: "table",
            id: "village".to_string(),
        })?;
        self.change(|tx, ctx| {
            let kept = Value::Text(keep.to_string());
            for table in super::record::all_tables().filter(|t| super::record::is_synced(t.name)) {
                let Some(field) = table.field_number("village_id") else {
                    continue;
                };
                for other in &others {
                    let keys: Vec<i64> = tx
                        .prepare(&format!(
                            "SELECT key FROM {} WHERE village_id = ?1 ORDER BY key",
                            table.name
                        ))?
                        .query_map([other.to_string()], |r| r.get(0))?
                        .collect::<rusqlite::Result<_>>()?;
                    for key in keys {
                        super::record::restore_field(tx, ctx, table, key, field, &kept)?;
                    }
                }
            }
            for other in &others {
                super::record::tombstone(tx, ctx, village_table, *other)?;
            }
            Ok(true)
        })
    }

    /// Resolves a clash by keeping record `keep` of `table`: the other live records sharing its
    /// key are deleted as tombstones (a household with its members, incomes and departure), in
    /// one audited, undoable change that travels in the next bundle. A village clash is
    /// resolved by moving the records instead ([`Store::merge_clashing_village`]: deleting a
    /// village would take its households with it). Returns the change, `None` when nothing
    /// shares the key.
    pub fn keep_clash_record(&mut self, kind: ClashKind, keep: Uuid) -> Result<Option<ChangeId>> {
        if kind == ClashKind::VillageCode {
            return self.merge_clashing_village(keep);
        }
        let not_found = || StoreError::NotFound {
            what: "clash",
            id: keep.to_string(),
        };
        let key = NATURAL_KEYS
            .iter()
            .find(|k| k.kind == kind)
            .ok_or_else(not_found)?;
        let table = key.table;
        let target = super::record::table_named(table).ok_or_else(not_found)?;
        let same = key.same("o", "k");
        let others: Vec<String> = self
            .conn
            .prepare(&format!(
                "SELECT o.id FROM {table} k JOIN {table} o ON {same}
                 WHERE k.id = ?1 AND k.deleted = 0 AND o.deleted = 0 AND o.id <> k.id"
            ))?
            .query_map([keep.to_string()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if others.is_empty() {
            return Ok(None);
        }
        let others: Vec<Uuid> = others
            .iter()
            .filter_map(|id| Uuid::parse_str(id).ok())
            .collect();
        if key.kind == ClashKind::HouseholdNumber {
            let records = others
                .iter()
                .map(|id| self.household_record(*id))
                .collect::<Result<Vec<_>>>()?;
            return self.change(|tx, ctx| {
                for record in &records {
                    super::households::tombstone_household(tx, ctx, record)?;
                }
                Ok(true)
            });
        }
        self.change(|tx, ctx| {
            let mut any = false;
            for id in &others {
                any |= super::record::tombstone(tx, ctx, target, *id)?;
            }
            Ok(any)
        })
    }
}
