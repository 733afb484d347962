//! Projects (精准到项目): each project's kind, budget, dates and the households it serves, with the
//! money recorded against it; projects that serve no household are pointed out.

use eframe::egui::{RichText, Ui};
use uuid::Uuid;

use crate::i18n::{Label, Lang};
use crate::model::{Project, ProjectKind};
use crate::rules::workflow_records::{self, WorkField, WorkFieldError};
use crate::ui::action::Action;
use crate::ui::action::DataAction;
use crate::ui::widgets::pickers::{self, household_ref_name};
use crate::ui::widgets::record_editor::{
    EditorOutcome, FormErrors, RecordEditor, RecordForm, plain_number,
};
use crate::ui::widgets::{self, FocusIf, WARN_AMBER, text_row};
use crate::workspace::VillageView;

pub struct ProjectForm {
    project: Project,
    budget: String,
    start: String,
    end: String,
    search: String,
    errors: FormErrors,
}

impl RecordForm for ProjectForm {
    type Record = Project;
    type Problem = WorkFieldError;

    fn of(p: &Project) -> Self {
        ProjectForm {
            project: p.clone(),
            budget: plain_number(p.budget_yuan),
            start: p.start.to_string(),
            end: p.end.map(|d| d.to_string()).unwrap_or_default(),
            search: String::new(),
            errors: FormErrors::default(),
        }
    }

    fn fields_ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView, focus_first: bool) {
        let e = self.errors.beside(WorkField::Name, lang);
        text_row(
            ui,
            lang.pick("项目名称", "Project name"),
            &mut self.project.name,
            e.as_deref(),
        )
        .focus_if(focus_first);
        widgets::combo_row(
            ui,
            lang,
            lang.pick("项目类型", "Kind"),
            &mut self.project.kind,
            ProjectKind::ALL,
        );
        let e = self.errors.beside(WorkField::Budget, lang);
        text_row(
            ui,
            lang.pick("预算（元）", "Budget (yuan)"),
            &mut self.budget,
            e.as_deref(),
        );
        let e = self.errors.beside(WorkField::Date, lang);
        text_row(
            ui,
            lang.pick("开始日期", "Start date"),
            &mut self.start,
            e.as_deref(),
        );
        let e = self.errors.beside(WorkField::EndDate, lang);
        text_row(
            ui,
            lang.pick("结束日期（可空）", "End date (optional)"),
            &mut self.end,
            e.as_deref(),
        );
        pickers::households_row(
            ui,
            lang,
            lang.pick("受益农户", "Households served"),
            &view.records,
            &mut self.project.household_ids,
            &mut self.search,
        );
    }

    fn build(&mut self, lang: Lang, _view: &VillageView) -> Option<Project> {
        self.errors.start();
        let mut p = self.project.clone();
        p.budget_yuan = self.errors.amount(lang, &self.budget, WorkField::Budget);
        if let Some(d) = self.errors.date(lang, &self.start, WorkField::Date) {
            p.start = d;
        }
        p.end = self
            .errors
            .optional_date(lang, &self.end, WorkField::EndDate);
        let ok = self.errors.finish(workflow_records::validate_project(&p));
        ok.then_some(p)
    }

    fn errors(&self) -> &FormErrors {
        &self.errors
    }
}

pub struct ProjectsTab {
    editor: RecordEditor<ProjectForm>,
}

impl Default for ProjectsTab {
    fn default() -> Self {
        ProjectsTab {
            editor: RecordEditor::new("project"),
        }
    }
}

impl ProjectsTab {
    pub fn close_forms(&mut self) {
        self.editor.close();
    }

    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, view: &VillageView, actions: &mut Vec<Action>) {
        let village = &view.village;
        let panel = &view.precisions.projects;
        ui.heading(lang.pick("扶贫项目", "Projects"));
        ui.label(match lang {
            Lang::Zh => format!(
                "共 {} 个项目，预算合计 {} 元",
                panel.projects.len(),
                widgets::yuan(panel.total_budget_yuan)
            ),
            Lang::En => format!(
                "{} projects, budget {} yuan in all",
                panel.projects.len(),
                widgets::yuan(panel.total_budget_yuan)
            ),
        });
        for project in &view.workflow.projects {
            let served: Vec<String> = panel
                .projects
                .iter()
                .find(|row| row.project_id == project.id)
                .map(|row| row.households.iter().map(household_ref_name).collect())
                .unwrap_or_default();
            let funded: f64 = view
                .workflow
                .funds
                .iter()
                .filter(|f| f.project_id == Some(project.id))
                .map(|f| f.amount_yuan)
                .sum();
            ui.horizontal_wrapped(|ui| {
                ui.strong(&project.name);
                ui.label(project.kind.label(lang));
                let end = project
                    .end
                    .map_or_else(|| lang.pick("未定", "open").to_string(), |d| d.to_string());
                ui.label(format!(
                    "{} {} {} · {} → {end} · {} {} {}",
                    lang.pick("预算", "budget"),
                    widgets::yuan(project.budget_yuan),
                    lang.pick("元", "yuan"),
                    project.start,
                    lang.pick("已拨付", "funded"),
                    widgets::yuan(funded),
                    lang.pick("元", "yuan"),
                ));
                if served.is_empty() {
                    ui.label(
                        RichText::new(lang.pick("⚠ 没有受益农户", "⚠ serves no household"))
                            .color(WARN_AMBER),
                    );
                } else {
                    ui.label(match lang {
                        Lang::Zh => format!("受益 {} 户：{}", served.len(), served.join("、")),
                        Lang::En => format!("{} households: {}", served.len(), served.join(", ")),
                    });
                }
                if let EditorOutcome::Delete(id) =
                    self.editor.row_buttons_ui(ui, lang, project.id, project)
                {
                    actions.push(Action::Data(DataAction::DeleteProject(id)));
                }
            });
        }
        let today = view.today;
        let new_project = || Project {
            id: Uuid::new_v4(),
            village_id: village.id,
            name: String::new(),
            kind: ProjectKind::IndustryBase,
            budget_yuan: 0.0,
            start: today,
            end: None,
            household_ids: Vec::new(),
        };
        if let EditorOutcome::Save(p) = self.editor.form_ui(
            ui,
            lang,
            view,
            lang.pick("项目", "Project"),
            lang.pick("＋ 添加项目", "+ Add a project"),
            new_project,
        ) {
            actions.push(Action::Data(DataAction::SaveProject(p)));
        }
    }
}
