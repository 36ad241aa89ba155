//! Mach-O (thin or fat) on arbitrary bytes: fuse's bounded parse (fat table, load
//! commands, segments, the embedded code signature's bounds), the shim injection, and —
//! for whatever that parse accepts — apple-codesign's reading of the signature, which
//! `fuse inspect`/`verify`/re-signing do next (it trusts what fuse's parse checked).
#![no_main]

use fuse::macho::{self, DylibVersions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(slices) = macho::parse(data, "fuzz") else {
        return;
    };
    for s in &slices {
        assert!(
            s.file_offset + s.size <= data.len(),
            "slice outside the input"
        );
        assert!(s.commands_end <= s.size, "load commands outside the slice");
    }
    let versions = DylibVersions {
        current: 0x10000,
        compatibility: 0x10000,
    };
    if let Ok(injection) = macho::add_shim_load(data, versions, "fuzz") {
        assert_eq!(
            injection.data.len(),
            data.len(),
            "injection changed the length"
        );
        // The injected file parses and loads the shim once per slice.
        let again = macho::parse(&injection.data, "fuzz").expect("injected file does not parse");
        for s in &again {
            assert_eq!(s.shim_loads().len(), 1, "shim not loaded exactly once");
        }
    }
    let _ = fuse::ios::seal::signature_facts(data, "fuzz");
    let _ = fuse::ios::seal::verify_binary(data, "fuzz");
});
