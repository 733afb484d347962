//! A county database that receives bundles: demo villages written into it, plus one laptop of a
//! village of its own registered with the county, whose bundles the tests import.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use dripline::demo::DemoVillage;
use dripline::model::Village;
use dripline::store::Store;
use dripline::sync::crypto::DeviceIdentity;
use dripline::sync::{county, export, import};

/// The county's code for its key.
pub const COUNTY_CODE: &str = "510824";

pub struct ReceivingCounty {
    pub county: PathBuf,
    pub laptop: PathBuf,
    /// The laptop's village (3 households after the first bundle).
    pub village: Village,
    dir: PathBuf,
    bundles: Cell<usize>,
}

impl ReceivingCounty {
    /// The county at `dir/county.sqlite` holding `villages`, and a laptop at `dir/laptop.sqlite`
    /// whose first bundle (its village and 3 households) has been imported.
    pub fn new(dir: &Path, villages: &[DemoVillage]) -> ReceivingCounty {
        let county_db = dir.join("county.sqlite");
        let laptop = dir.join("laptop.sqlite");
        let line = {
            let mut store = Store::open_or_create(&county_db).unwrap();
            let line = county::init_county(&mut store, COUNTY_CODE)
                .unwrap()
                .to_line();
            for v in villages {
                super::insert_demo(&mut store, v);
            }
            store.close().unwrap();
            line
        };
        let village = Village {
            code: "510824999001".into(),
            name: "回传村".into(),
            ..super::village()
        };
        let device_line = {
            let mut store = Store::open_or_create(&laptop).unwrap();
            store.save_village(&village).unwrap();
            for n in 1..=3 {
                store
                    .save_household(&super::household(village.id, &format!("00{n}")))
                    .unwrap();
            }
            county::set_county_key(&mut store, &line).unwrap();
            let device_line = DeviceIdentity::load_or_create(&mut store)
                .unwrap()
                .public()
                .to_line();
            store.close().unwrap();
            device_line
        };
        let mut store = Store::open(&county_db).unwrap();
        county::register_device(&mut store, &village.code, &device_line).unwrap();
        store.close().unwrap();
        let receiving = ReceivingCounty {
            county: county_db,
            laptop,
            village,
            dir: dir.to_path_buf(),
            bundles: Cell::new(0),
        };
        receiving.send();
        receiving
    }

    /// Adds households numbered `numbers` on the laptop.
    pub fn add_households(&self, numbers: &[&str]) {
        let mut store = Store::open(&self.laptop).unwrap();
        for number in numbers {
            store
                .save_household(&super::household(self.village.id, number))
                .unwrap();
        }
        store.close().unwrap();
    }

    /// Exports the laptop's pending changes as a bundle (its path).
    pub fn bundle(&self) -> PathBuf {
        self.bundles.set(self.bundles.get() + 1);
        let out = self
            .dir
            .join(format!("laptop-{}.dripline", self.bundles.get()));
        let mut store = Store::open(&self.laptop).unwrap();
        export::export_village(&mut store, &out, false, &mut |_| {}).unwrap();
        store.close().unwrap();
        out
    }

    /// Laptop → county: a bundle of the pending changes, imported.
    pub fn send(&self) {
        let bundle = self.bundle();
        let mut store = Store::open(&self.county).unwrap();
        import::import_files(&mut store, &[bundle], &mut |_| {}).unwrap();
        store.close().unwrap();
    }
}
