//! The local database: one SQLite file per village team (or per county), owned by [`Store`].
//!
//! Durability comes first: WAL with `synchronous=FULL`, so a change the app reported as saved
//! survives a crash or a power cut. Every record is identified by UUID (across devices) and an
//! integer key (inside the file), and carries created/updated time, the updating device, a
//! tombstone flag and its sync stamp, so that sync bundles can be built on it. Every change is
//! numbered in a change log (when, by whom, its id, which is what undo reverts) and writes an audit
//! row for each field it changes; the records it creates name it (`created_change`).

pub mod audit_chain;
pub mod backup;
pub mod bundle_receipts;
pub mod cipher;
pub mod clashes;
pub mod clock;
mod funds;
mod generated;
pub mod headlines;
mod helpers;
mod households;
pub mod import;
pub mod installation;
mod measures;
pub mod migrate_issue13;
pub mod monitoring_cases;
mod probe;
mod products;
mod projects;
mod record;
mod rows;
pub mod schema;
mod settings;
mod survey;
mod sync_bookkeeping;
pub(crate) mod sync_log;
mod townships;
mod villages;
mod visits;
mod workflow;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::i18n::{Lang, Localize};
use crate::rules::registry::FieldError;
use crate::rules::workflow_records::WorkFieldError;

pub use record::ChangeId;
pub use sync_log::{SyncTable, sync_tables};

/// The bookkeeping number of a synced table (0 for a name that is none).
pub(crate) fn table_number(name: &str) -> i64 {
    record::number_of(name).unwrap_or(0)
}

/// The synced table of bookkeeping number `n` (`None` for a county-only table: its audit rows
/// stay out of every bundle).
pub(crate) fn table_numbered(n: i64) -> Option<SyncTable> {
    record::table_numbered(n)
        .filter(|t| record::is_synced(t.name))
        .map(|t| SyncTable {
            name: t.name,
            columns: t.columns,
        })
}

/// The write-path description of a synced table, for the merge's audit and clock writes.
pub(crate) fn record_table(name: &str) -> &'static record::Table {
    record::table_named(name).expect("a synced table, checked when the bundle was read")
}
pub use visits::MAX_PHOTO_BYTES;

/// The stored code of a status (`registered`, `exited`, …), as written to exports.
pub fn status_code(status: crate::model::HouseholdStatus) -> &'static str {
    households::status_columns(status).0
}

/// Every stored status code, as a bundle's `household.status` may hold them (`unassessed` is
/// new with issue #13: older bundles simply never carry it).
pub const STATUS_CODES: [&str; 5] = [
    "unassessed",
    "not_registered",
    "registered",
    "exited",
    "monitored",
];

/// A file-system error on `path` in the store's words.
fn io_error(path: &Path, e: &std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    match e.kind() {
        std::io::ErrorKind::NotFound => StoreError::Missing { path },
        std::io::ErrorKind::PermissionDenied => StoreError::NoAccess { path },
        std::io::ErrorKind::StorageFull => StoreError::DiskFull { path },
        _ => StoreError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(
            std::io::Error::new(e.kind(), e.to_string()),
        ))),
    }
}

/// An SQLite error of opening (or first writing) `path`, with the reason a user can act on.
fn sqlite_open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    let path_buf = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => StoreError::DiskFull { path: path_buf },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Locked { path: path_buf }
        }
        Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied | ErrorCode::CannotOpen) => {
            StoreError::NoAccess { path: path_buf }
        }
        Some(ErrorCode::NotADatabase) => StoreError::NotDripline { path: path_buf },
        _ => StoreError::Sqlite(e),
    }
}

/// A failed write to the database at `path` on `conn`, in the words a user can act on: a full
/// disk (SQLite's `SQLITE_FULL`, or an I/O error whose system error is "no space", "file too
/// large" or "quota exceeded"), a missing permission, a lock held by another program. Anything
/// else, a constraint in particular, is returned as it was. Called right after the failure: the
/// system error is the connection's last one.
pub fn write_error(conn: &Connection, path: &Path, e: StoreError) -> StoreError {
    use rusqlite::ErrorCode;
    use std::io::ErrorKind;
    let StoreError::Sqlite(sqlite) = &e else {
        return e;
    };
    let path = path.to_path_buf();
    match sqlite.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => StoreError::DiskFull { path },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked { path },
        Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => StoreError::NoAccess { path },
        Some(ErrorCode::SystemIoFailure | ErrorCode::CannotOpen) => {
            // SAFETY: the handle is only read for its last system error, on this thread.
            let errno = unsafe { rusqlite::ffi::sqlite3_system_errno(conn.handle()) };
            match std::io::Error::from_raw_os_error(errno).kind() {
                ErrorKind::StorageFull | ErrorKind::FileTooLarge | ErrorKind::QuotaExceeded => {
                    StoreError::DiskFull { path }
                }
                ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => {
                    StoreError::NoAccess { path }
                }
                _ => e,
            }
        }
        _ => e,
    }
}

/// Everything that can go wrong in the store, typed; words are chosen at the edge ([`Localize`]).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{path} does not exist")]
    Missing { path: PathBuf },
    #[error("{path} is not a Dripline database")]
    NotDripline { path: PathBuf },
    #[error("{path} is empty (0 bytes)")]
    EmptyFile { path: PathBuf },
    #[error("{path} is not a regular file")]
    NotAFile { path: PathBuf, is_dir: bool },
    #[error("{path}: no permission")]
    NoAccess { path: PathBuf },
    #[error("{path}: the disk is full")]
    DiskFull { path: PathBuf },
    #[error("{path}: locked by another program")]
    Locked { path: PathBuf },
    #[error("{path}: schema version {found} is not one Dripline ever wrote")]
    BadVersion { path: PathBuf, found: i64 },
    #[error("database version {found} is newer than this app supports ({supported})")]
    TooNew { found: i64, supported: i64 },
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("invalid record: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("household number {0} is already used in this village")]
    DuplicateHouseholdNumber(String),
    #[error("village code {0} is already registered")]
    DuplicateVillageCode(String),
    #[error("an income record for {0} already exists for this household")]
    DuplicateIncomeYear(i32),
    #[error("nothing to undo")]
    NothingToUndo,
    #[error("invalid workflow record: {0:?}")]
    InvalidWorkflow(Vec<WorkFieldError>),
    #[error("monitoring case: {0:?}")]
    InvalidCase(Vec<crate::rules::monitoring_cases::CaseProblem>),
    #[error("risk elimination criteria not met: {en:?}")]
    EliminationCriteriaNotMet { zh: Vec<String>, en: Vec<String> },
    #[error("photo of {size_bytes} bytes is larger than {max_bytes} bytes")]
    PhotoTooLarge { size_bytes: u64, max_bytes: u64 },
    #[error("a survey for {0} already exists for this household")]
    DuplicateSurveyYear(i32),
    #[error("{path} is encrypted and no passphrase was given")]
    NeedsPassphrase { path: PathBuf },
    #[error("{path}: wrong passphrase")]
    WrongPassphrase { path: PathBuf },
    #[error(
        "the passphrase is shorter than {} characters",
        cipher::MIN_PASSPHRASE_CHARS
    )]
    PassphraseTooShort,
    #[error("{path} is already encrypted")]
    AlreadyEncrypted { path: PathBuf },
    #[error("{path} is not encrypted")]
    NotEncrypted { path: PathBuf },
}

impl Localize for StoreError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            StoreError::Sqlite(e) => match lang {
                Lang::Zh => format!(
                    "数据库出错：{e}。数据未改动；请重试，若反复出现请备份数据文件后联系县扶贫办技术人员。"
                ),
                Lang::En => format!(
                    "Database error: {e}. Nothing was changed; try again, and if it persists back up the data file and contact county IT."
                ),
            },
            StoreError::Missing { path } => match lang {
                Lang::Zh => format!("找不到文件 {}，请检查路径。", path.display()),
                Lang::En => format!("File {} does not exist; check the path.", path.display()),
            },
            StoreError::NotDripline { path } => match lang {
                Lang::Zh => format!(
                    "{} 不是 Dripline 数据库（可能是其他软件的文件或已损坏），未做任何改动。",
                    path.display()
                ),
                Lang::En => format!(
                    "{} is not a Dripline database (another program's file, or damaged); nothing was changed.",
                    path.display()
                ),
            },
            StoreError::EmptyFile { path } => match lang {
                Lang::Zh => format!(
                    "{} 是空文件（0 字节），不是数据库，未做任何改动。若是拷贝中断的备份，请重新拷贝；新建数据库请在程序中打开数据文件夹。",
                    path.display()
                ),
                Lang::En => format!(
                    "{} is an empty file (0 bytes), not a database; nothing was changed. If it is an interrupted copy, copy it again; the app creates a new database in its data folder.",
                    path.display()
                ),
            },
            StoreError::NotAFile { path, is_dir } => match (lang, is_dir) {
                (Lang::Zh, true) => format!(
                    "{} 是文件夹，不是数据库文件；请选择 .sqlite 文件。",
                    path.display()
                ),
                (Lang::En, true) => format!(
                    "{} is a folder, not a database file; choose the .sqlite file.",
                    path.display()
                ),
                (Lang::Zh, false) => {
                    format!("{} 不是普通文件（是管道或设备），未打开。", path.display())
                }
                (Lang::En, false) => format!(
                    "{} is not a regular file (a pipe or device); it was not opened.",
                    path.display()
                ),
            },
            StoreError::NoAccess { path } => match lang {
                Lang::Zh => format!(
                    "没有权限读写 {}（或它所在的文件夹）。数据没有损坏；请换到有写入权限的文件夹，或请管理员修改权限。",
                    path.display()
                ),
                Lang::En => format!(
                    "No permission to read and write {} (or its folder). The data is not damaged; move it to a folder you can write, or ask an administrator to change the permissions.",
                    path.display()
                ),
            },
            StoreError::DiskFull { path } => match lang {
                Lang::Zh => format!(
                    "{} 所在的磁盘已满，数据未改动、也没有损坏。请腾出空间（或换一个 U 盘）后重试。",
                    path.display()
                ),
                Lang::En => format!(
                    "The disk holding {} is full; nothing was changed and the data is not damaged. Free some space (or use another USB stick) and try again.",
                    path.display()
                ),
            },
            StoreError::Locked { path } => match lang {
                Lang::Zh => format!(
                    "{} 正被另一个程序使用（可能是另一个 Dripline 窗口或同步软件）。数据没有损坏；请关闭那个程序后重试。",
                    path.display()
                ),
                Lang::En => format!(
                    "{} is in use by another program (another Dripline window or a sync tool, perhaps). The data is not damaged; close that program and try again.",
                    path.display()
                ),
            },
            StoreError::BadVersion { path, found } => match lang {
                Lang::Zh => format!(
                    "{} 的数据版本号 {found} 不是 Dripline 写入的（文件头已损坏），未打开、未改动。请从备份恢复。",
                    path.display()
                ),
                Lang::En => format!(
                    "{} has data version {found}, which Dripline never writes (a damaged header); it was not opened or changed. Restore it from a backup.",
                    path.display()
                ),
            },
            StoreError::TooNew { found, supported } => match lang {
                Lang::Zh => format!(
                    "该数据库由更新版本的 Dripline 创建（数据版本 {found}，本程序支持到 {supported}）。请升级程序后再打开；文件未被改动。"
                ),
                Lang::En => format!(
                    "This database was written by a newer Dripline (data version {found}; this app supports up to {supported}). Upgrade the app to open it; the file was not changed."
                ),
            },
            StoreError::NotFound { what, id } => match lang {
                Lang::Zh => format!("找不到记录（{what} {id}），可能已被删除。"),
                Lang::En => format!("Record not found ({what} {id}); it may have been deleted."),
            },
            StoreError::Invalid(errors) => errors
                .iter()
                .map(|e| e.localize(lang))
                .collect::<Vec<_>>()
                .join(lang.pick("；", "; ")),
            StoreError::DuplicateHouseholdNumber(n) => match lang {
                Lang::Zh => format!("户编号 {n} 在本村已被使用，请换一个编号。"),
                Lang::En => {
                    format!("Household number {n} is already used in this village; choose another.")
                }
            },
            StoreError::DuplicateVillageCode(c) => match lang {
                Lang::Zh => format!("村代码 {c} 已经登记过。"),
                Lang::En => format!("Village code {c} is already registered."),
            },
            StoreError::DuplicateIncomeYear(y) => match lang {
                Lang::Zh => format!("该户已有 {y} 年的收入记录，请直接修改那一条。"),
                Lang::En => format!(
                    "This household already has an income record for {y}; edit that one instead."
                ),
            },
            StoreError::NothingToUndo => lang
                .pick("没有可撤销的操作。", "Nothing to undo.")
                .to_string(),
            StoreError::InvalidWorkflow(errors) => errors
                .iter()
                .map(|e| e.localize(lang))
                .collect::<Vec<_>>()
                .join(lang.pick("；", "; ")),
            StoreError::InvalidCase(problems) => problems
                .iter()
                .map(|e| e.localize(lang))
                .collect::<Vec<_>>()
                .join(lang.pick("；", "; ")),
            StoreError::EliminationCriteriaNotMet { zh, en } => match lang {
                Lang::Zh => format!("未达到风险消除标准：{}", zh.join("；")),
                Lang::En => format!(
                    "The risk-elimination criteria are not met: {}",
                    en.join("; ")
                ),
            },
            StoreError::PhotoTooLarge {
                size_bytes,
                max_bytes,
            } => {
                let (size, max) = (mebibytes(*size_bytes), mebibytes(*max_bytes));
                match lang {
                    Lang::Zh => format!(
                        "照片有{size} MB，超过了{max} MB的上限，未保存。请在手机或相机上调低分辨率后重新添加。"
                    ),
                    Lang::En => format!(
                        "The photo is {size} MB, over the {max} MB limit, and was not saved. Lower the resolution on the phone or camera and add it again."
                    ),
                }
            }
            StoreError::NeedsPassphrase { path } => match lang {
                Lang::Zh => format!(
                    "{} 已加密，需要口令。请在终端里运行（会提示输入口令），或设置环境变量 {}；未做任何改动。",
                    path.display(),
                    cipher::PASSPHRASE_ENV
                ),
                Lang::En => format!(
                    "{} is encrypted and needs its passphrase. Run the command in a terminal (it asks for it) or set the environment variable {}; nothing was changed.",
                    path.display(),
                    cipher::PASSPHRASE_ENV
                ),
            },
            StoreError::WrongPassphrase { path } => match lang {
                Lang::Zh => format!(
                    "口令不对：打不开 {}（也可能它不是 Dripline 数据库）。未做任何改动，请重新输入口令。",
                    path.display()
                ),
                Lang::En => format!(
                    "Wrong passphrase: {} cannot be opened (or it is not a Dripline database). Nothing was changed; enter the passphrase again.",
                    path.display()
                ),
            },
            StoreError::PassphraseTooShort => match lang {
                Lang::Zh => format!(
                    "口令太短：至少 {} 个字符。未做任何改动。",
                    cipher::MIN_PASSPHRASE_CHARS
                ),
                Lang::En => format!(
                    "The passphrase is too short: at least {} characters. Nothing was changed.",
                    cipher::MIN_PASSPHRASE_CHARS
                ),
            },
            StoreError::AlreadyEncrypted { path } => match lang {
                Lang::Zh => format!("{} 已经加密，未做任何改动。", path.display()),
                Lang::En => format!(
                    "{} is already encrypted; nothing was changed.",
                    path.display()
                ),
            },
            StoreError::NotEncrypted { path } => match lang {
                Lang::Zh => format!(
                    "{} 没有加密，没有口令可改。请先运行 dripline passphrase encrypt --db {}。",
                    path.display(),
                    path.display()
                ),
                Lang::En => format!(
                    "{} is not encrypted, so it has no passphrase to change. Run dripline passphrase encrypt --db {} first.",
                    path.display(),
                    path.display()
                ),
            },
            StoreError::DuplicateSurveyYear(y) => match lang {
                Lang::Zh => format!("该户已有 {y} 年的入户调查，请继续填写那一份。"),
                Lang::En => {
                    format!("This household already has a {y} survey; continue that one instead.")
                }
            },
        }
    }
}

/// A size in MiB with one decimal, as the photo messages show it.
fn mebibytes(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The page cache of an open database, KiB (pages are taken only as the file needs them).
pub(crate) const CACHE_KIB: i64 = 64 * 1024;
/// The page cache while many bundles merge in one transaction: the indexes of a whole county.
pub(crate) const BULK_CACHE_KIB: i64 = 2 * 1024 * 1024;
/// SQLite's automatic checkpoint, in pages of the write-ahead log, for an open database
/// (SQLite's default: about 4 MB).
pub(crate) const WAL_AUTOCHECKPOINT_PAGES: i64 = 1000;
/// The same while a run of bundles merges, one commit per bundle: about 256 MB. A county bundle
/// touches index pages all over a file of a gigabyte or more; checkpointing every 4 MB copies
/// and syncs those scattered pages into the main file after nearly every bundle, a cost that
/// grows with the county. Commits stay synced into the log (a crash or power cut loses no merged
/// bundle); the log is folded into the file once at the end of the run.
pub(crate) const BULK_WAL_AUTOCHECKPOINT_PAGES: i64 = 64 * 1024;

/// The audit actor of a change made before anyone said who is working.
pub const UNKNOWN_ACTOR: &str = "未指定/unknown";

/// The actor the command line was given (`--actor`, `DRIPLINE_ACTOR`), for every store it opens.
static PROCESS_ACTOR: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Names the actor of every store this process opens from now on (the command line, once).
pub fn set_process_actor(actor: &str) {
    let _ = PROCESS_ACTOR.set(actor.to_string());
}

/// An open Dripline database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    device_id: Uuid,
    /// Who is making changes (written to the audit log): the team member the window's user chose
    /// or the command line named, else [`UNKNOWN_ACTOR`] (never the operating-system user: one
    /// laptop account is shared by the whole team).
    actor: String,
    /// Secondary indexes dropped for a bulk load, recreated by [`Store::close`].
    bulk_dropped_indexes: Vec<String>,
    /// The passphrase the file is encrypted with (`None`: an unencrypted file); backups are
    /// encrypted with it too.
    passphrase: Option<String>,
    /// The computer this file was bound to when opened ([`installation`]), if any.
    installation: Option<installation::Installation>,
    /// What binding it found (a copy become a new device, a restored file renumbered).
    binding: Option<installation::Binding>,
}

impl Store {
    /// Opens an existing Dripline database, migrating it forward if it is older than this app.
    /// Refuses (without writing anything) a missing file, a file that is not a Dripline database,
    /// and a database written by a newer app.
    ///
    /// A file that may be encrypted (see [`cipher`]) is opened with the process's passphrase
    /// ([`cipher::set_process_passphrase`], else asked for on a terminal): none gives
    /// [`StoreError::NeedsPassphrase`], a wrong one [`StoreError::WrongPassphrase`], and the file
    /// is left as it was.
    pub fn open(path: &Path) -> Result<Store> {
        match Self::check_is_dripline(path) {
            Ok(()) => Self::open_inner(path, None),
            Err(StoreError::NotDripline { .. }) if cipher::may_be_encrypted(path) => {
                let Some(passphrase) = cipher::passphrase_for(path) else {
                    return Err(StoreError::NeedsPassphrase {
                        path: path.to_path_buf(),
                    });
                };
                Self::open_inner(path, Some(passphrase))
            }
            Err(e) => Err(e),
        }
    }

    /// Opens `path` with this `passphrase` (`None`: unencrypted), whatever the process's is.
    pub fn open_with(path: &Path, passphrase: Option<&str>) -> Result<Store> {
        match (Self::check_is_dripline(path), passphrase) {
            (Ok(()), _) => Self::open_inner(path, None),
            (Err(StoreError::NotDripline { .. }), Some(p)) if cipher::may_be_encrypted(path) => {
                Self::open_inner(path, Some(p.to_string()))
            }
            (Err(StoreError::NotDripline { .. }), None) if cipher::may_be_encrypted(path) => {
                Err(StoreError::NeedsPassphrase {
                    path: path.to_path_buf(),
                })
            }
            (Err(e), _) => Err(e),
        }
    }

    /// Whether the file is encrypted.
    pub fn is_encrypted(&self) -> bool {
        self.passphrase.is_some()
    }

    /// Re-encrypts the database with `new` (`PRAGMA rekey`): the old passphrase opens it no
    /// more. Only an encrypted database has a passphrase to change.
    pub fn change_passphrase(&mut self, new: &str) -> Result<()> {
        if self.passphrase.is_none() {
            return Err(StoreError::NotEncrypted {
                path: self.path.clone(),
            });
        }
        if new.chars().count() < cipher::MIN_PASSPHRASE_CHARS {
            return Err(StoreError::PassphraseTooShort);
        }
        self.conn.pragma_update(None, "rekey", new)?;
        self.passphrase = Some(new.to_string());
        Ok(())
    }

    /// Creates a new, empty, unencrypted database at `path`; an existing Dripline database is
    /// opened instead.
    pub fn open_or_create(path: &Path) -> Result<Store> {
        Self::open_or_create_with(path, None)
    }

    /// [`Store::open_or_create`], a new database being encrypted with `passphrase`.
    pub fn open_or_create_with(path: &Path, passphrase: Option<&str>) -> Result<Store> {
        if path.exists()
            && std::fs::metadata(path)
                .map(|m| m.len() > 0)
                .unwrap_or(false)
        {
            return Self::open(path);
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
            })?;
        }
        Self::open_inner(path, passphrase.map(str::to_string))
    }

    /// An in-memory database (tests and benchmarks).
    pub fn in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        Self::init(conn, PathBuf::from(":memory:"), None)
    }

    /// Decides from the file's bytes (and its WAL's) whether it is ours, before SQLite opens it:
    /// a refused file gets nothing written beside it. See [`probe`].
    fn check_is_dripline(path: &Path) -> Result<()> {
        let path_buf = || path.to_path_buf();
        let meta = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
        if !meta.is_file() {
            return Err(StoreError::NotAFile {
                path: path_buf(),
                is_dir: meta.is_dir(),
            });
        }
        match probe::judge(path).map_err(|e| io_error(path, &e))? {
            probe::Verdict::Empty => Err(StoreError::EmptyFile { path: path_buf() }),
            probe::Verdict::EmptySqlite => Ok(()),
            probe::Verdict::Foreign | probe::Verdict::NotSqlite => {
                Err(StoreError::NotDripline { path: path_buf() })
            }
            probe::Verdict::Ours { version } if version < 0 => Err(StoreError::BadVersion {
                path: path_buf(),
                found: version,
            }),
            probe::Verdict::Ours { version } if version > schema::latest_version() => {
                Err(StoreError::TooNew {
                    found: version,
                    supported: schema::latest_version(),
                })
            }
            probe::Verdict::Ours { .. } => Ok(()),
        }
    }

    fn open_inner(path: &Path, passphrase: Option<String>) -> Result<Store> {
        let conn = Connection::open(path).map_err(|e| sqlite_open_error(path, e))?;
        if let Some(p) = &passphrase {
            cipher::key(&conn, p).map_err(|e| sqlite_open_error(path, e))?;
            cipher::check_keyed(&conn, path)?;
        }
        Self::init(conn, path.to_path_buf(), passphrase).map_err(|e| match e {
            StoreError::Sqlite(e) => sqlite_open_error(path, e),
            other => other,
        })
    }

    fn init(mut conn: Connection, path: PathBuf, passphrase: Option<String>) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // WAL keeps readers and the writer apart; FULL syncs the WAL on every commit so that a
        // saved record survives a power cut, not only a crash of the app.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // The working set of a county's indexes, not SQLite's 2 MB default: a bulk write that
        // outgrows the cache spills and re-reads pages of its own transaction.
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        schema::migrate_to(&mut conn, schema::latest_version())?;
        let device_id = settings::ensure_device_and_defaults(&conn)?;
        let actor = PROCESS_ACTOR
            .get()
            .cloned()
            .unwrap_or_else(|| UNKNOWN_ACTOR.to_string());
        let mut store = Store {
            conn,
            path,
            device_id,
            actor,
            bulk_dropped_indexes: Vec::new(),
            passphrase,
            installation: None,
            binding: None,
        };
        store.bind_process_installation()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The installation (device) whose changes this store records.
    pub fn device_id(&self) -> Uuid {
        self.device_id
    }

    /// Who is making the changes from now on (a member of the village team).
    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub fn set_actor(&mut self, actor: impl Into<String>) {
        self.actor = actor.into();
    }

    /// Switches a database that is being built from scratch (and will be renamed into place only
    /// when complete) to unsynced, journal-less writing without secondary indexes: a crash there
    /// loses only a file nobody uses yet, and building each index once at the end is far faster
    /// than keeping it sorted row by row. [`Store::close`] rebuilds the indexes and restores WAL,
    /// so the finished file is like any other.
    pub fn start_bulk_load(&mut self) -> Result<()> {
        self.conn.pragma_update(None, "synchronous", "OFF")?;
        self.conn.pragma_update(None, "journal_mode", "OFF")?;
        self.conn
            .pragma_update(None, "cache_size", -BULK_CACHE_KIB)?;
        let indexes: Vec<(String, String)> = self
            .conn
            .prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, sql) in indexes {
            self.conn.execute_batch(&format!("DROP INDEX \"{name}\""))?;
            self.bulk_dropped_indexes.push(sql);
        }
        Ok(())
    }

    /// Rebuilds what a bulk load dropped, folds the write-ahead log into the main file and closes
    /// it, leaving one self-contained file (before a file is copied, renamed or handed over).
    pub fn close(self) -> Result<()> {
        if self.bulk_dropped_indexes.is_empty() {
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        } else {
            // Cached statements would hold the tables the indexes are built on.
            self.conn.flush_prepared_statement_cache();
            for sql in &self.bulk_dropped_indexes {
                self.conn.execute_batch(sql)?;
            }
            // Written without a journal: switching to WAL leaves an empty log behind.
            self.conn.pragma_update(None, "journal_mode", "WAL")?;
            self.conn.pragma_update(None, "synchronous", "FULL")?;
        }
        self.conn.close().map_err(|(_, e)| StoreError::Sqlite(e))
    }

    /// Runs SQLite's own consistency check; `Ok(())` when the file is sound.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let problems: Vec<String> = rows.collect::<Result<_, _>>()?;
        Ok(if problems == ["ok"] {
            Vec::new()
        } else {
            problems
        })
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Number of audit entries: changed fields, plus one for each record a change created (for
    /// tests and the status bar).
    pub fn audit_len(&self) -> Result<i64> {
        let mut n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))?;
        for table in record::all_tables() {
            n += self.conn.query_row(
                &format!(
                    "SELECT count(*) FROM {} WHERE created_change IS NOT NULL",
                    table.name
                ),
                [],
                |r| r.get::<_, i64>(0),
            )?;
        }
        Ok(n)
    }

    /// The audit entries of one record, oldest first: its creation (field ""), then every field
    /// a change wrote.
    pub fn audit_of(&self, record_id: Uuid) -> Result<Vec<AuditRow>> {
        let mut out = Vec::new();
        for table in record::all_tables() {
            let sql = format!(
                "SELECT key, created_change FROM {} WHERE id = ?1",
                table.name
            );
            let found: Option<(i64, Option<i64>)> = self
                .conn
                .query_row(&sql, [record_id.to_string()], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            let Some((key, created)) = found else {
                continue;
            };
            let change = |n: i64| -> Result<(String, String, String)> {
                Ok(self.conn.query_row(
                    "SELECT change_id, at, actor FROM change_log WHERE n = ?1",
                    [n],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?)
            };
            if let Some(n) = created {
                let (change_id, at, actor) = change(n)?;
                out.push(AuditRow {
                    change_id,
                    at,
                    actor,
                    table: table.name.to_string(),
                    field: String::new(),
                    old_value: rusqlite::types::Value::Null,
                    new_value: rusqlite::types::Value::Null,
                });
            }
            let rows: Vec<(
                i64,
                Option<i64>,
                rusqlite::types::Value,
                rusqlite::types::Value,
            )> = self
                .conn
                .prepare(
                    "SELECT change, field, old_value, new_value FROM audit
                         WHERE tbl = ?1 AND rec = ?2 ORDER BY seq",
                )?
                .query_map(rusqlite::params![table.number(), key], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            for (n, field, old_value, new_value) in rows {
                let (change_id, at, actor) = change(n)?;
                let field = field
                    .and_then(|f| usize::try_from(f).ok())
                    .and_then(|f| table.field_name(f))
                    .unwrap_or("");
                out.push(AuditRow {
                    change_id,
                    at,
                    actor,
                    table: table.name.to_string(),
                    field: field.to_string(),
                    old_value,
                    new_value,
                });
            }
        }
        Ok(out)
    }

    /// The audit rows other devices (the county's clerks, the team's other laptops) sent of one
    /// record, as bundles brought them, with the device each came from; oldest first.
    pub fn remote_audit_of(&self, record_id: Uuid) -> Result<Vec<(Uuid, AuditRow)>> {
        let rows = self
            .conn
            .prepare(
                "SELECT device, change_id, at, actor, table_name, field, old_value, new_value
                 FROM remote_audit WHERE record_id = ?1 ORDER BY at, seq",
            )?
            .query_map([record_id.to_string()], |r| {
                Ok((
                    Uuid::parse_str(&r.get::<_, String>(0)?).unwrap_or_default(),
                    AuditRow {
                        change_id: r.get(1)?,
                        at: r.get(2)?,
                        actor: r.get(3)?,
                        table: r.get(4)?,
                        field: r.get(5)?,
                        old_value: r.get(6)?,
                        new_value: r.get(7)?,
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }
}

/// One row of the audit log, as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub change_id: String,
    pub at: String,
    pub actor: String,
    pub table: String,
    /// Empty for "record created"; otherwise the column that changed.
    pub field: String,
    pub old_value: rusqlite::types::Value,
    pub new_value: rusqlite::types::Value,
}

/// The current time as stored: RFC 3339, UTC, milliseconds.
pub(crate) fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
