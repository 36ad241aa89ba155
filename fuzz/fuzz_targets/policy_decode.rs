//! The policy decoder on arbitrary bytes, raw and resealed (valid digests around fuzzed
//! scope/body sections), then evaluation of whatever decodes on chains cut from the same
//! bytes; and those bytes as certificates under a fixed valid policy.
#![no_main]

use fuse_fuzz::{HOSTS, fixed_policy, seal, split_tlvs};
use fuse_policy::{Runtime, decode, encode, spki_sha256};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let chain = split_tlvs(data);
    let now = 1_767_225_600;

    // 1. Raw bytes as policy.bin.
    if let Ok(p) = decode(data) {
        assert_eq!(encode(&p), data, "decode accepted a non-canonical blob");
    }
    let rt = Runtime::load(data);
    for host in HOSTS {
        let _ = rt.evaluate(host, &chain, now);
    }

    // 2. Resealed: the first two bytes choose where the scope section ends.
    if data.len() >= 2 {
        let (head, rest) = data.split_at(2);
        let cut = usize::from(u16::from_le_bytes([head[0], head[1]])) % (rest.len() + 1);
        let (scope, body) = rest.split_at(cut);
        let blob = seal(scope, body);
        match decode(&blob) {
            Ok(p) => {
                assert_eq!(encode(&p), blob, "decode accepted a non-canonical blob");
                assert!(p.check().is_ok(), "decoded policy fails check()");
                for host in HOSTS {
                    let _ = p.evaluate(host, &chain, now);
                    let _ = p.evaluate(host, &chain, i64::MAX);
                }
            }
            Err(_) => {
                let rt = Runtime::load(&blob);
                for host in HOSTS {
                    let _ = rt.evaluate(host, &chain, now);
                }
            }
        }
    }

    // 3. The bytes as a chain under a fixed valid policy pinned to its last piece, so the
    // enforce checks run too (and once expired, and once unpinned).
    let pins: Vec<[u8; 32]> = chain
        .last()
        .and_then(|c| spki_sha256(c))
        .into_iter()
        .collect();
    for policy in [
        fixed_policy(pins.clone(), None),
        fixed_policy(pins, Some(0)),
        fixed_policy(Vec::new(), None),
    ] {
        for host in HOSTS {
            let _ = policy.evaluate(host, &chain, now);
        }
    }
});
