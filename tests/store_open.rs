//! Opening a database file: what is ours opens (a half-created WAL file of a killed writer too),
//! everything else is refused with the real reason, without panicking, hanging or writing
//! anything beside the file.

mod common;

use std::path::Path;

use common::cli::{dripline, ok, text};
use common::files::listing;
use dripline::store::{Store, StoreError, schema};
use rusqlite::Connection;

fn refused(path: &Path) -> StoreError {
    let dir = path.parent().unwrap();
    let before = listing(dir);
    let err = Store::open(path).err().expect("refused");
    assert_eq!(
        listing(dir),
        before,
        "nothing written beside {}",
        path.display()
    );
    err
}

#[test]
fn files_that_are_not_ours_are_refused_with_the_real_reason_and_nothing_beside() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.sqlite");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(refused(&empty), StoreError::EmptyFile { .. }));

    let foreign = dir.path().join("foreign.sqlite");
    let conn = Connection::open(&foreign).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(conn);
    assert!(matches!(refused(&foreign), StoreError::NotDripline { .. }));

    let text = dir.path().join("notes.sqlite");
    std::fs::write(&text, "not a database at all, just text".repeat(10)).unwrap();
    assert!(matches!(refused(&text), StoreError::NotDripline { .. }));

    let folder = dir.path().join("folder.sqlite");
    std::fs::create_dir(&folder).unwrap();
    assert!(matches!(
        refused(&folder),
        StoreError::NotAFile { is_dir: true, .. }
    ));

    let pipe = dir.path().join("pipe.sqlite");
    if std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .is_ok_and(|s| s.success())
    {
        assert!(matches!(
            refused(&pipe),
            StoreError::NotAFile { is_dir: false, .. }
        ));
    }

    // Ours, with a header whose version no Dripline writes: refused, no panic.
    let bad = dir.path().join("bad-version.sqlite");
    Store::open_or_create(&bad).unwrap().close().unwrap();
    let conn = Connection::open(&bad).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    conn.pragma_update(None, "user_version", -1).unwrap();
    drop(conn);
    let err = refused(&bad);
    assert!(
        matches!(err, StoreError::BadVersion { found: -1, .. }),
        "{err:?}"
    );
    let words = dripline::i18n::Localize::localize(&err, dripline::i18n::Lang::Zh);
    assert!(words.contains("数据版本号 -1"), "{words}");
}

#[test]
fn a_half_created_wal_database_of_ours_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    // A writer that dies after its first schema commit: the schema and the application id are
    // in the WAL only, the main file has SQLite's empty header, and the -shm is gone.
    let mut conn = Connection::open(&db).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    schema::migrate_to(&mut conn, 1).unwrap();
    let copy = tempfile::tempdir().unwrap();
    for name in ["village.sqlite", "village.sqlite-wal"] {
        std::fs::copy(dir.path().join(name), copy.path().join(name)).unwrap();
    }
    drop(conn);
    let db = copy.path().join("village.sqlite");
    let store = Store::open(&db).expect("our half-created database reopens");
    assert_eq!(store.villages().unwrap(), []);
}

#[test]
fn backup_while_open_then_restore_keeps_the_current_aside_and_refuses_another_village() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    let mut store = Store::open_or_create(&db).unwrap();
    let village = common::village();
    store.save_village(&village).unwrap();
    store
        .save_household(&common::household(village.id, "001"))
        .unwrap();
    assert_eq!(store.last_backup_at().unwrap(), None);
    let usb = dir.path().join("usb");
    let db_s = db.to_str().unwrap();
    // The window keeps the store open (and its latest write in the -wal) while backing up.
    let said = ok(&["backup", "--db", db_s, "--out", usb.to_str().unwrap()]);
    assert!(said.contains("已校验无误"), "{said}");
    let backups = listing(&usb);
    assert_eq!(backups.len(), 1, "{backups:?}");
    let name = &backups[0];
    assert!(
        name.starts_with(&format!("{}-{}-", village.code, village.name))
            && name.ends_with(".sqlite"),
        "{name}"
    );
    assert!(store.last_backup_at().unwrap().is_some());
    let backup = usb.join(name);
    let copy = Store::open(&backup).unwrap();
    assert_eq!(copy.household_records(Some(village.id)).unwrap().len(), 1);
    drop(copy);
    drop(store);

    // A household added after the backup is gone after the restore, and the database it replaced
    // is kept aside.
    let mut store = Store::open(&db).unwrap();
    store
        .save_household(&common::household(village.id, "002"))
        .unwrap();
    store.close().unwrap();
    let said = ok(&["restore", "--db", db_s, backup.to_str().unwrap()]);
    assert!(said.contains("原数据库已保留为"), "{said}");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.household_records(Some(village.id)).unwrap().len(), 1);
    drop(store);
    let aside: Vec<String> = listing(dir.path())
        .into_iter()
        .filter(|n| n.starts_with("village.sqlite.before-restore-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    let kept = Store::open(&dir.path().join(&aside[0])).unwrap();
    assert_eq!(kept.household_records(Some(village.id)).unwrap().len(), 2);
    drop(kept);

    // Another village's backup is refused and nothing changes.
    let other_dir = tempfile::tempdir().unwrap();
    let other_db = other_dir.path().join("other.sqlite");
    let mut other = Store::open_or_create(&other_db).unwrap();
    let mut v2 = common::village();
    v2.id = uuid::Uuid::new_v4();
    v2.code = "510824999999".into();
    v2.name = "别村".into();
    other.save_village(&v2).unwrap();
    let other_backup = other
        .backup_to(other_dir.path(), common::today())
        .unwrap()
        .path;
    drop(other);
    let before = std::fs::read(&db).unwrap();
    let files = listing(dir.path());
    let out = dripline(&["restore", "--db", db_s, other_backup.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("是其他村的备份"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(listing(dir.path()), files);

    // A damaged backup is refused too.
    let broken = dir.path().join("broken.sqlite");
    let mut bytes = std::fs::read(&backup).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&broken, bytes).unwrap();
    let out = dripline(&["restore", "--db", db_s, broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("未通过校验"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

/// The binary, run as `nobody` (tests run as root, whom no permission stops), from a copy any user
/// may read and run.
fn as_nobody(bin_dir: &Path, args: &[&str]) -> String {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let bin = bin_dir.join("dripline");
    if !bin.exists() {
        std::fs::copy(env!("CARGO_BIN_EXE_dripline"), &bin).unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(bin_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let home = bin_dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = std::process::Command::new(&bin)
        .args(args)
        .env("LANG", "zh_CN.UTF-8")
        .env("HOME", &home)
        .env("XDG_DATA_HOME", &home)
        .uid(65534)
        .gid(65534)
        .output()
        .expect("run dripline as nobody");
    let words = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{args:?}: {words}");
    words
}

#[test]
fn a_file_or_folder_the_user_may_not_touch_is_named_as_a_permission_problem() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
    let bin_dir = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    mode(dir.path(), 0o755).unwrap();
    let db = dir.path().join("village.sqlite");
    let mut store = Store::open_or_create(&db).unwrap();
    store.save_village(&common::village()).unwrap();
    store.close().unwrap();
    let db_s = db.to_str().unwrap();

    // A database nobody may read.
    mode(&db, 0o600).unwrap();
    let words = as_nobody(bin_dir.path(), &["check", "--db", db_s]);
    assert!(words.contains("没有权限"), "{words}");
    assert!(
        !words.contains("损坏）") && !words.contains("不是 Dripline"),
        "{words}"
    );

    // A database nobody may read, in a folder nobody may write (its -wal cannot be made).
    mode(&db, 0o644).unwrap();
    let words = as_nobody(bin_dir.path(), &["check", "--db", db_s]);
    assert!(words.contains("没有权限"), "{words}");
    assert!(!words.contains("不是 Dripline"), "{words}");

    // A folder nobody may write, as the place for a backup: the permission, not a full stick.
    let usb = dir.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    mode(&db, 0o666).unwrap();
    mode(dir.path(), 0o777).unwrap();
    let words = as_nobody(
        bin_dir.path(),
        &["backup", "--db", db_s, "--out", usb.to_str().unwrap()],
    );
    assert!(
        words.contains("Permission denied") || words.contains("没有权限"),
        "{words}"
    );
    assert!(
        !words.contains("已损坏") && !words.contains("已满"),
        "{words}"
    );
    assert!(listing(&usb).is_empty());
}
