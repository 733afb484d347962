//! Chart benchmarks (figures quoted in the README).
//!
//! - `village/data_312`: the figures of all seven village charts for one village of 312 households.
//! - `village/render_7`: drawing those seven charts at 600×360 pixels (what the charts screen
//!   draws when the data changes).
//! - `household/data_and_render_3`: one household's figures and its three charts at 900×450.
//! - `county/village_list_802`: reading the village list of a county database (802 villages ×
//!   312 households, with workflow records), done once per data change.
//! - `county/page_of_6`: what a page of the side-by-side view costs the first time it is shown:
//!   six villages loaded from that database, their figures computed and one chart each drawn at
//!   384×238 pixels. Later frames only paint cached textures.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use dripline::demo::{self, DemoSpec};
use dripline::i18n::Lang;
use dripline::io::charts::data::{household_chart_data, village_chart_data};
use dripline::io::charts::render::{Chart, HouseholdChart, VillageChart, render_rgb};
use dripline::model::Thresholds;
use dripline::rules::income::PovertyLines;
use dripline::store::Store;

const HOUSEHOLDS_PER_VILLAGE: u32 = 312;
const COUNTY_VILLAGES: u32 = 802;

fn village(c: &mut Criterion) {
    let spec = DemoSpec {
        villages: 1,
        households_per_village: HOUSEHOLDS_PER_VILLAGE,
        seed: 2015,
    };
    let v = demo::generate_village(&spec, 0);
    let t = Thresholds::default();
    let today = demo::demo_today();
    let mut group = c.benchmark_group("village");
    group.bench_function("data_312", |b| {
        b.iter(|| village_chart_data(&v.village, &v.households, &v.workflow, &t, today))
    });
    let data = village_chart_data(&v.village, &v.households, &v.workflow, &t, today);
    group.bench_function("render_7", |b| {
        b.iter(|| {
            VillageChart::ALL
                .iter()
                .map(|kind| render_rgb(&Chart::Village(*kind, &data), Lang::Zh, 600, 360).unwrap())
                .map(|rgb| rgb.len())
                .sum::<usize>()
        })
    });
    group.finish();

    let lines = PovertyLines::default();
    let rec = &v.households[22];
    let mut group = c.benchmark_group("household");
    group.bench_function("data_and_render_3", |b| {
        b.iter(|| {
            let h = household_chart_data(rec, &v.workflow, &lines, &t);
            HouseholdChart::ALL
                .iter()
                .map(|kind| render_rgb(&Chart::Household(*kind, &h), Lang::Zh, 900, 450).unwrap())
                .map(|rgb| rgb.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

fn county(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("county.sqlite");
    let spec = DemoSpec {
        villages: COUNTY_VILLAGES,
        households_per_village: HOUSEHOLDS_PER_VILLAGE,
        seed: 2015,
    };
    {
        let mut store = Store::open_or_create(&path).unwrap();
        store.start_bulk_load().unwrap();
        for v in demo::villages(&spec) {
            store
                .insert_generated_with_workflow(&v.village, &v.households, &v.workflow)
                .unwrap();
        }
        store.close().unwrap();
    }
    let store = Store::open(&path).unwrap();
    let thresholds = store.thresholds().unwrap();
    let villages = store.villages().unwrap();
    let page: Vec<_> = villages[400..406].to_vec();
    let today = demo::demo_today();

    let mut group = c.benchmark_group("county");
    group.bench_function("village_list_802", |b| {
        b.iter(|| store.villages().unwrap().len())
    });
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("page_of_6", |b| {
        b.iter(|| {
            page.iter()
                .map(|v| {
                    let records = store.household_records(Some(v.id)).unwrap();
                    let workflow = store.village_workflow(v.id).unwrap();
                    let data = village_chart_data(v, &records, &workflow, &thresholds, today);
                    render_rgb(
                        &Chart::Village(VillageChart::Incidence, &data),
                        Lang::Zh,
                        384,
                        238,
                    )
                    .unwrap()
                    .len()
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, village, county);
criterion_main!(benches);
