//! Writing a file so that it is either complete under its name or not there at all.
//!
//! Every writer of the app (bundles, exports, the survey template, printed PDFs, charts, demo
//! databases, backups) builds its output under a partial name in the same folder
//! (`<name>.partial-<pid>-<n>`), syncs it to disk, and renames it over the target; on any failure,
//! or when the process is killed and a later run finds it, the partial file is removed. A target
//! that is a SQLite database (or its `-wal`, `-shm` or `-journal` file) is never overwritten, so
//! `--force` cannot destroy the village's data.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";
const SIDE_SUFFIXES: [&str; 3] = ["-wal", "-shm", "-journal"];

/// `true` when `path` is an SQLite database file or the `-wal`/`-shm`/`-journal` file of one.
pub fn is_database_or_side(path: &Path) -> bool {
    if starts_with_sqlite_header(path) {
        return true;
    }
    let text = path.as_os_str().to_string_lossy();
    SIDE_SUFFIXES.iter().any(|suffix| {
        text.strip_suffix(suffix)
            .is_some_and(|main| starts_with_sqlite_header(Path::new(main)))
    })
}

/// `true` when `out` names the database `db` or one of its side files (compared after resolving
/// the folder, so `./a/../village.sqlite` is caught too).
pub fn is_same_database(out: &Path, db: &Path) -> bool {
    let resolve = |p: &Path| -> PathBuf {
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        dir.join(p.file_name().unwrap_or_default())
    };
    let (out, db) = (resolve(out), resolve(db));
    let db_text = db.as_os_str().to_os_string();
    out == db
        || SIDE_SUFFIXES.iter().any(|suffix| {
            let mut side = db_text.clone();
            side.push(suffix);
            out == Path::new(&side)
        })
}

fn starts_with_sqlite_header(path: &Path) -> bool {
    use std::io::Read;
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    let mut head = [0u8; 16];
    let plain = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == SQLITE_HEADER);
    // An encrypted (SQLCipher) database has no readable header: a `.sqlite`/`.db` file of whole
    // 4 KiB pages is taken for one.
    let encrypted_looking = meta.len() >= 4096
        && meta.len() % 4096 == 0
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("sqlite") || e.eq_ignore_ascii_case("db"));
    plain || encrypted_looking
}

/// The error of a refused target: it is a database.
fn refused(target: &Path) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!(
            "{} 是数据库文件，不能覆盖 / is a database file and is never overwritten",
            target.display()
        ),
    )
}

/// A file being built under a partial name beside its target.
#[derive(Debug)]
pub struct Partial {
    path: PathBuf,
    target: PathBuf,
    /// The target may be a database this replaces (`demo --force`).
    replaces_database: bool,
}

impl Partial {
    /// Starts writing `target`: refuses a database, removes the partial files that killed runs
    /// left for the same target, and names this run's partial file (not yet created).
    pub fn beside(target: &Path) -> std::io::Result<Partial> {
        if is_database_or_side(target) {
            return Err(refused(target));
        }
        Ok(Self::named(target, false))
    }

    /// Like [`Partial::beside`] for a new database that may replace an existing one (the
    /// caller asked to: `demo --force`); the old database's `-wal`/`-shm` files go with it, so
    /// that SQLite never applies them to the new file.
    pub fn replacing_database(target: &Path) -> Partial {
        Self::named(target, true)
    }

    fn named(target: &Path, replaces_database: bool) -> Partial {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        clean_stale(target);
        let mut name = partial_prefix(target);
        name.push(format!(
            "{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        Partial {
            path: target.with_file_name(name),
            target: target.to_path_buf(),
            replaces_database,
        }
    }

    /// Where to write.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Syncs the partial file, renames it over the target and syncs the folder.
    pub fn commit(self) -> std::io::Result<()> {
        if !self.replaces_database && is_database_or_side(&self.target) {
            return Err(refused(&self.target));
        }
        if self.replaces_database {
            for suffix in SIDE_SUFFIXES {
                let mut side = self.target.as_os_str().to_os_string();
                side.push(suffix);
                match std::fs::remove_file(&side) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
        }
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&self.path)?
            .sync_all()?;
        std::fs::rename(&self.path, &self.target)?;
        if let Some(dir) = self.target.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Makes the rename itself durable; not possible (nor needed) on every system.
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

impl Drop for Partial {
    /// Removes whatever is left under the partial name (after a commit, nothing is).
    fn drop(&mut self) {
        remove_with_sides(&self.path);
    }
}

/// Writes `bytes` to `target` through a [`Partial`].
pub fn write_bytes(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let partial = Partial::beside(target)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(partial.path())?;
    file.write_all(bytes)?;
    drop(file);
    partial.commit()
}

/// Writes `bytes` to `target` only if nothing is there yet, atomically: another process that
/// creates `target` at the same moment either wins (then this returns `Ok(false)` and leaves
/// its file alone) or loses; a reader never sees a half-written file. (A plain
/// [`write_bytes`] would let the last of two first-time writers replace the other's file.)
pub fn write_new_bytes(target: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    let partial = Partial::beside(target)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(partial.path())?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    // A hard link fails when the name exists, which a rename would not.
    match std::fs::hard_link(partial.path(), target) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        // A file system without hard links: the check and the rename are then two steps.
        Err(_) if target.exists() => Ok(false),
        Err(_) => partial.commit().map(|()| true),
    }
}

fn partial_prefix(target: &Path) -> OsString {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".partial-");
    name
}

fn remove_with_sides(path: &Path) {
    let _ = std::fs::remove_file(path);
    for suffix in SIDE_SUFFIXES {
        let mut side = path.as_os_str().to_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(side);
    }
}

/// Removes the partial files of `target` whose writing process is gone (on systems without
/// `/proc`: those older than a day), and the `.partial` files of earlier versions.
fn clean_stale(target: &Path) {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let prefix = partial_prefix(target).to_string_lossy().into_owned();
    let legacy = format!(
        "{}.partial",
        target.file_name().unwrap_or_default().to_string_lossy()
    );
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale = if let Some(rest) = name.strip_prefix(&prefix) {
            let pid: Option<u32> = rest.split(['-', '.']).next().and_then(|p| p.parse().ok());
            match pid {
                Some(pid) if pid == std::process::id() => false,
                Some(pid) if Path::new("/proc/self").exists() => {
                    !Path::new(&format!("/proc/{pid}")).exists()
                }
                _ => entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age.as_secs() > 24 * 3600),
            }
        } else {
            name == legacy
        };
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Why a write failed, told in the user's words when the operating system's message (kept as
/// text by the writers, `… (os error N)`) says the disk is full or the folder is not writable;
/// `otherwise` is the advice for any other failure.
pub fn write_failure(
    path: &Path,
    message: &str,
    lang: crate::i18n::Lang,
    otherwise: [&str; 2],
) -> String {
    use crate::i18n::Lang;
    // Linux/macOS: ENOSPC 28, EFBIG 27, EDQUOT 122, EACCES 13, EPERM 1, EROFS 30; Windows:
    // ERROR_DISK_FULL 112, ERROR_HANDLE_DISK_FULL 39, ERROR_ACCESS_DENIED 5.
    let code = |n: u32| message.contains(&format!("(os error {n})"));
    let full = [28, 27, 122, 112, 39].into_iter().any(code);
    let denied = [13, 1, 30, 5].into_iter().any(code);
    let shown = path.display();
    match (lang, full, denied) {
        (Lang::Zh, true, _) => format!(
            "无法写入 {shown}：所在的磁盘（或 U 盘）已满，未留下任何文件。请腾出空间或换一个 U 盘后重试。（{message}）"
        ),
        (Lang::En, true, _) => format!(
            "Cannot write {shown}: the disk (or USB stick) is full; nothing was left behind. Free some space or use another stick and try again. ({message})"
        ),
        (Lang::Zh, false, true) => format!(
            "无法写入 {shown}：没有写入这个文件夹的权限（或 U 盘是只读的）。请换一个文件夹。（{message}）"
        ),
        (Lang::En, false, true) => format!(
            "Cannot write {shown}: no permission to write in this folder (or the stick is read-only). Choose another folder. ({message})"
        ),
        (Lang::Zh, false, false) => format!("无法写入 {shown}：{message}。{}", otherwise[0]),
        (Lang::En, false, false) => format!("Cannot write {shown}: {message}. {}", otherwise[1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_and_a_closed_folder_are_said_in_the_users_words() {
        use crate::i18n::Lang;
        let p = Path::new("/media/usb/r.xlsx");
        let hint = ["请换一个文件夹。", "Choose another folder."];
        let full = "i/o error: No space left on device (os error 28)";
        assert!(write_failure(p, full, Lang::Zh, hint).contains("已满"));
        assert!(write_failure(p, full, Lang::En, hint).contains("is full"));
        let windows_full = "There is not enough space on the disk. (os error 112)";
        assert!(write_failure(p, windows_full, Lang::Zh, hint).contains("已满"));
        let denied = "Permission denied (os error 13)";
        assert!(write_failure(p, denied, Lang::Zh, hint).contains("权限"));
        // Any other failure keeps the writer's own advice, and no os error 128 reads as 28.
        let other = write_failure(p, "broken pipe (os error 128)", Lang::Zh, hint);
        assert!(other.ends_with("请换一个文件夹。") && !other.contains("已满"));
    }

    #[test]
    fn a_failed_write_leaves_nothing_and_a_good_one_only_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.xlsx");
        {
            let partial = Partial::beside(&target).unwrap();
            std::fs::write(partial.path(), b"half").unwrap();
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        write_bytes(&target, b"whole").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [OsString::from("out.xlsx")]);
        assert_eq!(std::fs::read(&target).unwrap(), b"whole");
    }

    #[test]
    fn partials_of_dead_runs_are_cleaned_and_databases_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("v.sqlite");
        // pid 0 is never a user process; the legacy name too.
        std::fs::write(dir.path().join("v.sqlite.partial-0-3"), b"x").unwrap();
        std::fs::write(dir.path().join("v.sqlite.partial-0-3-wal"), b"x").unwrap();
        std::fs::write(dir.path().join("v.sqlite.partial"), b"x").unwrap();
        let _partial = Partial::beside(&target).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        let mut db = SQLITE_HEADER.to_vec();
        db.extend_from_slice(&[0; 100]);
        std::fs::write(&target, &db).unwrap();
        std::fs::write(dir.path().join("v.sqlite-wal"), b"").unwrap();
        assert!(is_database_or_side(&target));
        assert!(is_database_or_side(&dir.path().join("v.sqlite-wal")));
        assert!(write_bytes(&dir.path().join("v.sqlite-wal"), b"x").is_err());
        assert!(write_bytes(&target, b"x").is_err());
        assert_eq!(std::fs::read(&target).unwrap(), db);
        assert!(is_same_database(&dir.path().join("v.sqlite-shm"), &target));
        assert!(!is_same_database(&dir.path().join("w.sqlite"), &target));
    }
}
