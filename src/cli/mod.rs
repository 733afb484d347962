//! The headless command line: everything that does not need eyes, for county IT staff and tests.
//! Each subcommand is a thin file: parse → call the library → print text or JSON. Errors are
//! printed once, in the chosen language, with a non-zero exit; a failed command changes no file.

mod assess;
mod backup;
mod bundle;
mod check;
mod clashes;
mod county;
mod demo;
mod export;
mod init;
mod keys;
mod monitoring;
pub mod passphrase;
mod precisions;
mod print;
mod serve;
mod stress;
mod survey;
mod sync;
mod visits;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::i18n::{Lang, Localize};
use crate::store::StoreError;

#[derive(Debug, Parser)]
#[command(
    name = "dripline",
    version,
    about = "Dripline 精准扶贫 · 村级工作台 — offline household registry for village poverty-alleviation teams",
    long_about = "Dripline 精准扶贫 · 村级工作台\n\nWith no subcommand, opens the window on the village database in the data directory \
(or on a generated demo village when there is none yet). With a subcommand, works headless.\n\n\
Exit codes: 0 success, 1 the command failed (the message says why; no file was changed), 2 bad arguments."
)]
pub struct Cli {
    /// Open this database file in the window instead of the one in the data directory.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Language of messages and labels: zh (default) or en. Defaults to the language last chosen in
    /// the window, else LANG.
    #[arg(long, global = true, value_name = "zh|en")]
    pub lang: Option<String>,

    /// Who is working (a member of the village team), recorded as the actor of every change in
    /// the audit log. Defaults to the environment variable DRIPLINE_ACTOR, else "未指定/unknown".
    #[arg(long, global = true, value_name = "NAME")]
    pub actor: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a deterministic demo database (a village, or a county with --villages 802).
    Demo(demo::DemoArgs),
    /// Make an empty village database that receives its village from the county (a new laptop,
    /// or one whose passphrase was forgotten): prints the device key line for the county to
    /// register. `init --out FILE [--county-key LINE]`.
    Init(init::InitArgs),
    /// List data-quality findings: kind, household, member, message.
    Check(check::CheckArgs),
    /// Print each household's status, per-capita net income, line and exit checklist (一超六有).
    Assess(assess::AssessArgs),
    /// Baseline-survey spreadsheet: `template --out FILE.xlsx`, `import --db FILE IN [--commit]`.
    Survey(survey::SurveyArgs),
    /// Export the registry (households, members, incomes) and the work records (plans, visits,
    /// funds, six-precisions lists) to XLSX or to a directory of CSV files.
    Export(export::ExportArgs),
    /// The six precisions (六个精准) of each village: every panel's figures and the households
    /// behind them, as the window shows them. `--village CODE` for one village, `--json` for scripts.
    Precisions(precisions::PrecisionsArgs),
    /// Print a household's card (扶贫明白卡) or visit sheet as PDF:
    /// `card|visit-sheet --db FILE --household NO --out FILE.pdf [--full-ids] [--force]`; the
    /// village's public notice of monitoring cases (公示名单): `notice --db FILE [--village CODE]
    /// --out FILE.pdf|FILE.xlsx`.
    Print(print::PrintArgs),
    /// Follow-up visits: `--due [--days N]` lists the households not visited within N days
    /// (default: the county's visit interval, 30), with their last visit or "never".
    Visits(visits::VisitsArgs),
    /// Monitoring cases (防止返贫监测对象): `--db FILE [--village CODE] [--overdue] [--json]`
    /// lists each case's kind, the step it waits for and its deadline; `--overdue` only those
    /// past it.
    Monitoring(monitoring::MonitoringArgs),
    /// Sync bundles: `export --db FILE --out BUNDLE [--full]`, `import --db FILE BUNDLE...`,
    /// `inspect BUNDLE` (manifest and checks, no import).
    Bundle(bundle::BundleArgs),
    /// Natural-key clashes two laptops left (one household number, one year's income…):
    /// `clashes --db FILE [--village CODE] [--json]` lists them; `clashes resolve --db FILE
    /// --household NO|ID --renumber N` or `--keep ID` resolves one (audited, undoable, synced).
    Clashes(clashes::ClashesArgs),
    /// Device and county keys: `show`, `set-county KEY`, and on a county database
    /// `register-device --village CODE KEY`, `revoke DEVICE`, `devices`. `--db FILE` (default: the
    /// window's database in the data directory).
    Keys(keys::KeysArgs),
    /// County mode: `init --out FILE --county-code CODE`, `return --db FILE --village CODE --out BUNDLE`, `summary --db FILE`, `received --db FILE [--silent-days N]`.
    County(county::CountyArgs),
    /// The county's sync server over HTTPS: `serve --db COUNTY --listen ADDR:PORT [--url URL]
    /// [--tls-cert F --tls-key F]`. Laptops upload their bundles and get their return bundles
    /// back (`dripline sync`); each request is logged on stderr.
    Serve(serve::ServeArgs),
    /// Sync a village laptop with the county over the network: `sync --db FILE [--server URL]`
    /// uploads the pending bundle and merges the return bundle (the file route still works).
    Sync(sync::SyncArgs),
    /// Back the database up into a folder (a USB stick): a verified copy named with the village
    /// and the date, made safely while the window is open.
    Backup(backup::BackupArgs),
    /// Put a backup in place of the database (the current one is kept aside, renamed with the
    /// time); a backup of another village is refused. Close the window first.
    Restore(backup::RestoreArgs),
    /// Encryption at rest: `change --db FILE` (old passphrase from DRIPLINE_PASSPHRASE, new one
    /// from DRIPLINE_NEW_PASSPHRASE, else prompts), `encrypt --db FILE` (an unencrypted database,
    /// in place). Passphrases are never arguments.
    Passphrase(passphrase::PassphraseArgs),
    /// (testing) Write records in a loop, printing each committed id; used by the crash test.
    #[command(hide = true)]
    StressWrite(stress::StressArgs),
}

/// An error of a command, shown to the user in their language.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("file exists: {0}")]
    OutputExists(PathBuf),
    #[error("output is a database: {0}")]
    OutputIsDatabase(PathBuf),
    #[error("invalid argument: {0}")]
    Argument(String),
    /// Bundles of an import run refused (the others merged): the refusals in words.
    #[error("{0}")]
    Refused(String),
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),
    #[error(transparent)]
    Net(#[from] crate::net::NetError),
}

impl Localize for CliError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            CliError::Store(e) => e.localize(lang),
            CliError::OutputExists(path) => match lang {
                Lang::Zh => format!(
                    "{} 已存在；为避免覆盖数据，未做任何改动。请换一个文件名，或加 --force 覆盖。",
                    path.display()
                ),
                Lang::En => format!(
                    "{} already exists; nothing was changed. Choose another name, or add --force to overwrite.",
                    path.display()
                ),
            },
            CliError::OutputIsDatabase(path) => match lang {
                Lang::Zh => format!(
                    "{} 是数据库文件（或其 -wal/-shm 文件），即使加 --force 也不会覆盖；未做任何改动。请换一个输出文件名。",
                    path.display()
                ),
                Lang::En => format!(
                    "{} is a database (or its -wal/-shm file) and is never overwritten, even with --force; nothing was changed. Choose another output name.",
                    path.display()
                ),
            },
            CliError::Argument(text) | CliError::Refused(text) => text.clone(),
            CliError::Sync(e) => e.localize(lang),
            CliError::Net(e) => e.localize(lang),
            CliError::Io(e) => match lang {
                Lang::Zh => format!("读写文件出错：{e}"),
                Lang::En => format!("File error: {e}"),
            },
        }
    }
}

/// Refuses an output path that is a database (the open one `db` included, or its side files),
/// whatever `force` says, then one that exists unless `force`.
fn check_output(out: &Path, db: Option<&Path>, force: bool) -> Result<(), CliError> {
    if crate::files::is_database_or_side(out)
        || db.is_some_and(|db| crate::files::is_same_database(out, db))
    {
        return Err(CliError::OutputIsDatabase(out.to_path_buf()));
    }
    if out.exists() && !force {
        return Err(CliError::OutputExists(out.to_path_buf()));
    }
    Ok(())
}

/// Writes a command's output to stdout. A closed pipe (`dripline check … | head`) is not an
/// error: the reader has what it wanted.
fn emit(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Io(e)),
        _ => Ok(()),
    }
}

/// Output written as it is made, so that a county's villages are never all held at once: text
/// goes to stdout piece by piece, a JSON array element by element (printed exactly as
/// `serde_json::to_string_pretty` prints the whole array). A closed pipe ends the output quietly,
/// as in [`emit`].
pub(crate) struct Streamed {
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    closed: bool,
    items: usize,
}

impl Streamed {
    pub(crate) fn new() -> Streamed {
        Streamed {
            out: std::io::BufWriter::new(std::io::stdout().lock()),
            closed: false,
            items: 0,
        }
    }

    pub(crate) fn text(&mut self, text: &str) -> Result<(), CliError> {
        use std::io::Write;
        if self.closed {
            return Ok(());
        }
        match self.out.write_all(text.as_bytes()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other.map_err(CliError::Io),
        }
    }

    /// The next element of the JSON array being written.
    pub(crate) fn json_item(&mut self, item: &serde_json::Value) -> Result<(), CliError> {
        let pretty = serde_json::to_string_pretty(item).expect("json");
        let mut piece = String::from(if self.items == 0 { "[\n" } else { ",\n" });
        for (n, line) in pretty.lines().enumerate() {
            if n > 0 {
                piece.push('\n');
            }
            piece.push_str("  ");
            piece.push_str(line);
        }
        self.items += 1;
        self.text(&piece)
    }

    /// Closes the JSON array (`[]` when it had no element) and flushes.
    pub(crate) fn json_end(mut self) -> Result<(), CliError> {
        let end = if self.items == 0 { "[]\n" } else { "\n]\n" };
        self.text(end)?;
        self.finish()
    }

    pub(crate) fn finish(mut self) -> Result<(), CliError> {
        use std::io::Write;
        match self.out.flush() {
            Err(e) if !self.closed && e.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(CliError::Io(e))
            }
            _ => Ok(()),
        }
    }
}

/// Runs one subcommand in `lang` (see [`crate::workspace::prefs::choose_lang`]); returns the
/// process exit code. With no subcommand the binary opens the window instead (`main.rs`).
pub fn run(command: Command, lang: Lang) -> ExitCode {
    // The one clock read of a run; every village is evaluated at its date from this one.
    let today = crate::workspace::clock_today();
    let result = match command {
        Command::Demo(args) => demo::run(args, lang),
        Command::Init(args) => init::run(args, lang),
        Command::Check(args) => check::run(args, lang, today),
        Command::Assess(args) => assess::run(args, lang, today),
        Command::Survey(args) => survey::run(args, lang, today),
        Command::Export(args) => export::run(args, lang, today),
        Command::Precisions(args) => precisions::run(args, lang, today),
        Command::Visits(args) => visits::run(args, lang, today),
        Command::Monitoring(args) => monitoring::run(args, lang, today),
        Command::Print(args) => print::run(args, lang, today),
        Command::Bundle(args) => bundle::run(args, lang, today),
        Command::Clashes(args) => clashes::run(args, lang),
        Command::Keys(args) => keys::run(args, lang),
        Command::County(args) => county::run(args, lang, today),
        Command::Serve(args) => serve::run(args, lang),
        Command::Sync(args) => sync::run(args, lang),
        Command::Backup(args) => backup::run_backup(args, lang, today),
        Command::Restore(args) => backup::run_restore(args, lang),
        Command::Passphrase(args) => passphrase::run(args, lang),
        Command::StressWrite(args) => stress::run(args),
    };
    // A database that changed identity on this computer (a copy become a new device, a file
    // restored from an older backup) is said once, whatever the command did.
    for notice in crate::workspace::device::take_process_notices() {
        eprintln!("{}: {}", lang.pick("注意", "Note"), notice.localize(lang));
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {}", lang.pick("错误", "Error"), e.localize(lang));
            ExitCode::FAILURE
        }
    }
}
