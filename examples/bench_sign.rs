//! Benchmark driver for `scripts/bench-sign` while `crate::keys` has not landed: signs an
//! APK through the same library path as `fuse sign` (sign_file: write, self-verify,
//! rename) with the test-only PKCS#8 key of `tests/e2e/test_key.rs`. Not shipped.
//! Usage: bench_sign IN.apk OUT.apk KEY.pk8 CERT.der
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../tests/e2e/test_key.rs"]
mod test_key;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let key = test_key::TestKey::from_files(a[3].as_ref(), a[4].as_ref());
    let archive = fuse::apk::open_apk(a[1].as_ref(), "sign").unwrap();
    let opts = fuse::apk::SignOptions::default();
    fuse::apk::sign_file(
        &archive,
        a[2].as_ref(),
        true,
        &fuse::apk::Plan::default(),
        &key,
        &opts,
        &fuse::apk::NoProgress,
    )
    .unwrap();
}
