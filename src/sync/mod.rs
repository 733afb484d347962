//! Sync bundles: how records travel between the devices of a village team and the county on a
//! USB stick or through a messenger, and how they merge. The format is described, with its
//! version rules, in `docs/bundle-format.md`.
//!
//! - [`manifest`] and [`format`]: what a bundle holds and how it is laid out in a file;
//!   [`codec`] the binary payload of format 2, [`format1`] the JSON payload of format 1 (read
//!   only); the clocks themselves are the store's (`store::clock`);
//! - [`crypto`]: device and county keys, Ed25519 signatures, age encryption;
//! - [`export`]: a village device's bundle (incremental or full);
//! - [`import`]: verify (on a worker thread, one bundle ahead), then merge in one transaction
//!   ([`merge`]);
//! - [`county`]: county databases, the device registry and return bundles;
//! - [`status`]: what the sync screen shows (pending changes, last export, conflicts).

pub mod authorize;
pub mod codec;
pub mod county;
pub mod crypto;
pub mod export;
pub mod format;
pub mod format1;
pub mod history;
pub mod import;
pub mod manifest;
mod merge;
pub mod status;

use std::path::PathBuf;

use uuid::Uuid;

use crate::i18n::{Lang, Localize};
use crate::store::StoreError;

/// Progress of a long sync job, for a progress bar: `done` of `total` steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

/// Everything sync refuses, typed; each rejection names the check and the file.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{file}: {source}")]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}: not a Dripline bundle")]
    NotABundle { file: PathBuf },
    #[error("{file}: not a regular file")]
    NotAFile { file: PathBuf },
    #[error("{file}: larger than {limit_mb} MB")]
    TooLarge { file: PathBuf, limit_mb: u64 },
    #[error("{file}: truncated")]
    Truncated { file: PathBuf },
    #[error("{file}: bundle format {found} is older than {supported}")]
    FormatTooOld {
        file: PathBuf,
        found: u16,
        supported: u16,
    },
    #[error("{file}: bundle format {found} is newer than {supported}")]
    FormatTooNew {
        file: PathBuf,
        found: u16,
        supported: u16,
    },
    #[error("{file}: damaged header ({detail})")]
    BadHeader { file: PathBuf, detail: String },
    #[error("{file}: unknown cipher suite {suite}")]
    UnknownSuite { file: PathBuf, suite: String },
    #[error("{file}: a {found} bundle cannot be imported here")]
    WrongKind { file: PathBuf, found: String },
    #[error("{file}: device {device} is not registered")]
    UnknownDevice { file: PathBuf, device: Uuid },
    #[error("{file}: device {device} is revoked")]
    RevokedDevice { file: PathBuf, device: Uuid },
    #[error("{file}: signer key does not match")]
    KeyMismatch { file: PathBuf },
    #[error("{file}: no county key set")]
    NoCountyKey { file: PathBuf },
    #[error("{file}: bad signature")]
    BadSignature { file: PathBuf },
    #[error("{file}: payload hash mismatch")]
    PayloadHash { file: PathBuf },
    #[error("{file}: village {found}, expected {expected}")]
    WrongVillage {
        file: PathBuf,
        expected: String,
        found: String,
    },
    #[error("{file}: cannot decrypt")]
    CannotDecrypt { file: PathBuf },
    #[error("{file}: damaged payload ({detail})")]
    BadPayload { file: PathBuf, detail: String },
    #[error("{file}: photo {record} does not match its hash")]
    AttachmentHash { file: PathBuf, record: Uuid },
    #[error("{file}: refused ({refusal:?})")]
    Unauthorized {
        file: PathBuf,
        refusal: authorize::Refusal,
    },
    #[error("{file}: merge refused ({detail})")]
    MergeRefused { file: PathBuf, detail: String },
    #[error("not a county database")]
    NotCounty,
    #[error("this is a county database")]
    IsCounty,
    #[error("no village in this database")]
    NoVillage,
    #[error("{0} villages in this database")]
    SeveralVillages(usize),
    #[error("village {0} has no registered device")]
    NoDevicesForVillage(String),
    #[error("bad key: {0}")]
    BadKey(String),
    #[error("no sync server known")]
    NoServer,
    #[error("no certificate fingerprint known")]
    NoFingerprint,
    #[error("bad server address: {0}")]
    BadUrl(String),
    #[error("bad certificate fingerprint: {0}")]
    BadFingerprint(String),
    #[error("encryption failed: {0}")]
    Encrypt(String),
    #[error("no randomness: {0}")]
    Random(String),
    #[error("no conflict {0}")]
    NoSuchConflict(String),
    /// Of several bundles imported in one run, some were refused: each refused one left nothing
    /// of itself, and the others were merged.
    #[error("{} bundles imported, {} refused", imported.len(), refused.len())]
    PartlyRefused {
        imported: Vec<import::ImportReport>,
        refused: Vec<SyncError>,
    },
}

impl SyncError {
    /// The bundle this error refuses and a stable code for why (what the county's log of
    /// received bundles keeps); `None` for an error that is not a bundle's fault (the database,
    /// a full disk, a missing key).
    pub fn refused_bundle(&self) -> Option<(&std::path::Path, &'static str)> {
        let (file, code) = match self {
            SyncError::Io { file, source }
                if !matches!(
                    source.kind(),
                    std::io::ErrorKind::StorageFull
                        | std::io::ErrorKind::FileTooLarge
                        | std::io::ErrorKind::QuotaExceeded
                ) =>
            {
                (file, "unreadable")
            }
            SyncError::NotABundle { file } => (file, "not_a_bundle"),
            SyncError::NotAFile { file } => (file, "not_a_file"),
            SyncError::TooLarge { file, .. } => (file, "too_large"),
            SyncError::Truncated { file } => (file, "truncated"),
            SyncError::FormatTooOld { file, .. } => (file, "format_too_old"),
            SyncError::FormatTooNew { file, .. } => (file, "format_too_new"),
            SyncError::BadHeader { file, .. } => (file, "bad_header"),
            SyncError::UnknownSuite { file, .. } => (file, "unknown_suite"),
            SyncError::WrongKind { file, .. } => (file, "wrong_kind"),
            SyncError::UnknownDevice { file, .. } => (file, "unknown_device"),
            SyncError::RevokedDevice { file, .. } => (file, "revoked_device"),
            SyncError::KeyMismatch { file } => (file, "key_mismatch"),
            SyncError::BadSignature { file } => (file, "bad_signature"),
            SyncError::PayloadHash { file } => (file, "payload_hash"),
            SyncError::WrongVillage { file, .. } => (file, "wrong_village"),
            SyncError::CannotDecrypt { file } => (file, "cannot_decrypt"),
            SyncError::BadPayload { file, .. } => (file, "bad_payload"),
            SyncError::AttachmentHash { file, .. } => (file, "attachment_hash"),
            SyncError::MergeRefused { file, .. } => (file, "merge_refused"),
            SyncError::Unauthorized { file, .. } => (file, "unauthorized"),
            SyncError::Store(_)
            | SyncError::Io { .. }
            | SyncError::NoCountyKey { .. }
            | SyncError::NotCounty
            | SyncError::IsCounty
            | SyncError::NoVillage
            | SyncError::SeveralVillages(_)
            | SyncError::NoDevicesForVillage(_)
            | SyncError::BadKey(_)
            | SyncError::BadUrl(_)
            | SyncError::NoServer
            | SyncError::NoFingerprint
            | SyncError::BadFingerprint(_)
            | SyncError::Encrypt(_)
            | SyncError::Random(_)
            | SyncError::NoSuchConflict(_)
            | SyncError::PartlyRefused { .. } => return None,
        };
        Some((file.as_path(), code))
    }
}

fn file_name(file: &std::path::Path) -> String {
    file.display().to_string()
}

impl Localize for SyncError {
    fn localize(&self, lang: Lang) -> String {
        let unchanged_zh = "数据库未做任何改动。";
        let unchanged_en = "The database was not changed.";
        let rejected = |zh: String, en: String| match lang {
            Lang::Zh => format!("{zh}{unchanged_zh}"),
            Lang::En => format!("{en} {unchanged_en}"),
        };
        match self {
            SyncError::Store(e) => e.localize(lang),
            // Only writing fills a disk: said as such, not as a damaged bundle.
            SyncError::Io { file, source }
                if matches!(
                    source.kind(),
                    std::io::ErrorKind::StorageFull
                        | std::io::ErrorKind::FileTooLarge
                        | std::io::ErrorKind::QuotaExceeded
                ) =>
            {
                crate::files::write_failure(file, &source.to_string(), lang, ["", ""])
            }
            SyncError::Io { file, source } => rejected(
                format!("读写文件 {} 出错：{source}。", file_name(file)),
                format!("Cannot read or write {}: {source}.", file_name(file)),
            ),
            SyncError::NotABundle { file } => rejected(
                format!("{} 不是 Dripline 同步包（.dripline）。", file_name(file)),
                format!("{} is not a Dripline bundle (.dripline).", file_name(file)),
            ),
            SyncError::NotAFile { file } => rejected(
                format!(
                    "{} 不是普通文件（是文件夹、管道或设备），请选择一个 .dripline 同步包。",
                    file_name(file)
                ),
                format!(
                    "{} is not a regular file (a folder, pipe or device); choose a .dripline bundle.",
                    file_name(file)
                ),
            ),
            SyncError::TooLarge { file, limit_mb } => rejected(
                format!(
                    "{} 超过同步包大小上限 {limit_mb} MB，不是 Dripline 同步包。",
                    file_name(file)
                ),
                format!(
                    "{} is larger than the bundle size limit of {limit_mb} MB; it is not a Dripline bundle.",
                    file_name(file)
                ),
            ),
            SyncError::Truncated { file } => rejected(
                format!(
                    "同步包 {} 不完整（文件被截断），请让对方重新导出或重新拷贝。",
                    file_name(file)
                ),
                format!(
                    "Bundle {} is incomplete (truncated); copy it again or ask for a new export.",
                    file_name(file)
                ),
            ),
            SyncError::FormatTooOld {
                file,
                found,
                supported,
            } => rejected(
                format!(
                    "同步包 {} 的格式版本 {found} 已不再支持（本程序读取版本 {supported}），请对方升级后重新导出。",
                    file_name(file)
                ),
                format!(
                    "Bundle {} has format version {found}, no longer supported (this app reads {supported}); the sender must upgrade and export again.",
                    file_name(file)
                ),
            ),
            SyncError::FormatTooNew {
                file,
                found,
                supported,
            } => rejected(
                format!(
                    "同步包 {} 由更新版本的 Dripline 生成（格式版本 {found}，本程序支持到 {supported}），请升级本程序。",
                    file_name(file)
                ),
                format!(
                    "Bundle {} was written by a newer Dripline (format {found}; this app reads up to {supported}); upgrade this app.",
                    file_name(file)
                ),
            ),
            SyncError::BadHeader { file, detail } => rejected(
                format!("同步包 {} 的文件头已损坏（{detail}）。", file_name(file)),
                format!(
                    "The header of bundle {} is damaged ({detail}).",
                    file_name(file)
                ),
            ),
            SyncError::UnknownSuite { file, suite } => rejected(
                format!(
                    "同步包 {} 使用了本程序不认识的加密套件 {suite}，请升级本程序。",
                    file_name(file)
                ),
                format!(
                    "Bundle {} uses cipher suite {suite}, unknown to this app; upgrade it.",
                    file_name(file)
                ),
            ),
            SyncError::WrongKind { file, found } => rejected(
                format!(
                    "同步包 {} 是{}，不能导入这个数据库（村里的包导入县库，县里的回执包导入村里的设备）。",
                    file_name(file),
                    if found == "village" {
                        "村级上报包"
                    } else {
                        "县级回执包"
                    }
                ),
                format!(
                    "Bundle {} is a {found} bundle and cannot be imported into this database (village bundles go to the county database, return bundles to village devices).",
                    file_name(file)
                ),
            ),
            SyncError::UnknownDevice { file, device } => rejected(
                format!(
                    "同步包 {} 来自未登记的设备 {device}，已拒收。请先在县库中登记该设备（keys register-device）。",
                    file_name(file)
                ),
                format!(
                    "Bundle {} comes from device {device}, which is not registered; refused. Register the device in the county database first (keys register-device).",
                    file_name(file)
                ),
            ),
            SyncError::RevokedDevice { file, device } => rejected(
                format!(
                    "同步包 {} 来自已停用的设备 {device}，已拒收。",
                    file_name(file)
                ),
                format!(
                    "Bundle {} comes from device {device}, which has been revoked; refused.",
                    file_name(file)
                ),
            ),
            SyncError::KeyMismatch { file } => rejected(
                format!(
                    "同步包 {} 的签名密钥与登记的不符（签名检查未通过），已拒收。",
                    file_name(file)
                ),
                format!(
                    "Bundle {} names a signing key other than the registered one (signature check); refused.",
                    file_name(file)
                ),
            ),
            SyncError::NoCountyKey { file } => rejected(
                format!(
                    "尚未设置县级公钥，无法核验回执包 {}。请先运行 keys set-county。",
                    file_name(file)
                ),
                format!(
                    "No county key is set, so return bundle {} cannot be verified; run keys set-county first.",
                    file_name(file)
                ),
            ),
            SyncError::BadSignature { file } => rejected(
                format!(
                    "同步包 {} 的签名不对（签名检查未通过）：文件在途中被改动过或已损坏，已拒收。",
                    file_name(file)
                ),
                format!(
                    "The signature of bundle {} does not match (signature check): the file was altered or damaged on the way; refused.",
                    file_name(file)
                ),
            ),
            SyncError::PayloadHash { file } => rejected(
                format!(
                    "同步包 {} 的内容与其校验值不符（哈希检查未通过），已拒收。",
                    file_name(file)
                ),
                format!(
                    "The content of bundle {} does not match its hash (hash check); refused.",
                    file_name(file)
                ),
            ),
            SyncError::WrongVillage {
                file,
                expected,
                found,
            } => rejected(
                format!(
                    "同步包 {} 属于村 {found}，而这里是村 {expected}（村代码检查未通过），已拒收。",
                    file_name(file)
                ),
                format!(
                    "Bundle {} belongs to village {found}, but this is village {expected} (village check); refused.",
                    file_name(file)
                ),
            ),
            SyncError::CannotDecrypt { file } => rejected(
                format!(
                    "无法解密同步包 {}（解密检查未通过）：它不是加密给本设备或本县的，可能用错了县级公钥。",
                    file_name(file)
                ),
                format!(
                    "Bundle {} cannot be decrypted (decryption check): it was not encrypted to this device or county; perhaps the wrong county key was used.",
                    file_name(file)
                ),
            ),
            SyncError::BadPayload { file, detail } => rejected(
                format!(
                    "同步包 {} 的内容已损坏或与文件头不符（{detail}）。",
                    file_name(file)
                ),
                format!(
                    "The content of bundle {} is damaged or does not match its header ({detail}).",
                    file_name(file)
                ),
            ),
            SyncError::AttachmentHash { file, record } => rejected(
                format!(
                    "同步包 {} 中的走访照片 {record} 与其校验值不符（附件检查未通过）。",
                    file_name(file)
                ),
                format!(
                    "Visit photo {record} in bundle {} does not match its hash (attachment check).",
                    file_name(file)
                ),
            ),
            SyncError::Unauthorized { file, refusal } => {
                let rule = refusal.rule.describe(lang);
                match &refusal.record {
                    Some(record) => rejected(
                        format!(
                            "同步包 {} 已整包拒收：记录 {record} {rule}。",
                            file_name(file)
                        ),
                        format!(
                            "Bundle {} was refused whole: record {record} {rule}.",
                            file_name(file)
                        ),
                    ),
                    None => rejected(
                        format!("同步包 {} 已整包拒收：{rule}。", file_name(file)),
                        format!("Bundle {} was refused whole: {rule}.", file_name(file)),
                    ),
                }
            }
            SyncError::MergeRefused { file, detail } => rejected(
                format!(
                    "同步包 {} 与本地数据无法合并（{detail}），例如两台设备为同一户登记了同一年的收入。请在一台设备上删除重复的记录后重新导出。",
                    file_name(file)
                ),
                format!(
                    "Bundle {} cannot be merged with the local data ({detail}), e.g. two devices entered the same year's income for one household. Delete the duplicate on one device and export again.",
                    file_name(file)
                ),
            ),
            SyncError::NotCounty => lang
                .pick(
                    "这不是县级数据库。请用 county init 创建县库。",
                    "This is not a county database; create one with county init.",
                )
                .to_string(),
            SyncError::IsCounty => lang
                .pick(
                    "这是县级数据库：请用 county return 为各村生成回执包。",
                    "This is a county database: write return bundles with county return.",
                )
                .to_string(),
            SyncError::NoVillage => lang
                .pick(
                    "数据库里还没有村，无法导出。请先登记本村。",
                    "There is no village in this database yet; set up the village first.",
                )
                .to_string(),
            SyncError::SeveralVillages(n) => match lang {
                Lang::Zh => format!("数据库里有 {n} 个村；村级同步包只能来自一个村的数据库。"),
                Lang::En => format!(
                    "This database holds {n} villages; a village bundle comes from one village's database."
                ),
            },
            SyncError::NoDevicesForVillage(code) => match lang {
                Lang::Zh => {
                    format!("村 {code} 没有已登记且未停用的设备，回执包无人可收。请先登记设备。")
                }
                Lang::En => format!(
                    "Village {code} has no registered, unrevoked device to receive a return bundle; register one first."
                ),
            },
            SyncError::BadKey(key) => match lang {
                Lang::Zh => format!("密钥格式不对：{key}"),
                Lang::En => format!("Not a valid key: {key}"),
            },
            SyncError::NoServer => match lang {
                Lang::Zh => "还不知道县里同步服务器的地址：请设置县里新发的县级公钥（含服务器地址和证书指纹，keys set-county），或用 dripline sync --server https://主机:端口 指定一次；未做任何改动。".to_string(),
                Lang::En => "No county sync server is known yet: set the county's new key line (with the server address and certificate fingerprint, keys set-county), or give it once with dripline sync --server https://HOST:PORT; nothing was changed.".to_string(),
            },
            SyncError::NoFingerprint => match lang {
                Lang::Zh => "还不知道县里同步服务器的证书指纹，无法确认连上的是县里的服务器：请设置县里新发的县级公钥，或用 keys set-county --fingerprint 指定；未做任何改动。".to_string(),
                Lang::En => "The county sync server's certificate fingerprint is not known, so the server cannot be checked: set the county's new key line, or give it with keys set-county --fingerprint; nothing was changed.".to_string(),
            },
            SyncError::BadUrl(url) => match lang {
                Lang::Zh => format!(
                    "同步服务器地址不对：{url}。应写成 https://主机:端口，例如 https://10.1.2.3:8443；未做任何改动。"
                ),
                Lang::En => format!(
                    "Not a sync server address: {url}. Write it as https://HOST:PORT, e.g. https://10.1.2.3:8443; nothing was changed."
                ),
            },
            SyncError::BadFingerprint(text) => match lang {
                Lang::Zh => format!(
                    "证书指纹不对：{text}。应为 64 位十六进制数（SHA-256，县里 dripline serve 启动时打印）；未做任何改动。"
                ),
                Lang::En => format!(
                    "Not a certificate fingerprint: {text}. It is 64 hex digits (SHA-256, printed by dripline serve at the county); nothing was changed."
                ),
            },
            SyncError::Encrypt(e) => match lang {
                Lang::Zh => format!("加密失败：{e}"),
                Lang::En => format!("Encryption failed: {e}"),
            },
            SyncError::Random(e) => match lang {
                Lang::Zh => format!("无法取得随机数生成密钥：{e}"),
                Lang::En => format!("No randomness for a new key: {e}"),
            },
            SyncError::NoSuchConflict(id) => match lang {
                Lang::Zh => format!("找不到冲突 {id}，可能已在别处处理。"),
                Lang::En => {
                    format!("Conflict {id} not found; it may have been resolved elsewhere.")
                }
            },
            SyncError::PartlyRefused { imported, refused } => {
                // Each refused bundle left nothing of itself; the database did change (the
                // bundles merged), so the words "not changed" of each refusal are left out.
                let reasons: Vec<String> = refused
                    .iter()
                    .map(|e| {
                        e.localize(lang)
                            .trim_end_matches(unchanged_zh)
                            .trim_end_matches(unchanged_en)
                            .trim_end()
                            .to_string()
                    })
                    .collect();
                let merged = imported.iter().filter(|r| !r.already_imported).count();
                match lang {
                    Lang::Zh => format!(
                        "{} 个数据包被拒收（其内容均未合并），另外 {merged} 个已合并：{}",
                        refused.len(),
                        reasons.join("；")
                    ),
                    Lang::En => format!(
                        "{} bundles refused (nothing of them was merged); {merged} others were merged: {}",
                        refused.len(),
                        reasons.join("; ")
                    ),
                }
            }
        }
    }
}
