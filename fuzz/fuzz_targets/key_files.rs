//! `--key` / `--cert` files (PKCS#8 DER, PEM keys, DER / PEM certificates and bundles):
//! the input is split at its first 0x00 0xff pair into a key file and a certificate
//! file, so both parsers and the key ↔ certificate match run on fuzzed bytes.
#![no_main]

use fuse::keys::{KeySource, load};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cut = data.windows(2).position(|w| w == [0x00, 0xff]);
    let (key, cert) = match cut {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, data),
    };
    let key_path = fuse_fuzz::as_file_in_slot("key", key);
    let cert_path = fuse_fuzz::as_file_in_slot("cert", cert);
    let _ = load(&KeySource::KeyFiles {
        key: key_path,
        cert: cert_path,
        key_pass: None,
    });
});
