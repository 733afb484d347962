//! Charts rendered to PNG and SVG, checked by content: the decoded pixels show the bars, the
//! poverty line and the warning band where the figures put them, and the SVG carries the
//! Chinese title, legend and axis values.

mod common;

use dripline::i18n::Lang;
use dripline::io::charts::data::{
    HelperVisits, HouseholdChartData, IncidenceYear, IncomePoint, StatusYear, VillageChartData,
};
use dripline::io::charts::render::{
    self, BAND_AMBER, Chart, EXITED_COLOR, HouseholdChart, INCOME_BLUE, LINE_RED, REGISTERED_COLOR,
    VillageChart,
};
use plotters::style::RGBColor;
use uuid::Uuid;

const W: u32 = 800;
const H: u32 = 500;

/// A decoded RGB image.
struct Image {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Image {
    fn decode(png_bytes: &[u8]) -> Image {
        let png = common::files::decode_png(png_bytes);
        assert_eq!(png.color, png::ColorType::Rgb);
        Image {
            width: png.width as usize,
            height: png.height as usize,
            rgb: png.pixels,
        }
    }

    fn is(&self, x: usize, y: usize, c: RGBColor) -> bool {
        let i = (y * self.width + x) * 3;
        self.rgb[i..i + 3] == [c.0, c.1, c.2]
    }

    /// Rows of column `x` in colour `c`.
    fn rows_of(&self, x: usize, c: RGBColor) -> Vec<usize> {
        (0..self.height).filter(|&y| self.is(x, y, c)).collect()
    }

    /// Runs of colour `c` along row `y`: (first x, last x).
    fn runs(&self, y: usize, c: RGBColor) -> Vec<(usize, usize)> {
        let mut runs = Vec::new();
        let mut start = None;
        for x in 0..=self.width {
            let hit = x < self.width && self.is(x, y, c);
            match (hit, start) {
                (true, None) => start = Some(x),
                (false, Some(s)) => {
                    runs.push((s, x - 1));
                    start = None;
                }
                _ => {}
            }
        }
        runs
    }

    fn count(&self, c: RGBColor) -> usize {
        self.rgb.chunks(3).filter(|p| *p == [c.0, c.1, c.2]).count()
    }
}

/// The longest run of consecutive rows.
fn longest_run(rows: &[usize]) -> Vec<usize> {
    let mut best: Vec<usize> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for &r in rows {
        if current.last().is_some_and(|&l| l + 1 != r) {
            current.clear();
        }
        current.push(r);
        if current.len() > best.len() {
            best = current.clone();
        }
    }
    best
}

fn point(year: i32, per_capita: f64, line: f64) -> IncomePoint {
    IncomePoint {
        year,
        per_capita_yuan: Some(per_capita),
        line_yuan: Some(line),
        warning_yuan: Some(line * 1.5),
        wage_yuan: per_capita * 3.0,
        production_yuan: 0.0,
        property_yuan: 0.0,
        transfer_yuan: 0.0,
        expense_yuan: 0.0,
    }
}

fn household(points: Vec<IncomePoint>) -> HouseholdChartData {
    HouseholdChartData {
        number: "007".into(),
        head: "王小伟".into(),
        incomes: points,
        visits: vec![],
    }
}

/// Bar centres: runs of the bar colour along a row just above the x axis, wide enough to be bars.
fn bar_centres(img: &Image, c: RGBColor) -> Vec<usize> {
    let y = (0..img.height)
        .rev()
        .find(|&y| img.runs(y, c).iter().filter(|(a, b)| b - a > 20).count() > 0)
        .expect("a row crossing the bars");
    img.runs(y - 3, c)
        .into_iter()
        .filter(|(a, b)| b - a > 20)
        .map(|(a, b)| (a + b) / 2)
        .collect()
}

#[test]
fn income_bars_line_and_band_are_where_the_figures_put_them() {
    // 2019: 2000 per person under a line of 3000; 2020: 4000 per person above it.
    let data = household(vec![
        point(2019, 2000.0, 3000.0),
        point(2020, 4000.0, 3000.0),
    ]);
    let chart = Chart::Household(HouseholdChart::Income, &data);
    let img = Image::decode(&render::render_png(&chart, Lang::Zh, W, H).unwrap());
    assert_eq!((img.width, img.height), (W as usize, H as usize));

    let centres = bar_centres(&img, INCOME_BLUE);
    assert_eq!(centres.len(), 2, "two bars");
    let blue0 = img.rows_of(centres[0], INCOME_BLUE);
    let blue1 = img.rows_of(centres[1], INCOME_BLUE);
    let base = *blue0.last().unwrap() as f64;
    assert_eq!(
        *blue1.last().unwrap() as f64,
        base,
        "bars share the baseline"
    );
    let h0 = base - *blue0.first().unwrap() as f64;
    let h1 = base - *blue1.first().unwrap() as f64;
    assert!(h0 > 100.0, "a bar of useful height: {h0}");
    assert!(
        (h1 / h0 - 2.0).abs() < 0.03,
        "4000 is twice 2000: {h1} vs {h0}"
    );

    // The red line of 3000 sits at 1.5 bar-0 heights above the baseline, in both columns (in
    // column 1 it crosses the bar).
    for &x in &centres {
        let red = img.rows_of(x, LINE_RED);
        assert!(!red.is_empty(), "the line crosses column {x}");
        let mid = red.iter().sum::<usize>() as f64 / red.len() as f64;
        let ratio = (base - mid) / h0;
        assert!((ratio - 1.5).abs() < 0.03, "line at {ratio} × 2000");
        assert!(red.len() <= 6, "a thin line, not a block: {}", red.len());
    }

    // The warning band (3000..4500) is amber above the line in column 0: 0.75 of a bar-0 height.
    // (The legend's amber box may share the column: take the longest run.)
    let amber = longest_run(&img.rows_of(centres[0], BAND_AMBER));
    let band = (*amber.last().unwrap() - *amber.first().unwrap()) as f64;
    assert!((band / h0 - 0.75).abs() < 0.03, "band {band} vs bar {h0}");
    assert!(*amber.last().unwrap() < *img.rows_of(centres[0], LINE_RED).first().unwrap() + 1);
}

#[test]
fn same_figures_give_the_same_bytes_and_other_figures_another_image() {
    let a = household(vec![
        point(2019, 2000.0, 3000.0),
        point(2020, 4000.0, 3000.0),
    ]);
    let b = household(vec![
        point(2019, 2000.0, 3000.0),
        point(2020, 4100.0, 3000.0),
    ]);
    let png = |d: &HouseholdChartData| {
        render::render_png(&Chart::Household(HouseholdChart::Income, d), Lang::Zh, W, H).unwrap()
    };
    assert_eq!(png(&a), png(&a));
    assert_ne!(png(&a), png(&b));
    // The language changes the image (titles and legends), not the bars.
    let en = render::render_png(
        &Chart::Household(HouseholdChart::Income, &a),
        Lang::En,
        W,
        H,
    )
    .unwrap();
    assert_ne!(png(&a), en);
    assert_eq!(
        Image::decode(&png(&a)).count(INCOME_BLUE),
        Image::decode(&en).count(INCOME_BLUE)
    );
}

fn village(statuses: Vec<StatusYear>) -> VillageChartData {
    VillageChartData {
        village_id: Uuid::nil(),
        name: "白鹤村".into(),
        township: "白鹤乡".into(),
        incidence: statuses
            .iter()
            .map(|s| IncidenceYear {
                year: s.year,
                poor_people: s.registered * 3,
                incidence: Some(f64::from(s.registered * 3) / 1000.0),
            })
            .collect(),
        statuses,
        population: 1000,
        max_incidence: 0.03,
        causes: vec![],
        coverage: vec![],
        funds_by_source: vec![],
        funds_by_use: vec![],
        visits: HelperVisits {
            months: vec![],
            rows: vec![],
        },
        products: vec![],
    }
}

#[test]
fn stacked_status_bars_follow_the_counts() {
    let data = village(vec![
        StatusYear {
            year: 2019,
            registered: 40,
            exited: 0,
            monitored: 0,
        },
        StatusYear {
            year: 2020,
            registered: 20,
            exited: 20,
            monitored: 0,
        },
    ]);
    let chart = Chart::Village(VillageChart::Statuses, &data);
    let img = Image::decode(&render::render_png(&chart, Lang::Zh, W, H).unwrap());
    let centres = bar_centres(&img, REGISTERED_COLOR);
    assert_eq!(centres.len(), 2);
    let red0 = img.rows_of(centres[0], REGISTERED_COLOR).len() as f64;
    let red1 = img.rows_of(centres[1], REGISTERED_COLOR).len() as f64;
    let green1 = img.rows_of(centres[1], EXITED_COLOR).len() as f64;
    assert!(img.rows_of(centres[0], EXITED_COLOR).is_empty());
    assert!((red0 / red1 - 2.0).abs() < 0.05, "40 vs 20: {red0} {red1}");
    assert!(
        (green1 / red1 - 1.0).abs() < 0.05,
        "20 vs 20: {green1} {red1}"
    );
    // Exited households sit on top of the registered ones.
    let top_red = *img.rows_of(centres[1], REGISTERED_COLOR).first().unwrap();
    let bottom_green = *img.rows_of(centres[1], EXITED_COLOR).last().unwrap();
    assert!(bottom_green < top_red);
}

#[test]
fn svg_keeps_the_chinese_title_legend_and_axis_values() {
    let data = village(vec![
        StatusYear {
            year: 2019,
            registered: 40,
            exited: 0,
            monitored: 0,
        },
        StatusYear {
            year: 2020,
            registered: 20,
            exited: 20,
            monitored: 1,
        },
    ]);
    let svg = render::render_svg(
        &Chart::Village(VillageChart::Statuses, &data),
        Lang::Zh,
        W,
        H,
    )
    .unwrap();
    assert!(svg.starts_with("<svg"), "an SVG document");
    for text in [
        "白鹤村 — 各年农户状态",
        "已脱贫",
        "监测户",
        "户数",
        "2019",
        "2020",
        "40",
    ] {
        assert!(svg.contains(text), "SVG lacks {text}");
    }
    let svg = render::render_svg(
        &Chart::Village(VillageChart::Incidence, &data),
        Lang::En,
        W,
        H,
    )
    .unwrap();
    for text in ["Poverty incidence", "Exit threshold 3%", "2019"] {
        assert!(svg.contains(text), "SVG lacks {text}");
    }
}

#[test]
fn every_chart_of_the_demo_village_renders_distinct_images() {
    use dripline::io::charts::data::{household_chart_data, village_chart_data};
    let demo = dripline::demo::generate_village(&dripline::demo::DemoSpec::default(), 0);
    let t = dripline::model::Thresholds::default();
    let v = village_chart_data(
        &demo.village,
        &demo.households,
        &demo.workflow,
        &t,
        dripline::demo::demo_today(),
    );
    let mut images = Vec::new();
    for kind in VillageChart::ALL {
        images.push(render::render_png(&Chart::Village(kind, &v), Lang::Zh, 600, 400).unwrap());
    }
    let rec = &demo.households[22];
    let lines = dripline::rules::income::PovertyLines::default();
    let h = household_chart_data(rec, &demo.workflow, &lines, &t);
    for kind in HouseholdChart::ALL {
        images.push(render::render_png(&Chart::Household(kind, &h), Lang::Zh, 600, 400).unwrap());
    }
    for (i, a) in images.iter().enumerate() {
        // More than a blank page: a good share of the pixels are not white.
        let img = Image::decode(a);
        let inked = img.rgb.chunks(3).filter(|p| *p != [255, 255, 255]).count();
        assert!(
            inked > 600 * 400 / 50,
            "chart {i} is nearly blank ({inked} pixels)"
        );
        for b in &images[i + 1..] {
            assert_ne!(a, b);
        }
    }
}

#[test]
fn saving_picks_the_format_from_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let data = household(vec![point(2020, 4000.0, 3000.0)]);
    let chart = Chart::Household(HouseholdChart::Items, &data);
    let png_path = dir.path().join("收入构成.png");
    let svg_path = dir.path().join("items.SVG");
    render::save(&chart, Lang::Zh, &png_path).unwrap();
    render::save(&chart, Lang::Zh, &svg_path).unwrap();
    let img = Image::decode(&std::fs::read(&png_path).unwrap());
    assert_eq!((img.width as u32, img.height as u32), render::SAVE_SIZE);
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.contains("007 王小伟 — 收入构成") && svg.contains("工资性收入"));
    // A folder that does not exist: a typed error, said in both languages.
    let err = render::save(&chart, Lang::Zh, &dir.path().join("无此目录/a.png")).unwrap_err();
    use dripline::i18n::Localize;
    assert!(err.localize(Lang::Zh).contains("无法写入"));
    assert!(err.localize(Lang::En).contains("Cannot write"));
}

#[test]
fn a_new_village_without_data_says_so_in_every_chart() {
    let data = village(vec![]);
    for kind in VillageChart::ALL {
        let svg = render::render_svg(&Chart::Village(kind, &data), Lang::Zh, 400, 250).unwrap();
        assert!(svg.contains("暂无数据"), "{kind:?} says there is no data");
        // Small sizes draw too (the side-by-side view).
        render::render_png(&Chart::Village(kind, &data), Lang::En, 200, 120).unwrap();
    }
    let empty = household(vec![]);
    for kind in HouseholdChart::ALL {
        let svg = render::render_svg(&Chart::Household(kind, &empty), Lang::En, 400, 250).unwrap();
        assert!(
            svg.contains("No data yet"),
            "{kind:?} says there is no data"
        );
    }
}

#[test]
fn villages_side_by_side_share_one_scale() {
    let status = |registered| StatusYear {
        year: 2020,
        registered,
        exited: 0,
        monitored: 0,
    };
    let big = village(vec![status(40)]);
    let small = village(vec![status(20)]);
    let height = |data: &VillageChartData, shared_max: f64| {
        let chart = Chart::Village(VillageChart::Statuses, data);
        let img = Image {
            width: W as usize,
            height: H as usize,
            rgb: render::render_rgb_shared(&chart, Lang::Zh, W, H, shared_max).unwrap(),
        };
        let x = bar_centres(&img, REGISTERED_COLOR)[0];
        img.rows_of(x, REGISTERED_COLOR).len() as f64
    };
    // Each on its own scale, both bars reach the same height.
    assert_eq!(height(&big, 0.0), height(&small, 0.0));
    // On the shared scale of the pair, 20 is half of 40.
    let shared = [&big, &small]
        .iter()
        .map(|d| render::value_max(&Chart::Village(VillageChart::Statuses, d)))
        .fold(0.0, f64::max);
    assert_eq!(shared, 40.0);
    let ratio = height(&small, shared) / height(&big, shared);
    assert!((ratio - 0.5).abs() < 0.02, "20 of 40: {ratio}");
}
