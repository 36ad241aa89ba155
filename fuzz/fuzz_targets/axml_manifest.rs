//! Binary XML on arbitrary bytes: decode, the manifest facts every command reads, then
//! the bridge-provider patch `fuse build` applies. Whatever patches must decode again,
//! read as fused, and patching it again must give the same bytes (idempotent re-fusion).
#![no_main]

use fuse::axml::{Document, patch, read_facts};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = Document::decode(data) else {
        return;
    };
    let _ = read_facts(&doc);
    // patch() returns the facts of the manifest before the patch.
    let Ok((patched, _before)) = patch(data) else {
        return;
    };
    let again = Document::decode(&patched).expect("patched manifest does not decode");
    let refacts = read_facts(&again).expect("patched manifest has no readable facts");
    assert!(
        refacts.is_fused(),
        "patched manifest does not read as fused"
    );
    let (twice, _) = patch(&patched).expect("patching a patched manifest failed");
    assert_eq!(twice, patched, "patching twice differs from patching once");
});
