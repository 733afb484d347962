//! County mode: a county database (`county init`) holds the county's keys, the registry of the
//! village devices it accepts, and everything imported from them; for each village it writes a
//! return bundle (acknowledgements, the village's records as merged from all its devices, and the
//! county's settings such as the poverty-line table) so that the laptops of one team converge.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use rusqlite::params;
use uuid::Uuid;

use super::crypto::{
    COUNTY_CODE, COUNTY_KEY, CountyPublic, DeviceIdentity, DevicePublic, ServerPin,
};
use super::export::{
    Selection, conflicts_between, history_between, own_history, read_tables, seal, write_atomically,
};
use super::manifest::{Ack, BundleKind, Header, Payload};
use super::{Progress, SyncError};
use crate::store::SyncTable;
use crate::store::sync_log::Devices;
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

/// The URL of the county's sync server, as its last `dripline serve` announced it.
pub const SERVER_URL: &str = "sync_server_url";
/// The SHA-256 (hex) of the certificate the county's sync server last started with.
pub const SERVER_FINGERPRINT: &str = "sync_server_fingerprint";

/// The county's public line (a county database only), with its sync server once one has run.
pub fn county_public(store: &mut Store) -> Result<CountyPublic, SyncError> {
    let code = store.sync_meta(COUNTY_CODE)?.ok_or(SyncError::NotCounty)?;
    let identity = DeviceIdentity::load_or_create(store)?;
    let public = identity.public();
    let server = match (
        store.sync_meta(SERVER_URL)?,
        store.sync_meta(SERVER_FINGERPRINT)?,
    ) {
        (Some(url), Some(fingerprint)) => ServerPin::new(&url, &fingerprint).ok(),
        _ => None,
    };
    Ok(CountyPublic {
        county_code: code,
        verifying_key: public.verifying_key,
        recipient: public.recipient,
        server,
    })
}

/// Remembers (on a county database) where its sync server listens and which certificate it
/// shows, so that the county line carries them.
pub fn set_server(store: &mut Store, pin: &ServerPin) -> Result<(), SyncError> {
    if !is_county(store)? {
        return Err(SyncError::NotCounty);
    }
    store.set_sync_meta(SERVER_URL, &pin.url)?;
    store.set_sync_meta(SERVER_FINGERPRINT, &pin.fingerprint)?;
    Ok(())
}

/// Whether `store` is a county database.
pub fn is_county(store: &Store) -> Result<bool, SyncError> {
    Ok(store.sync_meta(COUNTY_CODE)?.is_some())
}

/// Sets the county key on a village device (what it encrypts to and whose return bundles it
/// accepts). A line without a server (from before the county ran one) keeps the server already
/// known for the same keys.
pub fn set_county_key(store: &mut Store, line: &str) -> Result<CountyPublic, SyncError> {
    if is_county(store)? {
        return Err(SyncError::IsCounty);
    }
    let mut county = CountyPublic::parse(line)?;
    if county.server.is_none()
        && let Some(known) = county_key(store)?
        && known.same_keys(&county)
    {
        county.server = known.server;
    }
    store.set_sync_meta(COUNTY_KEY, &county.to_line())?;
    Ok(county)
}

/// Sets where this village device syncs over the network: the server's URL, its certificate's
/// fingerprint, or both (a half not given stays as the county line had it). Needs the county
/// key first; both halves must be known in the end.
pub fn set_county_server(
    store: &mut Store,
    url: Option<&str>,
    fingerprint: Option<&str>,
) -> Result<CountyPublic, SyncError> {
    if is_county(store)? {
        return Err(SyncError::IsCounty);
    }
    let mut county = county_key(store)?.ok_or(SyncError::NoServer)?;
    let known = county.server.clone();
    let url = url
        .map(str::to_string)
        .or_else(|| known.as_ref().map(|k| k.url.clone()))
        .ok_or(SyncError::NoServer)?;
    let fingerprint = fingerprint
        .map(str::to_string)
        .or_else(|| known.as_ref().map(|k| k.fingerprint.clone()))
        .ok_or(SyncError::NoFingerprint)?;
    county.server = Some(ServerPin::new(&url, &fingerprint)?);
    store.set_sync_meta(COUNTY_KEY, &county.to_line())?;
    Ok(county)
}

/// The registered key, village and state of one device (a county database), for the sync
/// server's request check.
pub fn registered_device(
    store: &Store,
    device: Uuid,
) -> Result<Option<(DevicePublic, String, bool)>, SyncError> {
    use rusqlite::OptionalExtension;
    let row: Option<(String, String, String, bool)> = store
        .conn()
        .query_row(
            "SELECT village_code, verifying_key, recipient, revoked FROM county_device WHERE device = ?1",
            [device.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .map_err(sql)?;
    let Some((village, key, recipient, revoked)) = row else {
        return Ok(None);
    };
    let line = format!("dripline-device:{device}:{key}:{recipient}");
    Ok(Some((DevicePublic::parse(&line)?, village, revoked)))
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
    let to = store.sync_lseq()?;
    let devices = Devices::default();
    let tables = read_tables(
        conn,
        &devices,
        &|t| Some(of_village(t, village_code)),
        progress,
    )?;
    let ids: HashSet<(&str, Uuid)> = tables
        .iter()
        .flat_map(|t| t.records.iter().map(move |r| (t.table.name, r.id)))
        .collect();
    let conflicts = conflicts_between(conn, 0, to)?
        .into_iter()
        .filter(|c| ids.contains(&(c.table.as_str(), c.record_id)))
        .collect();
    let device_names: BTreeSet<Uuid> = village_devices.iter().map(|d| d.device).collect();
    let (mut changes, mut audit) =
        history_between(conn, i64::MIN, to, None, &|d| device_names.contains(d))?;
    // The county's own edits of this village's records (a clerk's correction in the window or a
    // survey imported at the county), with who made them: the records already carry their
    // values and stamps, these say who and when. Only the changes that touched a record of the
    // village go, and only its records' audit rows.
    let (own_changes, own_audit) = own_history(conn, i64::MIN, to, &store.change_devices()?, true)?;
    let created: HashSet<i64> = tables
        .iter()
        .flat_map(|t| t.records.iter())
        .filter_map(|r| r.stamp.filter(|s| s.device == identity.device))
        .map(|s| s.clock)
        .collect();
    let own_audit: Vec<_> = own_audit
        .into_iter()
        .filter(|a| {
            Uuid::parse_str(&a.record_id).is_ok_and(|id| ids.contains(&(a.table.as_str(), id)))
        })
        .collect();
    let touched: HashSet<&str> = own_audit.iter().map(|a| a.change_id.as_str()).collect();
    changes.extend(own_changes.into_iter().filter(|c| {
        touched.contains(c.change_id.as_str()) || c.stamp.is_some_and(|s| created.contains(&s))
    }));
    audit.extend(own_audit);
    let payload = Payload {
        kind: BundleKind::Return,
        device: identity.device,
        village_code: village_code.to_string(),
        seq_from: 1,
        seq_to: to,
        tables,
        conflicts,
        changes,
        audit,
        acks: village_devices
            .iter()
            .filter(|d| d.last_seq > 0)
            .map(|d| Ack {
                device: d.device,
                seq: d.last_seq,
            })
            .collect(),
        filled_fields: 0,
    };
    let sealed = seal(&identity, &payload, true, &recipients, None)?;
    write_atomically(out, &sealed.bytes)?;
    Ok(sealed.header)
}

/// The rows of one village in `table`, found through the records themselves: the village by
/// its code, a record with a `village_id` by its village, one with a `household_id` by its
/// household's village, a photo by its visit. Every poverty line (the county's table) goes too.
/// Tombstones go as well, so that a deletion reaches the other laptops.
fn of_village(table: SyncTable, village_code: &str) -> Selection {
    const VILLAGES: &str = "SELECT id FROM village WHERE code = ?1";
    let households = format!("SELECT id FROM household WHERE village_id IN ({VILLAGES})");
    let has = |column: &str| table.columns.contains(&column);
    let clauses = if table.name == "poverty_line" {
        vec!["1".to_string()]
    } else if table.name == "village" {
        vec!["code = ?1".to_string()]
    } else if has("village_id") {
        vec![format!("village_id IN ({VILLAGES})")]
    } else if has("household_id") {
        // Two passes where the only index on household_id leaves tombstones out.
        vec![
            format!("household_id IN ({households}) AND deleted = 0"),
            format!("household_id IN ({households}) AND deleted = 1"),
        ]
    } else if has("visit_id") {
        vec![format!(
            "visit_id IN (SELECT id FROM visit WHERE household_id IN ({households}))"
        )]
    } else {
        Vec::new()
    };
    let params = if clauses.first().is_some_and(|c| c.contains("?1")) {
        vec![village_code.to_string().into()]
    } else {
        Vec::new()
    };
    Selection { clauses, params }
}
