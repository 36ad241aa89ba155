//! The response table of CONTRACTS §2 / docs/fusion-set.md: what the runtime does about
//! a violation, from `threatEvents`, `stage` and `action`.

use crate::model::{Action, Policy, Response, Stage, ThreatEvents};

impl Policy {
    /// The response to a (non-expired) violation under this policy's mode.
    pub fn violation_response(&self) -> Response {
        let defense = self.threat_events == ThreatEvents::Defense;
        if self.threat_events == ThreatEvents::Detection {
            // Detection never blocks: it only tells the app.
            return Response {
                threat_event: true,
                log: true,
                ..Response::default()
            };
        }
        if self.stage == Stage::Development {
            // Non-blocking rollout: a warning, whatever `action` says.
            return Response {
                notice: true,
                threat_event: defense,
                log: true,
                ..Response::default()
            };
        }
        let (block, dialog, notice, close_app) = match self.action {
            Action::Close => (true, true, false, true),
            Action::Alert => (true, true, false, false),
            Action::Warn => (false, false, true, false),
            Action::Log => (false, false, false, false),
        };
        Response {
            block,
            dialog,
            notice,
            close_app,
            threat_event: defense,
            log: true,
        }
    }

    /// The response to `PIN_SET_EXPIRED`: never blocks (so a shipped app is not bricked
    /// by its own old pins), tells the app unless threatEvents is off.
    pub fn expired_pins_response(&self) -> Response {
        Response {
            threat_event: self.threat_events != ThreatEvents::Off,
            log: true,
            ..Response::default()
        }
    }
}
