//! Keys, signatures and encryption of bundles.
//!
//! A device signs with Ed25519 (`ed25519-dalek` 2, verified with `verify_strict`) and receives
//! encrypted bundles with an age X25519 identity; a county is a device with a county code. The
//! public halves travel as one line of text that a person can paste:
//! `dripline-device:<uuid>:<ed25519 hex>:<age1…>` and `dripline-county:<code>:<ed25519 hex>:<age1…>`,
//! the county's line followed, once its sync server has run, by `:<certificate sha-256 hex>:<https
//! URL>` (the server a laptop syncs with over the network, and the certificate it pins).
//! The secret halves stay in the database's `meta` table, next to the data they protect. A file
//! copied onto another computer drops them and becomes a new device (`store::installation`).

use std::str::FromStr;

use age::secrecy::ExposeSecret;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::SyncError;
use crate::store::Store;

use crate::store::installation::{AGE_KEY, SIGNING_KEY};
/// The county's public key line, set on a village device (`keys set-county`).
pub const COUNTY_KEY: &str = "sync_county_key";
/// The county code of a county database (`county init`); absent on a village device.
pub const COUNTY_CODE: &str = crate::store::migrate_issue13::COUNTY_CODE_KEY;

/// This installation's identity: its device id and its two secret keys.
pub struct DeviceIdentity {
    pub device: Uuid,
    signing: SigningKey,
    age: age::x25519::Identity,
}

/// A device's public keys, as registered by the county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicePublic {
    pub device: Uuid,
    pub verifying_key: VerifyingKey,
    pub recipient: String,
}

/// A county's public keys, as set on each village device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountyPublic {
    pub county_code: String,
    pub verifying_key: VerifyingKey,
    pub recipient: String,
    /// The county's sync server and its pinned certificate, once known (issue 15).
    pub server: Option<ServerPin>,
}

/// Where the county's sync server listens and the SHA-256 of its certificate, which a laptop
/// pins instead of trusting a certificate authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerPin {
    /// `https://HOST:PORT`, without a trailing slash.
    pub url: String,
    /// Lowercase hex of the SHA-256 of the certificate (DER), 64 characters.
    pub fingerprint: String,
}

impl ServerPin {
    /// Checks and normalizes both halves: an https URL with a host, and 32 bytes of hex (colons
    /// and capitals allowed, as tools print them).
    pub fn new(url: &str, fingerprint: &str) -> Result<ServerPin, SyncError> {
        Ok(ServerPin {
            url: normalize_url(url)?,
            fingerprint: normalize_fingerprint(fingerprint)?,
        })
    }
}

/// An `https://HOST[:PORT]` URL, trimmed of a trailing slash; anything else (http, a path, no
/// host) is refused.
pub fn normalize_url(url: &str) -> Result<String, SyncError> {
    let url = url.trim().trim_end_matches('/');
    let bad = || SyncError::BadUrl(url.to_string());
    let rest = url.strip_prefix("https://").ok_or_else(bad)?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err(bad());
    }
    Ok(url.to_string())
}

/// 64 hex digits, lowercase; colons and spaces between the bytes are dropped.
pub fn normalize_fingerprint(text: &str) -> Result<String, SyncError> {
    let hex: String = text
        .trim()
        .chars()
        .filter(|c| *c != ':' && *c != ' ')
        .collect::<String>()
        .to_ascii_lowercase();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(SyncError::BadFingerprint(text.trim().to_string()));
    }
    Ok(hex)
}

impl DeviceIdentity {
    /// Reads the identity of `store`, if it has one yet.
    pub fn load(store: &Store) -> Result<Option<DeviceIdentity>, SyncError> {
        Self::load_on(store.conn(), store.device_id())
    }

    pub(crate) fn load_on(
        conn: &rusqlite::Connection,
        device: Uuid,
    ) -> Result<Option<DeviceIdentity>, SyncError> {
        let meta = |key: &str| -> Result<Option<String>, SyncError> {
            use rusqlite::OptionalExtension;
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
                .map_err(|e| SyncError::Store(e.into()))
        };
        let (Some(signing), Some(age)) = (meta(SIGNING_KEY)?, meta(AGE_KEY)?) else {
            return Ok(None);
        };
        let bytes: [u8; 32] = hex::decode(&signing)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| SyncError::BadKey(SIGNING_KEY.to_string()))?;
        let age = age::x25519::Identity::from_str(&age)
            .map_err(|_| SyncError::BadKey(AGE_KEY.to_string()))?;
        Ok(Some(DeviceIdentity {
            device,
            signing: SigningKey::from_bytes(&bytes),
            age,
        }))
    }

    /// Reads the identity of `store`, creating it the first time.
    pub fn load_or_create(store: &mut Store) -> Result<DeviceIdentity, SyncError> {
        if let Some(identity) = Self::load(store)? {
            return Ok(identity);
        }
        // ed25519-dalek 2 takes rand_core 0.6 RNGs; 32 bytes from the OS avoid a second rand.
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| SyncError::Random(e.to_string()))?;
        let age = age::x25519::Identity::generate();
        // Both keys or neither: one transaction.
        let sql = |e: rusqlite::Error| SyncError::Store(e.into());
        let tx = store.conn_mut().transaction().map_err(sql)?;
        for (key, value) in [
            (SIGNING_KEY, hex::encode(secret)),
            (AGE_KEY, age.to_string().expose_secret().to_string()),
        ] {
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                [key, value.as_str()],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Self::load(store)?.ok_or_else(|| SyncError::BadKey(SIGNING_KEY.to_string()))
    }

    pub fn public(&self) -> DevicePublic {
        DevicePublic {
            device: self.device,
            verifying_key: self.signing.verifying_key(),
            recipient: self.age.to_public().to_string(),
        }
    }

    pub fn sign(&self, bytes: &[u8]) -> [u8; 64] {
        self.signing.sign(bytes).to_bytes()
    }

    /// Decrypts an age payload addressed to this device.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Option<Vec<u8>> {
        age::decrypt(&self.age, ciphertext).ok()
    }
}

/// Checks an Ed25519 signature strictly (no malleable or small-order forms).
pub fn verify(key: &VerifyingKey, bytes: &[u8], signature: &[u8; 64]) -> bool {
    key.verify_strict(bytes, &Signature::from_bytes(signature))
        .is_ok()
}

/// A short fingerprint of a verifying key (first 16 bytes of its SHA-256, hex), named in headers.
pub fn fingerprint(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..16])
}

/// Encrypts `plaintext` to every recipient (age X25519 + ChaCha20-Poly1305).
pub fn encrypt(recipients: &[String], plaintext: &[u8]) -> Result<Vec<u8>, SyncError> {
    let parsed: Vec<age::x25519::Recipient> = recipients
        .iter()
        .map(|r| age::x25519::Recipient::from_str(r).map_err(|_| SyncError::BadKey(r.clone())))
        .collect::<Result<_, _>>()?;
    let encryptor =
        age::Encryptor::with_recipients(parsed.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| SyncError::Encrypt(e.to_string()))?;
    let mut out = Vec::with_capacity(plaintext.len() + 512);
    let mut writer = encryptor
        .wrap_output(&mut out)
        .map_err(|e| SyncError::Encrypt(e.to_string()))?;
    std::io::Write::write_all(&mut writer, plaintext)
        .and_then(|()| writer.finish().map(|_| ()))
        .map_err(|e| SyncError::Encrypt(e.to_string()))?;
    Ok(out)
}

fn parse_verifying_key(text: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(text).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

fn valid_recipient(text: &str) -> bool {
    age::x25519::Recipient::from_str(text).is_ok()
}

impl DevicePublic {
    pub fn to_line(&self) -> String {
        format!(
            "dripline-device:{}:{}:{}",
            self.device,
            hex::encode(self.verifying_key.as_bytes()),
            self.recipient
        )
    }

    pub fn parse(line: &str) -> Result<DevicePublic, SyncError> {
        let bad = || SyncError::BadKey(line.trim().to_string());
        let parts: Vec<&str> = line.trim().split(':').collect();
        let ["dripline-device", device, key, recipient] = parts.as_slice() else {
            return Err(bad());
        };
        if !valid_recipient(recipient) {
            return Err(bad());
        }
        Ok(DevicePublic {
            device: Uuid::parse_str(device).map_err(|_| bad())?,
            verifying_key: parse_verifying_key(key).ok_or_else(bad)?,
            recipient: recipient.to_string(),
        })
    }
}

impl CountyPublic {
    pub fn to_line(&self) -> String {
        let mut line = format!(
            "dripline-county:{}:{}:{}",
            self.county_code,
            hex::encode(self.verifying_key.as_bytes()),
            self.recipient
        );
        if let Some(pin) = &self.server {
            line.push_str(&format!(":{}:{}", pin.fingerprint, pin.url));
        }
        line
    }

    /// Reads a county line, with or without the server part (lines from before issue 15 have
    /// none). The URL comes last: its own colons stay in it.
    pub fn parse(line: &str) -> Result<CountyPublic, SyncError> {
        let bad = || SyncError::BadKey(line.trim().to_string());
        let parts: Vec<&str> = line.trim().splitn(6, ':').collect();
        let (code, key, recipient, server) = match parts.as_slice() {
            ["dripline-county", code, key, recipient] => (code, key, recipient, None),
            ["dripline-county", code, key, recipient, fingerprint, url] => (
                code,
                key,
                recipient,
                Some(ServerPin::new(url, fingerprint).map_err(|_| bad())?),
            ),
            _ => return Err(bad()),
        };
        if code.is_empty() || !valid_recipient(recipient) {
            return Err(bad());
        }
        Ok(CountyPublic {
            county_code: code.to_string(),
            verifying_key: parse_verifying_key(key).ok_or_else(bad)?,
            recipient: recipient.to_string(),
            server,
        })
    }

    /// The same keys (the server part aside).
    pub fn same_keys(&self, other: &CountyPublic) -> bool {
        self.county_code == other.county_code
            && self.verifying_key == other.verifying_key
            && self.recipient == other.recipient
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_signs_encrypts_and_its_public_line_round_trips() {
        let mut store = Store::in_memory().unwrap();
        let id = DeviceIdentity::load_or_create(&mut store).unwrap();
        let again = DeviceIdentity::load_or_create(&mut store).unwrap();
        assert_eq!(id.public(), again.public(), "created once, then reused");

        let public = id.public();
        assert_eq!(DevicePublic::parse(&public.to_line()).unwrap(), public);
        assert!(DevicePublic::parse("dripline-device:x:y:z").is_err());

        let signature = id.sign(b"header+payload");
        assert!(verify(&public.verifying_key, b"header+payload", &signature));
        assert!(!verify(
            &public.verifying_key,
            b"header+payloaD",
            &signature
        ));

        let sealed = encrypt(std::slice::from_ref(&public.recipient), b"secret rows").unwrap();
        assert_eq!(id.decrypt(&sealed).unwrap(), b"secret rows");
        let mut other_store = Store::in_memory().unwrap();
        let other = DeviceIdentity::load_or_create(&mut other_store).unwrap();
        assert!(other.decrypt(&sealed).is_none(), "wrong key cannot read it");
    }

    #[test]
    fn county_line_carries_the_server_pin_and_old_lines_still_parse() {
        let mut store = Store::in_memory().unwrap();
        let public = DeviceIdentity::load_or_create(&mut store).unwrap().public();
        let mut county = CountyPublic {
            county_code: "522601".into(),
            verifying_key: public.verifying_key,
            recipient: public.recipient,
            server: None,
        };
        let old = county.to_line();
        assert_eq!(old.matches(':').count(), 3, "the line of before issue 15");
        assert_eq!(CountyPublic::parse(&old).unwrap(), county);
        let fingerprint = "AB:".repeat(31) + "AB";
        county.server = Some(ServerPin::new("https://10.0.0.5:8443/", &fingerprint).unwrap());
        let line = county.to_line();
        assert!(line.ends_with(&format!(":{}:https://10.0.0.5:8443", "ab".repeat(32))));
        let parsed = CountyPublic::parse(&line).unwrap();
        assert_eq!(parsed, county);
        assert!(parsed.same_keys(&CountyPublic::parse(&old).unwrap()));
        for bad in [
            format!("{old}:{}", "ab".repeat(32)),
            format!("{old}:abcd:https://10.0.0.5:8443"),
            format!("{old}:{}:http://10.0.0.5:8443", "ab".repeat(32)),
            format!("{old}:{}:https://10.0.0.5/sync", "ab".repeat(32)),
        ] {
            assert!(CountyPublic::parse(&bad).is_err(), "{bad}");
        }
    }
}
