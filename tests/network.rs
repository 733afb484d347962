//! Issue 15: sync over the network. A county sync server on 127.0.0.1 (a free port) in a thread
//! of the test, the laptops of `Team` syncing with it: the exchange end to end, and every way it
//! must refuse — a certificate other than the pinned one, an unregistered device, a request not
//! signed by the device, a tampered bundle, too many requests — with nothing changed on either
//! side; the same bundle sent twice merged once, its answer fetched again.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::files::fingerprint_but_receipts;
use common::network::{serve, set_line};
use common::team::Team;
use dripline::i18n::{Lang, Localize};
use dripline::net::NetError;
use dripline::net::client::{Session, SyncOptions, sync_now};
use dripline::store::Store;
use dripline::store::bundle_receipts::ReceiptOutcome;
use dripline::sync::crypto::DeviceIdentity;
use dripline::sync::{county, import, status};

/// Quick tries: a refused or unreachable server is said at once.
fn options() -> SyncOptions {
    SyncOptions {
        attempts: 2,
        first_backoff: Duration::from_millis(20),
        connect_timeout: Duration::from_secs(5),
        timeout: Duration::from_secs(60),
        ..SyncOptions::default()
    }
}

fn sync(db: &Path) -> Result<dripline::net::client::Synced, NetError> {
    let mut store = Store::open(db).unwrap();
    let result = sync_now(&mut store, &options(), &mut |_| {});
    store.close().unwrap();
    result
}

fn has_household(db: &Path, id: uuid::Uuid) -> bool {
    Store::open(db).unwrap().household_record(id).is_ok()
}

fn receipts(db: &Path) -> Vec<ReceiptOutcome> {
    Store::open(db)
        .unwrap()
        .bundle_receipts()
        .unwrap()
        .into_iter()
        .map(|r| r.outcome)
        .collect()
}

/// The whole database, the log of received bundles included.
fn whole(db: &Path) -> (String, usize) {
    (fingerprint_but_receipts(db), receipts(db).len())
}

#[test]
fn a_laptop_syncs_with_the_county_over_https_and_gets_its_acknowledgement() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    let served = serve(&team.county, 60);
    assert!(
        served
            .server
            .county_line
            .contains(&served.server.pin.fingerprint)
    );
    assert!(served.server.pin.url.starts_with("https://127.0.0.1:"));
    // The county key line `keys show` gives now names the server too.
    {
        let mut store = Store::open(&team.county).unwrap();
        let line = county::county_public(&mut store).unwrap().to_line();
        assert_eq!(line, served.server.county_line);
    }
    set_line(&team.a, &served.server.county_line);
    let household = team.create_household(&team.a, "201", "龙正华", 31);
    assert!(!has_household(&team.county, household));

    let synced = sync(&team.a).unwrap();
    assert!(!synced.already_imported);
    assert!(
        synced.sent.header.counts.records >= 2,
        "the household and its head went up"
    );
    assert!(
        has_household(&team.county, household),
        "the county merged the new household"
    );
    // The laptop merged the return bundle: its changes are acknowledged.
    let st = status::status(&Store::open(&team.a).unwrap()).unwrap();
    assert_eq!(st.acked_seq, synced.sent.header.seq_to, "{st:?}");
    assert_eq!(st.pending_records, 0);
    assert!(st.pending_exports.is_empty());
    // B receives A's household through its own sync.
    set_line(&team.b, &served.server.county_line);
    assert!(!has_household(&team.b, household));
    sync(&team.b).unwrap();
    assert!(
        has_household(&team.b, household),
        "B got A's household back"
    );

    let zh = synced.localize(Lang::Zh);
    assert!(zh.starts_with("已与县里同步"), "{zh}");
    let log = served.log_text();
    let a_device = Store::open(&team.a).unwrap().device_id();
    assert!(
        log.contains(&format!("device={a_device} village={}", team.village.code)),
        "{log}"
    );
    assert!(log.contains("outcome=imported"), "{log}");
    assert!(log.contains("outcome=hello"), "{log}");
    assert_eq!(
        receipts(&team.county)
            .iter()
            .filter(|o| **o == ReceiptOutcome::Imported)
            .count(),
        3,
        "the team's first bundle, then A's and B's over the network"
    );
}

#[test]
fn a_certificate_other_than_the_pinned_one_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    let served = serve(&team.county, 60);
    let fingerprint = &served.server.pin.fingerprint;
    let wrong = "0".repeat(64);
    set_line(
        &team.a,
        &served.server.county_line.replace(fingerprint, &wrong),
    );
    team.create_household(&team.a, "202", "杨秀英", 32);
    let (laptop, county_db) = (whole(&team.a), whole(&team.county));
    let e = sync(&team.a).unwrap_err();
    assert!(matches!(e, NetError::WrongCertificate { .. }), "{e:?}");
    assert!(
        e.localize(Lang::Zh).contains("指纹不符"),
        "{}",
        e.localize(Lang::Zh)
    );
    assert!(e.localize(Lang::En).contains("nothing was changed"));
    assert_eq!(whole(&team.a), laptop, "nothing written on the laptop");
    assert_eq!(
        whole(&team.county),
        county_db,
        "nothing written at the county"
    );

    // With the pinned one it goes through.
    set_line(&team.a, &served.server.county_line);
    sync(&team.a).unwrap();
}

#[test]
fn an_unregistered_device_is_refused_with_the_words_of_bundle_import() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    let served = serve(&team.county, 60);
    // A third laptop of the village, never registered at the county.
    let c = dir.path().join("c.sqlite");
    {
        let mut store = Store::open_or_create(&c).unwrap();
        store.save_village(&team.village).unwrap();
        county::set_county_key(&mut store, &served.server.county_line).unwrap();
        store.close().unwrap();
    }
    let county_db = whole(&team.county);
    let e = sync(&c).unwrap_err();
    let NetError::Refused(refusal) = &e else {
        panic!("{e:?}");
    };
    assert_eq!(refusal.code, "unknown_device");
    let device = Store::open(&c).unwrap().device_id();
    let name = format!("{}-", team.village.code);
    assert!(refusal.zh.contains("来自未登记的设备"), "{}", refusal.zh);
    assert!(refusal.zh.contains(&device.to_string()) && refusal.zh.contains(&name));
    assert!(
        refusal.en.contains("is not registered; refused"),
        "{}",
        refusal.en
    );
    assert_eq!(e.localize(Lang::En), refusal.en);
    assert_eq!(
        whole(&team.county),
        county_db,
        "refused before anything was kept"
    );
    assert!(
        served
            .log
            .lock()
            .unwrap()
            .join("\n")
            .contains("outcome=unknown_device")
    );
}

#[test]
fn a_request_not_signed_by_the_registered_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    let served = serve(&team.county, 60);
    set_line(&team.a, &served.server.county_line);
    // The county's registry holds another key for A's device: A's signatures do not verify.
    let a = Store::open(&team.a).unwrap().device_id();
    let other = {
        let mut store = Store::in_memory().unwrap();
        DeviceIdentity::load_or_create(&mut store).unwrap().public()
    };
    let forged_line = other
        .to_line()
        .replace(&other.device.to_string(), &a.to_string());
    {
        let mut store = Store::open(&team.county).unwrap();
        county::register_device(&mut store, &team.village.code, &forged_line).unwrap();
        store.close().unwrap();
    }
    team.create_household(&team.a, "203", "吴国强", 33);
    let county_db = whole(&team.county);
    let e = sync(&team.a).unwrap_err();
    let NetError::Refused(refusal) = &e else {
        panic!("{e:?}");
    };
    assert_eq!(refusal.code, "bad_request_signature", "{refusal:?}");
    assert!(refusal.zh.contains("设备签名"));
    assert_eq!(whole(&team.county), county_db);
}

#[test]
fn the_same_bundle_sent_twice_is_merged_once_and_its_answer_comes_again() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    let served = serve(&team.county, 60);
    set_line(&team.a, &served.server.county_line);
    let household = team.create_household(&team.a, "204", "罗美兰", 34);
    let bundle = team.export(&team.a);
    let sent_to = import::read_header(&bundle).unwrap().0.seq_to;

    let mut store = Store::open(&team.a).unwrap();
    let session = Session::open(&mut store, &options()).unwrap();
    let first = session.upload(&bundle).unwrap();
    assert!(!first.already_imported);
    let merged = whole(&team.county).0;
    // The answer was lost on the way: the same bundle again.
    let second = session.upload(&bundle).unwrap();
    assert!(second.already_imported);
    assert_eq!(whole(&team.county).0, merged, "not merged a second time");
    assert_eq!(
        receipts(&team.county)[1..],
        [ReceiptOutcome::Imported, ReceiptOutcome::AlreadyImported]
    );
    // The answer fetched again is a good return bundle: it acknowledges the changes.
    let back = dir.path().join("return-again.dripline");
    std::fs::write(&back, &second.return_bundle).unwrap();
    let before = status::status(&store).unwrap();
    assert!(before.acked_seq < sent_to);
    import::import_files(&mut store, &[back], &mut |_| {}).unwrap();
    let st = status::status(&store).unwrap();
    assert_eq!(st.acked_seq, sent_to);
    store.close().unwrap();
    assert!(has_household(&team.county, household));
    let log = served.log_text();
    assert!(log.contains("outcome=already_imported"), "{log}");
}

#[test]
fn a_tampered_bundle_is_refused_over_the_wire_as_bundle_import_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    let served = serve(&team.county, 60);
    set_line(&team.a, &served.server.county_line);
    team.create_household(&team.a, "205", "潘德明", 35);
    let bundle = team.export(&team.a);
    let mut bytes = std::fs::read(&bundle).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x40;
    std::fs::write(&bundle, &bytes).unwrap();

    let county_db = fingerprint_but_receipts(&team.county);
    let mut store = Store::open(&team.a).unwrap();
    let e = Session::open(&mut store, &options())
        .unwrap()
        .upload(&bundle)
        .unwrap_err();
    store.close().unwrap();
    let NetError::Refused(refusal) = &e else {
        panic!("{e:?}");
    };
    assert_eq!(
        fingerprint_but_receipts(&team.county),
        county_db,
        "nothing of it merged"
    );
    assert_eq!(
        receipts(&team.county).last(),
        Some(&ReceiptOutcome::Refused),
        "the refusal is logged as for a file"
    );
    // Word for word what `bundle import` says of the same file (named as the laptop named it).
    let file_error = team
        .import(&team.county, std::slice::from_ref(&bundle))
        .unwrap_err();
    let shown = bundle.display().to_string();
    let name = bundle.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(refusal.code, file_error.refused_bundle().unwrap().1);
    assert_eq!(
        refusal.zh,
        file_error.localize(Lang::Zh).replace(&shown, &name)
    );
    assert_eq!(
        refusal.en,
        file_error.localize(Lang::En).replace(&shown, &name)
    );
    assert!(
        refusal.zh.ends_with("数据库未做任何改动。"),
        "{}",
        refusal.zh
    );
    assert_eq!(fingerprint_but_receipts(&team.county), county_db);
    assert!(
        served
            .log
            .lock()
            .unwrap()
            .join("\n")
            .contains(&format!("outcome={}", refusal.code))
    );
}

#[test]
fn too_many_requests_from_one_device_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    // A sync is two requests counted (where to start, the first part).
    let served = serve(&team.county, 2);
    set_line(&team.a, &served.server.county_line);
    sync(&team.a).unwrap();
    let e = sync(&team.a).unwrap_err();
    let NetError::Refused(refusal) = &e else {
        panic!("{e:?}");
    };
    assert_eq!(refusal.code, "rate_limited");
    // Another device has its own allowance.
    set_line(&team.b, &served.server.county_line);
    sync(&team.b).unwrap();
}

#[test]
fn an_unreachable_server_is_said_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    let served = serve(&team.county, 60);
    let line = served.server.county_line.clone();
    let url = served.server.pin.url.clone();
    drop(served);
    set_line(&team.a, &line);
    team.create_household(&team.a, "206", "石光荣", 36);
    let laptop = whole(&team.a);
    let e = sync(&team.a).unwrap_err();
    assert!(matches!(e, NetError::Unreachable { .. }), "{e:?}");
    let zh = e.localize(Lang::Zh);
    assert!(
        zh.starts_with(&format!(
            "无法连接县里的同步服务器（{url}），数据未改动；可改用 U 盘导出数据包。"
        )),
        "{zh}"
    );
    assert!(
        e.localize(Lang::En)
            .starts_with("Cannot reach the county sync server")
    );
    assert_eq!(whole(&team.a), laptop);
    // The file route still works.
    team.send(&team.a);
}

#[test]
fn the_server_address_can_be_added_to_an_old_county_line() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    let served = serve(&team.county, 60);
    let pin = served.server.pin.clone();
    let mut store = Store::open(&team.a).unwrap();
    // The old line has no server: sync says what to do.
    let e = sync_now(&mut store, &options(), &mut |_| {}).unwrap_err();
    assert!(
        e.localize(Lang::Zh)
            .contains("还不知道县里同步服务器的地址")
    );
    let old = county::county_key(&store).unwrap().unwrap().to_line();
    let with =
        county::set_county_server(&mut store, Some(&pin.url), Some(&pin.fingerprint)).unwrap();
    assert_eq!(with.to_line(), served.server.county_line);
    // Setting the old line again keeps the server known for the same keys.
    county::set_county_key(&mut store, &old).unwrap();
    assert_eq!(
        county::county_key(&store).unwrap().unwrap().server,
        Some(pin)
    );
    sync_now(&mut store, &options(), &mut |_| {}).unwrap();
    store.close().unwrap();
}

#[test]
fn dripline_serve_and_dripline_sync_from_the_command_line() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;

    use common::cli::{command, ok, text};

    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    let county_db = team.county.to_str().unwrap();
    let mut server = command()
        .args(["serve", "--db", county_db, "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(server.stdout.take().unwrap());
    let mut printed = String::new();
    let line = loop {
        let mut next = String::new();
        assert!(
            stdout.read_line(&mut next).unwrap() > 0,
            "serve ended: {printed}"
        );
        printed.push_str(&next);
        if next.starts_with("dripline-county:") {
            break next.trim().to_string();
        }
    };
    assert!(printed.contains("证书指纹（SHA-256）"), "{printed}");
    // A later key line adds the server to the laptop's old one.
    let a = team.a.to_str().unwrap();
    let set = ok(&["keys", "set-county", "--db", a, &line]);
    assert!(set.contains("同步服务器"), "{set}");
    let household = team.create_household(&team.a, "207", "韦小芬", 37);
    let synced = ok(&["sync", "--db", a]);
    assert!(synced.starts_with("已与县里同步"), "{synced}");
    assert!(has_household(&team.county, household));
    let json = ok(&["--lang", "en", "sync", "--db", a, "--json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["sent"]["already_imported"], false);

    server.kill().unwrap();
    server.wait().unwrap();
    let mut log = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(log.contains("POST /v1/bundle device="), "{log}");
    assert!(
        log.contains(&format!("village={}", team.village.code)),
        "{log}"
    );
    assert!(log.contains("outcome=imported"), "{log}");

    // The server is gone: the laptop is told so, in Chinese by default.
    let out = command()
        .args(["sync", "--db", a, "--attempts", "1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = text(&out.stderr);
    assert!(said.contains("无法连接县里的同步服务器"), "{said}");
}

/// A TCP proxy in front of `target` that cuts its `cut_connection`-th connection (1-based) once
/// the laptop has sent `cut_after` bytes on it; the flag says it did.
fn cutting_proxy(
    target: std::net::SocketAddr,
    cut_connection: usize,
    cut_after: usize,
) -> (std::net::SocketAddr, Arc<std::sync::atomic::AtomicBool>) {
    use std::io::{Read, Write};
    use std::net::{Shutdown, TcpListener, TcpStream};
    use std::sync::atomic::{AtomicBool, Ordering};

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let cut = Arc::new(AtomicBool::new(false));
    let flag = cut.clone();
    std::thread::spawn(move || {
        for (n, laptop) in listener.incoming().enumerate() {
            let Ok(mut laptop) = laptop else { return };
            let Ok(mut server) = TcpStream::connect(target) else {
                return;
            };
            let (mut laptop_back, mut server_back) =
                (laptop.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut server_back, &mut laptop_back);
                let _ = laptop_back.shutdown(Shutdown::Both);
            });
            let cutting = n + 1 == cut_connection;
            let flag = flag.clone();
            std::thread::spawn(move || {
                let mut sent = 0;
                let mut buffer = [0u8; 256];
                loop {
                    let read = match laptop.read(&mut buffer) {
                        Ok(0) | Err(_) => break,
                        Ok(read) => read,
                    };
                    let keep = if cutting {
                        read.min(cut_after.saturating_sub(sent))
                    } else {
                        read
                    };
                    if server.write_all(&buffer[..keep]).is_err() {
                        break;
                    }
                    sent += keep;
                    if cutting && sent >= cut_after {
                        flag.store(true, Ordering::SeqCst);
                        break;
                    }
                }
                let _ = server.shutdown(Shutdown::Both);
                let _ = laptop.shutdown(Shutdown::Both);
            });
        }
    });
    (addr, cut)
}

/// `key=value` of a log line.
fn logged(line: &str, key: &str) -> Option<String> {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(&format!("{key}=")))
        .map(str::to_string)
}

#[test]
fn an_upload_cut_in_the_middle_resumes_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    let served = serve(&team.county, 600);
    let households: Vec<uuid::Uuid> = (0..12)
        .map(|n| team.create_household(&team.a, &format!("4{n:02}"), "覃志刚", 100 + n))
        .collect();
    // Connections: 1 hello, 2 where to start, 3–4 the first two parts, 5 the third, cut in
    // the middle of its request (its TLS record never arrives whole: the part is lost).
    let (proxy, cut) = cutting_proxy(served.server.addr, 5, 1300);
    let pin = &served.server.pin;
    set_line(
        &team.a,
        &served
            .server
            .county_line
            .replace(&pin.url, &format!("https://{proxy}")),
    );
    let bundle = team.export(&team.a);
    let length = std::fs::metadata(&bundle).unwrap().len();
    let part_bytes = 1024;
    assert!(
        length > 4 * part_bytes as u64,
        "{length} bytes: several parts"
    );

    let options = SyncOptions {
        part_bytes,
        ..options()
    };
    let mut store = Store::open(&team.a).unwrap();
    let session = Session::open(&mut store, &options).unwrap();
    let uploaded = session.upload(&bundle).unwrap();
    store.close().unwrap();
    assert!(
        cut.load(std::sync::atomic::Ordering::SeqCst),
        "the proxy cut"
    );
    assert!(!uploaded.already_imported);
    for h in households {
        assert!(has_household(&team.county, h));
    }

    let log = served.log_text();
    // The second "where to start" was answered with what had arrived before the cut.
    let resumed_at: Vec<u64> = log
        .lines()
        .filter(|l| l.contains("GET /v1/upload"))
        .filter_map(|l| logged(l, "outcome")?.strip_prefix("held:")?.parse().ok())
        .collect();
    assert_eq!(resumed_at.len(), 2, "{log}");
    assert_eq!(resumed_at[0], 0);
    assert!(resumed_at[1] >= 2 * part_bytes as u64, "{log}");
    // Every byte of the bundle was kept once: nothing sent again from the start.
    let kept: u64 = log
        .lines()
        .filter(|l| l.contains("POST /v1/bundle"))
        .filter(|l| matches!(logged(l, "status").as_deref(), Some("200" | "202")))
        .filter_map(|l| logged(l, "in")?.parse::<u64>().ok())
        .sum();
    assert_eq!(kept, length, "{log}");
    assert_eq!(
        receipts(&team.county)
            .iter()
            .filter(|o| **o == ReceiptOutcome::Imported)
            .count(),
        2,
        "the team's first bundle, then this one once"
    );
}
