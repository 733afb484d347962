//! The passphrase of encrypted databases on the command line, and `dripline passphrase
//! change|encrypt --db FILE`.
//!
//! The passphrase is never an argument (it would show in the process list and the shell's
//! history): it comes from `DRIPLINE_PASSPHRASE`, else from a prompt when stdin is a terminal.
//! Without either, commands that create a database create an unencrypted one and say so on
//! stderr (scripts and tests rely on that); `dripline check` lists it as a finding.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::{CliError, emit};
use crate::i18n::Lang;
use crate::store::Store;
use crate::store::cipher::{self, NEW_PASSPHRASE_ENV, PASSPHRASE_ENV};

#[derive(Debug, clap::Args)]
pub struct PassphraseArgs {
    #[command(subcommand)]
    pub action: PassphraseAction,
}

#[derive(Debug, clap::Subcommand)]
pub enum PassphraseAction {
    /// Change the passphrase of an encrypted database: the old one from DRIPLINE_PASSPHRASE (or a
    /// prompt), the new one from DRIPLINE_NEW_PASSPHRASE (or a prompt, asked twice).
    Change {
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
    },
    /// Encrypt an unencrypted database in place, with the passphrase from DRIPLINE_PASSPHRASE
    /// (or a prompt, asked twice). Crash-safe: the original stays until the encrypted copy is
    /// written, synced and verified.
    Encrypt {
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
    },
}

/// Reads the process's passphrase from the environment and, on a terminal, lets the store ask
/// for one when it opens an encrypted file (`prompt`: a command, not the window). Called once by
/// `main`.
pub fn init_from_environment(prompt: bool) {
    cipher::set_process_passphrase(std::env::var(PASSPHRASE_ENV).ok());
    if prompt && std::io::stdin().is_terminal() {
        cipher::set_passphrase_prompt(prompt_existing);
    }
}

fn prompt_existing(path: &Path) -> Option<String> {
    let lang = crate::workspace::prefs::choose_lang(None);
    rpassword::prompt_password(format!(
        "{} {}: ",
        lang.pick("口令 / passphrase of", "Passphrase of"),
        path.display()
    ))
    .ok()
}

/// Asks twice for a new passphrase on the terminal (empty: `None`).
fn prompt_new(lang: Lang, what: &str) -> Result<Option<String>, CliError> {
    loop {
        let first = rpassword::prompt_password(format!(
            "{what} ({}): ",
            lang.pick(
                "至少 8 个字符，忘记后无法找回",
                "at least 8 characters, cannot be recovered if forgotten"
            )
        ))?;
        if first.is_empty() {
            return Ok(None);
        }
        if first.chars().count() < cipher::MIN_PASSPHRASE_CHARS {
            eprintln!(
                "{}",
                crate::i18n::Localize::localize(&cipher::strength(&first), lang)
            );
            continue;
        }
        let second = rpassword::prompt_password(lang.pick("再输一遍：", "Once more: "))?;
        if first == second {
            return Ok(Some(first));
        }
        eprintln!(
            "{}",
            lang.pick("两次不一样，请重输。", "They differ; again.")
        );
    }
}

/// For a command about to create a database: the passphrase it is encrypted with (the
/// environment's, else asked for on a terminal), or a warning on stderr that it will not be.
pub(crate) fn for_new_database(lang: Lang) -> Result<(), CliError> {
    if let Some(p) = cipher::process_passphrase() {
        if p.chars().count() < cipher::MIN_PASSPHRASE_CHARS {
            return Err(crate::store::StoreError::PassphraseTooShort.into());
        }
        return Ok(());
    }
    if std::io::stdin().is_terminal() {
        let asked = prompt_new(
            lang,
            lang.pick(
                "新数据库的口令（直接回车则不加密）",
                "Passphrase for the new database (Enter alone: unencrypted)",
            ),
        )?;
        if asked.is_some() {
            cipher::set_process_passphrase(asked);
            return Ok(());
        }
    }
    eprintln!(
        "{}",
        match lang {
            Lang::Zh => format!(
                "警告：没有口令（环境变量 {PASSPHRASE_ENV}），新数据库不加密，拷走文件的人能读到全部身份证号和密钥。加密：dripline passphrase encrypt --db 文件"
            ),
            Lang::En => format!(
                "Warning: no passphrase ({PASSPHRASE_ENV}), so the new database is NOT encrypted: anyone who copies the file reads every ID number and key. Encrypt it with: dripline passphrase encrypt --db FILE"
            ),
        }
    );
    Ok(())
}

/// A passphrase from the environment variable `env`, else asked twice on a terminal.
fn new_passphrase(lang: Lang, env: &str, what: &str) -> Result<String, CliError> {
    if let Some(p) = std::env::var(env).ok().filter(|p| !p.is_empty()) {
        return Ok(p);
    }
    if std::io::stdin().is_terminal()
        && let Some(p) = prompt_new(lang, what)?
    {
        return Ok(p);
    }
    Err(CliError::Argument(match lang {
        Lang::Zh => format!("需要新口令：请设置环境变量 {env}，或在终端里运行。未做任何改动。"),
        Lang::En => format!(
            "A new passphrase is needed: set the environment variable {env}, or run this in a terminal. Nothing was changed."
        ),
    }))
}

pub fn run(args: PassphraseArgs, lang: Lang) -> Result<(), CliError> {
    match args.action {
        PassphraseAction::Change { db } => {
            let mut store = Store::open(&db)?;
            if !store.is_encrypted() {
                return Err(crate::store::StoreError::NotEncrypted { path: db }.into());
            }
            let new = new_passphrase(
                lang,
                NEW_PASSPHRASE_ENV,
                lang.pick("新口令", "New passphrase"),
            )?;
            store.change_passphrase(&new)?;
            store.close()?;
            emit(&format!(
                "{} {}\n",
                lang.pick("口令已更改：", "Passphrase changed:"),
                db.display()
            ))
        }
        PassphraseAction::Encrypt { db } => {
            let pass = match cipher::process_passphrase() {
                Some(p) => p,
                None => new_passphrase(lang, PASSPHRASE_ENV, lang.pick("口令", "Passphrase"))?,
            };
            cipher::encrypt_file(&db, &pass)?;
            emit(&format!(
                "{} {}\n",
                lang.pick("已加密：", "Encrypted:"),
                db.display()
            ))
        }
    }
}
