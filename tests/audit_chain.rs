//! The tamper-evident audit log (issue 11): a row edited with sqlite3 is found by `check`, named
//! in the user's language; the county warns when a device's history was rewritten; the actor is
//! the person named, not the operating-system user.

mod common;

use std::path::Path;

use common::cli::{command, json, ok, text};
use dripline::store::Store;

/// A village database with a few changes made through the store (each writes audit rows).
fn village_with_changes(db: &Path) {
    let mut store = Store::open_or_create(db).unwrap();
    let mut village = common::village();
    store.save_village(&village).unwrap();
    for number in ["001", "002", "003"] {
        store
            .save_household(&common::household(village.id, number))
            .unwrap();
    }
    // Three renamings: three audit rows (a creation is named by its record, not by audit rows).
    for name in ["柳池新村", "柳池二村", "柳池三村"] {
        village.name = name.into();
        store.save_village(&village).unwrap();
    }
    store.close().unwrap();
}

fn sql(db: &Path, statement: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let changed = conn.execute(statement, []).unwrap();
    assert!(changed > 0, "{statement} changed nothing");
}

#[test]
fn an_unedited_database_passes_the_chain_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    village_with_changes(&db);
    let db_s = db.to_str().unwrap();
    let out = ok(&["check", "--db", db_s]);
    assert!(out.contains("审计日志完整"), "{out}");
    let out = ok(&["check", "--db", db_s, "--lang", "en"]);
    assert!(out.contains("Audit log intact"), "{out}");
    let findings = json(&["check", "--db", db_s, "--json"]);
    assert!(
        !findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "audit_chain_broken"),
        "{findings}"
    );
    // The demo too: its bulk-loaded history is chained as it is written.
    let demo = dir.path().join("demo.sqlite");
    ok(&[
        "demo",
        "--out",
        demo.to_str().unwrap(),
        "--households-per-village",
        "12",
    ]);
    let out = ok(&["check", "--db", demo.to_str().unwrap()]);
    assert!(out.contains("审计日志完整"), "{out}");
}

#[test]
fn an_audit_row_edited_with_sql_is_found_by_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    village_with_changes(&db);
    let seq: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT seq FROM audit WHERE new_value = '柳池新村'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // Someone makes the renaming look as if it never happened.
    sql(
        &db,
        &format!("UPDATE audit SET new_value = '柳池村' WHERE seq = {seq}"),
    );
    let db_s = db.to_str().unwrap();
    let out = ok(&["check", "--db", db_s]);
    assert!(
        out.contains(&format!("审计日志第 {seq} 行")) && out.contains("被改动过"),
        "{out}"
    );
    assert!(!out.contains("审计日志完整"), "{out}");
    let out = ok(&["check", "--db", db_s, "--lang", "en"]);
    assert!(out.contains(&format!("Audit log row {seq} ")), "{out}");
    let findings = json(&["check", "--db", db_s, "--json"]);
    let broken = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "audit_chain_broken")
        .unwrap_or_else(|| panic!("no chain finding in {findings}"));
    assert_eq!(broken["audit_seq"], seq, "{broken}");
}

#[test]
fn a_change_header_edited_with_sql_is_found_by_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    village_with_changes(&db);
    // Who did it is rewritten: the audit rows are intact, the change row is not.
    sql(&db, "UPDATE change_log SET actor = '别人' WHERE n = 2");
    let out = ok(&["check", "--db", db.to_str().unwrap()]);
    assert!(
        out.contains("审计日志第 2 次修改的记录") && out.contains("别人"),
        "{out}"
    );
    // A removed audit row breaks the chain at the row after it.
    let db2 = dir.path().join("village2.sqlite");
    village_with_changes(&db2);
    sql(&db2, "DELETE FROM audit WHERE seq = 2");
    let out = ok(&["check", "--db", db2.to_str().unwrap()]);
    assert!(out.contains("审计日志第 3 行"), "{out}");
}

#[test]
fn the_actor_is_the_person_named_not_the_system_user() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    village_with_changes(&db);
    let actors = |db: &Path| -> Vec<String> {
        rusqlite::Connection::open(db)
            .unwrap()
            .prepare("SELECT actor FROM change_log ORDER BY n")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    // Nobody named in a store opened by a test: the clear "unknown", never $USER.
    assert!(
        actors(&db)
            .iter()
            .all(|a| a == dripline::store::UNKNOWN_ACTOR),
        "{:?}",
        actors(&db)
    );
    let db_s = db.to_str().unwrap();
    // `--actor` on the command line, then DRIPLINE_ACTOR from the environment; $USER never.
    let named = command()
        .env("USER", "laptop")
        .args([
            "--actor",
            "王书记",
            "stress-write",
            "--db",
            db_s,
            "--count",
            "1",
        ])
        .output()
        .unwrap();
    assert!(named.status.success(), "{}", text(&named.stderr));
    let from_env = command()
        .env("DRIPLINE_ACTOR", "李队员")
        .env("USER", "laptop")
        .args(["stress-write", "--db", db_s, "--count", "1"])
        .output()
        .unwrap();
    assert!(from_env.status.success(), "{}", text(&from_env.stderr));
    let nobody = command()
        .env_remove("DRIPLINE_ACTOR")
        .env("USER", "laptop")
        .args(["stress-write", "--db", db_s, "--count", "1"])
        .output()
        .unwrap();
    assert!(nobody.status.success(), "{}", text(&nobody.stderr));
    let mut all = actors(&db);
    assert!(!all.iter().any(|a| a == "laptop"), "{all:?}");
    // Each run makes its changes in its actor's name, in order.
    all.dedup();
    let last: Vec<&str> = all[all.len() - 3..].iter().map(String::as_str).collect();
    assert_eq!(last, ["王书记", "李队员", "未指定/unknown"]);
    // The chain still verifies after writes from the command line.
    assert!(ok(&["check", "--db", db_s]).contains("审计日志完整"));
}

/// A village laptop registered at a county, its demo data sent once and acknowledged.
struct Exchange {
    dir: tempfile::TempDir,
    village: String,
    county: String,
    code: String,
    sent: usize,
}

impl Exchange {
    fn new() -> Exchange {
        let dir = tempfile::tempdir().unwrap();
        let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
        let (village, county) = (p("village.sqlite"), p("county.sqlite"));
        ok(&["demo", "--out", &village, "--households-per-village", "8"]);
        let init = ok(&[
            "county",
            "init",
            "--out",
            &county,
            "--county-code",
            "510824",
        ]);
        let key = init
            .split_whitespace()
            .find(|w| w.starts_with("dripline-county:"))
            .unwrap()
            .to_string();
        ok(&["keys", "set-county", "--db", &village, &key]);
        let device = json(&["keys", "show", "--db", &village, "--json"]);
        let mut exchange = Exchange {
            dir,
            village,
            county,
            code: String::new(),
            sent: 0,
        };
        let first = exchange.path("b0.dripline");
        ok(&[
            "bundle",
            "export",
            "--db",
            &exchange.village,
            "--out",
            &first,
            "--full",
        ]);
        let header = json(&["bundle", "inspect", &first, "--json"])["header"].clone();
        exchange.code = header["village_code"].as_str().unwrap().to_string();
        ok(&[
            "keys",
            "register-device",
            "--db",
            &exchange.county,
            "--village",
            &exchange.code,
            device["device"].as_str().unwrap(),
        ]);
        exchange.import_and_return(&first);
        exchange
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_string()
    }

    /// The county imports `bundle` and the laptop takes its acknowledgement back; the import's
    /// report.
    fn import_and_return(&mut self, bundle: &str) -> (serde_json::Value, String) {
        let out = command()
            .args(["bundle", "import", "--db", &self.county, bundle, "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        self.sent += 1;
        let ret = self.path(&format!("r{}.dripline", self.sent));
        ok(&[
            "county",
            "return",
            "--db",
            &self.county,
            "--village",
            &self.code,
            "--out",
            &ret,
        ]);
        ok(&["bundle", "import", "--db", &self.village, &ret]);
        (report, text(&out.stderr))
    }

    /// One more change on the laptop and its bundle.
    fn edit_and_export(&mut self) -> String {
        ok(&["stress-write", "--db", &self.village, "--count", "1"]);
        let bundle = self.path(&format!("b{}.dripline", self.sent));
        ok(&["bundle", "export", "--db", &self.village, "--out", &bundle]);
        bundle
    }
}

#[test]
fn the_county_warns_when_a_laptops_history_was_rewritten() {
    let mut exchange = Exchange::new();
    // An honest second bundle: its history starts where the first one ended.
    let second = exchange.edit_and_export();
    let header = json(&["bundle", "inspect", &second, "--json"])["header"].clone();
    assert!(
        header["audit_chain"]["base"]["head"].is_string()
            && header["audit_chain"]["tip"]["head"].is_string(),
        "{header}"
    );
    let (report, warnings) = exchange.import_and_return(&second);
    assert!(report[0]["history_rewritten"].is_null(), "{report}");
    assert!(!warnings.contains("改写"), "{warnings}");

    // The laptop's history before its last bundle is rewritten (the chain recomputed from there
    // on, as someone covering an edit would): the county notices at the next bundle.
    let recorded = header["audit_chain"]["tip"]["n"].as_i64().unwrap();
    let village = Path::new(&exchange.village).to_path_buf();
    sql(
        &village,
        &format!("UPDATE change_log SET hash = zeroblob(32) WHERE n = {recorded}"),
    );
    let third = exchange.edit_and_export();
    let (report, warnings) = exchange.import_and_return(&third);
    assert_eq!(
        report[0]["history_rewritten"]["change"], recorded,
        "{report}"
    );
    assert!(
        warnings.contains("修改历史被改写过")
            && warnings.contains(&format!("第 {recorded} 次修改")),
        "{warnings}"
    );
}

#[test]
fn a_bundle_without_chain_heads_still_imports() {
    // The header of a bundle written before the chain existed lacks `audit_chain`: it parses.
    let header: dripline::sync::manifest::Header = serde_json::from_value(serde_json::json!({
        "format_version": 2,
        "kind": "village",
        "cipher_suite": "ed25519+none",
        "village_code": "510824100201",
        "device": "00000000-0000-0000-0000-000000000000",
        "key_fingerprint": "00",
        "seq_from": 1,
        "seq_to": 2,
        "full": false,
        "created_at": "2026-01-01T00:00:00.000Z",
        "counts": {"records": 0, "tombstones": 0, "fields": 0, "conflicts": 0,
                   "audit_rows": 0, "attachments": 0, "acknowledgements": 0},
        "payload_sha256": "",
    }))
    .unwrap();
    assert_eq!(header.audit_chain, None);
}
