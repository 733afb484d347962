//! Benchmark of the validated survey import at county-office scale (figures in the README):
//!
//! - `import/survey_csv_20000`: what `dripline survey import FILE.csv --commit` does with a
//!   survey file of 20,000 households (one row per member, about 60,000 rows): read the file,
//!   check every cell and match against the village (`io::import::plan`), and write it as one
//!   undoable change (`io::import::apply`) into a fresh database holding only the village.
//! - `import/survey_xlsx_20000`: the same rows as an .xlsx workbook (calamine reads it).
//! - `import/survey_csv_20000_check`: the check only (`survey import` without `--commit`): read
//!   the CSV, check every cell and match against the village; nothing is written.
//!
//! The rows are the demo generator's households (from consecutive demo villages, renumbered as one
//! village) written in the survey layout; the few households the demo deliberately makes wrong
//! (planted data-quality problems) are left out so that the import commits. The CSV is also left at `target/tmp/import-bench/survey-20000.csv`, for
//! `benches/sqlite3_import.sh`, which times the `sqlite3` shell's `.import` of the same rows.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BatchSize, Criterion, SamplingMode, criterion_group, criterion_main};
use dripline::demo::{self, DemoSpec};
use dripline::i18n::{Label, Lang};
use dripline::io::import;
use dripline::io::survey::{self, Column, NO, YES};
use dripline::model::{HouseholdRecord, HouseholdStatus, Relation, Village};
use dripline::rules::registry::IncomeItem;
use dripline::store::Store;

const HOUSEHOLDS: usize = 20_000;

/// The number of households: 20,000 unless `DRIPLINE_BENCH_HOUSEHOLDS` says otherwise (a quick
/// check of the bench itself with a small file).
fn households() -> usize {
    std::env::var("DRIPLINE_BENCH_HOUSEHOLDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(HOUSEHOLDS)
}

fn yes_no(v: bool) -> String {
    if v { YES.0 } else { NO.0 }.to_string()
}

/// A household's rows in the survey layout: one per member, head first, household and income
/// columns on the head's row.
fn survey_rows(r: &HouseholdRecord) -> Vec<Vec<String>> {
    let h = &r.household;
    let mut members: Vec<_> = r.members.iter().collect();
    members.sort_by_key(|m| m.relation != Relation::Head);
    members
        .iter()
        .map(|m| {
            let is_head = m.relation == Relation::Head;
            Column::ALL
                .iter()
                .map(|column| {
                    let member_cell = match column {
                        Column::HouseholdNumber => Some(h.number.clone()),
                        Column::Name => Some(m.name.clone()),
                        Column::IdNumber => Some(m.id_number.clone()),
                        Column::Relation => Some(m.relation.label(Lang::Zh).to_string()),
                        Column::Ethnicity => Some(m.ethnicity.clone()),
                        Column::Education => Some(m.education.label(Lang::Zh).to_string()),
                        Column::InSchool => Some(yes_no(m.in_school)),
                        Column::Health => Some(m.health.label(Lang::Zh).to_string()),
                        Column::DisabilityGrade => {
                            Some(m.disability_grade.map_or(String::new(), |g| g.to_string()))
                        }
                        Column::Labour => Some(m.labour.label(Lang::Zh).to_string()),
                        Column::Work => Some(m.work.label(Lang::Zh).to_string()),
                        Column::MigrantMonths => Some(m.migrant_months.to_string()),
                        Column::MedicalInsurance => Some(yes_no(m.medical_insurance)),
                        Column::PensionInsurance => Some(yes_no(m.pension_insurance)),
                        Column::Dibao => Some(yes_no(m.dibao)),
                        _ => None,
                    };
                    if let Some(cell) = member_cell {
                        return cell;
                    }
                    if !is_head {
                        return String::new();
                    }
                    let l = &h.living;
                    let income = r.latest_income();
                    match column {
                        Column::Address => h.address.clone(),
                        Column::Phone => h.phone.clone(),
                        Column::Attribute => h.attribute.label(Lang::Zh).to_string(),
                        Column::Status => h.status.label(Lang::Zh).to_string(),
                        Column::ExitYear => match h.status {
                            HouseholdStatus::Exited { year } => year.to_string(),
                            _ => String::new(),
                        },
                        Column::MainCause => h
                            .main_cause
                            .map_or(String::new(), |c| c.label(Lang::Zh).to_string()),
                        Column::OtherCauses => h
                            .other_causes
                            .iter()
                            .map(|c| c.label(Lang::Zh))
                            .collect::<Vec<_>>()
                            .join("、"),
                        Column::HousingSafe => l.housing_safe.map_or(String::new(), yes_no),
                        Column::WaterSafe => l.water_safe.map_or(String::new(), yes_no),
                        Column::Electricity => l.electricity.map_or(String::new(), yes_no),
                        Column::RadioTv => l.radio_tv.map_or(String::new(), yes_no),
                        Column::RoadHardened => yes_no(l.road_hardened),
                        Column::ArableLand => format!("{}", l.arable_land_mu),
                        Column::ForestLand => format!("{}", l.forest_land_mu),
                        Column::InCooperative => yes_no(l.in_cooperative),
                        Column::EcommerceSales => yes_no(l.ecommerce_sales),
                        Column::Helper => h.unmatched_helper_name.clone(),
                        Column::IncomeYear => income.map_or(String::new(), |i| i.year.to_string()),
                        Column::Income(item) => income.map_or(String::new(), |i| {
                            format!(
                                "{}",
                                match item {
                                    IncomeItem::Wage => i.wage_yuan,
                                    IncomeItem::Production => i.production_yuan,
                                    IncomeItem::Property => i.property_yuan,
                                    IncomeItem::Transfer => i.transfer_yuan,
                                    IncomeItem::ProductionExpense => i.production_expense_yuan,
                                }
                            )
                        }),
                        _ => String::new(),
                    }
                })
                .collect()
        })
        .collect()
}

fn write_csv(path: &Path, rows: &[Vec<String>]) {
    let mut writer = csv::Writer::from_path(path).unwrap();
    writer
        .write_record(Column::ALL.iter().map(|c| c.header(Lang::Zh)))
        .unwrap();
    writer
        .write_record(Column::ALL.iter().map(|c| c.header(Lang::En)))
        .unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    writer.flush().unwrap();
}

fn write_xlsx(path: &Path, rows: &[Vec<String>]) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(survey::SURVEY_SHEET).unwrap();
    for (col, column) in Column::ALL.iter().enumerate() {
        sheet
            .write_string(0, col as u16, column.header(Lang::Zh))
            .unwrap();
        sheet
            .write_string(1, col as u16, column.header(Lang::En))
            .unwrap();
    }
    for (i, row) in rows.iter().enumerate() {
        for (col, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(2 + i as u32, col as u16, cell).unwrap();
            }
        }
    }
    workbook.save(path).unwrap();
}

/// With `DRIPLINE_PASSPHRASE` set, the databases are encrypted (SQLCipher) and the benchmark
/// names end in `_encrypted`: the cost of encryption at rest is the difference.
fn passphrase() -> Option<String> {
    std::env::var("DRIPLINE_PASSPHRASE")
        .ok()
        .filter(|p| !p.is_empty())
}

fn named(name: &str) -> String {
    match passphrase() {
        Some(_) => format!("{name}_encrypted"),
        None => name.to_string(),
    }
}

/// A database holding only `village`, as before a first import.
fn empty_village_db(path: &Path, village: &Village) {
    let mut store = Store::open_or_create_with(path, passphrase().as_deref()).unwrap();
    store.save_village(village).unwrap();
    store.close().unwrap();
}

/// Reads, checks and commits the survey file: the work of `survey import --commit`.
fn import_file(db: &Path, file: &Path) -> usize {
    let mut store = Store::open(db).unwrap();
    let village = store.villages().unwrap().remove(0);
    let rows = survey::read_rows(file).unwrap();
    let today = chrono::Local::now().date_naive();
    let stored = store.household_records(Some(village.id)).unwrap();
    let plan = import::plan(&rows, village.id, &stored, today);
    assert!(plan.problems.is_empty(), "{:?}", &plan.problems[..1]);
    import::apply(&mut store, &plan, today).unwrap();
    plan.households.len()
}

/// 20,000 demo households that import without a problem, their rows, and their village.
fn clean_survey(work: &Path, count: usize) -> (Village, Vec<Vec<String>>) {
    // The demo generator draws villages of a few hundred households (its ID numbers are only
    // valid at that scale), so the file gathers the households of consecutive demo villages and
    // numbers them 00001… as one large village. A few more than needed: the households the demo
    // plants problems in are dropped.
    let spec = DemoSpec {
        villages: (count / 312 + 3) as u32,
        households_per_village: 312,
        seed: 2015,
    };
    let mut village = None;
    let mut households = Vec::new();
    for generated in demo::villages(&spec) {
        village.get_or_insert(generated.village);
        households.extend(generated.households);
        if households.len() >= count + count / 20 + 10 {
            break;
        }
    }
    for (i, r) in households.iter_mut().enumerate() {
        r.household.number = format!("{:05}", i + 1);
    }
    let village = Village {
        is_demo: false,
        ..village.expect("the spec has villages")
    };
    for _round in 0..3 {
        let rows: Vec<Vec<String>> = households.iter().flat_map(survey_rows).collect();
        let probe = work.join("probe.csv");
        write_csv(&probe, &rows);
        let raw = survey::read_rows(&probe).unwrap();
        let plan = import::plan(&raw, village.id, &[], chrono::Local::now().date_naive());
        if plan.problems.is_empty() {
            break;
        }
        use dripline::i18n::Localize;
        let mut kinds = std::collections::BTreeMap::new();
        for p in &plan.problems {
            let text: String = p
                .localize(Lang::En)
                .chars()
                .filter(|c| !c.is_ascii_digit())
                .collect();
            *kinds.entry(text).or_insert(0) += 1;
        }
        eprintln!("{} problems: {kinds:?}", plan.problems.len());
        let bad: std::collections::HashSet<String> = plan
            .problems
            .iter()
            .filter_map(|p| {
                raw.iter()
                    .find(|r| r.row == p.row)
                    .and_then(|r| r.cell(Column::HouseholdNumber))
                    .map(str::to_string)
            })
            .collect();
        households.retain(|r| !bad.contains(&r.household.number));
    }
    let _ = std::fs::remove_file(work.join("probe.csv"));
    households.truncate(count);
    assert_eq!(households.len(), count, "too many households with problems");
    let rows = households.iter().flat_map(survey_rows).collect();
    (village, rows)
}

fn bench_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("import-bench");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn survey_import(c: &mut Criterion) {
    dripline::store::cipher::set_process_passphrase(passphrase());
    let dir = bench_dir();
    let count = households();
    let (village, rows) = clean_survey(&dir, count);
    let csv_file = dir.join("survey-20000.csv");
    let xlsx_file = dir.join("survey-20000.xlsx");
    write_csv(&csv_file, &rows);
    write_xlsx(&xlsx_file, &rows);
    eprintln!(
        "survey file: {count} households, {} rows → {}",
        rows.len(),
        csv_file.display()
    );

    let mut group = c.benchmark_group("import");
    // Each import takes seconds: one import per sample, ten samples.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30));
    let mut n = 0;
    for (name, file) in [
        ("survey_csv_20000", &csv_file),
        ("survey_xlsx_20000", &xlsx_file),
    ] {
        group.bench_function(named(name), |b| {
            b.iter_batched(
                || {
                    n += 1;
                    let db = dir.join(format!("import-{n}.sqlite"));
                    let _ = std::fs::remove_file(&db);
                    empty_village_db(&db, &village);
                    db
                },
                |db| {
                    let imported = import_file(&db, file);
                    assert_eq!(imported, count);
                    for suffix in ["", "-wal", "-shm"] {
                        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
                    }
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.bench_function(named("survey_csv_20000_check"), |b| {
        let db = dir.join("check.sqlite");
        let _ = std::fs::remove_file(&db);
        empty_village_db(&db, &village);
        let store = Store::open(&db).unwrap();
        let stored = store.household_records(Some(village.id)).unwrap();
        b.iter(|| {
            let rows = survey::read_rows(&csv_file).unwrap();
            let plan = import::plan(
                &rows,
                village.id,
                &stored,
                chrono::Local::now().date_naive(),
            );
            assert!(plan.problems.is_empty());
            plan.households.len()
        })
    });
    group.finish();
}

criterion_group!(benches, survey_import);
criterion_main!(benches);
