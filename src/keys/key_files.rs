//! `--key KEY --cert CERT`: a private key file and its certificate (chain) file.
//!
//! Keys: PKCS#8 DER (`.pk8`, as apksigner), PEM `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`
//! (PKCS#8 PBES2, password from `--key-pass`), `RSA PRIVATE KEY` (PKCS#1) and
//! `EC PRIVATE KEY` (SEC1). Certificates: DER, or PEM where a bundle is the chain,
//! leaf first. Text around PEM blocks (e.g. `openssl x509 -text` output) is ignored.

use std::path::Path;

use zeroize::Zeroizing;

use super::error::{Error, detail};
use super::keystore::read_limited;
use super::password::Password;
use super::pkcs12::MAX_ITERATIONS;
use super::private_key::PrivateKey;

/// scrypt memory (128·N·r bytes) an encrypted key may demand.
const MAX_SCRYPT_MEMORY: u64 = 64 << 20;

/// Loads the private key in `path`.
pub(crate) fn load_key(path: &Path, password: Option<&Password>) -> Result<PrivateKey, Error> {
    let data = read_limited(path)?;
    let what = path.display().to_string();
    if !looks_like_pem(&data) {
        return key_from_der(&data, path, password, &what);
    }
    let blocks = pem_blocks(&data).map_err(|detail| Error::InvalidKey {
        what: what.clone(),
        detail,
    })?;
    let mut keys = blocks
        .into_iter()
        .filter(|(label, _)| label != "EC PARAMETERS");
    let (label, der) = match (keys.next(), keys.next()) {
        (Some(one), None) => one,
        (None, _) => {
            return Err(Error::InvalidKey {
                what,
                detail: "no private key block in this PEM file".to_owned(),
            });
        }
        (Some(_), Some(_)) => {
            return Err(Error::InvalidKey {
                what,
                detail: "several PEM blocks — give a file with exactly one private key".to_owned(),
            });
        }
    };
    match label.as_str() {
        "PRIVATE KEY" => PrivateKey::from_pkcs8_der(&der, &what),
        "ENCRYPTED PRIVATE KEY" => {
            let pkcs8 = decrypt_pkcs8(&der, path, password)?;
            PrivateKey::from_pkcs8_der(&pkcs8, &what)
                .map_err(|e| wrong_password_if_garbled(e, path))
        }
        "RSA PRIVATE KEY" => PrivateKey::from_pkcs1_der(&der, &what),
        "EC PRIVATE KEY" => PrivateKey::from_sec1_der(&der, &what),
        other => Err(Error::InvalidKey {
            what,
            detail: format!("a PEM {other:?} block is not a private key"),
        }),
    }
}

/// A DER key: PKCS#8, encrypted PKCS#8, or PKCS#1.
fn key_from_der(
    data: &[u8],
    path: &Path,
    password: Option<&Password>,
    what: &str,
) -> Result<PrivateKey, Error> {
    if pkcs8::PrivateKeyInfoRef::try_from(data).is_ok() {
        return PrivateKey::from_pkcs8_der(data, what);
    }
    if pkcs8::EncryptedPrivateKeyInfoRef::try_from(data).is_ok() {
        let pkcs8 = decrypt_pkcs8(data, path, password)?;
        return PrivateKey::from_pkcs8_der(&pkcs8, what)
            .map_err(|e| wrong_password_if_garbled(e, path));
    }
    if rsa::pkcs1::RsaPrivateKeyRef::try_from(data).is_ok() {
        return PrivateKey::from_pkcs1_der(data, what);
    }
    Err(Error::InvalidKey {
        what: what.to_owned(),
        detail: "neither a PKCS#8 DER key nor a PEM file".to_owned(),
    })
}

/// Decrypts an `EncryptedPrivateKeyInfo`, bounding its key derivation first.
fn decrypt_pkcs8(
    der: &[u8],
    path: &Path,
    password: Option<&Password>,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let Some(password) = password else {
        return Err(Error::KeyFileNeedsPassword {
            path: path.to_owned(),
        });
    };
    let info = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der).map_err(|e| Error::InvalidKey {
        what: path.display().to_string(),
        detail: detail(e),
    })?;
    match &info.encryption_algorithm {
        pkcs5::EncryptionScheme::Pbes2(params) => match &params.kdf {
            pkcs5::pbes2::Kdf::Pbkdf2(kdf) => {
                if u64::from(kdf.iteration_count) > MAX_ITERATIONS {
                    return Err(Error::ExcessiveIterations {
                        path: path.to_owned(),
                        what: "the key encryption",
                        count: u64::from(kdf.iteration_count),
                        limit: MAX_ITERATIONS,
                    });
                }
            }
            pkcs5::pbes2::Kdf::Scrypt(kdf) => {
                let n = kdf.cost_parameter;
                let memory = 128u64
                    .saturating_mul(n)
                    .saturating_mul(u64::from(kdf.block_size));
                if !n.is_power_of_two()
                    || n < 2
                    || kdf.block_size == 0
                    || !(1..=4).contains(&kdf.parallelization)
                    || memory > MAX_SCRYPT_MEMORY
                {
                    return Err(Error::UnsupportedKeyFile {
                        path: path.to_owned(),
                        what: "scrypt parameters beyond fuse's limits (N·r·128 ≤ 64 MiB, p ≤ 4)",
                    });
                }
            }
            _ => {
                return Err(Error::UnsupportedKeyFile {
                    path: path.to_owned(),
                    what: "a key derivation function other than PBKDF2 or scrypt",
                });
            }
        },
        _ => {
            return Err(Error::UnsupportedKeyFile {
                path: path.to_owned(),
                what: "a key encrypted with legacy PBES1 (DES/RC2)",
            });
        }
    }
    match info.decrypt(password.as_str().as_bytes()) {
        Ok(doc) => Ok(Zeroizing::new(doc.as_bytes().to_vec())),
        Err(pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::DecryptFailed)) => {
            Err(Error::WrongKeyFilePassword {
                path: path.to_owned(),
            })
        }
        Err(e) => Err(Error::InvalidKey {
            what: path.display().to_string(),
            detail: detail(e),
        }),
    }
}

/// A wrong password decrypts with valid padding about once in 256 tries and yields
/// garbage; a key that then does not parse is reported as a wrong password.
fn wrong_password_if_garbled(e: Error, path: &Path) -> Error {
    match e {
        Error::InvalidKey { .. } => Error::WrongKeyFilePassword {
            path: path.to_owned(),
        },
        other => other,
    }
}

/// The certificates in `path`: one DER certificate, or every PEM `CERTIFICATE` block in
/// order (a bundle is the chain, leaf first). Each is checked to parse as X.509.
pub(crate) fn load_certificates(path: &Path) -> Result<Vec<Vec<u8>>, Error> {
    use der::Decode;
    let data = read_limited(path)?;
    let invalid = |detail: String| Error::InvalidCertificate {
        path: path.to_owned(),
        detail,
    };
    let ders: Vec<Vec<u8>> = if looks_like_pem(&data) {
        pem_blocks(&data)
            .map_err(invalid)?
            .into_iter()
            .filter(|(label, _)| label == "CERTIFICATE")
            .map(|(_, der)| der.to_vec())
            .collect()
    } else {
        vec![data.to_vec()]
    };
    if ders.is_empty() {
        return Err(invalid("no CERTIFICATE block in this PEM file".to_owned()));
    }
    for der in &ders {
        x509_cert::Certificate::from_der(der).map_err(|e| invalid(detail(e)))?;
    }
    Ok(ders)
}

fn looks_like_pem(data: &[u8]) -> bool {
    data.windows(11).any(|w| w == b"-----BEGIN ")
}

/// A PEM block: its label and DER contents.
type PemBlock = (String, Zeroizing<Vec<u8>>);

/// Every PEM block of `data` as (label, DER). Legacy OpenSSL encryption headers
/// (`Proc-Type: 4,ENCRYPTED`) are refused with the conversion command.
fn pem_blocks(data: &[u8]) -> Result<Vec<PemBlock>, String> {
    let text = std::str::from_utf8(data).map_err(|_| "a PEM file that is not text".to_owned())?;
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let Some(from_start) = rest.get(start..) else {
            break;
        };
        let end_marker = from_start
            .find("-----END ")
            .ok_or("a PEM block without its END line")?;
        let after_end = from_start
            .get(end_marker + 9..)
            .ok_or("a PEM block without its END line")?;
        let close = after_end
            .find("-----")
            .ok_or("a PEM END line without its closing dashes")?;
        let block_len = end_marker + 9 + close + 5;
        let block = from_start.get(..block_len).ok_or("a truncated PEM block")?;
        if block.contains("Proc-Type:") {
            return Err(
                "a legacy encrypted PEM key (Proc-Type header) — convert it: openssl pkcs8 -topk8 -in KEY -out key.pem"
                    .to_owned(),
            );
        }
        let (label, der) = der::pem::decode_vec(block.as_bytes())
            .map_err(|e| format!("malformed PEM block: {}", detail(e)))?;
        blocks.push((label.to_owned(), Zeroizing::new(der)));
        rest = from_start.get(block_len..).unwrap_or_default();
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks_skips_text_and_keeps_order() {
        let pem = "Certificate:\n  text\n-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n\
                   junk\n-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n";
        let blocks = pem_blocks(pem.as_bytes()).unwrap();
        let labels: Vec<_> = blocks.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["CERTIFICATE", "PRIVATE KEY"]);
        assert_eq!(&blocks[0].1[..], &[0x30, 0x00]);
    }

    #[test]
    fn pem_blocks_refuses_legacy_encryption_and_truncation() {
        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMAA=\n-----END RSA PRIVATE KEY-----\n";
        assert!(
            pem_blocks(legacy.as_bytes())
                .unwrap_err()
                .contains("openssl pkcs8 -topk8")
        );
        assert!(pem_blocks(b"-----BEGIN CERTIFICATE-----\nMAA=\n").is_err());
        assert!(pem_blocks(b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERT").is_err());
    }
}
