//! A small page-layout engine for the printed documents: A4 pages, headings, wrapped text and
//! ruled tables that break across pages (repeating their header row), all drawn with the embedded
//! CJK font.
//!
//! Layout and drawing are separate steps: [`Layout`] places everything on [`Page`]s as plain
//! operations (so page breaks can be tested without reading a PDF back), then
//! [`Layout::into_pdf`] draws the pages with krilla, which embeds a subset of the font with a
//! ToUnicode map so that the text of the PDF can be searched and copied.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

/// A4 in PDF points (1/72 inch).
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
/// Margins wide enough for a binder's holes on the left edge.
const MARGIN_LEFT: f32 = 50.0;
const MARGIN_RIGHT: f32 = 40.0;
const MARGIN_TOP: f32 = 44.0;
/// Room at the bottom for the footer line.
const MARGIN_BOTTOM: f32 = 50.0;
/// Text sizes in points.
pub const TITLE_SIZE: f32 = 18.0;
pub const HEADING_SIZE: f32 = 12.5;
pub const BODY_SIZE: f32 = 9.5;
pub const SMALL_SIZE: f32 = 8.0;
/// Space between a cell's border and its text.
const CELL_PADDING: f32 = 3.0;
/// Line height as a multiple of the text size.
const LINE_FACTOR: f32 = 1.3;

/// The width of the area between the margins.
pub fn content_width() -> f32 {
    PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
}

/// One thing drawn on a page. Coordinates are points from the top-left corner, y downwards;
/// a text's `y` is its baseline.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    /// A filled light-grey rectangle (header cells, label cells).
    Shade { x: f32, y: f32, w: f32, h: f32 },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
}

/// One laid-out page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub ops: Vec<Op>,
}

impl Page {
    /// The texts of the page in drawing order (for tests).
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.ops.iter().filter_map(|op| match op {
            Op::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }
}

/// Widths of characters in the embedded font.
pub struct Metrics {
    font: FontRef<'static>,
    units_per_em: f32,
}

impl Metrics {
    pub fn new(font_bytes: &'static [u8]) -> Result<Metrics, String> {
        let font = FontRef::new(font_bytes).map_err(|e| e.to_string())?;
        let units_per_em = f32::from(
            font.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        Ok(Metrics { font, units_per_em })
    }

    /// The advance width of `text` at `size` points. A character the font lacks counts as one
    /// em, the width of the box the PDF viewer draws for it.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let charmap = self.font.charmap();
        let metrics = self
            .font
            .glyph_metrics(Size::unscaled(), LocationRef::default());
        let units: f32 = text
            .chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .unwrap_or(self.units_per_em)
            })
            .sum();
        units * size / self.units_per_em
    }

    /// Breaks `text` into lines no wider than `max_width`: at explicit newlines, else between
    /// any two Chinese characters, else at the last space of a Latin run; a single word wider
    /// than the line is broken between letters rather than overflowing the cell.
    pub fn wrap(&self, text: &str, size: f32, max_width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for c in paragraph.chars() {
                let mut candidate = line.clone();
                candidate.push(c);
                if line.is_empty() || self.width(&candidate, size) <= max_width {
                    line = candidate;
                    continue;
                }
                // Break at the last space when the overflowing character is inside a Latin word.
                let break_at = (c.is_ascii_alphanumeric())
                    .then(|| line.rfind(' '))
                    .flatten()
                    .filter(|&i| i > 0);
                match break_at {
                    Some(i) => {
                        let rest = line[i + 1..].to_string();
                        line.truncate(i);
                        lines.push(std::mem::take(&mut line));
                        line = rest;
                        line.push(c);
                    }
                    None => {
                        lines.push(std::mem::take(&mut line));
                        if c != ' ' {
                            line.push(c);
                        }
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    /// Grey background, for labels of a form-like table.
    pub shaded: bool,
    /// Right-aligned (figures).
    pub right: bool,
    /// Minimum height in lines, for cells left blank to be written in by hand.
    pub min_lines: usize,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            shaded: false,
            right: false,
            min_lines: 1,
        }
    }

    pub fn label(text: impl Into<String>) -> Cell {
        Cell {
            shaded: true,
            ..Cell::text(text)
        }
    }

    pub fn figure(text: impl Into<String>) -> Cell {
        Cell {
            right: true,
            ..Cell::text(text)
        }
    }

    /// An empty cell `lines` lines high, to be filled in on paper.
    pub fn blank(lines: usize) -> Cell {
        Cell {
            min_lines: lines,
            ..Cell::text("")
        }
    }
}

/// A ruled table: relative column widths, an optional header row repeated on every page the
/// table spans, and rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub widths: Vec<f32>,
    pub header: Option<Vec<String>>,
    pub rows: Vec<Vec<Cell>>,
    pub size: f32,
}

impl Table {
    pub fn new(widths: &[f32], header: Option<Vec<String>>, rows: Vec<Vec<Cell>>) -> Table {
        Table {
            widths: widths.to_vec(),
            header,
            rows,
            size: BODY_SIZE,
        }
    }
}

/// Places content on A4 pages top to bottom, starting a new page when the next block does not
/// fit.
pub struct Layout {
    metrics: Metrics,
    pages: Vec<Page>,
    /// The baseline area's top on the current page: where the next block starts.
    y: f32,
}

impl Layout {
    pub fn new(metrics: Metrics) -> Layout {
        Layout {
            metrics,
            pages: vec![Page::default()],
            y: MARGIN_TOP,
        }
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub fn pages(&self) -> &[Page] {
        &self.pages
    }

    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("a layout always has a page")
    }

    fn bottom() -> f32 {
        PAGE_HEIGHT - MARGIN_BOTTOM
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN_TOP;
    }

    /// Starts a new page unless `height` more points fit on this one.
    pub fn ensure(&mut self, height: f32) {
        if self.y + height > Self::bottom() && self.y > MARGIN_TOP {
            self.new_page();
        }
    }

    pub fn space(&mut self, points: f32) {
        self.y += points;
    }

    fn text_at(&mut self, x: f32, baseline: f32, size: f32, text: &str) {
        if !text.is_empty() {
            self.page().ops.push(Op::Text {
                x,
                y: baseline,
                size,
                text: text.to_string(),
            });
        }
    }

    /// A centred title.
    pub fn title(&mut self, text: &str) {
        self.ensure(TITLE_SIZE * 2.0);
        let w = self.metrics.width(text, TITLE_SIZE);
        let x = MARGIN_LEFT + (content_width() - w).max(0.0) / 2.0;
        let baseline = self.y + TITLE_SIZE;
        self.text_at(x, baseline, TITLE_SIZE, text);
        self.y += TITLE_SIZE * 1.8;
    }

    /// A section heading, kept on the same page as at least `keep_with` points of what follows.
    pub fn heading(&mut self, text: &str, keep_with: f32) {
        self.ensure(HEADING_SIZE * 2.0 + keep_with);
        self.y += HEADING_SIZE * 0.6;
        let baseline = self.y + HEADING_SIZE;
        self.text_at(MARGIN_LEFT, baseline, HEADING_SIZE, text);
        self.y += HEADING_SIZE * 1.5;
    }

    /// A wrapped paragraph across the content width.
    pub fn paragraph(&mut self, text: &str, size: f32) {
        let line_height = size * LINE_FACTOR;
        for line in self.metrics.wrap(text, size, content_width()) {
            self.ensure(line_height);
            let baseline = self.y + size;
            self.text_at(MARGIN_LEFT, baseline, size, &line);
            self.y += line_height;
        }
    }

    /// The height the first row of `table` (with its header) needs: what a heading is kept with.
    pub fn first_rows_height(&self, table: &Table) -> f32 {
        let widths = self.column_widths(table);
        let header = table.header.as_ref().map_or(0.0, |h| {
            self.row_height(&widths, h.iter().map(String::as_str), 1, table.size)
        });
        let first = table.rows.first().map_or(0.0, |row| {
            let min_lines = row.iter().map(|c| c.min_lines).max().unwrap_or(1);
            self.row_height(
                &widths,
                row.iter().map(|c| c.text.as_str()),
                min_lines,
                table.size,
            )
        });
        header + first
    }

    fn column_widths(&self, table: &Table) -> Vec<f32> {
        let total: f32 = table.widths.iter().sum();
        table
            .widths
            .iter()
            .map(|w| w / total * content_width())
            .collect()
    }

    fn row_height<'t>(
        &self,
        widths: &[f32],
        texts: impl Iterator<Item = &'t str>,
        min_lines: usize,
        size: f32,
    ) -> f32 {
        let lines = texts
            .zip(widths)
            .map(|(t, w)| self.metrics.wrap(t, size, w - 2.0 * CELL_PADDING).len())
            .max()
            .unwrap_or(1)
            .max(min_lines);
        lines as f32 * size * LINE_FACTOR + 2.0 * CELL_PADDING
    }

    /// Draws one row of cells at the current position and moves below it.
    fn row(&mut self, widths: &[f32], cells: &[Cell], size: f32) {
        let min_lines = cells.iter().map(|c| c.min_lines).max().unwrap_or(1);
        let height = self.row_height(
            widths,
            cells.iter().map(|c| c.text.as_str()),
            min_lines,
            size,
        );
        let top = self.y;
        let mut x = MARGIN_LEFT;
        for (cell, &w) in cells.iter().zip(widths) {
            if cell.shaded {
                self.page().ops.push(Op::Shade {
                    x,
                    y: top,
                    w,
                    h: height,
                });
            }
            let lines = self.metrics.wrap(&cell.text, size, w - 2.0 * CELL_PADDING);
            for (i, line) in lines.iter().enumerate() {
                let baseline =
                    top + CELL_PADDING + size + i as f32 * size * LINE_FACTOR - size * 0.12;
                let tx = if cell.right {
                    x + w - CELL_PADDING - self.metrics.width(line, size)
                } else {
                    x + CELL_PADDING
                };
                self.text_at(tx, baseline, size, line);
            }
            // Left border of the cell.
            self.page().ops.push(Op::Line {
                x1: x,
                y1: top,
                x2: x,
                y2: top + height,
                width: 0.5,
            });
            x += w;
        }
        let right = MARGIN_LEFT + widths.iter().sum::<f32>();
        self.page().ops.extend([
            Op::Line {
                x1: right,
                y1: top,
                x2: right,
                y2: top + height,
                width: 0.5,
            },
            Op::Line {
                x1: MARGIN_LEFT,
                y1: top,
                x2: right,
                y2: top,
                width: 0.5,
            },
            Op::Line {
                x1: MARGIN_LEFT,
                y1: top + height,
                x2: right,
                y2: top + height,
                width: 0.5,
            },
        ]);
        self.y += height;
    }

    /// Draws a table, breaking it between rows at the page end and repeating the header row at
    /// the top of each continuation page.
    pub fn table(&mut self, table: &Table) {
        let widths = self.column_widths(table);
        let header: Option<Vec<Cell>> = table
            .header
            .as_ref()
            .map(|h| h.iter().map(Cell::label).collect());
        let header_height = header.as_ref().map_or(0.0, |h| {
            self.row_height(&widths, h.iter().map(|c| c.text.as_str()), 1, table.size)
        });
        self.ensure(self.first_rows_height(table));
        if let Some(h) = &header {
            self.row(&widths, h, table.size);
        }
        for cells in &table.rows {
            let min_lines = cells.iter().map(|c| c.min_lines).max().unwrap_or(1);
            let height = self.row_height(
                &widths,
                cells.iter().map(|c| c.text.as_str()),
                min_lines,
                table.size,
            );
            if self.y + height > Self::bottom() && self.y > MARGIN_TOP + header_height {
                self.new_page();
                if let Some(h) = &header {
                    self.row(&widths, h, table.size);
                }
            }
            self.row(&widths, cells, table.size);
        }
        self.y += 4.0;
    }

    /// Writes a footer on every page (`footer(page_number, page_count)`) and draws the pages into
    /// a PDF with the font embedded.
    pub fn into_pdf(
        mut self,
        font_bytes: &'static [u8],
        title: &str,
        footer: impl Fn(usize, usize) -> String,
    ) -> Result<Vec<u8>, String> {
        let count = self.pages.len();
        for (i, page) in self.pages.iter_mut().enumerate() {
            page.ops.push(Op::Text {
                x: MARGIN_LEFT,
                y: PAGE_HEIGHT - MARGIN_BOTTOM + 24.0,
                size: SMALL_SIZE,
                text: footer(i + 1, count),
            });
        }
        let font = Font::new(font_bytes.into(), 0)
            .ok_or_else(|| "the embedded font cannot be read".to_string())?;
        let mut document = Document::new();
        document.set_metadata(
            Metadata::new()
                .title(title.to_string())
                .creator("Dripline".to_string()),
        );
        let settings =
            PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("A4 is a valid page size");
        let grey = Fill {
            paint: rgb::Color::new(230, 230, 230).into(),
            ..Fill::default()
        };
        for page in &self.pages {
            let mut pdf_page = document.start_page_with(settings.clone());
            let mut surface = pdf_page.surface();
            for op in &page.ops {
                match op {
                    Op::Text { x, y, size, text } => {
                        surface.set_fill(Some(Fill::default()));
                        surface.set_stroke(None);
                        surface.draw_text(
                            Point::from_xy(*x, *y),
                            font.clone(),
                            *size,
                            text,
                            false,
                            TextDirection::Auto,
                        );
                    }
                    Op::Shade { x, y, w, h } => {
                        let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                            continue;
                        };
                        let mut path = PathBuilder::new();
                        path.push_rect(rect);
                        if let Some(path) = path.finish() {
                            surface.set_fill(Some(grey.clone()));
                            surface.set_stroke(None);
                            surface.draw_path(&path);
                        }
                    }
                    Op::Line {
                        x1,
                        y1,
                        x2,
                        y2,
                        width,
                    } => {
                        let mut path = PathBuilder::new();
                        path.move_to(*x1, *y1);
                        path.line_to(*x2, *y2);
                        if let Some(path) = path.finish() {
                            surface.set_fill(None);
                            surface.set_stroke(Some(Stroke {
                                width: *width,
                                ..Stroke::default()
                            }));
                            surface.draw_path(&path);
                        }
                    }
                }
            }
            surface.finish();
            pdf_page.finish();
        }
        document.finish().map_err(|e| format!("{e:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assets::CJK_FONT;

    fn layout() -> Layout {
        Layout::new(Metrics::new(CJK_FONT).unwrap())
    }

    #[test]
    fn chinese_text_is_one_em_per_character() {
        let m = Metrics::new(CJK_FONT).unwrap();
        assert!((m.width("扶贫明白卡", 10.0) - 50.0).abs() < 0.01);
        assert!(m.width("ab", 10.0) < 20.0);
    }

    #[test]
    fn wrapping_breaks_chinese_anywhere_and_latin_at_spaces() {
        let m = Metrics::new(CJK_FONT).unwrap();
        assert_eq!(
            m.wrap("发展种植业养殖业", 10.0, 40.0),
            ["发展种植", "业养殖业"]
        );
        let lines = m.wrap("plant tea seedlings", 10.0, 60.0);
        assert!(lines.iter().all(|l| m.width(l, 10.0) <= 60.0), "{lines:?}");
        assert!(lines.iter().all(|l| !l.starts_with(' ')), "{lines:?}");
        assert_eq!(lines.join(" "), "plant tea seedlings");
        assert_eq!(m.wrap("甲\n乙", 10.0, 100.0), ["甲", "乙"]);
    }

    #[test]
    fn a_long_table_continues_on_new_pages_with_its_header_repeated() {
        let mut l = layout();
        let rows: Vec<Vec<Cell>> = (0..120)
            .map(|i| vec![Cell::text(format!("措施{i}")), Cell::figure("100.00")])
            .collect();
        l.table(&Table::new(
            &[3.0, 1.0],
            Some(vec!["措施".into(), "金额".into()]),
            rows,
        ));
        let pages = l.pages();
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for page in pages {
            assert_eq!(
                page.texts().next(),
                Some("措施"),
                "header first on every page"
            );
            for op in &page.ops {
                if let Op::Text { y, .. } = op {
                    assert!(*y <= PAGE_HEIGHT - MARGIN_BOTTOM, "text below the margin");
                }
            }
        }
        let all: Vec<&str> = pages.iter().flat_map(Page::texts).collect();
        assert!(all.contains(&"措施0") && all.contains(&"措施119"));
    }

    #[test]
    fn the_pdf_embeds_the_font_once() {
        let mut l = layout();
        l.title("扶贫明白卡");
        let pdf = l
            .into_pdf(CJK_FONT, "t", |n, m| format!("{n}/{m}"))
            .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
        assert!(has(b"/FontFile3"), "CFF font program embedded");
        assert!(has(b"/ToUnicode"), "text can be extracted");
        // A subset: far smaller than the 1.5 MB font.
        assert!(pdf.len() < 200_000, "{} bytes", pdf.len());
    }
}
