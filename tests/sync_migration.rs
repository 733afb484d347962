//! Issue 13's migrations on two laptops of one village (membership from the first income year,
//! migration 6; the free-text helper becoming the register's assignment, migration 8): each
//! laptop migrates its own copy of the same file, and their bundles, exchanged through the
//! county, must leave one record per fact everywhere — no duplicated assignment, no member whose
//! join date differs silently from one database to the next.

mod common;

use std::path::{Path, PathBuf};

use dripline::store::{Store, schema};
use dripline::sync::crypto::DeviceIdentity;
use dripline::sync::{county, export, import, status};
use rusqlite::Connection;
use uuid::Uuid;

const COUNTY: &str = "510824";
const VILLAGE: &str = "11111111-1111-4111-8111-111111111111";
const HOUSEHOLD: &str = "22222222-2222-4222-8222-222222222222";
const MEMBER: &str = "33333333-3333-4333-8333-333333333333";
const HELPER: &str = "55555555-5555-4555-8555-555555555555";

/// A laptop's file as an app of schema 5 (before issue 13) left it: a village, its helper 李明, a
/// household whose free-text 帮扶责任人 is 李明, its head and the 2016 and 2017 incomes. `device`
/// is the laptop's own id (each laptop has one); `extra_income` adds a 2015 income typed on this
/// laptop only.
fn old_laptop(path: &Path, device: Uuid, extra_income: bool) {
    let mut conn = Connection::open(path).unwrap();
    schema::migrate_to(&mut conn, 5).unwrap();
    let at = "2026-01-05T08:00:00.000Z";
    let origin = "99999999-9999-4999-8999-999999999999";
    let id_number = dripline::rules::id_number::compose(
        "510824",
        chrono::NaiveDate::from_ymd_opt(1975, 4, 12).unwrap(),
        11,
        dripline::model::Sex::Male,
    );
    let income = |id: &str, year: i32| {
        format!(
            "INSERT INTO income_year (id, created_at, updated_at, updated_by, household_id, year, wage_yuan)
                 VALUES ('{id}', '{at}', '{at}', '{origin}', '{HOUSEHOLD}', {year}, 5000);"
        )
    };
    conn.execute_batch(&format!(
        "INSERT INTO meta VALUES ('device_id', '{device}');
         INSERT INTO village (id, created_at, updated_at, updated_by, code, name, township, county)
             VALUES ('{VILLAGE}', '{at}', '{at}', '{origin}', '510824105201', '柳池村', '元坝镇', '苍溪县');
         INSERT INTO helper (id, created_at, updated_at, updated_by, village_id, name, unit, phone)
             VALUES ('{HELPER}', '{at}', '{at}', '{origin}', '{VILLAGE}', '李明', '县农业局', '13800000000');
         INSERT INTO household (id, created_at, updated_at, updated_by, village_id, number, attribute, status,
             housing_safe, water_safe, electricity, radio_tv, road_hardened, helper_name)
             VALUES ('{HOUSEHOLD}', '{at}', '{at}', '{origin}', '{VILLAGE}', '001', 'general', 'registered', 1, 1, 1, 1, 0, '李明');
         INSERT INTO member (id, created_at, updated_at, updated_by, household_id, name, id_number, sex, birth_date,
             relation, education, health, labour, work)
             VALUES ('{MEMBER}', '{at}', '{at}', '{origin}', '{HOUSEHOLD}', '王德明', '{id_number}', 'male', '1975-04-12',
             'head', 'primary', 'healthy', 'ordinary', 'farming');
         {}{}{}",
        income("44444444-4444-4444-8444-444444444416", 2016),
        income("44444444-4444-4444-8444-444444444417", 2017),
        if extra_income {
            income("44444444-4444-4444-8444-444444444415", 2015)
        } else {
            String::new()
        },
    ))
    .unwrap();
}

/// A county and two laptops A and B of the village, each migrated on its own when first opened.
struct Village {
    dir: tempfile::TempDir,
    county: PathBuf,
    a: PathBuf,
    b: PathBuf,
    files: std::cell::Cell<usize>,
}

impl Village {
    fn new(extra_income_on_b: bool) -> Village {
        Village::with(|_, _| {}, |_, _| {}, extra_income_on_b)
    }

    /// The village with A's and B's old files changed by `on_a` and `on_b` (given the file's
    /// connection and the laptop's device id) before they are first opened by this app, and the
    /// county by `on_county` (given A's device id).
    fn with(
        on_a: impl FnOnce(&Connection, Uuid),
        on_b: impl FnOnce(&Connection, Uuid),
        extra_income_on_b: bool,
    ) -> Village {
        Village::with_county(on_a, on_b, |_, _| {}, extra_income_on_b)
    }

    fn with_county(
        on_a: impl FnOnce(&Connection, Uuid),
        on_b: impl FnOnce(&Connection, Uuid),
        on_county: impl FnOnce(&Connection, Uuid),
        extra_income_on_b: bool,
    ) -> Village {
        let dir = tempfile::tempdir().unwrap();
        let county = dir.path().join("county.sqlite");
        let a = dir.path().join("a.sqlite");
        let b = dir.path().join("b.sqlite");
        let (device_a, device_b) = (Uuid::new_v4(), Uuid::new_v4());
        old_laptop(&a, device_a, false);
        on_a(&Connection::open(&a).unwrap(), device_a);
        old_laptop(&b, device_b, extra_income_on_b);
        on_b(&Connection::open(&b).unwrap(), device_b);
        let line = {
            let mut store = Store::open_or_create(&county).unwrap();
            let line = county::init_county(&mut store, COUNTY).unwrap().to_line();
            store.close().unwrap();
            line
        };
        on_county(&Connection::open(&county).unwrap(), device_a);
        for laptop in [&a, &b] {
            // Opening the file runs the migrations, on each laptop separately.
            let mut store = Store::open(laptop).unwrap();
            assert_eq!(store.schema_version().unwrap(), schema::latest_version());
            county::set_county_key(&mut store, &line).unwrap();
            let device = DeviceIdentity::load_or_create(&mut store)
                .unwrap()
                .public()
                .to_line();
            store.close().unwrap();
            let mut c = Store::open(&county).unwrap();
            county::register_device(&mut c, "510824105201", &device).unwrap();
            c.close().unwrap();
        }
        Village {
            dir,
            county,
            a,
            b,
            files: std::cell::Cell::new(0),
        }
    }

    fn next_file(&self, stem: &str) -> PathBuf {
        self.files.set(self.files.get() + 1);
        self.dir
            .path()
            .join(format!("{stem}-{}.dripline", self.files.get()))
    }

    /// Laptop → county; whether the bundle was a full one.
    fn send(&self, laptop: &Path) -> bool {
        let out = self.next_file("village");
        let mut store = Store::open(laptop).unwrap();
        let summary = export::export_village(&mut store, &out, false, &mut |_| {}).unwrap();
        store.close().unwrap();
        let mut c = Store::open(&self.county).unwrap();
        import::import_files(&mut c, &[out], &mut |_| {}).unwrap();
        c.close().unwrap();
        summary.header.full
    }

    /// County → laptop.
    fn receive(&self, laptop: &Path) {
        let out = self.next_file("return");
        let mut c = Store::open(&self.county).unwrap();
        county::write_return(&mut c, "510824105201", &out, &mut |_| {}).unwrap();
        c.close().unwrap();
        let mut store = Store::open(laptop).unwrap();
        import::import_files(&mut store, &[out], &mut |_| {}).unwrap();
        store.close().unwrap();
    }

    fn all(&self) -> [&PathBuf; 3] {
        [&self.a, &self.b, &self.county]
    }
}

/// The live assignments of the household: (link id, helper id).
fn links(db: &Path) -> Vec<(String, String)> {
    let conn = Connection::open(db).unwrap();
    let mut q = conn
        .prepare(
            "SELECT id, helper_id FROM household_helper WHERE deleted = 0 AND household_id = ?1
             ORDER BY id",
        )
        .unwrap();
    q.query_map([HOUSEHOLD], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn joined_on(db: &Path) -> Option<String> {
    Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT joined_on FROM member WHERE id = ?1",
            [MEMBER],
            |r| r.get(0),
        )
        .unwrap()
}

fn helper_note(db: &Path) -> String {
    Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT helper_name FROM household WHERE id = ?1",
            [HOUSEHOLD],
            |r| r.get(0),
        )
        .unwrap()
}

fn open_conflicts(db: &Path) -> Vec<status::Conflict> {
    status::conflicts(&Store::open(db).unwrap(), false).unwrap()
}

#[test]
fn two_laptops_migrated_apart_converge_to_one_assignment_and_one_join_date() {
    let v = Village::new(false);
    // Each laptop migrated the same records to the same values.
    for laptop in [&v.a, &v.b] {
        assert_eq!(links(laptop).len(), 1, "{laptop:?}");
        assert_eq!(joined_on(laptop).as_deref(), Some("2016-01-01"));
        assert_eq!(helper_note(laptop), "");
    }
    assert_eq!(links(&v.a), links(&v.b), "the same link id on both laptops");
    v.send(&v.a);
    v.send(&v.b);
    v.receive(&v.a);
    v.receive(&v.b);
    for db in v.all() {
        assert_eq!(
            links(db),
            links(&v.a),
            "one assignment, no duplicate: {db:?}"
        );
        assert_eq!(links(db)[0].1, HELPER);
        assert_eq!(joined_on(db).as_deref(), Some("2016-01-01"), "{db:?}");
        assert_eq!(helper_note(db), "", "{db:?}");
        assert!(open_conflicts(db).is_empty(), "{db:?}");
    }
}

#[test]
fn laptops_that_migrated_different_records_end_with_one_join_date_and_the_other_kept() {
    // B had a 2015 income the county and A never saw: its migration starts the head in 2015.
    let v = Village::new(true);
    assert_eq!(joined_on(&v.a).as_deref(), Some("2016-01-01"));
    assert_eq!(joined_on(&v.b).as_deref(), Some("2015-01-01"));
    v.send(&v.a);
    v.send(&v.b);
    v.receive(&v.a);
    v.receive(&v.b);
    v.send(&v.a);
    v.receive(&v.b);
    let agreed = joined_on(&v.county);
    for db in v.all() {
        assert_eq!(joined_on(db), agreed, "one join date everywhere: {db:?}");
    }
    // The date that lost is kept for a person to decide, not dropped without a trace.
    let kept: Vec<_> = open_conflicts(&v.county)
        .into_iter()
        .filter(|c| c.key.field == "joined_on")
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
}

/// Migration 8 on a laptop the county had acknowledged before the upgrade: the assignment it
/// makes (and the note it clears) travel in the laptop's next incremental bundle, so the county
/// — whose own copy had no such helper to match — and the other laptop get them.
#[test]
fn an_assignment_migrated_on_an_acknowledged_laptop_reaches_the_county_incrementally() {
    let at = "2026-01-06T08:00:00.000Z";
    let v = Village::with_county(
        // A: the county acknowledged A's changes up to 3; then the team added 李明 to the
        // register (change 4, not sent yet), and upgraded.
        |conn, device| {
            let clock: i64 = 1_767_690_000_000 << 16;
            conn.execute_batch(&format!(
                "INSERT INTO sync_device (n, device) VALUES (1, '{device}');
                 UPDATE helper SET sync_stamp = {clock}, sync_device = 1, sync_change = 4,
                     created_change = 4, updated_by = '{device}';
                 INSERT INTO change_log (n, change_id, at, actor, stamp)
                     VALUES (4, 'add-helper', '{at}', '张书记', {clock});
                 INSERT INTO meta VALUES ('sync_lseq', '4'), ('sync_acked_seq', '3'),
                     ('sync_clock_last', '{clock}');"
            ))
            .unwrap();
        },
        // B: its register has no 李明 yet, so its migration keeps the note.
        |conn, _| {
            conn.execute("DELETE FROM helper", []).unwrap();
        },
        // The county had A's changes up to 3.
        |conn, device_a| {
            conn.execute(
                "INSERT INTO sync_peer (device, last_seq, last_import_at) VALUES (?1, 3, ?2)",
                [device_a.to_string(), at.to_string()],
            )
            .unwrap();
        },
        false,
    );
    assert_eq!(links(&v.a).len(), 1);
    assert_eq!(helper_note(&v.a), "");
    assert!(links(&v.b).is_empty());
    assert_eq!(
        helper_note(&v.b),
        "李明",
        "kept as the note where no helper matches"
    );

    // B's first bundle is a full one: the county learns the household with its note.
    assert!(v.send(&v.b));
    assert!(links(&v.county).is_empty());
    assert_eq!(helper_note(&v.county), "李明");
    // A's next bundle is incremental, and carries the helper, the assignment and the cleared note.
    assert!(!v.send(&v.a), "an incremental bundle");
    assert_eq!(links(&v.county), links(&v.a));
    assert_eq!(links(&v.county)[0].1, HELPER);
    assert_eq!(helper_note(&v.county), "");
    v.receive(&v.b);
    assert_eq!(links(&v.b), links(&v.a));
    assert_eq!(helper_note(&v.b), "");
    for db in v.all() {
        assert!(open_conflicts(db).is_empty(), "{db:?}");
    }
    // The county's checks no longer list the household's helper as unknown.
    let county = Store::open(&v.county).unwrap();
    let records = county.household_records(None).unwrap();
    assert_eq!(records[0].household.unmatched_helper_name, "");
    assert_eq!(
        county.helpers(records[0].household.village_id).unwrap()[0].household_ids,
        [records[0].household.id]
    );
}
