//! The county view (全县汇总): every village of a county database side by side with its six
//! precisions' headline figures, computed in the background (a county has hundreds of villages)
//! and sortable by any column, so the county sees at once where each precision falls short.

use eframe::egui::{self, RichText};
use egui_extras::{Column, TableBuilder};

use super::app::Action;
use super::jobs::Job;
use super::widgets::{self, ERROR_RED};
use crate::i18n::Lang;
use crate::model::Village;
use crate::rules::precisions::Headline;

/// The columns, each with its zh/en header and how it reads a row.
const COLUMNS: [(&str, &str); 16] = [
    ("户数", "Households"),
    ("建档户", "Registered"),
    ("贫困发生率", "Incidence"),
    ("数据问题户", "With findings"),
    ("边缘户", "Marginal"),
    ("无受益户项目", "Projects serving none"),
    ("资金合计(元)", "Funds (yuan)"),
    ("未落实资金", "Scattered funds"),
    ("无帮扶计划", "No plan"),
    ("未针对主因", "Plan misses cause"),
    ("无帮扶人", "No helper"),
    ("待走访", "Visit due"),
    ("可脱贫", "Ready to exit"),
    ("未达标", "Failing"),
    ("返贫风险", "At risk"),
    ("", ""),
];

fn figure(h: &Headline, column: usize) -> f64 {
    match column {
        0 => h.households as f64,
        1 => h.registered as f64,
        2 => h.incidence.unwrap_or(0.0),
        3 => h.households_with_findings as f64,
        4 => h.marginal as f64,
        5 => h.projects_without_households as f64,
        6 => h.funds_total_yuan,
        7 => h.funds_unattached as f64,
        8 => h.without_plan as f64,
        9 => h.ignoring_main_cause as f64,
        10 => h.without_helper as f64,
        11 => h.due_visits as f64,
        12 => h.ready as f64,
        13 => h.failing as f64,
        _ => h.at_risk as f64,
    }
}

#[derive(Default)]
pub struct CountyScreen {
    /// The column sorted on (descending), or `None` for the villages' own order.
    sort: Option<usize>,
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
                && let Some(dir) = rfd::FileDialog::new().pick_folder()
            {
                actions.push(Action::WriteReturnBundles(dir));
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
                figure(&rows[*b].1, column).total_cmp(&figure(&rows[*a].1, column))
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
            .columns(Column::initial(78.0).at_least(50.0), COLUMNS.len() - 1)
            .header(row_height * 1.4, |mut header| {
                header.col(|ui| {
                    if ui.button(lang.pick("村", "Village")).clicked() {
                        self.sort = None;
                    }
                });
                for (i, (zh, en)) in COLUMNS.iter().take(COLUMNS.len() - 1).enumerate() {
                    header.col(|ui| {
                        let text = if self.sort == Some(i) {
                            format!("{} ▼", lang.pick(zh, en))
                        } else {
                            lang.pick(zh, en).to_string()
                        };
                        if ui.button(text).clicked() {
                            self.sort = Some(i);
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
                    for column in 0..COLUMNS.len() - 1 {
                        row.col(|ui| match column {
                            2 => {
                                let text = h
                                    .incidence
                                    .map_or("—".to_string(), |i| format!("{:.2}%", i * 100.0));
                                let over = h.incidence.is_some_and(|i| i >= max_incidence);
                                ui.label(if over {
                                    RichText::new(text).color(ERROR_RED)
                                } else {
                                    RichText::new(text)
                                });
                            }
                            6 => {
                                ui.label(widgets::yuan(h.funds_total_yuan));
                            }
                            _ => {
                                ui.label(format!("{}", figure(h, column) as u64));
                            }
                        });
                    }
                });
            });
        actions
    }
}
