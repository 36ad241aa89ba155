//! The app-bundle parsers on arbitrary bytes: the protobuf manifest (decode, facts,
//! bridge-provider splice — whose output must decode again and be fused), `native.pb`
//! (decode, targeting check, extension), and the module layout from entry names (the
//! bytes split on newlines).
#![no_main]

use std::collections::BTreeSet;

use fuse::aab::{Layout, Manifest, NativeConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Manifest::decode("base/manifest/AndroidManifest.xml", data.to_vec()) {
        assert_eq!(m.bytes(), data, "an unedited manifest must keep its bytes");
        let _ = m.split_id();
        let _ = m.has_code();
        if let Ok((patched, _)) = m.with_bridge_provider() {
            let again = Manifest::decode("m", patched.clone()).expect("patched manifest decodes");
            assert!(again.facts().expect("facts").is_fused());
            let (twice, _) = again.with_bridge_provider().expect("re-patch");
            assert_eq!(twice, patched, "patching is idempotent");
        }
    }
    if let Ok(n) = NativeConfig::decode("base/native.pb", data.to_vec()) {
        let dirs: BTreeSet<String> = ["lib/arm64-v8a".to_owned()].into();
        let _ = n.check(&dirs);
        let abis: BTreeSet<String> = ["x86".to_owned(), "arm64-v8a".to_owned()].into();
        let extended = n.with_abis(&abis);
        assert!(extended.starts_with(data));
        NativeConfig::decode("n", extended).expect("extended native.pb decodes");
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Layout::from_names(text.split('\n'));
    }
});
