//! Issue 11: two laptops of one village team that both take household number 121 (and both enter
//! one household's income of one year) before they exchange bundles. Nothing is refused or lost:
//! both records are kept on the county and on each laptop, the clash is listed alike everywhere
//! (whatever order the bundles came in), a renumbering resolves it and travels like any edit, and
//! undo brings it back. An import run with a corrupt bundle keeps the valid one merged, names the
//! corrupt one, and `bundle status` shows the refusal with its reason.

mod common;

use std::path::Path;

use common::cli::{dripline, json, ok, text};
use common::team::Team;
use common::*;
use dripline::model::HouseholdRecord;
use dripline::store::Store;
use dripline::store::clashes::{Clash, ClashKind};
use dripline::sync::{SyncError, status};
use uuid::Uuid;

fn clashes(db: &Path) -> Vec<Clash> {
    Store::open(db).unwrap().clashes().unwrap()
}

/// A clash as compared between devices: kind, household number, year, and the records with
/// their flag.
type ClashFacts = (ClashKind, Option<String>, Option<i64>, Vec<(Uuid, bool)>);

fn clash_facts(db: &Path) -> Vec<ClashFacts> {
    clashes(db)
        .into_iter()
        .map(|c| {
            (
                c.kind,
                c.household_number.clone(),
                c.year,
                c.records.iter().map(|r| (r.id, r.flagged)).collect(),
            )
        })
        .collect()
}

fn live_households(db: &Path) -> Vec<HouseholdRecord> {
    let store = Store::open(db).unwrap();
    let village = store.villages().unwrap()[0].id;
    store.household_records(Some(village)).unwrap()
}

fn numbers(db: &Path) -> Vec<(Uuid, String)> {
    let mut n: Vec<(Uuid, String)> = live_households(db)
        .iter()
        .map(|r| (r.household.id, r.household.number.clone()))
        .collect();
    n.sort();
    n
}

/// Creates household `number` with its head `head` on `device`.
fn add_income(device: &Path, household_id: Uuid, wage: f64) -> Uuid {
    let mut store = Store::open(device).unwrap();
    let i = income(household_id, 2025, wage);
    store.save_income(&i, today()).unwrap();
    store.close().unwrap();
    i.id
}

#[test]
fn household_121_on_two_laptops_is_kept_as_a_clash_and_a_renumbering_settles_it_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    // A household both laptops know.
    let shared = team.create_household(&team.a, "001", "王五", 1);
    team.send(&team.a);
    team.receive(&team.b);

    // Before they exchange anything again: both create household 121 and enter the shared
    // household's 2025 income, and each makes an unrelated edit.
    let on_a = team.create_household(&team.a, "121", "张三", 2);
    let also_a = team.create_household(&team.a, "122", "赵六", 3);
    let income_a = add_income(&team.a, shared, 5000.0);
    let on_b = team.create_household(&team.b, "121", "李四", 4);
    let also_b = team.create_household(&team.b, "130", "孙七", 5);
    let income_b = add_income(&team.b, shared, 7000.0);

    // Both bundles merge at the county: nothing refused.
    team.send(&team.a);
    let report = team.send(&team.b);
    assert!(!report[0].already_imported);
    assert_eq!(report[0].stats.clashes_kept, 2, "{:?}", report[0].stats);
    let county_numbers = numbers(&team.county);
    for id in [shared, on_a, also_a, on_b, also_b] {
        assert!(
            county_numbers.iter().any(|(h, _)| *h == id),
            "{id} at the county"
        );
    }
    let facts = clash_facts(&team.county);
    assert_eq!(facts.len(), 2, "{facts:?}");
    let (low, high) = (on_a.min(on_b), on_a.max(on_b));
    assert!(facts.contains(&(
        ClashKind::HouseholdNumber,
        Some("121".into()),
        None,
        vec![(low, false), (high, true)]
    )));
    let (ilow, ihigh) = (income_a.min(income_b), income_a.max(income_b));
    assert!(facts.contains(&(
        ClashKind::IncomeYear,
        Some("001".into()),
        Some(2025),
        vec![(ilow, false), (ihigh, true)]
    )));
    // The clash names the household and suggests the next free number (122 is taken).
    let listed = clashes(&team.county);
    let number_clash = listed
        .iter()
        .find(|c| c.kind == ClashKind::HouseholdNumber)
        .unwrap();
    assert_eq!(number_clash.suggested_number.as_deref(), Some("123"));
    let words = dripline::i18n::Localize::localize(number_clash, dripline::i18n::Lang::En);
    assert!(
        words.contains("121") && words.contains("510824105201"),
        "{words}"
    );

    // Importing the same bundle again changes nothing, and the clash stays as it was.
    let again = team.export(&team.b);
    team.import(&team.county, std::slice::from_ref(&again))
        .unwrap();
    let twice = team.import(&team.county, &[again]).unwrap();
    assert!(twice[0].already_imported);
    assert_eq!(clash_facts(&team.county), facts);

    // The return bundles carry both households to both laptops, and every device flags the
    // same record (B had its own 121 first, A and the county had A's).
    team.receive(&team.a);
    team.receive(&team.b);
    for laptop in [&team.a, &team.b] {
        assert_eq!(numbers(laptop), county_numbers, "{}", laptop.display());
        assert_eq!(clash_facts(laptop), facts, "{}", laptop.display());
    }

    // B renumbers the flagged household, keeps one income row; undo brings the clash back and
    // the redo settles it again.
    {
        let mut store = Store::open(&team.b).unwrap();
        let change = store.renumber_household(high, "123").unwrap().unwrap();
        assert_eq!(store.clashes().unwrap().len(), 1);
        store.undo(change).unwrap();
        assert_eq!(
            store.clashes().unwrap().len(),
            2,
            "undo brings the clash back"
        );
        // A number another household holds is refused.
        assert!(store.renumber_household(high, "122").is_err());
        store.renumber_household(high, "123").unwrap().unwrap();
        store
            .keep_clash_record(ClashKind::IncomeYear, income_a)
            .unwrap()
            .unwrap();
        assert!(store.clashes().unwrap().is_empty());
        store.close().unwrap();
    }

    // The resolution reaches the county and A; then no clash anywhere and nothing lost.
    team.send(&team.b);
    team.receive(&team.a);
    team.receive(&team.b);
    for db in [&team.county, &team.a, &team.b] {
        assert!(clashes(db).is_empty(), "{}", db.display());
        let n = numbers(db);
        assert_eq!(n.len(), 5, "{}: {n:?}", db.display());
        let of = |id: Uuid| n.iter().find(|(h, _)| *h == id).unwrap().1.clone();
        assert_eq!(of(low), "121");
        assert_eq!(of(high), "123");
        let records = live_households(db);
        let shared = records.iter().find(|r| r.household.id == shared).unwrap();
        let incomes: Vec<Uuid> = shared.incomes.iter().map(|i| i.id).collect();
        assert_eq!(incomes, vec![income_a], "{}", db.display());
    }
    // And the three agree field by field.
    assert_eq!(numbers(&team.a), numbers(&team.county));
    assert_eq!(numbers(&team.b), numbers(&team.county));
}

#[test]
fn a_corrupt_bundle_in_a_run_is_refused_by_name_and_the_valid_one_stays_merged() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    let on_a = team.create_household(&team.a, "121", "张三", 2);
    let good = team.export(&team.a);
    // Exported and not yet acknowledged: pending on the laptop, by file name.
    let pending = status::status(&Store::open(&team.a).unwrap())
        .unwrap()
        .pending_exports;
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert!(
        pending[0]
            .file_name
            .ends_with(good.file_name().unwrap().to_str().unwrap()),
        "{pending:?}"
    );
    let corrupt = dir.path().join("corrupt.dripline");
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&corrupt, &bytes[..bytes.len() / 2]).unwrap();

    let err = team
        .import(&team.county, &[corrupt.clone(), good.clone()])
        .expect_err("the corrupt one is refused");
    let SyncError::PartlyRefused { imported, refused } = &err else {
        panic!("{err:?}");
    };
    assert_eq!((imported.len(), refused.len()), (1, 1));
    let words = dripline::i18n::Localize::localize(&err, dripline::i18n::Lang::En);
    assert!(words.contains("corrupt.dripline"), "{words}");
    assert!(
        numbers(&team.county).iter().any(|(h, _)| *h == on_a),
        "the valid bundle is merged"
    );

    // The status shows the refusal with its reason, in both languages.
    let st = status::status(&Store::open(&team.county).unwrap()).unwrap();
    let refusal = st
        .refused
        .iter()
        .find(|r| r.file_name == "corrupt.dripline")
        .expect("the refusal is listed");
    let reason = refusal.reason.as_ref().unwrap();
    assert!(!reason.zh.is_empty() && !reason.en.is_empty());
    let county = team.county.to_str().unwrap();
    let shown = ok(&["bundle", "status", "--db", county, "--lang", "en"]);
    assert!(shown.contains("Refused bundles"), "{shown}");
    assert!(shown.contains("corrupt.dripline"), "{shown}");
    assert!(shown.contains(&reason.en), "{shown}");
    let st = json(&["bundle", "status", "--db", county, "--json"]);
    assert_eq!(st["refused"][0]["file"], "corrupt.dripline", "{st}");

    // From the command line: the run fails, names the corrupt file, and merges the other.
    let laptop_edit = team.create_household(&team.a, "122", "赵六", 3);
    let next = team.export(&team.a);
    let out = dripline(&[
        "bundle",
        "import",
        "--db",
        county,
        corrupt.to_str().unwrap(),
        next.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert!(!out.status.success());
    let said = text(&out.stderr);
    assert!(said.contains("corrupt.dripline"), "{said}");
    assert!(numbers(&team.county).iter().any(|(h, _)| *h == laptop_edit));

    // Acknowledged by the return bundle, nothing is pending on the laptop.
    let back = team.return_bundle();
    team.import(&team.a, std::slice::from_ref(&back)).unwrap();
    let st = status::status(&Store::open(&team.a).unwrap()).unwrap();
    assert!(st.pending_exports.is_empty(), "{:?}", st.pending_exports);
}

#[test]
fn the_command_line_lists_clashes_and_renumbers_one() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    let on_a = team.create_household(&team.a, "121", "张三", 2);
    let on_b = team.create_household(&team.b, "121", "李四", 4);
    team.send(&team.a);
    team.send(&team.b);
    let county = team.county.to_str().unwrap();

    let listed = json(&["clashes", "--db", county, "--json"]);
    let list = listed.as_array().unwrap();
    assert_eq!(list.len(), 1, "{listed}");
    assert_eq!(list[0]["kind"], "household_number");
    assert_eq!(list[0]["household_number"], "121");
    assert_eq!(list[0]["suggested_number"], "122");
    assert_eq!(list[0]["records"].as_array().unwrap().len(), 2);
    let none = json(&[
        "clashes",
        "--db",
        county,
        "--village",
        "999999999999",
        "--json",
    ]);
    assert_eq!(none, serde_json::json!([]));
    let words = ok(&["clashes", "--db", county]);
    assert!(words.contains("户编号 121"), "{words}");
    assert!(words.contains("张三") && words.contains("李四"), "{words}");
    // The resolving commands are ready to run on this very file.
    assert!(
        words.contains(&format!(
            "dripline clashes resolve --db {county} --household "
        )) || words.contains(&format!(
            "dripline clashes resolve --db \"{county}\" --household "
        )),
        "{words}"
    );

    // On laptop B, after the return bundle brought A's 121: a household that does not exist,
    // and a number another household holds, are refused in words.
    team.receive(&team.b);
    let b = team.b.to_str().unwrap();
    let refused = dripline(&[
        "clashes",
        "resolve",
        "--db",
        b,
        "--household",
        "999",
        "--renumber",
        "5",
        "--lang",
        "en",
    ]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("No household 999"),
        "{}",
        text(&refused.stderr)
    );
    let zh = dripline(&[
        "clashes",
        "resolve",
        "--db",
        b,
        "--household",
        "121",
        "--renumber",
        "121",
    ]);
    assert!(!zh.status.success());
    assert!(text(&zh.stderr).contains("121"), "{}", text(&zh.stderr));

    // By number: the household listed as clashing is the one renumbered.
    let said = ok(&[
        "clashes",
        "resolve",
        "--db",
        b,
        "--household",
        "121",
        "--renumber",
        "122",
        "--lang",
        "en",
    ]);
    assert!(said.contains("122"), "{said}");
    assert!(clashes(&team.b).is_empty());

    // The renumbering travels: the county and A hold it, with no clash left.
    team.send(&team.b);
    team.receive(&team.a);
    for db in [&team.county, &team.a, &team.b] {
        let n = numbers(db);
        let of = |id: Uuid| n.iter().find(|(h, _)| *h == id).unwrap().1.clone();
        assert_eq!(of(on_a.min(on_b)), "121", "{}", db.display());
        assert_eq!(of(on_a.max(on_b)), "122", "{}", db.display());
        assert!(clashes(db).is_empty(), "{}", db.display());
    }
    assert_eq!(
        json(&["clashes", "--db", county, "--json"]),
        serde_json::json!([])
    );

    // Resolved at the county (by number and village), the renumbering reaches both laptops in
    // their return bundles.
    let two_a = team.create_household(&team.a, "200", "周八", 6);
    let two_b = team.create_household(&team.b, "200", "吴九", 7);
    team.send(&team.a);
    team.send(&team.b);
    ok(&[
        "clashes",
        "resolve",
        "--db",
        county,
        "--household",
        "200",
        "--village",
        &team.village.code,
        "--renumber",
        "201",
    ]);
    team.receive(&team.a);
    team.receive(&team.b);
    for db in [&team.county, &team.a, &team.b] {
        let n = numbers(db);
        let of = |id: Uuid| n.iter().find(|(h, _)| *h == id).unwrap().1.clone();
        assert_eq!(of(two_a.min(two_b)), "200", "{}", db.display());
        assert_eq!(of(two_a.max(two_b)), "201", "{}", db.display());
        assert!(clashes(db).is_empty(), "{}", db.display());
    }
}

/// Household `number` with head `head` in village `village` of laptop `device`.
fn create_in(device: &Path, village: Uuid, number: &str, head: &str, seq: u32) -> Uuid {
    let mut store = Store::open(device).unwrap();
    let h = household(village, number);
    store.save_household(&h).unwrap();
    store
        .save_member(
            &member(h.id, head, dripline::model::Relation::Head, seq),
            today(),
        )
        .unwrap();
    store.close().unwrap();
    h.id
}

fn villages(db: &Path) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = Store::open(db)
        .unwrap()
        .villages()
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    ids.sort();
    ids
}

/// Every live household of the file, with the village it is in.
fn households_by_village(db: &Path) -> Vec<(Uuid, Uuid)> {
    let mut all: Vec<(Uuid, Uuid)> = Store::open(db)
        .unwrap()
        .household_records(None)
        .unwrap()
        .iter()
        .map(|r| (r.household.id, r.household.village_id))
        .collect();
    all.sort();
    all
}

#[test]
fn a_village_created_on_two_laptops_is_merged_into_one_with_every_household_kept() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new_apart(dir.path());
    let village_a = team.village.id;
    let village_b = Store::open(&team.b).unwrap().villages().unwrap()[0].id;
    assert_ne!(village_a, village_b);
    let a1 = create_in(&team.a, village_a, "001", "张三", 1);
    let a2 = create_in(&team.a, village_a, "002", "王五", 2);
    let b1 = create_in(&team.b, village_b, "001", "李四", 3);
    let b3 = create_in(&team.b, village_b, "003", "孙七", 4);
    // B's helper serves B's household: it must follow its village.
    let helper = dripline::model::Helper {
        id: Uuid::new_v4(),
        village_id: village_b,
        name: "赵干部".into(),
        unit: "县农业农村局".into(),
        phone: "13800000000".into(),
        household_ids: vec![b3],
    };
    {
        let mut store = Store::open(&team.b).unwrap();
        store.save_helper(&helper).unwrap();
        store.close().unwrap();
    }

    // Both bundles merge at the county: both villages kept, listed as one clash.
    team.send(&team.a);
    let report = team.send(&team.b);
    assert!(report[0].stats.clashes_kept >= 1, "{:?}", report[0].stats);
    let both = {
        let mut v = vec![village_a, village_b];
        v.sort();
        v
    };
    assert_eq!(villages(&team.county), both);
    let listed = clashes(&team.county);
    let village_clash = listed
        .iter()
        .find(|c| c.kind == ClashKind::VillageCode)
        .expect("a village clash");
    assert_eq!(village_clash.records.len(), 2);
    // Each village record says how many households it holds: what tells a person which to keep.
    let mut counts: Vec<Option<i64>> = village_clash.records.iter().map(|r| r.households).collect();
    counts.sort();
    assert_eq!(counts, vec![Some(2), Some(2)]);
    let line =
        dripline::i18n::Localize::localize(&village_clash.records[0], dripline::i18n::Lang::Zh);
    assert!(line.contains("（2 户）"), "{line}");
    // The command line offers the merge, ready to run.
    let county = team.county.to_str().unwrap();
    let words = ok(&["clashes", "--db", county, "--lang", "en"]);
    assert!(words.contains("Merge into one village"), "{words}");
    assert!(words.contains("--keep"), "{words}");

    // Both laptops receive the other's village and households.
    team.receive(&team.a);
    team.receive(&team.b);
    assert_eq!(villages(&team.a), both);
    assert_eq!(
        households_by_village(&team.a),
        households_by_village(&team.county)
    );

    // On B, keep A's village from the command line: B's households and helper move into it,
    // nothing is deleted, and the shared number 001 becomes a household clash.
    let b = team.b.to_str().unwrap();
    let id_prefix = &village_a.to_string()[..8];
    let said = ok(&["clashes", "resolve", "--db", b, "--keep", id_prefix]);
    assert!(said.contains("并入"), "{said}");
    assert_eq!(villages(&team.b), vec![village_a]);
    let moved = households_by_village(&team.b);
    let mut expected: Vec<(Uuid, Uuid)> =
        [a1, a2, b1, b3].iter().map(|h| (*h, village_a)).collect();
    expected.sort();
    assert_eq!(moved, expected);
    {
        let store = Store::open(&team.b).unwrap();
        let helpers = store.helpers(village_a).unwrap();
        assert!(
            helpers
                .iter()
                .any(|h| h.id == helper.id && h.household_ids == vec![b3]),
            "{helpers:?}"
        );
        let left = store.clashes().unwrap();
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0].kind, ClashKind::HouseholdNumber);
        assert_eq!(left[0].household_number.as_deref(), Some("001"));
    }

    // The merge travels: the county and A end with one village holding all four households.
    team.send(&team.b);
    team.receive(&team.a);
    for db in [&team.county, &team.a] {
        assert_eq!(villages(db), vec![village_a], "{}", db.display());
        assert_eq!(households_by_village(db), expected, "{}", db.display());
        let kinds: Vec<ClashKind> = clashes(db).iter().map(|c| c.kind).collect();
        assert_eq!(kinds, vec![ClashKind::HouseholdNumber], "{}", db.display());
    }
}

#[test]
fn merging_two_villages_is_undone_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new_apart(dir.path());
    let village_a = team.village.id;
    let village_b = Store::open(&team.b).unwrap().villages().unwrap()[0].id;
    create_in(&team.a, village_a, "001", "张三", 1);
    let b2 = create_in(&team.b, village_b, "002", "李四", 2);
    team.send(&team.a);
    team.send(&team.b);
    team.receive(&team.b);
    let before = households_by_village(&team.b);
    let mut store = Store::open(&team.b).unwrap();
    // Keeping B's own village works as well as keeping A's.
    let change = store
        .keep_clash_record(ClashKind::VillageCode, village_b)
        .unwrap()
        .expect("a change");
    assert_eq!(store.villages().unwrap().len(), 1);
    assert!(store.clashes().unwrap().is_empty());
    assert_eq!(
        store.household_record(b2).unwrap().household.village_id,
        village_b
    );
    store.undo(change).unwrap();
    assert_eq!(store.villages().unwrap().len(), 2);
    assert_eq!(store.clashes().unwrap().len(), 1);
    store.close().unwrap();
    assert_eq!(households_by_village(&team.b), before);
}

/// The survey of `household` for 2026, a draft, saved on `device`.
fn add_survey(device: &Path, household: Uuid) -> Uuid {
    let s = dripline::model::SurveyState {
        id: Uuid::new_v4(),
        household_id: household,
        year: 2026,
        status: dripline::model::SurveyStatus::Draft,
        computed_identification: None,
        confirmed_identification: None,
        override_reason: String::new(),
        confirmed_by: String::new(),
        confirmed_on: None,
    };
    let mut store = Store::open(device).unwrap();
    store.save_survey(&s, today()).unwrap();
    store.close().unwrap();
    s.id
}

/// What one laptop says of the shared household: its surveys, and how many times the helper,
/// the project and the product list it.
fn links_of(db: &Path, village: Uuid, household: Uuid) -> (usize, usize, usize, usize) {
    let store = Store::open(db).unwrap();
    let count = |ids: &[Uuid]| ids.iter().filter(|h| **h == household).count();
    (
        store.surveys_of(household).unwrap().len(),
        store
            .helpers(village)
            .unwrap()
            .iter()
            .map(|h| count(&h.household_ids))
            .sum(),
        store
            .projects(village)
            .unwrap()
            .iter()
            .map(|p| count(&p.household_ids))
            .sum(),
        store
            .products(village)
            .unwrap()
            .iter()
            .map(|p| count(&p.producer_household_ids))
            .sum(),
    )
}

#[test]
fn one_survey_year_helper_project_and_producer_entered_on_two_laptops_are_clashes_kept_and_resolved()
 {
    use dripline::model::*;
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    let village = team.village.id;
    // A household, a helper, a project and a product both laptops know, none linked yet.
    let shared = team.create_household(&team.a, "001", "王五", 1);
    let mut helper = Helper {
        id: Uuid::new_v4(),
        village_id: village,
        name: "赵干部".into(),
        unit: "县农业农村局".into(),
        phone: "13800000000".into(),
        household_ids: vec![],
    };
    let mut project = Project {
        id: Uuid::new_v4(),
        village_id: village,
        name: "猕猴桃产业园".into(),
        kind: ProjectKind::IndustryBase,
        budget_yuan: 300_000.0,
        start: chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
        end: None,
        household_ids: vec![],
    };
    let mut product = Product {
        id: Uuid::new_v4(),
        village_id: village,
        name: "红心猕猴桃".into(),
        kind: "水果".into(),
        season: "9–11月".into(),
        volume: 12_000.0,
        unit: "斤".into(),
        price_yuan: 8.5,
        certification: Certification::GeographicIndication,
        producer_household_ids: vec![],
        measure_id: None,
    };
    {
        let mut store = Store::open(&team.a).unwrap();
        store.save_helper(&helper).unwrap();
        store.save_project(&project).unwrap();
        store.save_product(&product).unwrap();
        store.close().unwrap();
    }
    team.send(&team.a);
    team.receive(&team.b);

    // Before they exchange again, both laptops survey the household for 2026 and link it to
    // the helper, the project and the product.
    helper.household_ids = vec![shared];
    project.household_ids = vec![shared];
    product.producer_household_ids = vec![shared];
    let mut surveys = Vec::new();
    for laptop in [&team.a, &team.b] {
        surveys.push(add_survey(laptop, shared));
        let mut store = Store::open(laptop).unwrap();
        store.save_helper(&helper).unwrap();
        store.save_project(&project).unwrap();
        store.save_product(&product).unwrap();
        store.close().unwrap();
    }
    team.send(&team.a);
    let report = team.send(&team.b);
    assert_eq!(report[0].stats.clashes_kept, 4, "{:?}", report[0].stats);
    let facts = clash_facts(&team.county);
    let mut kinds: Vec<ClashKind> = facts.iter().map(|f| f.0).collect();
    kinds.sort_by_key(|k| format!("{k:?}"));
    assert_eq!(
        kinds,
        vec![
            ClashKind::HelperLink,
            ClashKind::ProducerLink,
            ClashKind::ProjectLink,
            ClashKind::SurveyYear
        ]
    );
    assert!(facts.iter().all(|f| f.3.len() == 2), "{facts:?}");
    let survey_clash = facts.iter().find(|f| f.0 == ClashKind::SurveyYear).unwrap();
    let (low, high) = (surveys[0].min(surveys[1]), surveys[0].max(surveys[1]));
    assert_eq!(survey_clash.3, vec![(low, false), (high, true)]);
    assert_eq!(survey_clash.2, Some(2026));
    // Each clash reads in both languages, naming the household.
    for clash in clashes(&team.county) {
        let zh = dripline::i18n::Localize::localize(&clash, dripline::i18n::Lang::Zh);
        let en = dripline::i18n::Localize::localize(&clash, dripline::i18n::Lang::En);
        assert!(zh.contains("001") && en.contains("001"), "{zh} / {en}");
    }

    // Both laptops get both records and flag the same ones.
    team.receive(&team.a);
    team.receive(&team.b);
    for laptop in [&team.a, &team.b] {
        assert_eq!(clash_facts(laptop), facts, "{}", laptop.display());
        // While the links clash, the household is still listed once by the helper, the project
        // and the product; the two surveys of 2026 are both shown for a person to choose.
        assert_eq!(
            links_of(laptop, village, shared),
            (2, 1, 1, 1),
            "{}",
            laptop.display()
        );
    }

    // B keeps one record of each clash; the resolutions travel, and every device ends with
    // one survey and one link of each kind.
    {
        let mut store = Store::open(&team.b).unwrap();
        for clash in store.clashes().unwrap() {
            let keep = clash.records.iter().find(|r| !r.flagged).unwrap().id;
            store.keep_clash_record(clash.kind, keep).unwrap().unwrap();
        }
        assert!(store.clashes().unwrap().is_empty());
        store.close().unwrap();
    }
    team.send(&team.b);
    team.receive(&team.a);
    for db in [&team.county, &team.a, &team.b] {
        assert!(clashes(db).is_empty(), "{}", db.display());
        assert_eq!(
            links_of(db, village, shared),
            (1, 1, 1, 1),
            "{}",
            db.display()
        );
        let kept = Store::open(db).unwrap().surveys_of(shared).unwrap();
        assert_eq!(kept[0].id, low, "{}", db.display());
    }
}
