//! The household card (扶贫明白卡): who the household is, why it is poor, who helps it and how to
//! reach them, the measures of its plan with their funds, the money that reached it, and its
//! income year by year against the poverty line. Hung on the household's wall and kept in the
//! village file, so it must read on paper without the app.

use super::layout::{Cell, Layout, Table};
use super::{PaperInputs, PrintOptions, helpers_of, show_id};
use crate::i18n::{Label, Lang};
use crate::model::HouseholdStatus;
use crate::rules::income::{IncomeItem, net_income, per_capita, yuan};

pub(super) fn lay_out(layout: &mut Layout, input: &PaperInputs<'_>, options: &PrintOptions) {
    let lang = options.lang;
    let r = input.record;
    let h = &r.household;
    let v = input.village;
    layout.title(lang.pick("扶贫明白卡", "Household card (扶贫明白卡)"));
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
        super::layout::BODY_SIZE,
    );
    layout.space(4.0);
    // Sections are numbered as printed: the funds section only appears when money reached the
    // household.
    let mut section = Sections { lang, count: 0 };

    // ---------------------------------------------------------------- basics
    let head = r.head();
    let head_name = head.map_or("—".to_string(), |m| m.name.clone());
    let head_id = head.map_or("—".to_string(), |m| show_id(&m.id_number, options));
    let status = match h.status {
        HouseholdStatus::Exited { year } => match lang {
            Lang::Zh => format!("{}（{year}年）", h.status.label(lang)),
            Lang::En => format!("{} ({year})", h.status.label(lang)),
        },
        _ => h.status.label(lang).to_string(),
    };
    let other_causes: Vec<&str> = h.other_causes.iter().map(|c| c.label(lang)).collect();
    let basics = Table::new(
        &[1.2, 2.0, 1.2, 2.0],
        None,
        vec![
            vec![
                Cell::label(lang.pick("户主姓名", "Head of household")),
                Cell::text(&head_name),
                Cell::label(lang.pick("身份证号", "ID number")),
                Cell::text(head_id),
            ],
            vec![
                Cell::label(lang.pick("家庭人口", "Household size")),
                Cell::text(match lang {
                    Lang::Zh => format!("{} 人", r.size()),
                    Lang::En => format!("{}", r.size()),
                }),
                Cell::label(lang.pick("联系电话", "Phone")),
                Cell::text(dash(&h.phone)),
            ],
            vec![
                Cell::label(lang.pick("家庭住址", "Address")),
                Cell::text(dash(&h.address)),
                Cell::label(lang.pick("户状态", "Status")),
                Cell::text(status),
            ],
            vec![
                Cell::label(lang.pick("贫困户属性", "Poverty attribute")),
                Cell::text(h.attribute.label(lang)),
                Cell::label(lang.pick("主要致贫原因", "Main cause")),
                Cell::text(h.main_cause.map_or("—", |c| c.label(lang))),
            ],
            vec![
                Cell::label(lang.pick("其他致贫原因", "Other causes")),
                Cell::text(if other_causes.is_empty() {
                    "—".to_string()
                } else {
                    other_causes.join(lang.pick("、", ", "))
                }),
                Cell::label(lang.pick("耕地 / 林地（亩）", "Arable / forest land (mu)")),
                Cell::text(format!(
                    "{} / {}",
                    h.living.arable_land_mu, h.living.forest_land_mu
                )),
            ],
        ],
    );
    layout.heading(
        &section.next(lang.pick("家庭基本情况", "The household")),
        layout.first_rows_height(&basics),
    );
    layout.table(&basics);

    // ---------------------------------------------------------------- members
    let members = Table::new(
        &[1.3, 1.0, 0.8, 1.4, 2.6, 1.1, 1.1, 1.1, 1.5],
        Some(
            [
                lang.pick("姓名", "Name"),
                lang.pick("与户主关系", "Relation"),
                lang.pick("性别", "Sex"),
                lang.pick("出生日期", "Born"),
                lang.pick("身份证号", "ID number"),
                lang.pick("健康状况", "Health"),
                lang.pick("劳动能力", "Labour"),
                lang.pick("务工状况", "Work"),
                lang.pick("保障", "Cover"),
            ]
            .map(String::from)
            .to_vec(),
        ),
        r.members
            .iter()
            .map(|m| {
                let mut cover = Vec::new();
                if m.medical_insurance {
                    cover.push(lang.pick("医保", "medical"));
                }
                if m.pension_insurance {
                    cover.push(lang.pick("养老", "pension"));
                }
                if m.dibao {
                    cover.push(lang.pick("低保", "dibao"));
                }
                if m.in_school {
                    cover.push(lang.pick("在校", "in school"));
                }
                vec![
                    Cell::text(&m.name),
                    Cell::text(m.relation.label(lang)),
                    Cell::text(m.sex.label(lang)),
                    Cell::text(m.birth_date.to_string()),
                    Cell::text(show_id(&m.id_number, options)),
                    Cell::text(m.health.label(lang)),
                    Cell::text(m.labour.label(lang)),
                    Cell::text(m.work.label(lang)),
                    Cell::text(cover.join(lang.pick("、", ", "))),
                ]
            })
            .collect(),
    );
    layout.heading(
        &section.next(lang.pick("家庭成员", "Members")),
        layout.first_rows_height(&members),
    );
    layout.table(&members);

    // ---------------------------------------------------------------- helpers
    let helpers = helpers_of(input);
    let mut helper_rows: Vec<Vec<Cell>> = helpers
        .iter()
        .map(|helper| {
            vec![
                Cell::text(&helper.name),
                Cell::text(dash(&helper.unit)),
                Cell::text(dash(&helper.phone)),
            ]
        })
        .collect();
    // A helper name kept because it matched no helper of the register (often with the unit,
    // "母志兵（县财政局）") is printed too, unless a registered helper's name is inside it.
    if !h.unmatched_helper_name.trim().is_empty()
        && !helpers
            .iter()
            .any(|x| h.unmatched_helper_name.contains(x.name.as_str()))
    {
        helper_rows.push(vec![
            Cell::text(&h.unmatched_helper_name),
            Cell::text("—"),
            Cell::text("—"),
        ]);
    }
    if helper_rows.is_empty() {
        helper_rows.push(vec![
            Cell::text(lang.pick("尚未安排帮扶责任人", "No helper assigned yet")),
            Cell::text(""),
            Cell::text(""),
        ]);
    }
    let helper_table = Table::new(
        &[1.5, 3.0, 1.8],
        Some(
            [
                lang.pick("帮扶责任人", "Helper"),
                lang.pick("帮扶单位", "Unit"),
                lang.pick("联系电话", "Phone"),
            ]
            .map(String::from)
            .to_vec(),
        ),
        helper_rows,
    );
    layout.heading(
        &section.next(lang.pick("帮扶责任人", "Helpers")),
        layout.first_rows_height(&helper_table),
    );
    layout.table(&helper_table);

    // ---------------------------------------------------------------- measures
    let mut measures: Vec<_> = input
        .workflow
        .measures
        .iter()
        .filter(|m| m.household_id == h.id)
        .collect();
    measures.sort_by_key(|m| (m.start, m.kind));
    let helper_name = |id| {
        input
            .workflow
            .helpers
            .iter()
            .find(|x| Some(x.id) == id)
            .map_or("", |x| x.name.as_str())
    };
    let project_name = |id| {
        input
            .workflow
            .projects
            .iter()
            .find(|p| Some(p.id) == id)
            .map(|p| p.name.as_str())
    };
    let mut measure_rows: Vec<Vec<Cell>> = measures
        .iter()
        .map(|m| {
            let mut what = m.description.clone();
            if let Some(project) = project_name(m.project_id) {
                what = match lang {
                    Lang::Zh => format!("{what}（项目：{project}）"),
                    Lang::En => format!("{what} (project: {project})"),
                };
            }
            let who = [helper_name(m.helper_id), m.helper_unit.as_str()]
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
            vec![
                Cell::text(m.kind.label(lang)),
                Cell::text(what),
                Cell::text(dash(&who)),
                Cell::text(m.fund_source.label(lang)),
                Cell::figure(yuan(m.amount_yuan)),
                Cell::text(format!("{} — {}", m.start, m.due)),
                Cell::text(m.status.label(lang)),
                Cell::figure(yuan(m.expected_income_yuan)),
            ]
        })
        .collect();
    if measure_rows.is_empty() {
        measure_rows.push(vec![
            Cell::text(lang.pick("尚无帮扶措施", "No measures yet")),
            Cell::text(""),
            Cell::text(""),
            Cell::text(""),
            Cell::text(""),
            Cell::text(""),
            Cell::text(""),
            Cell::text(""),
        ]);
    } else {
        let total: f64 = measures.iter().map(|m| m.amount_yuan).sum();
        let expected: f64 = measures.iter().map(|m| m.expected_income_yuan).sum();
        measure_rows.push(vec![
            Cell::label(lang.pick("合计", "Total")),
            Cell::label(""),
            Cell::label(""),
            Cell::label(""),
            Cell::figure(yuan(total)),
            Cell::label(""),
            Cell::label(""),
            Cell::figure(yuan(expected)),
        ]);
    }
    let measure_table = Table::new(
        &[1.1, 2.6, 1.8, 1.1, 1.0, 1.9, 0.9, 1.0],
        Some(
            [
                lang.pick("措施类别", "Kind"),
                lang.pick("帮扶内容", "Measure"),
                lang.pick("责任人 · 单位", "Helper · unit"),
                lang.pick("资金来源", "Funds from"),
                lang.pick("金额（元）", "Amount (yuan)"),
                lang.pick("起止时间", "From — due"),
                lang.pick("进度", "Status"),
                lang.pick("预期增收（元）", "Expected gain (yuan)"),
            ]
            .map(String::from)
            .to_vec(),
        ),
        measure_rows,
    );
    layout.heading(
        &section.next(lang.pick("帮扶措施及资金", "Measures and their funds")),
        layout.first_rows_height(&measure_table),
    );
    layout.table(&measure_table);

    // ---------------------------------------------------------------- funds received
    let mut funds: Vec<_> = input
        .workflow
        .funds
        .iter()
        .filter(|f| f.household_id == Some(h.id))
        .collect();
    funds.sort_by_key(|f| f.date);
    if !funds.is_empty() {
        let mut rows: Vec<Vec<Cell>> = funds
            .iter()
            .map(|f| {
                vec![
                    Cell::text(f.date.to_string()),
                    Cell::text(f.source.label(lang)),
                    Cell::text(f.purpose.label(lang)),
                    Cell::figure(yuan(f.amount_yuan)),
                    Cell::text(&f.note),
                ]
            })
            .collect();
        rows.push(vec![
            Cell::label(lang.pick("合计", "Total")),
            Cell::label(""),
            Cell::label(""),
            Cell::figure(yuan(funds.iter().map(|f| f.amount_yuan).sum())),
            Cell::label(""),
        ]);
        let fund_table = Table::new(
            &[1.2, 1.4, 1.4, 1.2, 3.0],
            Some(
                [
                    lang.pick("日期", "Date"),
                    lang.pick("资金来源", "Source"),
                    lang.pick("用途", "Purpose"),
                    lang.pick("金额（元）", "Amount (yuan)"),
                    lang.pick("备注", "Note"),
                ]
                .map(String::from)
                .to_vec(),
            ),
            rows,
        );
        layout.heading(
            &section.next(lang.pick("到户资金", "Funds received")),
            layout.first_rows_height(&fund_table),
        );
        layout.table(&fund_table);
    }

    // ---------------------------------------------------------------- incomes
    let mut incomes: Vec<_> = r.incomes.iter().collect();
    incomes.sort_by_key(|i| i.year);
    let mut income_rows: Vec<Vec<Cell>> = incomes
        .iter()
        .map(|i| {
            let mut row = vec![Cell::text(i.year.to_string())];
            row.extend(IncomeItem::ALL.map(|item| Cell::figure(yuan(item.amount(i)))));
            row.push(Cell::figure(yuan(net_income(i))));
            row.push(Cell::figure(
                per_capita(i, r.size()).map_or("—".to_string(), yuan),
            ));
            let standard = input.lines.standard_for(i.year, input.thresholds);
            row.push(Cell::figure(
                standard.map_or("—".to_string(), |s| yuan(s.line_yuan)),
            ));
            let standing = per_capita(i, r.size())
                .zip(standard)
                .map(|(p, s)| s.standing(p).label(lang));
            row.push(Cell::text(standing.unwrap_or("—")));
            row
        })
        .collect();
    if income_rows.is_empty() {
        let mut row = vec![Cell::text(lang.pick("尚无收入记录", "No income recorded"))];
        row.extend((0..IncomeItem::ALL.len() + 4).map(|_| Cell::text("")));
        income_rows.push(row);
    }
    let mut income_header = vec![lang.pick("年度", "Year").to_string()];
    income_header.extend(IncomeItem::ALL.map(|item| item.label(lang).to_string()));
    income_header.extend(
        [
            lang.pick("家庭纯收入", "Net income"),
            lang.pick("人均纯收入", "Per capita"),
            lang.pick("扶贫标准", "Poverty line"),
            lang.pick("对照标准", "Against the line"),
        ]
        .map(String::from),
    );
    let mut widths = vec![0.7];
    widths.extend(IncomeItem::ALL.map(|_| 1.0));
    widths.extend([1.1, 1.1, 1.0, 1.6]);
    let income_table = Table::new(&widths, Some(income_header), income_rows);
    layout.heading(
        &section.next(lang.pick("历年收入（元）", "Income by year (yuan)")),
        layout.first_rows_height(&income_table),
    );
    layout.table(&income_table);

    layout.space(10.0);
    layout.paragraph(
        lang.pick(
            "户主签字：____________　　帮扶责任人签字：____________　　村委会（盖章）",
            "Head of household: ____________   Helper: ____________   Village committee (seal)",
        ),
        super::layout::BODY_SIZE,
    );
    if !options.full_ids {
        layout.paragraph(
            lang.pick(
                "注：为保护个人信息，身份证号只显示前六位和后四位。",
                "Note: ID numbers show only their first six and last four characters, to protect personal data.",
            ),
            super::layout::SMALL_SIZE,
        );
    }
}

fn dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".to_string()
    } else {
        s.to_string()
    }
}

/// Numbers the headings 一、二、… (or 1. 2. …) in the order they are printed.
struct Sections {
    lang: Lang,
    count: usize,
}

impl Sections {
    fn next(&mut self, title: &str) -> String {
        const ZH: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
        self.count += 1;
        match self.lang {
            Lang::Zh => format!("{}、{title}", ZH.get(self.count - 1).unwrap_or(&"")),
            Lang::En => format!("{}. {title}", self.count),
        }
    }
}
