//! The county's sync server (`dripline serve`): HTTPS on rustls, uploads accepted in parallel,
//! merged one at a time into the county database by the import code `bundle import` runs
//! ([`import_files`]), each answered with the device's return bundle ([`county::write_return`]).
//!
//! A request is checked before its body is kept: the device must be registered and unrevoked,
//! within its rate, and the body within [`MAX_BUNDLE_BYTES`]; then its signature (the device's
//! Ed25519 key over method, path, time and the body's hash) must hold. Only then does the merge
//! thread see the bundle, which it verifies and merges exactly as a file. Every request is
//! logged (a line per request to the log callback; the county's log of received bundles keeps
//! the imports and refusals as for files).

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use super::wire::{self, Refusal};
use super::{NetError, tls};
use crate::i18n::{Lang, Localize};
use crate::store::Store;
use crate::sync::crypto::ServerPin;
use crate::sync::import::{MAX_BUNDLE_BYTES, import_files};
use crate::sync::{SyncError, county};

/// How the server is started.
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// The address laptops use (`https://HOST:PORT`); by default the one listened on.
    pub url: Option<String>,
    /// An institution's certificate chain and key (PEM files) instead of the generated one.
    pub tls_files: Option<(PathBuf, PathBuf)>,
    /// Requests a device may make per minute (and at once, as a burst).
    pub per_minute: u32,
    /// Called once per request, from the server's threads.
    pub log: Arc<dyn Fn(&RequestLog) + Send + Sync>,
}

/// Requests per device and minute, by default: a laptop syncs a few times a day.
pub const DEFAULT_PER_MINUTE: u32 = 12;

/// One request, as logged.
#[derive(Debug, Clone)]
pub struct RequestLog {
    pub at: String,
    pub peer: SocketAddr,
    pub method: String,
    pub path: String,
    pub device: Option<Uuid>,
    pub village: Option<String>,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub status: u16,
    /// `imported`, `already_imported`, `hello`, or the refusal's code.
    pub outcome: String,
    pub millis: u128,
}

impl std::fmt::Display for RequestLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let none = "-".to_string();
        write!(
            f,
            "{} {} {} {} device={} village={} in={} out={} status={} outcome={} ms={}",
            self.at,
            self.peer,
            self.method,
            self.path,
            self.device.map_or(none.clone(), |d| d.to_string()),
            self.village.as_ref().unwrap_or(&none),
            self.bytes_in,
            self.bytes_out,
            self.status,
            self.outcome,
            self.millis
        )
    }
}

/// A server running in threads of its own; stopped when dropped.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// Where laptops reach it, and its certificate's SHA-256: the county line's server part.
    pub pin: ServerPin,
    /// The county key line to give laptops (`keys set-county`), with the server part.
    pub county_line: String,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningServer {
    /// Blocks until the server stops (it runs until the process ends).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// Stops accepting, ends the connections and the merge thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// An upload handed to the merge thread.
struct Job {
    village: String,
    file: PathBuf,
    name: String,
    reply: tokio::sync::oneshot::Sender<Result<Answer, (StatusCode, Refusal)>>,
}

/// A merged (or already merged) bundle's answer.
struct Answer {
    already_imported: bool,
    return_bundle: Vec<u8>,
}

struct State {
    county_code: String,
    /// A second connection, for the registry look-ups of the request checks (the merge
    /// thread's connection may be busy merging).
    reader: Mutex<Store>,
    jobs: std::sync::mpsc::Sender<Job>,
    spool: PathBuf,
    limiter: Mutex<HashMap<Uuid, Bucket>>,
    per_minute: u32,
    log: Arc<dyn Fn(&RequestLog) + Send + Sync>,
}

/// A token bucket: `per_minute` tokens, refilled continuously.
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl State {
    fn allow(&self, device: Uuid) -> bool {
        let capacity = f64::from(self.per_minute.max(1));
        let mut buckets = self.limiter.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let bucket = buckets.entry(device).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let refill = now.duration_since(bucket.at).as_secs_f64() * capacity / 60.0;
        bucket.tokens = (bucket.tokens + refill).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// At most this many connections are served at once; more wait in the listen queue.
const MAX_CONNECTIONS: usize = 1024;
/// A request's headers must arrive within this; a body may take as long as it takes to arrive
/// at a minimum pace (see [`read_body`]).
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);
/// A body that sends nothing for this long is dropped.
const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Starts the county's sync server on `db` (a county database): generates its certificate on
/// the first start (kept in the database), records where it listens, and serves until stopped.
pub fn start(db: &Path, options: ServeOptions) -> Result<RunningServer, NetError> {
    let mut store = Store::open(db)?;
    if !county::is_county(&store)? {
        return Err(SyncError::NotCounty.into());
    }
    let cert = match &options.tls_files {
        Some((cert, key)) => tls::from_files(cert, key)?,
        None => {
            let mut names = vec!["localhost".to_string()];
            if !options.listen.ip().is_unspecified() {
                names.push(options.listen.ip().to_string());
            }
            tls::load_or_create(&mut store, &names)?
        }
    };
    let fingerprint = cert.fingerprint();
    let config = tls::server_config(cert)?;
    let listener =
        std::net::TcpListener::bind(options.listen).map_err(|source| NetError::Bind {
            addr: options.listen,
            source,
        })?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let url = match &options.url {
        Some(url) => url.clone(),
        None if addr.ip().is_unspecified() => return Err(NetError::NeedUrl(addr)),
        None => format!("https://{addr}"),
    };
    let pin = ServerPin::new(&url, &fingerprint)?;
    county::set_server(&mut store, &pin)?;
    let county = county::county_public(&mut store)?;
    let spool = spool_dir(db);
    std::fs::create_dir_all(&spool)?;
    let reader = Store::open(db)?;
    let (jobs, queue) = std::sync::mpsc::channel::<Job>();
    let state = Arc::new(State {
        county_code: county.county_code.clone(),
        reader: Mutex::new(reader),
        jobs,
        spool,
        limiter: Mutex::new(HashMap::new()),
        per_minute: options.per_minute,
        log: options.log,
    });
    let merger = std::thread::Builder::new()
        .name("dripline-merge".into())
        .spawn(move || merge_loop(store, queue))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let thread = std::thread::Builder::new()
        .name("dripline-serve".into())
        .spawn(move || {
            runtime.block_on(accept_loop(listener, config, state, stopped));
            // The last sender of the merge queue went with the state: the merge thread ends
            // after the bundle it is merging.
            drop(runtime);
            let _ = merger.join();
        })?;
    Ok(RunningServer {
        addr,
        pin,
        county_line: county.to_line(),
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// Where uploads wait for their merge: a folder beside the county database, each upload in a
/// folder of its own, removed once answered.
fn spool_dir(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".sync-inbox");
    db.with_file_name(name)
}

async fn accept_loop(
    listener: std::net::TcpListener,
    config: Arc<rustls::ServerConfig>,
    state: Arc<State>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let connections = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let Ok(permit) = connections.clone().acquire_owned().await else {
            break;
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.changed() => break,
        };
        let Ok((tcp, peer)) = accepted else {
            continue;
        };
        let (acceptor, state, mut stopped) = (acceptor.clone(), state.clone(), stopped.clone());
        tasks.spawn(async move {
            let _permit = permit;
            let tls = match tokio::time::timeout(HEADER_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    log_handshake(&state, peer, &e.to_string());
                    return;
                }
                Err(_) => {
                    log_handshake(&state, peer, "handshake timed out");
                    return;
                }
            };
            let service = hyper::service::service_fn(move |request| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(handle(&state, peer, request).await) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(tls), service);
            tokio::select! {
                _ = connection => {}
                _ = stopped.changed() => {}
            }
        });
        // Finished connections are reaped as new ones come.
        while tasks.try_join_next().is_some() {}
    }
    tasks.shutdown().await;
}

fn log_handshake(state: &State, peer: SocketAddr, detail: &str) {
    (state.log)(&RequestLog {
        at: crate::store::now_text(),
        peer,
        method: "-".into(),
        path: "-".into(),
        device: None,
        village: None,
        bytes_in: 0,
        bytes_out: 0,
        status: 0,
        outcome: format!("tls_failed ({detail})"),
        millis: 0,
    });
}

type Answered = Response<Full<Bytes>>;

async fn handle(state: &State, peer: SocketAddr, request: Request<Incoming>) -> Answered {
    let started = Instant::now();
    let mut log = RequestLog {
        at: crate::store::now_text(),
        peer,
        method: request.method().to_string(),
        path: request.uri().path().to_string(),
        device: None,
        village: None,
        bytes_in: 0,
        bytes_out: 0,
        status: 0,
        outcome: String::new(),
        millis: 0,
    };
    let (status, outcome, response) = match (request.method(), request.uri().path()) {
        (&Method::GET, wire::HELLO_PATH) => {
            let hello = wire::Hello {
                county_code: state.county_code.clone(),
            };
            let body = serde_json::to_vec(&hello).unwrap_or_default();
            (
                StatusCode::OK,
                "hello".to_string(),
                json_response(StatusCode::OK, body),
            )
        }
        (&Method::POST, wire::BUNDLE_PATH) | (&Method::GET, wire::UPLOAD_PATH) => {
            match upload(state, request, &mut log).await {
                Ok(Uploaded::Answer(answer)) => {
                    let outcome = if answer.already_imported {
                        "already_imported"
                    } else {
                        "imported"
                    };
                    log.bytes_out = answer.return_bundle.len() as u64;
                    let response = Response::builder()
                        .status(StatusCode::OK)
                        .header("content-type", "application/octet-stream")
                        .header(wire::OUTCOME_HEADER, outcome)
                        .body(Full::new(Bytes::from(answer.return_bundle)))
                        .unwrap_or_default();
                    (StatusCode::OK, outcome.to_string(), response)
                }
                Ok(Uploaded::Held(offset)) => {
                    let body = serde_json::to_vec(&wire::Offset { offset }).unwrap_or_default();
                    let status = if log.method == "GET" {
                        StatusCode::OK
                    } else {
                        StatusCode::ACCEPTED
                    };
                    (
                        status,
                        format!("held:{offset}"),
                        json_response(status, body),
                    )
                }
                Err((status, refusal)) => refused(status, refusal),
            }
        }
        _ => refused(
            StatusCode::NOT_FOUND,
            Refusal {
                code: "not_found".into(),
                zh: "同步服务器没有这个地址。".into(),
                en: "The sync server has no such address.".into(),
            },
        ),
    };
    log.status = status.as_u16();
    log.outcome = outcome;
    log.millis = started.elapsed().as_millis();
    (state.log)(&log);
    response
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Answered {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_default()
}

fn refused(status: StatusCode, refusal: Refusal) -> (StatusCode, String, Answered) {
    let body = serde_json::to_vec(&refusal).unwrap_or_default();
    (status, refusal.code.clone(), json_response(status, body))
}

/// A refusal in the words of `error` (what `bundle import` says), the spool path replaced by
/// the laptop's file name.
fn refusal_of(error: &SyncError, code: &str, file: Option<&Path>, name: &str) -> Refusal {
    let words = |lang| match file {
        Some(file) => error
            .localize(lang)
            .replace(&file.display().to_string(), name),
        None => error.localize(lang),
    };
    Refusal {
        code: code.to_string(),
        zh: words(Lang::Zh),
        en: words(Lang::En),
    }
}

fn request_refusal(code: &str, zh: String, en: String) -> Refusal {
    Refusal {
        code: code.into(),
        zh,
        en,
    }
}

/// What an upload request ends in.
enum Uploaded {
    /// The whole bundle is here: merged (or found merged before) and answered.
    Answer(Answer),
    /// A part of a resumable upload was kept, or the offset was asked: the bytes held so far.
    Held(u64),
}

/// Where the part received so far of a device's resumable upload is kept (one per device).
fn partial_path(state: &State, device: Uuid, sha256: &str) -> PathBuf {
    state
        .spool
        .join("partial")
        .join(format!("{device}-{sha256}.part"))
}

/// The bytes held of a device's upload of the bundle with this hash.
fn held(state: &State, device: Uuid, sha256: &str) -> u64 {
    std::fs::metadata(partial_path(state, device, sha256)).map_or(0, |m| m.len())
}

/// Removes the device's partial uploads (a new bundle replaces an unfinished one).
fn drop_partials(state: &State, device: Uuid) {
    let prefix = format!("{device}-");
    if let Ok(entries) = std::fs::read_dir(state.spool.join("partial")) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// An upload request (whole bundle, a part of one, or the offset query), checked in the order
/// of `docs/bundle-format.md`: device, rate, size, time, then the body and its signature.
async fn upload(
    state: &State,
    request: Request<Incoming>,
    log: &mut RequestLog,
) -> Result<Uploaded, (StatusCode, Refusal)> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let unsigned = || {
        (
            StatusCode::UNAUTHORIZED,
            request_refusal(
                "bad_request_signature",
                "请求没有有效的设备签名，已拒绝，县库未做任何改动。请用已登记设备上的 Dripline 同步。".into(),
                "The request carries no valid device signature; refused, the county database was not changed. Sync with Dripline on a registered device.".into(),
            ),
        )
    };
    let bad_request = || {
        (
            StatusCode::BAD_REQUEST,
            request_refusal(
                "bad_request",
                "请求的格式不对，已拒绝，县库未做任何改动。".into(),
                "The request is malformed; refused, the county database was not changed.".into(),
            ),
        )
    };
    let method = request.method().clone();
    let signed_path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let query = request.uri().query().unwrap_or_default().to_string();
    // What is asked: the offset held of a bundle, a part of a bundle, or a whole one.
    let (asked, part) = if method == Method::GET {
        (
            Some(wire::queried_hash(&query).ok_or_else(bad_request)?),
            None,
        )
    } else if query.is_empty() {
        (None, None)
    } else {
        (
            None,
            Some(wire::Part::parse(&query).ok_or_else(bad_request)?),
        )
    };
    let name = wire::clean_file_name(header(wire::FILE_HEADER).as_deref());
    let device = header(wire::DEVICE_HEADER)
        .and_then(|d| Uuid::parse_str(&d).ok())
        .ok_or_else(unsigned)?;
    log.device = Some(device);
    let looked_up = {
        let reader = &state.reader;
        tokio::task::block_in_place(|| {
            let store = reader.lock().unwrap_or_else(|e| e.into_inner());
            county::registered_device(&store, device)
        })
    };
    let server_error = |e: &dyn Localize| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            request_refusal("server_error", e.localize(Lang::Zh), e.localize(Lang::En)),
        )
    };
    let file_label = PathBuf::from(&name);
    let (public, village) = match looked_up {
        Err(e) => return Err(server_error(&e)),
        Ok(None) => {
            let e = SyncError::UnknownDevice {
                file: file_label,
                device,
            };
            return Err((
                StatusCode::FORBIDDEN,
                refusal_of(&e, "unknown_device", None, &name),
            ));
        }
        Ok(Some((_, village, true))) => {
            log.village = Some(village);
            let e = SyncError::RevokedDevice {
                file: file_label,
                device,
            };
            return Err((
                StatusCode::FORBIDDEN,
                refusal_of(&e, "revoked_device", None, &name),
            ));
        }
        Ok(Some((public, village, false))) => (public, village),
    };
    log.village = Some(village.clone());
    // A part after the first continues an upload the device itself began (its first part was
    // signed), at exactly the length held: only the beginnings are counted against the rate.
    let continues = part.as_ref().is_some_and(|p| p.offset > 0);
    if continues
        && let Some(p) = &part
        && held(state, device, &p.sha256) != p.offset
    {
        return Err((
            StatusCode::CONFLICT,
            request_refusal(
                "offset",
                "上传的续传位置与县里已收到的不符，请重新同步（会从已收到处继续）。".into(),
                "The upload resumes at another byte than the county holds; sync again (it continues from what arrived).".into(),
            ),
        ));
    }
    if !continues && !state.allow(device) {
        return Err((
            StatusCode::TOO_MANY_REQUESTS,
            request_refusal(
                "rate_limited",
                format!(
                    "这台设备一分钟内的同步请求太多（上限 {} 次），请稍后再试；县库未做任何改动。",
                    state.per_minute
                ),
                format!(
                    "Too many sync requests from this device within a minute (at most {}); try again later. The county database was not changed.",
                    state.per_minute
                ),
            ),
        ));
    }
    let too_large = || {
        let e = SyncError::TooLarge {
            file: PathBuf::from(&name),
            limit_mb: MAX_BUNDLE_BYTES / (1024 * 1024),
        };
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            refusal_of(&e, "too_large", None, &name),
        )
    };
    let declared: Option<u64> = header("content-length").and_then(|l| l.parse().ok());
    let whole_declared = part.as_ref().map_or(declared, |p| Some(p.total));
    if whole_declared.is_some_and(|l| l > MAX_BUNDLE_BYTES)
        || part
            .as_ref()
            .is_some_and(|p| declared.is_some_and(|l| p.offset + l > p.total))
    {
        return Err(too_large());
    }
    let time: i64 = header(wire::TIME_HEADER)
        .and_then(|t| t.parse().ok())
        .ok_or_else(unsigned)?;
    let signature = header(wire::SIGNATURE_HEADER).ok_or_else(unsigned)?;
    if (wire::now_secs() - time).abs() > wire::MAX_CLOCK_SKEW_SECS {
        return Err((
            StatusCode::UNAUTHORIZED,
            request_refusal(
                "clock",
                "这台电脑的时间与县里服务器相差超过一天，请把电脑的日期和时间调准后再同步；县库未做任何改动。".into(),
                "This computer's clock is more than a day away from the county server's; set its date and time right and sync again. The county database was not changed.".into(),
            ),
        ));
    }
    // The body goes to a file of its own, hashed as it arrives.
    let folder = state.spool.join(Uuid::new_v4().to_string());
    let file = folder.join(&name);
    let kept = Spooled(folder.clone());
    let io_error = |e: std::io::Error| server_error(&NetError::Io(e));
    tokio::fs::create_dir_all(&folder).await.map_err(io_error)?;
    let limit = part
        .as_ref()
        .map_or(MAX_BUNDLE_BYTES, |p| p.total.saturating_sub(p.offset));
    let (bytes, hash) = match read_body(request.into_body(), &file, limit).await {
        Ok(read) => read,
        Err(BodyError::TooLarge) => return Err(too_large()),
        Err(BodyError::Io(e)) => return Err(io_error(e)),
        Err(BodyError::Cut(detail)) => {
            return Err((
                StatusCode::BAD_REQUEST,
                request_refusal(
                    "incomplete",
                    format!("上传没有传完（{detail}），县库未做任何改动；请重新同步。"),
                    format!(
                        "The upload did not arrive whole ({detail}); the county database was not changed. Sync again."
                    ),
                ),
            ));
        }
    };
    log.bytes_in = bytes;
    let message = wire::request_message(method.as_str(), &signed_path, device, time, &hash);
    if !wire::verify_request(&public.verifying_key, &message, &signature) {
        return Err(unsigned());
    }
    if let Some(sha256) = asked {
        return Ok(Uploaded::Held(held(state, device, &sha256)));
    }
    // A part: appended to what is held; the bundle goes on to the merge once whole.
    let file = match &part {
        None => file,
        Some(p) => {
            let partial = partial_path(state, device, &p.sha256);
            let appended =
                tokio::task::block_in_place(|| -> std::io::Result<(u64, Option<String>)> {
                    use std::io::Write;
                    if p.offset == 0 {
                        drop_partials(state, device);
                        std::fs::create_dir_all(state.spool.join("partial"))?;
                    }
                    let chunk = std::fs::read(&file)?;
                    let mut out = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&partial)?;
                    out.write_all(&chunk)?;
                    out.sync_data()?;
                    let length = out.metadata()?.len();
                    let whole = (length == p.total)
                        .then(|| std::fs::read(&partial).map(|b| hex::encode(Sha256::digest(&b))))
                        .transpose()?;
                    Ok((length, whole))
                })
                .map_err(io_error)?;
            match appended {
                (length, None) => return Ok(Uploaded::Held(length)),
                (_, Some(whole)) if whole != p.sha256 => {
                    let _ = std::fs::remove_file(&partial);
                    return Err((
                        StatusCode::BAD_REQUEST,
                        request_refusal(
                            "incomplete",
                            "上传的各部分拼起来与数据包的哈希不符，已丢弃，县库未做任何改动；请重新同步。".into(),
                            "The parts of the upload do not add up to the bundle's hash; dropped, the county database was not changed. Sync again.".into(),
                        ),
                    ));
                }
                (_, Some(_)) => {
                    std::fs::rename(&partial, &file).map_err(io_error)?;
                    file
                }
            }
        }
    };
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job = Job {
        village,
        file,
        name,
        reply,
    };
    if state.jobs.send(job).is_err() {
        return Err(server_error(&NetError::Stopping));
    }
    let answered = answer
        .await
        .unwrap_or_else(|_| Err(server_error(&NetError::Stopping)));
    drop(kept);
    answered.map(Uploaded::Answer)
}

/// Removes an upload's folder however its request ends.
struct Spooled(PathBuf);

impl Drop for Spooled {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

enum BodyError {
    TooLarge,
    Cut(String),
    Io(std::io::Error),
}

/// Writes the body to `file` as it arrives, at most `limit` bytes; returns its length
/// and SHA-256 (hex).
async fn read_body(
    mut body: Incoming,
    file: &Path,
    limit: u64,
) -> Result<(u64, String), BodyError> {
    let mut out = tokio::fs::File::create(file).await.map_err(BodyError::Io)?;
    let mut hasher = Sha256::new();
    let mut total: u64 = 0;
    loop {
        let frame = match tokio::time::timeout(BODY_IDLE_TIMEOUT, body.frame()).await {
            Err(_) => return Err(BodyError::Cut("timed out".into())),
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(BodyError::Cut(e.to_string())),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        total += data.len() as u64;
        if total > limit {
            return Err(BodyError::TooLarge);
        }
        hasher.update(&data);
        out.write_all(&data).await.map_err(BodyError::Io)?;
    }
    out.flush().await.map_err(BodyError::Io)?;
    Ok((total, hex::encode(hasher.finalize())))
}

/// The one thread that writes the county database: each upload verified and merged by the
/// import code, the villages' figures kept fresh as `bundle import` keeps them, then the
/// device's return bundle written.
fn merge_loop(mut store: Store, queue: std::sync::mpsc::Receiver<Job>) {
    for job in queue {
        let answer = merge(&mut store, &job);
        let _ = job.reply.send(answer);
    }
    let _ = store.close();
}

fn merge(store: &mut Store, job: &Job) -> Result<Answer, (StatusCode, Refusal)> {
    let server_error = |e: &dyn Localize| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            request_refusal("server_error", e.localize(Lang::Zh), e.localize(Lang::En)),
        )
    };
    let reports = match import_files(store, std::slice::from_ref(&job.file), &mut |_| {}) {
        Ok(reports) => reports,
        Err(e) => {
            return Err(match e.refused_bundle() {
                Some((_, code)) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    refusal_of(&e, code, Some(&job.file), &job.name),
                ),
                None => server_error(&e),
            });
        }
    };
    // The figures are a convenience of the county table: a failure to keep them does not undo
    // the merge (the window computes them again).
    let _ = crate::workspace::county::refresh_imported(
        store,
        &reports,
        crate::workspace::clock_today(),
    );
    let out = job.file.with_file_name("return.dripline");
    county::write_return(store, &job.village, &out, &mut |_| {}).map_err(|e| server_error(&e))?;
    let return_bundle = std::fs::read(&out).map_err(|e| server_error(&NetError::Io(e)))?;
    Ok(Answer {
        already_imported: reports.iter().all(|r| r.already_imported),
        return_bundle,
    })
}
