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
