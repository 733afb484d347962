//! Forged bundles: what a valid signature must not allow. Each bundle here is signed with the
//! real key of a registered device (read from its database, which is not encrypted) or of the
//! county, so every cryptographic check passes; what it carries breaks one authorization rule.
//! Each is refused whole, with the database byte-identical and a message naming the rule and,
//! where there is one, the record.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use dripline::i18n::{Lang, Localize};
use dripline::model::*;
use dripline::store::Store;
use dripline::store::clock::Stamp;
use dripline::sync::SyncError;
use dripline::sync::authorize::Rule;
use dripline::sync::crypto::{self, DeviceIdentity};
use dripline::sync::manifest::{Header, Payload, RecordRow};
use dripline::sync::{codec, county, export, format, import};
use rusqlite::types::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A county with two villages, each with one registered laptop that has sent its first bundle
/// and received its return bundle.
struct Counties {
    dir: tempfile::TempDir,
    county: PathBuf,
    /// Laptop of village A (the forger's key) and of village B (the victim).
    a: PathBuf,
    b: PathBuf,
    village_b: Village,
    households_a: Vec<Household>,
    households_b: Vec<Household>,
    files: std::cell::Cell<usize>,
}

/// What the database holds, but for the county's log of received bundles, where a refusal is
/// the one line written (checked by `refusals_logged`).
fn sha256_of(path: &Path) -> String {
    common::files::fingerprint_but_receipts(path)
}

/// The unauthorized refusals in the log of received bundles (a county's, or a laptop's of the
/// return bundles it refused).
fn refusals_logged(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(
        "SELECT count(*) FROM bundle_receipt WHERE outcome = 'refused' AND reason_code = 'unauthorized'",
        [],
        |r| r.get(0),
    )
    .unwrap_or(0)
}

impl Counties {
    fn new() -> Counties {
        let dir = tempfile::tempdir().unwrap();
        let county = dir.path().join("county.sqlite");
        let line = {
            let mut store = Store::open_or_create(&county).unwrap();
            let line = county::init_county(&mut store, "510824").unwrap().to_line();
            store.close().unwrap();
            line
        };
        let village_a = village();
        let village_b = Village {
            id: Uuid::new_v4(),
            code: "510824105202".into(),
            name: "石桥村".into(),
            ..village()
        };
        let mut made = Vec::new();
        for (name, v) in [("a", &village_a), ("b", &village_b)] {
            let path = dir.path().join(format!("{name}.sqlite"));
            let households: Vec<Household> = (1..=2)
                .map(|n| household(v.id, &format!("00{n}")))
                .collect();
            let mut store = Store::open_or_create(&path).unwrap();
            store.save_village(v).unwrap();
            for h in &households {
                store.save_household(h).unwrap();
            }
            store
                .save_member(
                    &member(households[0].id, "张三", Relation::Head, 1),
                    today(),
                )
                .unwrap();
            county::set_county_key(&mut store, &line).unwrap();
            let device_line = DeviceIdentity::load_or_create(&mut store)
                .unwrap()
                .public()
                .to_line();
            store.close().unwrap();
            let mut c = Store::open(&county).unwrap();
            county::register_device(&mut c, &v.code, &device_line).unwrap();
            c.close().unwrap();
            made.push((path, households));
        }
        let (b, households_b) = made.pop().unwrap();
        let (a, households_a) = made.pop().unwrap();
        let world = Counties {
            dir,
            county,
            a,
            b,
            village_b,
            households_a,
            households_b,
            files: std::cell::Cell::new(0),
        };
        for laptop in [&world.a, &world.b] {
            let bundle = world.export(laptop);
            world.import(&world.county, &bundle).unwrap();
        }
        world
    }

    fn next_file(&self, stem: &str) -> PathBuf {
        self.files.set(self.files.get() + 1);
        self.dir
            .path()
            .join(format!("{stem}-{}.dripline", self.files.get()))
    }

    fn export(&self, laptop: &Path) -> PathBuf {
        let out = self.next_file("village");
        let mut store = Store::open(laptop).unwrap();
        export::export_village(&mut store, &out, true, &mut |_| {}).unwrap();
        store.close().unwrap();
        out
    }

    fn import(&self, db: &Path, bundle: &Path) -> Result<(), SyncError> {
        let mut store = Store::open(db).unwrap();
        let result = import::import_files(&mut store, &[bundle.to_path_buf()], &mut |_| {});
        store.close().unwrap();
        result.map(|_| ())
    }

    /// A laptop's full bundle as the county reads it.
    fn payload_of(&self, laptop: &Path) -> Payload {
        let bundle = self.export(laptop);
        let store = Store::open(&self.county).unwrap();
        import::verify(&store, &bundle).unwrap().payload
    }

    /// The return bundle of village A as laptop A reads it.
    fn return_payload(&self) -> Payload {
        let out = self.next_file("return");
        let mut store = Store::open(&self.county).unwrap();
        county::write_return(&mut store, "510824105201", &out, &mut |_| {}).unwrap();
        store.close().unwrap();
        let laptop = Store::open(&self.a).unwrap();
        import::verify(&laptop, &out).unwrap().payload
    }

    /// Seals `payload` with the real key in `signer`'s database, encrypted to `recipient`
    /// (none: in the clear), as an app would.
    fn forge(&self, signer: &Path, payload: &Payload, recipient: Option<String>) -> PathBuf {
        let identity = {
            let store = Store::open(signer).unwrap();
            DeviceIdentity::load(&store).unwrap().unwrap()
        };
        let plaintext = codec::encode(payload);
        let (suite, stored) = match recipient {
            Some(r) => (
                "ed25519+age-x25519-chacha20poly1305",
                crypto::encrypt(&[r], &plaintext).unwrap(),
            ),
            None => ("ed25519+none", plaintext),
        };
        let payload_hash: [u8; 32] = Sha256::digest(&stored).into();
        let header = Header {
            format_version: format::FORMAT_VERSION,
            kind: payload.kind,
            cipher_suite: suite.to_string(),
            village_code: payload.village_code.clone(),
            device: payload.device,
            key_fingerprint: crypto::fingerprint(&identity.public().verifying_key),
            seq_from: payload.seq_from,
            seq_to: payload.seq_to,
            full: true,
            created_at: "2026-12-03T00:00:00.000Z".into(),
            counts: payload.counts(),
            payload_sha256: hex::encode(payload_hash),
            content_sha256: String::new(),
            audit_chain: None,
        };
        let mut bytes = format::write_unsigned(&header, &stored);
        let len = format::header_part_len(&bytes).unwrap();
        let message = format::signed_message(&bytes[..len], &payload_hash);
        bytes.extend_from_slice(&identity.sign(&message));
        let out = self.next_file("forged");
        std::fs::write(&out, bytes).unwrap();
        out
    }

    fn county_recipient(&self) -> String {
        let mut store = Store::open(&self.county).unwrap();
        county::county_public(&mut store).unwrap().recipient
    }

    fn a_recipient(&self) -> String {
        let store = Store::open(&self.a).unwrap();
        DeviceIdentity::load(&store)
            .unwrap()
            .unwrap()
            .public()
            .recipient
    }

    /// A village bundle of A, changed by `forge`, must be refused by the county with `rule`,
    /// the county file unchanged, and the message naming `names` in both languages' text.
    fn refused_at_county(
        &self,
        what: &str,
        change: impl FnOnce(&mut Payload),
        expect: fn(&Rule) -> bool,
        names: &str,
    ) {
        let mut payload = self.payload_of(&self.a);
        change(&mut payload);
        let bundle = self.forge(&self.a, &payload, Some(self.county_recipient()));
        refused(&self.county, &bundle, what, expect, names, || {
            self.import(&self.county, &bundle)
        });
    }
}

fn refused(
    db: &Path,
    bundle: &Path,
    what: &str,
    expect: fn(&Rule) -> bool,
    names: &str,
    import: impl FnOnce() -> Result<(), SyncError>,
) {
    let before = sha256_of(db);
    let logged = refusals_logged(db);
    let err = import().expect_err(what);
    let SyncError::Unauthorized { refusal, .. } = &err else {
        panic!("{what}: refused for another reason: {err:?}");
    };
    assert!(expect(&refusal.rule), "{what}: {refusal:?}");
    assert_eq!(sha256_of(db), before, "{what}: the database changed");
    // The county and a laptop alike log the refusal: the one line written.
    assert_eq!(
        refusals_logged(db),
        logged + 1,
        "{what}: the refusal is not logged"
    );
    let en = err.localize(Lang::En);
    let zh = err.localize(Lang::Zh);
    let file = bundle.file_name().unwrap().to_str().unwrap();
    assert!(en.contains(names) && en.contains(file), "{what}: {en}");
    assert!(zh.contains("拒收") && zh.contains(file), "{what}: {zh}");
    assert!(
        zh.contains("数据库未做任何改动"),
        "{what}: says nothing changed: {zh}"
    );
}

fn now_clock() -> i64 {
    (Stamp::wall_ms() as i64) << 16
}

fn column(payload: &Payload, table: &str, name: &str) -> usize {
    let t = payload
        .tables
        .iter()
        .find(|t| t.table.name == table)
        .unwrap();
    1 + t.table.columns.iter().position(|c| *c == name).unwrap()
}

fn record_mut<'p>(payload: &'p mut Payload, table: &str, id: Uuid) -> &'p mut RecordRow {
    payload
        .tables
        .iter_mut()
        .find(|t| t.table.name == table)
        .unwrap()
        .records
        .iter_mut()
        .find(|r| r.id == id)
        .unwrap()
}

/// `record` of another payload (village B's), restamped by A's device now.
fn push_restamped(into: &mut Payload, table: &str, mut record: RecordRow) {
    record.stamp = Some(Stamp {
        clock: now_clock(),
        device: into.device,
    });
    record.fields.clear();
    into.tables
        .iter_mut()
        .find(|t| t.table.name == table)
        .unwrap()
        .records
        .push(record);
}

fn b_record(w: &Counties, table: &str, id: Uuid) -> RecordRow {
    let mut payload = w.payload_of(&w.b);
    record_mut(&mut payload, table, id).clone()
}

#[test]
fn a_registered_device_cannot_touch_another_villages_records_or_create_a_village() {
    let w = Counties::new();
    let victim = w.households_b[0].id;
    let other_village = |r: &Rule| matches!(r, Rule::OtherVillage { .. });

    // An update of village B's household.
    let mut update = b_record(&w, "household", victim);
    w.refused_at_county(
        "update",
        |p| {
            let at = column(p, "household", "address");
            update.values[at] = Value::Text("forged".into());
            push_restamped(p, "household", update);
        },
        other_village,
        "household 001",
    );
    // Its deletion.
    let mut delete = b_record(&w, "household", victim);
    w.refused_at_county(
        "delete",
        |p| {
            delete.values[0] = Value::Integer(1);
            push_restamped(p, "household", delete);
        },
        other_village,
        "another village",
    );
    // A new household in village B.
    let mut insert = b_record(&w, "household", victim);
    w.refused_at_county(
        "insert",
        |p| {
            insert.id = Uuid::new_v4();
            let at = column(p, "household", "number");
            insert.values[at] = Value::Text("121".into());
            push_restamped(p, "household", insert);
        },
        other_village,
        "household 121",
    );
    // A member of A pointing to village B's household.
    let a_member = w
        .payload_of(&w.a)
        .tables
        .iter()
        .find(|t| t.table.name == "member")
        .unwrap()
        .records[0]
        .clone();
    w.refused_at_county(
        "pointing to another village",
        |p| {
            let mut m = a_member;
            m.id = Uuid::new_v4();
            let at = column(p, "member", "household_id");
            m.values[at] = Value::Text(victim.to_string());
            push_restamped(p, "member", m);
        },
        other_village,
        "member 张三 (household 001)",
    );
    // A new village, and A's own village renamed to another code.
    let a_village = w
        .payload_of(&w.a)
        .tables
        .iter()
        .find(|t| t.table.name == "village")
        .unwrap()
        .records[0]
        .clone();
    let mut new_village = a_village.clone();
    w.refused_at_county(
        "new village",
        |p| {
            new_village.id = Uuid::new_v4();
            let at = column(p, "village", "code");
            new_village.values[at] = Value::Text("510824105299".into());
            push_restamped(p, "village", new_village);
        },
        |r| matches!(r, Rule::NewVillage { code } if code == "510824105299"),
        "another village (510824105299)",
    );
    // Village B's own row, taken over.
    let mut b_village = b_record(&w, "village", w.village_b.id);
    w.refused_at_county(
        "another village's row",
        |p| {
            let at = column(p, "village", "name");
            b_village.values[at] = Value::Text("forged".into());
            push_restamped(p, "village", b_village);
        },
        |r| matches!(r, Rule::NewVillage { .. }),
        "village 510824105202",
    );
    // The genuine bundle still goes in, and village B is as it was.
    let genuine = w.export(&w.a);
    w.import(&w.county, &genuine).unwrap();
    let county = Store::open(&w.county).unwrap();
    let kept = county.household_record(victim).unwrap().household;
    assert_eq!(kept.address, w.households_b[0].address);
    assert_eq!(kept.village_id, w.village_b.id);
}

#[test]
fn clocks_and_sequences_a_device_could_pin_or_jump_are_refused() {
    let w = Counties::new();
    let own = w.households_a[0].id;
    w.refused_at_county(
        "pinned-forever clock",
        |p| {
            let r = record_mut(p, "household", own);
            let ten_years: i64 = 10 * 365 * 24 * 3_600_000;
            r.stamp = Some(Stamp {
                clock: now_clock() + (ten_years << 16),
                device: r.stamp.unwrap().device,
            });
        },
        |r| matches!(r, Rule::ClockInFuture { ahead_hours } if *ahead_hours > 24 * 365),
        "household 001",
    );
    w.refused_at_county(
        "a change stamp in the future",
        |p| {
            let c = p
                .changes
                .iter_mut()
                .rev()
                .find(|c| c.stamp.is_some())
                .unwrap();
            c.stamp = Some(now_clock() + ((2 * 24 * 3_600_000) << 16));
        },
        |r| matches!(r, Rule::ClockInFuture { .. }),
        "ahead of this computer",
    );
    w.refused_at_county(
        "huge sequence",
        |p| p.seq_to = 1 << 62,
        |r| matches!(r, Rule::SequenceJump { .. }),
        "far beyond",
    );
    w.refused_at_county(
        "a range running backwards",
        |p| {
            p.seq_from = 5;
            p.seq_to = 2;
        },
        |r| {
            matches!(
                r,
                Rule::SequenceRange { .. } | Rule::ChangeOutsideRange { .. }
            )
        },
        "range",
    );
    w.refused_at_county(
        "a change outside the declared range",
        |p| {
            let device = p.device;
            // The last one, so that the order of its stamp still holds.
            let c = p
                .changes
                .iter_mut()
                .rev()
                .find(|c| c.device == device && c.n >= 1)
                .unwrap();
            c.n = p.seq_to + 5;
        },
        |r| matches!(r, Rule::ChangeOutsideRange { .. }),
        "outside the range",
    );
    w.refused_at_county(
        "a clock going backwards",
        |p| {
            let device = p.device;
            let mut stamped = p
                .changes
                .iter_mut()
                .filter(|c| c.device == device && c.stamp.is_some());
            let first = stamped.next().unwrap();
            // The first change stamped after every later one.
            first.stamp = Some(now_clock() + (3_600_000 << 16));
        },
        |r| matches!(r, Rule::ClockBackwards { .. }),
        "backwards",
    );
    let b_device = Store::open(&w.b).unwrap().device_id();
    w.refused_at_county(
        "history of another village's device",
        |p| {
            let mut c = p.changes[0].clone();
            c.device = b_device;
            c.n = 1_000;
            c.stamp = Some(now_clock());
            p.changes.push(c);
        },
        |r| matches!(r, Rule::ForeignDevice { .. }),
        "registered for another village",
    );
    // A copy of A's database numbers its own new changes like A's: a number the county has
    // with another change id is the copy's.
    w.refused_at_county(
        "a change number reused by a copied database",
        |p| {
            let device = p.device;
            let c = p
                .changes
                .iter_mut()
                .find(|c| c.device == device && c.n >= 1)
                .unwrap();
            c.change_id = Uuid::new_v4().to_string();
        },
        |r| matches!(r, Rule::ChangeReused { .. }),
        "copied or restored",
    );
    // Nothing moved: the county still acknowledges what it had.
    let devices = county::devices(&Store::open(&w.county).unwrap()).unwrap();
    assert!(devices.iter().all(|d| d.last_seq < 1000), "{devices:?}");
}

#[test]
fn values_that_a_form_would_refuse_are_refused_naming_the_record_and_column() {
    let w = Counties::new();
    let own = w.households_a[0].id;
    w.refused_at_county(
        "wrong-typed value",
        |p| {
            let at = column(p, "household", "housing_safe");
            record_mut(p, "household", own).values[at] = Value::Text("yes".into());
        },
        |r| matches!(r, Rule::WrongType { column, expected: "integer" } if column == "housing_safe"),
        "household 001 housing_safe has the wrong type",
    );
    let member_id = w
        .payload_of(&w.a)
        .tables
        .iter()
        .find(|t| t.table.name == "member")
        .unwrap()
        .records[0]
        .id;
    w.refused_at_county(
        "invalid date",
        |p| {
            let at = column(p, "member", "birth_date");
            record_mut(p, "member", member_id).values[at] = Value::Text("1975-02-30".into());
        },
        |r| matches!(r, Rule::InvalidDate { column, .. } if column == "birth_date"),
        "member 张三 (household 001) birth_date holds an invalid date",
    );
    w.refused_at_county(
        "unknown code",
        |p| {
            let at = column(p, "household", "status");
            record_mut(p, "household", own).values[at] = Value::Text("vanished".into());
        },
        |r| matches!(r, Rule::UnknownCode { column, .. } if column == "status"),
        "\"vanished\", unknown to this app",
    );
    w.refused_at_county(
        "a reference that is no record id",
        |p| {
            let at = column(p, "member", "household_id");
            record_mut(p, "member", member_id).values[at] = Value::Text("001".into());
        },
        |r| matches!(r, Rule::InvalidReference { .. }),
        "not a record id",
    );
    w.refused_at_county(
        "empty where a value is needed",
        |p| {
            let at = column(p, "member", "name");
            record_mut(p, "member", member_id).values[at] = Value::Null;
        },
        |r| matches!(r, Rule::Missing { .. }),
        "must not be empty",
    );
}

#[test]
fn cleartext_bundles_are_refused_both_ways_once_a_county_key_is_set() {
    let w = Counties::new();
    let payload = w.payload_of(&w.a);
    let clear = w.forge(&w.a, &payload, None);
    refused(
        &w.county,
        &clear,
        "cleartext village bundle",
        |r| matches!(r, Rule::Cleartext),
        "not encrypted",
        || w.import(&w.county, &clear),
    );
    let back = w.return_payload();
    let clear_return = w.forge(&w.county, &back, None);
    refused(
        &w.a,
        &clear_return,
        "cleartext return bundle",
        |r| matches!(r, Rule::Cleartext),
        "keys set-county",
        || w.import(&w.a, &clear_return),
    );
}

#[test]
fn a_return_bundle_carries_only_the_laptops_village_and_its_own_acknowledgements() {
    let w = Counties::new();
    let victim = w.b_household();
    let laptop_device = {
        let store = Store::open(&w.a).unwrap();
        store.device_id()
    };
    type Case = (
        &'static str,
        Box<dyn FnOnce(&mut Payload)>,
        fn(&Rule) -> bool,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "another village's household",
            Box::new(move |p: &mut Payload| push_restamped(p, "household", victim)),
            |r| matches!(r, Rule::OtherVillage { .. } | Rule::UnknownReference { .. }),
            "household 001",
        ),
        (
            "an acknowledgement beyond the laptop's changes",
            Box::new(move |p: &mut Payload| {
                p.acks.retain(|a| a.device != laptop_device);
                p.acks.push(dripline::sync::manifest::Ack {
                    device: laptop_device,
                    seq: 1 << 62,
                });
            }),
            |r| matches!(r, Rule::AckBeyondChanges { .. }),
            "acknowledges change",
        ),
        (
            "a pinned clock",
            Box::new(|p: &mut Payload| {
                let r = &mut p
                    .tables
                    .iter_mut()
                    .find(|t| t.table.name == "household")
                    .unwrap()
                    .records[0];
                r.stamp = Some(Stamp {
                    clock: i64::MAX - 1,
                    device: r.stamp.unwrap().device,
                });
            }),
            |r| matches!(r, Rule::ClockInFuture { .. }),
            "ahead of this computer",
        ),
    ];
    for (what, change, expect, names) in cases {
        let mut payload = w.return_payload();
        change(&mut payload);
        let bundle = w.forge(&w.county, &payload, Some(w.a_recipient()));
        refused(&w.a, &bundle, what, expect, names, || {
            w.import(&w.a, &bundle)
        });
    }
    // The laptop's status (what `bundle status` and the sync screen show) lists the three
    // refused return bundles, newest first, with their reason in both languages.
    let refusals = dripline::sync::status::status(&Store::open(&w.a).unwrap())
        .unwrap()
        .refused;
    assert_eq!(refusals.len(), 3, "{refusals:?}");
    let reason = refusals[0].reason.as_ref().unwrap();
    assert!(
        reason.zh.contains("拒收") && reason.en.contains("ahead of this computer"),
        "{reason:?}"
    );
    // The genuine return bundle still goes in.
    let out = w.next_file("return");
    let mut store = Store::open(&w.county).unwrap();
    county::write_return(&mut store, "510824105201", &out, &mut |_| {}).unwrap();
    store.close().unwrap();
    w.import(&w.a, &out).unwrap();
}

impl Counties {
    /// Village B's first household as B's bundle carries it.
    fn b_household(&self) -> RecordRow {
        b_record(self, "household", self.households_b[0].id)
    }
}

#[test]
fn a_forged_bundle_in_a_county_run_is_rolled_back_alone_and_the_bundles_around_it_stay_merged() {
    let w = Counties::new();
    // New work on both laptops, exported as ordinary bundles.
    let new_a = household(w.households_a[0].village_id, "009");
    let new_b = household(w.village_b.id, "019");
    for (laptop, h) in [(&w.a, &new_a), (&w.b, &new_b)] {
        let mut store = Store::open(laptop).unwrap();
        store.save_household(h).unwrap();
        store.close().unwrap();
    }
    let good_a = w.export(&w.a);
    let good_b = w.export(&w.b);
    // Between them, A's key signs an update of B's household.
    let mut forged_payload = w.payload_of(&w.a);
    let mut update = b_record(&w, "household", w.households_b[0].id);
    let at = column(&forged_payload, "household", "address");
    update.values[at] = Value::Text("forged".into());
    push_restamped(&mut forged_payload, "household", update);
    let forged = w.forge(&w.a, &forged_payload, Some(w.county_recipient()));

    let mut store = Store::open(&w.county).unwrap();
    let result = import::import_files(
        &mut store,
        &[good_a.clone(), forged.clone(), good_b.clone()],
        &mut |_| {},
    );
    let Err(SyncError::PartlyRefused { imported, refused }) = result else {
        panic!("one refused, two merged: {result:?}");
    };
    assert_eq!(imported.len(), 2);
    assert_eq!(refused.len(), 1);
    assert!(matches!(&refused[0], SyncError::Unauthorized { file, .. } if *file == forged));
    for h in [&new_a, &new_b] {
        assert_eq!(
            store.household_record(h.id).unwrap().household.number,
            h.number
        );
    }
    let address = store
        .household_record(w.households_b[0].id)
        .unwrap()
        .household
        .address;
    assert_ne!(address, "forged");
    store.close().unwrap();
    assert_eq!(refusals_logged(&w.county), 1);
}
