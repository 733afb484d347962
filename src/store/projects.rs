//! Village projects (项目安排精准) and the households each one serves.

use rusqlite::types::Value;
use rusqlite::{Connection, Row};
use uuid::Uuid;

use super::record::{ChangeId, Table, tombstone, write_record};
use super::rows::*;
use super::{Result, Store, StoreError};
use crate::model::{Project, ProjectKind};
use crate::rules::workflow_records as check;

pub(crate) const PROJECT: Table = Table {
    name: "project",
    columns: &[
        "village_id",
        "name",
        "kind",
        "budget_yuan",
        "start_date",
        "end_date",
    ],
};

/// One row per (project, household served).
pub(crate) const PROJECT_HOUSEHOLD: Table = Table {
    name: "project_household",
    columns: &["project_id", "household_id"],
};

pub(crate) const TABLES: &[&Table] = &[&PROJECT, &PROJECT_HOUSEHOLD];

pub(crate) fn project_values(p: &Project) -> Vec<Value> {
    vec![
        uuid_value(p.village_id),
        text_value(&p.name),
        p.kind.code().to_string().into(),
        p.budget_yuan.into(),
        date_value(p.start),
        opt_date_value(p.end),
    ]
}

fn project_from(row: &Row) -> rusqlite::Result<Project> {
    Ok(Project {
        id: uuid_at(row, 0)?,
        village_id: uuid_at(row, 1)?,
        name: row.get(2)?,
        kind: code_at(row, 3, ProjectKind::parse, ProjectKind::Other)?,
        budget_yuan: row.get(4)?,
        start: date_at(row, 5)?,
        end: opt_date_at(row, 6)?,
        household_ids: Vec::new(),
    })
}

/// The live projects of a village with the households they serve, by start date.
pub(crate) fn load_projects(conn: &Connection, village_id: Uuid) -> Result<Vec<Project>> {
    let village = village_id.to_string();
    let mut projects = live_rows(
        conn,
        &PROJECT,
        "village_id = ?1",
        &village,
        "start_date, name, id",
        project_from,
    )?;
    let mut served = links(
        conn,
        &PROJECT_HOUSEHOLD,
        "project_id IN (SELECT id FROM project WHERE village_id = ?1 AND deleted = 0)",
        &village,
    )?;
    for p in &mut projects {
        p.household_ids = served.remove(&p.id).unwrap_or_default();
    }
    Ok(projects)
}

impl Store {
    /// The projects of a village, each with the households it serves.
    pub fn projects(&self, village_id: Uuid) -> Result<Vec<Project>> {
        load_projects(&self.conn, village_id)
    }

    /// Inserts or updates a project and makes the households it serves exactly
    /// `household_ids`, in one change.
    pub fn save_project(&mut self, p: &Project) -> Result<Option<ChangeId>> {
        let errors = check::validate_project(p);
        if !errors.is_empty() {
            return Err(StoreError::InvalidWorkflow(errors));
        }
        self.change(|tx, ctx| {
            let changed = write_record(tx, ctx, &PROJECT, p.id, &project_values(p))?;
            Ok(sync_links(tx, ctx, &PROJECT_HOUSEHOLD, p.id, &p.household_ids)? | changed)
        })
    }

    /// Deletes a project and its household links. Measures and fund entries that name it keep
    /// the id, so the Funds panel can still show where the money was meant to go.
    pub fn delete_project(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        self.change(|tx, ctx| {
            let dropped = drop_links(tx, ctx, &PROJECT_HOUSEHOLD, id)?;
            Ok(tombstone(tx, ctx, &PROJECT, id)? | dropped)
        })
    }
}
