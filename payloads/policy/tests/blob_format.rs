//! The `policy.bin` format: the documented layout byte by byte, canonical encoding, a
//! catalogue of malformed blobs (one per `DecodeError` kind, resealed so the digests do
//! not hide the structural check), and properties over arbitrary policies.

// Test code: a failed expectation is supposed to panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use fuse_policy::{
    Action, Button, ButtonAction, DecodeError, Domain, Enforce, FORMAT_VERSION, HostPattern,
    LocalizedUi, MAGIC, Policy, PolicyError, Runtime, Stage, ThreatEvents, Ui, Verdict, decode,
    encode, limits, try_encode,
};
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use support::{domain, exact, policy, wildcard};

// ---- a test-side writer of the documented layout -------------------------------------

#[derive(Default)]
struct W(Vec<u8>);
impl W {
    fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend(v.to_le_bytes());
        self
    }
    fn i64(&mut self, v: i64) -> &mut Self {
        self.0.extend(v.to_le_bytes());
        self
    }
    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend(b);
        self
    }
    fn str(&mut self, s: &str) -> &mut Self {
        self.u32(s.len() as u32).bytes(s.as_bytes())
    }
}

/// Frames a scope section and a body exactly as docs/policy-format.md says.
fn seal(scope: &[u8], body: &[u8]) -> Vec<u8> {
    let mut b = W::default();
    b.bytes(b"FUSEPOL\0")
        .bytes(&1u16.to_le_bytes())
        .bytes(&0u16.to_le_bytes());
    b.u32(scope.len() as u32).bytes(scope);
    let d = Sha256::digest(&b.0);
    b.bytes(&d);
    b.u32(body.len() as u32).bytes(body);
    let t = Sha256::digest(&b.0);
    b.bytes(&t);
    b.0
}

/// (scope, body) of a blob.
fn split(blob: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let s = u32::from_le_bytes(blob[12..16].try_into().unwrap()) as usize;
    let scope = blob[16..16 + s].to_vec();
    let b = u32::from_le_bytes(blob[48 + s..52 + s].try_into().unwrap()) as usize;
    let body = blob[52 + s..52 + s + b].to_vec();
    (scope, body)
}

fn sample() -> Policy {
    let mut p = policy(vec![
        domain(wildcard("example.test"), false, &[[1; 32]]),
        domain(exact("api.example.test"), true, &[[2; 32], [3; 32]]),
    ]);
    p.domains[1].expires_unix = Some(1_782_864_000);
    p.external_id = Some("cp-prod-01".into());
    p.ui.buttons = vec![
        Button {
            label: "Close".into(),
            action: ButtonAction::Close,
        },
        Button {
            label: "Help".into(),
            action: ButtonAction::Redirect("https://h.test/".into()),
        },
    ];
    p.ui.localized = vec![LocalizedUi {
        language: "de".into(),
        title: Some("Titel".into()),
        message: None,
        buttons: vec!["Schließen".into(), "Hilfe".into()],
    }];
    p
}

#[test]
fn layout_is_exactly_the_documented_one() {
    let p = sample();
    let mut scope = W::default();
    scope.u8(1).u8(2).u8(2).u8(0).u32(2); // detection, defense, production, close, 2 domains
    scope.u8(0).u8(1).str("api.example.test"); // sorted by host: "api.example.test" < "example.test"
    scope.u8(1).u8(0).str("example.test");
    let mut body = W::default();
    body.str(&p.fusion_set_id).str("build-1").i64(1_767_225_600);
    body.u8(1).str("cp-prod-01");
    body.u8(1).u8(1).u32(2048).u32(256);
    body.u32(2);
    body.u8(1)
        .i64(1_782_864_000)
        .u32(2)
        .bytes(&[2; 32])
        .bytes(&[3; 32]);
    body.u8(0).u32(1).bytes(&[1; 32]);
    body.str("Connection not secure")
        .str("This connection could be intercepted.");
    body.u32(2)
        .str("Close")
        .u8(0)
        .str("Help")
        .u8(2)
        .str("https://h.test/");
    body.u32(1)
        .str("de")
        .u8(1)
        .str("Titel")
        .u8(0)
        .u32(2)
        .str("Schließen")
        .str("Hilfe");
    let want = seal(&scope.0, &body.0);
    assert_eq!(encode(&p), want);
    assert_eq!(&want[..8], &MAGIC);
    assert_eq!(FORMAT_VERSION, 1);
    assert_eq!(decode(&want).unwrap(), {
        let mut c = p.clone();
        c.canonicalize();
        c
    });
}

#[test]
fn encoding_is_canonical_whatever_the_input_order() {
    let p = sample();
    let mut shuffled = p.clone();
    shuffled.domains.reverse();
    shuffled.ui.localized.insert(
        0,
        LocalizedUi {
            language: "fr".into(),
            ..LocalizedUi::default()
        },
    );
    let mut q = p.clone();
    q.ui.localized.push(LocalizedUi {
        language: "fr".into(),
        ..LocalizedUi::default()
    });
    assert_eq!(encode(&shuffled), encode(&q));
    assert_eq!(encode(&p), encode(&p.clone()));
    // Pins keep their (fusion-set) order: a different order is a different blob.
    let mut swapped = p.clone();
    swapped.domains[1].pins.reverse();
    assert_ne!(encode(&swapped), encode(&p));
}

#[test]
fn try_encode_reports_policies_the_decoder_would_reject() {
    let mut p = sample();
    p.domains.push(p.domains[0].clone());
    assert!(matches!(
        try_encode(&p),
        Err(PolicyError::DuplicateDomain { .. })
    ));
    assert!(
        decode(&encode(&p)).is_err(),
        "encode is infallible, decode still rejects"
    );
    type Breaker = Box<dyn Fn(&mut Policy)>;
    let cases: Vec<(Breaker, &str)> = vec![
        (Box::new(|p| p.domains[0].pins.clear()), "no pins"),
        (
            Box::new(|p| p.domains[0].pins.push([1; 32])),
            "duplicate pin",
        ),
        (
            Box::new(|p| p.domains[0].host = exact("Upper.test")),
            "uppercase host",
        ),
        (
            Box::new(|p| p.domains[0].host = exact("a..b")),
            "empty label",
        ),
        (
            Box::new(|p| p.domains[0].host = exact(&"a".repeat(64))),
            "long label",
        ),
        (
            Box::new(|p| p.ui.title = "x".repeat(limits::MAX_TEXT_LEN + 1)),
            "long title",
        ),
        (
            Box::new(|p| {
                p.ui.localized[0].buttons.pop();
            }),
            "label count",
        ),
        (
            Box::new(|p| p.ui.localized[0].language = "DE".into()),
            "language case",
        ),
        (
            Box::new(|p| p.ui.buttons[1].action = ButtonAction::Redirect(String::new())),
            "empty redirect",
        ),
        (
            Box::new(|p| p.ui.localized.push(p.ui.localized[0].clone())),
            "duplicate language",
        ),
        (
            Box::new(|p| {
                p.domains = (0..=limits::MAX_DOMAINS)
                    .map(|i| domain(exact(&format!("h{i}.test")), false, &[[0; 32]]))
                    .collect()
            }),
            "too many domains",
        ),
    ];
    for (break_it, what) in cases {
        let mut p = sample();
        break_it(&mut p);
        assert!(try_encode(&p).is_err(), "{what}");
        assert!(decode(&encode(&p)).is_err(), "{what}");
    }
    assert!(try_encode(&sample()).is_ok());
}

// ---- malformed blobs -------------------------------------------------------------------

#[track_caller]
fn rejects(blob: &[u8], want: impl Fn(&DecodeError) -> bool) {
    match decode(blob) {
        Err(e) => {
            assert!(want(&e), "unexpected error {e:?}");
            let line = e.to_string();
            assert!(line.contains(" — "), "one-line error with a reason: {line}");
        }
        Ok(p) => panic!("decoded a malformed blob: {p:?}"),
    }
}

#[test]
fn framing_errors() {
    let good = encode(&sample());
    rejects(&[], |e| matches!(e, DecodeError::TooShort { len: 0 }));
    rejects(&good[..83], |e| matches!(e, DecodeError::TooShort { .. }));
    rejects(&vec![0; limits::MAX_BLOB_LEN + 1], |e| {
        matches!(e, DecodeError::TooLarge { .. })
    });
    let mut b = good.clone();
    b[0] = b'X';
    rejects(&b, |e| *e == DecodeError::BadMagic);
    let mut b = good.clone();
    b[8] = 2;
    rejects(&b, |e| {
        matches!(
            e,
            DecodeError::UnsupportedVersion {
                found: 2,
                supported: 1
            }
        )
    });
    let mut b = good.clone();
    b[10] = 1;
    rejects(&b, |e| matches!(e, DecodeError::Reserved { found: 1 }));
    let mut b = good.clone();
    b[16] ^= 1;
    rejects(&b, |e| *e == DecodeError::ScopeDigest);
    let mut b = good.clone();
    let n = b.len();
    b[n - 40] ^= 1;
    rejects(&b, |e| *e == DecodeError::Trailer);
    let mut b = good.clone();
    b.push(0);
    rejects(&b, |e| {
        matches!(e, DecodeError::TrailingBytes { extra: 1, .. })
    });
    let mut b = good.clone();
    b[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    rejects(&b, |e| {
        matches!(e, DecodeError::Limit { .. } | DecodeError::Truncated { .. })
    });
    let mut b = good.clone();
    b.truncate(n - 1);
    rejects(&b, |e| matches!(e, DecodeError::Truncated { .. }));
}

#[test]
fn structural_errors_behind_valid_digests() {
    let (scope, body) = split(&encode(&sample()));
    assert_eq!(
        seal(&scope, &body),
        encode(&sample()),
        "split/seal round trip"
    );
    let with_scope = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut s = scope.clone();
        f(&mut s);
        seal(&s, &body)
    };
    let with_body = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut b = body.clone();
        f(&mut b);
        seal(&scope, &b)
    };
    let invalid = |what: &'static str| move |e: &DecodeError| matches!(e, DecodeError::Invalid { what: w, .. } if w.contains(what));
    rejects(&with_scope(&|s| s[0] = 2), invalid("detection"));
    rejects(&with_scope(&|s| s[1] = 3), invalid("threatEvents"));
    rejects(&with_scope(&|s| s[2] = 3), invalid("stage"));
    rejects(&with_scope(&|s| s[3] = 4), invalid("action"));
    rejects(
        &with_scope(&|s| s[4..8].copy_from_slice(&1025u32.to_le_bytes())),
        |e| {
            matches!(
                e,
                DecodeError::Limit {
                    what: "domain count",
                    found: 1025,
                    ..
                }
            )
        },
    );
    rejects(&with_scope(&|s| s[8] = 7), invalid("host kind"));
    rejects(&with_scope(&|s| s[9] = 2), invalid("includeSubdomains"));
    rejects(&with_scope(&|s| s[14] = b'A'), invalid("host name"));
    rejects(&with_scope(&|s| s[14] = 0xff), invalid("host"));
    rejects(&with_scope(&|s| s.push(0)), |e| {
        matches!(
            e,
            DecodeError::TrailingBytes {
                section: "scope section",
                ..
            }
        )
    });
    rejects(&with_scope(&|s| s.truncate(s.len() - 1)), |e| {
        matches!(e, DecodeError::Truncated { .. })
    });
    // Swap the two domain entries: out of canonical order.
    let swapped = {
        let mut s = W::default();
        s.bytes(&scope[..8])
            .u8(1)
            .u8(0)
            .str("example.test")
            .u8(0)
            .u8(1)
            .str("api.example.test");
        seal(&s.0, &body)
    };
    rejects(&swapped, |e| matches!(e, DecodeError::NotCanonical { .. }));
    let dup = {
        let mut s = W::default();
        s.bytes(&scope[..8])
            .u8(0)
            .u8(1)
            .str("api.example.test")
            .u8(0)
            .u8(0)
            .str("api.example.test");
        seal(&s.0, &body)
    };
    rejects(&dup, |e| matches!(e, DecodeError::NotCanonical { .. }));

    // Body: fusion set id length lies, invalid UTF-8, domain count mismatch.
    rejects(
        &with_body(&|b| b[0..4].copy_from_slice(&4097u32.to_le_bytes())),
        |e| matches!(e, DecodeError::Limit { max: 4096, .. }),
    );
    rejects(&with_body(&|b| b[4] = 0xc3), invalid("fusion set id"));
    let id_len = sample().fusion_set_id.len();
    let after_ids = 4 + id_len + 4 + "build-1".len() + 8;
    rejects(
        &with_body(&|b| b[after_ids] = 2),
        invalid("external id flag"),
    );
    let enforce_at = after_ids + 1 + 4 + "cp-prod-01".len();
    rejects(
        &with_body(&|b| b[enforce_at] = 9),
        invalid("caBasicConstraints"),
    );
    let domains_at = enforce_at + 10;
    rejects(
        &with_body(&|b| b[domains_at] = 3),
        invalid("body domain count"),
    );
    let first_domain = domains_at + 4;
    let pins_at = first_domain + 9;
    rejects(&with_body(&|b| b[pins_at] = 0), invalid("pin count 0"));
    rejects(&with_body(&|b| b[pins_at] = 65), |e| {
        matches!(
            e,
            DecodeError::Limit {
                what: "pin count",
                ..
            }
        )
    });
    rejects(
        &with_body(&|b| b[pins_at + 4 + 32..pins_at + 4 + 64].fill(2)),
        |e| {
            matches!(
                e,
                DecodeError::NotCanonical {
                    what: "duplicate pin",
                    ..
                }
            )
        },
    );
    rejects(&with_body(&|b| b.push(0)), |e| {
        matches!(
            e,
            DecodeError::TrailingBytes {
                section: "body",
                ..
            }
        )
    });
    rejects(&with_body(&|b| b.truncate(b.len() - 1)), |e| {
        matches!(e, DecodeError::Truncated { .. })
    });
}

#[test]
fn error_lines_follow_the_project_format() {
    assert_eq!(
        DecodeError::Trailer.to_string(),
        "policy blob is malformed — the SHA-256 trailer does not match (the blob was changed or truncated)"
    );
    assert_eq!(
        DecodeError::UnsupportedVersion {
            found: 2,
            supported: 1
        }
        .to_string(),
        "policy blob has format version 2, this runtime reads version 1 — rebuild the app with a matching fuse"
    );
}

// ---- Runtime on damaged blobs ----------------------------------------------------------

#[test]
fn runtime_recovers_the_scope_when_only_the_body_is_damaged() {
    let blob = encode(&sample());
    let (scope, _) = split(&blob);
    // Every single byte flipped after the scope digest keeps the scope.
    for i in 48 + scope.len()..blob.len() {
        let mut b = blob.clone();
        b[i] ^= 0x01;
        let rt = Runtime::load(&b);
        assert!(rt.policy().is_none() && rt.is_scope_only(), "byte {i}");
        assert!(rt.error().is_some());
        let v = rt.evaluate("x.example.test", &[], 0);
        assert!(
            matches!(v, Verdict::Violation(ref v) if v.response.block),
            "byte {i}: {v:?}"
        );
        assert_eq!(
            rt.evaluate("deep.x.example.test", &[], 0),
            Verdict::NotCovered,
            "wildcard is one label"
        );
        assert!(matches!(
            rt.evaluate("a.b.api.example.test", &[], 0),
            Verdict::Violation(_)
        ));
    }
    // Flipping anything up to the scope digest leaves nothing to recover.
    for i in 0..48 + scope.len() {
        let mut b = blob.clone();
        b[i] ^= 0x01;
        let rt = Runtime::load(&b);
        assert!(!rt.is_scope_only() && rt.policy().is_none(), "byte {i}");
        assert_eq!(
            rt.evaluate("api.example.test", &[], 0),
            Verdict::NotCovered,
            "byte {i}"
        );
    }
    // Truncated after the scope digest: the scope survives.
    let rt = Runtime::load(&blob[..52 + scope.len()]);
    assert!(rt.is_scope_only());
    // Empty or foreign input.
    for junk in [&b""[..], b"PK\x03\x04", &[0u8; 200]] {
        let rt = Runtime::load(junk);
        assert!(rt.policy().is_none() && !rt.is_scope_only());
        assert_eq!(rt.evaluate("api.example.test", &[], 0), Verdict::NotCovered);
    }
    // Intact blob: the policy itself.
    let rt = Runtime::load(&blob);
    assert!(rt.policy().is_some() && rt.error().is_none());
}

// ---- properties ------------------------------------------------------------------------

fn host() -> impl Strategy<Value = String> {
    "[a-z0-9_][a-z0-9_-]{0,8}(\\.[a-z0-9-]{1,8}){0,3}"
}

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,24}"
}

fn arb_domain() -> impl Strategy<Value = Domain> {
    (
        any::<bool>(),
        host(),
        any::<bool>(),
        proptest::option::of(any::<i64>()),
        proptest::collection::vec(any::<[u8; 32]>(), 1..4),
    )
        .prop_map(|(wild, h, include_subdomains, expires_unix, mut pins)| {
            pins.dedup();
            let mut seen = Vec::new();
            pins.retain(|p| {
                let new = !seen.contains(p);
                seen.push(*p);
                new
            });
            Domain {
                host: if wild {
                    HostPattern::OneLabelWildcard(h)
                } else {
                    HostPattern::Exact(h)
                },
                include_subdomains,
                expires_unix,
                pins,
            }
        })
}

fn arb_button() -> impl Strategy<Value = Button> {
    (text(), 0u8..3, "[a-z:/.]{1,20}").prop_map(|(label, kind, url)| Button {
        label,
        action: match kind {
            0 => ButtonAction::Close,
            1 => ButtonAction::Dismiss,
            _ => ButtonAction::Redirect(url),
        },
    })
}

fn arb_policy() -> impl Strategy<Value = Policy> {
    let mode = (
        prop_oneof![
            Just(Stage::Development),
            Just(Stage::Staging),
            Just(Stage::Production)
        ],
        any::<bool>(),
        prop_oneof![
            Just(ThreatEvents::Off),
            Just(ThreatEvents::Detection),
            Just(ThreatEvents::Defense)
        ],
        prop_oneof![
            Just(Action::Close),
            Just(Action::Alert),
            Just(Action::Warn),
            Just(Action::Log)
        ],
    );
    let ids = (text(), text(), any::<i64>(), proptest::option::of(text()));
    let enforce =
        (any::<bool>(), any::<u32>(), any::<u32>(), any::<bool>()).prop_map(|(a, b, c, d)| {
            Enforce {
                ca_basic_constraints: a,
                min_rsa_bits: b,
                min_ec_bits: c,
                sha256_signatures: d,
            }
        });
    let ui = (
        text(),
        text(),
        proptest::collection::vec(arb_button(), 0..4),
        proptest::collection::vec(
            (
                "[a-z]{2}(-[a-z0-9]{2,4})?",
                proptest::option::of(text()),
                proptest::option::of(text()),
                any::<bool>(),
            ),
            0..4,
        ),
    );
    (
        mode,
        ids,
        enforce,
        ui,
        proptest::collection::vec(arb_domain(), 0..6),
    )
        .prop_map(
            |(
                (stage, detection, threat_events, action),
                (fusion_set_id, build_id, build_date_unix, external_id),
                enforce,
                (title, message, buttons, langs),
                mut domains,
            )| {
                let mut seen: Vec<(String, bool)> = Vec::new();
                domains.retain(|d| {
                    let key = match &d.host {
                        HostPattern::Exact(h) => (h.clone(), false),
                        HostPattern::OneLabelWildcard(h) => (h.clone(), true),
                    };
                    let new = !seen.contains(&key);
                    seen.push(key);
                    new
                });
                let mut localized: Vec<LocalizedUi> = Vec::new();
                for (language, title, message, with_labels) in langs {
                    if localized.iter().any(|l| l.language == language) {
                        continue;
                    }
                    let buttons = if with_labels {
                        buttons.iter().map(|b| format!("{}!", b.label)).collect()
                    } else {
                        vec![]
                    };
                    localized.push(LocalizedUi {
                        language,
                        title,
                        message,
                        buttons,
                    });
                }
                Policy {
                    fusion_set_id,
                    build_id,
                    build_date_unix,
                    stage,
                    detection,
                    threat_events,
                    action,
                    external_id,
                    ui: Ui {
                        title,
                        message,
                        buttons,
                        localized,
                    },
                    domains,
                    enforce,
                }
            },
        )
}

proptest! {
    #[test]
    fn encode_then_decode_is_identity(p in arb_policy()) {
        prop_assert!(p.check().is_ok(), "{:?}", p.check());
        let blob = try_encode(&p).unwrap();
        let mut canonical = p.clone();
        canonical.canonicalize();
        prop_assert_eq!(decode(&blob).unwrap(), canonical.clone());
        // Canonical bytes: re-encoding the decoded policy gives the same blob.
        prop_assert_eq!(encode(&canonical), blob);
    }

    #[test]
    fn single_byte_corruption_never_decodes(p in arb_policy(), at in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let mut blob = encode(&p);
        let i = at.index(blob.len());
        blob[i] ^= flip;
        prop_assert!(decode(&blob).is_err(), "byte {} ^ {:#04x} decoded", i, flip);
        // The runtime never silently uses a different policy either.
        prop_assert!(Runtime::load(&blob).policy().is_none());
    }

    #[test]
    fn truncation_never_decodes(p in arb_policy(), at in any::<prop::sample::Index>()) {
        let blob = encode(&p);
        let cut = at.index(blob.len());
        prop_assert!(decode(&blob[..cut]).is_err());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode(&bytes);
        let rt = Runtime::load(&bytes);
        let _ = rt.evaluate("api.example.test", &[&bytes], 0);
    }
}
