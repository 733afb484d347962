//! Which computer a laptop database works on, so that a file copied onto a second laptop
//! becomes a new device there instead of speaking, unnoticed, with the first laptop's identity
//! (the county would then refuse the copy's changes as reused change numbers, and the copy's
//! edits would be stuck), and so that a file restored from an older backup on the same laptop
//! does not hand out change numbers the county already saw.
//!
//! **Why an installation id in the per-user data directory** (and not the file's path and
//! inode): the data directory (`directories`: `~/.local/share/dripline`,
//! `%APPDATA%\dripline\Dripline\data`, or `DRIPLINE_DATA_DIR`) belongs to one user on one
//! computer and outlives the database files in it, while a file's inode changes for benign
//! reasons (the app's own restore and passphrase change rename files, a backup copied back from a
//! USB stick is a new file) and is not portable (no stable file id in std on Windows), and the
//! path is the same on every laptop of a team (`dripline.sqlite` in the data directory). A copy of
//! the whole data directory onto another computer would carry the id along: the file also keeps
//! the computer's host name, and an id found under another host name is replaced (renaming a
//! computer therefore makes its databases new devices, to be registered again: the safe side).
//!
//! The file [`INSTALLATION_FILE`] holds the id and, per device, the highest change number this
//! computer ever exported: a database whose own numbering is behind that was restored from a
//! backup (or is an older copy), and its next changes are numbered after it.
//!
//! A laptop database records its installation (`meta.installation_id`) the first time it is
//! opened with one. Opened on another installation, it becomes a new device
//! ([`DeviceRenewal`]): a new device id, its sync keys dropped (the sync layer makes new ones on
//! first use), its acknowledgement dropped (so its next export is full and carries every record,
//! the changes the county never acknowledged included), and the change numbers from then on are
//! the new device's (the earlier ones stay the first device's: `meta.sync_device_epochs`).
//! County databases are never renewed: every village trusts their keys.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::sync_log::{current_lseq, meta_get, meta_set};
use super::{Result, Store, StoreError, now_text};

/// The installation file in the data directory.
pub const INSTALLATION_FILE: &str = "installation.json";
/// The installation a laptop database is bound to.
pub const INSTALLATION_KEY: &str = "installation_id";
/// The device's Ed25519 signing key and age identity (made by `sync::crypto`).
pub const SIGNING_KEY: &str = "sync_signing_key";
pub const AGE_KEY: &str = "sync_age_identity";
/// The highest change number of this device that the county has acknowledged.
pub const ACKED_KEY: &str = "sync_acked_seq";
/// What the last renewal did (JSON of [`DeviceRenewal`]).
const RENEWAL_KEY: &str = "sync_device_renewal";
/// Which device made which change numbers (JSON: `[[first change, device], …]`), once a file
/// was renewed; absent: every change is the current device's.
const EPOCHS_KEY: &str = "sync_device_epochs";
const DEVICE_KEY: &str = "device_id";

/// This computer's installation: its id, kept in `dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installation {
    file: PathBuf,
    id: Uuid,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct InstallationRecord {
    id: Uuid,
    #[serde(default)]
    host: String,
    /// Per device, the highest change number exported from this computer.
    #[serde(default)]
    exported: BTreeMap<Uuid, i64>,
}

/// The computer's host name, as far as it can be read without a system call.
fn host_name() -> String {
    if let Ok(name) = std::env::var("COMPUTERNAME") {
        return name.trim().to_string();
    }
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|f| std::fs::read_to_string(f).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

fn io(file: &Path, e: std::io::Error) -> StoreError {
    super::io_error(file, &e)
}

impl Installation {
    /// The installation kept in `dir` (created there the first time, and again when the file
    /// was made on another computer).
    pub fn in_dir(dir: &Path) -> Result<Installation> {
        let file = dir.join(INSTALLATION_FILE);
        let host = host_name();
        let ours = |record: &InstallationRecord| {
            record.host.is_empty() || host.is_empty() || record.host == host
        };
        if let Some(record) = read_record(&file).filter(ours) {
            return Ok(Installation {
                file,
                id: record.id,
            });
        }
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let record = InstallationRecord {
            id: Uuid::new_v4(),
            host: host.clone(),
            exported: BTreeMap::new(),
        };
        let bytes = serde_json::to_vec_pretty(&record).expect("serialises");
        if file.exists() {
            // Another program of this computer may have made it since the read above.
            if let Some(made) = read_record(&file).filter(ours) {
                return Ok(Installation { file, id: made.id });
            }
            // Made on another computer (the data directory was copied) or unreadable: replaced.
            write_record(&file, &record)?;
        } else if !crate::files::write_new_bytes(&file, &bytes).map_err(|e| io(&file, e))? {
            // Two programs started at once on a new computer (the window and a script, or
            // tests): the first one's id is the installation's, or each would make the other's
            // databases new devices.
            if let Some(record) = read_record(&file) {
                return Ok(Installation {
                    file,
                    id: record.id,
                });
            }
            write_record(&file, &record)?;
        }
        Ok(Installation {
            file,
            id: record.id,
        })
    }

    pub fn id(&self) -> Uuid {
        self.id
    }

    /// The highest change number `device` exported from this computer (0: none).
    fn exported(&self, device: Uuid) -> i64 {
        read_record(&self.file)
            .filter(|r| r.id == self.id)
            .and_then(|r| r.exported.get(&device).copied())
            .unwrap_or(0)
    }

    /// Remembers that `device` exported its changes up to `seq` from this computer.
    fn note_exported(&self, device: Uuid, seq: i64) -> Result<()> {
        let mut record = read_record(&self.file)
            .filter(|r| r.id == self.id)
            .unwrap_or_else(|| InstallationRecord {
                id: self.id,
                host: host_name(),
                exported: BTreeMap::new(),
            });
        let entry = record.exported.entry(device).or_insert(0);
        if *entry >= seq {
            return Ok(());
        }
        *entry = seq;
        write_record(&self.file, &record)
    }
}

fn read_record(file: &Path) -> Option<InstallationRecord> {
    serde_json::from_slice(&std::fs::read(file).ok()?).ok()
}

fn write_record(file: &Path, record: &InstallationRecord) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(record).expect("serialises");
    crate::files::write_bytes(file, &bytes).map_err(|e| io(file, e))
}

/// The data directory whose installation every store this process opens is checked against
/// (the command line and the window set it once; tests bind explicitly instead).
static PROCESS_INSTALLATION: OnceLock<PathBuf> = OnceLock::new();
/// What opening files in this process found (each once): what the command line says on its
/// error stream when a command ends.
static FOUND: Mutex<Vec<(PathBuf, Binding)>> = Mutex::new(Vec::new());

/// Names the data directory of this computer's installation for every store the process opens.
pub fn set_process_installation(dir: &Path) {
    let _ = PROCESS_INSTALLATION.set(dir.to_path_buf());
}

/// What the stores opened in this process found so far (and forgets it).
pub fn take_found() -> Vec<(PathBuf, Binding)> {
    std::mem::take(&mut *FOUND.lock().unwrap_or_else(|e| e.into_inner()))
}

/// A database that became a new device on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRenewal {
    /// The device the file was copied from (its identity, still the first computer's).
    pub previous_device: Uuid,
    /// This file's new device.
    pub device: Uuid,
    pub at: String,
    /// The first change number of the new device.
    pub from_change: i64,
}

/// A database whose change numbering was behind what this computer had exported of its device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewound {
    pub device: Uuid,
    /// The file's last change number when it was opened.
    pub file_change: i64,
    /// The highest change number this computer exported of the device: the next change is
    /// numbered after it.
    pub exported: i64,
}

/// What binding a database to this computer's installation found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// The file came from another computer: it is now a new device, to be registered.
    Renewed(DeviceRenewal),
    /// The file is older than what this computer exported (restored from a backup).
    Rewound(Rewound),
}

/// Which device made which of this file's change numbers.
#[derive(Debug, Clone)]
pub struct ChangeDevices {
    pub current: Uuid,
    /// (first change number, device), ascending; empty for a file never renewed.
    epochs: Vec<(i64, Uuid)>,
}

impl ChangeDevices {
    /// The device that made change number `n` here.
    pub fn of(&self, n: i64) -> Uuid {
        self.epochs
            .iter()
            .rev()
            .find(|(from, _)| *from <= n)
            .map_or(self.current, |(_, d)| *d)
    }
}

fn epochs(conn: &Connection) -> Result<Vec<(i64, Uuid)>> {
    Ok(meta_get(conn, EPOCHS_KEY)?
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

fn is_county(conn: &Connection) -> Result<bool> {
    Ok(meta_get(conn, super::migrate_issue13::COUNTY_CODE_KEY)?.is_some())
}

/// Binds the laptop database on `conn` (device `device`) to `installation`: an unbound file is
/// bound, a file bound elsewhere becomes a new device, a file behind what this computer
/// exported has its numbering moved past it.
pub(crate) fn bind(
    conn: &Connection,
    device: Uuid,
    installation: &Installation,
) -> Result<Option<Binding>> {
    if is_county(conn)? {
        return Ok(None);
    }
    let here = installation.id.to_string();
    match meta_get(conn, INSTALLATION_KEY)? {
        Some(bound) if bound != here => return renew(conn, device, &here).map(Some),
        Some(_) => {}
        None => meta_set(conn, INSTALLATION_KEY, &here)?,
    }
    let exported = installation.exported(device);
    let file_change = current_lseq(conn)?;
    if exported > file_change {
        // The next change takes a number the county never saw from this device.
        meta_set(conn, super::sync_log::LSEQ_KEY, &exported.to_string())?;
        return Ok(Some(Binding::Rewound(Rewound {
            device,
            file_change,
            exported,
        })));
    }
    Ok(None)
}

fn renew(conn: &Connection, previous: Uuid, installation: &str) -> Result<Binding> {
    let tx = conn.unchecked_transaction()?;
    let device = Uuid::new_v4();
    let from_change = current_lseq(&tx)? + 1;
    let mut epochs = epochs(&tx)?;
    if epochs.is_empty() {
        epochs.push((i64::MIN, previous));
    }
    epochs.push((from_change, device));
    meta_set(
        &tx,
        EPOCHS_KEY,
        &serde_json::to_string(&epochs).expect("serialises"),
    )?;
    meta_set(&tx, DEVICE_KEY, &device.to_string())?;
    // New keys on first use; no acknowledgement yet, so the next export is full.
    tx.execute(
        "DELETE FROM meta WHERE key IN (?1, ?2, ?3)",
        params![SIGNING_KEY, AGE_KEY, ACKED_KEY],
    )?;
    meta_set(&tx, INSTALLATION_KEY, installation)?;
    let renewal = DeviceRenewal {
        previous_device: previous,
        device,
        at: now_text(),
        from_change,
    };
    meta_set(
        &tx,
        RENEWAL_KEY,
        &serde_json::to_string(&renewal).expect("serialises"),
    )?;
    tx.commit()?;
    Ok(Binding::Renewed(renewal))
}

impl Store {
    /// Binds this laptop database to `installation` (what opening it on that computer does;
    /// [`Store::open`] does it with the process's installation). Returns what it found: the
    /// file became a new device, or its numbering was moved past what this computer exported.
    pub fn bind_installation(&mut self, installation: &Installation) -> Result<Option<Binding>> {
        let found = bind(&self.conn, self.device_id, installation)?;
        if let Some(Binding::Renewed(r)) = &found {
            self.device_id = r.device;
        }
        self.installation = Some(installation.clone());
        if found.is_some() {
            self.binding = found.clone();
        }
        Ok(found)
    }

    /// Binds with the process's installation, if one was named (at open).
    pub(crate) fn bind_process_installation(&mut self) -> Result<()> {
        let Some(dir) = PROCESS_INSTALLATION.get() else {
            return Ok(());
        };
        // A data directory that cannot be written leaves the file unbound, as before: the
        // county still catches a reused change number.
        let Ok(installation) = Installation::in_dir(dir) else {
            return Ok(());
        };
        // A new device not registered yet is said on every command until the county has
        // acknowledged it.
        let found = match self.bind_installation(&installation)? {
            Some(found) => Some(found),
            None => self.unregistered_renewal()?.map(Binding::Renewed),
        };
        if let Some(found) = found {
            FOUND
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((self.path.clone(), found));
        }
        Ok(())
    }

    /// What binding this store to its installation found when it was opened.
    pub fn binding(&self) -> Option<&Binding> {
        self.binding.as_ref()
    }

    /// The file's renewal into a new device, while the county has not acknowledged any change
    /// of the new device yet (it must be registered first): what the window keeps saying.
    pub fn unregistered_renewal(&self) -> Result<Option<DeviceRenewal>> {
        let acked = meta_get(&self.conn, ACKED_KEY)?
            .and_then(|t| t.parse::<i64>().ok())
            .unwrap_or(0);
        if acked > 0 {
            return Ok(None);
        }
        Ok(meta_get(&self.conn, RENEWAL_KEY)?
            .and_then(|t| serde_json::from_str::<DeviceRenewal>(&t).ok())
            .filter(|r| r.device == self.device_id))
    }

    /// Which device made which change number of this file.
    pub fn change_devices(&self) -> Result<ChangeDevices> {
        Ok(ChangeDevices {
            current: self.device_id,
            epochs: epochs(&self.conn)?,
        })
    }

    /// Remembers, on this computer, that this device's changes up to `seq` went out in a bundle
    /// (a restored older file then numbers its next change after it).
    pub fn note_exported(&self, seq: i64) -> Result<()> {
        match &self.installation {
            Some(installation) => installation.note_exported(self.device_id, seq),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_installation_keeps_its_id_and_a_file_knows_who_made_each_change() {
        let dir = tempfile::tempdir().unwrap();
        let a = Installation::in_dir(dir.path()).unwrap();
        assert_eq!(Installation::in_dir(dir.path()).unwrap(), a);
        let other = tempfile::tempdir().unwrap();
        assert_ne!(Installation::in_dir(other.path()).unwrap().id(), a.id());

        let mut store = Store::in_memory().unwrap();
        let first = store.device_id();
        assert_eq!(store.bind_installation(&a).unwrap(), None);
        let b = Installation::in_dir(other.path()).unwrap();
        let Some(Binding::Renewed(renewal)) = store.bind_installation(&b).unwrap() else {
            panic!("a file bound elsewhere becomes a new device");
        };
        assert_eq!(renewal.previous_device, first);
        assert_eq!(store.device_id(), renewal.device);
        let devices = store.change_devices().unwrap();
        assert_eq!(devices.of(renewal.from_change - 1), first);
        assert_eq!(devices.of(renewal.from_change), renewal.device);
        assert_eq!(devices.of(i64::MIN), first);
        assert_eq!(store.unregistered_renewal().unwrap(), Some(renewal));
        assert_eq!(store.bind_installation(&b).unwrap(), None, "once");
    }

    #[test]
    fn programs_starting_at_once_on_a_new_computer_agree_on_its_installation() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let ids: Vec<Uuid> = std::thread::scope(|scope| {
                let started: Vec<_> = (0..8)
                    .map(|_| scope.spawn(|| Installation::in_dir(dir.path()).unwrap().id()))
                    .collect();
                started.into_iter().map(|t| t.join().unwrap()).collect()
            });
            assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
            assert_eq!(Installation::in_dir(dir.path()).unwrap().id(), ids[0]);
        }
    }
}
