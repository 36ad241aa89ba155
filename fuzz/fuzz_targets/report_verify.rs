//! `fuse verify --report`'s reader on arbitrary bytes: strict JSON parsing, the schema
//! check, base64, certificate parsing and signature checking must return errors, never
//! panic; and whatever parses has a canonical form that is a fixed point.
#![no_main]

use std::path::Path;

use fuse::report::{parse_strict, to_canonical, verify_report_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = verify_report_bytes(Path::new("R.json"), data);
    if let Ok(value) = parse_strict(data)
        && let Ok(canonical) = to_canonical(&value)
    {
        let again = parse_strict(&canonical).expect("canonical JSON parses");
        assert_eq!(
            to_canonical(&again).expect("canonicalizes again"),
            canonical,
            "canonical form is not a fixed point"
        );
    }
});
