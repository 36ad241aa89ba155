//! The response table of CONTRACTS §2 (docs/fusion-set.md), row by row:
//! detection × threatEvents × stage × action → what happens on a PIN_MISMATCH from a
//! real MITM chain, and on a corrupt blob.
//!
//! Flags: B block · D dialog · N notice · C close app · T threat event · L log.

// Test code: a failed expectation is supposed to panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use fuse_policy::{Action, ReasonCode, Response, Runtime, Stage, ThreatEvents, Verdict};
use support::*;

use Action::*;
use Stage::*;
use ThreatEvents::{Defense, Detection, Off};

#[rustfmt::skip]
const TABLE: [(ThreatEvents, Stage, Action, &str); 36] = [
    // threatEvents detection: never blocks, always tells the app.
    (Detection, Development, Close, "----TL"), (Detection, Development, Alert, "----TL"),
    (Detection, Development, Warn,  "----TL"), (Detection, Development, Log,   "----TL"),
    (Detection, Staging,     Close, "----TL"), (Detection, Staging,     Alert, "----TL"),
    (Detection, Staging,     Warn,  "----TL"), (Detection, Staging,     Log,   "----TL"),
    (Detection, Production,  Close, "----TL"), (Detection, Production,  Alert, "----TL"),
    (Detection, Production,  Warn,  "----TL"), (Detection, Production,  Log,   "----TL"),
    // threatEvents off: enforces, the app is not told; development only warns.
    (Off, Development, Close, "--N--L"), (Off, Development, Alert, "--N--L"),
    (Off, Development, Warn,  "--N--L"), (Off, Development, Log,   "--N--L"),
    (Off, Staging,     Close, "BD-C-L"), (Off, Staging,     Alert, "BD---L"),
    (Off, Staging,     Warn,  "--N--L"), (Off, Staging,     Log,   "-----L"),
    (Off, Production,  Close, "BD-C-L"), (Off, Production,  Alert, "BD---L"),
    (Off, Production,  Warn,  "--N--L"), (Off, Production,  Log,   "-----L"),
    // threatEvents defense: enforces and tells the app.
    (Defense, Development, Close, "--N-TL"), (Defense, Development, Alert, "--N-TL"),
    (Defense, Development, Warn,  "--N-TL"), (Defense, Development, Log,   "--N-TL"),
    (Defense, Staging,     Close, "BD-CTL"), (Defense, Staging,     Alert, "BD--TL"),
    (Defense, Staging,     Warn,  "--N-TL"), (Defense, Staging,     Log,   "----TL"),
    (Defense, Production,  Close, "BD-CTL"), (Defense, Production,  Alert, "BD--TL"),
    (Defense, Production,  Warn,  "--N-TL"), (Defense, Production,  Log,   "----TL"),
];

fn flags(r: Response) -> String {
    [
        (r.block, 'B'),
        (r.dialog, 'D'),
        (r.notice, 'N'),
        (r.close_app, 'C'),
        (r.threat_event, 'T'),
        (r.log, 'L'),
    ]
    .iter()
    .map(|&(on, c)| if on { c } else { '-' })
    .collect()
}

fn mode(te: ThreatEvents, stage: Stage, action: Action, detection: bool) -> fuse_policy::Policy {
    let mut p = policy(vec![domain(
        exact("api.example.test"),
        true,
        &[chain("good").root_pin()],
    )]);
    p.threat_events = te;
    p.stage = stage;
    p.action = action;
    p.detection = detection;
    p
}

#[test]
fn every_row_of_the_table_with_detection_on() {
    let mitm = chain("mitm");
    let good = chain("good");
    for (te, stage, action, want) in TABLE {
        let p = mode(te, stage, action, true);
        let row = format!("{te:?} {stage:?} {action:?}");
        match p.evaluate("api.example.test", &mitm.refs(), NOW) {
            Verdict::Violation(v) => {
                assert_eq!(v.reason, ReasonCode::PinMismatch, "{row}");
                assert_eq!(flags(v.response), want, "{row}");
            }
            other => panic!("{row}: {other:?}"),
        }
        assert_eq!(
            p.evaluate("api.example.test", &good.refs(), NOW),
            Verdict::Allowed,
            "{row}"
        );
        assert_eq!(
            p.evaluate("other.test", &mitm.refs(), NOW),
            Verdict::NotCovered,
            "{row}"
        );
    }
}

#[test]
fn every_row_with_detection_off_is_not_covered() {
    let mitm = chain("mitm");
    for (te, stage, action, _) in TABLE {
        let p = mode(te, stage, action, false);
        assert_eq!(
            p.evaluate("api.example.test", &mitm.refs(), NOW),
            Verdict::NotCovered,
            "{te:?} {stage:?} {action:?}"
        );
    }
}

#[test]
fn every_row_with_a_corrupt_body_fails_closed_only_in_defense() {
    let mitm = chain("mitm");
    for detection in [true, false] {
        for (te, stage, action, _) in TABLE {
            let row = format!("detection {detection} {te:?} {stage:?} {action:?}");
            let mut blob = fuse_policy::encode(&mode(te, stage, action, detection));
            let last = blob.len() - 1;
            blob[last] ^= 0x80; // trailer damaged, scope digest intact
            let rt = Runtime::load(&blob);
            assert!(rt.policy().is_none() && rt.is_scope_only(), "{row}");
            let defense = detection && te == Defense && stage != Development;
            for host in ["api.example.test", "deep.sub.api.example.test"] {
                match rt.evaluate(host, &mitm.refs(), NOW) {
                    Verdict::Violation(v) if defense => {
                        assert_eq!(v.reason, ReasonCode::PolicyInvalid, "{row}");
                        assert_eq!(flags(v.response), "B---TL", "{row}");
                        assert!(
                            v.reason_data.contains("SHA-256 trailer"),
                            "{row}: {}",
                            v.reason_data
                        );
                    }
                    Verdict::NotCovered if !defense => {}
                    other => panic!("{row} {host}: {other:?}"),
                }
            }
            assert_eq!(
                rt.evaluate("other.test", &mitm.refs(), NOW),
                Verdict::NotCovered,
                "{row}"
            );
            assert_eq!(
                rt.evaluate("127.0.0.1", &mitm.refs(), NOW),
                Verdict::NotCovered,
                "{row}"
            );
        }
    }
}
