//! The county office at Cangxi scale (figures in the README, issue 14):
//!
//! - `county_screen/table_first_shown`: what the window does when the county screen opens —
//!   open the database, read every village's kept headline figures and build the tree;
//! - `county_screen/open_village`: a village of the county opened (its `VillageView`);
//! - once, outside criterion: the first overview of a fresh county (every village computed and
//!   kept), and the peak memory (maximum resident set, `/usr/bin/time -f %M`) and time of
//!   `dripline precisions|assess|check --json` over the whole county, the release binary as a
//!   user runs it.
//!
//! The county is `dripline demo --villages 802 --households-per-village 312` (250,224 households;
//! `COUNTY_BENCH_VILLAGES` for fewer), written once into the target directory and removed at the
//! end.

use std::process::{Command, Stdio};
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use dripline::store::Store;
use dripline::workspace::VillageView;
use dripline::workspace::county::{CountyTree, overview};

fn county_screen(c: &mut Criterion) {
    let villages: u32 = std::env::var("COUNTY_BENCH_VILLAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(802);
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let db = dir.path().join("county.sqlite");
    let bin = env!("CARGO_BIN_EXE_dripline");
    let status = Command::new(bin)
        .args(["demo", "--force", "--villages", &villages.to_string()])
        .args(["--households-per-village", "312", "--seed", "2015", "--out"])
        .arg(&db)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let today = dripline::workspace::clock_today();

    let start = Instant::now();
    let mut store = Store::open(&db).unwrap();
    let first = overview(&mut store, today, &mut |_| {}).unwrap();
    println!(
        "county_screen/first_overview_{villages}: {:.1} s, {} villages computed and kept",
        start.elapsed().as_secs_f64(),
        first.computed.len()
    );
    store.close().unwrap();

    let mut group = c.benchmark_group("county_screen");
    group.sample_size(10);
    group.bench_function("table_first_shown", |b| {
        b.iter(|| {
            let mut store = Store::open(&db).unwrap();
            let o = overview(&mut store, today, &mut |_| {}).unwrap();
            assert!(o.computed.is_empty());
            CountyTree::build(o.rows)
        })
    });
    let store = Store::open(&db).unwrap();
    let ids: Vec<_> = store.villages().unwrap().iter().map(|v| v.id).collect();
    let mut next = 0;
    group.bench_function("open_village", |b| {
        b.iter(|| {
            // A different village each time, spread over the county.
            next = (next + 97) % ids.len();
            VillageView::load(&store, ids[next], today).unwrap()
        })
    });
    group.finish();
    drop(store);

    for command in ["precisions", "assess", "check"] {
        let start = Instant::now();
        let output = Command::new("/usr/bin/time")
            .args(["-f", "%M", bin, command, "--json", "--db"])
            .arg(&db)
            .stdout(Stdio::null())
            .output()
            .expect("/usr/bin/time (apt-get install time)");
        assert!(output.status.success(), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let kib: u64 = stderr
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap();
        println!(
            "county_screen/{command}_json_{villages}: peak RSS {} MB, {:.1} s",
            kib / 1024,
            start.elapsed().as_secs_f64()
        );
    }
}

criterion_group!(benches, county_screen);
criterion_main!(benches);
