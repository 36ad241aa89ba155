//! Property lists (binary `bplist00` and XML) on arbitrary bytes: the bounded parse every
//! plist fuse reads goes through (Info.plist, CodeResources, entitlements, profiles'
//! payload) — depth, value count and cycles checked before the `plist` crate builds
//! values — then the Info.plist facts.
#![no_main]

use fuse::ios::info_plist::{BundleInfo, parse_bounded};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = parse_bounded(data) {
        // Whatever was accepted serialises (no cycle or unbounded nesting got through).
        let mut xml = Vec::new();
        let _ = value.to_writer_xml(&mut xml);
    }
    let _ = BundleInfo::parse(data);
});
