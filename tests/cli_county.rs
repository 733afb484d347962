//! The county from the command line, on the built binary: `county summary` (text, JSON, one
//! workbook sheet per level, one township) and `--village CODE` on every village-level command.

mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use common::cli::{dripline, json, ok, text};
use serde_json::Value;

/// A demo county of `villages` villages of 6 households (townships as the demo assigns them).
fn county(dir: &Path, villages: &str) -> PathBuf {
    let db = dir.join("county.sqlite");
    ok(&[
        "demo",
        "--out",
        db.to_str().unwrap(),
        "--villages",
        villages,
        "--households-per-village",
        "6",
    ]);
    db
}

fn figure(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} in {v}"))
}

#[test]
fn county_summary_sums_villages_into_townships_and_the_county() {
    let dir = tempfile::tempdir().unwrap();
    // 40 villages: the demo's first townships get two villages each.
    let db = county(dir.path(), "40");
    let db = db.to_str().unwrap();
    let summary = json(&["county", "summary", "--db", db, "--json"]);
    let lines = summary["lines"].as_array().unwrap();
    let level = |l: &Value| l["level"].as_str().unwrap().to_string();
    assert_eq!(level(&lines[0]), "county");
    assert_eq!(lines.iter().filter(|l| level(l) == "village").count(), 40);
    let townships: Vec<&Value> = lines.iter().filter(|l| level(l) == "township").collect();
    assert!(townships.len() > 1 && townships.len() < 40);
    for t in &townships {
        let villages: Vec<&Value> = lines
            .iter()
            .filter(|l| level(l) == "village" && l["township"] == t["name"])
            .collect();
        assert!(!villages.is_empty());
        for key in [
            "households",
            "without_helper",
            "due_visits",
            "poor_people",
            "population",
        ] {
            let sum: u64 = villages.iter().map(|v| figure(v, key)).sum();
            assert_eq!(figure(t, key), sum, "{key} of {}", t["name"]);
        }
        let rate = t["incidence"].as_f64().unwrap();
        let expected = figure(t, "poor_people") as f64 / figure(t, "population") as f64;
        assert!((rate - expected).abs() < 1e-12);
    }
    assert_eq!(figure(&lines[0], "households"), 40 * 6);

    // The county exit: no township has its facts recorded, so 三有 fails, naming them.
    let test = &summary["exit_test"];
    assert_eq!(test["passed"], false);
    let items = test["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items[1]["passed"], false);
    assert!(
        items[1]["text"]
            .as_str()
            .unwrap()
            .contains(townships[0]["name"].as_str().unwrap())
    );
    let exited = figure(&lines[0], "exited");
    let wrong = figure(&lines[0], "wrongly_exited");
    assert!(exited > 0);
    assert!(
        (test["wrong_exit_rate"].as_f64().unwrap() - wrong as f64 / exited as f64).abs() < 1e-12
    );

    // One township: its line and its villages only.
    let name = townships[0]["name"].as_str().unwrap();
    let one = json(&[
        "county",
        "summary",
        "--db",
        db,
        "--township",
        name,
        "--json",
    ]);
    let one = one["lines"].as_array().unwrap();
    assert_eq!(level(&one[0]), "township");
    assert!(
        one[1..]
            .iter()
            .all(|l| l["township"] == name && level(l) == "village")
    );

    // An unknown township is refused in the user's language, naming the ones there are.
    let out = dripline(&["county", "summary", "--db", db, "--township", "无此镇"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("没有名为 无此镇 的乡镇") && err.contains(name),
        "{err}"
    );
    let out = dripline(&[
        "--lang",
        "en",
        "county",
        "summary",
        "--db",
        db,
        "--township",
        "Nowhere",
    ]);
    assert!(text(&out.stderr).contains("There is no township called Nowhere"));
}

#[test]
fn county_summary_writes_one_sheet_per_level() {
    let dir = tempfile::tempdir().unwrap();
    let db = county(dir.path(), "40");
    let db = db.to_str().unwrap();
    let out = dir.path().join("county.xlsx");
    let printed = ok(&[
        "county",
        "summary",
        "--db",
        db,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(printed.contains("每级一个工作表"), "{printed}");
    let mut workbook = calamine::open_workbook_auto(&out).unwrap();
    assert_eq!(workbook.sheet_names(), ["全县", "乡镇", "村"]);
    let villages = workbook.worksheet_range("村").unwrap();
    // Two header rows, then a village per row.
    assert_eq!(villages.height(), 2 + 40);
    let county = workbook.worksheet_range("全县").unwrap();
    let header = county.rows().next().unwrap();
    let at = header
        .iter()
        .position(|c| c == &Data::String("户数".into()))
        .unwrap();
    assert_eq!(county.rows().nth(2).unwrap()[at], Data::Float(240.0));
    // The workbook is not overwritten without --force.
    let again = dripline(&[
        "county",
        "summary",
        "--db",
        db,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!again.status.success());
}

#[test]
fn every_village_command_takes_village_code_on_a_county_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = county(dir.path(), "5");
    let db = db.to_str().unwrap();
    let villages = json(&["county", "overview", "--db", db, "--json"]);
    let code = villages[3]["village_code"].as_str().unwrap().to_string();
    let code = code.as_str();

    let findings = json(&["check", "--db", db, "--village", code, "--json"]);
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["village_code"] == code)
    );
    let assessed = json(&["assess", "--db", db, "--village", code, "--json"]);
    let assessed = assessed.as_array().unwrap();
    assert_eq!(assessed.len(), 6);
    assert!(assessed.iter().all(|h| h["village_code"] == code));
    let precisions = json(&["precisions", "--db", db, "--village", code, "--json"]);
    assert_eq!(precisions.as_array().unwrap().len(), 1);
    assert_eq!(precisions[0]["village_code"], code);
    let due = ok(&["visits", "--db", db, "--due", "--village", code]);
    let other = villages[0]["village_code"].as_str().unwrap();
    assert!(!due.contains(other), "{due}");
    let xlsx = dir.path().join("one.xlsx");
    ok(&[
        "export",
        "xlsx",
        "--db",
        db,
        "--village",
        code,
        "--out",
        xlsx.to_str().unwrap(),
    ]);
    let mut workbook = calamine::open_workbook_auto(&xlsx).unwrap();
    let first = workbook.sheet_names()[0].clone();
    let households = workbook.worksheet_range(&first).unwrap();
    assert_eq!(households.height(), 2 + 6);
    let pdf = dir.path().join("card.pdf");
    ok(&[
        "print",
        "card",
        "--db",
        db,
        "--village",
        code,
        "--household",
        "001",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert!(pdf.exists());

    // An unknown code: a clear refusal in either language, and nothing written.
    for command in [
        vec!["check", "--db", db],
        vec!["assess", "--db", db],
        vec!["precisions", "--db", db],
        vec!["visits", "--db", db, "--due"],
    ] {
        let mut args = command.clone();
        args.extend(["--village", "999999999999"]);
        let out = dripline(&args);
        assert!(!out.status.success(), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains("没有编码为 999999999999 的村"),
            "{args:?}: {err}"
        );
        args.splice(0..0, ["--lang", "en"]);
        let err = text(&dripline(&args).stderr);
        assert!(
            err.contains("There is no village with code 999999999999"),
            "{err}"
        );
    }
    let missing = dir.path().join("none.xlsx");
    let out = dripline(&[
        "export",
        "xlsx",
        "--db",
        db,
        "--village",
        "999999999999",
        "--out",
        missing.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(!missing.exists());
    let out = dripline(&[
        "print",
        "card",
        "--db",
        db,
        "--village",
        "999999999999",
        "--household",
        "001",
        "--out",
        dir.path().join("x.pdf").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("999999999999"));
}
