//! What a valid signature allows. A bundle signed by a registered device (at the county) or by
//! the county (at a laptop) is still refused whole unless every record in it belongs to the one
//! village the signer speaks for, its sequence numbers and clock stamps are plausible, and every
//! value passes the type and domain checks a form or a spreadsheet applies. Runs inside the
//! import's transaction before the bundle writes anything, so a refusal leaves the file as it was.
//!
//! The rules, in the order they are checked (`docs/bundle-format.md`, "Authorization"):
//! 1. values: each column's declared type (integers are integers, text is text, NOT NULL holds),
//!    dates are real dates, codes are codes this app knows, references are record ids, years are
//!    years;
//! 2. clocks: every stamp at most [`MAX_CLOCK_SKEW_MS`] ahead of this computer's clock, stamp
//!    texts parse, one device's changes never go back in time (in the bundle, and after what this
//!    file already has from it), and a change number already imported keeps its change id;
//! 3. sequence (county): `1 <= seq_from <= seq_to + 1`, the sender's numbered changes inside the
//!    range, and `seq_to` no further than [`MAX_UNLISTED_CHANGES`] beyond the last change listed
//!    or already known; acknowledgements (laptop) never beyond this device's own change number;
//! 4. history: no forwarded change or audit row of a device registered for another village;
//! 5. village: every record, and every record a record points to, is of the signer's village, as
//!    it arrives and as this file has it (no other village's update, delete or insert, no new
//!    village); every audit row names a record of that village (a return bundle carries the
//!    county's own edits of the village's records, never another village's).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction};
use uuid::Uuid;

use super::SyncError;
use super::export::sql;
use super::manifest::{BundleKind, Payload, RecordRow, TableRows};
use crate::i18n::Lang;
use crate::model::*;
use crate::store::clock::Stamp;

/// How far a stamp may run ahead of the receiving computer's clock: one day, so that a laptop
/// whose clock is a few hours off (time zone set wrong) still syncs, while a stamp pinned far in
/// the future (which would win every later edit for ever) is refused.
pub const MAX_CLOCK_SKEW_MS: i64 = 24 * 60 * 60 * 1000;

/// How many change numbers a bundle may claim past the last change it lists (or the county
/// already has): a save that changed nothing takes a number without leaving a change behind.
/// A range claiming more would move the acknowledgement past what the laptop ever numbered.
pub const MAX_UNLISTED_CHANGES: i64 = 100_000;

/// The earliest and latest year a year column may hold.
const YEARS: std::ops::RangeInclusive<i64> = 1900..=2100;

/// Which rule a record or a bundle broke.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// The record belongs to (or points to) village `found`, not the signer's.
    OtherVillage { found: String },
    /// A village other than the signer's.
    NewVillage { code: String },
    /// A reference to a record neither in the bundle nor in this file.
    UnknownReference { column: String, id: String },
    /// A value of the wrong type for its column (`expected`: integer, number, text, bytes).
    WrongType {
        column: String,
        expected: &'static str,
    },
    /// An empty value where the column needs one.
    Missing { column: String },
    /// Not a date (YYYY-MM-DD), or one outside 1900–2100.
    InvalidDate { column: String, value: String },
    /// A code this app does not know.
    UnknownCode { column: String, value: String },
    /// A reference that is not a record id.
    InvalidReference { column: String, value: String },
    /// A year outside 1900–2100.
    InvalidYear { column: String, value: i64 },
    /// A stamp too far in the future.
    ClockInFuture { ahead_hours: i64 },
    /// A stamp text that does not parse.
    UnparsableClock { text: String },
    /// A device's change stamped before one of its earlier changes.
    ClockBackwards { device: Uuid, n: i64 },
    /// A change number already imported with another change id: the database was copied or
    /// restored on another computer.
    ChangeReused { device: Uuid, n: i64 },
    /// The header's range runs backwards or starts before 1.
    SequenceRange { from: i64, to: i64 },
    /// One of the sender's changes lies outside the range its header declares.
    ChangeOutsideRange { n: i64, from: i64, to: i64 },
    /// The range claims numbers far beyond any change listed or known.
    SequenceJump { to: i64, highest: i64 },
    /// An acknowledgement beyond this device's own last change number.
    AckBeyondChanges { seq: i64, own: i64 },
    /// History of a device registered for another village.
    ForeignDevice { device: Uuid },
    /// A cleartext bundle after a county key is set.
    Cleartext,
}

impl Rule {
    /// The rule in words, for a person.
    pub fn describe(&self, lang: Lang) -> String {
        use Rule::*;
        match (self, lang) {
            (OtherVillage { found }, Lang::Zh) => {
                format!("属于或指向另一个村（{found}），发送设备只能报送本村的记录")
            }
            (OtherVillage { found }, Lang::En) => format!(
                "belongs to or points to another village ({found}); a device may send only its own village's records"
            ),
            (NewVillage { code }, Lang::Zh) => {
                format!("新建或改成了另一个村（{code}），发送设备只能报送本村")
            }
            (NewVillage { code }, Lang::En) => format!(
                "creates or changes into another village ({code}); a device may send only its own village"
            ),
            (UnknownReference { column, id }, Lang::Zh) => {
                format!("{column} 指向的记录 {id} 既不在包中也不在本库中")
            }
            (UnknownReference { column, id }, Lang::En) => format!(
                "{column} points to record {id}, which is neither in the bundle nor in this database"
            ),
            (WrongType { column, expected }, Lang::Zh) => format!(
                "{column} 的类型不对（应为{}）",
                match *expected {
                    "integer" => "整数",
                    "number" => "数字",
                    "text" => "文字",
                    _ => "二进制数据",
                }
            ),
            (WrongType { column, expected }, Lang::En) => {
                format!("{column} has the wrong type (expected {expected})")
            }
            (Missing { column }, Lang::Zh) => format!("{column} 不能为空"),
            (Missing { column }, Lang::En) => format!("{column} must not be empty"),
            (InvalidDate { column, value }, Lang::Zh) => {
                format!("{column} 的日期“{value}”无效（应为 1900–2100 年间的 年-月-日）")
            }
            (InvalidDate { column, value }, Lang::En) => format!(
                "{column} holds an invalid date \"{value}\" (expected YYYY-MM-DD between 1900 and 2100)"
            ),
            (UnknownCode { column, value }, Lang::Zh) => {
                format!("{column} 的代码“{value}”本程序不认识")
            }
            (UnknownCode { column, value }, Lang::En) => {
                format!("{column} holds the code \"{value}\", unknown to this app")
            }
            (InvalidReference { column, value }, Lang::Zh) => {
                format!("{column} 的值“{value}”不是记录编号")
            }
            (InvalidReference { column, value }, Lang::En) => {
                format!("{column} holds \"{value}\", which is not a record id")
            }
            (InvalidYear { column, value }, Lang::Zh) => {
                format!("{column} 的年份 {value} 不在 1900–2100 之间")
            }
            (InvalidYear { column, value }, Lang::En) => {
                format!("{column} holds the year {value}, outside 1900–2100")
            }
            (ClockInFuture { ahead_hours }, Lang::Zh) => format!(
                "时间戳比本机时间超前约 {ahead_hours} 小时（最多允许 24 小时）；请核对发送设备的日期和时间"
            ),
            (ClockInFuture { ahead_hours }, Lang::En) => format!(
                "a clock stamp is about {ahead_hours} hours ahead of this computer (at most 24 are allowed); check the sender's date and time"
            ),
            (UnparsableClock { text }, Lang::Zh) => format!("时间戳“{text}”无法识别"),
            (UnparsableClock { text }, Lang::En) => format!("clock stamp \"{text}\" does not parse"),
            (ClockBackwards { device, n }, Lang::Zh) => {
                format!("设备 {device} 的第 {n} 次修改的时间戳早于它之前的修改（时钟倒退）")
            }
            (ClockBackwards { device, n }, Lang::En) => format!(
                "change {n} of device {device} is stamped before its earlier changes (clock going backwards)"
            ),
            (ChangeReused { device, n }, Lang::Zh) => format!(
                "设备 {device} 的第 {n} 次修改已以另一内容导入过：这个数据库被复制或从备份恢复到了另一台电脑。请在该电脑上生成新的设备身份并重新登记（keys register-device）"
            ),
            (ChangeReused { device, n }, Lang::En) => format!(
                "change {n} of device {device} was imported before with other content: this database was copied or restored onto another computer; give that computer a new device identity and register it (keys register-device)"
            ),
            (SequenceRange { from, to }, Lang::Zh) => {
                format!("修改编号范围 {from}–{to} 无效")
            }
            (SequenceRange { from, to }, Lang::En) => {
                format!("the change range {from}–{to} is invalid")
            }
            (ChangeOutsideRange { n, from, to }, Lang::Zh) => {
                format!("发送设备的第 {n} 次修改不在文件头声明的范围 {from}–{to} 内")
            }
            (ChangeOutsideRange { n, from, to }, Lang::En) => format!(
                "the sender's change {n} lies outside the range {from}–{to} its header declares"
            ),
            (SequenceJump { to, highest }, Lang::Zh) => format!(
                "修改编号跳到 {to}，远超包中或县库已有的最后编号 {highest}"
            ),
            (SequenceJump { to, highest }, Lang::En) => format!(
                "the change range jumps to {to}, far beyond the last change listed or known ({highest})"
            ),
            (AckBeyondChanges { seq, own }, Lang::Zh) => format!(
                "回执确认到第 {seq} 次修改，而本设备只有 {own} 次"
            ),
            (AckBeyondChanges { seq, own }, Lang::En) => format!(
                "it acknowledges change {seq}, but this device has only made {own}"
            ),
            (ForeignDevice { device }, Lang::Zh) => {
                format!("带有已登记在另一个村的设备 {device} 的修改记录")
            }
            (ForeignDevice { device }, Lang::En) => {
                format!("it carries history of device {device}, which is registered for another village")
            }
            (Cleartext, Lang::Zh) => "包未加密，而县级密钥已设置：未加密的包一律拒收。请在村里的电脑上设置县级密钥（keys set-county）后重新导出".to_string(),
            (Cleartext, Lang::En) => "the bundle is not encrypted, and a county key is set: cleartext bundles are refused. Set the county key on the village laptop (keys set-county) and export again".to_string(),
        }
    }
}

/// A refusal: which record (if one) broke which rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// Table and record as a person finds them: `household 121`, `member 张三 (household 121)`.
    pub record: Option<String>,
    pub rule: Rule,
}

/// What the authorization of one bundle needs besides the payload.
pub(crate) struct Authority<'a> {
    /// The village the signer speaks for.
    pub village: &'a str,
    /// At the county, whether a device may appear in the history of the signer's village: it is
    /// registered for that village, or not registered here at all (at a laptop, not checked: the
    /// county forwards its village's history).
    pub village_devices: Option<&'a dyn Fn(&Uuid) -> bool>,
    /// This file's device (a laptop's acknowledgements; the county's own history).
    pub receiver: Uuid,
    pub now_ms: i64,
}

/// Column types of the synced tables, read once from this file's schema.
#[derive(Default)]
pub(crate) struct Columns {
    tables: HashMap<&'static str, Vec<(String, bool)>>,
}

impl Columns {
    fn of(
        &mut self,
        tx: &Transaction,
        table: &'static str,
    ) -> Result<&[(String, bool)], SyncError> {
        if !self.tables.contains_key(table) {
            let columns: Vec<(String, String, bool)> = tx
                .prepare(&format!("PRAGMA table_info({table})"))
                .map_err(sql)?
                .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(3)?)))
                .and_then(|rows| rows.collect())
                .map_err(sql)?;
            let wanted = crate::store::sync_tables()
                .into_iter()
                .find(|t| t.name == table)
                .map(|t| t.columns)
                .unwrap_or_default();
            let typed = std::iter::once("deleted")
                .chain(wanted.iter().copied())
                .map(|name| {
                    columns
                        .iter()
                        .find(|(n, _, _)| n == name)
                        .map(|(_, ty, not_null)| (ty.to_uppercase(), *not_null))
                        .unwrap_or_default()
                })
                .collect();
            self.tables.insert(table, typed);
        }
        Ok(&self.tables[table])
    }
}

/// Runs every rule on a verified bundle inside the import's transaction, before anything of it is
/// written.
pub(crate) fn authorize(
    tx: &Transaction,
    columns: &mut Columns,
    authority: &Authority,
    payload: &Payload,
    full: bool,
    file: &std::path::Path,
) -> Result<(), SyncError> {
    let mut types = HashMap::new();
    for rows in &payload.tables {
        types.insert(rows.table.name, columns.of(tx, rows.table.name)?.to_vec());
    }
    Check {
        tx,
        authority,
        payload,
        index: payload
            .tables
            .iter()
            .flat_map(|t| {
                t.records
                    .iter()
                    .map(move |r| ((t.table.name, r.id), (t, r)))
            })
            .collect(),
        stored: HashMap::new(),
    }
    .run(&types, full)
    .map_err(|refusal| SyncError::Unauthorized {
        file: file.to_path_buf(),
        refusal,
    })
}

struct Check<'a> {
    tx: &'a Transaction<'a>,
    authority: &'a Authority<'a>,
    payload: &'a Payload,
    index: HashMap<(&'static str, Uuid), (&'a TableRows, &'a RecordRow)>,
    /// Village code of a record as this file has it (memoised).
    stored: HashMap<(&'static str, Uuid), Option<String>>,
}

type Checked = Result<(), Refusal>;

fn refuse(rule: Rule) -> Refusal {
    Refusal { record: None, rule }
}

/// The reference columns of each synced table, worked out once: the stored-village lookup runs
/// for every record of every bundle, and building the table list each time was a measurable
/// part of a county import.
fn owner_columns(table: &str) -> &'static [&'static str] {
    static OWNERS: std::sync::OnceLock<HashMap<&'static str, Vec<&'static str>>> =
        std::sync::OnceLock::new();
    OWNERS
        .get_or_init(|| {
            crate::store::sync_tables()
                .into_iter()
                .map(|t| {
                    let owners = t
                        .columns
                        .iter()
                        .copied()
                        .filter(|c| referenced(c).is_some())
                        .collect();
                    (t.name, owners)
                })
                .collect()
        })
        .get(table)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The table a reference column points to.
fn referenced(column: &str) -> Option<&'static str> {
    Some(match column {
        "village_id" => "village",
        "household_id" => "household",
        "member_id" => "member",
        "helper_id" => "helper",
        "project_id" => "project",
        "measure_id" => "measure",
        "visit_id" => "visit",
        "product_id" => "product",
        _ => return None,
    })
}

fn known<T: Copy>(all: &[T], code: fn(T) -> &'static str, value: &str) -> bool {
    all.iter().any(|c| code(*c) == value)
}

/// Whether `value` is a code column `column` of `table` accepts; `None` for a column of free text.
fn code_known(table: &str, column: &str, value: &str) -> Option<bool> {
    let list = |parse: fn(&str) -> bool| value.split(',').filter(|c| !c.is_empty()).all(parse);
    Some(match (table, column) {
        ("household", "attribute") => known(PovertyAttribute::ALL, PovertyAttribute::code, value),
        ("household", "status") => crate::store::STATUS_CODES.contains(&value),
        ("household", "monitored_kind") => known(MonitoredKind::ALL, MonitoredKind::code, value),
        ("household", "main_cause") => known(Cause::ALL, Cause::code, value),
        ("household", "other_causes") => list(|c| known(Cause::ALL, Cause::code, c)),
        ("member", "sex") => known(Sex::ALL, Sex::code, value),
        ("member", "relation") => known(Relation::ALL, Relation::code, value),
        ("member", "education") => known(Education::ALL, Education::code, value),
        ("member", "health") => known(Health::ALL, Health::code, value),
        ("member", "labour") => known(LabourAbility::ALL, LabourAbility::code, value),
        ("member", "work") => known(WorkStatus::ALL, WorkStatus::code, value),
        ("member", "join_reason") => known(JoinReason::ALL, JoinReason::code, value),
        ("member", "leave_reason") => known(LeaveReason::ALL, LeaveReason::code, value),
        ("household_departure", "reason") => {
            known(HouseholdLeaveReason::ALL, HouseholdLeaveReason::code, value)
        }
        ("team_member", "role") => known(TeamRole::ALL, TeamRole::code, value),
        ("project", "kind") => known(ProjectKind::ALL, ProjectKind::code, value),
        ("measure", "kind") | ("fund_entry", "purpose") => {
            known(MeasureKind::ALL, MeasureKind::code, value)
        }
        ("measure", "fund_source") | ("fund_entry", "source") => {
            known(FundSource::ALL, FundSource::code, value)
        }
        ("measure", "status") => known(MeasureStatus::ALL, MeasureStatus::code, value),
        ("visit", "kind") => known(VisitKind::ALL, VisitKind::code, value),
        ("visit", "risk_events") => list(|c| known(RiskEvent::ALL, RiskEvent::code, c)),
        ("survey_state", "status") => known(SurveyStatus::ALL, SurveyStatus::code, value),
        ("survey_state", "computed_identification" | "confirmed_identification") => {
            known(Identification::ALL, Identification::code, value)
        }
        ("product", "certification") => known(Certification::ALL, Certification::code, value),
        ("sale", "channel") => known(SalesChannel::ALL, SalesChannel::code, value),
        ("monitoring_case", "kind") => known(MonitoredKind::ALL, MonitoredKind::code, value),
        ("monitoring_case", "source") => known(DiscoverySource::ALL, DiscoverySource::code, value),
        _ => return None,
    })
}

fn is_date_column(column: &str) -> bool {
    column == "date"
        || column.ends_with("_date")
        || column.ends_with("_on")
        || column == "term_start"
        || column == "term_end"
}

fn is_year_column(column: &str) -> bool {
    column == "year" || column.ends_with("_year")
}

fn valid_date(text: &str) -> bool {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .is_ok_and(|d| YEARS.contains(&i64::from(chrono::Datelike::year(&d))))
}

/// The household columns holding a living fact that may be unrecorded.
const LIVING_FACT_COLUMNS: [&str; 4] = ["housing_safe", "water_safe", "electricity", "radio_tv"];

/// The type and domain of one value (`field` 0 is `deleted`).
fn check_value(
    table: &str,
    column: &str,
    (declared, not_null): &(String, bool),
    value: &Value,
) -> Result<(), Rule> {
    let column_name = || column.to_string();
    let expected = match declared.as_str() {
        "INTEGER" => Some("integer"),
        "REAL" => Some("number"),
        "TEXT" => Some("text"),
        "BLOB" => Some("bytes"),
        _ => None,
    };
    let type_ok = match (value, declared.as_str()) {
        (Value::Null, _) => {
            if *not_null {
                return Err(Rule::Missing {
                    column: column_name(),
                });
            }
            return Ok(());
        }
        (Value::Integer(_), "INTEGER" | "REAL") => true,
        (Value::Real(r), "REAL") => r.is_finite(),
        (Value::Text(_), "TEXT") => true,
        (Value::Blob(_), "BLOB") => true,
        _ => expected.is_none(),
    };
    if !type_ok {
        return Err(Rule::WrongType {
            column: column_name(),
            expected: expected.unwrap_or("text"),
        });
    }
    // A living fact of 一超六有 is 1 yes, 0 no or -1 未填 (store::households::FACT_UNKNOWN).
    if table == "household"
        && LIVING_FACT_COLUMNS.contains(&column)
        && !matches!(value, Value::Integer(-1..=1))
    {
        return Err(Rule::WrongType {
            column: column_name(),
            expected: "integer",
        });
    }
    if column == "deleted" && !matches!(value, Value::Integer(0 | 1)) {
        return Err(Rule::WrongType {
            column: column_name(),
            expected: "integer",
        });
    }
    match value {
        Value::Text(text) => {
            if is_date_column(column) && !valid_date(text) {
                return Err(Rule::InvalidDate {
                    column: column_name(),
                    value: text.clone(),
                });
            }
            if referenced(column).is_some() && Uuid::parse_str(text).is_err() {
                return Err(Rule::InvalidReference {
                    column: column_name(),
                    value: text.clone(),
                });
            }
            if code_known(table, column, text) == Some(false) {
                return Err(Rule::UnknownCode {
                    column: column_name(),
                    value: text.clone(),
                });
            }
        }
        Value::Integer(year) if is_year_column(column) && !YEARS.contains(year) => {
            return Err(Rule::InvalidYear {
                column: column_name(),
                value: *year,
            });
        }
        _ => {}
    }
    Ok(())
}

fn value_text(value: Option<&Value>) -> Option<&str> {
    match value {
        Some(Value::Text(t)) => Some(t),
        _ => None,
    }
}

fn column_value<'r>(rows: &TableRows, record: &'r RecordRow, column: &str) -> Option<&'r Value> {
    rows.table
        .columns
        .iter()
        .position(|c| *c == column)
        .and_then(|i| record.values.get(i + 1))
}

impl Check<'_> {
    fn run(&mut self, types: &HashMap<&'static str, Vec<(String, bool)>>, full: bool) -> Checked {
        for rows in &self.payload.tables {
            let types = &types[rows.table.name];
            for record in &rows.records {
                let names = std::iter::once("deleted").chain(rows.table.columns.iter().copied());
                for (field, ((column, value), ty)) in
                    names.zip(&record.values).zip(types).enumerate()
                {
                    match check_value(rows.table.name, column, ty, value) {
                        // A value from before sync (unstamped) may hold a code of an earlier
                        // schema: the store reads it as its default, and every stamped edit
                        // supersedes it.
                        Err(Rule::UnknownCode { .. }) if record.clock(field).stamp.is_none() => {}
                        Err(rule) => return Err(self.refusal(rows, record, rule)),
                        Ok(()) => {}
                    }
                }
            }
        }
        self.clocks()?;
        self.sequence(full)?;
        self.history()?;
        for rows in &self.payload.tables {
            // The county keeps its own poverty-line table and ignores a village's copy; at a
            // laptop the county's table is the county's to send.
            if rows.table.name == "poverty_line" {
                continue;
            }
            // A prefetch that fails leaves its records to the lookup one by one (as before).
            let _ = self.prefetch_stored(rows);
            for record in &rows.records {
                self.village_scope(rows, record)
                    .map_err(|rule| self.refusal(rows, record, rule))?;
            }
        }
        self.audit_scope()
    }

    /// Every audit row names a record of the signer's village (as the bundle or this file has
    /// it): a return bundle carries the county's own edits of the village, never of another.
    fn audit_scope(&mut self) -> Checked {
        let village = self.authority.village;
        for a in &self.payload.audit {
            let (Some(table), Ok(id)) = (
                super::export::table(&a.table).map(|t| t.name),
                Uuid::parse_str(&a.record_id),
            ) else {
                continue;
            };
            if table == "poverty_line" {
                continue;
            }
            if let Some(Some(found)) = self.incoming_village(table, id, 0)
                && found != village
            {
                let record = match self.index.get(&(table, id)) {
                    Some(&(rows, record)) => self.label(rows, record),
                    None => format!("{table} {id}"),
                };
                return Err(Refusal {
                    record: Some(record),
                    rule: Rule::OtherVillage { found },
                });
            }
        }
        Ok(())
    }

    fn refusal(&self, rows: &TableRows, record: &RecordRow, rule: Rule) -> Refusal {
        Refusal {
            record: Some(self.label(rows, record)),
            rule,
        }
    }

    /// `household 121`, `member 张三 (household 121)`, `visit <id> (household 121)`.
    fn label(&self, rows: &TableRows, record: &RecordRow) -> String {
        let table = rows.table.name;
        let name = ["number", "code", "name", "person_name"]
            .iter()
            .find_map(|c| value_text(column_value(rows, record, c)))
            .map(str::to_string)
            .unwrap_or_else(|| record.id.to_string());
        let household = if table == "household" {
            None
        } else {
            value_text(column_value(rows, record, "household_id"))
                .and_then(|id| Uuid::parse_str(id).ok())
                .and_then(|id| self.household_number(id))
        };
        match household {
            Some(number) => format!("{table} {name} (household {number})"),
            None => format!("{table} {name}"),
        }
    }

    fn household_number(&self, id: Uuid) -> Option<String> {
        if let Some((rows, record)) = self.index.get(&("household", id)) {
            return value_text(column_value(rows, record, "number")).map(str::to_string);
        }
        self.tx
            .query_row(
                "SELECT number FROM household WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .ok()
    }

    fn clocks(&self) -> Checked {
        let limit = (self.authority.now_ms + MAX_CLOCK_SKEW_MS) << 16 | 0xFFFF;
        let future = |clock: i64| {
            (clock > limit).then(|| {
                refuse(Rule::ClockInFuture {
                    ahead_hours: ((clock >> 16) - self.authority.now_ms) / 3_600_000,
                })
            })
        };
        for (rows, record) in self.payload.records() {
            let stamps = record.stamp.into_iter().chain(
                record
                    .fields
                    .iter()
                    .flat_map(|(_, c)| c.stamp.into_iter().chain(c.seen.stamps().iter().copied())),
            );
            for stamp in stamps {
                if let Some(mut refusal) = future(stamp.clock) {
                    refusal.record = Some(self.label(rows, record));
                    return Err(refusal);
                }
            }
        }
        for c in &self.payload.conflicts {
            for text in [&c.loser_hlc, &c.winner_hlc] {
                if text.is_empty() {
                    continue;
                }
                let stamp = Stamp::parse(text)
                    .ok_or_else(|| refuse(Rule::UnparsableClock { text: text.clone() }))?;
                if let Some(refusal) = future(stamp.clock) {
                    return Err(refusal);
                }
            }
        }
        // Each device's changes, in their numbers' order, never go back in time; numbers this
        // file already has keep their change id.
        let mut by_device: BTreeMap<Uuid, BTreeMap<i64, (&str, Option<i64>)>> = BTreeMap::new();
        for c in &self.payload.changes {
            if let Some(clock) = c.stamp
                && let Some(refusal) = future(clock)
            {
                return Err(refusal);
            }
            by_device
                .entry(c.device)
                .or_default()
                .insert(c.n, (c.change_id.as_str(), c.stamp));
        }
        for (device, changes) in &by_device {
            if *device == self.authority.receiver {
                continue;
            }
            let stored: Vec<(i64, String, Option<i64>)> = self
                .tx
                .prepare_cached("SELECT n, change_id, stamp FROM remote_change WHERE device = ?1")
                .and_then(|mut s| {
                    s.query_map([device.to_string()], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })
                    .and_then(|rows| rows.collect())
                })
                .unwrap_or_default();
            let mut all: BTreeMap<i64, Option<i64>> = BTreeMap::new();
            for (n, id, stamp) in &stored {
                if let Some((incoming, _)) = changes.get(n)
                    && *incoming != id
                {
                    return Err(refuse(Rule::ChangeReused {
                        device: *device,
                        n: *n,
                    }));
                }
                all.insert(*n, *stamp);
            }
            for (n, (_, stamp)) in changes {
                all.insert(*n, *stamp);
            }
            let mut newest: Option<i64> = None;
            // Numbers below 1 are the history from before sync (numbered by migration 4 in no
            // particular order of time).
            for (n, stamp) in all.range(1..) {
                let (n, stamp) = (*n, *stamp);
                let Some(stamp) = stamp else { continue };
                if newest.is_some_and(|newest| stamp < newest) {
                    return Err(refuse(Rule::ClockBackwards { device: *device, n }));
                }
                newest = Some(stamp);
            }
        }
        Ok(())
    }

    fn sequence(&self, full: bool) -> Checked {
        let p = self.payload;
        if p.kind == BundleKind::Return {
            let own = crate::store::sync_log::current_lseq(self.tx).unwrap_or(0);
            for ack in p
                .acks
                .iter()
                .filter(|a| a.device == self.authority.receiver)
            {
                if ack.seq > own {
                    return Err(refuse(Rule::AckBeyondChanges { seq: ack.seq, own }));
                }
            }
            return Ok(());
        }
        let (from, to) = (p.seq_from, p.seq_to);
        if from < 1 || from > to.saturating_add(1) {
            return Err(refuse(Rule::SequenceRange { from, to }));
        }
        let mut highest = from - 1;
        for c in p.changes.iter().filter(|c| c.device == p.device) {
            if c.n < 1 && full {
                continue;
            }
            if c.n < from || c.n > to {
                return Err(refuse(Rule::ChangeOutsideRange { n: c.n, from, to }));
            }
            highest = highest.max(c.n);
        }
        let known: i64 = self
            .tx
            .query_row(
                "SELECT last_seq FROM sync_peer WHERE device = ?1",
                [p.device.to_string()],
                |r| r.get(0),
            )
            .optional()
            .ok()
            .flatten()
            .unwrap_or(0);
        let highest = highest.max(known);
        if to - highest > MAX_UNLISTED_CHANGES {
            return Err(refuse(Rule::SequenceJump { to, highest }));
        }
        Ok(())
    }

    fn history(&self) -> Checked {
        let Some(of_village) = self.authority.village_devices else {
            return Ok(());
        };
        // A device this county does not know may be a team mate's registered elsewhere (a
        // county file rebuilt from a laptop's full export); one registered here for another
        // village is not the sender's to speak for.
        let allowed =
            |d: &Uuid| *d == self.payload.device || *d == self.authority.receiver || of_village(d);
        let devices = self
            .payload
            .changes
            .iter()
            .map(|c| c.device)
            .chain(self.payload.audit.iter().map(|a| a.device));
        for device in devices {
            if !allowed(&device) {
                return Err(refuse(Rule::ForeignDevice { device }));
            }
        }
        Ok(())
    }

    /// The record as it arrives, and as this file has it, is of the signer's village.
    fn village_scope(&mut self, rows: &TableRows, record: &RecordRow) -> Result<(), Rule> {
        let village = self.authority.village;
        let table = rows.table.name;
        if table == "village" {
            let code = value_text(column_value(rows, record, "code")).unwrap_or_default();
            if code != village {
                return Err(Rule::NewVillage {
                    code: code.to_string(),
                });
            }
        }
        for (column, value) in rows.table.columns.iter().zip(record.values.iter().skip(1)) {
            let (Some(target), Some(id)) = (referenced(column), value_text(Some(value))) else {
                continue;
            };
            let id = Uuid::parse_str(id).map_err(|_| Rule::InvalidReference {
                column: column.to_string(),
                value: id.to_string(),
            })?;
            match self.incoming_village(target, id, 0) {
                Some(Some(code)) if code == village => {}
                Some(Some(found)) => return Err(Rule::OtherVillage { found }),
                Some(None) | None => {
                    return Err(Rule::UnknownReference {
                        column: column.to_string(),
                        id: id.to_string(),
                    });
                }
            }
        }
        if let Some(found) = self.stored_village(table, record.id, 0)
            && found != village
        {
            return Err(Rule::OtherVillage { found });
        }
        Ok(())
    }

    /// The village of a record as the bundle has it, else as this file has it; `None`: found
    /// nowhere; `Some(None)`: found but with no village to follow.
    fn incoming_village(
        &mut self,
        table: &'static str,
        id: Uuid,
        depth: u8,
    ) -> Option<Option<String>> {
        if depth > 8 {
            return Some(None);
        }
        if let Some(&(rows, record)) = self.index.get(&(table, id)) {
            if table == "village" {
                return Some(value_text(column_value(rows, record, "code")).map(str::to_string));
            }
            let owner = rows
                .table
                .columns
                .iter()
                .zip(record.values.iter().skip(1))
                .find_map(|(c, v)| {
                    let target = referenced(c)?;
                    let id = Uuid::parse_str(value_text(Some(v))?).ok()?;
                    Some((target, id))
                });
            return Some(
                owner.and_then(|(t, id)| self.incoming_village(t, id, depth + 1).flatten()),
            );
        }
        if self.exists(table, id) {
            return Some(self.stored_village(table, id, depth));
        }
        None
    }

    fn exists(&self, table: &str, id: Uuid) -> bool {
        self.tx
            .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))
            .and_then(|mut s| s.exists([id.to_string()]))
            .unwrap_or(false)
    }

    /// Reads, in one query per few hundred records, the village this file has for every record
    /// of `rows` (`None`: not in this file), so that checking record by record finds it in
    /// [`Check::stored`]: one lookup per record was most of the authorization's time in a
    /// county import.
    fn prefetch_stored(&mut self, rows: &TableRows) -> rusqlite::Result<()> {
        let table = rows.table.name;
        let columns: Vec<&str> = if table == "village" {
            vec!["code"]
        } else {
            owner_columns(table).to_vec()
        };
        if columns.is_empty() {
            return Ok(());
        }
        for chunk in rows.records.chunks(500) {
            let ids: Vec<String> = chunk.iter().map(|r| r.id.to_string()).collect();
            let found: Vec<(String, Vec<Option<String>>)> = self
                .tx
                .prepare_cached(&format!(
                    "SELECT id, {} FROM {table} WHERE id IN (SELECT value FROM json_each(?1))",
                    columns.join(", ")
                ))?
                .query_map([serde_json::to_string(&ids).unwrap_or_default()], |r| {
                    Ok((
                        r.get(0)?,
                        (1..=columns.len())
                            .map(|i| r.get(i))
                            .collect::<rusqlite::Result<_>>()?,
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
            for record in chunk {
                self.stored.entry((table, record.id)).or_insert(None);
            }
            for (id, values) in found {
                let Ok(id) = Uuid::parse_str(&id) else {
                    continue;
                };
                let village = if table == "village" {
                    values.into_iter().next().flatten()
                } else {
                    let mut village = None;
                    for (column, value) in columns.iter().zip(values) {
                        let (Some(target), Some(parent)) = (
                            referenced(column),
                            value.and_then(|v| Uuid::parse_str(&v).ok()),
                        ) else {
                            continue;
                        };
                        village = self.stored_village(target, parent, 1);
                        if village.is_some() {
                            break;
                        }
                    }
                    village
                };
                self.stored.insert((table, id), village);
            }
        }
        Ok(())
    }

    /// The village code of a record as this file has it (`None` if it has none).
    fn stored_village(&mut self, table: &'static str, id: Uuid, depth: u8) -> Option<String> {
        if depth > 8 {
            return None;
        }
        if let Some(found) = self.stored.get(&(table, id)) {
            return found.clone();
        }
        let found = if table == "village" {
            self.tx
                .prepare_cached("SELECT code FROM village WHERE id = ?1")
                .and_then(|mut s| s.query_row([id.to_string()], |r| r.get(0)).optional())
                .ok()
                .flatten()
        } else {
            let owners = owner_columns(table);
            let mut found = None;
            if !owners.is_empty() {
                let values: Option<Vec<Option<String>>> = self
                    .tx
                    .prepare_cached(&format!(
                        "SELECT {} FROM {table} WHERE id = ?1",
                        owners.join(", ")
                    ))
                    .and_then(|mut s| {
                        s.query_row([id.to_string()], |r| {
                            (0..owners.len()).map(|i| r.get(i)).collect()
                        })
                        .optional()
                    })
                    .ok()
                    .flatten();
                for (column, value) in owners.iter().zip(values.unwrap_or_default()) {
                    let (Some(target), Some(parent)) = (
                        referenced(column),
                        value.and_then(|v| Uuid::parse_str(&v).ok()),
                    ) else {
                        continue;
                    };
                    found = self.stored_village(target, parent, depth + 1);
                    if found.is_some() {
                        break;
                    }
                }
            }
            found
        };
        self.stored.insert((table, id), found.clone());
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    #[test]
    fn values_pass_the_checks_of_their_column_type_and_domain() {
        let int = ("INTEGER".to_string(), true);
        let txt = ("TEXT".to_string(), true);
        let opt = ("TEXT".to_string(), false);
        assert!(check_value("income_year", "year", &int, &Value::Integer(2024)).is_ok());
        assert!(matches!(
            check_value("income_year", "year", &int, &text("2024")),
            Err(Rule::WrongType { .. })
        ));
        assert!(matches!(
            check_value("income_year", "year", &int, &Value::Integer(20240)),
            Err(Rule::InvalidYear { .. })
        ));
        assert!(check_value("member", "birth_date", &txt, &text("1980-02-29")).is_ok());
        assert!(matches!(
            check_value("member", "birth_date", &txt, &text("1981-02-29")),
            Err(Rule::InvalidDate { .. })
        ));
        assert!(matches!(
            check_value("member", "birth_date", &txt, &Value::Null),
            Err(Rule::Missing { .. })
        ));
        assert!(check_value("member", "left_on", &opt, &Value::Null).is_ok());
        for fact in [-1, 0, 1] {
            assert!(check_value("household", "water_safe", &int, &Value::Integer(fact)).is_ok());
        }
        assert!(matches!(
            check_value("household", "water_safe", &int, &Value::Integer(2)),
            Err(Rule::WrongType { .. })
        ));
        assert!(check_value("member", "sex", &txt, &text("female")).is_ok());
        // A label is what a person types; a bundle carries the stored code.
        assert!(matches!(
            check_value("member", "sex", &txt, &text("女")),
            Err(Rule::UnknownCode { .. })
        ));
        assert!(check_value("household", "other_causes", &txt, &text("illness,disaster")).is_ok());
        assert!(check_value("household", "other_causes", &txt, &text("")).is_ok());
        assert!(matches!(
            check_value("household", "other_causes", &txt, &text("illness,meteor")),
            Err(Rule::UnknownCode { .. })
        ));
        assert!(matches!(
            check_value("member", "household_id", &txt, &text("121")),
            Err(Rule::InvalidReference { .. })
        ));
        assert!(matches!(
            check_value("member", "deleted", &int, &Value::Integer(7)),
            Err(Rule::WrongType { .. })
        ));
    }

    #[test]
    fn every_rule_reads_in_both_languages() {
        let rules = [
            Rule::OtherVillage { found: "x".into() },
            Rule::NewVillage { code: "x".into() },
            Rule::ClockInFuture { ahead_hours: 30 },
            Rule::SequenceJump {
                to: 1 << 62,
                highest: 3,
            },
            Rule::Cleartext,
        ];
        for rule in rules {
            let (zh, en) = (rule.describe(Lang::Zh), rule.describe(Lang::En));
            assert!(!zh.is_empty() && !en.is_empty() && zh != en);
        }
    }
}
