//! The fuzz targets' inputs in the normal test suite: every file of `fuzz/corpus/<target>/` (the
//! seeds) and of `fuzz/regressions/<target>/` (inputs that once crashed a target) goes through the
//! entry point its target calls, which must read or refuse it, never panic. The seeds are also
//! checked to be what they claim (a readable survey, a parsable bundle), so that the fuzzer starts
//! from inputs that reach deep into the readers.

use std::path::{Path, PathBuf};

use dripline::io::survey::{SurveyFormat, read_bytes};
use dripline::sync::import::parse_bytes;

fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files: Vec<PathBuf> = ["corpus", "regressions"]
        .iter()
        .filter_map(|kind| std::fs::read_dir(fuzz.join(kind).join(target)).ok())
        .flatten()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn survey_csv_inputs_are_read_or_refused() {
    let files = inputs("survey_csv");
    assert!(files.len() >= 5, "{files:?}");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let read = read_bytes(file, &bytes, SurveyFormat::Csv);
        if file.file_name().unwrap() == "utf8.csv" {
            assert_eq!(read.unwrap().rows.len(), 2);
        }
    }
}

#[test]
fn survey_xlsx_inputs_are_read_or_refused() {
    let files = inputs("survey_xlsx");
    assert!(!files.is_empty());
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let read = read_bytes(file, &bytes, SurveyFormat::Xlsx);
        if file.file_name().unwrap() == "template.xlsx" {
            assert!(read.is_ok(), "the template is a readable survey: {read:?}");
        }
    }
}

#[test]
fn bundle_inputs_are_parsed_or_refused() {
    let files = inputs("bundle");
    assert!(files.len() >= 2, "{files:?}");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let parsed = parse_bytes(&bytes);
        match file.file_name().unwrap().to_str().unwrap() {
            "plain-2-households.dripline" => {
                let (_, payload) = parsed.unwrap();
                assert!(payload.unwrap().records().count() > 2);
            }
            "encrypted.dripline" => assert!(parsed.unwrap().1.is_none()),
            _ => {}
        }
    }
}
