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
use crate::i18n::{Label, Lang, Localize};
use crate::model::{HouseholdRecord, Village, VillageWorkflow};
use crate::rules::plan::{CauseAnswers, PlanGap};
use crate::rules::precisions::{
    self, AtRisk, ExitFailing, HouseholdRef, PrecisionInputs, Precisions, SplitHeuristic,
};
use crate::store::{Store, StoreError};

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

/// One village's records, as the tables read them.
struct VillageData {
    village: Village,
    records: Vec<HouseholdRecord>,
    workflow: VillageWorkflow,
}

impl VillageData {
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

/// The four tables (plans, visits, funds, six-precisions lists) of every village in the store.
pub fn workflow_tables(store: &Store) -> Result<Vec<Table>, StoreError> {
    let lines = store.poverty_lines()?;
    let thresholds = store.thresholds()?;
    let now = chrono::Local::now().date_naive();
    let mut plans = Vec::new();
    let mut visits = Vec::new();
    let mut funds = Vec::new();
    let mut lists = Vec::new();
    for village in store.villages()? {
        let data = VillageData {
            records: store.household_records(Some(village.id))?,
            workflow: store.village_workflow(village.id)?,
            village,
        };
        plans.extend(plan_rows(&data));
        visits.extend(visit_rows(&data));
        funds.extend(fund_rows(&data));
        let today = crate::demo::evaluation_date(&data.village, now);
        let p = precisions::evaluate(&PrecisionInputs {
            village: &data.village,
            records: &data.records,
            workflow: &data.workflow,
            lines: &lines,
            thresholds: &thresholds,
            cause_answers: &CauseAnswers::default(),
            split: &SplitHeuristic::default(),
            today,
        });
        lists.extend(precision_rows(&data, &p, thresholds.visit_interval_days));
    }

    Ok(vec![
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
    ])
}

fn plan_rows(d: &VillageData) -> Vec<Vec<Cell>> {
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

fn visit_rows(d: &VillageData) -> Vec<Vec<Cell>> {
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

fn fund_rows(d: &VillageData) -> Vec<Vec<Cell>> {
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

/// One row per household on each panel's list, in the order the window shows the panels.
fn precision_rows(d: &VillageData, p: &Precisions, visit_days: u32) -> Vec<Vec<Cell>> {
    let zh = Lang::Zh;
    let mut rows = Vec::new();
    let by_id = |id: Uuid| d.records.iter().find(|r| r.household.id == id);
    let mut push = |panel: &str, list: &str, h: &HouseholdRef, detail: String| {
        rows.push(vec![
            text(&d.village.code),
            text(&d.village.name),
            text(panel),
            text(list),
            text(&h.number),
            h.head_name.as_deref().map_or(Cell::Empty, text),
            text(detail),
        ]);
    };

    const TARGETS: &str = "扶持对象精准";
    for f in &p.targets.findings {
        let h = by_id(f.household_id)
            .map(HouseholdRef::of)
            .unwrap_or(HouseholdRef {
                household_id: f.household_id,
                number: f.household_number.clone(),
                head_name: None,
            });
        push(TARGETS, "数据问题", &h, f.localize(zh));
    }
    for m in &p.targets.marginal {
        let detail = precisions::AtRiskReason::LatestIncome {
            year: m.year,
            per_capita_yuan: m.per_capita_yuan,
            warning_line_yuan: m.warning_line_yuan,
        }
        .localize(zh);
        push(TARGETS, "边缘易致贫户", &m.household, detail);
    }
    for f in &p.targets.duplicate_ids {
        if let Some(r) = by_id(f.household_id) {
            push(TARGETS, "识别存疑", &HouseholdRef::of(r), f.localize(zh));
        }
    }
    for s in &p.targets.elderly_splits {
        push(TARGETS, "识别存疑", &s.household, s.localize(zh));
    }

    const PROJECTS: &str = "项目安排精准";
    for x in &p.projects.projects {
        for h in &x.households {
            push(
                PROJECTS,
                "项目受益户",
                h,
                format!("{}（{}）", x.name, x.kind.label(zh)),
            );
        }
    }

    const MEASURES: &str = "措施到户精准";
    for h in &p.measures.without_plan {
        push(
            MEASURES,
            "没有帮扶计划",
            h,
            PlanGap::NoMeasures.localize(zh),
        );
    }
    for g in &p.measures.ignoring_main_cause {
        push(
            MEASURES,
            "措施未针对主要致贫原因",
            &g.household,
            g.gap.localize(zh),
        );
    }
    for r in &p.measures.repeated {
        push(MEASURES, "多头重复帮扶", &r.household, r.localize(zh));
    }

    const PERSONNEL: &str = "因村派人精准";
    for h in &p.personnel.without_helper {
        push(
            PERSONNEL,
            "没有帮扶责任人",
            h,
            "没有帮扶责任人，请安排结对帮扶。".to_string(),
        );
    }
    let due_list = format!("超过{visit_days}天未走访");
    for due in &p.personnel.due_visits {
        if let Some(r) = by_id(due.household_id) {
            push(PERSONNEL, &due_list, &HouseholdRef::of(r), due.localize(zh));
        }
    }

    const RESULTS: &str = "脱贫成效精准";
    for x in &p.results.ready {
        push(
            RESULTS,
            "可申请退出",
            &x.household,
            format!("按{}年收入达到“一超六有”标准，可以申请退出。", x.year),
        );
    }
    for x in &p.results.failing {
        push(RESULTS, "未达脱贫标准", &x.household, failing_detail(x));
    }
    for x in &p.results.at_risk {
        push(RESULTS, "返贫风险", &x.household, at_risk_detail(x));
    }
    rows
}

fn failing_detail(f: &ExitFailing) -> String {
    f.assessment
        .failed()
        .map(|item| {
            let reasons: Vec<String> = item.reasons.iter().map(|r| r.localize(Lang::Zh)).collect();
            format!("{}：{}", item.criterion.label(Lang::Zh), reasons.join(""))
        })
        .collect()
}

fn at_risk_detail(a: &AtRisk) -> String {
    a.reasons.iter().map(|r| r.localize(Lang::Zh)).collect()
}
