//! A full disk, simulated without root: each writer runs in a child process whose file-size limit
//! (`ulimit -f`, with SIGXFSZ ignored so that the write fails with EFBIG instead of killing the
//! process) is far below its output. Every writer must fail with a message, exit 1, and leave
//! neither the output nor a partial file behind. (A tmpfs or loop filesystem would need root;
//! this runs anywhere `bash` does.)

mod common;

use std::path::Path;

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs the binary with `args` under a file-size limit of `kib` KiB.
fn limited(kib: u32, args: &[&str]) -> std::process::Output {
    let bin = env!("CARGO_BIN_EXE_dripline");
    let command = common::cli::command();
    let script = format!("trap '' XFSZ; ulimit -f {kib}; exec \"$0\" \"$@\"");
    let program = command.get_program().to_owned();
    let envs: Vec<_> = command
        .get_envs()
        .map(|(k, v)| (k.to_owned(), v.map(|v| v.to_owned())))
        .collect();
    let mut shell = std::process::Command::new("bash");
    shell.arg("-c").arg(script).arg(&program).args(args);
    for (k, v) in envs {
        match v {
            Some(v) => shell.env(k, v),
            None => shell.env_remove(k),
        };
    }
    assert_eq!(program, bin);
    shell.output().expect("run bash")
}

#[test]
fn every_writer_fails_cleanly_on_a_full_disk_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let db_s = db.to_str().unwrap();
    common::cli::ok(&["demo", "--out", db_s, "--households-per-village", "300"]);
    // Opened once without the limit, so that the commands below only read it.
    common::cli::ok(&["check", "--db", db_s]);
    let out = dir.path().join("usb");
    std::fs::create_dir(&out).unwrap();
    let o = |name: &str| out.join(name).to_str().unwrap().to_string();
    let household = dripline::store::Store::open(&db)
        .unwrap()
        .household_records(None)
        .unwrap()[0]
        .household
        .number
        .clone();
    let cases: Vec<Vec<String>> = vec![
        vec![
            "survey".into(),
            "template".into(),
            "--out".into(),
            o("t.xlsx"),
        ],
        vec![
            "export".into(),
            "xlsx".into(),
            "--db".into(),
            db_s.into(),
            "--out".into(),
            o("r.xlsx"),
        ],
        vec![
            "export".into(),
            "csv".into(),
            "--db".into(),
            db_s.into(),
            "--out".into(),
            o("csv"),
        ],
        vec![
            "bundle".into(),
            "export".into(),
            "--db".into(),
            db_s.into(),
            "--out".into(),
            o("b.dripline"),
        ],
        vec![
            "print".into(),
            "card".into(),
            "--db".into(),
            db_s.into(),
            "--household".into(),
            household,
            "--out".into(),
            o("c.pdf"),
        ],
        vec![
            "backup".into(),
            "--db".into(),
            db_s.into(),
            "--out".into(),
            o(""),
        ],
        vec![
            "demo".into(),
            "--out".into(),
            o("d.sqlite"),
            "--households-per-village".into(),
            "50".into(),
        ],
    ];
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // The template needs no database; the others open one, whose 32 KiB -shm must fit.
        let kib = if args[0] == "survey" { 8 } else { 34 };
        let result = limited(kib, &args);
        let words = format!(
            "{}{}",
            common::cli::text(&result.stdout),
            common::cli::text(&result.stderr)
        );
        assert_eq!(result.status.code(), Some(1), "{args:?}: {words}");
        // The writer's failure, not the database's: the file-size limit bit the output.
        assert!(
            words.contains("File too large") || words.contains("已满"),
            "{args:?}: {words}"
        );
        let left: Vec<String> = listing(&out)
            .into_iter()
            .filter(|n| n != "csv" || !listing(&out.join("csv")).is_empty())
            .collect();
        assert!(left.is_empty(), "{args:?} left {left:?}: {words}");
        let _ = std::fs::remove_dir(out.join("csv"));
    }
}
