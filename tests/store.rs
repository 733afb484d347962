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
    // An empty file is never opened as a database (it may be an interrupted copy), but the app
    // creating its own database adopts it.
    let empty = dir.path().join("empty.sqlite");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        Store::open(&empty),
        Err(StoreError::EmptyFile { .. })
    ));
    let store = Store::open_or_create(&empty).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::latest_version());
    assert!(store.integrity_check().unwrap().is_empty());

    for version in 1..schema::latest_version() {
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
        .set_poverty_line(PovertyLine::national(2016, 3000.0))
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
    insert_demo(&mut store, &village);
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

/// Rows a database of schema `version` holds, written as that version's app wrote them: a
/// village with a household, a member and an income (1), its helper, plan and visit (2), and
/// the sync bookkeeping of a laptop that has exported and merged (3).
fn populate(conn: &Connection, version: i64) {
    let (v, h, m, i) = (
        "11111111-1111-4111-8111-111111111111",
        "22222222-2222-4222-8222-222222222222",
        "33333333-3333-4333-8333-333333333333",
        "44444444-4444-4444-8444-444444444444",
    );
    let device = "99999999-9999-4999-8999-999999999999";
    let other = "88888888-8888-4888-8888-888888888888";
    let at = "2026-01-05T08:00:00.000Z";
    let member_id_number = dripline::rules::id_number::compose(
        "510824",
        chrono::NaiveDate::from_ymd_opt(1975, 4, 12).unwrap(),
        11,
        Sex::Male,
    );
    conn.execute_batch(&format!(
        "INSERT INTO meta VALUES ('device_id', '{device}');
         INSERT INTO village (id, created_at, updated_at, updated_by, code, name, township, county)
             VALUES ('{v}', '{at}', '{at}', '{device}', '510824105201', '柳池村', '元坝镇', '苍溪县');
         INSERT INTO household (id, created_at, updated_at, updated_by, village_id, number, phone, attribute, status,
             housing_safe, water_safe, electricity, radio_tv, road_hardened, helper_name)
             VALUES ('{h}', '{at}', '{at}', '{device}', '{v}', '001', '0839123', 'general', 'registered', 1, 1, 1, 1, 0, '李明');
         INSERT INTO member (id, created_at, updated_at, updated_by, household_id, name, id_number, sex, birth_date,
             relation, education, health, labour, work)
             VALUES ('{m}', '{at}', '{at}', '{device}', '{h}', '王德明', '{member_id_number}', 'male', '1975-04-12',
             'head', 'primary', 'healthy', 'ordinary', 'farming');
         INSERT INTO income_year (id, created_at, updated_at, updated_by, household_id, year, wage_yuan)
             VALUES ('{i}', '{at}', '{at}', '{device}', '{h}', 2019, 5000);
         INSERT INTO audit_log (change_id, at, actor, device, table_name, record_id, field, old_value, new_value)
             VALUES ('c1', '{at}', 'wang', '{device}', 'household', '{h}', '', NULL, '{{\"number\":\"001\"}}'),
                    ('c2', '{at}', 'wang', '{device}', 'household', '{h}', 'phone', '', '0839123');"
    ))
    .unwrap();
    if version >= 2 {
        conn.execute_batch(&format!(
            "INSERT INTO helper (id, created_at, updated_at, updated_by, village_id, name, unit, phone)
                 VALUES ('55555555-5555-4555-8555-555555555555', '{at}', '{at}', '{device}', '{v}', '李明', '县农业局', '13800000000');
             INSERT INTO household_helper (id, created_at, updated_at, updated_by, helper_id, household_id)
                 VALUES ('66666666-6666-4666-8666-666666666666', '{at}', '{at}', '{device}', '55555555-5555-4555-8555-555555555555', '{h}');
             INSERT INTO visit (id, created_at, updated_at, updated_by, household_id, date, kind)
                 VALUES ('77777777-7777-4777-8777-777777777777', '{at}', '{at}', '{device}', '{h}', '2026-01-04', 'routine');"
        ))
        .unwrap();
    }
    if version >= 3 {
        let stamp = |ms: u64, dev: &str| format!("{ms:016}-{:010}-{dev}", 0);
        let mine = stamp(1_767_600_000_000, device);
        let theirs = stamp(1_767_600_500_000, other);
        let mut sql = String::new();
        for field in [
            "deleted",
            "village_id",
            "number",
            "address",
            "phone",
            "helper_name",
        ] {
            let (hlc, seen) = if field == "address" {
                (
                    theirs.clone(),
                    format!("{{\"{device}\":\"{mine}\",\"{other}\":\"{theirs}\"}}"),
                )
            } else {
                (mine.clone(), format!("{{\"{device}\":\"{mine}\"}}"))
            };
            sql.push_str(&format!(
                "INSERT INTO sync_clock VALUES ('household', '{h}', '{field}', '{hlc}', '{seen}', {});",
                if field == "address" { 3 } else { 1 }
            ));
        }
        sql.push_str(&format!(
            "UPDATE household SET address = '五组' WHERE id = '{h}';
             UPDATE audit_log SET lseq = 1 WHERE change_id = 'c2';
             INSERT INTO audit_log (change_id, at, actor, device, table_name, record_id, field, old_value, new_value, lseq)
                 VALUES ('c3', '{at}', 'sync', '{device}', 'household', '{h}', 'address', '', '五组', 3);
             INSERT INTO sync_conflict VALUES ('household', '{h}', 'phone', '{theirs}', '0839000', '{mine}', '0839123', '{at}', 0, 3);
             INSERT INTO remote_audit VALUES ('{other}', 7, 'x7', '{at}', 'zhang', 'household', '{h}', 'address', '', '五组', 3);
             INSERT INTO sync_peer VALUES ('{other}', 4, '{at}');
             INSERT INTO sync_bundle VALUES ('abc', 'import', '{other}', '510824105201', 1, 4, '{at}', 'r.dripline');
             INSERT INTO meta VALUES ('sync_lseq', '3'), ('sync_hlc_last', '{theirs}');"
        ));
        conn.execute_batch(&sql).unwrap();
    }
}

/// The data columns of every synced table the file at `path` has (a table or column added by a
/// later version is missing from an older file).
fn columns_in(path: &std::path::Path) -> std::collections::BTreeMap<String, Vec<String>> {
    let conn = Connection::open(path).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for t in dripline::store::sync_tables() {
        let present: Vec<String> = conn
            .prepare(&format!("PRAGMA table_info({})", t.name))
            .unwrap()
            .query_map([], |r| r.get(1))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        if t.name == "poverty_line" || present.is_empty() {
            continue;
        }
        let columns = t
            .columns
            .iter()
            .filter(|c| present.iter().any(|p| p == *c))
            .map(|c| c.to_string())
            .collect();
        out.insert(t.name.to_string(), columns);
    }
    out
}

/// The records of the tables and `columns` (from [`columns_in`]) of the file at `path`, as text,
/// for comparing files. The poverty lines are left out: a new file gets the defaults, a county
/// keeps its own.
fn all_rows(
    path: &std::path::Path,
    columns: &std::collections::BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut out = Vec::new();
    for (table, columns) in columns {
        let sql = format!(
            "SELECT id, created_at, deleted, {} FROM {} ORDER BY id",
            columns.join(", "),
            table
        );
        let mut stmt = conn.prepare(&sql).unwrap();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            let values: Vec<String> = (0..columns.len() + 3)
                .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                .collect();
            out.push(format!("{table} {}", values.join(" | ")));
        }
    }
    out
}

/// Migration 8: a free-text helper naming a helper of the register becomes that helper's
/// assignment; a name nobody in the register has stays as the household's note, and the checks
/// list it for the team.
#[test]
fn the_free_text_helper_becomes_the_register_assignment_or_a_listed_note() {
    use dripline::rules::quality::{self, FindingKind};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v7.sqlite");
    let (v, matched, unmatched, spaced, helper) = (
        "11111111-1111-4111-8111-111111111111",
        "22222222-2222-4222-8222-222222222222",
        "33333333-3333-4333-8333-333333333333",
        "44444444-4444-4444-8444-444444444444",
        "55555555-5555-4555-8555-555555555555",
    );
    {
        let mut conn = Connection::open(&path).unwrap();
        schema::migrate_to(&mut conn, 7).unwrap();
        let at = "2026-01-05T08:00:00.000Z";
        let device = "99999999-9999-4999-8999-999999999999";
        let household = |id: &str, number: &str, helper: &str| {
            format!(
                "INSERT INTO household (id, created_at, updated_at, updated_by, village_id, number, attribute, status,
                     housing_safe, water_safe, electricity, radio_tv, road_hardened, helper_name)
                 VALUES ('{id}', '{at}', '{at}', '{device}', '{v}', '{number}', 'general', 'registered', 1, 1, 1, 1, 0, '{helper}');"
            )
        };
        conn.execute_batch(&format!(
            "INSERT INTO meta VALUES ('device_id', '{device}');
             INSERT INTO village (id, created_at, updated_at, updated_by, code, name, township, county)
                 VALUES ('{v}', '{at}', '{at}', '{device}', '510824105201', '柳池村', '元坝镇', '苍溪县');
             INSERT INTO helper (id, created_at, updated_at, updated_by, village_id, name, unit, phone)
                 VALUES ('{helper}', '{at}', '{at}', '{device}', '{v}', '李明', '县农业局', '13800000000');
             {}{}{}",
            household(matched, "001", "李明"),
            household(unmatched, "002", "张华（县财政局）"),
            household(spaced, "003", " 李明 "),
        ))
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let id = |s: &str| uuid::Uuid::parse_str(s).unwrap();
    let helpers = store.helpers(id(v)).unwrap();
    assert_eq!(helpers.len(), 1);
    let mut assigned = helpers[0].household_ids.clone();
    assigned.sort();
    assert_eq!(assigned, [id(matched), id(spaced)]);
    let records = store.household_records(Some(id(v))).unwrap();
    let note = |h: &str| {
        records
            .iter()
            .find(|r| r.household.id == id(h))
            .unwrap()
            .household
            .unmatched_helper_name
            .clone()
    };
    assert_eq!(note(matched), "");
    assert_eq!(note(spaced), "");
    assert_eq!(note(unmatched), "张华（县财政局）", "kept as the note");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 6).unwrap();
    let listed: Vec<_> = quality::check_village(&records, today, &Thresholds::default())
        .into_iter()
        .filter(|f| f.kind == FindingKind::UnmatchedHelperName)
        .map(|f| f.household_number)
        .collect();
    assert_eq!(listed, ["002"], "the unmatched name is listed for the team");
    assert!(store.integrity_check().unwrap().is_empty());
}

#[test]
fn every_earlier_version_with_data_migrates_with_nothing_lost_and_exports_whole() {
    use dripline::sync::{county, crypto::DeviceIdentity, export, import, status};
    let dir = tempfile::tempdir().unwrap();
    for version in 1..schema::latest_version() {
        let path = dir.path().join(format!("data-v{version}.sqlite"));
        let old_audit = {
            // From version 4 on, the rows are written as a version-3 app wrote them and then
            // carried up by the app's own migrations (later steps only add tables).
            let written_at = version.min(3);
            let mut conn = Connection::open(&path).unwrap();
            schema::migrate_to(&mut conn, written_at).unwrap();
            populate(&conn, written_at);
            let audit: i64 = conn
                .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
                .unwrap();
            schema::migrate_to(&mut conn, version).unwrap();
            audit
        };
        let old_columns = columns_in(&path);
        let before = all_rows(&path, &old_columns);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), schema::latest_version());
        assert!(store.integrity_check().unwrap().is_empty(), "v{version}");
        let h = uuid::Uuid::parse_str("22222222-2222-4222-8222-222222222222").unwrap();
        let audit = store.audit_of(h).unwrap();
        assert_eq!(
            audit.iter().map(|a| a.field.as_str()).collect::<Vec<_>>()[..2],
            ["", "phone"],
            "v{version}: the old audit rows are kept"
        );
        // Issue 13's migrations record what they write as changes of this laptop (so that the
        // next incremental bundle carries them): the member's join date (migration 6) and the
        // cleared free-text helper (migration 8, when the rows were written with the register's
        // 李明: version 2 on), one audit row and one change each, whether they ran above (for
        // `version` past them) or at this opening.
        let migrated = 1 + i64::from(version >= 2);
        assert_eq!(
            store.audit_len().unwrap(),
            old_audit + migrated,
            "v{version}"
        );
        let chain = store.verify_audit_chain().unwrap();
        assert_eq!(
            (chain.broken, chain.audit_rows),
            (None, (old_audit + migrated) as u64),
            "v{version}: the old rows and the migrations' are chained"
        );
        if version >= 3 {
            let st = status::status(&store).unwrap();
            assert_eq!(
                (st.last_seq, st.open_conflicts),
                (3 + migrated, 1),
                "v{version}"
            );
            let conflict = &status::conflicts(&store, false).unwrap()[0];
            assert_eq!(
                conflict.loser_value,
                rusqlite::types::Value::Text("0839000".into())
            );
        }
        store.close().unwrap();
        // The household's free-text helper 李明 names the register's helper 李明 (from version 2
        // on): it is that helper's assignment now, and the text is cleared.
        let before: Vec<String> = before
            .into_iter()
            .map(|row| {
                if (2..8).contains(&version) && row.starts_with("household ") {
                    row.replace("Text(\"李明\")", "Text(\"\")")
                } else {
                    row
                }
            })
            .collect();
        assert_eq!(
            all_rows(&path, &old_columns),
            before,
            "v{version}: nothing lost"
        );
        // Membership by year: the member is a member from the household's first income year.
        let record = Store::open(&path).unwrap().household_record(h).unwrap();
        let member = &record.members[0];
        if version < 6 {
            assert_eq!(
                member.joined_on,
                chrono::NaiveDate::from_ymd_opt(2019, 1, 1),
                "v{version}"
            );
            assert_eq!(member.join_reason, JoinReason::Registered);
        }

        // The next export takes the whole village to a county.
        let county_db = dir.path().join(format!("county-v{version}.sqlite"));
        let line = {
            let mut c = Store::open_or_create(&county_db).unwrap();
            let line = county::init_county(&mut c, "510824").unwrap().to_line();
            c.close().unwrap();
            line
        };
        let bundle = dir.path().join(format!("v{version}.dripline"));
        let mut store = Store::open(&path).unwrap();
        county::set_county_key(&mut store, &line).unwrap();
        export::export_village(&mut store, &bundle, false, &mut |_| {}).unwrap();
        let device = DeviceIdentity::load_or_create(&mut store)
            .unwrap()
            .public()
            .to_line();
        store.close().unwrap();
        let mut c = Store::open(&county_db).unwrap();
        county::register_device(&mut c, "510824105201", &device).unwrap();
        import::import_files(&mut c, &[bundle], &mut |_| {}).unwrap();
        if version >= 3 {
            let conflicts = status::conflicts(&c, true).unwrap();
            assert_eq!(conflicts.len(), 1, "v{version}: the conflict travelled");
        }
        c.close().unwrap();
        let columns = columns_in(&path);
        assert!(columns["member"].iter().any(|c| c == "joined_on"));
        assert_eq!(
            all_rows(&path, &columns),
            all_rows(&county_db, &columns),
            "v{version}: the membership columns travel too"
        );
    }
}

#[test]
fn a_bundle_import_refreshes_only_the_county_figures_of_the_villages_it_touched() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dripline::demo::DemoSpec {
        villages: 4,
        households_per_village: 6,
        seed: 14,
    };
    let villages: Vec<_> = dripline::demo::villages(&spec).collect();
    let county = common::county::ReceivingCounty::new(dir.path(), &villages);
    let today = common::today();
    let overview = |store: &mut Store| {
        dripline::workspace::county::overview(store, today, &mut |_| {}).unwrap()
    };
    let households_of = |o: &dripline::workspace::county::Overview, code: &str| {
        o.rows
            .iter()
            .find(|(v, _)| v.code == code)
            .map(|(_, h)| h.households)
            .unwrap()
    };

    let mut store = Store::open(&county.county).unwrap();
    let first = overview(&mut store);
    assert_eq!(first.rows.len(), 5);
    assert_eq!(
        first.computed.len(),
        5,
        "nothing kept yet: every village computed"
    );
    assert_eq!(households_of(&first, &county.village.code), 3);
    let again = overview(&mut store);
    assert!(again.computed.is_empty(), "{:?}", again.computed);
    assert_eq!(again.rows, first.rows);
    store.close().unwrap();

    county.add_households(&["004", "005"]);
    county.send();
    let mut store = Store::open(&county.county).unwrap();
    let after = overview(&mut store);
    assert_eq!(after.computed, vec![county.village.id]);
    assert_eq!(households_of(&after, &county.village.code), 5);
    for v in &villages {
        assert_eq!(households_of(&after, &v.village.code), 6);
    }
    // A kept row that cannot be read is computed again, not trusted.
    store.close().unwrap();
    let conn = Connection::open(&county.county).unwrap();
    conn.execute(
        "UPDATE village_headline SET figures = 'not json' WHERE village_id = ?1",
        [villages[0].village.id.to_string()],
    )
    .unwrap();
    drop(conn);
    let mut store = Store::open(&county.county).unwrap();
    assert_eq!(overview(&mut store).computed, vec![villages[0].village.id]);
}

#[test]
fn kept_county_figures_are_computed_again_when_a_poverty_line_or_a_threshold_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.sqlite");
    let spec = dripline::demo::DemoSpec {
        villages: 3,
        households_per_village: 6,
        seed: 14,
    };
    common::demo_db(&db, &spec);
    let today = common::today();
    let mut store = Store::open(&db).unwrap();
    let overview = |store: &mut Store| {
        dripline::workspace::county::overview(store, today, &mut |_| {}).unwrap()
    };
    assert_eq!(overview(&mut store).computed.len(), 3);
    assert!(overview(&mut store).computed.is_empty());

    // The county raises a year's line: every kept figure was computed under the old table.
    let lines = store.poverty_lines().unwrap();
    let last = lines.rows().last().unwrap().clone();
    store
        .set_poverty_line(dripline::model::PovertyLine {
            line_yuan: last.line_yuan + 1.0,
            ..last
        })
        .unwrap();
    assert_eq!(overview(&mut store).computed.len(), 3, "a line changed");
    assert!(overview(&mut store).computed.is_empty());

    let mut thresholds = store.thresholds().unwrap();
    thresholds.visit_interval_days += 1;
    store.set_thresholds(&thresholds).unwrap();
    assert_eq!(
        overview(&mut store).computed.len(),
        3,
        "a threshold changed"
    );
    assert!(overview(&mut store).computed.is_empty());
}

#[test]
fn migration_14_keeps_each_line_names_its_source_and_adds_the_monitoring_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v13.sqlite");
    {
        let mut conn = Connection::open(&path).unwrap();
        schema::migrate_to(&mut conn, 13).unwrap();
        let at = "2026-01-05T08:00:00.000Z";
        let device = "99999999-9999-4999-8999-999999999999";
        let line = |id: &str, year: i32, yuan: f64| {
            format!(
                "INSERT INTO poverty_line (id, created_at, updated_at, updated_by, year, line_yuan)
                 VALUES ('{id}', '{at}', '{at}', '{device}', {year}, {yuan});"
            )
        };
        conn.execute_batch(&format!(
            "INSERT INTO meta VALUES ('device_id', '{device}');
             INSERT INTO village (id, created_at, updated_at, updated_by, code, name, township, county)
                 VALUES ('11111111-1111-4111-8111-111111111111', '{at}', '{at}', '{device}',
                         '530102001001', '云村', '某镇', '某县');
             {}{}",
            line("44444444-4444-4444-8444-444444444416", 2016, 2855.0),
            line("44444444-4444-4444-8444-444444444417", 2017, 3100.0),
        ))
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert!(store.integrity_check().unwrap().is_empty());
    let lines = store.poverty_lines().unwrap();
    let row = |year: i32| {
        lines
            .rows()
            .iter()
            .find(|r| r.year == year)
            .unwrap()
            .clone()
    };
    assert_eq!(
        row(2016).source,
        dripline::model::SOURCE_NATIONAL_LINE,
        "a default figure names the default's source"
    );
    assert_eq!(
        (row(2017).line_yuan, row(2017).source.as_str()),
        (3100.0, "")
    );
    assert!(
        lines
            .rows()
            .iter()
            .all(|r| r.year == 2025 || r.province.is_empty())
    );
    let later: Vec<(i32, f64)> = lines
        .rows()
        .iter()
        .filter(|r| r.year > 2020)
        .map(|r| (r.year, r.line_yuan))
        .collect();
    assert_eq!(
        later,
        [
            (2021, 6000.0),
            (2022, 6500.0),
            (2023, 6900.0),
            (2024, 7300.0),
            (2025, 8700.0)
        ]
    );
    // The file's villages are in Yunnan (53): its 2025 threshold, not a fall-back.
    assert_eq!(lines.province(), "53");
    let t = Thresholds::default();
    let y2025 = lines.standard_for(2025, &t).unwrap();
    assert_eq!((y2025.warning_yuan, y2025.missing), (8700.0, None));
    // The ids of the defaults are the same on every device (a county migrating its own copy
    // makes the same records).
    let id_of_2024 = |conn: &Connection| -> String {
        conn.query_row(
            "SELECT id FROM poverty_line WHERE year = 2024 AND province = ''",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    drop(store);
    let conn = Connection::open(&path).unwrap();
    let fresh_path = dir.path().join("fresh.sqlite");
    drop(Store::open_or_create(&fresh_path).unwrap());
    assert_eq!(
        id_of_2024(&conn),
        id_of_2024(&Connection::open(&fresh_path).unwrap())
    );
}

/// A file of schema 14 (before monitoring cases) made by the app itself: the records, then the
/// case table taken away and the version set back, as the app of schema 14 left it.
fn as_schema_14(path: &std::path::Path) {
    let conn = Connection::open(path).unwrap();
    let empty: i64 = conn
        .query_row("SELECT count(*) FROM monitoring_case", [], |r| r.get(0))
        .unwrap();
    assert_eq!(empty, 0);
    conn.execute_batch("DROP TABLE monitoring_case; PRAGMA user_version = 14;")
        .unwrap();
}

#[test]
fn migration_15_makes_each_monitored_household_an_open_case_from_the_day_its_status_was_set() {
    use dripline::model::{DiscoverySource, MonitoredKind};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v14.sqlite");
    let (v, marginal, later, registered) = {
        let mut store = Store::open_or_create(&path).unwrap();
        store.set_actor("张书记");
        let v = village();
        store.save_village(&v).unwrap();
        // 001 entered as monitored (marginal); 002 registered, set to sudden hardship later by
        // 李主任; 003 stays registered.
        let mut a = household(v.id, "001");
        a.status = HouseholdStatus::Monitored {
            kind: MonitoredKind::Marginal,
        };
        store.save_household(&a).unwrap();
        let mut b = household(v.id, "002");
        store.save_household(&b).unwrap();
        let c = household(v.id, "003");
        store.save_household(&c).unwrap();
        store.set_actor("李主任");
        b.status = HouseholdStatus::Monitored {
            kind: MonitoredKind::SuddenHardship,
        };
        store.save_household(&b).unwrap();
        store.close().unwrap();
        (v, a.id, b.id, c.id)
    };
    // The changes dated as they were made: 001 created on 2025-06-01 (with the others), 002's
    // status set on 2025-09-15.
    {
        let conn = Connection::open(&path).unwrap();
        let last: i64 = conn
            .query_row("SELECT max(n) FROM change_log", [], |r| r.get(0))
            .unwrap();
        conn.execute(
            "UPDATE change_log SET at = '2025-06-01T09:00:00.000Z' WHERE n < ?1",
            [last],
        )
        .unwrap();
        conn.execute(
            "UPDATE change_log SET at = '2025-09-15T09:00:00.000Z' WHERE n = ?1",
            [last],
        )
        .unwrap();
    }
    as_schema_14(&path);
    let audit_before = {
        let conn = Connection::open(&path).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))
            .unwrap();
        n
    };
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::latest_version());
    assert!(store.integrity_check().unwrap().is_empty());
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    let a = store.cases_of(marginal).unwrap();
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].kind, MonitoredKind::Marginal);
    assert_eq!(a[0].source, DiscoverySource::Unrecorded);
    assert_eq!(a[0].discovered.on, day(6, 1));
    assert_eq!(a[0].discovered.by, "张书记");
    assert!(a[0].decision.is_none(), "an open case");
    let b = store.cases_of(later).unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].kind, MonitoredKind::SuddenHardship);
    assert_eq!(
        (b[0].discovered.on, b[0].discovered.by.as_str()),
        (day(9, 15), "李主任"),
        "the day and person of the change that set the status"
    );
    assert!(store.cases_of(registered).unwrap().is_empty());
    assert_eq!(store.village_workflow(v.id).unwrap().cases.len(), 2);
    // On this laptop the migration is a change of its own, which the next export carries.
    drop(store);
    let conn = Connection::open(&path).unwrap();
    let changes: i64 = conn
        .query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(changes, audit_before + 1);
    let stamped: i64 = conn
        .query_row(
            "SELECT count(*) FROM monitoring_case WHERE sync_change IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stamped, 2);
}
