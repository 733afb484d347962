//! Crash safety: a writer process is killed at random moments; after each kill the database must
//! pass `integrity_check` and hold every record the writer reported as committed.
//!
//! `DRIPLINE_CRASH_ROUNDS` sets the number of kills (default 200, as CI runs it).

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use dripline::store::Store;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

#[test]
fn killed_writer_never_loses_a_reported_commit() {
    let rounds: usize = std::env::var("DRIPLINE_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.sqlite");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0xD21F);
    let mut committed: HashSet<(Uuid, Uuid)> = HashSet::new();

    for round in 0..rounds {
        let mut child = common::cli::command()
            .args(["stress-write", "--db"])
            .arg(&db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the writer");
        let stdout = child.stdout.take().unwrap();
        let (lines_tx, lines_rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Kill anywhere from start-up (opening, migrating) to mid-stream writing.
        std::thread::sleep(Duration::from_millis(rng.random_range(2..60)));
        child.kill().expect("kill the writer");
        child.wait().unwrap();
        reader.join().unwrap();
        for line in lines_rx.try_iter() {
            let mut ids = line
                .split_whitespace()
                .map(|t| Uuid::parse_str(t).expect("writer prints uuids"));
            committed.insert((ids.next().unwrap(), ids.next().unwrap()));
        }

        let store = Store::open_or_create(&db)
            .unwrap_or_else(|e| panic!("round {round}: reopen failed: {e}"));
        assert!(
            store.integrity_check().unwrap().is_empty(),
            "round {round}: integrity_check failed"
        );
        let records = store.household_records(None).unwrap();
        let present: HashSet<(Uuid, Uuid)> = records
            .iter()
            .flat_map(|r| r.members.iter().map(move |m| (r.household.id, m.id)))
            .collect();
        let lost: Vec<_> = committed.difference(&present).collect();
        assert!(
            lost.is_empty(),
            "round {round}: {} reported commits lost",
            lost.len()
        );
    }
    assert!(
        !committed.is_empty(),
        "the writer never got to commit: the test proved nothing"
    );
}
