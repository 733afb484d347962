//! `dripline serve --db county.sqlite --listen ADDR:PORT [--url URL] [--tls-cert F --tls-key F]`:
//! the county's sync server. Prints the county key line to give laptops (with the server's
//! address and certificate fingerprint), then one line per request on stderr, until stopped.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::{CliError, emit};
use crate::i18n::Lang;
use crate::net::server::{self, DEFAULT_PER_MINUTE, ServeOptions};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The county database.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// Where to listen, e.g. 0.0.0.0:8443 (every interface) or 10.1.2.3:8443.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
    /// The address laptops use, `https://HOST:PORT` (default: the one listened on; needed when
    /// listening on every interface).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// An institution's certificate chain (PEM) instead of the one generated on first start.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Requests a device may make per minute.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PER_MINUTE)]
    pub per_minute: u32,
}

pub fn run(args: ServeArgs, lang: Lang) -> Result<(), CliError> {
    let running = server::start(
        &args.db,
        ServeOptions {
            listen: args.listen,
            url: args.url,
            tls_files: args.tls_cert.zip(args.tls_key),
            per_minute: args.per_minute,
            log: Arc::new(|line| eprintln!("{line}")),
        },
    )?;
    emit(&format!(
        "{}: {}\n{}: {}\n{}: {}\n{}\n",
        lang.pick("同步服务器已启动", "Sync server listening on"),
        running.addr,
        lang.pick("各村电脑连接的地址", "Address for the laptops"),
        running.pin.url,
        lang.pick("证书指纹（SHA-256）", "Certificate fingerprint (SHA-256)"),
        running.pin.fingerprint,
        lang.pick(
            "县级公钥（含服务器地址和证书指纹；在各村电脑上用 keys set-county 设置）：",
            "County key line with the server and its fingerprint (set it on each laptop with keys set-county):"
        ),
    ))?;
    emit(&format!("{}\n", running.county_line))?;
    running.wait();
    Ok(())
}
