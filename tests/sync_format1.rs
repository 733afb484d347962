//! Databases and bundles written by the previous Dripline (schema 3, bundle format 1, in
//! `tests/fixtures/format1`): the databases migrate with nothing lost, the old bundles still
//! import, and the next export after the migration carries the village to a county correctly.

use std::path::{Path, PathBuf};

use dripline::store::Store;
use dripline::sync::{county, export, import, status};
use rusqlite::Connection;
use uuid::Uuid;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/format1");

struct Fixture {
    dir: tempfile::TempDir,
    ids: serde_json::Value,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "county.sqlite",
            "village-a.sqlite",
            "village-a.dripline",
            "return-a.dripline",
        ] {
            std::fs::copy(Path::new(FIXTURES).join(name), dir.path().join(name)).unwrap();
        }
        let ids = serde_json::from_str(
            &std::fs::read_to_string(Path::new(FIXTURES).join("ids.json")).unwrap(),
        )
        .unwrap();
        Fixture { dir, ids }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn household(&self, n: usize) -> Uuid {
        Uuid::parse_str(self.ids["households"][n].as_str().unwrap()).unwrap()
    }

    fn import(&self, db: &str, bundle: &Path) -> Vec<import::ImportReport> {
        let mut store = Store::open(&self.path(db)).unwrap();
        let reports =
            import::import_files(&mut store, &[bundle.to_path_buf()], &mut |_| {}).unwrap();
        store.close().unwrap();
        reports
    }
}

/// Every row of the synced tables but the poverty lines (a county keeps its own), as text.
fn rows(db: &Path) -> Vec<String> {
    rows_in_columns_of(db, db)
}

/// [`rows`] of `db`, only in the columns that `schema_of` has: a format-1 fixture lacks the
/// columns added since (membership dates), and "nothing lost" is about what it had.
fn rows_in_columns_of(db: &Path, schema_of: &Path) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let schema = Connection::open(schema_of).unwrap();
    let mut out = Vec::new();
    for t in dripline::store::sync_tables() {
        if t.name == "poverty_line" {
            continue;
        }
        let present: Vec<String> = schema
            .prepare(&format!("SELECT name FROM pragma_table_info('{}')", t.name))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        if present.is_empty() {
            continue;
        }
        let columns: Vec<&str> = t
            .columns
            .iter()
            .copied()
            .filter(|c| present.iter().any(|p| p == c))
            .collect();
        let sql = format!(
            "SELECT id, deleted, {} FROM {} ORDER BY id",
            columns.join(", "),
            t.name
        );
        let mut stmt = conn.prepare(&sql).unwrap();
        let mut found = stmt.query([]).unwrap();
        while let Some(r) = found.next().unwrap() {
            let values: Vec<String> = (0..columns.len() + 2)
                .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                .collect();
            out.push(format!("{} {}", t.name, values.join(" | ")));
        }
    }
    out
}

#[test]
fn a_format_1_county_migrates_with_its_conflict_and_imports_a_format_1_bundle() {
    let f = Fixture::new();
    let before = rows(&Path::new(FIXTURES).join("county.sqlite"));
    let store = Store::open(&f.path("county.sqlite")).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        dripline::store::schema::latest_version()
    );
    assert!(store.integrity_check().unwrap().is_empty());
    let conflicts = status::conflicts(&store, true).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(
        conflicts[0].loser_value,
        rusqlite::types::Value::Text("from A".into())
    );
    assert!(conflicts[0].loser_device.is_some());
    let devices = county::devices(&store).unwrap();
    assert_eq!(devices.len(), 2);
    assert!(devices.iter().all(|d| d.last_seq > 0));
    store.close().unwrap();
    assert_eq!(
        rows_in_columns_of(
            &f.path("county.sqlite"),
            &Path::new(FIXTURES).join("county.sqlite")
        ),
        before,
        "nothing lost"
    );

    let reports = f.import("county.sqlite", &f.path("village-a.dripline"));
    assert!(!reports[0].already_imported);
    let store = Store::open(&f.path("county.sqlite")).unwrap();
    assert!(matches!(
        store.household_record(f.household(2)),
        Err(dripline::store::StoreError::NotFound { .. })
    ));
    let first = store.household_record(f.household(0)).unwrap().household;
    assert_eq!(first.unmatched_helper_name, "张华");
    assert_eq!(first.phone, "13800000001");
    assert_eq!(first.bank_account, "6228480000000000", "B's edit stays");
    store.close().unwrap();
    let again = f.import("county.sqlite", &f.path("village-a.dripline"));
    assert!(again[0].already_imported);
}

#[test]
fn a_format_1_laptop_migrates_and_imports_a_format_1_return_bundle() {
    let f = Fixture::new();
    let before = rows(&Path::new(FIXTURES).join("village-a.sqlite"));
    {
        let store = Store::open(&f.path("village-a.sqlite")).unwrap();
        let st = status::status(&store).unwrap();
        assert_eq!(st.open_conflicts, 1);
        assert!(st.acked_seq > 0 && st.county_key_set);
        // As schema 3 counted them: the deletion and the helper change (exported, not
        // acknowledged yet) and household 002, whose clock the last return bundle moved; and
        // the members whose join date the membership migration recorded as this laptop's
        // change, for the next bundle to carry.
        let dated = store
            .household_records(None)
            .unwrap()
            .iter()
            .flat_map(|r| &r.members)
            .filter(|m| m.joined_on.is_some())
            .count() as i64;
        assert_eq!(dated, 2);
        assert_eq!(st.pending_records, 3 + dated);
        assert!(store.integrity_check().unwrap().is_empty());
        store.close().unwrap();
    }
    assert_eq!(
        rows_in_columns_of(
            &f.path("village-a.sqlite"),
            &Path::new(FIXTURES).join("village-a.sqlite")
        ),
        before,
        "nothing lost"
    );
    let reports = f.import("village-a.sqlite", &f.path("return-a.dripline"));
    assert!(!reports[0].already_imported);
    let store = Store::open(&f.path("village-a.sqlite")).unwrap();
    let first = store.household_record(f.household(0)).unwrap().household;
    assert_eq!(first.bank_account, "6228480000000000", "B's edit arrived");
    assert_eq!(
        first.unmatched_helper_name, "张华",
        "A's own pending edit stays"
    );
    // The old undo still works on a change made before the migration: the import just made.
    let audit = store.audit_of(f.household(0)).unwrap();
    assert!(audit.iter().any(|a| a.field == "bank_account"));
    assert!(audit.iter().any(|a| a.field.is_empty()), "its creation");
}

#[test]
fn after_the_migration_the_next_exports_carry_the_village_to_the_county_whole() {
    let f = Fixture::new();
    f.import("county.sqlite", &f.path("village-a.dripline"));
    f.import("village-a.sqlite", &f.path("return-a.dripline"));
    // An edit after the migration travels incrementally.
    {
        let mut store = Store::open(&f.path("village-a.sqlite")).unwrap();
        let mut h = store.household_record(f.household(1)).unwrap().household;
        h.phone = "13700000002".into();
        store.save_household(&h).unwrap();
        store.close().unwrap();
    }
    let bundle = f.path("next.dripline");
    {
        let mut store = Store::open(&f.path("village-a.sqlite")).unwrap();
        let summary = export::export_village(&mut store, &bundle, false, &mut |_| {}).unwrap();
        assert_eq!(summary.header.format_version, 2);
        assert!(!summary.header.full);
        store.close().unwrap();
    }
    f.import("county.sqlite", &bundle);
    assert_eq!(
        rows(&f.path("village-a.sqlite")),
        rows(&f.path("county.sqlite")),
        "laptop and county hold the same village"
    );

    // A full export of the migrated laptop builds the same village in a new county.
    let fresh = f.path("fresh-county.sqlite");
    let line = {
        let mut store = Store::open_or_create(&fresh).unwrap();
        let line = county::init_county(&mut store, "510824").unwrap().to_line();
        store.close().unwrap();
        line
    };
    let full = f.path("full.dripline");
    {
        let mut store = Store::open(&f.path("village-a.sqlite")).unwrap();
        county::set_county_key(&mut store, &line).unwrap();
        export::export_village(&mut store, &full, true, &mut |_| {}).unwrap();
        let device = dripline::sync::crypto::DeviceIdentity::load_or_create(&mut store)
            .unwrap()
            .public()
            .to_line();
        store.close().unwrap();
        let mut county_store = Store::open(&fresh).unwrap();
        county::register_device(
            &mut county_store,
            f.ids["village_code"].as_str().unwrap(),
            &device,
        )
        .unwrap();
        county_store.close().unwrap();
    }
    let mut store = Store::open(&fresh).unwrap();
    let reports = import::import_files(&mut store, &[full], &mut |_| {}).unwrap();
    assert!(reports[0].stats.records_inserted > 0);
    store.close().unwrap();
    assert_eq!(rows(&f.path("village-a.sqlite")), rows(&fresh));
    let a = status::conflicts(&Store::open(&f.path("village-a.sqlite")).unwrap(), true).unwrap();
    let c = status::conflicts(&Store::open(&fresh).unwrap(), true).unwrap();
    assert_eq!(a.len(), c.len(), "the conflict travelled with the village");
}
