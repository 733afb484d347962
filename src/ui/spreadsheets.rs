//! Spreadsheets (表格导入导出): the baseline-survey template, the check and import of a filled
//! one (every bad cell listed with its row, column and reason; nothing written until the user
//! accepts a file without problems), and the export of the registry to Excel or CSV.

use crate::ui::dialogs::{ChooserKind, FileName, FilePurpose, FileRequest};
use eframe::egui::{self, RichText};
use egui_extras::{Column as TableColumn, TableBuilder};

use super::action::Action;
use super::jobs::Job;
use super::widgets::{ERROR_RED, OK_GREEN};
use crate::i18n::{Lang, Localize};
use crate::workspace::survey::CheckedSurvey;

#[derive(Default)]
pub struct SpreadsheetsScreen {
    /// Export ID numbers in full (they are masked otherwise).
    full_ids: bool,
}

impl SpreadsheetsScreen {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        village_id: Option<uuid::Uuid>,
        checked: Option<&CheckedSurvey>,
        running: Option<&Job>,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        let busy = running.is_some();
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.heading(lang.pick("入户调查表", "Baseline survey spreadsheet"));
            ui.label(lang.pick(
                "模板第一行为中文表头、第二行为英文表头，另有一页“可选值”。每户成员各占一行，户主一行填写住房与收入。",
                "The template has Chinese headers in the first row and English in the second, and a sheet of allowed values. One row per member; the head's row carries the housing and income columns.",
            ));
            ui.horizontal(|ui| {
                let label = lang.pick("保存空白模板…", "Save the blank template…");
                if ui.add_enabled(!busy, egui::Button::new(label)).clicked() {
                    let kind = lang.pick("入户调查模板", "survey-template");
                    let request = FileRequest::new(ChooserKind::Save, label, FilePurpose::SurveyTemplate)
                        .name(FileName::Dated { kind: Some(kind), ext: "xlsx" })
                        .filter("Excel", &["xlsx"]);
                    actions.push(Action::ChooseFile(request));
                }
                let label = lang.pick("检查并导入已填写的调查表…", "Check and import a filled survey…");
                if ui.add_enabled(!busy, egui::Button::new(label)).clicked() {
                    let request = FileRequest::new(ChooserKind::Open, label, FilePurpose::CheckSurvey)
                        .filter(lang.pick("调查表", "Survey"), &["xlsx", "csv"]);
                    actions.push(Action::ChooseFile(request));
                }
            });
            if let Some(job) = running {
                job.running_ui(ui, lang);
            }
            if let Some(checked) = checked {
                checked_file_ui(ui, lang, village_id, checked, busy, &mut actions);
            }

            ui.add_space(12.0);
            ui.separator();
            ui.heading(lang.pick("导出建档立卡数据", "Export the register"));
            ui.label(lang.pick(
                "导出农户、家庭成员和收入（建档立卡表格式）。身份证号默认隐去中间部分。",
                "Exports households, members and incomes (建档立卡 layout). ID numbers are masked unless asked for in full.",
            ));
            ui.checkbox(&mut self.full_ids, lang.pick("导出完整身份证号（请妥善保管文件）", "Full ID numbers (keep the file safe)"));
            ui.horizontal(|ui| {
                let full_ids = self.full_ids;
                let label = lang.pick("导出 Excel…", "Export to Excel…");
                if ui.add_enabled(!busy, egui::Button::new(label)).clicked() {
                    let kind = lang.pick("建档立卡", "registry");
                    let request = FileRequest::new(ChooserKind::Save, label, FilePurpose::ExportXlsx { full_ids })
                        .name(FileName::Dated { kind: Some(kind), ext: "xlsx" })
                        .filter("Excel", &["xlsx"]);
                    actions.push(Action::ChooseFile(request));
                }
                let label = lang.pick("导出 CSV 到文件夹…", "Export CSV to a folder…");
                if ui.add_enabled(!busy, egui::Button::new(label)).clicked() {
                    let request = FileRequest::new(ChooserKind::Folder, label, FilePurpose::ExportCsv { full_ids });
                    actions.push(Action::ChooseFile(request));
                }
            });
        });
        actions
    }
}

/// The report of a checked file: counts, every problem by row and column, and the buttons to
/// write it (only when there is no problem) or to put it aside.
fn checked_file_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    village_id: Option<uuid::Uuid>,
    checked: &CheckedSurvey,
    busy: bool,
    actions: &mut Vec<Action>,
) {
    let plan = &checked.plan;
    ui.add_space(8.0);
    ui.group(|ui| {
        ui.strong(checked.file.display().to_string());
        ui.label(checked.localize(lang));
        if plan.problems.is_empty() {
            ui.label(
                RichText::new(lang.pick(
                    "没有发现问题。确认后作为一次修改写入，可以撤销。",
                    "No problems found. Accepting writes it as one change, which can be undone.",
                ))
                .color(OK_GREEN),
            );
        } else {
            ui.label(
                RichText::new(lang.pick(
                    "有问题的调查表不会写入任何数据。请在表格中改正以下各处后重新检查。",
                    "A file with problems writes nothing. Correct these cells in the spreadsheet and check it again.",
                ))
                .color(ERROR_RED),
            );
            let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
            TableBuilder::new(ui)
                .id_salt("import_problems")
                .striped(true)
                .max_scroll_height(320.0)
                .column(TableColumn::exact(60.0))
                .column(TableColumn::exact(160.0))
                .column(TableColumn::remainder())
                .header(row_height, |mut header| {
                    header.col(|ui| {
                        ui.strong(lang.pick("行", "Row"));
                    });
                    header.col(|ui| {
                        ui.strong(lang.pick("列", "Column"));
                    });
                    header.col(|ui| {
                        ui.strong(lang.pick("原因", "Reason"));
                    });
                })
                .body(|body| {
                    body.rows(row_height, plan.problems.len(), |mut row| {
                        let problem = &plan.problems[row.index()];
                        row.col(|ui| {
                            ui.label(problem.row.to_string());
                        });
                        row.col(|ui| {
                            ui.label(problem.column.header(lang));
                        });
                        row.col(|ui| {
                            ui.label(problem.problem.localize(lang));
                        });
                    });
                });
        }
        ui.horizontal(|ui| {
            let can_write = plan.problems.is_empty()
                && !plan.households.is_empty()
                && village_id == Some(plan.village_id);
            if ui
                .add_enabled(
                    can_write && !busy,
                    egui::Button::new(lang.pick("确认导入", "Import these households")),
                )
                .clicked()
            {
                actions.push(Action::CommitSurvey);
            }
            if ui
                .add_enabled(!busy, egui::Button::new(lang.pick("放弃", "Discard")))
                .clicked()
            {
                actions.push(Action::DiscardSurvey);
            }
        });
    });
}
