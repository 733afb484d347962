//! County-side edits travel in return bundles: a county clerk's correction of a household reaches
//! every laptop of that village, with the clerk as the actor of its audit rows, and no laptop of
//! another village.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use dripline::model::*;
use dripline::store::Store;
use dripline::sync::crypto::DeviceIdentity;
use dripline::sync::{county, export, import};

struct County {
    dir: tempfile::TempDir,
    db: PathBuf,
    line: String,
    files: std::cell::Cell<usize>,
}

impl County {
    fn new() -> County {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("county.sqlite");
        let mut store = Store::open_or_create(&db).unwrap();
        let line = county::init_county(&mut store, "510824").unwrap().to_line();
        store.close().unwrap();
        County {
            dir,
            db,
            line,
            files: std::cell::Cell::new(0),
        }
    }

    fn file(&self, stem: &str) -> PathBuf {
        self.files.set(self.files.get() + 1);
        self.dir
            .path()
            .join(format!("{stem}-{}.dripline", self.files.get()))
    }

    /// A laptop of `village` (with `households` entered on it), registered here.
    fn laptop(&self, name: &str, village: Option<&Village>, households: &[Household]) -> PathBuf {
        let db = self.dir.path().join(format!("{name}.sqlite"));
        let mut store = Store::open_or_create(&db).unwrap();
        if let Some(v) = village {
            store.save_village(v).unwrap();
        }
        for h in households {
            store.save_household(h).unwrap();
        }
        county::set_county_key(&mut store, &self.line).unwrap();
        store.close().unwrap();
        db
    }

    fn register(&self, laptop: &Path, village_code: &str) {
        let line = {
            let mut store = Store::open(laptop).unwrap();
            let line = DeviceIdentity::load_or_create(&mut store)
                .unwrap()
                .public()
                .to_line();
            store.close().unwrap();
            line
        };
        let mut store = Store::open(&self.db).unwrap();
        county::register_device(&mut store, village_code, &line).unwrap();
        store.close().unwrap();
    }

    fn send(&self, laptop: &Path) {
        let out = self.file("village");
        let mut store = Store::open(laptop).unwrap();
        export::export_village(&mut store, &out, false, &mut |_| {}).unwrap();
        store.close().unwrap();
        let mut store = Store::open(&self.db).unwrap();
        import::import_files(&mut store, &[out], &mut |_| {}).unwrap();
        store.close().unwrap();
    }

    fn return_bundle(&self, village_code: &str) -> PathBuf {
        let out = self.file("return");
        let mut store = Store::open(&self.db).unwrap();
        county::write_return(&mut store, village_code, &out, &mut |_| {}).unwrap();
        store.close().unwrap();
        out
    }

    fn receive(&self, laptop: &Path, village_code: &str) {
        let bundle = self.return_bundle(village_code);
        let mut store = Store::open(laptop).unwrap();
        import::import_files(&mut store, &[bundle], &mut |_| {}).unwrap();
        store.close().unwrap();
    }
}

fn address(db: &Path, household: uuid::Uuid) -> Option<String> {
    let store = Store::open(db).unwrap();
    store
        .household_record(household)
        .ok()
        .map(|r| r.household.address)
}

const CLERK: &str = "县扶贫办 王五";

#[test]
fn a_county_clerks_correction_reaches_every_laptop_of_the_village_and_no_other() {
    let county = County::new();
    let a = village();
    let b = Village {
        id: uuid::Uuid::new_v4(),
        code: "510824105202".into(),
        name: "新观村".into(),
        ..village()
    };
    let ha = household(a.id, "001");
    let hb = household(b.id, "001");
    let a1 = county.laptop("a1", Some(&a), std::slice::from_ref(&ha));
    let a2 = county.laptop("a2", None, &[]);
    let b1 = county.laptop("b1", Some(&b), std::slice::from_ref(&hb));
    county.register(&a1, &a.code);
    county.register(&a2, &a.code);
    county.register(&b1, &b.code);
    county.send(&a1);
    county.send(&b1);

    // The clerk corrects village A's household in the county database.
    {
        let mut store = Store::open(&county.db).unwrap();
        store.set_actor(CLERK);
        let mut corrected = store.household_record(ha.id).unwrap().household;
        corrected.address = "县里核实：五组".into();
        corrected.phone = "13800000000".into();
        store.save_household(&corrected).unwrap();
        store.close().unwrap();
    }

    county.receive(&a1, &a.code);
    county.receive(&a2, &a.code);
    county.receive(&b1, &b.code);
    for laptop in [&a1, &a2] {
        assert_eq!(
            address(laptop, ha.id).as_deref(),
            Some("县里核实：五组"),
            "{} shows the county's value",
            laptop.display()
        );
        let store = Store::open(laptop).unwrap();
        let history = store.remote_audit_of(ha.id).unwrap();
        let by_clerk: Vec<_> = history
            .iter()
            .filter(|(_, row)| row.actor == CLERK)
            .map(|(_, row)| row.field.as_str())
            .collect();
        assert!(
            by_clerk.contains(&"address") && by_clerk.contains(&"phone"),
            "the laptop's history names the clerk: {history:?}"
        );
        let clerk_row = history.iter().find(|(_, r)| r.field == "address").unwrap();
        assert_eq!(
            clerk_row.1.new_value,
            rusqlite::types::Value::Text("县里核实：五组".into())
        );
    }
    // Village B's laptop has nothing of it: not the household, not the clerk's change.
    let store = Store::open(&b1).unwrap();
    assert!(store.household_record(ha.id).is_err());
    assert!(store.remote_audit_of(ha.id).unwrap().is_empty());
    assert_eq!(
        store.household_record(hb.id).unwrap().household.address,
        hb.address
    );
    drop(store);

    // The laptop goes on: its next bundle (which carries the county's history back) imports.
    {
        let mut store = Store::open(&a1).unwrap();
        let mut edited = store.household_record(ha.id).unwrap().household;
        edited.bank_account = "6217000000000000".into();
        store.save_household(&edited).unwrap();
        store.close().unwrap();
    }
    county.send(&a1);
    let store = Store::open(&county.db).unwrap();
    let merged = store.household_record(ha.id).unwrap().household;
    assert_eq!(merged.address, "县里核实：五组");
    assert_eq!(merged.bank_account, "6217000000000000");
}

#[test]
fn a_household_the_county_creates_reaches_the_village_with_its_creator() {
    let county = County::new();
    let a = village();
    let ha = household(a.id, "001");
    let a1 = county.laptop("a1", Some(&a), std::slice::from_ref(&ha));
    county.register(&a1, &a.code);
    county.send(&a1);
    let created = household(a.id, "002");
    {
        let mut store = Store::open(&county.db).unwrap();
        store.set_actor(CLERK);
        store.save_household(&created).unwrap();
        store.close().unwrap();
    }
    county.receive(&a1, &a.code);
    let store = Store::open(&a1).unwrap();
    assert_eq!(
        store.household_record(created.id).unwrap().household.number,
        "002"
    );
    store.close().unwrap();
    let actors: Vec<String> = rusqlite::Connection::open(&a1)
        .unwrap()
        .prepare("SELECT actor FROM remote_change")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(actors.iter().any(|a| a == CLERK), "{actors:?}");
}
