//! Sync benchmarks (figures are quoted in the README).
//!
//! - `sync/export_village_312_full`: a full, encrypted, signed bundle of one demo village of 312
//!   households with its six-precisions workflow.
//! - `sync/import_village_312_into_county`: verifying, decrypting and merging that bundle into a
//!   county database (a fresh copy each time, prepared outside the measurement).
//! - `sync/county_import_villages`: one county import of `SYNC_BENCH_VILLAGES` (default 20) such
//!   bundles from different devices in one run, as the county does with a batch of USB sticks.
//!   The demo county has 802 villages; set `SYNC_BENCH_VILLAGES=802` to measure it whole, and
//!   `SYNC_BENCH_ONCE=1` to time a single run instead of criterion's ten samples.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use dripline::demo::{self, DemoSpec};
use dripline::store::Store;
use dripline::sync::crypto::DeviceIdentity;
use dripline::sync::{county, export, import};

const HOUSEHOLDS_PER_VILLAGE: u32 = 312;

fn county_db(dir: &Path) -> (PathBuf, String) {
    let path = dir.join("county.sqlite");
    let mut store = Store::open_or_create(&path).unwrap();
    let line = county::init_county(&mut store, "510824").unwrap().to_line();
    store.close().unwrap();
    (path, line)
}

/// A village database from the demo generator, with the county key set and its device
/// registered at the county; returns its full bundle.
fn village_bundle(dir: &Path, county: &Path, county_key: &str, index: u32) -> PathBuf {
    let spec = DemoSpec {
        villages: index + 1,
        households_per_village: HOUSEHOLDS_PER_VILLAGE,
        seed: 2015,
    };
    let generated = demo::generate_village(&spec, index);
    let db = dir.join(format!("village-{index}.sqlite"));
    let mut store = Store::open_or_create(&db).unwrap();
    store
        .insert_generated_with_workflow(
            &generated.village,
            &generated.households,
            &generated.workflow,
        )
        .unwrap();
    county::set_county_key(&mut store, county_key).unwrap();
    let line = DeviceIdentity::load_or_create(&mut store)
        .unwrap()
        .public()
        .to_line();
    let out = dir.join(format!("village-{index}.dripline"));
    export::export_village(&mut store, &out, true, &mut |_| {}).unwrap();
    store.close().unwrap();
    let mut county_store = Store::open(county).unwrap();
    county::register_device(&mut county_store, &generated.village.code, &line).unwrap();
    county_store.close().unwrap();
    out
}

fn village_round(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (county, key) = county_db(dir.path());
    let bundle = village_bundle(dir.path(), &county, &key, 0);
    println!(
        "village bundle: {} bytes",
        std::fs::metadata(&bundle).unwrap().len()
    );
    let village_db = dir.path().join("village-0.sqlite");

    let mut group = c.benchmark_group("sync");
    group.sample_size(10);
    group.bench_function("export_village_312_full", |b| {
        let mut store = Store::open(&village_db).unwrap();
        let out = dir.path().join("again.dripline");
        b.iter(|| export::export_village(&mut store, &out, true, &mut |_| {}).unwrap())
    });
    group.bench_function("import_village_312_into_county", |b| {
        let mut n = 0;
        b.iter_batched(
            || {
                n += 1;
                let copy = dir.path().join(format!("county-copy-{n}.sqlite"));
                std::fs::copy(&county, &copy).unwrap();
                copy
            },
            |copy| {
                let mut store = Store::open(&copy).unwrap();
                import::import_files(&mut store, std::slice::from_ref(&bundle), &mut |_| {})
                    .unwrap();
                store.close().unwrap();
                std::fs::remove_file(&copy).unwrap();
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn county_import(c: &mut Criterion) {
    let villages: u32 = std::env::var("SYNC_BENCH_VILLAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();
    let (county, key) = county_db(dir.path());
    let started = Instant::now();
    let bundles: Vec<PathBuf> = (0..villages)
        .map(|i| village_bundle(dir.path(), &county, &key, i))
        .collect();
    println!(
        "prepared {villages} village databases and bundles in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if std::env::var_os("SYNC_BENCH_ONCE").is_some() {
        // A county-sized batch takes minutes: one timed run instead of criterion's samples.
        let copy = dir.path().join("county-once.sqlite");
        std::fs::copy(&county, &copy).unwrap();
        let start = Instant::now();
        let mut store = Store::open(&copy).unwrap();
        import::import_files(&mut store, &bundles, &mut |_| {}).unwrap();
        store.close().unwrap();
        let elapsed = start.elapsed().as_secs_f64();
        println!(
            "sync/county_import_{villages}_villages (one run): {elapsed:.1} s, {:.0} ms per village, county file {} MB",
            elapsed * 1000.0 / f64::from(villages),
            std::fs::metadata(&copy).unwrap().len() / 1_000_000
        );
        return;
    }
    let mut group = c.benchmark_group("sync");
    group
        .sample_size(10)
        .sampling_mode(criterion::SamplingMode::Flat)
        .measurement_time(Duration::from_secs(40));
    group.bench_function(format!("county_import_{villages}_villages"), |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for n in 0..iterations {
                let copy = dir.path().join(format!("county-run-{n}.sqlite"));
                std::fs::copy(&county, &copy).unwrap();
                let start = Instant::now();
                let mut store = Store::open(&copy).unwrap();
                import::import_files(&mut store, &bundles, &mut |_| {}).unwrap();
                store.close().unwrap();
                total += start.elapsed();
                std::fs::remove_file(&copy).unwrap();
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, village_round, county_import);
criterion_main!(benches);
