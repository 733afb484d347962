//! The county demo against the `sqlite3` shell (figures in the README):
//!
//! - `county/demo`: `dripline demo` of a whole county (`COUNTY_BENCH_VILLAGES`, default 802
//!   villages × 312 households, with the six-precisions workflow), the release binary as a user
//!   runs it;
//! - against it, the same rows as CSV loaded by `sqlite3`'s `.import` into the same tables and
//!   indexes as they are without sync bookkeeping (`reference.rs`), timed the same way.
//!
//! A county takes tens of seconds, so this is not criterion's ten samples: `COUNTY_BENCH_RUNS`
//! (default 3) runs of each, alternating, and the medians. The files live in the target
//! directory and are removed at the end.

#[path = "common/reference.rs"]
mod reference;

use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn county_demo(_c: &mut Criterion) {
    let villages: u32 = std::env::var("COUNTY_BENCH_VILLAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(802);
    let runs: usize = std::env::var("COUNTY_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let county = dir.path().join("county.sqlite");
    let plain = dir.path().join("county-import.sqlite");
    let csv_dir = dir.path().join("csv");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let start = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_dripline"))
            .args(["demo", "--force", "--villages", &villages.to_string()])
            .args(["--households-per-village", "312", "--seed", "2015", "--out"])
            .arg(&county)
            .status()
            .unwrap();
        ours.push(start.elapsed());
        assert!(status.success());
        if run == 0 {
            let csv = reference::write_csv(&county, &csv_dir);
            println!("{villages} villages: {} MB of CSV", csv / 1_000_000);
        }
        match reference::sqlite3_import(&csv_dir, &plain) {
            Some(took) => theirs.push(took),
            None => println!("sqlite3 not installed: no reference"),
        }
    }
    let households = f64::from(villages) * 312.0;
    let (a, b) = (reference::file_size(&county), reference::file_size(&plain));
    println!(
        "county/demo_{villages}: median {:.1} s of {runs} ({:.0} B a household, {} MB)",
        median(ours.clone()).as_secs_f64(),
        a as f64 / households,
        a / 1_000_000
    );
    if !theirs.is_empty() {
        println!(
            "sqlite3 .import of the same rows into the same tables: median {:.1} s ({:.0} B a household, {} MB); time {:.2}×, size {:.2}×",
            median(theirs.clone()).as_secs_f64(),
            b as f64 / households,
            b / 1_000_000,
            median(ours).as_secs_f64() / median(theirs).as_secs_f64(),
            a as f64 / b as f64
        );
    }
}

criterion_group!(benches, county_demo);
criterion_main!(benches);
