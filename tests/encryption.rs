//! Encryption at rest through the command line: an encrypted demo whose raw file (and side
//! files) shows no ID number, name, key or SQLite header; a wrong passphrase refused with the
//! file unchanged; changing the passphrase; encrypting an unencrypted database in place without
//! losing a row; encrypted backups and their restore.

mod common;

use std::path::{Path, PathBuf};

use common::cli::{command, json, ok, text};
use dripline::store::Store;
use dripline::store::cipher::{NEW_PASSPHRASE_ENV, PASSPHRASE_ENV};

const PASS: &str = "correct horse 9";

/// Runs `dripline args…` with `DRIPLINE_PASSPHRASE` set to `pass` (or unset).
fn with_pass(pass: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut c = command();
    c.env_remove(PASSPHRASE_ENV).env_remove(NEW_PASSPHRASE_ENV);
    if let Some(p) = pass {
        c.env(PASSPHRASE_ENV, p);
    }
    c.args(args).output().expect("run dripline")
}

fn ok_with(pass: Option<&str>, args: &[&str]) -> String {
    let out = with_pass(pass, args);
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn side(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// The bytes of the database file and of each side file it has.
fn raw_files(path: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    ["", "-wal", "-journal", "-shm"]
        .iter()
        .map(|s| side(path, s))
        .filter(|p| p.exists())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
    }
    out
}

/// Every household record, in a stable text (the checksum of what a migration must keep).
fn records_text(store: &Store) -> String {
    let mut records: Vec<String> = store
        .household_records(None)
        .unwrap()
        .iter()
        .map(|r| format!("{r:?}"))
        .collect();
    records.sort();
    records.join("\n")
}

fn secrets(store: &Store) -> Vec<Vec<u8>> {
    let record = &store.household_records(None).unwrap()[0];
    let member = &record.members[0];
    let signing = store
        .sync_meta("sync_signing_key")
        .unwrap()
        .expect("signing key");
    let age = store
        .sync_meta("sync_age_identity")
        .unwrap()
        .expect("age identity");
    let signing_bytes = hex_decode(&signing);
    vec![
        member.id_number.as_bytes().to_vec(),
        member.name.as_bytes().to_vec(),
        signing.as_bytes().to_vec(),
        signing.to_uppercase().into_bytes(),
        base64(&signing_bytes).into_bytes(),
        signing_bytes,
        age.as_bytes().to_vec(),
        b"AGE-SECRET-KEY".to_vec(),
        b"SQLite format 3".to_vec(),
    ]
}

fn hex_decode(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn an_encrypted_demo_shows_no_id_number_name_or_key_in_its_raw_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    let db_s = db.to_str().unwrap();
    let out = with_pass(Some(PASS), &["demo", "--out", db_s]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("警告"), "{}", text(&out.stderr));
    // The device keys are made on first use, inside the encrypted file.
    ok_with(Some(PASS), &["keys", "show", "--db", db_s]);
    let store = Store::open_with(&db, Some(PASS)).unwrap();
    assert!(store.is_encrypted());
    let secrets = secrets(&store);
    // While the store is open (its -wal and -shm beside it) and after it is closed.
    for (path, bytes) in raw_files(&db) {
        for secret in &secrets {
            assert!(
                !contains(&bytes, secret),
                "{} shows {:?}",
                path.display(),
                String::from_utf8_lossy(secret)
            );
        }
    }
    store.close().unwrap();
    for (path, bytes) in raw_files(&db) {
        for secret in &secrets {
            assert!(
                !contains(&bytes, secret),
                "{} shows a secret",
                path.display()
            );
        }
    }
    // The checks see it as encrypted: no "unencrypted database" finding.
    let out = ok_with(Some(PASS), &["check", "--db", db_s, "--json"]);
    let findings: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        !findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "unencrypted_database")
    );
}

#[test]
fn a_wrong_or_missing_passphrase_is_refused_and_the_file_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    let db_s = db.to_str().unwrap();
    ok_with(Some(PASS), &["demo", "--out", db_s]);
    let before = std::fs::read(&db).unwrap();
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let files = listing();

    let out = with_pass(Some("not the passphrase"), &["check", "--db", db_s]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("口令不对"),
        "{}",
        text(&out.stderr)
    );
    let out = with_pass(
        Some("not the passphrase"),
        &["check", "--db", db_s, "--lang", "en"],
    );
    assert!(
        text(&out.stderr).contains("Wrong passphrase"),
        "{}",
        text(&out.stderr)
    );
    // No terminal and no DRIPLINE_PASSPHRASE: the error names the variable.
    let out = with_pass(None, &["assess", "--db", db_s]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains(PASSPHRASE_ENV),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file changed");
    assert_eq!(listing(), files, "files appeared beside the database");
    // The right one opens it.
    ok_with(Some(PASS), &["assess", "--db", db_s]);
}

#[test]
fn changing_the_passphrase_refuses_the_old_one_and_opens_with_the_new() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.sqlite");
    let db_s = db.to_str().unwrap();
    ok_with(
        Some(PASS),
        &["county", "init", "--out", db_s, "--county-code", "510824"],
    );
    let new = "a brand new one 42";
    let out = command()
        .env(PASSPHRASE_ENV, PASS)
        .env(NEW_PASSPHRASE_ENV, "short")
        .args(["passphrase", "change", "--db", db_s])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a short passphrase is refused");
    assert!(Store::open_with(&db, Some(PASS)).is_ok());
    let out = command()
        .env(PASSPHRASE_ENV, PASS)
        .env(NEW_PASSPHRASE_ENV, new)
        .args(["passphrase", "change", "--db", db_s])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(matches!(
        Store::open_with(&db, Some(PASS)),
        Err(dripline::store::StoreError::WrongPassphrase { .. })
    ));
    let out = with_pass(Some(PASS), &["keys", "show", "--db", db_s]);
    assert!(
        text(&out.stderr).contains("口令不对"),
        "{}",
        text(&out.stderr)
    );
    let shown = ok_with(Some(new), &["keys", "show", "--db", db_s]);
    assert!(shown.contains("dripline-county:"), "{shown}");
    // An unencrypted database has no passphrase to change.
    let plain = dir.path().join("plain.sqlite");
    ok_with(None, &["demo", "--out", plain.to_str().unwrap()]);
    let out = command()
        .env(PASSPHRASE_ENV, PASS)
        .env(NEW_PASSPHRASE_ENV, new)
        .args(["passphrase", "change", "--db", plain.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("passphrase encrypt"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn encrypting_an_unencrypted_database_keeps_every_row_and_bundles_still_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    let db_s = db.to_str().unwrap();
    // Without a passphrase (and no terminal) the database is made unencrypted, with a warning,
    // and `check` says so.
    let out = with_pass(None, &["demo", "--out", db_s]);
    assert!(out.status.success());
    assert!(
        text(&out.stderr).contains("不加密"),
        "{}",
        text(&out.stderr)
    );
    ok_with(None, &["keys", "show", "--db", db_s]);
    ok_with(
        None,
        &[
            "bundle",
            "export",
            "--db",
            db_s,
            "--out",
            dir.path().join("first.bundle").to_str().unwrap(),
        ],
    );
    let findings = json(&["check", "--db", db_s, "--json"]);
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "unencrypted_database"),
        "{findings}"
    );
    assert!(ok(&["check", "--db", db_s]).contains("数据库未加密"));
    let (records, audit, version, signing) = {
        let store = Store::open(&db).unwrap();
        assert!(!store.is_encrypted());
        let found = (
            records_text(&store),
            store.audit_len().unwrap(),
            store.schema_version().unwrap(),
            store.sync_meta("sync_signing_key").unwrap(),
        );
        store.close().unwrap();
        found
    };
    assert!(std::fs::read(&db).unwrap().starts_with(b"SQLite format 3"));
    // The grep finds the secrets of the unencrypted file (so it would find them in the other).
    let plain_secrets = secrets(&Store::open(&db).unwrap());
    let plain = std::fs::read(&db).unwrap();
    assert!(plain_secrets[..3].iter().all(|s| contains(&plain, s)));

    let out = with_pass(Some("short"), &["passphrase", "encrypt", "--db", db_s]);
    assert!(!out.status.success(), "a short passphrase is refused");
    assert!(std::fs::read(&db).unwrap().starts_with(b"SQLite format 3"));
    ok_with(Some(PASS), &["passphrase", "encrypt", "--db", db_s]);
    assert!(!dir.path().join("village.sqlite.encrypting").exists());
    assert!(!std::fs::read(&db).unwrap().starts_with(b"SQLite format 3"));

    let store = Store::open_with(&db, Some(PASS)).unwrap();
    assert!(store.is_encrypted());
    assert_eq!(records_text(&store), records);
    assert_eq!(store.audit_len().unwrap(), audit);
    assert_eq!(store.schema_version().unwrap(), version);
    assert_eq!(store.sync_meta("sync_signing_key").unwrap(), signing);
    assert!(store.integrity_check().unwrap().is_empty());
    let secrets = secrets(&store);
    store.close().unwrap();
    for (path, bytes) in raw_files(&db) {
        for secret in &secrets {
            assert!(
                !contains(&bytes, secret),
                "{} shows a secret",
                path.display()
            );
        }
    }
    // Twice is refused; the next bundle export works on the encrypted file, the chain intact.
    let out = with_pass(Some(PASS), &["passphrase", "encrypt", "--db", db_s]);
    assert!(!out.status.success());
    ok_with(
        Some(PASS),
        &[
            "bundle",
            "export",
            "--db",
            db_s,
            "--full",
            "--out",
            dir.path().join("second.bundle").to_str().unwrap(),
        ],
    );
    assert!(ok_with(Some(PASS), &["check", "--db", db_s]).contains("审计日志完整"));
}

#[test]
fn the_backup_of_an_encrypted_database_is_encrypted_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    let db_s = db.to_str().unwrap();
    ok_with(Some(PASS), &["demo", "--out", db_s]);
    let usb = dir.path().join("usb");
    ok_with(
        Some(PASS),
        &["backup", "--db", db_s, "--out", usb.to_str().unwrap()],
    );
    let backup = std::fs::read_dir(&usb)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let store = Store::open_with(&db, Some(PASS)).unwrap();
    let records = records_text(&store);
    let name = store.household_records(None).unwrap()[0].members[0]
        .name
        .clone();
    store.close().unwrap();
    let bytes = std::fs::read(&backup).unwrap();
    assert!(!contains(&bytes, b"SQLite format 3"));
    assert!(!contains(&bytes, name.as_bytes()));
    // Without the passphrase the backup cannot be restored; with it, it can.
    let out = with_pass(None, &["restore", "--db", db_s, backup.to_str().unwrap()]);
    assert!(!out.status.success());
    ok_with(
        Some(PASS),
        &["restore", "--db", db_s, backup.to_str().unwrap()],
    );
    let store = Store::open_with(&db, Some(PASS)).unwrap();
    assert_eq!(records_text(&store), records);
}

/// The word of `output` that starts with `prefix` (a key line).
fn key_line(output: &str, prefix: &str) -> String {
    output
        .split_whitespace()
        .find(|w| w.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} line in {output}"))
        .to_string()
}

/// The way back that 忘记口令？ and the README describe, end to end: the passphrase of a synced
/// village laptop is forgotten; `init` makes a new encrypted database with a new passphrase; the
/// county revokes the old device, registers the new one and writes the village's return bundle;
/// imported, it gives the new database every household the old one had, and the new device's
/// own bundles are accepted at the county afterwards.
#[test]
fn a_forgotten_passphrase_is_recovered_from_the_county_with_every_synced_household() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (old, county, first, recovered, back, next) = (
        p("village.sqlite"),
        p("county.sqlite"),
        p("first.dripline"),
        p("recovered.sqlite"),
        p("return.dripline"),
        p("next.dripline"),
    );
    ok_with(
        Some(PASS),
        &[
            "demo",
            "--out",
            &old,
            "--villages",
            "1",
            "--households-per-village",
            "25",
        ],
    );
    let county_key = key_line(
        &ok_with(
            None,
            &[
                "county",
                "init",
                "--out",
                &county,
                "--county-code",
                "510824",
            ],
        ),
        "dripline-county:",
    );
    ok_with(
        Some(PASS),
        &["keys", "set-county", "--db", &old, &county_key],
    );
    let shown = ok_with(Some(PASS), &["keys", "show", "--db", &old, "--json"]);
    let old_device: serde_json::Value = serde_json::from_str(&shown).unwrap();
    let old_line = old_device["device"].as_str().unwrap();
    let old_id = old_line.split(':').nth(1).unwrap().to_string();
    ok_with(
        Some(PASS),
        &["bundle", "export", "--db", &old, "--out", &first, "--full"],
    );
    let inspected = json(&["bundle", "inspect", &first, "--json"]);
    let code = inspected["header"]["village_code"].as_str().unwrap();
    ok_with(
        None,
        &[
            "keys",
            "register-device",
            "--db",
            &county,
            "--village",
            code,
            old_line,
        ],
    );
    ok_with(None, &["bundle", "import", "--db", &county, &first]);
    let before = {
        dripline::store::cipher::set_process_passphrase(None);
        let store = Store::open_with(Path::new(&old), Some(PASS)).unwrap();
        let text = records_text(&store);
        store.close().unwrap();
        text
    };

    // The passphrase is forgotten: nothing opens the old file.
    let refused = with_pass(Some("not the passphrase"), &["check", "--db", &old]);
    assert!(!refused.status.success());

    // A new database on the laptop, with a new passphrase.
    let new_pass = "a brand new passphrase";
    let made = ok_with(
        Some(new_pass),
        &["init", "--out", &recovered, "--county-key", &county_key],
    );
    assert!(made.contains("已加密"), "{made}");
    let new_line = key_line(&made, "dripline-device:");
    assert_ne!(new_line, old_line);
    let raw = std::fs::read(&recovered).unwrap();
    assert!(!raw.starts_with(b"SQLite format 3"));
    let again = with_pass(
        Some(new_pass),
        &["init", "--out", &recovered, "--county-key", &county_key],
    );
    assert!(!again.status.success(), "init overwrote a database");

    // The county: revoke the old device, register the new one, write the return bundle.
    ok_with(None, &["keys", "revoke", "--db", &county, &old_id]);
    ok_with(
        None,
        &[
            "keys",
            "register-device",
            "--db",
            &county,
            "--village",
            code,
            &new_line,
        ],
    );
    ok_with(
        None,
        &[
            "county",
            "return",
            "--db",
            &county,
            "--village",
            code,
            "--out",
            &back,
        ],
    );
    ok_with(
        Some(new_pass),
        &["bundle", "import", "--db", &recovered, &back],
    );
    let after = {
        let store = Store::open_with(Path::new(&recovered), Some(new_pass)).unwrap();
        assert_eq!(store.villages().unwrap()[0].code, code);
        let text = records_text(&store);
        store.close().unwrap();
        text
    };
    assert_eq!(after.lines().count(), 25);
    assert_eq!(
        after, before,
        "the recovered village differs from the synced one"
    );

    // The new device goes on: its bundles are the county's again.
    ok_with(
        Some(new_pass),
        &["bundle", "export", "--db", &recovered, "--out", &next],
    );
    ok_with(None, &["bundle", "import", "--db", &county, &next]);
    // The old device stays refused.
    let stale = p("stale.dripline");
    ok_with(
        Some(PASS),
        &["bundle", "export", "--db", &old, "--out", &stale, "--full"],
    );
    let refused = with_pass(None, &["bundle", "import", "--db", &county, &stale]);
    assert!(!refused.status.success());
}

#[test]
fn init_speaks_english_and_says_when_the_new_database_is_not_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plain.sqlite");
    let made = ok_with(
        None,
        &["--lang", "en", "init", "--out", out.to_str().unwrap()],
    );
    assert!(made.contains("(not encrypted)"), "{made}");
    assert!(made.contains("No county key yet"), "{made}");
    assert!(made.contains("dripline-device:"), "{made}");
    let store = Store::open_with(&out, None).unwrap();
    assert!(store.villages().unwrap().is_empty());
    store.close().unwrap();
}
