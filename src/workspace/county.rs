//! County work on a database holding many villages: every village's six-precisions headline
//! (the county view's table, and `dripline county overview`), and the return bundles that carry
//! the county's merge back to each village's laptops.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::date::evaluation_date;
use super::view::VillageView;
use crate::i18n::{Lang, Localize};
use crate::io::export::{Cell, Table};
use crate::model::{Thresholds, TownshipFacilities, Village};
use crate::rules::county::{CountyAssessment, assess_county};
use crate::rules::figures::{FigureHousehold, HouseholdFigure, households_behind};
use crate::rules::income::grouped_yuan;
use crate::rules::precisions::Headline;
use crate::rules::settings::settings_tag;
use crate::store::{Store, StoreError};
use crate::sync::manifest::Header;
use crate::sync::{Progress, SyncError, county};

/// Every village of the database with its six precisions' headline figures, each village
/// evaluated at its date: the figures kept in the database where they still hold, the others
/// computed (and kept) again.
pub fn overview(
    store: &mut Store,
    clock_today: NaiveDate,
    progress: &mut dyn FnMut(Progress),
) -> Result<Overview, StoreError> {
    let villages = store.villages()?;
    let mut kept = store.kept_headlines()?;
    let settings = settings_tag(&store.poverty_lines()?, &store.thresholds()?);
    let total = villages.len();
    let mut rows = Vec::with_capacity(total);
    let mut computed = Vec::new();
    for (done, village) in villages.into_iter().enumerate() {
        progress(Progress { done, total });
        let date = evaluation_date(&village, clock_today);
        let headline = match kept.remove(&village.id) {
            Some(k) if k.is_current(date, &settings) => k.figures,
            _ => {
                let view = VillageView::load(store, village.id, clock_today)?;
                let headline = keep_headline_of(store, &view)?;
                computed.push(village.id);
                headline
            }
        };
        rows.push((village, headline));
    }
    Ok(Overview { rows, computed })
}

/// Computes the headline figures of `view` and keeps them in the database, tagged with the
/// file's change number, the view's date and the settings it was evaluated under.
pub fn keep_headline_of(store: &mut Store, view: &VillageView) -> Result<Headline, StoreError> {
    let headline = view
        .precisions
        .headline(&view.records, &view.lines, &view.thresholds);
    let change = store.sync_lseq()?;
    let settings = settings_tag(&view.lines, &view.thresholds);
    store.keep_headline(view.village.id, change, view.today, &settings, &headline)?;
    Ok(headline)
}

/// After bundles were merged into a county database (`bundle import`, the sync server), the
/// villages they brought are computed again and kept, so that the county table reads their
/// fresh figures. Nothing to do for bundles imported before, or outside a county database.
pub fn refresh_imported(
    store: &mut Store,
    reports: &[crate::sync::import::ImportReport],
    clock_today: NaiveDate,
) -> Result<(), SyncError> {
    let codes: std::collections::BTreeSet<&str> = reports
        .iter()
        .filter(|r| !r.already_imported)
        .map(|r| r.header.village_code.as_str())
        .collect();
    if codes.is_empty() || !county::is_county(store)? {
        return Ok(());
    }
    let ids: Vec<uuid::Uuid> = store
        .villages()?
        .into_iter()
        .filter(|v| codes.contains(v.code.as_str()))
        .map(|v| v.id)
        .collect();
    refresh_headlines(store, &ids, clock_today)?;
    Ok(())
}

/// After a write outside the window (a command importing bundles or a survey into a county
/// database): the kept figures of the villages it touched are computed again, so that the
/// county table shows them without a recomputation. A database of one village keeps none.
pub fn refresh_headlines(
    store: &mut Store,
    village_ids: &[uuid::Uuid],
    clock_today: NaiveDate,
) -> Result<(), StoreError> {
    if village_ids.is_empty() || store.villages()?.len() < 2 {
        return Ok(());
    }
    for id in village_ids {
        let view = VillageView::load(store, *id, clock_today)?;
        keep_headline_of(store, &view)?;
    }
    Ok(())
}

/// Every village's headline figures, and which of them had to be computed (the others were read
/// as kept).
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    pub rows: Vec<(Village, Headline)>,
    pub computed: Vec<uuid::Uuid>,
}

/// The county as a tree: the county's totals, then each township with its totals and its
/// villages. Every level's figures come from [`Headline::sum`] of the villages under it.
#[derive(Debug, Clone, PartialEq)]
pub struct CountyTree {
    pub total: Headline,
    pub townships: Vec<TownshipNode>,
}

/// A township of the county and its villages, in code order.
#[derive(Debug, Clone, PartialEq)]
pub struct TownshipNode {
    pub name: String,
    pub total: Headline,
    pub villages: Vec<(Village, Headline)>,
}

impl CountyTree {
    /// Groups the villages' rows by township (townships in the order of their first village).
    pub fn build(rows: Vec<(Village, Headline)>) -> CountyTree {
        let mut townships: Vec<TownshipNode> = Vec::new();
        for (village, headline) in rows {
            let at = match townships.iter().position(|t| t.name == village.township) {
                Some(at) => at,
                None => {
                    townships.push(TownshipNode {
                        name: village.township.clone(),
                        total: Headline::sum([]),
                        villages: Vec::new(),
                    });
                    townships.len() - 1
                }
            };
            townships[at].villages.push((village, headline));
        }
        for township in &mut townships {
            township.total = Headline::sum(township.villages.iter().map(|(_, h)| h));
        }
        let total = Headline::sum(
            townships
                .iter()
                .flat_map(|t| t.villages.iter().map(|(_, h)| h)),
        );
        CountyTree { total, townships }
    }

    /// Every village of the tree, township by township.
    pub fn villages(&self) -> impl Iterator<Item = &(Village, Headline)> {
        self.townships.iter().flat_map(|t| t.villages.iter())
    }

    /// The township called `name`.
    pub fn township(&self, name: &str) -> Option<&TownshipNode> {
        self.townships.iter().find(|t| t.name == name)
    }
}

/// The level of a line of the county summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    County,
    Township,
    Village,
}

impl Level {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Level::County => lang.pick("全县", "County"),
            Level::Township => lang.pick("乡镇", "Township"),
            Level::Village => lang.pick("村", "Village"),
        }
    }

    /// The JSON key and the name scripts use.
    pub fn code(self) -> &'static str {
        match self {
            Level::County => "county",
            Level::Township => "township",
            Level::Village => "village",
        }
    }
}

/// One line of the county summary: a level, its name (and code for a village) and its figures.
#[derive(Debug, Clone, Copy)]
pub struct SummaryLine<'a> {
    pub level: Level,
    pub name: &'a str,
    pub township: &'a str,
    pub code: &'a str,
    pub figures: &'a Headline,
}

impl CountyTree {
    /// The summary's lines, top down: the county (unless `township` is given), then each
    /// township followed by its villages; with `township`, only that township and its villages.
    pub fn summary_lines<'a>(
        &'a self,
        county_name: &'a str,
        township: Option<&str>,
    ) -> Vec<SummaryLine<'a>> {
        let mut lines = Vec::new();
        if township.is_none() {
            lines.push(SummaryLine {
                level: Level::County,
                name: county_name,
                township: "",
                code: "",
                figures: &self.total,
            });
        }
        for t in &self.townships {
            if township.is_some_and(|name| name != t.name) {
                continue;
            }
            lines.push(SummaryLine {
                level: Level::Township,
                name: &t.name,
                township: &t.name,
                code: "",
                figures: &t.total,
            });
            for (v, h) in &t.villages {
                lines.push(SummaryLine {
                    level: Level::Village,
                    name: &v.name,
                    township: &t.name,
                    code: &v.code,
                    figures: h,
                });
            }
        }
        lines
    }

    /// The county exit test 一低三有 and its rates, from the county's totals and the townships'
    /// recorded facts.
    pub fn exit_test(&self, facilities: &[TownshipFacilities], t: &Thresholds) -> CountyAssessment {
        let names: Vec<&str> = self.townships.iter().map(|t| t.name.as_str()).collect();
        assess_county(&self.total, &names, facilities, t)
    }

    /// The county's name, as its villages record it.
    pub fn county_name(&self) -> &str {
        self.villages()
            .next()
            .map_or("", |(v, _)| v.county.as_str())
    }
}

/// The county summary as workbook tables, one sheet per level (全县, 乡镇, 村), with the figures
/// the window shows; `township` keeps one township and its villages (and drops the county sheet).
pub fn summary_tables(tree: &CountyTree, township: Option<&str>) -> Vec<Table> {
    let lines = tree.summary_lines(tree.county_name(), township);
    let sheet = |level: Level, sheet: &'static str, file_stem: &'static str| {
        let mut headers = vec![("级别", "Level"), ("乡镇", "Township")];
        if level == Level::Village {
            headers.push(("村", "Village"));
            headers.push(("村代码", "Village code"));
        }
        if level == Level::County {
            headers[1] = ("县", "County");
        }
        headers.extend(
            OverviewColumn::ALL
                .iter()
                .map(|c| (c.label(Lang::Zh), c.label(Lang::En))),
        );
        let rows = lines
            .iter()
            .filter(|l| l.level == level)
            .map(|l| {
                let mut row = vec![
                    Cell::Text(level.label(Lang::Zh).to_string()),
                    Cell::Text(l.township.to_string()),
                ];
                match level {
                    Level::County => row[1] = Cell::Text(l.name.to_string()),
                    Level::Village => {
                        row.push(Cell::Text(l.name.to_string()));
                        row.push(Cell::Text(l.code.to_string()));
                    }
                    Level::Township => {}
                }
                row.extend(OverviewColumn::ALL.iter().map(|c| c.cell(l.figures)));
                row
            })
            .collect();
        Table {
            sheet,
            file_stem,
            headers,
            rows,
        }
    };
    let mut tables = Vec::new();
    if township.is_none() {
        tables.push(sheet(Level::County, "全县", "county"));
    }
    tables.push(sheet(Level::Township, "乡镇", "townships"));
    tables.push(sheet(Level::Village, "村", "villages"));
    tables
}

/// Whether `village` is what a clerk typed: part of its name, its code or its township
/// (ignoring case and surrounding spaces). An empty query matches every village.
pub fn village_matches(village: &Village, query: &str) -> bool {
    let query = query.trim().to_lowercase();
    query.is_empty()
        || village.name.to_lowercase().contains(&query)
        || village.code.contains(&query)
        || village.township.to_lowercase().contains(&query)
}

/// A household behind a figure of the county table, with its village.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureEntry {
    pub village: Village,
    pub household: FigureHousehold,
}

/// The households behind `figure` in `villages` (a village, a township or the county), village by
/// village: each village is evaluated as its own panels evaluate it, only when the clerk asks, so
/// the county table itself stays on the kept headlines.
pub fn figure_households(
    store: &Store,
    villages: &[Village],
    figure: HouseholdFigure,
    clock_today: NaiveDate,
    lang: Lang,
) -> Result<Vec<FigureEntry>, StoreError> {
    let mut entries = Vec::new();
    for village in villages {
        let view = VillageView::load(store, village.id, clock_today)?;
        let behind = households_behind(
            figure,
            &view.precisions,
            &view.records,
            &view.lines,
            &view.thresholds,
            lang,
        );
        entries.extend(behind.into_iter().map(|household| FigureEntry {
            village: village.clone(),
            household,
        }));
    }
    Ok(entries)
}

/// A column of the county overview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverviewColumn {
    Households,
    Registered,
    Incidence,
    WithFindings,
    Marginal,
    ProjectsServingNone,
    FundsYuan,
    ScatteredFunds,
    WithoutPlan,
    PlanMissesCause,
    WithoutHelper,
    VisitDue,
    ReadyToExit,
    Failing,
    AtRisk,
    CasesOpen,
    CasesOverdue,
    EliminatedThisYear,
}

impl OverviewColumn {
    pub const ALL: [OverviewColumn; 18] = [
        OverviewColumn::Households,
        OverviewColumn::Registered,
        OverviewColumn::Incidence,
        OverviewColumn::WithFindings,
        OverviewColumn::Marginal,
        OverviewColumn::ProjectsServingNone,
        OverviewColumn::FundsYuan,
        OverviewColumn::ScatteredFunds,
        OverviewColumn::WithoutPlan,
        OverviewColumn::PlanMissesCause,
        OverviewColumn::WithoutHelper,
        OverviewColumn::VisitDue,
        OverviewColumn::ReadyToExit,
        OverviewColumn::Failing,
        OverviewColumn::AtRisk,
        OverviewColumn::CasesOpen,
        OverviewColumn::CasesOverdue,
        OverviewColumn::EliminatedThisYear,
    ];

    /// The column's heading.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            OverviewColumn::Households => lang.pick("户数", "Households"),
            OverviewColumn::Registered => lang.pick("建档户", "Registered"),
            OverviewColumn::Incidence => lang.pick("贫困发生率", "Incidence"),
            OverviewColumn::WithFindings => lang.pick("数据问题户", "With findings"),
            OverviewColumn::Marginal => lang.pick("边缘户", "Marginal"),
            OverviewColumn::ProjectsServingNone => {
                lang.pick("无受益户项目", "Projects serving none")
            }
            OverviewColumn::FundsYuan => lang.pick("资金合计(元)", "Funds (yuan)"),
            OverviewColumn::ScatteredFunds => lang.pick("未落实资金", "Scattered funds"),
            OverviewColumn::WithoutPlan => lang.pick("无帮扶计划", "No plan"),
            OverviewColumn::PlanMissesCause => lang.pick("未针对主因", "Plan misses cause"),
            OverviewColumn::WithoutHelper => lang.pick("无帮扶人", "No helper"),
            OverviewColumn::VisitDue => lang.pick("待走访", "Visit due"),
            OverviewColumn::ReadyToExit => lang.pick("可脱贫", "Ready to exit"),
            OverviewColumn::Failing => lang.pick("未达标", "Failing"),
            OverviewColumn::AtRisk => lang.pick("返贫风险", "At risk"),
            OverviewColumn::CasesOpen => lang.pick("监测对象", "Monitoring cases"),
            OverviewColumn::CasesOverdue => lang.pick("监测超时", "Cases overdue"),
            OverviewColumn::EliminatedThisYear => lang.pick("今年风险消除", "Eliminated this year"),
        }
    }

    /// A stable name for scripts (the JSON key).
    pub fn code(self) -> &'static str {
        match self {
            OverviewColumn::Households => "households",
            OverviewColumn::Registered => "registered",
            OverviewColumn::Incidence => "incidence",
            OverviewColumn::WithFindings => "households_with_findings",
            OverviewColumn::Marginal => "marginal",
            OverviewColumn::ProjectsServingNone => "projects_without_households",
            OverviewColumn::FundsYuan => "funds_total_yuan",
            OverviewColumn::ScatteredFunds => "funds_unattached",
            OverviewColumn::WithoutPlan => "without_plan",
            OverviewColumn::PlanMissesCause => "ignoring_main_cause",
            OverviewColumn::WithoutHelper => "without_helper",
            OverviewColumn::VisitDue => "due_visits",
            OverviewColumn::ReadyToExit => "ready",
            OverviewColumn::Failing => "failing",
            OverviewColumn::AtRisk => "at_risk",
            OverviewColumn::CasesOpen => "cases_open",
            OverviewColumn::CasesOverdue => "cases_overdue",
            OverviewColumn::EliminatedThisYear => "eliminated_this_year",
        }
    }

    /// The households the column counts, for the columns that count households.
    pub fn household_figure(self) -> Option<HouseholdFigure> {
        Some(match self {
            OverviewColumn::Households => HouseholdFigure::Households,
            OverviewColumn::WithFindings => HouseholdFigure::WithFindings,
            OverviewColumn::Marginal => HouseholdFigure::Marginal,
            OverviewColumn::WithoutPlan => HouseholdFigure::WithoutPlan,
            OverviewColumn::PlanMissesCause => HouseholdFigure::PlanMissesCause,
            OverviewColumn::WithoutHelper => HouseholdFigure::WithoutHelper,
            OverviewColumn::VisitDue => HouseholdFigure::VisitDue,
            OverviewColumn::ReadyToExit => HouseholdFigure::ReadyToExit,
            OverviewColumn::Failing => HouseholdFigure::Failing,
            OverviewColumn::AtRisk => HouseholdFigure::AtRisk,
            OverviewColumn::Registered
            | OverviewColumn::Incidence
            | OverviewColumn::ProjectsServingNone
            | OverviewColumn::FundsYuan
            | OverviewColumn::ScatteredFunds
            | OverviewColumn::CasesOpen
            | OverviewColumn::CasesOverdue
            | OverviewColumn::EliminatedThisYear => return None,
        })
    }

    /// The column's figure for a village (what it sorts on).
    pub fn value(self, h: &Headline) -> f64 {
        match self {
            OverviewColumn::Households => h.households as f64,
            OverviewColumn::Registered => h.registered as f64,
            OverviewColumn::Incidence => h.incidence.unwrap_or(0.0),
            OverviewColumn::WithFindings => h.households_with_findings as f64,
            OverviewColumn::Marginal => h.marginal as f64,
            OverviewColumn::ProjectsServingNone => h.projects_without_households as f64,
            OverviewColumn::FundsYuan => h.funds_total_yuan,
            OverviewColumn::ScatteredFunds => h.funds_unattached as f64,
            OverviewColumn::WithoutPlan => h.without_plan as f64,
            OverviewColumn::PlanMissesCause => h.ignoring_main_cause as f64,
            OverviewColumn::WithoutHelper => h.without_helper as f64,
            OverviewColumn::VisitDue => h.due_visits as f64,
            OverviewColumn::ReadyToExit => h.ready as f64,
            OverviewColumn::Failing => h.failing as f64,
            OverviewColumn::AtRisk => h.at_risk as f64,
            OverviewColumn::CasesOpen => h.cases_open as f64,
            OverviewColumn::CasesOverdue => h.cases_overdue as f64,
            OverviewColumn::EliminatedThisYear => h.eliminated_this_year as f64,
        }
    }

    /// The figure for a workbook: incidence as the window shows it, the others as numbers.
    pub fn cell(self, h: &Headline) -> Cell {
        match self {
            OverviewColumn::Incidence => Cell::Text(self.text(h)),
            OverviewColumn::FundsYuan => Cell::Number((h.funds_total_yuan * 100.0).round() / 100.0),
            other => Cell::Number(other.value(h)),
        }
    }

    /// The figure for JSON: incidence as a fraction (or null), the others as numbers.
    pub fn json(self, h: &Headline) -> serde_json::Value {
        match self {
            OverviewColumn::Incidence => serde_json::json!(h.incidence),
            OverviewColumn::FundsYuan => {
                serde_json::json!((h.funds_total_yuan * 100.0).round() / 100.0)
            }
            other => serde_json::json!(other.value(h) as u64),
        }
    }

    /// The figure as shown: a percentage, an amount, or a count.
    pub fn text(self, h: &Headline) -> String {
        match self {
            OverviewColumn::Incidence => h
                .incidence
                .map_or("—".to_string(), |i| format!("{:.2}%", i * 100.0)),
            OverviewColumn::FundsYuan => grouped_yuan(h.funds_total_yuan),
            other => format!("{}", other.value(h) as u64),
        }
    }
}

/// Writes a return bundle for every village of a county database into `dir`
/// (`<village code>-return.dripline`); villages with no registered laptop are skipped and named.
pub fn write_returns(
    mut store: Store,
    dir: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<ReturnsWritten, SyncError> {
    let villages = store.villages()?;
    let total = villages.len();
    let mut written = Vec::new();
    let mut without_devices = Vec::new();
    for (done, village) in villages.iter().enumerate() {
        progress(Progress { done, total });
        let out = dir.join(format!("{}-return.dripline", village.code));
        match county::write_return(&mut store, &village.code, &out, &mut |_| {}) {
            Ok(_) => written.push(out),
            Err(SyncError::NoDevicesForVillage(code)) => {
                without_devices.push(format!("{code} {}", village.name))
            }
            Err(e) => return Err(e),
        }
    }
    store.close()?;
    Ok(ReturnsWritten {
        dir: dir.to_path_buf(),
        written,
        without_devices,
    })
}

/// Return bundles written, one per village with registered laptops.
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnsWritten {
    pub dir: PathBuf,
    pub written: Vec<PathBuf>,
    /// "code name" of the villages without a registered laptop.
    pub without_devices: Vec<String>,
}

impl Localize for ReturnsWritten {
    fn localize(&self, lang: Lang) -> String {
        let mut text = match lang {
            Lang::Zh => format!(
                "已生成 {} 个返回包（{}）",
                self.written.len(),
                self.dir.display()
            ),
            Lang::En => format!(
                "{} return bundles written ({})",
                self.written.len(),
                self.dir.display()
            ),
        };
        if !self.without_devices.is_empty() {
            text.push_str(&match lang {
                Lang::Zh => format!(
                    "；以下村还没有登记设备，未生成：{}",
                    self.without_devices.join("、")
                ),
                Lang::En => format!(
                    "; these villages have no registered laptop yet: {}",
                    self.without_devices.join(", ")
                ),
            });
        }
        text
    }
}

/// The return bundle of one village written.
#[derive(Debug, Clone)]
pub struct ReturnWritten {
    pub path: PathBuf,
    pub header: Header,
}

/// Writes the return bundle of the village `code` to `out`.
pub fn write_return(mut store: Store, code: &str, out: &Path) -> Result<ReturnWritten, SyncError> {
    let header = county::write_return(&mut store, code, out, &mut |_| {})?;
    store.close()?;
    Ok(ReturnWritten {
        path: out.to_path_buf(),
        header,
    })
}

impl Localize for ReturnWritten {
    fn localize(&self, lang: Lang) -> String {
        let c = &self.header.counts;
        let (path, records, acks) = (self.path.display(), c.records, c.acknowledgements);
        match lang {
            Lang::Zh => format!("已生成返回包 {path}：{records} 条记录，{acks} 条回执"),
            Lang::En => {
                format!("Return bundle written: {path}: {records} records, {acks} acknowledgements")
            }
        }
    }
}
