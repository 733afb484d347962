//! `dripline sync --db village.sqlite [--server URL]`: one exchange with the county's sync
//! server — the pending bundle up, the return bundle back and merged.

use std::path::PathBuf;

use clap::Args;

use super::{CliError, emit};
use crate::i18n::{Lang, Localize};
use crate::net::client::{SyncOptions, sync_now};
use crate::store::Store;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The village laptop's database.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// The county's sync server, `https://HOST:PORT` (default: the one the county key line
    /// names; remembered once it answers).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Tries of each exchange before giving up (with a growing pause between them).
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub attempts: u32,
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: SyncArgs, lang: Lang) -> Result<(), CliError> {
    let mut store = Store::open(&args.db)?;
    let options = SyncOptions {
        url: args.server,
        attempts: args.attempts,
        ..SyncOptions::default()
    };
    let result = sync_now(&mut store, &options, &mut |_| {});
    store.close()?;
    let synced = result?;
    if args.json {
        return emit(&format!(
            "{}\n",
            serde_json::json!({
                "server": synced.url,
                "sent": {
                    "seq_from": synced.sent.header.seq_from,
                    "seq_to": synced.sent.header.seq_to,
                    "records": synced.sent.header.counts.records,
                    "already_imported": synced.already_imported,
                },
                "received": synced.received.iter().map(|r| serde_json::json!({
                    "already_imported": r.already_imported,
                    "records_inserted": r.stats.records_inserted,
                    "fields_updated": r.stats.fields_updated,
                    "conflicts_recorded": r.stats.conflicts_recorded,
                })).collect::<Vec<_>>(),
            })
        ));
    }
    emit(&format!("{}\n", synced.localize(lang)))
}
