//! County-editable settings kept in the database: the income-standard table (per province and
//! year, the poverty line to 2020 and the monitoring threshold from 2021, each with its source)
//! and the thresholds the rules take as parameters, plus this installation's device id.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::record::{ChangeId, Table, write_record};
use super::{Result, Store, now_text};
use crate::model::{PovertyLine, Thresholds, default_poverty_lines};
use crate::rules::income::PovertyLines;

pub(crate) const POVERTY_LINE: Table = Table {
    name: "poverty_line",
    columns: &["year", "line_yuan", "province", "source"],
};

pub(crate) const TABLES: &[&Table] = &[&POVERTY_LINE];

const DEVICE_KEY: &str = "device_id";
const THRESHOLDS_KEY: &str = "thresholds";

/// Creates the device id and the default poverty-line table the first time a file is opened.
/// Returns the device id.
pub(crate) fn ensure_device_and_defaults(conn: &Connection) -> Result<Uuid> {
    let existing: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [DEVICE_KEY], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(id) = existing.and_then(|t| Uuid::parse_str(&t).ok()) {
        return Ok(id);
    }
    let device = Uuid::new_v4();
    let at = now_text();
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
        params![DEVICE_KEY, device.to_string()],
    )?;
    let lines: i64 = tx.query_row("SELECT count(*) FROM poverty_line", [], |r| r.get(0))?;
    if lines == 0 {
        for line in default_poverty_lines() {
            insert_default(&tx, &line, &at, &device.to_string())?;
        }
    }
    tx.commit()?;
    Ok(device)
}

/// The id of a default row: the same on every device, so that a laptop's default and the
/// county's are one record wherever they were made.
fn default_id(line: &PovertyLine) -> Uuid {
    let digest = Sha256::digest(format!(
        "dripline poverty_line {} {}",
        line.province, line.year
    ));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

fn insert_default(conn: &Connection, line: &PovertyLine, at: &str, device: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO poverty_line (id, created_at, updated_at, updated_by, deleted, year, line_yuan, province, source)
         VALUES (?1, ?2, ?2, ?3, 0, ?4, ?5, ?6, ?7)",
        params![
            default_id(line).to_string(),
            at,
            device,
            line.year,
            line.line_yuan,
            line.province,
            line.source
        ],
    )?;
    Ok(())
}

/// Migration 14 (issue 16): the table holds, per province and year, the poverty line and the
/// monitoring threshold with their sources. Rows keep their figures and become national ones; a
/// row holding a default figure gets the default's source; a file without any figure after 2020
/// gets the default thresholds (unstamped, with the same ids on every device: the county's
/// edits, stamped, supersede them at a laptop).
pub(crate) fn migrate_thresholds(tx: &rusqlite::Transaction) -> Result<()> {
    tx.execute_batch(
        "ALTER TABLE poverty_line ADD COLUMN province TEXT NOT NULL DEFAULT '';
         ALTER TABLE poverty_line ADD COLUMN source TEXT NOT NULL DEFAULT '';
         DROP INDEX IF EXISTS poverty_line_year;
         CREATE UNIQUE INDEX poverty_line_year ON poverty_line(province, year) WHERE deleted = 0;",
    )?;
    let defaults = default_poverty_lines();
    for line in &defaults {
        tx.execute(
            "UPDATE poverty_line SET source = ?1
             WHERE deleted = 0 AND province = '' AND year = ?2 AND line_yuan = ?3",
            params![line.source, line.year, line.line_yuan],
        )?;
    }
    let later: i64 = tx.query_row(
        "SELECT count(*) FROM poverty_line WHERE deleted = 0 AND year > ?1",
        [crate::model::LAST_POVERTY_LINE_YEAR],
        |r| r.get(0),
    )?;
    let any: i64 = tx.query_row("SELECT count(*) FROM poverty_line", [], |r| r.get(0))?;
    // A file never opened (no default table yet) gets its defaults when it is.
    if later == 0 && any > 0 {
        let device: String = tx
            .query_row("SELECT value FROM meta WHERE key = ?1", [DEVICE_KEY], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or_default();
        let at = now_text();
        for line in defaults
            .iter()
            .filter(|l| l.year > crate::model::LAST_POVERTY_LINE_YEAR)
        {
            insert_default(tx, line, &at, &device)?;
        }
    }
    Ok(())
}

/// The province this file's figures are read for: the county's (a county database), else its
/// villages' (a laptop), from the first two digits of the code; empty when it has no village.
fn province_of_file(conn: &Connection) -> Result<String> {
    let county: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [super::migrate_issue13::COUNTY_CODE_KEY],
            |r| r.get(0),
        )
        .optional()?;
    let code = match county {
        Some(code) => Some(code),
        None => conn
            .query_row(
                "SELECT code FROM village WHERE deleted = 0 ORDER BY is_demo, code LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?,
    };
    Ok(code
        .map(|c: String| c.chars().take(2).collect())
        .unwrap_or_default())
}

impl Store {
    /// The income-standard table in force in this file, read for the province of its villages.
    pub fn poverty_lines(&self) -> Result<PovertyLines> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT year, line_yuan, province, source FROM poverty_line WHERE deleted = 0
             ORDER BY province, year",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PovertyLine {
                year: r.get(0)?,
                line_yuan: r.get(1)?,
                province: r.get(2)?,
                source: r.get(3)?,
            })
        })?;
        let table = PovertyLines::new(rows.collect::<rusqlite::Result<_>>()?);
        Ok(table.for_province(&province_of_file(&self.conn)?))
    }

    /// Sets (or adds) the figure of one province's (or the nation's) year.
    pub fn set_poverty_line(&mut self, line: PovertyLine) -> Result<Option<ChangeId>> {
        let existing: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM poverty_line WHERE year = ?1 AND province = ?2 AND deleted = 0",
                params![line.year, line.province],
                |r| r.get(0),
            )
            .optional()?;
        let id = existing
            .and_then(|t| Uuid::parse_str(&t).ok())
            .unwrap_or_else(Uuid::new_v4);
        let values: Vec<Value> = vec![
            i64::from(line.year).into(),
            line.line_yuan.into(),
            line.province.clone().into(),
            line.source.clone().into(),
        ];
        self.change(|tx, ctx| write_record(tx, ctx, &POVERTY_LINE, id, &values))
    }

    /// The thresholds in force (defaults until a county sets them).
    pub fn thresholds(&self) -> Result<Thresholds> {
        Ok(self
            .meta(THRESHOLDS_KEY)?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default())
    }

    pub fn set_thresholds(&mut self, thresholds: &Thresholds) -> Result<()> {
        let json = serde_json::to_string(thresholds).expect("thresholds serialise");
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![THRESHOLDS_KEY, json],
        )?;
        Ok(())
    }
}
