//! Issue 13, item 2: the household's helper is the register's assignment, one truth read by the
//! household form, the household list, the register and the six-precisions panels.

mod common;

use common::window::{click, harness, shown, type_into};
use common::*;

use dripline::model::*;
use dripline::store::Store;
use dripline::ui::Screen;
use egui_kittest::kittest::Queryable;
use uuid::Uuid;

/// A village with household 001 (head 李建国, registered poor) and two helpers in the register,
/// neither assigned yet.
fn village_with_two_helpers(dir: &std::path::Path) -> (std::path::PathBuf, Uuid, Uuid, Uuid) {
    let path = dir.join("village.sqlite");
    let mut store = Store::open_or_create(&path).unwrap();
    let v = village();
    store.save_village(&v).unwrap();
    let h = household(v.id, "001");
    store.save_household(&h).unwrap();
    store
        .save_member(&member(h.id, "李建国", Relation::Head, 20), today())
        .unwrap();
    let helper = |name: &str, unit: &str| Helper {
        id: Uuid::new_v4(),
        village_id: v.id,
        name: name.into(),
        unit: unit.into(),
        phone: String::new(),
        household_ids: Vec::new(),
    };
    let (li, wang) = (helper("李明", "县农业局"), helper("王芳", "元坝镇政府"));
    store.save_helper(&li).unwrap();
    store.save_helper(&wang).unwrap();
    store.close().unwrap();
    (path, h.id, li.id, wang.id)
}

fn assigned(store: &Store, helper: Uuid) -> Vec<Uuid> {
    let village = store.villages().unwrap()[0].id;
    store
        .helpers(village)
        .unwrap()
        .into_iter()
        .find(|h| h.id == helper)
        .unwrap()
        .household_ids
}

#[test]
fn a_helper_picked_on_the_household_is_the_registers_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let (db, household, li, wang) = village_with_two_helpers(dir.path());
    let mut harness = harness(dir.path(), Some(db));
    harness.run();
    harness.get_by_label("001").click();
    harness.run();
    assert_eq!(harness.state().screen(), Screen::Household(household));
    assert!(shown(&harness, "（尚未指派帮扶责任人）"));

    // Pick 王芳 from the keyboard: type part of the name, Enter takes the first match.
    type_into(&mut harness, "帮扶责任人", "王");
    harness.key_press(eframe::egui::Key::Enter);
    harness.run();
    assert!(shown(&harness, "王芳（元坝镇政府） ×"));
    assert!(shown(&harness, "有未保存的修改"));
    click(&mut harness, "保存基本情况");
    let store = harness.state().store().unwrap();
    assert_eq!(assigned(store, wang), [household], "stored in the register");
    assert!(assigned(store, li).is_empty());
    let record = store.household_record(household).unwrap();
    assert_eq!(record.household.unmatched_helper_name, "");

    // The list and the register show the same assignment.
    click(&mut harness, "← 返回名册");
    assert!(
        shown(&harness, "王芳"),
        "the list shows the register's helper"
    );
    click(&mut harness, "村级台账");
    assert!(shown(&harness, "结对 1 户：001 李建国"));

    // Change it in the register: 李明 takes the household, 王芳 gives it up.
    harness
        .query_all_by_label("修改")
        .next()
        .expect("李明's row comes first")
        .click();
    harness.run();
    type_into(&mut harness, "结对农户", "001");
    click(&mut harness, "＋ 001 李建国");
    click(&mut harness, "保存");
    harness
        .query_all_by_label("修改")
        .last()
        .expect("王芳's row")
        .click();
    harness.run();
    click(&mut harness, "001 李建国 ×");
    click(&mut harness, "保存");
    let store = harness.state().store().unwrap();
    assert_eq!(assigned(store, li), [household]);
    assert!(assigned(store, wang).is_empty());

    // The household shows the register's helper, and the list follows.
    click(&mut harness, "农户名册");
    assert!(shown(&harness, "李明") && !shown(&harness, "王芳"));
    harness.get_by_label("001").click();
    harness.run();
    assert!(shown(&harness, "李明（县农业局） ×"));
    assert!(!shown(&harness, "王芳（元坝镇政府） ×"));
    // And nobody is listed without a helper on the six-precisions personnel panel.
    let view = harness.state().view().unwrap();
    assert!(view.precisions.personnel.without_helper.is_empty());

    // Removing the helper on the household removes the register's assignment (and undo works).
    click(&mut harness, "李明（县农业局） ×");
    click(&mut harness, "保存基本情况");
    assert!(assigned(harness.state().store().unwrap(), li).is_empty());
}

#[test]
fn a_kept_note_is_shown_on_the_household_and_listed_among_the_checks() {
    let dir = tempfile::tempdir().unwrap();
    let (db, household, _, _) = village_with_two_helpers(dir.path());
    {
        let mut store = Store::open(&db).unwrap();
        let mut h = store.household_record(household).unwrap().household;
        h.unmatched_helper_name = "张华（县财政局）".into();
        store.save_household(&h).unwrap();
        store.close().unwrap();
    }
    let mut harness = harness(dir.path(), Some(db));
    harness.run();
    click(&mut harness, "数据检查（1）");
    assert!(
        harness
            .query_all_by_label_contains("“张华（县财政局）”与帮扶责任人名册中的任何人都对不上")
            .next()
            .is_some(),
        "listed for the team to fix"
    );
    click(&mut harness, "农户名册");
    harness.get_by_label("001").click();
    harness.run();
    assert!(
        harness
            .query_all_by_label_contains("原填写的帮扶责任人“张华（县财政局）”不在名册中")
            .next()
            .is_some()
    );
    click(&mut harness, "清除备注");
    click(&mut harness, "保存基本情况");
    let store = harness.state().store().unwrap();
    assert_eq!(
        store
            .household_record(household)
            .unwrap()
            .household
            .unmatched_helper_name,
        ""
    );
    assert!(shown(&harness, "数据检查（0）"));
}
