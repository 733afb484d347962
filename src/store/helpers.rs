//! Personnel of a village (因村派人): the assigned helpers (帮扶责任人) with the households they
//! answer for, and the village work team (驻村工作队) led by the first secretary.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, Transaction};
use uuid::Uuid;

use super::record::{ChangeContext, ChangeId, Table, tombstone, write_record};
use super::rows::*;
use super::{Result, Store, StoreError};
use crate::model::{Helper, Household, TeamMember, TeamRole};
use crate::rules::helper_match::{HelperMatch, match_helper};
use crate::rules::workflow_records as check;

pub(crate) const HELPER: Table = Table {
    name: "helper",
    columns: &["village_id", "name", "unit", "phone"],
};

/// One row per (helper, household) assignment.
pub(crate) const HOUSEHOLD_HELPER: Table = Table {
    name: "household_helper",
    columns: &["helper_id", "household_id"],
};

pub(crate) const TEAM_MEMBER: Table = Table {
    name: "team_member",
    columns: &[
        "village_id",
        "name",
        "role",
        "unit",
        "phone",
        "term_start",
        "term_end",
    ],
};

pub(crate) const TABLES: &[&Table] = &[&HELPER, &HOUSEHOLD_HELPER, &TEAM_MEMBER];

pub(crate) fn helper_values(h: &Helper) -> Vec<Value> {
    vec![
        uuid_value(h.village_id),
        text_value(&h.name),
        text_value(&h.unit),
        text_value(&h.phone),
    ]
}

fn helper_from(row: &Row) -> rusqlite::Result<Helper> {
    Ok(Helper {
        id: uuid_at(row, 0)?,
        village_id: uuid_at(row, 1)?,
        name: row.get(2)?,
        unit: row.get(3)?,
        phone: row.get(4)?,
        household_ids: Vec::new(),
    })
}

pub(crate) fn team_values(m: &TeamMember) -> Vec<Value> {
    vec![
        uuid_value(m.village_id),
        text_value(&m.name),
        m.role.code().to_string().into(),
        text_value(&m.unit),
        text_value(&m.phone),
        date_value(m.term_start),
        opt_date_value(m.term_end),
    ]
}

fn team_from(row: &Row) -> rusqlite::Result<TeamMember> {
    Ok(TeamMember {
        id: uuid_at(row, 0)?,
        village_id: uuid_at(row, 1)?,
        name: row.get(2)?,
        role: code_at(row, 3, TeamRole::parse, TeamRole::Member)?,
        unit: row.get(4)?,
        phone: row.get(5)?,
        term_start: date_at(row, 6)?,
        term_end: opt_date_at(row, 7)?,
    })
}

/// Makes the helpers assigned to `household_id` exactly `helper_ids` (the household's side of
/// [`HOUSEHOLD_HELPER`]), inside the caller's change. Returns whether anything changed.
pub(crate) fn set_household_helpers(
    tx: &Transaction,
    ctx: &ChangeContext,
    household_id: Uuid,
    helper_ids: &[Uuid],
) -> Result<bool> {
    let existing: Vec<(Uuid, Uuid)> = tx
        .prepare_cached(
            "SELECT id, helper_id FROM household_helper WHERE deleted = 0 AND household_id = ?1",
        )?
        .query_map([household_id.to_string()], |row| {
            Ok((uuid_at(row, 0)?, uuid_at(row, 1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut changed = false;
    for (link, helper) in &existing {
        if !helper_ids.contains(helper) {
            changed |= tombstone(tx, ctx, &HOUSEHOLD_HELPER, *link)?;
        }
    }
    let mut present: Vec<Uuid> = existing.iter().map(|(_, helper)| *helper).collect();
    for helper in helper_ids {
        if !present.contains(helper) {
            let values = [uuid_value(*helper), uuid_value(household_id)];
            changed |= write_record(tx, ctx, &HOUSEHOLD_HELPER, Uuid::new_v4(), &values)?;
            present.push(*helper);
        }
    }
    Ok(changed)
}

/// Adds `helper_id` to the helpers of `household_id` (keeping the others), inside the caller's
/// change. Returns whether anything changed.
pub(crate) fn add_household_helper(
    tx: &Transaction,
    ctx: &ChangeContext,
    household_id: Uuid,
    helper_id: Uuid,
) -> Result<bool> {
    let mut helpers: Vec<Uuid> = tx
        .prepare_cached(
            "SELECT helper_id FROM household_helper WHERE deleted = 0 AND household_id = ?1",
        )?
        .query_map([household_id.to_string()], |row| uuid_at(row, 0))?
        .collect::<rusqlite::Result<_>>()?;
    if helpers.contains(&helper_id) {
        return Ok(false);
    }
    helpers.push(helper_id);
    set_household_helpers(tx, ctx, household_id, &helpers)
}

/// The live helpers of a village as `(id, name)`, for matching a free-text name.
pub(crate) fn helper_names(conn: &Connection, village_id: Uuid) -> Result<Vec<(Uuid, String)>> {
    Ok(conn
        .prepare_cached("SELECT id, name FROM helper WHERE deleted = 0 AND village_id = ?1")?
        .query_map([village_id.to_string()], |row| {
            Ok((uuid_at(row, 0)?, row.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Turns a household's free-text helper name into register assignments when it names helpers of
/// its village — one name, or several joined by 、 as the register export writes them — each
/// exactly once (the text is then cleared); otherwise the text stays as the note.
/// Returns the household as it is to be written, and the helpers to assign.
pub(crate) fn resolve_helper_name(
    conn: &Connection,
    household: &Household,
) -> Result<(Household, Vec<Uuid>)> {
    let mut household = household.clone();
    if household.unmatched_helper_name.trim().is_empty() {
        household.unmatched_helper_name.clear();
        return Ok((household, Vec::new()));
    }
    let register = helper_names(conn, household.village_id)?;
    let mut helpers = Vec::new();
    for name in household.unmatched_helper_name.split('、') {
        let matched = match_helper(name, register.iter().map(|(id, name)| (*id, name.as_str())));
        match matched {
            HelperMatch::Helper(id) => helpers.push(id),
            HelperMatch::Blank | HelperMatch::Unmatched | HelperMatch::Ambiguous => {
                return Ok((household, Vec::new()));
            }
        }
    }
    household.unmatched_helper_name.clear();
    Ok((household, helpers))
}

/// The live helpers of a village with their households, by name.
pub(crate) fn load_helpers(conn: &Connection, village_id: Uuid) -> Result<Vec<Helper>> {
    let village = village_id.to_string();
    let mut helpers = live_rows(
        conn,
        &HELPER,
        "village_id = ?1",
        &village,
        "name, id",
        helper_from,
    )?;
    let mut assigned = links(
        conn,
        &HOUSEHOLD_HELPER,
        "helper_id IN (SELECT id FROM helper WHERE village_id = ?1 AND deleted = 0)",
        &village,
    )?;
    for h in &mut helpers {
        h.household_ids = assigned.remove(&h.id).unwrap_or_default();
    }
    Ok(helpers)
}

/// The live work team of a village: first secretary first, then by start of term.
pub(crate) fn load_team(conn: &Connection, village_id: Uuid) -> Result<Vec<TeamMember>> {
    let mut team = live_rows(
        conn,
        &TEAM_MEMBER,
        "village_id = ?1",
        &village_id.to_string(),
        "term_start, name, id",
        team_from,
    )?;
    team.sort_by_key(|m| m.role);
    Ok(team)
}

impl Store {
    /// The helpers of a village, each with the households assigned to them.
    pub fn helpers(&self, village_id: Uuid) -> Result<Vec<Helper>> {
        load_helpers(&self.conn, village_id)
    }

    /// The helpers assigned to one household, each with all their households.
    pub fn helpers_of_household(&self, household_id: Uuid) -> Result<Vec<Helper>> {
        let household = household_id.to_string();
        let of_household =
            "SELECT helper_id FROM household_helper WHERE household_id = ?1 AND deleted = 0";
        let mut helpers = live_rows(
            &self.conn,
            &HELPER,
            &format!("id IN ({of_household})"),
            &household,
            "name, id",
            helper_from,
        )?;
        let mut assigned = links(
            &self.conn,
            &HOUSEHOLD_HELPER,
            &format!("helper_id IN ({of_household})"),
            &household,
        )?;
        for h in &mut helpers {
            h.household_ids = assigned.remove(&h.id).unwrap_or_default();
        }
        Ok(helpers)
    }

    /// Inserts or updates a helper and makes their assigned households exactly
    /// `household_ids`, in one change.
    pub fn save_helper(&mut self, h: &Helper) -> Result<Option<ChangeId>> {
        let errors = check::validate_helper(h);
        if !errors.is_empty() {
            return Err(StoreError::InvalidWorkflow(errors));
        }
        self.change(|tx, ctx| {
            let changed = write_record(tx, ctx, &HELPER, h.id, &helper_values(h))?;
            Ok(sync_links(tx, ctx, &HOUSEHOLD_HELPER, h.id, &h.household_ids)? | changed)
        })
    }

    /// Saves a household together with the helpers assigned to it (the register's assignments,
    /// made exactly `helper_ids`), in one change: the household form's one save.
    pub fn save_household_with_helpers(
        &mut self,
        h: &Household,
        helper_ids: &[Uuid],
    ) -> Result<Option<ChangeId>> {
        let errors = crate::rules::registry::validate_household(h);
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let number = h.number.trim().to_string();
        self.change(|tx, ctx| {
            let changed = write_record(
                tx,
                ctx,
                &super::households::HOUSEHOLD,
                h.id,
                &super::households::household_values(h),
            )?;
            Ok(set_household_helpers(tx, ctx, h.id, helper_ids)? | changed)
        })
        .map_err(|e| {
            super::households::unique_violation(e, || StoreError::DuplicateHouseholdNumber(number))
        })
    }

    /// Deletes a helper and their assignments. Measures naming the helper keep the name of
    /// their unit, so the plan still says who answered for them.
    pub fn delete_helper(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        self.change(|tx, ctx| {
            let dropped = drop_links(tx, ctx, &HOUSEHOLD_HELPER, id)?;
            Ok(tombstone(tx, ctx, &HELPER, id)? | dropped)
        })
    }

    /// The work team of a village.
    /// The work team of the village household `household_id` belongs to (empty when the
    /// household is not stored).
    pub fn team_of_household(&self, household_id: Uuid) -> Result<Vec<TeamMember>> {
        let village: Option<String> = self
            .conn
            .query_row(
                "SELECT village_id FROM household WHERE id = ?1",
                [household_id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        match village.and_then(|v| Uuid::parse_str(&v).ok()) {
            Some(v) => self.team(v),
            None => Ok(Vec::new()),
        }
    }

    pub fn team(&self, village_id: Uuid) -> Result<Vec<TeamMember>> {
        load_team(&self.conn, village_id)
    }

    pub fn save_team_member(&mut self, m: &TeamMember) -> Result<Option<ChangeId>> {
        let errors = check::validate_team_member(m);
        if !errors.is_empty() {
            return Err(StoreError::InvalidWorkflow(errors));
        }
        self.change(|tx, ctx| write_record(tx, ctx, &TEAM_MEMBER, m.id, &team_values(m)))
    }

    pub fn delete_team_member(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        self.change(|tx, ctx| tombstone(tx, ctx, &TEAM_MEMBER, id))
    }
}
