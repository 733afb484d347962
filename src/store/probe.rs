//! Is a file a Dripline database? Decided from its bytes alone, before SQLite opens it, so that
//! refusing a file writes nothing beside it (SQLite would create `-wal`/`-shm` files) and a named
//! pipe or a folder is never opened.
//!
//! The header (page 1) holds the application id and the schema version. In WAL mode the latest
//! committed page 1 may still sit in the `-wal` file (a writer killed while creating the file:
//! the main file has SQLite's empty header, the WAL our first schema); it is read from there
//! when the WAL has one, so such a half-created database of ours reopens (SQLite recovers the
//! WAL on a read-write open; the read-only probe of earlier versions could not, and called it
//! "not a Dripline database").

use std::io::Read;
use std::path::Path;

use super::schema::APPLICATION_ID;

const MAGIC: &[u8; 16] = b"SQLite format 3\0";
const WAL_MAGIC: [u32; 2] = [0x377f_0682, 0x377f_0683];
/// More than SQLite's largest page (64 KiB) times the frames a file may hold is not read: the
/// WAL is scanned frame header by frame header.
const MAX_PAGE: usize = 65_536;

/// What the bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Zero bytes and no committed WAL content.
    Empty,
    /// An SQLite database with no table and no application id: may be adopted.
    EmptySqlite,
    /// Ours, at this schema version (as written in the header; may be out of range).
    Ours { version: i64 },
    /// An SQLite database of another program.
    Foreign,
    /// Not an SQLite database at all (or a damaged header).
    NotSqlite,
}

fn be_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Reads the first bytes of the file at `path` (at most `n`).
fn head(path: &Path, n: usize) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(n);
    std::fs::File::open(path)?
        .take(n as u64)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The first 108 bytes of the last committed image of page 1 in the WAL beside `path`.
fn wal_page_one(path: &Path) -> Option<Vec<u8>> {
    let mut wal_path = path.as_os_str().to_os_string();
    wal_path.push("-wal");
    let meta = std::fs::metadata(&wal_path).ok()?;
    if !meta.is_file() || meta.len() < 32 {
        return None;
    }
    let mut file = std::fs::File::open(&wal_path).ok()?;
    let mut header = [0u8; 32];
    file.read_exact(&mut header).ok()?;
    if !WAL_MAGIC.contains(&be_u32(&header, 0)) {
        return None;
    }
    let page_size = be_u32(&header, 8) as usize;
    if !(512..=MAX_PAGE).contains(&page_size) || !page_size.is_power_of_two() {
        return None;
    }
    let salts = &header[16..24];
    let (mut pending, mut committed) = (None, None);
    let mut frame = vec![0u8; 24 + page_size];
    while file.read_exact(&mut frame).is_ok() {
        if &frame[8..16] != salts {
            break;
        }
        if be_u32(&frame, 0) == 1 {
            pending = Some(frame[24..24 + 108].to_vec());
        }
        // A commit frame records the database size; the frames up to it are committed.
        if be_u32(&frame, 4) != 0 && pending.is_some() {
            committed = pending.clone();
        }
    }
    committed
}

/// Judges the file at `path` (a regular file: the caller checked).
pub(crate) fn judge(path: &Path) -> std::io::Result<Verdict> {
    let main = head(path, 108)?;
    if !main.is_empty() && (main.len() < 108 || &main[..16] != MAGIC) {
        return Ok(Verdict::NotSqlite);
    }
    let page = match wal_page_one(path) {
        Some(page) if &page[..16] == MAGIC => page,
        _ if main.is_empty() => return Ok(Verdict::Empty),
        _ => main,
    };
    let app_id = be_u32(&page, 68) as i32 as i64;
    let version = be_u32(&page, 60) as i32 as i64;
    let tables = u16::from_be_bytes([page[103], page[104]]);
    Ok(if app_id == APPLICATION_ID {
        Verdict::Ours { version }
    } else if app_id == 0 && version == 0 && tables == 0 {
        Verdict::EmptySqlite
    } else {
        Verdict::Foreign
    })
}
