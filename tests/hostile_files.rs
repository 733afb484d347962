//! A corpus of hostile files, generated here into a temporary `hostile/` folder (nothing large is
//! committed), fed to `survey import --commit` and `bundle import` of the built binary: each is
//! refused with a clear reason, the process does not panic or abort, the database stays
//! byte-for-byte the same and nothing is written beside it. Then the files a survey reader must
//! read right: GBK and UTF-16 CSVs, empty lines, and a stated sex that contradicts the ID.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use common::cli::{dripline, text};
use common::files::listing;
use dripline::model::Sex;
use dripline::rules::id_number;
use dripline::store::Store;

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn id(seq: u32, sex: Sex) -> String {
    let birth = NaiveDate::from_ymd_opt(1988, 6, 1).unwrap();
    id_number::compose("510824", birth, seq, sex)
}

const HEADER: &str = "户编号,姓名,身份证号,与户主关系,家庭住址,性别,出生日期";

fn csv(lines: &[String]) -> String {
    let mut text = format!("{HEADER}\n");
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

fn head_line(number: &str, name: &str, id: &str, address: &str) -> String {
    format!("{number},{name},{id},户主,{address},,")
}

/// An xlsx whose data sheet has the survey headers and the given extra cells.
fn xlsx(path: &Path, cells: &[(u32, u16, Cell)]) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(dripline::io::survey::SURVEY_SHEET).unwrap();
    for (col, header) in HEADER.split(',').enumerate() {
        sheet.write_string(0, col as u16, header).unwrap();
    }
    for (row, col, cell) in cells {
        match cell {
            Cell::Text(t) => sheet.write_string(*row, *col, t).map(|_| ()),
            Cell::Number(n) => sheet.write_number(*row, *col, *n).map(|_| ()),
        }
        .unwrap();
    }
    workbook.save(path).unwrap();
}

enum Cell {
    Text(String),
    Number(f64),
}

/// A zip that decompresses to far more than the reader's limit: one entry of zeros.
fn zip_bomb(path: &Path) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    let zeros = vec![b' '; 1024 * 1024];
    for _ in 0..(dripline::io::survey_file::LIMITS.decompressed_bytes / (1024 * 1024) + 8) {
        zip.write_all(&zeros).unwrap();
    }
    zip.finish().unwrap();
}

fn mkfifo(path: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

/// The village database, closed.
fn village_db(dir: &Path) -> PathBuf {
    let db = dir.join("village.sqlite");
    let mut store = Store::open_or_create(&db).unwrap();
    store.save_village(&common::village()).unwrap();
    store.close().unwrap();
    common::cli::bind(&db);
    db
}

/// Runs `args`; asserts it failed cleanly (exit 1, no panic) and returns stdout + stderr.
fn refused(args: &[&str]) -> String {
    let out = dripline(args);
    let words = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{args:?}: {words}");
    assert!(!words.contains("panicked"), "{args:?}: {words}");
    words
}

/// Writes the hostile survey files into `hostile`: each with what its refusal must say.
fn survey_corpus(hostile: &Path) -> Vec<(PathBuf, &'static str)> {
    let good_id = id(11, Sex::Male);

    // (file, what the refusal must say)
    let mut corpus: Vec<(PathBuf, &str)> = Vec::new();
    let mut add = |name: &str, expect: &'static str| {
        let path = hostile.join(name);
        corpus.push((path.clone(), expect));
        path
    };
    xlsx(
        &add("last-row.xlsx", "行数上限 100000 行"),
        &[(1_048_575, 0, Cell::Text("x".into()))],
    );
    xlsx(
        &add("last-cell.xlsx", "行数上限"),
        &[(1_048_575, 16_383, Cell::Text("x".into()))],
    );
    xlsx(
        &add("far-column.xlsx", "列数上限 256 列"),
        &[(3, 16_383, Cell::Text("x".into()))],
    );
    zip_bomb(&add("bomb.xlsx", "解压后大小上限 256 MB"));
    let mut id_cells = vec![
        (1, 0, Cell::Text("001".into())),
        (1, 1, Cell::Text("李建国".into())),
        (1, 2, Cell::Number(510824198806015377.0)),
        (1, 3, Cell::Text("户主".into())),
    ];
    xlsx(
        &add("id-as-number.xlsx", "第2行，身份证号：此单元格是数字格式"),
        &id_cells,
    );
    id_cells[2] = (1, 2, Cell::Text(good_id.clone()));
    id_cells.push((1, 6, Cell::Text("1990-01-01".into())));
    xlsx(
        &add(
            "birth-date-differs.xlsx",
            "出生日期 1990-01-01 与身份证号显示的 1988-06-01 不符",
        ),
        &id_cells,
    );
    std::fs::write(
        add("stray-quote.csv", "多半是多了一个英文引号"),
        csv(&[
            head_line("001", "李建国", &good_id, "\"四川省仪陇县"),
            head_line("002", "王芳", &id(22, Sex::Female), "新政镇"),
        ]),
    )
    .unwrap();
    std::fs::write(
        add("long-address.csv", "超过上限 200 字"),
        csv(&[head_line("001", "李建国", &good_id, &"长".repeat(201))]),
    )
    .unwrap();
    std::fs::write(
        add("id-scientific.csv", "此单元格是数字格式"),
        csv(&[head_line("001", "李建国", "5.10824E+17", "新政镇")]),
    )
    .unwrap();
    std::fs::write(
        add("sex-differs.csv", "填写的性别“女”与身份证号显示的“男”不符"),
        csv(&[format!("001,李建国,{good_id},户主,新政镇,女,")]),
    )
    .unwrap();
    std::fs::write(add("random.xlsx", "不是可读的表格文件"), [7u8; 3000]).unwrap();
    std::fs::write(add("empty.csv", "找不到表头行"), b"").unwrap();
    std::fs::write(
        add("binary.csv", "文字编码无法识别"),
        [0x81u8, 0x00, 0xff, 0x30, 0x00],
    )
    .unwrap();
    std::fs::create_dir(add("folder.csv", "不是普通文件")).unwrap();
    std::fs::write(add("old.xls", "另存为 .xlsx"), b"x").unwrap();
    let fifo = hostile.join("pipe.csv");
    if mkfifo(&fifo) {
        corpus.push((fifo, "不是普通文件"));
    }
    corpus
}

#[test]
fn hostile_survey_files_are_refused_clearly_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = village_db(dir.path());
    let hostile = dir.path().join("hostile");
    std::fs::create_dir(&hostile).unwrap();
    let before = std::fs::read(&db).unwrap();
    let corpus = survey_corpus(&hostile);
    let files_before = listing(dir.path());

    for (file, expect) in &corpus {
        let words = refused(&["survey", "import", "--db", s(&db), s(file), "--commit"]);
        assert!(words.contains(expect), "{}: {words}", file.display());
    }
    assert_eq!(std::fs::read(&db).unwrap(), before, "database unchanged");
    assert_eq!(listing(dir.path()), files_before, "nothing written beside");
}

#[test]
fn hostile_bundles_are_refused_clearly_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = village_db(dir.path());
    let hostile = dir.path().join("hostile");
    std::fs::create_dir(&hostile).unwrap();
    let before = common::files::fingerprint_but_receipts(&db);
    let mut corpus: Vec<(PathBuf, &str)> = vec![
        (hostile.join("empty.dripline"), "不完整（文件被截断）"),
        (hostile.join("random.dripline"), "不是 Dripline 同步包"),
        (hostile.join("folder.dripline"), "不是普通文件"),
        (hostile.join("huge.dripline"), "超过同步包大小上限"),
    ];
    std::fs::write(&corpus[0].0, b"").unwrap();
    std::fs::write(&corpus[1].0, [0x5au8; 4096]).unwrap();
    std::fs::create_dir(&corpus[2].0).unwrap();
    // Sparse: takes no disk space.
    std::fs::File::create(&corpus[3].0)
        .unwrap()
        .set_len(dripline::sync::import::MAX_BUNDLE_BYTES + 1)
        .unwrap();
    let fifo = hostile.join("pipe.dripline");
    if mkfifo(&fifo) {
        corpus.push((fifo, "不是普通文件"));
    }
    let files_before = listing(dir.path());
    for (file, expect) in &corpus {
        let words = refused(&["bundle", "import", "--db", s(&db), s(file)]);
        assert!(words.contains(expect), "{}: {words}", file.display());
    }
    // Nothing but the log of refused bundles changed, and each refusal is in it, by file name
    // and with its reason, for `bundle status` and the sync screen.
    assert_eq!(
        common::files::fingerprint_but_receipts(&db),
        before,
        "database unchanged"
    );
    assert_eq!(listing(dir.path()), files_before, "nothing written beside");
    let status = common::cli::ok(&["bundle", "status", "--db", s(&db)]);
    for (file, expect) in &corpus {
        let name = file.file_name().unwrap().to_string_lossy();
        let line = status
            .lines()
            .find(|l| l.contains(name.as_ref()))
            .unwrap_or_else(|| panic!("{name} not in the status:\n{status}"));
        assert!(line.contains(expect), "{line}");
    }
}

#[test]
fn gbk_and_utf16_csvs_are_read_and_rows_are_the_lines_the_user_sees() {
    let dir = tempfile::tempdir().unwrap();
    let db = village_db(dir.path());
    let text = csv(&[
        String::new(),
        head_line("001", "李建国", &id(11, Sex::Male), "新政镇"),
        String::new(),
        // Line 5: a check character typed wrong.
        format!("001,王芳,{}0,配偶,,,", &id(22, Sex::Female)[..17]),
    ]);
    let gbk = dir.path().join("gbk.csv");
    std::fs::write(&gbk, encoding_rs::GBK.encode(&text).0).unwrap();
    let utf16 = dir.path().join("utf16.csv");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&utf16, bytes).unwrap();
    for (file, encoding) in [(&gbk, "GB18030/GBK"), (&utf16, "UTF-16LE")] {
        let words = refused(&["survey", "import", "--db", s(&db), s(file), "--commit"]);
        assert!(
            words.contains(&format!("按 {encoding} 编码读取")),
            "{words}"
        );
        assert!(words.contains("第5行，身份证号"), "{words}");
        assert!(!words.contains("第4行"), "{words}");
    }
    // The same file without the mistake is imported.
    let good = text.replace(
        &format!("{}0", &id(22, Sex::Female)[..17]),
        &id(22, Sex::Female),
    );
    std::fs::write(&gbk, encoding_rs::GBK.encode(&good).0).unwrap();
    let out = dripline(&["survey", "import", "--db", s(&db), s(&gbk), "--commit"]);
    assert!(out.status.success(), "{}", common::cli::text(&out.stderr));
    let store = Store::open(&db).unwrap();
    let village = store.villages().unwrap().remove(0);
    let records = store.household_records(Some(village.id)).unwrap();
    assert_eq!(records[0].household.address, "新政镇");
    assert_eq!(records[0].members.len(), 2);
}

/// Runs `dripline args…` and returns its exit code and the peak resident memory of that child
/// alone, MiB (`wait4`, so other tests' children running meanwhile do not count).
#[allow(clippy::zombie_processes)] // waited for by wait4, which std's Child does not know
fn peak_memory_mib(args: &[&str]) -> (Option<i32>, u64) {
    let child = common::cli::command()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start dripline");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a plain C struct of numbers, filled by wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our child's, not waited for yet; both pointers are to live locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    // ru_maxrss is in KiB on Linux.
    (code, usage.ru_maxrss as u64 / 1024)
}

/// What any survey file may make `survey import` take, whatever it holds.
const MEMORY_BOUND_MIB: u64 = 300;

#[test]
fn survey_import_memory_stays_bounded_on_hostile_and_on_big_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = village_db(dir.path());
    let hostile = dir.path().join("hostile");
    std::fs::create_dir(&hostile).unwrap();
    let mut files: Vec<PathBuf> = survey_corpus(&hostile)
        .into_iter()
        .map(|(file, _)| file)
        .filter(|file| file.is_file())
        .collect();
    // A big legitimate file: 60,000 members in 20,000 households, 4 MB.
    let birth = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap();
    let mut lines = Vec::new();
    for h in 0..20_000u64 {
        for (seq, relation) in [(1, "户主"), (2, "配偶"), (3, "之子")] {
            let day = birth + chrono::Days::new(h % 9000);
            let id = id_number::compose("510824", day, (h as u32 % 300) * 3 + seq, Sex::Male);
            lines.push(format!(
                "{:05},成员{h}-{seq},{id},{relation},新政镇,,",
                h + 1
            ));
        }
    }
    let big = dir.path().join("big.csv");
    std::fs::write(&big, csv(&lines)).unwrap();
    files.push(big.clone());
    for file in &files {
        let (code, mib) = peak_memory_mib(&["survey", "import", "--db", s(&db), s(file)]);
        assert!(code.is_some(), "{}: killed by a signal", file.display());
        assert!(
            mib < MEMORY_BOUND_MIB,
            "{}: {mib} MiB at the peak",
            file.display()
        );
    }
}
