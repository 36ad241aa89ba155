//! A fusion set written the way a user writes one — pins pasted from `fuse pin` output of
//! the shared test chains — validates, and the policy compiled from it decides real
//! chains as CONTRACTS §2 says: the pinned chain passes, a MITM chain does not, expiry
//! (`expires` = last UTC day) turns a mismatch non-blocking from the next day on.

use std::fs;
use std::path::Path;

use fuse::fusion_set;
use fuse_policy::{ReasonCode, Verdict};

use crate::support::{fuse, generated, tempdir};

/// The pins `fuse pin` prints for a PEM file, in order.
fn fuse_pins(pem: &Path) -> Vec<String> {
    let run = fuse(["pin".as_ref(), pem.as_os_str()]);
    run.success();
    run.stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect()
}

fn ders(chain_dir: &Path) -> Vec<Vec<u8>> {
    let mut out = vec![fs::read(chain_dir.join("leaf.der")).unwrap()];
    let inter = chain_dir.join("intermediate.der");
    if inter.exists() {
        out.push(fs::read(inter).unwrap());
    }
    out.push(fs::read(chain_dir.join("root.der")).unwrap());
    out
}

#[test]
fn pins_from_fuse_pin_compile_to_a_policy_that_tells_good_from_mitm() {
    let chains = generated("chains");
    let good = fuse_pins(&chains.join("good/chain.pem"));
    let backup = fuse_pins(&chains.join("backup/chain.pem"));
    // Pin the good intermediate, with the backup root as the backup pin.
    let text = format!(
        r#"{{
  "fusionSetId": "chains-e2e",
  "name": "Test chains",
  "stage": "production",
  "CertificatePinning": {{
    "threatEvents": "defense",
    "action": "close",
    "domains": [
      {{ "host": "API.Example.Test.", "expires": "2026-06-30", "pins": ["{}", "{}"] }},
      {{ "host": "*.example.test", "pins": ["{}", "{}"] }}
    ]
  }}
}}
"#,
        good[1], backup[2], good[2], backup[2]
    );
    let tmp = tempdir();
    let file = tmp.path().join("fs.json");
    fs::write(&file, text).unwrap();

    // 2026-01-01
    let now = 1_767_225_600;
    let run =
        crate::support::fuse_cmd(["fusion-set".as_ref(), "validate".as_ref(), file.as_os_str()])
            .env("SOURCE_DATE_EPOCH", now.to_string())
            .run();
    run.success();

    let set = fusion_set::load_at(&file, now).unwrap();
    let policy = set.to_policy("build", now);
    let good_chain = ders(&chains.join("good"));
    let good_refs: Vec<&[u8]> = good_chain.iter().map(Vec::as_slice).collect();
    let mitm_chain = ders(&chains.join("mitm"));
    let mitm_refs: Vec<&[u8]> = mitm_chain.iter().map(Vec::as_slice).collect();

    assert_eq!(
        policy.evaluate("api.example.test", &good_refs, now),
        Verdict::Allowed
    );
    // Covered by the one-label wildcard, pinned on the good root.
    assert_eq!(
        policy.evaluate("cdn.example.test", &good_refs, now),
        Verdict::Allowed
    );
    assert_eq!(
        policy.evaluate("other.invalid", &mitm_refs, now),
        Verdict::NotCovered
    );
    match policy.evaluate("api.example.test", &mitm_refs, now) {
        Verdict::Violation(v) => {
            assert_eq!(v.reason, ReasonCode::PinMismatch);
            assert!(v.response.block && v.response.close_app && v.response.threat_event);
        }
        other => panic!("MITM chain not refused: {other:?}"),
    }

    // `expires: 2026-06-30` is the last day the pins apply.
    let last_second = 1_782_863_999; // 2026-06-30T23:59:59Z
    match policy.evaluate("api.example.test", &mitm_refs, last_second) {
        Verdict::Violation(v) => assert_eq!(v.reason, ReasonCode::PinMismatch),
        other => panic!("{other:?}"),
    }
    match policy.evaluate("api.example.test", &mitm_refs, last_second + 1) {
        Verdict::Violation(v) => {
            assert_eq!(v.reason, ReasonCode::PinSetExpired);
            assert!(!v.response.block, "an expired pin set never blocks");
        }
        other => panic!("{other:?}"),
    }
}
