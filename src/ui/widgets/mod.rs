//! Small widgets shared by the screens: labelled form fields with their error beside them, combo
//! boxes over coded values, and number formatting.

use eframe::egui::{self, Color32, Response, RichText, Ui};

use crate::i18n::{Label, Lang};

pub mod chart;
pub mod file_chooser;
pub mod pickers;
pub mod record_editor;

/// The judged years without a monitoring threshold of their own ("2025年无监测标准，暂按2024年"),
/// one amber line each, wherever such a year is judged.
pub fn threshold_warnings_ui(
    ui: &mut Ui,
    warnings: &[crate::rules::income::MissingThreshold],
    lang: Lang,
) {
    use crate::i18n::Localize;
    for w in warnings {
        ui.label(RichText::new(format!("⚠ {}", w.localize(lang))).color(WARN_AMBER));
    }
}

/// Gives a field the cursor when `yes` (a form's first field on the frame the form opens).
pub trait FocusIf {
    fn focus_if(self, yes: bool);
}

impl FocusIf for Response {
    fn focus_if(self, yes: bool) {
        if yes {
            self.request_focus();
        }
    }
}

pub const ERROR_RED: Color32 = Color32::from_rgb(200, 40, 40);
pub const OK_GREEN: Color32 = Color32::from_rgb(30, 140, 60);
pub const WARN_AMBER: Color32 = Color32::from_rgb(190, 120, 0);

/// A form row inside a two-column `Grid`: the label, then a single-line text field that is
/// announced to screen readers (and UI tests) by that label, then the field's error if any.
pub fn text_row(ui: &mut Ui, label: &str, value: &mut String, error: Option<&str>) -> Response {
    let label_id = ui.label(label).id;
    let response = ui
        .vertical(|ui| {
            let response = ui
                .add(egui::TextEdit::singleline(value).desired_width(260.0))
                .labelled_by(label_id);
            if let Some(error) = error {
                ui.label(RichText::new(error).color(ERROR_RED));
            }
            response
        })
        .inner;
    ui.end_row();
    response
}

/// Whether Enter was pressed in this single-line field (submit the form from the keyboard).
pub fn entered(ui: &Ui, response: &Response) -> bool {
    response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

/// The header row of a table: each text in bold.
pub fn header_cells(header: &mut egui_extras::TableRow<'_, '_>, texts: &[&str]) {
    for text in texts {
        header.col(|ui| {
            ui.strong(*text);
        });
    }
}

/// "Yes" or "No".
pub fn yes_no(v: bool, lang: Lang) -> &'static str {
    if v {
        lang.pick("是", "Yes")
    } else {
        lang.pick("否", "No")
    }
}

/// A form row with a combo box over coded values.
pub fn combo_row<T: Label + Copy + PartialEq>(
    ui: &mut Ui,
    lang: Lang,
    label: &str,
    value: &mut T,
    options: &[T],
) -> bool {
    let label_id = ui.label(label).id;
    let changed = combo(ui, lang, label_id, value, options);
    ui.end_row();
    changed
}

/// A combo box over coded values, named (for screen readers and tests) by the label `label_id`.
pub fn combo<T: Label + Copy + PartialEq>(
    ui: &mut Ui,
    lang: Lang,
    label_id: egui::Id,
    value: &mut T,
    options: &[T],
) -> bool {
    let mut changed = false;
    egui::ComboBox::from_id_salt(label_id)
        .selected_text(value.label(lang))
        .width(220.0)
        .show_ui(ui, |ui| {
            for option in options {
                changed |= ui
                    .selectable_value(value, *option, option.label(lang))
                    .changed();
            }
        })
        .response
        .labelled_by(label_id);
    changed
}

/// A combo box over an optional coded value, with `none_label` for "no value / all".
pub fn optional_combo<T: Label + Copy + PartialEq>(
    ui: &mut Ui,
    lang: Lang,
    label_id: egui::Id,
    none_label: &str,
    value: &mut Option<T>,
    options: &[T],
) -> bool {
    let mut changed = false;
    let selected = value.map(|v| v.label(lang)).unwrap_or(none_label);
    egui::ComboBox::from_id_salt(label_id)
        .selected_text(selected)
        .width(160.0)
        .show_ui(ui, |ui| {
            changed |= ui.selectable_value(value, None, none_label).changed();
            for option in options {
                changed |= ui
                    .selectable_value(value, Some(*option), option.label(lang))
                    .changed();
            }
        })
        .response
        .labelled_by(label_id);
    changed
}

/// The text to show beside one form field: every problem reported for `field` (by the rules or by
/// the form's own number and date parsing), joined; `None` when the field is fine.
pub fn errors_beside<F: PartialEq>(
    lang: Lang,
    field: F,
    errors: impl IntoIterator<Item = (F, String)>,
) -> Option<String> {
    let texts: Vec<String> = errors
        .into_iter()
        .filter(|(f, _)| *f == field)
        .map(|(_, text)| text)
        .collect();
    (!texts.is_empty()).then(|| texts.join(lang.pick("；", "; ")))
}

/// What the edit / remove buttons of a list row asked for this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowChoice {
    Nothing,
    Edit,
    /// "Remove" was pressed: ask for confirmation.
    AskRemove,
    /// The removal was confirmed.
    Remove,
    /// The confirmation was declined.
    KeepIt,
}

/// The edit / remove buttons of a list row; while `confirming`, the confirm / cancel pair instead,
/// so that nothing is removed by one stray click.
pub fn edit_remove_ui(ui: &mut Ui, lang: Lang, confirming: bool) -> RowChoice {
    ui.horizontal(|ui| {
        if confirming {
            if ui
                .button(RichText::new(lang.pick("确定删除", "Delete")).color(ERROR_RED))
                .clicked()
            {
                return RowChoice::Remove;
            }
            if ui.button(lang.pick("取消", "Cancel")).clicked() {
                return RowChoice::KeepIt;
            }
        } else {
            if ui.button(lang.pick("修改", "Edit")).clicked() {
                return RowChoice::Edit;
            }
            if ui.button(lang.pick("删除", "Remove")).clicked() {
                return RowChoice::AskRemove;
            }
        }
        RowChoice::Nothing
    })
    .inner
}

/// A remove button with its confirmation, for rows that cannot be edited (e.g. photos).
pub fn edit_remove_ui_without_edit(ui: &mut Ui, lang: Lang, confirming: bool) -> RowChoice {
    if confirming {
        if ui
            .small_button(RichText::new(lang.pick("确定删除", "Delete")).color(ERROR_RED))
            .clicked()
        {
            return RowChoice::Remove;
        }
        if ui.small_button(lang.pick("取消", "Cancel")).clicked() {
            return RowChoice::KeepIt;
        }
    } else if ui.small_button(lang.pick("删除", "Remove")).clicked() {
        return RowChoice::AskRemove;
    }
    RowChoice::Nothing
}

pub use crate::rules::income::grouped_yuan as yuan;

/// Parses an amount typed by a person: empty means 0; commas and a trailing 元 are allowed.
pub fn parse_amount(text: &str) -> Option<f64> {
    let cleaned: String = text
        .trim()
        .trim_end_matches('元')
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    if cleaned.is_empty() {
        return Some(0.0);
    }
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The text of an error for a field that does not hold a number.
pub fn not_a_number(lang: Lang) -> &'static str {
    lang.pick(
        "请输入数字（例如 3200 或 3200.5）",
        "Enter a number (e.g. 3200 or 3200.5)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_and_amounts() {
        assert_eq!(yuan(1234567.4), "1,234,567.40");
        assert_eq!(yuan(3999.6), "3,999.60");
        assert_eq!(yuan(4000.0), "4,000");
        assert_eq!(yuan(-2855.0), "-2,855");
        assert_eq!(parse_amount("3,200元"), Some(3200.0));
        assert_eq!(parse_amount(""), Some(0.0));
        assert_eq!(parse_amount("abc"), None);
        assert_eq!(parse_amount("NaN"), None);
    }
}
