//! The six precisions (六个精准) of the village: for each, the measured figures and the lists of
//! households behind them, each household number a link that opens the household. What the
//! panels say is `rules::precisions::lists`' (the CLI and the export say the same); this screen
//! only lays it out, in colour.

use eframe::egui::{self, RichText};

use super::action::{Action, RegisterTab, Screen};
use super::widgets::{ERROR_RED, OK_GREEN, WARN_AMBER};
use crate::i18n::Lang;
use crate::rules::precisions::HouseholdRef;
use crate::rules::precisions::lists::{self, Entry, Tone};
use crate::workspace::VillageView;

#[derive(Default)]
pub struct PrecisionsScreen;

/// One line of a list: the household number as a link, the head, and why it is listed.
fn household_line_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    household: &HouseholdRef,
    reason: &str,
    problem: bool,
    actions: &mut Vec<Action>,
) {
    ui.horizontal_wrapped(|ui| {
        if ui.link(&household.number).clicked() {
            actions.push(Action::Navigate(Screen::Household(household.household_id)));
        }
        ui.label(
            household
                .head_name
                .as_deref()
                .unwrap_or(lang.pick("（无户主）", "(no head)")),
        );
        if !reason.is_empty() {
            let color = if problem { ERROR_RED } else { OK_GREEN };
            ui.label(RichText::new(reason).color(color));
        }
    });
}

/// A figure as it reads: a count of problems green when there are none, amber otherwise.
fn figure_text(text: &str, problems: Option<usize>) -> RichText {
    match problems {
        Some(0) => RichText::new(text).color(OK_GREEN),
        Some(_) => RichText::new(text).color(WARN_AMBER),
        None => RichText::new(text),
    }
}

/// A panel's entries; a figure with a list opens and closes it (open at first).
fn entries_ui(ui: &mut egui::Ui, lang: Lang, entries: &[Entry], actions: &mut Vec<Action>) {
    let mut i = 0;
    while i < entries.len() {
        let entry = &entries[i];
        i += 1;
        let Entry::Figure {
            text,
            problems,
            list: Some(kind),
        } = entry
        else {
            entry_ui(ui, lang, entry, actions);
            continue;
        };
        let listed = entries[i..]
            .iter()
            .take_while(|e| match e {
                Entry::Line { list, .. } | Entry::Fund { list, .. } => list == kind,
                _ => false,
            })
            .count();
        let lines = &entries[i..i + listed];
        i += listed;
        if lines.is_empty() {
            ui.label(figure_text(text, *problems));
            continue;
        }
        egui::CollapsingHeader::new(figure_text(text, *problems))
            .id_salt(("figure", *kind as u8))
            .default_open(true)
            .show(ui, |ui| {
                for line in lines {
                    entry_ui(ui, lang, line, actions);
                }
            });
    }
}

fn entry_ui(ui: &mut egui::Ui, lang: Lang, entry: &Entry, actions: &mut Vec<Action>) {
    match entry {
        Entry::Figure { text, problems, .. } => {
            ui.label(figure_text(text, *problems));
        }
        Entry::Note { text, tone } => {
            let text = RichText::new(text);
            ui.label(match tone {
                Tone::Plain => text,
                Tone::Good => text.color(OK_GREEN),
                Tone::Bad => text.color(ERROR_RED),
            });
        }
        Entry::Amounts { label, items } => {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("{label}{}", lang.pick("：", ":")));
                for item in items {
                    ui.label(item);
                }
            });
        }
        Entry::Project {
            project_id,
            text,
            serves_nobody,
            households,
            ..
        } => {
            ui.label(if *serves_nobody {
                RichText::new(text).color(ERROR_RED)
            } else {
                RichText::new(text)
            });
            ui.indent(project_id, |ui| {
                for h in households {
                    household_line_ui(ui, lang, h, "", true, actions);
                }
            });
        }
        Entry::Line {
            list,
            household,
            reason,
        } => household_line_ui(ui, lang, household, reason, list.is_problem(), actions),
        Entry::Fund {
            text, household, ..
        } => {
            ui.horizontal_wrapped(|ui| {
                if let Some(h) = household
                    && ui.link(&h.number).clicked()
                {
                    actions.push(Action::Navigate(Screen::Household(h.household_id)));
                }
                if ui
                    .link(RichText::new(text).color(ERROR_RED))
                    .on_hover_text(lang.pick("打开资金台账", "Open the funds register"))
                    .clicked()
                {
                    actions.push(Action::OpenRegister(RegisterTab::Funds));
                }
            });
        }
    }
}

impl PrecisionsScreen {
    pub fn ui(&mut self, ui: &mut egui::Ui, lang: Lang, view: &VillageView) -> Vec<Action> {
        let mut actions = Vec::new();
        ui.heading(lang.pick("六个精准", "The six precisions"));
        let panels = lists::panels(&view.precisions, &view.records, &view.thresholds, lang);
        egui::ScrollArea::vertical().show(ui, |ui| {
            for panel in &panels {
                egui::CollapsingHeader::new(panel.panel.title(lang))
                    .default_open(true)
                    .show(ui, |ui| entries_ui(ui, lang, &panel.entries, &mut actions));
            }
        });
        actions
    }
}
