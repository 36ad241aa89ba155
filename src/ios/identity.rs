//! `--p12` / `--p12-pass`: a PKCS#12 signing identity for iOS.
//!
//! Interim: CONTRACTS §3 moves this to `crate::keys` (same `p12-keystore` loading,
//! shared password specs); this file goes away when that lands. apple-codesign's own
//! p12 loader panics on OpenSSL 3 default files, so it is never used.

use std::io::Read;
use std::path::Path;

use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
use zeroize::Zeroizing;

use super::Error;
use super::codesign::KeyMaterial;

/// A private key (zeroized on drop) and its certificate chain, leaf first.
pub struct P12Identity {
    pkcs8: Zeroizing<Vec<u8>>,
    chain: Vec<Vec<u8>>,
}

impl std::fmt::Debug for P12Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("P12Identity")
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

/// PKCS#12 files are a few KiB.
const MAX_P12_BYTES: u64 = 1 << 20;

impl P12Identity {
    /// Load the single key entry of a PKCS#12 file. Errors never contain the password.
    pub fn load(path: &Path, password: &str) -> Result<Self, Error> {
        let bad = |detail: String| Error::BadKeystore {
            path: path.to_owned(),
            detail,
        };
        let meta = std::fs::metadata(path).map_err(|e| bad(format!("cannot read it ({e})")))?;
        if meta.len() > MAX_P12_BYTES {
            return Err(bad("too large for a PKCS#12 identity".to_owned()));
        }
        let data = std::fs::read(path).map_err(|e| bad(format!("cannot read it ({e})")))?;
        let store = KeyStore::from_pkcs12(&data, password, Pkcs12ImportPolicy::Relaxed).map_err(
            |e| match e {
                p12_keystore::error::Error::MacError(_) => {
                    bad("wrong password (the integrity check failed)".to_owned())
                }
                other => bad(format!("not a readable PKCS#12 file ({other})")),
            },
        )?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or_else(|| bad("holds no private key with a certificate".to_owned()))?;
        let certs: Vec<Vec<u8>> = chain.certs().iter().map(|c| c.as_der().to_vec()).collect();
        if certs.is_empty() {
            return Err(bad("the key has no certificate".to_owned()));
        }
        Ok(Self {
            pkcs8: Zeroizing::new(chain.key().as_der().to_vec()),
            chain: certs,
        })
    }

    pub fn key_material(&self) -> KeyMaterial<'_> {
        KeyMaterial {
            pkcs8_der: &self.pkcs8,
            chain_der: &self.chain,
        }
    }
}

/// A password SPEC as apksigner takes it: `pass:TEXT`, `env:VAR`, `file:PATH` (first
/// line) or `stdin` (first line).
pub fn read_password(spec: &str) -> Result<Zeroizing<String>, Error> {
    let bad = |detail: String| Error::BadPasswordSpec { detail };
    if let Some(text) = spec.strip_prefix("pass:") {
        return Ok(Zeroizing::new(text.to_owned()));
    }
    if let Some(var) = spec.strip_prefix("env:") {
        return std::env::var(var)
            .map(Zeroizing::new)
            .map_err(|_| bad(format!("environment variable {var} is not set")));
    }
    let first_line = |text: String| {
        let text = Zeroizing::new(text);
        Zeroizing::new(text.lines().next().unwrap_or_default().to_owned())
    };
    if let Some(path) = spec.strip_prefix("file:") {
        return std::fs::read_to_string(path)
            .map(first_line)
            .map_err(|e| bad(format!("cannot read password file {path} ({e})")));
    }
    if spec == "stdin" {
        let mut text = String::new();
        std::io::stdin()
            .take(64 * 1024)
            .read_to_string(&mut text)
            .map_err(|e| bad(format!("cannot read the password from stdin ({e})")))?;
        return Ok(first_line(text));
    }
    Err(bad(
        "expected pass:TEXT, env:VAR, file:PATH or stdin".to_owned()
    ))
}
