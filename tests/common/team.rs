//! A county and two laptops (A and B) of one village team, registered with it, with the village
//! on both: what the tests of two laptops entering the same things (a clash of household
//! numbers, say) start from.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use dripline::model::Village;
use dripline::store::Store;
use dripline::sync::SyncError;
use dripline::sync::crypto::DeviceIdentity;
use dripline::sync::import::ImportReport;
use dripline::sync::{county, export, import};

pub struct Team {
    pub county: PathBuf,
    pub a: PathBuf,
    pub b: PathBuf,
    pub village: Village,
    dir: PathBuf,
    files: Cell<usize>,
}

impl Team {
    /// Household `number` with its head `head` (ID sequence `seq`), created on the laptop
    /// `device` alone: what each laptop does before the two exchange bundles.
    #[allow(dead_code)]
    pub fn create_household(
        &self,
        device: &Path,
        number: &str,
        head: &str,
        seq: u32,
    ) -> uuid::Uuid {
        let mut store = Store::open(device).unwrap();
        let h = super::household(self.village.id, number);
        store.save_household(&h).unwrap();
        store
            .save_member(
                &super::member(h.id, head, dripline::model::Relation::Head, seq),
                super::today(),
            )
            .unwrap();
        store.close().unwrap();
        h.id
    }

    /// The county at `dir/county.sqlite`; laptop A created the village, and B received it
    /// through the county's return bundle.
    pub fn new(dir: &Path) -> Team {
        Team::build(dir, false)
    }

    /// The county and two registered laptops that each created the village (one code, two
    /// village records) before either sent anything: nothing has been exchanged yet.
    /// `village` is A's.
    #[allow(dead_code)]
    pub fn new_apart(dir: &Path) -> Team {
        Team::build(dir, true)
    }

    fn build(dir: &Path, apart: bool) -> Team {
        let county_db = dir.join("county.sqlite");
        let line = {
            let mut store = Store::open_or_create(&county_db).unwrap();
            let line = county::init_county(&mut store, super::county::COUNTY_CODE)
                .unwrap()
                .to_line();
            store.close().unwrap();
            line
        };
        let village = super::village();
        let team = Team {
            county: county_db,
            a: dir.join("a.sqlite"),
            b: dir.join("b.sqlite"),
            village,
            dir: dir.to_path_buf(),
            files: Cell::new(0),
        };
        {
            let mut store = Store::open_or_create(&team.a).unwrap();
            store.save_village(&team.village).unwrap();
            store.close().unwrap();
        }
        {
            let mut store = Store::open_or_create(&team.b).unwrap();
            if apart {
                store
                    .save_village(&Village {
                        id: uuid::Uuid::new_v4(),
                        ..team.village.clone()
                    })
                    .unwrap();
            }
            store.close().unwrap();
        }
        for device in [&team.a, &team.b] {
            let mut store = Store::open(device).unwrap();
            county::set_county_key(&mut store, &line).unwrap();
            let key = DeviceIdentity::load_or_create(&mut store)
                .unwrap()
                .public()
                .to_line();
            store.close().unwrap();
            let mut county_store = Store::open(&team.county).unwrap();
            county::register_device(&mut county_store, &team.village.code, &key).unwrap();
            county_store.close().unwrap();
        }
        if apart {
            return team;
        }
        let first = team.export(&team.a);
        team.import(&team.county, &[first]).unwrap();
        team.receive(&team.b);
        team.receive(&team.a);
        team
    }

    fn next_file(&self, stem: &str) -> PathBuf {
        self.files.set(self.files.get() + 1);
        self.dir
            .join(format!("{stem}-{}.dripline", self.files.get()))
    }

    /// The laptop's changes since its last acknowledged export, as a bundle file.
    pub fn export(&self, device: &Path) -> PathBuf {
        let out = self.next_file("village");
        let mut store = Store::open(device).unwrap();
        export::export_village(&mut store, &out, false, &mut |_| {}).unwrap();
        store.close().unwrap();
        out
    }

    pub fn import(&self, db: &Path, bundles: &[PathBuf]) -> Result<Vec<ImportReport>, SyncError> {
        let mut store = Store::open(db).unwrap();
        let result = import::import_files(&mut store, bundles, &mut |_| {});
        store.close().unwrap();
        result
    }

    /// The county's return bundle for the village.
    pub fn return_bundle(&self) -> PathBuf {
        let out = self.next_file("return");
        let mut store = Store::open(&self.county).unwrap();
        county::write_return(&mut store, &self.village.code, &out, &mut |_| {}).unwrap();
        store.close().unwrap();
        out
    }

    /// Laptop → county.
    pub fn send(&self, device: &Path) -> Vec<ImportReport> {
        let bundle = self.export(device);
        self.import(&self.county, &[bundle]).unwrap()
    }

    /// County → laptop.
    pub fn receive(&self, device: &Path) -> Vec<ImportReport> {
        let bundle = self.return_bundle();
        self.import(device, &[bundle]).unwrap()
    }
}
