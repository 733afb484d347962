//! What a person must hear when a database changed identity on this computer
//! (`store::installation`): a file copied from another laptop became a new device and must be
//! registered at the county (with the line to give it, as `dripline keys show` prints it), or a
//! file restored from an older backup had its change numbering moved past what this computer
//! already sent. The window shows it as a notice, the command line on its error stream.

use std::path::Path;

use crate::i18n::{Lang, Localize};
use crate::store::Store;
use crate::store::installation::{Binding, DeviceRenewal, Rewound};
use crate::sync::SyncError;
use crate::sync::crypto::DeviceIdentity;

/// A database's change of identity, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceNotice {
    /// A new device, with its public key line for the county's registry.
    Renewed {
        renewal: DeviceRenewal,
        key_line: String,
    },
    Rewound(Rewound),
}

impl DeviceNotice {
    /// What to tell about `store`: what binding it found when it was opened, else a renewal the
    /// county has not acknowledged yet (the device is still to be registered).
    pub fn of(store: &mut Store) -> Result<Option<DeviceNotice>, SyncError> {
        let renewal = match store.binding() {
            Some(Binding::Rewound(r)) => return Ok(Some(DeviceNotice::Rewound(r.clone()))),
            Some(Binding::Renewed(r)) => Some(r.clone()),
            None => store.unregistered_renewal()?,
        };
        let Some(renewal) = renewal else {
            return Ok(None);
        };
        let key_line = DeviceIdentity::load_or_create(store)?.public().to_line();
        Ok(Some(DeviceNotice::Renewed { renewal, key_line }))
    }

    /// The key line a new device gives the county (none for a renumbered file).
    pub fn key_line(&self) -> Option<&str> {
        match self {
            DeviceNotice::Renewed { key_line, .. } => Some(key_line),
            DeviceNotice::Rewound(_) => None,
        }
    }
}

/// Binds `store` to the installation kept in `data_dir` (what the window does with each database
/// it opens) and returns what to tell. An unwritable data directory leaves the file unbound.
pub fn bind(store: &mut Store, data_dir: &Path) -> Result<Option<DeviceNotice>, SyncError> {
    super::paths::bind(store, data_dir)?;
    DeviceNotice::of(store)
}

/// The notices of the databases this process opened that changed identity (each once): what
/// the command line prints when a command ends. A file that cannot be opened again is told
/// without its key line.
pub fn take_process_notices() -> Vec<DeviceNotice> {
    crate::store::installation::take_found()
        .into_iter()
        .map(|(path, found)| match found {
            Binding::Rewound(r) => DeviceNotice::Rewound(r),
            Binding::Renewed(renewal) => {
                let key_line = Store::open(&path)
                    .map_err(SyncError::Store)
                    .and_then(|mut store| {
                        let line = DeviceIdentity::load_or_create(&mut store)?
                            .public()
                            .to_line();
                        store.close().map_err(SyncError::Store)?;
                        Ok(line)
                    })
                    .unwrap_or_default();
                DeviceNotice::Renewed { renewal, key_line }
            }
        })
        .collect()
}

fn short(device: &uuid::Uuid) -> String {
    device.to_string()[..8].to_string()
}

impl Localize for DeviceNotice {
    fn localize(&self, lang: Lang) -> String {
        match self {
            DeviceNotice::Renewed { renewal, key_line } => {
                let (previous, device) = (short(&renewal.previous_device), renewal.device);
                match lang {
                    Lang::Zh => format!(
                        "这个数据库是从另一台电脑复制来的（原设备 {previous}…），已在本机成为新设备 {device}：两台电脑若共用一个设备身份，县里会拒收后来者的修改。本机的修改都记在新设备名下，下一个同步包会全部带上，原来那台电脑不受影响。请在县里把本机登记为新设备（keys register-device --village 村代码），把下面这一行交给县里：\n{key_line}"
                    ),
                    Lang::En => format!(
                        "This database was copied from another computer (device {previous}…); on this computer it is now a new device, {device}: two computers sharing one device identity would get the later one's changes refused by the county. Every change made here goes under the new device and its next bundle carries them all; the other computer is not affected. Register this laptop at the county as a new device (keys register-device --village CODE) with this line:\n{key_line}"
                    ),
                }
            }
            DeviceNotice::Rewound(r) => {
                let (file, exported, next) = (r.file_change, r.exported, r.exported + 1);
                match lang {
                    Lang::Zh => format!(
                        "这个数据库比本机已发给县里的数据旧（文件只到第 {file} 次修改，本机已导出到第 {exported} 次），可能是从备份恢复的。之后的修改从第 {next} 次起编号，县里不会把它们当成已收到的修改而拒收；县里已收到的那些修改会随回执包回到本机。"
                    ),
                    Lang::En => format!(
                        "This database is older than what this computer already sent to the county (the file goes up to change {file}; this computer exported up to change {exported}): it was probably restored from a backup. Its next changes are numbered from {next}, so the county does not refuse them as changes it already has; what the county received comes back with its return bundle."
                    ),
                }
            }
        }
    }
}
