//! Forms that keep what is typed and records that can be corrected (issue 13): typing across a
//! draft autosave, visits corrected, removed, discarded and undone, the notice, the settings form,
//! the search order, scrolling between screens, the first-run path of a new village and the
//! six-precisions figures against their lists. Driven by label as a user would (egui_kittest).

mod common;

use common::window::{click, harness, retype, shown, type_into};

use dripline::i18n::Lang;
use dripline::model::{HouseholdRecord, HouseholdStatus, Relation, TeamMember, TeamRole, Visit};
use dripline::rules::precisions::lists::{self, Entry, PanelView};
use dripline::ui::{App, DataAction, Screen};
use eframe::egui;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// Seconds of egui time one harness step advances (the harness default).
const STEP_SECS: f64 = 0.25;

/// Steps the window for `secs` of its own clock (the autosave clock), with no input.
fn advance(harness: &mut Harness<'static, App>, secs: f64) {
    for _ in 0..(secs / STEP_SECS).ceil() as usize {
        harness.step();
    }
}

/// A registered household of the demo with a head and no visit yet.
fn registered(harness: &Harness<'static, App>) -> HouseholdRecord {
    let store = harness.state().store().unwrap();
    store
        .household_records(None)
        .unwrap()
        .into_iter()
        .find(|r| {
            r.household.status == HouseholdStatus::Registered
                && r.head().is_some()
                && store.visits_of(r.household.id).unwrap().is_empty()
        })
        .expect("the demo has a registered household not visited yet")
}

/// Opens the household by typing its number in the list's search and clicking it.
fn open_by_number(harness: &mut Harness<'static, App>, record: &HouseholdRecord) {
    type_into(harness, "搜索", &record.household.number);
    harness
        .query_all_by_label(&record.household.number)
        .next()
        .expect("the household is listed")
        .click();
    harness.run();
    assert_eq!(
        harness.state().screen(),
        Screen::Household(record.household.id)
    );
}

fn visits(harness: &Harness<'static, App>, record: &HouseholdRecord) -> Vec<Visit> {
    harness
        .state()
        .store()
        .unwrap()
        .visits_of(record.household.id)
        .unwrap()
}

fn visitors_field_top(harness: &Harness<'static, App>) -> f32 {
    harness
        .get_by_role_and_label(Role::TextInput, "走访人")
        .rect()
        .top()
}

#[test]
fn typing_across_the_first_draft_autosave_keeps_every_character_and_the_field_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), None);
    harness.run();
    let record = registered(&harness);
    open_by_number(&mut harness, &record);
    click(&mut harness, "走访记录");
    let before = visits(&harness, &record).len();
    click(&mut harness, "＋ 记录走访");
    type_into(&mut harness, "走访人", "张");
    let top = visitors_field_top(&harness);
    assert!(
        visits(&harness, &record).len() == before,
        "nothing saved yet"
    );

    // Past the autosave interval: the draft is written while the field keeps the cursor.
    advance(&mut harness, dripline::ui::AUTOSAVE_SECS + 1.0);
    let stored = visits(&harness, &record);
    assert_eq!(
        stored.len(),
        before + 1,
        "the first autosave wrote the draft"
    );
    assert!(stored.iter().any(|v| v.is_draft && v.visitors == "张"));
    assert!(
        harness
            .get_by_role_and_label(Role::TextInput, "走访人")
            .is_focused(),
        "the field keeps the cursor across the autosave"
    );
    assert_eq!(visitors_field_top(&harness), top, "the form did not move");

    // Keep typing without clicking the field again: every character lands.
    for ch in ["书", "记"] {
        harness.event(egui::Event::Text(ch.to_string()));
        harness.run();
    }
    advance(&mut harness, dripline::ui::AUTOSAVE_SECS + 1.0);
    assert_eq!(
        visitors_field_top(&harness),
        top,
        "later autosaves do not move it"
    );
    let stored = visits(&harness, &record);
    assert_eq!(stored.len(), before + 1, "one draft, saved again");
    let draft = stored.iter().find(|v| v.is_draft).unwrap();
    assert_eq!(draft.visitors, "张书记", "every character typed is stored");
    assert_eq!(
        harness
            .get_by_role_and_label(Role::TextInput, "走访人")
            .value()
            .as_deref(),
        Some("张书记")
    );
    harness.get_by_label_contains("草稿已自动保存");
}

#[test]
fn a_visit_is_corrected_removed_and_undone_and_a_draft_discarded_or_closed_with_escape() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), None);
    harness.run();
    let record = registered(&harness);
    open_by_number(&mut harness, &record);
    click(&mut harness, "走访记录");
    let before = visits(&harness, &record).len();

    // Escape closes a new form; what was typed is kept as a draft.
    click(&mut harness, "＋ 记录走访");
    type_into(&mut harness, "走访人", "王丽");
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(!shown(&harness, "保存走访"), "Escape closed the form");
    let draft = visits(&harness, &record)
        .into_iter()
        .find(|v| v.visitors == "王丽")
        .expect("the draft was kept");
    assert!(draft.is_draft);

    // A draft can be discarded, after a confirmation.
    click(&mut harness, "放弃草稿");
    click(&mut harness, "确定放弃草稿");
    assert!(visits(&harness, &record).iter().all(|v| v.id != draft.id));
    assert!(!shown(&harness, "王丽"));

    // A visit finished, then opened again and corrected.
    click(&mut harness, "＋ 记录走访");
    type_into(&mut harness, "走访人", "李妍");
    type_into(&mut harness, "走访情况", "入户核实收入");
    click(&mut harness, "保存走访");
    let visit = visits(&harness, &record)
        .into_iter()
        .find(|v| v.visitors == "李妍")
        .unwrap();
    assert!(!visit.is_draft);
    assert_eq!(visits(&harness, &record).len(), before + 1);
    harness.get_by_label("入户核实收入");
    let edit = harness
        .query_all_by_label("修改")
        .next()
        .expect("a finished visit can be opened");
    edit.click();
    harness.run();
    harness.get_by_label("修改走访记录");
    retype(&mut harness, "走访情况", "入户核实收入和住房");
    // Waiting does not turn the finished visit back into a draft.
    advance(&mut harness, dripline::ui::AUTOSAVE_SECS + 1.0);
    assert!(visits(&harness, &record).iter().all(|v| !v.is_draft));
    click(&mut harness, "保存修改");
    let stored = visits(&harness, &record);
    assert_eq!(stored.len(), before + 1, "corrected in place");
    let corrected = stored.iter().find(|v| v.id == visit.id).unwrap();
    assert_eq!(corrected.notes, "入户核实收入和住房");
    assert!(!corrected.is_draft);
    harness.get_by_label("入户核实收入和住房");

    // Undo takes the correction back.
    click(&mut harness, "撤销");
    let back = visits(&harness, &record);
    assert_eq!(
        back.iter().find(|v| v.id == visit.id).unwrap().notes,
        "入户核实收入"
    );

    // Removed after a confirmation; undo brings it back.
    click(&mut harness, "删除");
    assert_eq!(visits(&harness, &record).len(), before + 1, "asks first");
    click(&mut harness, "确定删除");
    assert!(visits(&harness, &record).iter().all(|v| v.id != visit.id));
    assert!(!shown(&harness, "李妍"));
    click(&mut harness, "撤销");
    assert!(visits(&harness, &record).iter().any(|v| v.id == visit.id));
    harness.get_by_label("李妍");
}

/// The entries of its list that follow each figure with a list: (figure text, count, entries).
fn figures_and_lists(panels: &[PanelView]) -> Vec<(String, usize, Vec<&Entry>)> {
    let mut out = Vec::new();
    for panel in panels {
        for (i, entry) in panel.entries.iter().enumerate() {
            let Entry::Figure {
                text,
                list: Some(kind),
                ..
            } = entry
            else {
                continue;
            };
            let figure: usize = text.rsplit('：').next().unwrap().parse().unwrap();
            let listed = panel.entries[i + 1..]
                .iter()
                .take_while(|e| match e {
                    Entry::Line { list, .. } | Entry::Fund { list, .. } => list == kind,
                    _ => false,
                })
                .collect();
            out.push((text.clone(), figure, listed));
        }
    }
    out
}

#[test]
fn every_count_of_the_six_precisions_opens_as_many_entries_funds_and_missed_households_included() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), None);
    harness.run();
    // A household never registered, living on 1,600 yuan a person: possibly missed (漏评).
    let village_id = harness.state().village_id().unwrap();
    let mut missed = common::household(village_id, "999");
    missed.status = HouseholdStatus::NotRegistered;
    let id = missed.id;
    harness.state_mut().apply(DataAction::SaveHousehold(missed));
    let head = common::member(id, "漏评户主", Relation::Head, 997);
    harness.state_mut().apply(DataAction::SaveMember(head));
    harness
        .state_mut()
        .apply(DataAction::SaveIncome(common::income(id, 2020, 0.0)));
    harness.run();
    click(&mut harness, "六个精准");

    let view = harness.state().view().unwrap();
    let panels = lists::panels(&view.precisions, &view.records, &view.thresholds, Lang::Zh);
    let figures = figures_and_lists(&panels);
    for (text, figure, listed) in &figures {
        assert_eq!(*figure, listed.len(), "{text} counts what it lists");
        assert!(shown(&harness, text), "{text} is shown");
        for entry in listed {
            match entry {
                Entry::Line { household, .. } => assert!(
                    harness
                        .query_all_by_label(&household.number)
                        .next()
                        .is_some(),
                    "{text}: {} is shown",
                    household.number
                ),
                Entry::Fund { text: fund, .. } => assert!(shown(&harness, fund), "{fund}"),
                other => panic!("only lines are listed: {other:?}"),
            }
        }
    }
    let count_of = |label: &str| {
        figures
            .iter()
            .find(|(text, ..)| text.starts_with(label))
            .map(|(_, n, _)| *n)
            .unwrap_or_else(|| panic!("no figure {label}"))
    };
    assert!(
        count_of("未落到项目或农户的资金") > 0,
        "scattered funds are listed"
    );
    assert!(
        count_of("疑似重复记账的资金组") > 0,
        "double counts are listed"
    );
    let (_, _, missed) = figures
        .iter()
        .find(|(text, ..)| text.starts_with("可能漏评的户（未建档、收入不高于贫困线）"))
        .expect("the missed households are counted under 扶持对象精准");
    assert!(
        missed
            .iter()
            .any(|e| matches!(e, Entry::Line { household, .. } if household.household_id == id)),
        "the household never registered below the line is listed"
    );
    harness.get_by_label_contains("请核实是否漏评");

    // A figure opens and closes its list: closed, its entries go; the missed household opens.
    let (scattered, _, entries) = figures
        .iter()
        .find(|(text, ..)| text.starts_with("未落到项目或农户的资金"))
        .unwrap();
    let Entry::Fund { text: first, .. } = entries[0] else {
        panic!("a fund entry")
    };
    let first = first.clone();
    harness.get_by_label(scattered).scroll_to_me();
    harness.run();
    click(&mut harness, scattered);
    let still: Vec<String> = harness
        .query_all_by_label(&first)
        .map(|n| format!("{:?} {:?}", n.accesskit_node().role(), n.rect()))
        .collect();
    assert!(still.is_empty(), "the list closed: {first} {still:?}");
    click(&mut harness, scattered);
    assert!(shown(&harness, &first), "the list opened again");
    harness.get_by_label("999").scroll_to_me();
    harness.run();
    harness.get_by_label("999").click();
    harness.run();
    assert_eq!(harness.state().screen(), Screen::Household(id));
}

#[test]
fn the_saved_notice_keeps_the_page_still_then_fades_and_settings_take_enter() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), None);
    harness.run();
    click(&mut harness, "设置");
    let heading_top = |h: &Harness<'static, App>| h.get_by_label("判定参数").rect().top();
    let top = heading_top(&harness);
    let stored = |h: &Harness<'static, App>| h.state().store().unwrap().thresholds().unwrap();
    let before = stored(&harness);

    // Text in a number field, submitted with Enter: refused beside the field, nothing stored.
    retype(&mut harness, "走访间隔（天）", "一个月");
    harness.key_press(egui::Key::Enter);
    harness.run();
    harness.get_by_label_contains("请输入数字");
    assert_eq!(stored(&harness), before);
    // A number typed in its place clears the message at once, before anything is saved.
    retype(&mut harness, "走访间隔（天）", "45");
    assert!(
        harness
            .query_all_by_label_contains("请输入数字")
            .next()
            .is_none(),
        "the message went with the mistake"
    );
    assert_eq!(stored(&harness), before);
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert_eq!(stored(&harness).visit_interval_days, 45, "Enter saved it");

    // The notice appears without moving the page, then fades by itself.
    harness.get_by_label("已保存");
    assert_eq!(heading_top(&harness), top, "the page did not move");
    advance(&mut harness, 6.0);
    assert!(!shown(&harness, "已保存"), "the notice faded");
    assert_eq!(heading_top(&harness), top, "nor when the notice went");
}

#[test]
fn a_screen_opens_at_its_top_whatever_the_last_one_was_scrolled_to() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), None);
    harness.run();
    click(&mut harness, "设置");
    let first_top = |h: &Harness<'static, App>| h.get_by_label("判定参数").rect().top();
    let settings_top = first_top(&harness);
    click(&mut harness, "六个精准");
    let panel_top = |h: &Harness<'static, App>| h.get_by_label("1 扶持对象精准").rect().top();
    let unscrolled = panel_top(&harness);
    for _ in 0..5 {
        harness.get_by_label("1 扶持对象精准").scroll_down();
        harness.run();
    }
    assert!(
        panel_top(&harness) < unscrolled - 100.0,
        "the panels scrolled"
    );
    click(&mut harness, "设置");
    assert_eq!(
        first_top(&harness),
        settings_top,
        "settings open at their top"
    );
}

#[test]
fn searching_033_lists_household_033_before_id_numbers_holding_033() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), None);
    harness.run();
    type_into(&mut harness, "搜索", "033");
    let links: Vec<(String, f32)> = harness
        .query_all_by_role(Role::Link)
        .filter_map(|n| {
            let label = n.accesskit_node().label()?;
            label
                .chars()
                .all(|c| c.is_ascii_digit())
                .then(|| (label, n.rect().top()))
        })
        .collect();
    let top_033 = links
        .iter()
        .find(|(l, _)| l == "033")
        .expect("033 is listed")
        .1;
    assert!(
        links.len() > 1,
        "ID numbers holding 033 are listed too: {links:?}"
    );
    for (label, top) in &links {
        assert!(label == "033" || *top > top_033, "{label} comes after 033");
    }
}

#[test]
fn a_new_village_shows_its_first_steps_each_a_button_ticked_once_done() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), None);
    harness.run();
    click(&mut harness, "创建我的村");
    type_into(&mut harness, "村名", "红岩村");
    type_into(&mut harness, "乡镇", "歧坪镇");
    type_into(&mut harness, "县（区）", "苍溪县");
    type_into(&mut harness, "村代码（12位区划代码）", "510824101201");
    common::window::enter_new_passphrase(&mut harness);
    click(&mut harness, "创建");
    assert_eq!(harness.state().screen(), Screen::Households);
    harness.get_by_label("开始使用：三步建好本村台账");
    let incidence: Vec<String> = harness
        .query_all_by_label_contains("贫困发生率")
        .filter_map(|n| n.accesskit_node().label())
        .collect();
    assert!(
        incidence.is_empty(),
        "no incidence of an empty village: {incidence:?}"
    );
    for step in ["添加驻村工作队", "添加或导入农户", "完成入户调查"] {
        harness.get_by_label(step);
    }
    assert!(harness.query_all_by_label_contains("✓").next().is_none());

    // Step 1 goes to the team register; once a member is there it is ticked.
    click(&mut harness, "去添加工作队");
    assert_eq!(harness.state().screen(), Screen::Registers);
    let village_id = harness.state().village_id().unwrap();
    harness
        .state_mut()
        .apply(DataAction::SaveTeamMember(TeamMember {
            id: uuid::Uuid::new_v4(),
            village_id,
            name: "张书记".into(),
            role: TeamRole::FirstSecretary,
            unit: "县农业局".into(),
            phone: String::new(),
            term_start: chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            term_end: None,
        }));
    click(&mut harness, "农户名册");
    harness.get_by_label("✓ 1");
    harness.get_by_label("○ 2");

    // Step 2: adding a household opens its form; the import goes to the spreadsheets.
    click(&mut harness, "导入入户调查表");
    assert_eq!(harness.state().screen(), Screen::Spreadsheets);
    click(&mut harness, "农户名册");
    click(&mut harness, "添加农户");
    assert_eq!(harness.state().screen(), Screen::NewHousehold);
    let household = common::household(village_id, "001");
    let id = household.id;
    harness
        .state_mut()
        .apply(DataAction::SaveHousehold(household));
    harness
        .state_mut()
        .apply(DataAction::SaveMember(common::member(
            id,
            "王大山",
            Relation::Head,
            11,
        )));
    click(&mut harness, "农户名册");
    harness.get_by_label("✓ 2");
    harness.get_by_label("○ 3");
    harness.get_by_label_contains("已完成 0 / 1 户");
    harness.get_by_label_contains("显示 1 户");

    // Step 3 opens the first household not surveyed on its survey tab.
    click(&mut harness, "调查下一户");
    assert_eq!(harness.state().screen(), Screen::Household(id));
    harness.get_by_label("调查年度");

    // In English too.
    click(&mut harness, "农户名册");
    click(&mut harness, "English");
    harness.get_by_label("Getting started: three steps");
    harness.get_by_label("Add the village work team");
}
