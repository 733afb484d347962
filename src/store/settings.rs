//! County-editable settings kept in the database: the poverty-line table and the thresholds the
//! rules take as parameters, plus this installation's device id.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::record::{ChangeId, Table, write_record};
use super::{Result, Store, now_text};
use crate::model::{PovertyLine, Thresholds, default_poverty_lines};
use crate::rules::income::PovertyLines;

pub(crate) const POVERTY_LINE: Table = Table {
    name: "poverty_line",
    columns: &["year", "line_yuan"],
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
            tx.execute(
                "INSERT INTO poverty_line (id, created_at, updated_at, updated_by, deleted, year, line_yuan)
                 VALUES (?1, ?2, ?2, ?3, 0, ?4, ?5)",
                params![Uuid::new_v4().to_string(), at, device.to_string(), line.year, line.line_yuan],
            )?;
        }
    }
    tx.commit()?;
    Ok(device)
}

impl Store {
    /// The poverty-line table in force in this file.
    pub fn poverty_lines(&self) -> Result<PovertyLines> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT year, line_yuan FROM poverty_line WHERE deleted = 0 ORDER BY year",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PovertyLine {
                year: r.get(0)?,
                line_yuan: r.get(1)?,
            })
        })?;
        Ok(PovertyLines::new(rows.collect::<rusqlite::Result<_>>()?))
    }

    /// Sets (or adds) the line for one year.
    pub fn set_poverty_line(&mut self, line: PovertyLine) -> Result<Option<ChangeId>> {
        let existing: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM poverty_line WHERE year = ?1 AND deleted = 0",
                [line.year],
                |r| r.get(0),
            )
            .optional()?;
        let id = existing
            .and_then(|t| Uuid::parse_str(&t).ok())
            .unwrap_or_else(Uuid::new_v4);
        let values: Vec<Value> = vec![i64::from(line.year).into(), line.line_yuan.into()];
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
