//! The window without a display (egui_kittest), driven by label as a user would: the harness
//! builder and the clicks, typing and waiting the UI flows share.

use std::path::{Path, PathBuf};

use dripline::ui::App;
use dripline::ui::dialogs::ChooserMode;
use eframe::egui;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use egui_kittest::{Harness, HarnessBuilder};

/// The harness builder at the window's size.
pub fn builder() -> HarnessBuilder<App> {
    Harness::builder().with_size([1280.0, 800.0])
}

/// The window on `data_dir` (its databases and preferences), or on the database `db`.
pub fn harness(data_dir: &Path, db: Option<PathBuf>) -> Harness<'static, App> {
    build(builder(), data_dir, db)
}

/// The window from a builder set up otherwise (more steps per run, say). File buttons open the
/// in-window chooser, never the system's dialog, whatever the desktop running the tests has.
pub fn build(
    builder: HarnessBuilder<App>,
    data_dir: &Path,
    db: Option<PathBuf>,
) -> Harness<'static, App> {
    let dir = data_dir.to_path_buf();
    let mut harness = builder.build_eframe(move |cc| App::new(cc, dir, db));
    harness.state_mut().set_chooser_mode(ChooserMode::InWindow);
    harness
}

/// Whether some widget with exactly this label is on screen (a heading and a tab may share one).
pub fn shown(harness: &Harness<'static, App>, label: &str) -> bool {
    harness.query_all_by_label(label).next().is_some()
}

pub fn click(harness: &mut Harness<'static, App>, label: &str) {
    harness.get_by_label(label).click();
    harness.run();
}

/// Types into the text field labelled `label`.
pub fn type_into(harness: &mut Harness<'static, App>, label: &str, text: &str) {
    let field = harness.get_by_role_and_label(Role::TextInput, label);
    field.focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    harness.run();
}

/// Replaces the whole text of the field labelled `label` with `text`.
pub fn retype(harness: &mut Harness<'static, App>, label: &str, text: &str) {
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    harness.run();
}

/// Steps the window until its background job has finished.
pub fn wait_for_job(harness: &mut Harness<'static, App>) {
    for _ in 0..4000 {
        harness.step();
        if !harness.state().job_running() {
            harness.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("the background job did not finish");
}

/// Picks `option` in the combo box labelled `label`.
pub fn choose(harness: &mut Harness<'static, App>, label: &str, option: &str) {
    harness.get_by_role_and_label(Role::ComboBox, label).click();
    harness.run();
    // The open list is drawn last; the same text may also be shown elsewhere on the screen.
    harness
        .query_all_by_role_and_label(Role::Button, option)
        .last()
        .expect("the option is listed")
        .click();
    harness.run();
}

/// The passphrase the window tests give a village they create (twice, as the form asks).
pub const TEST_PASSPHRASE: &str = "village passphrase 1";

/// Types [`TEST_PASSPHRASE`] into both passphrase fields of the village setup.
pub fn enter_new_passphrase(harness: &mut Harness<'static, App>) {
    type_password(harness, "口令（至少 8 个字符）", TEST_PASSPHRASE, false);
    type_password(harness, "再输一遍口令", TEST_PASSPHRASE, false);
}

/// Types into the password field labelled `label` (after selecting its text when `replace`).
pub fn type_password(harness: &mut Harness<'static, App>, label: &str, text: &str, replace: bool) {
    harness
        .get_by_role_and_label(Role::PasswordInput, label)
        .focus();
    harness.run();
    if replace {
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    }
    harness
        .get_by_role_and_label(Role::PasswordInput, label)
        .type_text(text);
    harness.run();
}
