//! `dripline init --out FILE [--county-key LINE]`: an empty village-laptop database that receives
//! its village from the county. It is the way back for a laptop whose passphrase was forgotten
//! (or that was lost, or is new to the team): the county registers the device key it prints and
//! writes the village's return bundle, which carries every record the county holds of the village.

use std::path::PathBuf;

use clap::Args;

use super::{CliError, emit};
use crate::i18n::Lang;
use crate::store::Store;
use crate::sync::county;
use crate::sync::crypto::DeviceIdentity;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The new database file (must not exist). Encrypted with DRIPLINE_PASSPHRASE, else the
    /// passphrase asked for on the terminal.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The county key line (`dripline-county:…`), so that the county's return bundle can be
    /// imported at once; `keys set-county` sets it later otherwise.
    #[arg(long, value_name = "LINE")]
    pub county_key: Option<String>,
}

pub fn run(args: InitArgs, lang: Lang) -> Result<(), CliError> {
    if args.out.exists() {
        return Err(CliError::OutputExists(args.out));
    }
    super::passphrase::for_new_database(lang)?;
    // Built under a partial name and renamed when complete, so a failure leaves no file.
    let partial = crate::files::Partial::beside(&args.out)?;
    let passphrase = crate::store::cipher::process_passphrase();
    let mut store = Store::open_or_create_with(partial.path(), passphrase.as_deref())?;
    if let Some(line) = &args.county_key {
        county::set_county_key(&mut store, line)?;
    }
    let device = DeviceIdentity::load_or_create(&mut store)?
        .public()
        .to_line();
    store.close()?;
    partial.commit()?;
    let out = args.out.display();
    let steps = match lang {
        Lang::Zh => format!(
            "已创建空的村级数据库 {out}{}\n本设备公钥: {device}\n\
             下一步：把这行公钥交给县扶贫办；县里登记本设备（keys register-device --village 村代码），\
             写出本村回传包（county return --village 村代码），在这里导入（bundle import --db {out} 回传包）。\n",
            if passphrase.is_some() {
                "（已加密）"
            } else {
                "（未加密）"
            }
        ),
        Lang::En => format!(
            "Created an empty village database {out}{}\nDevice key: {device}\n\
             Next: give this key line to the county office; the county registers this device \
             (keys register-device --village CODE), writes the village's return bundle \
             (county return --village CODE) and you import it here (bundle import --db {out} BUNDLE).\n",
            if passphrase.is_some() {
                " (encrypted)"
            } else {
                " (not encrypted)"
            }
        ),
    };
    let county_note = if args.county_key.is_none() {
        lang.pick(
            "还没有县级公钥：导入回传包之前运行 keys set-county。\n",
            "No county key yet: run keys set-county before importing the return bundle.\n",
        )
    } else {
        ""
    };
    emit(&format!("{steps}{county_note}"))
}
