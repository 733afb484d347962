//! Choosing records by name: one household, several households (with a search box), or any other
//! record (helper, project, measure, product) from a list of (id, text) pairs.

use eframe::egui::{self, Ui};
use uuid::Uuid;

use crate::i18n::Lang;
use crate::model::HouseholdRecord;

/// How a household is named in pickers and lists: its number and its head's name.
pub fn household_name(record: &HouseholdRecord) -> String {
    let head = record.head().map(|m| m.name.as_str()).unwrap_or("—");
    format!("{} {}", record.household.number, head)
}

/// The same name for a household of a six-precisions panel list.
pub fn household_ref_name(h: &crate::rules::precisions::HouseholdRef) -> String {
    format!("{} {}", h.number, h.head_name.as_deref().unwrap_or("—"))
}

/// The name of a household by id, for list rows.
pub fn household_name_of(records: &[HouseholdRecord], id: Uuid) -> String {
    records
        .iter()
        .find(|r| r.household.id == id)
        .map(household_name)
        .unwrap_or_else(|| "—".to_string())
}

/// A form row with a combo box over `(id, text)` options and a "none" entry.
pub fn choice_row(
    ui: &mut Ui,
    label: &str,
    none_label: &str,
    value: &mut Option<Uuid>,
    options: &[(Uuid, String)],
) -> bool {
    let label_id = ui.label(label).id;
    let changed = choice(ui, label_id, none_label, value, options);
    ui.end_row();
    changed
}

/// A combo box over `(id, text)` options, named by the label `label_id`.
pub fn choice(
    ui: &mut Ui,
    label_id: egui::Id,
    none_label: &str,
    value: &mut Option<Uuid>,
    options: &[(Uuid, String)],
) -> bool {
    let selected = value
        .and_then(|id| options.iter().find(|(o, _)| *o == id))
        .map_or(none_label, |(_, text)| text.as_str());
    let mut changed = false;
    egui::ComboBox::from_id_salt(label_id)
        .selected_text(selected)
        .width(260.0)
        .height(320.0)
        .show_ui(ui, |ui| {
            changed |= ui.selectable_value(value, None, none_label).changed();
            for (id, text) in options {
                changed |= ui.selectable_value(value, Some(*id), text).changed();
            }
        })
        .response
        .labelled_by(label_id);
    changed
}

/// The households of the village as picker options, in register order.
pub fn household_options(records: &[HouseholdRecord]) -> Vec<(Uuid, String)> {
    records
        .iter()
        .map(|r| (r.household.id, household_name(r)))
        .collect()
}

/// A form row choosing several households: the chosen ones as removable chips, and a search box
/// that lists the matching others to add. A village has a few hundred households, so a plain
/// checkbox list would be too long to scan.
pub fn households_row(
    ui: &mut Ui,
    lang: Lang,
    label: &str,
    records: &[HouseholdRecord],
    chosen: &mut Vec<Uuid>,
    search: &mut String,
) {
    let label_id = ui.label(label).id;
    ui.vertical(|ui| {
        ui.horizontal_wrapped(|ui| {
            let mut remove = None;
            for id in chosen.iter() {
                let text = format!("{} ×", household_name_of(records, *id));
                if ui
                    .small_button(text)
                    .on_hover_text(lang.pick("点击移除", "Click to remove"))
                    .clicked()
                {
                    remove = Some(*id);
                }
            }
            if let Some(id) = remove {
                chosen.retain(|c| *c != id);
            }
            if chosen.is_empty() {
                ui.weak(lang.pick("（尚未选择农户）", "(no household chosen)"));
            }
        });
        ui.add(
            egui::TextEdit::singleline(search)
                .hint_text(lang.pick("输入户号或户主姓名查找", "Type a number or a name"))
                .desired_width(260.0),
        )
        .labelled_by(label_id);
        let needle = search.trim();
        if !needle.is_empty() {
            let matches = records
                .iter()
                .filter(|r| !chosen.contains(&r.household.id))
                .filter(|r| household_name(r).contains(needle))
                .take(8)
                .collect::<Vec<_>>();
            for record in matches {
                if ui
                    .button(format!("＋ {}", household_name(record)))
                    .clicked()
                {
                    chosen.push(record.household.id);
                }
            }
        }
    });
    ui.end_row();
}

/// A form row choosing a person of the village work team by name (who confirms an
/// identification or an exit). With no team registered yet, it says where to add one.
pub fn team_member_row(
    ui: &mut Ui,
    lang: crate::i18n::Lang,
    label: &str,
    value: &mut String,
    team: &[crate::model::TeamMember],
    error: Option<&str>,
) {
    let label_id = ui.label(label).id;
    ui.horizontal(|ui| {
        if team.is_empty() {
            ui.colored_label(
                super::WARN_AMBER,
                lang.pick(
                    "尚未登记驻村工作队：请先在“工作队”名册中添加",
                    "No village team yet: add it in the team register first",
                ),
            );
        } else {
            let none = lang.pick("（请选择工作队成员）", "(choose a team member)");
            let selected = if value.trim().is_empty() {
                none.to_string()
            } else {
                value.clone()
            };
            egui::ComboBox::from_id_salt(label_id)
                .selected_text(selected)
                .width(220.0)
                .show_ui(ui, |ui| {
                    for m in team {
                        let text =
                            format!("{}（{}）", m.name, crate::i18n::Label::label(&m.role, lang));
                        if ui.selectable_label(*value == m.name, text).clicked() {
                            *value = m.name.clone();
                        }
                    }
                })
                .response
                .labelled_by(label_id);
        }
        if let Some(e) = error {
            ui.colored_label(super::ERROR_RED, e);
        }
    });
    ui.end_row();
}

/// A form row choosing the helpers (帮扶责任人) of one household from the register: the chosen
/// ones as removable chips, and a search box (name or unit) listing the others to add; Enter in
/// the search box adds the first match, so the row works without the mouse. Returns whether the
/// choice changed.
pub fn helpers_row(
    ui: &mut Ui,
    lang: Lang,
    label: &str,
    register: &[crate::model::Helper],
    chosen: &mut Vec<Uuid>,
    search: &mut String,
) -> bool {
    /// How many matches are offered at once; the search narrows the rest.
    const SHOWN: usize = 8;
    let label_id = ui.label(label).id;
    let mut changed = false;
    let name_of = |h: &crate::model::Helper| {
        if h.unit.trim().is_empty() {
            h.name.clone()
        } else {
            format!("{}（{}）", h.name, h.unit)
        }
    };
    ui.vertical(|ui| {
        ui.horizontal_wrapped(|ui| {
            let mut remove = None;
            for id in chosen.iter() {
                let name = register
                    .iter()
                    .find(|h| h.id == *id)
                    .map_or_else(|| "—".to_string(), name_of);
                if ui
                    .small_button(format!("{name} ×"))
                    .on_hover_text(lang.pick("点击移除", "Click to remove"))
                    .clicked()
                {
                    remove = Some(*id);
                }
            }
            if let Some(id) = remove {
                chosen.retain(|c| *c != id);
                changed = true;
            }
            if chosen.is_empty() {
                ui.weak(lang.pick("（尚未指派帮扶责任人）", "(no helper assigned)"));
            }
        });
        if register.is_empty() {
            ui.colored_label(
                super::WARN_AMBER,
                lang.pick(
                    "名册中还没有帮扶责任人：请先在“村级台账 → 工作队与帮扶人”中添加",
                    "No helper in the register yet: add them under Registers → Team and helpers first",
                ),
            );
            return;
        }
        let response = ui
            .add(
                egui::TextEdit::singleline(search)
                    .hint_text(lang.pick("输入姓名或单位查找帮扶责任人", "Type a helper's name or unit"))
                    .desired_width(260.0),
            )
            .labelled_by(label_id);
        let needle = search.trim().to_string();
        let matches: Vec<&crate::model::Helper> = register
            .iter()
            .filter(|h| !chosen.contains(&h.id))
            .filter(|h| needle.is_empty() || h.name.contains(&needle) || h.unit.contains(&needle))
            .collect();
        if super::entered(ui, &response)
            && !needle.is_empty()
            && let Some(first) = matches.first()
        {
            chosen.push(first.id);
            search.clear();
            changed = true;
            response.request_focus();
            return;
        }
        ui.horizontal_wrapped(|ui| {
            for helper in matches.iter().take(SHOWN) {
                if ui.button(format!("＋ {}", name_of(helper))).clicked() {
                    chosen.push(helper.id);
                    search.clear();
                    changed = true;
                }
            }
            if matches.len() > SHOWN {
                ui.weak(match lang {
                    Lang::Zh => format!("另有 {} 人，请输入姓名查找", matches.len() - SHOWN),
                    Lang::En => format!("{} more: type a name", matches.len() - SHOWN),
                });
            }
        });
    });
    ui.end_row();
    changed
}
