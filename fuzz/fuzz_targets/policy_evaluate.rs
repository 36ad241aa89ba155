//! The evaluator on certificate chains: input is DER pieces (seed it with real
//! certificates, see fuzz/seeds/policy_evaluate), evaluated under fixed valid policies
//! pinned to each piece in turn so every enforce check is reached.
#![no_main]

use fuse_fuzz::{HOSTS, fixed_policy, split_tlvs};
use fuse_policy::{Verdict, spki_sha256};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let chain = split_tlvs(data);
    let now = 1_767_225_600;
    for piece in &chain {
        let pins: Vec<[u8; 32]> = spki_sha256(piece).into_iter().collect();
        let pinned = !pins.is_empty();
        let policy = fixed_policy(pins, Some(now + 1));
        for host in HOSTS {
            let verdict = policy.evaluate(host, &chain, now);
            if pinned && host == "api.example.test" {
                // Pinned to a piece of the chain: never a pin mismatch.
                assert!(
                    !matches!(&verdict, Verdict::Violation(v) if v.reason == fuse_policy::ReasonCode::PinMismatch),
                    "{verdict:?}"
                );
            }
            let _ = policy.evaluate(host, &chain, now + 1);
        }
    }
});
