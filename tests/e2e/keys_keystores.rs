//! Keys (CONTRACTS §3) from every keystore and key file `testdata/keys/generate` makes with
//! keytool and OpenSSL: right algorithm, and the very certificate keytool / openssl
//! report (SHA-256 fingerprints compared); every failure the right error, without the
//! password. Signing itself is checked against openssl in `keys_openssl_dgst.rs`.

use std::path::{Path, PathBuf};

use fuse::keys::{
    self, Error, KeyAlgorithm, KeyOrigin, KeySource, PasswordReader, PasswordSpec, SigningIdentity,
};
use sha2::{Digest, Sha256};

use crate::support::{self, tool};

pub const PASS: &str = "fuse-test-pass";
const KEY_PASS: &str = "fuse-key-pass";
/// A wrong password that must never show up in any message.
pub const CANARY: &str = "canary-pw-3e1f9a";

pub fn fixtures() -> PathBuf {
    support::generated("keys")
}

pub fn fixture(name: &str) -> PathBuf {
    fixtures().join(name)
}

pub fn pass(text: &str) -> PasswordSpec {
    PasswordSpec::parse(&format!("pass:{text}")).unwrap()
}

pub fn keystore(name: &str, alias: Option<&str>) -> KeySource {
    KeySource::Keystore {
        path: fixture(name),
        store_pass: pass(PASS),
        alias: alias.map(str::to_owned),
        key_pass: None,
    }
}

/// Loads with `stdin` specs reading `stdin`.
pub fn load_stdin(source: &KeySource, stdin: &[u8]) -> Result<SigningIdentity, Error> {
    keys::load_with(source, &mut PasswordReader::new(stdin))
}

pub fn load(source: &KeySource) -> Result<SigningIdentity, Error> {
    load_stdin(source, b"")
}

/// `AB:CD:…` as keytool and openssl print fingerprints.
fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn fingerprint(identity: &SigningIdentity) -> String {
    colon_hex(&Sha256::digest(identity.certificate_der()))
}

/// The SHA-256 fingerprint keytool reports for the first certificate of `alias`.
fn keytool_fingerprint(store: &Path, alias: &str) -> String {
    let run = tool(
        "keytool",
        [
            "-list".as_ref(),
            "-v".as_ref(),
            "-keystore".as_ref(),
            store.as_os_str(),
            "-storepass".as_ref(),
            PASS.as_ref(),
            "-alias".as_ref(),
            alias.as_ref(),
        ],
    );
    run.success();
    run.stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("SHA256: "))
        .unwrap_or_else(|| panic!("no SHA256 line\n{run}"))
        .to_owned()
}

/// The SHA-256 fingerprint openssl reports for a PEM certificate file.
fn openssl_fingerprint(cert: &Path) -> String {
    let run = tool(
        "openssl",
        [
            "x509".as_ref(),
            "-in".as_ref(),
            cert.as_os_str(),
            "-noout".as_ref(),
            "-fingerprint".as_ref(),
            "-sha256".as_ref(),
        ],
    );
    run.success();
    run.stdout
        .trim()
        .split_once('=')
        .map(|(_, f)| f.to_owned())
        .unwrap_or_else(|| panic!("no fingerprint\n{run}"))
}

#[test]
fn keytool_stores_load_with_the_certificate_keytool_lists() {
    let cases = [
        ("rsa2048.p12", "rsa2048", KeyAlgorithm::Rsa { bits: 2048 }),
        ("rsa4096.p12", "rsa4096", KeyAlgorithm::Rsa { bits: 4096 }),
        ("ec-p256.p12", "ec-p256", KeyAlgorithm::EcP256),
        (
            "other-rsa2048.p12",
            "other",
            KeyAlgorithm::Rsa { bits: 2048 },
        ),
        ("rsa2048.jks", "rsa2048", KeyAlgorithm::Rsa { bits: 2048 }),
    ];
    for (file, alias, algorithm) in cases {
        let id = load(&keystore(file, None)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(id.algorithm(), algorithm, "{file}");
        assert_eq!(id.chain_der().len(), 1, "{file}");
        assert_eq!(
            id.origin(),
            &KeyOrigin::Keystore {
                path: fixture(file),
                alias: alias.to_owned()
            }
        );
        assert_eq!(
            fingerprint(&id),
            keytool_fingerprint(&fixture(file), alias),
            "{file}"
        );
        assert!(!id.pkcs8_der().is_empty());
    }
}

#[test]
fn openssl_pkcs12_default_and_legacy_load() {
    let cases = [
        ("openssl-rsa2048.p12", "rsa2048-cert.pem", "openssl-rsa2048"),
        (
            "openssl-legacy-rsa2048.p12",
            "rsa2048-cert.pem",
            "openssl-legacy",
        ),
        ("openssl-ec-p256.p12", "ec-p256-cert.pem", "openssl-ec"),
    ];
    for (file, cert, alias) in cases {
        let id = load(&keystore(file, None)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            fingerprint(&id),
            openssl_fingerprint(&fixture(cert)),
            "{file}"
        );
        assert!(matches!(id.origin(), KeyOrigin::Keystore { alias: a, .. } if a == alias));
    }
}

#[test]
fn jks_key_password_different_from_the_store_password() {
    let mut source = keystore("rsa2048-keypass.jks", None);
    // Without --key-pass the store password is tried for the key, and is wrong.
    let e = load(&source).unwrap_err();
    assert!(matches!(e, Error::WrongKeyPassword { .. }), "{e}");
    assert!(e.to_string().contains("--key-pass"), "{e}");

    if let KeySource::Keystore { key_pass, .. } = &mut source {
        *key_pass = Some(pass(CANARY));
    }
    let e = load(&source).unwrap_err();
    assert!(matches!(e, Error::WrongKeyPassword { .. }), "{e}");
    assert_no_secret(&e, CANARY);

    if let KeySource::Keystore { key_pass, .. } = &mut source {
        *key_pass = Some(pass(KEY_PASS));
    }
    let id = load(&source).unwrap();
    assert_eq!(id.algorithm(), KeyAlgorithm::Rsa { bits: 2048 });
    assert_eq!(
        fingerprint(&id),
        keytool_fingerprint(&fixture("rsa2048-keypass.jks"), "rsa2048")
    );
}

/// Neither the message nor the debug form may contain `secret`.
pub fn assert_no_secret(e: &Error, secret: &str) {
    assert!(!e.to_string().contains(secret), "{e}");
    assert!(!format!("{e:?}").contains(secret), "{e:?}");
}

#[test]
fn wrong_store_password_of_every_kind_is_exit_5_without_the_password() {
    for file in [
        "rsa2048.p12",
        "openssl-rsa2048.p12",
        "openssl-legacy-rsa2048.p12",
        "rsa2048.jks",
    ] {
        let source = KeySource::Keystore {
            path: fixture(file),
            store_pass: pass(CANARY),
            alias: None,
            key_pass: None,
        };
        let e = load(&source).unwrap_err();
        assert!(matches!(e, Error::WrongStorePassword { .. }), "{file}: {e}");
        assert_no_secret(&e, CANARY);
        assert_eq!(
            fuse::Error::from(e).exit_status(),
            fuse::ExitStatus::Signing,
            "{file}"
        );
    }
}

#[test]
fn alias_selection_in_a_two_key_store() {
    let e = load(&keystore("two-keys.p12", None)).unwrap_err();
    assert!(matches!(e, Error::AmbiguousAlias { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("\"first\"") && msg.contains("\"second\"") && msg.contains("--ks-key-alias"),
        "{msg}"
    );

    let first = load(&keystore("two-keys.p12", Some("first"))).unwrap();
    assert_eq!(first.algorithm(), KeyAlgorithm::Rsa { bits: 2048 });
    let second = load(&keystore("two-keys.p12", Some("second"))).unwrap();
    assert_eq!(second.algorithm(), KeyAlgorithm::EcP256);
    assert_eq!(
        fingerprint(&second),
        keytool_fingerprint(&fixture("two-keys.p12"), "second")
    );
    // Java keystores look aliases up case-insensitively; so does fuse.
    let upper = load(&keystore("two-keys.p12", Some("SECOND"))).unwrap();
    assert_eq!(upper.certificate_der(), second.certificate_der());

    let e = load(&keystore("rsa2048.p12", Some("missing"))).unwrap_err();
    assert!(matches!(e, Error::AliasNotFound { .. }), "{e}");
    assert!(e.to_string().contains("\"rsa2048\""), "{e}");
}

#[test]
fn password_specs_env_file_and_stdin() {
    let with_store_pass = |spec: &str| KeySource::Keystore {
        path: fixture("rsa2048.p12"),
        store_pass: PasswordSpec::parse(spec).unwrap(),
        alias: None,
        key_pass: None,
    };
    let file = format!("file:{}", fixture("store-pass.txt").display());
    load(&with_store_pass(&file)).unwrap();
    load_stdin(&with_store_pass("stdin"), format!("{PASS}\n").as_bytes()).unwrap();

    let e = load(&with_store_pass("env:FUSE_KEYS_TEST_UNSET_VARIABLE")).unwrap_err();
    assert!(matches!(e, Error::PasswordEnvUnset { .. }), "{e}");
    assert!(e.to_string().contains("FUSE_KEYS_TEST_UNSET_VARIABLE"));

    let e = load(&with_store_pass("file:/nonexistent/fuse-pw.txt")).unwrap_err();
    assert!(matches!(e, Error::PasswordFile { .. }), "{e}");

    // Closed standard input (as in CI) is an error, not a wait.
    let e = load(&with_store_pass("stdin")).unwrap_err();
    assert!(matches!(e, Error::StdinExhausted { .. }), "{e}");

    // Two `stdin` specs: one line each, store password first (apksigner's order).
    let both = KeySource::Keystore {
        path: fixture("rsa2048-keypass.jks"),
        store_pass: PasswordSpec::Stdin,
        alias: None,
        key_pass: Some(PasswordSpec::Stdin),
    };
    load_stdin(&both, format!("{PASS}\n{KEY_PASS}\n").as_bytes()).unwrap();
    let e = load_stdin(&both, format!("{PASS}\n").as_bytes()).unwrap_err();
    assert!(matches!(e, Error::StdinExhausted { .. }), "{e}");
    let e = load_stdin(&both, format!("{KEY_PASS}\n{PASS}\n").as_bytes()).unwrap_err();
    assert!(matches!(e, Error::WrongStorePassword { .. }), "{e}");
}

#[test]
fn pkcs12_key_password_must_be_the_store_password() {
    let source = KeySource::Keystore {
        path: fixture("rsa2048.p12"),
        store_pass: pass(PASS),
        alias: None,
        key_pass: Some(pass(CANARY)),
    };
    let e = load(&source).unwrap_err();
    assert!(matches!(e, Error::Pkcs12KeyPassword { .. }), "{e}");
    assert_no_secret(&e, CANARY);
    let same = KeySource::Keystore {
        path: fixture("rsa2048.p12"),
        store_pass: pass(PASS),
        alias: None,
        key_pass: Some(pass(PASS)),
    };
    load(&same).unwrap();
}

fn key_files(key: &str, cert: &str, key_pass: Option<PasswordSpec>) -> KeySource {
    KeySource::KeyFiles {
        key: fixture(key),
        cert: fixture(cert),
        key_pass,
    }
}

#[test]
fn key_and_certificate_files() {
    let cases = [
        (
            "rsa2048.pk8",
            "rsa2048-cert.pem",
            KeyAlgorithm::Rsa { bits: 2048 },
        ),
        (
            "rsa2048.pk8",
            "rsa2048-cert.der",
            KeyAlgorithm::Rsa { bits: 2048 },
        ),
        (
            "rsa2048-key.pem",
            "rsa2048-cert.pem",
            KeyAlgorithm::Rsa { bits: 2048 },
        ),
        ("ec-p256.pk8", "ec-p256-cert.pem", KeyAlgorithm::EcP256),
        ("ec-p256-key.pem", "ec-p256-cert.pem", KeyAlgorithm::EcP256),
    ];
    for (key, cert, algorithm) in cases {
        let id = load(&key_files(key, cert, None)).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(id.algorithm(), algorithm, "{key}");
        let pem = cert.replace(".der", ".pem");
        assert_eq!(fingerprint(&id), openssl_fingerprint(&fixture(&pem)));
        assert_eq!(
            id.origin(),
            &KeyOrigin::KeyFiles {
                key: fixture(key),
                cert: fixture(cert)
            }
        );
    }
}

#[test]
fn encrypted_pkcs8_pem_needs_the_right_key_pass() {
    let id = load(&key_files(
        "rsa2048-key-encrypted.pem",
        "rsa2048-cert.pem",
        Some(pass(PASS)),
    ))
    .unwrap();
    assert_eq!(id.algorithm(), KeyAlgorithm::Rsa { bits: 2048 });

    let e = load(&key_files(
        "rsa2048-key-encrypted.pem",
        "rsa2048-cert.pem",
        None,
    ))
    .unwrap_err();
    assert!(matches!(e, Error::KeyFileNeedsPassword { .. }), "{e}");

    let e = load(&key_files(
        "rsa2048-key-encrypted.pem",
        "rsa2048-cert.pem",
        Some(pass(CANARY)),
    ))
    .unwrap_err();
    assert!(matches!(e, Error::WrongKeyFilePassword { .. }), "{e}");
    assert_no_secret(&e, CANARY);
}

#[test]
fn traditional_pkcs1_and_sec1_pem_keys() {
    let dir = support::tempdir();
    let rsa = dir.path().join("rsa-pkcs1.pem");
    let ec = dir.path().join("ec-sec1.pem");
    tool(
        "openssl",
        [
            "pkey".as_ref(),
            "-in".as_ref(),
            fixture("rsa2048-key.pem").as_os_str(),
            "-traditional".as_ref(),
            "-out".as_ref(),
            rsa.as_os_str(),
        ],
    )
    .success();
    tool(
        "openssl",
        [
            "ec".as_ref(),
            "-in".as_ref(),
            fixture("ec-p256-key.pem").as_os_str(),
            "-out".as_ref(),
            ec.as_os_str(),
        ],
    )
    .success();
    assert!(
        std::fs::read_to_string(&rsa)
            .unwrap()
            .contains("BEGIN RSA PRIVATE KEY")
    );
    assert!(
        std::fs::read_to_string(&ec)
            .unwrap()
            .contains("BEGIN EC PRIVATE KEY")
    );
    let source = |key: &Path, cert: &str| KeySource::KeyFiles {
        key: key.to_owned(),
        cert: fixture(cert),
        key_pass: None,
    };
    assert_eq!(
        load(&source(&rsa, "rsa2048-cert.pem")).unwrap().algorithm(),
        KeyAlgorithm::Rsa { bits: 2048 }
    );
    assert_eq!(
        load(&source(&ec, "ec-p256-cert.pem")).unwrap().algorithm(),
        KeyAlgorithm::EcP256
    );
}

#[test]
fn certificate_chains_are_leaf_first() {
    let leaf_der = std::fs::read(fixture("rsa2048-cert.der")).unwrap();
    assert_eq!(
        load(&key_files("rsa2048.pk8", "rsa2048-cert.der", None))
            .unwrap()
            .certificate_der(),
        leaf_der
    );
    let from_files = load(&key_files("chain-leaf-key.pem", "chain-bundle.pem", None)).unwrap();
    let from_p12 = load(&keystore("chain.p12", None)).unwrap();
    for id in [&from_files, &from_p12] {
        assert_eq!(id.chain_der().len(), 2);
        assert_eq!(
            fingerprint(id),
            openssl_fingerprint(&fixture("chain-leaf-cert.pem"))
        );
        assert_eq!(
            colon_hex(&Sha256::digest(&id.chain_der()[1])),
            openssl_fingerprint(&fixture("chain-ca-cert.pem"))
        );
    }
}

#[test]
fn a_key_with_someone_elses_certificate_is_refused() {
    let e = load(&key_files("rsa2048.pk8", "chain-leaf-cert.pem", None)).unwrap_err();
    assert!(matches!(e, Error::KeyCertificateMismatch { .. }), "{e}");
    let e = load(&key_files("ec-p256.pk8", "rsa2048-cert.pem", None)).unwrap_err();
    assert!(matches!(e, Error::KeyCertificateMismatch { .. }), "{e}");
}

#[test]
fn weak_keys_and_other_curves_are_refused() {
    let e = load(&key_files("rsa1024-key.pem", "rsa1024-cert.pem", None)).unwrap_err();
    assert!(matches!(e, Error::UnsupportedKey { .. }), "{e}");
    assert!(e.to_string().contains("RSA-1024"), "{e}");
    let e = load(&key_files("ec-p384-key.pem", "ec-p384-cert.pem", None)).unwrap_err();
    assert!(matches!(e, Error::UnsupportedKey { .. }), "{e}");
    assert!(e.to_string().contains("P-384"), "{e}");
    assert_eq!(
        fuse::Error::from(e).exit_status(),
        fuse::ExitStatus::Signing
    );
}

#[test]
fn key_files_that_are_not_keys() {
    let e = load(&key_files("rsa2048-cert.pem", "rsa2048-cert.pem", None)).unwrap_err();
    assert!(matches!(e, Error::InvalidKey { .. }), "{e}");
    let e = load(&key_files("rsa2048.pk8", "rsa2048-key.pem", None)).unwrap_err();
    assert!(matches!(e, Error::InvalidCertificate { .. }), "{e}");
    let e = load(&key_files("store-pass.txt", "rsa2048-cert.pem", None)).unwrap_err();
    assert!(matches!(e, Error::InvalidKey { .. }), "{e}");
    let e = load(&key_files("missing.pk8", "rsa2048-cert.pem", None)).unwrap_err();
    assert!(matches!(e, Error::Read { .. }), "{e}");
}

#[test]
fn non_ascii_jks_passwords_are_hashed_as_java_chars() {
    let source = KeySource::Keystore {
        path: fixture("non-ascii.jks"),
        store_pass: pass("pässwörd-€🔑"),
        alias: None,
        key_pass: Some(pass("ключ-€🔑")),
    };
    let id = load(&source).unwrap();
    assert_eq!(id.algorithm(), KeyAlgorithm::EcP256);
    assert!(matches!(id.origin(), KeyOrigin::Keystore { alias, .. } if alias == "unicode"));
    let wrong_key = KeySource::Keystore {
        path: fixture("non-ascii.jks"),
        store_pass: pass("pässwörd-€🔑"),
        alias: None,
        key_pass: Some(pass("ключ-€")),
    };
    assert!(matches!(
        load(&wrong_key).unwrap_err(),
        Error::WrongKeyPassword { .. }
    ));
}

#[test]
fn empty_pkcs12_password() {
    let id = load(&KeySource::Keystore {
        path: fixture("empty-pass.p12"),
        store_pass: pass(""),
        alias: None,
        key_pass: None,
    })
    .unwrap();
    assert_eq!(
        fingerprint(&id),
        openssl_fingerprint(&fixture("ec-p256-cert.pem"))
    );
}

#[test]
fn a_bundle_with_the_issuer_first_is_named_as_such() {
    let dir = support::tempdir();
    let reversed = dir.path().join("ca-first.pem");
    let ca = std::fs::read_to_string(fixture("chain-ca-cert.pem")).unwrap();
    let leaf = std::fs::read_to_string(fixture("chain-leaf-cert.pem")).unwrap();
    std::fs::write(&reversed, format!("{ca}{leaf}")).unwrap();
    let e = load(&KeySource::KeyFiles {
        key: fixture("chain-leaf-key.pem"),
        cert: reversed,
        key_pass: None,
    })
    .unwrap_err();
    assert!(matches!(e, Error::LeafNotFirst { .. }), "{e}");
    assert!(e.to_string().contains("leaf certificate first"), "{e}");
}
