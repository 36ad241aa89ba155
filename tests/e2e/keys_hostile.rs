//! Corrupt, truncated, oversized and deliberately slow keystores: each is a clear error
//! (exit 5) quickly, never a panic, a hang or a huge allocation.

use std::time::{Duration, Instant};

use der::{Decode, Encode};
use fuse::keys::{Error, KeySource, MAX_FILE_SIZE, MAX_ITERATIONS};

use crate::keys_keystores::{PASS, fixture, keystore, load, pass};
use crate::support;

fn load_path(path: &std::path::Path) -> Result<fuse::keys::SigningIdentity, Error> {
    load(&KeySource::Keystore {
        path: path.to_owned(),
        store_pass: pass(PASS),
        alias: None,
        key_pass: None,
    })
}

#[track_caller]
fn refused_quickly(source: &KeySource) -> Error {
    let start = Instant::now();
    let e = load(source).unwrap_err();
    let took = start.elapsed();
    assert!(took < Duration::from_secs(1), "took {took:?}: {e}");
    let wrapped = fuse::Error::from(e);
    assert_eq!(wrapped.exit_status(), fuse::ExitStatus::Signing);
    let fuse::Error::Keys(e) = wrapped else {
        unreachable!()
    };
    e
}

#[test]
fn truncated_keystore_is_corrupt() {
    let e = load(&keystore("truncated.p12", None)).unwrap_err();
    assert!(matches!(e, Error::CorruptKeystore { .. }), "{e}");
    assert!(e.to_string().contains("truncated.p12"), "{e}");
}

#[test]
fn iteration_counts_over_the_limit_are_refused_before_deriving() {
    for file in ["slow-mac.p12", "slow-kdf-nomac.p12"] {
        let e = refused_quickly(&keystore(file, None));
        match &e {
            Error::ExcessiveIterations { count, limit, .. } => {
                assert_eq!(*count, MAX_ITERATIONS + 1, "{file}");
                assert_eq!(*limit, MAX_ITERATIONS);
            }
            other => panic!("{file}: {other}"),
        }
        assert!(e.to_string().contains("-iter"), "{e}");
    }
}

#[test]
fn two_to_the_31_mac_iterations_are_refused_in_microseconds() {
    // Crafted from a real OpenSSL file: only MacData.iterations changes (and the DER
    // lengths around it). OpenSSL itself would need hours to write such a file.
    let original = std::fs::read(fixture("openssl-ec-p256.p12")).unwrap();
    let mut pfx = pkcs12::pfx::Pfx::from_der(&original).unwrap();
    pfx.mac_data.as_mut().unwrap().iterations = i32::MAX;
    let dir = support::tempdir();
    let crafted = dir.path().join("huge-mac-iterations.p12");
    std::fs::write(&crafted, pfx.to_der().unwrap()).unwrap();
    let e = refused_quickly(&KeySource::Keystore {
        path: crafted,
        store_pass: pass(PASS),
        alias: None,
        key_pass: None,
    });
    assert!(
        matches!(
            e,
            Error::ExcessiveIterations {
                count: 2147483647,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn every_truncation_of_a_jks_and_a_pkcs12_is_an_error() {
    let dir = support::tempdir();
    for file in ["rsa2048.jks", "rsa2048.p12"] {
        let data = std::fs::read(fixture(file)).unwrap();
        let cut = dir.path().join(file);
        // ~200 cuts spread over the file, plus the first and last bytes (every cut of a
        // small JKS is checked in memory by the unit tests of the JKS reader).
        let lens = (0..data.len()).step_by(data.len() / 200 + 1).chain([
            1,
            4,
            12,
            data.len() - 20,
            data.len() - 1,
        ]);
        for len in lens {
            std::fs::write(&cut, &data[..len]).unwrap();
            let e = load_path(&cut).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::CorruptKeystore { .. } | Error::UnknownKeystore { .. }
                ),
                "{file}[..{len}]: {e}"
            );
        }
    }
}

#[test]
fn flipped_bytes_in_a_jks_never_panic() {
    let data = std::fs::read(fixture("rsa2048-keypass.jks")).unwrap();
    let dir = support::tempdir();
    let flipped = dir.path().join("flipped.jks");
    // ~250 positions spread over the whole file, header and digest included.
    for at in (0..data.len())
        .step_by(data.len() / 250 + 1)
        .chain(data.len() - 20..data.len())
    {
        let mut bad = data.clone();
        bad[at] ^= 0xff;
        std::fs::write(&flipped, &bad).unwrap();
        // Any error is fine (most are a failed integrity digest); success is not.
        assert!(load_path(&flipped).is_err(), "byte {at}");
    }
}

#[test]
fn flipped_bytes_in_a_pkcs12_never_panic() {
    let data = std::fs::read(fixture("openssl-rsa2048.p12")).unwrap();
    let dir = support::tempdir();
    let flipped = dir.path().join("flipped.p12");
    // Each attempt that parses costs a 2048-iteration MAC; 97 spread positions keep it fast.
    for at in (0..data.len()).step_by(data.len() / 97 + 1) {
        let mut bad = data.clone();
        bad[at] ^= 0x5a;
        std::fs::write(&flipped, &bad).unwrap();
        assert!(load_path(&flipped).is_err(), "byte {at}");
    }
}

#[test]
fn oversized_empty_foreign_and_jceks_files() {
    let dir = support::tempdir();
    let big = dir.path().join("big.p12");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(MAX_FILE_SIZE + 1).unwrap();
    let e = load_path(&big).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");

    let empty = dir.path().join("empty.p12");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        load_path(&empty).unwrap_err(),
        Error::CorruptKeystore { .. }
    ));

    let e = load_path(&fixture("store-pass.txt")).unwrap_err();
    assert!(matches!(e, Error::UnknownKeystore { .. }), "{e}");

    let e = load_path(&fixture("rsa2048.jceks")).unwrap_err();
    assert!(matches!(e, Error::Jceks { .. }), "{e}");
    assert!(e.to_string().contains("keytool -importkeystore"), "{e}");

    let e = load_path(&fixture("no-such-keystore.p12")).unwrap_err();
    assert!(matches!(e, Error::Read { .. }), "{e}");
    let e = load_path(dir.path()).unwrap_err();
    assert!(matches!(e, Error::Read { .. }), "{e}");
}
