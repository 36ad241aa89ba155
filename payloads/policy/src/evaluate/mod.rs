//! `Policy::evaluate`: the runtime decision for one TLS connection (CONTRACTS §2).
//!
//! 1. `detection: false`, an IP literal, or no covering domain entry → `NotCovered`.
//! 2. Pin check over the whole validated chain (leaf, intermediates, anchor).
//! 3. `enforce` over the chain leaf → anchor; the first failing check is the reason.
//!
//! A chain that misses the pins of an **expired** pin set is not blocked for it: the
//! `enforce` checks still run and a failure there wins with its normal response;
//! otherwise the verdict is `PIN_SET_EXPIRED` with the non-blocking response.

mod host;
mod reason;
mod response;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

pub(crate) use host::{matches, normalize};

use crate::model::{Domain, Enforce, Policy, ReasonCode, Verdict, Violation};
use crate::x509::{self, CertFacts, KeyStrength};
use x509_cert::Certificate;

impl Policy {
    /// The verdict for a connection to `host` whose validated chain (DER, leaf first,
    /// trust anchor last) is `chain`, at `now_unix` seconds since the epoch (UTC).
    pub fn evaluate(&self, host: &str, chain: &[&[u8]], now_unix: i64) -> Verdict {
        if !self.detection {
            return Verdict::NotCovered;
        }
        let Some(host) = normalize(host) else {
            return Verdict::NotCovered;
        };
        let Some(domain) = self.covering_domain(&host) else {
            return Verdict::NotCovered;
        };
        let facts: Vec<CertFacts> = chain.iter().map(|der| x509::read(der)).collect();
        let rule = host::display(&domain.host, domain.include_subdomains);
        let violation = |reason: ReasonCode, check: &str| {
            Verdict::Violation(Violation {
                reason,
                reason_data: reason::reason_data(&host, &rule, check, &facts),
                response: self.violation_response(),
            })
        };

        let pinned = facts
            .iter()
            .any(|c| c.spki_sha256.is_some_and(|pin| domain.pins.contains(&pin)));
        let expired = domain.expires_unix.is_some_and(|end| now_unix >= end);
        if !pinned && !expired {
            let check = format!(
                "no certificate of the chain matches the {} pin(s) of the rule",
                domain.pins.len()
            );
            return violation(ReasonCode::PinMismatch, &check);
        }

        if let Some((reason, check)) = enforce(&self.enforce, &facts) {
            return violation(reason, &check);
        }

        if !pinned {
            let mut check =
                String::from("no certificate of the chain matches the pin set, which expired at ");
            reason::push_utc(&mut check, domain.expires_unix.unwrap_or_default());
            check.push_str(" (not blocking)");
            return Verdict::Violation(Violation {
                reason: ReasonCode::PinSetExpired,
                reason_data: reason::reason_data(&host, &rule, &check, &facts),
                response: self.expired_pins_response(),
            });
        }
        Verdict::Allowed
    }

    /// The most specific domain entry covering the normalised `host`.
    fn covering_domain(&self, host: &str) -> Option<&Domain> {
        self.domains
            .iter()
            .filter_map(|d| matches(&d.host, d.include_subdomains, host).map(|s| (s, d)))
            .max_by_key(|(s, _)| *s)
            .map(|(_, d)| d)
    }
}

/// The first failing `enforce` check over the chain, leaf → anchor: per certificate,
/// basicConstraints (non-leaf), then key size / curve, then signature hash (all but the
/// anchor, whose self-signature nobody relies on).
fn enforce(rules: &Enforce, chain: &[CertFacts]) -> Option<(ReasonCode, String)> {
    let n = chain.len();
    chain.iter().enumerate().find_map(|(i, facts)| {
        // Unparseable by x509-cert but validated by the platform: not graded (see x509).
        let cert = facts.cert.as_ref()?;
        let (reason, failure) = basic_constraints(rules, i, cert)
            .or_else(|| key_size(rules, cert))
            .or_else(|| signature_hash(rules, i + 1 == n, cert))?;
        let mut check = format!("{} certificate \"", reason::role(i, n));
        x509::push_common_name(&mut check, cert);
        check.push_str("\" ");
        check.push_str(&failure);
        Some((reason, check))
    })
}

fn basic_constraints(
    rules: &Enforce,
    index: usize,
    cert: &Certificate,
) -> Option<(ReasonCode, String)> {
    (rules.ca_basic_constraints && index > 0 && !x509::is_ca(cert)).then(|| {
        (
            ReasonCode::CaWithoutBasicConstraints,
            String::from("is a CA without basicConstraints cA=TRUE"),
        )
    })
}

fn key_size(rules: &Enforce, cert: &Certificate) -> Option<(ReasonCode, String)> {
    match x509::key_strength(cert) {
        KeyStrength::Rsa { bits }
            if rules.min_rsa_bits > 0 && bits.is_none_or(|b| b < rules.min_rsa_bits) =>
        {
            let size = bits.map_or_else(|| String::from("an unreadable"), |b| format!("a {b}-bit"));
            Some((
                ReasonCode::WeakRsaKey,
                format!("has {size} RSA key, minRsaBits is {}", rules.min_rsa_bits),
            ))
        }
        KeyStrength::Ec { curve, bits } if rules.min_ec_bits > 0 && bits < rules.min_ec_bits => {
            Some((
                ReasonCode::WeakEcKey,
                format!("has a {curve} key, minEcBits is {}", rules.min_ec_bits),
            ))
        }
        KeyStrength::EcOtherCurve if rules.min_ec_bits > 0 => Some((
            ReasonCode::WeakEcKey,
            String::from("has an EC key on a curve other than P-256/P-384/P-521"),
        )),
        _ => None,
    }
}

fn signature_hash(
    rules: &Enforce,
    is_anchor: bool,
    cert: &Certificate,
) -> Option<(ReasonCode, String)> {
    if !rules.sha256_signatures || is_anchor {
        return None;
    }
    let alg = x509::weak_signature(cert)?;
    Some((
        ReasonCode::WeakSignatureHash,
        format!("is signed with {alg}"),
    ))
}
