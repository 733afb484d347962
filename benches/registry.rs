//! Benchmarks at village and county scale (figures are quoted in the README).
//!
//! - `demo/generate_village_312`: generating one village of 312 households (pure).
//! - `demo/generate_and_store_village_312`: the same, written to a database file.
//! - `list/village_of_county`: loading one village's households from a county database of
//!   802 villages × 312 households and building the list lines (what the window does on a change).
//! - `list/whole_county`: loading all ~250,000 households of the county with members and incomes.
//! - `snapshot/village_of_county`: everything the window rebuilds after a change in one village
//!   of that county (`VillageView::load`): households, data checks, list lines, the village
//!   assessment, the workflow records (helpers, plans, funds, visits…) and the six precisions.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use dripline::demo::{self, DemoSpec};
use dripline::rules::{quality, summary};
use dripline::store::Store;
use dripline::workspace::VillageView;

const HOUSEHOLDS_PER_VILLAGE: u32 = 312;
const COUNTY_VILLAGES: u32 = 802;

fn demo_generation(c: &mut Criterion) {
    let spec = DemoSpec {
        villages: 1,
        households_per_village: HOUSEHOLDS_PER_VILLAGE,
        seed: 7,
    };
    let mut group = c.benchmark_group("demo");
    group.bench_function("generate_village_312", |b| {
        b.iter(|| demo::generate_village(&spec, 0))
    });
    group.bench_function("generate_and_store_village_312", |b| {
        let dir = tempfile::tempdir().unwrap();
        let mut n = 0;
        b.iter(|| {
            n += 1;
            let mut store =
                Store::open_or_create(&dir.path().join(format!("v{n}.sqlite"))).unwrap();
            let village = demo::generate_village(&spec, 0);
            store
                .insert_generated(&village.village, &village.households)
                .unwrap();
        })
    });
    group.finish();
}

/// With `DRIPLINE_PASSPHRASE` set, the county database is encrypted (SQLCipher) and the
/// `snapshot` benchmark is named `village_of_county_encrypted`.
fn passphrase() -> Option<String> {
    std::env::var("DRIPLINE_PASSPHRASE")
        .ok()
        .filter(|p| !p.is_empty())
}

fn county_list(c: &mut Criterion) {
    let passphrase = passphrase();
    dripline::store::cipher::set_process_passphrase(passphrase.clone());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("county.sqlite");
    let spec = DemoSpec {
        villages: COUNTY_VILLAGES,
        households_per_village: HOUSEHOLDS_PER_VILLAGE,
        seed: 2015,
    };
    {
        let mut store = Store::open_or_create_with(&path, passphrase.as_deref()).unwrap();
        store.start_bulk_load().unwrap();
        for village in demo::villages(&spec) {
            store
                .insert_generated_with_workflow(
                    &village.village,
                    &village.households,
                    &village.workflow,
                )
                .unwrap();
        }
        store.close().unwrap();
    }
    let store = Store::open(&path).unwrap();
    let villages = store.villages().unwrap();
    let lines = store.poverty_lines().unwrap();
    let thresholds = store.thresholds().unwrap();
    let today = demo::demo_today();
    let middle = villages[villages.len() / 2].id;

    let mut group = c.benchmark_group("list");
    group.bench_function("village_of_county", |b| {
        b.iter(|| {
            let records = store.household_records(Some(middle)).unwrap();
            let findings = quality::check_village(&records, today, &thresholds);
            summary::summarize(&records, &lines, &thresholds, &findings, &[])
        })
    });
    group.finish();

    let mut group = c.benchmark_group("snapshot");
    let name = match passphrase {
        Some(_) => "village_of_county_encrypted",
        None => "village_of_county",
    };
    group.bench_function(name, |b| {
        b.iter(|| {
            let view = VillageView::load(&store, middle, today).unwrap();
            (view.summaries.len(), view.precisions.measures.registered)
        })
    });
    group.finish();

    let mut group = c.benchmark_group("list");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function("whole_county", |b| {
        b.iter(|| store.household_records(None).unwrap().len())
    });
    group.finish();
}

criterion_group!(benches, demo_generation, county_list);
criterion_main!(benches);
