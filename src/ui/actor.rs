//! Who is working (操作人): at start, when the village has a work team, the window asks which
//! member is at the laptop; the choice is remembered on this installation and named as the actor
//! of every change in the audit log (one laptop account is shared by the team, so the operating-
//! system user says nothing). No password beyond the database's.

use eframe::egui::{self, RichText};

use super::action::Action;
use super::widgets::WARN_AMBER;
use crate::i18n::Lang;

/// The actor strip under the toolbar: the members to choose from while nobody is chosen, else
/// the one chosen and a button to change.
pub fn actor_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    team: &[String],
    chosen: Option<&str>,
    actions: &mut Vec<Action>,
) {
    if team.is_empty() {
        return;
    }
    ui.horizontal_wrapped(|ui| match chosen {
        Some(name) => {
            ui.label(match lang {
                Lang::Zh => format!("操作人：{name}"),
                Lang::En => format!("Working: {name}"),
            });
            if ui.small_button(lang.pick("换人", "Switch person")).clicked() {
                actions.push(Action::ChooseActor(None));
            }
        }
        None => {
            ui.label(
                RichText::new(lang.pick(
                    "谁在使用这台电脑？请选择工作队成员，之后的修改都记在此人名下：",
                    "Who is working on this laptop? Choose the team member; every change is recorded in their name:",
                ))
                .color(WARN_AMBER),
            );
            for name in team {
                let label = match lang {
                    Lang::Zh => format!("我是{name}"),
                    Lang::En => format!("I am {name}"),
                };
                if ui.button(label).clicked() {
                    actions.push(Action::ChooseActor(Some(name.clone())));
                }
            }
        }
    });
}
