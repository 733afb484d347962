//! A county sync server on 127.0.0.1 (a free port) in a thread of the test, with its request
//! log kept for the test to read.

use std::path::Path;
use std::sync::{Arc, Mutex};

use dripline::net::server::{self, RunningServer, ServeOptions};

pub struct Served {
    pub server: RunningServer,
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Served {
    /// Every request logged so far, one per line.
    pub fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

/// Serves `county_db`, allowing each device `per_minute` requests a minute.
pub fn serve(county_db: &Path, per_minute: u32) -> Served {
    let log = Arc::new(Mutex::new(Vec::new()));
    let lines = log.clone();
    let server = server::start(
        county_db,
        ServeOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            url: None,
            tls_files: None,
            per_minute,
            log: Arc::new(move |line| lines.lock().unwrap().push(line.to_string())),
        },
    )
    .unwrap();
    Served { server, log }
}

/// Sets the county key line (with the server part) on a laptop.
pub fn set_line(db: &Path, line: &str) {
    let mut store = dripline::store::Store::open(db).unwrap();
    dripline::sync::county::set_county_key(&mut store, line).unwrap();
    store.close().unwrap();
}
