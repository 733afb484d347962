//! Data-quality findings of the village (数据检查): what would make the county reject the data or
//! mis-identify a household, each with the household to open and fix.

use eframe::egui::{self, RichText};
use egui_extras::{Column, TableBuilder};

use super::action::{Action, Screen};
use super::widgets::{self, ERROR_RED, OK_GREEN};
use crate::i18n::{Label, Lang, Localize};
use crate::store::audit_chain::ChainReport;
use crate::workspace::VillageView;

#[derive(Default)]
pub struct ChecksScreen;

impl ChecksScreen {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        view: &VillageView,
        audit_chain: Option<&ChainReport>,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        ui.heading(lang.pick("数据检查", "Data checks"));
        if let Some(chain) = audit_chain {
            let text = RichText::new(chain.localize(lang));
            ui.label(if chain.broken.is_some() {
                text.color(ERROR_RED).strong()
            } else {
                text.color(OK_GREEN)
            });
        }
        if view.findings.is_empty() {
            ui.label(
                RichText::new(lang.pick("没有发现问题。", "No problems found.")).color(OK_GREEN),
            );
            return actions;
        }
        ui.label(match lang {
            Lang::Zh => format!(
                "发现 {} 个问题。点击户编号打开该户修改。",
                view.findings.len()
            ),
            Lang::En => format!(
                "{} problems found. Click a household number to open and fix it.",
                view.findings.len()
            ),
        });
        TableBuilder::new(ui)
            .id_salt("findings")
            .striped(true)
            .column(Column::initial(160.0).at_least(100.0))
            .column(Column::exact(70.0))
            .column(Column::initial(80.0))
            .column(Column::remainder().at_least(200.0))
            .header(24.0, |mut header| {
                widgets::header_cells(
                    &mut header,
                    &[
                        lang.pick("问题类型", "Kind"),
                        lang.pick("户编号", "No."),
                        lang.pick("成员", "Member"),
                        lang.pick("说明", "Details"),
                    ],
                );
            })
            .body(|body| {
                body.rows(24.0, view.findings.len(), |mut row| {
                    let f = &view.findings[row.index()];
                    row.col(|ui| {
                        ui.label(f.kind.label(lang));
                    });
                    row.col(|ui| {
                        if ui.link(&f.household_number).clicked() {
                            actions.push(Action::Navigate(Screen::Household(f.household_id)));
                        }
                    });
                    row.col(|ui| {
                        ui.label(f.member_name.as_deref().unwrap_or("—"));
                    });
                    row.col(|ui| {
                        ui.label(f.localize(lang));
                    });
                });
            });
        actions
    }
}
