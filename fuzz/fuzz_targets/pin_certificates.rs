//! `fuse pin`'s certificate input (DER, PEM, bundles with text between blocks) on
//! arbitrary bytes, through the path-taking entry point the CLI uses.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = fuse_fuzz::as_file(data);
    if let Ok(pins) = fuse::pin::pins_of_file(&path) {
        assert!(!pins.is_empty(), "success without a certificate");
    }
});
