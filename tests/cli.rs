//! The command line, run as county IT staff would: the built binary, its output and its files.

mod common;

use common::cli::{dripline, json, text};

use std::path::Path;

fn demo(path: &Path, villages: &str, households: &str, seed: &str) {
    let out = dripline(&[
        "demo",
        "--out",
        path.to_str().unwrap(),
        "--villages",
        villages,
        "--households-per-village",
        households,
        "--seed",
        seed,
    ]);
    assert!(out.status.success(), "demo failed: {}", text(&out.stderr));
}

#[test]
fn help_documents_the_subcommands() {
    let out = dripline(&["--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for word in ["demo", "check", "assess", "--db"] {
        assert!(help.contains(word), "--help lacks {word}: {help}");
    }
    assert!(
        !help.contains("stress-write"),
        "the crash-test helper stays hidden"
    );
}

#[test]
fn demo_is_deterministic_and_check_and_assess_report_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite");
    let b = dir.path().join("b.sqlite");
    let c = dir.path().join("c.sqlite");
    demo(&a, "2", "45", "7");
    demo(&b, "2", "45", "7");
    demo(&c, "2", "45", "8");

    let check_a = json(&["check", "--db", a.to_str().unwrap(), "--json"]);
    let check_b = json(&["check", "--db", b.to_str().unwrap(), "--json"]);
    assert_eq!(check_a, check_b, "same seed, same findings");
    let kinds: Vec<&str> = check_a
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    for planted in [
        "duplicate_id_number",
        "no_head",
        "birth_date_contradicts_id",
    ] {
        assert!(
            kinds.contains(&planted),
            "the demo village plants {planted}: {kinds:?}"
        );
    }
    for finding in check_a.as_array().unwrap() {
        assert!(!finding["message"].as_str().unwrap().is_empty());
        assert!(!finding["household_number"].as_str().unwrap().is_empty());
    }

    let assess_a = json(&["assess", "--db", a.to_str().unwrap(), "--json"]);
    let assess_b = json(&["assess", "--db", b.to_str().unwrap(), "--json"]);
    let assess_c = json(&["assess", "--db", c.to_str().unwrap(), "--json"]);
    assert_eq!(assess_a, assess_b);
    assert_ne!(assess_a, assess_c, "another seed gives other data");
    let rows = assess_a.as_array().unwrap();
    assert_eq!(rows.len(), 90);
    assert!(rows.iter().any(|r| r["exit_passed"] == true));
    let failing = rows
        .iter()
        .find(|r| r["exit_passed"] == false)
        .expect("some household fails");
    assert!(
        !failing["failed"].as_array().unwrap().is_empty(),
        "a failure says why"
    );
    assert!(
        rows.iter()
            .all(|r| r["per_capita_yuan"].is_number() || r["year"].is_null())
    );

    let assess_2016 = json(&[
        "assess",
        "--db",
        a.to_str().unwrap(),
        "--year",
        "2016",
        "--json",
    ]);
    assert!(
        assess_2016
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["year"] == 2016)
    );
    assert!(
        assess_2016
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["line_yuan"] == 2855.0)
    );

    let plain = dripline(&["assess", "--db", a.to_str().unwrap()]);
    assert!(plain.status.success());
    assert!(text(&plain.stdout).contains("达到“一超六有”标准"));
}

#[test]
fn demo_refuses_to_overwrite_and_bad_arguments_fail() {
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("mine.sqlite");
    std::fs::write(&existing, "precious").unwrap();
    let out = dripline(&["demo", "--out", existing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("已存在"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "precious");

    let out = dripline(&[
        "demo",
        "--out",
        dir.path().join("x.sqlite").to_str().unwrap(),
        "--villages",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("x.sqlite").exists());

    let out = dripline(&[
        "assess",
        "--db",
        existing.to_str().unwrap(),
        "--year",
        "abc",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "村委会会议记录").unwrap();
    for command in ["check", "assess"] {
        let out = dripline(&[command, "--db", notes.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{command}");
        assert!(
            text(&out.stderr).contains("不是 Dripline 数据库"),
            "{}",
            text(&out.stderr)
        );
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), "村委会会议记录");
    }
    let out = dripline(&["check", "--db", notes.to_str().unwrap(), "--lang", "en"]);
    assert!(
        text(&out.stderr).contains("is not a Dripline database"),
        "{}",
        text(&out.stderr)
    );

    let missing = dir.path().join("missing.sqlite");
    let out = dripline(&["check", "--db", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!missing.exists(), "a failed command creates no file");
}

#[test]
fn county_overview_puts_every_village_side_by_side_as_the_window_does() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.sqlite");
    demo(&db, "3", "40", "9");
    let db = db.to_str().unwrap();
    let rows = json(&["county", "overview", "--db", db, "--json"]);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for row in rows {
        assert_eq!(row["households"], 40, "{row}");
        assert!(row["village_code"].as_str().unwrap().starts_with("510824"));
        assert!(row["incidence"].as_f64().unwrap() > 0.0);
        assert!(row["registered"].as_u64().unwrap() <= 40);
    }
    let out = dripline(&["county", "overview", "--db", db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plain = text(&out.stdout);
    let lines: Vec<&str> = plain.lines().collect();
    assert_eq!(lines.len(), 4, "a header and a line per village: {plain}");
    assert!(lines[0].contains("贫困发生率") && lines[0].contains("返贫风险"));
    assert!(lines[1].contains('%'));
}

/// A helper name that matched nobody in the register is listed by `check` for the team to fix.
#[test]
fn check_lists_a_helper_name_not_in_the_register() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    {
        let mut store = dripline::store::Store::open_or_create(&db).unwrap();
        let v = common::village();
        store.save_village(&v).unwrap();
        let mut h = common::household(v.id, "007");
        h.unmatched_helper_name = "张华（县财政局）".into();
        store.save_household(&h).unwrap();
        store.close().unwrap();
    }
    let out = dripline(&["check", "--db", db.to_str().unwrap()]);
    let shown = text(&out.stdout);
    assert!(
        shown.contains("户007")
            && shown.contains("“张华（县财政局）”与帮扶责任人名册中的任何人都对不上"),
        "{shown}{}",
        text(&out.stderr)
    );
    let findings = json(&["check", "--db", db.to_str().unwrap(), "--json"]);
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "unmatched_helper_name")
    );
}
