//! Our SPKI pins equal the ones openssl computes
//! (`x509 -pubkey | pkey -pubin -outform der | dgst -sha256 -binary | base64`, written to
//! each chain's pins.txt by testdata/chains/generate), for RSA 1024/2048, EC P-256,
//! P-384 and secp256k1 keys, leaf, intermediate and anchor.

// Test code: a failed expectation is supposed to panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use base64::Engine as _;
use support::*;

const ALL: [&str; 14] = [
    "good",
    "backup",
    "mitm",
    "portswigger",
    "charles",
    "rsa1024",
    "sha1-intermediate",
    "sha1-root",
    "no-bc-intermediate",
    "no-bc-root",
    "ec-p256",
    "ec-p384",
    "ec-secp256k1",
    "expired",
];

#[test]
fn spki_sha256_matches_openssl_for_every_certificate() {
    for name in ALL {
        let c = chain(name);
        for (der, want) in c.der.iter().zip(&c.pins) {
            let pin = fuse_policy::spki_sha256(der).expect("readable SPKI");
            let got = format!(
                "sha256/{}",
                base64::engine::general_purpose::STANDARD.encode(pin)
            );
            assert_eq!(&got, want, "{name}");
        }
    }
}

#[test]
fn reason_data_lists_the_presented_pins_as_openssl_writes_them() {
    let mitm = chain("mitm");
    let p = policy(vec![domain(
        exact("api.example.test"),
        false,
        &[UNRELATED_PIN],
    )]);
    let fuse_policy::Verdict::Violation(v) = p.evaluate("api.example.test", &mitm.refs(), NOW)
    else {
        panic!("expected a violation");
    };
    for (pin, role) in mitm.pins.iter().zip(["leaf", "anchor"]) {
        assert!(
            v.reason_data.contains(&format!("{pin} ({role})")),
            "{pin} ({role}) missing from {}",
            v.reason_data
        );
    }
}
