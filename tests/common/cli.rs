//! Running the built `dripline` binary as a user would, in Chinese unless `--lang` says otherwise,
//! with a data directory of its own so that the user's real preferences stay out of the test.

use std::process::{Command, Output};

/// The binary with the test environment set, ready for arguments.
pub fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dripline"));
    command
        .env("LANG", "zh_CN.UTF-8")
        .env("HOME", std::env::temp_dir())
        .env(
            "XDG_DATA_HOME",
            std::env::temp_dir().join(format!("dripline-{}-test-data", env!("CARGO_CRATE_NAME"))),
        );
    command
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
