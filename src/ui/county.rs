//! The county view (全县汇总): every village of a county database side by side with its six
//! precisions' headline figures, computed in the background (a county has hundreds of villages)
//! and sortable by any column, so the county sees at once where each precision falls short.

use crate::ui::dialogs::{ChooserKind, FilePurpose, FileRequest};
use eframe::egui::{self, RichText};
use egui_extras::{Column, TableBuilder};

use super::action::Action;
use super::jobs::Job;
use super::widgets::ERROR_RED;
use crate::i18n::Lang;
use crate::model::Village;
use crate::rules::precisions::Headline;
use crate::workspace::county::OverviewColumn;

#[derive(Default)]
pub struct CountyScreen {
    /// The column sorted on (descending), or `None` for the villages' own order.
    sort: Option<OverviewColumn>,
}

impl CountyScreen {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        rows: Option<&[(Village, Headline)]>,
        running: Option<&Job>,
        max_incidence: f64,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        ui.horizontal(|ui| {
            ui.heading(lang.pick(
                "全县汇总：各村六个精准",
                "County: the six precisions of every village",
            ));
            if ui
                .add_enabled(
                    running.is_none(),
                    egui::Button::new(lang.pick("重新汇总", "Recompute")),
                )
                .clicked()
            {
                actions.push(Action::ComputeCountyOverview);
            }
            if ui
                .add_enabled(running.is_none(), egui::Button::new(lang.pick("为各村生成返回包…", "Write return bundles…")))
                .on_hover_text(lang.pick(
                    "每个已登记设备的村一个返回包：确认回执、同村其他电脑的修改、县级设置（扶贫标准表）",
                    "One per village with registered laptops: acknowledgements, the other laptops' changes, county settings (the poverty-line table)",
                ))
                .clicked()
            {
                let title = lang.pick("为各村生成返回包", "Write return bundles");
                let request = FileRequest::new(ChooserKind::Folder, title, FilePurpose::ReturnBundles);
                actions.push(Action::ChooseFile(request));
            }
        });
        if let Some(job) = running {
            job.running_ui(ui, lang);
        }
        let Some(rows) = rows else {
            return actions;
        };
        let mut order: Vec<usize> = (0..rows.len()).collect();
        if let Some(column) = self.sort {
            order.sort_by(|a, b| {
                column
                    .value(&rows[*b].1)
                    .total_cmp(&column.value(&rows[*a].1))
            });
        }
        ui.label(match lang {
            Lang::Zh => format!("共 {} 个村。点击列名按该列从大到小排序。", rows.len()),
            Lang::En => format!(
                "{} villages. Click a column to sort on it, largest first.",
                rows.len()
            ),
        });
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        TableBuilder::new(ui)
            .id_salt("county_overview")
            .striped(true)
            .column(Column::initial(200.0).at_least(120.0))
            .columns(
                Column::initial(78.0).at_least(50.0),
                OverviewColumn::ALL.len(),
            )
            .header(row_height * 1.4, |mut header| {
                header.col(|ui| {
                    if ui.button(lang.pick("村", "Village")).clicked() {
                        self.sort = None;
                    }
                });
                for column in OverviewColumn::ALL {
                    header.col(|ui| {
                        let text = if self.sort == Some(column) {
                            format!("{} ▼", column.label(lang))
                        } else {
                            column.label(lang).to_string()
                        };
                        if ui.button(text).clicked() {
                            self.sort = Some(column);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, order.len(), |mut row| {
                    let (village, h) = &rows[order[row.index()]];
                    row.col(|ui| {
                        ui.label(format!("{} {}", village.township, village.name));
                    });
                    for column in OverviewColumn::ALL {
                        row.col(|ui| {
                            let text = RichText::new(column.text(h));
                            let over = column == OverviewColumn::Incidence
                                && h.incidence.is_some_and(|i| i >= max_incidence);
                            ui.label(if over { text.color(ERROR_RED) } else { text });
                        });
                    }
                });
            });
        actions
    }
}
