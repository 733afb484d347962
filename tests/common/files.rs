//! Reading back the files the app writes: PNG charts, PDF documents, the names in a folder.

use std::path::Path;

/// A decoded PNG image.
pub struct Png {
    pub width: u32,
    pub height: u32,
    pub color: png::ColorType,
    pub pixels: Vec<u8>,
}

/// Decodes PNG bytes.
pub fn decode_png(bytes: &[u8]) -> Png {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut pixels).expect("a frame");
    pixels.truncate(info.buffer_size());
    Png {
        width: info.width,
        height: info.height,
        color: info.color_type,
        pixels,
    }
}

/// The text of a PDF, without white space (extraction puts spaces between glyph runs).
pub fn pdf_text(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf)
        .expect("the PDF's text can be extracted")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The text of a PDF file.
pub fn pdf_file_text(path: &Path) -> String {
    pdf_text(&std::fs::read(path).expect("the PDF was written"))
}

/// The names in a folder, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A fingerprint of everything a database holds except its log of received bundles (which a
/// refused or repeated bundle is meant to add to): every table's rows in rowid order, and the
/// schema version. Equal fingerprints: nothing but the log changed.
pub fn fingerprint_but_receipts(path: &std::path::Path) -> String {
    use sha2::{Digest, Sha256};
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut hasher = Sha256::new();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    hasher.update(version.to_le_bytes());
    let tables: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name != 'bundle_receipt'
             ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for (table, sql) in tables {
        hasher.update(sql.as_bytes());
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                let value: rusqlite::types::Value = row.get(i).unwrap();
                hasher.update(format!("{value:?}\u{1f}").as_bytes());
            }
            hasher.update(b"\x1e");
        }
    }
    hex::encode(hasher.finalize())
}
