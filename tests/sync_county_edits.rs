//! probe
mod common;

use std::path::{Path, PathBuf};

use common::*;
use dripline::store::Store;
use dripline::sync::crypto::DeviceIdentity;
use dripline::sync::{county, export, import};

fn line_of(db: &Path) -> String {
    let mut s = Store::open(db).unwrap();
    let l = DeviceIdentity::load_or_create(&mut s).unwrap().public().to_line();
    s.close().unwrap();
    l
}

#[test]
fn probe() {
    let dir = tempfile::tempdir().unwrap();
    let cdb = dir.path().join("county.sqlite");
    let a = dir.path().join("a.sqlite");
    let cline = {
        let mut s = Store::open_or_create(&cdb).unwrap();
        let l = county::init_county(&mut s, "510824").unwrap().to_line();
        s.close().unwrap();
        l
    };
    let v = village();
    let h = household(v.id, "001");
    {
        let mut s = Store::open_or_create(&a).unwrap();
        s.save_village(&v).unwrap();
        s.save_household(&h).unwrap();
        county::set_county_key(&mut s, &cline).unwrap();
        s.close().unwrap();
    }
    let l = line_of(&a);
    {
        let mut s = Store::open(&cdb).unwrap();
        county::register_device(&mut s, &v.code, &l).unwrap();
        s.close().unwrap();
    }
    let b1: PathBuf = dir.path().join("b1.dripline");
    {
        let mut s = Store::open(&a).unwrap();
        export::export_village(&mut s, &b1, false, &mut |_| {}).unwrap();
    }
    {
        let mut s = Store::open(&cdb).unwrap();
        import::import_files(&mut s, &[b1], &mut |_| {}).unwrap();
        s.set_actor("县办王五");
        let mut h2 = h.clone();
        h2.address = "县里改的".into();
        s.save_household(&h2).unwrap();
        s.close().unwrap();
    }
    let r = dir.path().join("r.dripline");
    {
        let mut s = Store::open(&cdb).unwrap();
        county::write_return(&mut s, &v.code, &r, &mut |_| {}).unwrap();
    }
    let mut s = Store::open(&a).unwrap();
    let res = import::import_files(&mut s, &[r], &mut |_| {});
    println!("{res:?}");
    let addr = s.household_record(h.id).unwrap().household.address;
    println!("ADDR {addr}");
}
