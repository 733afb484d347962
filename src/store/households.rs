//! Households with their members and yearly incomes: the aggregate the screens and rules work on.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{Connection, Row};
use uuid::Uuid;

use super::record::{ChangeId, Table, tombstone, write_record};
use super::rows::{code_at, uuid_at};
use super::{Result, Store, StoreError};
use crate::model::*;
use crate::rules::registry;

pub(crate) const HOUSEHOLD: Table = Table {
    name: "household",
    columns: &[
        "village_id",
        "number",
        "address",
        "phone",
        "bank_account",
        "attribute",
        "status",
        "exit_year",
        "monitored_kind",
        "main_cause",
        "other_causes",
        "housing_safe",
        "water_safe",
        "electricity",
        "radio_tv",
        "road_hardened",
        "arable_land_mu",
        "forest_land_mu",
        "in_cooperative",
        "ecommerce_sales",
        "helper_name",
    ],
};

pub(crate) const MEMBER: Table = Table {
    name: "member",
    columns: &[
        "household_id",
        "name",
        "id_number",
        "sex",
        "birth_date",
        "relation",
        "ethnicity",
        "education",
        "in_school",
        "health",
        "disability_grade",
        "labour",
        "work",
        "migrant_months",
        "medical_insurance",
        "pension_insurance",
        "dibao",
        "joined_on",
        "join_reason",
        "left_on",
        "leave_reason",
    ],
};

pub(crate) const INCOME: Table = Table {
    name: "income_year",
    columns: &[
        "household_id",
        "year",
        "wage_yuan",
        "production_yuan",
        "property_yuan",
        "transfer_yuan",
        "production_expense_yuan",
    ],
};

/// A household leaving the registry (销户): one live row at most per household.
pub(crate) const DEPARTURE: Table = Table {
    name: "household_departure",
    columns: &["household_id", "date", "reason", "note"],
};

pub(crate) const TABLES: &[&Table] = &[&HOUSEHOLD, &MEMBER, &INCOME, &DEPARTURE];

/// Stored form of a household status: (code, exit year, monitored kind).
pub(crate) fn status_columns(
    status: HouseholdStatus,
) -> (&'static str, Option<i32>, Option<&'static str>) {
    match status {
        HouseholdStatus::Unassessed => ("unassessed", None, None),
        HouseholdStatus::NotRegistered => ("not_registered", None, None),
        HouseholdStatus::Registered => ("registered", None, None),
        HouseholdStatus::Exited { year } => ("exited", Some(year), None),
        HouseholdStatus::Monitored { kind } => ("monitored", None, Some(kind.code())),
    }
}

#[cfg(test)]
#[test]
fn every_status_code_is_listed_and_reads_back() {
    let statuses = [
        HouseholdStatus::Unassessed,
        HouseholdStatus::NotRegistered,
        HouseholdStatus::Registered,
        HouseholdStatus::Exited { year: 2019 },
        HouseholdStatus::Monitored {
            kind: MonitoredKind::SuddenHardship,
        },
    ];
    let codes: Vec<&str> = statuses.iter().map(|s| status_columns(*s).0).collect();
    assert_eq!(codes, super::STATUS_CODES);
    for s in statuses {
        let (code, year, kind) = status_columns(s);
        assert_eq!(status_from(code, year, kind.map(str::to_string)), s);
    }
}

fn status_from(code: &str, exit_year: Option<i32>, kind: Option<String>) -> HouseholdStatus {
    match code {
        "unassessed" => HouseholdStatus::Unassessed,
        "registered" => HouseholdStatus::Registered,
        "exited" => HouseholdStatus::Exited {
            year: exit_year.unwrap_or_default(),
        },
        "monitored" => HouseholdStatus::Monitored {
            kind: kind
                .as_deref()
                .and_then(MonitoredKind::parse)
                .unwrap_or(MonitoredKind::Marginal),
        },
        _ => HouseholdStatus::NotRegistered,
    }
}

pub(crate) fn causes_text(causes: &[Cause]) -> String {
    causes
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(",")
}

fn causes_from(text: &str) -> Vec<Cause> {
    text.split(',').filter_map(Cause::parse).collect()
}

/// Stored code of a living-condition fact that has not been recorded (未填). The columns are
/// `INTEGER NOT NULL` 0/1; a third code keeps them as they are, so no table rebuild is needed and
/// older rows (always 0 or 1) read unchanged.
pub(crate) const FACT_UNKNOWN: i64 = -1;

pub(crate) fn fact_value(fact: Option<bool>) -> Value {
    Value::Integer(fact.map_or(FACT_UNKNOWN, i64::from))
}

fn fact_at(row: &Row, i: usize) -> rusqlite::Result<Option<bool>> {
    let code: i64 = row.get(i)?;
    Ok(match code {
        FACT_UNKNOWN => None,
        0 => Some(false),
        _ => Some(true),
    })
}

pub(crate) fn household_values(h: &Household) -> Vec<Value> {
    let (status, exit_year, kind) = status_columns(h.status);
    let l = &h.living;
    vec![
        h.village_id.to_string().into(),
        h.number.trim().to_string().into(),
        h.address.clone().into(),
        h.phone.clone().into(),
        h.bank_account.clone().into(),
        h.attribute.code().to_string().into(),
        status.to_string().into(),
        exit_year.map(i64::from).into(),
        kind.map(str::to_string).into(),
        h.main_cause.map(|c| c.code().to_string()).into(),
        causes_text(&h.other_causes).into(),
        fact_value(l.housing_safe),
        fact_value(l.water_safe),
        fact_value(l.electricity),
        fact_value(l.radio_tv),
        l.road_hardened.into(),
        l.arable_land_mu.into(),
        l.forest_land_mu.into(),
        l.in_cooperative.into(),
        l.ecommerce_sales.into(),
        h.unmatched_helper_name.clone().into(),
    ]
}

pub(crate) fn member_values(m: &Member) -> Vec<Value> {
    vec![
        m.household_id.to_string().into(),
        m.name.trim().to_string().into(),
        m.id_number.trim().to_ascii_uppercase().into(),
        m.sex.code().to_string().into(),
        m.birth_date.to_string().into(),
        m.relation.code().to_string().into(),
        m.ethnicity.clone().into(),
        m.education.code().to_string().into(),
        m.in_school.into(),
        m.health.code().to_string().into(),
        m.disability_grade.map(i64::from).into(),
        m.labour.code().to_string().into(),
        m.work.code().to_string().into(),
        i64::from(m.migrant_months).into(),
        m.medical_insurance.into(),
        m.pension_insurance.into(),
        m.dibao.into(),
        m.joined_on.map(|d| d.to_string()).into(),
        m.join_reason.code().to_string().into(),
        m.left_on.map(|d| d.to_string()).into(),
        m.leave_reason.map(|r| r.code().to_string()).into(),
    ]
}

pub(crate) fn departure_values(d: &HouseholdDeparture) -> Vec<Value> {
    vec![
        d.household_id.to_string().into(),
        d.date.to_string().into(),
        d.reason.code().to_string().into(),
        d.note.clone().into(),
    ]
}

pub(crate) fn income_values(i: &IncomeYear) -> Vec<Value> {
    vec![
        i.household_id.to_string().into(),
        i64::from(i.year).into(),
        i.wage_yuan.into(),
        i.production_yuan.into(),
        i.property_yuan.into(),
        i.transfer_yuan.into(),
        i.production_expense_yuan.into(),
    ]
}

const HOUSEHOLD_SELECT: &str = "SELECT id, village_id, number, address, phone, bank_account, attribute, status, exit_year,
    monitored_kind, main_cause, other_causes, housing_safe, water_safe, electricity, radio_tv, road_hardened,
    arable_land_mu, forest_land_mu, in_cooperative, ecommerce_sales, helper_name FROM household";

fn household_from(row: &Row) -> rusqlite::Result<Household> {
    let status: String = row.get(7)?;
    let main_cause: Option<String> = row.get(10)?;
    let other: String = row.get(11)?;
    Ok(Household {
        id: uuid_at(row, 0)?,
        village_id: uuid_at(row, 1)?,
        number: row.get(2)?,
        address: row.get(3)?,
        phone: row.get(4)?,
        bank_account: row.get(5)?,
        attribute: code_at(row, 6, PovertyAttribute::parse, PovertyAttribute::General)?,
        status: status_from(&status, row.get(8)?, row.get(9)?),
        main_cause: main_cause.as_deref().and_then(Cause::parse),
        other_causes: causes_from(&other),
        living: LivingConditions {
            housing_safe: fact_at(row, 12)?,
            water_safe: fact_at(row, 13)?,
            electricity: fact_at(row, 14)?,
            radio_tv: fact_at(row, 15)?,
            road_hardened: row.get(16)?,
            arable_land_mu: row.get(17)?,
            forest_land_mu: row.get(18)?,
            in_cooperative: row.get(19)?,
            ecommerce_sales: row.get(20)?,
        },
        unmatched_helper_name: row.get(21)?,
    })
}

const MEMBER_SELECT: &str = "SELECT id, household_id, name, id_number, sex, birth_date, relation, ethnicity, education,
    in_school, health, disability_grade, labour, work, migrant_months, medical_insurance, pension_insurance, dibao,
    joined_on, join_reason, left_on, leave_reason
    FROM member";

fn optional_date(row: &Row, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let text: Option<String> = row.get(i)?;
    text.map(|t| {
        NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .transpose()
}

const DEPARTURE_SELECT: &str =
    "SELECT id, household_id, date, reason, note FROM household_departure";

fn departure_from(row: &Row) -> rusqlite::Result<HouseholdDeparture> {
    Ok(HouseholdDeparture {
        id: uuid_at(row, 0)?,
        household_id: uuid_at(row, 1)?,
        date: optional_date(row, 2)?.unwrap_or_default(),
        reason: code_at(
            row,
            3,
            HouseholdLeaveReason::parse,
            HouseholdLeaveReason::OtherHouseholdLeave,
        )?,
        note: row.get(4)?,
    })
}

fn member_from(row: &Row) -> rusqlite::Result<Member> {
    let birth: String = row.get(5)?;
    Ok(Member {
        id: uuid_at(row, 0)?,
        household_id: uuid_at(row, 1)?,
        name: row.get(2)?,
        id_number: row.get(3)?,
        sex: code_at(row, 4, Sex::parse, Sex::Male)?,
        birth_date: NaiveDate::parse_from_str(&birth, "%Y-%m-%d").map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e))
        })?,
        relation: code_at(row, 6, Relation::parse, Relation::OtherRelation)?,
        ethnicity: row.get(7)?,
        education: code_at(row, 8, Education::parse, Education::Primary)?,
        in_school: row.get(9)?,
        health: code_at(row, 10, Health::parse, Health::Healthy)?,
        disability_grade: row.get(11)?,
        labour: code_at(row, 12, LabourAbility::parse, LabourAbility::Normal)?,
        work: code_at(row, 13, WorkStatus::parse, WorkStatus::Farming)?,
        migrant_months: row.get(14)?,
        medical_insurance: row.get(15)?,
        pension_insurance: row.get(16)?,
        dibao: row.get(17)?,
        joined_on: optional_date(row, 18)?,
        join_reason: code_at(row, 19, JoinReason::parse, JoinReason::Registered)?,
        left_on: optional_date(row, 20)?,
        leave_reason: row
            .get::<_, Option<String>>(21)?
            .as_deref()
            .and_then(LeaveReason::parse),
    })
}

/// Puts a loaded member where it belongs: among the members now, or those who left.
fn place_member(record: &mut HouseholdRecord, member: Member) {
    if member.has_left() {
        record.former_members.push(member);
    } else {
        record.members.push(member);
    }
}

fn sort_members(members: &mut [Member]) {
    members.sort_by(|a, b| {
        (a.relation, a.birth_date, &a.name).cmp(&(b.relation, b.birth_date, &b.name))
    });
}

const INCOME_SELECT: &str =
    "SELECT id, household_id, year, wage_yuan, production_yuan, property_yuan, transfer_yuan,
    production_expense_yuan FROM income_year";

fn income_from(row: &Row) -> rusqlite::Result<IncomeYear> {
    Ok(IncomeYear {
        id: uuid_at(row, 0)?,
        household_id: uuid_at(row, 1)?,
        year: row.get(2)?,
        wage_yuan: row.get(3)?,
        production_yuan: row.get(4)?,
        property_yuan: row.get(5)?,
        transfer_yuan: row.get(6)?,
        production_expense_yuan: row.get(7)?,
    })
}

/// Loads the live households (of one village, or all) with their live members and incomes,
/// ordered by village and household number; members by relation then birth date.
pub(crate) fn load_records(
    conn: &Connection,
    village: Option<Uuid>,
) -> Result<Vec<HouseholdRecord>> {
    let village_text = village.map(|v| v.to_string());
    let (where_h, where_child) = if village.is_some() {
        (
            " WHERE deleted = 0 AND village_id = ?1 ORDER BY village_id, number",
            " WHERE deleted = 0 AND household_id IN (SELECT id FROM household WHERE village_id = ?1 AND deleted = 0)",
        )
    } else {
        (
            " WHERE deleted = 0 ORDER BY village_id, number",
            " WHERE deleted = 0",
        )
    };
    let args: Vec<&dyn rusqlite::ToSql> = match &village_text {
        Some(v) => vec![v],
        None => vec![],
    };

    let mut records: Vec<HouseholdRecord> = Vec::new();
    let mut index: HashMap<Uuid, usize> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(&format!("{HOUSEHOLD_SELECT}{where_h}"))?;
        let rows = stmt.query_map(args.as_slice(), household_from)?;
        for household in rows {
            let household = household?;
            index.insert(household.id, records.len());
            records.push(HouseholdRecord {
                household,
                members: Vec::new(),
                incomes: Vec::new(),
                former_members: Vec::new(),
                departure: None,
            });
        }
    }
    {
        let mut stmt = conn.prepare_cached(&format!("{MEMBER_SELECT}{where_child}"))?;
        let rows = stmt.query_map(args.as_slice(), member_from)?;
        for member in rows {
            let member = member?;
            if let Some(&i) = index.get(&member.household_id) {
                place_member(&mut records[i], member);
            }
        }
    }
    {
        let mut stmt = conn.prepare_cached(&format!("{DEPARTURE_SELECT}{where_child}"))?;
        let rows = stmt.query_map(args.as_slice(), departure_from)?;
        for departure in rows {
            let departure = departure?;
            if let Some(&i) = index.get(&departure.household_id) {
                records[i].departure = Some(departure);
            }
        }
    }
    {
        let mut stmt = conn.prepare_cached(&format!("{INCOME_SELECT}{where_child}"))?;
        let rows = stmt.query_map(args.as_slice(), income_from)?;
        for income in rows {
            let income = income?;
            if let Some(&i) = index.get(&income.household_id) {
                records[i].incomes.push(income);
            }
        }
    }
    for record in &mut records {
        sort_members(&mut record.members);
        sort_members(&mut record.former_members);
        record.incomes.sort_by_key(|i| i.year);
    }
    Ok(records)
}

/// Tombstones a household with its departure, members and incomes (inside a change).
pub(crate) fn tombstone_household(
    tx: &rusqlite::Transaction,
    ctx: &super::record::ChangeContext,
    record: &HouseholdRecord,
) -> Result<bool> {
    if let Some(d) = &record.departure {
        tombstone(tx, ctx, &DEPARTURE, d.id)?;
    }
    for m in &record.former_members {
        tombstone(tx, ctx, &MEMBER, m.id)?;
    }
    for m in &record.members {
        tombstone(tx, ctx, &MEMBER, m.id)?;
    }
    for i in &record.incomes {
        tombstone(tx, ctx, &INCOME, i.id)?;
    }
    tombstone(tx, ctx, &HOUSEHOLD, record.household.id)
}

/// Maps SQLite's unique-constraint failure to the error a person can act on.
pub(crate) fn unique_violation(err: StoreError, map: impl FnOnce() -> StoreError) -> StoreError {
    match &err {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            map()
        }
        _ => err,
    }
}

impl Store {
    /// All live households of a village (or of the whole file) with members and incomes.
    pub fn household_records(&self, village: Option<Uuid>) -> Result<Vec<HouseholdRecord>> {
        load_records(&self.conn, village)
    }

    /// One live household with its members and incomes.
    pub fn household_record(&self, id: Uuid) -> Result<HouseholdRecord> {
        let household = self
            .conn
            .query_row(
                &format!("{HOUSEHOLD_SELECT} WHERE id = ?1 AND deleted = 0"),
                [id.to_string()],
                household_from,
            )
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound {
                    what: "household",
                    id: id.to_string(),
                },
                e => e.into(),
            })?;
        let everyone: Vec<Member> = self
            .conn
            .prepare_cached(&format!(
                "{MEMBER_SELECT} WHERE household_id = ?1 AND deleted = 0"
            ))?
            .query_map([id.to_string()], member_from)?
            .collect::<rusqlite::Result<_>>()?;
        let departure = self
            .conn
            .prepare_cached(&format!(
                "{DEPARTURE_SELECT} WHERE household_id = ?1 AND deleted = 0"
            ))?
            .query_map([id.to_string()], departure_from)?
            .next()
            .transpose()?;
        let incomes: Vec<IncomeYear> = self
            .conn
            .prepare_cached(&format!(
                "{INCOME_SELECT} WHERE household_id = ?1 AND deleted = 0 ORDER BY year"
            ))?
            .query_map([id.to_string()], income_from)?
            .collect::<rusqlite::Result<_>>()?;
        let mut record = HouseholdRecord {
            household,
            members: Vec::new(),
            incomes,
            former_members: Vec::new(),
            departure,
        };
        for member in everyone {
            place_member(&mut record, member);
        }
        sort_members(&mut record.members);
        sort_members(&mut record.former_members);
        Ok(record)
    }

    /// Number of live households (of one village or the whole file).
    pub fn household_count(&self, village: Option<Uuid>) -> Result<i64> {
        Ok(match village {
            Some(v) => self.conn.query_row(
                "SELECT count(*) FROM household WHERE deleted = 0 AND village_id = ?1",
                [v.to_string()],
                |r| r.get(0),
            )?,
            None => self.conn.query_row(
                "SELECT count(*) FROM household WHERE deleted = 0",
                [],
                |r| r.get(0),
            )?,
        })
    }

    /// Inserts or updates a household after validating it. `Ok(None)` means nothing differed.
    pub fn save_household(&mut self, h: &Household) -> Result<Option<ChangeId>> {
        let errors = registry::validate_household(h);
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let number = h.number.trim().to_string();
        self.change(|tx, ctx| write_record(tx, ctx, &HOUSEHOLD, h.id, &household_values(h)))
            .map_err(|e| unique_violation(e, || StoreError::DuplicateHouseholdNumber(number)))
    }

    /// Inserts or updates a member after validating it against `today`.
    pub fn save_member(&mut self, m: &Member, today: NaiveDate) -> Result<Option<ChangeId>> {
        let errors = registry::validate_member(m, today);
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        self.change(|tx, ctx| write_record(tx, ctx, &MEMBER, m.id, &member_values(m)))
    }

    /// Inserts or updates a yearly income record after validating it.
    pub fn save_income(&mut self, i: &IncomeYear, today: NaiveDate) -> Result<Option<ChangeId>> {
        let errors = registry::validate_income(i, today);
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let year = i.year;
        self.change(|tx, ctx| write_record(tx, ctx, &INCOME, i.id, &income_values(i)))
            .map_err(|e| unique_violation(e, || StoreError::DuplicateIncomeYear(year)))
    }

    /// Records a household leaving the registry (销户) with its date and reason; the household,
    /// its members and its incomes stay. Saving again corrects the date or reason.
    pub fn save_departure(
        &mut self,
        d: &HouseholdDeparture,
        today: NaiveDate,
    ) -> Result<Option<ChangeId>> {
        if d.date > today {
            return Err(StoreError::Invalid(vec![registry::FieldError {
                field: registry::Field::LeftOn,
                problem: registry::Problem::InFuture(d.date),
            }]));
        }
        self.change(|tx, ctx| write_record(tx, ctx, &DEPARTURE, d.id, &departure_values(d)))
    }

    /// Takes a departure back (the household returns to the registry), as a tombstone.
    pub fn delete_departure(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        self.change(|tx, ctx| tombstone(tx, ctx, &DEPARTURE, id))
    }

    /// Deletes a household together with its members and incomes (as tombstones, one change).
    /// For a household entered by mistake; a household that left the registry is recorded with
    /// [`Store::save_departure`] instead, and stays.
    pub fn delete_household(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        let record = self.household_record(id)?;
        self.change(|tx, ctx| tombstone_household(tx, ctx, &record))
    }

    pub fn delete_member(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        self.change(|tx, ctx| tombstone(tx, ctx, &MEMBER, id))
    }

    pub fn delete_income(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        self.change(|tx, ctx| tombstone(tx, ctx, &INCOME, id))
    }

    /// Bulk-loads generated households (demo data) without workflow records; see
    /// [`Store::insert_generated_with_workflow`].
    pub fn insert_generated(
        &mut self,
        village: &Village,
        records: &[HouseholdRecord],
    ) -> Result<()> {
        self.insert_generated_with_workflow(village, records, &VillageWorkflow::default())
    }
}
