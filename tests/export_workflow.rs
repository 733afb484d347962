//! Export of the work records beside the registry: plans, visits, funds and the six-precisions
//! lists, to XLSX and CSV, read back with calamine and csv as the county's clerk would open them.

mod common;

use common::cli::dripline;

use std::path::Path;

use calamine::{Data, Reader};
use chrono::NaiveDate;
use common::*;
use dripline::model::*;
use dripline::store::Store;
use uuid::Uuid;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Household 007 (王建国) with a helper, a project, a measure, a fund entry, a finished visit and
/// a draft; household 008 (registered) with neither helper nor plan.
fn fixture(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("village.sqlite");
    let mut store = Store::open_or_create(&path).unwrap();
    let village = village();
    store.save_village(&village).unwrap();
    let h = household(village.id, "007");
    store.save_household(&h).unwrap();
    store
        .save_member(&member(h.id, "王建国", Relation::Head, 11), today())
        .unwrap();
    store
        .save_income(&income(h.id, 2019, 9000.0), today())
        .unwrap();
    let alone = household(village.id, "008");
    store.save_household(&alone).unwrap();
    store
        .save_member(&member(alone.id, "陈德福", Relation::Head, 21), today())
        .unwrap();

    let helper = Helper {
        id: Uuid::new_v4(),
        village_id: village.id,
        name: "赵志刚".into(),
        unit: "县农业农村局".into(),
        phone: "13912345678".into(),
        household_ids: vec![h.id],
    };
    store.save_helper(&helper).unwrap();
    let project = Project {
        id: Uuid::new_v4(),
        village_id: village.id,
        name: "脆红李产业园".into(),
        kind: ProjectKind::ALL[0],
        budget_yuan: 50000.0,
        start: date(2019, 2, 1),
        end: None,
        household_ids: vec![h.id],
    };
    store.save_project(&project).unwrap();
    let measure = Measure {
        id: Uuid::new_v4(),
        household_id: h.id,
        kind: MeasureKind::Production,
        description: "种植脆红李五亩".into(),
        helper_id: Some(helper.id),
        helper_unit: "县农业农村局".into(),
        project_id: Some(project.id),
        fund_source: FundSource::County,
        amount_yuan: 3000.0,
        start: date(2019, 3, 1),
        due: date(2019, 12, 31),
        expected_income_yuan: 1500.0,
        status: MeasureStatus::InProgress,
    };
    store.save_measure(&measure).unwrap();
    store
        .save_fund_entry(&FundEntry {
            id: Uuid::new_v4(),
            village_id: village.id,
            source: FundSource::County,
            amount_yuan: 3000.0,
            date: date(2019, 4, 2),
            purpose: MeasureKind::Production,
            project_id: Some(project.id),
            household_id: Some(h.id),
            measure_id: Some(measure.id),
            note: "李树苗款".into(),
        })
        .unwrap();
    let visit = |problems: &str, draft: bool| Visit {
        id: Uuid::new_v4(),
        household_id: h.id,
        date: date(2020, 6, 10),
        visitors: "赵志刚".into(),
        kind: VisitKind::Routine,
        notes: String::new(),
        checklist: VisitChecklist {
            food: Some(true),
            clothing: Some(true),
            education: None,
            medical: Some(false),
            housing: Some(true),
        },
        income: Some(VisitIncome {
            year: 2020,
            wage_yuan: Some(4321.0),
            production_yuan: None,
            property_yuan: None,
            transfer_yuan: None,
            production_expense_yuan: None,
        }),
        risk_events: vec![RiskEvent::SeriousIllness],
        problems: problems.into(),
        next_actions: "联系镇卫生院复查".into(),
        is_draft: draft,
    };
    store
        .save_visit(&visit("医保报销未到账", false), today())
        .unwrap();
    store.save_visit(&visit("草稿", true), today()).unwrap();
    store.close().unwrap();
    path
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Float(f) => format!("{f}"),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut workbook = calamine::open_workbook_auto(path).unwrap();
    let range = workbook.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect()
}

/// The value under the Chinese header `column` in `row`.
fn at<'a>(rows: &'a [Vec<String>], row: &'a [String], column: &str) -> &'a str {
    let i = rows[0]
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column} in {:?}", rows[0]));
    &row[i]
}

#[test]
fn xlsx_export_has_plans_visits_funds_and_the_six_precisions_lists() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let out = dir.path().join("export.xlsx");
    let run = dripline(&[
        "export",
        "xlsx",
        "--db",
        db.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        said.contains("1 项帮扶措施") && said.contains("1 次走访"),
        "{said}"
    );

    let names = calamine::open_workbook_auto(&out).unwrap().sheet_names();
    assert_eq!(
        names,
        [
            "户信息 Households",
            "家庭成员 Members",
            "收入 Incomes",
            "帮扶计划 Plans",
            "走访记录 Visits",
            "资金 Funds",
            "六个精准清单 Precisions"
        ]
    );

    let plans = sheet(&out, "帮扶计划 Plans");
    assert_eq!(plans[1][0], "Village code", "English header row second");
    assert_eq!(plans.len(), 3, "two header rows and one measure");
    let m = &plans[2];
    assert_eq!(at(&plans, m, "户编号"), "007");
    assert_eq!(at(&plans, m, "户主姓名"), "王建国");
    assert_eq!(at(&plans, m, "措施类别"), "发展生产");
    assert_eq!(at(&plans, m, "帮扶责任人"), "赵志刚");
    assert_eq!(at(&plans, m, "帮扶单位"), "县农业农村局");
    assert_eq!(at(&plans, m, "项目"), "脆红李产业园");
    assert_eq!(at(&plans, m, "资金来源"), "县级财政");
    assert_eq!(at(&plans, m, "金额（元）"), "3000");
    assert_eq!(at(&plans, m, "开始日期"), "2019-03-01");
    assert_eq!(at(&plans, m, "进度"), "实施中");

    let visits = sheet(&out, "走访记录 Visits");
    assert_eq!(visits.len(), 3, "the draft is not exported");
    let v = &visits[2];
    assert_eq!(at(&visits, v, "走访日期"), "2020-06-10");
    assert_eq!(at(&visits, v, "不愁吃"), "是");
    assert_eq!(at(&visits, v, "基本医疗有保障"), "否");
    assert_eq!(
        at(&visits, v, "义务教育有保障"),
        "",
        "not checked stays empty"
    );
    assert_eq!(at(&visits, v, "工资性收入"), "4321");
    assert_eq!(at(&visits, v, "风险事件"), "大病");
    assert_eq!(at(&visits, v, "存在问题"), "医保报销未到账");

    let funds = sheet(&out, "资金 Funds");
    let f = &funds[2];
    assert_eq!(at(&funds, f, "金额（元）"), "3000");
    assert_eq!(at(&funds, f, "户编号"), "007");
    assert_eq!(at(&funds, f, "对应措施"), "种植脆红李五亩");
    assert_eq!(at(&funds, f, "项目"), "脆红李产业园");

    let lists = sheet(&out, "六个精准清单 Precisions");
    let of = |list: &str| -> Vec<String> {
        lists[2..]
            .iter()
            .filter(|r| at(&lists, r, "清单") == list)
            .map(|r| at(&lists, r, "户编号").to_string())
            .collect()
    };
    assert_eq!(of("没有帮扶责任人"), ["008"]);
    assert_eq!(of("没有帮扶计划"), ["008"]);
    assert_eq!(of("项目受益户"), ["007"]);
    let row = lists[2..]
        .iter()
        .find(|r| at(&lists, r, "清单") == "没有帮扶责任人")
        .unwrap();
    assert_eq!(at(&lists, row, "精准"), "因村派人精准");
    assert_eq!(at(&lists, row, "户主姓名"), "陈德福");
    assert!(!at(&lists, row, "说明").is_empty());
}

#[test]
fn csv_export_writes_one_file_per_table_with_the_same_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let out = dir.path().join("csv");
    let run = dripline(&[
        "export",
        "csv",
        "--db",
        db.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let read = |stem: &str| -> Vec<Vec<String>> {
        let bytes = std::fs::read(out.join(format!("{stem}.csv"))).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{stem}.csv has a BOM");
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[3..])
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    };
    let plans = read("plans");
    assert_eq!(at(&plans, &plans[2], "帮扶内容"), "种植脆红李五亩");
    assert_eq!(at(&plans, &plans[2], "预期增收（元）"), "1500");
    let visits = read("visits");
    assert_eq!(visits.len(), 3);
    assert_eq!(at(&visits, &visits[2], "下一步措施"), "联系镇卫生院复查");
    let funds = read("funds");
    assert_eq!(at(&funds, &funds[2], "备注"), "李树苗款");
    let lists = read("precisions");
    assert!(
        lists[2..]
            .iter()
            .any(|r| at(&lists, r, "清单") == "没有帮扶计划" && at(&lists, r, "户编号") == "008")
    );
}

/// The entries the text of `dripline precisions` lists under the figure starting with `label`
/// (its four-space lines up to the next figure), and the figure itself.
fn text_list(text: &str, label: &str) -> (usize, usize) {
    let mut lines = text
        .lines()
        .skip_while(|l| !l.starts_with(&format!("  {label}")));
    let figure = lines.next().unwrap_or_else(|| panic!("no figure {label}"));
    let n = figure.rsplit('：').next().unwrap().trim().parse().unwrap();
    let listed = lines.take_while(|l| l.starts_with("    ")).count();
    (n, listed)
}

#[test]
fn every_count_is_listed_alike_in_the_text_the_json_and_the_export_funds_and_missed_included() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    common::demo_db(&db, &dripline::demo::DemoSpec::default());
    let db = db.to_str().unwrap();
    let out = dir.path().join("export.xlsx");
    let run = dripline(&["export", "xlsx", "--db", db, "--out", out.to_str().unwrap()]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let lists = sheet(&out, "六个精准清单 Precisions");
    let rows_of = |list: &str| {
        lists[2..]
            .iter()
            .filter(|r| at(&lists, r, "清单") == list)
            .count()
    };
    let said = dripline(&["precisions", "--db", db]);
    let said = String::from_utf8_lossy(&said.stdout).into_owned();
    let all = common::cli::json(&["precisions", "--db", db, "--json"]);
    let village = &all[0];
    let f = &village["funds"];
    for (label, list, count) in [
        ("未落到项目或农户的资金", "分散资金", &f["unattached_count"]),
        (
            "疑似重复记账的资金组",
            "疑似重复记账",
            &f["double_counted_count"],
        ),
        (
            "可能漏评的户",
            "可能漏评",
            &village["targets"]["possibly_missed_count"],
        ),
        (
            "识别存疑的户",
            "识别存疑",
            &village["targets"]["suspicious_households"],
        ),
        (
            "有数据问题的户",
            "数据问题",
            &village["targets"]["households_with_findings"],
        ),
    ] {
        let (figure, listed) = text_list(&said, label);
        let count = count.as_u64().unwrap() as usize;
        assert_eq!(figure, count, "{label}: text and JSON");
        assert_eq!(listed, count, "{label}: the text lists what it counts");
        assert_eq!(
            rows_of(list),
            count,
            "{label}: the export lists what it counts"
        );
    }
    assert!(f["unattached_count"].as_u64().unwrap() > 0);
    assert!(f["double_counted_count"].as_u64().unwrap() > 0);
    // Each listed fund entry is described for the JSON too.
    assert!(f["listed"].as_array().unwrap().len() >= rows_of("分散资金"));
}
