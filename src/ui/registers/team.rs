//! Personnel (精准到村派人): the village work team with their terms, shown above the helpers
//! (`helpers.rs`) on one tab.

use eframe::egui::{RichText, Ui};
use uuid::Uuid;

use super::helpers::HelpersTab;
use crate::i18n::{Label, Lang};
use crate::model::{TeamMember, TeamRole};
use crate::rules::workflow_records::{self, WorkField, WorkFieldError};
use crate::ui::action::{Action, DataAction};
use crate::ui::widgets::record_editor::{EditorOutcome, FormErrors, RecordEditor, RecordForm};
use crate::ui::widgets::{self, FocusIf, WARN_AMBER, text_row};
use crate::workspace::VillageView;

struct TeamMemberForm {
    member: TeamMember,
    term_start: String,
    term_end: String,
    errors: FormErrors,
}

impl RecordForm for TeamMemberForm {
    type Record = TeamMember;
    type Problem = WorkFieldError;

    fn of(m: &TeamMember) -> Self {
        TeamMemberForm {
            member: m.clone(),
            term_start: m.term_start.to_string(),
            term_end: m.term_end.map(|d| d.to_string()).unwrap_or_default(),
            errors: FormErrors::default(),
        }
    }

    fn fields_ui(&mut self, ui: &mut Ui, lang: Lang, _view: &VillageView, focus_first: bool) {
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

    fn build(&mut self, lang: Lang, _view: &VillageView) -> Option<TeamMember> {
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

pub struct TeamTab {
    team: RecordEditor<TeamMemberForm>,
    helpers: HelpersTab,
}

impl Default for TeamTab {
    fn default() -> Self {
        TeamTab {
            team: RecordEditor::new("team_member"),
            helpers: HelpersTab::default(),
        }
    }
}

impl TeamTab {
    pub fn close_forms(&mut self) {
        self.team.close();
        self.helpers.close_forms();
    }

    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView, actions: &mut Vec<Action>) {
        let village = &view.village;
        let today = view.today;
        ui.heading(lang.pick("驻村工作队", "Village work team"));
        if !view.precisions.personnel.first_secretary_serving {
            ui.label(
                RichText::new(lang.pick(
                    "⚠ 目前没有在任的第一书记。",
                    "⚠ No first secretary is serving now.",
                ))
                .color(WARN_AMBER),
            );
        }
        for m in &view.workflow.team {
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
                    actions.push(Action::Data(DataAction::DeleteTeamMember(id)));
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
            view,
            lang.pick("工作队员", "Team member"),
            lang.pick("＋ 添加工作队员", "+ Add a team member"),
            new_member,
        ) {
            actions.push(Action::Data(DataAction::SaveTeamMember(m)));
        }

        ui.separator();
        self.helpers.ui(ui, lang, view, actions);
    }
}
