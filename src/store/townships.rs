//! The townships' facts of a county database: the three haves of the county exit 一低三有
//! (standard central school, qualified health centre, public service centre). Written through
//! the one audited write path like every record (so a clerk's tick is in the audit log with its
//! actor, and undoable), but county data: the table is never carried by a bundle, neither from a
//! village nor back to one (`record::COUNTY_ONLY_TABLES`).

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction};
use uuid::Uuid;

use super::record::{ChangeId, Table, write_record};
use super::{Result, Store, StoreError};
use crate::model::TownshipFacilities;
use crate::rules::registry::{Field, FieldError, Problem};

pub(crate) const TOWNSHIP_FACILITIES: Table = Table {
    name: "township_facilities",
    columns: &[
        "township",
        "central_school",
        "health_centre",
        "service_centre",
    ],
};

pub(crate) const TABLES: &[&Table] = &[&TOWNSHIP_FACILITIES];

impl Store {
    /// The townships whose facts were recorded, by name.
    pub fn township_facilities(&self) -> Result<Vec<TownshipFacilities>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT township, central_school, health_centre, service_centre
             FROM township_facilities WHERE deleted = 0 ORDER BY township",
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

    /// Records a township's three haves (replacing what was recorded) as one undoable change,
    /// each changed fact with its audit row. Returns `None` when nothing changed.
    pub fn set_township_facilities(&mut self, f: &TownshipFacilities) -> Result<Option<ChangeId>> {
        let township = f.township.trim();
        if township.is_empty() {
            return Err(StoreError::Invalid(vec![FieldError {
                field: Field::Township,
                problem: Problem::Required,
            }]));
        }
        // The township's record, or the last one an undo removed (revived, so that ticking,
        // undoing and ticking again keeps one record with its whole history).
        let existing: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM township_facilities WHERE township = ?1
                 ORDER BY deleted, key DESC LIMIT 1",
                [township],
                |r| r.get(0),
            )
            .optional()?;
        let id = existing
            .and_then(|t| Uuid::parse_str(&t).ok())
            .unwrap_or_else(Uuid::new_v4);
        let values: Vec<Value> = vec![
            township.to_string().into(),
            f.central_school.into(),
            f.health_centre.into(),
            f.service_centre.into(),
        ];
        self.change(|tx, ctx| write_record(tx, ctx, &TOWNSHIP_FACILITIES, id, &values))
    }
}

/// The migration that makes `township_facilities` a record table (issue 14): an integer key and
/// a UUID, the bookkeeping columns every record has, a tombstone flag. The facts recorded before
/// keep their values and time; they were written before the audit log knew them, so they have
/// no creating change (like records from before sync).
pub(crate) fn migrate(tx: &Transaction) -> Result<()> {
    tx.execute_batch(
        r#"
    CREATE TABLE township_facilities__v12 (
        key INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        township TEXT NOT NULL,
        central_school INTEGER NOT NULL DEFAULT 0,
        health_centre INTEGER NOT NULL DEFAULT 0,
        service_centre INTEGER NOT NULL DEFAULT 0,
        sync_stamp INTEGER, sync_device INTEGER, sync_change INTEGER, created_change INTEGER
    );
    "#,
    )?;
    let device: String = tx
        .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or_default();
    type Old = (String, bool, bool, bool, String);
    let rows: Vec<Old> = tx
        .prepare(
            "SELECT township, central_school, health_centre, service_centre, updated_at
             FROM township_facilities ORDER BY township",
        )?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (township, school, health, service, at) in rows {
        tx.execute(
            "INSERT INTO township_facilities__v12
                 (id, created_at, updated_at, updated_by, deleted, township, central_school,
                  health_centre, service_centre)
             VALUES (?1, ?2, ?2, ?3, 0, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                Uuid::new_v4().to_string(),
                at,
                device,
                township,
                school,
                health,
                service
            ],
        )?;
    }
    tx.execute_batch(
        r#"
    DROP TABLE township_facilities;
    ALTER TABLE township_facilities__v12 RENAME TO township_facilities;
    CREATE UNIQUE INDEX township_facilities_name ON township_facilities(township) WHERE deleted = 0;
    CREATE INDEX township_facilities_sync_change ON township_facilities(sync_change);
    "#,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema;

    #[test]
    fn facts_recorded_before_the_migration_keep_their_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            let before = schema::MIGRATIONS
                .iter()
                .position(|s| matches!(s, schema::Step::Code(f) if std::ptr::fn_addr_eq(*f, migrate as fn(&Transaction) -> Result<()>)))
                .unwrap() as i64;
            schema::migrate_to(&mut conn, before).unwrap();
            conn.execute(
                "INSERT INTO township_facilities (township, central_school, health_centre, service_centre, updated_at)
                 VALUES ('元坝镇', 1, 0, 1, '2026-01-02T03:04:05Z')",
                [],
            )
            .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        assert_eq!(
            store.township_facilities().unwrap(),
            vec![TownshipFacilities {
                township: "元坝镇".into(),
                central_school: true,
                health_centre: false,
                service_centre: true,
            }]
        );
        // Now an audited record: a change of one fact is one audit row, and undo restores it.
        let change = store
            .set_township_facilities(&TownshipFacilities {
                township: "元坝镇".into(),
                central_school: true,
                health_centre: true,
                service_centre: true,
            })
            .unwrap()
            .expect("a change");
        assert!(store.township_facilities().unwrap()[0].health_centre);
        let undo = store.undo(change).unwrap();
        assert!(!store.township_facilities().unwrap()[0].health_centre);
        assert!(store.undo_is_county_only(undo).unwrap());
        assert_eq!(store.audit_len().unwrap(), 2);
    }

    #[test]
    fn a_township_created_undone_and_ticked_again_keeps_one_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_or_create(&dir.path().join("c.sqlite")).unwrap();
        let mut facts = TownshipFacilities {
            township: " 歧坪镇 ".into(),
            central_school: true,
            ..Default::default()
        };
        let created = store.set_township_facilities(&facts).unwrap().unwrap();
        assert_eq!(store.township_facilities().unwrap()[0].township, "歧坪镇");
        // The same facts again: no change.
        assert!(store.set_township_facilities(&facts).unwrap().is_none());
        store.undo(created).unwrap();
        assert!(store.township_facilities().unwrap().is_empty());
        facts.health_centre = true;
        store.set_township_facilities(&facts).unwrap().unwrap();
        let records: i64 = store
            .conn
            .query_row("SELECT count(*) FROM township_facilities", [], |r| r.get(0))
            .unwrap();
        assert_eq!(records, 1);
        assert!(store.township_facilities().unwrap()[0].health_centre);
        // A township needs a name.
        facts.township = "  ".into();
        assert!(matches!(
            store.set_township_facilities(&facts),
            Err(StoreError::Invalid(_))
        ));
    }

    #[test]
    fn township_facts_are_no_synced_table() {
        assert!(
            crate::store::sync_tables()
                .iter()
                .all(|t| t.name != TOWNSHIP_FACILITIES.name)
        );
        let n = crate::store::table_number(TOWNSHIP_FACILITIES.name);
        assert!(n > 0, "numbered for the audit log");
        assert!(crate::store::table_numbered(n).is_none());
    }
}
