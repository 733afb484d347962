//! `dripline`: with no subcommand, opens the window; with one, runs it headless (see `--help`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use dripline::i18n::Lang;
use dripline::workspace::{paths, prefs};

fn main() -> ExitCode {
    let cli = dripline::cli::Cli::parse();
    let lang = prefs::choose_lang(cli.lang.as_deref());
    // DRIPLINE_PASSPHRASE (never an argument) opens and creates encrypted databases.
    dripline::cli::passphrase::init_from_environment(cli.command.is_some());
    // Every database opened is bound to this computer's installation (kept in the data
    // directory): a file copied from another laptop becomes a new device here.
    if let Some(dir) = paths::data_dir() {
        dripline::store::installation::set_process_installation(&dir);
    }
    // The command line names its actor once for every database it opens; the window asks.
    if cli.command.is_some() {
        let actor = cli
            .actor
            .clone()
            .or_else(|| std::env::var("DRIPLINE_ACTOR").ok())
            .filter(|name| !name.trim().is_empty());
        if let Some(actor) = actor {
            dripline::store::set_process_actor(actor.trim());
        }
    }
    match cli.command {
        Some(command) => dripline::cli::run(command, lang),
        None => window(cli.db, lang, cli.lang.as_deref().and_then(Lang::from_tag)),
    }
}

/// Opens the window on `db`, or on the database of the data directory.
fn window(db: Option<PathBuf>, lang: Lang, asked: Option<Lang>) -> ExitCode {
    let Some(dir) = paths::data_dir() else {
        eprintln!(
            "{}",
            lang.pick(
                "找不到用户数据目录，请用 --db 指定数据库文件。",
                "No user data directory found; pass --db FILE."
            )
        );
        return ExitCode::FAILURE;
    };
    match dripline::ui::run(dir, db, asked) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "{}: {e}",
                lang.pick("无法打开窗口", "Cannot open the window")
            );
            ExitCode::FAILURE
        }
    }
}
