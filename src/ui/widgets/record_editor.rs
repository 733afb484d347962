//! The pattern every village register shares (work team, helpers, projects, funds, products,
//! sales, trainings): a list of records, each with edit / remove-with-confirmation, and one form
//! open at a time with its errors beside the fields. The form types say what their fields are;
//! this module says how a register behaves, once.

use chrono::NaiveDate;
use eframe::egui::{self, RichText, Ui};
use uuid::Uuid;

use super::{ERROR_RED, RowChoice, edit_remove_ui, errors_beside, not_a_number, parse_amount};
use crate::i18n::{Lang, Localize};
use crate::rules::registry::{Field, FieldError};
use crate::rules::workflow_records::{WorkField, WorkFieldError};
use crate::workspace::VillageView;

/// A form over one kind of record.
pub trait RecordForm: Sized {
    type Record;
    /// What the validation rules report about one field of the record.
    type Problem: FieldProblem;
    /// The form editing `record`.
    fn of(record: &Self::Record) -> Self;
    /// The form's rows, inside a two-column grid. On the frame the form opens, `focus_first` asks
    /// the first field to take the cursor so typing can start at once.
    fn fields_ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView, focus_first: bool);
    /// Anything shown under the grid, above the save button (e.g. a hint with a button).
    fn after_fields_ui(&mut self, _ui: &mut Ui, _lang: Lang, _view: &VillageView) {}
    /// The record the form describes, or `None` after recording what is wrong in the form's
    /// [`FormErrors`].
    fn build(&mut self, lang: Lang, view: &VillageView) -> Option<Self::Record>;
    fn errors(&self) -> &FormErrors<Self::Problem>;
    /// The text of the save button.
    fn save_label(lang: Lang) -> &'static str {
        lang.pick("保存", "Save")
    }
}

/// A problem the validation rules found in one field: the registry's [`FieldError`] and the
/// workflow records' [`WorkFieldError`] both are, so every form shows them the same way.
pub trait FieldProblem: Localize {
    type Field: Copy + PartialEq;
    fn field(&self) -> Self::Field;
    /// The problem alone, for beside its field (the full text names the field too).
    fn problem(&self, lang: Lang) -> String;
}

impl FieldProblem for FieldError {
    type Field = Field;
    fn field(&self) -> Field {
        self.field
    }
    fn problem(&self, lang: Lang) -> String {
        self.problem.localize(lang)
    }
}

impl FieldProblem for WorkFieldError {
    type Field = WorkField;
    fn field(&self) -> WorkField {
        self.field
    }
    fn problem(&self, lang: Lang) -> String {
        self.problem.localize(lang)
    }
}

/// Problems of a form: those of the validation rules and those of its own number and date
/// parsing, both shown beside the field they concern.
#[derive(Debug)]
pub struct FormErrors<P: FieldProblem = WorkFieldError> {
    rules: Vec<P>,
    input: Vec<(P::Field, String)>,
    /// Fields the form shows: errors of other fields are listed under the form.
    shown: Vec<P::Field>,
}

impl<P: FieldProblem> Default for FormErrors<P> {
    fn default() -> Self {
        FormErrors {
            rules: Vec::new(),
            input: Vec::new(),
            shown: Vec::new(),
        }
    }
}

impl<P: FieldProblem> FormErrors<P> {
    /// Starts a new check of the form's texts.
    pub fn start(&mut self) {
        self.rules.clear();
        self.input.clear();
    }

    /// Replaces what the form's own reading says about `field` (a check made on every frame, such
    /// as a date typed so far).
    pub fn set_input(&mut self, field: P::Field, problem: Option<String>) {
        self.input.retain(|(f, _)| *f != field);
        self.input.extend(problem.map(|text| (field, text)));
    }

    /// Whether the form's own reading found a problem (a field that is not a number or a date).
    pub fn has_input_problem(&self) -> bool {
        !self.input.is_empty()
    }

    /// Records a problem of the form's own reading of a field (text that is not a number…).
    pub fn input_error(&mut self, field: P::Field, text: impl Into<String>) {
        self.input.push((field, text.into()));
    }

    /// An amount typed by a person (empty means 0); text that is not a number is an error.
    pub fn amount(&mut self, lang: Lang, text: &str, field: P::Field) -> f64 {
        parse_amount(text).unwrap_or_else(|| {
            self.input.push((field, not_a_number(lang).to_string()));
            0.0
        })
    }

    /// A required date written 2020-06-30.
    pub fn date(&mut self, lang: Lang, text: &str, field: P::Field) -> Option<NaiveDate> {
        let parsed = parse_date(text);
        if parsed.is_none() {
            self.input.push((field, date_hint(lang).to_string()));
        }
        parsed
    }

    /// A date that may be left empty.
    pub fn optional_date(&mut self, lang: Lang, text: &str, field: P::Field) -> Option<NaiveDate> {
        if text.trim().is_empty() {
            None
        } else {
            self.date(lang, text, field)
        }
    }

    /// Records the validation rules' verdict; true when the form has no problem at all.
    pub fn finish(&mut self, rules: Vec<P>) -> bool {
        self.rules = rules;
        self.rules.is_empty() && self.input.is_empty()
    }

    /// The text beside `field`, remembering that the form shows this field.
    pub fn beside(&mut self, field: P::Field, lang: Lang) -> Option<String> {
        if !self.shown.contains(&field) {
            self.shown.push(field);
        }
        let rules = self.rules.iter().map(|e| (e.field(), e.problem(lang)));
        errors_beside(lang, field, rules.chain(self.input.iter().cloned()))
    }

    /// The text of the first of these fields that has one (one text beside a field that covers
    /// several), remembering that the form shows all of them.
    pub fn beside_any(&mut self, fields: &[P::Field], lang: Lang) -> Option<String> {
        let texts: Vec<Option<String>> = fields.iter().map(|f| self.beside(*f, lang)).collect();
        texts.into_iter().flatten().next()
    }

    /// Errors about fields the form does not show (e.g. "at least one household").
    pub fn unplaced(&self, lang: Lang) -> Vec<String> {
        self.rules
            .iter()
            .filter(|e| !self.shown.contains(&e.field()))
            .map(|e| e.localize(lang))
            .collect()
    }
}

pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

pub fn date_hint(lang: Lang) -> &'static str {
    lang.pick("日期格式为 2020-06-30", "Dates are written 2020-06-30")
}

/// A number for a form field: empty for 0, no decimals when whole.
pub fn plain_number(v: f64) -> String {
    if v == 0.0 {
        String::new()
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        v.to_string()
    }
}

/// A long register, newest first, one row per record after its date. Only the rows on screen are
/// drawn: a village keeps hundreds of fund entries and sales.
pub fn newest_first_ui<T>(
    ui: &mut Ui,
    id_salt: &str,
    records: &[T],
    date: impl Fn(&T) -> NaiveDate,
    mut row_ui: impl FnMut(&mut Ui, &T),
) {
    let mut rows: Vec<&T> = records.iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(date(r)));
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 10.0;
    egui::ScrollArea::vertical()
        .id_salt(id_salt)
        .auto_shrink([false, true])
        .show_rows(ui, row_height, rows.len(), |ui, range| {
            for record in &rows[range] {
                ui.horizontal(|ui| {
                    ui.label(date(record).to_string());
                    row_ui(ui, record);
                });
            }
        });
}

/// What a register asked for this frame.
pub enum EditorOutcome<R> {
    Nothing,
    Save(R),
    Delete(Uuid),
}

/// A register's editing state: the open form, and the row whose removal awaits confirmation.
pub struct RecordEditor<F> {
    form: Option<F>,
    /// True until the open form has been drawn once.
    just_opened: bool,
    pending_delete: Option<Uuid>,
    id_salt: &'static str,
}

impl<F: RecordForm> RecordEditor<F> {
    pub fn new(id_salt: &'static str) -> RecordEditor<F> {
        RecordEditor {
            form: None,
            just_opened: false,
            pending_delete: None,
            id_salt,
        }
    }

    /// After a save or an undo: the form closes.
    pub fn close(&mut self) {
        self.form = None;
        self.pending_delete = None;
    }

    pub fn is_open(&self) -> bool {
        self.form.is_some()
    }

    /// Opens the form on a new record (e.g. a fund entry prefilled from a measure).
    pub fn open_new(&mut self, record: &F::Record) {
        self.open(record);
    }

    /// The open form, if any.
    pub fn form(&self) -> Option<&F> {
        self.form.as_ref()
    }

    fn open(&mut self, record: &F::Record) {
        self.form = Some(F::of(record));
        self.just_opened = true;
    }

    /// The edit / remove buttons of one row.
    pub fn row_buttons_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        id: Uuid,
        record: &F::Record,
    ) -> EditorOutcome<F::Record> {
        match edit_remove_ui(ui, lang, self.pending_delete == Some(id)) {
            RowChoice::Edit => self.open(record),
            RowChoice::AskRemove => self.pending_delete = Some(id),
            RowChoice::Remove => {
                self.pending_delete = None;
                return EditorOutcome::Delete(id);
            }
            RowChoice::KeepIt => self.pending_delete = None,
            RowChoice::Nothing => {}
        }
        EditorOutcome::Nothing
    }

    /// The add button, or the open form with its save / cancel buttons. Enter saves and Escape
    /// cancels, so a form can be filled without the mouse.
    pub fn form_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        view: &VillageView,
        title: &str,
        add_label: &str,
        new_record: impl FnOnce() -> F::Record,
    ) -> EditorOutcome<F::Record> {
        if self.form.is_none() {
            if ui.button(add_label).clicked() {
                self.open(&new_record());
            }
            return EditorOutcome::Nothing;
        }
        self.open_form_ui(ui, lang, view, title)
    }

    /// The open form, if any, with its save / cancel buttons (for a form opened from elsewhere,
    /// e.g. a payment opened from a plan measure).
    pub fn open_form_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        view: &VillageView,
        title: &str,
    ) -> EditorOutcome<F::Record> {
        let Some(form) = &mut self.form else {
            return EditorOutcome::Nothing;
        };
        let mut outcome = EditorOutcome::Nothing;
        let mut cancel = false;
        ui.group(|ui| {
            if !title.is_empty() {
                ui.strong(title);
            }
            egui::Grid::new((self.id_salt, "form"))
                .num_columns(2)
                .spacing([12.0, 6.0])
                .show(ui, |ui| form.fields_ui(ui, lang, view, self.just_opened));
            self.just_opened = false;
            form.after_fields_ui(ui, lang, view);
            for text in form.errors().unplaced(lang) {
                ui.label(RichText::new(text).color(ERROR_RED));
            }
            let (enter, escape) = ui.input(|i| {
                (
                    i.key_pressed(egui::Key::Enter),
                    i.key_pressed(egui::Key::Escape),
                )
            });
            // Enter inside an open combo box picks an entry; it must not also save the form.
            let popup_open = egui::Popup::is_any_open(ui.ctx());
            ui.horizontal(|ui| {
                let save = ui.button(F::save_label(lang)).clicked();
                if (save || (enter && !popup_open))
                    && let Some(record) = form.build(lang, view)
                {
                    outcome = EditorOutcome::Save(record);
                }
                cancel = ui.button(lang.pick("取消", "Cancel")).clicked() || escape;
            });
        });
        if cancel {
            self.form = None;
        }
        outcome
    }
}
