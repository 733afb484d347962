//! The bytes of a filled survey file turned into a grid of cells, with bounded memory.
//!
//! - **CSV**: the encoding is found from the byte-order mark, else UTF-8 when the bytes are valid
//!   UTF-8, else UTF-16 without a mark when every other byte is zero, else GB18030 (a superset of
//!   GBK, what WPS and Excel write on Chinese Windows). A file none of these decodes is refused.
//!   The separator is a comma, or a tab when the first line has tabs and no commas (Excel's
//!   "Unicode text"). Every row keeps the line the user sees it on (empty lines counted) and the
//!   line it ends on, so that a field a stray quote ran over several lines can be reported.
//! - **XLSX**: before calamine parses anything, every zip entry is decompressed once into a
//!   counter, so a zip bomb is refused at [`Limits::decompressed_bytes`] whatever the archive's
//!   headers claim; then the sheet is read cell by cell (calamine's streaming cell reader, never
//!   its dense `Range`, which a single cell at XFD1048576 makes allocate 512 GiB) and refused past
//!   [`Limits::rows`], [`Limits::columns`] or [`Limits::cell_chars`]. The declared `<dimension>`
//!   is ignored.
//! - Anything that is not a regular file (a directory, a named pipe, a device) is refused without
//!   being opened, so reading never blocks.

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use calamine::{DataRef, Reader, Xlsx};

use crate::i18n::{Lang, Localize};

/// How much a survey file may make the reader read and keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Size of the file on disk.
    pub file_bytes: u64,
    /// Sum of the decompressed sizes of an xlsx file's zip entries.
    pub decompressed_bytes: u64,
    /// Zip entries of an xlsx file.
    pub zip_entries: usize,
    /// Spreadsheet rows (the last row number a cell may sit on).
    pub rows: usize,
    /// Spreadsheet columns (the last column a cell may sit in).
    pub columns: usize,
    /// Characters of one cell (Excel's own limit).
    pub cell_chars: usize,
}

/// The limits of [`read_grid`]: a village has a few thousand member rows and 40 columns, so these
/// are far above any real survey and far below what would hurt a laptop.
pub const LIMITS: Limits = Limits {
    file_bytes: 64 * 1024 * 1024,
    decompressed_bytes: 256 * 1024 * 1024,
    zip_entries: 10_000,
    rows: 100_000,
    columns: 256,
    cell_chars: 32_767,
};

/// Which limit a file went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    FileBytes,
    DecompressedBytes,
    ZipEntries,
    Rows,
    Columns,
    CellChars,
}

impl LimitKind {
    /// The figure of this limit in `limits`.
    pub fn value(self, limits: &Limits) -> u64 {
        match self {
            LimitKind::FileBytes => limits.file_bytes,
            LimitKind::DecompressedBytes => limits.decompressed_bytes,
            LimitKind::ZipEntries => limits.zip_entries as u64,
            LimitKind::Rows => limits.rows as u64,
            LimitKind::Columns => limits.columns as u64,
            LimitKind::CellChars => limits.cell_chars as u64,
        }
    }

    /// The limit `v` in words.
    pub fn describe(self, v: u64, lang: Lang) -> String {
        let mib = v / (1024 * 1024);
        match (self, lang) {
            (LimitKind::FileBytes, Lang::Zh) => format!("文件大小上限 {mib} MB"),
            (LimitKind::FileBytes, Lang::En) => format!("the file size limit of {mib} MB"),
            (LimitKind::DecompressedBytes, Lang::Zh) => format!("解压后大小上限 {mib} MB"),
            (LimitKind::DecompressedBytes, Lang::En) => {
                format!("the decompressed size limit of {mib} MB")
            }
            (LimitKind::ZipEntries, Lang::Zh) => format!("压缩包内文件数上限 {v} 个"),
            (LimitKind::ZipEntries, Lang::En) => format!("the limit of {v} entries in the archive"),
            (LimitKind::Rows, Lang::Zh) => format!("行数上限 {v} 行"),
            (LimitKind::Rows, Lang::En) => format!("the limit of {v} rows"),
            (LimitKind::Columns, Lang::Zh) => format!("列数上限 {v} 列"),
            (LimitKind::Columns, Lang::En) => format!("the limit of {v} columns"),
            (LimitKind::CellChars, Lang::Zh) => format!("单元格字数上限 {v} 字"),
            (LimitKind::CellChars, Lang::En) => format!("the limit of {v} characters in a cell"),
        }
    }
}

/// The text encoding a CSV file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Gb18030,
}

impl CsvEncoding {
    /// The name users see in Excel's and WPS's "save as" lists.
    pub fn name(self) -> &'static str {
        match self {
            CsvEncoding::Utf8 => "UTF-8",
            CsvEncoding::Utf8Bom => "UTF-8 (BOM)",
            CsvEncoding::Utf16Le => "UTF-16LE",
            CsvEncoding::Utf16Be => "UTF-16BE",
            CsvEncoding::Gb18030 => "GB18030/GBK",
        }
    }
}

/// One cell read: its text (trimmed) and whether the spreadsheet stored it as a number.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GridCell {
    pub text: String,
    pub is_number: bool,
}

/// One row as the user sees it: its 1-based row (or line) number, the line its last cell ends on
/// (the same unless a CSV field spans lines), and its cells from column A on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GridRow {
    pub row: usize,
    pub last_line: usize,
    pub cells: Vec<GridCell>,
}

/// Every non-empty row of the sheet, and the CSV encoding read (`None` for a workbook).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grid {
    pub rows: Vec<GridRow>,
    pub encoding: Option<CsvEncoding>,
}

/// Why a file could not be turned into a grid.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{0}")]
    Io(std::io::Error),
    #[error("not a regular file")]
    NotAFile,
    #[error("over a limit")]
    Limit {
        kind: LimitKind,
        /// The figure of the limit.
        limit: u64,
        /// The row (1-based) where it was found, when it is a row's.
        row: Option<usize>,
    },
    #[error("undecodable text")]
    Undecodable,
    #[error("{0}")]
    Spreadsheet(String),
}

/// Opens `path` for reading only if it is a regular file no larger than the limit.
fn open_regular(path: &Path, limits: &Limits) -> Result<std::fs::File, FileError> {
    let meta = std::fs::metadata(path).map_err(FileError::Io)?;
    if !meta.is_file() {
        return Err(FileError::NotAFile);
    }
    if meta.len() > limits.file_bytes {
        return Err(FileError::Limit {
            kind: LimitKind::FileBytes,
            limit: LimitKind::FileBytes.value(limits),
            row: None,
        });
    }
    std::fs::File::open(path).map_err(FileError::Io)
}

/// Reads a CSV file into a grid.
pub fn read_csv(path: &Path, limits: &Limits) -> Result<Grid, FileError> {
    let mut bytes = Vec::new();
    open_regular(path, limits)?
        .take(limits.file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(FileError::Io)?;
    if bytes.len() as u64 > limits.file_bytes {
        return Err(FileError::Limit {
            kind: LimitKind::FileBytes,
            limit: LimitKind::FileBytes.value(limits),
            row: None,
        });
    }
    read_csv_bytes(&bytes, limits)
}

/// [`read_csv`] on bytes in memory (no file system): what `read_csv` does once it has read the
/// file, and what the fuzz target calls.
pub fn read_csv_bytes(bytes: &[u8], limits: &Limits) -> Result<Grid, FileError> {
    if bytes.len() as u64 > limits.file_bytes {
        return Err(FileError::Limit {
            kind: LimitKind::FileBytes,
            limit: LimitKind::FileBytes.value(limits),
            row: None,
        });
    }
    let (text, encoding) = decode(bytes).ok_or(FileError::Undecodable)?;
    csv_grid(&text, encoding, limits)
}

/// The text of CSV bytes and the encoding it was read in; `None` when nothing decodes it.
pub fn decode(bytes: &[u8]) -> Option<(String, CsvEncoding)> {
    if let Some(body) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8(body.to_vec())
            .ok()
            .map(|t| (t, CsvEncoding::Utf8Bom));
    }
    let utf16 = |body: &[u8], encoding: &'static encoding_rs::Encoding, name| {
        encoding
            .decode_without_bom_handling_and_without_replacement(body)
            .map(|t| (t.into_owned(), name))
    };
    if let Some(body) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(body, encoding_rs::UTF_16LE, CsvEncoding::Utf16Le);
    }
    if let Some(body) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(body, encoding_rs::UTF_16BE, CsvEncoding::Utf16Be);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        // UTF-16 of ASCII text is valid UTF-8 too (full of NULs): told apart below.
        if !text.contains('\0') {
            return Some((text.to_string(), CsvEncoding::Utf8));
        }
    }
    if bytes.len() >= 2 && bytes.len().is_multiple_of(2) {
        let zeros_at = |parity: usize| {
            bytes
                .iter()
                .skip(parity)
                .step_by(2)
                .filter(|b| **b == 0)
                .count()
        };
        let half = bytes.len() / 2;
        // ASCII letters, digits and commas in UTF-16 have one zero byte each.
        if zeros_at(1) * 3 >= half && zeros_at(0) == 0 {
            return utf16(bytes, encoding_rs::UTF_16LE, CsvEncoding::Utf16Le);
        }
        if zeros_at(0) * 3 >= half && zeros_at(1) == 0 {
            return utf16(bytes, encoding_rs::UTF_16BE, CsvEncoding::Utf16Be);
        }
    }
    if bytes.contains(&0) {
        return None;
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| (t.into_owned(), CsvEncoding::Gb18030))
}

fn csv_grid(text: &str, encoding: CsvEncoding, limits: &Limits) -> Result<Grid, FileError> {
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(FileError::Spreadsheet(e.to_string())),
        }
        // The csv crate gives where it started reading, before the empty lines it skipped.
        let line = record.position().map_or(rows.len() + 1, |p| {
            let skipped = text.as_bytes()[p.byte() as usize..]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .filter(|b| **b == b'\n')
                .count();
            p.line() as usize + skipped
        });
        if line > limits.rows {
            return Err(FileError::Limit {
                kind: LimitKind::Rows,
                limit: LimitKind::Rows.value(limits),
                row: Some(line),
            });
        }
        if record.len() > limits.columns {
            return Err(FileError::Limit {
                kind: LimitKind::Columns,
                limit: LimitKind::Columns.value(limits),
                row: Some(line),
            });
        }
        let mut breaks = 0;
        let mut cells = Vec::with_capacity(record.len());
        for field in record.iter() {
            if field.chars().count() > limits.cell_chars {
                return Err(FileError::Limit {
                    kind: LimitKind::CellChars,
                    limit: LimitKind::CellChars.value(limits),
                    row: Some(line),
                });
            }
            breaks += field.matches('\n').count();
            cells.push(GridCell {
                text: field.trim().to_string(),
                is_number: false,
            });
        }
        rows.push(GridRow {
            row: line,
            last_line: line + breaks,
            cells,
        });
    }
    Ok(Grid {
        rows,
        encoding: Some(encoding),
    })
}

/// Reads the sheet named `preferred` (else the first sheet) of an xlsx file into a grid.
pub fn read_xlsx(path: &Path, preferred: &str, limits: &Limits) -> Result<Grid, FileError> {
    let file = open_regular(path, limits)?;
    xlsx_grid(std::io::BufReader::new(file), preferred, limits)
}

/// [`read_xlsx`] on bytes in memory (no file system), for the fuzz target.
pub fn read_xlsx_bytes(bytes: &[u8], preferred: &str, limits: &Limits) -> Result<Grid, FileError> {
    if bytes.len() as u64 > limits.file_bytes {
        return Err(FileError::Limit {
            kind: LimitKind::FileBytes,
            limit: LimitKind::FileBytes.value(limits),
            row: None,
        });
    }
    xlsx_grid(std::io::Cursor::new(bytes), preferred, limits)
}

fn xlsx_grid<R: Read + Seek>(
    mut file: R,
    preferred: &str,
    limits: &Limits,
) -> Result<Grid, FileError> {
    check_zip(&mut file, limits)?;
    file.rewind().map_err(FileError::Io)?;
    let mut workbook: Xlsx<_> =
        Xlsx::new(file).map_err(|e| FileError::Spreadsheet(e.to_string()))?;
    let names = workbook.sheet_names();
    let name = names
        .iter()
        .find(|n| n.as_str() == preferred)
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| FileError::Spreadsheet("no sheet".to_string()))?;
    let mut cells = workbook
        .worksheet_cells_reader(&name)
        .map_err(|e| FileError::Spreadsheet(e.to_string()))?;
    let mut by_row: std::collections::BTreeMap<u32, Vec<(u32, GridCell)>> = Default::default();
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| FileError::Spreadsheet(e.to_string()))?
    {
        let (row, col) = cell.get_position();
        let row_number = row as usize + 1;
        if row_number > limits.rows {
            return Err(FileError::Limit {
                kind: LimitKind::Rows,
                limit: LimitKind::Rows.value(limits),
                row: Some(row_number),
            });
        }
        if col as usize >= limits.columns {
            return Err(FileError::Limit {
                kind: LimitKind::Columns,
                limit: LimitKind::Columns.value(limits),
                row: Some(row_number),
            });
        }
        let grid_cell = cell_of(cell.get_value());
        if grid_cell.text.chars().count() > limits.cell_chars {
            return Err(FileError::Limit {
                kind: LimitKind::CellChars,
                limit: LimitKind::CellChars.value(limits),
                row: Some(row_number),
            });
        }
        if !grid_cell.text.is_empty() {
            by_row.entry(row).or_default().push((col, grid_cell));
        }
    }
    let rows = by_row
        .into_iter()
        .map(|(row, mut placed)| {
            placed.sort_by_key(|(col, _)| *col);
            let width = placed.last().map_or(0, |(col, _)| *col as usize + 1);
            let mut cells = vec![GridCell::default(); width];
            for (col, cell) in placed {
                cells[col as usize] = cell;
            }
            GridRow {
                row: row as usize + 1,
                last_line: row as usize + 1,
                cells,
            }
        })
        .collect();
    Ok(Grid {
        rows,
        encoding: None,
    })
}

/// Decompresses every entry of the archive into a counter, refusing past the limits.
fn check_zip<R: Read + Seek>(file: &mut R, limits: &Limits) -> Result<(), FileError> {
    let mut archive =
        zip::ZipArchive::new(&mut *file).map_err(|e| FileError::Spreadsheet(e.to_string()))?;
    if archive.len() > limits.zip_entries {
        return Err(FileError::Limit {
            kind: LimitKind::ZipEntries,
            limit: LimitKind::ZipEntries.value(limits),
            row: None,
        });
    }
    let mut left = limits.decompressed_bytes;
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|e| FileError::Spreadsheet(e.to_string()))?;
        if entry.size() > left {
            return Err(FileError::Limit {
                kind: LimitKind::DecompressedBytes,
                limit: LimitKind::DecompressedBytes.value(limits),
                row: None,
            });
        }
        // The declared size may lie: count what decompression really yields.
        let read = std::io::copy(&mut entry.take(left + 1), &mut std::io::sink())
            .map_err(|e| FileError::Spreadsheet(e.to_string()))?;
        if read > left {
            return Err(FileError::Limit {
                kind: LimitKind::DecompressedBytes,
                limit: LimitKind::DecompressedBytes.value(limits),
                row: None,
            });
        }
        left -= read;
    }
    Ok(())
}

/// The text of a cell. Whole numbers lose their ".0" so that a year typed as a number reads
/// "2019", not "2019.0"; dates read as YYYY-MM-DD.
fn cell_of(cell: &DataRef<'_>) -> GridCell {
    let text = |s: &str| GridCell {
        text: s.trim().to_string(),
        is_number: false,
    };
    let number = |text: String| GridCell {
        text,
        is_number: true,
    };
    match cell {
        DataRef::Empty => GridCell::default(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Int(i) => number(i.to_string()),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => number(format!("{}", *f as i64)),
        DataRef::Float(f) => number(f.to_string()),
        DataRef::Bool(true) => text(super::survey::YES.0),
        DataRef::Bool(false) => text(super::survey::NO.0),
        DataRef::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            text(&format!("{y:04}-{m:02}-{day:02}"))
        }
        DataRef::DateTime(d) => number(d.as_f64().to_string()),
        DataRef::Error(e) => text(&e.to_string()),
    }
}

/// A [`FileError`] with the file it concerns, in words.
pub(crate) fn describe(error: &FileError, path: &Path, lang: Lang) -> String {
    let p = path.display();
    match error {
        FileError::Io(source) => match lang {
            Lang::Zh => format!("无法读取 {p}：{source}"),
            Lang::En => format!("Cannot read {p}: {source}"),
        },
        FileError::NotAFile => match lang {
            Lang::Zh => {
                format!("{p} 不是普通文件（是文件夹、管道或设备），请选择 .xlsx 或 .csv 文件。")
            }
            Lang::En => format!(
                "{p} is not a regular file (a folder, pipe or device); choose an .xlsx or .csv file."
            ),
        },
        FileError::Limit { kind, limit, row } => {
            let limit = kind.describe(*limit, lang);
            match (row, lang) {
                (Some(row), Lang::Zh) => format!(
                    "{p} 第{row}行超出{limit}，未读取。请删除多余的行、列或内容（例如表格末尾误填的单元格）后重试。"
                ),
                (Some(row), Lang::En) => format!(
                    "{p}: row {row} goes past {limit}; nothing was read. Delete the extra rows, columns or text (e.g. a stray cell far down the sheet) and try again."
                ),
                (None, Lang::Zh) => {
                    format!("{p} 超出{limit}，未读取。这不像一份入户调查表，请检查文件。")
                }
                (None, Lang::En) => format!(
                    "{p} goes past {limit}; nothing was read. It does not look like a survey file; check it."
                ),
            }
        }
        FileError::Undecodable => match lang {
            Lang::Zh => format!(
                "{p} 的文字编码无法识别（不是 UTF-8、GB18030/GBK 或 UTF-16）。请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”，或直接使用 .xlsx 文件。"
            ),
            Lang::En => format!(
                "{p} is in an unknown text encoding (not UTF-8, GB18030/GBK or UTF-16). In Excel choose \"Save as → CSV UTF-8 (comma delimited)\", or use the .xlsx file."
            ),
        },
        FileError::Spreadsheet(message) => match lang {
            Lang::Zh => format!(
                "{p} 不是可读的表格文件（{message}），请用 Excel 或 WPS 另存为 .xlsx 后重试。"
            ),
            Lang::En => format!(
                "{p} is not a readable spreadsheet ({message}); save it as .xlsx from Excel or WPS and try again."
            ),
        },
    }
}

/// A read failure and the file it concerns.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {error}")]
pub struct ReadFailure {
    pub path: PathBuf,
    pub error: FileError,
}

impl Localize for ReadFailure {
    fn localize(&self, lang: Lang) -> String {
        describe(&self.error, &self.path, lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_recognised() {
        let text = "户编号,姓名\n001,张三\n";
        let (t, e) = decode(text.as_bytes()).unwrap();
        assert_eq!((t.as_str(), e), (text, CsvEncoding::Utf8));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom).unwrap().1, CsvEncoding::Utf8Bom);
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let (t, e) = decode(&gbk).unwrap();
        assert_eq!((t.as_str(), e), (text, CsvEncoding::Gb18030));
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut le_bom = vec![0xFF, 0xFE];
        le_bom.extend_from_slice(&le);
        assert_eq!(
            decode(&le_bom).unwrap(),
            (text.to_string(), CsvEncoding::Utf16Le)
        );
        let ascii: Vec<u8> = "a,b\n1,2\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(decode(&ascii).unwrap().1, CsvEncoding::Utf16Be);
        assert_eq!(decode(b"\x81\x00\xff\xfe\x00"), None);
    }

    #[test]
    fn numbers_read_as_typed_and_are_marked() {
        let t = |d: DataRef<'_>| {
            let c = cell_of(&d);
            (c.text, c.is_number)
        };
        assert_eq!(t(DataRef::Float(2019.0)), ("2019".into(), true));
        assert_eq!(t(DataRef::Float(2.5)), ("2.5".into(), true));
        assert_eq!(t(DataRef::Int(12)), ("12".into(), true));
        assert_eq!(t(DataRef::Bool(true)), ("是".into(), false));
        assert_eq!(t(DataRef::SharedString(" 户主 ")), ("户主".into(), false));
    }

    #[test]
    fn csv_rows_keep_the_lines_the_user_sees() {
        let text = "a,b\n\n1,2\n3,\"x\ny\"\n5,6\n";
        let grid = csv_grid(text, CsvEncoding::Utf8, &LIMITS).unwrap();
        let lines: Vec<(usize, usize)> = grid.rows.iter().map(|r| (r.row, r.last_line)).collect();
        assert_eq!(lines, [(1, 1), (3, 3), (4, 5), (6, 6)]);
    }

    #[test]
    fn a_csv_past_a_limit_is_refused_naming_it() {
        let small = Limits {
            cell_chars: 5,
            ..LIMITS
        };
        let err = csv_grid("a,b\n1,123456\n", CsvEncoding::Utf8, &small).unwrap_err();
        assert!(matches!(
            err,
            FileError::Limit {
                kind: LimitKind::CellChars,
                limit: 5,
                row: Some(2)
            }
        ));
        let words = describe(&err, Path::new("x.csv"), Lang::Zh);
        assert!(words.contains("第2行") && words.contains("5 字"), "{words}");
    }
}
