//! Issue 13 item 8: a new household starts with the four 一超六有 living facts 未填, the exit check
//! shows those items 未调查 (not ✓), and the answers chosen in the form are stored.

mod common;

use common::window::{choose, click, harness, shown, type_into};

use dripline::model::{HouseholdRecord, HouseholdStatus, PovertyAttribute};
use dripline::ui::{App, Screen};
use eframe::egui;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use uuid::Uuid;

const FACTS: [&str; 4] = ["住房安全", "饮水安全", "通生活用电", "通广播电视"];

fn stored(harness: &Harness<'static, App>, id: Uuid) -> HouseholdRecord {
    harness
        .state()
        .store()
        .unwrap()
        .household_record(id)
        .unwrap()
}

/// The answer the combo box labelled `label` shows.
fn shown_answer(harness: &Harness<'static, App>, label: &str) -> String {
    let combo = harness.get_by_role_and_label(Role::ComboBox, label);
    combo.value().unwrap_or_else(|| format!("{combo:?}"))
}

fn open_tab(harness: &mut Harness<'static, App>, tab: &str) {
    harness.query_all_by_label(tab).next().unwrap().click();
    harness.run();
}

#[test]
fn a_new_household_starts_with_living_facts_unrecorded_and_the_exit_check_asks_for_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), None);
    harness.run();

    click(&mut harness, "＋ 新增农户");
    assert_eq!(harness.state().screen(), Screen::NewHousehold);
    // The attribute and every fact show 未填: nothing is pre-answered.
    for label in ["贫困户属性"].into_iter().chain(FACTS) {
        assert_eq!(shown_answer(&harness, label), "未填", "{label}");
    }
    type_into(&mut harness, "住址", "柳池村三组12号");
    click(&mut harness, "保存基本情况");
    let Screen::Household(id) = harness.state().screen() else {
        panic!("saving a new household opens it");
    };
    let household = stored(&harness, id).household;
    assert_eq!(household.attribute, PovertyAttribute::Unrecorded);
    let living = household.living;
    assert_eq!(
        (
            living.housing_safe,
            living.water_safe,
            living.electricity,
            living.radio_tv
        ),
        (None, None, None, None),
        "stored as not recorded"
    );

    // A year's income, so that the exit check has a year to assess.
    click(&mut harness, "收入");
    click(&mut harness, "＋ 添加年度收入");
    common::window::retype(&mut harness, "年份", "2020");
    type_into(&mut harness, "工资性收入（元）", "9000");
    click(&mut harness, "保存收入");
    assert_eq!(stored(&harness, id).incomes.len(), 1);

    open_tab(&mut harness, "脱贫检查（一超六有）");
    assert_eq!(
        harness.query_all_by_label("未调查").count(),
        4,
        "the four living items are shown not surveyed"
    );
    for criterion in ["有安全住房", "有安全饮用水", "有生活用电", "有广播电视"]
    {
        harness.get_by_label_contains(&format!("未调查：“{criterion}”尚未填写"));
    }

    // The survey answers: three safe, the water unsafe.
    open_tab(&mut harness, "基本情况");
    for label in ["贫困户属性"].into_iter().chain(FACTS) {
        assert_eq!(shown_answer(&harness, label), "未填", "{label}");
    }
    choose(&mut harness, "贫困户属性", "低保贫困户");
    for fact in FACTS {
        let answer = if fact == "饮水安全" { "否" } else { "是" };
        choose(&mut harness, fact, answer);
    }
    click(&mut harness, "保存基本情况");
    let household = stored(&harness, id).household;
    assert_eq!(household.attribute, PovertyAttribute::Dibao);
    let living = household.living;
    assert_eq!(
        (
            living.housing_safe,
            living.water_safe,
            living.electricity,
            living.radio_tv
        ),
        (Some(true), Some(false), Some(true), Some(true))
    );
    assert_eq!(shown_answer(&harness, "饮水安全"), "否");
    assert_eq!(shown_answer(&harness, "住房安全"), "是");

    open_tab(&mut harness, "脱贫检查（一超六有）");
    assert_eq!(harness.query_all_by_label("未调查").count(), 0);
    harness.get_by_label_contains("饮用水不安全");
}

/// The stored status code of household `id`, read from the database file itself.
fn stored_status_code(harness: &Harness<'static, App>, id: Uuid) -> String {
    let path = harness.state().store().unwrap().path().to_path_buf();
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row(
            "SELECT status FROM household WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_new_household_starts_not_yet_assessed_and_the_survey_asks_for_its_status() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), None);
    harness.run();

    click(&mut harness, "＋ 新增农户");
    // The status shows 待识别, not 非贫困户: nothing is implied before the survey.
    assert_eq!(shown_answer(&harness, "识别状态"), "待识别");
    type_into(&mut harness, "住址", "柳池村三组13号");
    click(&mut harness, "保存基本情况");
    let Screen::Household(id) = harness.state().screen() else {
        panic!("saving a new household opens it");
    };
    open_tab(&mut harness, "基本情况");
    assert_eq!(shown_answer(&harness, "识别状态"), "待识别");
    assert_eq!(
        stored(&harness, id).household.status,
        HouseholdStatus::Unassessed
    );
    assert_eq!(stored_status_code(&harness, id), "unassessed");

    // The survey tab says the status is still to be decided.
    open_tab(&mut harness, "入户调查");
    harness.get_by_label_contains("本户尚未识别（待识别）");

    // The register lists it as 待识别 and counts it apart from incidence.
    click(&mut harness, "农户名册");
    let number = stored(&harness, id).household.number;
    harness.get_by_label_contains("未识别 1 户");
    harness.get_by_label("待识别 1");
    // Narrowed to 待识别, the list shows that one household with its status.
    choose(&mut harness, "状态", "待识别");
    harness.get_by_label(&number);
    assert_eq!(
        harness.query_all_by_label("待识别").count(),
        1,
        "the list line of household {number} shows 待识别"
    );
    assert!(!shown(&harness, "非贫困户"), "no line says 非贫困户");

    // The same in English.
    click(&mut harness, "English");
    harness.get_by_label("Not yet assessed 1");
    harness.get_by_label_contains("1 households (0 people) not yet assessed");
}

#[test]
fn a_survey_draft_is_removed_with_a_confirmation_and_comes_back_with_undo() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), None);
    harness.run();
    click(&mut harness, "＋ 新增农户");
    click(&mut harness, "保存基本情况");
    let Screen::Household(id) = harness.state().screen() else {
        panic!("saving a new household opens it");
    };
    let surveys = |harness: &Harness<'static, App>| {
        harness
            .state()
            .store()
            .unwrap()
            .surveys_of(id)
            .unwrap()
            .len()
    };
    open_tab(&mut harness, "入户调查");
    click(&mut harness, "保存进度（未完成）");
    assert_eq!(surveys(&harness), 1);
    harness.get_by_label("未完成（已保存进度）");

    // The first click asks; cancelling keeps the survey.
    click(&mut harness, "删除本年度调查");
    harness.get_by_label_contains("确定删除本年度的调查记录吗");
    click(&mut harness, "取消");
    assert_eq!(surveys(&harness), 1);
    click(&mut harness, "删除本年度调查");
    click(&mut harness, "确定删除");
    assert_eq!(surveys(&harness), 0, "removed");
    harness.get_by_label("尚未开始");
    assert_eq!(
        stored(&harness, id).household.status,
        HouseholdStatus::Unassessed,
        "the status stays"
    );
    click(&mut harness, "撤销");
    assert_eq!(surveys(&harness), 1, "undo brings it back");
}
