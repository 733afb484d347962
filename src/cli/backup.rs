//! `dripline backup --db FILE --out DIR` and `dripline restore --db FILE BACKUP`: a verified
//! copy of the database made while the window may keep running, and putting one back.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::{CliError, emit};
use crate::i18n::{Lang, Localize};
use crate::store::Store;
use crate::store::backup::{self, BackupError};

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The database to back up.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// The folder (a USB stick) the backup goes into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The database to put the backup in place of (kept aside, renamed with the time).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// The backup file.
    #[arg(value_name = "BACKUP")]
    pub backup: PathBuf,
}

fn backup_error(e: BackupError, lang: Lang) -> CliError {
    match e {
        BackupError::Store(e) => CliError::Store(e),
        e => CliError::Argument(e.localize(lang)),
    }
}

pub fn run_backup(args: BackupArgs, lang: Lang, today: NaiveDate) -> Result<(), CliError> {
    let store = Store::open(&args.db)?;
    let written = store
        .backup_to(&args.out, today)
        .map_err(|e| backup_error(e, lang))?;
    let kib = written.bytes.div_ceil(1024);
    let path = written.path.display();
    let villages = written.villages.join(lang.pick("、", ", "));
    emit(&match lang {
        Lang::Zh => format!("已备份到 {path}（{kib} KB，{villages}），已校验无误。\n"),
        Lang::En => format!("Backed up to {path} ({kib} KB, {villages}), verified.\n"),
    })
}

pub fn run_restore(args: RestoreArgs, lang: Lang) -> Result<(), CliError> {
    let restored = backup::restore(&args.db, &args.backup, chrono::Utc::now())
        .map_err(|e| backup_error(e, lang))?;
    let villages = restored.villages.join(lang.pick("、", ", "));
    let db = args.db.display();
    let aside = match (&restored.kept_aside, lang) {
        (Some(a), Lang::Zh) => format!("原数据库已保留为 {}。", a.display()),
        (Some(a), Lang::En) => format!(" The previous database is kept as {}.", a.display()),
        (None, _) => String::new(),
    };
    emit(&match lang {
        Lang::Zh => format!(
            "已从 {} 恢复 {db}（{villages}）。{aside}\n",
            args.backup.display()
        ),
        Lang::En => format!(
            "Restored {db} ({villages}) from {}.{aside}\n",
            args.backup.display()
        ),
    })
}
