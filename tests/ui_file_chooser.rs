//! The file chooser drawn inside the window, as on a desktop without an XDG portal or zenity:
//! a bundle is saved through it under the name it offers (village and date), the file is on
//! disk, and the notice offers to open it; the saved bundle is then picked in the import chooser.

mod common;

use common::window::{build, builder, click, shown, type_into, wait_for_job};

use dripline::ui::App;
use dripline::ui::dialogs::{ChooserKind, ChooserMode, FileRequest, SystemAnswer};
use eframe::egui;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// A real village (bundles are for real villages), with the in-window chooser opening in `out`.
fn village_window(data: &std::path::Path, out: &std::path::Path) -> Harness<'static, App> {
    // egui_file's path and file-name fields carry no accessible name (the crate gives them no
    // label), so kittest's check that every widget is named is off for this window only.
    let mut harness = build(builder().with_accessibility_check(false), data, None);
    assert_eq!(harness.state().chooser_mode(), ChooserMode::InWindow);
    harness.state_mut().set_chooser_folder(out.to_path_buf());
    harness.run();
    click(&mut harness, "创建我的村");
    type_into(&mut harness, "村名", "青龙村");
    type_into(&mut harness, "乡镇", "歧坪镇");
    type_into(&mut harness, "县（区）", "苍溪县");
    type_into(&mut harness, "村代码（12位区划代码）", "510824102201");
    common::window::enter_new_passphrase(&mut harness);
    click(&mut harness, "创建");
    click(&mut harness, "数据同步");
    harness
}

fn text_values(harness: &Harness<'static, App>) -> Vec<String> {
    harness
        .query_all_by_role(Role::TextInput)
        .filter_map(|node| node.value())
        .collect()
}

#[test]
fn a_bundle_is_saved_through_the_in_window_chooser_under_the_offered_name() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut harness = village_window(data.path(), out.path());
    let today = chrono::Local::now().date_naive().format("%Y-%m-%d");
    let expected = format!("青龙村-{today}.dripline");

    click(&mut harness, "导出数据包…");
    let request = harness
        .state()
        .chooser_request()
        .expect("the in-window chooser is open");
    assert_eq!(request.kind, ChooserKind::Save);
    assert!(
        shown(&harness, "常用位置"),
        "the places are listed beside the chooser"
    );
    let values = text_values(&harness);
    assert!(
        values.contains(&expected),
        "the file name is offered: {values:?}"
    );
    assert!(
        values
            .iter()
            .any(|v| v == &out.path().display().to_string()),
        "the chooser opens in the folder set: {values:?}"
    );

    // The export starts at once (a background job with a spinner): step, then wait for it.
    harness.get_by_label("保存").click();
    harness.step();
    assert!(
        harness.state().chooser_request().is_none(),
        "the chooser closed"
    );
    wait_for_job(&mut harness);
    let saved = out.path().join(&expected);
    assert!(saved.is_file(), "{} was written", saved.display());
    assert!(std::fs::metadata(&saved).unwrap().len() > 0);
    assert!(
        shown(&harness, "打开文件"),
        "the notice offers to open the file"
    );
    assert!(shown(&harness, "打开所在文件夹"), "and its folder");

    // The import chooser lists the bundle (the filter lets .dripline through) and picks it.
    std::fs::write(out.path().join("notes.txt"), "not a bundle").unwrap();
    click(&mut harness, "导入数据包…");
    let request = harness
        .state()
        .chooser_request()
        .expect("the import chooser is open");
    assert_eq!(request.kind, ChooserKind::OpenMany);
    let listed = format!("🗋 {expected}");
    assert!(shown(&harness, &listed), "the bundle is listed");
    assert!(!shown(&harness, "🗋 notes.txt"), "other files are not");
    click(&mut harness, &listed);
    harness.get_by_label("打开").click();
    harness.step();
    assert!(harness.state().chooser_request().is_none());
    assert!(
        harness.state().job_running(),
        "the import of the chosen bundle started"
    );
    wait_for_job(&mut harness);
}

#[test]
fn cancelling_the_chooser_writes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut harness = village_window(data.path(), out.path());
    click(&mut harness, "导出数据包…");
    assert!(harness.state().chooser_request().is_some());
    click(&mut harness, "取消");
    harness.run();
    assert!(harness.state().chooser_request().is_none());
    assert!(!harness.state().job_running());
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

fn failing_dialog(_: &FileRequest, _: Option<&str>, _: &std::path::Path) -> SystemAnswer {
    SystemAnswer::Failed
}

#[test]
fn a_system_dialog_that_fails_is_said_and_the_in_window_chooser_takes_over() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut harness = village_window(data.path(), out.path());
    harness.state_mut().set_chooser_mode(ChooserMode::System);
    harness.state_mut().set_system_dialog(failing_dialog);
    click(&mut harness, "导出数据包…");
    assert!(
        harness
            .query_by_label_contains("系统的文件对话框没有打开")
            .is_some(),
        "the failure is said in the notice"
    );
    assert!(
        harness.state().chooser_request().is_some(),
        "the in-window chooser is open"
    );
    assert_eq!(harness.state().chooser_mode(), ChooserMode::InWindow);
    harness.get_by_label("保存").click();
    harness.step();
    wait_for_job(&mut harness);
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        1,
        "the bundle was saved"
    );
}
