//! Printed documents: the household card and the visit sheet as PDF, read back as text the way a
//! county clerk would search them, through the library and through the built binary.

mod common;

use common::cli::{dripline, text as out_text};
use common::files::pdf_text;

use std::path::Path;

use chrono::NaiveDate;
use common::*;
use dripline::i18n::Lang;
use dripline::io::print::{self, PaperKind, PrintError, PrintOptions};
use dripline::model::*;
use dripline::rules::id_number;
use dripline::store::Store;
use uuid::Uuid;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

struct Fixture {
    village: Village,
    household_id: Uuid,
    head_id_number: String,
}

/// A village with household 007: 王建国 (head) and his wife, incomes of 2019 and 2020, a helper
/// with a phone, two measures, a fund entry and a finished visit (plus a newer draft).
fn fixture(store: &mut Store, extra_measures: usize) -> Fixture {
    let village = village();
    store.save_village(&village).unwrap();
    let mut h = household(village.id, "007");
    h.phone = "13800001111".into();
    // As the demo and many survey files write it: the helper with the unit.
    h.unmatched_helper_name = "赵志刚（县农业农村局）".into();
    store.save_household(&h).unwrap();
    let head = member(h.id, "王建国", Relation::Head, 11);
    let wife_born = date(1977, 8, 3);
    let wife = Member {
        sex: Sex::Female,
        birth_date: wife_born,
        id_number: id_number::compose("510824", wife_born, 12, Sex::Female),
        ..member(h.id, "刘秀英", Relation::Spouse, 12)
    };
    store.save_member(&head, today()).unwrap();
    store.save_member(&wife, today()).unwrap();
    // 2019: 9000 + 1200 + 0 + 800 − 400 = 10600 for 2 people → 5300.00 per capita.
    store
        .save_income(&income(h.id, 2019, 9000.0), today())
        .unwrap();
    // 2020: 5000 + 1200 + 800 − 400 = 6600 → 3300.00.
    store
        .save_income(&income(h.id, 2020, 5000.0), today())
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
    let measure = |description: String, amount: f64| Measure {
        id: Uuid::new_v4(),
        household_id: h.id,
        kind: MeasureKind::Production,
        description,
        helper_id: Some(helper.id),
        helper_unit: "县农业农村局".into(),
        project_id: None,
        fund_source: FundSource::County,
        amount_yuan: amount,
        start: date(2019, 3, 1),
        due: date(2019, 12, 31),
        expected_income_yuan: 1500.0,
        status: MeasureStatus::InProgress,
    };
    let first = measure("种植脆红李五亩".into(), 3000.0);
    store.save_measure(&first).unwrap();
    store
        .save_measure(&Measure {
            kind: MeasureKind::Health,
            fund_source: FundSource::Central,
            ..measure("大病保险报销".into(), 1200.0)
        })
        .unwrap();
    for i in 0..extra_measures {
        store
            .save_measure(&measure(format!("补充措施第{i}项"), 100.0))
            .unwrap();
    }
    store
        .save_fund_entry(&FundEntry {
            id: Uuid::new_v4(),
            village_id: village.id,
            source: FundSource::County,
            amount_yuan: 3000.0,
            date: date(2019, 4, 2),
            purpose: MeasureKind::Production,
            project_id: None,
            household_id: Some(h.id),
            measure_id: Some(first.id),
            note: "李树苗款".into(),
        })
        .unwrap();
    let visit = |day: u32, problems: &str, draft: bool| Visit {
        id: Uuid::new_v4(),
        household_id: h.id,
        date: date(2020, 6, day),
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
        .save_visit(&visit(10, "医保报销未到账", false), today())
        .unwrap();
    store
        .save_visit(&visit(20, "草稿不应打印", true), today())
        .unwrap();
    Fixture {
        village,
        household_id: h.id,
        head_id_number: head.id_number,
    }
}

fn store_with_fixture(dir: &Path, extra_measures: usize) -> (std::path::PathBuf, Fixture) {
    let path = dir.join("village.sqlite");
    let mut store = Store::open_or_create(&path).unwrap();
    let f = fixture(&mut store, extra_measures);
    store.close().unwrap();
    (path, f)
}

fn render(db: &Path, kind: PaperKind, lang: Lang, full_ids: bool) -> Vec<u8> {
    let store = Store::open(db).unwrap();
    let loaded = print::load_household(&store, None, "007").unwrap();
    print::render(
        kind,
        &loaded.inputs(today()),
        &PrintOptions { lang, full_ids },
    )
    .unwrap()
}

#[test]
fn the_card_carries_the_head_the_helper_a_measure_and_the_per_capita_income() {
    let dir = tempfile::tempdir().unwrap();
    let (db, f) = store_with_fixture(dir.path(), 0);
    let pdf = render(&db, PaperKind::Card, Lang::Zh, false);
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    for expected in [
        "扶贫明白卡",
        "王建国",
        "刘秀英",
        "007",
        "赵志刚",
        "13912345678",
        "县农业农村局",
        "种植脆红李五亩",
        "大病保险报销",
        "5300.00", // 2019 per capita
        "3300.00", // 2020 per capita
        "3218.00", // the 2019 line
        "4200.00", // measures' total
        "李树苗款",
        "因病",
        "五、到户资金",
        "六、历年收入",
        "第1页/共1页",
    ] {
        assert!(text.contains(expected), "card lacks {expected}: {text}");
    }
    assert!(
        !text.contains("赵志刚（县农业农村局）"),
        "the household's helper field names the registered helper: not listed twice"
    );
    // Masked like the window and the export: the full number is nowhere in the file's text.
    assert!(text.contains(&id_number::mask(&f.head_id_number)));
    assert!(!text.contains(&f.head_id_number));
    let _ = f.village;
}

#[test]
fn full_ids_print_the_id_numbers_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let (db, f) = store_with_fixture(dir.path(), 0);
    let text = pdf_text(&render(&db, PaperKind::Card, Lang::Zh, true));
    assert!(text.contains(&f.head_id_number), "{text}");
}

#[test]
fn the_card_reads_in_english_too() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = store_with_fixture(dir.path(), 0);
    let text = pdf_text(&render(&db, PaperKind::Card, Lang::En, false));
    for expected in ["Householdcard", "Helpers", "王建国", "5300.00", "page1of"] {
        assert!(text.contains(expected), "card lacks {expected}: {text}");
    }
}

#[test]
fn a_long_plan_breaks_onto_further_pages_and_keeps_every_measure() {
    let dir = tempfile::tempdir().unwrap();
    let (db, f) = store_with_fixture(dir.path(), 60);
    let store = Store::open(&db).unwrap();
    let loaded = print::load_household(&store, None, "007").unwrap();
    let options = PrintOptions {
        lang: Lang::Zh,
        full_ids: false,
    };
    let layout = print::lay_out(PaperKind::Card, &loaded.inputs(today()), &options);
    let pages = layout.pages().len();
    assert!(
        pages >= 2,
        "60 more measures need another page, got {pages}"
    );
    let text =
        pdf_text(&print::render(PaperKind::Card, &loaded.inputs(today()), &options).unwrap());
    assert!(text.contains("补充措施第0项") && text.contains("补充措施第59项"));
    assert!(text.contains(&format!("共{pages}页")), "{text}");
    // The measures' header is repeated on the continuation page.
    assert!(text.matches("帮扶内容").count() >= 2, "{text}");
    assert!(text.contains("5300.00"));
    let _ = f.household_id;
}

#[test]
fn the_visit_sheet_shows_the_last_finished_visit_beside_boxes_to_fill_in() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = store_with_fixture(dir.path(), 0);
    let text = pdf_text(&render(&db, PaperKind::VisitSheet, Lang::Zh, false));
    for expected in [
        "入户走访记录单",
        "王建国",
        "赵志刚13912345678",
        "2020-06-10",
        "不愁吃",
        "住房安全有保障",
        "□是□否",
        "4321.00", // the wage asked at the last visit
        "医保报销未到账",
        "联系镇卫生院复查",
        "大病",
    ] {
        assert!(text.contains(expected), "sheet lacks {expected}: {text}");
    }
    assert!(
        !text.contains("草稿不应打印"),
        "a draft is not the last visit"
    );
}

#[test]
fn an_unknown_household_is_an_error_that_names_existing_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = store_with_fixture(dir.path(), 0);
    let store = Store::open(&db).unwrap();
    // Leading zeros may be left out, as people say the number.
    assert!(print::load_household(&store, None, "7").is_ok());
    match print::load_household(&store, None, "999") {
        Err(e @ PrintError::UnknownHousehold { .. }) => {
            use dripline::i18n::Localize;
            assert!(e.localize(Lang::Zh).contains("007"));
            assert!(e.localize(Lang::En).contains("no household numbered 999"));
        }
        other => panic!("expected UnknownHousehold, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn writing_is_atomic_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("card.pdf");
    print::write_atomically(&out, b"%PDF-1.7 first").unwrap();
    print::write_atomically(&out, b"%PDF-1.7 second").unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), b"%PDF-1.7 second");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["card.pdf"]);
    let missing_dir = dir.path().join("no/such/dir/card.pdf");
    assert!(matches!(
        print::write_atomically(&missing_dir, b"x"),
        Err(PrintError::Write { .. })
    ));
}

// ---------------------------------------------------------------- the command line

#[test]
fn cli_prints_a_card_and_a_visit_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = store_with_fixture(dir.path(), 0);
    let db = db.to_str().unwrap();
    let card = dir.path().join("card.pdf");
    let out = dripline(&[
        "print",
        "card",
        "--db",
        db,
        "--household",
        "007",
        "--out",
        card.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", out_text(&out.stderr));
    assert!(out_text(&out.stdout).contains("王建国"));
    let text = pdf_text(&std::fs::read(&card).unwrap());
    assert!(
        text.contains("王建国") && text.contains("5300.00"),
        "{text}"
    );

    let sheet = dir.path().join("sheet.pdf");
    let out = dripline(&[
        "--lang",
        "en",
        "print",
        "visit-sheet",
        "--db",
        db,
        "--household",
        "7",
        "--out",
        sheet.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", out_text(&out.stderr));
    let text = pdf_text(&std::fs::read(&sheet).unwrap());
    assert!(
        text.contains("Visitsheet") && text.contains("医保报销未到账"),
        "{text}"
    );
}

#[test]
fn cli_refuses_an_unknown_household_and_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = store_with_fixture(dir.path(), 0);
    let db = db.to_str().unwrap();
    let card = dir.path().join("card.pdf");
    let card_arg = card.to_str().unwrap();

    let out = dripline(&[
        "print",
        "card",
        "--db",
        db,
        "--household",
        "123",
        "--out",
        card_arg,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = out_text(&out.stderr);
    assert!(err.contains("找不到户编号为 123 的农户"), "{err}");
    assert!(!card.exists(), "no file for an unknown household");

    let out = dripline(&[
        "--lang",
        "en",
        "print",
        "card",
        "--db",
        db,
        "--household",
        "123",
        "--out",
        card_arg,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out_text(&out.stderr).contains("There is no household numbered 123"));

    std::fs::write(&card, b"keep me").unwrap();
    let out = dripline(&[
        "print",
        "card",
        "--db",
        db,
        "--household",
        "007",
        "--out",
        card_arg,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out_text(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read(&card).unwrap(), b"keep me");

    let out = dripline(&[
        "print",
        "card",
        "--db",
        db,
        "--household",
        "007",
        "--out",
        card_arg,
        "--force",
    ]);
    assert!(out.status.success(), "{}", out_text(&out.stderr));
    assert!(squeeze(&pdf_text(&std::fs::read(&card).unwrap())).contains("王建国"));
}

/// The longest run of characters that could be an ID number, a phone or an account (digits,
/// and X after digits).
fn longest_digit_run(text: &str) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in text.chars() {
        if c.is_ascii_digit() || (run > 0 && (c == 'X' || c == 'x')) {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

#[test]
fn the_public_notice_names_the_households_under_review_and_nothing_a_notice_may_not_show() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite");
    let today = chrono::Local::now().date_naive();
    let day = |n: i64| today - chrono::Duration::days(n);
    let (head_id, wife_id) = {
        let mut store = Store::open_or_create(&db).unwrap();
        let fx = fixture(&mut store, 0);
        let mut h = store.household_record(fx.household_id).unwrap().household;
        h.bank_account = "6217003810026896421".into();
        store.save_household(&h).unwrap();
        let mut head = store.household_record(fx.household_id).unwrap().members[0].clone();
        head.health = Health::Serious;
        store.save_member(&head, today).unwrap();
        store
            .save_team_member(&TeamMember {
                id: Uuid::new_v4(),
                village_id: fx.village.id,
                name: "张书记".into(),
                role: TeamRole::FirstSecretary,
                unit: String::new(),
                phone: "13700002222".into(),
                term_start: day(400),
                term_end: None,
            })
            .unwrap();
        // 008 李桂兰, found only: not posted yet.
        let other = household(fx.village.id, "008");
        store.save_household(&other).unwrap();
        store
            .save_member(&member(other.id, "李桂兰", Relation::Head, 21), today)
            .unwrap();
        let step = |n: i64| {
            Some(CaseStep {
                on: day(n),
                by: "张书记".into(),
            })
        };
        let case = |household_id, reviewed: bool| MonitoringCase {
            id: Uuid::new_v4(),
            household_id,
            kind: MonitoredKind::SuddenHardship,
            source: DiscoverySource::SelfReport,
            risk: "户主患尿毒症，每周透析".into(),
            discovered: CaseStep {
                on: day(10),
                by: "张书记".into(),
            },
            home_visit: if reviewed { step(9) } else { None },
            authorization_signed: reviewed,
            village_review: if reviewed { step(8) } else { None },
            notice: reviewed.then(|| PublicNotice {
                start: day(7),
                end: day(3),
                by: "张书记".into(),
            }),
            township_review: None,
            decision: None,
            admitted: true,
            elimination: RiskElimination::default(),
        };
        store
            .save_monitoring_case(&case(fx.household_id, true), today)
            .unwrap();
        store
            .save_monitoring_case(&case(other.id, false), today)
            .unwrap();
        store.close().unwrap();
        let wife = Store::open(&db)
            .unwrap()
            .household_record(fx.household_id)
            .unwrap()
            .members[1]
            .id_number
            .clone();
        (fx.head_id_number, wife)
    };
    let dbs = db.to_str().unwrap();
    let pdf = dir.path().join("notice.pdf");
    let out = dripline(&[
        "print",
        "notice",
        "--db",
        dbs,
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", out_text(&out.stderr));
    let text = common::files::pdf_file_text(&pdf);
    let xlsx = dir.path().join("notice.xlsx");
    let out = dripline(&[
        "print",
        "notice",
        "--db",
        dbs,
        "--out",
        xlsx.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", out_text(&out.stderr));
    let cells: String = {
        use calamine::Reader;
        let mut workbook = calamine::open_workbook_auto(&xlsx).unwrap();
        let sheet = workbook.worksheet_range("公示名单").unwrap();
        sheet
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect::<Vec<_>>()
            .join("|")
    };
    for (what, text) in [("pdf", &text), ("xlsx", &cells)] {
        let squeezed = squeeze(text);
        assert!(squeezed.contains("王建国"), "{what}: {text}");
        assert!(
            squeezed.contains("拟纳入防止返贫监测（突发严重困难户）"),
            "{what}"
        );
        assert!(squeezed.contains("因突发事件导致生活严重困难"), "{what}");
        assert!(
            squeezed.contains(&day(7).to_string()),
            "{what}: the notice's dates"
        );
        assert!(squeezed.contains("如有异议"), "{what}: how to object");
        assert!(
            !squeezed.contains("李桂兰"),
            "{what}: a case not yet reviewed is not posted"
        );
        // Never an ID number, a phone, an account or a health condition.
        for secret in [
            head_id.as_str(),
            wife_id.as_str(),
            &head_id[head_id.len() - 4..],
            "13800001111",
            "13700002222",
            "13912345678",
            "6217003810026896421",
            "尿毒症",
            "透析",
            "患有大病",
        ] {
            assert!(!squeezed.contains(secret), "{what} shows {secret}: {text}");
        }
        assert!(
            longest_digit_run(&squeezed) < 11,
            "{what}: no number as long as a phone, an ID or an account: {text}"
        );
    }
    let en = dripline(&[
        "print",
        "notice",
        "--db",
        dbs,
        "--out",
        dir.path().join("en.pdf").to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert!(en.status.success());
    assert!(common::files::pdf_file_text(&dir.path().join("en.pdf")).contains("Tobemonitored"));
    let wrong = dripline(&[
        "print",
        "notice",
        "--db",
        dbs,
        "--out",
        dir.path().join("n.txt").to_str().unwrap(),
    ]);
    assert!(!wrong.status.success());
    assert!(!dir.path().join("n.txt").exists());
}
