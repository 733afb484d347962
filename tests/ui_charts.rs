//! The charts screen and the household charts tab, driven like a user (egui_kittest): charts are
//! drawn once and reused across frames, redrawn when the data changes, saved through the
//! `SaveChart` action (what the save dialog emits) as PNG or SVG; a database of several villages
//! shows them side by side.

mod common;

use common::files::decode_png;
use common::window::{build, builder, click, shown};

use dripline::io::charts::render::{REGISTERED_COLOR, SAVE_SIZE, VillageChart};
use dripline::ui::charts::ChartId;
use dripline::ui::{Action, DataAction, Screen};
use egui_kittest::kittest::Queryable;

#[test]
fn village_charts_draw_once_and_save_as_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = build(builder().with_max_steps(32), dir.path(), None);
    harness.run();
    click(&mut harness, "图表");
    assert_eq!(harness.state().screen(), Screen::Charts);
    assert!(shown(&harness, "青龙村 · 图表"));
    harness.run();
    let drawn = harness.state().chart_renders();
    assert_eq!(
        drawn,
        VillageChart::ALL.len() as u64,
        "each chart drawn once"
    );
    for _ in 0..5 {
        harness.run();
    }
    assert_eq!(
        harness.state().chart_renders(),
        drawn,
        "frames reuse the textures"
    );

    let village_id = harness.state().store().unwrap().villages().unwrap()[0].id;
    let png_path = dir.path().join("各年农户状态.png");
    harness.state_mut().apply(Action::SaveChart {
        chart: ChartId::Village(village_id, VillageChart::Statuses),
        path: png_path.clone(),
    });
    harness.run();
    assert!(shown(
        &harness,
        &format!("图表已保存：{}", png_path.display())
    ));
    let png = decode_png(&std::fs::read(&png_path).unwrap());
    let (w, h, rgb) = (png.width, png.height, png.pixels);
    assert_eq!((w, h), SAVE_SIZE);
    let red = rgb
        .chunks(3)
        .filter(|p| *p == [REGISTERED_COLOR.0, REGISTERED_COLOR.1, REGISTERED_COLOR.2])
        .count();
    assert!(
        red > 10_000,
        "the registered households' bars: {red} pixels"
    );

    let svg_path = dir.path().join("incidence.svg");
    harness.state_mut().apply(Action::SaveChart {
        chart: ChartId::Village(village_id, VillageChart::Incidence),
        path: svg_path.clone(),
    });
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.contains("青龙村 — 贫困发生率") && svg.contains("退出标准 3%"));

    // A folder that does not exist: the error is shown, nothing is written.
    let bad = dir.path().join("missing").join("a.png");
    harness.state_mut().apply(Action::SaveChart {
        chart: ChartId::Village(village_id, VillageChart::Causes),
        path: bad.clone(),
    });
    harness.run();
    assert!(!bad.exists());
    assert!(
        harness
            .query_all_by_label_contains("无法写入")
            .next()
            .is_some()
    );

    // Switching the language redraws (titles and legends are in the other language).
    click(&mut harness, "English");
    harness.run();
    assert_eq!(
        harness.state().chart_renders(),
        drawn * 2,
        "each chart redrawn once in English"
    );
}

#[test]
fn household_charts_redraw_when_its_data_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = build(builder().with_max_steps(32), dir.path(), None);
    harness.run();
    let records = harness
        .state()
        .store()
        .unwrap()
        .household_records(None)
        .unwrap();
    let record = records
        .iter()
        .find(|r| r.household.number == "023")
        .unwrap()
        .clone();
    harness
        .state_mut()
        .apply(Action::Navigate(Screen::Household(record.household.id)));
    harness.run();
    click(&mut harness, "本户图表");
    harness.run();
    assert_eq!(harness.state().chart_renders(), 3, "three household charts");
    harness.run();
    assert_eq!(harness.state().chart_renders(), 3);

    // A changed income: the charts are drawn again, once.
    let mut income = record.latest_income().unwrap().clone();
    income.wage_yuan += 6000.0;
    harness.state_mut().apply(DataAction::SaveIncome(income));
    harness.run();
    harness.run();
    assert_eq!(harness.state().chart_renders(), 6);

    let path = dir.path().join("household.png");
    harness.state_mut().apply(Action::SaveChart {
        chart: ChartId::Household(
            record.household.id,
            dripline::io::charts::render::HouseholdChart::Income,
        ),
        path: path.clone(),
    });
    let png = decode_png(&std::fs::read(&path).unwrap());
    let (w, h) = (png.width, png.height);
    assert_eq!((w, h), SAVE_SIZE);
}

#[test]
fn a_county_database_shows_villages_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.sqlite");
    let spec = dripline::demo::DemoSpec {
        villages: 8,
        households_per_village: 40,
        seed: 7,
    };
    common::demo_db(&db, &spec);
    let mut harness = build(builder().with_max_steps(32), dir.path(), Some(db));
    // A county database opens on the county, summing it up in the background.
    harness.step();
    common::window::wait_for_job(&mut harness);
    click(&mut harness, "图表");
    harness.run();
    harness.run();
    assert!(shown(&harness, "全县各村对比（8个村）"));
    assert!(shown(&harness, "第 1 / 2 页"));
    // One page of villages, one chart each: only what is visible is drawn.
    assert_eq!(harness.state().chart_renders(), 6);
    click(&mut harness, "下一页");
    harness.run();
    harness.run();
    assert!(shown(&harness, "第 2 / 2 页"));
    assert_eq!(harness.state().chart_renders(), 8);
    // Back to page 1: the textures are still cached.
    click(&mut harness, "上一页");
    harness.run();
    assert_eq!(harness.state().chart_renders(), 8);
    // Another chart for every visible village.
    click(&mut harness, "致贫原因");
    harness.run();
    harness.run();
    assert_eq!(harness.state().chart_renders(), 14);
}
