//! 数据库未加密: offered once per start on a real database that is not encrypted yet (made by an
//! older Dripline, or by a script without a passphrase): encrypt it now (the passphrase twice) or
//! later (asked again at the next start).

use eframe::egui::{self, RichText};

use super::action::Action;
use super::widgets::{ERROR_RED, WARN_AMBER};
use crate::i18n::{Lang, Localize};
use crate::store::cipher;

#[derive(Default)]
pub struct EncryptBanner {
    passphrase: String,
    again: String,
    /// "Later" was chosen: not asked again until the next start.
    pub later: bool,
    /// "加密…" was clicked: the passphrase form is shown.
    open: bool,
    problem: Option<(&'static str, &'static str)>,
}

impl EncryptBanner {
    pub fn ui(&mut self, ui: &mut egui::Ui, lang: Lang, actions: &mut Vec<Action>) {
        if self.later {
            return;
        }
        if !self.open {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(lang.pick("数据库未加密", "The database is not encrypted"))
                        .color(WARN_AMBER),
                );
                self.open |= ui.button(lang.pick("加密…", "Encrypt…")).clicked();
                self.later |= ui.button(lang.pick("以后再说", "Later")).clicked();
            });
            return;
        }
        ui.label(
            RichText::new(lang.pick(
                "数据库未加密：拷走这个文件的人能读到全部身份证号、银行账号和密钥。现在设一个口令加密它吗？（口令无法找回，请告诉村里可信的第二个人。）",
                "The database is not encrypted: whoever copies the file reads every ID number, bank account and key. Encrypt it now with a passphrase? (It cannot be recovered; tell a second trusted member of the team.)",
            ))
            .color(WARN_AMBER),
        );
        egui::Grid::new("encrypt_now")
            .num_columns(2)
            .show(ui, |ui| {
                super::passphrase::password_row(
                    ui,
                    lang.pick(
                        "加密口令（至少 8 个字符）",
                        "Passphrase (at least 8 characters)",
                    ),
                    &mut self.passphrase,
                );
                super::passphrase::password_row(
                    ui,
                    lang.pick("再输一遍加密口令", "Passphrase once more"),
                    &mut self.again,
                );
            });
        ui.horizontal(|ui| {
            if ui.button(lang.pick("现在加密", "Encrypt now")).clicked() {
                self.problem = if self.passphrase.chars().count() < cipher::MIN_PASSPHRASE_CHARS {
                    Some((
                        "口令太短：至少 8 个字符。",
                        "Too short: at least 8 characters.",
                    ))
                } else if self.passphrase != self.again {
                    Some((
                        "两次输入的口令不一样，请重输。",
                        "The two differ; enter them again.",
                    ))
                } else {
                    None
                };
                if self.problem.is_none() {
                    self.again.clear();
                    actions.push(Action::EncryptNow(std::mem::take(&mut self.passphrase)));
                }
            }
            if ui.button(lang.pick("以后再说", "Later")).clicked() {
                self.later = true;
            }
        });
        if !self.passphrase.is_empty() {
            ui.label(cipher::strength(&self.passphrase).localize(lang));
        }
        if let Some((zh, en)) = self.problem {
            ui.label(RichText::new(lang.pick(zh, en)).color(ERROR_RED));
        }
    }
}
