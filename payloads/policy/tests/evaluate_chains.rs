//! `Policy::evaluate` on real OpenSSL-made chains (testdata/chains): host matching, pins
//! on every position of the chain, backup pins, pin-set expiry per stage, and every
//! `enforce` check, one rule per test.

// Test code: a failed expectation is supposed to panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use fuse_policy::{Enforce, Policy, ReasonCode, Response, Stage, ThreatEvents, Verdict};
use support::*;

#[track_caller]
fn violation(v: Verdict) -> fuse_policy::Violation {
    match v {
        Verdict::Violation(v) => v,
        other => panic!("expected a violation, got {other:?}"),
    }
}

#[track_caller]
fn reason(v: Verdict) -> ReasonCode {
    violation(v).reason
}

fn pinned_on_good_root(host: fuse_policy::HostPattern, include_subdomains: bool) -> Policy {
    policy(vec![domain(
        host,
        include_subdomains,
        &[chain("good").root_pin()],
    )])
}

// ---- host matching -------------------------------------------------------------------

#[test]
fn exact_host_is_covered_and_others_are_not() {
    let good = chain("good");
    let mitm = chain("mitm");
    let p = pinned_on_good_root(exact("api.example.test"), false);
    assert_eq!(
        p.evaluate("api.example.test", &good.refs(), NOW),
        Verdict::Allowed
    );
    assert_eq!(
        reason(p.evaluate("api.example.test", &mitm.refs(), NOW)),
        ReasonCode::PinMismatch
    );
    // Normalised: case and one trailing dot.
    assert_eq!(
        reason(p.evaluate("API.Example.TEST.", &mitm.refs(), NOW)),
        ReasonCode::PinMismatch
    );
    for other in [
        "example.test",
        "www.example.test",
        "api.example.test.evil",
        "xapi.example.test",
    ] {
        assert_eq!(
            p.evaluate(other, &mitm.refs(), NOW),
            Verdict::NotCovered,
            "{other}"
        );
    }
}

#[test]
fn subdomains_at_depth_1_and_3_without_include_subdomains_are_not_covered() {
    let mitm = chain("mitm");
    let p = pinned_on_good_root(exact("example.test"), false);
    assert_eq!(
        p.evaluate("a.example.test", &mitm.refs(), NOW),
        Verdict::NotCovered
    );
    assert_eq!(
        p.evaluate("a.b.c.example.test", &mitm.refs(), NOW),
        Verdict::NotCovered
    );
    assert_eq!(
        reason(p.evaluate("example.test", &mitm.refs(), NOW)),
        ReasonCode::PinMismatch
    );
}

#[test]
fn subdomains_at_depth_1_and_3_with_include_subdomains_are_covered() {
    let good = chain("good");
    let mitm = chain("mitm");
    let p = pinned_on_good_root(exact("example.test"), true);
    for host in ["example.test", "a.example.test", "a.b.c.example.test"] {
        assert_eq!(
            p.evaluate(host, &good.refs(), NOW),
            Verdict::Allowed,
            "{host}"
        );
        assert_eq!(
            reason(p.evaluate(host, &mitm.refs(), NOW)),
            ReasonCode::PinMismatch,
            "{host}"
        );
    }
    assert_eq!(
        p.evaluate("badexample.test", &mitm.refs(), NOW),
        Verdict::NotCovered
    );
}

#[test]
fn one_label_wildcard_covers_exactly_one_label() {
    let good = chain("good");
    let mitm = chain("mitm");
    let p = pinned_on_good_root(wildcard("example.test"), false);
    assert_eq!(
        p.evaluate("api.example.test", &good.refs(), NOW),
        Verdict::Allowed
    );
    assert_eq!(
        reason(p.evaluate("x.example.test", &mitm.refs(), NOW)),
        ReasonCode::PinMismatch
    );
    for not in [
        "example.test",
        "a.b.example.test",
        "a.b.c.example.test",
        "a.example.testx",
        "example.test.a",
    ] {
        assert_eq!(
            p.evaluate(not, &mitm.refs(), NOW),
            Verdict::NotCovered,
            "{not}"
        );
    }
}

#[test]
fn unmatched_host_and_ip_literals_are_not_covered() {
    let mitm = chain("mitm");
    let p = pinned_on_good_root(exact("example.test"), true);
    for host in [
        "other.test",
        "localhost",
        "127.0.0.1",
        "::1",
        "[::1]",
        "",
        ".",
    ] {
        assert_eq!(
            p.evaluate(host, &mitm.refs(), NOW),
            Verdict::NotCovered,
            "{host:?}"
        );
    }
}

#[test]
fn detection_false_covers_nothing() {
    let mitm = chain("mitm");
    let mut p = pinned_on_good_root(exact("api.example.test"), true);
    p.detection = false;
    assert_eq!(
        p.evaluate("api.example.test", &mitm.refs(), NOW),
        Verdict::NotCovered
    );
}

#[test]
fn most_specific_entry_wins() {
    let good = chain("good");
    let backup = chain("backup");
    // Parent pinned to backup, wildcard to good, exact host to backup again, a deeper
    // parent to good. Checked in both list orders and after the encoder's sort.
    let p = policy(vec![
        domain(exact("example.test"), true, &[backup.root_pin()]),
        domain(wildcard("example.test"), false, &[good.root_pin()]),
        domain(exact("api.example.test"), false, &[backup.root_pin()]),
        domain(exact("b.example.test"), true, &[good.root_pin()]),
    ]);
    let mut reversed = p.clone();
    reversed.domains.reverse();
    let decoded = fuse_policy::decode(&fuse_policy::encode(&p)).expect("decodes");
    for p in [p, reversed, decoded] {
        let passes = |host: &str, winner: &support::Chain, loser: &support::Chain| {
            assert_eq!(
                p.evaluate(host, &winner.refs(), NOW),
                Verdict::Allowed,
                "{host}"
            );
            assert_eq!(
                reason(p.evaluate(host, &loser.refs(), NOW)),
                ReasonCode::PinMismatch,
                "{host}"
            );
        };
        // Exact beats wildcard and parent.
        passes("api.example.test", &backup, &good);
        // Wildcard beats the parent's includeSubdomains.
        passes("www.example.test", &good, &backup);
        // Two labels down the wildcard does not apply; the deeper parent wins.
        passes("x.b.example.test", &good, &backup);
        // Elsewhere two labels down only example.test's includeSubdomains covers it.
        passes("x.y.example.test", &backup, &good);
    }
}

// ---- pins ------------------------------------------------------------------------------

#[test]
fn pin_on_leaf_intermediate_or_root_passes() {
    let good = chain("good");
    let mitm = chain("mitm");
    for pin in [good.leaf_pin(), good.intermediate_pin(), good.root_pin()] {
        let p = policy(vec![domain(
            exact("api.example.test"),
            false,
            &[UNRELATED_PIN, pin],
        )]);
        assert_eq!(
            p.evaluate("api.example.test", &good.refs(), NOW),
            Verdict::Allowed
        );
        assert_eq!(
            reason(p.evaluate("api.example.test", &mitm.refs(), NOW)),
            ReasonCode::PinMismatch
        );
    }
}

#[test]
fn a_root_pin_only_matches_when_the_anchor_is_in_the_chain() {
    // Why the shim must pass the validated chain: the served chain lacks the anchor.
    let good = chain("good");
    let p = pinned_on_good_root(exact("api.example.test"), false);
    let served = &good.refs()[..2];
    assert_eq!(
        reason(p.evaluate("api.example.test", served, NOW)),
        ReasonCode::PinMismatch
    );
}

#[test]
fn backup_pin_passes_the_backup_chain() {
    let good = chain("good");
    let backup = chain("backup");
    let p = policy(vec![domain(
        exact("api.example.test"),
        false,
        &[good.root_pin(), backup.leaf_pin()],
    )]);
    assert_eq!(
        p.evaluate("api.example.test", &good.refs(), NOW),
        Verdict::Allowed
    );
    assert_eq!(
        p.evaluate("api.example.test", &backup.refs(), NOW),
        Verdict::Allowed
    );
    assert_eq!(
        reason(p.evaluate("api.example.test", &chain("mitm").refs(), NOW)),
        ReasonCode::PinMismatch
    );
}

#[test]
fn mismatch_reason_data_names_host_rule_and_pins() {
    let mitm = chain("mitm");
    let p = pinned_on_good_root(wildcard("example.test"), false);
    let v = violation(p.evaluate("API.example.test", &mitm.refs(), NOW));
    assert_eq!(v.reason, ReasonCode::PinMismatch);
    assert!(
        v.reason_data
            .starts_with("host api.example.test (rule *.example.test): "),
        "{}",
        v.reason_data
    );
    assert!(v.reason_data.contains(&mitm.pins[0]), "{}", v.reason_data);
    assert!(
        !v.reason_data.contains("interception tool"),
        "{}",
        v.reason_data
    );
}

#[test]
fn interception_tools_are_named() {
    let p = pinned_on_good_root(exact("api.example.test"), false);
    for (name, tool) in [("portswigger", "Burp Suite"), ("charles", "Charles Proxy")] {
        let v = violation(p.evaluate("api.example.test", &chain(name).refs(), NOW));
        assert_eq!(v.reason, ReasonCode::PinMismatch);
        assert!(
            v.reason_data
                .contains(&format!("interception tool: {tool}")),
            "{name}: {}",
            v.reason_data
        );
    }
}

#[test]
fn empty_or_garbage_chains_fail_the_pin_check_without_panicking() {
    let p = pinned_on_good_root(exact("api.example.test"), false);
    let v = violation(p.evaluate("api.example.test", &[], NOW));
    assert_eq!(v.reason, ReasonCode::PinMismatch);
    assert!(
        v.reason_data.contains("no certificates"),
        "{}",
        v.reason_data
    );
    let junk: &[&[u8]] = &[b"", b"\x30\x03\x02\x01", b"not a certificate at all"];
    let v = violation(p.evaluate("api.example.test", junk, NOW));
    assert_eq!(v.reason, ReasonCode::PinMismatch);
    assert!(
        v.reason_data.contains("(unreadable certificate)"),
        "{}",
        v.reason_data
    );
}

#[test]
fn a_leaf_cut_after_its_spki_keeps_its_pin_but_is_not_graded() {
    // The TLV walk to the SPKI does not need the signature, so the pin still counts; the
    // full x509-cert parse fails, so the enforce checks skip that certificate (the chain
    // was validated by the platform; see the x509 module docs). Here the cut leaf is
    // RSA-1024 and still allowed.
    let weak = chain("rsa1024");
    let cut = &weak.der[0][..weak.der[0].len() - 10];
    assert_eq!(fuse_policy::spki_sha256(cut), Some(weak.leaf_pin()));
    let p = policy(vec![domain(
        exact("api.example.test"),
        false,
        &[weak.leaf_pin()],
    )]);
    assert_eq!(
        p.evaluate("api.example.test", &[cut, &weak.der[1], &weak.der[2]], NOW),
        Verdict::Allowed
    );
    assert_eq!(
        reason(p.evaluate("api.example.test", &weak.refs(), NOW)),
        ReasonCode::WeakRsaKey
    );
}

// ---- pin-set expiry -------------------------------------------------------------------

const EXPIRES: i64 = 1_782_864_000; // "2026-06-30" → 2026-07-01T00:00:00Z

fn expiring(stage: Stage, threat_events: ThreatEvents) -> Policy {
    let mut d = domain(
        exact("api.example.test"),
        false,
        &[chain("good").root_pin()],
    );
    d.expires_unix = Some(EXPIRES);
    let mut p = policy(vec![d]);
    p.stage = stage;
    p.threat_events = threat_events;
    p
}

#[test]
fn expired_pin_set_never_blocks_in_any_stage() {
    let good = chain("good");
    let mitm = chain("mitm");
    for stage in [Stage::Development, Stage::Staging, Stage::Production] {
        for te in [
            ThreatEvents::Off,
            ThreatEvents::Detection,
            ThreatEvents::Defense,
        ] {
            let p = expiring(stage, te);
            // Before expiry: a normal mismatch with the stage's response.
            let before = violation(p.evaluate("api.example.test", &mitm.refs(), EXPIRES - 1));
            assert_eq!(before.reason, ReasonCode::PinMismatch);
            assert_eq!(before.response, p.violation_response(), "{stage:?} {te:?}");
            // From the first second of the next day on: expired, non-blocking.
            for now in [EXPIRES, EXPIRES + 86_400 * 365] {
                let v = violation(p.evaluate("api.example.test", &mitm.refs(), now));
                assert_eq!(v.reason, ReasonCode::PinSetExpired, "{stage:?} {te:?}");
                assert_eq!(
                    v.response,
                    Response {
                        threat_event: te != ThreatEvents::Off,
                        log: true,
                        ..Response::default()
                    },
                    "{stage:?} {te:?}"
                );
                assert!(
                    v.reason_data.contains("expired at 2026-07-01T00:00:00Z"),
                    "{}",
                    v.reason_data
                );
                // A matching chain is simply allowed.
                assert_eq!(
                    p.evaluate("api.example.test", &good.refs(), now),
                    Verdict::Allowed
                );
            }
        }
    }
}

#[test]
fn enforce_still_applies_when_the_pin_set_expired() {
    // Weak chain, pins do not match, pin set expired: the enforce failure is the verdict,
    // with its normal (blocking) response.
    let p = expiring(Stage::Production, ThreatEvents::Defense);
    let v = violation(p.evaluate("api.example.test", &chain("backup").refs(), EXPIRES));
    assert_eq!(v.reason, ReasonCode::PinSetExpired);
    let mut rsa_leaf = chain("rsa1024").der;
    rsa_leaf.truncate(1);
    rsa_leaf.extend(chain("mitm").der.into_iter().skip(1));
    let refs: Vec<&[u8]> = rsa_leaf.iter().map(Vec::as_slice).collect();
    let v = violation(p.evaluate("api.example.test", &refs, EXPIRES));
    assert_eq!(v.reason, ReasonCode::WeakRsaKey);
    assert!(v.response.block);
    // And with matching pins after expiry.
    let v = violation(p.evaluate("api.example.test", &chain("rsa1024").refs(), EXPIRES));
    assert_eq!(v.reason, ReasonCode::WeakRsaKey);
}

// ---- enforce ---------------------------------------------------------------------------

fn pinned_root_of(name: &str, enforce: Enforce) -> (Policy, Vec<Vec<u8>>) {
    let c = chain(name);
    let mut p = policy(vec![domain(
        exact("api.example.test"),
        false,
        &[c.root_pin()],
    )]);
    p.enforce = enforce;
    (p, c.der)
}

fn eval(p: &Policy, der: &[Vec<u8>]) -> Verdict {
    let refs: Vec<&[u8]> = der.iter().map(Vec::as_slice).collect();
    p.evaluate("api.example.test", &refs, NOW)
}

#[test]
fn rsa_1024_leaf_is_a_weak_rsa_key() {
    let (p, der) = pinned_root_of("rsa1024", Enforce::default());
    let v = violation(eval(&p, &der));
    assert_eq!(v.reason, ReasonCode::WeakRsaKey);
    assert!(
        v.reason_data.contains("leaf certificate"),
        "{}",
        v.reason_data
    );
    assert!(
        v.reason_data
            .contains("a 1024-bit RSA key, minRsaBits is 2048"),
        "{}",
        v.reason_data
    );
    assert!(v.response.block);
    for min in [0, 1024] {
        let (p, der) = pinned_root_of(
            "rsa1024",
            Enforce {
                min_rsa_bits: min,
                ..Enforce::default()
            },
        );
        assert_eq!(eval(&p, &der), Verdict::Allowed, "minRsaBits {min}");
    }
    let (p, der) = pinned_root_of(
        "good",
        Enforce {
            min_rsa_bits: 2049,
            ..Enforce::default()
        },
    );
    assert_eq!(reason(eval(&p, &der)), ReasonCode::WeakRsaKey);
}

#[test]
fn sha1_signed_intermediate_is_a_weak_signature_hash() {
    let (p, der) = pinned_root_of("sha1-intermediate", Enforce::default());
    let v = violation(eval(&p, &der));
    assert_eq!(v.reason, ReasonCode::WeakSignatureHash);
    assert!(
        v.reason_data.contains("intermediate certificate \"fuse test SHA-1 Intermediate CA\" is signed with sha1WithRSAEncryption"),
        "{}",
        v.reason_data
    );
    let (p, der) = pinned_root_of(
        "sha1-intermediate",
        Enforce {
            sha256_signatures: false,
            ..Enforce::default()
        },
    );
    assert_eq!(eval(&p, &der), Verdict::Allowed);
}

#[test]
fn sha1_self_signature_of_the_anchor_is_exempt() {
    let (p, der) = pinned_root_of("sha1-root", Enforce::default());
    assert_eq!(eval(&p, &der), Verdict::Allowed);
    // The same certificate as an intermediate is not exempt.
    let good = chain("good");
    let franken = vec![der[0].clone(), der[1].clone(), good.der[2].clone()];
    let mut p = p;
    p.domains[0].pins = vec![good.root_pin()];
    assert_eq!(reason(eval(&p, &franken)), ReasonCode::WeakSignatureHash);
}

#[test]
fn ca_without_basic_constraints() {
    for name in ["no-bc-intermediate", "no-bc-root"] {
        let (p, der) = pinned_root_of(name, Enforce::default());
        let v = violation(eval(&p, &der));
        assert_eq!(v.reason, ReasonCode::CaWithoutBasicConstraints, "{name}");
        assert!(
            v.reason_data.contains("without basicConstraints"),
            "{}",
            v.reason_data
        );
        let (p, der) = pinned_root_of(
            name,
            Enforce {
                ca_basic_constraints: false,
                ..Enforce::default()
            },
        );
        assert_eq!(eval(&p, &der), Verdict::Allowed, "{name}");
    }
    // A single self-signed certificate is a leaf: no CA requirement.
    let (p, der) = pinned_root_of("good", Enforce::default());
    let mut p = p;
    p.domains[0].pins = vec![chain("good").leaf_pin()];
    assert_eq!(eval(&p, &der[..1]), Verdict::Allowed);
}

#[test]
fn ec_p256_and_p384_chains_pass_and_other_curves_are_weak() {
    for name in ["ec-p256", "ec-p384"] {
        let (p, der) = pinned_root_of(name, Enforce::default());
        assert_eq!(eval(&p, &der), Verdict::Allowed, "{name}");
    }
    let strict = Enforce {
        min_ec_bits: 384,
        ..Enforce::default()
    };
    let (p, der) = pinned_root_of("ec-p384", strict);
    assert_eq!(eval(&p, &der), Verdict::Allowed);
    let (p, der) = pinned_root_of("ec-p256", strict);
    let v = violation(eval(&p, &der));
    assert_eq!(v.reason, ReasonCode::WeakEcKey);
    assert!(
        v.reason_data.contains("has a P-256 key, minEcBits is 384"),
        "{}",
        v.reason_data
    );
    let (p, der) = pinned_root_of("ec-secp256k1", Enforce::default());
    let v = violation(eval(&p, &der));
    assert_eq!(v.reason, ReasonCode::WeakEcKey);
    assert!(
        v.reason_data.contains("curve other than"),
        "{}",
        v.reason_data
    );
    let (p, der) = pinned_root_of(
        "ec-secp256k1",
        Enforce {
            min_ec_bits: 0,
            ..Enforce::default()
        },
    );
    assert_eq!(eval(&p, &der), Verdict::Allowed);
}

#[test]
fn first_failure_leaf_to_anchor_is_the_reason() {
    let good = chain("good");
    let weak_leaf = chain("rsa1024").der.swap_remove(0);
    let sha1_int = chain("sha1-intermediate").der.swap_remove(1);
    let no_bc_root = chain("no-bc-root").der.pop().expect("root");
    let p = policy(vec![domain(
        exact("api.example.test"),
        false,
        &[good.leaf_pin(), chain("rsa1024").leaf_pin()],
    )]);
    // leaf (RSA-1024) before intermediate (SHA-1) before anchor (no basicConstraints)
    assert_eq!(
        reason(eval(
            &p,
            &[weak_leaf.clone(), sha1_int.clone(), no_bc_root.clone()]
        )),
        ReasonCode::WeakRsaKey
    );
    assert_eq!(
        reason(eval(
            &p,
            &[good.der[0].clone(), sha1_int.clone(), no_bc_root.clone()]
        )),
        ReasonCode::WeakSignatureHash
    );
    assert_eq!(
        reason(eval(
            &p,
            &[good.der[0].clone(), good.der[1].clone(), no_bc_root]
        )),
        ReasonCode::CaWithoutBasicConstraints
    );
    // Pins first: a mismatching weak chain is a PIN_MISMATCH.
    let p = pinned_root_of("good", Enforce::default()).0;
    assert_eq!(
        reason(eval(&p, &chain("rsa1024").der[..1])),
        ReasonCode::PinMismatch
    );
}
