//! County mode: a county database (`county init`) holds the county's keys, the registry of the
//! village devices it accepts, and everything imported from them; for each village it writes a
//! return bundle (acknowledgements, the village's records as merged from all its devices, and the
//! county's settings such as the poverty-line table) so that the laptops of one team converge.

use std::collections::BTreeSet;
use std::path::Path;

use rusqlite::params;
use uuid::Uuid;

use super::crypto::{COUNTY_CODE, COUNTY_KEY, CountyPublic, DeviceIdentity, DevicePublic};
use super::export::{audit_between, conflicts_between, read_records, seal_and_write};
use super::manifest::{Ack, BundleKind, Header, Payload};
use super::{Progress, SyncError};
use crate::store::{Store, StoreError};

fn sql(e: rusqlite::Error) -> SyncError {
    SyncError::Store(StoreError::from(e))
}

/// A device in the county's registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredDevice {
    pub device: Uuid,
    pub village_code: String,
    pub revoked: bool,
    pub registered_at: String,
    /// The last change number imported from it (0 before its first bundle).
    pub last_seq: i64,
}

/// Makes `store` a county database for `county_code`, with its keys; returns the public line to
/// give to every village device (`keys set-county`).
pub fn init_county(store: &mut Store, county_code: &str) -> Result<CountyPublic, SyncError> {
    if county_code.trim().is_empty() || county_code.contains(':') {
        return Err(SyncError::BadKey(county_code.to_string()));
    }
    store.set_sync_meta(COUNTY_CODE, county_code.trim())?;
    county_public(store)
}

/// The county's public line (a county database only).
pub fn county_public(store: &mut Store) -> Result<CountyPublic, SyncError> {
    let code = store.sync_meta(COUNTY_CODE)?.ok_or(SyncError::NotCounty)?;
    let identity = DeviceIdentity::load_or_create(store)?;
    let public = identity.public();
    Ok(CountyPublic {
        county_code: code,
        verifying_key: public.verifying_key,
        recipient: public.recipient,
    })
}

/// Whether `store` is a county database.
pub fn is_county(store: &Store) -> Result<bool, SyncError> {
    Ok(store.sync_meta(COUNTY_CODE)?.is_some())
}

/// Sets the county key on a village device (what it encrypts to and whose return bundles it
/// accepts).
pub fn set_county_key(store: &mut Store, line: &str) -> Result<CountyPublic, SyncError> {
    if is_county(store)? {
        return Err(SyncError::IsCounty);
    }
    let county = CountyPublic::parse(line)?;
    store.set_sync_meta(COUNTY_KEY, &county.to_line())?;
    Ok(county)
}

/// The county key set on this village device, if any.
pub fn county_key(store: &Store) -> Result<Option<CountyPublic>, SyncError> {
    store
        .sync_meta(COUNTY_KEY)?
        .map(|line| CountyPublic::parse(&line))
        .transpose()
}

/// Registers (or re-registers, un-revoking) a village device from its public line.
pub fn register_device(
    store: &mut Store,
    village_code: &str,
    line: &str,
) -> Result<DevicePublic, SyncError> {
    if !is_county(store)? {
        return Err(SyncError::NotCounty);
    }
    let device = DevicePublic::parse(line)?;
    store
        .conn()
        .execute(
            "INSERT OR REPLACE INTO county_device (device, village_code, verifying_key, recipient, revoked, registered_at)
             VALUES (?1, ?2, ?3, ?4, 0, ?5)",
            params![
                device.device.to_string(),
                village_code,
                hex::encode(device.verifying_key.as_bytes()),
                device.recipient,
                crate::store::now_text()
            ],
        )
        .map_err(sql)?;
    Ok(device)
}

/// Revokes a device: its bundles are refused from now on. Returns false for an unknown device.
pub fn revoke_device(store: &mut Store, device: Uuid) -> Result<bool, SyncError> {
    if !is_county(store)? {
        return Err(SyncError::NotCounty);
    }
    let n = store
        .conn()
        .execute(
            "UPDATE county_device SET revoked = 1 WHERE device = ?1",
            [device.to_string()],
        )
        .map_err(sql)?;
    Ok(n > 0)
}

/// The county's registry, by village then device.
pub fn devices(store: &Store) -> Result<Vec<RegisteredDevice>, SyncError> {
    store
        .conn()
        .prepare(
            "SELECT d.device, d.village_code, d.revoked, d.registered_at, coalesce(p.last_seq, 0)
             FROM county_device d LEFT JOIN sync_peer p ON p.device = d.device
             ORDER BY d.village_code, d.device",
        )
        .map_err(sql)?
        .query_map([], |r| {
            Ok(RegisteredDevice {
                device: Uuid::parse_str(&r.get::<_, String>(0)?).unwrap_or_default(),
                village_code: r.get(1)?,
                revoked: r.get(2)?,
                registered_at: r.get(3)?,
                last_seq: r.get(4)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(sql)
}

/// Writes the return bundle of one village: acknowledgements for its devices, every record of
/// the village as merged here, the conflicts on them, their devices' audit rows, and the county's
/// poverty-line table. Encrypted to the village's registered, unrevoked devices.
pub fn write_return(
    store: &mut Store,
    village_code: &str,
    out: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<Header, SyncError> {
    if !is_county(store)? {
        return Err(SyncError::NotCounty);
    }
    let identity = DeviceIdentity::load_or_create(store)?;
    let village_devices: Vec<RegisteredDevice> = devices(store)?
        .into_iter()
        .filter(|d| d.village_code == village_code)
        .collect();
    let active: Vec<&RegisteredDevice> = village_devices.iter().filter(|d| !d.revoked).collect();
    if active.is_empty() {
        return Err(SyncError::NoDevicesForVillage(village_code.to_string()));
    }
    let conn = store.conn();
    let recipients: Vec<String> = active
        .iter()
        .map(|d| {
            conn.query_row(
                "SELECT recipient FROM county_device WHERE device = ?1",
                [d.device.to_string()],
                |r| r.get(0),
            )
            .map_err(sql)
        })
        .collect::<Result<_, _>>()?;
    let mut ids: BTreeSet<(String, String)> = conn
        .prepare("SELECT table_name, record_id FROM sync_record_village WHERE village_code = ?1")
        .map_err(sql)?
        .query_map([village_code], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect())
        .map_err(sql)?;
    let lines: Vec<String> = conn
        .prepare("SELECT id FROM poverty_line")
        .map_err(sql)?
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(sql)?;
    ids.extend(lines.into_iter().map(|id| ("poverty_line".to_string(), id)));
    let to = store.sync_lseq()?;
    let records = read_records(conn, &ids, progress)?;
    let conflicts = conflicts_between(conn, 0, to)?
        .into_iter()
        .filter(|c| ids.contains(&(c.table.clone(), c.record_id.to_string())))
        .collect();
    let device_names: BTreeSet<String> = village_devices
        .iter()
        .map(|d| d.device.to_string())
        .collect();
    let payload = Payload {
        kind: BundleKind::Return,
        device: identity.device,
        village_code: village_code.to_string(),
        seq_from: 1,
        seq_to: to,
        records,
        conflicts,
        audit: audit_between(conn, 0, to, false, Some(&device_names))?,
        acks: village_devices
            .iter()
            .filter(|d| d.last_seq > 0)
            .map(|d| Ack {
                device: d.device,
                seq: d.last_seq,
            })
            .collect(),
    };
    let header = seal_and_write(&identity, &payload, true, &recipients, out)?;
    Ok(header)
}
