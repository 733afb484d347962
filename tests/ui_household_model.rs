//! Issue 13, the model: flows driven like a user that check both what the window shows and what
//! the store keeps — membership by year, a household leaving the registry, what a visit saw in
//! the exit check.

mod common;

use common::window::{choose, click, harness, retype, shown, type_into};
use common::*;

use chrono::NaiveDate;
use dripline::model::*;
use dripline::rules::{id_number, income};
use dripline::store::Store;
use dripline::ui::{App, Screen};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use uuid::Uuid;

/// A village database with household 001: four members on the register from the start and a
/// net income of 11,508 yuan in each of 2016–2020 (2,877 each).
fn four_people_db(dir: &std::path::Path) -> (std::path::PathBuf, Uuid) {
    let path = dir.join("village.sqlite");
    let mut store = Store::open_or_create(&path).unwrap();
    let v = village();
    store.save_village(&v).unwrap();
    let mut h = household(v.id, "001");
    h.unmatched_helper_name = String::new();
    store.save_household(&h).unwrap();
    for (k, (name, relation)) in [
        ("李建国", Relation::Head),
        ("张秀英", Relation::Spouse),
        ("李强", Relation::Child),
        ("李芳", Relation::Child),
    ]
    .into_iter()
    .enumerate()
    {
        store
            .save_member(&member(h.id, name, relation, 20 + 2 * k as u32), today())
            .unwrap();
    }
    for year in 2016..=2020 {
        // common::income adds 1,600 of other items to the wage.
        store
            .save_income(&income(h.id, year, 9_908.0), today())
            .unwrap();
    }
    store.close().unwrap();
    (path, h.id)
}

fn open_001(harness: &mut Harness<'static, App>, id: Uuid) {
    harness.run();
    harness.get_by_label("001").click();
    harness.run();
    assert_eq!(harness.state().screen(), Screen::Household(id));
}

fn per_capita(record: &HouseholdRecord, year: i32) -> f64 {
    let lines = income::PovertyLines::default();
    income::figures(record, year, &lines, &Thresholds::default())
        .unwrap()
        .per_capita_yuan
}

#[test]
fn a_member_born_in_2020_leaves_the_earlier_years_divided_by_four() {
    let dir = tempfile::tempdir().unwrap();
    let (db, id) = four_people_db(dir.path());
    let mut harness = harness(dir.path(), Some(db));
    open_001(&mut harness, id);

    harness.get_by_label_contains("家庭成员（4）").click();
    harness.run();
    click(&mut harness, "＋ 添加成员");
    type_into(&mut harness, "姓名", "李小宝");
    let birth = NaiveDate::from_ymd_opt(2020, 5, 1).unwrap();
    type_into(
        &mut harness,
        "身份证号",
        &id_number::compose("510824", birth, 41, Sex::Male),
    );
    // A member added to a household with members joins from a date, 出生 by default.
    retype(&mut harness, "入户日期（空为建档时在册）", "2020-05-01");
    choose(&mut harness, "入户原因", "出生");
    click(&mut harness, "保存成员");

    let record = harness
        .state()
        .store()
        .unwrap()
        .household_record(id)
        .unwrap();
    let baby = record.members.iter().find(|m| m.name == "李小宝").unwrap();
    assert_eq!(baby.joined_on, Some(birth));
    assert_eq!(baby.join_reason, JoinReason::Born);
    assert_eq!(per_capita(&record, 2019), 2877.0);
    assert_eq!(per_capita(&record, 2020), 2301.6);

    click(&mut harness, "收入");
    assert!(shown(&harness, "2,877"), "2016–2019 stay at 2,877");
    assert!(shown(&harness, "2,301.60"), "2020 is divided by five");
    assert_eq!(harness.query_all_by_label("2,877").count(), 4);
}

#[test]
fn a_member_leaving_and_the_household_leaving_are_events_that_keep_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let (db, id) = four_people_db(dir.path());
    // The daughter married out in 2019: recorded through the store as the form saves it.
    {
        let mut store = Store::open(&db).unwrap();
        let record = store.household_record(id).unwrap();
        let mut daughter = record
            .members
            .iter()
            .find(|m| m.name == "李芳")
            .unwrap()
            .clone();
        daughter.left_on = Some(NaiveDate::from_ymd_opt(2019, 10, 1).unwrap());
        daughter.leave_reason = None;
        assert!(
            store.save_member(&daughter, today()).is_err(),
            "a reason is needed"
        );
        daughter.leave_reason = Some(LeaveReason::MarriedOut);
        store.save_member(&daughter, today()).unwrap();
        store.close().unwrap();
    }
    let mut harness = harness(dir.path(), Some(db));
    open_001(&mut harness, id);
    harness.get_by_label_contains("家庭成员（3）").click();
    harness.run();
    // Still listed, with the reason and the date.
    assert!(shown(&harness, "李芳"));
    harness.get_by_label("已减员：婚出 2019-10-01");

    harness.get_by_label_contains("整户销户").click();
    harness.run();
    type_into(&mut harness, "销户日期", "2021-03-01");
    click(&mut harness, "确认销户");
    harness.get_by_label("请选择销户原因。");
    assert!(
        harness
            .state()
            .store()
            .unwrap()
            .household_record(id)
            .unwrap()
            .departure
            .is_none(),
        "nothing is stored without a reason"
    );
    choose(&mut harness, "销户原因", "整户迁出");
    click(&mut harness, "确认销户");
    harness.get_by_label("已销户：整户迁出 2021-03-01");

    let record = harness
        .state()
        .store()
        .unwrap()
        .household_record(id)
        .unwrap();
    let d = record.departure.as_ref().unwrap();
    assert_eq!(d.reason, HouseholdLeaveReason::MovedAway);
    assert_eq!(record.former_members.len(), 1);
    assert_eq!(record.incomes.len(), 5, "the years it was there stay");
    assert_eq!(per_capita(&record, 2018), 2877.0);
    assert_eq!(per_capita(&record, 2020), 3836.0);

    // Undo brings the household back to the registry.
    click(&mut harness, "撤销");
    let record = harness
        .state()
        .store()
        .unwrap()
        .household_record(id)
        .unwrap();
    assert!(record.departure.is_none());
}

#[test]
fn a_visit_that_finds_housing_unsafe_fails_the_exit_check_with_its_date() {
    let dir = tempfile::tempdir().unwrap();
    let (db, id) = four_people_db(dir.path());
    // A tall window: the whole visit form is on screen, down to the housing item.
    let tall = common::window::builder().with_size([1280.0, 1800.0]);
    let mut harness = common::window::build(tall, dir.path(), Some(db));
    open_001(&mut harness, id);

    click(&mut harness, "脱贫检查（一超六有）");
    let housing = "有安全住房";
    harness.get_by_label_contains(housing);
    assert!(harness.query_by_label_contains("走访发现").is_none());

    click(&mut harness, "走访记录");
    click(&mut harness, "＋ 记录走访");
    type_into(&mut harness, "走访人", "张书记");
    retype(&mut harness, "走访日期", "2026-11-20");
    // Every item of 两不愁三保障 found a problem, housing among them.
    let items = harness.query_all_by_label("有问题").count();
    for k in 0..items {
        harness.query_all_by_label("有问题").nth(k).unwrap().click();
        harness.run();
    }
    click(&mut harness, "保存走访");
    let visits = harness.state().store().unwrap().visits_of(id).unwrap();
    let visit = visits.iter().find(|v| !v.is_draft).unwrap();
    assert_eq!(
        visit.checklist.housing,
        Some(false),
        "{:?}",
        visit.checklist
    );

    click(&mut harness, "脱贫检查（一超六有）");
    harness.get_by_label_contains("未达到脱贫标准");
    harness.get_by_label_contains("2026-11-20走访发现：住房安全有问题。");

    // A later visit that finds the house safe clears it.
    click(&mut harness, "走访记录");
    click(&mut harness, "＋ 记录走访");
    type_into(&mut harness, "走访人", "张书记");
    retype(&mut harness, "走访日期", "2026-11-25");
    let items = harness.query_all_by_label("有保障").count();
    for k in 0..items {
        harness.query_all_by_label("有保障").nth(k).unwrap().click();
        harness.run();
    }
    click(&mut harness, "保存走访");
    click(&mut harness, "脱贫检查（一超六有）");
    assert!(harness.query_by_label_contains("走访发现").is_none());
}

#[test]
fn exit_inside_the_warning_band_is_cautioned_and_confirmed_by_a_named_team_member() {
    let dir = tempfile::tempdir().unwrap();
    let (db, id) = four_people_db(dir.path());
    {
        let mut store = Store::open(&db).unwrap();
        let record = store.household_record(id).unwrap();
        // 20,000 for four in 2020: 5,000 each, above the line of 4,000, below 1.5 × 4,000.
        let mut last = record.income_of(2020).unwrap().clone();
        last.wage_yuan = 18_400.0;
        store.save_income(&last, today()).unwrap();
        store
            .save_team_member(&TeamMember {
                id: Uuid::new_v4(),
                village_id: record.household.village_id,
                name: "王书记".into(),
                role: TeamRole::FirstSecretary,
                unit: "县财政局".into(),
                phone: String::new(),
                term_start: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
                term_end: None,
            })
            .unwrap();
        store.close().unwrap();
    }
    let mut harness = harness(dir.path(), Some(db));
    open_001(&mut harness, id);
    click(&mut harness, "脱贫检查（一超六有）");
    harness.get_by_label_contains("达到“一超六有”脱贫标准");
    // Proposing is one step; confirming is another, by a named person.
    harness.get_by_label("提议脱贫（2020年度）").click();
    harness.run();
    harness.get_by_label_contains("待工作队确认");
    harness.get_by_label_contains("仍在监测范围内（低于6,000元）");
    click(&mut harness, "确认脱贫");
    harness.get_by_label("请选择确认人");
    let store = harness.state().store().unwrap();
    assert_eq!(
        store.household_record(id).unwrap().household.status,
        HouseholdStatus::Registered,
        "nothing is confirmed without a person"
    );
    choose(&mut harness, "确认人", "王书记（第一书记）");
    click(&mut harness, "确认脱贫");

    let store = harness.state().store().unwrap();
    let decision = &store.exits_of(id).unwrap()[0];
    assert_eq!(decision.confirmed_by, "王书记");
    let on = decision.confirmed_on.unwrap();
    assert!(matches!(
        store.household_record(id).unwrap().household.status,
        HouseholdStatus::Exited { .. }
    ));
    harness.get_by_label(&format!("确认人：王书记，确认日期：{on}"));
}

#[test]
fn a_landline_is_accepted_a_truncated_mobile_refused_and_the_hidden_account_explained() {
    let dir = tempfile::tempdir().unwrap();
    let (db, id) = four_people_db(dir.path());
    let mut harness = harness(dir.path(), Some(db));
    open_001(&mut harness, id);
    click(&mut harness, "基本情况");
    harness.get_by_label_contains("勾选上方“显示完整证件号和账号”后可查看和修改");

    retype(&mut harness, "联系电话", "1388888");
    click(&mut harness, "保存基本情况");
    harness.get_by_label_contains("手机号应为11位数字，现在是7位");
    assert_eq!(harness_phone(&harness, id), "");

    retype(&mut harness, "联系电话", "0839-5221234");
    click(&mut harness, "保存基本情况");
    assert_eq!(harness_phone(&harness, id), "0839-5221234");
}

fn harness_phone(harness: &Harness<'static, App>, id: Uuid) -> String {
    harness
        .state()
        .store()
        .unwrap()
        .household_record(id)
        .unwrap()
        .household
        .phone
}
