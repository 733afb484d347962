//! A household's members (家庭成员): the table, with ID numbers masked unless asked for, and the
//! member form on the shared record editor. Sex and birth date are not asked for: they are read
//! from the ID number, and shown as soon as it is valid so the person checks them against the card.

use chrono::NaiveDate;
use eframe::egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use uuid::Uuid;

use crate::i18n::{Label, Lang};
use crate::model::{
    Education, Health, HouseholdRecord, LabourAbility, Member, Relation, Sex, WorkStatus,
};
use crate::rules::id_number;
use crate::rules::registry::{self, Field, FieldError};
use crate::ui::action::{Action, DataAction};
use crate::ui::widgets::record_editor::{EditorOutcome, FormErrors, RecordEditor, RecordForm};
use crate::ui::widgets::{self, FocusIf, OK_GREEN, not_a_number, text_row, yes_no};
use crate::workspace::VillageView;

/// The member form.
struct MemberForm {
    member: Member,
    disability_grade: String,
    migrant_months: String,
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

/// A new member of `household_id`: the head if it has none yet.
fn new_member(household_id: Uuid, has_head: bool) -> Member {
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
}

impl Default for MembersTab {
    fn default() -> Self {
        MembersTab {
            editor: RecordEditor::new("member"),
        }
    }
}

impl MembersTab {
    /// After the data changed: the form closes.
    pub fn close_forms(&mut self) {
        self.editor.close();
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
                for m in &record.members {
                    body.row(24.0, |mut row| {
                        row.col(|ui| {
                            ui.label(&m.name);
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
                            ui.label(m.health.label(lang));
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
            .is_some_and(|f| record.members.iter().any(|m| m.id == f.member.id));
        let title = if editing {
            lang.pick("修改成员", "Edit member")
        } else {
            lang.pick("添加成员", "Add member")
        };
        let (household_id, has_head) = (record.household.id, record.head().is_some());
        if let EditorOutcome::Save(member) = self.editor.form_ui(
            ui,
            lang,
            view,
            title,
            lang.pick("＋ 添加成员", "+ Add member"),
            || new_member(household_id, has_head),
        ) {
            actions.push(Action::Data(DataAction::SaveMember(member)));
        }
    }
}
