//! The window shows a clash of household numbers (two laptops both created household 121) on
//! the sync screen, where conflicts are shown, and renumbers one household through the app's
//! action path: an audited change that undo takes back.

mod common;

use common::team::Team;
use common::window::{click, harness, retype, shown, wait_for_job};
use dripline::ui::Screen;
use egui_kittest::kittest::Queryable;

/// Household 121 created on both laptops (张三 on A, 李四 on B), both bundles at the county,
/// and A's window open on the sync screen with the clash A's return bundle brought.
fn clash_on_the_sync_screen(
    dir: &std::path::Path,
) -> (
    Team,
    uuid::Uuid,
    uuid::Uuid,
    egui_kittest::Harness<'static, dripline::ui::App>,
) {
    let team = Team::new(dir);
    let on_a = team.create_household(&team.a, "121", "张三", 2);
    let on_b = team.create_household(&team.b, "121", "李四", 4);
    team.send(&team.a);
    team.send(&team.b);
    team.receive(&team.a);
    let mut harness = harness(&dir.join("data"), Some(team.a.clone()));
    harness.run();
    wait_for_job(&mut harness);
    click(&mut harness, "数据同步");
    (team, on_a, on_b, harness)
}

#[test]
fn a_clash_of_household_numbers_is_shown_and_renumbered_in_the_sync_screen_then_undone() {
    let dir = tempfile::tempdir().unwrap();
    let (_team, on_a, on_b, mut harness) = clash_on_the_sync_screen(dir.path());
    let flagged = on_a.max(on_b);
    let flagged_head = if flagged == on_a { "张三" } else { "李四" };
    assert_eq!(harness.state().screen(), Screen::Sync);
    assert!(shown(&harness, "编号重复（1）"));
    harness.get_by_label_contains("户编号 121 在两台电脑上各登记了一户");
    harness.get_by_label_contains("张三 · 记录");
    harness.get_by_label_contains("李四 · 记录");

    // The suggested number is offered; another one typed is taken.
    retype(&mut harness, "新户编号", "125");
    click(&mut harness, &format!("改编号：{flagged_head}"));
    assert!(shown(&harness, "编号重复（0）"));
    let number_of = |harness: &egui_kittest::Harness<'static, dripline::ui::App>| {
        harness
            .state()
            .store()
            .unwrap()
            .household_record(flagged)
            .unwrap()
            .household
            .number
    };
    assert_eq!(number_of(&harness), "125");
    assert!(
        harness
            .state()
            .store()
            .unwrap()
            .clashes()
            .unwrap()
            .is_empty()
    );

    // Undo takes the renumbering back: the clash is listed again.
    click(&mut harness, "撤销");
    assert_eq!(number_of(&harness), "121");
    assert_eq!(harness.state().store().unwrap().clashes().unwrap().len(), 1);
    assert!(shown(&harness, "编号重复（1）"));
}

#[test]
fn keeping_only_one_household_of_a_clash_asks_a_second_click_and_can_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let (_team, on_a, on_b, mut harness) = clash_on_the_sync_screen(dir.path());
    let keep = "只保留这一户（删除另一户及其成员）";
    let confirm = "确认删除另外的记录（可撤销）";
    let alive = |harness: &egui_kittest::Harness<'static, dripline::ui::App>, id| {
        harness
            .state()
            .store()
            .unwrap()
            .household_record(id)
            .is_ok()
    };
    // The first click only asks; 取消 leaves both households.
    harness.get_all_by_label(keep).next().unwrap().click();
    harness.run();
    assert!(shown(&harness, confirm));
    assert!(alive(&harness, on_a) && alive(&harness, on_b));
    assert_eq!(harness.state().store().unwrap().clashes().unwrap().len(), 1);
    click(&mut harness, "取消");
    assert!(!shown(&harness, confirm));
    assert!(alive(&harness, on_a) && alive(&harness, on_b));

    // Asked again and confirmed: one household is left, and the clash is gone.
    harness.get_all_by_label(keep).next().unwrap().click();
    harness.run();
    click(&mut harness, confirm);
    assert!(alive(&harness, on_a) != alive(&harness, on_b));
    assert!(
        harness
            .state()
            .store()
            .unwrap()
            .clashes()
            .unwrap()
            .is_empty()
    );
    assert!(shown(&harness, "编号重复（0）"));
}

#[test]
fn the_sync_screen_lists_bundles_not_yet_acknowledged_and_bundles_refused_with_the_reason_on_laptop_and_county()
 {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new(dir.path());
    team.create_household(&team.a, "121", "张三", 2);
    let sent = team.export(&team.a);
    let corrupt = dir.path().join("corrupt.dripline");
    let bytes = std::fs::read(&sent).unwrap();
    std::fs::write(&corrupt, &bytes[..bytes.len() / 2]).unwrap();
    assert!(team.import(&team.county, &[corrupt]).is_err());
    // A return bundle the laptop refuses (cut short on the stick) is listed on the laptop.
    let back = team.return_bundle();
    let cut = dir.path().join("cut-return.dripline");
    let bytes = std::fs::read(&back).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert!(team.import(&team.a, &[cut]).is_err());

    // The laptop: its bundle is waiting for the county's acknowledgement.
    let mut laptop = harness(&dir.path().join("data-a"), Some(team.a.clone()));
    laptop.run();
    wait_for_job(&mut laptop);
    click(&mut laptop, "数据同步");
    laptop.get_by_label_contains("已导出、县里尚未确认的数据包：1 个");
    let name = sent.file_name().unwrap().to_str().unwrap();
    // Listed with its change range (the last export names it too).
    laptop.get_by_label_contains(&format!("{name} (变更号"));
    laptop.get_by_label_contains("被拒收的数据包：1 个");
    laptop.get_by_label_contains("cut-return.dripline：");

    // The county: the refused bundle, by name, with the reason.
    let mut county = harness(&dir.path().join("data-county"), Some(team.county.clone()));
    county.run();
    wait_for_job(&mut county);
    click(&mut county, "数据同步");
    county.get_by_label_contains("被拒收的数据包：1 个");
    county.get_by_label_contains("corrupt.dripline：");
    county.get_by_label_contains("不完整");
}

#[test]
fn a_village_created_on_two_laptops_is_merged_from_the_sync_screen_and_the_merge_undone() {
    let dir = tempfile::tempdir().unwrap();
    let team = Team::new_apart(dir.path());
    let village_b = dripline::store::Store::open(&team.b)
        .unwrap()
        .villages()
        .unwrap()[0]
        .id;
    let on_a = team.create_household(&team.a, "001", "张三", 1);
    let on_b = {
        let mut store = dripline::store::Store::open(&team.b).unwrap();
        let h = common::household(village_b, "002");
        store.save_household(&h).unwrap();
        store.close().unwrap();
        h.id
    };
    team.send(&team.a);
    team.send(&team.b);
    team.receive(&team.a);
    let mut harness = harness(&dir.path().join("data"), Some(team.a.clone()));
    harness.run();
    wait_for_job(&mut harness);
    // Every screen says a clash waits, and leads to the sync screen.
    harness.get_by_label_contains("编号重复 1 处待处理");
    click(&mut harness, "去处理");
    assert_eq!(harness.state().screen(), dripline::ui::Screen::Sync);
    assert!(shown(&harness, "编号重复（1）"));
    harness.get_by_label_contains("两台电脑都建了村");
    harness.get_by_label_contains("两台电脑各建了一次本村");

    let keep = "保留这个村（另一个村的农户等并入此村）";
    let confirm = "确认合并为一个村（可撤销）";
    harness.get_all_by_label(keep).next().unwrap().click();
    harness.run();
    assert!(shown(&harness, confirm));
    assert_eq!(
        harness.state().store().unwrap().villages().unwrap().len(),
        2
    );
    click(&mut harness, confirm);
    let village_of = |harness: &egui_kittest::Harness<'static, dripline::ui::App>, id| {
        harness
            .state()
            .store()
            .unwrap()
            .household_record(id)
            .unwrap()
            .household
            .village_id
    };
    let villages = harness.state().store().unwrap().villages().unwrap();
    assert_eq!(villages.len(), 1);
    assert_eq!(village_of(&harness, on_a), villages[0].id);
    assert_eq!(village_of(&harness, on_b), villages[0].id);
    assert!(shown(&harness, "编号重复（0）"));
    click(&mut harness, "农户名册");
    assert!(!shown(&harness, "去处理"));

    click(&mut harness, "撤销");
    assert_eq!(
        harness.state().store().unwrap().villages().unwrap().len(),
        2
    );
    harness.get_by_label_contains("编号重复 1 处待处理");
}
