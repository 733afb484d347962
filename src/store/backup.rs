//! Backup and restore of the whole database file.
//!
//! A backup is SQLite's online backup API (a consistent copy while the app keeps running, the
//! latest edits of the `-wal` file included), written through [`crate::files::Partial`] into the
//! chosen folder as one self-contained file named with the village and the date, then verified:
//! opened, `integrity_check` passed, and the same villages found as in the database. The time of
//! the last backup is kept in the database (`meta`), so the window can warn after 7 days.
//!
//! A restore checks the backup the same way, refuses one of other villages (two villages' data
//! are never mixed), keeps the current database aside under a name with the time, and puts the
//! verified copy in its place.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OpenFlags};

use super::{Result, Store, StoreError, cipher, probe, schema};

const LAST_BACKUP_KEY: &str = "last_backup_at";

/// Why a backup or a restore was refused.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The copy did not pass the check after writing (or the backup file before restoring).
    #[error("{path} failed verification: {detail}")]
    Damaged { path: PathBuf, detail: String },
    #[error("{path} holds villages {found:?}, the database {current:?}")]
    OtherVillage {
        path: PathBuf,
        found: Vec<String>,
        current: Vec<String>,
    },
}

impl crate::i18n::Localize for BackupError {
    fn localize(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::Lang;
        match self {
            BackupError::Store(e) => e.localize(lang),
            BackupError::Io { path, source } if is_full(source) => match lang {
                Lang::Zh => format!(
                    "{} 所在的磁盘（或 U 盘）已满（{source}），原数据库未改动、也没有损坏。请腾出空间或换一个 U 盘后重试。",
                    path.display()
                ),
                Lang::En => format!(
                    "The disk (or USB stick) holding {} is full ({source}); the database was not changed and is not damaged. Free some space or use another USB stick and try again.",
                    path.display()
                ),
            },
            BackupError::Io { path, source }
                if source.kind() == std::io::ErrorKind::PermissionDenied =>
            {
                match lang {
                    Lang::Zh => format!(
                        "没有权限读写 {}（或它所在的文件夹）：{source}。原数据库未改动、也没有损坏；请换一个有写入权限的文件夹，或请管理员修改权限。",
                        path.display()
                    ),
                    Lang::En => format!(
                        "No permission to read or write {} (or its folder): {source}. The database was not changed and is not damaged; choose a folder you may write, or ask an administrator to change the permissions.",
                        path.display()
                    ),
                }
            }
            BackupError::Io { path, source } => match lang {
                Lang::Zh => format!(
                    "无法写入或读取 {}：{source}。原数据库未改动；请检查 U 盘是否已满或被拔出。",
                    path.display()
                ),
                Lang::En => format!(
                    "Cannot write or read {}: {source}. The database was not changed; check whether the USB stick is full or was removed.",
                    path.display()
                ),
            },
            BackupError::Damaged { path, detail } => match lang {
                Lang::Zh => format!(
                    "{} 未通过校验（{detail}），不能使用；原数据库未改动。请换一个备份文件或重新备份。",
                    path.display()
                ),
                Lang::En => format!(
                    "{} failed verification ({detail}) and cannot be used; the database was not changed. Use another backup or back up again.",
                    path.display()
                ),
            },
            BackupError::OtherVillage {
                path,
                found,
                current,
            } => match lang {
                Lang::Zh => format!(
                    "{} 是其他村的备份（{}），而本数据库是 {}；为避免两个村的数据混在一起，未恢复，原数据库未改动。",
                    path.display(),
                    found.join("、"),
                    current.join("、")
                ),
                Lang::En => format!(
                    "{} is a backup of other villages ({}), and this database holds {}; it was not restored, so that two villages' data never mix. The database was not changed.",
                    path.display(),
                    found.join(", "),
                    current.join(", ")
                ),
            },
        }
    }
}

/// Whether a file error is a full disk (or a file-size limit or quota, which act the same).
fn is_full(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::StorageFull | ErrorKind::FileTooLarge | ErrorKind::QuotaExceeded
    )
}

/// A backup written and verified.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupWritten {
    pub path: PathBuf,
    /// "code name" of each village in it.
    pub villages: Vec<String>,
    pub bytes: u64,
}

/// "code name" of every village of an open connection, sorted.
fn villages_of(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut names: Vec<String> = conn
        .prepare("SELECT code || ' ' || name FROM village WHERE deleted = 0")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    names.sort();
    Ok(names)
}

/// A file name part without characters a file system refuses.
fn file_part(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | ' ' => '-',
            c => c,
        })
        .collect()
}

/// Opens the database file at `path` with `flags`, keyed with `passphrase` when the file is
/// encrypted.
fn open_file(
    path: &Path,
    flags: OpenFlags,
    passphrase: Option<&str>,
) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    if let Some(p) = passphrase.filter(|_| cipher::may_be_encrypted(path)) {
        cipher::key(&conn, p)?;
    }
    Ok(conn)
}

/// Checks a database file of ours: SQLite opens it (with `passphrase` when it is encrypted),
/// `integrity_check` says ok, the application id is ours and the version one this app reads.
/// Returns its villages.
fn verify(path: &Path, passphrase: Option<&str>) -> std::result::Result<Vec<String>, BackupError> {
    let damaged = |detail: String| BackupError::Damaged {
        path: path.to_path_buf(),
        detail,
    };
    if cipher::may_be_encrypted(path) {
        let Some(p) = passphrase else {
            return Err(StoreError::NeedsPassphrase {
                path: path.to_path_buf(),
            }
            .into());
        };
        let conn = open_file(path, OpenFlags::SQLITE_OPEN_READ_ONLY, Some(p))
            .map_err(|e| damaged(e.to_string()))?;
        cipher::check_keyed(&conn, path)?;
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| damaged(e.to_string()))?;
        if check != "ok" {
            return Err(damaged(check));
        }
        return villages_of(&conn).map_err(|e| damaged(e.to_string()));
    }
    match probe::judge(path).map_err(|e| damaged(e.to_string()))? {
        probe::Verdict::Ours { version } if (1..=schema::latest_version()).contains(&version) => {}
        probe::Verdict::Ours { version } => {
            return Err(damaged(format!("version {version}")));
        }
        other => return Err(damaged(format!("{other:?}"))),
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| damaged(e.to_string()))?;
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| damaged(e.to_string()))?;
    if check != "ok" {
        return Err(damaged(check));
    }
    villages_of(&conn).map_err(|e| damaged(e.to_string()))
}

impl Store {
    /// Backs the database up into `dir` as `<code>-<name>-<date>.sqlite` (`-2`, `-3`… when a
    /// backup of that day exists), verified; records the time of the backup.
    pub fn backup_to(
        &self,
        dir: &Path,
        today: NaiveDate,
    ) -> std::result::Result<BackupWritten, BackupError> {
        self.backup_with_progress(dir, today, &mut |_, _| {})
    }

    /// [`Store::backup_to`], telling `progress(pages copied, pages in all)` as it goes.
    pub fn backup_with_progress(
        &self,
        dir: &Path,
        today: NaiveDate,
        progress: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<BackupWritten, BackupError> {
        let io = |path: &Path, source| BackupError::Io {
            path: path.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let villages = villages_of(&self.conn).map_err(StoreError::from)?;
        let stem = match villages.as_slice() {
            [one] => file_part(one),
            [] => "dripline".to_string(),
            many => format!("county-{}", many.len()),
        };
        let name = |n: usize| match n {
            1 => format!("{stem}-{today}.sqlite"),
            n => format!("{stem}-{today}-{n}.sqlite"),
        };
        let path = (1..)
            .map(|n| dir.join(name(n)))
            .find(|p| !p.exists())
            .expect("some free name");
        let partial = crate::files::Partial::beside(&path).map_err(|e| io(&path, e))?;
        // Whatever fails while the copy is written is the copy's folder failing (a full or
        // removed USB stick, a folder the user may not write), not the database. The folder
        // exists (made above): a copy that cannot be opened is a permission refused.
        let copy_error = |e: rusqlite::Error| {
            use rusqlite::ErrorCode;
            let kind = match e.sqlite_error_code() {
                Some(ErrorCode::DiskFull) => std::io::ErrorKind::StorageFull,
                Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => {
                    std::io::ErrorKind::PermissionDenied
                }
                _ => std::io::ErrorKind::Other,
            };
            io(&path, std::io::Error::new(kind, e.to_string()))
        };
        let made_at = super::now_text();
        (|| -> rusqlite::Result<()> {
            let mut copy = Connection::open(partial.path())?;
            // An encrypted database's backup is encrypted with the same key (never a
            // plaintext copy on a USB stick).
            if let Some(p) = &self.passphrase {
                cipher::key(&copy, p)?;
            }
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut copy)?;
            loop {
                let step = backup.step(256)?;
                let p = backup.progress();
                let total = p.pagecount.max(0) as usize;
                progress(total - (p.remaining.max(0) as usize).min(total), total);
                match step {
                    rusqlite::backup::StepResult::Done => break,
                    rusqlite::backup::StepResult::More => {}
                    _ => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            }
            drop(backup);
            // The copy knows when it was made: restored, it is a database backed up then.
            copy.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                [LAST_BACKUP_KEY, &made_at],
            )?;
            // One self-contained file: no -wal beside it on the USB stick.
            copy.pragma_update(None, "journal_mode", "DELETE")
        })()
        .map_err(copy_error)?;
        let found = verify(partial.path(), self.passphrase.as_deref())?;
        if found != villages {
            return Err(BackupError::Damaged {
                path,
                detail: format!("villages {found:?}"),
            });
        }
        let bytes = std::fs::metadata(partial.path())
            .map_err(|e| io(&path, e))?
            .len();
        partial.commit().map_err(|e| io(&path, e))?;
        self.conn
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                [LAST_BACKUP_KEY, &made_at],
            )
            .map_err(StoreError::from)?;
        Ok(BackupWritten {
            path,
            villages,
            bytes,
        })
    }

    /// When the last backup of this database was written, if ever.
    pub fn last_backup_at(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(self.meta(LAST_BACKUP_KEY)?.and_then(|t| {
            DateTime::parse_from_rfc3339(&t)
                .ok()
                .map(|d| d.with_timezone(&Utc))
        }))
    }
}

/// What a backup file holds, read before asking whether to restore it.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupInfo {
    /// "code name" of each village in it.
    pub villages: Vec<String>,
    /// When it was made: recorded in it by this app, else the file's time.
    pub made_at: Option<DateTime<Utc>>,
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// When the database on `conn` was last backed up, as recorded in it.
fn recorded_backup(conn: &Connection) -> Option<DateTime<Utc>> {
    conn.query_row(
        "SELECT value FROM meta WHERE key = ?1",
        [LAST_BACKUP_KEY],
        |r| r.get::<_, String>(0),
    )
    .ok()
    .and_then(|t| parse_time(&t))
}

/// Checks a backup file as a restore would (only reading it) and tells what it holds.
pub fn inspect(backup: &Path) -> std::result::Result<BackupInfo, BackupError> {
    let meta = std::fs::metadata(backup).map_err(|source| BackupError::Io {
        path: backup.to_path_buf(),
        source,
    })?;
    if !meta.is_file() {
        return Err(BackupError::Damaged {
            path: backup.to_path_buf(),
            detail: "not a regular file".to_string(),
        });
    }
    let passphrase = cipher::process_passphrase();
    let villages = verify(backup, passphrase.as_deref())?;
    let recorded = open_file(
        backup,
        OpenFlags::SQLITE_OPEN_READ_ONLY,
        passphrase.as_deref(),
    )
    .ok()
    .and_then(|conn| recorded_backup(&conn));
    let made_at = recorded.or_else(|| meta.modified().ok().map(DateTime::<Utc>::from));
    Ok(BackupInfo { villages, made_at })
}

/// A restore done: where the database that was replaced is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    pub villages: Vec<String>,
    /// The replaced database, renamed with the time (`None` when there was none).
    pub kept_aside: Option<PathBuf>,
}

/// Puts the verified backup `backup` in place of the database `db` (which must not be open),
/// keeping the current one aside as `<db>.before-restore-<time>`.
pub fn restore(
    db: &Path,
    backup: &Path,
    now: DateTime<Utc>,
) -> std::result::Result<Restored, BackupError> {
    let io = |path: &Path, source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(backup).map_err(|e| io(backup, e))?;
    if !meta.is_file() {
        return Err(BackupError::Damaged {
            path: backup.to_path_buf(),
            detail: "not a regular file".to_string(),
        });
    }
    // Checked on the copy that will be put in place, so the backup itself is only read.
    let target_dir = match db.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(target_dir).map_err(|e| io(target_dir, e))?;
    let partial = crate::files::Partial::beside(&target_dir.join(format!(
        "{}.restoring",
        db.file_name().unwrap_or_default().to_string_lossy()
    )))
    .map_err(|e| io(db, e))?;
    std::fs::copy(backup, partial.path()).map_err(|e| io(partial.path(), e))?;
    let passphrase = cipher::process_passphrase();
    let found = verify(partial.path(), passphrase.as_deref()).map_err(|e| match e {
        BackupError::Damaged { detail, .. } => BackupError::Damaged {
            path: backup.to_path_buf(),
            detail,
        },
        other => other,
    })?;
    let mut last_backup = open_file(
        backup,
        OpenFlags::SQLITE_OPEN_READ_ONLY,
        passphrase.as_deref(),
    )
    .ok()
    .and_then(|conn| recorded_backup(&conn))
    .or_else(|| meta.modified().ok().map(DateTime::<Utc>::from));
    let current = db.exists();
    if current {
        // Folds the current WAL in, so that the file kept aside is whole on its own.
        let current = Store::open(db)?;
        let current_villages = villages_of(&current.conn).map_err(StoreError::from)?;
        // The restored data were backed up when the backup was made, and the data replaced
        // (kept aside) when they last were: the later of the two is kept, never lost.
        last_backup = last_backup.max(current.last_backup_at()?);
        current.close()?;
        if !current_villages.is_empty() && current_villages != found {
            return Err(BackupError::OtherVillage {
                path: backup.to_path_buf(),
                found,
                current: current_villages,
            });
        }
    }
    if let Some(at) = last_backup {
        let at = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        open_file(
            partial.path(),
            OpenFlags::SQLITE_OPEN_READ_WRITE,
            passphrase.as_deref(),
        )
        .and_then(|conn| {
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                [LAST_BACKUP_KEY, &at],
            )?;
            conn.close().map_err(|(_, e)| e)
        })
        .map_err(|e| {
            let kind = match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DiskFull) => std::io::ErrorKind::StorageFull,
                _ => std::io::ErrorKind::Other,
            };
            io(db, std::io::Error::new(kind, e.to_string()))
        })?;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(partial.path())
        .and_then(|f| f.sync_all())
        .map_err(|e| io(partial.path(), e))?;
    let kept_aside = if current {
        let mut aside = db.as_os_str().to_os_string();
        aside.push(format!(".before-restore-{}", now.format("%Y%m%d-%H%M%S")));
        let aside = PathBuf::from(aside);
        std::fs::rename(db, &aside).map_err(|e| io(db, e))?;
        Some(aside)
    } else {
        None
    };
    // The copy goes in under the database's name (Partial refuses to overwrite a database, and
    // the current one was moved aside above).
    std::fs::rename(partial.path(), db).map_err(|e| {
        if let Some(aside) = &kept_aside {
            let _ = std::fs::rename(aside, db);
        }
        io(db, e)
    })?;
    Ok(Restored {
        villages: found,
        kept_aside,
    })
}
