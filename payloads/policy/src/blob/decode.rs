//! The strict decoder. Layout in [`super`]. Accepts exactly the canonical encodings of
//! policies that pass [`Policy::check`]; everything else is a typed [`DecodeError`].
//! Framing and both digests are checked before any field is parsed.

use alloc::string::String;
use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use super::check::{host_is_valid, language_is_valid};
use super::error::DecodeError;
use super::layout::{
    BUTTON_CLOSE, BUTTON_DISMISS, BUTTON_REDIRECT, DIGEST_LEN, FORMAT_VERSION, HOST_EXACT,
    HOST_ONE_LABEL_WILDCARD, MAGIC, MIN_BLOB_LEN, Scope, action_from, limits, stage_from,
    threat_events_from,
};
use super::reader::Reader;
use crate::model::{Button, ButtonAction, Domain, Enforce, HostPattern, LocalizedUi, Policy, Ui};

/// Decodes a `policy.bin`. Never panics; allocates at most in proportion to `bytes`.
pub fn decode(bytes: &[u8]) -> Result<Policy, DecodeError> {
    let frame = Frame::read(bytes)?;
    frame.check_trailer(bytes)?;
    let scope = parse_scope(frame.scope)?;
    parse_body(frame.body, scope)
}

/// Only the preamble and the scope section, verified by the scope digest: what survives
/// a damaged body or trailer.
pub(crate) fn decode_scope(bytes: &[u8]) -> Result<Scope, DecodeError> {
    let mut r = Reader::new(bytes, 0);
    let scope = read_preamble_and_scope(&mut r, bytes)?;
    parse_scope(scope)
}

struct Frame<'a> {
    scope: Reader<'a>,
    body: Reader<'a>,
    trailer_at: usize,
    trailer: [u8; DIGEST_LEN],
}

impl<'a> Frame<'a> {
    fn read(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        if bytes.len() < MIN_BLOB_LEN {
            return Err(DecodeError::TooShort { len: bytes.len() });
        }
        if bytes.len() > limits::MAX_BLOB_LEN {
            return Err(DecodeError::TooLarge {
                len: bytes.len(),
                max: limits::MAX_BLOB_LEN,
            });
        }
        let mut r = Reader::new(bytes, 0);
        let scope = read_preamble_and_scope(&mut r, bytes)?;
        let body_len = r.count("body length", limits::MAX_BLOB_LEN)?;
        let body_at = r.at();
        let body = Reader::new(r.take(body_len, "body")?, body_at);
        let trailer_at = r.at();
        let trailer = r.array("SHA-256 trailer")?;
        r.finish("SHA-256 trailer")?;
        Ok(Self {
            scope,
            body,
            trailer_at,
            trailer,
        })
    }

    fn check_trailer(&self, bytes: &[u8]) -> Result<(), DecodeError> {
        let covered = bytes.get(..self.trailer_at).ok_or(DecodeError::Trailer)?;
        if Sha256::digest(covered).as_slice() != self.trailer {
            return Err(DecodeError::Trailer);
        }
        Ok(())
    }
}

fn read_preamble_and_scope<'a>(
    r: &mut Reader<'a>,
    bytes: &'a [u8],
) -> Result<Reader<'a>, DecodeError> {
    if r.take(MAGIC.len(), "magic")? != MAGIC {
        return Err(DecodeError::BadMagic);
    }
    let version = u16::from_le_bytes(r.array("format version")?);
    if version != FORMAT_VERSION {
        return Err(DecodeError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let reserved = u16::from_le_bytes(r.array("reserved field")?);
    if reserved != 0 {
        return Err(DecodeError::Reserved { found: reserved });
    }
    let scope_len = r.count("scope section length", limits::MAX_BLOB_LEN)?;
    let scope_at = r.at();
    let scope = Reader::new(r.take(scope_len, "scope section")?, scope_at);
    let digest_at = r.at();
    let digest: [u8; DIGEST_LEN] = r.array("scope digest")?;
    let covered = bytes.get(..digest_at).ok_or(DecodeError::ScopeDigest)?;
    if Sha256::digest(covered).as_slice() != digest {
        return Err(DecodeError::ScopeDigest);
    }
    Ok(scope)
}

fn parse_scope(mut r: Reader<'_>) -> Result<Scope, DecodeError> {
    let detection = r.bool("detection flag")?;
    let threat_events = r.code("threatEvents code", threat_events_from)?;
    let stage = r.code("stage code", stage_from)?;
    let action = r.code("action code", action_from)?;
    let n = r.count("domain count", limits::MAX_DOMAINS)?;
    let mut previous: Option<(String, u8)> = None;
    let hosts = r.vec(n, |r| {
        let at = r.at();
        let kind = r.u8("host kind")?;
        let include_subdomains = r.bool("includeSubdomains flag")?;
        let host_at = r.at();
        let host = r.str("host", limits::MAX_HOST_LEN)?;
        if !host_is_valid(&host) {
            return Err(DecodeError::Invalid {
                what: "host name",
                at: host_at,
            });
        }
        let key = (host, kind);
        if previous
            .as_ref()
            .is_some_and(|p| (p.0.as_str(), p.1) >= (key.0.as_str(), key.1))
        {
            return Err(DecodeError::NotCanonical {
                what: "domains out of order or duplicated",
                at,
            });
        }
        let pattern = match kind {
            HOST_EXACT => HostPattern::Exact(key.0.clone()),
            HOST_ONE_LABEL_WILDCARD => HostPattern::OneLabelWildcard(key.0.clone()),
            _ => {
                return Err(DecodeError::Invalid {
                    what: "host kind",
                    at,
                });
            }
        };
        previous = Some(key);
        Ok((pattern, include_subdomains))
    })?;
    r.finish("scope section")?;
    Ok(Scope {
        detection,
        threat_events,
        stage,
        action,
        hosts,
    })
}

fn parse_body(mut r: Reader<'_>, scope: Scope) -> Result<Policy, DecodeError> {
    let fusion_set_id = r.str("fusion set id", limits::MAX_TEXT_LEN)?;
    let build_id = r.str("build id", limits::MAX_TEXT_LEN)?;
    let build_date_unix = r.i64("build date")?;
    let external_id = r.opt("external id flag", |r| {
        r.str("external id", limits::MAX_TEXT_LEN)
    })?;
    let enforce = Enforce {
        ca_basic_constraints: r.bool("enforce.caBasicConstraints flag")?,
        sha256_signatures: r.bool("enforce.sha256Signatures flag")?,
        min_rsa_bits: r.u32("enforce.minRsaBits")?,
        min_ec_bits: r.u32("enforce.minEcBits")?,
    };

    let at = r.at();
    let n = r.count("body domain count", limits::MAX_DOMAINS)?;
    if n != scope.hosts.len() {
        return Err(DecodeError::Invalid {
            what: "body domain count (differs from the scope section's)",
            at,
        });
    }
    let mut hosts = scope.hosts.into_iter();
    let domains = r.vec(n, |r| {
        let expires_unix = r.opt("expiry flag", |r| r.i64("expiry"))?;
        let at = r.at();
        let pin_count = r.count("pin count", limits::MAX_PINS_PER_DOMAIN)?;
        if pin_count == 0 {
            return Err(DecodeError::Invalid {
                what: "pin count 0",
                at,
            });
        }
        let mut pins: Vec<[u8; 32]> = Vec::new();
        for _ in 0..pin_count {
            let at = r.at();
            let pin = r.array("pin")?;
            if pins.contains(&pin) {
                return Err(DecodeError::NotCanonical {
                    what: "duplicate pin",
                    at,
                });
            }
            pins.push(pin);
        }
        let (host, include_subdomains) = hosts.next().ok_or(DecodeError::Invalid {
            what: "body domain count",
            at,
        })?;
        Ok(Domain {
            host,
            include_subdomains,
            expires_unix,
            pins,
        })
    })?;

    let title = r.str("dialog title", limits::MAX_TEXT_LEN)?;
    let message = r.str("dialog message", limits::MAX_TEXT_LEN)?;
    let button_count = r.count("button count", limits::MAX_BUTTONS)?;
    let buttons = r.vec(button_count, |r| {
        let label = r.str("button label", limits::MAX_TEXT_LEN)?;
        let at = r.at();
        let action = match r.u8("button action")? {
            BUTTON_CLOSE => ButtonAction::Close,
            BUTTON_DISMISS => ButtonAction::Dismiss,
            BUTTON_REDIRECT => {
                let at = r.at();
                let url = r.str("redirect URL", limits::MAX_TEXT_LEN)?;
                if url.is_empty() {
                    return Err(DecodeError::Invalid {
                        what: "empty redirect URL",
                        at,
                    });
                }
                ButtonAction::Redirect(url)
            }
            _ => {
                return Err(DecodeError::Invalid {
                    what: "button action",
                    at,
                });
            }
        };
        Ok(Button { label, action })
    })?;

    let language_count = r.count("language count", limits::MAX_LANGUAGES)?;
    let mut previous: Option<String> = None;
    let localized = r.vec(language_count, |r| {
        let at = r.at();
        let language = r.str("language tag", limits::MAX_LANGUAGE_TAG_LEN)?;
        if !language_is_valid(&language) {
            return Err(DecodeError::Invalid {
                what: "language tag",
                at,
            });
        }
        if previous.as_ref().is_some_and(|p| *p >= language) {
            return Err(DecodeError::NotCanonical {
                what: "languages out of order or duplicated",
                at,
            });
        }
        previous = Some(language.clone());
        let title = r.opt("localized title flag", |r| {
            r.str("localized title", limits::MAX_TEXT_LEN)
        })?;
        let message = r.opt("localized message flag", |r| {
            r.str("localized message", limits::MAX_TEXT_LEN)
        })?;
        let at = r.at();
        let label_count = r.count("localized button count", limits::MAX_BUTTONS)?;
        if label_count != 0 && label_count != button_count {
            return Err(DecodeError::Invalid {
                what: "localized button count (neither 0 nor the button count)",
                at,
            });
        }
        let buttons = r.vec(label_count, |r| {
            r.str("localized button label", limits::MAX_TEXT_LEN)
        })?;
        Ok(LocalizedUi {
            language,
            title,
            message,
            buttons,
        })
    })?;
    r.finish("body")?;

    Ok(Policy {
        fusion_set_id,
        build_id,
        build_date_unix,
        stage: scope.stage,
        detection: scope.detection,
        threat_events: scope.threat_events,
        action: scope.action,
        external_id,
        ui: Ui {
            title,
            message,
            buttons,
            localized,
        },
        domains,
        enforce,
    })
}
