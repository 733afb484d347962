//! `dripline`: with no subcommand, opens the window; with one, runs it headless (see `--help`).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = dripline::cli::Cli::parse();
    dripline::cli::run(cli)
}
