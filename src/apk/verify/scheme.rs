//! Parsing and checking v2 and v3 blocks (layouts in `apk/v2.rs`, `apk/v3.rs`).

use std::collections::BTreeMap;

use super::crypto::{self, KeyFamily};
use crate::apk::algorithm::SignatureAlgorithm;
use crate::apk::digest::ContentDigestAlgorithm;
use crate::apk::error::ApkError;
use crate::apk::signing_block::{LpReader, STRIPPING_PROTECTION_ATTR_ID};

/// Most signers one v2/v3 block may hold (apksig's `MAX_APK_SIGNERS`).
pub const MAX_SIGNERS: usize = 10;

/// One verified-so-far signer: its signature over the signed data holds; the content
/// digests it claims still have to be compared with the file.
#[derive(Debug, Clone)]
pub struct Signer {
    pub certificates: Vec<Vec<u8>>,
    pub digests: BTreeMap<ContentDigestAlgorithm, Vec<u8>>,
    pub algorithms: Vec<SignatureAlgorithm>,
    /// v2 only: the schemes the stripping-protection attribute demands.
    pub stripping_protection: Vec<u32>,
    /// v3 only.
    pub sdk_range: Option<(u32, u32)>,
}

/// Parses a v2 (`v3 == false`) or v3 block value and checks each signer's signatures.
pub fn parse_and_check(value: &[u8], scheme: &str, v3: bool) -> Result<Vec<Signer>, ApkError> {
    let bad = |why: String| ApkError::verify(format!("{scheme} signature"), why);
    // Lengths that lie and impossible counts are a malformed package (exit 3); a
    // well-formed block whose signatures do not hold fails verification (exit 6).
    let malformed = |why: String| {
        ApkError::not_apk(
            format!("the APK Signing Block's {scheme} block is malformed"),
            why,
        )
    };
    let signers = LpReader::new(value)
        .lp()
        .and_then(|s| LpReader::new(s).lp_items())
        .ok_or_else(|| malformed("it is truncated".to_owned()))?;
    if signers.is_empty() {
        return Err(malformed("it has no signers".to_owned()));
    }
    if signers.len() > MAX_SIGNERS {
        return Err(malformed(format!(
            "it has {} signers, more than the {MAX_SIGNERS} Android accepts",
            signers.len()
        )));
    }
    let mut out = Vec::new();
    for (i, signer) in signers.into_iter().enumerate() {
        let n = i + 1;
        let mut r = LpReader::new(signer);
        let truncated = || malformed(format!("signer #{n} is truncated"));
        let signed = r.lp().ok_or_else(truncated)?;
        let outer_sdk = if v3 {
            Some((
                r.u32().ok_or_else(truncated)?,
                r.u32().ok_or_else(truncated)?,
            ))
        } else {
            None
        };
        let signatures = r.lp().ok_or_else(truncated)?;
        let public_key = r.lp().ok_or_else(truncated)?;
        let family = crypto::family_of(public_key).map_err(|e| bad(format!("signer #{n}: {e}")))?;

        // Signatures: every one we know must verify; at least one must be known.
        let mut sig_algs = Vec::new();
        let items = LpReader::new(signatures).lp_items().ok_or_else(truncated)?;
        for item in items {
            let mut ir = LpReader::new(item);
            let id = ir.u32().ok_or_else(truncated)?;
            let sig = ir.lp().ok_or_else(truncated)?;
            let Some(alg) = SignatureAlgorithm::from_id(id) else {
                continue;
            };
            let alg_family = if alg.is_rsa() {
                KeyFamily::Rsa
            } else {
                KeyFamily::Ec
            };
            if alg_family != family {
                return Err(bad(format!(
                    "signer #{n}: algorithm {id:#06x} does not match its key"
                )));
            }
            crypto::verify(public_key, family, alg.hash(), signed, sig)
                .map_err(|e| bad(format!("signer #{n}: {e} ({})", alg.name())))?;
            sig_algs.push(alg);
        }
        if sig_algs.is_empty() {
            return Err(bad(format!(
                "signer #{n} has no signature with an algorithm fuse supports"
            )));
        }

        // Signed data.
        let mut sd = LpReader::new(signed);
        let digests_raw = sd.lp().ok_or_else(truncated)?;
        let certs_raw = sd.lp().ok_or_else(truncated)?;
        let signed_sdk = if v3 {
            Some((
                sd.u32().ok_or_else(truncated)?,
                sd.u32().ok_or_else(truncated)?,
            ))
        } else {
            None
        };
        let attrs_raw = sd.lp().ok_or_else(truncated)?;

        let mut digests = BTreeMap::new();
        let mut digest_algs = Vec::new();
        for item in LpReader::new(digests_raw)
            .lp_items()
            .ok_or_else(truncated)?
        {
            let mut ir = LpReader::new(item);
            let id = ir.u32().ok_or_else(truncated)?;
            let d = ir.lp().ok_or_else(truncated)?;
            if let Some(alg) = SignatureAlgorithm::from_id(id) {
                digest_algs.push(alg);
                digests.insert(alg.content_digest(), d.to_vec());
            }
        }
        let mut a = sig_algs.clone();
        a.sort();
        digest_algs.sort();
        if a != digest_algs {
            return Err(bad(format!(
                "signer #{n}: the signature and digest records list different algorithms"
            )));
        }
        let certificates: Vec<Vec<u8>> = LpReader::new(certs_raw)
            .lp_items()
            .ok_or_else(truncated)?
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect();
        let leaf = certificates
            .first()
            .ok_or_else(|| bad(format!("signer #{n} has no certificate")))?;
        let cert_key =
            crypto::certificate_spki(leaf).map_err(|e| bad(format!("signer #{n}: {e}")))?;
        if cert_key != public_key {
            return Err(bad(format!(
                "signer #{n}: the certificate's public key differs from the signer's public key"
            )));
        }

        let mut stripping_protection = Vec::new();
        for attr in LpReader::new(attrs_raw).lp_items().ok_or_else(truncated)? {
            let mut ar = LpReader::new(attr);
            let id = ar.u32().ok_or_else(truncated)?;
            if !v3 && id == STRIPPING_PROTECTION_ATTR_ID {
                stripping_protection.push(ar.u32().ok_or_else(truncated)?);
            }
        }

        if v3 {
            let (min, max) = outer_sdk.unwrap_or_default();
            if signed_sdk != outer_sdk {
                return Err(bad(format!(
                    "signer #{n}: the SDK range outside the signed data differs from the signed one"
                )));
            }
            if min > max {
                return Err(bad(format!(
                    "signer #{n}: minSdk {min} is above maxSdk {max}"
                )));
            }
        }
        out.push(Signer {
            certificates,
            digests,
            algorithms: sig_algs,
            stripping_protection,
            sdk_range: outer_sdk,
        });
    }
    if v3 {
        let mut ranges: Vec<(u32, u32)> = out.iter().filter_map(|s| s.sdk_range).collect();
        ranges.sort();
        if ranges.windows(2).any(|w| matches!(w, [a, b] if b.0 <= a.1)) {
            return Err(bad("signers' SDK ranges overlap".to_owned()));
        }
    }
    Ok(out)
}
