//! Who is working (操作人, issue 11): the window asks which team member is at the laptop, remembers
//! the answer on this installation, and names that member as the actor of the changes made.

mod common;

use common::window::{click, harness, retype, shown};

use dripline::store::UNKNOWN_ACTOR;
use dripline::ui::{Action, App, Screen};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The actor of the newest change in the open database.
fn last_actor(harness: &Harness<'static, App>) -> String {
    let path = harness.state().store().unwrap().path().to_path_buf();
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row(
            "SELECT actor FROM change_log ORDER BY n DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// Changes the village's rural population on the village screen (one audited change).
fn change_setting(harness: &mut Harness<'static, App>, population: &str) {
    click(harness, "村情（一低五有）");
    retype(harness, "农村户籍人口", population);
    click(harness, "保存村情");
    let village = &harness.state().store().unwrap().villages().unwrap()[0];
    assert_eq!(
        village.rural_population.map(|p| p.to_string()).as_deref(),
        Some(population)
    );
}

#[test]
fn the_team_member_chosen_at_start_is_the_actor_of_an_edit_and_is_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path(), None);
    harness.run();
    let team: Vec<String> = harness
        .state()
        .view()
        .unwrap()
        .workflow
        .team
        .iter()
        .map(|m| m.name.clone())
        .collect();
    assert!(team.len() >= 2, "the demo village has a team: {team:?}");
    // At start nobody is chosen: the window asks, offering every member.
    harness.get_by_label_contains("谁在使用这台电脑");
    for name in &team {
        harness.get_by_label(&format!("我是{name}"));
    }
    // A change made before anyone is chosen is nobody's: the clear "unknown", not $USER.
    change_setting(&mut harness, "2600");
    assert_eq!(last_actor(&harness), UNKNOWN_ACTOR);

    let chosen = team[1].clone();
    click(&mut harness, &format!("我是{chosen}"));
    harness.get_by_label(&format!("操作人：{chosen}"));
    assert!(
        !shown(&harness, &format!("我是{}", team[0])),
        "the question is answered"
    );
    change_setting(&mut harness, "2610");
    assert_eq!(
        last_actor(&harness),
        chosen,
        "the edit names the member chosen"
    );
    drop(harness);

    // The next start on this installation remembers who was working.
    let mut harness = common::window::harness(dir.path(), None);
    harness.run();
    harness.get_by_label(&format!("操作人：{chosen}"));
    change_setting(&mut harness, "2620");
    assert_eq!(last_actor(&harness), chosen);

    // 换人 asks again; the other member's edits are then theirs.
    click(&mut harness, "换人");
    click(&mut harness, &format!("我是{}", team[0]));
    change_setting(&mut harness, "2630");
    assert_eq!(last_actor(&harness), team[0]);
    // The audit chain verifies after the window's edits (shown on the checks screen).
    harness.state_mut().apply(Action::Navigate(Screen::Checks));
    harness.run();
    harness.get_by_label_contains("审计日志完整");
}
