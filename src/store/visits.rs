//! Follow-up visits (走访记录) and their photos. A visit form autosaves as a draft (`is_draft`),
//! so a crash loses at most the seconds since the last save; finishing the form saves the same
//! record with `is_draft = false`.
//!
//! Photos are copied into the database as BLOBs with their SHA-256, so the store stays one file
//! that a sync bundle can carry and a photo can be checked against its hash after travelling.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::record::{ChangeId, Table, tombstone, write_record};
use super::rows::*;
use super::{Result, Store, StoreError};
use crate::model::{RiskEvent, Visit, VisitChecklist, VisitIncome, VisitKind, VisitPhoto};
use crate::rules::workflow_records as check;

/// Largest photo accepted (5 MiB): a phone photo at a sensible resolution fits, and a village
/// file with a few thousand visits stays small enough to copy and sync.
pub const MAX_PHOTO_BYTES: u64 = 5 * 1024 * 1024;

pub(crate) const VISIT: Table = Table {
    name: "visit",
    columns: &[
        "household_id",
        "date",
        "visitors",
        "kind",
        "notes",
        "food_ok",
        "clothing_ok",
        "education_ok",
        "medical_ok",
        "housing_ok",
        "income_year",
        "wage_yuan",
        "production_yuan",
        "property_yuan",
        "transfer_yuan",
        "production_expense_yuan",
        "risk_events",
        "problems",
        "next_actions",
        "is_draft",
    ],
};

pub(crate) const VISIT_PHOTO: Table = Table {
    name: "visit_photo",
    columns: &["visit_id", "sha256", "file_name", "size_bytes", "bytes"],
};

pub(crate) const TABLES: &[&Table] = &[&VISIT, &VISIT_PHOTO];

fn risk_events_text(events: &[RiskEvent]) -> String {
    events
        .iter()
        .map(|e| e.code())
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn visit_values(v: &Visit) -> Vec<Value> {
    let c = &v.checklist;
    let income = v.income.as_ref();
    let item = |get: fn(&VisitIncome) -> Option<f64>| -> Value { income.and_then(get).into() };
    vec![
        uuid_value(v.household_id),
        date_value(v.date),
        text_value(&v.visitors),
        v.kind.code().to_string().into(),
        v.notes.clone().into(),
        c.food.into(),
        c.clothing.into(),
        c.education.into(),
        c.medical.into(),
        c.housing.into(),
        income.map(|i| i64::from(i.year)).into(),
        item(|i| i.wage_yuan),
        item(|i| i.production_yuan),
        item(|i| i.property_yuan),
        item(|i| i.transfer_yuan),
        item(|i| i.production_expense_yuan),
        risk_events_text(&v.risk_events).into(),
        v.problems.clone().into(),
        v.next_actions.clone().into(),
        v.is_draft.into(),
    ]
}

fn visit_from(row: &Row) -> rusqlite::Result<Visit> {
    let income_year: Option<i32> = row.get(11)?;
    let income = match income_year {
        Some(year) => Some(VisitIncome {
            year,
            wage_yuan: row.get(12)?,
            production_yuan: row.get(13)?,
            property_yuan: row.get(14)?,
            transfer_yuan: row.get(15)?,
            production_expense_yuan: row.get(16)?,
        }),
        None => None,
    };
    let events: String = row.get(17)?;
    Ok(Visit {
        id: uuid_at(row, 0)?,
        household_id: uuid_at(row, 1)?,
        date: date_at(row, 2)?,
        visitors: row.get(3)?,
        kind: code_at(row, 4, VisitKind::parse, VisitKind::Routine)?,
        notes: row.get(5)?,
        checklist: VisitChecklist {
            food: row.get(6)?,
            clothing: row.get(7)?,
            education: row.get(8)?,
            medical: row.get(9)?,
            housing: row.get(10)?,
        },
        income,
        risk_events: events.split(',').filter_map(RiskEvent::parse).collect(),
        problems: row.get(18)?,
        next_actions: row.get(19)?,
        is_draft: row.get(20)?,
    })
}

const VISIT_ORDER: &str = "household_id, date, id";

pub(crate) fn load_visits(conn: &Connection, village_id: Uuid) -> Result<Vec<Visit>> {
    live_rows(
        conn,
        &VISIT,
        OF_VILLAGE_HOUSEHOLDS,
        &village_id.to_string(),
        VISIT_ORDER,
        visit_from,
    )
}

/// Photo descriptions (without the bytes) of the live visits matching `filter` over `visit_id`.
fn photos_where(conn: &Connection, filter: &str, arg: &str) -> Result<Vec<VisitPhoto>> {
    let sql = format!(
        "SELECT id, visit_id, sha256, file_name, size_bytes FROM visit_photo
         WHERE deleted = 0 AND {filter} ORDER BY visit_id, created_at, id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([arg], |row| {
        Ok(VisitPhoto {
            id: uuid_at(row, 0)?,
            visit_id: uuid_at(row, 1)?,
            sha256: row.get(2)?,
            file_name: row.get(3)?,
            size_bytes: row.get::<_, i64>(4)?.unsigned_abs(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn load_photos(conn: &Connection, village_id: Uuid) -> Result<Vec<VisitPhoto>> {
    photos_where(
        conn,
        &format!(
            "visit_id IN (SELECT id FROM visit WHERE deleted = 0 AND {OF_VILLAGE_HOUSEHOLDS})"
        ),
        &village_id.to_string(),
    )
}

/// SHA-256 of `bytes` as lower-case hex.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    /// The visits of one household (drafts included), oldest first.
    pub fn visits_of(&self, household_id: Uuid) -> Result<Vec<Visit>> {
        live_rows(
            &self.conn,
            &VISIT,
            "household_id = ?1",
            &household_id.to_string(),
            VISIT_ORDER,
            visit_from,
        )
    }

    /// Saves a visit or its autosaved draft after validating it against `today`.
    pub fn save_visit(&mut self, v: &Visit, today: chrono::NaiveDate) -> Result<Option<ChangeId>> {
        let errors = check::validate_visit(v, today);
        if !errors.is_empty() {
            return Err(StoreError::InvalidWorkflow(errors));
        }
        self.change(|tx, ctx| write_record(tx, ctx, &VISIT, v.id, &visit_values(v)))
    }

    /// Deletes a visit together with its photos (one change).
    pub fn delete_visit(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        let photos = photos_where(&self.conn, "visit_id = ?1", &id.to_string())?;
        self.change(|tx, ctx| {
            for p in &photos {
                tombstone(tx, ctx, &VISIT_PHOTO, p.id)?;
            }
            tombstone(tx, ctx, &VISIT, id)
        })
    }

    /// Copies a photo into the store. Refuses one larger than [`MAX_PHOTO_BYTES`]; the same bytes
    /// added twice to one visit are stored once (`Ok(None)`).
    pub fn add_visit_photo(
        &mut self,
        visit_id: Uuid,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<Option<ChangeId>> {
        let errors = check::validate_photo_name(file_name);
        if !errors.is_empty() {
            return Err(StoreError::InvalidWorkflow(errors));
        }
        let size_bytes = bytes.len() as u64;
        if size_bytes > MAX_PHOTO_BYTES {
            return Err(StoreError::PhotoTooLarge {
                size_bytes,
                max_bytes: MAX_PHOTO_BYTES,
            });
        }
        let sha256 = sha256_hex(bytes);
        let already: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM visit_photo WHERE visit_id = ?1 AND sha256 = ?2 AND deleted = 0",
                [visit_id.to_string(), sha256.clone()],
                |r| r.get(0),
            )
            .optional()?;
        if already.is_some() {
            return Ok(None);
        }
        let values: Vec<Value> = vec![
            uuid_value(visit_id),
            sha256.into(),
            text_value(file_name),
            (size_bytes as i64).into(),
            bytes.to_vec().into(),
        ];
        self.change(|tx, ctx| write_record(tx, ctx, &VISIT_PHOTO, Uuid::new_v4(), &values))
    }

    /// The photos of a visit, without their bytes.
    pub fn visit_photos(&self, visit_id: Uuid) -> Result<Vec<VisitPhoto>> {
        photos_where(&self.conn, "visit_id = ?1", &visit_id.to_string())
    }

    /// The bytes of a live photo.
    pub fn visit_photo_bytes(&self, photo_id: Uuid) -> Result<Vec<u8>> {
        self.conn
            .query_row(
                "SELECT bytes FROM visit_photo WHERE id = ?1 AND deleted = 0",
                [photo_id.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "visit_photo",
                id: photo_id.to_string(),
            })
    }

    pub fn delete_visit_photo(&mut self, id: Uuid) -> Result<Option<ChangeId>> {
        self.change(|tx, ctx| tombstone(tx, ctx, &VISIT_PHOTO, id))
    }
}
