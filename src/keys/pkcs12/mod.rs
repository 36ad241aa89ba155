//! PKCS#12 keystores (`.p12`/`.pfx`) from keytool and OpenSSL: AES-256/PBES2 and the
//! `-legacy` 3DES/RC2 encryption, read with `p12-keystore` after [`bounds`] has
//! checked the structure and the cost of its key derivations.
//!
//! PKCS#12 has one password for the whole file (keytool ignores `-keypass` for it), so
//! `--key-pass`, when given, must equal the store password.

mod bounds;

use std::path::Path;

use p12_keystore::{KeyStore, KeyStoreEntry, Pkcs12ImportPolicy};
use zeroize::Zeroizing;

use super::error::{Error, detail};
use super::keystore::{KeyEntry, select_alias};
use super::password::Password;

pub use bounds::{MAX_ITERATIONS, MAX_TOTAL_ITERATIONS};

/// The key entry `alias` (or the only one) of the PKCS#12 file `data` read from `path`.
pub(crate) fn load(
    data: &[u8],
    path: &Path,
    password: &Password,
    alias: Option<&str>,
) -> Result<KeyEntry, Error> {
    let summary = bounds::check(data, path)?;
    // Relaxed: a key without a matching certificate is kept, so it can be reported as
    // such instead of vanishing into "no key entry".
    let store = KeyStore::from_pkcs12(data, password.as_str(), Pkcs12ImportPolicy::Relaxed)
        .map_err(|e| map_error(e, path, summary.has_mac))?;
    let keys: Vec<_> = store
        .entries()
        .filter_map(|(alias, entry)| match entry {
            KeyStoreEntry::PrivateKeyChain(chain) => Some((alias.as_str(), chain)),
            _ => None,
        })
        .collect();
    let index = select_alias(path, alias, keys.iter().map(|(a, _)| *a))?;
    let (alias, chain) = keys.get(index).ok_or_else(|| Error::NoKeyEntry {
        path: path.to_owned(),
    })?;
    Ok(KeyEntry {
        alias: (*alias).to_owned(),
        pkcs8: Zeroizing::new(chain.key().as_der().to_vec()),
        chain: chain.certs().iter().map(|c| c.as_der().to_vec()).collect(),
    })
}

fn map_error(e: p12_keystore::error::Error, path: &Path, has_mac: bool) -> Error {
    use p12_keystore::error::Error as P12;
    match e {
        P12::MacError(_) => Error::WrongStorePassword {
            path: path.to_owned(),
        },
        // Without a MAC, a wrong password shows up as a failed decryption.
        P12::UnpadError | P12::Pkcs5Error(_) if !has_mac => Error::WrongStorePassword {
            path: path.to_owned(),
        },
        P12::UnpadError | P12::Pkcs5Error(_) => Error::CorruptKeystore {
            path: path.to_owned(),
            detail: "an entry does not decrypt with the keystore password".to_owned(),
        },
        P12::UnsupportedEncryptionScheme
        | P12::UnsupportedMacAlgorithm
        | P12::UnsupportedContentType
        | P12::UnsupportedCertificateType => Error::UnsupportedKeystore {
            path: path.to_owned(),
            what: detail(&e).to_lowercase(),
            fix: "re-export it with keytool or openssl pkcs12 -export (AES-256 or -legacy 3DES)",
        },
        other => Error::CorruptKeystore {
            path: path.to_owned(),
            detail: detail(other),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny deterministic PRNG (xorshift64*) so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    fn mutate(rng: &mut Rng, data: &[u8]) -> Vec<u8> {
        let mut out = data.to_vec();
        for _ in 0..=rng.below(3) {
            match rng.below(4) {
                0 => {
                    let at = rng.below(out.len());
                    out[at] ^= 1 << rng.below(8);
                }
                1 => {
                    let at = rng.below(out.len());
                    out[at] = [0x00, 0x7f, 0x80, 0xff][rng.below(4)];
                }
                2 => out.truncate(rng.below(out.len())),
                _ => {
                    let at = rng.below(out.len());
                    out.insert(at, rng.next() as u8);
                }
            }
            if out.is_empty() {
                break;
            }
        }
        out
    }

    #[test]
    fn mutated_pkcs12_files_never_panic() {
        let original = crate::keys::debug_key::generate().unwrap();
        let path = Path::new("mutated.p12");
        let password = Password::new(crate::keys::DEBUG_KEY_PASSWORD);
        load(&original, path, &password, None).unwrap();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut full_loads = 0;
        for _ in 0..3000 {
            let data = mutate(&mut rng, &original);
            // The structure check is cheap: run it on every mutant. A full load costs a
            // 10,000-iteration MAC, so only on some of those the check lets through.
            if bounds::check(&data, path).is_ok() && full_loads < 40 {
                full_loads += 1;
                let _ = load(&data, path, &password, None);
            }
        }
    }
}
