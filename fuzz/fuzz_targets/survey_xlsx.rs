//! The survey reader on xlsx bytes (zip, then the sheet's XML), within the reader's limits.
#![no_main]

use dripline::io::survey::{SurveyFormat, read_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_bytes(std::path::Path::new("fuzz.xlsx"), data, SurveyFormat::Xlsx);
});
