//! A household's follow-up visits (走访记录): the list, and the visit form, which saves itself as a
//! draft every few seconds so that a crash or a power cut loses at most those seconds. A draft can
//! be resumed later or discarded; a finished visit can be opened again, corrected or removed (each
//! an audited, undoable change). Only a finished visit counts in the rules.
//!
//! Nothing above the open form changes while it is open (the visit being written is not listed
//! above it, the draft's state is one line of fixed height under it) and the form's widgets have
//! ids of their own: an autosave never moves a field or takes the cursor away from it.

use crate::ui::dialogs::{ChooserKind, FilePurpose, FileRequest};
use eframe::egui::{self, RichText};
use uuid::Uuid;

use crate::i18n::{Label, Lang};
use crate::model::{HouseholdRecord, RiskEvent, Visit, VisitChecklist, VisitKind};
use crate::rules::workflow_records::{self, WorkField, WorkFieldError};
use crate::ui::action::Action;
use crate::ui::action::DataAction;
use crate::ui::widgets::record_editor::{FormErrors, date_hint, parse_date};
use crate::ui::widgets::{self, ERROR_RED, WARN_AMBER, text_row};
use crate::workspace::VillageView;

/// Seconds between two draft saves of an open visit form.
pub const AUTOSAVE_SECS: f64 = 5.0;

struct VisitForm {
    visit: Visit,
    date: String,
    errors: FormErrors<WorkFieldError>,
    /// The visit as last saved as a draft (to save only when something changed).
    last_saved: Option<Visit>,
    /// `egui` time of the last draft save.
    last_save_secs: f64,
    /// The form corrects a finished visit: it is not autosaved (that would turn it back into a
    /// draft) and saving it replaces the stored visit.
    editing_finished: bool,
    /// Asked to discard the draft; awaits confirmation.
    confirm_discard: bool,
}

impl VisitForm {
    fn of(v: &Visit, now_secs: f64) -> VisitForm {
        VisitForm {
            visit: v.clone(),
            date: v.date.to_string(),
            errors: FormErrors::default(),
            last_saved: v.is_draft.then(|| v.clone()),
            last_save_secs: now_secs,
            editing_finished: !v.is_draft,
            confirm_discard: false,
        }
    }

    /// Whether the draft has been written to the store (and so has something to discard there).
    fn draft_is_stored(&self) -> bool {
        self.last_saved.is_some()
    }

    /// The visit as typed so far (the date only if it parses).
    fn current(&mut self, lang: Lang) -> Visit {
        let mut v = self.visit.clone();
        let date = parse_date(&self.date);
        if let Some(d) = date {
            v.date = d;
        }
        self.errors.set_input(
            WorkField::Date,
            date.is_none().then(|| date_hint(lang).to_string()),
        );
        v
    }
}

/// A yes/no/not-checked selector for one item of 两不愁三保障.
fn check_item_ui(ui: &mut egui::Ui, lang: Lang, label: &str, value: &mut Option<bool>) {
    ui.label(label);
    ui.horizontal(|ui| {
        ui.selectable_value(value, None, lang.pick("未查看", "Not checked"));
        ui.selectable_value(value, Some(true), lang.pick("有保障", "Secured"));
        ui.selectable_value(value, Some(false), lang.pick("有问题", "Problem"));
    });
    ui.end_row();
}

#[derive(Default)]
pub struct VisitsTab {
    form: Option<VisitForm>,
    /// The photo whose removal awaits confirmation.
    pending_photo_delete: Option<Uuid>,
    /// The visit (finished or draft) whose removal awaits confirmation.
    pending_delete: Option<Uuid>,
}

impl VisitsTab {
    /// After a finished visit was saved (or an undo): close the form.
    pub fn saved(&mut self) {
        if self.form.as_ref().is_some_and(|f| !f.visit.is_draft) {
            self.form = None;
        }
        self.pending_delete = None;
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        record: &HouseholdRecord,
        view: &VillageView,
        actions: &mut Vec<Action>,
    ) {
        let now_secs = ui.input(|i| i.time);
        let mut visits: Vec<&Visit> = view
            .workflow
            .visits
            .iter()
            .filter(|v| v.household_id == record.household.id)
            .collect();
        visits.sort_by_key(|v| std::cmp::Reverse(v.date));
        // The visit being written is in the form below, not listed above it: the first autosave
        // changes nothing above the form.
        let open_id = self.form.as_ref().map(|f| f.visit.id);
        let open_visit = visits.iter().find(|v| Some(v.id) == open_id).copied();
        visits.retain(|v| Some(v.id) != open_id);
        if visits.is_empty() {
            ui.label(lang.pick("还没有走访记录。", "No visits recorded yet."));
        }
        for v in &visits {
            ui.horizontal_wrapped(|ui| {
                ui.strong(v.date.to_string());
                ui.label(v.kind.label(lang));
                ui.label(&v.visitors);
                if v.is_draft {
                    ui.label(RichText::new(lang.pick("草稿", "Draft")).color(WARN_AMBER));
                }
                for event in &v.risk_events {
                    ui.label(RichText::new(format!("⚠ {}", event.label(lang))).color(ERROR_RED));
                }
                if !v.notes.is_empty() {
                    ui.label(RichText::new(&v.notes).weak());
                }
                if self.form.is_none() {
                    self.row_buttons_ui(ui, lang, v, now_secs, actions);
                }
            });
            Self::photos_ui(&mut self.pending_photo_delete, ui, lang, v, view, actions);
        }
        ui.add_space(8.0);
        let Some(form) = &mut self.form else {
            if ui
                .button(lang.pick("＋ 记录走访", "+ Record a visit"))
                .clicked()
            {
                let visit = Visit {
                    id: Uuid::new_v4(),
                    household_id: record.household.id,
                    date: view.today,
                    visitors: String::new(),
                    kind: VisitKind::ALL[0],
                    notes: String::new(),
                    checklist: VisitChecklist::default(),
                    income: None,
                    risk_events: Vec::new(),
                    problems: String::new(),
                    next_actions: String::new(),
                    is_draft: true,
                };
                self.form = Some(VisitForm::of(&visit, now_secs));
            }
            return;
        };

        let mut finish = false;
        let mut close = false;
        let mut discard = false;
        // The form's ids are its own, whatever is drawn above it: a field keeps the cursor (and
        // its typing) when anything above the form changes.
        let form_id = ui.make_persistent_id(("visit_form", form.visit.id));
        ui.scope_builder(egui::UiBuilder::new().scope_id(form_id), |ui| {
            ui.group(|ui| {
                ui.strong(if form.editing_finished {
                    lang.pick("修改走访记录", "Correct the visit")
                } else {
                    lang.pick("走访记录", "Visit")
                });
                egui::Grid::new("visit_form")
                    .num_columns(2)
                    .spacing([12.0, 6.0])
                    .show(ui, |ui| {
                        let e = form.errors.beside(WorkField::Date, lang);
                        text_row(
                            ui,
                            lang.pick("走访日期", "Date"),
                            &mut form.date,
                            e.as_deref(),
                        );
                        let e = form.errors.beside(WorkField::Visitors, lang);
                        text_row(
                            ui,
                            lang.pick("走访人", "Visitors"),
                            &mut form.visit.visitors,
                            e.as_deref(),
                        );
                        widgets::combo_row(
                            ui,
                            lang,
                            lang.pick("走访类型", "Kind"),
                            &mut form.visit.kind,
                            VisitKind::ALL,
                        );
                        let c = &mut form.visit.checklist;
                        check_item_ui(ui, lang, lang.pick("不愁吃", "Food"), &mut c.food);
                        check_item_ui(ui, lang, lang.pick("不愁穿", "Clothing"), &mut c.clothing);
                        check_item_ui(
                            ui,
                            lang,
                            lang.pick("义务教育有保障", "Education"),
                            &mut c.education,
                        );
                        check_item_ui(
                            ui,
                            lang,
                            lang.pick("基本医疗有保障", "Basic medical care"),
                            &mut c.medical,
                        );
                        check_item_ui(
                            ui,
                            lang,
                            lang.pick("住房安全有保障", "Safe housing"),
                            &mut c.housing,
                        );
                        ui.label(lang.pick("风险事件", "Risk events"));
                        ui.horizontal_wrapped(|ui| {
                            for event in RiskEvent::ALL {
                                let mut on = form.visit.risk_events.contains(event);
                                if ui.checkbox(&mut on, event.label(lang)).changed() {
                                    if on {
                                        form.visit.risk_events.push(*event);
                                    } else {
                                        form.visit.risk_events.retain(|e| e != event);
                                    }
                                }
                            }
                        });
                        ui.end_row();
                        text_row(
                            ui,
                            lang.pick("走访情况", "Notes"),
                            &mut form.visit.notes,
                            None,
                        );
                        text_row(
                            ui,
                            lang.pick("发现的问题", "Problems found"),
                            &mut form.visit.problems,
                            None,
                        );
                        text_row(
                            ui,
                            lang.pick("下一步措施", "Next actions"),
                            &mut form.visit.next_actions,
                            None,
                        );
                    });
                for text in form.errors.unplaced(lang) {
                    ui.label(RichText::new(text).color(ERROR_RED));
                }
                ui.horizontal(|ui| {
                    let save_label = if form.editing_finished {
                        lang.pick("保存修改", "Save the correction")
                    } else {
                        lang.pick("保存走访", "Save visit")
                    };
                    finish = ui.button(save_label).clicked();
                    if form.editing_finished {
                        close = ui.button(lang.pick("取消", "Cancel")).clicked();
                    } else {
                        close = ui
                            .button(
                                lang.pick("稍后继续（保留草稿）", "Continue later (keep draft)"),
                            )
                            .clicked();
                        if form.confirm_discard {
                            discard = ui
                                .button(
                                    RichText::new(lang.pick("确定放弃草稿", "Discard the draft"))
                                        .color(ERROR_RED),
                                )
                                .clicked();
                            if ui.button(lang.pick("不放弃", "Keep it")).clicked() {
                                form.confirm_discard = false;
                            }
                        } else if ui.button(lang.pick("放弃草稿", "Discard draft")).clicked() {
                            form.confirm_discard = true;
                        }
                    }
                });
                // One line of fixed height, whatever the draft's state: the form never moves.
                ui.label(RichText::new(draft_state_text(form, lang)).weak());
            })
        });
        // Its photos under it, once it is stored (a photo is attached to a stored visit).
        if let Some(v) = open_visit {
            Self::photos_ui(&mut self.pending_photo_delete, ui, lang, v, view, actions);
        }
        // Escape closes the form (a draft is kept, a correction is dropped).
        close |=
            ui.input(|i| i.key_pressed(egui::Key::Escape)) && !egui::Popup::is_any_open(ui.ctx());

        if discard {
            if form.draft_is_stored() {
                actions.push(Action::Data(DataAction::DeleteVisit(form.visit.id)));
            }
            self.form = None;
            return;
        }
        let current = form.current(lang);
        if finish {
            let done = Visit {
                is_draft: false,
                ..current
            };
            let valid = form
                .errors
                .finish(workflow_records::validate_visit(&done, view.today));
            if valid {
                form.visit = done.clone();
                actions.push(Action::Data(DataAction::SaveVisit(done)));
            }
            return;
        }
        if form.editing_finished {
            if close {
                self.form = None;
            }
            return;
        }
        // Autosave: a changed draft is written every AUTOSAVE_SECS, and at once when closing.
        let changed = form.last_saved.as_ref() != Some(&current);
        let due = now_secs - form.last_save_secs >= AUTOSAVE_SECS;
        if changed && (due || close) && !form.errors.has_input_problem() {
            form.last_saved = Some(current.clone());
            form.last_save_secs = now_secs;
            actions.push(Action::Data(DataAction::SaveVisitDraft(current)));
        }
        if close {
            self.form = None;
        } else {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs_f64(AUTOSAVE_SECS));
        }
    }

    /// The buttons of a listed visit: a finished one is corrected or removed, a draft continued
    /// or discarded; a removal asks first.
    fn row_buttons_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        v: &Visit,
        now_secs: f64,
        actions: &mut Vec<Action>,
    ) {
        if self.pending_delete == Some(v.id) {
            let confirm = if v.is_draft {
                lang.pick("确定放弃草稿", "Discard the draft")
            } else {
                lang.pick("确定删除", "Delete")
            };
            if ui.button(RichText::new(confirm).color(ERROR_RED)).clicked() {
                self.pending_delete = None;
                actions.push(Action::Data(DataAction::DeleteVisit(v.id)));
            }
            if ui.button(lang.pick("取消", "Cancel")).clicked() {
                self.pending_delete = None;
            }
            return;
        }
        let (open, remove) = if v.is_draft {
            (
                lang.pick("继续填写", "Continue"),
                lang.pick("放弃草稿", "Discard draft"),
            )
        } else {
            (lang.pick("修改", "Edit"), lang.pick("删除", "Remove"))
        };
        if ui.button(open).clicked() {
            self.form = Some(VisitForm::of(v, now_secs));
        }
        if ui.button(remove).clicked() {
            self.pending_delete = Some(v.id);
        }
    }
}

/// The line under the form: when the draft was last saved, or that it will be.
fn draft_state_text(form: &VisitForm, lang: Lang) -> String {
    if form.editing_finished {
        return lang
            .pick(
                "修改后点“保存修改”；可以撤销。",
                "Press Save the correction when done; it can be undone.",
            )
            .to_string();
    }
    match &form.last_saved {
        Some(_) => lang
            .pick(
                "草稿已自动保存；填写中每隔几秒再次保存。",
                "Draft saved; it is saved again every few seconds while you type.",
            )
            .to_string(),
        None => lang
            .pick(
                "填写中每隔几秒自动保存草稿。",
                "A draft is saved automatically every few seconds.",
            )
            .to_string(),
    }
}

impl VisitsTab {
    /// A visit's photos: each can be opened or removed; more are added from a file dialog.
    fn photos_ui(
        pending_delete: &mut Option<Uuid>,
        ui: &mut egui::Ui,
        lang: Lang,
        visit: &Visit,
        view: &VillageView,
        actions: &mut Vec<Action>,
    ) {
        ui.horizontal_wrapped(|ui| {
            ui.add_space(24.0);
            for photo in view
                .workflow
                .photos
                .iter()
                .filter(|p| p.visit_id == visit.id)
            {
                let size_kb = photo.size_bytes.div_ceil(1024);
                if ui
                    .link(match lang {
                        Lang::Zh => format!("照片：{}（{size_kb} KB）", photo.file_name),
                        Lang::En => format!("Photo: {} ({size_kb} KB)", photo.file_name),
                    })
                    .on_hover_text(lang.pick("查看照片", "Open the photo"))
                    .clicked()
                {
                    actions.push(Action::OpenPhoto(photo.id));
                }
                match widgets::edit_remove_ui_without_edit(
                    ui,
                    lang,
                    *pending_delete == Some(photo.id),
                ) {
                    widgets::RowChoice::AskRemove => *pending_delete = Some(photo.id),
                    widgets::RowChoice::Remove => {
                        *pending_delete = None;
                        actions.push(Action::Data(DataAction::DeleteVisitPhoto(photo.id)));
                    }
                    widgets::RowChoice::KeepIt => *pending_delete = None,
                    widgets::RowChoice::Edit | widgets::RowChoice::Nothing => {}
                }
            }
            if ui
                .small_button(lang.pick("＋ 添加照片", "+ Add a photo"))
                .on_hover_text(lang.pick(
                    "照片会复制进数据文件（每张不超过 5 MB）",
                    "The photo is copied into the data file (5 MB at most each)",
                ))
                .clicked()
            {
                let title = lang.pick("添加照片", "Add a photo");
                let request =
                    FileRequest::new(ChooserKind::Open, title, FilePurpose::VisitPhoto(visit.id))
                        .filter(lang.pick("照片", "Photos"), &["jpg", "jpeg", "png"]);
                actions.push(Action::ChooseFile(request));
            }
        });
    }
}
