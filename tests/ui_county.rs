//! The county office in the window: a county database of many villages in a few townships, its
//! village picker, its table as a tree, and every village screen for the village picked.

mod common;

use common::window::{click, harness, shown, type_into, wait_for_job};

use dripline::demo::{self, DemoSpec, DemoVillage};
use dripline::ui::{App, Screen};
use dripline::workspace::county::CountyTree;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// The townships of the test county.
const TOWNSHIPS: [&str; 3] = ["元坝镇", "歧坪镇", "白驿镇"];

/// A county of 12 demo villages of 8 households, spread over three townships, at `path`.
fn county_db(path: &std::path::Path) -> Vec<DemoVillage> {
    let spec = DemoSpec {
        villages: 12,
        households_per_village: 8,
        seed: 14,
    };
    let villages: Vec<DemoVillage> = demo::villages(&spec)
        .enumerate()
        .map(|(i, mut v)| {
            v.village.township = TOWNSHIPS[i % TOWNSHIPS.len()].to_string();
            v
        })
        .collect();
    let mut store = dripline::store::Store::open_or_create(path).unwrap();
    for v in &villages {
        common::insert_demo(&mut store, v);
    }
    store.close().unwrap();
    villages
}

/// The window on the county database, its figures computed.
fn county_window(dir: &std::path::Path) -> (Harness<'static, App>, Vec<DemoVillage>) {
    let db = dir.join("county.sqlite");
    let villages = county_db(&db);
    let mut harness = harness(&dir.join("data"), Some(db));
    harness.step();
    wait_for_job(&mut harness);
    (harness, villages)
}

#[test]
fn a_county_database_opens_on_the_county_without_the_demo_banner() {
    let dir = tempfile::tempdir().unwrap();
    let (harness, villages) = county_window(dir.path());
    assert_eq!(harness.state().screen(), Screen::County);
    harness.get_by_label_contains("共 3 个乡镇、12 个村");
    harness.get_by_label("全县合计（12 个村）");
    for township in TOWNSHIPS {
        harness.get_by_label(&format!("▶ {township}（4 个村）"));
    }
    assert!(!shown(&harness, "创建我的村"));
    assert!(!shown(&harness, &villages[0].village.name));
    let title = harness.state().window_title();
    assert!(title.contains("县级数据库（12 个村）"), "{title}");
}

#[test]
fn pick_a_village_by_search_and_see_its_households() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, villages) = county_window(dir.path());
    let picked = &villages[7].village;
    // By code: one match.
    type_into(&mut harness, "查找村", &picked.code);
    let button = format!(
        "打开 {} {}（{}）",
        picked.township, picked.name, picked.code
    );
    click(&mut harness, &button);
    assert_eq!(harness.state().screen(), Screen::Households);
    assert_eq!(harness.state().village_id(), Some(picked.id));
    for household in &villages[7].households {
        let head = household
            .members
            .iter()
            .find(|m| m.relation == dripline::model::Relation::Head)
            .unwrap();
        assert!(
            harness
                .query_all_by_label_contains(&head.name)
                .next()
                .is_some(),
            "household head {} of {} shown",
            head.name,
            picked.name
        );
    }
    let title = harness.state().window_title();
    assert!(
        title.contains(&picked.name) && title.contains("县级数据库"),
        "{title}"
    );
    assert!(!shown(&harness, "创建我的村"));

    // Back to the county in one click; the figures are still there.
    click(&mut harness, "← 返回全县");
    assert_eq!(harness.state().screen(), Screen::County);
    harness.get_by_label("全县合计（12 个村）");

    // By township: its four villages are offered.
    click(&mut harness, "清除");
    type_into(&mut harness, "查找村", "歧坪");
    let offered = harness.query_all_by_label_contains("打开 歧坪镇").count();
    assert_eq!(offered, 4);
}

#[test]
fn clicking_a_county_table_row_lands_in_that_villages_panels() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, villages) = county_window(dir.path());
    let picked = &villages[5].village;
    click(&mut harness, &format!("▶ {}（4 个村）", picked.township));
    click(&mut harness, &picked.name);
    assert_eq!(harness.state().village_id(), Some(picked.id));
    assert_eq!(harness.state().screen(), Screen::Households);

    // Every village screen is this village's.
    click(&mut harness, "村情（一低五有）");
    assert_eq!(harness.state().screen(), Screen::Village);
    assert!(
        harness
            .query_all_by_label_contains(&picked.name)
            .next()
            .is_some()
    );
    click(&mut harness, "六个精准");
    assert_eq!(harness.state().screen(), Screen::Precisions);
    assert_eq!(harness.state().village_id(), Some(picked.id));
    let households = harness
        .state()
        .store()
        .unwrap()
        .household_count(Some(picked.id))
        .unwrap();
    assert_eq!(households, 8);
}

#[test]
fn a_township_subtotal_is_the_sum_of_its_villages() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.sqlite");
    county_db(&db);
    let mut store = dripline::store::Store::open(&db).unwrap();
    let overview =
        dripline::workspace::county::overview(&mut store, common::today(), &mut |_| {}).unwrap();
    let tree = CountyTree::build(overview.rows);
    assert_eq!(tree.townships.len(), 3);
    for township in &tree.townships {
        assert_eq!(township.villages.len(), 4);
        let households: usize = township.villages.iter().map(|(_, h)| h.households).sum();
        let without_helper: usize = township
            .villages
            .iter()
            .map(|(_, h)| h.without_helper)
            .sum();
        let funds: f64 = township
            .villages
            .iter()
            .map(|(_, h)| h.funds_total_yuan)
            .sum();
        let poor: u32 = township.villages.iter().map(|(_, h)| h.poor_people).sum();
        let people: u32 = township.villages.iter().map(|(_, h)| h.population).sum();
        assert_eq!(township.total.households, households);
        assert_eq!(township.total.without_helper, without_helper);
        assert!((township.total.funds_total_yuan - funds).abs() < 0.005);
        // Incidence weighs each village by its people.
        assert!(people > 0);
        assert_eq!(
            township.total.incidence,
            Some(f64::from(poor) / f64::from(people))
        );
    }
    let households: usize = tree.townships.iter().map(|t| t.total.households).sum();
    assert_eq!(tree.total.households, households);
    assert_eq!(households, 12 * 8);
}

#[test]
fn the_county_exit_test_shows_and_township_facts_are_ticked_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, _) = county_window(dir.path());
    harness
        .get_by_label_contains("全县退出（一低三有）：贫困发生率")
        .click();
    harness.run();
    // Nothing recorded yet: every township lacks all three.
    harness.get_by_label_contains("3 个乡镇未达标");
    for township in TOWNSHIPS {
        for have in ["标准中心校", "达标卫生院", "便民服务中心"] {
            click(&mut harness, &format!("{township} {have}"));
        }
    }
    assert!(!shown(&harness, "3 个乡镇未达标"));
    harness.get_by_label_contains("每个乡镇有标准中心校、达标卫生院、便民服务中心：达标");
    // Stored in the county database, and the county table was not recomputed.
    assert!(!harness.state().job_running());
    let facts = harness
        .state()
        .store()
        .unwrap()
        .township_facilities()
        .unwrap();
    assert_eq!(facts.len(), 3);
    assert!(
        facts
            .iter()
            .all(|f| f.central_school && f.health_centre && f.service_centre)
    );
    harness.get_by_label("全县合计（12 个村）");
}

/// Whether a figure of the county table is shown: its cell is named for its line, column and value.
fn figure_shown(harness: &Harness<'static, App>, figure: &str) -> bool {
    harness.query_all_by_label_contains(figure).next().is_some()
}

#[test]
fn a_bundle_import_shows_the_new_figures_of_the_village_it_touched() {
    let dir = tempfile::tempdir().unwrap();
    let spec = DemoSpec {
        villages: 4,
        households_per_village: 8,
        seed: 14,
    };
    let villages: Vec<DemoVillage> = demo::villages(&spec).collect();
    let county = common::county::ReceivingCounty::new(dir.path(), &villages);
    let mut harness = harness(&dir.path().join("data"), Some(county.county.clone()));
    harness.step();
    wait_for_job(&mut harness);
    // 4 × 8 demo households and the laptop's 3.
    click(&mut harness, "全部展开");
    assert!(figure_shown(&harness, "户数：35"));
    assert!(!figure_shown(&harness, "户数：39"));

    county.add_households(&["004", "005", "006", "007"]);
    county.send();
    harness.get_by_label("重新汇总").click();
    wait_for_job(&mut harness);
    assert!(
        figure_shown(&harness, "户数：39"),
        "the county total counts the 4 new households"
    );
    assert!(
        figure_shown(&harness, "回传村 户数：7"),
        "the village's own row"
    );
    harness.get_by_label("全县合计（5 个村）");
}

#[test]
fn the_county_summary_is_exported_from_the_window_with_the_figures_of_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.sqlite");
    county_db(&db);
    // The in-window chooser (its fields carry no accessible name: the check is off here).
    let mut harness = common::window::build(
        common::window::builder().with_accessibility_check(false),
        &dir.path().join("data"),
        Some(db.clone()),
    );
    harness
        .state_mut()
        .set_chooser_mode(dripline::ui::dialogs::ChooserMode::InWindow);
    harness
        .state_mut()
        .set_chooser_folder(out.path().to_path_buf());
    harness.step();
    wait_for_job(&mut harness);

    click(&mut harness, "导出全县汇总（Excel）…");
    let request = harness
        .state()
        .chooser_request()
        .expect("the chooser is open");
    assert_eq!(request.kind, dripline::ui::dialogs::ChooserKind::Save);
    harness.get_by_label("保存").click();
    harness.run();
    let written: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let file = &written[0];
    assert!(
        file.to_string_lossy().ends_with("全县汇总.xlsx"),
        "{}",
        file.display()
    );
    assert!(shown(&harness, "打开文件"), "the notice offers the file");

    // The workbook holds the county, township and village sheets with the table's figures.
    use calamine::{DataType, Reader};
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(file).unwrap();
    let sheets = book.sheet_names();
    assert_eq!(sheets.len(), 3, "{sheets:?}");
    let villages = book.worksheet_range(&sheets[2]).unwrap();
    assert_eq!(
        villages.height(),
        2 + 12,
        "the Chinese and English headers and 12 villages"
    );
    let tree = harness
        .state()
        .county_tree()
        .expect("the county table")
        .clone();
    let county = book.worksheet_range(&sheets[0]).unwrap();
    let households: f64 = tree.villages().map(|(_, h)| h.households as f64).sum();
    assert!(
        county
            .rows()
            .nth(2)
            .unwrap()
            .iter()
            .any(|c| c.as_f64() == Some(households)),
        "the county line carries the county's {households} households"
    );
}

#[test]
fn the_county_sees_which_villages_sent_what_and_which_bundles_were_refused() {
    let dir = tempfile::tempdir().unwrap();
    let spec = DemoSpec {
        villages: 2,
        households_per_village: 4,
        seed: 14,
    };
    let villages: Vec<DemoVillage> = demo::villages(&spec).collect();
    // The laptop's first bundle arrives; the two demo villages never send anything.
    let county = common::county::ReceivingCounty::new(dir.path(), &villages);
    // A second bundle altered on the way is refused and logged with its reason.
    county.add_households(&["004"]);
    let bundle = county.bundle();
    let mut bytes = std::fs::read(&bundle).unwrap();
    let at = bytes.len() - 40;
    bytes[at] ^= 0x55;
    let tampered = dir.path().join("tampered.dripline");
    std::fs::write(&tampered, &bytes).unwrap();
    {
        let mut store = dripline::store::Store::open(&county.county).unwrap();
        assert!(
            dripline::sync::import::import_files(&mut store, &[tampered], &mut |_| {}).is_err()
        );
        store.close().unwrap();
    }

    let mut harness = harness(&dir.path().join("data"), Some(county.county.clone()));
    harness.step();
    wait_for_job(&mut harness);
    click(&mut harness, "收到的数据包");
    assert!(shown(&harness, "各村各设备最后收到的数据包（1 台设备）"));
    assert!(shown(&harness, "510824999001 元坝镇 回传村"));
    assert!(shown(&harness, "超过 30 天未收到数据包的村（2 个）"));
    for v in &villages {
        let line = format!(
            "{} {} {}：从未收到数据包",
            v.village.code, v.village.township, v.village.name
        );
        assert!(shown(&harness, &line), "{line}");
    }
    assert!(shown(&harness, "拒收的数据包（1 个）"));
    assert!(
        harness
            .query_by_label_contains("tampered.dripline（村 510824999001")
            .is_some()
    );
    assert!(harness.query_by_label_contains("已拒收").is_some());

    // In English the panel says the same.
    click(&mut harness, "English");
    assert!(shown(&harness, "Villages silent for more than 30 days (2)"));
    assert!(shown(&harness, "Refused bundles (1)"));
    assert!(harness.query_by_label_contains("refused").is_some());
}

/// The household entries of the open figure list (links named "township village number"; the
/// table's village links stay hidden while its townships are closed).
fn listed_households(harness: &Harness<'static, App>) -> Vec<String> {
    harness
        .query_all_by_role(egui::accesskit::Role::Link)
        .filter_map(|node| node.accesskit_node().label())
        .filter(|label| TOWNSHIPS.iter().any(|t| label.starts_with(t)))
        .collect()
}

#[test]
fn a_figure_opens_the_households_behind_it_and_one_opens_its_village() {
    use dripline::i18n::{Label, Lang};
    use dripline::workspace::county::OverviewColumn;

    let dir = tempfile::tempdir().unwrap();
    let (mut harness, villages) = county_window(dir.path());
    let tree = harness.state().county_tree().unwrap().clone();
    let township = tree.township(TOWNSHIPS[1]).unwrap().clone();
    // Every household figure of the township with a handful of households behind it.
    let columns: Vec<(OverviewColumn, usize)> = OverviewColumn::ALL
        .into_iter()
        .filter_map(|c| c.household_figure().map(|f| (c, f.count(&township.total))))
        .filter(|(_, n)| (1..=12).contains(n))
        .collect();
    assert!(columns.len() >= 2, "{:?}", township.total);
    for (column, n) in &columns {
        // The table scrolls sideways: the last columns are out of the test's narrow window, so
        // the cell is clicked the way a screen reader does.
        let cell = format!("{} {}：{n}", township.name, column.label(Lang::Zh));
        harness.get_by_label(&cell).click_accesskit();
        harness.run();
        let figure = column.household_figure().unwrap();
        harness.get_by_label_contains(&format!(
            "{}：{}（{n} 户）",
            township.name,
            figure.label(Lang::Zh)
        ));
        let listed = listed_households(&harness);
        assert_eq!(listed.len(), *n, "{column:?}: {listed:?}");
        // Only the township's villages.
        assert!(listed.iter().all(|l| l.starts_with(&township.name)));
        click(&mut harness, "关闭列表");
        assert!(listed_households(&harness).is_empty());
    }
    // The county's whole register, at one village: its 8 households.
    let (village, _) = &township.villages[0];
    harness
        .get_by_label(&format!("▶ {}（4 个村）", township.name))
        .click();
    harness.run();
    click(
        &mut harness,
        &format!("{} {} 户数：8", village.township, village.name),
    );
    let listed = listed_households(&harness);
    assert_eq!(listed.len(), 8, "{listed:?}");
    // A household of the list opens its village.
    let household = &villages
        .iter()
        .find(|v| v.village.id == village.id)
        .unwrap()
        .households[3];
    click(
        &mut harness,
        &format!(
            "{} {} {}",
            village.township, village.name, household.household.number
        ),
    );
    assert_eq!(harness.state().screen(), Screen::Households);
    assert_eq!(harness.state().village_id(), Some(village.id));
}

/// The audit log of a township's facts record: (actor, field) per entry, its creation first
/// (field "").
fn township_audit(harness: &Harness<'static, App>, township: &str) -> Vec<(String, String)> {
    let store = harness.state().store().unwrap();
    let id: String = rusqlite::Connection::open(store.path())
        .unwrap()
        .query_row(
            "SELECT id FROM township_facilities WHERE township = ?1",
            [township],
            |r| r.get(0),
        )
        .unwrap();
    store
        .audit_of(uuid::Uuid::parse_str(&id).unwrap())
        .unwrap()
        .into_iter()
        .map(|r| (r.actor, r.field))
        .collect()
}

/// Whether the checkbox labelled `label` is ticked.
fn ticked(harness: &Harness<'static, App>, label: &str) -> bool {
    harness
        .get_by_label(label)
        .accesskit_node()
        .toggled()
        .is_some_and(|t| t == egui::accesskit::Toggled::True)
}

#[test]
fn a_township_fact_ticked_in_the_county_window_is_audited_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, _) = county_window(dir.path());
    // The clerk is on no village team: the county window asks for a name, not for a member of
    // the shown village's team; that name goes into the audit log.
    assert!(
        harness.query_all_by_label_contains("我是").next().is_none(),
        "a county clerk is not offered a village team member's name"
    );
    assert!(
        harness.get_by_label("确定").accesskit_node().is_disabled(),
        "no name, no OK"
    );
    let actor = "县乡村振兴局 王科员".to_string();
    type_into(
        &mut harness,
        "县里谁在操作？请输入您的姓名，之后的修改都记在此人名下：",
        &format!("  {actor} "),
    );
    click(&mut harness, "确定");
    assert!(shown(&harness, &format!("操作人：{actor}")));
    harness
        .get_by_label_contains("全县退出（一低三有）：贫困发生率")
        .click();
    harness.run();
    let township = TOWNSHIPS[0];
    let short_of_all = format!("{township}：缺标准中心校、达标卫生院、便民服务中心（4 个村）");
    assert!(shown(&harness, &short_of_all));

    let school = format!("{township} 标准中心校");
    click(&mut harness, &school);
    assert!(ticked(&harness, &school));
    // The exit test follows: the township now lacks two.
    assert!(shown(
        &harness,
        &format!("{township}：缺达标卫生院、便民服务中心（4 个村）")
    ));
    assert!(!shown(&harness, &short_of_all));
    let facts = harness
        .state()
        .store()
        .unwrap()
        .township_facilities()
        .unwrap();
    assert_eq!(facts.len(), 1);
    assert!(facts[0].central_school && !facts[0].health_centre);
    assert_eq!(
        township_audit(&harness, township),
        [(actor.clone(), String::new())],
        "the creation of the record, under the clerk's name"
    );
    // The county table was not recomputed.
    assert!(!harness.state().job_running());
    harness.get_by_label("全县合计（12 个村）");

    // The app's undo: the fact is gone again, in the window and in the database.
    click(&mut harness, "撤销");
    assert!(!harness.state().job_running());
    harness.get_by_label("全县合计（12 个村）");
    assert!(shown(&harness, &short_of_all));
    assert!(!ticked(&harness, &school));
    assert!(
        harness
            .state()
            .store()
            .unwrap()
            .township_facilities()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        township_audit(&harness, township),
        [
            (actor.clone(), String::new()),
            (actor.clone(), "deleted".into())
        ],
        "the undo is in the audit log too"
    );

    // Ticked again: the same record comes back, with the whole history.
    let health = format!("{township} 达标卫生院");
    click(&mut harness, &health);
    assert!(ticked(&harness, &health) && !ticked(&harness, &school));
    let audit = township_audit(&harness, township);
    let fields: Vec<&str> = audit[2..].iter().map(|(_, f)| f.as_str()).collect();
    assert_eq!(
        fields,
        ["central_school", "health_centre", "deleted"],
        "{audit:?}"
    );
    assert!(audit.iter().all(|(a, _)| *a == actor));
    assert!(
        harness
            .state()
            .store()
            .unwrap()
            .verify_audit_chain()
            .unwrap()
            .broken
            .is_none()
    );
}

#[test]
fn a_township_short_of_the_three_haves_opens_the_list_of_its_villages() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, villages) = county_window(dir.path());
    harness
        .get_by_label_contains("全县退出（一低三有）：贫困发生率")
        .click();
    harness.run();
    harness.get_by_label("未达三有的乡镇（3 个），点击查看该乡镇的村：");
    // One township equipped: the others are still listed, it is not.
    for have in ["标准中心校", "达标卫生院", "便民服务中心"] {
        click(&mut harness, &format!("{} {have}", TOWNSHIPS[2]));
    }
    harness.get_by_label("未达三有的乡镇（2 个），点击查看该乡镇的村：");
    assert!(
        harness
            .query_all_by_label_contains(&format!("{}：缺", TOWNSHIPS[2]))
            .next()
            .is_none()
    );
    click(&mut harness, &format!("{} 达标卫生院", TOWNSHIPS[1]));
    let line = format!("{}：缺标准中心校、便民服务中心（4 个村）", TOWNSHIPS[1]);
    click(&mut harness, &line);
    harness.get_by_label(&format!("{}的村（4 个）", TOWNSHIPS[1]));
    harness.get_by_label(&format!("{}缺标准中心校、便民服务中心", TOWNSHIPS[1]));
    let ours: Vec<&DemoVillage> = villages
        .iter()
        .filter(|v| v.village.township == TOWNSHIPS[1])
        .collect();
    assert_eq!(ours.len(), 4);
    let listed: Vec<String> = harness
        .query_all_by_role(egui::accesskit::Role::Link)
        .filter_map(|n| n.accesskit_node().label())
        .filter(|l| l.starts_with(&format!("{} ", TOWNSHIPS[1])))
        .collect();
    let mut expected: Vec<String> = ours
        .iter()
        .map(|v| format!("{} {}", v.village.township, v.village.name))
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    expected.sort();
    assert_eq!(sorted, expected);
    // A village of the list opens it.
    click(&mut harness, &listed[2]);
    let picked = ours
        .iter()
        .find(|v| format!("{} {}", v.village.township, v.village.name) == listed[2])
        .unwrap();
    assert_eq!(harness.state().screen(), Screen::Households);
    assert_eq!(harness.state().village_id(), Some(picked.village.id));
}

/// Moves the day every bundle of `village_code` was received back by `days`.
fn received_days_ago(county: &std::path::Path, village_code: &str, days: i64) {
    let day = dripline::workspace::clock_today() - chrono::Duration::days(days);
    rusqlite::Connection::open(county)
        .unwrap()
        .execute(
            "UPDATE bundle_receipt SET received_at = ?1 || substr(received_at, 11)
             WHERE village_code = ?2",
            rusqlite::params![day.to_string(), village_code],
        )
        .unwrap();
}

#[test]
fn the_silence_chosen_in_the_received_panel_decides_which_villages_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let spec = DemoSpec {
        villages: 1,
        households_per_village: 4,
        seed: 14,
    };
    let villages: Vec<DemoVillage> = demo::villages(&spec).collect();
    let county = common::county::ReceivingCounty::new(dir.path(), &villages);
    // The laptop's village last sent ten days ago; the demo village never.
    received_days_ago(&county.county, &county.village.code, 10);
    let mut harness = harness(&dir.path().join("data"), Some(county.county.clone()));
    harness.step();
    wait_for_job(&mut harness);
    click(&mut harness, "收到的数据包");
    let sent = format!(
        "{} {} {}：最后收到 {}，已 10 天",
        county.village.code,
        county.village.township,
        county.village.name,
        dripline::workspace::clock_today() - chrono::Duration::days(10)
    );
    let never = format!(
        "{} {} {}：从未收到数据包",
        villages[0].village.code, villages[0].village.township, villages[0].village.name
    );
    assert!(shown(&harness, "超过 30 天未收到数据包的村（1 个）"));
    assert!(shown(&harness, &never) && !shown(&harness, &sent));

    // Nine days: ten days of silence is more.
    harness
        .get_by_role_and_label(egui::accesskit::Role::SpinButton, "未收到数据包超过（天）")
        .set_value_accesskit(9.0);
    harness.run();
    assert!(
        shown(&harness, "超过 9 天未收到数据包的村（2 个）"),
        "the heading follows the days chosen"
    );
    assert!(shown(&harness, &never) && shown(&harness, &sent));
    // Ten days: not more than ten.
    harness
        .get_by_role_and_label(egui::accesskit::Role::SpinButton, "未收到数据包超过（天）")
        .set_value_accesskit(10.0);
    harness.run();
    assert!(shown(&harness, "超过 10 天未收到数据包的村（1 个）"));
    assert!(!shown(&harness, &sent));
}
