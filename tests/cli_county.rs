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

/// A laptop of village `code` at `path`, with `households` households, holding the county's key;
/// returns its device line for `keys register-device`.
fn laptop(path: &Path, code: &str, name: &str, households: usize, county_key: &str) -> String {
    use dripline::store::Store;
    use dripline::sync::county as sync_county;
    use dripline::sync::crypto::DeviceIdentity;
    let mut store = Store::open_or_create(path).unwrap();
    let village = dripline::model::Village {
        code: code.into(),
        name: name.into(),
        ..common::village()
    };
    store.save_village(&village).unwrap();
    for n in 1..=households {
        store
            .save_household(&common::household(village.id, &format!("{n:03}")))
            .unwrap();
    }
    sync_county::set_county_key(&mut store, county_key).unwrap();
    let line = DeviceIdentity::load_or_create(&mut store)
        .unwrap()
        .public()
        .to_line();
    store.close().unwrap();
    line
}

#[test]
fn county_received_lists_each_village_the_refusals_and_the_silent_villages() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let county = p("county.sqlite");
    // The county already knows a demo village that never sends anything.
    {
        let mut store = dripline::store::Store::open_or_create(Path::new(&county)).unwrap();
        let spec = dripline::demo::DemoSpec {
            villages: 1,
            households_per_village: 4,
            seed: 3,
        };
        for v in dripline::demo::villages(&spec) {
            common::insert_demo(&mut store, &v);
        }
        store.close().unwrap();
    }
    // `county init` makes a new file; this county holds a demo village first, so its keys are
    // made through the library on that file.
    let county_key = {
        let mut store = dripline::store::Store::open(Path::new(&county)).unwrap();
        let line = dripline::sync::county::init_county(&mut store, "510824")
            .unwrap()
            .to_line();
        store.close().unwrap();
        line
    };
    let villages = [("510824999001", "东风村", 3), ("510824999002", "红星村", 2)];
    let mut bundles = Vec::new();
    for (code, name, households) in villages {
        let db = p(&format!("{code}.sqlite"));
        let device = laptop(Path::new(&db), code, name, households, &county_key);
        ok(&[
            "keys",
            "register-device",
            "--db",
            &county,
            "--village",
            code,
            &device,
        ]);
        let bundle = p(&format!("{code}.dripline"));
        ok(&["bundle", "export", "--db", &db, "--out", &bundle, "--full"]);
        bundles.push(bundle);
    }
    ok(&[
        "bundle",
        "import",
        "--db",
        &county,
        &bundles[0],
        &bundles[1],
    ]);
    // The import computed the two villages it brought: only the demo village, never computed,
    // is left for the county table.
    assert_eq!(computed_by_overview(Path::new(&county)).len(), 1);

    // A bundle altered on the way: refused, and the refusal is the only thing written.
    let tampered = p("tampered.dripline");
    let mut bytes = std::fs::read(&bundles[1]).unwrap();
    let last = bytes.len() - 40;
    bytes[last] ^= 0x55;
    std::fs::write(&tampered, &bytes).unwrap();
    let change_of = || {
        dripline::store::Store::open(Path::new(&county))
            .unwrap()
            .sync_lseq()
            .unwrap()
    };
    let summary_before = json(&["county", "summary", "--db", &county, "--json"]);
    let change_before = change_of();
    let refused = dripline(&["bundle", "import", "--db", &county, &tampered]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stdout));
    // A file that is no bundle at all: logged by name and hash as unreadable.
    let garbage = p("garbage.dripline");
    std::fs::write(&garbage, b"not a bundle at all").unwrap();
    assert_eq!(
        dripline(&["bundle", "import", "--db", &county, &garbage])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(change_of(), change_before, "a refusal makes no change");
    assert_eq!(
        json(&["county", "summary", "--db", &county, "--json"]),
        summary_before
    );

    let listing = json(&["county", "received", "--db", &county, "--json"]);
    let last = listing["last"].as_array().unwrap();
    let codes: Vec<&str> = last
        .iter()
        .map(|l| l["village_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["510824999001", "510824999002"], "{listing}");
    for l in last {
        assert_eq!(l["seq_from"], 1, "{l}");
        assert!(l["seq_to"].as_i64().unwrap() >= 1, "{l}");
        assert!(l["records"].as_i64().unwrap() > 2, "{l}");
        assert!(!l["created_at"].as_str().unwrap().is_empty());
    }
    assert_eq!(last[1]["village_name"], "红星村");
    let refused = listing["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 2, "{listing}");
    // Newest first: the garbage file, then the tampered bundle.
    assert_eq!(refused[0]["file_name"], "garbage.dripline");
    assert_eq!(refused[0]["readable"], false);
    assert_eq!(refused[0]["reason_code"], "not_a_bundle");
    assert_eq!(refused[0]["file_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(refused[1]["file_name"], "tampered.dripline");
    assert_eq!(refused[1]["village_code"], "510824999002");
    assert!(
        ["bad_signature", "payload_hash"].contains(&refused[1]["reason_code"].as_str().unwrap()),
        "{}",
        refused[1]
    );
    assert!(
        refused[1]["reason"].as_str().unwrap().contains("已拒收"),
        "{}",
        refused[1]
    );
    // The demo village never sent anything; the two laptops' villages did, today.
    let silent = listing["silent"].as_array().unwrap();
    assert_eq!(silent.len(), 1, "{listing}");
    assert!(silent[0]["last_received"].is_null());
    assert_eq!(listing["silent_days"], 30);

    // The text in English names the sections, both villages and the refusal's reason.
    let english = ok(&[
        "county",
        "received",
        "--db",
        &county,
        "--silent-days",
        "7",
        "--lang",
        "en",
    ]);
    assert!(
        english.contains("Villages silent for more than 7 days (1)"),
        "{english}"
    );
    assert!(
        english.contains("东风村") && english.contains("红星村"),
        "{english}"
    );
    assert!(english.contains("Refused bundles (2)"), "{english}");
    assert!(english.contains("refused"), "{english}");
    assert!(english.contains("unreadable"), "{english}");
}

/// The villages whose kept figures `county overview` had to compute, read through the library.
fn computed_by_overview(db: &Path) -> Vec<uuid::Uuid> {
    let mut store = dripline::store::Store::open(db).unwrap();
    let today = dripline::workspace::clock_today();
    dripline::workspace::county::overview(&mut store, today, &mut |_| {})
        .unwrap()
        .computed
}

#[test]
fn a_survey_import_into_a_county_village_keeps_its_figures_fresh() {
    let dir = tempfile::tempdir().unwrap();
    let db = county(dir.path(), "3");
    assert_eq!(computed_by_overview(&db).len(), 3, "nothing kept yet");
    assert!(computed_by_overview(&db).is_empty());
    let villages = json(&["county", "overview", "--db", db.to_str().unwrap(), "--json"]);
    let code = villages[1]["village_code"].as_str().unwrap().to_string();
    let before = figure(&villages[1], "households");

    let birth = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let mut text = String::from("户编号,姓名,身份证号,与户主关系,家庭住址\n");
    for i in 0..2u64 {
        let id = dripline::rules::id_number::compose(
            "510824",
            birth + chrono::Days::new(i),
            7,
            dripline::model::Sex::Male,
        );
        text.push_str(&format!("9{:02},新户{i},{id},户主,新政镇\n", i + 1));
    }
    let survey = dir.path().join("survey.csv");
    std::fs::write(&survey, text).unwrap();
    ok(&[
        "survey",
        "import",
        "--db",
        db.to_str().unwrap(),
        "--village",
        &code,
        survey.to_str().unwrap(),
        "--commit",
    ]);
    // The command computed the village again itself: nothing is left to compute, and the kept
    // figures count the new households.
    assert!(computed_by_overview(&db).is_empty());
    let after = json(&["county", "overview", "--db", db.to_str().unwrap(), "--json"]);
    assert_eq!(figure(&after[1], "households"), before + 2, "{}", after[1]);
}
