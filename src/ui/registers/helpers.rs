//! The helpers (帮扶责任人) with their unit, phone and the households they answer for; the
//! registered households without a helper are listed so that nobody is left out.

use eframe::egui::{RichText, Ui};
use uuid::Uuid;

use crate::i18n::Lang;
use crate::model::Helper;
use crate::rules::workflow_records::{self, WorkField, WorkFieldError};
use crate::ui::action::{Action, DataAction};
use crate::ui::widgets::pickers::{self, household_name_of, household_ref_name};
use crate::ui::widgets::record_editor::{EditorOutcome, FormErrors, RecordEditor, RecordForm};
use crate::ui::widgets::{FocusIf, WARN_AMBER, text_row};
use crate::workspace::VillageView;

struct HelperForm {
    helper: Helper,
    search: String,
    errors: FormErrors,
}

impl RecordForm for HelperForm {
    type Record = Helper;
    type Problem = WorkFieldError;

    fn of(h: &Helper) -> Self {
        HelperForm {
            helper: h.clone(),
            search: String::new(),
            errors: FormErrors::default(),
        }
    }

    fn fields_ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView, focus_first: bool) {
        let e = self.errors.beside(WorkField::Name, lang);
        text_row(
            ui,
            lang.pick("帮扶责任人", "Helper"),
            &mut self.helper.name,
            e.as_deref(),
        )
        .focus_if(focus_first);
        let e = self.errors.beside(WorkField::Unit, lang);
        text_row(
            ui,
            lang.pick("帮扶单位", "Helper unit"),
            &mut self.helper.unit,
            e.as_deref(),
        );
        let e = self.errors.beside(WorkField::Phone, lang);
        text_row(
            ui,
            lang.pick("联系电话", "Phone"),
            &mut self.helper.phone,
            e.as_deref(),
        );
        pickers::households_row(
            ui,
            lang,
            lang.pick("结对农户", "Households"),
            &view.records,
            &mut self.helper.household_ids,
            &mut self.search,
        );
    }

    fn build(&mut self, _lang: Lang, _view: &VillageView) -> Option<Helper> {
        self.errors.start();
        let ok = self
            .errors
            .finish(workflow_records::validate_helper(&self.helper));
        ok.then(|| self.helper.clone())
    }

    fn errors(&self) -> &FormErrors {
        &self.errors
    }
}

pub struct HelpersTab {
    editor: RecordEditor<HelperForm>,
}

impl Default for HelpersTab {
    fn default() -> Self {
        HelpersTab {
            editor: RecordEditor::new("helper"),
        }
    }
}

impl HelpersTab {
    pub fn close_forms(&mut self) {
        self.editor.close();
    }

    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView, actions: &mut Vec<Action>) {
        let village = &view.village;
        ui.heading(lang.pick("帮扶责任人", "Helpers"));
        for h in &view.workflow.helpers {
            ui.horizontal_wrapped(|ui| {
                ui.strong(&h.name);
                ui.label(format!("{} · {}", h.unit, h.phone));
                let names: Vec<String> = h
                    .household_ids
                    .iter()
                    .map(|id| household_name_of(&view.records, *id))
                    .collect();
                ui.label(match lang {
                    Lang::Zh => format!("结对 {} 户：{}", names.len(), names.join("、")),
                    Lang::En => format!("{} households: {}", names.len(), names.join(", ")),
                });
                if let EditorOutcome::Delete(id) = self.editor.row_buttons_ui(ui, lang, h.id, h) {
                    actions.push(Action::Data(DataAction::DeleteHelper(id)));
                }
            });
        }
        let new_helper = || Helper {
            id: Uuid::new_v4(),
            village_id: village.id,
            name: String::new(),
            unit: String::new(),
            phone: String::new(),
            household_ids: Vec::new(),
        };
        if let EditorOutcome::Save(h) = self.editor.form_ui(
            ui,
            lang,
            view,
            lang.pick("帮扶责任人", "Helper"),
            lang.pick("＋ 添加帮扶责任人", "+ Add a helper"),
            new_helper,
        ) {
            actions.push(Action::Data(DataAction::SaveHelper(h)));
        }

        let unhelped: Vec<String> = view
            .precisions
            .personnel
            .without_helper
            .iter()
            .map(household_ref_name)
            .collect();
        if !unhelped.is_empty() {
            ui.add_space(6.0);
            ui.label(
                RichText::new(match lang {
                    Lang::Zh => format!(
                        "⚠ {} 户建档立卡户没有帮扶责任人：{}",
                        unhelped.len(),
                        unhelped.join("、")
                    ),
                    Lang::En => format!(
                        "⚠ {} registered households have no helper: {}",
                        unhelped.len(),
                        unhelped.join(", ")
                    ),
                })
                .color(WARN_AMBER),
            );
        }
    }
}
