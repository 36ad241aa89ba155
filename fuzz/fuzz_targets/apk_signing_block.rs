//! The APK Signing Block splitter and the v2/v3 block parsers (signers, signed data,
//! digests, certificates, attributes, SDK ranges) on arbitrary bytes. Seeds are real
//! blocks apksigner wrote (tests/hostile/generate → _seeds/apk_signing_block).
#![no_main]

use fuse::apk::signing_block::{self, V2_BLOCK_ID, V3_BLOCK_ID};
use fuse::apk::verify::scheme::parse_and_check;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(pairs) = signing_block::parse(data) else {
        return;
    };
    for (id, range) in pairs {
        let value = data
            .get(range)
            .expect("parse returned a range outside the block");
        match id {
            V2_BLOCK_ID => drop(parse_and_check(value, "v2", false)),
            V3_BLOCK_ID => drop(parse_and_check(value, "v3", true)),
            _ => {}
        }
    }
});
