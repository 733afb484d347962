//! `dripline demo`: a deterministic demo database, from one village up to a whole county.

use std::path::PathBuf;
use std::sync::mpsc;

use clap::Args;

use super::CliError;
use crate::demo::{self, DemoSpec};
use crate::i18n::{Lang, Localize};
use crate::store::Store;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The database file to write (must not exist, unless --force).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Number of villages (802 makes a county at the scale of Cangxi County).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=5000))]
    pub villages: u32,
    /// Households per village.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=5000))]
    pub households_per_village: u32,
    /// Random seed: the same seed gives the same data.
    #[arg(long, default_value_t = 2015)]
    pub seed: u64,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: DemoArgs, lang: Lang) -> Result<(), CliError> {
    // A demo database may replace another (with --force); its side files never.
    let text = args.out.as_os_str().to_string_lossy();
    if ["-wal", "-shm", "-journal"]
        .iter()
        .any(|s| text.ends_with(s))
    {
        return Err(CliError::OutputIsDatabase(args.out));
    }
    if args.out.exists() && !args.force {
        return Err(CliError::OutputExists(args.out));
    }
    let spec = DemoSpec {
        villages: args.villages,
        households_per_village: args.households_per_village,
        seed: args.seed,
    };
    super::passphrase::for_new_database(lang)?;
    // Build into a temporary file beside the target and rename it at the end, so an interrupted
    // or failed run never leaves a half-made database under the requested name.
    let partial = crate::files::Partial::replacing_database(&args.out);
    let started = std::time::Instant::now();
    // Writing the new file is what fails here (a full disk, a removed stick), not a database
    // the user has: say so.
    let households = generate_into(partial.path(), &spec).map_err(|e| {
        let out = args.out.display();
        CliError::Argument(match lang {
            Lang::Zh => format!(
                "无法写入 {out}（{}），未留下任何文件；请检查磁盘是否已满。",
                e.localize(lang)
            ),
            Lang::En => format!(
                "Cannot write {out} ({}); no file was left. Check whether the disk is full.",
                e.localize(lang)
            ),
        })
    })?;
    partial.commit()?;
    let secs = started.elapsed().as_secs_f64();
    match lang {
        Lang::Zh => println!(
            "已生成 {}：{} 个村，{} 户（种子 {}，用时 {secs:.1} 秒）",
            args.out.display(),
            spec.villages,
            households,
            spec.seed
        ),
        Lang::En => println!(
            "Wrote {}: {} villages, {} households (seed {}, {secs:.1} s)",
            args.out.display(),
            spec.villages,
            households,
            spec.seed
        ),
    }
    Ok(())
}

/// Generates on one thread and writes on this one, so both cores work.
fn generate_into(path: &std::path::Path, spec: &DemoSpec) -> Result<u64, CliError> {
    let passphrase = crate::store::cipher::process_passphrase();
    let mut store = Store::open_or_create_with(path, passphrase.as_deref())?;
    store.start_bulk_load()?;
    let (sender, receiver) = mpsc::sync_channel(4);
    let generator_spec = *spec;
    let generator = std::thread::spawn(move || {
        for village in demo::villages(&generator_spec) {
            if sender.send(village).is_err() {
                break;
            }
        }
    });
    let mut households = 0u64;
    for village in receiver {
        households += village.households.len() as u64;
        store.insert_generated_with_workflow(
            &village.village,
            &village.households,
            &village.workflow,
        )?;
    }
    generator.join().expect("demo generator thread panicked");
    store.close()?;
    Ok(households)
}
