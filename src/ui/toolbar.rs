//! The toolbar: the village shown, the screens to switch to with the number of data problems,
//! undo, sync, settings and the language; under it, the demo village's banner.

use eframe::egui::{self, RichText};

use super::action::{Action, Screen};
use super::widgets::WARN_AMBER;
use crate::i18n::Lang;
use crate::model::Village;

/// What the toolbar shows besides the buttons.
pub struct ToolbarState<'a> {
    pub lang: Lang,
    pub shown: Screen,
    pub village: Option<&'a Village>,
    /// Data problems of the shown village.
    pub problems: usize,
    pub can_undo: bool,
    /// A county database: the county view is offered.
    pub county: bool,
}

pub fn toolbar_ui(ui: &mut egui::Ui, state: &ToolbarState<'_>, actions: &mut Vec<Action>) {
    let ToolbarState {
        lang,
        shown,
        village,
        problems,
        can_undo,
        county,
    } = *state;
    ui.horizontal_wrapped(|ui| {
        // The window title says "Dripline · Village Workbench"; in the toolbar the English name is
        // short so that the English menu stays on one line in a 1280 px window.
        ui.heading(lang.pick("精准扶贫 · 村级工作台", "Dripline"));
        if county {
            // One click back to the county from any village screen.
            let selected = shown == Screen::County;
            let label = if selected {
                lang.pick("全县汇总", "County")
            } else {
                lang.pick("← 返回全县", "← Back to the county")
            };
            if ui.selectable_label(selected, label).clicked() && !selected {
                actions.push(Action::Navigate(Screen::County));
            }
            ui.label(RichText::new(lang.pick("县级数据库", "County database")).color(WARN_AMBER));
        }
        // On the county screen no one village is being worked on.
        if let Some(village) = village.filter(|_| !(county && shown == Screen::County)) {
            ui.label(
                RichText::new(format!(
                    "{} {} {}",
                    village.county, village.township, village.name
                ))
                .strong(),
            );
        }
        ui.separator();

        let nav = [
            (
                Screen::Households,
                lang.pick("农户名册", "Households").to_string(),
            ),
            (
                Screen::Precisions,
                lang.pick("六个精准", "Six precisions").to_string(),
            ),
            (
                Screen::Monitoring,
                lang.pick("返贫监测", "Monitoring").to_string(),
            ),
            (
                Screen::Registers,
                lang.pick("村级台账", "Registers").to_string(),
            ),
            (
                Screen::Village,
                lang.pick("村情（一低五有）", "Village").to_string(),
            ),
            (Screen::Charts, lang.pick("图表", "Charts").to_string()),
            (
                Screen::Spreadsheets,
                lang.pick("表格导入导出", "Spreadsheets").to_string(),
            ),
            (
                Screen::Checks,
                match lang {
                    Lang::Zh => format!("数据检查（{problems}）"),
                    Lang::En => format!("Data checks ({problems})"),
                },
            ),
        ];
        for (screen, label) in nav {
            let selected = shown == screen;
            if ui.selectable_label(selected, label).clicked() && !selected {
                actions.push(Action::Navigate(screen));
            }
        }
        ui.separator();
        let undo_label = lang.pick("撤销", "Undo");
        if ui
            .add_enabled(can_undo, egui::Button::new(undo_label))
            .on_hover_text(lang.pick("撤销上一次修改（Ctrl+Z）", "Undo the last change (Ctrl+Z)"))
            .clicked()
        {
            actions.push(Action::Undo);
        }
        let selected = shown == Screen::Settings;
        let syncing = shown == Screen::Sync;
        if ui
            .selectable_label(syncing, lang.pick("数据同步", "Sync"))
            .clicked()
            && !syncing
        {
            actions.push(Action::Navigate(Screen::Sync));
        }
        if ui
            .selectable_label(selected, lang.pick("设置", "Settings"))
            .clicked()
            && !selected
        {
            actions.push(Action::Navigate(Screen::Settings));
        }
        let (other, label) = match lang {
            Lang::Zh => (Lang::En, "English"),
            Lang::En => (Lang::Zh, "中文"),
        };
        if ui.button(label).clicked() {
            actions.push(Action::SetLanguage(other));
        }
    });
}

/// The banner of the demo village, offering to create the real one (never on a county database:
/// the county does not create villages, it receives them).
pub fn demo_banner_ui(ui: &mut egui::Ui, state: &ToolbarState<'_>, actions: &mut Vec<Action>) {
    let lang = state.lang;
    let in_demo = state.village.is_some_and(|v| v.is_demo);
    if !in_demo || state.county || state.shown == Screen::VillageSetup {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(lang.pick(
            "这是演示村：数据是生成的示例（按2020年底的情况评估），可随意试用。准备好后请创建您的村。",
            "This is a demo village with generated data (assessed as at the end of 2020): try anything. When ready, create your own village.",
        )).color(WARN_AMBER));
        if ui.button(lang.pick("创建我的村", "Create my village")).clicked() {
            actions.push(Action::Navigate(Screen::VillageSetup));
        }
    });
}
