//! Sync bundles end to end on real files: village → county → village round trips, idempotence,
//! reordering, sequence gaps, a tamper suite that must leave the database byte-identical, and a
//! property test that two devices converge with every overwritten value kept.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use dripline::model::*;
use dripline::store::Store;
use dripline::sync::SyncError;
use dripline::sync::crypto::DeviceIdentity;
use dripline::sync::import::ImportReport;
use dripline::sync::{county, export, format, import, status};

use uuid::Uuid;

const COUNTY: &str = "510824";

/// Which rejection a mutated bundle must get.
type Expect = fn(&SyncError) -> bool;

/// A conflict as compared between devices: record, field, losing stamp, losing value, resolved.
type ConflictFacts = (String, String, String, String, bool);

/// A county, two laptops (A and B) of one village team, and the village's households.
struct World {
    dir: tempfile::TempDir,
    county: PathBuf,
    a: PathBuf,
    b: PathBuf,
    village: Village,
    households: Vec<Household>,
    files: std::cell::Cell<usize>,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let county = dir.path().join("county.sqlite");
        let line = {
            let mut store = Store::open_or_create(&county).unwrap();
            let line = county::init_county(&mut store, COUNTY).unwrap().to_line();
            store.close().unwrap();
            line
        };
        let village = village();
        let households: Vec<Household> = (1..=3)
            .map(|n| household(village.id, &format!("00{n}")))
            .collect();
        let a = dir.path().join("a.sqlite");
        let b = dir.path().join("b.sqlite");
        {
            let mut store = Store::open_or_create(&a).unwrap();
            store.save_village(&village).unwrap();
            for h in &households {
                store.save_household(h).unwrap();
            }
            store.close().unwrap();
        }
        Store::open_or_create(&b).unwrap().close().unwrap();
        let world = World {
            dir,
            county,
            a,
            b,
            village,
            households,
            files: std::cell::Cell::new(0),
        };
        for device in [&world.a, &world.b] {
            let mut store = Store::open(device).unwrap();
            county::set_county_key(&mut store, &line).unwrap();
            store.close().unwrap();
            world.register(device, &world.village.code);
        }
        // A's first bundle carries the village; B joins through the county's return bundle.
        world.send(&world.a);
        world.receive(&world.b);
        world.receive(&world.a);
        world
    }

    fn register(&self, device: &Path, village_code: &str) {
        let line = {
            let mut store = Store::open(device).unwrap();
            let line = DeviceIdentity::load_or_create(&mut store)
                .unwrap()
                .public()
                .to_line();
            store.close().unwrap();
            line
        };
        let mut county = Store::open(&self.county).unwrap();
        county::register_device(&mut county, village_code, &line).unwrap();
        county.close().unwrap();
    }

    fn next_file(&self, stem: &str) -> PathBuf {
        self.files.set(self.files.get() + 1);
        self.dir
            .path()
            .join(format!("{stem}-{}.dripline", self.files.get()))
    }

    fn export(&self, device: &Path, full: bool) -> PathBuf {
        let out = self.next_file("village");
        let mut store = Store::open(device).unwrap();
        let summary = export::export_village(&mut store, &out, full, &mut |_| {}).unwrap();
        assert!(summary.encrypted);
        store.close().unwrap();
        out
    }

    fn import(&self, db: &Path, bundles: &[PathBuf]) -> Result<Vec<ImportReport>, SyncError> {
        let mut store = Store::open(db).unwrap();
        let result = import::import_files(&mut store, bundles, &mut |_| {});
        store.close().unwrap();
        result
    }

    fn return_bundle(&self) -> PathBuf {
        let out = self.next_file("return");
        let mut store = Store::open(&self.county).unwrap();
        county::write_return(&mut store, &self.village.code, &out, &mut |_| {}).unwrap();
        store.close().unwrap();
        out
    }

    /// Device → county.
    fn send(&self, device: &Path) {
        let bundle = self.export(device, false);
        self.import(&self.county, &[bundle]).unwrap();
    }

    /// County → device.
    fn receive(&self, device: &Path) {
        let bundle = self.return_bundle();
        self.import(device, &[bundle]).unwrap();
    }

    fn edit(&self, device: &Path, index: usize, change: impl FnOnce(&mut Household)) {
        let mut store = Store::open(device).unwrap();
        let mut h = store
            .household_record(self.households[index].id)
            .unwrap()
            .household;
        change(&mut h);
        store.save_household(&h).unwrap();
        store.close().unwrap();
    }

    fn household_at(&self, device: &Path, index: usize) -> Household {
        Store::open(device)
            .unwrap()
            .household_record(self.households[index].id)
            .unwrap()
            .household
    }

    fn conflicts(&self, device: &Path) -> Vec<status::Conflict> {
        status::conflicts(&Store::open(device).unwrap(), true).unwrap()
    }
}

/// Membership by year and a household leaving the registry travel laptop → county → laptop,
/// and a later leave date set on the other laptop comes back.
#[test]
fn membership_dates_and_a_household_leaving_travel_between_laptops() {
    let w = World::new();
    let h = w.households[0].id;
    let mut bride = member(h, "王芳", Relation::ChildInLaw, 41);
    {
        let mut store = Store::open(&w.a).unwrap();
        let head = member(h, "李建国", Relation::Head, 21);
        store.save_member(&head, today()).unwrap();
        bride.joined_on = chrono::NaiveDate::from_ymd_opt(2020, 5, 1);
        bride.join_reason = JoinReason::MarriedIn;
        store.save_member(&bride, today()).unwrap();
        store
            .save_departure(
                &HouseholdDeparture {
                    id: Uuid::new_v4(),
                    household_id: h,
                    date: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                    reason: HouseholdLeaveReason::Merged,
                    note: "并入003户".into(),
                },
                today(),
            )
            .unwrap();
        store.close().unwrap();
    }
    w.send(&w.a);
    w.receive(&w.b);
    let on_b = Store::open(&w.b).unwrap().household_record(h).unwrap();
    let got = on_b.members.iter().find(|m| m.id == bride.id).unwrap();
    assert_eq!(got.joined_on, bride.joined_on);
    assert_eq!(got.join_reason, JoinReason::MarriedIn);
    let departure = on_b.departure.as_ref().unwrap();
    assert_eq!(departure.reason, HouseholdLeaveReason::Merged);
    assert_eq!(departure.note, "并入003户");

    // B records the member leaving; A gets it back, and the member is kept, as a former member.
    {
        let mut store = Store::open(&w.b).unwrap();
        let mut left = got.clone();
        left.left_on = chrono::NaiveDate::from_ymd_opt(2025, 9, 1);
        left.leave_reason = Some(LeaveReason::MovedOut);
        store.save_member(&left, today()).unwrap();
        store.close().unwrap();
    }
    w.send(&w.b);
    w.receive(&w.a);
    let on_a = Store::open(&w.a).unwrap().household_record(h).unwrap();
    assert!(on_a.members.iter().all(|m| m.id != bride.id));
    let former = on_a
        .former_members
        .iter()
        .find(|m| m.id == bride.id)
        .unwrap();
    assert_eq!(former.leave_reason, Some(LeaveReason::MovedOut));
    assert_eq!(former.left_on, chrono::NaiveDate::from_ymd_opt(2025, 9, 1));
}

/// A household not yet identified (待识别) travels laptop → county → laptop with its status, and
/// its identification on the other laptop comes back.
#[test]
fn an_unassessed_household_travels_with_its_status() {
    let w = World::new();
    let mut new = household(w.village.id, "009");
    new.status = HouseholdStatus::Unassessed;
    {
        let mut store = Store::open(&w.a).unwrap();
        store.save_household(&new).unwrap();
        store.close().unwrap();
    }
    w.send(&w.a);
    w.receive(&w.b);
    for device in [&w.county, &w.b] {
        let got = Store::open(device)
            .unwrap()
            .household_record(new.id)
            .unwrap()
            .household;
        assert_eq!(got.status, HouseholdStatus::Unassessed, "{device:?}");
    }
    {
        let mut store = Store::open(&w.b).unwrap();
        let mut h = store.household_record(new.id).unwrap().household;
        h.status = HouseholdStatus::Registered;
        store.save_household(&h).unwrap();
        store.close().unwrap();
    }
    w.send(&w.b);
    w.receive(&w.a);
    let on_a = Store::open(&w.a).unwrap().household_record(new.id).unwrap();
    assert_eq!(on_a.household.status, HouseholdStatus::Registered);
}

/// What the database holds, but for the county's log of received bundles: a refused or
/// repeated bundle adds a line to the log and changes nothing else.
fn sha256_of(path: &Path) -> String {
    common::files::fingerprint_but_receipts(path)
}

#[test]
fn village_to_county_to_village_round_trip_converges_two_laptops() {
    let w = World::new();
    // B got the village and its households from the county.
    assert_eq!(w.household_at(&w.b, 0), w.households[0]);
    assert_eq!(
        Store::open(&w.b).unwrap().villages().unwrap(),
        vec![w.village.clone()]
    );

    // Different fields of one household on the two laptops: both edits survive.
    w.edit(&w.a, 0, |h| h.phone = "13800000001".into());
    w.edit(&w.b, 0, |h| h.address = "五组".into());
    w.send(&w.a);
    w.send(&w.b);
    w.receive(&w.a);
    w.receive(&w.b);
    for device in [&w.a, &w.b, &w.county] {
        let h = w.household_at(device, 0);
        assert_eq!(
            (h.phone.as_str(), h.address.as_str()),
            ("13800000001", "五组")
        );
    }
    assert!(w.conflicts(&w.a).is_empty() && w.conflicts(&w.b).is_empty());

    // The same field on both: the later edit wins, the other value is kept as a conflict.
    w.edit(&w.a, 1, |h| h.address = "from A".into());
    w.edit(&w.b, 1, |h| h.address = "from B".into());
    w.send(&w.a);
    w.send(&w.b);
    w.receive(&w.a);
    w.receive(&w.b);
    for device in [&w.a, &w.b] {
        assert_eq!(w.household_at(device, 1).address, "from B");
        let conflicts = w.conflicts(device);
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert_eq!(
            conflicts[0].loser_value,
            rusqlite::types::Value::Text("from A".into())
        );
        assert!(!conflicts[0].resolved);
    }

    // A person on A keeps A's value; the resolution travels to B.
    {
        let mut store = Store::open(&w.a).unwrap();
        let key = status::conflicts(&store, false).unwrap()[0].key.clone();
        status::resolve(&mut store, &key, status::Resolution::KeepOther).unwrap();
        store.close().unwrap();
    }
    w.send(&w.a);
    w.receive(&w.b);
    w.receive(&w.a);
    for device in [&w.a, &w.b] {
        assert_eq!(w.household_at(device, 1).address, "from A");
        assert!(w.conflicts(device).iter().all(|c| c.resolved));
        let st = status::status(&Store::open(device).unwrap()).unwrap();
        assert_eq!(st.open_conflicts, 0);
    }
    // A deletion (tombstone) travels too.
    {
        let mut store = Store::open(&w.b).unwrap();
        store.delete_household(w.households[2].id).unwrap();
        store.close().unwrap();
    }
    w.send(&w.b);
    w.receive(&w.a);
    let a = Store::open(&w.a).unwrap();
    assert_eq!(a.household_count(Some(w.village.id)).unwrap(), 2);
}

#[test]
fn acknowledged_changes_leave_the_pending_count_and_the_next_export() {
    let w = World::new();
    let pending = |db: &Path| status::status(&Store::open(db).unwrap()).unwrap();
    assert_eq!(pending(&w.a).pending_records, 0, "all acknowledged");
    w.edit(&w.a, 0, |h| h.address = "1".into());
    assert_eq!(pending(&w.a).pending_records, 1);
    let bundle = w.export(&w.a, false);
    let (header, _) = import::read_header(&bundle).unwrap();
    assert_eq!(
        header.counts.records, 1,
        "only the changed household travels"
    );
    assert!(pending(&w.a).last_export.is_some());
    w.import(&w.county, &[bundle]).unwrap();
    w.receive(&w.a);
    assert_eq!(pending(&w.a).pending_records, 0);
}

#[test]
fn the_same_bundle_twice_changes_nothing_the_second_time() {
    let w = World::new();
    w.edit(&w.a, 0, |h| h.address = "1".into());
    let bundle = w.export(&w.a, false);
    let first = w.import(&w.county, std::slice::from_ref(&bundle)).unwrap();
    assert!(!first[0].already_imported);
    assert_eq!(first[0].stats.fields_updated, 1);
    let before = sha256_of(&w.county);
    let second = w.import(&w.county, &[bundle]).unwrap();
    assert!(second[0].already_imported);
    assert_eq!(sha256_of(&w.county), before, "nothing changed but the log");
    let outcomes: Vec<_> = Store::open(&w.county)
        .unwrap()
        .bundle_receipts()
        .unwrap()
        .into_iter()
        .map(|r| r.outcome)
        .collect();
    use dripline::store::bundle_receipts::ReceiptOutcome;
    // The world's set-up imported bundles before: the last two lines are this bundle's.
    assert_eq!(
        outcomes[outcomes.len() - 2..],
        [ReceiptOutcome::Imported, ReceiptOutcome::AlreadyImported],
        "the county logs both arrivals"
    );
}

#[test]
fn an_older_bundle_arriving_after_a_newer_one_changes_nothing_it_should_not() {
    let w = World::new();
    w.edit(&w.a, 0, |h| h.address = "old".into());
    let older = w.export(&w.a, false);
    w.edit(&w.a, 0, |h| h.address = "new".into());
    let newer = w.export(&w.a, false);
    w.import(&w.county, &[newer]).unwrap();
    let reports = w.import(&w.county, &[older]).unwrap();
    assert_eq!(reports[0].stats.fields_updated, 0);
    assert_eq!(
        reports[0].stats.conflicts_recorded, 0,
        "A overwrote its own value"
    );
    assert_eq!(w.household_at(&w.county, 0).address, "new");
}

#[test]
fn a_gap_in_a_devices_sequence_is_reported_and_not_acknowledged() {
    let w = World::new();
    // A county file restored from before A's first bundle has not seen A's early changes.
    let restored = w.dir.path().join("restored.sqlite");
    {
        let mut store = Store::open_or_create(&restored).unwrap();
        county::init_county(&mut store, COUNTY).unwrap();
        store.close().unwrap();
    }
    let line = {
        let mut store = Store::open(&w.a).unwrap();
        DeviceIdentity::load_or_create(&mut store)
            .unwrap()
            .public()
            .to_line()
    };
    {
        let mut store = Store::open(&restored).unwrap();
        county::register_device(&mut store, &w.village.code, &line).unwrap();
        store.close().unwrap();
    }
    w.edit(&w.a, 0, |h| h.address = "later".into());
    let bundle = w.export(&w.a, false);
    let (header, _) = import::read_header(&bundle).unwrap();
    assert!(header.seq_from > 1);
    // The restored county cannot decrypt bundles made for the real county key.
    assert!(matches!(
        w.import(&restored, std::slice::from_ref(&bundle)),
        Err(SyncError::CannotDecrypt { .. })
    ));
    // Against the real county the same bundle has no gap; simulate a lost ack by a fresh peer row.
    let reports = w.import(&w.county, std::slice::from_ref(&bundle)).unwrap();
    assert_eq!(reports[0].gap, None);
    {
        let store = Store::open(&w.county).unwrap();
        drop(store);
        let conn = rusqlite::Connection::open(&w.county).unwrap();
        conn.execute("DELETE FROM sync_peer", []).unwrap();
        conn.execute("DELETE FROM sync_bundle WHERE direction = 'import'", [])
            .unwrap();
    }
    let reports = w.import(&w.county, &[bundle]).unwrap();
    assert_eq!(reports[0].gap, Some((1, header.seq_from)));
    let devices = county::devices(&Store::open(&w.county).unwrap()).unwrap();
    let a = devices
        .iter()
        .find(|d| d.device.to_string() == line.split(':').nth(1).unwrap())
        .unwrap();
    assert_eq!(a.last_seq, 0, "a range after a gap is not acknowledged");
}

/// Every way of damaging or misdirecting a bundle is refused, and the county file is unchanged.
#[test]
fn every_mutation_of_a_bundle_is_rejected_with_the_database_byte_identical() {
    let w = World::new();
    w.edit(&w.a, 0, |h| h.address = "1".into());
    let good = std::fs::read(w.export(&w.a, false)).unwrap();
    w.edit(&w.a, 1, |h| h.address = "2".into());
    let other = std::fs::read(w.export(&w.a, false)).unwrap();

    let raw = format::read(&good).unwrap();
    let header_end = raw.signed.len() - raw.payload.len();
    let payload_start = header_end;
    let mut cases: Vec<(&str, Vec<u8>, Expect)> = Vec::new();
    for len in [0, 5, 12, header_end / 2, payload_start + 10, good.len() - 1] {
        cases.push(("truncated", good[..len].to_vec(), |e| {
            matches!(e, SyncError::Truncated { .. } | SyncError::BadHeader { .. })
        }));
    }
    let mut flip_header = good.clone();
    let at = good.windows(12).position(|w| w == b"village_code").unwrap() + 20;
    flip_header[at] ^= 0x01;
    cases.push(("header byte", flip_header, |e| {
        matches!(
            e,
            SyncError::BadSignature { .. }
                | SyncError::BadHeader { .. }
                | SyncError::KeyMismatch { .. }
        )
    }));
    let mut flip_payload = good.clone();
    flip_payload[payload_start + raw.payload.len() / 2] ^= 0x80;
    cases.push(("payload byte", flip_payload, |e| {
        matches!(e, SyncError::BadSignature { .. })
    }));
    let mut flip_signature = good.clone();
    let last = flip_signature.len() - 3;
    flip_signature[last] ^= 0x10;
    cases.push(("signature byte", flip_signature, |e| {
        matches!(e, SyncError::BadSignature { .. })
    }));
    // The payload of the other bundle under this one's header and signature.
    let other_raw = format::read(&other).unwrap();
    let mut swapped = format::write_unsigned(&raw.header, other_raw.payload);
    swapped.extend_from_slice(&raw.signature);
    cases.push(("swapped payload", swapped, |e| {
        matches!(e, SyncError::BadSignature { .. })
    }));
    for (version, matcher) in [
        (
            0u16,
            (|e: &SyncError| matches!(e, SyncError::FormatTooOld { .. })) as Expect,
        ),
        (3u16, |e: &SyncError| {
            matches!(e, SyncError::FormatTooNew { .. })
        }),
    ] {
        let mut changed = good.clone();
        changed[8..10].copy_from_slice(&version.to_le_bytes());
        cases.push(("format version", changed, matcher));
    }
    cases.push(("not a bundle", b"PK\x03\x04 a spreadsheet".to_vec(), |e| {
        matches!(e, SyncError::NotABundle { .. })
    }));

    let before = sha256_of(&w.county);
    for (what, bytes, expected) in cases {
        let path = w.dir.path().join("mutated.dripline");
        std::fs::write(&path, &bytes).unwrap();
        let err = w
            .import(&w.county, std::slice::from_ref(&path))
            .expect_err(what);
        assert!(expected(&err), "{what}: {err:?}");
        assert_eq!(sha256_of(&w.county), before, "{what}: database changed");
        let text = dripline::i18n::Localize::localize(&err, dripline::i18n::Lang::Zh);
        assert!(
            text.contains("mutated.dripline"),
            "{what}: names the file: {text}"
        );
    }
    // A valid bundle among bad ones: each bundle is its own unit. The bad one is refused whole,
    // the good one merged whole (issue 11: a refusal no longer rolls the valid bundles back).
    let good_path = w.dir.path().join("good.dripline");
    std::fs::write(&good_path, &good).unwrap();
    let bad_path = w.dir.path().join("bad.dripline");
    std::fs::write(&bad_path, &good[..good.len() / 2]).unwrap();
    let err = w
        .import(&w.county, &[bad_path.clone(), good_path.clone()])
        .expect_err("the bad one is refused");
    let SyncError::PartlyRefused { imported, refused } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(matches!(&refused[0], SyncError::Truncated { file } if *file == bad_path));
    assert_eq!(imported.len(), 1);
    assert!(!imported[0].already_imported);
    assert!(imported[0].stats.fields_updated > 0, "the good one merged");
    assert_ne!(sha256_of(&w.county), before, "the good one was kept");
    let again = w.import(&w.county, &[good_path]).unwrap();
    assert!(again[0].already_imported, "the good one was merged whole");
}

#[test]
fn bundles_from_wrong_keys_devices_villages_or_directions_are_refused_unchanged() {
    let w = World::new();
    let before_county = sha256_of(&w.county);
    let expect_refused = |db: &Path, bundle: PathBuf, check: fn(&SyncError) -> bool| {
        let before = sha256_of(db);
        let err = w.import(db, &[bundle]).expect_err("refused");
        assert!(check(&err), "{err:?}");
        assert_eq!(sha256_of(db), before);
    };

    // An unregistered device.
    let c = w.dir.path().join("c.sqlite");
    {
        let mut store = Store::open_or_create(&c).unwrap();
        store.save_village(&w.village).unwrap();
        store.close().unwrap();
    }
    let mut store = Store::open(&c).unwrap();
    let from_c = w.next_file("c");
    export::export_village(&mut store, &from_c, true, &mut |_| {}).unwrap();
    store.close().unwrap();
    expect_refused(&w.county, from_c.clone(), |e| {
        matches!(e, SyncError::UnknownDevice { .. })
    });

    // Registered for another village.
    w.register(&c, "510824999999");
    expect_refused(&w.county, from_c, |e| {
        matches!(e, SyncError::WrongVillage { .. })
    });

    // Encrypted to another county's key.
    let elsewhere = w.dir.path().join("elsewhere.sqlite");
    let other_line = {
        let mut store = Store::open_or_create(&elsewhere).unwrap();
        county::init_county(&mut store, "510000").unwrap().to_line()
    };
    let mut store = Store::open(&w.a).unwrap();
    let real_line = county::county_key(&store).unwrap().unwrap().to_line();
    county::set_county_key(&mut store, &other_line).unwrap();
    store.close().unwrap();
    w.edit(&w.a, 0, |h| h.address = "x".into());
    let misdirected = w.export(&w.a, false);
    expect_refused(&w.county, misdirected, |e| {
        matches!(e, SyncError::CannotDecrypt { .. })
    });
    let mut store = Store::open(&w.a).unwrap();
    county::set_county_key(&mut store, &real_line).unwrap();
    store.close().unwrap();

    // A return bundle is not for the county; a village bundle not for a village device.
    let ret = w.return_bundle();
    expect_refused(&w.county, ret.clone(), |e| {
        matches!(e, SyncError::WrongKind { .. })
    });
    let to_village = w.export(&w.a, false);
    expect_refused(&w.b, to_village.clone(), |e| {
        matches!(e, SyncError::WrongKind { .. })
    });

    // A revoked device.
    let a_device = Store::open(&w.a).unwrap().device_id();
    let mut store = Store::open(&w.county).unwrap();
    county::revoke_device(&mut store, a_device).unwrap();
    store.close().unwrap();
    expect_refused(&w.county, to_village, |e| {
        matches!(e, SyncError::RevokedDevice { .. })
    });

    // A return bundle of another village (village check on the device).
    let mut other_village_db = Store::open_or_create(&w.dir.path().join("v2.sqlite")).unwrap();
    let mut v2 = village();
    v2.code = "510824105202".into();
    other_village_db.save_village(&v2).unwrap();
    county::set_county_key(&mut other_village_db, &real_line).unwrap();
    let path_v2 = other_village_db.path().to_path_buf();
    other_village_db.close().unwrap();
    w.register(&path_v2, &w.village.code);
    let ret = w.return_bundle();
    expect_refused(&path_v2, ret, |e| {
        matches!(e, SyncError::WrongVillage { .. })
    });
    let _ = before_county;
}

#[test]
fn inspect_reads_the_manifest_without_a_database() {
    let w = World::new();
    let bundle = w.export(&w.a, true);
    let (header, bytes) = import::read_header(&bundle).unwrap();
    assert_eq!(header.village_code, w.village.code);
    assert!(header.full);
    assert_eq!(
        header.counts.records,
        bytes.len().min(header.counts.records)
    );
    assert!(header.counts.records >= 4, "village and three households");
    assert_eq!(header.cipher_suite, dripline::sync::manifest::SUITE_AGE);
    let verified = import::verify(&Store::open(&w.county).unwrap(), &bundle).unwrap();
    assert_eq!(
        verified.payload.device,
        Store::open(&w.a).unwrap().device_id()
    );
    let _ = Uuid::nil();
}

/// One step of the property test.
#[derive(Debug, Clone)]
enum Op {
    /// A person on laptop A (`true`) or B edits a field of a household.
    Edit {
        on_a: bool,
        household: usize,
        field: usize,
    },
    /// A laptop exports its changes and the county imports them.
    Send { from_a: bool },
    /// The county writes the village's return bundle and a laptop imports it.
    Receive { to_a: bool },
    /// A bundle imported a second time.
    Repeat { into_county: bool },
}

fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    prop_oneof![
        3 => (any::<bool>(), 0..2usize, 0..3usize)
            .prop_map(|(on_a, household, field)| Op::Edit { on_a, household, field }),
        2 => any::<bool>().prop_map(|from_a| Op::Send { from_a }),
        2 => any::<bool>().prop_map(|to_a| Op::Receive { to_a }),
        1 => any::<bool>().prop_map(|into_county| Op::Repeat { into_county }),
    ]
}

fn field_of(h: &Household, field: usize) -> String {
    match field {
        0 => h.address.clone(),
        1 => h.unmatched_helper_name.clone(),
        _ => h.phone.clone(),
    }
}

fn set_field(h: &mut Household, field: usize, n: usize) {
    match field {
        0 => h.address = format!("地址{n}"),
        1 => h.unmatched_helper_name = format!("帮扶人{n}"),
        _ => h.phone = format!("1380000{n:04}"),
    }
}

/// The conflicts of a device as a comparable set.
fn conflict_set(w: &World, device: &Path) -> std::collections::BTreeSet<ConflictFacts> {
    w.conflicts(device)
        .into_iter()
        .map(|c| {
            let value = match c.loser_value {
                rusqlite::types::Value::Text(t) => t,
                other => format!("{other:?}"),
            };
            (
                c.key.record_id.to_string(),
                c.key.field,
                c.key.loser_hlc,
                value,
                c.resolved,
            )
        })
        .collect()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

    /// Random edits on two laptops, exchanged through the county in any order and any number of
    /// times, end in the same records on both, the same conflicts, and no value lost: every value
    /// ever written is the final one, or was overwritten by someone who had it in front of them,
    /// or is kept as a conflict.
    #[test]
    fn two_devices_converge_with_every_overwritten_value_kept(ops in proptest::collection::vec(op(), 1..14)) {
        let w = World::new();
        let mut written: Vec<(usize, usize, String)> = Vec::new();
        let mut knowingly_replaced: std::collections::BTreeSet<(usize, usize, String)> = Default::default();
        let mut last_bundle: [Option<PathBuf>; 2] = [None, None];
        for (n, op) in ops.iter().enumerate() {
            match op {
                Op::Edit { on_a, household, field } => {
                    let device = if *on_a { &w.a } else { &w.b };
                    let before = field_of(&w.household_at(device, *household), *field);
                    knowingly_replaced.insert((*household, *field, before));
                    w.edit(device, *household, |h| set_field(h, *field, n));
                    let after = field_of(&w.household_at(device, *household), *field);
                    written.push((*household, *field, after));
                }
                Op::Send { from_a } => {
                    let bundle = w.export(if *from_a { &w.a } else { &w.b }, false);
                    w.import(&w.county, std::slice::from_ref(&bundle)).unwrap();
                    last_bundle[0] = Some(bundle);
                }
                Op::Receive { to_a } => {
                    let bundle = w.return_bundle();
                    w.import(if *to_a { &w.a } else { &w.b }, std::slice::from_ref(&bundle)).unwrap();
                    last_bundle[1] = Some((*to_a).then_some(bundle)).flatten();
                }
                Op::Repeat { into_county } => {
                    if *into_county {
                        if let Some(b) = &last_bundle[0] {
                            let reports = w.import(&w.county, std::slice::from_ref(b)).unwrap();
                            proptest::prop_assert!(reports[0].already_imported);
                        }
                    } else if let Some(b) = &last_bundle[1] {
                        let reports = w.import(&w.a, std::slice::from_ref(b)).unwrap();
                        proptest::prop_assert!(reports[0].already_imported);
                    }
                }
            }
        }
        // Everyone exchanges until nothing new travels.
        for _ in 0..2 {
            w.send(&w.a);
            w.send(&w.b);
            w.receive(&w.a);
            w.receive(&w.b);
        }
        for household in 0..2 {
            let (a, b, county) = (
                w.household_at(&w.a, household),
                w.household_at(&w.b, household),
                w.household_at(&w.county, household),
            );
            proptest::prop_assert_eq!(&a, &b);
            proptest::prop_assert_eq!(&a, &county);
        }
        let conflicts_a = conflict_set(&w, &w.a);
        proptest::prop_assert_eq!(&conflicts_a, &conflict_set(&w, &w.b));
        let kept: std::collections::BTreeSet<String> = conflicts_a.iter().map(|c| c.3.clone()).collect();
        for (household, field, value) in written {
            let now = field_of(&w.household_at(&w.a, household), field);
            proptest::prop_assert!(
                now == value || knowingly_replaced.contains(&(household, field, value.clone())) || kept.contains(&value),
                "value {value} of household {household} field {field} was lost (now {now})"
            );
        }
    }
}

#[test]
fn a_version_2_database_migrates_and_its_next_edits_are_tracked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.sqlite");
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        dripline::store::schema::migrate_to(&mut conn, 2).unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        dripline::store::schema::latest_version()
    );
    assert_eq!(store.sync_lseq().unwrap(), 0);
    store.save_village(&village()).unwrap();
    assert_eq!(store.sync_lseq().unwrap(), 1);
    let st = status::status(&store).unwrap();
    assert_eq!((st.pending_records, st.open_conflicts), (1, 0));
    assert!(st.last_export.is_none() && !st.county_key_set);
}

/// No record or audit row of the townships' facts in a bundle's payload.
fn carries_no_township_facts(payload: &dripline::sync::manifest::Payload) -> bool {
    payload
        .tables
        .iter()
        .all(|t| t.table.name != "township_facilities")
        && payload
            .audit
            .iter()
            .all(|a| a.table != "township_facilities")
}

#[test]
fn township_facts_stay_in_the_database_they_were_recorded_in() {
    let w = World::new();
    let facts = TownshipFacilities {
        township: w.village.township.clone(),
        central_school: true,
        ..Default::default()
    };
    // The county's ticks, then a change of one of them: a record and an audit row.
    {
        let mut store = Store::open(&w.county).unwrap();
        store.set_township_facilities(&facts).unwrap().unwrap();
        let mut more = facts.clone();
        more.health_centre = true;
        store.set_township_facilities(&more).unwrap().unwrap();
        store.close().unwrap();
    }
    let bundle = w.return_bundle();
    {
        let laptop = Store::open(&w.a).unwrap();
        let verified = import::verify(&laptop, &bundle).unwrap();
        assert!(!verified.payload.tables.is_empty());
        assert!(carries_no_township_facts(&verified.payload));
    }
    w.import(&w.a, &[bundle]).unwrap();
    assert!(
        Store::open(&w.a)
            .unwrap()
            .township_facilities()
            .unwrap()
            .is_empty()
    );

    // Facts written into a laptop's file (the window offers no such thing there) never leave it.
    {
        let mut store = Store::open(&w.a).unwrap();
        store.set_township_facilities(&facts).unwrap().unwrap();
        let mut less = facts.clone();
        less.central_school = false;
        store.set_township_facilities(&less).unwrap().unwrap();
        store.close().unwrap();
    }
    for full in [false, true] {
        let bundle = w.export(&w.a, full);
        let county = Store::open(&w.county).unwrap();
        let verified = import::verify(&county, &bundle).unwrap();
        assert!(carries_no_township_facts(&verified.payload), "full: {full}");
        drop(county);
        w.import(&w.county, &[bundle]).unwrap();
    }
    // The county's own facts are as it recorded them.
    let county = Store::open(&w.county).unwrap();
    let kept = county.township_facilities().unwrap();
    assert_eq!(kept.len(), 1);
    assert!(kept[0].central_school && kept[0].health_centre);
}
