//! Fusion-set JSON on arbitrary bytes: the strict validator (`fusion_set::parse`), whose
//! every failure is one line; whatever validates must compile to a policy that the shim's
//! decoder reads back unchanged (encode → decode round trip), up to the blob's canonical
//! order (domains and languages sorted: `Policy::canonicalize`).
#![no_main]

use fuse_policy::{decode, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match fuse::fusion_set::parse(data, "fuzz.json", 1_767_225_600) {
        Ok(set) => {
            let policy = set.to_policy("fuzz-build", 1_767_225_600);
            let blob = encode(&policy);
            let back = decode(&blob).expect("a compiled fusion set's policy must decode");
            let mut canonical = policy.clone();
            canonical.canonicalize();
            assert_eq!(back, canonical, "policy round trip changed it");
        }
        Err(e) => {
            assert!(!e.to_string().contains('\n'), "multi-line error: {e}");
        }
    }
});
