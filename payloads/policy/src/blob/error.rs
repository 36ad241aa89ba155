//! Why a blob was rejected. Every variant is a malformed input, never a bug: the decoder
//! returns one of these for any byte sequence that is not a canonical encoding.

/// A malformed `policy.bin`. `Display` is the whole user-facing line after `error: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error(
        "policy blob is malformed — {len} bytes is shorter than the smallest valid blob; it was truncated"
    )]
    TooShort { len: usize },
    #[error("policy blob is malformed — {len} bytes exceeds the {max}-byte limit")]
    TooLarge { len: usize, max: usize },
    #[error("policy blob is malformed — it does not start with the FUSEPOL magic")]
    BadMagic,
    #[error(
        "policy blob has format version {found}, this runtime reads version {supported} — rebuild the app with a matching fuse"
    )]
    UnsupportedVersion { found: u16, supported: u16 },
    #[error("policy blob is malformed — reserved header field is {found:#06x}, must be 0")]
    Reserved { found: u16 },
    #[error("policy blob is malformed — the scope section's SHA-256 does not match")]
    ScopeDigest,
    #[error(
        "policy blob is malformed — the SHA-256 trailer does not match (the blob was changed or truncated)"
    )]
    Trailer,
    #[error(
        "policy blob is malformed — {what} at offset {at} needs {needed} bytes, {available} remain"
    )]
    Truncated {
        what: &'static str,
        at: usize,
        needed: usize,
        available: usize,
    },
    #[error(
        "policy blob is malformed — {extra} unexpected bytes after the {section} at offset {at}"
    )]
    TrailingBytes {
        section: &'static str,
        at: usize,
        extra: usize,
    },
    #[error("policy blob is malformed — {what} at offset {at} is {found}, the limit is {max}")]
    Limit {
        what: &'static str,
        at: usize,
        found: usize,
        max: usize,
    },
    #[error("policy blob is malformed — invalid {what} at offset {at}")]
    Invalid { what: &'static str, at: usize },
    #[error("policy blob is not canonical — {what} at offset {at}")]
    NotCanonical { what: &'static str, at: usize },
}
