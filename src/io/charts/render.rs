//! Drawing the charts with plotters: a [`Chart`] (which chart, and its figures from [`super::data`])
//! becomes an RGB buffer (for the window), PNG bytes or an SVG document. Titles, axis labels and
//! legends are in the user's language; text uses the app's embedded CJK font, registered with
//! plotters' `ab_glyph` text renderer (no system font is read, so a chart looks the same on every
//! machine and in the tests).
//!
//! Rendering is deterministic: the same figures, size and language give the same bytes.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::data::{HouseholdChartData, VillageChartData};
use crate::i18n::{Label, Lang, Localize};
use crate::model::{SalesChannel, VisitKind};
use crate::rules::income::IncomeItem;

/// The charts of a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HouseholdChart {
    /// Per-capita net income by year against the year's line and the warning band.
    Income,
    /// Income by item (wage, production, property, transfer; expenses below zero).
    Items,
    /// Finished visits on the time axis.
    Visits,
}

impl HouseholdChart {
    pub const ALL: [HouseholdChart; 3] = [
        HouseholdChart::Income,
        HouseholdChart::Items,
        HouseholdChart::Visits,
    ];
}

impl Label for HouseholdChart {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            HouseholdChart::Income => lang.pick(
                "人均纯收入与扶贫标准",
                "Per-capita net income against the poverty line",
            ),
            HouseholdChart::Items => lang.pick("收入构成", "Income by item"),
            HouseholdChart::Visits => lang.pick("走访时间轴", "Visits over time"),
        }
    }
}

/// The charts of a village.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VillageChart {
    Statuses,
    Incidence,
    Causes,
    Coverage,
    Funds,
    Visits,
    Products,
}

impl VillageChart {
    pub const ALL: [VillageChart; 7] = [
        VillageChart::Statuses,
        VillageChart::Incidence,
        VillageChart::Causes,
        VillageChart::Coverage,
        VillageChart::Funds,
        VillageChart::Visits,
        VillageChart::Products,
    ];

    /// A short stable name, used in file names.
    pub fn slug(self) -> &'static str {
        match self {
            VillageChart::Statuses => "statuses",
            VillageChart::Incidence => "incidence",
            VillageChart::Causes => "causes",
            VillageChart::Coverage => "coverage",
            VillageChart::Funds => "funds",
            VillageChart::Visits => "visits",
            VillageChart::Products => "products",
        }
    }
}

impl Label for VillageChart {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            VillageChart::Statuses => lang.pick("各年农户状态", "Households by status"),
            VillageChart::Incidence => lang.pick("贫困发生率", "Poverty incidence"),
            VillageChart::Causes => lang.pick("致贫原因", "Poverty causes"),
            VillageChart::Coverage => {
                lang.pick("帮扶措施覆盖（按类别）", "Measure coverage by batch")
            }
            VillageChart::Funds => lang.pick("资金来源与用途", "Funds by source and use"),
            VillageChart::Visits => {
                lang.pick("帮扶责任人每月走访次数", "Visits per helper per month")
            }
            VillageChart::Products => lang.pick("特色产品销售", "Products and sales"),
        }
    }
}

/// A chart with its figures, ready to draw.
#[derive(Debug, Clone, Copy)]
pub enum Chart<'a> {
    Household(HouseholdChart, &'a HouseholdChartData),
    Village(VillageChart, &'a VillageChartData),
}

impl Chart<'_> {
    /// The title drawn at the top: the chart's name and whose figures they are.
    pub fn title(&self, lang: Lang) -> String {
        match self {
            Chart::Household(kind, data) => {
                let who = if data.head.is_empty() {
                    format!("{}{}", lang.pick("户", "household "), data.number)
                } else {
                    format!("{} {}", data.number, data.head)
                };
                format!("{who} — {}", kind.label(lang))
            }
            Chart::Village(kind, data) => format!("{} — {}", data.name, kind.label(lang)),
        }
    }
}

/// File formats a chart can be saved in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    /// The format a file name asks for: `.svg` is SVG, anything else PNG.
    pub fn of(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("svg") => Format::Svg,
            _ => Format::Png,
        }
    }
}

/// Size of a saved chart, pixels (SVG: user units).
pub const SAVE_SIZE: (u32, u32) = (1200, 700);

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the embedded font could not be read by the chart renderer")]
    Font,
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("PNG encoding failed: {0}")]
    Png(#[from] png::EncodingError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A chart asked for data that is no longer there (a household removed meanwhile).
    #[error("the chart's data is no longer available")]
    NoData,
}

impl Localize for ChartError {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (ChartError::Font, Lang::Zh) => "图表无法读取内置字体，请重新安装本程序。".to_string(),
            (ChartError::Font, Lang::En) => {
                "The chart renderer cannot read the built-in font; please reinstall the app."
                    .to_string()
            }
            (ChartError::Draw(detail), Lang::Zh) => format!("绘制图表失败：{detail}"),
            (ChartError::Draw(detail), Lang::En) => format!("Drawing the chart failed: {detail}"),
            (ChartError::Png(e), Lang::Zh) => format!("生成PNG图片失败：{e}"),
            (ChartError::Png(e), Lang::En) => format!("Encoding the PNG image failed: {e}"),
            (ChartError::Write { path, source }, lang) => crate::files::write_failure(
                path,
                &source.to_string(),
                lang,
                [
                    "请换一个文件夹或文件名再保存。",
                    "Choose another folder or file name and save again.",
                ],
            ),
            (ChartError::NoData, Lang::Zh) => {
                "该图表的数据已不存在（可能已被删除），未保存。".to_string()
            }
            (ChartError::NoData, Lang::En) => {
                "The chart's data is no longer there (perhaps removed); nothing was saved."
                    .to_string()
            }
        }
    }
}

// ---------------------------------------------------------------- output

/// Registers the embedded CJK font as plotters' "sans-serif" once per process.
fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        // The window embeds the same font; the chart renderer shares those bytes.
        plotters::style::register_font("sans-serif", FontStyle::Normal, crate::assets::CJK_FONT)
            .is_ok()
    });
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

fn draw_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// Draws `chart` into an RGB buffer of `width × height` pixels (3 bytes per pixel, row-major).
pub fn render_rgb(
    chart: &Chart,
    lang: Lang,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, ChartError> {
    render_rgb_shared(chart, lang, width, height, 0.0)
}

/// The largest value a village chart shows (households, %, yuan or visits, in the chart's unit):
/// what charts shown side by side share as the top of their scale, so that they compare.
/// 0 for a household chart.
pub fn value_max(chart: &Chart) -> f64 {
    let Chart::Village(kind, d) = chart else {
        return 0.0;
    };
    let max = |it: &mut dyn Iterator<Item = f64>| it.fold(0.0, f64::max);
    match kind {
        VillageChart::Statuses => max(&mut d
            .statuses
            .iter()
            .map(|s| f64::from(s.registered + s.exited + s.monitored))),
        VillageChart::Incidence => max(&mut d
            .incidence
            .iter()
            .filter_map(|y| y.incidence)
            .map(|i| i * 100.0)),
        VillageChart::Causes => max(&mut d.causes.iter().map(|c| f64::from(c.1))),
        VillageChart::Coverage => {
            max(&mut d.coverage.iter().map(|c| f64::from(c.done + c.ongoing)))
        }
        VillageChart::Funds => max(&mut d
            .funds_by_source
            .iter()
            .map(|f| f.1)
            .chain(d.funds_by_use.iter().map(|f| f.1))),
        VillageChart::Visits => max(&mut d
            .visits
            .rows
            .iter()
            .flat_map(|r| r.counts.iter().map(|c| f64::from(*c)))),
        VillageChart::Products => max(&mut d.products.iter().map(|p| p.total_yuan())),
    }
}

/// Like [`render_rgb`], with the value axis (or colour scale) reaching at least `shared_max`
/// (see [`value_max`]); 0 leaves the chart its own scale.
pub fn render_rgb_shared(
    chart: &Chart,
    lang: Lang,
    width: u32,
    height: u32,
    shared_max: f64,
) -> Result<Vec<u8>, ChartError> {
    ensure_font()?;
    let (width, height) = (width.max(64), height.max(48));
    let mut buffer = vec![255u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (width, height)).into_drawing_area();
        draw(&root, chart, lang, shared_max, BITMAP_TEXT_SCALE).map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(buffer)
}

/// Encodes an RGB buffer as PNG.
pub fn png_bytes(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

/// Draws `chart` as a PNG image.
pub fn render_png(
    chart: &Chart,
    lang: Lang,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, ChartError> {
    let (width, height) = (width.max(64), height.max(48));
    let rgb = render_rgb(chart, lang, width, height)?;
    png_bytes(&rgb, width, height)
}

/// Draws `chart` as an SVG document (text stays text, so the titles can be searched and copied).
pub fn render_svg(
    chart: &Chart,
    lang: Lang,
    width: u32,
    height: u32,
) -> Result<String, ChartError> {
    ensure_font()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        draw(&root, chart, lang, 0.0, 1.0).map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(out)
}

/// Saves `chart` to `path` at [`SAVE_SIZE`], as SVG when the name ends in `.svg`, else PNG.
pub fn save(chart: &Chart, lang: Lang, path: &Path) -> Result<(), ChartError> {
    let (w, h) = SAVE_SIZE;
    let bytes = match Format::of(path) {
        Format::Svg => render_svg(chart, lang, w, h)?.into_bytes(),
        Format::Png => render_png(chart, lang, w, h)?,
    };
    crate::files::write_bytes(path, &bytes).map_err(|source| ChartError::Write {
        path: path.to_path_buf(),
        source,
    })
}

// ---------------------------------------------------------------- colours

/// Bars of per-capita income.
pub const INCOME_BLUE: RGBColor = RGBColor(52, 101, 164);
/// The poverty line.
pub const LINE_RED: RGBColor = RGBColor(204, 0, 0);
/// The warning band between the line and `marginal_factor × line`.
pub const BAND_AMBER: RGBColor = RGBColor(252, 233, 170);
pub const REGISTERED_COLOR: RGBColor = RGBColor(204, 0, 0);
pub const EXITED_COLOR: RGBColor = RGBColor(78, 154, 6);
pub const MONITORED_COLOR: RGBColor = RGBColor(245, 121, 0);
const GRID: RGBColor = RGBColor(225, 225, 225);
const AXIS: RGBColor = RGBColor(90, 90, 90);

/// Distinct colours for categories (Tango palette), used in order.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(52, 101, 164),
    RGBColor(245, 121, 0),
    RGBColor(78, 154, 6),
    RGBColor(117, 80, 123),
    RGBColor(193, 125, 17),
    RGBColor(6, 152, 154),
    RGBColor(237, 212, 0),
    RGBColor(204, 0, 0),
    RGBColor(136, 138, 133),
    RGBColor(173, 127, 168),
];

fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

// ---------------------------------------------------------------- drawing

type DrawResult<E> = Result<(), DrawingAreaErrorKind<E>>;

/// plotters' bitmap text takes a size as the font's whole line height (ascent + descent), which
/// for Noto Sans CJK is 1.448 em; SVG takes it as the em (CSS `font-size`). Bitmap sizes are
/// multiplied by this so that a chart's text is as large in the window and a PNG as in an SVG:
/// without it, the labels of the county's small multiples came out about 6 px high.
const BITMAP_TEXT_SCALE: f64 = 1.448;

/// Text sizes follow the image height so that small multiples stay legible; `shared_max` is the
/// least top of the value scale (0: the chart's own).
struct Sizes {
    title: f64,
    label: f64,
    shared_max: f64,
}

fn sizes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    shared_max: f64,
    text_scale: f64,
) -> Sizes {
    let (w, h) = root.dim_in_pixel();
    let base = f64::from(w.min(h * 2));
    Sizes {
        title: (base / 28.0).clamp(13.0, 24.0) * text_scale,
        label: (base / 40.0).clamp(11.0, 16.0) * text_scale,
        shared_max,
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    lang: Lang,
    shared_max: f64,
    text_scale: f64,
) -> DrawResult<DB::ErrorType> {
    root.fill(&WHITE)?;
    let s = sizes(root, shared_max, text_scale);
    let title = chart.title(lang);
    let body = root.titled(&title, ("sans-serif", s.title).into_font().color(&BLACK))?;
    match *chart {
        Chart::Household(HouseholdChart::Income, data) => household_income(&body, data, lang, &s),
        Chart::Household(HouseholdChart::Items, data) => household_items(&body, data, lang, &s),
        Chart::Household(HouseholdChart::Visits, data) => household_visits(&body, data, lang, &s),
        Chart::Village(VillageChart::Statuses, data) => village_statuses(&body, data, lang, &s),
        Chart::Village(VillageChart::Incidence, data) => village_incidence(&body, data, lang, &s),
        Chart::Village(VillageChart::Causes, data) => {
            let bars = Bars {
                categories: data
                    .causes
                    .iter()
                    .map(|(c, _)| c.label(lang).to_string())
                    .collect(),
                series: vec![Series {
                    name: lang.pick("户数", "Households").to_string(),
                    color: palette(0),
                    values: data.causes.iter().map(|(_, n)| f64::from(*n)).collect(),
                }],
                value_desc: lang.pick("户数", "Households").to_string(),
                horizontal: true,
                money: false,
            };
            bars.draw(&body, lang, &s)
        }
        Chart::Village(VillageChart::Coverage, data) => {
            let bars = Bars {
                categories: data
                    .coverage
                    .iter()
                    .map(|c| c.kind.label(lang).to_string())
                    .collect(),
                series: vec![
                    Series {
                        name: lang.pick("已完成", "Done").to_string(),
                        color: EXITED_COLOR,
                        values: data.coverage.iter().map(|c| f64::from(c.done)).collect(),
                    },
                    Series {
                        name: lang
                            .pick("计划或实施中", "Planned or in progress")
                            .to_string(),
                        color: palette(0),
                        values: data.coverage.iter().map(|c| f64::from(c.ongoing)).collect(),
                    },
                ],
                value_desc: lang.pick("覆盖户数", "Households reached").to_string(),
                horizontal: true,
                money: false,
            };
            bars.draw(&body, lang, &s)
        }
        Chart::Village(VillageChart::Funds, data) => village_funds(&body, data, lang, &s),
        Chart::Village(VillageChart::Visits, data) => village_visits(&body, data, lang, &s),
        Chart::Village(VillageChart::Products, data) => {
            let bars = Bars {
                categories: data
                    .products
                    .iter()
                    .map(|p| {
                        p.product
                            .clone()
                            .unwrap_or_else(|| lang.pick("未登记产品", "Other sales").to_string())
                    })
                    .collect(),
                series: SalesChannel::ALL
                    .iter()
                    .enumerate()
                    .map(|(k, channel)| Series {
                        name: channel.label(lang).to_string(),
                        color: palette(k),
                        values: data.products.iter().map(|p| p.by_channel[k]).collect(),
                    })
                    .collect(),
                value_desc: lang.pick("销售额（元）", "Sales (yuan)").to_string(),
                horizontal: true,
                money: true,
            };
            bars.draw(&body, lang, &s)
        }
    }
}

/// How a legend entry is marked.
#[derive(Clone, Copy)]
enum Marker {
    Box,
    Line,
    Dot,
}

/// Draws a one-line legend across the top of `area` and returns the area left below it, so that
/// a legend never hides a bar.
fn legend_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, RGBColor, Marker)],
    s: &Sizes,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    let (width, _) = area.dim_in_pixel();
    let size = s.label as i32;
    let font = ("sans-serif", s.label).into_font();
    let gap = size;
    let mut widths = Vec::new();
    for (name, _, _) in entries {
        let (w, _) = area.estimate_text_size(name, &font.clone().into_text_style(area))?;
        widths.push(size + size / 2 + w as i32 + gap);
    }
    // Entries wrap onto further lines when they do not fit the width.
    let mut lines = 1;
    let mut x = 0;
    for w in &widths {
        if x > 0 && x + w > width as i32 {
            lines += 1;
            x = 0;
        }
        x += w;
    }
    let line_height = size * 2;
    let (strip, rest) = area.split_vertically(line_height * lines + size / 2);
    let (mut x, mut y) = (size, size);
    for ((name, color, marker), w) in entries.iter().zip(&widths) {
        if x > size && x + w > width as i32 {
            x = size;
            y += line_height;
        }
        match marker {
            Marker::Box => strip.draw(&Rectangle::new(
                [(x, y - size / 2), (x + size, y + size / 2)],
                color.filled(),
            ))?,
            Marker::Line => strip.draw(&PathElement::new(
                vec![(x, y), (x + size, y)],
                color.stroke_width((size / 5).max(2) as u32),
            ))?,
            Marker::Dot => strip.draw(&Circle::new((x + size / 2, y), size / 2, color.filled()))?,
        }
        strip.draw(&Text::new(
            name.clone(),
            (x + size + size / 2, y - size / 2 - 1),
            font.clone().color(&BLACK),
        ))?;
        x += w;
    }
    Ok(rest)
}

/// "No data" in the middle of an empty chart.
fn empty<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lang: Lang,
    s: &Sizes,
) -> DrawResult<DB::ErrorType> {
    let (w, h) = area.dim_in_pixel();
    let style = ("sans-serif", s.label * 1.2).into_font().color(&AXIS).pos(
        plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        ),
    );
    area.draw_text(
        lang.pick("暂无数据", "No data yet"),
        &style,
        (w as i32 / 2, h as i32 / 2),
    )
}

/// An amount of yuan for an axis: 万 in Chinese, k in English.
fn money(v: f64, lang: Lang) -> String {
    let a = v.abs();
    match lang {
        Lang::Zh if a >= 10_000.0 => format!("{}万", trim(v / 10_000.0)),
        Lang::En if a >= 1_000.0 => format!("{}k", trim(v / 1_000.0)),
        _ => format!("{v:.0}"),
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// Category `i` of `labels` at an axis position, when the position falls on one.
fn category(labels: &[String], v: f64) -> String {
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    labels.get(i as usize).cloned().unwrap_or_default()
}

fn upper(max: f64) -> f64 {
    if max <= 0.0 { 1.0 } else { max * 1.12 }
}

struct Series {
    name: String,
    color: RGBColor,
    values: Vec<f64>,
}

/// Stacked bars per category; negative values stack below zero.
struct Bars {
    categories: Vec<String>,
    series: Vec<Series>,
    value_desc: String,
    horizontal: bool,
    money: bool,
}

impl Bars {
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        lang: Lang,
        s: &Sizes,
    ) -> DrawResult<DB::ErrorType> {
        let n = self.categories.len();
        if n == 0 {
            return empty(area, lang, s);
        }
        let with_legend;
        let area = if self.series.len() > 1 {
            let entries: Vec<(String, RGBColor, Marker)> = self
                .series
                .iter()
                .map(|x| (x.name.clone(), x.color, Marker::Box))
                .collect();
            with_legend = legend_strip(area, &entries, s)?;
            &with_legend
        } else {
            area
        };
        let mut top = vec![0.0f64; n];
        let mut bottom = vec![0.0f64; n];
        for series in &self.series {
            for (i, v) in series.values.iter().enumerate() {
                if *v >= 0.0 {
                    top[i] += v;
                } else {
                    bottom[i] += v;
                }
            }
        }
        let hi = upper(top.iter().copied().fold(s.shared_max, f64::max));
        let lo = bottom.iter().copied().fold(0.0, f64::min) * 1.12;
        let cats = (-0.5f64)..(n as f64 - 0.5);
        let values = lo..hi;
        let font = ("sans-serif", s.label).into_font();
        let label_chars = self
            .categories
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(1) as f64;
        let is_money = self.money;
        let fmt_value = move |v: &f64| {
            if is_money {
                money(*v, lang)
            } else {
                format!("{v:.0}")
            }
        };
        let cat_labels = self.categories.clone();
        let fmt_cat = move |v: &f64| category(&cat_labels, *v);
        // Horizontal bars put the categories on the y axis, first category at the top.
        let position = |i: usize| {
            if self.horizontal {
                (n - 1 - i) as f64
            } else {
                i as f64
            }
        };
        let rect = |i: usize, from: f64, to: f64| {
            let c = position(i);
            if self.horizontal {
                [(from, c - 0.35), (to, c + 0.35)]
            } else {
                [(c - 0.35, from), (c + 0.35, to)]
            }
        };
        let mut builder = ChartBuilder::on(area);
        builder.margin(s.label * 0.8);
        let mut chart = if self.horizontal {
            builder
                .x_label_area_size(s.label * 3.2)
                .y_label_area_size(
                    (s.label * (label_chars + 1.5)).min(f64::from(area.dim_in_pixel().0) * 0.4),
                )
                .build_cartesian_2d(values, cats)?
        } else {
            builder
                .x_label_area_size(s.label * 3.2)
                .y_label_area_size(s.label * 4.0)
                .build_cartesian_2d(cats, values)?
        };
        let reversed_labels: Vec<String> = self.categories.iter().rev().cloned().collect();
        let fmt_cat_reversed = move |v: &f64| category(&reversed_labels, *v);
        {
            let mut mesh = chart.configure_mesh();
            mesh.light_line_style(WHITE)
                .bold_line_style(GRID)
                .axis_style(AXIS)
                .label_style(font.clone())
                .axis_desc_style(font.clone());
            if self.horizontal {
                mesh.disable_y_mesh()
                    .y_labels(n + 1)
                    .y_label_formatter(&fmt_cat_reversed)
                    .x_labels(6)
                    .x_label_formatter(&fmt_value)
                    .x_desc(self.value_desc.as_str());
            } else {
                mesh.disable_x_mesh()
                    .x_labels(n + 1)
                    .x_label_formatter(&fmt_cat)
                    .y_labels(6)
                    .y_label_formatter(&fmt_value)
                    .y_desc(self.value_desc.as_str());
            }
            mesh.draw()?;
        }
        let mut up = vec![0.0f64; n];
        let mut down = vec![0.0f64; n];
        for series in &self.series {
            let mut bars = Vec::new();
            for (i, v) in series.values.iter().enumerate() {
                if *v == 0.0 {
                    continue;
                }
                let (from, to) = if *v > 0.0 {
                    let from = up[i];
                    up[i] += v;
                    (from, up[i])
                } else {
                    let from = down[i];
                    down[i] += v;
                    (from, down[i])
                };
                bars.push(Rectangle::new(rect(i, from, to), series.color.filled()));
            }
            chart.draw_series(bars)?;
        }
        Ok(())
    }
}

fn household_income<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &HouseholdChartData,
    lang: Lang,
    s: &Sizes,
) -> DrawResult<DB::ErrorType> {
    let points = &data.incomes;
    if points.is_empty() {
        return empty(area, lang, s);
    }
    let n = points.len();
    let max = points
        .iter()
        .flat_map(|p| [p.per_capita_yuan, p.warning_yuan])
        .flatten()
        .fold(0.0, f64::max);
    let area = &legend_strip(
        area,
        &[
            (
                lang.pick("人均纯收入", "Per-capita net income").to_string(),
                INCOME_BLUE,
                Marker::Box,
            ),
            (
                lang.pick("当年扶贫标准", "Poverty line of the year")
                    .to_string(),
                LINE_RED,
                Marker::Line,
            ),
            (
                lang.pick("监测范围（预警带）", "Warning band").to_string(),
                BAND_AMBER,
                Marker::Box,
            ),
        ],
        s,
    )?;
    let years: Vec<String> = points.iter().map(|p| p.year.to_string()).collect();
    let fmt_year = move |v: &f64| category(&years, *v);
    let fmt_money = move |v: &f64| money(*v, lang);
    let font = ("sans-serif", s.label).into_font();
    let mut chart = ChartBuilder::on(area)
        .margin(s.label * 0.8)
        .x_label_area_size(s.label * 3.2)
        .y_label_area_size(s.label * 4.0)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0.0..upper(max))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .label_style(font.clone())
        .axis_desc_style(font.clone())
        .x_labels(n + 1)
        .x_label_formatter(&fmt_year)
        .y_labels(6)
        .y_label_formatter(&fmt_money)
        .y_desc(lang.pick("元/人", "yuan per person"))
        .draw()?;
    // The band first, so the bars and the line sit on top of it.
    chart.draw_series(points.iter().enumerate().filter_map(|(i, p)| {
        let (line, warning) = (p.line_yuan?, p.warning_yuan?);
        let x = i as f64;
        Some(Rectangle::new(
            [(x - 0.5, line), (x + 0.5, warning)],
            BAND_AMBER.filled(),
        ))
    }))?;
    chart.draw_series(points.iter().enumerate().filter_map(|(i, p)| {
        let v = p.per_capita_yuan?;
        let x = i as f64;
        Some(Rectangle::new(
            [(x - 0.3, 0.0), (x + 0.3, v)],
            INCOME_BLUE.filled(),
        ))
    }))?;
    let stroke = (s.label / 5.0).round().max(2.0) as u32;
    chart.draw_series(points.iter().enumerate().filter_map(|(i, p)| {
        let line = p.line_yuan?;
        let x = i as f64;
        Some(PathElement::new(
            vec![(x - 0.5, line), (x + 0.5, line)],
            LINE_RED.stroke_width(stroke),
        ))
    }))?;
    Ok(())
}

fn household_items<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &HouseholdChartData,
    lang: Lang,
    s: &Sizes,
) -> DrawResult<DB::ErrorType> {
    let bars = Bars {
        categories: data.incomes.iter().map(|p| p.year.to_string()).collect(),
        series: IncomeItem::ALL
            .iter()
            .enumerate()
            .map(|(k, item)| Series {
                name: item.label(lang).to_string(),
                color: if *item == IncomeItem::ProductionExpense {
                    PALETTE[8]
                } else {
                    palette(k)
                },
                values: data
                    .incomes
                    .iter()
                    .map(|p| {
                        let v = p.item(*item);
                        if *item == IncomeItem::ProductionExpense {
                            -v
                        } else {
                            v
                        }
                    })
                    .collect(),
            })
            .collect(),
        value_desc: lang.pick("元（全户）", "yuan (household)").to_string(),
        horizontal: false,
        money: true,
    };
    bars.draw(area, lang, s)
}

fn household_visits<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &HouseholdChartData,
    lang: Lang,
    s: &Sizes,
) -> DrawResult<DB::ErrorType> {
    let (Some(first), Some(last)) = (data.visits.first(), data.visits.last()) else {
        return empty(area, lang, s);
    };
    let day = |d: NaiveDate| f64::from(d.num_days_from_ce());
    // At least three months wide, so a single visit sits inside a readable axis.
    let (mut from, mut to) = (day(first.date) - 15.0, day(last.date) + 15.0);
    if to - from < 90.0 {
        let mid = (from + to) / 2.0;
        (from, to) = (mid - 45.0, mid + 45.0);
    }
    let area = &legend_strip(
        area,
        &[
            (
                lang.pick("走访", "Visit").to_string(),
                INCOME_BLUE,
                Marker::Dot,
            ),
            (
                lang.pick("记录了风险事件", "Risk event recorded")
                    .to_string(),
                LINE_RED,
                Marker::Dot,
            ),
        ],
        s,
    )?;
    let kinds: Vec<String> = VisitKind::ALL
        .iter()
        .map(|k| k.label(lang).to_string())
        .collect();
    let fmt_kind = move |v: &f64| category(&kinds, *v);
    let fmt_date = |v: &f64| {
        NaiveDate::from_num_days_from_ce_opt(v.round() as i32)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let font = ("sans-serif", s.label).into_font();
    let mut chart = ChartBuilder::on(area)
        .margin(s.label * 0.8)
        .x_label_area_size(s.label * 3.2)
        .y_label_area_size(s.label * 6.0)
        .build_cartesian_2d(from..to, -0.5f64..(VisitKind::ALL.len() as f64 - 0.5))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .label_style(font.clone())
        .axis_desc_style(font.clone())
        .y_labels(VisitKind::ALL.len() + 1)
        .y_label_formatter(&fmt_kind)
        .x_labels(6)
        .x_label_formatter(&fmt_date)
        .x_desc(lang.pick("走访日期", "Visit date"))
        .draw()?;
    let radius = (s.label * 0.5).max(4.0) as i32;
    let kind_index = |k: VisitKind| VisitKind::ALL.iter().position(|x| *x == k).unwrap_or(0) as f64;
    chart.draw_series(data.visits.iter().filter(|v| !v.risk).map(|v| {
        Circle::new(
            (day(v.date), kind_index(v.kind)),
            radius,
            INCOME_BLUE.filled(),
        )
    }))?;
    chart.draw_series(
        data.visits
            .iter()
            .filter(|v| v.risk)
            .map(|v| Circle::new((day(v.date), kind_index(v.kind)), radius, LINE_RED.filled())),
    )?;
    Ok(())
}

fn village_statuses<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &VillageChartData,
    lang: Lang,
    s: &Sizes,
) -> DrawResult<DB::ErrorType> {
    let st = &data.statuses;
    let bars = Bars {
        categories: st.iter().map(|y| y.year.to_string()).collect(),
        series: vec![
            Series {
                name: lang
                    .pick("在册贫困户（未脱贫）", "Registered, not exited")
                    .to_string(),
                color: REGISTERED_COLOR,
                values: st.iter().map(|y| f64::from(y.registered)).collect(),
            },
            Series {
                name: lang.pick("已脱贫", "Exited").to_string(),
                color: EXITED_COLOR,
                values: st.iter().map(|y| f64::from(y.exited)).collect(),
            },
            Series {
                name: lang.pick("监测户", "Monitored").to_string(),
                color: MONITORED_COLOR,
                values: st.iter().map(|y| f64::from(y.monitored)).collect(),
            },
        ],
        value_desc: lang.pick("户数", "Households").to_string(),
        horizontal: false,
        money: false,
    };
    bars.draw(area, lang, s)
}

fn village_incidence<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &VillageChartData,
    lang: Lang,
    s: &Sizes,
) -> DrawResult<DB::ErrorType> {
    let points: Vec<(f64, f64)> = data
        .incidence
        .iter()
        .enumerate()
        .filter_map(|(i, y)| Some((i as f64, y.incidence? * 100.0)))
        .collect();
    if points.is_empty() {
        return empty(area, lang, s);
    }
    let n = data.incidence.len();
    let max_pct = data.max_incidence * 100.0;
    let top = upper(
        points
            .iter()
            .map(|p| p.1)
            .fold(max_pct.max(s.shared_max), f64::max),
    );
    let threshold_label = match lang {
        Lang::Zh => format!("退出标准 {}%", trim(max_pct)),
        Lang::En => format!("Exit threshold {}%", trim(max_pct)),
    };
    let area = &legend_strip(
        area,
        &[
            (
                lang.pick("贫困发生率", "Poverty incidence").to_string(),
                INCOME_BLUE,
                Marker::Line,
            ),
            (threshold_label, EXITED_COLOR, Marker::Line),
        ],
        s,
    )?;
    let years: Vec<String> = data.incidence.iter().map(|y| y.year.to_string()).collect();
    let fmt_year = move |v: &f64| category(&years, *v);
    let fmt_pct = |v: &f64| format!("{}%", trim(*v));
    let font = ("sans-serif", s.label).into_font();
    let mut chart = ChartBuilder::on(area)
        .margin(s.label * 0.8)
        .x_label_area_size(s.label * 3.2)
        .y_label_area_size(s.label * 4.0)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0.0..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .label_style(font.clone())
        .axis_desc_style(font.clone())
        .x_labels(n + 1)
        .x_label_formatter(&fmt_year)
        .y_labels(6)
        .y_label_formatter(&fmt_pct)
        .y_desc(lang.pick("贫困发生率", "Poverty incidence"))
        .draw()?;
    let stroke = (s.label / 5.0).round().max(2.0) as u32;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(-0.5, max_pct), (n as f64 - 0.5, max_pct)],
        EXITED_COLOR.stroke_width(stroke),
    )))?;
    chart.draw_series(LineSeries::new(
        points.iter().copied(),
        INCOME_BLUE.stroke_width(stroke),
    ))?;
    let radius = (s.label * 0.35).max(3.0) as i32;
    chart.draw_series(points.iter().map(|p| {
        let color = if p.1 < max_pct {
            EXITED_COLOR
        } else {
            LINE_RED
        };
        Circle::new(*p, radius, color.filled())
    }))?;
    Ok(())
}

fn village_funds<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &VillageChartData,
    lang: Lang,
    s: &Sizes,
) -> DrawResult<DB::ErrorType> {
    let (left, right) = area.split_horizontally(area.dim_in_pixel().0 / 2);
    let panel = |title: &str, rows: Vec<(String, f64)>, color: RGBColor| Bars {
        categories: rows.iter().map(|r| r.0.clone()).collect(),
        series: vec![Series {
            name: title.to_string(),
            color,
            values: rows.iter().map(|r| r.1).collect(),
        }],
        value_desc: format!("{}{}", title, lang.pick("（元）", " (yuan)")),
        horizontal: true,
        money: true,
    };
    panel(
        lang.pick("按来源", "By source"),
        data.funds_by_source
            .iter()
            .map(|(k, v)| (k.label(lang).to_string(), *v))
            .collect(),
        palette(0),
    )
    .draw(&left, lang, s)?;
    panel(
        lang.pick("按用途", "By use"),
        data.funds_by_use
            .iter()
            .map(|(k, v)| (k.label(lang).to_string(), *v))
            .collect(),
        palette(1),
    )
    .draw(&right, lang, s)
}

/// A heat map: one row per helper, one column per month, the count in each cell.
fn village_visits<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &VillageChartData,
    lang: Lang,
    s: &Sizes,
) -> DrawResult<DB::ErrorType> {
    let v = &data.visits;
    if v.rows.is_empty() || v.months.is_empty() {
        return empty(area, lang, s);
    }
    let (rows, cols) = (v.rows.len(), v.months.len());
    let names: Vec<String> = v
        .rows
        .iter()
        .rev()
        .map(|r| {
            r.helper
                .clone()
                .unwrap_or_else(|| lang.pick("工作队及其他", "Team and others").to_string())
        })
        .collect();
    let name_chars = names.iter().map(|n| n.chars().count()).max().unwrap_or(1) as f64;
    let fmt_name = move |y: &f64| category(&names, *y);
    let months: Vec<String> = v
        .months
        .iter()
        .map(|(y, m)| format!("{}-{m:02}", y % 100))
        .collect();
    let fmt_month = move |x: &f64| category(&months, *x);
    let font = ("sans-serif", s.label).into_font();
    let mut chart = ChartBuilder::on(area)
        .margin(s.label * 0.8)
        .x_label_area_size(s.label * 3.2)
        .y_label_area_size(s.label * (name_chars + 1.5))
        .build_cartesian_2d(-0.5f64..(cols as f64 - 0.5), -0.5f64..(rows as f64 - 0.5))?;
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(AXIS)
        .label_style(font.clone())
        .axis_desc_style(font.clone())
        .x_labels(cols + 1)
        .x_label_formatter(&fmt_month)
        .y_labels(rows + 1)
        .y_label_formatter(&fmt_name)
        .x_desc(lang.pick("月份", "Month"))
        .draw()?;
    let max = v
        .rows
        .iter()
        .flat_map(|r| r.counts.iter().copied())
        .max()
        .unwrap_or(0)
        .max(s.shared_max.round() as u32)
        .max(1);
    let cell = |count: u32| {
        // White for none, deepening blue with the count.
        let t = f64::from(count) / f64::from(max);
        let mix = |c: u8| (255.0 - (255.0 - f64::from(c)) * (0.15 + 0.85 * t)).round() as u8;
        if count == 0 {
            RGBColor(248, 248, 248)
        } else {
            RGBColor(mix(INCOME_BLUE.0), mix(INCOME_BLUE.1), mix(INCOME_BLUE.2))
        }
    };
    let mut cells = Vec::new();
    let mut texts = Vec::new();
    let text_font = ("sans-serif", s.label * 0.9).into_font();
    for (r, row) in v.rows.iter().enumerate() {
        let y = (rows - 1 - r) as f64;
        for (c, count) in row.counts.iter().enumerate() {
            let x = c as f64;
            cells.push(Rectangle::new(
                [(x - 0.48, y - 0.45), (x + 0.48, y + 0.45)],
                cell(*count).filled(),
            ));
            if *count > 0 {
                let color = if f64::from(*count) / f64::from(max) > 0.5 {
                    WHITE
                } else {
                    BLACK
                };
                texts.push(Text::new(
                    count.to_string(),
                    (x - 0.1, y + 0.25),
                    text_font.clone().color(&color),
                ));
            }
        }
    }
    chart.draw_series(cells)?;
    chart.draw_series(texts)?;
    Ok(())
}
