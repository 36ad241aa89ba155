//! The strict ZIP reader on arbitrary files: end record search, central directory,
//! local headers, signing-block bounds; then every entry streamed (inflate, declared
//! sizes, CRC-32) and the package kind detected, as `fuse verify`/`sign` do.
#![no_main]

use fuse::apk::PackageKind;
use fuse::zip::Archive;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = fuse_fuzz::as_file(data);
    let Ok(archive) = Archive::open(&path) else {
        return;
    };
    let _ = PackageKind::of(&archive);
    let _ = archive.signing_block();
    for e in archive.entries() {
        let mut total = 0u64;
        let streamed = archive.stream(e, |chunk| {
            total += chunk.len() as u64;
            Ok(())
        });
        if streamed.is_ok() {
            assert_eq!(
                total,
                e.uncompressed_size(),
                "{}: stream ≠ declared size",
                e.name
            );
        }
    }
});
