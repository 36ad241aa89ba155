//! Alignment as zipalign and Android want it: aapt's unaligned fixtures fail
//! `zipalign -c -p 4`, fuse's outputs pass; `.so` data sits on 16 KiB pages,
//! `resources.arsc` is stored and 4-aligned, every stored entry 4-aligned.

use crate::apksigner_parity::sign;
use crate::support::{generated, tempdir, tool};
use fuse::zip::Archive;

#[test]
fn outputs_are_aligned_where_inputs_were_not() {
    let dir = generated("apk");
    let t = tempdir();
    let input = dir.join("min21-native-stored.apk");
    let before = tool("zipalign", ["-c", "-p", "4", input.to_str().unwrap()]);
    assert_ne!(before.code, 0, "fixture should start unaligned\n{before}");
    let out = t.path().join("aligned.apk");
    sign(&input, "rsa2048", &out);
    tool("zipalign", ["-c", "-p", "4", out.to_str().unwrap()]).success();

    let a = Archive::open(&out).unwrap();
    let mut so = 0;
    for e in a.entries().iter().filter(|e| e.is_stored()) {
        let align = if e.name.ends_with(".so") { 16384 } else { 4 };
        assert_eq!(e.data_offset % align, 0, "{} at {}", e.name, e.data_offset);
        so += usize::from(e.name.ends_with(".so"));
    }
    assert_eq!(so, 2);
    let arsc = a.entry("resources.arsc").unwrap();
    assert!(arsc.is_stored());
    // The signing block starts on a page, as apksigner places it.
    assert_eq!(a.signing_block().unwrap().start % 4096, 0);
}

#[test]
fn raw_copy_keeps_every_entrys_bytes() {
    let dir = generated("apk");
    let t = tempdir();
    let input = dir.join("min26-native-deflated.apk");
    let out = t.path().join("out.apk");
    sign(&input, "rsa2048", &out);
    let a = Archive::open(&input).unwrap();
    let b = Archive::open(&out).unwrap();
    let raw = |arch: &Archive, e: &fuse::zip::Entry| {
        let mut v = vec![0; e.compressed_size() as usize];
        arch.read_at(e.data_offset, &mut v).unwrap();
        v
    };
    for e in a.entries() {
        let o = b.entry(&e.name).unwrap();
        assert_eq!(
            raw(&a, e),
            raw(&b, o),
            "{} was not copied byte for byte",
            e.name
        );
        assert_eq!((e.central.method, e.crc32()), (o.central.method, o.crc32()));
    }
}
