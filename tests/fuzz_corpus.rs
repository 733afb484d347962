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

/// A byte-level change of a seed, as a fuzzer's mutator makes them.
#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, bit: u8 },
    Set { at: usize, byte: u8 },
    Insert { at: usize, bytes: Vec<u8> },
    Remove { at: usize, len: usize },
    Truncate { at: usize },
    Duplicate { at: usize, len: usize },
}

fn mutation() -> impl proptest::strategy::Strategy<Value = Mutation> {
    use proptest::prelude::*;
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        // Bytes that matter to the readers: quotes, separators, line ends, zero, 0xFF, UTF-8 lead.
        (
            any::<usize>(),
            prop::sample::select(vec![b'"', b',', b'\n', b'\r', 0, 0xFF, 0xE5, b'='])
        )
            .prop_map(|(at, byte)| Mutation::Set { at, byte }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Remove { at, len }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), 1usize..256).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
    ]
}

fn mutate(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for m in mutations {
        let n = bytes.len().max(1);
        match m {
            Mutation::Flip { at, bit } if !bytes.is_empty() => bytes[at % n] ^= 1 << bit,
            Mutation::Set { at, byte } if !bytes.is_empty() => bytes[at % n] = *byte,
            Mutation::Insert { at, bytes: new } => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, new.iter().copied());
            }
            Mutation::Remove { at, len } if !bytes.is_empty() => {
                let at = at % n;
                let end = (at + len).min(bytes.len());
                bytes.drain(at..end);
            }
            Mutation::Truncate { at } => bytes.truncate(at % (bytes.len() + 1)),
            Mutation::Duplicate { at, len } if !bytes.is_empty() => {
                let at = at % n;
                let end = (at + len).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
            _ => {}
        }
    }
    bytes
}

// A short mutation run in every `cargo test` (CI included), seeded and so repeatable: the
// committed seeds changed the way libFuzzer's mutator changes them, through the same entry
// points as the `cargo fuzz` targets. The coverage-guided runs stay a by-hand step (README).
proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    #[test]
    fn mutated_seeds_are_read_or_refused_never_a_panic(
        pick in proptest::prelude::any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let targets = [("survey_csv", Some(SurveyFormat::Csv)), ("survey_xlsx", Some(SurveyFormat::Xlsx)), ("bundle", None)];
        for (target, format) in targets {
            let files = inputs(target);
            let file = &files[pick % files.len()];
            let bytes = mutate(&std::fs::read(file).unwrap(), &mutations);
            match format {
                Some(format) => {
                    let _ = read_bytes(file, &bytes, format);
                }
                None => {
                    let _ = parse_bytes(&bytes);
                }
            }
        }
    }
}
