//! A household's members (家庭成员): the table, with ID numbers masked unless asked for, and the
//! member form on the shared record editor. Sex and birth date are not asked for: they are read
//! from the ID number, and shown as soon as it is valid so the person checks them against the card.

use chrono::NaiveDate;
use eframe::egui::{self, RichText, Ui};
use egui_extras::{Column, TableBuilder};
use uuid::Uuid;

use crate::i18n::{Label, Lang};
use crate::model::{
    Education, Health, HouseholdDeparture, HouseholdLeaveReason, HouseholdRecord, JoinReason,
    LabourAbility, LeaveReason, Member, Relation, Sex, WorkStatus,
};
use crate::rules::id_number;
use crate::rules::registry::{self, Field, FieldError};
use crate::ui::action::{Action, DataAction};
use crate::ui::widgets::record_editor::{
    self, EditorOutcome, FormErrors, RecordEditor, RecordForm,
};
use crate::ui::widgets::{self, FocusIf, OK_GREEN, WARN_AMBER, not_a_number, text_row, yes_no};
use crate::workspace::VillageView;

/// The member form.
struct MemberForm {
    member: Member,
    disability_grade: String,
    migrant_months: String,
    /// 入户日期 and 减员日期 as typed (empty: on the register from the start / still there).
    joined_on: String,
    left_on: String,
    errors: FormErrors<FieldError>,
}

impl RecordForm for MemberForm {
    type Record = Member;
    type Problem = FieldError;

    fn of(m: &Member) -> MemberForm {
        MemberForm {
            member: m.clone(),
            disability_grade: m
                .disability_grade
                .map(|g| g.to_string())
                .unwrap_or_default(),
            migrant_months: if m.migrant_months > 0 {
                m.migrant_months.to_string()
            } else {
                String::new()
            },
            joined_on: m.joined_on.map(|d| d.to_string()).unwrap_or_default(),
            left_on: m.left_on.map(|d| d.to_string()).unwrap_or_default(),
            errors: FormErrors::default(),
        }
    }

    fn fields_ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView, focus_first: bool) {
        let e = self.errors.beside(Field::Name, lang);
        let r = text_row(
            ui,
            lang.pick("姓名", "Name"),
            &mut self.member.name,
            e.as_deref(),
        );
        r.focus_if(focus_first);
        let e = self
            .errors
            .beside_any(&[Field::IdNumber, Field::BirthDate], lang);
        text_row(
            ui,
            lang.pick("身份证号", "ID number"),
            &mut self.member.id_number,
            e.as_deref(),
        );
        // What the number says, as soon as it is a valid number: the person checks it against
        // the ID card instead of typing sex and birth date separately.
        if let Ok(info) = id_number::validate(&self.member.id_number, view.today) {
            ui.label("");
            ui.label(
                RichText::new(match lang {
                    Lang::Zh => format!(
                        "出生日期 {} · {} · {}岁",
                        info.birth_date,
                        info.sex.label(lang),
                        id_number::age_on(info.birth_date, view.today)
                    ),
                    Lang::En => format!(
                        "Born {} · {} · age {}",
                        info.birth_date,
                        info.sex.label(lang),
                        id_number::age_on(info.birth_date, view.today)
                    ),
                })
                .color(OK_GREEN),
            );
            ui.end_row();
        }
        widgets::combo_row(
            ui,
            lang,
            lang.pick("与户主关系", "Relation to head"),
            &mut self.member.relation,
            Relation::ALL,
        );
        text_row(
            ui,
            lang.pick("民族", "Ethnicity"),
            &mut self.member.ethnicity,
            None,
        );
        widgets::combo_row(
            ui,
            lang,
            lang.pick("文化程度", "Education"),
            &mut self.member.education,
            Education::ALL,
        );
        widgets::combo_row(
            ui,
            lang,
            lang.pick("健康状况", "Health"),
            &mut self.member.health,
            Health::ALL,
        );
        if self.member.health == Health::Disabled {
            let e = self.errors.beside(Field::DisabilityGrade, lang);
            text_row(
                ui,
                lang.pick("残疾等级（1–4）", "Disability grade (1–4)"),
                &mut self.disability_grade,
                e.as_deref(),
            );
        }
        widgets::combo_row(
            ui,
            lang,
            lang.pick("劳动能力", "Labour ability"),
            &mut self.member.labour,
            LabourAbility::ALL,
        );
        widgets::combo_row(
            ui,
            lang,
            lang.pick("务工状况", "Work"),
            &mut self.member.work,
            WorkStatus::ALL,
        );
        if self.member.work == WorkStatus::Migrant {
            let e = self.errors.beside(Field::MigrantMonths, lang);
            text_row(
                ui,
                lang.pick("务工月数", "Months of migrant work"),
                &mut self.migrant_months,
                e.as_deref(),
            );
        }
        ui.label(lang.pick("保障情况", "Coverage"));
        ui.horizontal_wrapped(|ui| {
            ui.checkbox(&mut self.member.in_school, lang.pick("在校生", "In school"));
            ui.checkbox(
                &mut self.member.medical_insurance,
                lang.pick("参加城乡居民医保", "Medical insurance"),
            );
            ui.checkbox(
                &mut self.member.pension_insurance,
                lang.pick("参加养老保险", "Pension insurance"),
            );
            ui.checkbox(
                &mut self.member.dibao,
                lang.pick("享受低保", "Receives dibao"),
            );
        });
        ui.end_row();
        self.membership_ui(ui, lang);
    }

    fn build(&mut self, lang: Lang, view: &VillageView) -> Option<Member> {
        self.errors.start();
        let mut m = self.member.clone();
        m.id_number = m.id_number.trim().to_ascii_uppercase();
        if let Ok(info) = id_number::validate(&m.id_number, view.today) {
            m.sex = info.sex;
            m.birth_date = info.birth_date;
        }
        m.disability_grade = if m.health == Health::Disabled {
            match self.disability_grade.trim().parse::<u8>() {
                Ok(g) => Some(g),
                Err(_) if self.disability_grade.trim().is_empty() => None,
                Err(_) => {
                    self.errors
                        .input_error(Field::DisabilityGrade, not_a_number(lang));
                    None
                }
            }
        } else {
            None
        };
        m.joined_on = self
            .errors
            .optional_date(lang, &self.joined_on, Field::JoinedOn);
        m.left_on = self
            .errors
            .optional_date(lang, &self.left_on, Field::LeftOn);
        if m.left_on.is_none() && self.left_on.trim().is_empty() {
            m.leave_reason = None;
        }
        m.migrant_months = match self.migrant_months.trim() {
            "" => 0,
            text => text.parse::<u8>().unwrap_or_else(|_| {
                self.errors
                    .input_error(Field::MigrantMonths, not_a_number(lang));
                0
            }),
        };
        self.errors
            .finish(registry::validate_member(&m, view.today))
            .then_some(m)
    }

    fn errors(&self) -> &FormErrors<FieldError> {
        &self.errors
    }

    fn save_label(lang: Lang) -> &'static str {
        lang.pick("保存成员", "Save member")
    }
}

impl MemberForm {
    /// When and why the member joined, and (a member leaving is never deleted) when and why
    /// they left: the rows that make the household's size kept by year.
    fn membership_ui(&mut self, ui: &mut Ui, lang: Lang) {
        let e = self.errors.beside(Field::JoinedOn, lang);
        text_row(
            ui,
            lang.pick(
                "入户日期（空为建档时在册）",
                "Joined on (empty: from the start)",
            ),
            &mut self.joined_on,
            e.as_deref(),
        );
        widgets::combo_row(
            ui,
            lang,
            lang.pick("入户原因", "Reason for joining"),
            &mut self.member.join_reason,
            JoinReason::ALL,
        );
        let e = self.errors.beside(Field::LeftOn, lang);
        text_row(
            ui,
            lang.pick("减员日期", "Left on"),
            &mut self.left_on,
            e.as_deref(),
        );
        let label_id = ui.label(lang.pick("减员原因", "Reason for leaving")).id;
        ui.horizontal(|ui| {
            widgets::optional_combo(
                ui,
                lang,
                label_id,
                lang.pick("（未减员）", "(still a member)"),
                &mut self.member.leave_reason,
                LeaveReason::ALL,
            );
            if let Some(e) = self.errors.beside(Field::LeaveReason, lang) {
                ui.colored_label(widgets::ERROR_RED, e);
            }
        });
        ui.end_row();
    }
}

/// A member's line in the list of those who left: reason and date.
fn departure_text(m: &Member, lang: Lang) -> String {
    let reason = m.leave_reason.map(|r| r.label(lang)).unwrap_or_default();
    let on = m.left_on.map(|d| d.to_string()).unwrap_or_default();
    match lang {
        Lang::Zh => format!("已减员：{reason} {on}"),
        Lang::En => format!("Left: {reason} {on}"),
    }
}

/// A new member of `household_id`: the head if it has none yet. A household that already has
/// members gains one from today (born, married in…), so earlier years keep their size.
fn new_member(household_id: Uuid, has_head: bool, today: NaiveDate) -> Member {
    let mut m = new_member_from_start(household_id, has_head);
    if has_head {
        m.joined_on = Some(today);
        m.join_reason = JoinReason::Born;
    }
    m
}

fn new_member_from_start(household_id: Uuid, has_head: bool) -> Member {
    Member::new(
        household_id,
        "",
        "",
        Sex::Male,
        NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date"),
        if has_head {
            Relation::Child
        } else {
            Relation::Head
        },
    )
}

pub struct MembersTab {
    editor: RecordEditor<MemberForm>,
    /// The 销户 form: date and reason as chosen so far, and what was wrong with them.
    leave_date: String,
    leave_reason: Option<HouseholdLeaveReason>,
    leave_error: Option<String>,
}

impl Default for MembersTab {
    fn default() -> Self {
        MembersTab {
            editor: RecordEditor::new("member"),
            leave_date: String::new(),
            leave_reason: None,
            leave_error: None,
        }
    }
}

impl MembersTab {
    /// After the data changed: the form closes.
    pub fn close_forms(&mut self) {
        self.editor.close();
        self.leave_date.clear();
        self.leave_reason = None;
        self.leave_error = None;
    }

    /// The household leaving the registry (销户): an event with date and reason, never a
    /// deletion; once recorded it is shown with a way to take it back.
    fn departure_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        record: &HouseholdRecord,
        view: &VillageView,
        actions: &mut Vec<Action>,
    ) {
        ui.add_space(8.0);
        if let Some(d) = &record.departure {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(match lang {
                        Lang::Zh => format!("已销户：{} {}", d.reason.label(lang), d.date),
                        Lang::En => {
                            format!("Left the registry: {} {}", d.reason.label(lang), d.date)
                        }
                    })
                    .color(WARN_AMBER),
                );
                if ui.button(lang.pick("撤销销户", "Undo leaving")).clicked() {
                    actions.push(Action::Data(DataAction::DeleteDeparture(d.id)));
                }
            });
            return;
        }
        ui.collapsing(lang.pick("整户销户", "Household leaves the registry"), |ui| {
            ui.label(lang.pick(
                "销户后该户仍保留在历史记录中，之前各年的数据不变。",
                "The household stays in the history; the figures of earlier years stay as they are.",
            ));
            egui::Grid::new("departure").num_columns(2).show(ui, |ui| {
                text_row(
                    ui,
                    lang.pick("销户日期", "Date left"),
                    &mut self.leave_date,
                    None,
                );
                let label_id = ui.label(lang.pick("销户原因", "Reason")).id;
                widgets::optional_combo(
                    ui,
                    lang,
                    label_id,
                    lang.pick("（请选择）", "(choose)"),
                    &mut self.leave_reason,
                    HouseholdLeaveReason::ALL,
                );
                ui.end_row();
            });
            if let Some(e) = &self.leave_error {
                ui.colored_label(widgets::ERROR_RED, e);
            }
            if ui.button(lang.pick("确认销户", "Confirm leaving")).clicked() {
                let date = record_editor::parse_date(&self.leave_date);
                self.leave_error = match (date, self.leave_reason) {
                    (None, _) => Some(record_editor::date_hint(lang).to_string()),
                    (Some(d), _) if d > view.today => Some(
                        lang.pick("销户日期不能晚于今天。", "The date cannot be after today.")
                            .to_string(),
                    ),
                    (_, None) => Some(
                        lang.pick("请选择销户原因。", "Choose the reason.").to_string(),
                    ),
                    (Some(date), Some(reason)) => {
                        actions.push(Action::Data(DataAction::SaveDeparture(HouseholdDeparture {
                            id: Uuid::new_v4(),
                            household_id: record.household.id,
                            date,
                            reason,
                            note: String::new(),
                        })));
                        None
                    }
                };
            }
        });
    }

    pub fn ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        record: &HouseholdRecord,
        view: &VillageView,
        show_sensitive: bool,
        actions: &mut Vec<Action>,
    ) {
        TableBuilder::new(ui)
            .id_salt("members")
            .striped(true)
            .vscroll(false)
            .column(Column::initial(80.0).at_least(60.0))
            .column(Column::initial(80.0))
            .column(Column::exact(40.0))
            .column(Column::exact(50.0))
            .column(Column::initial(170.0))
            .column(Column::initial(100.0))
            .column(Column::initial(100.0))
            .column(Column::exact(50.0))
            .column(Column::exact(50.0))
            .column(Column::remainder().at_least(120.0))
            .header(24.0, |mut header| {
                widgets::header_cells(
                    &mut header,
                    &[
                        lang.pick("姓名", "Name"),
                        lang.pick("与户主关系", "Relation"),
                        lang.pick("性别", "Sex"),
                        lang.pick("年龄", "Age"),
                        lang.pick("身份证号", "ID number"),
                        lang.pick("健康状况", "Health"),
                        lang.pick("劳动能力", "Labour"),
                        lang.pick("在校", "In school"),
                        lang.pick("医保", "Insured"),
                        "",
                    ],
                );
            })
            .body(|mut body| {
                for m in record.all_members() {
                    body.row(24.0, |mut row| {
                        row.col(|ui| {
                            if m.has_left() {
                                ui.label(RichText::new(&m.name).strikethrough());
                            } else {
                                ui.label(&m.name);
                            }
                        });
                        row.col(|ui| {
                            ui.label(m.relation.label(lang));
                        });
                        row.col(|ui| {
                            ui.label(m.sex.label(lang));
                        });
                        row.col(|ui| {
                            ui.label(id_number::age_on(m.birth_date, view.today).to_string());
                        });
                        row.col(|ui| {
                            let shown = if show_sensitive {
                                m.id_number.clone()
                            } else {
                                id_number::mask(&m.id_number)
                            };
                            ui.monospace(shown);
                        });
                        row.col(|ui| {
                            if m.has_left() {
                                ui.label(RichText::new(departure_text(m, lang)).color(WARN_AMBER));
                            } else {
                                ui.label(m.health.label(lang));
                            }
                        });
                        row.col(|ui| {
                            ui.label(m.labour.label(lang));
                        });
                        row.col(|ui| {
                            ui.label(yes_no(m.in_school, lang));
                        });
                        row.col(|ui| {
                            ui.label(yes_no(m.medical_insurance, lang));
                        });
                        row.col(|ui| {
                            if let EditorOutcome::Delete(id) =
                                self.editor.row_buttons_ui(ui, lang, m.id, m)
                            {
                                actions.push(Action::Data(DataAction::DeleteMember(id)));
                            }
                        });
                    });
                }
            });
        ui.add_space(8.0);
        let editing = self
            .editor
            .form()
            .is_some_and(|f| record.all_members().any(|m| m.id == f.member.id));
        let title = if editing {
            lang.pick("修改成员", "Edit member")
        } else {
            lang.pick("添加成员", "Add member")
        };
        let (household_id, has_head, today) =
            (record.household.id, record.head().is_some(), view.today);
        if let EditorOutcome::Save(member) = self.editor.form_ui(
            ui,
            lang,
            view,
            title,
            lang.pick("＋ 添加成员", "+ Add member"),
            || new_member(household_id, has_head, today),
        ) {
            actions.push(Action::Data(DataAction::SaveMember(member)));
        }
        self.departure_ui(ui, lang, record, view, actions);
    }
}
