//! What travels over HTTPS between a laptop and the county's sync server (documented in
//! `docs/bundle-format.md`, "Over the network"): the endpoints, the request signature, and the
//! refusal a server answers with.

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::sync::crypto::{self, DeviceIdentity};

/// `GET`: which county answers (unsigned; the TLS pin is what it checks).
pub const HELLO_PATH: &str = "/v1/hello";
/// `POST` a village bundle (the file's bytes); the answer is this device's return bundle. With
/// `?sha256=H&offset=N&total=T` the body is the part of the bundle from byte N (a resumable
/// upload): answered `202` with the bytes held so far until the last part, then as a whole upload.
pub const BUNDLE_PATH: &str = "/v1/bundle";
/// `GET ?sha256=H` (signed): how many bytes of the bundle with this hash the server holds from
/// this device, `{"offset": N}`, where an interrupted upload resumes.
pub const UPLOAD_PATH: &str = "/v1/upload";

/// The device sending the request (its uuid).
pub const DEVICE_HEADER: &str = "x-dripline-device";
/// When it was signed: seconds since 1970 (UTC).
pub const TIME_HEADER: &str = "x-dripline-time";
/// The Ed25519 signature (hex) of [`request_message`] by the device's key.
pub const SIGNATURE_HEADER: &str = "x-dripline-signature";
/// The bundle's file name on the laptop, so that refusals and the county's log name it as
/// `bundle import` would.
pub const FILE_HEADER: &str = "x-dripline-file";
/// On an answered upload: `imported` or `already_imported`.
pub const OUTCOME_HEADER: &str = "x-dripline-outcome";

/// How far a request's time may be from the server's: village laptops' clocks drift, and a
/// replayed upload is harmless (merged once), so the window is wide.
pub const MAX_CLOCK_SKEW_SECS: i64 = 24 * 3600;

/// What a device signs for one request: method, path, device, time and the SHA-256 of the body,
/// one per line after a fixed first line.
pub fn request_message(
    method: &str,
    path: &str,
    device: Uuid,
    time_secs: i64,
    body_sha256_hex: &str,
) -> Vec<u8> {
    format!("dripline-request-1\n{method}\n{path}\n{device}\n{time_secs}\n{body_sha256_hex}")
        .into_bytes()
}

/// The signature headers' values for a request.
pub fn sign_request(
    identity: &DeviceIdentity,
    method: &str,
    path: &str,
    time_secs: i64,
    body_sha256_hex: &str,
) -> String {
    hex::encode(identity.sign(&request_message(
        method,
        path,
        identity.device,
        time_secs,
        body_sha256_hex,
    )))
}

/// Checks a request's signature against the device's registered key.
pub fn verify_request(key: &VerifyingKey, message: &[u8], signature_hex: &str) -> bool {
    let Some(signature) = hex::decode(signature_hex)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
    else {
        return false;
    };
    crypto::verify(key, message, &signature)
}

/// A refusal, as the server answers it (JSON): a stable code and the reason in both languages,
/// word for word what `bundle import` says for a refused bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub code: String,
    pub zh: String,
    pub en: String,
}

/// The answer to [`UPLOAD_PATH`], and to a part of an upload that is not the last.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Offset {
    pub offset: u64,
}

/// The part of a resumable upload a request carries: the whole bundle's hash and length, and
/// where this part starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub sha256: String,
    pub offset: u64,
    pub total: u64,
}

impl Part {
    pub fn query(&self) -> String {
        format!(
            "sha256={}&offset={}&total={}",
            self.sha256, self.offset, self.total
        )
    }

    /// Reads `sha256=…&offset=…&total=…` (any order); `None` when a field is missing or bad.
    pub fn parse(query: &str) -> Option<Part> {
        let mut sha256 = None;
        let (mut offset, mut total) = (None, None);
        for pair in query.split('&') {
            match pair.split_once('=')? {
                ("sha256", v) if v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit()) => {
                    sha256 = Some(v.to_ascii_lowercase())
                }
                ("offset", v) => offset = v.parse().ok(),
                ("total", v) => total = v.parse().ok(),
                _ => return None,
            }
        }
        Some(Part {
            sha256: sha256?,
            offset: offset?,
            total: total?,
        })
    }
}

/// The hash named by an offset query (`sha256=H`).
pub fn queried_hash(query: &str) -> Option<String> {
    let hash = query.strip_prefix("sha256=")?;
    (hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| hash.to_ascii_lowercase())
}

/// The answer to [`HELLO_PATH`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hello {
    pub county_code: String,
}

/// Seconds since 1970.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A file name as the laptop sends it: the last path component, printable, at most 100
/// characters; anything else becomes `upload.dripline`.
pub fn clean_file_name(name: Option<&str>) -> String {
    let name = name
        .and_then(|n| n.rsplit(['/', '\\']).next())
        .unwrap_or_default()
        .trim();
    let fine = !name.is_empty()
        && name.chars().count() <= 100
        && name != "."
        && name != ".."
        && !name.chars().any(|c| c.is_control());
    if fine {
        name.to_string()
    } else {
        "upload.dripline".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn a_request_signature_covers_method_path_device_time_and_body() {
        let mut store = Store::in_memory().unwrap();
        let identity = DeviceIdentity::load_or_create(&mut store).unwrap();
        let key = identity.public().verifying_key;
        let signature = sign_request(&identity, "POST", BUNDLE_PATH, 1000, "aa");
        let message = |m, p, t, b| request_message(m, p, identity.device, t, b);
        assert!(verify_request(
            &key,
            &message("POST", BUNDLE_PATH, 1000, "aa"),
            &signature
        ));
        for other in [
            message("GET", BUNDLE_PATH, 1000, "aa"),
            message("POST", HELLO_PATH, 1000, "aa"),
            message("POST", BUNDLE_PATH, 1001, "aa"),
            message("POST", BUNDLE_PATH, 1000, "ab"),
            request_message("POST", BUNDLE_PATH, Uuid::new_v4(), 1000, "aa"),
        ] {
            assert!(!verify_request(&key, &other, &signature));
        }
        assert!(!verify_request(
            &key,
            &message("POST", BUNDLE_PATH, 1000, "aa"),
            "zz"
        ));
    }

    #[test]
    fn the_part_of_an_upload_reads_back_from_its_query() {
        let part = Part {
            sha256: "ab".repeat(32),
            offset: 4096,
            total: 10_000,
        };
        assert_eq!(Part::parse(&part.query()), Some(part.clone()));
        assert_eq!(Part::parse("offset=1&total=2"), None);
        assert_eq!(Part::parse(&format!("{}&x=1", part.query())), None);
        assert_eq!(
            queried_hash(&format!("sha256={}", "AB".repeat(32))),
            Some("ab".repeat(32))
        );
        assert_eq!(queried_hash("sha256=zz"), None);
    }

    #[test]
    fn file_names_from_the_wire_are_cleaned() {
        assert_eq!(clean_file_name(Some("a-3.dripline")), "a-3.dripline");
        assert_eq!(clean_file_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(clean_file_name(Some("C:\\x\\b.dripline")), "b.dripline");
        assert_eq!(clean_file_name(Some("..")), "upload.dripline");
        assert_eq!(clean_file_name(Some("a\nb")), "upload.dripline");
        assert_eq!(clean_file_name(None), "upload.dripline");
    }
}
