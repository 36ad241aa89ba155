//! A test-only signing key for the APK signer until `crate::keys` lands: PKCS#8 DER key +
//! DER certificate, converted from the keytool stores of `testdata/keys` with openssl.
//! Never shipped: the product loads keys through `fuse::keys`.

use std::path::Path;

use der::{Decode, Encode};
use fuse::apk::{Hash, KeyKind, SigningKey};
use p256::ecdsa::signature::hazmat::PrehashSigner;
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;

enum Private {
    Rsa(rsa::PrivateKey),
    Ec(p256::ecdsa::SigningKey),
}

pub struct TestKey {
    private: Private,
    chain: Vec<Vec<u8>>,
    spki: Vec<u8>,
}

impl TestKey {
    /// From a keytool PKCS#12 of `testdata/keys` (store password `fuse-test-pass`),
    /// converted with openssl.
    #[allow(dead_code)]
    pub fn from_p12(p12: &Path, scratch: &Path) -> Self {
        let openssl = |args: &[&str]| {
            let s = std::process::Command::new("openssl")
                .args(args)
                .status()
                .unwrap();
            assert!(s.success(), "openssl {args:?}");
        };
        let s = |p: &Path| p.to_str().unwrap().to_owned();
        let (pem, pk8) = (scratch.join("key.pem"), scratch.join("key.pk8"));
        let (cpem, cert) = (scratch.join("cert.pem"), scratch.join("cert.der"));
        let pass = "pass:fuse-test-pass";
        openssl(&[
            "pkcs12",
            "-in",
            &s(p12),
            "-passin",
            pass,
            "-nodes",
            "-nocerts",
            "-out",
            &s(&pem),
        ]);
        openssl(&[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            &s(&pem),
            "-outform",
            "DER",
            "-out",
            &s(&pk8),
        ]);
        openssl(&[
            "pkcs12",
            "-in",
            &s(p12),
            "-passin",
            pass,
            "-nokeys",
            "-clcerts",
            "-out",
            &s(&cpem),
        ]);
        openssl(&[
            "x509",
            "-in",
            &s(&cpem),
            "-outform",
            "DER",
            "-out",
            &s(&cert),
        ]);
        Self::from_files(&pk8, &cert)
    }

    pub fn from_files(pk8: &Path, cert_der: &Path) -> Self {
        let key = std::fs::read(pk8).unwrap();
        let cert = std::fs::read(cert_der).unwrap();
        let private = match rsa::PrivateKey::from_pkcs8_der(&key) {
            Ok(k) => Private::Rsa(k),
            Err(_) => Private::Ec(p256::ecdsa::SigningKey::from_pkcs8_der(&key).unwrap()),
        };
        let parsed = x509_cert::Certificate::from_der(&cert).unwrap();
        let spki = parsed
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap();
        Self {
            private,
            chain: vec![cert],
            spki,
        }
    }
}

impl SigningKey for TestKey {
    fn kind(&self) -> KeyKind {
        match &self.private {
            Private::Rsa(k) => KeyKind::Rsa { bits: k.size() * 8 },
            Private::Ec(_) => KeyKind::EcP256,
        }
    }
    fn chain_der(&self) -> &[Vec<u8>] {
        &self.chain
    }
    fn public_key_der(&self) -> &[u8] {
        &self.spki
    }
    fn sign(&self, hash: Hash, message: &[u8]) -> Result<Vec<u8>, String> {
        let digest = hash.digest(message);
        match &self.private {
            Private::Rsa(k) => {
                let scheme = match hash {
                    Hash::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
                    Hash::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
                    Hash::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                k.sign(scheme, &digest).map_err(|e| e.to_string())
            }
            Private::Ec(k) => {
                let sig: p256::ecdsa::Signature =
                    k.sign_prehash(&digest).map_err(|e| e.to_string())?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
        }
    }
}
