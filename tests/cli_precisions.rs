//! `dripline precisions` and `dripline visits --due`, run as a county script would: the built
//! binary on a demo database (assertions that hold whether or not the demo has workflow records)
//! and on a tiny database built through the library with visits at known distances from today.

mod common;

use common::cli::{dripline, json, text};

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{Duration, NaiveDate};
use common::*;
use dripline::model::*;
use dripline::store::Store;
use serde_json::Value;
use uuid::Uuid;

fn demo(path: &Path, seed: &str) {
    let out = dripline(&[
        "demo",
        "--out",
        path.to_str().unwrap(),
        "--villages",
        "2",
        "--households-per-village",
        "45",
        "--seed",
        seed,
    ]);
    assert!(out.status.success(), "demo failed: {}", text(&out.stderr));
}

fn list<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not a list: {v}"))
}

fn count(v: &Value, key: &str) -> usize {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} is not a count: {v}")) as usize
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// A household line as every list shows it: number, id, head (or null) and a reason.
fn assert_household_line(line: &Value) {
    assert!(
        !line["household_number"].as_str().unwrap().is_empty(),
        "{line}"
    );
    assert!(
        Uuid::parse_str(line["household_id"].as_str().unwrap()).is_ok(),
        "{line}"
    );
    assert!(line["head"].is_string() || line["head"].is_null(), "{line}");
    assert!(!line["reason"].as_str().unwrap().is_empty(), "{line}");
}

const PANELS: [&str; 6] = [
    "targets",
    "projects",
    "funds",
    "measures",
    "personnel",
    "results",
];

/// Every headline count equals the length of the list behind it, and every household line is
/// well formed: true for empty and filled lists alike.
fn assert_panels_consistent(village: &Value) {
    for panel in PANELS {
        assert!(village[panel].is_object(), "{panel} missing: {village}");
    }
    let t = &village["targets"];
    for (n, l) in [
        ("finding_count", "findings"),
        ("marginal_count", "marginal"),
        ("possibly_missed_count", "possibly_missed"),
        ("duplicate_id_count", "duplicate_ids"),
        ("elderly_split_count", "elderly_splits"),
    ] {
        assert_eq!(count(t, n), list(t, l).len(), "targets.{n}");
    }
    let with_findings: BTreeSet<&str> = list(t, "findings")
        .iter()
        .map(|f| f["household_id"].as_str().unwrap())
        .collect();
    assert_eq!(count(t, "households_with_findings"), with_findings.len());
    for f in list(t, "findings").iter().chain(list(t, "duplicate_ids")) {
        assert_household_line(f);
        assert!(!f["kind"].as_str().unwrap().is_empty());
    }
    for f in list(t, "duplicate_ids") {
        assert_eq!(f["kind"], "duplicate_id_number");
    }
    for m in list(t, "marginal") {
        assert_household_line(m);
        assert!(m["per_capita_yuan"].as_f64().unwrap() < m["warning_line_yuan"].as_f64().unwrap());
    }
    list(t, "elderly_splits")
        .iter()
        .for_each(assert_household_line);

    let p = &village["projects"];
    assert_eq!(count(p, "project_count"), list(p, "projects").len());
    assert_eq!(
        count(p, "without_households_count"),
        list(p, "without_households").len()
    );
    let budget: f64 = list(p, "projects")
        .iter()
        .map(|x| x["budget_yuan"].as_f64().unwrap())
        .sum();
    assert!((budget - p["total_budget_yuan"].as_f64().unwrap()).abs() < 0.01 * (1.0 + budget));

    let f = &village["funds"];
    assert_eq!(count(f, "unattached_count"), list(f, "unattached").len());
    assert_eq!(
        count(f, "double_counted_count"),
        list(f, "double_counted").len()
    );
    let total = f["total_yuan"].as_f64().unwrap();
    for key in ["by_source", "by_use"] {
        let sum: f64 = list(f, key)
            .iter()
            .map(|x| x["amount_yuan"].as_f64().unwrap())
            .sum();
        assert!((sum - total).abs() < 0.01 * (1.0 + total), "funds.{key}");
    }

    let m = &village["measures"];
    for (n, l) in [
        ("without_plan_count", "without_plan"),
        ("ignoring_main_cause_count", "ignoring_main_cause"),
        ("repeated_count", "repeated"),
    ] {
        assert_eq!(count(m, n), list(m, l).len(), "measures.{n}");
        list(m, l).iter().for_each(assert_household_line);
    }
    for w in list(m, "without_plan") {
        assert_eq!(w["kind"], "no_measures");
    }
    assert!(
        count(m, "without_plan_count") + count(m, "ignoring_main_cause_count")
            <= count(m, "registered")
    );

    let pe = &village["personnel"];
    assert_eq!(count(pe, "team_count"), list(pe, "team").len());
    assert_eq!(count(pe, "helper_count"), list(pe, "helpers").len());
    assert_eq!(
        count(pe, "without_helper_count"),
        list(pe, "without_helper").len()
    );
    assert_eq!(count(pe, "due_visit_count"), list(pe, "due_visits").len());
    assert!(count(pe, "serving") <= count(pe, "team_count"));
    let evaluated = date(village["evaluated_on"].as_str().unwrap());
    let interval = pe["visit_interval_days"].as_i64().unwrap();
    for d in list(pe, "without_helper")
        .iter()
        .chain(list(pe, "due_visits"))
    {
        assert_household_line(d);
    }
    for d in list(pe, "due_visits") {
        match d["last_visit"].as_str() {
            None => assert_eq!(d["kind"], "never_visited"),
            Some(last) => {
                assert_eq!(d["kind"], "overdue");
                assert!((evaluated - date(last)).num_days() > interval, "{d}");
            }
        }
    }

    let r = &village["results"];
    for (n, l) in [
        ("ready_count", "ready"),
        ("failing_count", "failing"),
        ("at_risk_count", "at_risk"),
    ] {
        assert_eq!(count(r, n), list(r, l).len(), "results.{n}");
        list(r, l).iter().for_each(assert_household_line);
    }
    // Every registered household is either ready to exit or failing, with a reason.
    assert_eq!(
        count(r, "ready_count") + count(r, "failing_count"),
        count(m, "registered")
    );
    for x in list(r, "failing") {
        assert!(!list(x, "failed").is_empty(), "a failure says why: {x}");
    }
    assert_eq!(list(&r["village"], "items").len(), 6);
}

#[test]
fn precisions_json_has_six_consistent_panels_per_village_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite");
    let b = dir.path().join("b.sqlite");
    demo(&a, "7");
    demo(&b, "7");
    let a = a.to_str().unwrap();

    let all = json(&["precisions", "--db", a, "--json"]);
    assert_eq!(
        all,
        json(&["precisions", "--db", b.to_str().unwrap(), "--json"]),
        "same seed, same panels"
    );
    let villages = all.as_array().unwrap();
    assert_eq!(villages.len(), 2);
    for v in villages {
        assert!(!v["village_code"].as_str().unwrap().is_empty());
        assert!(!v["village_name"].as_str().unwrap().is_empty());
        assert_panels_consistent(v);
    }
    // The demo plants data problems (in some village) and registered households (in every one).
    assert!(
        villages
            .iter()
            .any(|v| count(&v["targets"], "households_with_findings") > 0)
    );
    for v in villages {
        assert!(count(&v["measures"], "registered") > 0);
    }

    // One village: exactly that village's panels, the same as in the full run.
    let code = villages[1]["village_code"].as_str().unwrap();
    let one = json(&["precisions", "--db", a, "--village", code, "--json"]);
    assert_eq!(one.as_array().unwrap().as_slice(), &villages[1..2]);

    // The personnel panel's due visits are the households `visits --due` lists (same interval).
    let due = json(&["visits", "--db", a, "--due", "--village", code, "--json"]);
    let from_visits: Vec<&Value> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["household_id"])
        .collect();
    let from_panel: Vec<&Value> = list(&villages[1]["personnel"], "due_visits")
        .iter()
        .map(|d| &d["household_id"])
        .collect();
    assert_eq!(from_visits, from_panel);

    // Text: a heading per village and per panel, in the chosen language.
    let zh = dripline(&["precisions", "--db", a]);
    assert!(zh.status.success());
    let zh = text(&zh.stdout);
    for v in villages {
        assert!(zh.contains(v["village_code"].as_str().unwrap()));
    }
    for heading in [
        "[1 扶持对象精准]",
        "[2 项目安排精准]",
        "[3 资金使用精准]",
        "[4 措施到户精准]",
        "[5 因村派人精准]",
        "[6 脱贫成效精准]",
    ] {
        assert_eq!(zh.matches(heading).count(), 2, "{heading} per village");
    }
    assert!(!zh.contains("-0.00"), "no negative zero amounts");
    let en = dripline(&["precisions", "--db", a, "--lang", "en"]);
    let en = text(&en.stdout);
    assert!(en.contains("[1 Precise targets]") && en.contains("[6 Precise results]"));
    assert!(!en.contains("扶持对象精准"));
}

#[test]
fn visits_due_on_the_demo_respects_the_interval() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite");
    demo(&a, "7");
    let a = a.to_str().unwrap();
    let due = |days: &str| -> Vec<Value> {
        json(&["visits", "--db", a, "--due", "--days", days, "--json"])
            .as_array()
            .unwrap()
            .clone()
    };
    let ids = |rows: &[Value]| -> BTreeSet<String> {
        rows.iter()
            .map(|r| r["household_id"].as_str().unwrap().to_string())
            .collect()
    };

    let d30 = due("30");
    assert!(!d30.is_empty(), "the demo has followed households");
    for row in &d30 {
        let evaluated = date(row["evaluated_on"].as_str().unwrap());
        match row["last_visit"].as_str() {
            None => assert!(row["days_since"].is_null()),
            Some(last) => {
                let days = (evaluated - date(last)).num_days();
                assert!(days > 30, "{row}");
                assert_eq!(row["days_since"].as_i64(), Some(days));
            }
        }
        assert!(!row["household_number"].as_str().unwrap().is_empty());
        assert!(!row["reason"].as_str().unwrap().is_empty());
        assert_ne!(row["status"], "not_registered", "only followed households");
    }
    // Default interval: the thresholds' 30 days.
    assert_eq!(
        json(&["visits", "--db", a, "--due", "--json"])
            .as_array()
            .unwrap(),
        &d30
    );
    // A shorter interval lists at least as many; a very long one only the never-visited.
    assert!(ids(&due("0")).is_superset(&ids(&d30)));
    let never = due("1000000");
    assert!(ids(&d30).is_superset(&ids(&never)));
    assert!(never.iter().all(|r| r["last_visit"].is_null()));
    let never_in_30: Vec<&Value> = d30.iter().filter(|r| r["last_visit"].is_null()).collect();
    assert_eq!(never.len(), never_in_30.len());

    let plain = dripline(&["visits", "--db", a, "--due", "--days", "30"]);
    assert!(plain.status.success());
    assert!(text(&plain.stdout).contains(&format!("共 {} 户", d30.len())));
}

fn visit(household_id: Uuid, date: NaiveDate, is_draft: bool) -> Visit {
    Visit {
        id: Uuid::new_v4(),
        household_id,
        date,
        visitors: "赵强".into(),
        kind: VisitKind::Routine,
        notes: String::new(),
        checklist: VisitChecklist::default(),
        income: None,
        risk_events: vec![],
        problems: String::new(),
        next_actions: String::new(),
        is_draft,
    }
}

#[test]
fn visits_due_lists_exactly_the_overdue_and_never_visited_households() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("village.sqlite");
    // A real (not demo) village is evaluated at today's date.
    let today = chrono::Local::now().date_naive();
    {
        let mut store = Store::open_or_create(&path).unwrap();
        let v = village();
        store.save_village(&v).unwrap();
        let mut ids = Vec::new();
        for (k, number) in ["001", "002", "003", "004", "005"].iter().enumerate() {
            let mut h = household(v.id, number);
            if *number == "004" {
                h.status = HouseholdStatus::NotRegistered;
            }
            store.save_household(&h).unwrap();
            let head = member(h.id, &format!("王{number}"), Relation::Head, k as u32 + 1);
            store.save_member(&head, today).unwrap();
            ids.push(h.id);
        }
        // 001 visited 40 days ago, 002 five days ago, 003 and 004 never, 005 only a draft.
        store
            .save_visit(&visit(ids[0], today - Duration::days(40), false), today)
            .unwrap();
        store
            .save_visit(&visit(ids[0], today - Duration::days(60), false), today)
            .unwrap();
        store
            .save_visit(&visit(ids[1], today - Duration::days(5), false), today)
            .unwrap();
        store
            .save_visit(&visit(ids[4], today - Duration::days(2), true), today)
            .unwrap();
        store.close().unwrap();
    }
    let db = path.to_str().unwrap();
    let numbers = |days: &str| -> Vec<String> {
        json(&["visits", "--db", db, "--due", "--days", days, "--json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["household_number"].as_str().unwrap().to_string())
            .collect()
    };
    // Never visited first (by number), then the longest ago; 004 is not followed.
    assert_eq!(numbers("30"), ["003", "005", "001"]);
    assert_eq!(numbers("3"), ["003", "005", "001", "002"]);
    assert_eq!(numbers("50"), ["003", "005"]);

    let rows = json(&["visits", "--db", db, "--due", "--days", "30", "--json"]);
    let first = &rows.as_array().unwrap()[2];
    let last = (today - Duration::days(40)).to_string();
    assert_eq!(first["last_visit"].as_str(), Some(last.as_str()));
    assert_eq!(first["days_since"], 40);
    assert_eq!(first["head"], "王001");
    assert_eq!(
        first["evaluated_on"].as_str(),
        Some(today.to_string().as_str())
    );
    assert!(rows[0]["last_visit"].is_null() && rows[1]["last_visit"].is_null());

    // The window's personnel panel agrees (its interval is the default 30 days).
    let panels = json(&["precisions", "--db", db, "--json"]);
    let panel_due: Vec<&str> = list(&panels[0]["personnel"], "due_visits")
        .iter()
        .map(|d| d["household_number"].as_str().unwrap())
        .collect();
    assert_eq!(panel_due, ["003", "005", "001"]);
    assert_eq!(panels[0]["village_code"], "510824105201");
    assert_panels_consistent(&panels[0]);

    let plain = dripline(&["visits", "--db", db, "--due"]);
    let plain = text(&plain.stdout);
    assert!(plain.contains("从未走访"), "{plain}");
    assert!(plain.contains(&last), "{plain}");
    assert!(plain.contains("共 3 户"), "{plain}");
    let en = text(&dripline(&["visits", "--db", db, "--due", "--lang", "en"]).stdout);
    assert!(en.contains("never") && en.contains("3 households"), "{en}");
}

#[test]
fn unknown_villages_non_databases_and_a_missing_mode_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite");
    demo(&a, "7");
    let a = a.to_str().unwrap();
    let codes: Vec<String> = json(&["precisions", "--db", a, "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["village_code"].as_str().unwrap().to_string())
        .collect();
    for args in [
        vec!["precisions", "--db", a, "--village", "999999999999"],
        vec!["visits", "--db", a, "--due", "--village", "999999999999"],
    ] {
        let out = dripline(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains("999999999999"), "{err}");
        for code in &codes {
            assert!(err.contains(code.as_str()), "lists the codes: {err}");
        }
        assert!(out.stdout.is_empty());
    }

    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "村委会会议记录").unwrap();
    let n = notes.to_str().unwrap();
    for args in [
        vec!["precisions", "--db", n],
        vec!["visits", "--db", n, "--due"],
    ] {
        let out = dripline(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            text(&out.stderr).contains("不是 Dripline 数据库"),
            "{}",
            text(&out.stderr)
        );
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), "村委会会议记录");
    }

    // `--due` is the only mode so far, and required.
    let out = dripline(&["visits", "--db", a]);
    assert_eq!(out.status.code(), Some(2));
    let out = dripline(&["visits", "--db", a, "--due", "--days", "-1"]);
    assert_eq!(out.status.code(), Some(2));

    let help = text(&dripline(&["--help"]).stdout);
    assert!(
        help.contains("precisions") && help.contains("visits"),
        "{help}"
    );
}

/// A Sichuan village whose households' latest incomes are of 2025, a year without a monitoring
/// threshold in the defaults (2024's 7,300 is used), and of 2024, which has one.
fn village_of_2025(path: &Path) {
    let today = chrono::Local::now().date_naive();
    let mut store = Store::open_or_create(path).unwrap();
    let v = village();
    store.save_village(&v).unwrap();
    for (k, (number, year)) in [("001", 2025), ("002", 2024)].into_iter().enumerate() {
        let mut h = household(v.id, number);
        h.status = HouseholdStatus::Exited { year: 2019 };
        store.save_household(&h).unwrap();
        let head = Member {
            joined_on: Some(NaiveDate::from_ymd_opt(2016, 1, 1).unwrap()),
            ..member(h.id, &format!("王{number}"), Relation::Head, k as u32 + 1)
        };
        store.save_member(&head, today).unwrap();
        // 5,000 + 1,200 + 800 − 400 = 6,600 a head: above 1.5 × 4,000, below 7,300.
        store
            .save_income(&income(h.id, year, 5000.0), today)
            .unwrap();
    }
    store.close().unwrap();
}

#[test]
fn a_year_without_a_monitoring_threshold_is_said_by_check_assess_and_precisions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("village.sqlite");
    village_of_2025(&path);
    let db = path.to_str().unwrap();
    let zh = "2025年无监测标准，暂按2024年";
    let en = "No monitoring threshold for 2025; using 2024's";

    let check = json(&["check", "--db", db, "--json"]);
    let said: Vec<&Value> = check
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "no_monitoring_threshold")
        .collect();
    assert_eq!(said.len(), 1, "{check}");
    assert_eq!(said[0]["message"], zh);
    assert_eq!(said[0]["year"], 2025);
    assert!(common::cli::ok(&["check", "--db", db]).contains(zh));
    assert!(common::cli::ok(&["check", "--db", db, "--lang", "en"]).contains(en));

    let assess = json(&["assess", "--db", db, "--json"]);
    let rows = assess.as_array().unwrap();
    let row = |n: &str| rows.iter().find(|r| r["household_number"] == n).unwrap();
    assert_eq!(row("001")["threshold_warning"], zh);
    assert_eq!(row("001")["warning_yuan"], 7300.0);
    assert!(
        row("002")["threshold_warning"].is_null(),
        "2024 has its own"
    );
    // Within the year's band, not "above the line" as the 2020 line alone would have it.
    assert_eq!(row("001")["standing"], "边缘（超过标准但在监测范围内）");
    assert!(common::cli::ok(&["assess", "--db", db]).contains(zh));

    let precisions = json(&["precisions", "--db", db, "--json"]);
    let village = &precisions.as_array().unwrap()[0];
    assert_eq!(village["threshold_warnings"][0]["message"], zh);
    assert_eq!(list(village, "threshold_warnings").len(), 1);
    // Both exited households are at risk against their year's threshold.
    assert_eq!(list(&village["results"], "at_risk").len(), 2);
    let text = common::cli::ok(&["precisions", "--db", db, "--lang", "en"]);
    assert!(text.contains(en), "{text}");
}

/// A case of `household` found `ago` days before `today` by the first secretary; `decided`
/// carries it through every step to the county's decision the day after.
fn case_found(household: Uuid, today: NaiveDate, ago: i64, decided: bool) -> MonitoringCase {
    let found = today - Duration::days(ago);
    let next = |n: i64| {
        Some(CaseStep {
            on: found + Duration::days(n),
            by: "张书记".into(),
        })
    };
    MonitoringCase {
        id: Uuid::new_v4(),
        household_id: household,
        kind: MonitoredKind::SuddenHardship,
        source: DiscoverySource::DepartmentAlert,
        risk: "医保部门预警：大额医疗支出".into(),
        discovered: CaseStep {
            on: found,
            by: "张书记".into(),
        },
        home_visit: if decided { next(1) } else { None },
        authorization_signed: decided,
        village_review: if decided { next(2) } else { None },
        notice: decided.then(|| PublicNotice {
            start: found + Duration::days(3),
            end: found + Duration::days(7),
            by: "张书记".into(),
        }),
        township_review: if decided { next(8) } else { None },
        decision: if decided { next(9) } else { None },
        admitted: true,
        elimination: RiskElimination::default(),
    }
}

#[test]
fn monitoring_lists_the_cases_of_each_village_and_the_overdue_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("county.sqlite");
    let today = chrono::Local::now().date_naive();
    // Two villages, as a county database holds them: 柳池村 with a case 30 days old (overdue:
    // 15 days by default) and one decided; 别村 with a case found 3 days ago.
    let (old, recent) = {
        let mut store = Store::open_or_create(&path).unwrap();
        let mut ids = Vec::new();
        for (k, (code, name)) in [("510824105201", "柳池村"), ("510824105202", "别村")]
            .into_iter()
            .enumerate()
        {
            let v = Village {
                id: Uuid::new_v4(),
                code: code.into(),
                name: name.into(),
                ..village()
            };
            store.save_village(&v).unwrap();
            store
                .save_team_member(&TeamMember {
                    id: Uuid::new_v4(),
                    village_id: v.id,
                    name: "张书记".into(),
                    role: TeamRole::FirstSecretary,
                    unit: String::new(),
                    phone: String::new(),
                    term_start: today - Duration::days(400),
                    term_end: None,
                })
                .unwrap();
            let h = household(v.id, "001");
            store.save_household(&h).unwrap();
            let head = member(h.id, &format!("王{k}"), Relation::Head, k as u32 + 1);
            store.save_member(&head, today).unwrap();
            ids.push(h.id);
        }
        let old = case_found(ids[0], today, 30, false);
        store.save_monitoring_case(&old, today).unwrap();
        store
            .save_monitoring_case(&case_found(ids[0], today, 40, true), today)
            .unwrap();
        let recent = case_found(ids[1], today, 3, false);
        store.save_monitoring_case(&recent, today).unwrap();
        store.close().unwrap();
        (old, recent)
    };
    let db = path.to_str().unwrap();
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["monitoring", "--db", db, "--json"];
        all.extend_from_slice(args);
        json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["case_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&[]).len(), 3);
    assert_eq!(ids(&["--overdue"]), [old.id.to_string()]);
    assert_eq!(ids(&["--village", "510824105202"]), [recent.id.to_string()]);
    assert!(ids(&["--village", "510824105202", "--overdue"]).is_empty());

    let rows = json(&["monitoring", "--db", db, "--json", "--overdue"]);
    let row = &rows.as_array().unwrap()[0];
    assert_eq!(row["village_code"], "510824105201");
    assert_eq!(row["household_number"], "001");
    assert_eq!(row["kind"], "sudden_hardship");
    assert_eq!(row["source"], "department_alert");
    assert_eq!(row["stage"], "identifying");
    assert_eq!(row["stage_label"], "待入户核查（签授权书）");
    assert_eq!(row["days_overdue"], 15);
    let due = (today - Duration::days(15)).to_string();
    assert_eq!(row["due"].as_str(), Some(due.as_str()));

    let zh = text(&dripline(&["monitoring", "--db", db]).stdout);
    assert!(zh.contains("已纳入监测，落实帮扶"), "{zh}");
    assert!(zh.contains("已超15天"), "{zh}");
    assert!(zh.contains("共 3 个监测对象，1 个超过办理时限"), "{zh}");
    let en = text(&dripline(&["monitoring", "--db", db, "--overdue", "--lang", "en"]).stdout);
    assert!(en.contains("Sudden severe hardship"), "{en}");
    assert!(en.contains("15 days late"), "{en}");
    assert!(
        en.contains("1 monitoring cases, 1 past their deadline"),
        "{en}"
    );

    // The six precisions count the cases (脱贫成效精准), and the county table has their columns.
    let precisions = json(&[
        "precisions",
        "--db",
        db,
        "--json",
        "--village",
        "510824105201",
    ]);
    let m = &precisions.as_array().unwrap()[0]["results"]["monitoring"];
    assert_eq!(
        (
            &m["cases"],
            &m["identifying"],
            &m["monitored"],
            &m["overdue"]
        ),
        (
            &Value::from(2),
            &Value::from(1),
            &Value::from(1),
            &Value::from(1)
        ),
        "{m}"
    );
    let panels = text(&dripline(&["precisions", "--db", db, "--village", "510824105201"]).stdout);
    assert!(
        panels.contains("监测对象 2 个：脱贫不稳定户 0，边缘易致贫户 0，突发严重困难户 2"),
        "{panels}"
    );
    assert!(panels.contains("超过办理时限 1；"), "{panels}");
    let summary = json(&["county", "summary", "--db", db, "--json"]);
    let levels: Vec<&Value> = summary["lines"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_else(|| panic!("{summary}"));
    let county = levels
        .iter()
        .find(|l| l["level"] == "county")
        .unwrap_or_else(|| panic!("{summary}"));
    assert_eq!(
        (
            &county["cases_open"],
            &county["cases_overdue"],
            &county["eliminated_this_year"]
        ),
        (&Value::from(3), &Value::from(1), &Value::from(0)),
        "{county}"
    );

    let unknown = dripline(&["monitoring", "--db", db, "--village", "510824105299"]);
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("510824105201"));
}
