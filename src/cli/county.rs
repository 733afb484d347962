//! `dripline county init|return`: a county database and the return bundle of one village.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{CliError, emit};
use crate::i18n::Lang;
use crate::store::Store;
use crate::sync::county;

#[derive(Debug, Args)]
pub struct CountyArgs {
    #[command(subcommand)]
    pub action: CountyAction,
}

#[derive(Debug, Subcommand)]
pub enum CountyAction {
    /// Create a county database with the county's keys; prints the county key line that every
    /// village device sets with `keys set-county`.
    Init {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long, value_name = "CODE")]
        county_code: String,
    },
    /// Write the return bundle of one village: acknowledgements, the village's records as merged
    /// from all its devices, conflicts, and the county's poverty-line table.
    Return {
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        #[arg(long, value_name = "CODE")]
        village: String,
        #[arg(long, value_name = "BUNDLE")]
        out: PathBuf,
        /// Overwrite an existing bundle file.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(args: CountyArgs, lang: Lang) -> Result<(), CliError> {
    match args.action {
        CountyAction::Init { out, county_code } => {
            if out.exists() {
                return Err(CliError::OutputExists(out));
            }
            // Built under a partial name and renamed when complete, so a failure leaves no file.
            let mut partial = out.as_os_str().to_owned();
            partial.push(".partial");
            let partial = PathBuf::from(partial);
            let _ = std::fs::remove_file(&partial);
            let built = (|| -> Result<String, CliError> {
                let mut store = Store::open_or_create(&partial)?;
                let public = county::init_county(&mut store, &county_code)?;
                store.close()?;
                Ok(public.to_line())
            })();
            let line = match built {
                Ok(line) => line,
                Err(e) => {
                    let _ = std::fs::remove_file(&partial);
                    return Err(e);
                }
            };
            std::fs::rename(&partial, &out)?;
            emit(&format!(
                "{} {}\n{}: {line}\n",
                lang.pick("已创建县级数据库", "Created county database"),
                out.display(),
                lang.pick(
                    "县级公钥（在各村设备上运行 keys set-county）",
                    "County key (run keys set-county on each village device)"
                )
            ))
        }
        CountyAction::Return {
            db,
            village,
            out,
            force,
        } => {
            if out.exists() && !force {
                return Err(CliError::OutputExists(out));
            }
            let mut store = Store::open(&db)?;
            let header = county::write_return(&mut store, &village, &out, &mut |_| {})?;
            store.close()?;
            emit(&format!(
                "{} {}: {} {}, {} {}\n",
                lang.pick("已生成回执包", "Wrote return bundle"),
                out.display(),
                header.counts.records,
                lang.pick("条记录", "records"),
                header.counts.acknowledgements,
                lang.pick("条回执", "acknowledgements"),
            ))
        }
    }
}
