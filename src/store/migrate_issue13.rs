//! Migrations of issue 13 ("one truth per household"):
//!
//! - **membership by year**: members gain the date and reason they joined and left; today's
//!   members become members from their household's first income year (or their birth, if later),
//!   so the figures of every stored year stay what they were; a household leaving the registry
//!   is a `household_departure` record, synced like every other.
//! - **the helper from the register**: the free-text 帮扶责任人 of a household becomes the
//!   register's assignment when it names exactly one helper of the village (the text is cleared);
//!   a name no helper has stays on the household as a note, which the data checks list for the
//!   team to fix.
//!
//! Both are deterministic: the same records give the same values and the same assignment ids on
//! every device. On a village laptop what they write is also recorded as one change of the laptop
//! ([`MigrationChange`]: stamped, numbered, audited), so that the next *incremental* bundle
//! carries it to the county like any edit. Without that, a value two laptops migrated from
//! different records (a 2015 income typed on one only) would differ between them for ever
//! without a conflict, and an assignment made on a laptop whose county lacked the helper would
//! reach the county only in a full export. A county database migrates its copies unstamped:
//! they yield to the villages' stamped values, and two villages' different values meet there as
//! a conflict a person resolves.

use rusqlite::Transaction;
use rusqlite::types::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::StoreError;
use super::clock::Stamp;
use super::record::{self, ChangeContext, Table};
use super::sync_log::{self, Devices};
use crate::rules::helper_match::{HelperMatch, match_helper};

/// The `meta` key holding a county database's county code (absent on a village laptop).
pub const COUNTY_CODE_KEY: &str = "sync_county_code";

/// Who the audit names for what a migration wrote.
pub const MIGRATION_ACTOR: &str = "数据升级/migration";

/// The change under which a migration step records what it wrote on a village laptop: the rows
/// it creates carry the change as their creation, each field it changes gets the change's stamp
/// and an audit row (old and new value), and all of them the change number an incremental export
/// looks for. Taken on the first write only, so a step that changes nothing takes no number.
///
/// Written with the bookkeeping of schema 4 (`change_log`, `audit`, `sync_field`), which every
/// step from 5 on finds; the audit chain (a later step) chains these rows with the others.
pub(crate) struct MigrationChange {
    device: Option<Uuid>,
    ctx: Option<ChangeContext>,
}

impl MigrationChange {
    /// Records nothing on a county database or a file without a device id.
    pub(crate) fn start(tx: &Transaction) -> Result<MigrationChange, StoreError> {
        let county = sync_log::meta_get(tx, COUNTY_CODE_KEY)?.is_some();
        let device = sync_log::meta_get(tx, "device_id")?
            .and_then(|t| Uuid::parse_str(&t).ok())
            .filter(|_| !county);
        Ok(MigrationChange { device, ctx: None })
    }

    fn ctx(&mut self, tx: &Transaction) -> Result<Option<&ChangeContext>, StoreError> {
        let Some(device) = self.device else {
            return Ok(None);
        };
        if self.ctx.is_none() {
            let (stamp, lseq) = sync_log::next_stamp(tx, device)?;
            let devices = Devices::default();
            let device_no = devices.number(tx, device)?;
            self.ctx = Some(ChangeContext {
                change_id: Uuid::new_v4(),
                at: super::now_text(),
                actor: MIGRATION_ACTOR.to_string(),
                device: device.to_string(),
                stamp,
                device_no,
                lseq,
                devices,
                wrote: std::cell::Cell::new(true),
            });
        }
        Ok(self.ctx.as_ref())
    }

    /// Row `key` of `table` was created by the migration.
    pub(crate) fn created(
        &mut self,
        tx: &Transaction,
        table: &Table,
        key: i64,
    ) -> Result<(), StoreError> {
        let Some(ctx) = self.ctx(tx)? else {
            return Ok(());
        };
        tx.execute(
            &format!(
                "UPDATE {} SET sync_stamp = ?1, sync_device = ?2, sync_change = ?3,
                     created_change = ?3, updated_by = ?4
                 WHERE key = ?5",
                table.name
            ),
            rusqlite::params![ctx.stamp.clock, ctx.device_no, ctx.lseq, ctx.device, key],
        )?;
        Ok(())
    }

    /// Field `column` of row `key` of `table` went from `old` to `new`.
    fn changed(
        &mut self,
        tx: &Transaction,
        table: &Table,
        key: i64,
        column: &str,
        old: &Value,
        new: &Value,
    ) -> Result<(), StoreError> {
        if old == new {
            return Ok(());
        }
        let field = table
            .field_number(column)
            .expect("a migrated column is one of its table's");
        let Some(ctx) = self.ctx(tx)? else {
            return Ok(());
        };
        let (clock, device): (Option<i64>, Option<i64>) = tx.query_row(
            &format!(
                "SELECT sync_stamp, sync_device FROM {} WHERE key = ?1",
                table.name
            ),
            [key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let record_stamp: Option<Stamp> = ctx.devices.stamp(tx, clock, device)?;
        tx.execute(
            "INSERT INTO audit (change, tbl, rec, field, old_value, new_value)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![ctx.lseq, table.number(), key, field as i64, old, new],
        )?;
        record::stamp_field(tx, ctx, table, key, record_stamp, field)?;
        tx.execute(
            &format!(
                "UPDATE {} SET updated_by = ?1, sync_change = ?2 WHERE key = ?3",
                table.name
            ),
            rusqlite::params![ctx.device, ctx.lseq, key],
        )?;
        Ok(())
    }

    /// Writes the change's header when anything was recorded.
    pub(crate) fn finish(self, tx: &Transaction) -> Result<(), StoreError> {
        if let Some(ctx) = self.ctx {
            tx.execute(
                "INSERT INTO change_log (n, change_id, at, actor, stamp) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![
                    ctx.lseq,
                    ctx.change_id.to_string(),
                    ctx.at,
                    ctx.actor,
                    ctx.stamp.clock
                ],
            )?;
        }
        Ok(())
    }
}

/// The columns later steps appended to a synced table that older schemas (and the bundles of
/// older apps) lack, in order; a record written before them has [`added_column_default`].
pub fn added_columns(table: &str) -> &'static [&'static str] {
    match table {
        "member" => &["joined_on", "join_reason", "left_on", "leave_reason"],
        // Issue 16, migration 14: the province and the source of each figure.
        "poverty_line" => &["province", "source"],
        _ => &[],
    }
}

/// The value of an added column in a record written before it existed.
pub fn added_column_default(column: &str) -> Value {
    match column {
        "join_reason" => Value::Text("registered".into()),
        "province" | "source" => Value::Text(String::new()),
        _ => Value::Null,
    }
}

/// How many of `columns` (a table's current data columns) a bundle from before the added ones
/// carries, when `given` is such an older list; `None` when `given` is neither this nor that.
pub fn older_width(table: &str, columns: &[&str], given: &[&str]) -> Option<usize> {
    let added = added_columns(table);
    let old = columns.len().checked_sub(added.len())?;
    (!added.is_empty() && columns[old..] == *added && columns[..old] == *given).then_some(old)
}

/// Membership by year (issue 13, item 4).
pub(crate) fn membership_by_year(tx: &Transaction) -> Result<(), StoreError> {
    tx.execute_batch(
        r#"
    ALTER TABLE member ADD COLUMN joined_on TEXT;
    ALTER TABLE member ADD COLUMN join_reason TEXT NOT NULL DEFAULT 'registered';
    ALTER TABLE member ADD COLUMN left_on TEXT;
    ALTER TABLE member ADD COLUMN leave_reason TEXT;
    UPDATE member SET joined_on = (
        SELECT CASE WHEN min(i.year) IS NULL THEN NULL
                    ELSE max(printf('%04d-01-01', min(i.year)), member.birth_date) END
        FROM income_year i WHERE i.household_id = member.household_id AND i.deleted = 0
    );

    CREATE TABLE household_departure (
        key INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        household_id TEXT NOT NULL REFERENCES household(id),
        date TEXT NOT NULL,
        reason TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        sync_stamp INTEGER, sync_device INTEGER, sync_change INTEGER, created_change INTEGER
    );
    CREATE INDEX household_departure_sync_change ON household_departure(sync_change);
    CREATE INDEX household_departure_household ON household_departure(household_id);
    "#,
    )?;
    let joined: Vec<(i64, String)> = tx
        .prepare("SELECT key, joined_on FROM member WHERE joined_on IS NOT NULL ORDER BY key")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut change = MigrationChange::start(tx)?;
    for (key, date) in joined {
        change.changed(
            tx,
            &super::households::MEMBER,
            key,
            "joined_on",
            &Value::Null,
            &Value::Text(date),
        )?;
    }
    change.finish(tx)
}

/// The id of the assignment this migration makes for (helper, household): the same on every
/// device that migrates the same records, so two devices' migrated files merge into one link.
fn migrated_link_id(helper: Uuid, household: Uuid) -> Uuid {
    let digest = Sha256::new()
        .chain_update(b"dripline household_helper from helper_name\0")
        .chain_update(helper.as_bytes())
        .chain_update(household.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The helper from the register (issue 13, item 2): each household's free-text helper name that
/// names exactly one live helper of its village (trimmed, exact) becomes that helper's
/// assignment and is cleared; any other name stays as the household's note.
pub(crate) fn helper_from_register(tx: &Transaction) -> Result<(), StoreError> {
    let device: String = tx
        .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
            r.get(0)
        })
        .unwrap_or_else(|_| Uuid::nil().to_string());
    let at = super::now_text();
    let helpers: Vec<(String, Uuid, String)> = tx
        .prepare("SELECT village_id, id, name FROM helper WHERE deleted = 0")?
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter_map(|(village, id, name)| Some((village, Uuid::parse_str(&id).ok()?, name)))
        .collect();
    let households: Vec<(i64, String, String, String)> = tx
        .prepare(
            "SELECT key, id, village_id, helper_name FROM household
             WHERE deleted = 0 AND helper_name <> '' ORDER BY key",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut change = MigrationChange::start(tx)?;
    let clear = |change: &mut MigrationChange, key: i64, name: &str| {
        tx.execute(
            "UPDATE household SET helper_name = '' WHERE key = ?1",
            [key],
        )?;
        change.changed(
            tx,
            &super::households::HOUSEHOLD,
            key,
            "helper_name",
            &Value::Text(name.to_string()),
            &Value::Text(String::new()),
        )
    };
    for (household_key, household, village, name) in households {
        let register = helpers
            .iter()
            .filter(|(v, _, _)| *v == village)
            .map(|(_, id, name)| (*id, name.as_str()));
        match match_helper(&name, register) {
            HelperMatch::Helper(helper) => {
                let linked: bool = tx.query_row(
                    "SELECT count(*) > 0 FROM household_helper
                     WHERE deleted = 0 AND helper_id = ?1 AND household_id = ?2",
                    [helper.to_string(), household.clone()],
                    |r| r.get(0),
                )?;
                if !linked {
                    let id = Uuid::parse_str(&household)
                        .map(|h| migrated_link_id(helper, h))
                        .unwrap_or_else(|_| Uuid::new_v4());
                    tx.execute(
                        "INSERT INTO household_helper
                         (id, created_at, updated_at, updated_by, deleted, helper_id, household_id)
                         VALUES (?1, ?2, ?2, ?3, 0, ?4, ?5)",
                        [
                            id.to_string(),
                            at.clone(),
                            device.clone(),
                            helper.to_string(),
                            household.clone(),
                        ],
                    )?;
                    change.created(
                        tx,
                        &super::helpers::HOUSEHOLD_HELPER,
                        tx.last_insert_rowid(),
                    )?;
                }
                clear(&mut change, household_key, &name)?;
            }
            HelperMatch::Blank => clear(&mut change, household_key, &name)?,
            HelperMatch::Unmatched | HelperMatch::Ambiguous => {}
        }
    }
    change.finish(tx)
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::super::schema;

    /// A schema-5 file with one household whose head has a 2016 income, and `meta` rows.
    fn old_file(meta: &[(&str, &str)]) -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        schema::migrate_to(&mut conn, 5).unwrap();
        let at = "2026-01-05T08:00:00.000Z";
        let o = "99999999-9999-4999-8999-999999999999";
        for (k, v) in meta {
            conn.execute("INSERT INTO meta VALUES (?1, ?2)", [k, v])
                .unwrap();
        }
        conn.execute_batch(&format!(
            "INSERT INTO village (id, created_at, updated_at, updated_by, code, name, township, county)
                 VALUES ('v', '{at}', '{at}', '{o}', '510824105201', '柳池村', '元坝镇', '苍溪县');
             INSERT INTO household (id, created_at, updated_at, updated_by, village_id, number, attribute, status,
                 housing_safe, water_safe, electricity, radio_tv, road_hardened, helper_name)
                 VALUES ('h', '{at}', '{at}', '{o}', 'v', '001', 'general', 'registered', 1, 1, 1, 1, 0, '');
             INSERT INTO member (id, created_at, updated_at, updated_by, household_id, name, id_number, sex, birth_date,
                 relation, education, health, labour, work)
                 VALUES ('m', '{at}', '{at}', '{o}', 'h', '王德明', '', 'male', '1975-04-12',
                 'head', 'primary', 'healthy', 'ordinary', 'farming');
             INSERT INTO income_year (id, created_at, updated_at, updated_by, household_id, year, wage_yuan)
                 VALUES ('i', '{at}', '{at}', '{o}', 'h', 2016, 5000);"
        ))
        .unwrap();
        conn
    }

    fn changes(conn: &Connection) -> (i64, i64, Option<String>) {
        let n = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        (
            n("SELECT count(*) FROM change_log"),
            n("SELECT count(*) FROM sync_field"),
            conn.query_row("SELECT joined_on FROM member", [], |r| r.get(0))
                .unwrap(),
        )
    }

    #[test]
    fn a_village_laptop_records_the_join_date_as_its_change() {
        let device = "77777777-7777-4777-8777-777777777777";
        let mut conn = old_file(&[("device_id", device)]);
        schema::migrate_to(&mut conn, schema::latest_version()).unwrap();
        assert_eq!(changes(&conn), (1, 1, Some("2016-01-01".into())));
        let (actor, change): (String, i64) = conn
            .query_row("SELECT actor, n FROM change_log", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(actor, super::MIGRATION_ACTOR);
        let (sync_change, updated_by): (i64, String) = conn
            .query_row("SELECT sync_change, updated_by FROM member", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((sync_change, updated_by.as_str()), (change, device));
    }

    #[test]
    fn a_county_or_a_file_without_a_device_migrates_unstamped() {
        for meta in [
            vec![
                ("device_id", "77777777-7777-4777-8777-777777777777"),
                (super::COUNTY_CODE_KEY, "510824"),
            ],
            vec![],
        ] {
            let mut conn = old_file(&meta);
            schema::migrate_to(&mut conn, schema::latest_version()).unwrap();
            assert_eq!(
                changes(&conn),
                (0, 0, Some("2016-01-01".into())),
                "{meta:?}"
            );
        }
    }
}
