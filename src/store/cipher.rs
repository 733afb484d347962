//! Encryption at rest (SQLCipher): the passphrase of this process, opening an encrypted file,
//! changing its passphrase and encrypting a plaintext database in place.
//!
//! SQLCipher encrypts every page of the main file, of the `-wal` and of a rollback journal
//! (AES-256, a key derived from the passphrase with PBKDF2-HMAC-SHA512 and a per-file salt), so
//! the records *and* the private keys kept in the `meta` table are unreadable without the
//! passphrase. The passphrase is never stored: the command line reads it from the environment
//! (`DRIPLINE_PASSPHRASE`) or a terminal prompt, the window asks for it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::Connection;

use super::{Result, StoreError, schema};

/// The environment variable the command line reads the passphrase from.
pub const PASSPHRASE_ENV: &str = "DRIPLINE_PASSPHRASE";
/// The environment variable `dripline passphrase change` reads the new passphrase from.
pub const NEW_PASSPHRASE_ENV: &str = "DRIPLINE_NEW_PASSPHRASE";
/// The shortest passphrase accepted for a new or changed key.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

static PROCESS_PASSPHRASE: Mutex<Option<String>> = Mutex::new(None);
/// Asks for the passphrase of an encrypted file when none was given (the command line on a
/// terminal); `None` when it cannot ask.
static PROMPT: Mutex<Option<Prompt>> = Mutex::new(None);

/// Asks for the passphrase of the file at the path; `None` when it cannot.
pub type Prompt = fn(&Path) -> Option<String>;

/// The passphrase of every database this process opens or creates from now on (`None`: open
/// only unencrypted files, create unencrypted ones).
pub fn set_process_passphrase(passphrase: Option<String>) {
    *PROCESS_PASSPHRASE.lock().expect("passphrase lock") = passphrase.filter(|p| !p.is_empty());
}

/// The passphrase set by [`set_process_passphrase`].
pub fn process_passphrase() -> Option<String> {
    PROCESS_PASSPHRASE.lock().expect("passphrase lock").clone()
}

/// Registers how to ask for a passphrase when an encrypted file is opened without one.
pub fn set_passphrase_prompt(prompt: Prompt) {
    *PROMPT.lock().expect("prompt lock") = Some(prompt);
}

/// The passphrase for opening the encrypted `path`: the process's, else asked for.
pub(crate) fn passphrase_for(path: &Path) -> Option<String> {
    if let Some(p) = process_passphrase() {
        return Some(p);
    }
    let prompt = *PROMPT.lock().expect("prompt lock");
    let asked = prompt.and_then(|ask| ask(path)).filter(|p| !p.is_empty());
    if let Some(p) = &asked {
        set_process_passphrase(Some(p.clone()));
    }
    asked
}

/// A hint on the strength of a new passphrase (length and kinds of characters), for the forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    TooShort,
    Weak,
    Fair,
    Strong,
}

/// How strong `passphrase` looks: too short under [`MIN_PASSPHRASE_CHARS`], else by its length
/// and how many kinds of characters (lower, upper, digits, others) it mixes.
pub fn strength(passphrase: &str) -> Strength {
    let chars = passphrase.chars().count();
    if chars < MIN_PASSPHRASE_CHARS {
        return Strength::TooShort;
    }
    let kinds = [
        passphrase.chars().any(|c| c.is_ascii_lowercase()),
        passphrase.chars().any(|c| c.is_ascii_uppercase()),
        passphrase.chars().any(|c| c.is_ascii_digit()),
        passphrase.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|k| **k)
    .count();
    match (chars, kinds) {
        (c, k) if c >= 16 || (c >= 12 && k >= 3) => Strength::Strong,
        (_, k) if k >= 2 => Strength::Fair,
        _ => Strength::Weak,
    }
}

impl crate::i18n::Localize for Strength {
    fn localize(&self, lang: crate::i18n::Lang) -> String {
        match self {
            Strength::TooShort => {
                lang.pick("太短：至少 8 个字符", "Too short: at least 8 characters")
            }
            Strength::Weak => lang.pick(
                "弱：加长，或混用字母、数字和符号",
                "Weak: make it longer, or mix letters, digits and symbols",
            ),
            Strength::Fair => lang.pick("中等", "Fair"),
            Strength::Strong => lang.pick("强", "Strong"),
        }
        .to_string()
    }
}

/// Keys a freshly opened connection (before anything else is read or written).
pub(crate) fn key(conn: &Connection, passphrase: &str) -> rusqlite::Result<()> {
    // A wrong passphrase is reported once, in words, by the caller: not also logged by SQLCipher.
    let _ = conn.pragma_update(None, "cipher_log_level", "NONE");
    conn.pragma_update(None, "key", passphrase)
}

/// Whether the file at `path` may be an encrypted database: not SQLite's plain header, and a
/// whole number of pages. (Without the passphrase it cannot be told from random bytes.)
pub(crate) fn may_be_encrypted(path: &Path) -> bool {
    use std::io::Read;
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if meta.len() < 512 || meta.len() % 512 != 0 {
        return false;
    }
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    read.is_ok() && &head != b"SQLite format 3\0"
}

/// Checks that `conn`, keyed, reads an encrypted database of ours at a version this app reads.
pub(crate) fn check_keyed(conn: &Connection, path: &Path) -> Result<()> {
    let path_buf = || path.to_path_buf();
    let read = conn.query_row(
        "SELECT (SELECT count(*) FROM sqlite_master), \
                (SELECT application_id FROM pragma_application_id), \
                (SELECT user_version FROM pragma_user_version)",
        [],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        },
    );
    let (tables, app_id, version) = match read {
        Ok(found) => found,
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
            return Err(StoreError::WrongPassphrase { path: path_buf() });
        }
        Err(e) => return Err(StoreError::Sqlite(e)),
    };
    if tables == 0 && app_id == 0 && version == 0 {
        return Ok(());
    }
    if app_id != schema::APPLICATION_ID {
        return Err(StoreError::NotDripline { path: path_buf() });
    }
    if version < 0 {
        return Err(StoreError::BadVersion {
            path: path_buf(),
            found: version,
        });
    }
    if version > schema::latest_version() {
        return Err(StoreError::TooNew {
            found: version,
            supported: schema::latest_version(),
        });
    }
    Ok(())
}

/// `path` with `suffix` appended to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    super::io_error(path, &e)
}

fn sync_file(path: &Path) -> Result<()> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(path, e))
}

fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The row count of every table of the database on `conn`, by table name, and a checksum of
/// every row (the comparison made before an encrypted copy replaces its original).
fn fingerprint(conn: &Connection, schema_name: &str) -> rusqlite::Result<Vec<(String, i64)>> {
    let tables: Vec<String> = conn
        .prepare(&format!(
            "SELECT name FROM \"{schema_name}\".sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for t in tables {
        let n: i64 = conn.query_row(
            &format!("SELECT count(*) FROM \"{schema_name}\".\"{t}\""),
            [],
            |r| r.get(0),
        )?;
        out.push((t, n));
    }
    Ok(out)
}

/// Encrypts the unencrypted Dripline database at `path` (not open elsewhere) with
/// `passphrase`, in place and crash-safely:
///
/// 1. the whole database (its `-wal` included) is exported by `sqlcipher_export` into an
///    encrypted file beside it (`<db>.encrypting`), which is synced;
/// 2. that file is opened with the passphrase and checked (integrity, same tables and row
///    counts, same schema version) while the original is untouched;
/// 3. the original's write-ahead log is folded into it and closed, and the encrypted file is
///    renamed over it (an atomic replace), then the folder is synced.
///
/// A crash before step 3's rename leaves the original as it was (and a stale `.encrypting` file
/// that the next run replaces); after it, the encrypted file is complete. Committed data are
/// never lost.
pub fn encrypt_file(path: &Path, passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(StoreError::PassphraseTooShort);
    }
    // Opened as any database is: refuses what is not ours, migrates an old one forward.
    let previous = process_passphrase();
    set_process_passphrase(None);
    let opened = super::Store::open(path);
    set_process_passphrase(previous);
    let store = opened?;
    if store.is_encrypted() {
        return Err(StoreError::AlreadyEncrypted {
            path: path.to_path_buf(),
        });
    }
    let temp = with_suffix(path, ".encrypting");
    for stale in [temp.clone(), with_suffix(&temp, "-journal")] {
        if stale.exists() {
            std::fs::remove_file(&stale).map_err(|e| io(&stale, e))?;
        }
    }
    let conn = &store.conn;
    let version = store.schema_version()?;
    let export = (|| -> rusqlite::Result<Vec<(String, i64)>> {
        conn.execute(
            "ATTACH DATABASE ?1 AS encrypted KEY ?2",
            [temp.to_string_lossy().as_ref(), passphrase],
        )?;
        conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        conn.pragma_update(Some("encrypted"), "user_version", version)?;
        conn.pragma_update(Some("encrypted"), "application_id", schema::APPLICATION_ID)?;
        let before = fingerprint(conn, "main")?;
        conn.execute_batch("DETACH DATABASE encrypted")?;
        Ok(before)
    })();
    let before = match export {
        Ok(before) => before,
        Err(e) => {
            let _ = conn.execute_batch("DETACH DATABASE encrypted");
            let _ = std::fs::remove_file(&temp);
            return Err(super::write_error(conn, path, StoreError::Sqlite(e)));
        }
    };
    sync_file(&temp)?;
    let verified = (|| -> Result<()> {
        let copy = Connection::open(&temp)?;
        key(&copy, passphrase)?;
        check_keyed(&copy, &temp)?;
        let check: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        let after = fingerprint(&copy, "main")?;
        let copy_version: i64 = copy.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if check != "ok" || after != before || copy_version != version {
            return Err(StoreError::NotDripline { path: temp.clone() });
        }
        copy.close().map_err(|(_, e)| StoreError::Sqlite(e))
    })();
    if let Err(e) = verified {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    // Everything committed is in the main file from here; no plaintext log is left beside it.
    store.close()?;
    for side in ["-wal", "-shm"] {
        let side = with_suffix(path, side);
        if side.exists() {
            std::fs::remove_file(&side).map_err(|e| io(&side, e))?;
        }
    }
    std::fs::rename(&temp, path).map_err(|e| io(path, e))?;
    sync_dir(path);
    Ok(())
}
