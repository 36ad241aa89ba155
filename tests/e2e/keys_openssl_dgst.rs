//! `SigningIdentity::sign` checked by an independent verifier: `openssl dgst -verify`
//! with the public key openssl itself extracts from the identity's certificate.
//! Signatures are deterministic (RSA PKCS#1 v1.5, RFC 6979 ECDSA).

use std::path::Path;

use fuse::keys::{HashAlgorithm, KeyAlgorithm, SigningIdentity};

use crate::keys_keystores::{keystore, load};
use crate::support::{self, Run, tool};

fn openssl<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    tool("openssl", args)
}

/// The public key of `id`'s certificate as openssl reads it (PEM), written in `dir`.
fn openssl_public_key(id: &SigningIdentity, dir: &Path) -> std::path::PathBuf {
    let cert = dir.join("cert.der");
    let public = dir.join("public.pem");
    let public_der = dir.join("public.der");
    std::fs::write(&cert, id.certificate_der()).unwrap();
    openssl(&[
        "x509".as_ref(),
        "-inform".as_ref(),
        "DER".as_ref(),
        "-in".as_ref(),
        cert.as_os_str(),
        "-pubkey".as_ref(),
        "-noout".as_ref(),
        "-out".as_ref(),
        public.as_os_str(),
    ])
    .success();
    // Our SubjectPublicKeyInfo is the one openssl finds in the certificate.
    openssl(&[
        "pkey".as_ref(),
        "-pubin".as_ref(),
        "-in".as_ref(),
        public.as_os_str(),
        "-outform".as_ref(),
        "DER".as_ref(),
        "-out".as_ref(),
        public_der.as_os_str(),
    ])
    .success();
    assert_eq!(std::fs::read(&public_der).unwrap(), id.public_key_der());
    public
}

fn verify(public: &Path, hash: HashAlgorithm, message: &Path, signature: &Path) -> Run {
    let digest = match hash {
        HashAlgorithm::Sha1 => "-sha1",
        HashAlgorithm::Sha256 => "-sha256",
        HashAlgorithm::Sha512 => "-sha512",
    };
    openssl(&[
        "dgst".as_ref(),
        digest.as_ref(),
        "-verify".as_ref(),
        public.as_os_str(),
        "-signature".as_ref(),
        signature.as_os_str(),
        message.as_os_str(),
    ])
}

#[test]
fn signatures_verify_with_openssl_and_are_deterministic() {
    let message = b"fuse signs this: v2 signed data, a .SF file or a report".repeat(50);
    for (file, algorithm) in [
        ("rsa2048.p12", KeyAlgorithm::Rsa { bits: 2048 }),
        ("rsa4096.p12", KeyAlgorithm::Rsa { bits: 4096 }),
        ("rsa2048.jks", KeyAlgorithm::Rsa { bits: 2048 }),
        ("ec-p256.p12", KeyAlgorithm::EcP256),
        ("openssl-ec-p256.p12", KeyAlgorithm::EcP256),
    ] {
        let id = load(&keystore(file, None)).unwrap();
        assert_eq!(id.algorithm(), algorithm);
        let dir = support::tempdir();
        let public = openssl_public_key(&id, dir.path());
        let msg = dir.path().join("message");
        std::fs::write(&msg, &message).unwrap();
        let hashes: &[HashAlgorithm] = match algorithm {
            KeyAlgorithm::Rsa { .. } => &[
                HashAlgorithm::Sha1,
                HashAlgorithm::Sha256,
                HashAlgorithm::Sha512,
            ],
            KeyAlgorithm::EcP256 => &[HashAlgorithm::Sha256, HashAlgorithm::Sha512],
        };
        for &hash in hashes {
            let signature = id.sign(hash, &message).unwrap();
            // Deterministic: same identity, same message, same bytes — also after a
            // fresh load of the keystore.
            assert_eq!(
                signature,
                id.sign(hash, &message).unwrap(),
                "{file} {hash:?}"
            );
            let reloaded = load(&keystore(file, None)).unwrap();
            assert_eq!(signature, reloaded.sign(hash, &message).unwrap());

            let sig = dir.path().join("sig");
            std::fs::write(&sig, &signature).unwrap();
            let run = verify(&public, hash, &msg, &sig);
            assert!(run.stdout.contains("Verified OK"), "{file} {hash:?}\n{run}");

            // The check can fail: a changed message does not verify.
            let other = dir.path().join("other");
            let mut changed = message.clone();
            changed[7] ^= 1;
            std::fs::write(&other, &changed).unwrap();
            let run = verify(&public, hash, &other, &sig);
            assert!(
                !run.stdout.contains("Verified OK"),
                "{file} {hash:?}\n{run}"
            );
        }
    }
}

#[test]
fn ecdsa_with_sha1_is_refused_like_apksigner() {
    let id = load(&keystore("ec-p256.p12", None)).unwrap();
    let e = id.sign(HashAlgorithm::Sha1, b"m").unwrap_err();
    assert!(e.to_string().contains("SHA-1"), "{e}");
    assert_eq!(
        fuse::Error::from(e).exit_status(),
        fuse::ExitStatus::Signing
    );
}

#[test]
fn pkcs8_export_is_the_same_key() {
    // apple-codesign gets the key as PKCS#8: openssl must read it and derive the same
    // public key as the certificate's.
    for file in ["rsa2048.p12", "ec-p256.p12"] {
        let id = load(&keystore(file, None)).unwrap();
        let dir = support::tempdir();
        let key = dir.path().join("key.der");
        let public = dir.path().join("public.der");
        std::fs::write(&key, &*id.pkcs8_der()).unwrap();
        openssl(&[
            "pkey".as_ref(),
            "-inform".as_ref(),
            "DER".as_ref(),
            "-in".as_ref(),
            key.as_os_str(),
            "-pubout".as_ref(),
            "-outform".as_ref(),
            "DER".as_ref(),
            "-out".as_ref(),
            public.as_os_str(),
        ])
        .success();
        assert_eq!(
            std::fs::read(&public).unwrap(),
            id.public_key_der(),
            "{file}"
        );
    }
}
