//! The bundle parser: layout, header and (unencrypted) payload of any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = dripline::sync::import::parse_bytes(data);
});
