//! Villages: the unit a work team registers and the county imports.

use rusqlite::types::Value;
use rusqlite::{Row, Transaction};
use uuid::Uuid;

use super::record::{ChangeContext, ChangeId, Table, write_record};
use super::{Result, Store, StoreError};
use crate::model::{Village, VillageFacilities};
use crate::rules::registry;

pub(crate) const VILLAGE: Table = Table {
    name: "village",
    columns: &[
        "code",
        "name",
        "township",
        "county",
        "rural_population",
        "is_demo",
        "collective_income_yuan",
        "hardened_road",
        "clinic",
        "cultural_room",
        "network",
    ],
};

pub(crate) const TABLES: &[&Table] = &[&VILLAGE];

fn village_values(v: &Village) -> Vec<Value> {
    let f = &v.facilities;
    vec![
        v.code.trim().to_string().into(),
        v.name.trim().to_string().into(),
        v.township.trim().to_string().into(),
        v.county.trim().to_string().into(),
        v.rural_population.map(i64::from).into(),
        v.is_demo.into(),
        f.collective_income_yuan.into(),
        f.hardened_road.into(),
        f.clinic.into(),
        f.cultural_room.into(),
        f.network.into(),
    ]
}

fn village_from(row: &Row) -> rusqlite::Result<Village> {
    let id: String = row.get(0)?;
    Ok(Village {
        id: Uuid::parse_str(&id).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })?,
        code: row.get(1)?,
        name: row.get(2)?,
        township: row.get(3)?,
        county: row.get(4)?,
        rural_population: row.get(5)?,
        is_demo: row.get(6)?,
        facilities: VillageFacilities {
            collective_income_yuan: row.get(7)?,
            hardened_road: row.get(8)?,
            clinic: row.get(9)?,
            cultural_room: row.get(10)?,
            network: row.get(11)?,
        },
    })
}

pub(crate) fn write_village(tx: &Transaction, ctx: &ChangeContext, v: &Village) -> Result<bool> {
    write_record(tx, ctx, &VILLAGE, v.id, &village_values(v)).map_err(|e| match e {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            StoreError::DuplicateVillageCode(v.code.clone())
        }
        e => e,
    })
}

impl Store {
    /// Live villages ordered by code. Of two records with one code (each laptop created the
    /// village before they synced: a clash to merge), the one holding more households comes
    /// first, so that a laptop opens on the record its own work is in rather than on the other
    /// laptop's.
    pub fn villages(&self) -> Result<Vec<Village>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, code, name, township, county, rural_population, is_demo, collective_income_yuan,
                    hardened_road, clinic, cultural_room, network
             FROM village WHERE deleted = 0 ORDER BY code, clash, id",
        )?;
        let rows = stmt.query_map([], village_from)?;
        let mut villages: Vec<Village> = rows.collect::<rusqlite::Result<_>>()?;
        if villages.windows(2).any(|w| w[0].code == w[1].code) {
            let mut households = std::collections::HashMap::new();
            for v in &villages {
                let n: i64 = self.conn.query_row(
                    "SELECT count(*) FROM household WHERE village_id = ?1 AND deleted = 0",
                    [v.id.to_string()],
                    |r| r.get(0),
                )?;
                households.insert(v.id, n);
            }
            // Stable: equal counts keep the unflagged record first.
            villages.sort_by(|a, b| {
                a.code
                    .cmp(&b.code)
                    .then(households[&b.id].cmp(&households[&a.id]))
            });
        }
        Ok(villages)
    }

    /// The live village with this id.
    pub fn village(&self, id: Uuid) -> Result<Village> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, code, name, township, county, rural_population, is_demo, collective_income_yuan,
                    hardened_road, clinic, cultural_room, network
             FROM village WHERE deleted = 0 AND id = ?1",
        )?;
        stmt.query_row([id.to_string()], village_from)
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound {
                    what: "village",
                    id: id.to_string(),
                },
                e => e.into(),
            })
    }

    /// Inserts or updates a village after validating it.
    pub fn save_village(&mut self, v: &Village) -> Result<Option<ChangeId>> {
        let errors = registry::validate_village(v);
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        self.change(|tx, ctx| write_village(tx, ctx, v))
    }
}
