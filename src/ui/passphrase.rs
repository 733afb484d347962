//! The passphrase prompt of an encrypted database (打开加密数据库), with what to do when it is
//! forgotten (忘记口令？).

use std::path::Path;

use eframe::egui::{self, RichText};

use super::action::Action;
use super::widgets::ERROR_RED;
use crate::i18n::Lang;

#[derive(Default)]
pub struct PassphrasePrompt {
    entered: String,
    forgot_open: bool,
}

/// A password field labelled `label` (the text is shown as dots).
pub fn password_row(ui: &mut egui::Ui, label: &str, value: &mut String) -> egui::Response {
    let label_id = ui.label(label).id;
    let response = ui
        .add(
            egui::TextEdit::singleline(value)
                .password(true)
                .desired_width(260.0),
        )
        .labelled_by(label_id);
    ui.end_row();
    response
}

impl PassphrasePrompt {
    /// `wrong`: the last passphrase tried did not open `path`.
    pub fn ui(&mut self, ui: &mut egui::Ui, lang: Lang, path: &Path, wrong: bool) -> Vec<Action> {
        let mut actions = Vec::new();
        ui.heading(lang.pick("打开加密数据库", "Open the encrypted database"));
        ui.label(format!(
            "{} {}",
            lang.pick("数据文件：", "Data file:"),
            path.display()
        ));
        if wrong {
            ui.label(
                RichText::new(lang.pick(
                    "口令不对，数据没有改动。请重新输入。",
                    "Wrong passphrase; nothing was changed. Enter it again.",
                ))
                .color(ERROR_RED),
            );
        }
        let mut submit = false;
        egui::Grid::new("passphrase_prompt")
            .num_columns(2)
            .show(ui, |ui| {
                let r = password_row(ui, lang.pick("口令", "Passphrase"), &mut self.entered);
                submit |= super::widgets::entered(ui, &r);
            });
        submit |= ui.button(lang.pick("打开", "Open")).clicked();
        if submit && !self.entered.is_empty() {
            actions.push(Action::Unlock(std::mem::take(&mut self.entered)));
        }
        if ui
            .button(lang.pick("忘记口令？", "Forgot the passphrase?"))
            .clicked()
        {
            self.forgot_open = !self.forgot_open;
        }
        if self.forgot_open {
            ui.label(forgotten_text(lang));
        }
        actions
    }
}

/// What a forgotten passphrase means and what the county can restore (README "Encryption at
/// rest" says the same).
pub fn forgotten_text(lang: Lang) -> &'static str {
    lang.pick(
        "口令无法找回，也没有后门：没有口令，这台电脑上的数据谁都读不出来。\n\
         县扶贫办保存着本村已同步的全部数据，可以这样找回：这台电脑新建一个空数据库（dripline init --out 新文件，设新口令），\
         把它显示的设备公钥交给县里；县里注销旧设备（dripline keys revoke）、\
         登记新设备，再生成本村的回传包（dripline county return --village 村代码），在这台电脑上导入。\n\
         最后一次同步之后在本机录入、还没交给县里的数据会丢失。",
        "The passphrase cannot be recovered and there is no back door: without it nobody can read the data on this laptop.\n\
         The county keeps everything of the village that was synced. To get it back: start an empty database on this \
         laptop (dripline init --out NEW-FILE, with a new passphrase) and give the device key it prints to the county; the county revokes \
         the old device (dripline keys revoke), registers the new one and writes the village's return bundle \
         (dripline county return --village CODE), which this laptop imports.\n\
         What was entered here after the last sync, and never reached the county, is lost.",
    )
}
