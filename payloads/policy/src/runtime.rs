//! What the shim holds after loading `policy.bin` (CONTRACTS §2, last rule).
//!
//! - The blob decodes: every verdict comes from [`Policy::evaluate`].
//! - It does not, but its scope section (mode + host patterns) is intact under its own
//!   digest: hosts in that scope fail closed with `POLICY_INVALID` when the mode is
//!   `defense` (detection on, threatEvents defense, stage not development); every other
//!   host — and every host in any other mode — is `NotCovered`.
//! - Nothing is recoverable: `NotCovered` for every host. The shim logs [`Runtime::error`].

use alloc::format;

use crate::blob::{self, DecodeError, Scope};
use crate::evaluate::{matches, normalize};
use crate::model::{Policy, ReasonCode, Response, Stage, ThreatEvents, Verdict, Violation};

#[derive(Debug, Clone)]
pub struct Runtime {
    state: State,
}

#[derive(Debug, Clone)]
enum State {
    Loaded(Policy),
    ScopeOnly { scope: Scope, error: DecodeError },
    Unusable(DecodeError),
}

impl Runtime {
    /// Loads a blob; never fails (a broken blob degrades as described in the module docs).
    pub fn load(bytes: &[u8]) -> Runtime {
        let state = match blob::decode(bytes) {
            Ok(policy) => State::Loaded(policy),
            Err(error) => match blob::decode_scope(bytes) {
                Ok(scope) => State::ScopeOnly { scope, error },
                Err(_) => State::Unusable(error),
            },
        };
        Runtime { state }
    }

    pub fn evaluate(&self, host: &str, chain: &[&[u8]], now_unix: i64) -> Verdict {
        match &self.state {
            State::Loaded(policy) => policy.evaluate(host, chain, now_unix),
            State::ScopeOnly { scope, error } => fail_closed(scope, error, host),
            State::Unusable(_) => Verdict::NotCovered,
        }
    }

    /// The decoded policy, if the blob was intact.
    pub fn policy(&self) -> Option<&Policy> {
        match &self.state {
            State::Loaded(p) => Some(p),
            _ => None,
        }
    }

    /// Why the blob did not decode (for the shim's log line), `None` when it did.
    pub fn error(&self) -> Option<&DecodeError> {
        match &self.state {
            State::Loaded(_) => None,
            State::ScopeOnly { error, .. } | State::Unusable(error) => Some(error),
        }
    }

    /// True when the blob was damaged but its scope survived (pinned hosts fail closed
    /// in `defense`).
    pub fn is_scope_only(&self) -> bool {
        matches!(self.state, State::ScopeOnly { .. })
    }
}

fn fail_closed(scope: &Scope, error: &DecodeError, host: &str) -> Verdict {
    let defense = scope.detection
        && scope.threat_events == ThreatEvents::Defense
        && scope.stage != Stage::Development;
    if !defense {
        return Verdict::NotCovered;
    }
    let Some(host) = normalize(host) else {
        return Verdict::NotCovered;
    };
    if !scope
        .hosts
        .iter()
        .any(|(p, sub)| matches(p, *sub, &host).is_some())
    {
        return Verdict::NotCovered;
    }
    Verdict::Violation(Violation {
        reason: ReasonCode::PolicyInvalid,
        reason_data: format!(
            "host {host}: pinned, but policy.bin is damaged ({error}); failing closed"
        ),
        response: Response {
            block: true,
            threat_event: true,
            log: true,
            ..Response::default()
        },
    })
}
