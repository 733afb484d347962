//! The laptop's side of the network sync (`dripline sync`, the sync screen's 同步 button): ask
//! who answers (the pinned certificate and the county's code, before anything is written), export
//! the pending bundle as `bundle export` does, upload it signed, and verify and merge the return
//! bundle the county answers with, as `bundle import` does. Connections that fail are tried again
//! with a growing pause (a bounded number of times); a refusal is not.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use sha2::{Digest, Sha256};

use super::wire::{self, Hello, Refusal};
use super::{NetError, tls};
use crate::i18n::{Lang, Localize};
use crate::store::Store;
use crate::sync::crypto::{DeviceIdentity, normalize_url};
use crate::sync::export::{ExportSummary, export_village, village_code};
use crate::sync::import::{ImportReport, MAX_BUNDLE_BYTES, import_files};
use crate::sync::{Progress, SyncError, county};

/// How hard to try.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// The server to use instead of the county line's (remembered once it answers).
    pub url: Option<String>,
    /// Tries of each exchange, the first included.
    pub attempts: u32,
    /// The pause after the first failed try; doubled after each next one (at most 30 s).
    pub first_backoff: Duration,
    pub connect_timeout: Duration,
    /// The longest one exchange (upload, merge at the county, answer) may take.
    pub timeout: Duration,
    /// A bundle goes up in parts of this many bytes; an interrupted upload resumes after the
    /// last part that arrived.
    pub part_bytes: usize,
}

impl Default for SyncOptions {
    fn default() -> SyncOptions {
        SyncOptions {
            url: None,
            attempts: 4,
            first_backoff: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(15),
            timeout: Duration::from_secs(600),
            part_bytes: 4 * 1024 * 1024,
        }
    }
}

/// The steps of a sync, for a progress bar: who answers, export, upload, merge.
pub const STEPS: usize = 4;

/// A sync done: what went up and what came back.
#[derive(Debug, Clone)]
pub struct Synced {
    pub url: String,
    pub sent: ExportSummary,
    /// The county had merged this bundle before (a repeated sync, a lost answer fetched again).
    pub already_imported: bool,
    /// The return bundle merged here.
    pub received: Vec<ImportReport>,
}

impl Localize for Synced {
    fn localize(&self, lang: Lang) -> String {
        let h = &self.sent.header;
        let (records, from, to) = (h.counts.records, h.seq_from, h.seq_to);
        let sent = match (lang, self.already_imported) {
            (Lang::Zh, false) => {
                format!("已上报 {records} 条记录（变更号 {from}–{to}），县里已核验并合并")
            }
            (Lang::Zh, true) => {
                format!("已上报（变更号 {from}–{to}），县里此前已合并过，未重复合并")
            }
            (Lang::En, false) => format!(
                "{records} records sent (changes {from}–{to}), verified and merged at the county"
            ),
            (Lang::En, true) => format!(
                "Sent (changes {from}–{to}); the county had merged it before and did not merge it again"
            ),
        };
        let read = crate::workspace::bundles::BundlesRead(self.received.clone(), Vec::new());
        match lang {
            Lang::Zh => format!(
                "已与县里同步（{}）：{sent}；县里的回执包：{}",
                self.url,
                read.localize(lang)
            ),
            Lang::En => format!(
                "Synced with the county ({}): {sent}. The county's return bundle: {}",
                self.url,
                read.localize(lang)
            ),
        }
    }
}

/// Where a URL points.
struct Target {
    url: String,
    host: String,
    port: u16,
    authority: String,
}

impl Target {
    fn parse(url: &str) -> Result<Target, SyncError> {
        let url = normalize_url(url)?;
        let bad = || SyncError::BadUrl(url.clone());
        let authority = url.trim_start_matches("https://").to_string();
        let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or_else(bad)?;
            let port = match after.strip_prefix(':') {
                Some(port) => port.parse().map_err(|_| bad())?,
                None if after.is_empty() => 443,
                None => return Err(bad()),
            };
            (host.to_string(), port)
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => (host.to_string(), port.parse().map_err(|_| bad())?),
                None => (authority.clone(), 443),
            }
        };
        if host.is_empty() {
            return Err(bad());
        }
        Ok(Target {
            url: url.clone(),
            host,
            port,
            authority,
        })
    }
}

/// One answer.
struct Reply {
    status: StatusCode,
    outcome: Option<String>,
    body: Bytes,
}

/// Why a try failed: worth another try, or not.
enum Failure {
    Retry(String),
    Fatal(NetError),
}

/// A folder of the sync's files, removed at the end.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Syncs this village laptop with its county over the network.
pub fn sync_now(
    store: &mut Store,
    options: &SyncOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Synced, NetError> {
    let step = |done| Progress { done, total: STEPS };
    progress(step(0));
    let village = village_code(store)?.ok_or(SyncError::NoVillage)?;
    let session = Session::open(store, options)?;
    progress(step(1));

    // The pending bundle, exactly as `bundle export` writes it.
    let scratch =
        Scratch(std::env::temp_dir().join(format!("dripline-sync-{}", uuid::Uuid::new_v4())));
    std::fs::create_dir_all(&scratch.0)?;
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let out = scratch.0.join(format!("{village}-{stamp}.dripline"));
    let sent = export_village(store, &out, false, &mut |_| {})?;
    progress(step(2));

    let uploaded = session.upload(&out)?;
    progress(step(3));

    // The return bundle, verified and merged as `bundle import` does.
    let back = scratch.0.join(format!("return-{village}.dripline"));
    std::fs::write(&back, &uploaded.return_bundle)?;
    let received = import_files(store, &[back], &mut |_| {})?;
    progress(step(4));
    Ok(Synced {
        url: session.target.url.clone(),
        sent,
        already_imported: uploaded.already_imported,
        received,
    })
}

/// A bundle uploaded, and the county's answer.
#[derive(Debug, Clone)]
pub struct Uploaded {
    /// The county had merged this bundle before: nothing was merged again.
    pub already_imported: bool,
    /// This device's return bundle (verify and merge it with `import_files`).
    pub return_bundle: Vec<u8>,
}

/// A checked way to the county's server: its certificate is the pinned one and it is the
/// server of this laptop's county.
pub struct Session {
    target: Target,
    identity: DeviceIdentity,
    config: Arc<rustls::ClientConfig>,
    options: SyncOptions,
    runtime: tokio::runtime::Runtime,
}

impl Session {
    /// Asks who answers, before anything is written here; a URL given in `options` is
    /// remembered once the county's server answers on it.
    pub fn open(store: &mut Store, options: &SyncOptions) -> Result<Session, NetError> {
        if county::is_county(store)? {
            return Err(SyncError::IsCounty.into());
        }
        let county = county::county_key(store)?.ok_or(SyncError::NoServer)?;
        let url = match &options.url {
            Some(url) => normalize_url(url)?,
            None => county
                .server
                .as_ref()
                .map(|p| p.url.clone())
                .ok_or(SyncError::NoServer)?,
        };
        let fingerprint = county
            .server
            .as_ref()
            .map(|p| p.fingerprint.clone())
            .ok_or(SyncError::NoFingerprint)?;
        let session = Session {
            target: Target::parse(&url)?,
            identity: DeviceIdentity::load_or_create(store)?,
            config: tls::client_config(&fingerprint)?,
            options: options.clone(),
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
        };
        let client = session.client();
        let hello = session.runtime.block_on(
            client.with_retries(|| client.exchange("GET", wire::HELLO_PATH, &[], Bytes::new())),
        )?;
        let target = &session.target;
        let hello: Hello = expect_ok(target, hello).and_then(|body| {
            serde_json::from_slice(&body).map_err(|e| NetError::Protocol {
                url: target.url.clone(),
                detail: e.to_string(),
            })
        })?;
        if hello.county_code != county.county_code {
            return Err(NetError::WrongCounty {
                url: target.url.clone(),
                expected: county.county_code,
                found: hello.county_code,
            });
        }
        if county.server.as_ref().is_none_or(|p| p.url != target.url) {
            county::set_county_server(store, Some(&target.url), None)?;
        }
        Ok(session)
    }

    fn client(&self) -> Client<'_> {
        Client {
            target: &self.target,
            config: self.config.clone(),
            options: &self.options,
        }
    }

    /// Uploads a bundle file, signed, in parts; the answer is the return bundle. A try that
    /// fails asks the server how much arrived and goes on from there. Sent again after a lost
    /// answer, the same bundle is merged once and answered again.
    pub fn upload(&self, bundle: &std::path::Path) -> Result<Uploaded, NetError> {
        let body = Bytes::from(std::fs::read(bundle)?);
        let name = bundle
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let sha256 = hex::encode(Sha256::digest(&body));
        let client = self.client();
        let part_bytes = self.options.part_bytes.max(1) as u64;
        let total = body.len() as u64;
        let reply = self.runtime.block_on(client.with_retries(|| {
            let (client, body, name, sha256) = (&client, body.clone(), &name, &sha256);
            async move {
                let query = format!("{}?sha256={sha256}", wire::UPLOAD_PATH);
                let asked = self
                    .signed(client, "GET", &query, name, Bytes::new())
                    .await?;
                let mut offset = match held_offset(&asked) {
                    Some(offset) if offset <= total => offset,
                    _ => return Ok(asked),
                };
                loop {
                    let end = (offset + part_bytes).min(total);
                    let part = wire::Part {
                        sha256: sha256.clone(),
                        offset,
                        total,
                    };
                    let path = format!("{}?{}", wire::BUNDLE_PATH, part.query());
                    let chunk = body.slice(offset as usize..end as usize);
                    let reply = self.signed(client, "POST", &path, name, chunk).await?;
                    // Another try asks again where to go on from.
                    if reply.status == StatusCode::CONFLICT {
                        return Err(Failure::Retry("upload offset moved".into()));
                    }
                    if reply.status != StatusCode::ACCEPTED {
                        return Ok(reply);
                    }
                    match held_offset(&reply) {
                        Some(next) if next > offset && next < total => offset = next,
                        _ => {
                            return Err(Failure::Fatal(NetError::Protocol {
                                url: self.target.url.clone(),
                                detail: "upload offset".into(),
                            }));
                        }
                    }
                }
            }
        }))?;
        let already_imported = reply.outcome.as_deref() == Some("already_imported");
        let answer = expect_ok(&self.target, reply)?;
        Ok(Uploaded {
            already_imported,
            return_bundle: answer.to_vec(),
        })
    }

    /// One request signed by this device (`path` with its query, as signed).
    async fn signed(
        &self,
        client: &Client<'_>,
        method: &str,
        path: &str,
        name: &str,
        body: Bytes,
    ) -> Result<Reply, Failure> {
        let identity = &self.identity;
        let time = wire::now_secs();
        let hash = hex::encode(Sha256::digest(&body));
        let signature = wire::sign_request(identity, method, path, time, &hash);
        let headers = [
            (wire::DEVICE_HEADER, identity.device.to_string()),
            (wire::TIME_HEADER, time.to_string()),
            (wire::SIGNATURE_HEADER, signature),
            (wire::FILE_HEADER, name.to_string()),
        ];
        client.exchange(method, path, &headers, body).await
    }
}

/// The offset an answer holds (`200` to the offset query, `202` to a part).
fn held_offset(reply: &Reply) -> Option<u64> {
    if reply.status != StatusCode::OK && reply.status != StatusCode::ACCEPTED {
        return None;
    }
    serde_json::from_slice::<wire::Offset>(&reply.body)
        .ok()
        .map(|o| o.offset)
}

/// An answer's body when it is a success, the county's refusal otherwise.
fn expect_ok(target: &Target, reply: Reply) -> Result<Bytes, NetError> {
    if reply.status == StatusCode::OK {
        return Ok(reply.body);
    }
    Err(match serde_json::from_slice::<Refusal>(&reply.body) {
        Ok(refusal) => NetError::Refused(refusal),
        Err(_) => NetError::Protocol {
            url: target.url.clone(),
            detail: format!("HTTP {}", reply.status),
        },
    })
}

struct Client<'a> {
    target: &'a Target,
    config: Arc<rustls::ClientConfig>,
    options: &'a SyncOptions,
}

impl Client<'_> {
    /// Runs `exchange` until it answers (a refusal included), at most `attempts` times, waiting
    /// longer after each failure. The server's own failures (HTTP 5xx) are tried again too.
    async fn with_retries<F, Fut>(&self, exchange: F) -> Result<Reply, NetError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Reply, Failure>>,
    {
        let attempts = self.options.attempts.max(1);
        let mut pause = self.options.first_backoff;
        let mut last = String::new();
        for attempt in 1..=attempts {
            match exchange().await {
                Ok(reply) if reply.status.is_server_error() && attempt < attempts => {
                    last = format!("HTTP {}", reply.status);
                }
                Ok(reply) => return Ok(reply),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::Retry(detail)) => last = detail,
            }
            if attempt < attempts {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(30));
            }
        }
        Err(NetError::Unreachable {
            url: self.target.url.clone(),
            detail: last,
        })
    }

    /// One request on a new connection to the pinned server.
    async fn exchange(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: Bytes,
    ) -> Result<Reply, Failure> {
        let target = self.target;
        let retry = |e: &dyn std::fmt::Display| Failure::Retry(e.to_string());
        let connect = tokio::net::TcpStream::connect((target.host.as_str(), target.port));
        let tcp = match tokio::time::timeout(self.options.connect_timeout, connect).await {
            Err(_) => return Err(Failure::Retry("connection timed out".into())),
            Ok(Err(e)) => return Err(retry(&e)),
            Ok(Ok(tcp)) => tcp,
        };
        let name = ServerName::try_from(target.host.clone())
            .map_err(|_| Failure::Fatal(SyncError::BadUrl(target.url.clone()).into()))?;
        let connector = tokio_rustls::TlsConnector::from(self.config.clone());
        let handshake = connector.connect(name, tcp);
        let tls = match tokio::time::timeout(self.options.connect_timeout, handshake).await {
            Err(_) => return Err(Failure::Retry("TLS handshake timed out".into())),
            Ok(Err(e)) if e.to_string().contains(tls::WRONG_CERTIFICATE) => {
                return Err(Failure::Fatal(NetError::WrongCertificate {
                    url: target.url.clone(),
                }));
            }
            Ok(Err(e)) => return Err(retry(&e)),
            Ok(Ok(tls)) => tls,
        };
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(|e| retry(&e))?;
        let driver = tokio::spawn(connection);
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", &target.authority)
            .header("content-length", body.len());
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let request = request
            .body(Full::new(body))
            .map_err(|e| Failure::Fatal(NetError::Tls(e.to_string())))?;
        let answered = async {
            let response = sender.send_request(request).await.map_err(|e| retry(&e))?;
            let status = response.status();
            let outcome = response
                .headers()
                .get(wire::OUTCOME_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let body = Limited::new(response.into_body(), MAX_BUNDLE_BYTES as usize)
                .collect()
                .await
                .map_err(|e| Failure::Retry(e.to_string()))?
                .to_bytes();
            Ok(Reply {
                status,
                outcome,
                body,
            })
        };
        let result = match tokio::time::timeout(self.options.timeout, answered).await {
            Err(_) => Err(Failure::Retry("no answer in time".into())),
            Ok(result) => result,
        };
        driver.abort();
        result
    }
}
