//! The survey reader on CSV bytes: any bytes are read or refused, never a panic or an abort.
#![no_main]

use dripline::io::survey::{SurveyFormat, read_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_bytes(std::path::Path::new("fuzz.csv"), data, SurveyFormat::Csv);
});
