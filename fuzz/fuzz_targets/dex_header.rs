//! DEX on arbitrary bytes: the header check `fuse build` runs on every dex file (against
//! the input's real size and a lying size), then the bridge lookup it runs on the last dex
//! of an app that looks fused (class_defs → type_ids → string_ids → string data).
#![no_main]

use fuse::android::dex::{BRIDGE_DESCRIPTOR, defines_class, parse_header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(header) = parse_header(data, data.len() as u64) {
        assert!(
            (35..=41).contains(&header.version),
            "accepted version {}",
            header.version
        );
    }
    let _ = parse_header(data, u64::MAX);
    let _ = parse_header(data, 0x70);
    let _ = defines_class(data, BRIDGE_DESCRIPTOR);
});
