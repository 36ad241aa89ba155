//! The canonical encoder (feature `encode`, used by the CLI). Layout in [`super`].

use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use super::check::PolicyError;
use super::layout::{
    FORMAT_VERSION, MAGIC, action_code, button_code, host_kind, stage_code, threat_events_code,
};
use crate::model::{ButtonAction, Policy};

/// The canonical bytes of `policy`: domains and languages sorted, SHA-256 digests of
/// the scope section and of the whole blob. Same policy, same bytes.
///
/// Infallible by contract: a policy that fails [`Policy::check`] still encodes, but
/// `decode` rejects the result. Callers that cannot vouch for the policy (anything not
/// produced by the fusion-set validator) use [`try_encode`].
pub fn encode(policy: &Policy) -> Vec<u8> {
    let mut p = policy.clone();
    p.canonicalize();

    let mut scope = Writer::default();
    scope.bool(p.detection);
    scope.u8(threat_events_code(p.threat_events));
    scope.u8(stage_code(p.stage));
    scope.u8(action_code(p.action));
    scope.len(p.domains.len());
    for d in &p.domains {
        let (kind, host) = host_kind(&d.host);
        scope.u8(kind);
        scope.bool(d.include_subdomains);
        scope.str(host);
    }

    let mut body = Writer::default();
    body.str(&p.fusion_set_id);
    body.str(&p.build_id);
    body.i64(p.build_date_unix);
    body.opt(p.external_id.as_deref(), Writer::str);
    body.bool(p.enforce.ca_basic_constraints);
    body.bool(p.enforce.sha256_signatures);
    body.u32(p.enforce.min_rsa_bits);
    body.u32(p.enforce.min_ec_bits);
    body.len(p.domains.len());
    for d in &p.domains {
        body.opt(d.expires_unix, Writer::i64);
        body.len(d.pins.len());
        for pin in &d.pins {
            body.bytes(pin);
        }
    }
    body.str(&p.ui.title);
    body.str(&p.ui.message);
    body.len(p.ui.buttons.len());
    for b in &p.ui.buttons {
        body.str(&b.label);
        body.u8(button_code(&b.action));
        if let ButtonAction::Redirect(url) = &b.action {
            body.str(url);
        }
    }
    body.len(p.ui.localized.len());
    for l in &p.ui.localized {
        body.str(&l.language);
        body.opt(l.title.as_deref(), Writer::str);
        body.opt(l.message.as_deref(), Writer::str);
        body.len(l.buttons.len());
        for label in &l.buttons {
            body.str(label);
        }
    }

    let mut out = Writer::default();
    out.bytes(&MAGIC);
    out.bytes(&FORMAT_VERSION.to_le_bytes());
    out.bytes(&0u16.to_le_bytes());
    out.len(scope.0.len());
    out.bytes(&scope.0);
    let scope_digest = Sha256::digest(&out.0);
    out.bytes(&scope_digest);
    out.len(body.0.len());
    out.bytes(&body.0);
    let trailer = Sha256::digest(&out.0);
    out.bytes(&trailer);
    out.0
}

/// [`encode`] after [`Policy::check`]: the bytes are guaranteed to decode to the
/// canonical form of `policy`.
pub fn try_encode(policy: &Policy) -> Result<Vec<u8>, PolicyError> {
    policy.check()?;
    Ok(encode(policy))
}

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }
    fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.bytes(&v.to_le_bytes());
    }
    /// Counts and lengths. Beyond u32 the blob is unusable anyway (far over
    /// `MAX_BLOB_LEN`): saturate so `decode` rejects it instead of panicking here.
    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.bytes(s.as_bytes());
    }
    fn opt<T>(&mut self, v: Option<T>, write: fn(&mut Self, T)) {
        match v {
            None => self.bool(false),
            Some(v) => {
                self.bool(true);
                write(self, v);
            }
        }
    }
}
