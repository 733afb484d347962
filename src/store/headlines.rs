//! The county's kept headlines: each village's six-precisions headline figures as last computed,
//! tagged with the change number of the file when they were computed and the date they were
//! evaluated on and the settings (poverty lines, thresholds) they were computed under. The county
//! table reads them instead of evaluating 802 villages on every open; a village's figures are
//! computed again only when a bundle of that village was imported after them, its own screens or
//! a command changed it (both keep them fresh), the date moved on, or the settings changed.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::params;
use uuid::Uuid;

use super::{Result, Store};
use crate::rules::precisions::Headline;

/// A village's kept headline and what it was computed at.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptHeadline {
    /// The file's change number when the figures were computed.
    pub change: i64,
    pub evaluated_on: NaiveDate,
    /// The tag of the settings they were computed under (`rules::settings::settings_tag`).
    pub settings: String,
    pub figures: Headline,
    /// The change of the last bundle of the village imported here, if any.
    pub last_import: Option<i64>,
}

impl KeptHeadline {
    /// Whether the figures still hold on `date` under the settings tagged `settings`: evaluated
    /// that day under those settings, and no bundle of the village imported since.
    pub fn is_current(&self, date: NaiveDate, settings: &str) -> bool {
        self.evaluated_on == date
            && self.settings == settings
            && self.last_import.is_none_or(|c| c <= self.change)
    }
}

impl Store {
    /// Every village's kept headline, by village; a row whose figures cannot be read is left out
    /// (and so computed again).
    pub fn kept_headlines(&self) -> Result<HashMap<Uuid, KeptHeadline>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.village_id, h.change, h.evaluated_on, h.figures, h.settings,
                    (SELECT max(b.change) FROM sync_bundle b
                      WHERE b.direction = 'import' AND b.village_code = v.code)
             FROM village_headline h JOIN village v ON v.id = h.village_id
             WHERE v.deleted = 0",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<i64>>(5)?,
            ))
        })?;
        let mut kept = HashMap::new();
        for row in rows {
            let (id, change, on, figures, settings, last_import) = row?;
            let (Ok(id), Ok(evaluated_on), Ok(figures)) = (
                Uuid::parse_str(&id),
                NaiveDate::parse_from_str(&on, "%Y-%m-%d"),
                serde_json::from_str::<Headline>(&figures),
            ) else {
                continue;
            };
            kept.insert(
                id,
                KeptHeadline {
                    change,
                    evaluated_on,
                    settings,
                    figures,
                    last_import,
                },
            );
        }
        Ok(kept)
    }

    /// Keeps the headline of `village_id`, computed at change `change` for `evaluated_on` under
    /// the settings tagged `settings` (replacing what was kept). A cache, not a record: neither
    /// audited nor sent in a bundle.
    pub fn keep_headline(
        &mut self,
        village_id: Uuid,
        change: i64,
        evaluated_on: NaiveDate,
        settings: &str,
        figures: &Headline,
    ) -> Result<()> {
        let figures = serde_json::to_string(figures)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO village_headline (village_id, change, evaluated_on, figures, settings)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                village_id.to_string(),
                change,
                evaluated_on.format("%Y-%m-%d").to_string(),
                figures,
                settings
            ])?;
        Ok(())
    }
}
