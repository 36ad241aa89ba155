//! The work a PKCS#12 file may demand, measured on its structure before any key derivation.
//!
//! ```text
//! PFX ::= SEQUENCE {
//!   version   INTEGER (3)
//!   authSafe  ContentInfo { pkcs7-data, [0] OCTET STRING ─┐ }
//!   macData   MacData { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER } OPTIONAL
//! }                                                        │
//! AuthenticatedSafe ::= SEQUENCE OF ContentInfo  <─────────┘ each one either
//!   pkcs7-data          [0] OCTET STRING { SafeContents ::= SEQUENCE OF SafeBag }
//!                         pkcs8ShroudedKeyBag → EncryptedPrivateKeyInfo { algorithm, data }
//!   pkcs7-encryptedData [0] EncryptedData { version, EncryptedContentInfo {
//!                         contentType, contentEncryptionAlgorithm, [0] encryptedContent } }
//! algorithm = PBES2 { PBKDF2 { salt, iterationCount, keyLength?, prf? }, cipher }
//!           | pkcs-12PbeParams { salt, iterations }          (3DES / RC2, "-legacy")
//! ```
//!
//! A hostile or careless file can ask for 2^31 PBKDF2 or MAC iterations — minutes to
//! hours of CPU per derivation. Every count visible without the password (the MAC, each
//! encrypted safe, each shrouded key bag in a plain safe) is checked against a
//! per-derivation limit and a total budget, so such a file is refused in microseconds.
//! Bags inside an *encrypted* safe only become visible after decrypting it with the
//! right password; for those `p12-keystore`'s own cap (1,000,000 per derivation) holds.

use std::path::Path;

use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use pkcs12::cms::content_info::ContentInfo;
use pkcs12::cms::encrypted_data::EncryptedData;
use pkcs12::pfx::{Pfx, Version};
use x509_cert::spki::AlgorithmIdentifierOwned;

use crate::keys::error::{Error, detail};

/// Iterations one derivation may use. keytool writes 10,000, OpenSSL 3 2,048; OWASP's
/// 2023 advice for PBKDF2-HMAC-SHA256 is 600,000.
pub const MAX_ITERATIONS: u64 = 1_000_000;
/// Iterations all visible derivations together may use (MAC + a few encrypted parts).
pub const MAX_TOTAL_ITERATIONS: u64 = 4_000_000;

const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
/// `pkcs-12PbeIds` arc: pbeWithSHAAnd128BitRC4 … pbewithSHAAnd40BitRC2-CBC.
const PKCS12_PBE_ARC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1");

/// What the structure says about the file, for interpreting later failures.
pub(crate) struct Summary {
    /// Whether a password MAC protects the file (then a bad password fails the MAC).
    pub has_mac: bool,
    /// Iterations of every derivation visible before decryption, summed.
    #[allow(dead_code)]
    pub total_iterations: u64,
}

/// Checks the structure and iteration counts of PKCS#12 `data`.
pub(crate) fn check(data: &[u8], path: &Path) -> Result<Summary, Error> {
    let corrupt = |e: &dyn std::fmt::Display| Error::CorruptKeystore {
        path: path.to_owned(),
        detail: detail(e),
    };
    let pfx = Pfx::from_der(data).map_err(|e| corrupt(&e))?;
    if pfx.version != Version::V3 {
        return Err(corrupt(&"PFX version is not 3"));
    }
    let mut budget = Budget { path, total: 0 };
    if let Some(mac) = &pfx.mac_data {
        budget.spend("the integrity MAC", i64::from(mac.iterations))?;
    }
    if pfx.auth_safe.content_type != DATA {
        return Err(Error::UnsupportedKeystore {
            path: path.to_owned(),
            what: "a public-key protected PKCS#12 file".to_owned(),
            fix: "export it with password integrity (keytool or openssl pkcs12 -export)",
        });
    }
    let safes = octet_string_content(&pfx.auth_safe).map_err(|e| corrupt(&e))?;
    let safes = Vec::<ContentInfo>::from_der(&safes).map_err(|e| corrupt(&e))?;
    for safe in &safes {
        if safe.content_type == DATA {
            let bags = octet_string_content(safe).map_err(|e| corrupt(&e))?;
            let bags = pkcs12::safe_bag::SafeContents::from_der(&bags).map_err(|e| corrupt(&e))?;
            for bag in &bags {
                if bag.bag_id == pkcs12::PKCS_12_PKCS8_KEY_BAG_OID {
                    let info = der::asn1::ContextSpecific::<
                        pkcs12::pbe_params::EncryptedPrivateKeyInfo,
                    >::from_der(&bag.bag_value)
                    .map_err(|e| corrupt(&e))?;
                    budget.spend_on("a private key", &info.value.encryption_algorithm)?;
                } else if bag.bag_id == pkcs12::PKCS_12_SECRET_BAG_OID {
                    // p12-keystore decrypts a secret bag whenever its inner key info
                    // parses (and skips it silently otherwise): count it the same way.
                    if let Some(algorithm) = secret_bag_algorithm(&bag.bag_value) {
                        budget.spend_on("a secret key", &algorithm)?;
                    }
                }
            }
        } else if safe.content_type == ENCRYPTED_DATA {
            let encrypted = safe
                .content
                .to_der()
                .and_then(|d| EncryptedData::from_der(&d))
                .map_err(|e| corrupt(&e))?;
            budget.spend_on(
                "the encrypted certificates",
                &encrypted.enc_content_info.content_enc_alg,
            )?;
        }
    }
    Ok(Summary {
        has_mac: pfx.mac_data.is_some(),
        total_iterations: budget.total,
    })
}

/// The encryption of a secret bag as `p12-keystore` reads it: `[0]` wrapping
/// `SEQUENCE { OID, [0] EXPLICIT OCTET STRING { EncryptedPrivateKeyInfo }, attributes? }`.
fn secret_bag_algorithm(bag_value: &[u8]) -> Option<AlgorithmIdentifierOwned> {
    let envelope = der::Any::from_der(bag_value).ok()?;
    let bag = SecretBagRaw::from_der(envelope.value()).ok()?;
    let info = pkcs12::pbe_params::EncryptedPrivateKeyInfo::from_der(
        bag.encrypted_private_key_info.as_bytes(),
    )
    .ok()?;
    Some(info.encryption_algorithm)
}

/// The secret bag layout `p12-keystore` decodes (its own, Java-compatible definition).
#[derive(der::Sequence)]
struct SecretBagRaw {
    #[allow(dead_code)]
    object_identifier: ObjectIdentifier,
    #[asn1(context_specific = "0")]
    encrypted_private_key_info: OctetString,
    #[allow(dead_code)]
    bag_attributes: Option<x509_cert::attr::Attributes>,
}

fn octet_string_content(info: &ContentInfo) -> der::Result<Vec<u8>> {
    OctetString::from_der(&info.content.to_der()?).map(|s| s.into_bytes().into_vec())
}

struct Budget<'a> {
    path: &'a Path,
    total: u64,
}

impl Budget<'_> {
    fn spend(&mut self, what: &'static str, iterations: i64) -> Result<(), Error> {
        let Ok(count) = u64::try_from(iterations) else {
            return Err(self.corrupt(what));
        };
        if count == 0 {
            return Err(self.corrupt(what));
        }
        if count > MAX_ITERATIONS {
            return Err(Error::ExcessiveIterations {
                path: self.path.to_owned(),
                what,
                count,
                limit: MAX_ITERATIONS,
            });
        }
        self.total = self.total.saturating_add(count);
        if self.total > MAX_TOTAL_ITERATIONS {
            return Err(Error::ExcessiveIterations {
                path: self.path.to_owned(),
                what: "all parts together",
                count: self.total,
                limit: MAX_TOTAL_ITERATIONS,
            });
        }
        Ok(())
    }

    /// Spends the iterations of a password-based encryption `algorithm`.
    fn spend_on(
        &mut self,
        what: &'static str,
        algorithm: &AlgorithmIdentifierOwned,
    ) -> Result<(), Error> {
        let params = algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.to_der().ok())
            .ok_or_else(|| self.corrupt(what))?;
        if algorithm.oid == PBES2 {
            let pbes2 = pkcs5::pbes2::Parameters::from_der(&params).map_err(|e| {
                Error::UnsupportedKeystore {
                    path: self.path.to_owned(),
                    what: format!("the PBES2 scheme protecting {what} ({})", detail(e)),
                    fix: "re-export it with AES-256-CBC and PBKDF2 (keytool, or openssl pkcs12 -export)",
                }
            })?;
            match pbes2.kdf {
                pkcs5::pbes2::Kdf::Pbkdf2(kdf) => self.spend(what, i64::from(kdf.iteration_count)),
                _ => Err(Error::UnsupportedKeystore {
                    path: self.path.to_owned(),
                    what: format!("a key derivation other than PBKDF2 protecting {what}"),
                    fix: "re-export it with PBKDF2 (keytool, or openssl pkcs12 -export)",
                }),
            }
        } else if algorithm.oid.parent() == Some(PKCS12_PBE_ARC) {
            let pbe = pkcs12::pbe_params::Pkcs12PbeParams::from_der(&params)
                .map_err(|_| self.corrupt(what))?;
            self.spend(what, i64::from(pbe.iterations))
        } else {
            Err(Error::UnsupportedKeystore {
                path: self.path.to_owned(),
                what: format!(
                    "the encryption algorithm {} protecting {what}",
                    algorithm.oid
                ),
                fix: "re-export it with keytool or openssl pkcs12 -export (AES-256 or -legacy 3DES)",
            })
        }
    }

    fn corrupt(&self, what: &str) -> Error {
        Error::CorruptKeystore {
            path: self.path.to_owned(),
            detail: format!("invalid key-derivation parameters for {what}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_limits_each_derivation_and_the_total() {
        let path = Path::new("t.p12");
        let mut budget = Budget { path, total: 0 };
        for _ in 0..4 {
            budget.spend("x", MAX_ITERATIONS as i64).unwrap();
        }
        let e = budget.spend("x", 1).unwrap_err();
        assert!(
            matches!(
                e,
                Error::ExcessiveIterations {
                    what: "all parts together",
                    ..
                }
            ),
            "{e}"
        );
        let mut fresh = Budget { path, total: 0 };
        assert!(matches!(
            fresh.spend("x", MAX_ITERATIONS as i64 + 1).unwrap_err(),
            Error::ExcessiveIterations { .. }
        ));
        assert!(matches!(
            fresh.spend("x", 0).unwrap_err(),
            Error::CorruptKeystore { .. }
        ));
        assert!(matches!(
            fresh.spend("x", -5).unwrap_err(),
            Error::CorruptKeystore { .. }
        ));
    }

    #[test]
    fn secret_bags_are_counted_like_p12_keystore_decrypts_them() {
        use p12_keystore::secret::{Secret, SecretKeyType};
        let secret = Secret::builder(SecretKeyType::Aes256Cbc)
            .with_key(vec![7; 32])
            .with_local_key_id(vec![1])
            .build()
            .unwrap();
        let mut store = p12_keystore::KeyStore::new();
        store.add_entry("s", p12_keystore::KeyStoreEntry::Secret(secret));
        let data = store
            .writer("pw")
            .encryption_iterations(10)
            .mac_iterations(100)
            .write()
            .unwrap();
        // MAC + the (empty) encrypted certificate safe + the secret bag.
        let summary = check(&data, Path::new("s.p12")).unwrap();
        assert_eq!(summary.total_iterations, 100 + 10 + 10);
        assert!(summary.has_mac);
    }
}
