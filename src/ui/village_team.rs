//! Personnel (精准到村派人): the village work team with their terms, and the helpers (帮扶责任人)
//! with their unit, phone and the households they answer for. Households without a helper are
//! listed so that nobody is left out.

use eframe::egui::{RichText, Ui};
use uuid::Uuid;

use super::app::{Action, VillageSnapshot};
use super::widgets::pickers::{self, household_name_of, household_ref_name};
use super::widgets::record_editor::{EditorOutcome, FormErrors, RecordEditor, RecordForm};
use super::widgets::{self, FocusIf, WARN_AMBER, text_row};
use crate::i18n::{Label, Lang};
use crate::model::{Helper, TeamMember, TeamRole};
use crate::rules::workflow_records::{self, WorkField};

struct TeamMemberForm {
    member: TeamMember,
    term_start: String,
    term_end: String,
    errors: FormErrors,
}

impl RecordForm for TeamMemberForm {
    type Record = TeamMember;

    fn of(m: &TeamMember) -> Self {
        TeamMemberForm {
            member: m.clone(),
            term_start: m.term_start.to_string(),
            term_end: m.term_end.map(|d| d.to_string()).unwrap_or_default(),
            errors: FormErrors::default(),
        }
    }

    fn fields_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        _snapshot: &VillageSnapshot,
        focus_first: bool,
    ) {
        let e = self.errors.beside(WorkField::Name, lang);
        text_row(
            ui,
            lang.pick("姓名", "Name"),
            &mut self.member.name,
            e.as_deref(),
        )
        .focus_if(focus_first);
        widgets::combo_row(
            ui,
            lang,
            lang.pick("职务", "Role"),
            &mut self.member.role,
            TeamRole::ALL,
        );
        let e = self.errors.beside(WorkField::Unit, lang);
        text_row(
            ui,
            lang.pick("派出单位", "Sending unit"),
            &mut self.member.unit,
            e.as_deref(),
        );
        let e = self.errors.beside(WorkField::Phone, lang);
        text_row(
            ui,
            lang.pick("联系电话", "Phone"),
            &mut self.member.phone,
            e.as_deref(),
        );
        let e = self.errors.beside(WorkField::Date, lang);
        text_row(
            ui,
            lang.pick("任期开始", "Term start"),
            &mut self.term_start,
            e.as_deref(),
        );
        let e = self.errors.beside(WorkField::TermEnd, lang);
        text_row(
            ui,
            lang.pick("任期结束（在任可空）", "Term end (empty while serving)"),
            &mut self.term_end,
            e.as_deref(),
        );
    }

    fn build(&mut self, lang: Lang, _snapshot: &VillageSnapshot) -> Option<TeamMember> {
        self.errors.start();
        let mut m = self.member.clone();
        if let Some(d) = self.errors.date(lang, &self.term_start, WorkField::Date) {
            m.term_start = d;
        }
        m.term_end = self
            .errors
            .optional_date(lang, &self.term_end, WorkField::TermEnd);
        let ok = self
            .errors
            .finish(workflow_records::validate_team_member(&m));
        ok.then_some(m)
    }

    fn errors(&self) -> &FormErrors {
        &self.errors
    }
}

struct HelperForm {
    helper: Helper,
    search: String,
    errors: FormErrors,
}

impl RecordForm for HelperForm {
    type Record = Helper;

    fn of(h: &Helper) -> Self {
        HelperForm {
            helper: h.clone(),
            search: String::new(),
            errors: FormErrors::default(),
        }
    }

    fn fields_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        snapshot: &VillageSnapshot,
        focus_first: bool,
    ) {
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
            &snapshot.records,
            &mut self.helper.household_ids,
            &mut self.search,
        );
    }

    fn build(&mut self, _lang: Lang, _snapshot: &VillageSnapshot) -> Option<Helper> {
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

pub struct TeamTab {
    team: RecordEditor<TeamMemberForm>,
    helpers: RecordEditor<HelperForm>,
}

impl Default for TeamTab {
    fn default() -> Self {
        TeamTab {
            team: RecordEditor::new("team_member"),
            helpers: RecordEditor::new("helper"),
        }
    }
}

impl TeamTab {
    pub fn close_forms(&mut self) {
        self.team.close();
        self.helpers.close();
    }

    pub fn ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        snapshot: &VillageSnapshot,
        actions: &mut Vec<Action>,
    ) {
        let Some(village) = &snapshot.village else {
            return;
        };
        let today = snapshot.today;
        ui.heading(lang.pick("驻村工作队", "Village work team"));
        let personnel = snapshot.precisions.as_ref().map(|p| &p.personnel);
        if personnel.is_some_and(|p| !p.first_secretary_serving) {
            ui.label(
                RichText::new(lang.pick(
                    "⚠ 目前没有在任的第一书记。",
                    "⚠ No first secretary is serving now.",
                ))
                .color(WARN_AMBER),
            );
        }
        for m in &snapshot.workflow.team {
            ui.horizontal_wrapped(|ui| {
                ui.strong(&m.name);
                ui.label(m.role.label(lang));
                ui.label(format!("{} · {}", m.unit, m.phone));
                let term = match m.term_end {
                    Some(end) => format!("{} → {end}", m.term_start),
                    None => format!("{} → {}", m.term_start, lang.pick("在任", "serving")),
                };
                ui.label(term);
                if let EditorOutcome::Delete(id) = self.team.row_buttons_ui(ui, lang, m.id, m) {
                    actions.push(Action::DeleteTeamMember(id));
                }
            });
        }
        let new_member = || TeamMember {
            id: Uuid::new_v4(),
            village_id: village.id,
            name: String::new(),
            role: TeamRole::Member,
            unit: String::new(),
            phone: String::new(),
            term_start: today,
            term_end: None,
        };
        if let EditorOutcome::Save(m) = self.team.form_ui(
            ui,
            lang,
            snapshot,
            lang.pick("工作队员", "Team member"),
            lang.pick("＋ 添加工作队员", "+ Add a team member"),
            new_member,
        ) {
            actions.push(Action::SaveTeamMember(m));
        }

        ui.separator();
        ui.heading(lang.pick("帮扶责任人", "Helpers"));
        for h in &snapshot.workflow.helpers {
            ui.horizontal_wrapped(|ui| {
                ui.strong(&h.name);
                ui.label(format!("{} · {}", h.unit, h.phone));
                let names: Vec<String> = h
                    .household_ids
                    .iter()
                    .map(|id| household_name_of(&snapshot.records, *id))
                    .collect();
                ui.label(match lang {
                    Lang::Zh => format!("结对 {} 户：{}", names.len(), names.join("、")),
                    Lang::En => format!("{} households: {}", names.len(), names.join(", ")),
                });
                if let EditorOutcome::Delete(id) = self.helpers.row_buttons_ui(ui, lang, h.id, h) {
                    actions.push(Action::DeleteHelper(id));
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
        if let EditorOutcome::Save(h) = self.helpers.form_ui(
            ui,
            lang,
            snapshot,
            lang.pick("帮扶责任人", "Helper"),
            lang.pick("＋ 添加帮扶责任人", "+ Add a helper"),
            new_helper,
        ) {
            actions.push(Action::SaveHelper(h));
        }

        let unhelped: Vec<String> = personnel
            .map(|p| p.without_helper.iter().map(household_ref_name).collect())
            .unwrap_or_default();
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
