//! Sync over the network (issue 15): the county's HTTPS sync server ([`server`], `dripline
//! serve`) and the laptop's client ([`client`], `dripline sync` and the sync screen's 同步
//! button). A bundle travels as it does on a USB stick — the same file, verified and merged by the
//! same import code — only the carrying changes: an upload answered by the device's return
//! bundle. [`wire`] says what travels, [`tls`] how the laptop knows it talks to its county (the
//! certificate pinned by the county key line).

pub mod client;
pub mod server;
pub mod tls;
pub mod wire;

use std::net::SocketAddr;

use crate::i18n::{Lang, Localize};
use crate::store::StoreError;
use crate::sync::SyncError;

/// Everything the network sync can fail with, typed; turned into words at the edge.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("tls: {0}")]
    Tls(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("listening on {0}: give --url")]
    NeedUrl(SocketAddr),
    #[error("{url}: unreachable ({detail})")]
    Unreachable { url: String, detail: String },
    #[error("{url}: certificate is not the pinned one")]
    WrongCertificate { url: String },
    #[error("{url}: county {found}, expected {expected}")]
    WrongCounty {
        url: String,
        expected: String,
        found: String,
    },
    /// The county refused the request or the bundle; its words, in both languages.
    #[error("refused ({}): {}", .0.code, .0.en)]
    Refused(wire::Refusal),
    #[error("{url}: unexpected answer ({detail})")]
    Protocol { url: String, detail: String },
    /// The server is stopping: its merge thread takes no more bundles.
    #[error("the sync server is stopping")]
    Stopping,
}

impl Localize for NetError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            NetError::Sync(e) => e.localize(lang),
            NetError::Store(e) => e.localize(lang),
            NetError::Io(e) => match lang {
                Lang::Zh => format!("读写文件出错：{e}"),
                Lang::En => format!("File error: {e}"),
            },
            NetError::Tls(detail) => match lang {
                Lang::Zh => format!("同步服务器的证书或密钥无法使用：{detail}"),
                Lang::En => {
                    format!("The sync server's certificate or key cannot be used: {detail}")
                }
            },
            NetError::Bind { addr, source } => match lang {
                Lang::Zh => format!(
                    "无法在 {addr} 上启动同步服务器：{source}。该端口可能已被占用，请换一个端口（--listen）。"
                ),
                Lang::En => format!(
                    "Cannot start the sync server on {addr}: {source}. The port may be in use; choose another (--listen)."
                ),
            },
            NetError::NeedUrl(addr) => match lang {
                Lang::Zh => format!(
                    "服务器在 {addr} 上监听所有网卡，无法确定各村电脑应连的地址：请用 --url https://本机地址:端口 写明。"
                ),
                Lang::En => format!(
                    "The server listens on every interface ({addr}), so the address laptops should use is unknown: give it with --url https://THIS-HOST:PORT."
                ),
            },
            NetError::Unreachable { url, detail } => match lang {
                Lang::Zh => format!(
                    "无法连接县里的同步服务器（{url}），数据未改动；可改用 U 盘导出数据包。（{detail}）"
                ),
                Lang::En => format!(
                    "Cannot reach the county sync server ({url}); nothing was changed. Export a bundle to a USB stick instead. ({detail})"
                ),
            },
            NetError::WrongCertificate { url } => match lang {
                Lang::Zh => format!(
                    "{url} 出示的证书与县级公钥中的指纹不符：连上的可能不是县里的服务器，已中止，数据未改动。请向县里核对县级公钥（或证书已更换，请设置县里新发的县级公钥）。"
                ),
                Lang::En => format!(
                    "{url} showed a certificate other than the one the county key names: it may not be the county's server. Stopped; nothing was changed. Check the county key with the county (or, if the certificate was replaced, set the county's new key line)."
                ),
            },
            NetError::WrongCounty {
                url,
                expected,
                found,
            } => match lang {
                Lang::Zh => format!(
                    "{url} 是县 {found} 的同步服务器，而本机属于县 {expected}；已中止，数据未改动。请核对服务器地址。"
                ),
                Lang::En => format!(
                    "{url} is the sync server of county {found}, but this laptop belongs to county {expected}. Stopped; nothing was changed. Check the server address."
                ),
            },
            NetError::Refused(refusal) => lang.pick(&refusal.zh, &refusal.en).to_string(),
            NetError::Stopping => lang
                .pick(
                    "县里的同步服务器正在停止，这个数据包没有合并；请稍后再同步。",
                    "The county sync server is stopping and did not merge this bundle; sync again later.",
                )
                .to_string(),
            NetError::Protocol { url, detail } => match lang {
                Lang::Zh => format!(
                    "县里的同步服务器（{url}）给出了无法理解的答复（{detail}），本机数据未改动；请稍后再试，或改用 U 盘导出数据包。"
                ),
                Lang::En => format!(
                    "The county sync server ({url}) gave an answer this app cannot read ({detail}); nothing was changed here. Try again later, or export a bundle to a USB stick."
                ),
            },
        }
    }
}
