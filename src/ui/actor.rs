//! Who is working (操作人): at start, when the village has a work team, the window asks which
//! member is at the laptop; the choice is remembered on this installation and named as the actor
//! of every change in the audit log (one laptop account is shared by the team, so the operating-
//! system user says nothing). No password beyond the database's. County clerks are on no village
//! team: on a county database they type their name instead.

use eframe::egui::{self, RichText};

use super::action::Action;
use super::widgets::WARN_AMBER;
use crate::i18n::Lang;

/// Whom the strip offers: the shown village's team, or county staff who type their name.
pub enum ActorChoice<'a> {
    Team(&'a [String]),
    CountyStaff,
}

/// The actor strip under the toolbar: the members to choose from (or the name field of the
/// county) while nobody is chosen, else the one chosen and a button to change.
pub fn actor_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    choice: ActorChoice<'_>,
    chosen: Option<&str>,
    actions: &mut Vec<Action>,
) {
    if let ActorChoice::Team(team) = choice
        && team.is_empty()
    {
        return;
    }
    ui.horizontal_wrapped(|ui| match (chosen, choice) {
        (Some(name), _) => {
            ui.label(match lang {
                Lang::Zh => format!("操作人：{name}"),
                Lang::En => format!("Working: {name}"),
            });
            if ui.small_button(lang.pick("换人", "Switch person")).clicked() {
                actions.push(Action::ChooseActor(None));
            }
        }
        (None, ActorChoice::Team(team)) => {
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
        (None, ActorChoice::CountyStaff) => county_staff_ui(ui, lang, actions),
    });
}

/// The name field of a county clerk: typed once, confirmed with Enter or 确定.
fn county_staff_ui(ui: &mut egui::Ui, lang: Lang, actions: &mut Vec<Action>) {
    let label = ui.label(
        RichText::new(lang.pick(
            "县里谁在操作？请输入您的姓名，之后的修改都记在此人名下：",
            "Who at the county is working? Type your name; every change is recorded in it:",
        ))
        .color(WARN_AMBER),
    );
    let id = ui.make_persistent_id("county_staff_name");
    let mut name: String = ui.data_mut(|d| d.get_temp(id).unwrap_or_default());
    let field = ui
        .add(
            egui::TextEdit::singleline(&mut name)
                .hint_text(lang.pick("姓名", "Name"))
                .desired_width(140.0),
        )
        .labelled_by(label.id);
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let confirmed = ui
        .add_enabled(
            !name.trim().is_empty(),
            egui::Button::new(lang.pick("确定", "OK")),
        )
        .clicked();
    if (entered || confirmed) && !name.trim().is_empty() {
        actions.push(Action::ChooseActor(Some(name.trim().to_string())));
        name.clear();
    }
    ui.data_mut(|d| d.insert_temp(id, name));
}
