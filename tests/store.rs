//! The store on real files: round trips, audit, undo, tombstones, refusals and migrations.

mod common;

use common::*;
use dripline::model::*;
use dripline::store::{Store, StoreError, schema};
use rusqlite::Connection;

fn file_bytes(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn saves_and_reads_back_a_household_with_members_and_incomes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.sqlite");
    let v = village();
    let h = household(v.id, "001");
    let head = member(h.id, "王德明", Relation::Head, 11);
    let wife = Member {
        sex: Sex::Female,
        ..member(h.id, "李秀英", Relation::Spouse, 12)
    };
    let wife = Member {
        id_number: dripline::rules::id_number::compose("510824", wife.birth_date, 12, Sex::Female),
        ..wife
    };
    {
        let mut store = Store::open_or_create(&path).unwrap();
        store.save_village(&v).unwrap();
        store.save_household(&h).unwrap();
        store.save_member(&head, today()).unwrap();
        store.save_member(&wife, today()).unwrap();
        store
            .save_income(&income(h.id, 2016, 5000.0), today())
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let record = store.household_record(h.id).unwrap();
    assert_eq!(record.household, h);
    assert_eq!(record.members.len(), 2);
    assert_eq!(record.head().unwrap(), &head);
    assert_eq!(record.incomes[0].wage_yuan, 5000.0);
    assert_eq!(store.villages().unwrap(), vec![v.clone()]);
    assert_eq!(store.household_records(Some(v.id)).unwrap().len(), 1);
}

#[test]
fn every_change_is_audited_field_by_field_and_undo_reverts_it() {
    let mut store = Store::in_memory().unwrap();
    let v = village();
    store.save_village(&v).unwrap();
    let h = household(v.id, "001");
    store.save_household(&h).unwrap();

    let mut changed = h.clone();
    changed.phone = "13800001111".into();
    changed.main_cause = Some(Cause::Disability);
    let change = store.save_household(&changed).unwrap().expect("a change");
    // Saving the same values again is not a change.
    assert_eq!(store.save_household(&changed).unwrap(), None);

    let audit = store.audit_of(h.id).unwrap();
    let fields: Vec<&str> = audit.iter().map(|a| a.field.as_str()).collect();
    assert_eq!(fields, ["", "phone", "main_cause"]);
    assert_eq!(
        audit[1].old_value,
        rusqlite::types::Value::Text(String::new())
    );
    assert_eq!(
        audit[1].new_value,
        rusqlite::types::Value::Text("13800001111".into())
    );

    store.undo(change).unwrap();
    assert_eq!(store.household_record(h.id).unwrap().household, h);
}

#[test]
fn delete_is_a_tombstone_and_can_be_undone() {
    let mut store = Store::in_memory().unwrap();
    let v = village();
    store.save_village(&v).unwrap();
    let h = household(v.id, "001");
    store.save_household(&h).unwrap();
    store
        .save_member(&member(h.id, "王德明", Relation::Head, 11), today())
        .unwrap();
    let change = store.delete_household(h.id).unwrap().unwrap();
    assert!(matches!(
        store.household_record(h.id),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.household_count(None).unwrap(), 0);
    store.undo(change).unwrap();
    let back = store.household_record(h.id).unwrap();
    assert_eq!(back.members.len(), 1);
}

#[test]
fn undo_of_an_insert_removes_the_record() {
    let mut store = Store::in_memory().unwrap();
    let v = village();
    store.save_village(&v).unwrap();
    let h = household(v.id, "001");
    let change = store.save_household(&h).unwrap().unwrap();
    store.undo(change).unwrap();
    assert_eq!(store.household_count(None).unwrap(), 0);
    // The number is free again.
    store.save_household(&household(v.id, "001")).unwrap();
}

#[test]
fn refuses_invalid_and_duplicate_records_without_writing() {
    let mut store = Store::in_memory().unwrap();
    let v = village();
    store.save_village(&v).unwrap();
    let h = household(v.id, "001");
    store.save_household(&h).unwrap();
    let audit_before = store.audit_len().unwrap();

    let duplicate = household(v.id, "001");
    assert!(
        matches!(store.save_household(&duplicate), Err(StoreError::DuplicateHouseholdNumber(n)) if n == "001")
    );

    let mut bad = member(h.id, "王德明", Relation::Head, 11);
    bad.id_number.replace_range(
        17..,
        if bad.id_number.ends_with('0') {
            "1"
        } else {
            "0"
        },
    );
    assert!(matches!(
        store.save_member(&bad, today()),
        Err(StoreError::Invalid(_))
    ));

    store
        .save_income(&income(h.id, 2016, 1.0), today())
        .unwrap();
    let audit_mid = store.audit_len().unwrap();
    assert!(matches!(
        store.save_income(&income(h.id, 2016, 2.0), today()),
        Err(StoreError::DuplicateIncomeYear(2016))
    ));
    assert_eq!(store.audit_len().unwrap(), audit_mid);
    assert_eq!(audit_mid, audit_before + 1);
}

#[test]
fn refuses_a_file_that_is_not_a_dripline_database_and_leaves_it_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.sqlite");
    std::fs::write(&text, "这不是数据库 not a database").unwrap();
    let before = file_bytes(&text);
    assert!(matches!(
        Store::open(&text),
        Err(StoreError::NotDripline { .. })
    ));
    assert_eq!(file_bytes(&text), before);

    let other = dir.path().join("other.sqlite");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let before = file_bytes(&other);
    assert!(matches!(
        Store::open(&other),
        Err(StoreError::NotDripline { .. })
    ));
    assert_eq!(file_bytes(&other), before);

    assert!(matches!(
        Store::open(&dir.path().join("missing.sqlite")),
        Err(StoreError::Missing { .. })
    ));
    assert!(!dir.path().join("missing.sqlite").exists());
}

#[test]
fn refuses_a_database_from_a_newer_app_without_touching_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.sqlite");
    Store::open_or_create(&path).unwrap().close().unwrap();
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", schema::latest_version() + 1)
        .unwrap();
    let before = file_bytes(&path);
    assert!(matches!(Store::open(&path), Err(StoreError::TooNew { .. })));
    assert_eq!(file_bytes(&path), before);
}

#[test]
fn migrates_from_an_empty_file_and_from_every_earlier_version() {
    let dir = tempfile::tempdir().unwrap();
    // An empty file (as a user might create by hand) is adopted.
    let empty = dir.path().join("empty.sqlite");
    std::fs::write(&empty, b"").unwrap();
    let store = Store::open_or_create(&empty).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::latest_version());
    assert!(store.integrity_check().unwrap().is_empty());

    for version in 0..schema::latest_version() {
        let path = dir.path().join(format!("v{version}.sqlite"));
        let mut conn = Connection::open(&path).unwrap();
        schema::migrate_to(&mut conn, version).unwrap();
        assert_eq!(
            conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
                .unwrap(),
            version
        );
        drop(conn);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), schema::latest_version());
        // The migrated file works: the default poverty lines are there and a village saves.
        assert_eq!(store.poverty_lines().unwrap().line_for(2016), Some(2855.0));
        store.save_village(&village()).unwrap();
        assert!(store.integrity_check().unwrap().is_empty());
    }
}

#[test]
fn uses_wal_with_full_sync_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.sqlite");
    let store = Store::open_or_create(&path).unwrap();
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(store);
    // A household pointing at no village is refused by the foreign key.
    let mut store = Store::open(&path).unwrap();
    let orphan = household(uuid::Uuid::new_v4(), "009");
    assert!(store.save_household(&orphan).is_err());
}

#[test]
fn poverty_lines_and_thresholds_are_editable_settings() {
    let mut store = Store::in_memory().unwrap();
    assert_eq!(store.poverty_lines().unwrap().line_for(2013), Some(2736.0));
    store
        .set_poverty_line(PovertyLine {
            year: 2016,
            line_yuan: 3000.0,
        })
        .unwrap();
    assert_eq!(store.poverty_lines().unwrap().line_for(2016), Some(3000.0));
    let t = Thresholds {
        marginal_factor: 1.3,
        ..Thresholds::default()
    };
    store.set_thresholds(&t).unwrap();
    assert_eq!(store.thresholds().unwrap(), t);
}

#[test]
fn a_bulk_loaded_file_ends_with_every_index_and_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let index_sql = |path: &std::path::Path| -> Vec<String> {
        let conn = Connection::open(path).unwrap();
        let mut stmt = conn
            .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let fresh = dir.path().join("fresh.sqlite");
    Store::open_or_create(&fresh).unwrap().close().unwrap();

    let bulk = dir.path().join("bulk.sqlite");
    let mut store = Store::open_or_create(&bulk).unwrap();
    store.start_bulk_load().unwrap();
    let spec = dripline::demo::DemoSpec {
        villages: 1,
        households_per_village: 50,
        seed: 3,
    };
    let village = dripline::demo::generate_village(&spec, 0);
    store
        .insert_generated_with_workflow(&village.village, &village.households, &village.workflow)
        .unwrap();
    store.close().unwrap();

    assert_eq!(index_sql(&bulk), index_sql(&fresh));
    assert!(index_sql(&bulk).len() > 10);
    let conn = Connection::open(&bulk).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let store = Store::open(&bulk).unwrap();
    assert!(store.integrity_check().unwrap().is_empty());
    assert_eq!(store.household_count(None).unwrap(), 50);
}
