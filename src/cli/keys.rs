//! `dripline keys show|set-county|register-device|revoke|devices`: this device's public key, the
//! county key of a village device, and a county's device registry.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use uuid::Uuid;

use super::{CliError, emit};
use crate::i18n::Lang;
use crate::store::Store;
use crate::sync::county;
use crate::sync::crypto::DeviceIdentity;

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub action: KeysAction,
}

/// Which database: `--db FILE`, else the window's database in the data directory.
#[derive(Debug, Args)]
pub struct DbArg {
    /// The database (default: the window's database in the data directory,
    /// e.g. ~/.local/share/dripline/dripline.sqlite).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum KeysAction {
    /// Print this device's public key line (creating the device keys on first use) for the county
    /// to register; on a county database, also the county key line for village devices.
    Show {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        json: bool,
    },
    /// Set the county key (`dripline-county:…` line from `county init`, `keys show` on the
    /// county database or `dripline serve`): bundles are then encrypted to it and its return
    /// bundles accepted; a line printed by `dripline serve` also names the county's sync server
    /// and its certificate's fingerprint. Without KEY, `--server`/`--fingerprint` change only
    /// the server part of the key already set (for a line from before the server existed).
    SetCounty {
        #[command(flatten)]
        db: DbArg,
        #[arg(value_name = "KEY", required_unless_present_any = ["server", "fingerprint"])]
        key: Option<String>,
        /// The county's sync server, `https://HOST:PORT`.
        #[arg(long, value_name = "URL")]
        server: Option<String>,
        /// The SHA-256 of the server's certificate (64 hex digits, as `dripline serve` prints).
        #[arg(long, value_name = "HEX")]
        fingerprint: Option<String>,
    },
    /// (county database) Accept bundles from a device: its `dripline-device:…` line and village.
    RegisterDevice {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, value_name = "CODE")]
        village: String,
        #[arg(value_name = "KEY")]
        key: String,
    },
    /// (county database) Refuse every further bundle from a device.
    Revoke {
        #[command(flatten)]
        db: DbArg,
        #[arg(value_name = "DEVICE")]
        device: Uuid,
    },
    /// (county database) List the registered devices with the last change imported from each.
    Devices {
        #[command(flatten)]
        db: DbArg,
    },
}

fn resolve_db(arg: DbArg, lang: Lang) -> Result<PathBuf, CliError> {
    match arg.db {
        Some(db) => Ok(db),
        None => crate::workspace::paths::data_dir()
            .map(|d| crate::workspace::paths::village_db(&d))
            .ok_or_else(|| {
                CliError::Argument(
                    lang.pick(
                        "找不到用户数据目录，请用 --db 指定数据库文件。",
                        "No user data directory found; pass --db FILE.",
                    )
                    .to_string(),
                )
            }),
    }
}

pub fn run(args: KeysArgs, lang: Lang) -> Result<(), CliError> {
    match args.action {
        KeysAction::Show { db, json } => {
            let mut store = Store::open(&resolve_db(db, lang)?)?;
            let device = DeviceIdentity::load_or_create(&mut store)?
                .public()
                .to_line();
            let county_line = if county::is_county(&store)? {
                Some(county::county_public(&mut store)?.to_line())
            } else {
                None
            };
            let set_county = county::county_key(&store)?.map(|c| c.to_line());
            store.close()?;
            if json {
                return emit(&format!(
                    "{}\n",
                    serde_json::json!({"device": device, "county": county_line, "county_key_set": set_county})
                ));
            }
            let mut text = format!("{}: {device}\n", lang.pick("本设备公钥", "Device key"));
            if let Some(line) = county_line {
                text.push_str(&format!(
                    "{}: {line}\n",
                    lang.pick(
                        "县级公钥（发给各村设备）",
                        "County key (give to village devices)"
                    )
                ));
            }
            match set_county {
                Some(line) => text.push_str(&format!(
                    "{}: {line}\n",
                    lang.pick("已设置的县级公钥", "County key set")
                )),
                None if !text.contains("dripline-county") => text.push_str(&format!(
                    "{}\n",
                    lang.pick(
                        "尚未设置县级公钥：导出的同步包不会加密。",
                        "No county key set: bundles will not be encrypted."
                    )
                )),
                None => {}
            }
            emit(&text)
        }
        KeysAction::SetCounty {
            db,
            key,
            server,
            fingerprint,
        } => {
            let mut store = Store::open(&resolve_db(db, lang)?)?;
            let mut county = match &key {
                Some(key) => county::set_county_key(&mut store, key)?,
                None => county::county_key(&store)?.ok_or(crate::sync::SyncError::NoServer)?,
            };
            if server.is_some() || fingerprint.is_some() {
                county = county::set_county_server(
                    &mut store,
                    server.as_deref(),
                    fingerprint.as_deref(),
                )?;
            }
            store.close()?;
            let mut text = format!(
                "{} {}\n",
                lang.pick("已设置县级公钥：", "County key set for"),
                county.county_code
            );
            if let Some(pin) = &county.server {
                text.push_str(&format!(
                    "{}: {} ({} {})\n",
                    lang.pick("同步服务器", "Sync server"),
                    pin.url,
                    lang.pick("证书指纹", "certificate fingerprint"),
                    pin.fingerprint
                ));
            }
            emit(&text)
        }
        KeysAction::RegisterDevice { db, village, key } => {
            let mut store = Store::open(&resolve_db(db, lang)?)?;
            let device = county::register_device(&mut store, &village, &key)?;
            store.close()?;
            emit(&format!(
                "{} {} → {village}\n",
                lang.pick("已登记设备", "Registered device"),
                device.device
            ))
        }
        KeysAction::Revoke { db, device } => {
            let mut store = Store::open(&resolve_db(db, lang)?)?;
            let found = county::revoke_device(&mut store, device)?;
            store.close()?;
            if !found {
                return Err(CliError::Argument(match lang {
                    Lang::Zh => format!("设备 {device} 未登记，未做改动。"),
                    Lang::En => format!("Device {device} is not registered; nothing changed."),
                }));
            }
            emit(&format!(
                "{} {device}\n",
                lang.pick("已停用设备", "Revoked device")
            ))
        }
        KeysAction::Devices { db } => {
            let store = Store::open(&resolve_db(db, lang)?)?;
            let mut text = String::new();
            for d in county::devices(&store)? {
                text.push_str(&format!(
                    "{}\t{}\t{}\t{}\n",
                    d.village_code,
                    d.device,
                    d.last_seq,
                    if d.revoked {
                        lang.pick("已停用", "revoked")
                    } else {
                        lang.pick("有效", "active")
                    }
                ));
            }
            emit(&text)
        }
    }
}
