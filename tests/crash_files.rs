//! Crash safety of the commands that write files: `demo`, `survey import --commit`, `bundle
//! export` and `bundle import` (into a county database) are killed at random moments. After each
//! kill the output is either absent or whole (a database that passes `integrity_check`; an import
//! all there or not at all), and once a later run has finished no partial or temporary file of any
//! killed run is left in the folder.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::files::listing;
use dripline::model::Sex;
use dripline::rules::id_number;
use dripline::store::Store;
use rand::{Rng, SeedableRng};

const ROUNDS: usize = 6;

/// Runs `args` and kills it after `ms` milliseconds if it is still running; whether it was.
fn killed(args: &[&str], ms: u64) -> bool {
    let mut child = common::cli::command()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start dripline");
    std::thread::sleep(Duration::from_millis(ms));
    let running = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    child.wait().unwrap();
    running
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn killed_demo_runs_leave_a_whole_database_or_none_and_no_partial_after_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo.sqlite");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0xF11E);
    let mut partials_left = 0;
    for round in 0..ROUNDS {
        let args = [
            "demo",
            "--out",
            s(&out),
            "--households-per-village",
            "1500",
            "--force",
        ];
        let _ = killed(&args, rng.random_range(5..250));
        partials_left += usize::from(listing(dir.path()).iter().any(|n| n.contains(".partial-")));
        if out.exists() {
            let store = Store::open(&out).unwrap_or_else(|e| panic!("round {round}: {e}"));
            assert!(store.integrity_check().unwrap().is_empty(), "round {round}");
        }
    }
    common::cli::ok(&[
        "demo",
        "--out",
        s(&out),
        "--households-per-village",
        "20",
        "--force",
    ]);
    assert_eq!(listing(dir.path()), ["demo.sqlite"]);
    assert!(
        partials_left > 0,
        "no kill fell mid-run: the test proved nothing"
    );
}

#[test]
fn killed_survey_imports_are_all_or_nothing_and_killed_exports_leave_no_partial() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    let mut store = Store::open_or_create(&db).unwrap();
    store.save_village(&common::village()).unwrap();
    store.close().unwrap();
    let households = 400;
    let mut text = String::from("户编号,姓名,身份证号,与户主关系,家庭住址\n");
    let birth = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    for i in 0..households {
        let id = id_number::compose("510824", birth + chrono::Days::new(i), 1, Sex::Male);
        text.push_str(&format!("{:03},户主{i},{id},户主,新政镇\n", i + 1));
    }
    let survey = dir.path().join("survey.csv");
    std::fs::write(&survey, text).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x5EED);
    let bundles = tempfile::tempdir().unwrap();
    let bundle = bundles.path().join("village.dripline");
    for round in 0..ROUNDS {
        let _ = killed(
            &["survey", "import", "--db", s(&db), s(&survey), "--commit"],
            rng.random_range(5..300),
        );
        let store = Store::open(&db).unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert!(store.integrity_check().unwrap().is_empty(), "round {round}");
        let stored = store.household_records(None).unwrap().len();
        assert!(
            stored == 0 || stored == households as usize,
            "round {round}: {stored} households: an import is all or nothing"
        );
        drop(store);
        let _ = killed(
            &[
                "bundle",
                "export",
                "--db",
                s(&db),
                "--out",
                s(&bundle),
                "--force",
            ],
            rng.random_range(5..300),
        );
    }
    common::cli::ok(&[
        "bundle",
        "export",
        "--db",
        s(&db),
        "--out",
        s(&bundle),
        "--force",
    ]);
    assert_eq!(listing(bundles.path()), ["village.dripline"]);
    let names = listing(dir.path());
    assert!(names.iter().all(|n| !n.contains(".partial")), "{names:?}");
}

#[test]
fn killed_bundle_imports_into_a_county_leave_it_without_or_with_the_whole_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let (county, bundle) = common::cli::county_and_bundle(dir.path(), 1500);
    let households = |db: &Path| {
        let store = Store::open(db).unwrap_or_else(|e| panic!("{e}"));
        assert!(store.integrity_check().unwrap().is_empty());
        store.household_records(None).unwrap().len()
    };
    assert_eq!(households(&county), 0);
    let pristine = dir.path().join("pristine");
    std::fs::create_dir(&pristine).unwrap();
    std::fs::copy(&county, pristine.join("county.sqlite")).unwrap();
    let args = ["bundle", "import", "--db", s(&county), s(&bundle)];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0xB0D1E);
    let (mut mid_run, mut whole) = (0, 0);
    for round in 0..ROUNDS * 2 {
        let running = killed(&args, rng.random_range(5..600));
        let stored = households(&county);
        assert!(
            stored == 0 || stored == 1500,
            "round {round}: {stored} households: an import is all or nothing"
        );
        mid_run += usize::from(running && stored == 0);
        if stored == 1500 {
            // Imported whole: start again from the county without it.
            whole += 1;
            std::fs::copy(pristine.join("county.sqlite"), &county).unwrap();
        }
    }
    common::cli::ok(&args);
    assert_eq!(households(&county), 1500);
    let again = common::cli::ok(&args);
    assert!(again.contains("此前已导入"), "{again}");
    assert_eq!(
        listing(dir.path()),
        ["county.sqlite", "pristine", "village.dripline"]
    );
    assert!(
        mid_run > 0,
        "no kill fell mid-import: the test proved nothing ({whole} whole)"
    );
}
