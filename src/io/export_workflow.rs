//! Export of the six-precisions work records next to the registry: assistance plans (measures),
//! follow-up visits, funds, and the lists of the six precision panels (六个精准清单) — the
//! households each panel asks the team to look at, with the reason in Chinese.
//!
//! Same conventions as [`super::export`]: a Chinese header row with an English one below it,
//! values in Chinese, one sheet or CSV file per table, villages and households in order. Draft
//! visits (forms still being filled in) are not exported.

use std::collections::HashMap;

use uuid::Uuid;

use super::export::{Cell, Table};
use super::survey::{NO, YES};
use crate::i18n::{Label, Lang};
use crate::model::{HouseholdRecord, Thresholds, Village, VillageWorkflow};
use crate::rules::precisions::lists::{self, Entry, ListKind, Panel};
use crate::rules::precisions::{HouseholdRef, Precisions};

fn text(value: impl Into<String>) -> Cell {
    Cell::Text(value.into())
}

fn date(d: chrono::NaiveDate) -> Cell {
    text(d.to_string())
}

fn money(yuan: f64) -> Cell {
    // Whole fen, as every screen shows amounts.
    Cell::Number((yuan * 100.0).round() / 100.0)
}

fn optional_money(yuan: Option<f64>) -> Cell {
    yuan.map_or(Cell::Empty, money)
}

fn checked(value: Option<bool>) -> Cell {
    match value {
        Some(true) => text(YES.0),
        Some(false) => text(NO.0),
        None => Cell::Empty,
    }
}

const VILLAGE_CODE: (&str, &str) = ("行政区划代码", "Village code");
const NUMBER: (&str, &str) = ("户编号", "Household number");
const HEAD_NAME: (&str, &str) = ("户主姓名", "Head's name");

/// One village's records and six precisions, as the tables read them (the caller evaluates the
/// village; this module only lays the rows out).
#[derive(Debug, Clone, Copy)]
pub struct VillageData<'a> {
    pub village: &'a Village,
    pub records: &'a [HouseholdRecord],
    pub workflow: &'a VillageWorkflow,
    pub precisions: &'a Precisions,
    /// The county's thresholds (the visit interval names a list).
    pub thresholds: &'a Thresholds,
}

impl VillageData<'_> {
    /// (number, head) cells of a household; empty for a link to a deleted household.
    fn household_cells(&self, id: Option<Uuid>) -> [Cell; 2] {
        match id.and_then(|id| self.records.iter().find(|r| r.household.id == id)) {
            Some(r) => [
                text(&r.household.number),
                r.head().map_or(Cell::Empty, |m| text(&m.name)),
            ],
            None => [Cell::Empty, Cell::Empty],
        }
    }

    /// Rank of a household in the register, so that rows follow household numbers.
    fn order(&self) -> HashMap<Uuid, usize> {
        self.records
            .iter()
            .enumerate()
            .map(|(i, r)| (r.household.id, i))
            .collect()
    }
}

/// The four tables (plans, visits, funds, six-precisions lists), filled a village at a time so
/// that a county's villages need not be held in memory together.
#[derive(Debug, Default)]
pub struct WorkflowTables {
    plans: Vec<Vec<Cell>>,
    visits: Vec<Vec<Cell>>,
    funds: Vec<Vec<Cell>>,
    lists: Vec<Vec<Cell>>,
}

impl WorkflowTables {
    /// Adds one village's rows.
    pub fn add(&mut self, data: &VillageData<'_>) {
        self.plans.extend(plan_rows(data));
        self.visits.extend(visit_rows(data));
        self.funds.extend(fund_rows(data));
        self.lists.extend(precision_rows(data));
    }

    /// The tables, villages in the order they were added.
    pub fn finish(self) -> Vec<Table> {
        let WorkflowTables {
            plans,
            visits,
            funds,
            lists,
        } = self;
        vec![
            Table {
                sheet: "帮扶计划 Plans",
                file_stem: "plans",
                headers: vec![
                    VILLAGE_CODE,
                    NUMBER,
                    HEAD_NAME,
                    ("措施类别", "Measure kind"),
                    ("帮扶内容", "Description"),
                    ("帮扶责任人", "Helper"),
                    ("帮扶单位", "Helper unit"),
                    ("项目", "Project"),
                    ("资金来源", "Fund source"),
                    ("金额（元）", "Amount (yuan)"),
                    ("开始日期", "Start"),
                    ("计划完成日期", "Due"),
                    ("预期增收（元）", "Expected income gain (yuan)"),
                    ("进度", "Status"),
                ],
                rows: plans,
            },
            Table {
                sheet: "走访记录 Visits",
                file_stem: "visits",
                headers: vec![
                    VILLAGE_CODE,
                    NUMBER,
                    HEAD_NAME,
                    ("走访日期", "Date"),
                    ("走访人", "Visitors"),
                    ("走访类型", "Kind"),
                    ("不愁吃", "Food"),
                    ("不愁穿", "Clothing"),
                    ("义务教育有保障", "Education"),
                    ("基本医疗有保障", "Medical care"),
                    ("住房安全有保障", "Safe housing"),
                    ("收入年度", "Income year"),
                    ("工资性收入", "Wage income"),
                    ("生产经营性收入", "Production income"),
                    ("财产性收入", "Property income"),
                    ("转移性收入", "Transfer income"),
                    ("生产经营性支出", "Production expenses"),
                    ("风险事件", "Risk events"),
                    ("存在问题", "Problems"),
                    ("下一步措施", "Next actions"),
                    ("备注", "Notes"),
                ],
                rows: visits,
            },
            Table {
                sheet: "资金 Funds",
                file_stem: "funds",
                headers: vec![
                    VILLAGE_CODE,
                    ("日期", "Date"),
                    ("资金来源", "Source"),
                    ("金额（元）", "Amount (yuan)"),
                    ("用途", "Purpose"),
                    ("项目", "Project"),
                    NUMBER,
                    HEAD_NAME,
                    ("对应措施", "Measure"),
                    ("备注", "Note"),
                ],
                rows: funds,
            },
            Table {
                sheet: "六个精准清单 Precisions",
                file_stem: "precisions",
                headers: vec![
                    VILLAGE_CODE,
                    ("村", "Village"),
                    ("精准", "Precision"),
                    ("清单", "List"),
                    NUMBER,
                    HEAD_NAME,
                    ("说明", "Detail"),
                ],
                rows: lists,
            },
        ]
    }
}

fn plan_rows(d: &VillageData<'_>) -> Vec<Vec<Cell>> {
    let order = d.order();
    let mut measures: Vec<_> = d.workflow.measures.iter().collect();
    measures.sort_by_key(|m| (order.get(&m.household_id).copied(), m.start, m.kind));
    measures
        .into_iter()
        .map(|m| {
            let helper = d
                .workflow
                .helpers
                .iter()
                .find(|h| Some(h.id) == m.helper_id);
            let project = d
                .workflow
                .projects
                .iter()
                .find(|p| Some(p.id) == m.project_id);
            let [number, head] = d.household_cells(Some(m.household_id));
            vec![
                text(&d.village.code),
                number,
                head,
                text(m.kind.label(Lang::Zh)),
                text(&m.description),
                helper.map_or(Cell::Empty, |h| text(&h.name)),
                text(&m.helper_unit),
                project.map_or(Cell::Empty, |p| text(&p.name)),
                text(m.fund_source.label(Lang::Zh)),
                money(m.amount_yuan),
                date(m.start),
                date(m.due),
                money(m.expected_income_yuan),
                text(m.status.label(Lang::Zh)),
            ]
        })
        .collect()
}

fn visit_rows(d: &VillageData<'_>) -> Vec<Vec<Cell>> {
    let order = d.order();
    let mut visits: Vec<_> = d.workflow.visits.iter().filter(|v| !v.is_draft).collect();
    visits.sort_by_key(|v| (order.get(&v.household_id).copied(), v.date));
    visits
        .into_iter()
        .map(|v| {
            let [number, head] = d.household_cells(Some(v.household_id));
            let c = &v.checklist;
            let i = v.income.as_ref();
            let risks: Vec<&str> = v.risk_events.iter().map(|e| e.label(Lang::Zh)).collect();
            vec![
                text(&d.village.code),
                number,
                head,
                date(v.date),
                text(&v.visitors),
                text(v.kind.label(Lang::Zh)),
                checked(c.food),
                checked(c.clothing),
                checked(c.education),
                checked(c.medical),
                checked(c.housing),
                i.map_or(Cell::Empty, |i| Cell::Number(f64::from(i.year))),
                optional_money(i.and_then(|i| i.wage_yuan)),
                optional_money(i.and_then(|i| i.production_yuan)),
                optional_money(i.and_then(|i| i.property_yuan)),
                optional_money(i.and_then(|i| i.transfer_yuan)),
                optional_money(i.and_then(|i| i.production_expense_yuan)),
                text(risks.join("、")),
                text(&v.problems),
                text(&v.next_actions),
                text(&v.notes),
            ]
        })
        .collect()
}

fn fund_rows(d: &VillageData<'_>) -> Vec<Vec<Cell>> {
    let mut funds: Vec<_> = d.workflow.funds.iter().collect();
    funds.sort_by_key(|f| f.date);
    funds
        .into_iter()
        .map(|f| {
            let project = d
                .workflow
                .projects
                .iter()
                .find(|p| Some(p.id) == f.project_id);
            let measure = d
                .workflow
                .measures
                .iter()
                .find(|m| Some(m.id) == f.measure_id);
            let [number, head] = d.household_cells(f.household_id);
            vec![
                text(&d.village.code),
                date(f.date),
                text(f.source.label(Lang::Zh)),
                money(f.amount_yuan),
                text(f.purpose.label(Lang::Zh)),
                project.map_or(Cell::Empty, |p| text(&p.name)),
                number,
                head,
                measure.map_or(Cell::Empty, |m| text(&m.description)),
                text(&f.note),
            ]
        })
        .collect()
}

/// One row per entry of each panel's lists (a household, or a fund entry with the household it went
/// to if any), in the order the window shows the panels, in the
/// words of `rules::precisions::lists`.
fn precision_rows(d: &VillageData<'_>) -> Vec<Vec<Cell>> {
    let zh = Lang::Zh;
    let days = d.thresholds.visit_interval_days;
    let mut rows = Vec::new();
    let mut push = |panel: Panel, list: ListKind, h: Option<&HouseholdRef>, detail: &str| {
        rows.push(vec![
            text(&d.village.code),
            text(&d.village.name),
            text(panel.name(zh)),
            text(list.name(zh, days)),
            h.map_or(Cell::Empty, |h| text(&h.number)),
            h.and_then(|h| h.head_name.as_deref())
                .map_or(Cell::Empty, text),
            text(detail),
        ]);
    };
    for panel in lists::panels(d.precisions, d.records, d.thresholds, zh) {
        for entry in &panel.entries {
            match entry {
                Entry::Line {
                    list,
                    household,
                    reason,
                } => push(panel.panel, *list, Some(household), reason),
                Entry::Fund {
                    list,
                    text: detail,
                    household,
                } => push(panel.panel, *list, household.as_ref(), detail),
                Entry::Project {
                    detail, households, ..
                } => {
                    for h in households {
                        push(panel.panel, ListKind::ProjectHouseholds, Some(h), detail);
                    }
                }
                Entry::Figure { .. } | Entry::Note { .. } | Entry::Amounts { .. } => {}
            }
        }
    }
    rows
}
