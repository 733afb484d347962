//! Running the built `dripline` binary as a user would, in Chinese unless `--lang` says otherwise,
//! with a data directory of its own so that the user's real preferences stay out of the test.

use std::process::{Command, Output};

/// The data directory the binary runs with in these tests (one per test file): its
/// preferences and this "computer's" installation id.
pub fn data_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("dripline-{}-test-data", env!("CARGO_CRATE_NAME")))
}

/// The binary with the test environment set, ready for arguments.
pub fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dripline"));
    command
        .env("LANG", "zh_CN.UTF-8")
        .env("HOME", std::env::temp_dir())
        .env("XDG_DATA_HOME", data_dir())
        .env("DRIPLINE_DATA_DIR", data_dir().join("dripline"));
    command
}

/// Binds a database a test made in-process to the installation the binary runs with, as the
/// binary itself does when it creates a database: the first open on a computer records the
/// computer in the file, and a test that checks a refused command left the file byte-identical
/// must not count that first binding as the command's doing.
#[allow(dead_code)]
pub fn bind(db: &std::path::Path) {
    let installation =
        dripline::store::installation::Installation::in_dir(&data_dir().join("dripline")).unwrap();
    let mut store = dripline::store::Store::open(db).unwrap();
    store.bind_installation(&installation).unwrap();
    store.close().unwrap();
}

/// Runs `dripline args…` and returns what it did.
pub fn dripline(args: &[&str]) -> Output {
    command().args(args).output().expect("run dripline")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs a command that must succeed; its standard output.
pub fn ok(args: &[&str]) -> String {
    let out = dripline(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Runs a command that must succeed and print JSON.
pub fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(args)).expect("valid JSON")
}

/// A county database in `dir` that knows a demo village of `households` households, and a full
/// encrypted bundle of that village, not imported yet: `(county.sqlite, village.dripline)`.
pub fn county_and_bundle(
    dir: &std::path::Path,
    households: usize,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let (county, bundle) = (p("county.sqlite"), p("village.dripline"));
    let village_dir = tempfile::tempdir().unwrap();
    let village = village_dir.path().join("village.sqlite");
    let village = village.to_str().unwrap();
    let households = households.to_string();
    ok(&[
        "demo",
        "--out",
        village,
        "--villages",
        "1",
        "--households-per-village",
        &households,
    ]);
    let init = ok(&[
        "county",
        "init",
        "--out",
        &county,
        "--county-code",
        "510824",
    ]);
    let key = init
        .split_whitespace()
        .find(|w| w.starts_with("dripline-county:"))
        .expect("county init prints the county key");
    ok(&["keys", "set-county", "--db", village, key]);
    let device: serde_json::Value =
        serde_json::from_str(&ok(&["keys", "show", "--db", village, "--json"])).unwrap();
    ok(&[
        "bundle", "export", "--db", village, "--out", &bundle, "--full",
    ]);
    let header: serde_json::Value =
        serde_json::from_str(&ok(&["bundle", "inspect", &bundle, "--json"])).unwrap();
    ok(&[
        "keys",
        "register-device",
        "--db",
        &county,
        "--village",
        header["header"]["village_code"].as_str().unwrap(),
        device["device"].as_str().unwrap(),
    ]);
    (county.into(), bundle.into())
}
