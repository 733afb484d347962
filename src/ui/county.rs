//! The county view (全县汇总): the county as a tree — the county's totals, each township with its
//! subtotals, each village — with the six precisions' headline figures, computed in the
//! background (a county has hundreds of villages), sortable by any column and searchable. The
//! village picker above it opens any village (by name, code or township) in the village screens;
//! so does clicking a village's row.

use std::collections::HashSet;

use crate::ui::dialogs::{ChooserKind, FileName, FilePurpose, FileRequest};
use eframe::egui::{self, RichText, TextWrapMode};
use egui_extras::{Column, TableBuilder};

use super::action::{Action, DataAction};
use super::jobs::Job;
use super::widgets::{ERROR_RED, OK_GREEN};
use crate::i18n::{Label, Lang};
use crate::model::{Thresholds, TownshipFacilities, Village};
use crate::rules::county::{TownshipHave, lacks_text};
use crate::rules::figures::HouseholdFigure;
use crate::rules::precisions::Headline;
use crate::store::bundle_receipts::BundleReceipt;
use crate::workspace::county::{
    CountyTree, FigureEntry, OverviewColumn, TownshipNode, village_matches,
};
use crate::workspace::received::{
    DEFAULT_SILENT_DAYS, ReceivedReport, refusal_text, refused_sender, silence_text,
};
use chrono::NaiveDate;

/// How many villages the picker lists for a search.
const PICKER_MATCHES: usize = 12;

/// What the county view is drawn from.
pub struct CountyContext<'a> {
    /// Every village of the database (the picker needs no computed figures).
    pub villages: &'a [Village],
    /// The figures, once computed.
    pub tree: Option<&'a CountyTree>,
    pub running: Option<&'a Job>,
    pub thresholds: &'a Thresholds,
    /// The townships' three haves recorded so far.
    pub facilities: &'a [TownshipFacilities],
    /// The bundles received or refused, oldest first.
    pub receipts: &'a [BundleReceipt],
    /// What a village's silence is counted from.
    pub clock_today: NaiveDate,
    /// The session's refresh count: the received report is built again when it moves.
    pub generation: u64,
    /// The sync server the window started, while it runs.
    pub server: Option<&'a super::serve::ServerPanel>,
}

/// The two panels of the county view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum CountyTab {
    #[default]
    Summary,
    Received,
    Server,
}

pub struct CountyScreen {
    /// The column sorted on (descending), or `None` for the code order.
    sort: Option<OverviewColumn>,
    /// What the clerk typed into the search: part of a village's name, code or township.
    query: String,
    /// Townships opened to show their villages (all are open while searching).
    expanded: HashSet<String>,
    tab: CountyTab,
    /// A village silent for more than this many days is listed.
    silent_days: u32,
    /// The received report, with the generation and silence it was built for.
    received: Option<(u64, u32, ReceivedReport)>,
    /// The households behind the figure last clicked, shown in a window until closed.
    figure_list: Option<FigureList>,
    /// The township short of 三有 whose villages are listed, in a window until closed.
    township_list: Option<String>,
    /// The sync server panel's form.
    server: super::serve::ServerForm,
}

/// The households behind a figure of the county table.
pub struct FigureList {
    pub figure: HouseholdFigure,
    /// Whose figure it is: a village, a township or the county.
    pub scope: String,
    pub entries: Vec<FigureEntry>,
}

impl Default for CountyScreen {
    fn default() -> CountyScreen {
        CountyScreen {
            sort: None,
            query: String::new(),
            expanded: HashSet::new(),
            tab: CountyTab::Summary,
            silent_days: DEFAULT_SILENT_DAYS,
            received: None,
            figure_list: None,
            township_list: None,
            server: Default::default(),
        }
    }
}

/// The county exit 一低三有 with the wrong-exit and missed rates, the townships short of 三有
/// (each opening the list of its villages), and the townships' three haves to tick (saved at
/// once, an undoable change). `township_list` is set to the township clicked.
fn exit_test_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    tree: &CountyTree,
    ctx: &CountyContext<'_>,
    township_list: &mut Option<String>,
    actions: &mut Vec<Action>,
) {
    let test = tree.exit_test(ctx.facilities, ctx.thresholds);
    let rate = |r: Option<f64>| r.map_or("—".to_string(), |r| format!("{:.2}%", r * 100.0));
    let verdict = if test.passed() {
        RichText::new(lang.pick("达标", "met")).color(OK_GREEN)
    } else {
        RichText::new(lang.pick("未达标", "not met")).color(ERROR_RED)
    };
    egui::CollapsingHeader::new(RichText::new(match lang {
        Lang::Zh => format!(
            "全县退出（一低三有）：贫困发生率 {}，错退率 {}，漏评率 {}",
            rate(test.incidence),
            rate(test.wrong_exit_rate),
            rate(test.missed_rate)
        ),
        Lang::En => format!(
            "County exit (一低三有): incidence {}, wrong exits {}, missed {}",
            rate(test.incidence),
            rate(test.wrong_exit_rate),
            rate(test.missed_rate)
        ),
    }))
    .id_salt("county_exit_test")
    .show(ui, |ui| {
        ui.label(verdict);
        for item in &test.items {
            let (mark, color) = if item.passed() {
                ("✓", OK_GREEN)
            } else {
                ("×", ERROR_RED)
            };
            ui.label(
                RichText::new(format!(
                    "{mark} {}{}{}",
                    item.criterion.label(lang),
                    lang.pick("：", ": "),
                    item.text(lang)
                ))
                .color(color),
            );
        }
        let lacking = test.townships_lacking();
        if !lacking.is_empty() {
            ui.label(match lang {
                Lang::Zh => format!(
                    "未达三有的乡镇（{} 个），点击查看该乡镇的村：",
                    lacking.len()
                ),
                Lang::En => format!(
                    "Townships short of the three haves ({}); click one for its villages:",
                    lacking.len()
                ),
            });
            egui::ScrollArea::vertical()
                .id_salt("county_townships_lacking")
                .max_height(140.0)
                .show(ui, |ui| {
                    for (name, lacks) in lacking {
                        let villages = tree.township(name).map_or(0, |t| t.villages.len());
                        let text = match lang {
                            Lang::Zh => {
                                format!("{name}：{}（{villages} 个村）", lacks_text(lacks, lang))
                            }
                            Lang::En => {
                                format!("{name}: {} ({villages} villages)", lacks_text(lacks, lang))
                            }
                        };
                        if ui
                            .link(RichText::new(text).color(ERROR_RED))
                            .on_hover_text(lang.pick("列出该乡镇的村", "List its villages"))
                            .clicked()
                        {
                            *township_list = Some(name.clone());
                        }
                    }
                });
        }
        ui.horizontal(|ui| {
            let all: Vec<uuid::Uuid> = tree.villages().map(|(v, _)| v.id).collect();
            for figure in [
                HouseholdFigure::WronglyExited,
                HouseholdFigure::PossiblyMissed,
            ] {
                let n = figure.count(&tree.total);
                let text = match lang {
                    Lang::Zh => format!("{}：{n} 户", figure.label(lang)),
                    Lang::En => format!("{}: {n} households", figure.label(lang)),
                };
                let response = ui.add_enabled(n > 0, egui::Button::new(text));
                if response
                    .on_hover_text(lang.pick("列出这些农户", "List these households"))
                    .clicked()
                {
                    actions.push(Action::ShowFigureHouseholds {
                        figure,
                        villages: all.clone(),
                        scope: tree.county_name().to_string(),
                    });
                }
            }
        });
        ui.label(lang.pick(
            "各乡镇设施（勾选即保存）：",
            "Township facilities (saved when ticked):",
        ));
        egui::ScrollArea::vertical()
            .id_salt("township_facilities")
            .max_height(160.0)
            .show(ui, |ui| {
                egui::Grid::new("township_facilities_grid")
                    .striped(true)
                    .show(ui, |ui| {
                        ui.strong(lang.pick("乡镇", "Township"));
                        for have in TownshipHave::ALL {
                            ui.strong(have.label(lang));
                        }
                        ui.end_row();
                        for township in &tree.townships {
                            let mut facts = ctx
                                .facilities
                                .iter()
                                .find(|f| f.township == township.name)
                                .cloned()
                                .unwrap_or_else(|| TownshipFacilities {
                                    township: township.name.clone(),
                                    ..Default::default()
                                });
                            ui.label(&township.name);
                            for have in TownshipHave::ALL {
                                let mut value = have.has(&facts);
                                let label = format!("{} {}", township.name, have.label(lang));
                                let response = ui.add(egui::Checkbox::without_text(&mut value));
                                response.widget_info(|| {
                                    egui::WidgetInfo::selected(
                                        egui::Role::CheckBox,
                                        true,
                                        value,
                                        &label,
                                    )
                                });
                                if response.changed() {
                                    have.set(&mut facts, value);
                                    actions.push(Action::Data(DataAction::SaveTownshipFacilities(
                                        facts.clone(),
                                    )));
                                }
                            }
                            ui.end_row();
                        }
                    });
            });
    });
}

/// A line of the county table.
enum Line<'a> {
    County(&'a Headline, usize),
    Township(&'a TownshipNode, bool),
    Village(&'a Village, &'a Headline),
}

impl CountyScreen {
    pub fn ui(&mut self, ui: &mut egui::Ui, lang: Lang, ctx: &CountyContext<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        ui.horizontal(|ui| {
            ui.heading(lang.pick(
                "全县汇总：各乡镇、各村六个精准",
                "County: the six precisions by township and village",
            ));
            if ui
                .add_enabled(
                    ctx.running.is_none(),
                    egui::Button::new(lang.pick("重新汇总", "Recompute")),
                )
                .clicked()
            {
                actions.push(Action::ComputeCountyOverview);
            }
            if ui
                .add_enabled(ctx.running.is_none(), egui::Button::new(lang.pick("为各村生成返回包…", "Write return bundles…")))
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
            let label = lang.pick("导出全县汇总（Excel）…", "Export the county summary (Excel)…");
            if ui
                .add_enabled(ctx.running.is_none() && ctx.tree.is_some(), egui::Button::new(label))
                .on_hover_text(lang.pick(
                    "每级一个工作表（全县、乡镇、村），与本表的数字相同",
                    "One sheet per level (county, townships, villages), the figures of this table",
                ))
                .clicked()
                && let Some(tree) = ctx.tree
            {
                let name = format!("{}-{}.xlsx", tree.county_name(), lang.pick("全县汇总", "county-summary"));
                let request = FileRequest::new(ChooserKind::Save, label, FilePurpose::CountyReport)
                    .name(FileName::Exact(name))
                    .filter("Excel", &["xlsx"]);
                actions.push(Action::ChooseFile(request));
            }
        });
        self.picker_ui(ui, lang, ctx.villages, &mut actions);
        ui.horizontal(|ui| {
            ui.selectable_value(
                &mut self.tab,
                CountyTab::Summary,
                lang.pick("六个精准汇总", "Six precisions"),
            );
            ui.selectable_value(
                &mut self.tab,
                CountyTab::Received,
                lang.pick("收到的数据包", "Bundles received"),
            );
            ui.selectable_value(
                &mut self.tab,
                CountyTab::Server,
                lang.pick("同步服务器", "Sync server"),
            );
        });
        ui.separator();
        if self.tab == CountyTab::Received {
            self.received_ui(ui, lang, ctx);
            return actions;
        }
        if self.tab == CountyTab::Server {
            self.server.ui(ui, lang, ctx.server, &mut actions);
            return actions;
        }
        if let Some(job) = ctx.running {
            job.running_ui(ui, lang);
        }
        let Some(tree) = ctx.tree else {
            return actions;
        };
        ui.horizontal(|ui| {
            ui.label(match lang {
                Lang::Zh => format!(
                    "共 {} 个乡镇、{} 个村。点击列名按该列从大到小排序，点击乡镇展开，点击村名打开该村。",
                    tree.townships.len(),
                    tree.villages().count()
                ),
                Lang::En => format!(
                    "{} townships, {} villages. Click a column to sort on it (largest first), a township to open it, a village to work on it.",
                    tree.townships.len(),
                    tree.villages().count()
                ),
            });
            if ui.button(lang.pick("全部展开", "Expand all")).clicked() {
                self.expanded = tree.townships.iter().map(|t| t.name.clone()).collect();
            }
            if ui.button(lang.pick("全部收起", "Collapse all")).clicked() {
                self.expanded.clear();
            }
        });
        exit_test_ui(ui, lang, tree, ctx, &mut self.township_list, &mut actions);
        let lines = self.lines(tree);
        self.table_ui(
            ui,
            lang,
            tree,
            &lines,
            ctx.thresholds.max_incidence,
            &mut actions,
        );
        self.figure_list_ui(ui, lang, &mut actions);
        self.township_list_ui(ui, lang, tree, ctx, &mut actions);
        actions
    }

    /// The window listing the villages of the township clicked in the county exit, with what the
    /// township lacks; a village opens it.
    fn township_list_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        tree: &CountyTree,
        ctx: &CountyContext<'_>,
        actions: &mut Vec<Action>,
    ) {
        let Some(name) = &self.township_list else {
            return;
        };
        let Some(township) = tree.township(name) else {
            self.township_list = None;
            return;
        };
        let facts = ctx
            .facilities
            .iter()
            .find(|f| f.township == township.name)
            .cloned()
            .unwrap_or_default();
        let lacking: Vec<TownshipHave> = TownshipHave::ALL
            .into_iter()
            .filter(|h| !h.has(&facts))
            .collect();
        let title = match lang {
            Lang::Zh => format!("{}的村（{} 个）", township.name, township.villages.len()),
            Lang::En => format!(
                "Villages of {} ({})",
                township.name,
                township.villages.len()
            ),
        };
        let mut open = true;
        let mut close = false;
        let mut chosen = None;
        egui::Window::new(title)
            .id(egui::Id::unique("county_township_villages"))
            .open(&mut open)
            .default_width(520.0)
            .show(ui.ctx(), |ui| {
                if lacking.is_empty() {
                    ui.label(
                        RichText::new(lang.pick("三有：达标", "Three haves: met")).color(OK_GREEN),
                    );
                } else {
                    ui.label(
                        RichText::new(format!(
                            "{}{}{}",
                            township.name,
                            lang.pick("", " "),
                            lacks_text(&lacking, lang)
                        ))
                        .color(ERROR_RED),
                    );
                }
                ui.horizontal(|ui| {
                    ui.label(lang.pick("点击村名打开该村。", "Click a village to open it."));
                    if ui.button(lang.pick("关闭列表", "Close the list")).clicked() {
                        close = true;
                    }
                });
                egui::ScrollArea::vertical()
                    .id_salt("county_township_villages_scroll")
                    .max_height(420.0)
                    .show(ui, |ui| {
                        egui::Grid::new("county_township_villages_grid")
                            .striped(true)
                            .show(ui, |ui| {
                                ui.strong(lang.pick("村", "Village"));
                                ui.strong(lang.pick("村代码", "Village code"));
                                for column in
                                    [OverviewColumn::Households, OverviewColumn::Incidence]
                                {
                                    ui.strong(column.label(lang));
                                }
                                ui.end_row();
                                for (village, h) in &township.villages {
                                    let text = format!("{} {}", village.township, village.name);
                                    if ui
                                        .link(text)
                                        .on_hover_text(lang.pick("打开本村", "Open this village"))
                                        .clicked()
                                    {
                                        chosen = Some(village.id);
                                    }
                                    ui.label(&village.code);
                                    for column in
                                        [OverviewColumn::Households, OverviewColumn::Incidence]
                                    {
                                        ui.label(column.text(h));
                                    }
                                    ui.end_row();
                                }
                            });
                    });
            });
        if let Some(id) = chosen {
            actions.push(Action::ShowVillage(id));
            open = false;
        }
        if !open || close {
            self.township_list = None;
        }
    }

    /// Which villages have sent what: the last bundle of each village and device, the villages
    /// silent for more than the chosen days, the refused bundles with their reasons.
    fn received_ui(&mut self, ui: &mut egui::Ui, lang: Lang, ctx: &CountyContext<'_>) {
        ui.horizontal(|ui| {
            let label =
                ui.label(lang.pick("未收到数据包超过（天）", "Silent for more than (days)"));
            ui.add(egui::DragValue::new(&mut self.silent_days).range(1..=3650))
                .labelled_by(label.id);
        });
        let fresh = matches!(&self.received, Some((g, d, _)) if *g == ctx.generation && *d == self.silent_days);
        if !fresh {
            let report = ReceivedReport::build(
                ctx.villages,
                ctx.receipts,
                ctx.clock_today,
                self.silent_days,
            );
            self.received = Some((ctx.generation, self.silent_days, report));
        }
        let Some((_, _, report)) = &self.received else {
            return;
        };
        egui::ScrollArea::both()
            .id_salt("county_received")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.strong(match lang {
                    Lang::Zh => {
                        format!("各村各设备最后收到的数据包（{} 台设备）", report.last.len())
                    }
                    Lang::En => format!(
                        "The last bundle from each village and device ({} devices)",
                        report.last.len()
                    ),
                });
                if report.last.is_empty() {
                    ui.label(lang.pick("尚未收到任何数据包。", "No bundle received yet."));
                } else {
                    egui::Grid::new("county_received_last")
                        .striped(true)
                        .show(ui, |ui| {
                            for header in [
                                lang.pick("村", "Village"),
                                lang.pick("设备", "Device"),
                                lang.pick("收到", "Received"),
                                lang.pick("生成", "Created"),
                                lang.pick("变更号", "Changes"),
                                lang.pick("记录", "Records"),
                                lang.pick("文件", "File"),
                            ] {
                                ui.strong(header);
                            }
                            ui.end_row();
                            for l in &report.last {
                                ui.label(format!(
                                    "{} {} {}",
                                    l.village_code, l.township, l.village_name
                                ));
                                ui.label(short_device(&l.device));
                                ui.label(day_and_time(&l.received_at));
                                ui.label(day_and_time(&l.created_at));
                                ui.label(format!("{}–{}", l.seq_from, l.seq_to));
                                ui.label(l.records.to_string());
                                ui.label(&l.file_name);
                                ui.end_row();
                            }
                        });
                }
                ui.add_space(8.0);
                ui.strong(match lang {
                    Lang::Zh => format!(
                        "超过 {} 天未收到数据包的村（{} 个）",
                        report.silent_days,
                        report.silent.len()
                    ),
                    Lang::En => format!(
                        "Villages silent for more than {} days ({})",
                        report.silent_days,
                        report.silent.len()
                    ),
                });
                for silent in &report.silent {
                    ui.label(format!(
                        "{} {} {}：{}",
                        silent.village_code,
                        silent.township,
                        silent.village_name,
                        silence_text(silent, lang)
                    ));
                }
                ui.add_space(8.0);
                ui.strong(match lang {
                    Lang::Zh => format!("拒收的数据包（{} 个）", report.refused.len()),
                    Lang::En => format!("Refused bundles ({})", report.refused.len()),
                });
                for refused in &report.refused {
                    ui.label(
                        RichText::new(format!(
                            "{} {}（{}）",
                            day_and_time(&refused.received_at),
                            refused.file_name,
                            refused_sender(refused, lang)
                        ))
                        .strong(),
                    );
                    ui.label(RichText::new(refusal_text(refused, lang)).color(ERROR_RED));
                }
            });
    }

    /// The search field and, while something is typed, the villages it matches.
    fn picker_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        villages: &[Village],
        actions: &mut Vec<Action>,
    ) {
        ui.horizontal(|ui| {
            let label = ui.label(lang.pick("查找村", "Find a village"));
            ui.add(
                egui::TextEdit::singleline(&mut self.query)
                    .hint_text(lang.pick("村名、村代码或乡镇", "name, code or township"))
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
            if !self.query.is_empty() && ui.button(lang.pick("清除", "Clear")).clicked() {
                self.query.clear();
            }
        });
        if self.query.trim().is_empty() {
            return;
        }
        let matches: Vec<&Village> = villages
            .iter()
            .filter(|v| village_matches(v, &self.query))
            .collect();
        ui.horizontal_wrapped(|ui| {
            if matches.is_empty() {
                ui.label(lang.pick("没有相符的村。", "No village matches."));
            }
            for village in matches.iter().take(PICKER_MATCHES) {
                let text = match lang {
                    Lang::Zh => format!(
                        "打开 {} {}（{}）",
                        village.township, village.name, village.code
                    ),
                    Lang::En => format!(
                        "Open {} {} ({})",
                        village.township, village.name, village.code
                    ),
                };
                if ui.button(text).clicked() {
                    actions.push(Action::ShowVillage(village.id));
                }
            }
            if matches.len() > PICKER_MATCHES {
                ui.label(match lang {
                    Lang::Zh => {
                        format!("…还有 {} 个，请输入更多字", matches.len() - PICKER_MATCHES)
                    }
                    Lang::En => format!(
                        "…and {} more: type more to narrow",
                        matches.len() - PICKER_MATCHES
                    ),
                });
            }
        });
    }

    /// The table's lines: the county's totals, then each township (sorted on the chosen column)
    /// and, when it is open, its villages (sorted the same way). A search keeps the villages it
    /// matches, in open townships.
    fn lines<'a>(&self, tree: &'a CountyTree) -> Vec<Line<'a>> {
        let searching = !self.query.trim().is_empty();
        let sort_desc = |a: &Headline, b: &Headline| match self.sort {
            Some(column) => column.value(b).total_cmp(&column.value(a)),
            None => std::cmp::Ordering::Equal,
        };
        let mut lines = vec![Line::County(&tree.total, tree.villages().count())];
        let mut townships: Vec<&TownshipNode> = tree.townships.iter().collect();
        townships.sort_by(|a, b| sort_desc(&a.total, &b.total));
        for township in townships {
            let mut villages: Vec<&(Village, Headline)> = township
                .villages
                .iter()
                .filter(|(v, _)| village_matches(v, &self.query))
                .collect();
            if searching && villages.is_empty() {
                continue;
            }
            let open = searching || self.expanded.contains(&township.name);
            lines.push(Line::Township(township, open));
            if open {
                villages.sort_by(|a, b| sort_desc(&a.1, &b.1));
                lines.extend(villages.into_iter().map(|(v, h)| Line::Village(v, h)));
            }
        }
        lines
    }

    /// Shows the households behind a clicked figure (computed by the app on the click).
    pub fn show_figure_list(&mut self, list: FigureList) {
        self.figure_list = Some(list);
    }

    /// The window listing the households behind a figure; a household opens its village.
    fn figure_list_ui(&mut self, ui: &mut egui::Ui, lang: Lang, actions: &mut Vec<Action>) {
        let Some(list) = &self.figure_list else {
            return;
        };
        let title = match lang {
            Lang::Zh => format!(
                "{}：{}（{} 户）",
                list.scope,
                list.figure.label(lang),
                list.entries.len()
            ),
            Lang::En => format!(
                "{}: {} ({} households)",
                list.scope,
                list.figure.label(lang),
                list.entries.len()
            ),
        };
        let mut open = true;
        let mut close = false;
        let mut chosen = None;
        egui::Window::new(title)
            .open(&mut open)
            .default_width(640.0)
            .show(ui.ctx(), |ui| {
                ui.horizontal(|ui| {
                    ui.label(lang.pick(
                        "点击农户打开其所在村。",
                        "Click a household to open its village.",
                    ));
                    if ui.button(lang.pick("关闭列表", "Close the list")).clicked() {
                        close = true;
                    }
                });
                egui::ScrollArea::vertical()
                    .id_salt("county_figure_list_scroll")
                    .max_height(420.0)
                    .show(ui, |ui| {
                        egui::Grid::new("county_figure_list_grid")
                            .striped(true)
                            .show(ui, |ui| {
                                for header in [
                                    lang.pick("村", "Village"),
                                    lang.pick("户编号", "Number"),
                                    lang.pick("户主", "Head"),
                                    lang.pick("原因", "Reason"),
                                ] {
                                    ui.strong(header);
                                }
                                ui.end_row();
                                for entry in &list.entries {
                                    let village = &entry.village;
                                    let household = &entry.household.household;
                                    let text = format!(
                                        "{} {} {}",
                                        village.township, village.name, household.number
                                    );
                                    if ui
                                        .link(text)
                                        .on_hover_text(lang.pick("打开本村", "Open this village"))
                                        .clicked()
                                    {
                                        chosen = Some(village.id);
                                    }
                                    ui.label(&village.code);
                                    ui.label(household.head_name.as_deref().unwrap_or("—"));
                                    ui.label(&entry.household.reason);
                                    ui.end_row();
                                }
                            });
                    });
            });
        if let Some(id) = chosen {
            actions.push(Action::ShowVillage(id));
            open = false;
        }
        if !open || close {
            self.figure_list = None;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn table_ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        tree: &CountyTree,
        lines: &[Line<'_>],
        max_incidence: f64,
        actions: &mut Vec<Action>,
    ) {
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        let figures_ui = |ui: &mut egui::Ui, column: OverviewColumn, h: &Headline, strong: bool| {
            let mut text = RichText::new(column.text(h));
            if strong {
                text = text.strong();
            }
            let over = column == OverviewColumn::Incidence
                && h.incidence.is_some_and(|i| i >= max_incidence);
            ui.add(
                egui::Label::new(if over { text.color(ERROR_RED) } else { text })
                    .wrap_mode(TextWrapMode::Extend),
            );
        };
        egui::ScrollArea::horizontal()
            .id_salt("county_overview_scroll")
            .show(ui, |ui| {
                TableBuilder::new(ui)
                    .id_salt("county_overview")
                    .striped(true)
                    .column(Column::auto().at_least(200.0))
                    .columns(Column::auto().at_least(56.0), OverviewColumn::ALL.len())
                    .header(row_height * 1.4, |mut header| {
                        header.col(|ui| {
                            let name = lang.pick("乡镇 / 村", "Township / village");
                            let button = egui::Button::new(name).wrap_mode(TextWrapMode::Extend);
                            if ui.add(button).clicked() {
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
                                let button =
                                    egui::Button::new(text).wrap_mode(TextWrapMode::Extend);
                                if ui.add(button).clicked() {
                                    self.sort = Some(column);
                                }
                            });
                        }
                    })
                    .body(|body| {
                        body.rows(row_height, lines.len(), |mut row| {
                            let line = &lines[row.index()];
                            let (h, strong) = match line {
                                Line::County(h, villages) => {
                                    row.col(|ui| {
                                        ui.add(
                                            egui::Label::new(
                                                RichText::new(match lang {
                                                    Lang::Zh => {
                                                        format!("全县合计（{villages} 个村）")
                                                    }
                                                    Lang::En => format!(
                                                        "County total ({villages} villages)"
                                                    ),
                                                })
                                                .strong(),
                                            )
                                            .wrap_mode(TextWrapMode::Extend),
                                        );
                                    });
                                    (*h, true)
                                }
                                Line::Township(t, open) => {
                                    row.col(|ui| {
                                        let arrow = if *open { "▼" } else { "▶" };
                                        let text = match lang {
                                            Lang::Zh => format!(
                                                "{arrow} {}（{} 个村）",
                                                t.name,
                                                t.villages.len()
                                            ),
                                            Lang::En => format!(
                                                "{arrow} {} ({} villages)",
                                                t.name,
                                                t.villages.len()
                                            ),
                                        };
                                        let button =
                                            egui::Button::new(RichText::new(text).strong())
                                                .frame(false)
                                                .wrap_mode(TextWrapMode::Extend);
                                        if ui.add(button).clicked() {
                                            if *open {
                                                self.expanded.remove(&t.name);
                                            } else {
                                                self.expanded.insert(t.name.clone());
                                            }
                                        }
                                    });
                                    (&t.total, true)
                                }
                                Line::Village(v, h) => {
                                    row.col(|ui| {
                                        ui.horizontal(|ui| {
                                            ui.add_space(18.0);
                                            if ui
                                                .link(&v.name)
                                                .on_hover_text(
                                                    lang.pick("打开本村", "Open this village"),
                                                )
                                                .clicked()
                                            {
                                                actions.push(Action::ShowVillage(v.id));
                                            }
                                            ui.weak(&v.code);
                                        });
                                    });
                                    (*h, false)
                                }
                            };
                            let (scope, villages): (String, Vec<uuid::Uuid>) = match line {
                                Line::County(..) => (
                                    tree.county_name().to_string(),
                                    tree.villages().map(|(v, _)| v.id).collect(),
                                ),
                                Line::Township(t, _) => (
                                    t.name.clone(),
                                    t.villages.iter().map(|(v, _)| v.id).collect(),
                                ),
                                Line::Village(v, _) => {
                                    (format!("{} {}", v.township, v.name), vec![v.id])
                                }
                            };
                            for column in OverviewColumn::ALL {
                                row.col(|ui| {
                                    let figure =
                                        column.household_figure().filter(|f| f.count(h) > 0);
                                    let Some(figure) = figure else {
                                        figures_ui(ui, column, h, strong);
                                        return;
                                    };
                                    let mut text = RichText::new(column.text(h)).underline();
                                    if strong {
                                        text = text.strong();
                                    }
                                    // Named for the figure it opens, its value kept.
                                    let label = format!(
                                        "{scope} {}{}{}",
                                        column.label(lang),
                                        lang.pick("：", ": "),
                                        column.text(h)
                                    );
                                    let response = ui.add(
                                        egui::Button::new(text)
                                            .frame(false)
                                            .wrap_mode(TextWrapMode::Extend),
                                    );
                                    response.widget_info(|| {
                                        egui::WidgetInfo::labeled(egui::Role::Button, true, &label)
                                    });
                                    if response
                                        .on_hover_text(
                                            lang.pick("列出这些农户", "List these households"),
                                        )
                                        .clicked()
                                    {
                                        actions.push(Action::ShowFigureHouseholds {
                                            figure,
                                            villages: villages.clone(),
                                            scope: scope.clone(),
                                        });
                                    }
                                });
                            }
                        });
                    });
            });
    }
}

/// A device id as the clerk compares it: its first eight characters.
fn short_device(device: &str) -> &str {
    device.get(..8).unwrap_or(device)
}

/// A logged time as day and minute (`2026-12-03 08:15`).
fn day_and_time(at: &str) -> String {
    match (at.get(..10), at.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time}"),
        _ => at.to_string(),
    }
}
