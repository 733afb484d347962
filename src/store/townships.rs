//! The townships' facts of a county database: the three haves of the county exit 一低三有
//! (standard central school, qualified health centre, public service centre). A county setting
//! like the thresholds: written in place (with the time), not through the villages' audited
//! records, and never sent in a bundle.

use rusqlite::params;

use super::{Result, Store, now_text};
use crate::model::TownshipFacilities;

impl Store {
    /// The townships whose facts were recorded, by name.
    pub fn township_facilities(&self) -> Result<Vec<TownshipFacilities>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT township, central_school, health_centre, service_centre
             FROM township_facilities ORDER BY township",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(TownshipFacilities {
                township: r.get(0)?,
                central_school: r.get(1)?,
                health_centre: r.get(2)?,
                service_centre: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records a township's three haves (replacing what was recorded).
    pub fn set_township_facilities(&mut self, f: &TownshipFacilities) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO township_facilities
                 (township, central_school, health_centre, service_centre, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                f.township.trim(),
                f.central_school,
                f.health_centre,
                f.service_centre,
                now_text()
            ],
        )?;
        Ok(())
    }
}
