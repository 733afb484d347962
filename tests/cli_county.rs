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

    // 东风村 last sent 12 days ago, 红星村 4: the silence chosen decides who is listed.
    let today = dripline::workspace::clock_today();
    for (code, days) in [("510824999001", 12), ("510824999002", 4)] {
        let day = today - chrono::Duration::days(days);
        rusqlite::Connection::open(&county)
            .unwrap()
            .execute(
                "UPDATE bundle_receipt SET received_at = ?1 || substr(received_at, 11)
                 WHERE village_code = ?2",
                rusqlite::params![day.to_string(), code],
            )
            .unwrap();
    }
    let silent = |days: &str| -> Vec<(String, Option<i64>)> {
        json(&[
            "county",
            "received",
            "--db",
            &county,
            "--silent-days",
            days,
            "--json",
        ])["silent"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["village_name"].as_str().unwrap().to_string(),
                    s["days_silent"].as_i64(),
                )
            })
            .collect()
    };
    let demo_village = silent("30")[0].0.clone();
    assert_eq!(silent("30"), [(demo_village.clone(), None)]);
    assert_eq!(
        silent("12"),
        [(demo_village.clone(), None)],
        "12 days is not more than 12"
    );
    assert_eq!(
        silent("11"),
        [
            (demo_village.clone(), None),
            ("东风村".to_string(), Some(12))
        ]
    );
    // Never heard from first, then the longest silent.
    assert_eq!(
        silent("3"),
        [
            (demo_village.clone(), None),
            ("东风村".to_string(), Some(12)),
            ("红星村".to_string(), Some(4))
        ]
    );
    // The text says the same, with the day each last sent.
    let listing = ok(&["county", "received", "--db", &county, "--silent-days", "11"]);
    assert!(
        listing.contains("超过 11 天未收到数据包的村（2 个）"),
        "{listing}"
    );
    let day = today - chrono::Duration::days(12);
    assert!(
        listing.contains(&format!("东风村\t最后收到 {day}，已 12 天")),
        "{listing}"
    );
    assert!(!listing.contains("红星村\t最后收到"), "{listing}");
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

/// The audit log of the township's facts record in `db`: (actor, field, old, new) per entry,
/// the record's creation first (field "").
fn township_audit(db: &str, township: &str) -> Vec<(String, String, String, String)> {
    let id: String = rusqlite::Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT id FROM township_facilities WHERE township = ?1 AND deleted = 0",
            [township],
            |r| r.get(0),
        )
        .unwrap();
    let store = dripline::store::Store::open(Path::new(db)).unwrap();
    let value = |v: &rusqlite::types::Value| format!("{v:?}");
    store
        .audit_of(uuid::Uuid::parse_str(&id).unwrap())
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.actor.clone(),
                r.field.clone(),
                value(&r.old_value),
                value(&r.new_value),
            )
        })
        .collect()
}

/// The entry of `township` among the townships the county exit finds short of 三有.
fn lacking_of<'a>(summary: &'a Value, township: &str) -> Option<&'a Value> {
    summary["exit_test"]["townships_lacking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["township"] == township)
}

#[test]
fn county_township_records_the_three_haves_audited_and_the_exit_test_follows() {
    let dir = tempfile::tempdir().unwrap();
    let db = county(dir.path(), "40");
    let db = db.to_str().unwrap();
    let summary = json(&["county", "summary", "--db", db, "--json"]);
    let lines = summary["lines"].as_array().unwrap();
    let townships: Vec<&str> = lines
        .iter()
        .filter(|l| l["level"] == "township")
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    // Nothing recorded: every township is short of all three, with the villages it counts.
    let lacking = summary["exit_test"]["townships_lacking"]
        .as_array()
        .unwrap();
    assert_eq!(lacking.len(), townships.len(), "{lacking:?}");
    let name = townships[0];
    let entry = lacking_of(&summary, name).unwrap();
    assert_eq!(
        entry["lacking"],
        serde_json::json!(["central_school", "health_centre", "service_centre"])
    );
    assert_eq!(entry["text"], "缺标准中心校、达标卫生院、便民服务中心");
    let codes: Vec<&str> = lines
        .iter()
        .filter(|l| l["level"] == "village" && l["township"] == name)
        .map(|l| l["village_code"].as_str().unwrap())
        .collect();
    assert!(!codes.is_empty());
    assert_eq!(entry["villages"], serde_json::json!(codes));
    // The text names every township short, with its villages counted.
    let listing = ok(&["county", "summary", "--db", db]);
    let line = format!(
        "{name}：缺标准中心校、达标卫生院、便民服务中心（{} 个村）",
        codes.len()
    );
    assert!(listing.contains(&line), "{listing}");

    // Two of the three, by a named clerk: saved, audited under the clerk's name.
    let said = ok(&[
        "county",
        "township",
        "--db",
        db,
        "--name",
        name,
        "--school",
        "yes",
        "--health",
        "yes",
        "--actor",
        "县扶贫办张科长",
    ]);
    assert_eq!(
        said,
        format!("{name}：标准中心校：有，达标卫生院：有，便民服务中心：无（已保存）\n")
    );
    let audit = township_audit(db, name);
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(
        (audit[0].0.as_str(), audit[0].1.as_str()),
        ("县扶贫办张科长", "")
    );
    let summary = json(&["county", "summary", "--db", db, "--json"]);
    assert_eq!(
        lacking_of(&summary, name).unwrap()["lacking"],
        serde_json::json!(["service_centre"])
    );
    // The third: the township is no longer short; the change is one audit row.
    ok(&[
        "county",
        "township",
        "--db",
        db,
        "--name",
        name,
        "--service",
        "yes",
        "--actor",
        "李干事",
    ]);
    let audit = township_audit(db, name);
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!(
        audit[1],
        (
            "李干事".to_string(),
            "service_centre".to_string(),
            "Integer(0)".to_string(),
            "Integer(1)".to_string()
        )
    );
    let summary = json(&["county", "summary", "--db", db, "--json"]);
    assert!(lacking_of(&summary, name).is_none());
    assert_eq!(
        summary["exit_test"]["townships_lacking"]
            .as_array()
            .unwrap()
            .len(),
        townships.len() - 1
    );

    // Without options the facts are shown and nothing is written.
    let changes = || {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("SELECT count(*) FROM change_log", [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap()
    };
    let before = changes();
    let shown = ok(&[
        "--lang", "en", "county", "township", "--db", db, "--name", name,
    ]);
    assert_eq!(
        shown,
        format!(
            "{name}: Standard central school: yes, Qualified health centre: yes, Public service centre: yes\n"
        )
    );
    let again = ok(&[
        "county", "township", "--db", db, "--name", name, "--school", "yes",
    ]);
    assert!(again.contains("未改动"), "{again}");
    assert_eq!(changes(), before);

    // An unknown township is refused, naming the ones there are; nothing changes.
    let out = dripline(&[
        "county",
        "township",
        "--db",
        db,
        "--name",
        "无此镇",
        "--school",
        "yes",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("没有名为 无此镇 的乡镇") && err.contains(name),
        "{err}"
    );
    assert_eq!(changes(), before);
    // A bad value is refused by the argument parser.
    let out = dripline(&[
        "county", "township", "--db", db, "--name", name, "--school", "maybe",
    ]);
    assert_eq!(out.status.code(), Some(2));

    // A village laptop's database records no township facts.
    let village = dir.path().join("village.sqlite");
    let village = village.to_str().unwrap();
    ok(&["demo", "--out", village]);
    let name = json(&["county", "summary", "--db", village, "--json"])["lines"][1]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let out = dripline(&[
        "--lang", "en", "county", "township", "--db", village, "--name", &name, "--school", "yes",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("recorded in the county database only"),
        "{}",
        text(&out.stderr)
    );
}
