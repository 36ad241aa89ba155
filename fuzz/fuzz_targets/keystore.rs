//! Keystores (PKCS#12 with its iteration bounds, JKS) through `keys::load` as `--ks`
//! does, with the password the seeds were made with (`fuzzing`) and a wrong one.
#![no_main]

use fuse::keys::{KeySource, PasswordSpec, load};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = fuse_fuzz::as_file(data);
    for password in ["pass:fuzzing", "pass:wrong"] {
        let source = KeySource::Keystore {
            path: path.clone(),
            store_pass: PasswordSpec::parse(password).expect("a valid spec"),
            alias: None,
            key_pass: None,
        };
        if let Ok(identity) = load(&source) {
            assert!(!identity.certificate_der().is_empty());
        }
    }
});
