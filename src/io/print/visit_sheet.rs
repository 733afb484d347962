//! The visit sheet (入户走访记录单): taken to the household on paper and typed in afterwards. The
//! household's header, then the 两不愁三保障 checklist, the income items, risk events, problems
//! and next steps — each with the value of the last finished visit beside an empty box to fill.

use super::layout::{BODY_SIZE, Cell, Layout, SMALL_SIZE, Table};
use super::{PaperInputs, PrintOptions, helpers_of, show_id};
use crate::i18n::{Label, Lang};
use crate::model::{RiskEvent, Visit, VisitIncome};
use crate::rules::income::{IncomeItem, yuan};

/// The last finished (not draft) visit of the household.
pub(super) fn last_visit<'a>(input: &'a PaperInputs<'_>) -> Option<&'a Visit> {
    input
        .workflow
        .visits
        .iter()
        .filter(|v| v.household_id == input.record.household.id && !v.is_draft)
        .max_by_key(|v| v.date)
}

fn checked(value: Option<bool>, lang: Lang) -> &'static str {
    match value {
        Some(true) => lang.pick("是", "yes"),
        Some(false) => lang.pick("否", "no"),
        None => lang.pick("未查", "not checked"),
    }
}

fn visit_item(income: &VisitIncome, item: IncomeItem) -> Option<f64> {
    match item {
        IncomeItem::Wage => income.wage_yuan,
        IncomeItem::Production => income.production_yuan,
        IncomeItem::Property => income.property_yuan,
        IncomeItem::Transfer => income.transfer_yuan,
        IncomeItem::ProductionExpense => income.production_expense_yuan,
    }
}

pub(super) fn lay_out(layout: &mut Layout, input: &PaperInputs<'_>, options: &PrintOptions) {
    let lang = options.lang;
    let r = input.record;
    let h = &r.household;
    let v = input.village;
    let last = last_visit(input);
    layout.title(lang.pick("入户走访记录单", "Visit sheet (入户走访记录单)"));
    layout.paragraph(
        &match lang {
            Lang::Zh => format!(
                "{}{}{}　户编号：{}　打印日期：{}",
                v.county, v.township, v.name, h.number, input.printed_on
            ),
            Lang::En => format!(
                "{}, {}, {} · household {} · printed {}",
                v.name, v.township, v.county, h.number, input.printed_on
            ),
        },
        BODY_SIZE,
    );
    layout.space(4.0);

    let head = r.head();
    let helpers: Vec<String> = helpers_of(input)
        .iter()
        .map(|x| format!("{} {}", x.name, x.phone).trim().to_string())
        .collect();
    let helpers = if helpers.is_empty() {
        if h.unmatched_helper_name.trim().is_empty() {
            "—".to_string()
        } else {
            h.unmatched_helper_name.clone()
        }
    } else {
        helpers.join(lang.pick("；", "; "))
    };
    let last_text = match last {
        Some(visit) => format!(
            "{} · {} · {}",
            visit.date,
            visit.kind.label(lang),
            visit.visitors
        ),
        None => lang.pick("无走访记录", "No visit yet").to_string(),
    };
    let header = Table::new(
        &[1.2, 2.0, 1.2, 2.0],
        None,
        vec![
            vec![
                Cell::label(lang.pick("户主姓名", "Head of household")),
                Cell::text(head.map_or("—".to_string(), |m| m.name.clone())),
                Cell::label(lang.pick("身份证号", "ID number")),
                Cell::text(head.map_or("—".to_string(), |m| show_id(&m.id_number, options))),
            ],
            vec![
                Cell::label(lang.pick("家庭人口", "Household size")),
                Cell::text(r.size().to_string()),
                Cell::label(lang.pick("联系电话", "Phone")),
                Cell::text(&h.phone),
            ],
            vec![
                Cell::label(lang.pick("家庭住址", "Address")),
                Cell::text(&h.address),
                Cell::label(lang.pick("户状态", "Status")),
                Cell::text(h.status.label(lang)),
            ],
            vec![
                Cell::label(lang.pick("帮扶责任人", "Helpers")),
                Cell::text(helpers),
                Cell::label(lang.pick("上次走访", "Last visit")),
                Cell::text(last_text),
            ],
            vec![
                Cell::label(lang.pick("本次走访日期", "Date of this visit")),
                Cell::blank(1),
                Cell::label(lang.pick("走访人", "Visitors")),
                Cell::blank(1),
            ],
        ],
    );
    layout.table(&header);

    // ---------------------------------------------------------------- 两不愁三保障
    let box_yes_no = lang.pick("□ 是　□ 否", "□ yes  □ no");
    let c = last.map(|v| v.checklist).unwrap_or_default();
    let checklist_rows: Vec<Vec<Cell>> = [
        (lang.pick("不愁吃", "Food"), c.food),
        (lang.pick("不愁穿", "Clothing"), c.clothing),
        (lang.pick("义务教育有保障", "Education"), c.education),
        (lang.pick("基本医疗有保障", "Basic medical care"), c.medical),
        (lang.pick("住房安全有保障", "Safe housing"), c.housing),
    ]
    .into_iter()
    .map(|(item, value)| {
        vec![
            Cell::label(item),
            Cell::text(if last.is_some() {
                checked(value, lang)
            } else {
                "—"
            }),
            Cell::text(box_yes_no),
            Cell::blank(1),
        ]
    })
    .collect();
    let checklist = Table::new(
        &[2.0, 1.2, 1.6, 3.0],
        Some(
            [
                lang.pick("两不愁三保障", "Basic needs"),
                lang.pick("上次", "Last time"),
                lang.pick("本次", "This visit"),
                lang.pick("情况说明", "Remarks"),
            ]
            .map(String::from)
            .to_vec(),
        ),
        checklist_rows,
    );
    layout.heading(
        lang.pick("一、两不愁三保障", "1. Basic needs (两不愁三保障)"),
        layout.first_rows_height(&checklist),
    );
    layout.table(&checklist);

    // ---------------------------------------------------------------- income
    // The last visit's figures where it asked them, else the latest income record on file.
    let last_income = last.and_then(|v| v.income);
    let latest_record = r.latest_income();
    let year_text = last_income
        .map(|i| i.year)
        .or(latest_record.map(|i| i.year))
        .map_or("—".to_string(), |y| y.to_string());
    let mut income_rows = vec![vec![
        Cell::label(lang.pick("收入年度", "Income year")),
        Cell::text(year_text),
        Cell::blank(1),
    ]];
    income_rows.extend(IncomeItem::ALL.iter().map(|&item| {
        let previous = last_income
            .and_then(|i| visit_item(&i, item))
            .or(latest_record.map(|i| item.amount(i)));
        vec![
            Cell::label(item.label(lang)),
            Cell::figure(previous.map_or("—".to_string(), yuan)),
            Cell::blank(1),
        ]
    }));
    let income_table = Table::new(
        &[2.5, 1.6, 3.0],
        Some(
            [
                lang.pick("收入项目（元）", "Income item (yuan)"),
                lang.pick("上次 / 在册", "Last / on file"),
                lang.pick("本次填写", "This visit"),
            ]
            .map(String::from)
            .to_vec(),
        ),
        income_rows,
    );
    layout.heading(
        lang.pick("二、收入情况", "2. Income"),
        layout.first_rows_height(&income_table),
    );
    layout.table(&income_table);

    // ---------------------------------------------------------------- risks, problems, next steps
    let risk_boxes: Vec<String> = RiskEvent::ALL
        .iter()
        .map(|e| format!("□ {}", e.label(lang)))
        .collect();
    let last_risks: Vec<&str> = last
        .map(|v| v.risk_events.iter().map(|e| e.label(lang)).collect())
        .unwrap_or_default();
    let last_or_dash = |s: Option<&str>| match s {
        Some(s) if !s.trim().is_empty() => s.to_string(),
        _ => "—".to_string(),
    };
    let notes = Table::new(
        &[1.6, 2.6, 3.6],
        Some(
            [
                lang.pick("项目", "Item"),
                lang.pick("上次", "Last time"),
                lang.pick("本次填写", "This visit"),
            ]
            .map(String::from)
            .to_vec(),
        ),
        vec![
            vec![
                Cell::label(lang.pick("风险事件", "Risk events")),
                Cell::text(if last_risks.is_empty() {
                    lang.pick("无", "none").to_string()
                } else {
                    last_risks.join(lang.pick("、", ", "))
                }),
                Cell::text(risk_boxes.join("　")),
            ],
            vec![
                Cell::label(lang.pick("存在问题", "Problems")),
                Cell::text(last_or_dash(last.map(|v| v.problems.as_str()))),
                Cell::blank(4),
            ],
            vec![
                Cell::label(lang.pick("下一步措施", "Next steps")),
                Cell::text(last_or_dash(last.map(|v| v.next_actions.as_str()))),
                Cell::blank(4),
            ],
            vec![
                Cell::label(lang.pick("其他情况", "Notes")),
                Cell::text(last_or_dash(last.map(|v| v.notes.as_str()))),
                Cell::blank(3),
            ],
        ],
    );
    layout.heading(
        lang.pick("三、风险与问题", "3. Risks and problems"),
        layout.first_rows_height(&notes),
    );
    layout.table(&notes);

    layout.space(12.0);
    layout.paragraph(
        lang.pick(
            "走访人签字：____________　　户主签字：____________　　日期：______年____月____日",
            "Visitor: ____________   Head of household: ____________   Date: ____________",
        ),
        BODY_SIZE,
    );
    layout.paragraph(
        lang.pick(
            "填写说明：在“本次”栏勾选或填写；未询问的项目留空。回村后在“走访记录”中录入。",
            "Tick or fill in the “this visit” column; leave items not asked blank. Enter the sheet under Visits afterwards.",
        ),
        SMALL_SIZE,
    );
}
