//! Pins: `sha256/<base64 of the SHA-256 of a SubjectPublicKeyInfo>` — the form OkHttp,
//! TrustKit and Android's network security config use, and `fuse pin` prints.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The prefix every accepted pin starts with.
pub const PREFIX: &str = "sha256/";

/// What `fuse fusion-set init` puts where a real pin belongs. Valid base64 of 32 bytes
/// (so the starter validates), but unmistakable, and flagged by a warning.
pub const PLACEHOLDER_MARK: &str = "PLACEHOLDER";

/// An SPKI SHA-256 digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pin(pub [u8; 32]);

impl Pin {
    pub fn digest(&self) -> &[u8; 32] {
        &self.0
    }

    /// Whether this is one of the starter's placeholder pins.
    pub fn is_placeholder(&self) -> bool {
        STANDARD.encode(self.0).starts_with(PLACEHOLDER_MARK)
    }
}

impl fmt::Display for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}{}", STANDARD.encode(self.0))
    }
}

impl serde::Serialize for Pin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Parse one pin string, or say exactly what is wrong with it.
pub fn parse(raw: &str) -> Result<Pin, String> {
    let Some(b64) = raw.strip_prefix(PREFIX) else {
        return Err(match raw.split_once('/') {
            Some((alg, _)) if alg.eq_ignore_ascii_case("sha1") => {
                "a SHA-1 pin — only sha256/ pins are accepted; print them with `fuse pin`".into()
            }
            Some((alg, _)) if alg.eq_ignore_ascii_case("sha256") => {
                format!("write the algorithm in lowercase: \"{PREFIX}…\"")
            }
            Some((alg, _)) if !alg.is_empty() && alg.len() <= 16 && !alg.contains(['+', '=']) => {
                format!(
                    "unsupported pin algorithm \"{alg}\" — only sha256/ pins are accepted; print them with `fuse pin`"
                )
            }
            _ => format!(
                "expected \"{PREFIX}<base64>\" (an SPKI SHA-256 pin as `fuse pin` prints it)"
            ),
        });
    };
    let bytes = STANDARD.decode(b64).map_err(|e| {
        let why = match e {
            base64::DecodeError::InvalidByte(at, b) => {
                format!("invalid character {:?} at position {at}", char::from(b))
            }
            base64::DecodeError::InvalidLength(_) => "wrong length".to_owned(),
            base64::DecodeError::InvalidLastSymbol {
                offset: at,
                symbol: b,
                ..
            } => {
                format!(
                    "invalid last character {:?} at position {at}",
                    char::from(b)
                )
            }
            base64::DecodeError::InvalidPadding => "missing or wrong '=' padding".to_owned(),
        };
        format!(
            "bad base64 after \"{PREFIX}\" ({why}) — standard alphabet with '=' padding, no spaces"
        )
    })?;
    let digest: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
        format!(
            "not 32 bytes of SHA-256 ({} bytes) — a pin is the base64 of a SHA-256 digest",
            bytes.len()
        )
    })?;
    Ok(Pin(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let raw = "sha256/7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y=";
        let pin = parse(raw).unwrap();
        assert_eq!(pin.to_string(), raw);
        assert!(!pin.is_placeholder());
    }

    #[test]
    fn mistakes() {
        let e = |s: &str| parse(s).unwrap_err();
        assert!(e("sha1/AAAAAAAAAAAAAAAAAAAAAAAAAAA=").contains("SHA-1"));
        assert!(e("SHA256/7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y=").contains("lowercase"));
        assert!(e("sha384/abc").contains("unsupported pin algorithm"));
        assert!(e("7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y=").contains("expected"));
        assert!(e("sha256/not base64!").contains("bad base64"));
        assert!(e("sha256/7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y").contains("bad base64"));
        // 31 bytes
        let short = format!("sha256/{}", STANDARD.encode([0u8; 31]));
        assert!(e(&short).contains("not 32 bytes of SHA-256 (31 bytes)"));
    }
}
