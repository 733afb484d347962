//! Sync benchmarks (figures are quoted in the README).
//!
//! - `sync/export_village_312_full`: a full, encrypted, signed bundle of one demo village of 312
//!   households with its six-precisions workflow.
//! - `sync/import_village_312_into_county`: verifying, decrypting and merging that bundle into a
//!   county database (a fresh copy each time, prepared outside the measurement).
//! - `sync/county_import_villages`: one county import of `SYNC_BENCH_VILLAGES` (default 20) such
//!   bundles from different devices in one run, as the county does with a batch of USB sticks.
//!   The demo county has 802 villages; `SYNC_BENCH_VILLAGES=10,100,802 SYNC_BENCH_ONCE=1` times
//!   one run of each count instead of criterion's ten samples (per-village cost as the county
//!   grows), and compares the largest county file with the same rows loaded by the `sqlite3`
//!   shell's `.import` into the same tables without sync bookkeeping (`reference.rs`).
//!
//! The village round also prints the size of a village bundle against the CSV of its rows.

#[path = "common/reference.rs"]
mod reference;

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
    let village_db = dir.path().join("village-0.sqlite");
    let csv = reference::write_csv(&village_db, &dir.path().join("village-csv"));
    let bundle_bytes = std::fs::metadata(&bundle).unwrap().len();
    println!(
        "village bundle: {bundle_bytes} bytes; the CSV of its rows: {csv} bytes ({:.2}×)",
        bundle_bytes as f64 / csv as f64
    );

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

/// What this process has written to storage so far (Linux; 0 elsewhere): the write volume of a
/// county import, which its time follows on a slow disk.
fn bytes_written() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|io| {
            io.lines()
                .find_map(|l| l.strip_prefix("write_bytes: ")?.trim().parse().ok())
        })
        .unwrap_or(0)
}

fn county_import(c: &mut Criterion) {
    let counts: Vec<u32> = std::env::var("SYNC_BENCH_VILLAGES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|v: &Vec<u32>| !v.is_empty())
        .unwrap_or_else(|| vec![20]);
    let villages = *counts.iter().max().expect("one count at least");
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let (county, key) = county_db(dir.path());
    let started = Instant::now();
    let bundles: Vec<PathBuf> = (0..villages)
        .map(|i| {
            let bundle = village_bundle(dir.path(), &county, &key, i);
            // Only the bundle is needed: the village database would only take disk.
            let _ = std::fs::remove_file(dir.path().join(format!("village-{i}.sqlite")));
            bundle
        })
        .collect();
    let bundle_bytes: u64 = bundles.iter().map(|b| reference::file_size(b)).sum();
    println!(
        "prepared {villages} village databases and bundles ({} MB) in {:.1} s",
        bundle_bytes / 1_000_000,
        started.elapsed().as_secs_f64()
    );
    if std::env::var_os("SYNC_BENCH_ONCE").is_some() {
        // A county-sized batch takes a while: one timed run of each count instead of samples.
        for &n in &counts {
            let copy = dir.path().join(format!("county-once-{n}.sqlite"));
            std::fs::copy(&county, &copy).unwrap();
            let written_before = bytes_written();
            let start = Instant::now();
            let mut store = Store::open(&copy).unwrap();
            import::import_files(&mut store, &bundles[..n as usize], &mut |_| {}).unwrap();
            store.close().unwrap();
            let elapsed = start.elapsed().as_secs_f64();
            println!(
                "sync/county_import_{n}_villages (one run): {elapsed:.1} s, {:.0} ms per village, county file {} MB, {} MB written",
                elapsed * 1000.0 / f64::from(n),
                reference::file_size(&copy) / 1_000_000,
                bytes_written().saturating_sub(written_before) / 1_000_000
            );
            if n == villages {
                let csv_dir = dir.path().join("county-csv");
                let csv = reference::write_csv(&copy, &csv_dir);
                let plain = dir.path().join("county-import.sqlite");
                if let Some(took) = reference::sqlite3_import(&csv_dir, &plain) {
                    let (ours, theirs) =
                        (reference::file_size(&copy), reference::file_size(&plain));
                    println!(
                        "county of {n} villages: {} MB; the same rows ({} MB of CSV) by sqlite3 .import into the same tables without sync bookkeeping: {} MB in {:.1} s ({:.2}×)",
                        ours / 1_000_000,
                        csv / 1_000_000,
                        theirs / 1_000_000,
                        took.as_secs_f64(),
                        ours as f64 / theirs as f64
                    );
                }
                let _ = std::fs::remove_dir_all(&csv_dir);
                let _ = std::fs::remove_file(&plain);
            }
            let _ = std::fs::remove_file(&copy);
        }
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
