//! The file layout of a `.dripline` bundle, format versions [`OLDEST_FORMAT`] to
//! [`FORMAT_VERSION`]:
//!
//! ```text
//! magic "DRIPBNDL" (8 bytes) | format version u16 LE | header length u32 LE | header (JSON)
//! | payload length u64 LE | payload | Ed25519 signature (64 bytes)
//! ```
//!
//! Format 2 signs the header part (magic to the end of the header) followed by the SHA-256 of the
//! payload ([`signed_message`]), so the payload is hashed once and the signature still fails when a
//! payload byte changes; format 1 signed every byte before the signature.
//!
//! Reading checks the structure only (magic, version, lengths); the caller checks the signature
//! and the hashes before trusting a byte of it.

use super::manifest::Header;

pub const MAGIC: &[u8; 8] = b"DRIPBNDL";
/// The format this build writes.
pub const FORMAT_VERSION: u16 = 2;
/// The oldest format this build still reads.
pub const OLDEST_FORMAT: u16 = 1;
/// Put before the header part and the payload hash in the message a format-2 signature covers.
const SIGNATURE_CONTEXT: &[u8] = b"dripline bundle format 2 signature\0";
pub const SIGNATURE_LEN: usize = 64;
/// A header is a few hundred bytes; anything near this is not ours.
const MAX_HEADER_LEN: usize = 1 << 20;

/// Why a file is not a readable bundle of this format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutError {
    NotABundle,
    Truncated,
    TooOld(u16),
    TooNew(u16),
    BadHeader(String),
}

/// A bundle split into its parts (not yet verified).
pub struct RawBundle<'a> {
    pub version: u16,
    pub header: Header,
    /// Magic, version, header length and header: what a format-2 signature covers with the
    /// payload's hash.
    pub header_part: &'a [u8],
    /// Everything before the signature (what a format-1 signature covers).
    pub signed: &'a [u8],
    pub payload: &'a [u8],
    pub signature: [u8; SIGNATURE_LEN],
}

/// Lays out a bundle without its signature; the caller appends `sign(bytes)`.
pub fn write_unsigned(header: &Header, payload: &[u8]) -> Vec<u8> {
    let header_json = serde_json::to_vec(header).expect("a header serialises");
    let mut out = Vec::with_capacity(header_json.len() + payload.len() + 100);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(header_json.len() as u32).to_le_bytes());
    out.extend_from_slice(&header_json);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Splits `bytes` into header, payload and signature, checking the layout.
pub fn read(bytes: &[u8]) -> Result<RawBundle<'_>, LayoutError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(if MAGIC.starts_with(bytes) {
            LayoutError::Truncated
        } else {
            LayoutError::NotABundle
        });
    }
    let mut at = MAGIC.len();
    let version = u16::from_le_bytes(take::<2>(bytes, &mut at)?);
    if version < OLDEST_FORMAT {
        return Err(LayoutError::TooOld(version));
    }
    if version > FORMAT_VERSION {
        return Err(LayoutError::TooNew(version));
    }
    let header_len = u32::from_le_bytes(take::<4>(bytes, &mut at)?) as usize;
    if header_len > MAX_HEADER_LEN {
        return Err(LayoutError::BadHeader(format!("length {header_len}")));
    }
    let header_bytes = bytes
        .get(at..at + header_len)
        .ok_or(LayoutError::Truncated)?;
    at += header_len;
    let header_end = at;
    let payload_len = u64::from_le_bytes(take::<8>(bytes, &mut at)?);
    let payload_end = usize::try_from(payload_len)
        .ok()
        .and_then(|len| at.checked_add(len))
        .ok_or(LayoutError::Truncated)?;
    let expected_len = payload_end
        .checked_add(SIGNATURE_LEN)
        .ok_or(LayoutError::Truncated)?;
    if bytes.len() < expected_len {
        return Err(LayoutError::Truncated);
    }
    if bytes.len() > expected_len {
        return Err(LayoutError::BadHeader("trailing bytes".into()));
    }
    let header: Header =
        serde_json::from_slice(header_bytes).map_err(|e| LayoutError::BadHeader(e.to_string()))?;
    if header.format_version != version {
        return Err(LayoutError::BadHeader(format!(
            "header says format {} in a format {version} file",
            header.format_version
        )));
    }
    Ok(RawBundle {
        version,
        header,
        header_part: &bytes[..header_end],
        signed: &bytes[..payload_end],
        payload: &bytes[at..payload_end],
        signature: bytes[payload_end..].try_into().expect("length checked"),
    })
}

/// The message a format-2 signature covers: the header part and the payload's SHA-256.
pub fn signed_message(header_part: &[u8], payload_sha256: &[u8; 32]) -> Vec<u8> {
    let mut message = Vec::with_capacity(SIGNATURE_CONTEXT.len() + header_part.len() + 32);
    message.extend_from_slice(SIGNATURE_CONTEXT);
    message.extend_from_slice(header_part);
    message.extend_from_slice(payload_sha256);
    message
}

/// The length of the header part of a bundle laid out by [`write_unsigned`].
pub fn header_part_len(bytes: &[u8]) -> Option<usize> {
    let len = u32::from_le_bytes(bytes.get(10..14)?.try_into().ok()?) as usize;
    Some(14 + len)
}

fn take<const N: usize>(bytes: &[u8], at: &mut usize) -> Result<[u8; N], LayoutError> {
    let out: [u8; N] = bytes
        .get(*at..*at + N)
        .ok_or(LayoutError::Truncated)?
        .try_into()
        .expect("slice of N bytes");
    *at += N;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::manifest::{BundleKind, Counts, SUITE_PLAIN};

    fn header() -> Header {
        Header {
            format_version: FORMAT_VERSION,
            kind: BundleKind::Village,
            cipher_suite: SUITE_PLAIN.into(),
            village_code: "510824100201".into(),
            device: uuid::Uuid::nil(),
            key_fingerprint: "00".into(),
            seq_from: 1,
            seq_to: 2,
            full: false,
            created_at: "2026-01-01T00:00:00.000Z".into(),
            counts: Counts::default(),
            payload_sha256: String::new(),
            content_sha256: String::new(),
            audit_chain: None,
        }
    }

    fn bundle() -> Vec<u8> {
        let mut bytes = write_unsigned(&header(), b"payload");
        bytes.extend_from_slice(&[7u8; SIGNATURE_LEN]);
        bytes
    }

    #[test]
    fn a_written_bundle_reads_back() {
        let bytes = bundle();
        let raw = read(&bytes).unwrap();
        assert_eq!(raw.header, header());
        assert_eq!(raw.payload, b"payload");
        assert_eq!(raw.signature, [7u8; SIGNATURE_LEN]);
        assert_eq!(raw.signed.len(), bytes.len() - SIGNATURE_LEN);
    }

    #[test]
    fn every_truncation_is_refused() {
        let bytes = bundle();
        for len in 0..bytes.len() {
            let err = read(&bytes[..len]).err().expect("truncated file refused");
            assert!(
                matches!(err, LayoutError::Truncated | LayoutError::BadHeader(_)),
                "length {len}: {err:?}"
            );
        }
    }

    #[test]
    fn other_files_and_versions_are_refused() {
        assert_eq!(
            read(b"PK\x03\x04zipfile").err(),
            Some(LayoutError::NotABundle)
        );
        let mut old = bundle();
        old[8..10].copy_from_slice(&0u16.to_le_bytes());
        assert_eq!(read(&old).err(), Some(LayoutError::TooOld(0)));
        let mut new = bundle();
        new[8..10].copy_from_slice(&3u16.to_le_bytes());
        assert_eq!(read(&new).err(), Some(LayoutError::TooNew(3)));
        let mut first = bundle();
        first[8..10].copy_from_slice(&1u16.to_le_bytes());
        assert!(
            matches!(read(&first), Err(LayoutError::BadHeader(_))),
            "a format-1 file whose header says format 2"
        );
        let mut long = bundle();
        long.push(0);
        assert!(matches!(read(&long), Err(LayoutError::BadHeader(_))));
    }
}
