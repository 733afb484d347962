//! Spreadsheets end to end, as a village team uses them: the template from the built binary,
//! filled in (as .xlsx and as .csv), imported, re-imported, exported; and a file full of mistakes
//! reported row by row while the database stays byte-for-byte the same.

mod common;

use common::cli::{dripline, json, ok, text};
use common::window::wait_for_job;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use chrono::NaiveDate;
use dripline::io::survey::Column;
use dripline::io::{import, survey};
use dripline::model::Sex;
use dripline::rules::id_number;
use dripline::rules::registry::IncomeItem;
use dripline::store::Store;
use rust_xlsxwriter::Workbook;

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A database with one village and nothing else, closed.
fn empty_village_db(path: &Path) {
    let mut store = Store::open_or_create(path).unwrap();
    store.save_village(&common::village()).unwrap();
    store.close().unwrap();
    common::cli::bind(path);
}

fn id(birth: (i32, u32, u32), seq: u32, sex: Sex) -> String {
    let birth = NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).unwrap();
    id_number::compose("510824", birth, seq, sex)
}

/// A cell of a filled file: text, or a number the way Excel stores one.
#[derive(Clone)]
enum V {
    T(&'static str),
    S(String),
    N(f64),
}

/// The filled survey: two households, five members, an income year each.
fn filled_rows() -> Vec<Vec<(Column, V)>> {
    use Column::*;
    use V::*;
    let income = |year: f64, wage: f64, prod: f64, prop: f64, transfer: f64, exp: f64| {
        vec![
            (IncomeYear, N(year)),
            (Income(IncomeItem::Wage), N(wage)),
            (Income(IncomeItem::Production), N(prod)),
            (Income(IncomeItem::Property), N(prop)),
            (Income(IncomeItem::Transfer), N(transfer)),
            (Income(IncomeItem::ProductionExpense), N(exp)),
        ]
    };
    let mut head1 = vec![
        (HouseholdNumber, T("001")),
        (Name, T("李建国")),
        (IdNumber, S(id((1968, 5, 4), 11, Sex::Male))),
        (Relation, T("户主")),
        (Health, T("长期慢性病")),
        (Labour, T("弱劳动力")),
        (Address, T("元坝镇柳池村三组")),
        (Phone, T("13812345678")),
        (Attribute, T("低保贫困户")),
        (Status, T("已脱贫")),
        (ExitYear, N(2019.0)),
        (MainCause, T("因病")),
        (OtherCauses, T("缺技术、缺资金")),
        (WaterSafe, T("否")),
        (RoadHardened, T("是")),
        (ArableLand, N(3.5)),
        (ForestLand, N(1.2)),
        (Helper, T("王明")),
    ];
    head1.extend(income(2019.0, 12000.0, 3500.5, 0.0, 2400.0, 900.0));
    let mut head2 = vec![
        (HouseholdNumber, T("002")),
        (Name, T("张秀英")),
        (IdNumber, S(id((1950, 12, 30), 22, Sex::Female))),
        (Relation, T("Head")),
        (Health, T("残疾")),
        (DisabilityGrade, N(2.0)),
        (Labour, T("无劳动力")),
        (Dibao, T("是")),
        (Address, T("元坝镇柳池村五组")),
        (Attribute, T("特困供养户")),
        (Status, T("建档立卡贫困户")),
        (MainCause, T("因残")),
        (ArableLand, N(0.8)),
        (Helper, T("王明")),
    ];
    head2.extend(income(2019.0, 0.0, 600.0, 0.0, 5200.0, 100.0));
    vec![
        head1,
        vec![
            (HouseholdNumber, T("001")),
            (Name, T("王芳")),
            (IdNumber, S(id((1970, 8, 9), 12, Sex::Female))),
            (Relation, T("配偶")),
            (Work, T("外出务工")),
            (MigrantMonths, N(10.0)),
            (PensionInsurance, T("是")),
        ],
        vec![
            (HouseholdNumber, T("001")),
            (Name, T("李小红")),
            (IdNumber, S(id((2009, 2, 1), 14, Sex::Female))),
            (Relation, T("子女")),
            (Education, T("初中")),
            (InSchool, T("是")),
            (Work, T("在校生")),
        ],
        head2,
        vec![
            (HouseholdNumber, T("002")),
            (Name, T("张小军")),
            (IdNumber, S(id((2012, 6, 30), 17, Sex::Male))),
            (Relation, T("孙子女")),
            (Education, T("小学")),
            (InSchool, T("Yes")),
        ],
    ]
}

fn position(column: Column) -> u16 {
    Column::ALL.iter().position(|c| *c == column).unwrap() as u16
}

/// Writes rows in the template's layout (both header rows, then the data).
fn write_xlsx(path: &Path, rows: &[Vec<(Column, V)>]) {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(survey::SURVEY_SHEET).unwrap();
    for (col, column) in Column::ALL.iter().enumerate() {
        sheet
            .write_string(0, col as u16, column.header(dripline::i18n::Lang::Zh))
            .unwrap();
        sheet
            .write_string(1, col as u16, column.header(dripline::i18n::Lang::En))
            .unwrap();
    }
    for (i, row) in rows.iter().enumerate() {
        let r = 2 + i as u32;
        for (column, value) in row {
            let c = position(*column);
            match value {
                V::T(t) => sheet.write_string(r, c, *t).map(|_| ()),
                V::S(t) => sheet.write_string(r, c, t).map(|_| ()),
                V::N(n) => sheet.write_number(r, c, *n).map(|_| ()),
            }
            .unwrap();
        }
    }
    workbook.save(path).unwrap();
}

/// The same rows as a UTF-8 CSV with a BOM and only the English header row.
fn write_csv(path: &Path, rows: &[Vec<(Column, V)>]) {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut bytes);
        writer
            .write_record(
                Column::ALL
                    .iter()
                    .map(|c| c.header(dripline::i18n::Lang::En)),
            )
            .unwrap();
        for row in rows {
            let mut cells = vec![String::new(); Column::ALL.len()];
            for (column, value) in row {
                cells[position(*column) as usize] = match value {
                    V::T(t) => t.to_string(),
                    V::S(t) => t.clone(),
                    V::N(n) => format!("{n}"),
                };
            }
            writer.write_record(&cells).unwrap();
        }
    }
    std::fs::write(path, bytes).unwrap();
}

/// Every row of a sheet of an exported workbook, as text.
fn sheet_rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut workbook = calamine::open_workbook_auto(path).unwrap();
    let range = workbook.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) => format!("{f}"),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn household_ids(db: &Path) -> Vec<(String, uuid::Uuid, Vec<uuid::Uuid>)> {
    let store = Store::open(db).unwrap();
    let ids = store
        .household_records(None)
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.household.number.clone(),
                r.household.id,
                r.members.iter().map(|m| m.id).collect(),
            )
        })
        .collect();
    store.close().unwrap();
    ids
}

#[test]
fn template_has_both_header_rows_and_the_allowed_values_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.xlsx");
    ok(&["survey", "template", "--out", s(&template)]);
    let again = dripline(&["survey", "template", "--out", s(&template)]);
    assert!(
        !again.status.success(),
        "an existing file is not overwritten"
    );

    let workbook = calamine::open_workbook_auto(&template).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        [survey::SURVEY_SHEET, survey::ALLOWED_SHEET]
    );
    let rows = sheet_rows(&template, survey::SURVEY_SHEET);
    assert_eq!(rows[0][0], "户编号");
    assert_eq!(rows[1][0], "Household number");
    assert_eq!(rows[0].len(), Column::ALL.len());
    let allowed = sheet_rows(&template, survey::ALLOWED_SHEET);
    let flat: Vec<&String> = allowed.iter().flatten().collect();
    for value in ["因病", "Illness", "户主", "已脱贫", "是", "特困供养户"] {
        assert!(
            flat.iter().any(|c| *c == value),
            "allowed values lack {value}"
        );
    }
    // The empty template reads as a file without rows, not as an error.
    assert_eq!(survey::read_rows(&template).unwrap(), []);
}

#[test]
fn round_trip_template_filled_import_export_gives_the_same_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    let db_csv = dir.path().join("village-csv.sqlite");
    empty_village_db(&db);
    empty_village_db(&db_csv);
    let filled = dir.path().join("filled.xlsx");
    let filled_csv = dir.path().join("filled.csv");
    write_xlsx(&filled, &filled_rows());
    write_csv(&filled_csv, &filled_rows());

    // A dry run reports and writes nothing.
    let report = json(&["survey", "import", "--db", s(&db), s(&filled), "--json"]);
    assert_eq!(report["problems"], serde_json::json!([]));
    assert_eq!(report["households_new"], 2);
    assert_eq!(report["members"], 5);
    assert_eq!(report["committed"], false);
    assert!(household_ids(&db).is_empty());

    let report = json(&[
        "survey",
        "import",
        "--db",
        s(&db),
        s(&filled),
        "--commit",
        "--json",
    ]);
    assert_eq!(report["committed"], true);
    assert_eq!(report["summary"]["households_created"], 2);
    assert_eq!(report["summary"]["members_created"], 5);
    assert_eq!(report["summary"]["incomes_created"], 2);
    let out = ok(&[
        "survey",
        "import",
        "--db",
        s(&db_csv),
        s(&filled_csv),
        "--commit",
    ]);
    assert!(out.contains("新增 2 户"), "{out}");

    let exported = dir.path().join("registry.xlsx");
    ok(&[
        "export",
        "xlsx",
        "--db",
        s(&db),
        "--out",
        s(&exported),
        "--full-ids",
    ]);
    let members = sheet_rows(&exported, "家庭成员 Members");
    assert_eq!(members[0][2..4], ["姓名", "身份证号"]);
    assert_eq!(members[1][2], "Name");
    let member_rows = &members[2..];
    assert_eq!(member_rows.len(), 5);
    for row in filled_rows() {
        let get = |column: Column| row.iter().find(|(c, _)| *c == column).map(|(_, v)| v);
        let Some(V::S(id_number)) = get(Column::IdNumber) else {
            panic!("every row has an ID")
        };
        let exported = member_rows
            .iter()
            .find(|r| r[3] == *id_number)
            .unwrap_or_else(|| panic!("{id_number} exported"));
        let Some(V::T(name)) = get(Column::Name) else {
            panic!("every row has a name")
        };
        assert_eq!(exported[2], *name);
    }
    let wang = member_rows.iter().find(|r| r[2] == "王芳").unwrap();
    assert_eq!(wang[4..7], ["女", "1970-08-09", "配偶"]);
    assert_eq!(wang[13..15], ["外出务工", "10"]);
    assert_eq!(wang[16], "是", "pension insurance");
    let zhang = member_rows.iter().find(|r| r[2] == "张秀英").unwrap();
    assert_eq!(zhang[6], "户主", "an English label is stored as the value");
    assert_eq!(zhang[10..12], ["残疾", "2"]);

    let households = sheet_rows(&exported, "户信息 Households");
    let h1 = households.iter().find(|r| r[4] == "001").unwrap();
    assert_eq!(h1[5], "李建国");
    assert_eq!(h1[7], "3", "household size");
    assert_eq!(
        h1[8..15],
        [
            "13812345678",
            "元坝镇柳池村三组",
            "低保贫困户",
            "已脱贫",
            "2019",
            "因病",
            "缺技术、缺资金"
        ]
    );
    // Only 饮水安全 and 入户路硬化 were filled: the blank living facts stay 未填 (an empty cell),
    // never assumed safe.
    assert_eq!(h1[15..20], ["", "否", "", "", "是"]);
    assert_eq!(h1[20..22], ["3.5", "1.2"]);
    assert_eq!(h1[24], "王明");
    let incomes = sheet_rows(&exported, "收入 Incomes");
    let i1 = incomes.iter().find(|r| r[1] == "001").unwrap();
    assert_eq!(
        i1[3..10],
        ["2019", "12000", "3500.5", "0", "2400", "900", "17000.5"]
    );

    // Masked by default.
    let masked = dir.path().join("masked.xlsx");
    ok(&["export", "xlsx", "--db", s(&db), "--out", s(&masked)]);
    let masked_members = sheet_rows(&masked, "家庭成员 Members");
    assert!(
        masked_members[2..]
            .iter()
            .all(|r| r[3].contains("********"))
    );

    // The CSV import gives the same registry as the XLSX import.
    let csv_a = dir.path().join("csv-a");
    let csv_b = dir.path().join("csv-b");
    ok(&["export", "csv", "--db", s(&db), "--out", s(&csv_a)]);
    ok(&["export", "csv", "--db", s(&db_csv), "--out", s(&csv_b)]);
    for file in ["households.csv", "members.csv", "incomes.csv"] {
        let a = std::fs::read(csv_a.join(file)).unwrap();
        let b = std::fs::read(csv_b.join(file)).unwrap();
        assert!(a.starts_with(b"\xEF\xBB\xBF"), "{file} has a BOM");
        assert_eq!(text(&a), text(&b), "{file}");
    }
    let members_csv = text(&std::fs::read(csv_a.join("members.csv")).unwrap());
    assert!(members_csv.contains("李小红"));
    assert!(
        members_csv
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("Village code,")
    );
}

#[test]
fn re_importing_updates_and_never_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    empty_village_db(&db);
    let filled = dir.path().join("filled.xlsx");
    write_xlsx(&filled, &filled_rows());
    ok(&["survey", "import", "--db", s(&db), s(&filled), "--commit"]);
    let before = household_ids(&db);
    assert_eq!(before.len(), 2);

    let report = json(&[
        "survey",
        "import",
        "--db",
        s(&db),
        s(&filled),
        "--commit",
        "--json",
    ]);
    assert_eq!(report["households_matched"], 2);
    assert_eq!(report["members_matched"], 5);
    assert_eq!(report["summary"]["households_created"], 0);
    assert_eq!(report["summary"]["members_created"], 0);
    assert_eq!(household_ids(&db), before, "same households, same UUIDs");

    // A changed cell updates the stored record in place.
    let mut rows = filled_rows();
    for cell in &mut rows[1] {
        if cell.0 == Column::MigrantMonths {
            cell.1 = V::N(6.0);
        }
    }
    write_xlsx(&filled, &rows);
    let report = json(&[
        "survey",
        "import",
        "--db",
        s(&db),
        s(&filled),
        "--commit",
        "--json",
    ]);
    assert_eq!(report["summary"]["members_updated"], 1);
    assert_eq!(report["summary"]["members_created"], 0);
    assert_eq!(household_ids(&db), before);
    let store = Store::open(&db).unwrap();
    let wang = store
        .household_records(None)
        .unwrap()
        .into_iter()
        .flat_map(|r| r.members)
        .find(|m| m.name == "王芳")
        .unwrap();
    assert_eq!(wang.migrant_months, 6);
}

#[test]
fn an_import_is_one_undoable_change() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    empty_village_db(&db);
    let filled = dir.path().join("filled.csv");
    write_csv(&filled, &filled_rows());
    let mut store = Store::open(&db).unwrap();
    let village = store.villages().unwrap().remove(0);
    let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let rows = survey::read_rows(&filled).unwrap();
    let plan = import::plan(&rows, village.id, &[], today);
    let summary = import::apply(&mut store, &plan, today).unwrap();
    assert_eq!(store.household_records(None).unwrap().len(), 2);
    store.undo(summary.change.expect("a change")).unwrap();
    assert!(store.household_records(None).unwrap().is_empty());
}

/// A file with every kind of mistake, one (or two) per row.
fn bad_rows() -> Vec<Vec<(Column, V)>> {
    use Column::*;
    use V::*;
    let mut bad_check = id((1968, 5, 4), 11, Sex::Male);
    let last = bad_check.pop().unwrap();
    bad_check.push(if last == '0' { '1' } else { '0' });
    let feb30 = id((1990, 2, 28), 31, Sex::Male).replace("19900228", "19900230");
    let dup = id((1980, 1, 1), 33, Sex::Male);
    vec![
        // row 3: bad check digit
        vec![
            (HouseholdNumber, T("001")),
            (Name, T("李建国")),
            (IdNumber, S(bad_check)),
            (Relation, T("户主")),
        ],
        // row 4: impossible date in the ID
        vec![
            (HouseholdNumber, T("001")),
            (Name, T("李二")),
            (IdNumber, S(feb30)),
            (Relation, T("子女")),
        ],
        // row 5: text in a number column and an unknown cause
        vec![
            (HouseholdNumber, T("002")),
            (Name, T("张三")),
            (IdNumber, S(dup.clone())),
            (Relation, T("户主")),
            (ArableLand, T("三亩")),
            (MainCause, T("因懒")),
        ],
        // row 6: a second head in household 002
        vec![
            (HouseholdNumber, T("002")),
            (Name, T("张四")),
            (IdNumber, S(id((1982, 1, 1), 35, Sex::Male))),
            (Relation, T("户主")),
        ],
        // row 7: empty name, and the same ID number as row 5
        vec![
            (HouseholdNumber, T("003")),
            (Name, T("")),
            (IdNumber, S(dup)),
            (Relation, T("户主")),
        ],
        // row 8: household 003 again, with another head after another household's rows
        vec![
            (HouseholdNumber, T("004")),
            (Name, T("赵六")),
            (IdNumber, S(id((1975, 1, 1), 37, Sex::Male))),
            (Relation, T("户主")),
        ],
        vec![
            (HouseholdNumber, T("003")),
            (Name, T("钱七")),
            (IdNumber, S(id((1976, 1, 1), 39, Sex::Male))),
            (Relation, T("户主")),
        ],
        // row 10: empty household number and relation
        vec![
            (Name, T("孙八")),
            (IdNumber, S(id((1977, 1, 1), 41, Sex::Male))),
        ],
    ]
}

#[test]
fn every_bad_cell_is_reported_by_row_and_column_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    empty_village_db(&db);
    let bad = dir.path().join("bad.xlsx");
    write_xlsx(&bad, &bad_rows());
    let before = std::fs::read(&db).unwrap();

    for args in [
        vec![
            "survey",
            "import",
            "--db",
            s(&db),
            s(&bad),
            "--commit",
            "--json",
        ],
        vec!["survey", "import", "--db", s(&db), s(&bad), "--json"],
    ] {
        let out = dripline(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            text(&out.stderr).contains("未写入任何数据"),
            "{}",
            text(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["committed"], false);
        let found: Vec<(u64, String)> = report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["row"].as_u64().unwrap(),
                    p["column"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let expected: Vec<(u64, String)> = [
            (3, "身份证号"),
            (4, "身份证号"),
            (5, "主要致贫原因"),
            (5, "耕地面积（亩）"),
            (6, "与户主关系"),
            (7, "姓名"),
            (7, "身份证号"),
            (9, "户编号"),
            (10, "户编号"),
            (10, "与户主关系"),
        ]
        .into_iter()
        .map(|(r, c)| (r, c.to_string()))
        .collect();
        assert_eq!(found, expected);
        let messages: Vec<&str> = report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["message"].as_str().unwrap())
            .collect();
        assert!(messages[0].contains("校验位错误"), "{}", messages[0]);
        assert!(messages[1].contains("不存在"), "{}", messages[1]);
        assert!(messages[2].contains("因懒"), "{}", messages[2]);
        assert!(messages[3].contains("不是有效的数字"), "{}", messages[3]);
        assert!(
            messages[4].contains("一户只能有一个户主"),
            "{}",
            messages[4]
        );
        assert!(messages[5].contains("必须填写"), "{}", messages[5]);
        assert!(messages[6].contains("与第5行相同"), "{}", messages[6]);
        assert!(messages[7].contains("户编号重复"), "{}", messages[7]);
    }

    // English on request, and the same rows as text.
    let out = dripline(&[
        "--lang",
        "en",
        "survey",
        "import",
        "--db",
        s(&db),
        s(&bad),
        "--commit",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert!(
        report.contains("Row 5, Main cause: \"因懒\" is not an allowed value"),
        "{report}"
    );
    assert!(text(&out.stderr).contains("nothing was written"));

    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "database byte-for-byte unchanged"
    );
    assert!(household_ids(&db).is_empty());
}

#[test]
fn a_number_used_by_another_stored_household_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    empty_village_db(&db);
    let filled = dir.path().join("filled.xlsx");
    write_xlsx(&filled, &filled_rows());
    ok(&["survey", "import", "--db", s(&db), s(&filled), "--commit"]);
    let mut rows = filled_rows();
    rows.truncate(1);
    rows[0].retain(|(c, _)| *c != Column::IdNumber);
    rows[0].push((Column::IdNumber, V::S(id((1966, 1, 1), 51, Sex::Male))));
    let other = dir.path().join("other.csv");
    write_csv(&other, &rows);
    let before = std::fs::read(&db).unwrap();
    let out = dripline(&["survey", "import", "--db", s(&db), s(&other), "--commit"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("第2行，户编号：户编号已被另一户使用"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn several_villages_need_village() {
    let dir = tempfile::tempdir().unwrap();
    let db: PathBuf = dir.path().join("county.sqlite");
    empty_village_db(&db);
    let mut store = Store::open(&db).unwrap();
    let mut second = common::village();
    second.code = "510824105202".into();
    second.name = "石门村".into();
    store.save_village(&second).unwrap();
    store.close().unwrap();
    let filled = dir.path().join("filled.csv");
    write_csv(&filled, &filled_rows());
    let out = dripline(&["survey", "import", "--db", s(&db), s(&filled)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("--village"),
        "{}",
        text(&out.stderr)
    );
    let report = json(&[
        "survey",
        "import",
        "--db",
        s(&db),
        s(&filled),
        "--village",
        "510824105202",
        "--commit",
        "--json",
    ]);
    assert_eq!(report["village_code"], "510824105202");
    assert_eq!(report["summary"]["households_created"], 2);
}

#[test]
fn the_window_writes_the_template_checks_a_file_row_by_row_imports_and_exports() {
    use dripline::ui::{Action, Screen};
    use egui_kittest::kittest::{NodeT, Queryable};

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    empty_village_db(&db);
    let data_dir = dir.path().join("data");
    let mut harness = common::window::harness(&data_dir, Some(db.clone()));
    harness.run();
    harness.get_by_label("表格导入导出").click();
    harness.run();
    assert_eq!(harness.state().screen(), Screen::Spreadsheets);

    // The template, as the CLI writes it.
    let template = dir.path().join("模板.xlsx");
    harness
        .state_mut()
        .apply(Action::WriteSurveyTemplate(template.clone()));
    harness.run();
    harness.get_by_label_contains("已保存入户调查模板");
    let headers = sheet_rows(&template, survey::SURVEY_SHEET);
    assert_eq!(
        headers[0][0],
        Column::ALL[0].header(dripline::i18n::Lang::Zh)
    );

    // A file with mistakes: every problem listed by row and column; nothing can be written.
    let bad = dir.path().join("bad.xlsx");
    write_xlsx(&bad, &bad_rows());
    let before = std::fs::read(&db).unwrap();
    harness.state_mut().apply(Action::CheckSurveyFile(bad));
    wait_for_job(&mut harness);
    harness.get_by_label_contains("问题 10 处");
    harness.get_by_label_contains("校验位错误");
    let import_button = harness.get_by_label("确认导入");
    assert!(
        import_button.accesskit_node().is_disabled(),
        "a file with problems cannot be imported"
    );
    harness.state_mut().apply(Action::CommitSurvey);
    harness.run();
    assert!(!harness.state().job_running());
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing was written");
    harness.get_by_label("放弃").click();
    harness.run();
    assert!(harness.query_by_label_contains("问题 10 处").is_none());

    // A good file: checked, accepted, written as one undoable change.
    let good = dir.path().join("good.csv");
    write_csv(&good, &filled_rows());
    harness.state_mut().apply(Action::CheckSurveyFile(good));
    wait_for_job(&mut harness);
    harness.get_by_label_contains("问题 0 处");
    harness.get_by_label("确认导入").click();
    harness.step();
    wait_for_job(&mut harness);
    harness.get_by_label_contains("已导入");
    let imported = household_ids(&db);
    assert!(!imported.is_empty());

    // Export to Excel (masked ID numbers by default) and to a folder of CSV files.
    let xlsx = dir.path().join("export.xlsx");
    harness.state_mut().apply(Action::Export {
        out: xlsx.clone(),
        xlsx: true,
        full_ids: false,
    });
    wait_for_job(&mut harness);
    harness.get_by_label_contains("已导出");
    let households = sheet_rows(&xlsx, "户信息 Households");
    assert_eq!(
        households.len() - 2,
        imported.len(),
        "two header rows, then one row per household"
    );
    let csv_dir = dir.path().join("csv");
    std::fs::create_dir(&csv_dir).unwrap();
    harness.state_mut().apply(Action::Export {
        out: csv_dir.clone(),
        xlsx: false,
        full_ids: false,
    });
    wait_for_job(&mut harness);
    assert!(csv_dir.join("households.csv").exists());

    // Undo takes the whole import back.
    harness.get_by_label("撤销").click();
    harness.run();
    assert!(household_ids(&db).is_empty());
}

/// A new household whose child was born in 2022: after the demo's evaluation date (2020-12-31),
/// before today.
fn household_with_a_child_born_in_2022() -> Vec<Vec<(Column, V)>> {
    use Column::*;
    use V::*;
    vec![
        vec![
            (HouseholdNumber, T("900")),
            (Name, T("赵德明")),
            (IdNumber, S(id((1968, 5, 4), 61, Sex::Male))),
            (Relation, T("户主")),
            (Address, T("元坝镇青龙村九组")),
            (Status, T("非贫困户")),
            (IncomeYear, N(2019.0)),
            (Income(IncomeItem::Wage), N(30000.0)),
        ],
        vec![
            (HouseholdNumber, T("900")),
            (Name, T("赵小雨")),
            (IdNumber, S(id((2022, 3, 1), 62, Sex::Female))),
            (Relation, T("子女")),
        ],
    ]
}

/// The demo village is evaluated at 2020-12-31: its member form refuses a child born in 2022,
/// and so must its survey import (which once checked against the computer's date), from the
/// command line and from the window alike; a real village, evaluated today, accepts the child.
#[test]
fn the_demo_village_imports_at_the_date_its_forms_check_against() {
    use dripline::ui::Action;
    use dripline::workspace::{VillageView, clock_today};
    use egui_kittest::kittest::Queryable;

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("born-2022.csv");
    write_csv(&file, &household_with_a_child_born_in_2022());

    // The member form's rule, at the demo's date.
    let child = dripline::model::Member::new(
        uuid::Uuid::new_v4(),
        "赵小雨",
        id((2022, 3, 1), 62, Sex::Female),
        Sex::Female,
        NaiveDate::from_ymd_opt(2022, 3, 1).unwrap(),
        dripline::model::Relation::Child,
    );
    let demo_date = dripline::demo::demo_today();
    assert!(!dripline::rules::registry::validate_member(&child, demo_date).is_empty());

    // The command line, on a demo village.
    let demo_db = dir.path().join("demo.sqlite");
    ok(&[
        "demo",
        "--out",
        s(&demo_db),
        "--households-per-village",
        "30",
    ]);
    let out = dripline(&["survey", "import", "--db", s(&demo_db), s(&file), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    let problems = report["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p["row"] == 3 && p["message"].as_str().unwrap().contains("2022-03-01")),
        "the child's row is refused: {problems:?}"
    );

    // The same view the window checks against.
    let store = Store::open(&demo_db).unwrap();
    let village = store.villages().unwrap().remove(0);
    let view = VillageView::load(&store, village.id, clock_today()).unwrap();
    assert_eq!(view.today, demo_date);
    let checked = dripline::workspace::survey::check(&file, &view).unwrap();
    assert_eq!(checked.plan.problems.len(), problems.len());
    drop(store);

    // The window, on its generated demo village.
    let data_dir = dir.path().join("data");
    let mut harness = common::window::harness(&data_dir, None);
    harness.run();
    harness.get_by_label("表格导入导出").click();
    harness.run();
    harness
        .state_mut()
        .apply(Action::CheckSurveyFile(file.clone()));
    wait_for_job(&mut harness);
    harness.get_by_label_contains("2022-03-01");
    assert!(harness.query_by_label_contains("问题 0 处").is_none());

    // A real village is evaluated today: the child is accepted.
    let real_db = dir.path().join("real.sqlite");
    empty_village_db(&real_db);
    let report = json(&["survey", "import", "--db", s(&real_db), s(&file), "--json"]);
    assert_eq!(report["problems"].as_array().unwrap().len(), 0, "{report}");
}

/// The export keeps membership by year: members who left are on the members sheet with their
/// leaving date and reason, every member with when and why they joined, and each year's income
/// row is divided by the members of that year; read back, the sheet gives the stored members.
#[test]
fn the_export_keeps_former_members_and_membership_dates() {
    use dripline::model::{JoinReason, LeaveReason, Relation};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    let v = common::village();
    let h = common::household(v.id, "001");
    let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    {
        let mut store = Store::open_or_create(&db).unwrap();
        store.save_village(&v).unwrap();
        store.save_household(&h).unwrap();
        let head = common::member(h.id, "李建国", Relation::Head, 11);
        let mut grandfather = common::member(h.id, "李老汉", Relation::OtherRelation, 13);
        grandfather.joined_on = Some(date(2016, 1, 1));
        grandfather.left_on = Some(date(2019, 3, 1));
        grandfather.leave_reason = Some(LeaveReason::Died);
        let mut child = common::member(h.id, "李小宝", Relation::Child, 15);
        child.joined_on = Some(date(2018, 5, 1));
        child.join_reason = JoinReason::Born;
        for m in [&head, &grandfather, &child] {
            store.save_member(m, common::today()).unwrap();
        }
        for year in [2017, 2020] {
            store
                .save_income(&common::income(h.id, year, 4_400.0), common::today())
                .unwrap();
        }
        store.close().unwrap();
    }
    let exported = dir.path().join("registry.xlsx");
    ok(&[
        "export",
        "xlsx",
        "--db",
        s(&db),
        "--out",
        s(&exported),
        "--full-ids",
    ]);
    let members = sheet_rows(&exported, "家庭成员 Members");
    let column = |name: &str| members[0].iter().position(|c| c == name).unwrap();
    let (joined, join_reason, left, leave_reason) = (
        column("入户日期"),
        column("入户原因"),
        column("离开日期"),
        column("离开原因"),
    );
    assert_eq!(members[1][joined], "Joined on");
    let stored = Store::open(&db).unwrap().household_record(h.id).unwrap();
    assert_eq!(members.len() - 2, 3, "the member who left is exported too");
    for m in stored.all_members() {
        let row = members[2..]
            .iter()
            .find(|r| r[3] == m.id_number)
            .unwrap_or_else(|| panic!("{} exported", m.name));
        let back = (
            (!row[joined].is_empty()).then(|| row[joined].parse().unwrap()),
            JoinReason::parse(&row[join_reason]).unwrap(),
            (!row[left].is_empty()).then(|| row[left].parse().unwrap()),
            LeaveReason::parse(&row[leave_reason]),
        );
        assert_eq!(
            back,
            (m.joined_on, m.join_reason, m.left_on, m.leave_reason),
            "{}",
            m.name
        );
    }
    let old = members[2..].iter().find(|r| r[2] == "李老汉").unwrap();
    assert_eq!(
        [&old[left][..], &old[leave_reason][..]],
        ["2019-03-01", "死亡"]
    );
    // 2017: head and grandfather (the child is born in 2018); 2020: head and child.
    let incomes = sheet_rows(&exported, "收入 Incomes");
    let size = incomes[0].iter().position(|c| c == "家庭人口数").unwrap();
    let of = |year: &str| incomes.iter().find(|r| r[3] == year).unwrap()[size].clone();
    assert_eq!((of("2017"), of("2020")), ("2".to_string(), "2".to_string()));
}

/// The stored status code of each household of `db`, by household number.
fn stored_status_codes(db: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut q = conn
        .prepare("SELECT number, status FROM household ORDER BY number")
        .unwrap();
    q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_blank_status_imports_as_not_yet_assessed_and_the_label_round_trips() {
    use Column::*;
    use V::*;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    empty_village_db(&db);
    let rows = vec![
        vec![
            (HouseholdNumber, T("001")),
            (Name, T("李建国")),
            (IdNumber, S(id((1968, 5, 4), 11, Sex::Male))),
            (Relation, T("户主")),
        ],
        vec![
            (HouseholdNumber, T("002")),
            (Name, T("张秀英")),
            (IdNumber, S(id((1950, 12, 30), 22, Sex::Female))),
            (Relation, T("户主")),
            (Status, T("非贫困户")),
        ],
    ];
    let filled = dir.path().join("filled.xlsx");
    write_xlsx(&filled, &rows);
    ok(&["survey", "import", "--db", s(&db), s(&filled), "--commit"]);
    assert_eq!(
        stored_status_codes(&db),
        [
            ("001".to_string(), "unassessed".to_string()),
            ("002".to_string(), "not_registered".to_string())
        ],
        "a blank status cell is 待识别, a stated one is kept"
    );

    // The export says 待识别; that file's status read back gives the same code.
    let exported = dir.path().join("registry.xlsx");
    ok(&["export", "xlsx", "--db", s(&db), "--out", s(&exported)]);
    let households = sheet_rows(&exported, "户信息 Households");
    let h1 = households.iter().find(|r| r[4] == "001").unwrap();
    assert_eq!(h1[11], "待识别");
    let again = dir.path().join("again.sqlite");
    empty_village_db(&again);
    let mut restated = rows.clone();
    restated[0].push((Status, T("待识别")));
    restated[1].retain(|(c, _)| *c != Status);
    restated[1].push((Status, T("not_registered")));
    let refilled = dir.path().join("refilled.xlsx");
    write_xlsx(&refilled, &restated);
    ok(&[
        "survey",
        "import",
        "--db",
        s(&again),
        s(&refilled),
        "--commit",
    ]);
    assert_eq!(stored_status_codes(&again), stored_status_codes(&db));
}
