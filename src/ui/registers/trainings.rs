//! Training records (培训记录): who attended which course, when, for how many hours; a trainee is
//! a member of a registered household or a person named by hand.

use eframe::egui::Ui;
use uuid::Uuid;

use crate::i18n::Lang;
use crate::model::Training;
use crate::rules::workflow_records::{self, WorkField, WorkFieldError};
use crate::ui::action::Action;
use crate::ui::action::DataAction;
use crate::ui::widgets::pickers::{self, household_name_of};
use crate::ui::widgets::record_editor::{
    EditorOutcome, FormErrors, RecordEditor, RecordForm, newest_first_ui, plain_number,
};
use crate::ui::widgets::{FocusIf, text_row};
use crate::workspace::VillageView;

pub struct TrainingForm {
    training: Training,
    hours: String,
    date: String,
    errors: FormErrors,
}

impl RecordForm for TrainingForm {
    type Record = Training;
    type Problem = WorkFieldError;

    fn of(t: &Training) -> Self {
        TrainingForm {
            training: t.clone(),
            hours: plain_number(t.hours),
            date: t.date.to_string(),
            errors: FormErrors::default(),
        }
    }

    fn fields_ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView, focus_first: bool) {
        let e = self.errors.beside(WorkField::Course, lang);
        text_row(
            ui,
            lang.pick("培训内容", "Course"),
            &mut self.training.course,
            e.as_deref(),
        )
        .focus_if(focus_first);
        let households = pickers::household_options(&view.records);
        if pickers::choice_row(
            ui,
            lang.pick("农户", "Household"),
            lang.pick("（非建档户人员）", "(not in the register)"),
            &mut self.training.household_id,
            &households,
        ) {
            self.training.member_id = None;
        }
        let members: Vec<(Uuid, String)> = view
            .records
            .iter()
            .filter(|r| Some(r.household.id) == self.training.household_id)
            .flat_map(|r| r.members.iter().map(|m| (m.id, m.name.clone())))
            .collect();
        if pickers::choice_row(
            ui,
            lang.pick("家庭成员", "Member"),
            lang.pick("（其他人）", "(someone else)"),
            &mut self.training.member_id,
            &members,
        ) && let Some((_, name)) = members
            .iter()
            .find(|(id, _)| Some(*id) == self.training.member_id)
        {
            self.training.person_name = name.clone();
        }
        let e = self.errors.beside(WorkField::PersonName, lang);
        text_row(
            ui,
            lang.pick("参训人", "Trainee"),
            &mut self.training.person_name,
            e.as_deref(),
        );
        let e = self.errors.beside(WorkField::Date, lang);
        text_row(
            ui,
            lang.pick("培训日期", "Date"),
            &mut self.date,
            e.as_deref(),
        );
        let e = self.errors.beside(WorkField::Hours, lang);
        text_row(
            ui,
            lang.pick("学时", "Hours"),
            &mut self.hours,
            e.as_deref(),
        );
    }

    fn build(&mut self, lang: Lang, _view: &VillageView) -> Option<Training> {
        self.errors.start();
        let mut t = self.training.clone();
        t.hours = self.errors.amount(lang, &self.hours, WorkField::Hours);
        if let Some(d) = self.errors.date(lang, &self.date, WorkField::Date) {
            t.date = d;
        }
        let ok = self.errors.finish(workflow_records::validate_training(&t));
        ok.then_some(t)
    }

    fn errors(&self) -> &FormErrors {
        &self.errors
    }
}

pub struct TrainingsTab {
    editor: RecordEditor<TrainingForm>,
}

impl Default for TrainingsTab {
    fn default() -> Self {
        TrainingsTab {
            editor: RecordEditor::new("training"),
        }
    }
}

impl TrainingsTab {
    pub fn close_forms(&mut self) {
        self.editor.close();
    }

    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView, actions: &mut Vec<Action>) {
        let village = &view.village;
        let trainings = &view.workflow.trainings;
        let hours: f64 = trainings.iter().map(|t| t.hours).sum();
        ui.heading(lang.pick("培训记录", "Trainings"));
        ui.label(match lang {
            Lang::Zh => format!("共 {} 人次，{} 学时", trainings.len(), plain_number(hours)),
            Lang::En => format!(
                "{} attendances, {} hours",
                trainings.len(),
                plain_number(hours)
            ),
        });
        let today = view.today;
        let new_training = || Training {
            id: Uuid::new_v4(),
            village_id: village.id,
            household_id: None,
            member_id: None,
            person_name: String::new(),
            course: String::new(),
            date: today,
            hours: 0.0,
        };
        if let EditorOutcome::Save(t) = self.editor.form_ui(
            ui,
            lang,
            view,
            lang.pick("培训记录", "Training"),
            lang.pick("＋ 记录培训", "+ Record a training"),
            new_training,
        ) {
            actions.push(Action::Data(DataAction::SaveTraining(t)));
        }
        newest_first_ui(
            ui,
            "trainings_list",
            trainings,
            |r| r.date,
            |ui, t| {
                ui.strong(&t.person_name);
                if let Some(h) = t.household_id {
                    ui.label(household_name_of(&view.records, h));
                }
                ui.label(&t.course);
                ui.label(format!(
                    "{} {}",
                    plain_number(t.hours),
                    lang.pick("学时", "h")
                ));
                if let EditorOutcome::Delete(id) = self.editor.row_buttons_ui(ui, lang, t.id, t) {
                    actions.push(Action::Data(DataAction::DeleteTraining(id)));
                }
            },
        );
    }
}
